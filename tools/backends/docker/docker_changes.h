/* What Docker's event stream said since the watcher's last refresh: which
 * containers changed, so that the refresh lists only those
 * (`filters={"id":[...]}`) instead of every container, and which of them
 * died.  One event then costs the same at 10 containers and 10,000,
 * where a whole list cost 480 ms at 10,000 (bench section 5).
 * Until the watcher's first list, after a stream (re)connects, at every
 * resync and whenever an event could not be read, the next refresh lists
 * everything: the list is then the only truth.  A `vmhosts refresh` of
 * its own never hears an event, so it always lists everything.
 * dockerd logs `die` before its list shows the container stopped (seen
 * with 20.10 and 28), so the list asked for right after the event still
 * says "running": a death is kept here and applied to that list.  The
 * watcher is one thread (docker_events.h); so is everything here. */
#ifndef VMHOSTS_DOCKER_CHANGES_H
#define VMHOSTS_DOCKER_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

#define VMH_DOCKER_ID_LENGTH 64
/* More containers changed at once than this: list them all. */
#define VMH_DOCKER_CHANGED_MAX 64
/* A change is listed again, and a death applied, until this long after
 * it: longer than the watcher's last settle list (3 s after the last
 * event, tools/refresh/watch_loop.c), by which Docker's list has caught up. */
#define VMH_DOCKER_CHANGED_KEEP_MS 3500

enum vmh_docker_change {
    VMH_DOCKER_CHANGED, /* renamed, connected, disconnected: a death stays */
    VMH_DOCKER_DIED,    /* die, destroy */
    VMH_DOCKER_STARTED  /* start: alive again */
};

/* Container `id` (its full ID) changed at now_ms, a monotonic time; an ID
 * of any other shape asks for a whole list. */
void vmh_docker_change_note(const char *id, enum vmh_docker_change change, int64_t now_ms);

/* Forgets who shares whose network namespace, before a whole list is
 * learned (vmh_docker_sharing_learn, docker_list.h). */
void vmh_docker_sharing_clear(void);

/* Container `sharer` runs in `owner`'s network namespace (--network
 * container:<owner>), as a whole list said; both full IDs.  From then on a
 * change noted of either is noted of the other too: the list of the
 * changed containers then holds both, and the sharer gets its owner's
 * addresses from it, as from a whole list.  Without that, the owner
 * stopped or started alone would leave its sharers answering its old
 * addresses until the next whole list, which another container may hold
 * by then. */
void vmh_docker_sharing_add(const char *owner, const char *sharer);

/* The next refresh lists every container. */
void vmh_docker_changes_list_all(void);

/* A whole list succeeded. */
void vmh_docker_changes_listed_all(void);

/* Forgets every change and death, and lists everything next: after a
 * stream (re)connects, since events may have been missed. */
void vmh_docker_changes_forget(void);

/* Copies the IDs changed within VMH_DOCKER_CHANGED_KEEP_MS of now_ms into
 * ids; returns how many (at least 1), or 0 when the refresh must list
 * every container. */
size_t vmh_docker_changes_take(int64_t now_ms, char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t max);

/* Copies into ids, as vmh_docker_changes_take would now, the IDs the next
 * vmh_docker_changes_take returns: the same, unless a change is noted
 * meanwhile (then that take sees it too).  So a refresh knows which
 * containers it is about to ask about (backend.h, next_part). */
size_t vmh_docker_changes_fix(int64_t now_ms, char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t max);

/* Whether `id` died within VMH_DOCKER_CHANGED_KEEP_MS of now_ms and has
 * not started since. */
bool vmh_docker_died(const char *id, int64_t now_ms);

/* Marks the running Docker containers of *fresh that died as stopped. */
void vmh_docker_deaths_apply(struct vmh_snapshot *fresh, int64_t now_ms);

#endif
