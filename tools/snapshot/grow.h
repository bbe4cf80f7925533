/* A byte buffer that grows by doubling, as the cache writer's string pool
 * and the backends' readers (an HTTP body, a child's output, a Docker
 * list entry's texts) each need one: a handful of reallocations for a
 * buffer of any size, never one per append. */
#ifndef VMHOSTS_GROW_H
#define VMHOSTS_GROW_H

#include <stddef.h>

/* Room for `needed` bytes in *data, which has room for *capacity: grown
 * by doubling from `first` until it holds them, never past `most`.
 * Returns 0, or -1 with both unchanged when `needed` is more than `most`
 * or memory runs out. */
int vmh_grow_bytes(char **data, size_t *capacity, size_t needed, size_t first, size_t most);

#endif
