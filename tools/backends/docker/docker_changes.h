/* Which containers Docker's event stream said changed, so that the
 * watcher's refresh lists only those (`filters={"id":[...]}`) instead of
 * every container: one event then costs the same at 10 containers and
 * 10,000, where a whole list cost 480 ms at 10,000 (bench section 5).
 * Until the watcher's first list, after a stream (re)connects, at every
 * resync and whenever an event could not be read, the next refresh lists
 * everything: the list is then the only truth.  A `vmhosts refresh` of
 * its own never hears an event, so it always lists everything.  One
 * thread, as docker_deaths.h. */
#ifndef VMHOSTS_DOCKER_CHANGES_H
#define VMHOSTS_DOCKER_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMH_DOCKER_ID_LENGTH 64
/* More containers changed at once than this: list them all. */
#define VMH_DOCKER_CHANGED_MAX 64
/* A change is listed again until this long after it: longer than the
 * watcher's last settle list (3 s after the last event), which catches a
 * list that had not caught up with the event yet. */
#define VMH_DOCKER_CHANGED_KEEP_MS 3500

/* Container `id` (its full ID) changed at now_ms, a monotonic time; an ID
 * of any other shape asks for a whole list. */
void vmh_docker_change_note(const char *id, int64_t now_ms);

/* The next refresh lists every container. */
void vmh_docker_changes_list_all(void);

/* A whole list succeeded. */
void vmh_docker_changes_listed_all(void);

/* Copies the IDs changed within VMH_DOCKER_CHANGED_KEEP_MS of now_ms into
 * ids; returns how many (at least 1), or 0 when the refresh must list
 * every container. */
size_t vmh_docker_changes_take(int64_t now_ms, char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t max);

#endif
