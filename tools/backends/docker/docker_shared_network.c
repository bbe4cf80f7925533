/* --network container:<x>: a container that shares another's network
 * namespace has that one's addresses, found once the whole list is read;
 * and who shares whose, for the watcher's lists of changed containers
 * (docker_changes.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docker_changes.h"
#include "docker_list.h"
#include "id_table.h"

/* --network container:a, where a is container:b ...: Docker resolves the
 * chain; we follow it this far and no further, so a loop cannot hang us. */
#define NETWORK_HOPS_MAX 8

static bool all_hex(const char *text)
{
    for (; *text; text++)
        if (!isxdigit((unsigned char)*text))
            return false;
    return true;
}

/* A listed container: not the mark of one gone, which a list of changed
 * containers carries with an ID and no name (docker.c, add_gone). */
static bool listed(const struct vmh_host *host)
{
    return !host->removed && host->id && host->name;
}

/* The containers a reference may name: the hosts from `first` on, and an
 * index of their full IDs, which is how Docker writes the mode
 * ("container:<64 hex digits>"): one probe instead of a scan per sharer,
 * which was quadratic in the sharers (a Kubernetes node puts every pod's
 * containers in its pause container's network).  The index is built at
 * the first search: most lists have no sharer, and indexing 100,000
 * containers for none was 2.5 % of a refresh (perf). */
struct candidates {
    struct vmh_snapshot *out;
    size_t first;
    struct vmh_id_table ids;
    enum { NOT_YET, INDEXED, SCANNED } index; /* SCANNED: out of memory */
};

static void candidates_init(struct candidates *all, struct vmh_snapshot *out, size_t first)
{
    *all = (struct candidates){.out = out, .first = first, .index = NOT_YET};
}

static void candidates_index(struct candidates *all)
{
    struct vmh_snapshot *out = all->out;
    all->index = vmh_id_table_init(&all->ids, out->count - all->first) == 0 ? INDEXED : SCANNED;
    for (size_t i = all->first; all->index == INDEXED && i < out->count; i++)
        if (listed(&out->hosts[i]) && vmh_id_table_add(&all->ids, &out->hosts[i]) < 0) {
            vmh_id_table_free(&all->ids);
            all->index = SCANNED;
        }
}

static void candidates_free(struct candidates *all)
{
    if (all->index == INDEXED)
        vmh_id_table_free(&all->ids);
}

/* Docker's own order for a reference: full ID, then name, then a unique ID
 * prefix (an ambiguous one names nothing). */
static const struct vmh_host *find_container(struct candidates *all, const char *ref)
{
    struct vmh_snapshot *out = all->out;
    if (ref[0] == '/')
        ref++;
    if (all->index == NOT_YET)
        candidates_index(all);
    const struct vmh_host *by_id =
        all->index == INDEXED ? vmh_id_table_find(&all->ids, ref) : NULL;
    if (by_id)
        return by_id;
    for (size_t i = all->first; i < out->count; i++)
        if (listed(&out->hosts[i]) && strcasecmp(out->hosts[i].id, ref) == 0)
            return &out->hosts[i];
    for (size_t i = all->first; i < out->count; i++)
        if (listed(&out->hosts[i]) && strcmp(out->hosts[i].name, ref) == 0)
            return &out->hosts[i];
    size_t length = strlen(ref);
    const struct vmh_host *found = NULL;
    for (size_t i = all->first; length > 0 && all_hex(ref) && i < out->count; i++) {
        if (!listed(&out->hosts[i]) || strncasecmp(out->hosts[i].id, ref, length) != 0)
            continue;
        if (found)
            return NULL;
        found = &out->hosts[i];
    }
    return found;
}

/* The container whose addresses a host of container:<x> mode has,
 * following the chain among the candidates; NULL when the chain ends
 * outside them (or does not end). */
static const struct vmh_host *owner_of(struct candidates *all, const struct vmh_host *host)
{
    const struct vmh_host *owner = host;
    for (int hop = 0; owner && owner->network_container && hop < NETWORK_HOPS_MAX; hop++)
        owner = find_container(all, owner->network_container);
    return owner && owner != host && !owner->network_container ? owner : NULL;
}

/* Only containers of the same list (the same engine) can share a network
 * namespace, so the search stays within the hosts this parse appended. */
void vmh_docker_share_addresses(struct vmh_snapshot *out, size_t first)
{
    struct candidates all;
    candidates_init(&all, out, first);
    for (size_t i = first; i < out->count; i++) {
        struct vmh_host *host = &out->hosts[i];
        const struct vmh_host *owner = host->network_container ? owner_of(&all, host) : NULL;
        if (!owner)
            continue;
        /* Out of memory: no address, as for an owner not found. */
        host->addr_count = 0;
        if (owner->addr_count == 0 || vmh_host_reserve_addrs(host, owner->addr_count) != 0)
            continue;
        host->addr_count = owner->addr_count;
        memcpy(host->addrs, owner->addrs, owner->addr_count * sizeof owner->addrs[0]);
        /* The networks are the owner's: none of them is the host's. */
        for (size_t a = 0; a < host->addr_count; a++)
            host->addrs[a].network = 0;
    }
    candidates_free(&all);
}

size_t vmh_docker_drop_unshared(struct vmh_snapshot *out)
{
    bool *drop = calloc(out->count ? out->count : 1, sizeof *drop);
    size_t kept = 0;
    struct candidates all;
    candidates_init(&all, out, 0);
    for (size_t i = 0; drop && i < out->count; i++)
        drop[i] = out->hosts[i].network_container && !out->hosts[i].removed &&
                  !owner_of(&all, &out->hosts[i]);
    candidates_free(&all);
    for (size_t i = 0; drop && i < out->count; i++) {
        if (drop[i])
            continue;
        struct vmh_host swap = out->hosts[kept];
        out->hosts[kept++] = out->hosts[i];
        out->hosts[i] = swap;
    }
    size_t dropped = drop ? out->count - kept : 0;
    if (drop)
        vmh_snapshot_truncate(out, kept);
    free(drop);
    return dropped;
}

void vmh_docker_sharing_learn(struct vmh_snapshot *out)
{
    vmh_docker_sharing_clear();
    struct candidates all;
    candidates_init(&all, out, 0);
    for (size_t i = 0; i < out->count; i++) {
        const struct vmh_host *host = &out->hosts[i];
        const struct vmh_host *owner = host->network_container ? owner_of(&all, host) : NULL;
        if (owner && owner->id && host->id)
            vmh_docker_sharing_add(owner->id, host->id);
    }
    candidates_free(&all);
}
