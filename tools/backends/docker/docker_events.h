/* Docker's event stream: `GET /events` over each configured Unix socket,
 * filtered to what changes which names resolve (container start, die,
 * destroy, rename; network connect, disconnect).  Each socket's stream
 * reconnects on its own, with backoff, when Docker stops, restarts or is
 * not there yet. */
#ifndef VMHOSTS_DOCKER_EVENTS_H
#define VMHOSTS_DOCKER_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

/* What vmh_events_wait saw, as bits. */
#define VMH_EVENTS_CHANGED 1u   /* an event that changes what resolves */
#define VMH_EVENTS_CONNECTED 2u /* a stream began: events may have been missed before it */
#define VMH_EVENTS_LOST 4u      /* a stream ended, or the first attempt after one failed */

/* The reconnection backoff: first retry, and the longest wait between two. */
#define VMH_EVENTS_RETRY_MIN_MS 100
#define VMH_EVENTS_RETRY_MAX_MS 2000
/* A daemon whose user may not answer (another user's, or one the kernel
 * does not say): asked again this seldom, since that changes only when
 * another daemon takes its socket; every 2 s it would be a request to
 * someone else's engine, forever. */
#define VMH_EVENTS_FOREIGN_RETRY_MS 60000

struct vmh_events;

/* Whether one line of the stream (one JSON object) is an event that can
 * change what resolves; which container it was, and whether it died or
 * started, is noted for the next refresh (docker_changes.h).  A line that is not the JSON Docker sends counts
 * as a change: refreshing once too often is harmless, missing one is not. */
bool vmh_docker_event_relevant(const char *line, size_t length);

/* Streams for every socket in `sockets` (space-separated); connecting is
 * bounded by connect_timeout_ms.  NULL when out of memory.  Needs
 * curl_global_init. */
struct vmh_events *vmh_events_open(const char *sockets, long connect_timeout_ms);

void vmh_events_close(struct vmh_events *events);

/* Runs the streams for up to timeout_ms: reads what Docker sent, starts the
 * streams whose retry time came.  Returns early when something happened or
 * wake_fd (if >= 0) becomes readable.  Returns the VMH_EVENTS_* bits seen.
 * Says on stderr when a stream connects, ends or cannot connect. */
unsigned vmh_events_wait(struct vmh_events *events, int wake_fd, long timeout_ms);

#endif
