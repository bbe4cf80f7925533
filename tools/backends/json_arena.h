/* A JSON tree built in a few large blocks instead of a malloc per value.
 * Parsing Docker's list with jansson's default allocation spent a third of
 * a refresh in malloc and a tenth in json_delete; here the tree is dropped
 * block by block, never value by value.
 * jansson's allocator is process-wide, so the arena serves one parse at a
 * time, in a program of one thread (the vmhosts command is one). */
#ifndef VMHOSTS_JSON_ARENA_H
#define VMHOSTS_JSON_ARENA_H

#include <jansson.h>
#include <stddef.h>

struct vmh_json_block;

struct vmh_json_arena {
    struct vmh_json_block *blocks; /* the newest first */
    json_malloc_t saved_malloc;
    json_free_t saved_free;
};

/* Parses like json_loadb into a zeroed arena (or one used before); the
 * tree (or NULL) belongs to the arena: never json_decref it, and never
 * keep a reference past vmh_json_arena_free. */
json_t *vmh_json_arena_loadb(struct vmh_json_arena *arena, const char *buffer, size_t length,
                             size_t flags, json_error_t *error);

/* Frees every tree the arena holds at once. */
void vmh_json_arena_free(struct vmh_json_arena *arena);

#endif
