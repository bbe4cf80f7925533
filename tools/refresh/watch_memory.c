/* See watch_memory.h. */
#include "watch_memory.h"

#include <malloc.h>

/* glibc refuses an M_MMAP_THRESHOLD above half its heap size (32 MiB on
 * 64-bit, 512 KiB on 32-bit systems); the largest it takes. */
static void raise_mmap_threshold(void)
{
    for (int threshold = 32 * 1024 * 1024; threshold >= 128 * 1024; threshold /= 2)
        if (mallopt(M_MMAP_THRESHOLD, threshold) == 1)
            return;
}

void vmh_watch_memory_keep(void)
{
    raise_mmap_threshold();
    /* The largest an int holds: the heap is trimmed only when idle. */
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
}

int vmh_watch_memory_give_back(void)
{
    return malloc_trim(0);
}
