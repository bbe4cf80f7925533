/* Writes one fixed snapshot as a cache file to standard output, with the
 * refresher's own writer (tools/snapshot/cache_write.c), so that
 * tests/e2e-foreign-arch.sh can build it for other machines (32-bit,
 * big-endian) and compare the bytes: the format promises the same file
 * everywhere (nss_vmhosts/cache_format.h).  Every kind of field is in it:
 * 64-bit times, 16-bit key kinds, both address families, messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_hosts.h"
#include "snapshot.h"

#define NOW 1700000000123
#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_API "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

static void fill(struct vmh_snapshot *s)
{
    fixture_add_host(s, VMH_BACKEND_DOCKER, "web", ID_WEB, "My-Thing", true,
                     "172.17.0.2 fd00::2");
    struct vmh_host *api =
        fixture_add_host(s, VMH_BACKEND_DOCKER, "shop-api-1", ID_API, "api", true, "172.18.0.2");
    api->project = strdup("shop");
    api->service = strdup("api");
    fixture_add_host(s, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, true, "10.0.0.5");
    fixture_add_host(s, VMH_BACKEND_LXD, "c1", NULL, NULL, false, NULL);
    s->backends[VMH_BACKEND_DOCKER] =
        (struct vmh_backend_state){NOW - 1000, NOW - 1000, VMH_STATUS_OK, ""};
    s->backends[VMH_BACKEND_MULTIPASS] =
        (struct vmh_backend_state){NOW - 5000, NOW - 1000, VMH_STATUS_ERROR, "timed out"};
}

int main(void)
{
    struct vmh_snapshot snapshot;
    unsigned char *data = NULL;
    size_t size = 0;
    vmh_snapshot_init(&snapshot);
    fill(&snapshot);
    if (vmh_cache_build(&snapshot, NOW, &data, &size) != 0) {
        fprintf(stderr, "cache_bytes: cannot build the cache\n");
        return 1;
    }
    int status = fwrite(data, 1, size, stdout) == size && fflush(stdout) == 0 ? 0 : 1;
    free(data);
    vmh_snapshot_free(&snapshot);
    return status;
}
