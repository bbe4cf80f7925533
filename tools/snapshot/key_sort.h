/* The cache writer's keys before they go to the file, and their order:
 * by kind, then text as strcmp orders it, then the network key's split,
 * then record (cache_format.h: a unique ID prefix is two neighbouring
 * keys), then the order they were added in. */
#ifndef VMHOSTS_KEY_SORT_H
#define VMHOSTS_KEY_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache_format.h"

/* A key before its text has a final address: the pool may still move. */
struct pending_key {
    const char *text;
    uint64_t prefix;      /* the text's first 8 bytes, big-endian, zero-padded */
    uint32_t key;
    uint16_t kind;
    uint16_t reserved;    /* vmh_network_key for a network key, else 0 */
    uint32_t record;
    uint32_t added;       /* its place as added: equal keys (one alias named
                           * twice) stay in that order, each its own text */
};

/* Sets the key's text, once the pool is final, and its prefix. */
void vmh_pending_key_text(struct pending_key *key, const char *text);

/* Sorts the keys; false (errno ENOMEM) when out of memory. */
bool vmh_pending_keys_sort(struct pending_key *keys, size_t count);

/* Where a record's keys are in this build's array: [first, end). */
struct key_range {
    uint32_t first, end;
};

/* The keys of a previous build, in their order (its file's key table and
 * pool); `kept[r]` is where the keys of its record r are in this build,
 * empty for a record this build does not hold as it was.  Unchanged
 * records keep the order they had among themselves, so their keys keep
 * theirs too. */
struct key_order {
    const struct vmh_cache_key *keys;
    size_t count;
    const char *strings;  /* its pool, which ends in a NUL */
    size_t strings_size;
    const struct key_range *kept;
    size_t records;
};

enum key_sorted { KEYS_NOT_SORTED, KEYS_SORTED, KEYS_SORTED_AS_BEFORE };

/* Sorts the keys as vmh_pending_keys_sort does, the same order to the
 * byte: the keys of unchanged records in their previous order, checked,
 * merged with the others sorted (a Docker event beside 100,000 containers
 * sorts a few keys, not 400,000); by a whole sort when that order does
 * not hold or no record is kept (KEYS_SORTED).  KEYS_NOT_SORTED (errno
 * ENOMEM) out of memory. */
enum key_sorted vmh_pending_keys_sort_after(struct pending_key *keys, size_t count,
                                            const struct key_order *before);

#endif
