/* Some of one backend's hosts, by ID: those a refresh asks about when it
 * does not ask about all of them (Docker's after its events,
 * tools/backends/docker/docker_changes.h).  A refresh then copies only
 * these out of the previous cache and compares only these, and copies
 * the rest only when it writes: one event costs a write at most, not a
 * copy of 100,000 hosts each time the watcher lists the same container. */
#ifndef VMHOSTS_PART_H
#define VMHOSTS_PART_H

#include <stddef.h>

#define VMH_PART_MAX 64    /* more at once: the refresh asks about all */
#define VMH_PART_ID_MAX 64 /* Docker's full IDs */

struct vmh_part {
    size_t count; /* 0: no part, all of them */
    char ids[VMH_PART_MAX][VMH_PART_ID_MAX + 1];
};

#endif
