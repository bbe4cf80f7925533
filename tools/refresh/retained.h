/* The snapshot a watcher last wrote, kept between its refreshes.
 *
 * A refresh writes the whole cache again: the hosts of the backends it
 * did not ask (and, after Docker's events, the containers they did not
 * name) are added to its answer.  Read back out of the file, those hosts
 * were a quarter of a Docker event beside 100,000 containers, and freeing
 * them after the write another tenth (perf, steady state; README,
 * Performance).  Kept, they are moved instead: the file in place is still
 * the one written from them (its inode, size and times), and its record
 * r is their r-th host in section order (cache_write.c put_in_order), so
 * a part's marks (vmh_snapshot_part_marks) pick the same hosts. */
#ifndef VMHOSTS_RETAINED_H
#define VMHOSTS_RETAINED_H

#include <stdbool.h>
#include <sys/stat.h>

#include "cache.h"
#include "part.h"
#include "snapshot.h"

/* Takes `written`'s hosts and states (it is left empty), the snapshot
 * the file `st` was just written from. */
void vmh_retained_keep(struct vmh_snapshot *written, const struct stat *st);

/* Moves into `into` the hosts vmh_snapshot_from_cache would copy out of
 * `cache` (the file `st`) for `backends`, and for each backend of
 * `parted` among them only its hosts outside parts[backend]; sets every
 * backend's state as the file has it, and each host's was_record, its
 * record in `cache`, in the same order (so the writer may keep the file's
 * key order: vmh_cache_build_after).  Forgets the rest.  1 when done,
 * 0 when nothing is kept for that file (the caller copies), -1 out of
 * memory. */
int vmh_retained_take(struct vmh_snapshot *into, const struct vmh_cache *cache,
                      const struct stat *st, unsigned backends, unsigned parted,
                      const struct vmh_part *parts);

/* Frees what is kept: the file may change, or memory goes back. */
void vmh_retained_forget(void);

#endif
