/* The refresher's picture of every container and VM.  Hosts own their
 * strings; a snapshot is consistent after every call, even one that failed
 * half-way, so that vmh_snapshot_free is always the way out. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grow.h"
#include "id_table.h"
#include "names.h"
#include "snapshot.h"

void vmh_snapshot_init(struct vmh_snapshot *snapshot)
{
    memset(snapshot, 0, sizeof *snapshot);
}

static void networks_free(struct vmh_host *host)
{
    for (size_t i = 0; i < host->network_count; i++) {
        for (size_t j = 0; j < host->networks[i].alias_count; j++)
            free(host->networks[i].aliases[j]);
        free(host->networks[i].aliases);
        free(host->networks[i].name);
    }
    free(host->networks);
}

static void host_free(struct vmh_host *host)
{
    networks_free(host);
    for (size_t i = 0; i < host->chosen_count; i++)
        free(host->chosen[i]);
    free(host->chosen);
    free(host->name);
    free(host->id);
    free(host->hostname);
    free(host->project);
    free(host->service);
    free(host->network_container);
    free(host->addrs);
    memset(host, 0, sizeof *host);
}

void vmh_snapshot_free(struct vmh_snapshot *snapshot)
{
    if (!snapshot)
        return;
    for (size_t i = 0; i < snapshot->count; i++)
        host_free(&snapshot->hosts[i]);
    free(snapshot->hosts);
    vmh_snapshot_init(snapshot);
}

void vmh_snapshot_truncate(struct vmh_snapshot *snapshot, size_t count)
{
    for (size_t i = count; i < snapshot->count; i++)
        host_free(&snapshot->hosts[i]);
    if (count < snapshot->count)
        snapshot->count = count;
}

int vmh_snapshot_reserve(struct vmh_snapshot *snapshot, size_t wanted)
{
    if (wanted <= snapshot->capacity)
        return 0;
    size_t capacity = snapshot->capacity ? snapshot->capacity : 8;
    while (capacity < wanted) {
        if (capacity > SIZE_MAX / 2)
            return -1;
        capacity *= 2;
    }
    if (capacity > SIZE_MAX / sizeof *snapshot->hosts)
        return -1;
    struct vmh_host *hosts = realloc(snapshot->hosts, capacity * sizeof *hosts);
    if (!hosts)
        return -1;
    snapshot->hosts = hosts;
    snapshot->capacity = capacity;
    return 0;
}

struct vmh_host *vmh_snapshot_add(struct vmh_snapshot *snapshot)
{
    if (snapshot->count == SIZE_MAX || vmh_snapshot_reserve(snapshot, snapshot->count + 1) != 0)
        return NULL;
    struct vmh_host *host = &snapshot->hosts[snapshot->count++];
    memset(host, 0, sizeof *host);
    return host;
}

/* A container on two networks with one address, or a backend repeating
 * itself, must not answer the address twice. */
static bool host_has(const struct vmh_host *host, const struct vmh_cache_addr *addr)
{
    size_t length = addr->family == 4 ? 4 : 16;
    for (size_t i = 0; i < host->addr_count; i++)
        if (host->addrs[i].family == addr->family &&
            memcmp(host->addrs[i].bytes, addr->bytes, length) == 0)
            return true;
    return false;
}

/* 0.0.0.0 and :: are how Docker and multipass say "no address": a client
 * given one would connect to itself.  No backend assigns an IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d): a container's IPv4 is listed as IPv4, so
 * one of those is garbage or forged, and is not turned into the IPv4 it
 * spells either, which nothing said the host has. */
static bool usable(const struct vmh_cache_addr *addr)
{
    static const unsigned char zeros[16], mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (addr->family == 4)
        return memcmp(addr->bytes, zeros, 4) != 0;
    return memcmp(addr->bytes, zeros, 16) != 0 && memcmp(addr->bytes, mapped, 12) != 0;
}

bool vmh_host_add_address(struct vmh_host *host, const char *text)
{
    struct vmh_cache_addr addr;
    memset(&addr, 0, sizeof addr);
    if (!text)
        return false;
    if (inet_pton(AF_INET, text, addr.bytes) == 1)
        addr.family = 4;
    else if (inet_pton(AF_INET6, text, addr.bytes) == 1)
        addr.family = 6;
    else
        return false;
    if (!usable(&addr))
        return false;
    if (host_has(host, &addr))
        return true;
    if (host->addr_count >= VMH_HOST_MAX_ADDRS ||
        vmh_host_reserve_addrs(host, host->addr_count + 1) != 0)
        return false;
    host->addrs[host->addr_count++] = addr;
    return true;
}

int vmh_host_reserve_addrs(struct vmh_host *host, size_t count)
{
    const size_t size = sizeof host->addrs[0];
    char *data = (char *)host->addrs;
    size_t bytes = host->addr_room * size;
    if (vmh_grow_bytes(&data, &bytes, count * size, 2 * size, VMH_HOST_MAX_ADDRS * size) != 0)
        return -1;
    host->addrs = (struct vmh_cache_addr *)data;
    host->addr_room = bytes / size;
    return 0;
}

int vmh_host_copy_name(char **to, const char *text)
{
    *to = NULL;
    if (!vmh_name_valid(text))
        return 0;
    *to = strdup(text);
    return *to ? 0 : -1;
}

/* Inserts a copy of name into names (count of them, room for one more) in
 * byte order: a snapshot read back from a cache, where they come sorted,
 * writes the same bytes as the one it was written from. */
static int insert_sorted(char **names, size_t count, const char *name)
{
    char *copy = strdup(name);
    if (!copy)
        return -1;
    size_t at = count;
    for (; at > 0 && strcmp(names[at - 1], copy) > 0; at--)
        names[at] = names[at - 1];
    names[at] = copy;
    return 0;
}

static bool same_folded(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if ((*a | 0x20) != (*b | 0x20))
            return false;
    return *a == *b;
}

int vmh_host_network_named(const struct vmh_host *host, const char *name)
{
    for (size_t i = 0; name && i < host->network_count; i++)
        if (host->networks[i].name && same_folded(host->networks[i].name, name))
            return (int)i + 1;
    return 0;
}

/* Network number `number` (from 1), called name, growing the table with
 * unnamed networks up to it: a cache read back numbers them as it found
 * them.  0 when the number is beyond the table's limit. */
static int set_network(struct vmh_host *host, size_t number, const char *name)
{
    if (number == 0 || number > VMH_HOST_MAX_NETWORKS)
        return 0;
    if (number > host->network_count) {
        struct vmh_host_network *grown =
            realloc(host->networks, number * sizeof *grown);
        if (!grown)
            return -1;
        memset(grown + host->network_count, 0,
               (number - host->network_count) * sizeof *grown);
        host->networks = grown;
        host->network_count = number;
    }
    struct vmh_host_network *network = &host->networks[number - 1];
    if (!network->name && !(network->name = strdup(name)))
        return -1;
    return (int)number;
}

int vmh_host_add_network(struct vmh_host *host, const char *name)
{
    if (!vmh_name_valid(name))
        return 0;
    int known = vmh_host_network_named(host, name);
    return known ? known : set_network(host, host->network_count + 1, name);
}

/* Kept folded, as a cache gives it back: in the order a cache gives
 * them, "Web" and "db" would come the other way round (insert_sorted). */
int vmh_host_add_alias(struct vmh_host *host, int number, const char *given)
{
    char alias[VMH_NAME_MAX + 1];
    if (number < 1 || (size_t)number > host->network_count || !given ||
        vmh_name_fold(given, strnlen(given, VMH_NAME_MAX + 1), alias) == 0 ||
        (host->name && same_folded(host->name, alias)))
        return 0;
    struct vmh_host_network *network = &host->networks[number - 1];
    for (size_t i = 0; i < network->alias_count; i++)
        if (strcmp(network->aliases[i], alias) == 0)
            return 0;
    if (network->alias_count >= VMH_NETWORK_MAX_ALIASES)
        return 0;
    char **grown = realloc(network->aliases, (network->alias_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    network->aliases = grown;
    if (insert_sorted(grown, network->alias_count, alias) != 0)
        return -1;
    network->alias_count++;
    return 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int vmh_host_add_chosen_name(struct vmh_host *host, const char *entry, size_t length)
{
    char name[VMH_NAME_MAX + 1];
    for (; length > 0 && is_blank(entry[0]); entry++, length--)
        ;
    for (; length > 0 && is_blank(entry[length - 1]); length--)
        ;
    if (length > 0 && entry[length - 1] == '.')
        length--;
    /* A single label is no name under any domain: it would be a bare name,
     * which is DNS's. */
    if (host->chosen_count >= VMH_CHOSEN_MAX || vmh_name_fold(entry, length, name) == 0 ||
        !memchr(name, '.', length))
        return 0;
    for (size_t i = 0; i < host->chosen_count; i++)
        if (strcmp(host->chosen[i], name) == 0)
            return 0;
    char **grown = realloc(host->chosen, (host->chosen_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    host->chosen = grown;
    if (insert_sorted(grown, host->chosen_count, name) != 0)
        return -1;
    host->chosen_count++;
    return 0;
}

int vmh_host_set_chosen_names(struct vmh_host *host, const char *value)
{
    if (!value || strnlen(value, VMH_CHOSEN_TEXT_MAX + 1) > VMH_CHOSEN_TEXT_MAX)
        return 0;
    for (const char *cursor = value;;) {
        size_t length = strcspn(cursor, ",");
        if (vmh_host_add_chosen_name(host, cursor, length) != 0)
            return -1;
        if (!cursor[length])
            return 0;
        cursor += length + 1;
    }
}

/* "" in the cache is "not set" in a snapshot. */
static int copy_optional(char **to, const char *text)
{
    *to = NULL;
    if (!text[0])
        return 0;
    *to = strdup(text);
    return *to ? 0 : -1;
}

static int host_from_record(struct vmh_host *host, const struct vmh_cache *cache,
                            const struct vmh_cache_record *record)
{
    host->backend = (uint8_t)vmh_record_backend(cache, record);
    host->state = record->state;
    host->rootless = (record->flags & VMH_RECORD_ROOTLESS) != 0;
    host->wildcard = (record->flags & VMH_RECORD_WILDCARD) != 0;
    host->preferred_network = record->network;
    /* A hostile-but-valid cache may list more than a host holds: keep the first. */
    size_t addr_count = record->addr_count < VMH_HOST_MAX_ADDRS ? record->addr_count
                                                                : VMH_HOST_MAX_ADDRS;
    if (vmh_host_reserve_addrs(host, addr_count) != 0)
        return -1;
    host->addr_count = addr_count;
    if (addr_count)
        memcpy(host->addrs, &cache->addrs[record->addr_first], addr_count * sizeof host->addrs[0]);
    if (copy_optional(&host->name, vmh_cache_string(cache, record->name)) != 0 ||
        copy_optional(&host->id, vmh_cache_string(cache, record->id)) != 0 ||
        copy_optional(&host->hostname, vmh_cache_string(cache, record->hostname)) != 0 ||
        copy_optional(&host->project, vmh_cache_string(cache, record->project)) != 0 ||
        copy_optional(&host->service, vmh_cache_string(cache, record->service)) != 0)
        return -1;
    /* Which container it joined is not in the cache, only that it joined
     * one: "" keeps the flag through a refresh of the other backend. */
    if ((record->flags & VMH_RECORD_SHARED_NETWORK) && !(host->network_container = strdup("")))
        return -1;
    return 0;
}

/* One network key back into its host's networks: "<name>.<network>",
 * split where the key says (validated by the reader).  Every part is
 * checked again as a name: a cache is anyone's to write for themselves. */
static int network_from_key(struct vmh_host *host, const struct vmh_cache *cache,
                            const struct vmh_cache_key *key)
{
    const char *text = vmh_cache_string(cache, key->key);
    size_t split = vmh_network_key_name_length(key->reserved);
    char name[VMH_NAME_MAX + 1];
    if (split > VMH_NAME_MAX || !vmh_name_valid(text + split + 1))
        return 0;
    memcpy(name, text, split);
    name[split] = '\0';
    int number = set_network(host, vmh_network_key_network(key->reserved), text + split + 1);
    if (number <= 0 || !host->networks[number - 1].name ||
        !same_folded(host->networks[number - 1].name, text + split + 1))
        return number < 0 ? -1 : 0;
    return vmh_host_add_alias(host, number, name);
}

/* The networks of the hosts added from index `first` on, one record each
 * (`host_of`: record to host, SIZE_MAX for none), from the network keys
 * in one pass over them: not a pass per record. */
static int networks_from_keys(struct vmh_snapshot *snapshot, const struct vmh_cache *cache,
                              const size_t *host_of)
{
    for (uint32_t i = 0; i < cache->header->key_count; i++) {
        const struct vmh_cache_key *key = &cache->keys[i];
        struct vmh_host *host;
        if (host_of[key->record] == SIZE_MAX)
            continue;
        host = &snapshot->hosts[host_of[key->record]];
        if (key->kind == VMH_KEY_NETWORK && network_from_key(host, cache, key) != 0)
            return -1;
        if (key->kind == VMH_KEY_LABEL) {
            const char *name = vmh_cache_string(cache, key->key);
            if (vmh_host_add_chosen_name(host, name, strnlen(name, VMH_NAME_MAX + 1)) != 0)
                return -1;
        }
    }
    return 0;
}

/* Which records a copy takes: those of `backends`, and of `part_backend`
 * (VMH_BACKEND_COUNT: none) those whose ID is in `part` (inside), or those
 * whose ID is not.  `in_part[record]`: whether its ID is in `part`. */
struct selection {
    unsigned backends;
    unsigned part_backend;
    const struct vmh_part *part;
    bool inside;
    unsigned char *in_part;
};

/* Found through the ID keys: perf showed the watcher beside 100,000
 * containers searching the part for the ID of each record, four times an
 * event, for a part of one. */
unsigned char *vmh_snapshot_part_marks(const struct vmh_cache *cache, const struct vmh_part *part)
{
    uint32_t records = cache->header->record_count;
    unsigned char *marks = calloc(records ? records : 1, 1);
    for (size_t i = 0; marks && i < part->count; i++) {
        const char *id = part->ids[i];
        char key[VMH_PART_ID_MAX + 1];
        /* Keys are folded; an ID no name could be has none. */
        if (!vmh_name_fold(id, strnlen(id, VMH_PART_ID_MAX), key))
            continue;
        uint32_t first = 0, count = vmh_cache_find(cache, VMH_KEY_DOCKER_ID, key, &first);
        for (uint32_t k = first; k - first < count; k++) {
            uint32_t record = vmh_cache_key(cache, k)->record;
            if (record < records && strcmp(vmh_cache_string(cache, cache->records[record].id), id) == 0)
                marks[record] = 1;
        }
    }
    return marks;
}

static int mark_part(const struct vmh_cache *cache, struct selection *selection)
{
    if (!selection->part)
        return 0;
    selection->in_part = vmh_snapshot_part_marks(cache, selection->part);
    return selection->in_part ? 0 : -1;
}

/* Whether a record is selected.  A section this version does not know
 * cannot be kept: a refresh by this version drops it, and the next by a
 * newer one restores it. */
static bool record_wanted(const struct vmh_cache *cache, uint32_t index,
                          const struct selection *selection)
{
    const struct vmh_cache_record *record = &cache->records[index];
    unsigned backend = vmh_record_backend(cache, record);
    if (backend >= VMH_BACKEND_COUNT)
        return false;
    if (selection->backends & (1u << backend))
        return true;
    return backend == selection->part_backend && (selection->in_part[index] != 0) == selection->inside;
}

static size_t records_wanted(const struct vmh_cache *cache, const struct selection *selection)
{
    size_t count = 0;
    for (uint32_t i = 0; i < cache->header->record_count; i++)
        count += record_wanted(cache, i, selection);
    return count;
}

static void states_from_cache(struct vmh_snapshot *snapshot, const struct vmh_cache *cache)
{
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++) {
        struct vmh_backend_state *state = &snapshot->backends[b];
        const struct vmh_cache_backend *section = vmh_cache_state(cache, (enum vmh_backend)b);
        state->updated_ms = section->updated_ms;
        state->attempted_ms = section->attempted_ms;
        state->status = section->status;
        snprintf(state->message, sizeof state->message, "%s",
                 vmh_cache_string(cache, section->message));
    }
}

static int copy_selected(struct vmh_snapshot *snapshot, const struct vmh_cache *cache,
                         struct selection *selection)
{
    const struct vmh_cache_header *header = cache->header;
    states_from_cache(snapshot, cache);
    /* No backend: after Docker's events a refresh asks for one part only,
     * and each pass over 100,000 records and their keys finding nothing
     * was a twentieth of an event (perf). */
    if (!selection->backends && selection->part_backend >= VMH_BACKEND_COUNT)
        return 0;
    size_t *host_of = malloc((header->record_count ? header->record_count : 1) * sizeof *host_of);
    if (!host_of || mark_part(cache, selection) != 0 ||
        vmh_snapshot_reserve(snapshot, snapshot->count + records_wanted(cache, selection)) != 0) {
        free(host_of);
        free(selection->in_part);
        return -1;
    }
    int status = 0;
    for (uint32_t i = 0; i < header->record_count && status == 0; i++) {
        host_of[i] = SIZE_MAX;
        if (!record_wanted(cache, i, selection))
            continue;
        host_of[i] = snapshot->count;
        struct vmh_host *host = vmh_snapshot_add(snapshot);
        if (!host || host_from_record(host, cache, &cache->records[i]) != 0)
            status = -1;
    }
    if (status == 0)
        status = networks_from_keys(snapshot, cache, host_of);
    free(host_of);
    free(selection->in_part);
    return status;
}

int vmh_snapshot_from_cache(struct vmh_snapshot *snapshot, const struct vmh_cache *cache,
                            unsigned backends)
{
    struct selection selection = {.backends = backends, .part_backend = VMH_BACKEND_COUNT};
    return copy_selected(snapshot, cache, &selection);
}

int vmh_snapshot_from_cache_part(struct vmh_snapshot *snapshot, const struct vmh_cache *cache,
                                 enum vmh_backend backend, const struct vmh_part *part,
                                 bool inside)
{
    struct selection selection = {.part_backend = backend, .part = part, .inside = inside};
    return copy_selected(snapshot, cache, &selection);
}

static size_t count_backend(const struct vmh_snapshot *snapshot, enum vmh_backend backend)
{
    size_t count = 0;
    for (size_t i = 0; i < snapshot->count; i++)
        count += snapshot->hosts[i].backend == backend;
    return count;
}

/* Moves the hosts of `backend` out of `from` onto the end of `into`,
 * closing the gaps they leave; `into` has room for them. */
static void move_hosts(struct vmh_snapshot *into, struct vmh_snapshot *from,
                       enum vmh_backend backend)
{
    size_t kept = 0;
    for (size_t i = 0; i < from->count; i++) {
        if (from->hosts[i].backend == backend)
            into->hosts[into->count++] = from->hosts[i];
        else
            from->hosts[kept++] = from->hosts[i];
    }
    if (kept < from->count)
        memset(&from->hosts[kept], 0, (from->count - kept) * sizeof from->hosts[0]);
    from->count = kept;
}

int vmh_snapshot_replace_backend(struct vmh_snapshot *into, struct vmh_snapshot *from,
                                 enum vmh_backend backend)
{
    if ((unsigned)backend >= VMH_BACKEND_COUNT)
        return -1;
    if (into == from)
        return 0;
    size_t staying = into->count - count_backend(into, backend);
    size_t arriving = count_backend(from, backend);
    /* Room first: a failure must leave both snapshots as they were. */
    if (arriving > SIZE_MAX - staying || vmh_snapshot_reserve(into, staying + arriving) != 0)
        return -1;
    size_t kept = 0;
    for (size_t i = 0; i < into->count; i++) {
        if (into->hosts[i].backend == backend)
            host_free(&into->hosts[i]);
        else
            into->hosts[kept++] = into->hosts[i];
    }
    into->count = kept;
    move_hosts(into, from, backend);
    into->backends[backend] = from->backends[backend];
    return 0;
}

/* Drops the hosts of `backend` in `into` that `from` has an ID for. */
static int drop_updated(struct vmh_snapshot *into, const struct vmh_snapshot *from,
                        enum vmh_backend backend)
{
    struct vmh_id_table arriving;
    if (vmh_id_table_init(&arriving, from->count) != 0)
        return -1;
    for (size_t i = 0; i < from->count; i++)
        if (from->hosts[i].backend == backend && from->hosts[i].id)
            vmh_id_table_add(&arriving, &from->hosts[i]);
    size_t kept = 0;
    for (size_t i = 0; i < into->count; i++) {
        struct vmh_host *host = &into->hosts[i];
        if (host->backend == backend && host->id && vmh_id_table_find(&arriving, host->id))
            host_free(host);
        else
            into->hosts[kept++] = *host;
    }
    into->count = kept;
    vmh_id_table_free(&arriving);
    return 0;
}

int vmh_snapshot_update_backend(struct vmh_snapshot *into, struct vmh_snapshot *from,
                                enum vmh_backend backend)
{
    if ((unsigned)backend >= VMH_BACKEND_COUNT || into == from)
        return -1;
    size_t arriving = count_backend(from, backend);
    if (arriving > SIZE_MAX - into->count ||
        vmh_snapshot_reserve(into, into->count + arriving) != 0 ||
        drop_updated(into, from, backend) != 0)
        return -1;
    size_t first = into->count;
    move_hosts(into, from, backend);
    size_t kept = first;
    for (size_t i = first; i < into->count; i++) {
        if (into->hosts[i].removed)
            host_free(&into->hosts[i]);
        else
            into->hosts[kept++] = into->hosts[i];
    }
    into->count = kept;
    into->backends[backend] = from->backends[backend];
    return 0;
}

void vmh_parse_error(char *err, size_t err_size, const char *format, ...)
{
    if (!err || err_size == 0)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(err, err_size, format, args);
    va_end(args);
}
