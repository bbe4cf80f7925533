/* The watcher's heap (tools/refresh/watch_memory.c): a block as big as a
 * cache of many containers, freed, stays in the heap for the next
 * refresh instead of being unmapped, and is given back on request. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "watch_memory.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED_MALLOC 1
#endif
#endif

#define BLOCK (20 * 1024 * 1024)

/* The process's resident memory, in bytes. */
static size_t resident(void)
{
    unsigned long size = 0, pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm || fscanf(statm, "%lu %lu", &size, &pages) != 2)
        printf("# cannot read /proc/self/statm\n");
    if (statm)
        fclose(statm);
    return pages * (size_t)sysconf(_SC_PAGESIZE);
}

int main(void)
{
#ifdef SANITIZED_MALLOC
    return check_skip_all("the sanitizer's malloc takes no mallopt");
#endif
    vmh_watch_memory_keep();
    char *block = malloc(BLOCK);
    CHECK(block != NULL, "a 20 MiB block");
    if (!block)
        return check_done();
    /* Through volatile: a memset the compiler sees freed unread is dropped. */
    volatile char *pages = block;
    for (size_t at = 0; at < BLOCK; at += 4096)
        pages[at] = 1;
    CHECK(mallinfo2().hblkhd < BLOCK, "the block came from the heap, not a mapping of its own");
    size_t in_use = resident();
    free(block);
    CHECK(mallinfo2().fordblks >= BLOCK && resident() + BLOCK / 4 > in_use,
          "freed, it stays in the heap, and in memory, for the next refresh");
    CHECK(vmh_watch_memory_give_back() == 1, "giving back frees something");
    CHECK(resident() + BLOCK * 3 / 4 < in_use, "given back, the system has its pages again");
    return check_done();
}
