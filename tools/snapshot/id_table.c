/* See id_table.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "id_table.h"

/* FNV-1a: IDs are hex digests already, any mixing spreads them. */
static size_t hash_of(const char *id)
{
    uint64_t hash = 14695981039346656037u;
    for (; *id; id++)
        hash = (hash ^ (unsigned char)*id) * 1099511628211u;
    return (size_t)hash;
}

int vmh_id_table_init(struct vmh_id_table *table, size_t expected)
{
    /* At most half full, so that a probe ends soon and a free slot always
     * remains for vmh_id_table_find to stop at. */
    size_t count = 16;
    while (count / 2 < expected) {
        if (count > SIZE_MAX / 2 / sizeof *table->slots)
            return -1;
        count *= 2;
    }
    table->slots = calloc(count, sizeof *table->slots);
    table->mask = count - 1;
    table->used = 0;
    table->limit = count / 2;
    return table->slots ? 0 : -1;
}

void vmh_id_table_free(struct vmh_id_table *table)
{
    free(table->slots);
    table->slots = NULL;
}

/* The slot holding `id`, or the free slot where it would go. */
static size_t slot_of(const struct vmh_id_table *table, const char *id)
{
    size_t slot = hash_of(id) & table->mask;
    while (table->slots[slot] && strcmp(table->slots[slot]->id, id) != 0)
        slot = (slot + 1) & table->mask;
    return slot;
}

const struct vmh_host *vmh_id_table_find(const struct vmh_id_table *table, const char *id)
{
    return id ? table->slots[slot_of(table, id)] : NULL;
}

int vmh_id_table_add(struct vmh_id_table *table, const struct vmh_host *host)
{
    size_t slot = slot_of(table, host->id);
    if (table->slots[slot])
        return 1;
    if (table->used >= table->limit)
        return -1;
    table->slots[slot] = host;
    table->used++;
    return 0;
}
