/* Docker's event streams as the watcher follows them: one per socket a
 * refresh of this user asks, a user's own rootless engines' included
 * (docker.h), reopened when one of those engines starts or stops after
 * the watcher did (watch_sockets.c watches the folders their sockets are
 * made in). */
#ifndef VMHOSTS_WATCH_STREAMS_H
#define VMHOSTS_WATCH_STREAMS_H

#include "config.h"

struct vmh_watch_streams;

/* The streams on the sockets there are now, the rootless sockets'
 * folders watched first (so that a socket made in between is seen at the
 * first look); NULL when out of memory. */
struct vmh_watch_streams *vmh_watch_streams_open(const struct vmh_config *config,
                                                 long timeout_ms);

void vmh_watch_streams_close(struct vmh_watch_streams *streams);

/* Readable when a rootless socket's folder changed; -1 when none is
 * watched (root). */
int vmh_watch_streams_fd(const struct vmh_watch_streams *streams);

/* Opens and closes streams as the rootless sockets came and went since
 * the last call.  Every stream then starts again: each one's first try
 * says VMH_EVENTS_CONNECTED (and Docker is listed whole, which drops the
 * containers of an engine that stopped) or VMH_EVENTS_LOST (no engine
 * answers: Docker's part of the cache empties). */
void vmh_watch_streams_follow(struct vmh_watch_streams *streams);

/* vmh_events_wait (docker_events.h) on the streams. */
unsigned vmh_watch_streams_wait(struct vmh_watch_streams *streams, int wake_fd, long timeout_ms);

#endif
