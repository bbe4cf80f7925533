/* See libvirt_match.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libvirt_match.h"

const char *vmh_libvirt_text(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

bool vmh_libvirt_current(const json_t *lease, int64_t now_s)
{
    json_int_t expiry = json_integer_value(json_object_get(lease, "expiry-time"));
    return json_is_integer(json_object_get(lease, "expiry-time")) && (expiry == 0 || expiry > now_s);
}

/* (group, item) pairs as found, before they are grouped. */
struct pairs {
    size_t (*at)[2];
    size_t count, capacity;
};

static int push(struct pairs *pairs, size_t group, size_t item)
{
    if (pairs->count == pairs->capacity) {
        size_t capacity = pairs->capacity ? pairs->capacity * 2 : 64;
        void *grown = capacity > SIZE_MAX / sizeof *pairs->at
                          ? NULL
                          : realloc(pairs->at, capacity * sizeof *pairs->at);
        if (!grown)
            return -1;
        pairs->at = grown;
        pairs->capacity = capacity;
    }
    pairs->at[pairs->count][0] = group;
    pairs->at[pairs->count++][1] = item;
    return 0;
}

/* A counting sort, stable: each group's items stay in the order found. */
static int group(struct vmh_groups *groups, const struct pairs *pairs, size_t group_count)
{
    groups->start = calloc(group_count + 1, sizeof *groups->start);
    groups->items = malloc((pairs->count ? pairs->count : 1) * sizeof *groups->items);
    if (!groups->start || !groups->items)
        return -1;
    for (size_t i = 0; i < pairs->count; i++)
        groups->start[pairs->at[i][0] + 1]++;
    for (size_t g = 0; g < group_count; g++)
        groups->start[g + 1] += groups->start[g];
    /* Each group's start moves to its end as it fills, then back one. */
    for (size_t i = 0; i < pairs->count; i++)
        groups->items[groups->start[pairs->at[i][0]]++] = pairs->at[i][1];
    for (size_t g = group_count; g > 0; g--)
        groups->start[g] = groups->start[g - 1];
    groups->start[0] = 0;
    return 0;
}

/* Each lease of every network, numbered in turn, with its network. */
static int number_leases(struct vmh_libvirt_match *match,
                         const struct vmh_libvirt_network *networks)
{
    size_t count = 0, index;
    const json_t *lease;
    for (size_t n = 0; n < match->networks; n++)
        count += json_array_size(networks[n].leases);
    match->leases = calloc(count + 1, sizeof *match->leases);
    match->lease_network = calloc(count + 1, sizeof *match->lease_network);
    if (!match->leases || !match->lease_network)
        return -1;
    for (size_t n = 0; n < match->networks; n++) {
        json_array_foreach(networks[n].leases, index, lease) {
            match->leases[match->lease_count] = lease;
            match->lease_network[match->lease_count++] = n;
        }
    }
    return 0;
}

/* Network n's MACs, numbered after the networks' before it, each with
 * the domains listing it there. */
static int index_macs(struct vmh_libvirt_match *match, size_t n, const json_t *macs,
                      struct pairs *pairs)
{
    size_t index, at, count = 0;
    const json_t *entry, *mac;
    bool added;
    json_array_foreach(macs, index, entry)
        count += json_array_size(json_object_get(entry, "macs"));
    if (vmh_text_index_init(&match->macs[n], count) != 0)
        return -1;
    match->mac_base[n] = n ? match->mac_base[n - 1] + match->macs[n - 1].count : 0;
    json_array_foreach(macs, index, entry) {
        if (!json_is_object(entry))
            continue;
        const char *name = vmh_libvirt_text(entry, "domain");
        size_t domain = vmh_text_index_add(&match->domains, name, &added);
        json_array_foreach(json_object_get(entry, "macs"), at, mac) {
            if (!json_is_string(mac))
                continue;
            size_t number = match->mac_base[n] +
                            vmh_text_index_add(&match->macs[n], json_string_value(mac), &added);
            if (added)
                match->sender[number] = name;
            if (push(pairs, number, domain) != 0)
                return -1;
        }
    }
    return 0;
}

static int index_domains(struct vmh_libvirt_match *match,
                         const struct vmh_libvirt_network *networks)
{
    size_t domains = 0, macs = 0, index;
    const json_t *entry;
    for (size_t n = 0; n < match->networks; n++) {
        domains += json_array_size(networks[n].macs);
        json_array_foreach(networks[n].macs, index, entry)
            macs += json_array_size(json_object_get(entry, "macs"));
    }
    match->macs = calloc(match->networks + 1, sizeof *match->macs);
    match->mac_base = calloc(match->networks + 1, sizeof *match->mac_base);
    match->sender = calloc(macs + 1, sizeof *match->sender);
    if (!match->macs || !match->mac_base || !match->sender ||
        vmh_text_index_init(&match->domains, domains) != 0)
        return -1;
    struct pairs pairs = {0};
    int result = 0;
    for (size_t n = 0; n < match->networks && result == 0; n++)
        result = index_macs(match, n, networks[n].macs, &pairs);
    if (result == 0)
        result = group(&match->mac_domains, &pairs, macs);
    free(pairs.at);
    return result;
}

/* The number of lease `number`'s MAC among its own network's, or
 * VMH_TEXT_INDEX_NONE. */
static size_t mac_of(const struct vmh_libvirt_match *match, size_t number)
{
    size_t n = match->lease_network[number];
    size_t mac = vmh_text_index_find(&match->macs[n],
                                     vmh_libvirt_text(match->leases[number], "mac-address"));
    return mac == VMH_TEXT_INDEX_NONE ? mac : match->mac_base[n] + mac;
}

static int group_by_domain(struct vmh_libvirt_match *match, int64_t now_s)
{
    size_t *last = calloc(match->domains.count + 1, sizeof *last);
    const struct vmh_groups *domains_of = &match->mac_domains;
    struct pairs pairs = {0};
    int result = last ? 0 : -1;
    for (size_t lease = 0; lease < match->lease_count && result == 0; lease++) {
        if (!vmh_libvirt_current(match->leases[lease], now_s))
            continue;
        size_t mac = mac_of(match, lease);
        for (size_t i = mac == VMH_TEXT_INDEX_NONE ? 0 : domains_of->start[mac];
             mac != VMH_TEXT_INDEX_NONE && i < domains_of->start[mac + 1] && result == 0; i++) {
            size_t domain = domains_of->items[i];
            /* A domain listing the MAC twice still has the lease once. */
            if (last[domain] != lease + 1)
                result = push(&pairs, domain, lease);
            last[domain] = lease + 1;
        }
    }
    if (result == 0)
        result = group(&match->domain_leases, &pairs, match->domains.count);
    free(last);
    free(pairs.at);
    return result;
}

/* Who sent a lease: the domain its MAC belongs to, else the MAC. */
static const char *sender_of(const struct vmh_libvirt_match *match, size_t lease)
{
    size_t mac = mac_of(match, lease);
    return mac == VMH_TEXT_INDEX_NONE ? vmh_libvirt_text(match->leases[lease], "mac-address")
                                : match->sender[mac];
}

static int group_by_hostname(struct vmh_libvirt_match *match, int64_t now_s)
{
    size_t count = match->lease_count;
    const char **first = calloc(count + 1, sizeof *first);
    match->mixed = calloc(count + 1, sizeof *match->mixed);
    if (!first || !match->mixed || vmh_text_index_init(&match->hostnames, count) != 0) {
        free(first);
        return -1;
    }
    struct pairs pairs = {0};
    int result = 0;
    for (size_t lease = 0; lease < count && result == 0; lease++) {
        const char *hostname = vmh_libvirt_text(match->leases[lease], "hostname");
        if (!hostname[0] || !vmh_libvirt_current(match->leases[lease], now_s))
            continue;
        bool added;
        size_t number = vmh_text_index_add(&match->hostnames, hostname, &added);
        const char *sender = sender_of(match, lease);
        if (!first[number])
            first[number] = sender;
        else if (strcasecmp(first[number], sender) != 0)
            match->mixed[number] = true;
        result = push(&pairs, number, lease);
    }
    if (result == 0)
        result = group(&match->hostname_leases, &pairs, match->hostnames.count);
    free(first);
    free(pairs.at);
    return result;
}

int vmh_libvirt_match(struct vmh_libvirt_match *match, const struct vmh_libvirt_network *networks,
                      size_t count, int64_t now_s)
{
    memset(match, 0, sizeof *match);
    match->networks = count;
    if (number_leases(match, networks) != 0 || index_domains(match, networks) != 0 ||
        group_by_domain(match, now_s) != 0 || group_by_hostname(match, now_s) != 0)
        return -1;
    return vmh_text_index_init(&match->made, match->domains.count + match->hostnames.count);
}

static void free_groups(struct vmh_groups *groups)
{
    free(groups->start);
    free(groups->items);
}

void vmh_libvirt_match_free(struct vmh_libvirt_match *match)
{
    for (size_t n = 0; match->macs && n < match->networks; n++)
        vmh_text_index_free(&match->macs[n]);
    free(match->macs);
    free(match->mac_base);
    free(match->leases);
    free(match->lease_network);
    vmh_text_index_free(&match->domains);
    vmh_text_index_free(&match->hostnames);
    vmh_text_index_free(&match->made);
    free_groups(&match->mac_domains);
    free_groups(&match->domain_leases);
    free_groups(&match->hostname_leases);
    free(match->sender);
    free(match->mixed);
}
