/* The whole-file check the module leaves out (cache_read.c checks what a
 * lookup reads, as it reads it): `vmhosts status`, `list` and `lookup` and
 * the refresher reading its previous cache see every byte, so a cache
 * corrupt anywhere is reported, and never carried into the next one. */
#include <string.h>

#include "cache.h"

/* The table's order, (kind, text): below 0 when a sorts before b. */
static int key_order(const struct vmh_cache *cache, const struct vmh_cache_key *a,
                     const struct vmh_cache_key *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(vmh_cache_string(cache, a->key), vmh_cache_string(cache, b->key));
}

/* Whether key i is the first of its (kind, text). */
static bool first_of_name(const struct vmh_cache *cache, uint32_t i)
{
    return i == 0 || key_order(cache, vmh_cache_key(cache, i - 1), vmh_cache_key(cache, i)) != 0;
}

/* Every slot that is not empty names the first key of its (kind, key),
 * every such first key is found through them, and one slot at least is
 * empty: the slots a lookup follows lead where the sorted table says. */
static bool slots_right(const struct vmh_cache *cache)
{
    const struct vmh_cache_header *h = cache->header;
    bool empty = h->slot_count == 0;
    for (uint32_t i = 0; i < h->slot_count; i++) {
        uint32_t slot = le32toh(cache->slots[i]);
        empty |= slot == 0;
        if (slot > h->key_count || (slot > 0 && !first_of_name(cache, slot - 1)))
            return false;
    }
    /* Without an empty slot a search for a name not there reads them all. */
    if (!empty)
        return false;
    for (uint32_t i = 0; i < h->key_count; i++) {
        const struct vmh_cache_key *key = vmh_cache_key(cache, i);
        uint32_t first;
        if (first_of_name(cache, i) &&
            (vmh_cache_find(cache, key->kind, vmh_cache_string(cache, key->key), &first) == 0 ||
             first != i))
            return false;
    }
    return true;
}

/* Through the accessors, so each entry passes the checks a lookup's would;
 * and the key order and slots, which a lookup never checks (a table out of
 * order or a wrong slot only makes its searches miss). */
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
    for (uint32_t i = 0; i < cache->header->key_count; i++)
        if (i > 0 && key_order(cache, vmh_cache_key(cache, i - 1), vmh_cache_key(cache, i)) > 0)
            cache->checks->corrupt = true;
    if (cache->header->key_count > 0)
        vmh_cache_key(cache, 0);
    if (!vmh_cache_corrupt(cache) && !slots_right(cache))
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
