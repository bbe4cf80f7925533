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

static int index_domains(struct vmh_libvirt_match *match, const json_t *macs)
{
    size_t index, at, mac_count = 0;
    const json_t *entry, *mac;
    json_array_foreach(macs, index, entry)
        mac_count += json_array_size(json_object_get(entry, "macs"));
    if (vmh_text_index_init(&match->domains, json_array_size(macs)) != 0 ||
        vmh_text_index_init(&match->macs, mac_count) != 0 ||
        !(match->sender = calloc(mac_count + 1, sizeof *match->sender)))
        return -1;
    struct pairs pairs = {0};
    int result = 0;
    bool added;
    json_array_foreach(macs, index, entry) {
        if (!json_is_object(entry))
            continue;
        const char *name = vmh_libvirt_text(entry, "domain");
        size_t domain = vmh_text_index_add(&match->domains, name, &added);
        json_array_foreach(json_object_get(entry, "macs"), at, mac) {
            if (!json_is_string(mac) || result != 0)
                continue;
            size_t number = vmh_text_index_add(&match->macs, json_string_value(mac), &added);
            if (added)
                match->sender[number] = name;
            result = push(&pairs, number, domain);
        }
    }
    if (result == 0)
        result = group(&match->mac_domains, &pairs, match->macs.count);
    free(pairs.at);
    return result;
}

static int group_by_domain(struct vmh_libvirt_match *match, const json_t *leases, int64_t now_s)
{
    size_t *last = calloc(match->domains.count + 1, sizeof *last), index;
    const struct vmh_groups *domains_of = &match->mac_domains;
    struct pairs pairs = {0};
    int result = last ? 0 : -1;
    const json_t *lease;
    json_array_foreach(leases, index, lease) {
        if (result != 0 || !vmh_libvirt_current(lease, now_s))
            continue;
        size_t mac = vmh_text_index_find(&match->macs, vmh_libvirt_text(lease, "mac-address"));
        for (size_t i = mac == VMH_TEXT_NONE ? 0 : domains_of->start[mac];
             mac != VMH_TEXT_NONE && i < domains_of->start[mac + 1] && result == 0; i++) {
            size_t domain = domains_of->items[i];
            /* A domain listing the MAC twice still has the lease once. */
            if (last[domain] != index + 1)
                result = push(&pairs, domain, index);
            last[domain] = index + 1;
        }
    }
    if (result == 0)
        result = group(&match->domain_leases, &pairs, match->domains.count);
    free(last);
    free(pairs.at);
    return result;
}

/* Who sent a lease: the domain its MAC belongs to, else the MAC. */
static const char *sender_of(const struct vmh_libvirt_match *match, const json_t *lease)
{
    const char *mac = vmh_libvirt_text(lease, "mac-address");
    size_t number = vmh_text_index_find(&match->macs, mac);
    return number == VMH_TEXT_NONE ? mac : match->sender[number];
}

static int group_by_hostname(struct vmh_libvirt_match *match, const json_t *leases,
                             int64_t now_s)
{
    size_t count = json_array_size(leases), index;
    const char **first = calloc(count + 1, sizeof *first);
    match->mixed = calloc(count + 1, sizeof *match->mixed);
    if (!first || !match->mixed || vmh_text_index_init(&match->hostnames, count) != 0) {
        free(first);
        return -1;
    }
    struct pairs pairs = {0};
    int result = 0;
    const json_t *lease;
    json_array_foreach(leases, index, lease) {
        const char *hostname = vmh_libvirt_text(lease, "hostname");
        if (result != 0 || !hostname[0] || !vmh_libvirt_current(lease, now_s))
            continue;
        bool added;
        size_t number = vmh_text_index_add(&match->hostnames, hostname, &added);
        const char *sender = sender_of(match, lease);
        if (!first[number])
            first[number] = sender;
        else if (strcasecmp(first[number], sender) != 0)
            match->mixed[number] = true;
        result = push(&pairs, number, index);
    }
    if (result == 0)
        result = group(&match->hostname_leases, &pairs, match->hostnames.count);
    free(first);
    free(pairs.at);
    return result;
}

int vmh_libvirt_match(struct vmh_libvirt_match *match, const json_t *leases, const json_t *macs,
                      int64_t now_s)
{
    memset(match, 0, sizeof *match);
    if (index_domains(match, macs) != 0 || group_by_domain(match, leases, now_s) != 0 ||
        group_by_hostname(match, leases, now_s) != 0)
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
    vmh_text_index_free(&match->domains);
    vmh_text_index_free(&match->macs);
    vmh_text_index_free(&match->hostnames);
    vmh_text_index_free(&match->made);
    free_groups(&match->mac_domains);
    free_groups(&match->domain_leases);
    free_groups(&match->hostname_leases);
    free(match->sender);
    free(match->mixed);
}
