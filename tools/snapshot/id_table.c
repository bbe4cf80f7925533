/* See id_table.h. */
#include <stdlib.h>

#include "id_table.h"

int vmh_id_table_init(struct vmh_id_table *table, size_t expected)
{
    table->hosts = NULL;
    if (vmh_text_index_init(&table->ids, expected) != 0)
        return -1;
    table->hosts = calloc(table->ids.limit, sizeof *table->hosts);
    if (table->hosts)
        return 0;
    vmh_text_index_free(&table->ids);
    return -1;
}

void vmh_id_table_free(struct vmh_id_table *table)
{
    vmh_text_index_free(&table->ids);
    free(table->hosts);
    table->hosts = NULL;
}

const struct vmh_host *vmh_id_table_find(const struct vmh_id_table *table, const char *id)
{
    size_t number = id ? vmh_text_index_find(&table->ids, id) : VMH_TEXT_INDEX_NONE;
    return number == VMH_TEXT_INDEX_NONE ? NULL : table->hosts[number];
}

int vmh_id_table_add(struct vmh_id_table *table, const struct vmh_host *host)
{
    bool added;
    size_t number = vmh_text_index_add(&table->ids, host->id, &added);
    if (number == VMH_TEXT_INDEX_NONE)
        return -1;
    if (!added)
        return 1;
    table->hosts[number] = host;
    return 0;
}
