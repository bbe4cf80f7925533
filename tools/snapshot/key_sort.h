/* The cache writer's keys before they go to the file, and their order:
 * by kind, then text as strcmp orders it, then the network key's split,
 * then record (cache_format.h: a unique ID prefix is two neighbouring
 * keys). */
#ifndef VMHOSTS_KEY_SORT_H
#define VMHOSTS_KEY_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key before its text has a final address: the pool may still move. */
struct pending_key {
    const char *text;
    uint64_t prefix;      /* the text's first 8 bytes, big-endian, zero-padded */
    uint32_t key;
    uint16_t kind;
    uint16_t reserved;    /* vmh_network_key for a network key, else 0 */
    uint32_t record;
};

/* Sets the key's text, once the pool is final, and its prefix. */
void vmh_pending_key_text(struct pending_key *key, const char *text);

/* Sorts the keys; false (errno ENOMEM) when out of memory. */
bool vmh_pending_keys_sort(struct pending_key *keys, size_t count);

#endif
