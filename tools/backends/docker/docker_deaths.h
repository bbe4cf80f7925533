/* The containers Docker's event stream said died, for a few seconds.
 * dockerd logs `die` before its list shows the container stopped (seen
 * with 20.10 and 28), so the list the watcher asks for at once still says
 * "running"; without this, a removed container kept answering until a
 * later list, a second or more under churn (bench section 7).  The watcher
 * is one thread (docker_events.h); so is everything here. */
#ifndef VMHOSTS_DOCKER_DEATHS_H
#define VMHOSTS_DOCKER_DEATHS_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

/* Longer than any wait for Docker's list to catch up (the watcher asks
 * again at most 3 s after the last event: tools/refresh/watch_loop.c). */
#define VMH_DOCKER_DEATH_KEEP_MS 10000
/* Deaths remembered at once; the oldest is forgotten first. */
#define VMH_DOCKER_DEATHS_MAX 256

/* Container `id` died (`die`, `destroy`) at now_ms, a monotonic time. */
void vmh_docker_death_note(const char *id, int64_t now_ms);

/* Container `id` started: whatever died before is alive again. */
void vmh_docker_start_note(const char *id);

/* Forgets every death: after a stream (re)connects, events may have been
 * missed, and the list is then the only truth. */
void vmh_docker_deaths_forget(void);

/* Whether `id` died within VMH_DOCKER_DEATH_KEEP_MS of now_ms and has not
 * started since. */
bool vmh_docker_died(const char *id, int64_t now_ms);

/* Marks the running Docker containers of *fresh that died as stopped. */
void vmh_docker_deaths_apply(struct vmh_snapshot *fresh, int64_t now_ms);

#endif
