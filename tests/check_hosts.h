/* What the backends' parser tests ask of a snapshot: a host's addresses
 * as text, in the order kept. */
#ifndef VMHOSTS_TEST_CHECK_HOSTS_H
#define VMHOSTS_TEST_CHECK_HOSTS_H

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "snapshot.h"

/* The addresses of the first host called `name`, space-separated; "" when
 * it has none, "(no such host)" when there is no such host. */
static inline const char *check_addresses_of(const struct vmh_snapshot *snapshot,
                                             const char *name)
{
    static char text[VMH_HOST_MAX_ADDRS * (INET6_ADDRSTRLEN + 1)];
    text[0] = '\0';
    for (size_t i = 0; i < snapshot->count; i++) {
        const struct vmh_host *host = &snapshot->hosts[i];
        if (!host->name || strcmp(host->name, name) != 0)
            continue;
        for (size_t a = 0; a < host->addr_count; a++) {
            char one[INET6_ADDRSTRLEN];
            inet_ntop(host->addrs[a].family == 4 ? AF_INET : AF_INET6, host->addrs[a].bytes, one,
                      sizeof one);
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", a ? " " : "", one);
        }
        return text;
    }
    return "(no such host)";
}

#endif
