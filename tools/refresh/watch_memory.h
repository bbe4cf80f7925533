/* The watcher's heap: kept between the refreshes that events bring,
 * given back to the system once the cache has not changed for a while
 * (polls that find nothing new do not count: watch_loop.c).
 *
 * A refresh builds the whole cache in memory (at 100,000 containers a
 * 23 MiB file, its keys and records and the snapshot behind them), and
 * glibc's malloc maps blocks that big afresh each time and unmaps them on
 * free; every page is then faulted in again, event after event.  `perf
 * record` of the watcher beside 100,000 containers put page faults at a
 * fifth of its time per event and the kernel's copy into the file at
 * another fifth. */
#ifndef VMHOSTS_WATCH_MEMORY_H
#define VMHOSTS_WATCH_MEMORY_H

/* No change to the cache for this long: the memory kept is given back
 * (the default of `vmhosts watch --memory-idle`). */
#define VMH_WATCH_MEMORY_IDLE_MS 30000

/* From now on, blocks up to malloc's largest heap block (32 MiB on 64-bit
 * systems) come from the heap, and the heap is not trimmed on free. */
void vmh_watch_memory_keep(void);

/* Gives back what the heap holds free; returns whether any went. */
int vmh_watch_memory_give_back(void);

#endif
