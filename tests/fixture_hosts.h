/* Hosts for the unit tests' snapshots, written the way the backends would
 * leave them. */
#ifndef VMHOSTS_TESTS_FIXTURE_HOSTS_H
#define VMHOSTS_TESTS_FIXTURE_HOSTS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "snapshot.h"

/* Appends a host; `addresses` is space-separated (NULL for none). */
static inline struct vmh_host *fixture_add_host(struct vmh_snapshot *snapshot,
                                                enum vmh_backend backend, const char *name,
                                                const char *id, const char *hostname,
                                                bool running, const char *addresses)
{
    struct vmh_host *host = vmh_snapshot_add(snapshot);
    host->backend = (uint8_t)backend;
    host->state = running ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
    host->name = strdup(name);
    host->id = id ? strdup(id) : NULL;
    host->hostname = hostname ? strdup(hostname) : NULL;
    char list[512];
    snprintf(list, sizeof list, "%s", addresses ? addresses : "");
    for (char *save = NULL, *word = strtok_r(list, " ", &save); word;
         word = strtok_r(NULL, " ", &save))
        if (!vmh_host_add_address(host, word))
            printf("# bad test address %s\n", word);
    return host;
}

#endif
