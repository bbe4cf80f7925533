/* The whole-file check the module leaves out (cache_read.c checks what a
 * lookup reads, as it reads it): `vmhosts status`, `list` and `lookup` and
 * the refresher reading its previous cache see every byte, so a cache
 * corrupt anywhere is reported, and never carried into the next one. */
#include <stdlib.h>
#include <string.h>

#include "cache.h"

/* The table's order, (kind, text): below 0 when a sorts before b. */
static int key_order(const struct vmh_cache *cache, const struct vmh_cache_key *a,
                     const char *a_text, const struct vmh_cache_key *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a_text, vmh_cache_string(cache, b->key));
}

/* One pass over the keys: every one checked, the table in order, and the
 * first key of each (kind, text) marked in `first`, one bit each (NULL:
 * only the order).  Each key's text is read once, beside the one before. */
static bool keys_in_order(const struct vmh_cache *cache, uint8_t *first)
{
    const struct vmh_cache_key *previous = NULL;
    const char *previous_text = NULL;
    for (uint32_t i = 0; i < cache->header->key_count; i++) {
        const struct vmh_cache_key *key = vmh_cache_key(cache, i);
        int order = previous ? key_order(cache, previous, previous_text, key) : -1;
        if (order > 0)
            return false;
        if (first && order < 0)
            first[i / 8] |= (uint8_t)(1u << (i % 8));
        previous = key;
        previous_text = vmh_cache_string(cache, key->key);
    }
    return true;
}

/* Whether key i is the first of its (kind, text), from the bits or else
 * from the table. */
static bool first_of_name(const struct vmh_cache *cache, const uint8_t *first, uint32_t i)
{
    if (first)
        return (first[i / 8] >> (i % 8)) & 1;
    if (i == 0)
        return true;
    const struct vmh_cache_key *previous = vmh_cache_key(cache, i - 1);
    return key_order(cache, previous, vmh_cache_string(cache, previous->key),
                     vmh_cache_key(cache, i)) != 0;
}

/* Whether a search for first key i, from the slot its hash picks, meets
 * the slot naming it before an empty one.  A search compares each slot's
 * key on the way; in a table in order no other first key compares equal,
 * so the slot's number is enough. */
static bool slot_leads_to(const struct vmh_cache *cache, uint32_t i)
{
    const struct vmh_cache_key *key = vmh_cache_key(cache, i);
    uint32_t mask = cache->header->slot_count - 1;
    uint32_t at = vmh_cache_key_hash(key->kind, vmh_cache_string(cache, key->key)) & mask;
    for (uint32_t probes = 0; probes < cache->header->slot_count; probes++, at = (at + 1) & mask) {
        uint32_t slot = le32toh(cache->slots[at]);
        if (slot == 0 || slot == i + 1)
            return slot == i + 1;
    }
    return false;
}

/* Every slot that is not empty names the first key of its (kind, key),
 * every such first key is found through them, and one slot at least is
 * empty: the slots a lookup follows lead where the sorted table says. */
static bool slots_right(const struct vmh_cache *cache, const uint8_t *first)
{
    const struct vmh_cache_header *h = cache->header;
    bool empty = h->slot_count == 0;
    for (uint32_t i = 0; i < h->slot_count; i++) {
        uint32_t slot = le32toh(cache->slots[i]);
        empty |= slot == 0;
        if (slot > h->key_count || (slot > 0 && !first_of_name(cache, first, slot - 1)))
            return false;
    }
    /* Without an empty slot a search for a name not there reads them all. */
    if (!empty)
        return false;
    for (uint32_t i = 0; i < h->key_count; i++)
        if (first_of_name(cache, first, i) && !slot_leads_to(cache, i))
            return false;
    return true;
}

/* The key order and slots, which a lookup never checks (a table out of
 * order or a wrong slot only makes its searches miss). */
static bool index_right(const struct vmh_cache *cache)
{
    /* Out of memory, the bits are worked out again where needed: slower. */
    uint8_t *first = calloc(cache->header->key_count / 8 + 1, 1);
    bool right = keys_in_order(cache, first) && !vmh_cache_corrupt(cache) &&
                 slots_right(cache, first);
    free(first);
    return right;
}

/* Through the accessors, so each entry passes the checks a lookup's would;
 * then the index. */
bool vmh_cache_verify_all(const struct vmh_cache *cache)
{
    if (!cache || !cache->header)
        return false;
    uint64_t start = cache->header->records_off;
    if (start < cache->size)
        vmh_cache_bytes_ok(cache, start, cache->size - start);
    for (uint32_t i = 0; i < cache->header->record_count; i++)
        vmh_cache_record(cache, i);
    for (uint32_t i = 0; i < cache->header->addr_count; i++)
        vmh_cache_addr(cache, i);
    if (!index_right(cache))
        cache->checks->corrupt = true;
    return !vmh_cache_corrupt(cache);
}

enum vmh_cache_error vmh_cache_load_all(const char *dir, uid_t euid, struct vmh_cache *cache,
                                        struct stat *st)
{
    enum vmh_cache_error error = vmh_cache_load(dir, euid, cache, st);
    if (error == VMH_CACHE_OK && !vmh_cache_verify_all(cache)) {
        vmh_cache_free(cache);
        error = VMH_CACHE_CORRUPT;
    }
    return error;
}
