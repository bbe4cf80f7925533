/* libFuzzer target: the Docker Engine API's JSON mapped to hosts
 * (GET /containers/json and GET /containers/{id}/json), every name they
 * record checked against the name rule, and the list read in pieces
 * checked against the list read whole.  Each input is given to both, and
 * to both as a rootless engine's answer (its published ports), so that the
 * fixtures are seeds as they are. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "docker_list.h"
#include "names.h"

/* Every name the parsers record must be one a resolver may be handed:
 * anything else is a bug, so crash. */
static void check_networks(const struct vmh_host *host)
{
    if (host->network_count > VMH_HOST_MAX_NETWORKS)
        abort();
    for (size_t n = 0; n < host->network_count; n++) {
        const struct vmh_host_network *network = &host->networks[n];
        if (!vmh_name_valid(network->name) || network->alias_count > VMH_NETWORK_MAX_ALIASES)
            abort();
        for (size_t a = 0; a < network->alias_count; a++)
            if (!vmh_name_valid(network->aliases[a]))
                abort();
    }
    for (size_t i = 0; i < host->addr_count; i++)
        if (host->addrs[i].network > host->network_count)
            abort();
}

static void check_names(const struct vmh_host *host)
{
    const char *names[] = {host->name, host->hostname, host->project, host->service};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i] && !vmh_name_valid(names[i]))
            abort();
    check_networks(host);
    if (host->chosen_count > VMH_CHOSEN_MAX)
        abort();
    for (size_t i = 0; i < host->chosen_count; i++)
        if (!vmh_name_valid(host->chosen[i]) || !strchr(host->chosen[i], '.'))
            abort();
}

static void inspect(const char *body, size_t size, bool rootless)
{
    char err[512];
    struct vmh_snapshot snapshot;
    vmh_snapshot_init(&snapshot);
    struct vmh_host *host = vmh_snapshot_add(&snapshot);
    if (host) {
        host->backend = VMH_BACKEND_DOCKER;
        host->rootless = rootless;
        vmh_docker_parse_inspect(body, size, host, err, sizeof err);
        if (host->addr_count > VMH_HOST_MAX_ADDRS)
            abort();
        check_names(host);
    }
    vmh_snapshot_free(&snapshot);
}

/* What the refresher does with a list it accepted: build a cache of it.
 * A cache the writer made and the reader refuses is a bug: crash. */
static void build_and_read_back(const struct vmh_snapshot *snapshot)
{
    unsigned char *data = NULL;
    size_t size = 0;
    if (vmh_cache_build(snapshot, 1700000000000, &data, &size) == 0) {
        struct vmh_cache cache;
        if (vmh_cache_parse(&cache, data, size) != VMH_CACHE_OK || !vmh_cache_verify_all(&cache))
            abort();
        vmh_cache_forget(&cache);
    }
    free(data);
}

/* The list fed in pieces (their size from the first byte), as a socket
 * hands it over: it must read exactly as it does whole, so crash if the
 * verdict or the hosts differ. */
static void list_in_pieces(const char *body, size_t size, bool rootless, int whole_result,
                           const struct vmh_snapshot *whole)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    struct vmh_docker_list *reader = vmh_docker_list_start(NULL, rootless, &out);
    size_t piece = size ? 1 + (unsigned char)body[0] % 61 : 1;
    for (size_t at = 0; reader && at < size; at += piece)
        vmh_docker_list_feed(reader, body + at, size - at < piece ? size - at : piece);
    int result = reader ? vmh_docker_list_finish(reader, NULL, 0) : whole_result;
    if (reader && (result != whole_result || out.count != whole->count))
        abort();
    for (size_t i = 0; reader && result == 0 && i < out.count; i++)
        if (strcmp(out.hosts[i].id, whole->hosts[i].id) != 0 ||
            out.hosts[i].addr_count != whole->hosts[i].addr_count)
            abort();
    vmh_snapshot_free(&out);
}

static void list(const char *body, size_t size, bool rootless)
{
    char err[512];
    struct vmh_snapshot known, out;
    vmh_snapshot_init(&known);
    vmh_snapshot_init(&out);
    /* A previous snapshot that knows one hostname, as a refresh has. */
    struct vmh_host *old = vmh_snapshot_add(&known);
    if (old) {
        old->backend = VMH_BACKEND_DOCKER;
        old->name = strdup("web");
        old->id = strdup("3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3");
        old->hostname = strdup("my-thing");
    }
    struct vmh_snapshot plain;
    vmh_snapshot_init(&plain);
    int plain_result = vmh_docker_parse_engine_list(body, size, NULL, rootless, &plain, NULL, 0);
    list_in_pieces(body, size, rootless, plain_result, &plain);
    vmh_snapshot_free(&plain);
    if (vmh_docker_parse_engine_list(body, size, &known, rootless, &out, err, sizeof err) == 0) {
        /* The same input as the first container's details: its networks'
         * aliases come from there. */
        if (out.count > 0)
            vmh_docker_parse_inspect(body, size, &out.hosts[0], err, sizeof err);
        for (size_t i = 0; i < out.count; i++)
            check_names(&out.hosts[i]);
        build_and_read_back(&out);
        /* As after a whole list: who shares whose network. */
        vmh_docker_sharing_learn(&out);
        /* As after a partial list: what stays still builds. */
        size_t before = out.count, dropped = vmh_docker_drop_unshared(&out);
        if (out.count + dropped != before)
            abort();
        build_and_read_back(&out);
    }
    vmh_snapshot_free(&known);
    vmh_snapshot_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    for (int rootless = 0; rootless < 2; rootless++) {
        inspect((const char *)input, size, rootless);
        list((const char *)input, size, rootless);
    }
    return 0;
}
