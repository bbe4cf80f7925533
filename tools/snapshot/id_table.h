/* Hosts found by their ID in constant time: a refresh matches every
 * container of Docker's list against the previous snapshot and against the
 * sockets already asked, and a scan per container made that quadratic
 * (tens of seconds at 100,000 containers).  The IDs are numbered by a
 * text index (text_index.h) and the hosts kept by number; both are
 * borrowed: the IDs and hosts must outlive the table. */
#ifndef VMHOSTS_ID_TABLE_H
#define VMHOSTS_ID_TABLE_H

#include <stddef.h>

#include "snapshot.h"
#include "text_index.h"

struct vmh_id_table {
    struct vmh_text_index ids;
    const struct vmh_host **hosts; /* by the number of their ID */
};

/* Room for `expected` hosts (more are refused); -1 when out of memory. */
int vmh_id_table_init(struct vmh_id_table *table, size_t expected);
void vmh_id_table_free(struct vmh_id_table *table);

/* The host added with this ID, or NULL. */
const struct vmh_host *vmh_id_table_find(const struct vmh_id_table *table, const char *id);

/* Adds `host` under host->id unless a host with that ID is there already
 * (the first one stays): 0 added, 1 there already, -1 full. */
int vmh_id_table_add(struct vmh_id_table *table, const struct vmh_host *host);

#endif
