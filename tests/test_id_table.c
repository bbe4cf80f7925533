/* tools/snapshot/id_table.c: hosts found by ID, the first of a repeated ID
 * kept, and a full table refusing more rather than looping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "id_table.h"

#define MANY 100000

static void test_find_and_repeat(void)
{
    struct vmh_host first = {.id = "aa01"}, again = {.id = "aa01"}, other = {.id = "bb02"};
    struct vmh_id_table table;
    CHECK_INT(vmh_id_table_init(&table, 3), 0, "init");
    CHECK(vmh_id_table_find(&table, "aa01") == NULL, "empty: nothing found");
    CHECK_INT(vmh_id_table_add(&table, &first), 0, "add: added");
    CHECK_INT(vmh_id_table_add(&table, &other), 0, "add another: added");
    CHECK_INT(vmh_id_table_add(&table, &again), 1, "a repeated ID: there already");
    CHECK(vmh_id_table_find(&table, "aa01") == &first, "a repeated ID: the first stays");
    CHECK(vmh_id_table_find(&table, "bb02") == &other, "the other is found");
    CHECK(vmh_id_table_find(&table, "aa0") == NULL, "a prefix is no ID");
    CHECK(vmh_id_table_find(&table, NULL) == NULL, "no ID: nothing");
    vmh_id_table_free(&table);
}

static void test_full(void)
{
    struct vmh_id_table table;
    CHECK_INT(vmh_id_table_init(&table, 0), 0, "init for none");
    struct vmh_host hosts[40];
    char ids[40][8];
    int added = 0, refused = 0;
    for (int i = 0; i < 40; i++) {
        snprintf(ids[i], sizeof ids[i], "%04x", i);
        hosts[i] = (struct vmh_host){.id = ids[i]};
        int result = vmh_id_table_add(&table, &hosts[i]);
        added += result == 0;
        refused += result == -1;
    }
    CHECK(added >= 1 && refused == 40 - added, "a full table refuses the rest");
    CHECK(vmh_id_table_find(&table, "ffff") == NULL, "a full table still answers a miss");
    vmh_id_table_free(&table);
}

/* As many as Docker may list: every one found, none confused. */
static void test_many(void)
{
    struct vmh_host *hosts = calloc(MANY, sizeof *hosts);
    char (*ids)[65] = calloc(MANY, sizeof *ids);
    struct vmh_id_table table;
    CHECK_INT(vmh_id_table_init(&table, MANY), 0, "many: init");
    int added = 0, found = 0;
    for (int i = 0; i < MANY; i++) {
        snprintf(ids[i], sizeof ids[i], "%064x", i * 7919);
        hosts[i].id = ids[i];
        added += vmh_id_table_add(&table, &hosts[i]) == 0;
    }
    for (int i = 0; i < MANY; i++)
        found += vmh_id_table_find(&table, ids[i]) == &hosts[i];
    CHECK_INT(added, MANY, "many: every one added");
    CHECK_INT(found, MANY, "many: every one found as itself");
    vmh_id_table_free(&table);
    free(ids);
    free(hosts);
}

int main(void)
{
    test_find_and_repeat();
    test_full();
    test_many();
    return check_done();
}
