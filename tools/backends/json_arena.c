/* See json_arena.h. */
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "json_arena.h"

/* Blocks double from the first to the largest: a list of ten containers
 * takes 64 KiB, one of 100,000 mostly 4 MiB blocks. */
#define FIRST_BLOCK_SIZE ((size_t)64 << 10)
/* Smaller blocks come from malloc, which keeps their pages for the next
 * parse: the watcher parses a short list per event, and mapping, faulting
 * in and unmapping a fresh 64 KiB each time was a sixth of its CPU time
 * (perf, bench section 7).  Larger ones are mapped, so that a 100,000
 * container list goes back to the system whole. */
#define MAPPED_FROM ((size_t)128 << 10)
#define BLOCK_SIZE ((size_t)4 << 20)
#define ALIGNMENT alignof(max_align_t)

struct vmh_json_block {
    struct vmh_json_block *next;
    size_t used, size;
    bool mapped;
    alignas(max_align_t) unsigned char data[];
};

/* jansson's allocation functions take no context: the arena parsing now. */
static struct vmh_json_arena *current;

/* A block of its own for one large value goes behind the newest, whose
 * room stays in use. */
static struct vmh_json_block *new_block(size_t size, bool behind)
{
    size_t total = sizeof(struct vmh_json_block) + size;
    bool mapped = total >= MAPPED_FROM;
    void *memory = mapped ? mmap(NULL, total, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
                          : malloc(total);
    if (memory == MAP_FAILED || !memory)
        return NULL;
    struct vmh_json_block *block = memory;
    block->mapped = mapped;
    struct vmh_json_block **link = behind && current->blocks ? &current->blocks->next
                                                              : &current->blocks;
    block->used = size;
    block->size = size;
    block->next = *link;
    *link = block;
    return block;
}

static void *arena_malloc(size_t size)
{
    size_t rounded = (size + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
    if (rounded < size || rounded > SIZE_MAX - sizeof(struct vmh_json_block))
        return NULL;
    struct vmh_json_block *block = current->blocks;
    if (rounded > BLOCK_SIZE / 4) {
        block = new_block(rounded, true);
        return block ? block->data : NULL;
    }
    if (!block || block->size - block->used < rounded) {
        size_t size = block && block->size < BLOCK_SIZE / 2 ? block->size * 2 : BLOCK_SIZE;
        size = block ? size : FIRST_BLOCK_SIZE;
        if (!(block = new_block(size > rounded ? size : rounded, false)))
            return NULL;
        block->used = 0;
    }
    void *memory = block->data + block->used;
    block->used += rounded;
    return memory;
}

/* Freed with the arena: what jansson frees while parsing (a string
 * buffer outgrown, an array's old storage) stays until then. */
static void arena_free(void *memory)
{
    (void)memory;
}

json_t *vmh_json_arena_loadb(struct vmh_json_arena *arena, const char *buffer, size_t length,
                             size_t flags, json_error_t *error)
{
    json_get_alloc_funcs(&arena->saved_malloc, &arena->saved_free);
    current = arena;
    json_set_alloc_funcs(arena_malloc, arena_free);
    json_t *root = json_loadb(buffer, length, flags, error);
    json_set_alloc_funcs(arena->saved_malloc, arena->saved_free);
    current = NULL;
    return root;
}

void vmh_json_arena_free(struct vmh_json_arena *arena)
{
    while (arena->blocks) {
        struct vmh_json_block *next = arena->blocks->next;
        if (arena->blocks->mapped)
            munmap(arena->blocks, sizeof *arena->blocks + arena->blocks->size);
        else
            free(arena->blocks);
        arena->blocks = next;
    }
}
