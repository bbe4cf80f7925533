/* An entry's NetworkSettings.Networks to the host's networks, addresses
 * and aliases.  A network named twice counts once, with the value of its
 * last mention at the place of its first: what a tree parse's object held. */
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "docker_entry.h"

#define NOT_FIRST SIZE_MAX

static const char *text_or_null(const struct vmh_docker_entry *entry, size_t text)
{
    return text == VMH_TEXT_NONE ? NULL : entry->text + text;
}

uint16_t vmh_docker_endpoint_tag(const char *endpoint_id)
{
    if (!endpoint_id || !endpoint_id[0])
        return 0;
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (; *endpoint_id; endpoint_id++)
        hash = (hash ^ (unsigned char)*endpoint_id) * 16777619u;
    uint16_t tag = (uint16_t)(hash ^ hash >> 16);
    return tag ? tag : 1;
}

uint16_t vmh_docker_endpoint_of(const struct vmh_host *host, int network)
{
    for (size_t a = 0; network > 0 && a < host->addr_count; a++)
        if (host->addrs[a].network == network)
            return (uint16_t)(host->addrs[a].endpoint[0] | host->addrs[a].endpoint[1] << 8);
    return 0;
}

static const char *name_of(const struct vmh_docker_entry *entry, size_t index)
{
    return entry->text + entry->networks[index].name;
}

/* "bridge" first: it is the address `docker inspect` users know and the one
 * other tools show; then by name, so that the order does not follow the
 * daemon's map order and the cache does not change between refreshes.  A
 * repeated name by its place in the entry, so that its mentions are
 * adjacent, the first first. */
static int compare_networks(const void *left, const void *right, void *context)
{
    const struct vmh_docker_entry *entry = context;
    size_t i = *(const size_t *)left, j = *(const size_t *)right;
    const char *a = name_of(entry, i), *b = name_of(entry, j);
    int a_bridge = strcmp(a, "bridge") == 0, b_bridge = strcmp(b, "bridge") == 0;
    if (a_bridge != b_bridge)
        return b_bridge - a_bridge;
    int order = strcmp(a, b);
    return order ? order : (i > j) - (i < j);
}

/* Sorts the networks into order[] and keeps one per name there (its last
 * mention, whose value counts); last[first mention] is that one, and
 * NOT_FIRST for every later mention.  Returns how many names. */
static size_t sort_networks(const struct vmh_docker_entry *entry, size_t *order, size_t *last)
{
    size_t count = entry->network_count, names = 0;
    for (size_t i = 0; i < count; i++) {
        order[i] = i;
        last[i] = NOT_FIRST;
    }
    qsort_r(order, count, sizeof *order, compare_networks, (void *)entry);
    for (size_t i = 0; i < count;) {
        size_t end = i + 1;
        while (end < count && strcmp(name_of(entry, order[i]), name_of(entry, order[end])) == 0)
            end++;
        last[order[i]] = order[end - 1];
        order[names++] = order[end - 1];
        i = end;
    }
    return names;
}

/* The names a network gives the container besides its own: Aliases (what
 * --network-alias and Compose set) and DNSNames (API 1.45 on: the names
 * Docker's DNS answers there, the short ID among them). */
static int add_aliases(struct vmh_host *host, int number, const struct vmh_docker_entry *entry,
                       const struct vmh_docker_network *network)
{
    for (uint8_t list = VMH_ALIASES; number > 0 && list <= VMH_DNS_NAMES; list++)
        for (size_t a = network->alias_first; a < network->alias_end; a++) {
            const struct vmh_docker_alias *alias = &entry->aliases[a];
            if (alias->list == list && alias->generation == network->generation[list] &&
                vmh_host_add_alias(host, number, entry->text + alias->text) != 0)
                return -1;
        }
    return 0;
}

/* Each network in that order, numbered, then its addresses: every IPv4
 * before every IPv6, so that a client that tries addresses in order
 * reaches the container by the family every network has.  Then the
 * aliases, network by network in the entry's order. */
static int add_sorted(struct vmh_host *host, const struct vmh_docker_entry *entry,
                      const size_t *order, size_t names, const size_t *last)
{
    int numbers[VMH_HOST_MAX_NETWORKS + 1];
    size_t count = names < VMH_HOST_MAX_NETWORKS + 1 ? names : VMH_HOST_MAX_NETWORKS + 1;
    for (size_t i = 0; i < count; i++)
        if ((numbers[i] = vmh_host_add_network(host, name_of(entry, order[i]))) < 0)
            return -1;
    for (int family = 4; family <= 6; family += 2)
        for (size_t i = 0; i < names; i++) {
            const struct vmh_docker_network *network = &entry->networks[order[i]];
            size_t text = family == 4 ? network->ipv4 : network->ipv6;
            if (text != VMH_TEXT_NONE)
                vmh_docker_add_address_of(host, entry->text + text, family,
                                          i < count ? numbers[i] : 0,
                                          vmh_docker_endpoint_tag(text_or_null(entry,
                                                                               network->endpoint)));
        }
    for (size_t i = 0; i < entry->network_count; i++)
        if (last[i] != NOT_FIRST &&
            add_aliases(host, vmh_host_network_named(host, name_of(entry, i)), entry,
                        &entry->networks[last[i]]) != 0)
            return -1;
    return 0;
}

int vmh_docker_entry_networks(struct vmh_host *host, const struct vmh_docker_entry *entry)
{
    size_t count = entry->network_count;
    if (count == 0)
        return 0;
    size_t *order = malloc(2 * count * sizeof *order);
    if (!order)
        return -1;
    size_t names = sort_networks(entry, order, order + count);
    int status = add_sorted(host, entry, order, names, order + count);
    free(order);
    return status;
}
