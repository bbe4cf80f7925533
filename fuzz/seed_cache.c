/* Writes a valid cache file for the fuzzer to start from: both backends,
 * both address families, Compose labels, a stopped container, a hostname
 * two containers share, a container on two networks with an alias; and, with
 * COUNT, that many containers more (c0000, ...), so that the file spans
 * several blocks of the lazy checks.  Usage: seed_cache FILE [COUNT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

static void add(struct vmh_snapshot *s, enum vmh_backend backend, const char *name, const char *id,
                const char *hostname, int running, const char *address1, const char *address2)
{
    struct vmh_host *host = vmh_snapshot_add(s);
    if (!host)
        exit(1);
    host->backend = (uint8_t)backend;
    host->state = running ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
    host->name = strdup(name);
    host->id = id ? strdup(id) : NULL;
    host->hostname = hostname ? strdup(hostname) : NULL;
    if (address1)
        vmh_host_add_address(host, address1);
    if (address2)
        vmh_host_add_address(host, address2);
}

/* c0000, c0001, ...: running containers with an address each. */
static void add_many(struct vmh_snapshot *s, long count)
{
    char name[32], address[48];
    for (long i = 0; i < count; i++) {
        snprintf(name, sizeof name, "c%04ld", i);
        snprintf(address, sizeof address, "10.1.%ld.%ld", i / 250 % 250, i % 250 + 1);
        add(s, VMH_BACKEND_DOCKER, name, NULL, NULL, 1, address, NULL);
    }
}

int main(int argc, char **argv)
{
    struct vmh_snapshot s;
    unsigned char *data = NULL;
    size_t size = 0;
    if (argc != 2 && argc != 3)
        return 2;
    vmh_snapshot_init(&s);
    add(&s, VMH_BACKEND_DOCKER, "web", "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3",
        "my-thing", 1, "172.17.0.2", "fd00::2");
    /* On two networks, with an alias on the second: network keys. */
    vmh_host_add_network(&s.hosts[0], "bridge");
    vmh_host_add_alias(&s.hosts[0], vmh_host_add_network(&s.hosts[0], "back"), "api");
    s.hosts[0].addrs[0].network = 1;
    s.hosts[0].addrs[1].network = 2;
    add(&s, VMH_BACKEND_DOCKER, "old", "3f4e99999c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3",
        "shared", 0, "172.17.0.3", NULL);
    add(&s, VMH_BACKEND_DOCKER, "proj-api-1", "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "shared", 1, "172.18.0.2", NULL);
    s.hosts[s.count - 1].project = strdup("proj");
    s.hosts[s.count - 1].service = strdup("api");
    add(&s, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, 1, "10.0.0.5", NULL);
    add(&s, VMH_BACKEND_MULTIPASS, "stopped-vm", NULL, NULL, 0, NULL, NULL);
    if (argc == 3)
        add_many(&s, strtol(argv[2], NULL, 10));
    s.backends[VMH_BACKEND_DOCKER] = (struct vmh_backend_state){1700000000000, 1700000000000,
                                                                  VMH_STATUS_OK, ""};
    s.backends[VMH_BACKEND_MULTIPASS] = (struct vmh_backend_state){
        1700000000000, 1700000000000, VMH_STATUS_ERROR, "multipass timed out"};
    if (vmh_cache_build(&s, 1700000000000, &data, &size) != 0)
        return 1;
    FILE *out = fopen(argv[1], "wb");
    if (!out || fwrite(data, 1, size, out) != size || fclose(out) != 0)
        return 1;
    free(data);
    vmh_snapshot_free(&s);
    return 0;
}
