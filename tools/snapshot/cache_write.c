/* Writing the cache: a snapshot laid out as cache_format.h describes, then
 * put in place atomically so that a reader sees the old file or the new one,
 * never half of either.
 *
 * The same snapshot always gives the same bytes (keys in a total order,
 * padding zeroed), so that a refresh that found nothing new writes an
 * identical file and tests can compare builds byte for byte.  Records go
 * section by section, each section's in the snapshot's order: a merge puts
 * the backend it refreshed last, so without that the same hosts of two
 * backends polled in turn would be another file at every poll. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_order.h"
#include "grow.h"
#include "key_sort.h"
#include "names.h"
#include "snapshot.h"

/* The string pool as it grows; offset 0 is "". */
struct pool {
    char *data;
    size_t used, capacity;
};

struct builder {
    const struct vmh_snapshot *snapshot;
    unsigned backends;    /* the sections written (VMH_SNAPSHOT_ALL: the file) */
    size_t count;         /* the records written */
    size_t *order;        /* order[record]: its host in the snapshot */
    struct pool pool;
    struct vmh_cache_record *records;
    struct pending_key *keys;
    size_t key_count, addr_count;
    /* With a previous file whose records the hosts' was_record name: its
     * key order serves (key_sort.h), and first_key[record] is where each
     * record's keys begin. */
    const struct vmh_cache *previous;
    uint32_t *first_key;
    enum key_sorted sorted;
    /* Each backend's section, in enum vmh_backend's order, so that a
     * record's backend is its section's index: strings in the pool. */
    uint32_t section_names[VMH_BACKEND_COUNT], messages[VMH_BACKEND_COUNT];
};

static bool pool_reserve(struct pool *pool, size_t length)
{
    if (length > VMH_CACHE_MAX_SIZE - pool->used)
        return false;
    return vmh_grow_bytes(&pool->data, &pool->capacity, pool->used + length, 1024, SIZE_MAX) == 0;
}

/* Appends `a` (then `b` after a dot, when given), lowercased if asked. */
static bool pool_add(struct pool *pool, const char *a, const char *b, bool lower, uint32_t *offset)
{
    size_t a_length = strlen(a), b_length = b ? strlen(b) + 1 : 0;
    if (a_length + b_length == 0) {
        *offset = 0;
        return true;
    }
    if (a_length > VMH_CACHE_MAX_SIZE || b_length > VMH_CACHE_MAX_SIZE ||
        !pool_reserve(pool, a_length + b_length + 1))
        return false;
    char *out = pool->data + pool->used;
    memcpy(out, a, a_length);
    if (b) {
        out[a_length] = '.';
        memcpy(out + a_length + 1, b, b_length - 1);
    }
    out[a_length + b_length] = '\0';
    for (size_t i = 0; lower && out[i]; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    *offset = (uint32_t)pool->used;
    pool->used += a_length + b_length + 1;
    return true;
}

static bool has_upper(const char *text)
{
    for (; *text; text++)
        if (*text >= 'A' && *text <= 'Z')
            return true;
    return false;
}

static bool add_key(struct builder *b, uint16_t kind, const char *text, uint32_t same_offset,
                    const char *suffix, uint32_t record)
{
    struct pending_key *key = &b->keys[b->key_count];
    /* The record's own string serves when it is already lowercase (0: the
     * key's text is no string of the record's). */
    if (!suffix && same_offset && !has_upper(text))
        key->key = same_offset;
    else if (!pool_add(&b->pool, text, suffix, true, &key->key))
        return false;
    key->kind = kind;
    key->reserved = 0;
    key->record = record;
    key->added = (uint32_t)b->key_count;
    b->key_count++;
    return true;
}

static bool is_set(const char *text)
{
    return text && text[0];
}

/* Whether network `number` of the host is one we write: named, a number a
 * cache holds. */
static bool network_written(const struct vmh_host *host, size_t number)
{
    return number >= 1 && number <= host->network_count && number <= UINT8_MAX &&
           host->networks[number - 1].name;
}

/* "<name>.<network>", with where the name ends; a name too long to say so
 * (or for the whole to be a name under a domain) answers nothing anyway. */
static bool add_network_key(struct builder *b, const char *name, const char *network,
                            uint8_t number, uint32_t record)
{
    size_t length = strlen(name);
    if (length > VMH_NAME_MAX || length + 1 + strlen(network) > VMH_NAME_MAX)
        return true;
    if (!add_key(b, VMH_KEY_NETWORK, name, 0, network, record))
        return false;
    b->keys[b->key_count - 1].reserved = vmh_network_key(number, (uint8_t)length);
    return true;
}

/* The container's name and every alias under each of its networks. */
static bool add_network_keys(struct builder *b, const struct vmh_host *host, uint32_t index)
{
    for (size_t n = 1; is_set(host->name) && n <= host->network_count; n++) {
        if (!network_written(host, n))
            continue;
        const struct vmh_host_network *network = &host->networks[n - 1];
        if (!add_network_key(b, host->name, network->name, (uint8_t)n, index))
            return false;
        for (size_t a = 0; a < network->alias_count; a++)
            if (!add_network_key(b, network->aliases[a], network->name, (uint8_t)n, index))
                return false;
    }
    return true;
}

/* The names its label chose, checked again: a snapshot read back from a
 * cache is anyone's to write. */
static bool add_chosen_keys(struct builder *b, const struct vmh_host *host, uint32_t index)
{
    for (size_t i = 0; i < host->chosen_count; i++)
        if (vmh_name_valid(host->chosen[i]) &&
            !add_key(b, VMH_KEY_LABEL, host->chosen[i], 0, NULL, index))
            return false;
    return true;
}

/* How many keys a host may have: its four, its network names and the
 * names its label chose. */
static size_t keys_of(const struct vmh_host *host)
{
    size_t count = 4 + host->chosen_count;
    for (size_t n = 0; n < host->network_count; n++)
        count += 1 + host->networks[n].alias_count;
    return count;
}

/* The names a host answers to, as cache_format.h lists them. */
static bool add_keys(struct builder *b, const struct vmh_host *host, uint32_t index)
{
    const struct vmh_cache_record *r = &b->records[index];
    if (vmh_backend_names(host->backend) != VMH_NAMES_CONTAINER)
        return (!is_set(host->name) ||
                add_key(b, VMH_KEY_INSTANCE, host->name, r->name, NULL, index)) &&
               add_chosen_keys(b, host, index);
    return (!is_set(host->id) || add_key(b, VMH_KEY_DOCKER_ID, host->id, r->id, NULL, index)) &&
           (!is_set(host->name) || add_key(b, VMH_KEY_DOCKER_NAME, host->name, r->name, NULL, index)) &&
           (!is_set(host->hostname) ||
            add_key(b, VMH_KEY_DOCKER_HOSTNAME, host->hostname, r->hostname, NULL, index)) &&
           (!is_set(host->service) || !is_set(host->project) ||
            add_key(b, VMH_KEY_COMPOSE, host->service, 0, host->project, index)) &&
           add_network_keys(b, host, index) && add_chosen_keys(b, host, index);
}

static const char *or_empty(const char *text)
{
    return text ? text : "";
}

static bool add_record(struct builder *b, const struct vmh_host *host, uint32_t index)
{
    struct vmh_cache_record *r = &b->records[index];
    if (host->backend >= VMH_BACKEND_COUNT || host->state > VMH_STATE_RUNNING ||
        host->addr_count > VMH_HOST_MAX_ADDRS) {
        errno = EINVAL;
        return false;
    }
    r->addr_first = (uint32_t)b->addr_count;
    r->addr_count = (uint32_t)host->addr_count;
    r->backend = host->backend;
    r->state = host->state;
    r->flags = (uint8_t)((host->network_container ? VMH_RECORD_SHARED_NETWORK : 0) |
                         (host->rootless ? VMH_RECORD_ROOTLESS : 0) |
                         (host->wildcard ? VMH_RECORD_WILDCARD : 0));
    r->network = network_written(host, host->preferred_network) ? host->preferred_network : 0;
    b->addr_count += host->addr_count;
    errno = EFBIG;
    return pool_add(&b->pool, or_empty(host->name), NULL, false, &r->name) &&
           pool_add(&b->pool, or_empty(host->id), NULL, false, &r->id) &&
           pool_add(&b->pool, or_empty(host->hostname), NULL, false, &r->hostname) &&
           pool_add(&b->pool, or_empty(host->project), NULL, false, &r->project) &&
           pool_add(&b->pool, or_empty(host->service), NULL, false, &r->service) &&
           add_keys(b, host, index);
}

/* A section not written is one never asked. */
static const struct vmh_backend_state *state_of(const struct builder *b, unsigned backend)
{
    static const struct vmh_backend_state never;
    return b->backends & (1u << backend) ? &b->snapshot->backends[backend] : &never;
}

/* Section by section, of the sections written; a host of no section goes
 * last, for add_record to refuse. */
static void put_in_order(struct builder *b)
{
    const struct vmh_snapshot *s = b->snapshot;
    b->count = 0;
    for (unsigned backend = 0; backend <= VMH_BACKEND_COUNT; backend++) {
        if (backend < VMH_BACKEND_COUNT ? !(b->backends & (1u << backend))
                                        : b->backends != VMH_SNAPSHOT_ALL)
            continue;
        for (size_t i = 0; i < s->count; i++)
            if (s->hosts[i].backend == backend ||
                (backend == VMH_BACKEND_COUNT && s->hosts[i].backend > backend))
                b->order[b->count++] = i;
    }
}

/* Records, keys and strings; the pool then holds every string it will. */
static bool gather(struct builder *b)
{
    const struct vmh_snapshot *s = b->snapshot;
    errno = EFBIG;
    if (s->count > VMH_CACHE_MAX_SIZE / sizeof(struct vmh_cache_record))
        return false;
    errno = ENOMEM;
    b->order = calloc(s->count ? s->count : 1, sizeof *b->order);
    if (!b->order)
        return false;
    put_in_order(b);
    size_t keys = 1;
    for (size_t i = 0; i < b->count; i++)
        keys += keys_of(&s->hosts[b->order[i]]);
    b->records = calloc(b->count ? b->count : 1, sizeof *b->records);
    b->keys = calloc(keys, sizeof *b->keys);
    if (b->previous)
        b->first_key = malloc((b->count + 1) * sizeof *b->first_key);
    if (!b->records || !b->keys || (b->previous && !b->first_key) || !pool_reserve(&b->pool, 1))
        return false;
    b->pool.data[b->pool.used++] = '\0';
    for (size_t i = 0; i < b->count; i++) {
        if (b->first_key)
            b->first_key[i] = (uint32_t)b->key_count;
        if (!add_record(b, &s->hosts[b->order[i]], (uint32_t)i))
            return false;
    }
    if (b->first_key)
        b->first_key[b->count] = (uint32_t)b->key_count;
    for (unsigned i = 0; i < VMH_BACKEND_COUNT; i++)
        if (state_of(b, i)->status > VMH_STATUS_MAX) {
            errno = EINVAL;
            return false;
        }
    return true;
}

static bool add_section_strings(struct builder *b)
{
    char message[VMH_MESSAGE_MAX];
    errno = EFBIG;
    for (unsigned i = 0; i < VMH_BACKEND_COUNT; i++) {
        /* Not trusted to be terminated: it is a fixed array others fill. */
        size_t length = strnlen(state_of(b, i)->message, sizeof message - 1);
        memcpy(message, state_of(b, i)->message, length);
        message[length] = '\0';
        if (!pool_add(&b->pool, message, NULL, false, &b->messages[i]) ||
            !pool_add(&b->pool, vmh_backend_section((enum vmh_backend)i), NULL, false,
                      &b->section_names[i]))
            return false;
    }
    return true;
}

/* Lays the next table out after *end, 8-byte aligned; false past the limit. */
static bool place(uint64_t *end, uint64_t count, uint64_t entry_size, uint32_t *offset)
{
    uint64_t start = (*end + 7) & ~(uint64_t)7;
    if (count > VMH_CACHE_MAX_SIZE / entry_size ||
        start + count * entry_size > VMH_CACHE_MAX_SIZE) {
        errno = EFBIG;
        return false;
    }
    *offset = (uint32_t)start;
    *end = start + count * entry_size;
    return true;
}

/* Twice the keys or more, a power of two: a lookup reads 1.5 slots on
 * average, and 2.5 for a name that is not there (linear probing at half
 * full).  Keys are fewer than 2^23 (VMH_CACHE_MAX_SIZE / 12 bytes). */
static uint32_t slot_count(uint32_t keys)
{
    uint32_t count = keys ? 1 : 0;
    while (count && count < 2 * keys)
        count *= 2;
    return count;
}

/* How many keys ahead fill_slots fetches a key's text and slot. */
#define SLOT_PREFETCH 16
#define NOT_FIRST UINT32_MAX

/* Where each key's hash puts it, NOT_FIRST for a key after the first of
 * its (kind, key); malloc'd.  The keys are sorted and their texts all over
 * the pool: each text is fetched ahead too. */
static uint32_t *slot_homes(const struct builder *b, uint32_t mask)
{
    uint32_t *homes = malloc((b->key_count ? b->key_count : 1) * sizeof *homes);
    for (size_t i = 0; homes && i < b->key_count; i++) {
        const struct pending_key *key = &b->keys[i];
        if (i + SLOT_PREFETCH < b->key_count)
            __builtin_prefetch(key[SLOT_PREFETCH].text);
        bool first = i == 0 || key->kind != key[-1].kind || key->prefix != key[-1].prefix ||
                     strcmp(key->text, key[-1].text) != 0;
        homes[i] = first ? vmh_cache_key_hash(key->kind, key->text) & mask : NOT_FIRST;
    }
    return homes;
}

/* The first key of each (kind, key) in the slot its hash picks, or the
 * first empty one after (cache_format.h); keys sorted, in this machine's
 * order, slots zeroed.  perf: at 100,000 names the table is 4 MiB and
 * half of the whole build's own time was the first probe's cache miss,
 * so each slot is fetched SLOT_PREFETCH keys before it is probed. */
static bool fill_slots(const struct builder *b, const struct vmh_cache_header *h,
                       unsigned char *data)
{
    uint32_t *slots = (uint32_t *)(data + h->slots_off), mask = h->slot_count - 1;
    uint32_t *homes = slot_homes(b, mask);
    if (!homes) {
        errno = ENOMEM;
        return false;
    }
    for (size_t i = 0; i < b->key_count; i++) {
        if (i + SLOT_PREFETCH < b->key_count && homes[i + SLOT_PREFETCH] != NOT_FIRST)
            __builtin_prefetch(&slots[homes[i + SLOT_PREFETCH]], 1);
        if (homes[i] == NOT_FIRST)
            continue;
        uint32_t at = homes[i];
        while (slots[at])
            at = (at + 1) & mask;
        slots[at] = htole32((uint32_t)i + 1);
    }
    free(homes);
    return true;
}

static bool lay_out(const struct builder *b, struct vmh_cache_header *h)
{
    uint64_t end = sizeof *h;
    h->header_size = sizeof *h;
    h->backend_count = VMH_BACKEND_COUNT;
    h->record_count = (uint32_t)b->count;
    h->key_count = (uint32_t)b->key_count;
    h->addr_count = (uint32_t)b->addr_count;
    h->strings_size = (uint32_t)b->pool.used;
    if (b->key_count > VMH_CACHE_MAX_SIZE / sizeof(struct vmh_cache_key)) {
        errno = EFBIG;
        return false;
    }
    /* The block table's size depends on where the records start, which
     * depends on it: at most one entry more than the tables need. */
    h->slot_count = slot_count(h->key_count);
    uint64_t bulk = (uint64_t)h->record_count * sizeof(struct vmh_cache_record) +
                    (uint64_t)h->key_count * sizeof(struct vmh_cache_key) +
                    (uint64_t)h->slot_count * sizeof(uint32_t) +
                    (uint64_t)h->addr_count * sizeof(struct vmh_cache_addr) + h->strings_size + 24;
    if (bulk > VMH_CACHE_MAX_SIZE) {
        errno = EFBIG;
        return false;
    }
    h->block_count = (uint32_t)vmh_cache_blocks(0, bulk);
    if (!place(&end, h->block_count, sizeof(uint32_t), &h->blocks_off) ||
        !place(&end, h->backend_count, sizeof(struct vmh_cache_backend), &h->backends_off) ||
        !place(&end, h->record_count, sizeof(struct vmh_cache_record), &h->records_off) ||
        !place(&end, h->key_count, sizeof(struct vmh_cache_key), &h->keys_off) ||
        !place(&end, h->slot_count, sizeof(uint32_t), &h->slots_off) ||
        !place(&end, h->addr_count, sizeof(struct vmh_cache_addr), &h->addrs_off) ||
        !place(&end, h->strings_size, 1, &h->strings_off))
        return false;
    h->file_size = end;
    h->block_count = (uint32_t)vmh_cache_blocks(h->records_off, end);
    return true;
}

static void fill_header(int64_t now_ms, struct vmh_cache_header *h)
{
    memcpy(h->magic, VMH_CACHE_MAGIC, sizeof h->magic);
    h->version = VMH_CACHE_VERSION;
    h->written_ms = now_ms;
}

static void copy_sections(const struct builder *b, struct vmh_cache_backend *sections)
{
    for (unsigned i = 0; i < VMH_BACKEND_COUNT; i++) {
        const struct vmh_backend_state *state = state_of(b, i);
        sections[i].name = b->section_names[i];
        sections[i].status = state->status;
        sections[i].updated_ms = state->updated_ms;
        sections[i].attempted_ms = state->attempted_ms;
        sections[i].message = b->messages[i];
    }
}

/* Last, over the bytes as they go to the file (cache_format.h): each
 * block's checksum, then the seal over the header, those and the sections.
 * `h` is the header in this machine's order. */
static void seal(const struct vmh_cache_header *h, unsigned char *data)
{
    uint32_t *blocks = (uint32_t *)(data + h->blocks_off);
    for (uint32_t i = 0; i < h->block_count; i++) {
        uint64_t start = h->records_off + (uint64_t)i * VMH_CACHE_BLOCK_SIZE;
        uint64_t length = h->file_size - start < VMH_CACHE_BLOCK_SIZE ? h->file_size - start
                                                                      : VMH_CACHE_BLOCK_SIZE;
        blocks[i] = htole32(vmh_cache_block_sum(data + start, length));
    }
    struct vmh_cache_header header;
    memcpy(&header, data, sizeof header);
    header.checksum = vmh_cache_seal(data, h->records_off);
    memcpy(data, &header, sizeof header);
}

static void copy_tables(const struct builder *b, const struct vmh_cache_header *h,
                        unsigned char *data)
{
    const struct vmh_snapshot *s = b->snapshot;
    copy_sections(b, (struct vmh_cache_backend *)(data + h->backends_off));
    memcpy(data + h->records_off, b->records, b->count * sizeof *b->records);
    struct vmh_cache_key *keys = (struct vmh_cache_key *)(data + h->keys_off);
    for (size_t i = 0; i < b->key_count; i++) {
        keys[i].key = b->keys[i].key;
        keys[i].kind = b->keys[i].kind;
        keys[i].reserved = b->keys[i].reserved;
        keys[i].record = b->keys[i].record;
    }
    struct vmh_cache_addr *addrs = (struct vmh_cache_addr *)(data + h->addrs_off);
    for (size_t i = 0; i < b->count; i++) {
        const struct vmh_host *host = &s->hosts[b->order[i]];
        if (host->addr_count) /* a host without one has no array */
            memcpy(addrs, host->addrs, host->addr_count * sizeof *addrs);
        /* Addresses copied from another container (--network container:X)
         * name X's networks: a network the host has no key for is none. */
        for (size_t a = 0; a < host->addr_count; a++)
            if (!network_written(host, addrs[a].network) || host->network_container)
                addrs[a].network = 0;
        addrs += host->addr_count;
    }
    memcpy(data + h->strings_off, b->pool.data, b->pool.used);
}

/* The keys in order: the previous file's, for the hosts a watcher moved
 * over from it, or sorted whole.  KEYS_NOT_SORTED when out of memory. */
static enum key_sorted sort_keys(struct builder *b)
{
    if (!b->previous)
        return vmh_pending_keys_sort(b->keys, b->key_count) ? KEYS_SORTED : KEYS_NOT_SORTED;
    uint32_t records = b->previous->header->record_count;
    struct key_range *kept = calloc(records ? records : 1, sizeof *kept);
    if (!kept) {
        errno = ENOMEM;
        return KEYS_NOT_SORTED;
    }
    for (size_t i = 0; i < b->count; i++) {
        uint32_t record = b->snapshot->hosts[b->order[i]].was_record;
        if (record && record <= records && kept[record - 1].first == kept[record - 1].end)
            kept[record - 1] = (struct key_range){b->first_key[i], b->first_key[i + 1]};
    }
    struct key_order before = {b->previous->keys,    b->previous->header->key_count,
                               b->previous->strings, b->previous->header->strings_size,
                               kept,                 records};
    enum key_sorted sorted = vmh_pending_keys_sort_after(b->keys, b->key_count, &before);
    free(kept);
    return sorted;
}

static unsigned char *assemble(struct builder *b, int64_t now_ms, size_t *size)
{
    struct vmh_cache_header header;
    memset(&header, 0, sizeof header);
    if (!gather(b) || !add_section_strings(b) || !lay_out(b, &header))
        return NULL;
    for (size_t i = 0; i < b->key_count; i++)
        vmh_pending_key_text(&b->keys[i], b->pool.data + b->keys[i].key);
    b->sorted = sort_keys(b);
    if (b->sorted == KEYS_NOT_SORTED)
        return NULL;
    fill_header(now_ms, &header);
    /* calloc: padding and reserved bytes are zero, so builds are identical. */
    unsigned char *data = calloc(1, header.file_size);
    if (!data) {
        errno = ENOMEM;
        return NULL;
    }
    copy_tables(b, &header, data);
    if (!fill_slots(b, &header, data)) {
        free(data);
        return NULL;
    }
    vmh_cache_tables_byteswap(&header, data);
    struct vmh_cache_header in_file = header;
    vmh_cache_header_byteswap(&in_file);
    memcpy(data, &in_file, sizeof in_file);
    seal(&header, data);
    *size = header.file_size;
    return data;
}

/* 1 when the keys kept the previous file's order, 0 when sorted whole,
 * -1 on failure. */
static int build(const struct vmh_snapshot *snapshot, unsigned backends,
                 const struct vmh_cache *previous, int64_t now_ms, unsigned char **data,
                 size_t *size)
{
    struct builder b;
    memset(&b, 0, sizeof b);
    b.snapshot = snapshot;
    b.backends = backends;
    b.previous = previous;
    *data = assemble(&b, now_ms, size);
    int saved_errno = errno;
    free(b.pool.data);
    free(b.records);
    free(b.order);
    free(b.keys);
    free(b.first_key);
    errno = saved_errno;
    return !*data ? -1 : b.sorted == KEYS_SORTED_AS_BEFORE;
}

int vmh_cache_build(const struct vmh_snapshot *snapshot, int64_t now_ms, unsigned char **data,
                    size_t *size)
{
    return build(snapshot, VMH_SNAPSHOT_ALL, NULL, now_ms, data, size) < 0 ? -1 : 0;
}

int vmh_cache_build_after(const struct vmh_snapshot *snapshot, const struct vmh_cache *previous,
                          int64_t now_ms, unsigned char **data, size_t *size)
{
    return build(snapshot, VMH_SNAPSHOT_ALL, previous, now_ms, data, size);
}

int vmh_cache_build_section(const struct vmh_snapshot *snapshot, enum vmh_backend backend,
                            int64_t now_ms, unsigned char **data, size_t *size)
{
    if ((unsigned)backend >= VMH_BACKEND_COUNT) {
        errno = EINVAL;
        *data = NULL;
        return -1;
    }
    return build(snapshot, 1u << backend, NULL, now_ms, data, size) < 0 ? -1 : 0;
}

static int fail(char *err, size_t err_size, const char *what, const char *path, const char *todo)
{
    snprintf(err, err_size, "%s %s: %s (%s)", what, path, strerror(errno), todo);
    return -1;
}

static int write_all(int fd, const unsigned char *data, size_t size)
{
    while (size > 0) {
        ssize_t done = write(fd, data, size);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0) {
            if (done == 0)
                errno = EIO;
            return -1;
        }
        data += done;
        size -= (size_t)done;
    }
    return 0;
}

/* A name no other writer uses: O_EXCL refuses one left by a writer that
 * died, and the next number is tried. */
static int create_temporary(const char *dir, char *path, size_t path_size)
{
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        int length = snprintf(path, path_size, "%s/.%s.%ld.%u", dir, VMH_CACHE_FILE,
                              (long)getpid(), attempt);
        if (length < 0 || (size_t)length >= path_size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* Fills and closes fd; the umask must not make root's cache unreadable to
 * the users it serves.  No fsync: the cache is derived, a reader refuses a
 * file that is short, zeroed or torn (cache_read.c), and any refresh
 * writes it again, so a crash costs one refresh.  An fsync took 8 ms at
 * the median and up to 124 ms while containers churned (the watcher in
 * bench section 7, timed around each call), all of it before a new
 * container's name could resolve. */
static int fill_temporary(int fd, const unsigned char *data, size_t size, struct stat *filled)
{
    int status = fchmod(fd, 0644) == 0 && write_all(fd, data, size) == 0 &&
                         fstat(fd, filled) == 0 ? 0 : -1;
    int saved_errno = errno;
    if (close(fd) != 0 && status == 0)
        return -1;
    errno = saved_errno;
    return status;
}

/* The file in place when it is still the one filled: the rename changed
 * its ctime, so its stat is taken again; anything else is zeroed. */
static void stat_in_place(const char *final, const struct stat *filled, struct stat *written)
{
    if (lstat(final, written) != 0 || written->st_dev != filled->st_dev ||
        written->st_ino != filled->st_ino || written->st_size != filled->st_size)
        memset(written, 0, sizeof *written);
}

/* Sets the `replaced` mark (cache_format.h) of the file in place to
 * `value`: 1 just before the next is renamed over it, 0 again when that
 * failed.  Only a cache of this version that this user owns; anything
 * else (none, a FIFO, another's) is left alone, and its readers see the
 * next file a tick later, as without the mark. */
static void mark_replaced(const char *final, uint32_t value)
{
    int fd = open(final, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    struct vmh_cache_header header;
    uint32_t mark = htole32(value);
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        pread(fd, &header, sizeof header, 0) == (ssize_t)sizeof header &&
        memcmp(header.magic, VMH_CACHE_MAGIC, sizeof header.magic) == 0 &&
        le32toh(header.version) == VMH_CACHE_VERSION)
        (void)!pwrite(fd, &mark, sizeof mark, offsetof(struct vmh_cache_header, replaced));
    close(fd);
}

static int put_in_place(const char *dir, const unsigned char *data, size_t size,
                        struct stat *written, char *err, size_t err_size)
{
    char temporary[PATH_MAX], final[PATH_MAX];
    struct stat filled;
    int length = snprintf(final, sizeof final, "%s/%s", dir, VMH_CACHE_FILE);
    if (length < 0 || (size_t)length >= sizeof final) {
        errno = ENAMETOOLONG;
        return fail(err, err_size, "cannot write the cache in", dir, "choose a shorter cache folder");
    }
    int fd = create_temporary(dir, temporary, sizeof temporary);
    if (fd < 0)
        return fail(err, err_size, "cannot create a temporary file in", dir,
                    "the cache folder must be writable by the user running vmhosts refresh");
    if (fill_temporary(fd, data, size, &filled) != 0) {
        fail(err, err_size, "cannot write", temporary, "check the free space, the quota and the file size limit (ulimit -f)");
        unlink(temporary);
        return -1;
    }
    mark_replaced(final, 1);
    if (rename(temporary, final) != 0) {
        fail(err, err_size, "cannot replace", final, "remove it if it is not a regular file");
        mark_replaced(final, 0);
        unlink(temporary);
        return -1;
    }
    stat_in_place(final, &filled, written);
    return 0;
}

int vmh_cache_write(const char *dir, unsigned dir_mode, const struct vmh_snapshot *snapshot,
                    int64_t now_ms, char *err, size_t err_size)
{
    struct stat written;
    return vmh_cache_write_stat(dir, dir_mode, snapshot, NULL, now_ms, &written, err, err_size);
}

int vmh_cache_write_stat(const char *dir, unsigned dir_mode, const struct vmh_snapshot *snapshot,
                         const struct vmh_cache *previous, int64_t now_ms, struct stat *written,
                         char *err, size_t err_size)
{
    unsigned char *data;
    size_t size;
    if (mkdir(dir, (mode_t)dir_mode) != 0 && errno != EEXIST)
        return fail(err, err_size, "cannot create the cache folder", dir,
                    "its parent must exist and be writable; see cache_dir and user_cache_dir "
                    "in vmhosts.conf");
    int built = vmh_cache_build_after(snapshot, previous, now_ms, &data, &size);
    if (built < 0)
        return fail(err, err_size, "cannot build the cache for", dir,
                    errno == EFBIG ? "more hosts or longer names than a cache holds"
                                   : "out of memory? try again");
    memset(written, 0, sizeof *written);
    int status = put_in_place(dir, data, size, written, err, err_size);
    free(data);
    return status == 0 ? built : status;
}
