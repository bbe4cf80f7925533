/* A cache in which web.docker is at one address, written with the
 * refresher's own writer, and the address the module answers for it. */
#ifndef VMHOSTS_TEST_WEB_CACHE_H
#define VMHOSTS_TEST_WEB_CACHE_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nss_vmhosts.h"
#include "snapshot.h"

static void write_web(const char *dir, const char *address, int64_t updated_ms)
{
    struct vmh_snapshot snapshot;
    char err[256];

    vmh_snapshot_init(&snapshot);
    struct vmh_host *host = vmh_snapshot_add(&snapshot);
    host->backend = VMH_BACKEND_DOCKER;
    host->name = strdup("web");
    host->id = strdup("3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3");
    host->state = VMH_STATE_RUNNING;
    vmh_host_add_address(host, address);
    for (int b = 0; b < VMH_BACKEND_COUNT; b++) {
        snapshot.backends[b].status = VMH_STATUS_OK;
        snapshot.backends[b].updated_ms = updated_ms;
        snapshot.backends[b].attempted_ms = updated_ms;
    }
    if (vmh_cache_write(dir, 0755, &snapshot, updated_ms, err, sizeof err) != 0)
        printf("# cache write failed: %s\n", err);
    vmh_snapshot_free(&snapshot);
}

static const char *web_address(void)
{
    static char text[INET_ADDRSTRLEN];
    struct hostent host;
    char buffer[1024];
    int err, herr;
    enum nss_status status = _nss_vmhosts_gethostbyname2_r("web.docker", AF_INET, &host, buffer,
                                                           sizeof buffer, &err, &herr);
    if (status != NSS_STATUS_SUCCESS)
        return "(not found)";
    inet_ntop(AF_INET, host.h_addr_list[0], text, sizeof text);
    return text;
}

#endif
