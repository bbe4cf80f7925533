/* The cache file end to end: a snapshot built into bytes and parsed back,
 * the look-ups, writing and loading through a real folder, the trust rules
 * (owner, mode, symlinks, FIFOs), and a reader that refuses every damaged
 * file: each truncation, each flipped byte, and each broken field on its own
 * with the checksum made right again, so that the specific check is what
 * catches it.  Also the snapshot's own operations.  Runs as root: files are
 * handed to another user to see them refused. */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "check.h"
#include "fixture_hosts.h"
#include "snapshot.h"
#include "texts.h"

/* web and old share the prefix "3f4e"; web is unique from "3f4e1". */
#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_OLD "3f4e99999c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_API "A1B2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define NOW 1700000000000
#define OTHER_USER 65534
#define HUGE_SIZE (65u * 1024u * 1024u)

static char base[64]; /* every folder the test makes is under it */


/* Two backends, both families, Compose labels, mixed case, a stopped
 * container and a stopped VM, and a hostname two containers share. */
static void sample(struct vmh_snapshot *s)
{
    vmh_snapshot_init(s);
    fixture_add_host(s, VMH_BACKEND_DOCKER, "web", ID_WEB, "My-Thing", true, "172.17.0.2 fd00::2");
    fixture_add_host(s, VMH_BACKEND_DOCKER, "old", ID_OLD, "shared", false, "172.17.0.3");
    struct vmh_host *api =
        fixture_add_host(s, VMH_BACKEND_DOCKER, "Proj-API-1", ID_API, "shared", true, "172.18.0.2");
    api->project = strdup("Proj");
    api->service = strdup("API");
    fixture_add_host(s, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, true, "10.0.0.5");
    fixture_add_host(s, VMH_BACKEND_MULTIPASS, "Stopped-VM", NULL, NULL, false, NULL);
    s->backends[VMH_BACKEND_DOCKER] = (struct vmh_backend_state){NOW - 1000, NOW - 1000,
                                                                  VMH_STATUS_OK, ""};
    s->backends[VMH_BACKEND_MULTIPASS] = (struct vmh_backend_state){
        NOW - 5000, NOW - 1000, VMH_STATUS_ERROR, "multipass timed out"};
}

static unsigned char *build(const struct vmh_snapshot *s, size_t *size)
{
    unsigned char *data = NULL;
    if (vmh_cache_build(s, NOW, &data, size) != 0)
        printf("# vmh_cache_build failed: %s\n", strerror(errno));
    return data;
}

static const char *text_or_empty(const char *text)
{
    return text ? text : "";
}

static bool same_strings(const char *a, const char *b)
{
    return strcmp(text_or_empty(a), text_or_empty(b)) == 0;
}

static bool record_matches(const struct vmh_cache *c, uint32_t i, const struct vmh_host *h)
{
    const struct vmh_cache_record *r = &c->records[i];
    bool ok = same_strings(vmh_cache_string(c, r->name), h->name) &&
              same_strings(vmh_cache_string(c, r->id), h->id) &&
              same_strings(vmh_cache_string(c, r->hostname), h->hostname) &&
              same_strings(vmh_cache_string(c, r->project), h->project) &&
              same_strings(vmh_cache_string(c, r->service), h->service) &&
              r->backend == h->backend && r->state == h->state && r->addr_count == h->addr_count;
    for (uint32_t a = 0; ok && a < r->addr_count; a++)
        ok = memcmp(&c->addrs[r->addr_first + a], &h->addrs[a], sizeof h->addrs[a]) == 0;
    if (!ok)
        printf("# record %u differs from host %s\n", i, text_or_empty(h->name));
    return ok;
}

static bool hosts_equal(const struct vmh_host *a, const struct vmh_host *b)
{
    return same_strings(a->name, b->name) && same_strings(a->id, b->id) &&
           same_strings(a->hostname, b->hostname) && same_strings(a->project, b->project) &&
           same_strings(a->service, b->service) && a->backend == b->backend &&
           a->state == b->state && a->addr_count == b->addr_count &&
           (a->addr_count == 0 || memcmp(a->addrs, b->addrs, a->addr_count * sizeof a->addrs[0]) == 0);
}

static bool keys_lowercase(const struct vmh_cache *c)
{
    for (uint32_t i = 0; i < c->header->key_count; i++)
        for (const char *p = vmh_cache_string(c, c->keys[i].key); *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                return false;
    return true;
}

static void test_round_trip(void)
{
    struct vmh_snapshot s;
    struct vmh_cache c;
    size_t size = 0, size2 = 0;
    sample(&s);
    unsigned char *data = build(&s, &size), *again = build(&s, &size2);
    CHECK_INT(vmh_cache_parse(&c, data, size), VMH_CACHE_OK, "round trip: the build parses");
    CHECK(again && size == size2 && memcmp(data, again, size) == 0,
          "round trip: the same snapshot builds the same bytes");
    CHECK_INT(c.header->record_count, 5, "round trip: one record per host, stopped ones too");
    CHECK_INT(c.header->key_count, 12, "round trip: IDs, names, hostnames, Compose, VM names");
    CHECK_INT(c.header->addr_count, 5, "round trip: every address");
    CHECK_INT(c.header->written_ms, NOW, "round trip: written_ms is now_ms");
    for (uint32_t i = 0; i < 5; i++)
        CHECK(record_matches(&c, i, &s.hosts[i]), "round trip: a record is its host");
    CHECK(keys_lowercase(&c), "round trip: every key is lowercase");
    CHECK_INT(c.header->backend_count, VMH_BACKEND_COUNT, "round trip: a section per backend");
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++)
        CHECK_STR(vmh_cache_string(&c, c.sections[b].name),
                  vmh_backend_section((enum vmh_backend)b), "round trip: a section's name");
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++) {
        const struct vmh_cache_backend *got = vmh_cache_state(&c, (enum vmh_backend)b);
        CHECK(got->updated_ms == s.backends[b].updated_ms &&
                  got->attempted_ms == s.backends[b].attempted_ms &&
                  got->status == s.backends[b].status &&
                  strcmp(vmh_cache_string(&c, got->message), s.backends[b].message) == 0,
              "round trip: a backend's times, status and message");
    }
    const struct vmh_cache_addr *web = &c.addrs[c.records[0].addr_first];
    CHECK(web[0].family == 4 && web[1].family == 6, "round trip: IPv4 and IPv6, in the host's order");
    vmh_cache_forget(&c);
    free(data);
    free(again);
    vmh_snapshot_free(&s);
}


/* The name of the record the key `first` points at, or "" when none. */
static const char *found_name(const struct vmh_cache *c, uint32_t count, uint32_t first)
{
    return count ? vmh_cache_string(c, c->records[c->keys[first].record].name) : "";
}

static void expect_find(const struct vmh_cache *c, enum vmh_key_kind kind, const char *key,
                        uint32_t count, const char *name, const char *what)
{
    uint32_t first = UINT32_MAX;
    uint32_t got = vmh_cache_find(c, kind, key, &first);
    if (got != count || strcmp(found_name(c, got, first), name) != 0)
        printf("# find %d \"%s\": %u keys, first %s\n", kind, key, got, found_name(c, got, first));
    CHECK(got == count && strcmp(found_name(c, got, first), name) == 0, what);
}

static void expect_prefix(const struct vmh_cache *c, enum vmh_key_kind kind, const char *prefix,
                          uint32_t count, const char *name, const char *what)
{
    uint32_t first = UINT32_MAX;
    uint32_t got = vmh_cache_find_prefix(c, kind, prefix, &first);
    if (got != count || strcmp(found_name(c, got, first), name) != 0)
        printf("# prefix %d \"%s\": %u keys, first %s\n", kind, prefix, got,
               found_name(c, got, first));
    CHECK(got == count && strcmp(found_name(c, got, first), name) == 0, what);
}

static void test_find_exact(const struct vmh_cache *c)
{
    expect_find(c, VMH_KEY_DOCKER_NAME, "web", 1, "web", "find: a name");
    expect_find(c, VMH_KEY_DOCKER_NAME, "proj-api-1", 1, "Proj-API-1", "find: a name, lowercased");
    expect_find(c, VMH_KEY_DOCKER_ID, ID_WEB, 1, "web", "find: a full ID");
    expect_find(c, VMH_KEY_DOCKER_ID, "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
                1, "Proj-API-1", "find: an ID given in capitals is keyed lowercase");
    expect_find(c, VMH_KEY_DOCKER_HOSTNAME, "my-thing", 1, "web", "find: a hostname, lowercased");
    expect_find(c, VMH_KEY_DOCKER_HOSTNAME, "My-Thing", 0, "", "find: keys are lowercase only");
    expect_find(c, VMH_KEY_DOCKER_HOSTNAME, "shared", 2, "old",
                "find: a shared hostname gives both, in the snapshot's order");
    uint32_t first = 0;
    vmh_cache_find(c, VMH_KEY_DOCKER_HOSTNAME, "shared", &first);
    CHECK_STR(found_name(c, 1, first + 1), "Proj-API-1", "find: the second of a shared hostname");
    expect_find(c, VMH_KEY_COMPOSE, "api.proj", 1, "Proj-API-1", "find: <service>.<project>");
    expect_find(c, VMH_KEY_INSTANCE, "primary", 1, "primary", "find: a VM");
    expect_find(c, VMH_KEY_INSTANCE, "stopped-vm", 1, "Stopped-VM", "find: a stopped VM is listed");
    expect_find(c, VMH_KEY_DOCKER_NAME, "primary", 0, "", "find: a VM is not a container name");
    expect_find(c, VMH_KEY_INSTANCE, "web", 0, "", "find: a container is not a VM");
    expect_find(c, VMH_KEY_DOCKER_HOSTNAME, "web", 0, "", "find: a name is not a hostname");
    expect_find(c, VMH_KEY_DOCKER_NAME, "nope", 0, "", "find: no match");
    expect_find(c, VMH_KEY_DOCKER_NAME, "", 0, "", "find: the empty name matches nothing");
    expect_find(c, VMH_KEY_DOCKER_NAME, "zzz", 0, "", "find: past the last key of the kind");
    expect_find(c, VMH_KEY_COMPOSE, "zzz", 0, "", "find: past the last key of the table");
    expect_find(c, VMH_KEY_DOCKER_ID, "0", 0, "", "find: before the first key of the table");
    expect_find(c, VMH_KEY_DOCKER_NAME, "we", 0, "", "find: a prefix is not a name");
}

static void test_find_prefix(const struct vmh_cache *c)
{
    expect_prefix(c, VMH_KEY_DOCKER_ID, "3f4e1", 1, "web", "prefix: unique");
    expect_prefix(c, VMH_KEY_DOCKER_ID, "3f4e", 2, "web", "prefix: ambiguous, both counted");
    expect_prefix(c, VMH_KEY_DOCKER_ID, ID_OLD, 1, "old", "prefix: the whole ID");
    expect_prefix(c, VMH_KEY_DOCKER_ID, "ffff", 0, "", "prefix: no match");
    expect_prefix(c, VMH_KEY_DOCKER_ID, "3f4e2", 0, "", "prefix: none between two IDs");
    expect_prefix(c, VMH_KEY_DOCKER_ID, "we", 0, "", "prefix: IDs only, not names");
    expect_prefix(c, VMH_KEY_DOCKER_NAME, "we", 1, "web", "prefix: names when asked");
    expect_prefix(c, VMH_KEY_DOCKER_NAME, "o", 1, "old",
                  "prefix: stops at the next key of the kind");
    expect_prefix(c, VMH_KEY_DOCKER_NAME, "p", 1, "Proj-API-1",
                  "prefix: stops at the kind's end (not the VM primary)");
    expect_prefix(c, VMH_KEY_INSTANCE, "p", 1, "primary", "prefix: VM names only");
}

/* Many keys, so that the slots meet long probe runs and the prefix
 * search every shape of range. */
static void test_find_many(void)
{
    struct vmh_snapshot s;
    struct vmh_cache c;
    size_t size = 0;
    char name[32], id[65];
    vmh_snapshot_init(&s);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "c%03d", (i * 7) % 300);
        snprintf(id, sizeof id, "%064x", (i * 13) % 300);
        fixture_add_host(&s, VMH_BACKEND_DOCKER, name, id, NULL, true, "10.0.0.1");
    }
    unsigned char *data = build(&s, &size);
    bool ok = vmh_cache_parse(&c, data, size) == VMH_CACHE_OK;
    for (int i = 0; ok && i < 300; i++) {
        uint32_t first = 0;
        snprintf(name, sizeof name, "c%03d", i);
        ok = vmh_cache_find(&c, VMH_KEY_DOCKER_NAME, name, &first) == 1 &&
             strcmp(found_name(&c, 1, first), name) == 0;
        snprintf(name, sizeof name, "c%03dx", i);
        ok = ok && vmh_cache_find(&c, VMH_KEY_DOCKER_NAME, name, &first) == 0;
    }
    CHECK(ok, "find: each of 300 names, and nothing between them");
    CHECK_INT(vmh_cache_find_prefix(&c, VMH_KEY_DOCKER_NAME, "c1", NULL), 100,
              "prefix: a run of 100 names");
    CHECK_INT(vmh_cache_find_prefix(&c, VMH_KEY_DOCKER_ID, "", NULL), 300,
              "prefix: the empty prefix is every key of the kind");
    vmh_cache_forget(&c);
    free(data);
    vmh_snapshot_free(&s);
}

static void test_find_empty(void)
{
    struct vmh_snapshot s;
    struct vmh_cache c;
    size_t size = 0;
    uint32_t first = 7;
    vmh_snapshot_init(&s);
    unsigned char *data = build(&s, &size);
    CHECK_INT(vmh_cache_parse(&c, data, size), VMH_CACHE_OK, "an empty snapshot makes a valid cache");
    CHECK_INT(vmh_cache_find(&c, VMH_KEY_DOCKER_NAME, "web", &first), 0, "find: empty cache");
    CHECK_INT(vmh_cache_find_prefix(&c, VMH_KEY_DOCKER_ID, "", &first), 0, "prefix: empty cache");
    vmh_cache_forget(&c);
    CHECK_INT(vmh_cache_find(&c, VMH_KEY_DOCKER_NAME, "web", &first), 0, "find: no cache at all");
    free(data);
}

static void test_find(void)
{
    struct vmh_snapshot s;
    struct vmh_cache c;
    size_t size = 0;
    sample(&s);
    unsigned char *data = build(&s, &size);
    if (vmh_cache_parse(&c, data, size) == VMH_CACHE_OK) {
        test_find_exact(&c);
        test_find_prefix(&c);
        vmh_cache_forget(&c);
    } else {
        CHECK(false, "find: the sample cache parses");
    }
    free(data);
    vmh_snapshot_free(&s);
    test_find_many();
    test_find_empty();
}

/* The checksums as cache_format.h and cache_read.c define them (each
 * block's, then the seal), so that a test can break one field and leave
 * only that field's check to catch it.  A block table the header no longer
 * places in the file is left as it is. */
static void reseal(unsigned char *data, size_t size)
{
    struct vmh_cache_header header;
    memcpy(&header, data, sizeof header);
    uint64_t start = header.records_off, blocks = vmh_cache_blocks(start, size);
    if (start >= sizeof header && start <= size && header.blocks_off % 4 == 0 &&
        header.blocks_off + blocks * 4 <= start)
        for (uint64_t i = 0; i < blocks; i++) {
            uint64_t at = start + i * VMH_CACHE_BLOCK_SIZE;
            uint64_t length = size - at < VMH_CACHE_BLOCK_SIZE ? size - at : VMH_CACHE_BLOCK_SIZE;
            uint32_t sum = htole32(vmh_cache_block_sum(data + at, length));
            memcpy(data + header.blocks_off + i * 4, &sum, 4);
        }
    if (start >= sizeof header && start <= size)
        header.checksum = vmh_cache_seal(data, start);
    memcpy(data, &header, sizeof header);
}

static struct vmh_cache_header *header_of(unsigned char *d)
{
    return (struct vmh_cache_header *)d;
}

static struct vmh_cache_record *records_of(unsigned char *d)
{
    return (struct vmh_cache_record *)(d + header_of(d)->records_off);
}

static struct vmh_cache_key *keys_of(unsigned char *d)
{
    return (struct vmh_cache_key *)(d + header_of(d)->keys_off);
}

static struct vmh_cache_backend *sections_of(unsigned char *d)
{
    return (struct vmh_cache_backend *)(d + header_of(d)->backends_off);
}

static char *strings_of(unsigned char *d)
{
    return (char *)(d + header_of(d)->strings_off);
}

static uint32_t *slots_of(unsigned char *d)
{
    return (uint32_t *)(d + header_of(d)->slots_off);
}

/* The index of the first slot that is not empty (`skip` of them passed). */
static uint32_t used_slot(unsigned char *d, unsigned skip)
{
    uint32_t i = 0;
    for (; i < header_of(d)->slot_count; i++)
        if (slots_of(d)[i] && skip-- == 0)
            break;
    return i;
}

/* Each sets one field to what a sound writer never writes. */
static void wrong_magic(unsigned char *d) { d[0] = 'v'; }
static void wrong_header_size(unsigned char *d) { header_of(d)->header_size += 8; }
static void wrong_file_size(unsigned char *d) { header_of(d)->file_size -= 1; }
static void unsorted_keys(unsigned char *d)
{
    struct vmh_cache_key first = keys_of(d)[0];
    keys_of(d)[0] = keys_of(d)[1];
    keys_of(d)[1] = first;
}
static void unsorted_kinds(unsigned char *d) { keys_of(d)[0].kind = VMH_KEY_DOCKER_NAME; }
static void name_past_pool(unsigned char *d) { records_of(d)[0].name = header_of(d)->strings_size; }
static void service_far_off(unsigned char *d) { records_of(d)[2].service = UINT32_MAX; }
static void key_past_pool(unsigned char *d) { keys_of(d)[3].key = header_of(d)->strings_size; }
static void message_past_pool(unsigned char *d)
{
    sections_of(d)[1].message = header_of(d)->strings_size;
}
static void section_name_past_pool(unsigned char *d)
{
    sections_of(d)[0].name = header_of(d)->strings_size;
}
static void section_name_empty(unsigned char *d) { sections_of(d)[1].name = 0; }
static void section_name_twice(unsigned char *d) { sections_of(d)[1].name = sections_of(d)[0].name; }
static void sections_too_many(unsigned char *d)
{
    header_of(d)->backend_count = VMH_CACHE_MAX_BACKENDS + 1;
}
static void sections_overlap_records(unsigned char *d)
{
    header_of(d)->backend_count = VMH_BACKEND_COUNT + 2; /* runs into the records that follow */
}
static void key_record_past_end(unsigned char *d)
{
    keys_of(d)[0].record = header_of(d)->record_count;
}
static void key_kind_zero(unsigned char *d) { keys_of(d)[0].kind = 0; }
static void key_kind_past_max(unsigned char *d)
{
    keys_of(d)[header_of(d)->key_count - 1].kind = VMH_KEY_KIND_MAX + 1;
}
static void addresses_past_table(unsigned char *d)
{
    records_of(d)[4].addr_count = 1; /* the last host has none left to claim */
}
static void addresses_wrap_32_bits(unsigned char *d)
{
    records_of(d)[0].addr_first = UINT32_MAX;
    records_of(d)[0].addr_count = 2;
}
static void record_backend(unsigned char *d)
{
    records_of(d)[0].backend = (uint8_t)header_of(d)->backend_count;
}
static void record_state(unsigned char *d) { records_of(d)[0].state = 2; }
static void address_family(unsigned char *d)
{
    ((struct vmh_cache_addr *)(d + header_of(d)->addrs_off))[1].family = 5;
}
static void backend_status(unsigned char *d) { sections_of(d)[0].status = VMH_STATUS_MAX + 1; }
static void pool_start(unsigned char *d) { strings_of(d)[0] = 'x'; }
static void pool_end(unsigned char *d) { strings_of(d)[header_of(d)->strings_size - 1] = 'x'; }
static void pool_empty(unsigned char *d) { header_of(d)->strings_size = 0; }
static void table_over_header(unsigned char *d) { header_of(d)->records_off -= 8; }
static void table_misaligned(unsigned char *d) { header_of(d)->keys_off += 4; }
static void tables_overlap(unsigned char *d) { header_of(d)->keys_off = header_of(d)->records_off; }
static void table_past_end(unsigned char *d) { header_of(d)->strings_size += 8; }
static void slots_not_power_of_two(unsigned char *d) { header_of(d)->slot_count -= 1; }
static void slots_none(unsigned char *d) { header_of(d)->slot_count = 0; }
static void slot_past_keys(unsigned char *d)
{
    slots_of(d)[used_slot(d, 0)] = header_of(d)->key_count + 1;
}
static void slots_swapped(unsigned char *d)
{
    uint32_t a = used_slot(d, 0), b = used_slot(d, 1), first = slots_of(d)[a];
    slots_of(d)[a] = slots_of(d)[b];
    slots_of(d)[b] = first;
}
/* The sample's hostname "shared" is two keys: a slot at the second. */
static void slot_mid_run(unsigned char *d)
{
    for (uint32_t i = 0; i < header_of(d)->slot_count; i++) {
        uint32_t slot = slots_of(d)[i];
        if (slot && strcmp(strings_of(d) + keys_of(d)[slot - 1].key, "shared") == 0)
            slots_of(d)[i] = slot + 1;
    }
}
static void slots_full(unsigned char *d)
{
    uint32_t any = slots_of(d)[used_slot(d, 0)];
    for (uint32_t i = 0; i < header_of(d)->slot_count; i++)
        if (!slots_of(d)[i])
            slots_of(d)[i] = any;
}
/* 2^27 records of 32 bytes: 2^32 bytes, which is 0 in 32-bit arithmetic. */
static void count_wraps_32_bits(unsigned char *d) { header_of(d)->record_count = 1u << 27; }

static const struct mutation {
    void (*apply)(unsigned char *data);
    const char *what;
} mutations[] = {
    {wrong_magic, "wrong magic"},
    {wrong_header_size, "header_size not the header's"},
    {wrong_file_size, "file_size not the file's"},
    {unsorted_keys, "an unsorted key table"},
    {unsorted_kinds, "a key table not sorted by kind"},
    {name_past_pool, "a record's name offset at the pool's end"},
    {service_far_off, "a record's service offset far past the pool"},
    {key_past_pool, "a key's string offset past the pool"},
    {message_past_pool, "a backend message offset past the pool"},
    {section_name_past_pool, "a section's name offset past the pool"},
    {section_name_empty, "a section without a name"},
    {section_name_twice, "two sections of one name"},
    {sections_too_many, "more sections than any cache has"},
    {sections_overlap_records, "a section table overlapping the records"},
    {key_record_past_end, "a key naming a record that does not exist"},
    {key_kind_zero, "a key of kind 0"},
    {key_kind_past_max, "a key of a kind past the last"},
    {addresses_past_table, "a record's addresses past the address table"},
    {addresses_wrap_32_bits, "a record's addr_first + addr_count wrapping in 32 bits"},
    {record_backend, "a record of a section that does not exist"},
    {record_state, "a record of an unknown state"},
    {address_family, "an address of family 5"},
    {backend_status, "a backend status past the last"},
    {pool_start, "a pool not starting with NUL"},
    {pool_end, "a pool not ending with NUL"},
    {pool_empty, "an empty pool"},
    {table_over_header, "a table overlapping the header"},
    {table_misaligned, "a table not 8-byte aligned"},
    {tables_overlap, "two tables sharing bytes"},
    {table_past_end, "a table past the end of the file"},
    {count_wraps_32_bits, "a record count whose size wraps in 32 bits"},
    {slots_not_power_of_two, "a slot table whose size is not a power of two"},
    {slots_none, "keys without a slot table"},
    {slot_past_keys, "a slot naming a key that does not exist"},
    {slots_swapped, "two slots swapped"},
    {slot_mid_run, "a slot naming the second key of a name, not the first"},
    {slots_full, "a slot table with no empty slot"},
};

/* Parsed, then checked in full as `vmhosts` checks it: each entry through
 * the checks a lookup's read makes, so that every field's check is tried
 * (test_lazy tries the lookups). */
static enum vmh_cache_error parse_copy(const unsigned char *data, size_t size)
{
    struct vmh_cache c;
    /* Exactly `size` bytes: the sanitizers see any read past them. */
    unsigned char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    enum vmh_cache_error error = vmh_cache_parse(&c, copy, size);
    if (error != VMH_CACHE_OK && (c.data || c.header || c.checks))
        error = VMH_CACHE_OK; /* a refused cache must be left empty */
    if (error == VMH_CACHE_OK && !vmh_cache_verify_all(&c))
        error = VMH_CACHE_CORRUPT;
    vmh_cache_forget(&c);
    free(copy);
    return error;
}

static void test_mutations(const unsigned char *data, size_t size)
{
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    reseal(copy, size);
    CHECK(memcmp(copy, data, size) == 0, "corrupt: the test's checksum is the writer's");
    for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
        char what[128];
        memcpy(copy, data, size);
        mutations[i].apply(copy);
        reseal(copy, size);
        snprintf(what, sizeof what, "corrupt: %s", mutations[i].what);
        CHECK_INT(parse_copy(copy, size), VMH_CACHE_CORRUPT, what);
    }
    free(copy);
}

/* Refused as corrupt, or (a flipped version byte) as another version's. */
static bool refused(enum vmh_cache_error error)
{
    return error == VMH_CACHE_CORRUPT || error == VMH_CACHE_OTHER_VERSION;
}

static void test_damage(const unsigned char *data, size_t size)
{
    size_t bad = SIZE_MAX;
    for (size_t length = 0; length < size && bad == SIZE_MAX; length++)
        if (!refused(parse_copy(data, length)))
            bad = length;
    if (bad != SIZE_MAX)
        printf("# truncated to %zu bytes: not refused\n", bad);
    CHECK(bad == SIZE_MAX, "corrupt: every truncation, 0 to size - 1 bytes");

    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    bad = SIZE_MAX;
    size_t mark = offsetof(struct vmh_cache_header, replaced), marked = SIZE_MAX;
    for (size_t i = 0; i < size && bad == SIZE_MAX && marked == SIZE_MAX; i++) {
        copy[i] ^= 0xff;
        bool is_mark = i >= mark && i < mark + sizeof header_of(copy)->replaced;
        if (!is_mark && !refused(parse_copy(copy, size)))
            bad = i;
        if (is_mark && parse_copy(copy, size) != VMH_CACHE_OK)
            marked = i;
        copy[i] ^= 0xff;
    }
    if (bad != SIZE_MAX)
        printf("# byte %zu flipped: not refused\n", bad);
    CHECK(bad == SIZE_MAX, "corrupt: every single byte flipped, but the replaced mark's");
    CHECK(marked == SIZE_MAX, "a byte of the replaced mark flipped: the file still loads");
    free(copy);

    unsigned char *longer = calloc(1, size + 16);
    memcpy(longer, data, size);
    CHECK_INT(parse_copy(longer, size + 8), VMH_CACHE_CORRUPT, "corrupt: bytes after the end");
    memmove(longer + 4, longer, size);
    struct vmh_cache c;
    CHECK_INT(vmh_cache_parse(&c, longer + 4, size), VMH_CACHE_CORRUPT,
              "corrupt: data not 8-byte aligned");
    free(longer);
    CHECK_INT(vmh_cache_parse(&c, NULL, 0), VMH_CACHE_CORRUPT, "corrupt: no data");
}

static void test_corrupt(void)
{
    struct vmh_snapshot s;
    size_t size = 0;
    sample(&s);
    unsigned char *data = build(&s, &size);
    CHECK_INT(parse_copy(data, size), VMH_CACHE_OK, "corrupt: the intact copy parses");
    test_mutations(data, size);
    test_damage(data, size);
    free(data);
    vmh_snapshot_free(&s);
}

/* c0000 to c0999, one address each: every table spans several blocks. */
#define MANY 1000
static unsigned char *build_many(size_t *size)
{
    struct vmh_snapshot s;
    char name[16], address[16];
    vmh_snapshot_init(&s);
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "c%04d", i);
        snprintf(address, sizeof address, "10.1.%d.%d", i / 250, i % 250 + 1);
        fixture_add_host(&s, VMH_BACKEND_DOCKER, name, NULL, NULL, true, address);
    }
    s.backends[VMH_BACKEND_DOCKER] = (struct vmh_backend_state){NOW, NOW, VMH_STATUS_OK, ""};
    unsigned char *data = build(&s, size);
    vmh_snapshot_free(&s);
    return data;
}

static uint32_t verified_blocks(const struct vmh_cache *c)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < (c->header->block_count + 63) / 64; i++)
        count += (uint32_t)__builtin_popcountll(c->checks->verified[i]);
    return count;
}

/* A load verifies the pool's two ends, a find the few blocks it reads; the
 * full check every block. */
static void test_lazy_reads(const unsigned char *data, size_t size)
{
    struct vmh_cache c;
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    CHECK(vmh_cache_parse(&c, copy, size) == VMH_CACHE_OK && c.header->block_count >= 8,
          "lazy: a cache of many blocks parses");
    if (!c.header) {
        free(copy);
        return;
    }
    CHECK(verified_blocks(&c) <= 2, "lazy: a load verifies the blocks of the pool's ends only");
    uint32_t first = 0;
    CHECK(vmh_cache_find(&c, VMH_KEY_DOCKER_NAME, "c0010", &first) == 1 &&
              strcmp(vmh_cache_string(&c, vmh_cache_record(&c, vmh_cache_key(&c, first)->record)->name),
                     "c0010") == 0 && !vmh_cache_corrupt(&c),
          "lazy: a find answers");
    printf("# a find verified %u of %u blocks\n", verified_blocks(&c), c.header->block_count);
    CHECK(verified_blocks(&c) < c.header->block_count / 2, "lazy: ... verifying a few blocks");
    CHECK(vmh_cache_verify_all(&c) && verified_blocks(&c) == c.header->block_count,
          "lazy: vmh_cache_verify_all verifies every block");
    vmh_cache_forget(&c);
    free(copy);
}

/* A record's bytes flipped: reading it marks the cache corrupt and gives
 * the empty record; reading another block's record does not. */
static void test_lazy_flip(const unsigned char *data, size_t size)
{
    struct vmh_cache c;
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    records_of(copy)[MANY / 2].state ^= 0x40;
    bool parsed = vmh_cache_parse(&c, copy, size) == VMH_CACHE_OK;
    CHECK(parsed, "lazy: a byte flipped in a record: the load does not read it");
    if (parsed) {
        CHECK(vmh_cache_record(&c, 10)->state == VMH_STATE_RUNNING && !vmh_cache_corrupt(&c),
              "lazy: a record of another block reads as it is");
        const struct vmh_cache_record *bad = vmh_cache_record(&c, MANY / 2);
        CHECK(vmh_cache_corrupt(&c) && bad->state == VMH_STATE_STOPPED && bad->addr_count == 0 &&
                  bad->name == 0,
              "lazy: the flipped one marks the cache corrupt and reads as an empty record");
    }
    vmh_cache_forget(&c);
    memcpy(copy, data, size);
    copy[header_of(copy)->blocks_off + 1] ^= 1;
    CHECK_INT(vmh_cache_parse(&c, copy, size), VMH_CACHE_CORRUPT,
              "lazy: a byte of the block table flipped: refused at load");
    free(copy);
}

/* Keys out of order pass the load; a find among them can miss, never
 * answer with a key that is not the one asked. */
static void test_lazy_order(const unsigned char *data, size_t size)
{
    struct vmh_cache c;
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    struct vmh_cache_key *keys = keys_of(copy), swap = keys[3];
    keys[3] = keys[MANY - 3];
    keys[MANY - 3] = swap;
    reseal(copy, size);
    bool wrong = vmh_cache_parse(&c, copy, size) != VMH_CACHE_OK;
    char name[16];
    for (int i = 0; !wrong && i < MANY; i++) {
        uint32_t first = 0, count;
        snprintf(name, sizeof name, "c%04d", i);
        count = vmh_cache_find(&c, VMH_KEY_DOCKER_NAME, name, &first);
        for (uint32_t k = first; k < first + count; k++)
            wrong |= strcmp(vmh_cache_string(&c, vmh_cache_key(&c, k)->key), name) != 0;
    }
    CHECK(!wrong && !vmh_cache_corrupt(&c), "lazy: keys out of order: a find misses at worst");
    CHECK(!vmh_cache_verify_all(&c), "lazy: ... and the full check refuses the order");
    vmh_cache_forget(&c);
    free(copy);
}

/* Linked with -Wl,--wrap=calloc (Makefile.am): while set, calloc fails
 * as it would out of memory. */
static bool calloc_fails;
void *__real_calloc(size_t count, size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_calloc(size_t count, size_t size)
{
    return calloc_fails ? NULL : __real_calloc(count, size);
}

/* vmh_cache_verify_all of a cache parsed afresh from `data`, with no
 * memory for its bits of which key is the first of its text: it works
 * them out again from the table. */
static bool verify_all_without_memory(unsigned char *data, size_t size)
{
    struct vmh_cache c;
    if (vmh_cache_parse(&c, data, size) != VMH_CACHE_OK)
        return false;
    calloc_fails = true;
    bool right = vmh_cache_verify_all(&c);
    calloc_fails = false;
    vmh_cache_forget(&c);
    return right;
}

/* Whether a find of every name of the many-name cache answers that name
 * or nothing. */
static bool finds_right_or_miss(const struct vmh_cache *c, uint32_t *answered)
{
    bool right = true;
    char name[16];
    *answered = 0;
    for (int i = 0; i < MANY; i++) {
        uint32_t first = 0, count;
        snprintf(name, sizeof name, "c%04d", i);
        count = vmh_cache_find(c, VMH_KEY_DOCKER_NAME, name, &first);
        *answered += count > 0;
        for (uint32_t k = first; k < first + count; k++)
            right &= strcmp(vmh_cache_string(c, vmh_cache_key(c, k)->key), name) == 0;
    }
    return right;
}

/* Slots that lead to the wrong keys (every slot moved one on) pass the
 * load; a find through them misses, never answers another name, and a
 * name not there still ends when every slot is full. */
static void test_lazy_slots(const unsigned char *data, size_t size)
{
    struct vmh_cache c;
    uint32_t answered = 0;
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    uint32_t *slots = slots_of(copy), count = header_of(copy)->slot_count, last = slots[count - 1];
    memmove(slots + 1, slots, (count - 1) * sizeof *slots);
    slots[0] = last;
    reseal(copy, size);
    bool parsed = vmh_cache_parse(&c, copy, size) == VMH_CACHE_OK;
    CHECK(parsed && finds_right_or_miss(&c, &answered) && answered < MANY &&
              !vmh_cache_corrupt(&c),
          "lazy: slots moved one on: a find misses at worst");
    printf("# %u of %d names found through moved slots\n", answered, MANY);
    CHECK(parsed && !vmh_cache_verify_all(&c), "lazy: ... and the full check refuses the slots");
    CHECK(!verify_all_without_memory(copy, size), "lazy: ... out of memory too");
    vmh_cache_forget(&c);
    memcpy(copy, data, size);
    slots_full(copy);
    reseal(copy, size);
    parsed = vmh_cache_parse(&c, copy, size) == VMH_CACHE_OK;
    CHECK(parsed && finds_right_or_miss(&c, &answered) && answered == MANY &&
              vmh_cache_find(&c, VMH_KEY_DOCKER_NAME, "c9999", NULL) == 0 &&
              !vmh_cache_corrupt(&c),
          "lazy: no empty slot: every name still found, and a name not there ends in a miss");
    vmh_cache_forget(&c);
    free(copy);
}

/* Every 61st byte past the sealed part (the seal catches the rest). */
static void test_verify_all_flips(const unsigned char *data, size_t size)
{
    unsigned char *copy = malloc(size);
    memcpy(copy, data, size);
    size_t bad = SIZE_MAX;
    for (size_t i = header_of(copy)->records_off; i < size && bad == SIZE_MAX; i += 61) {
        struct vmh_cache c;
        copy[i] ^= 0x01;
        if (vmh_cache_parse(&c, copy, size) == VMH_CACHE_OK && vmh_cache_verify_all(&c))
            bad = i;
        vmh_cache_forget(&c);
        memcpy(copy, data, size);
    }
    if (bad != SIZE_MAX)
        printf("# byte %zu flipped: not found\n", bad);
    CHECK(bad == SIZE_MAX, "lazy: vmh_cache_verify_all finds a byte flipped anywhere");
    free(copy);
}

static void test_lazy(void)
{
    size_t size = 0;
    unsigned char *data = build_many(&size);
    if (!data)
        return;
    test_lazy_reads(data, size);
    CHECK(verify_all_without_memory(data, size),
          "the full check out of memory: a good cache still passes");
    test_lazy_flip(data, size);
    test_lazy_order(data, size);
    test_lazy_slots(data, size);
    test_verify_all_flips(data, size);
    free(data);
}

#define PATH_SIZE 256

static const char *join(char path[PATH_SIZE], const char *dir, const char *name)
{
    int length = snprintf(path, PATH_SIZE, "%s/%s", dir, name);
    if (length < 0 || length >= PATH_SIZE)
        abort(); /* the test's own folders are short: a long one is a bug here */
    return path;
}

/* A folder under the test's base holding a valid cache of the sample. */
static const char *cache_folder(const char *name)
{
    static char dir[PATH_SIZE];
    struct vmh_snapshot s;
    char err[512];
    join(dir, base, name);
    sample(&s);
    if (vmh_cache_write(dir, 0755, &s, NOW, err, sizeof err) != 0)
        printf("# vmh_cache_write %s: %s\n", dir, err);
    vmh_snapshot_free(&s);
    return dir;
}

static enum vmh_cache_error load_as(const char *dir, uid_t euid)
{
    struct vmh_cache c;
    struct stat st;
    enum vmh_cache_error error = vmh_cache_load(dir, euid, &c, &st);
    if (error != VMH_CACHE_OK && c.data)
        printf("# a refused load left data behind\n");
    vmh_cache_free(&c);
    return error;
}

static enum vmh_cache_error load(const char *dir)
{
    return load_as(dir, geteuid());
}

static unsigned folder_entries(const char *dir)
{
    unsigned count = 0;
    DIR *folder = opendir(dir);
    for (struct dirent *entry; folder && (entry = readdir(folder));)
        count += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
    if (folder)
        closedir(folder);
    return count;
}

static void test_write_load(void)
{
    struct vmh_snapshot s;
    struct vmh_cache c;
    struct stat st, file_st, dir_st, written;
    char err[512] = "";
    size_t size = 0;
    char dir[PATH_SIZE], file[PATH_SIZE];
    join(dir, base, "fresh");
    sample(&s);
    unsigned char *data = build(&s, &size);
    mode_t old_umask = umask(077);
    int status = vmh_cache_write(dir, 0700, &s, NOW, err, sizeof err);
    umask(old_umask);
    if (status != 0)
        printf("# %s\n", err);
    CHECK_INT(status, 0, "write: into a folder it creates");
    CHECK(stat(dir, &dir_st) == 0 && (dir_st.st_mode & 07777) == 0700,
          "write: the folder gets dir_mode");
    CHECK(stat(join(file, dir, VMH_CACHE_FILE), &file_st) == 0 && (file_st.st_mode & 07777) == 0644,
          "write: the file is 0644, readable by all, even under umask 077");
    CHECK_INT(folder_entries(dir), 1, "write: no temporary file left behind");
    CHECK_INT(vmh_cache_load(dir, geteuid(), &c, &st), VMH_CACHE_OK, "load: what was written");
    CHECK(c.data && c.size == size && memcmp(c.data, data, size) == 0,
          "load: the file is exactly the build");
    CHECK(st.st_ino == file_st.st_ino && st.st_size == (off_t)size, "load: *st is the file's");
    vmh_cache_free(&c);
    CHECK(!c.data && !c.header && !c.keys && c.size == 0, "vmh_cache_free empties the cache");
    vmh_cache_free(&c);
    status = vmh_cache_write(dir, 0700, &s, NOW + 1, err, sizeof err);
    CHECK(status == 0 && vmh_cache_load(dir, geteuid(), &c, &st) == VMH_CACHE_OK &&
              c.header->written_ms == NOW + 1 && st.st_ino != file_st.st_ino,
          "write: replaces the previous file with a new one");
    vmh_cache_free(&c);
    CHECK(vmh_cache_write_stat(dir, 0700, &s, NULL, NOW + 2, &written, err, sizeof err) == 0 &&
              lstat(file, &file_st) == 0 && vmh_same_file_version(&written, &file_st) &&
              written.st_ino != st.st_ino,
          "write_stat: *written is the stat of the file it put in place");
    CHECK_INT(load_as(dir, OTHER_USER), VMH_CACHE_OK, "load: root's cache is trusted by a user");
    free(data);
    vmh_snapshot_free(&s);
}

/* The `replaced` mark of the file open as fd, as it is now. */
static uint32_t replaced_mark(int fd)
{
    uint32_t mark = 0xffffffffu;
    if (pread(fd, &mark, sizeof mark, offsetof(struct vmh_cache_header, replaced)) != sizeof mark)
        return 0xffffffffu;
    return le32toh(mark);
}

/* rename() as the writer calls it, which fails while rename_fails is set
 * (Makefile.am links this program with --wrap=rename). */
static bool rename_fails;
int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to)
{
    if (!rename_fails)
        return __real_rename(from, to);
    errno = EBUSY;
    return -1;
}

/* When the rename fails, the file in place stays the cache and loses the
 * mark set just before it; another user's file is never marked. */
static void test_mark_taken_back(const char *dir, const char *file, struct vmh_snapshot *s)
{
    char err[512];
    int old = open(file, O_RDONLY | O_CLOEXEC);
    rename_fails = true;
    int status = vmh_cache_write(dir, 0755, s, NOW + 3, err, sizeof err);
    rename_fails = false;
    CHECK(status != 0 && strstr(err, "cannot replace"), "replaced mark: the rename fails");
    CHECK_INT(replaced_mark(old), 0, "replaced mark: taken back when the rename fails");
    close(old);
    if (geteuid() != 0) {
        CHECK(true, "replaced mark: another user's file # SKIP not root");
        return;
    }
    old = open(file, O_RDONLY | O_CLOEXEC);
    CHECK(chown(file, OTHER_USER, OTHER_USER) == 0 &&
              vmh_cache_write(dir, 0755, s, NOW + 4, err, sizeof err) == 0 &&
              replaced_mark(old) == 0,
          "replaced mark: another user's file is left unmarked");
    close(old);
}

/* The writer marks the file it replaces, which a process mapping it reads
 * (nss_vmhosts/state.c), and writes its own unmarked; a file of another
 * version in its place keeps its bytes. */
static void test_write_marks_replaced(void)
{
    char file[PATH_SIZE], err[512];
    const char *dir = cache_folder("replaced");
    int old = open(join(file, dir, VMH_CACHE_FILE), O_RDONLY | O_CLOEXEC);
    CHECK_INT(replaced_mark(old), 0, "replaced mark: 0 as written");
    struct vmh_snapshot s;
    sample(&s);
    CHECK_INT(vmh_cache_write(dir, 0755, &s, NOW + 1, err, sizeof err), 0,
              "replaced mark: a second write");
    CHECK_INT(replaced_mark(old), 1, "replaced mark: set in the file replaced");
    int new = open(file, O_RDONLY | O_CLOEXEC);
    CHECK_INT(replaced_mark(new), 0, "replaced mark: not in the new file");
    CHECK_INT(load(dir), VMH_CACHE_OK, "replaced mark: the new file loads");
    close(old);
    close(new);
    test_mark_taken_back(dir, file, &s);

    size_t length = 0;
    char *other = check_read_file(check_fixture("cache/version5.cache"), &length);
    FILE *out = fopen(file, "w");
    CHECK(other && out && fwrite(other, 1, length, out) == length && fclose(out) == 0,
          "replaced mark: a version 5 cache in place");
    old = open(file, O_RDONLY | O_CLOEXEC);
    vmh_cache_write(dir, 0755, &s, NOW + 2, err, sizeof err);
    char *after = malloc(length + 1);
    CHECK(other && after && pread(old, after, length + 1, 0) == (ssize_t)length &&
              memcmp(after, other, length) == 0,
          "replaced mark: another version's file is left as it was");
    close(old);
    free(after);
    free(other);
    vmh_snapshot_free(&s);
}

static void test_missing(void)
{
    char dir[PATH_SIZE];
    errno = 4242;
    CHECK_INT(load(join(dir, base, "nothing-here")), VMH_CACHE_MISSING, "load: no folder: missing");
    CHECK_INT(errno, 4242, "load: leaves the caller's errno alone");
    mkdir(join(dir, base, "empty"), 0755);
    CHECK_INT(load(dir), VMH_CACHE_MISSING, "load: no file: missing");
    CHECK_INT(vmh_cache_load(NULL, 0, &(struct vmh_cache){0}, NULL), VMH_CACHE_MISSING,
              "load: no folder named: missing");
}

static void expect_mode(const char *path, const char *dir, mode_t mode, enum vmh_cache_error want,
                        const char *what)
{
    chmod(path, mode);
    CHECK_INT(load(dir), want, what);
}

static void test_modes(void)
{
    char file[PATH_SIZE];
    const char *dir = cache_folder("modes");
    join(file, dir, VMH_CACHE_FILE);
    CHECK_INT(load(dir), VMH_CACHE_OK, "trust: the folder as written is trusted");
    expect_mode(file, dir, 0664, VMH_CACHE_UNTRUSTED, "trust: a file with g+w is refused");
    expect_mode(file, dir, 0646, VMH_CACHE_UNTRUSTED, "trust: a file with o+w is refused");
    expect_mode(file, dir, 0600, VMH_CACHE_OK, "trust: a file only its owner reads is fine");
    chmod(file, 0644);
    expect_mode(dir, dir, 0775, VMH_CACHE_UNTRUSTED, "trust: a folder with g+w is refused");
    expect_mode(dir, dir, 0757, VMH_CACHE_UNTRUSTED, "trust: a folder with o+w is refused");
    expect_mode(dir, dir, 0700, VMH_CACHE_OK, "trust: a private folder is fine");
}

static void test_owners(void)
{
    if (geteuid() != 0) {
        CHECK(true, "trust: another user's file # SKIP not root");
        CHECK(true, "trust: another user's folder # SKIP not root");
        CHECK(true, "trust: the user's own file # SKIP not root");
        return;
    }
    char file[PATH_SIZE];
    const char *dir = cache_folder("owners");
    join(file, dir, VMH_CACHE_FILE);
    CHECK(chown(file, OTHER_USER, OTHER_USER) == 0 && load(dir) == VMH_CACHE_UNTRUSTED,
          "trust: a file owned by another user is refused");
    CHECK(chown(dir, OTHER_USER, OTHER_USER) == 0 && load_as(dir, OTHER_USER) == VMH_CACHE_OK,
          "trust: the user's own folder and file are trusted by that user");
    CHECK(chown(file, 0, 0) == 0 && load(dir) == VMH_CACHE_UNTRUSTED,
          "trust: a folder owned by another user is refused");
}

static void test_planted(void)
{
    char dir[PATH_SIZE], file[PATH_SIZE], good_file[PATH_SIZE], link[PATH_SIZE];
    const char *good = cache_folder("good");
    join(good_file, good, VMH_CACHE_FILE);
    mkdir(join(dir, base, "planted"), 0755);
    join(file, dir, VMH_CACHE_FILE);
    CHECK(symlink(good_file, file) == 0 && load(dir) == VMH_CACHE_UNTRUSTED,
          "planted: hosts.cache a symlink to a good cache");
    CHECK(symlink(good, join(link, base, "linked")) == 0 && load(link) == VMH_CACHE_UNTRUSTED,
          "planted: the folder a symlink to a good one");
    unlink(file);
    if (mkfifo(file, 0644) != 0)
        printf("# mkfifo: %s\n", strerror(errno));
    alarm(10); /* a hang is a failure, not a stuck suite */
    enum vmh_cache_error error = load(dir);
    alarm(0);
    CHECK(error == VMH_CACHE_UNTRUSTED || error == VMH_CACHE_IO,
          "planted: a FIFO as hosts.cache is refused at once");
    unlink(file);
    mkdir(file, 0755);
    CHECK_INT(load(dir), VMH_CACHE_UNTRUSTED, "planted: a folder as hosts.cache");
    CHECK_INT(load(good_file), VMH_CACHE_UNTRUSTED,
              "planted: a file where the folder should be");
}

/* Bytes read by this process so far, or -1 when the kernel does not say. */
static long long bytes_read(void)
{
    long long value = -1;
    FILE *io = fopen("/proc/self/io", "r");
    char line[128];
    while (io && fgets(line, sizeof line, io))
        if (sscanf(line, "rchar: %lld", &value) == 1)
            break;
    if (io)
        fclose(io);
    return value;
}

static void test_load_corrupt(void)
{
    char file[PATH_SIZE];
    const char *dir = cache_folder("damaged");
    join(file, dir, VMH_CACHE_FILE);
    struct stat st;
    stat(file, &st);
    int fd = open(file, O_WRONLY);
    /* In the first backend's section, its times: what tests/test_nss.c does. */
    CHECK(pwrite(fd, "X", 1, 100) == 1 && load(dir) == VMH_CACHE_CORRUPT,
          "load: one byte changed in the header");
    close(fd);
    dir = cache_folder("damaged");
    CHECK(truncate(file, st.st_size - 1) == 0 && load(dir) == VMH_CACHE_CORRUPT,
          "load: a truncated file");
    CHECK(truncate(file, 0) == 0 && load(dir) == VMH_CACHE_CORRUPT, "load: an empty file");
    if (truncate(file, HUGE_SIZE) != 0)
        printf("# truncate: %s\n", strerror(errno));
    long long before = bytes_read();
    enum vmh_cache_error error = load(dir);
    long long after = bytes_read();
    CHECK_INT(error, VMH_CACHE_CORRUPT, "load: a 65 MiB file is refused");
    if (before < 0)
        CHECK(true, "load: ... without reading it # SKIP no /proc/self/io");
    else
        CHECK(after - before < 1024 * 1024, "load: ... without reading it");
}

/* Caches written by earlier versions (tests/fixtures/cache/: version1.cache,
 * the fixed-array format of a56ce33; version2.cache, written by 73e0574,
 * before network keys; version3.cache, tests/cache_bytes.c's at 6cc8052,
 * before the block table; version4.cache, tests/cache_bytes.c's at
 * f9a45b3, before the key slots; version5.cache, tests/cache_bytes.c's
 * at 2a71bdd, before the replaced mark) are refused as such, never read
 * as this version's layout; a write replaces them with one that loads. */
static void expect_other_version(const char *fixture, const char *what)
{
    char file[PATH_SIZE], text[160];
    size_t length = 0;
    const char *dir = cache_folder("old-version");
    char *old = check_read_file(check_fixture(fixture), &length);
    join(file, dir, VMH_CACHE_FILE);
    FILE *out = fopen(file, "w");
    snprintf(text, sizeof text, "other version: the %s cache is in place", what);
    CHECK(old && out && fwrite(old, 1, length, out) == length && fclose(out) == 0, text);
    snprintf(text, sizeof text, "other version: %s refused as another version's", what);
    CHECK_INT(load(dir), VMH_CACHE_OTHER_VERSION, text);
    dir = cache_folder("old-version");
    snprintf(text, sizeof text, "other version: the next write replaces the %s cache", what);
    CHECK_INT(load(dir), VMH_CACHE_OK, text);
    free(old);
}

static void test_other_version(void)
{
    expect_other_version("cache/version1.cache", "version 1");
    expect_other_version("cache/version2.cache", "version 2");
    expect_other_version("cache/version3.cache", "version 3");
    expect_other_version("cache/version4.cache", "version 4");
    expect_other_version("cache/version5.cache", "version 5");
}

/* A section this version does not know (a newer backend): the cache loads,
 * its records answer nothing, and the known backends are unaffected. */
static void test_unknown_section(void)
{
    struct vmh_snapshot s;
    size_t size = 0;
    sample(&s);
    unsigned char *data = build(&s, &size);
    struct vmh_cache_backend *sections = sections_of(data);
    /* A record's name from the pool stands in for a backend name. */
    sections[VMH_BACKEND_MULTIPASS].name = records_of(data)[0].name;
    reseal(data, size);
    struct vmh_cache c;
    CHECK_INT(vmh_cache_parse(&c, data, size), VMH_CACHE_OK, "unknown section: the cache loads");
    CHECK_INT(vmh_cache_state(&c, VMH_BACKEND_MULTIPASS)->status, VMH_STATUS_NEVER,
              "unknown section: the known backend it replaced was never asked");
    CHECK_INT(vmh_cache_state(&c, VMH_BACKEND_DOCKER)->status, VMH_STATUS_OK,
              "unknown section: docker's section is still docker's");
    bool vm_unknown = false;
    for (uint32_t i = 0; i < c.header->record_count; i++)
        vm_unknown |= vmh_record_backend(&c, &c.records[i]) == VMH_BACKEND_COUNT;
    CHECK(vm_unknown, "unknown section: its records belong to no backend this version knows");
    vmh_cache_forget(&c);
    free(data);
    vmh_snapshot_free(&s);
}

static void test_trusted(void)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_mode = S_IFREG | 0644;
    CHECK(vmh_cache_stat_trusted(&st, 1000), "stat_trusted: root's 0644");
    st.st_uid = 1000;
    CHECK(vmh_cache_stat_trusted(&st, 1000), "stat_trusted: the user's own 0644");
    CHECK(!vmh_cache_stat_trusted(&st, 1001), "stat_trusted: not another user's");
    st.st_uid = 0;
    st.st_mode = S_IFDIR | 0775;
    CHECK(!vmh_cache_stat_trusted(&st, 0), "stat_trusted: not group-writable");
    st.st_mode = S_IFDIR | 01777;
    CHECK(!vmh_cache_stat_trusted(&st, 0), "stat_trusted: not world-writable");
}

static void test_write_failures(void)
{
    struct vmh_snapshot s;
    char err[512] = "", dir[PATH_SIZE], file[PATH_SIZE], inside[PATH_SIZE];
    sample(&s);
    snprintf(dir, sizeof dir, "%s/no/such/parent", base);
    CHECK(vmh_cache_write(dir, 0700, &s, NOW, err, sizeof err) == -1 && strstr(err, dir) &&
              strstr(err, strerror(ENOENT)),
          "write: a folder that cannot be created: the message names it and why");
    printf("# %s\n", err);
    join(dir, join(file, cache_folder("as-parent"), VMH_CACHE_FILE), "cache");
    CHECK(vmh_cache_write(dir, 0700, &s, NOW, err, sizeof err) == -1 && strstr(err, dir) &&
              strstr(err, strerror(ENOTDIR)),
          "write: a file as the parent: the message names the folder and why");
    mkdir(join(dir, base, "blocked"), 0755);
    mkdir(join(file, dir, VMH_CACHE_FILE), 0755);
    mkdir(join(inside, file, "inside"), 0755);
    struct stat written = {.st_ino = 1};
    CHECK(vmh_cache_write_stat(dir, 0700, &s, NULL, NOW, &written, err, sizeof err) == -1 &&
              strstr(err, file) && written.st_ino == 0,
          "write: hosts.cache a folder: the rename fails, the message names it, no stat");
    printf("# %s\n", err);
    CHECK_INT(folder_entries(dir), 1, "write: a failed write removes its temporary file");
    vmh_snapshot_free(&s);
}

static void test_too_big(void)
{
    struct vmh_snapshot s;
    unsigned char *data = NULL;
    size_t size = 0;
    char err[512] = "", dir[PATH_SIZE];
    vmh_snapshot_init(&s);
    struct vmh_host *host = fixture_add_host(&s, VMH_BACKEND_DOCKER, "x", ID_WEB, NULL, true, NULL);
    free(host->name);
    host->name = malloc(VMH_CACHE_MAX_SIZE);
    memset(host->name, 'x', VMH_CACHE_MAX_SIZE - 1);
    host->name[VMH_CACHE_MAX_SIZE - 1] = '\0';
    CHECK(vmh_cache_build(&s, NOW, &data, &size) == -1 && !data,
          "build: refused past VMH_CACHE_MAX_SIZE");
    CHECK(vmh_cache_write(join(dir, base, "big"), 0700, &s, NOW, err, sizeof err) == -1 && err[0],
          "write: a snapshot too big says so");
    printf("# %s\n", err);
    vmh_snapshot_free(&s);
}

static void test_add_address(void)
{
    struct vmh_host host;
    memset(&host, 0, sizeof host);
    CHECK(!vmh_host_add_address(&host, "300.1.1.1"), "add_address: refuses 300.1.1.1");
    CHECK(!vmh_host_add_address(&host, ""), "add_address: refuses \"\"");
    CHECK(!vmh_host_add_address(&host, "fe80::zz"), "add_address: refuses fe80::zz");
    CHECK(!vmh_host_add_address(&host, "10.0.0.1 "), "add_address: refuses trailing text");
    CHECK_INT(host.addr_count, 0, "add_address: garbage adds nothing");
    CHECK(vmh_host_add_address(&host, "10.0.0.1") && host.addr_count == 1 &&
              host.addrs[0].family == 4 && memcmp(host.addrs[0].bytes, "\x0a\0\0\x01", 4) == 0,
          "add_address: IPv4");
    CHECK(vmh_host_add_address(&host, "fd00::1") && host.addr_count == 2 &&
              host.addrs[1].family == 6 && host.addrs[1].bytes[0] == 0xfd &&
              host.addrs[1].bytes[15] == 1,
          "add_address: IPv6");
    CHECK(vmh_host_add_address(&host, "10.0.0.1") && vmh_host_add_address(&host, "fd00:0::0:1") &&
              host.addr_count == 2,
          "add_address: an address it has is not added twice, however spelled");
    char text[32];
    for (int i = 2; i < VMH_HOST_MAX_ADDRS; i++) {
        snprintf(text, sizeof text, "10.0.1.%d", i);
        vmh_host_add_address(&host, text);
    }
    CHECK_INT(host.addr_count, VMH_HOST_MAX_ADDRS, "add_address: fills up");
    CHECK(!vmh_host_add_address(&host, "10.9.9.9"), "add_address: false when full");
    CHECK(vmh_host_add_address(&host, "10.0.0.1"), "add_address: full, but already there");
    CHECK_INT(host.addr_room, VMH_HOST_MAX_ADDRS, "add_address: room for as many, no more");
    CHECK(vmh_host_reserve_addrs(&host, VMH_HOST_MAX_ADDRS + 1) == -1 &&
              host.addr_room == VMH_HOST_MAX_ADDRS,
          "reserve_addrs: more than a host holds is refused, and changes nothing");
    free(host.addrs);
    struct vmh_host one;
    memset(&one, 0, sizeof one);
    CHECK(vmh_host_add_address(&one, "10.0.0.1") && one.addr_room == 2,
          "add_address: a host with one address has room for two, not 32");
    free(one.addrs);
}

static void test_add_hosts(void)
{
    struct vmh_snapshot s;
    char name[16];
    bool ok = true;
    vmh_snapshot_init(&s);
    for (int i = 0; i < 1000 && ok; i++) {
        struct vmh_host *host = vmh_snapshot_add(&s);
        ok = host && !host->name && host->addr_count == 0;
        snprintf(name, sizeof name, "h%d", i);
        if (ok)
            host->name = strdup(name);
    }
    for (int i = 0; i < 1000 && ok; i++) {
        snprintf(name, sizeof name, "h%d", i);
        ok = strcmp(s.hosts[i].name, name) == 0;
    }
    CHECK(ok && s.count == 1000 && s.capacity >= 1000,
          "snapshot_add: 1000 zeroed hosts, earlier ones kept as it grows");
    vmh_snapshot_free(&s);
    CHECK(!s.hosts && s.count == 0 && s.capacity == 0, "snapshot_free: leaves it empty");
    vmh_snapshot_free(&s);
}

static void test_from_cache(void)
{
    struct vmh_snapshot s, copy;
    struct vmh_cache c;
    size_t size = 0, size2 = 0;
    sample(&s);
    vmh_snapshot_init(&copy);
    unsigned char *data = build(&s, &size);
    CHECK(vmh_cache_parse(&c, data, size) == VMH_CACHE_OK &&
              vmh_snapshot_from_cache(&copy, &c, VMH_SNAPSHOT_ALL) == 0,
          "from_cache: copies a cache");
    bool same = copy.count == s.count;
    for (size_t i = 0; same && i < s.count; i++)
        same = hosts_equal(&copy.hosts[i], &s.hosts[i]);
    CHECK(same, "from_cache: every host, its strings and addresses");
    CHECK(copy.hosts[3].id == NULL && copy.hosts[3].hostname == NULL &&
              copy.hosts[0].project == NULL,
          "from_cache: an empty optional string is NULL");
    CHECK(memcmp(copy.backends, s.backends, sizeof s.backends) == 0,
          "from_cache: the backends' states and messages");
    unsigned char *again = build(&copy, &size2);
    CHECK(again && size2 == size && memcmp(again, data, size) == 0,
          "from_cache: the copy builds the very same cache");
    vmh_cache_forget(&c);
    free(again);
    free(data);
    vmh_snapshot_free(&s);
    vmh_snapshot_free(&copy);
}

/* A refresh asked about a part of Docker's containers copies those
 * (inside), and, when it writes, the others (outside): between them every
 * host once, the other backends' in neither. */
static void test_from_cache_part(void)
{
    struct vmh_snapshot s, inside, outside;
    struct vmh_cache c;
    size_t size = 0;
    struct vmh_part part = {.count = 2};
    snprintf(part.ids[0], sizeof part.ids[0], "%s", ID_OLD);
    snprintf(part.ids[1], sizeof part.ids[1], "%s", ID_WEB);
    sample(&s);
    vmh_snapshot_init(&inside);
    vmh_snapshot_init(&outside);
    unsigned char *data = build(&s, &size);
    CHECK(vmh_cache_parse(&c, data, size) == VMH_CACHE_OK &&
              vmh_snapshot_from_cache_part(&inside, &c, VMH_BACKEND_DOCKER, &part, true) == 0 &&
              vmh_snapshot_from_cache_part(&outside, &c, VMH_BACKEND_DOCKER, &part, false) == 0,
          "from_cache_part: copies both ways");
    unsigned char *marks = vmh_snapshot_part_marks(&c, &part);
    size_t marked = 0;
    bool right = marks != NULL;
    for (uint32_t i = 0; marks && i < c.header->record_count; i++) {
        const char *id = vmh_cache_string(&c, c.records[i].id);
        marked += marks[i];
        right &= (marks[i] != 0) == (strcmp(id, ID_OLD) == 0 || strcmp(id, ID_WEB) == 0);
    }
    CHECK(right && marked == 2, "part_marks: the records of the part's IDs, no other");
    free(marks);
    CHECK(inside.count == 2 && hosts_equal(&inside.hosts[0], &s.hosts[0]) &&
              hosts_equal(&inside.hosts[1], &s.hosts[1]),
          "from_cache_part: inside, the part's hosts whole");
    CHECK(outside.count == 1 && hosts_equal(&outside.hosts[0], &s.hosts[2]),
          "from_cache_part: outside, the backend's other hosts, no other backend's");
    CHECK(memcmp(outside.backends, s.backends, sizeof s.backends) == 0,
          "from_cache_part: every backend's state");
    struct vmh_part upper = {.count = 1};
    for (size_t i = 0; ID_API[i]; i++)
        upper.ids[0][i] = (char)toupper((unsigned char)ID_API[i]);
    vmh_snapshot_free(&inside);
    vmh_snapshot_init(&inside);
    CHECK(vmh_snapshot_from_cache_part(&inside, &c, VMH_BACKEND_DOCKER, &upper, true) == 0 &&
              inside.count == 0,
          "from_cache_part: an ID is the record's as written, not its key's lowercase");
    snprintf(upper.ids[0], sizeof upper.ids[0], "%s", ID_API);
    CHECK(vmh_snapshot_from_cache_part(&inside, &c, VMH_BACKEND_DOCKER, &upper, true) == 0 &&
              inside.count == 1 && hosts_equal(&inside.hosts[0], &s.hosts[2]),
          "from_cache_part: an ID as written, in capitals too, is found");
    vmh_cache_forget(&c);
    free(data);
    vmh_snapshot_free(&s);
    vmh_snapshot_free(&inside);
    vmh_snapshot_free(&outside);
}

static void test_replace_backend(void)
{
    struct vmh_snapshot into, from;
    sample(&into);
    vmh_snapshot_init(&from);
    fixture_add_host(&from, VMH_BACKEND_DOCKER, "new1", ID_OLD, NULL, true, "172.17.0.9");
    fixture_add_host(&from, VMH_BACKEND_MULTIPASS, "not-moved", NULL, NULL, true, "10.0.0.9");
    fixture_add_host(&from, VMH_BACKEND_DOCKER, "new2", ID_WEB, NULL, false, NULL);
    from.backends[VMH_BACKEND_DOCKER] = (struct vmh_backend_state){NOW, NOW, VMH_STATUS_OK, "fine"};
    from.backends[VMH_BACKEND_MULTIPASS].status = VMH_STATUS_DENIED;
    struct vmh_backend_state multipass = into.backends[VMH_BACKEND_MULTIPASS];
    char *new1_name = from.hosts[0].name;

    CHECK_INT(vmh_snapshot_replace_backend(&into, &from, VMH_BACKEND_DOCKER), 0,
              "replace_backend: succeeds");
    CHECK(into.count == 4 && strcmp(into.hosts[0].name, "primary") == 0 &&
              strcmp(into.hosts[1].name, "Stopped-VM") == 0 &&
              strcmp(into.hosts[2].name, "new1") == 0 && strcmp(into.hosts[3].name, "new2") == 0,
          "replace_backend: the other backend's hosts stay, the new ones come in");
    CHECK(into.hosts[2].name == new1_name && into.hosts[2].addr_count == 1,
          "replace_backend: moved, not copied");
    CHECK(from.count == 1 && strcmp(from.hosts[0].name, "not-moved") == 0,
          "replace_backend: from keeps only the other backend's hosts");
    CHECK(into.backends[VMH_BACKEND_DOCKER].updated_ms == NOW &&
              strcmp(into.backends[VMH_BACKEND_DOCKER].message, "fine") == 0 &&
              memcmp(&into.backends[VMH_BACKEND_MULTIPASS], &multipass, sizeof multipass) == 0,
          "replace_backend: that backend's state is from's, the other's unchanged");
    vmh_snapshot_free(&from);

    vmh_snapshot_init(&from);
    from.backends[VMH_BACKEND_MULTIPASS].status = VMH_STATUS_OK;
    CHECK(vmh_snapshot_replace_backend(&into, &from, VMH_BACKEND_MULTIPASS) == 0 &&
              into.count == 2 && into.hosts[0].backend == VMH_BACKEND_DOCKER &&
              into.backends[VMH_BACKEND_MULTIPASS].status == VMH_STATUS_OK,
          "replace_backend: an empty answer removes that backend's hosts");
    CHECK_INT(vmh_snapshot_replace_backend(&into, &from, VMH_BACKEND_COUNT), -1,
              "replace_backend: refuses an unknown backend");
    vmh_snapshot_free(&from);
    vmh_snapshot_free(&into);
}

/* A partial refresh (the watcher's, after Docker's events) names only the
 * containers that changed: those are replaced, added or taken away. */
static void test_update_backend(void)
{
    struct vmh_snapshot into, from;
    sample(&into);
    vmh_snapshot_init(&from);
    fixture_add_host(&from, VMH_BACKEND_DOCKER, "web-renamed", ID_WEB, NULL, true, "172.17.0.7");
    struct vmh_host *gone = fixture_add_host(&from, VMH_BACKEND_DOCKER, "", ID_OLD, NULL, false, NULL);
    gone->removed = true;
    fixture_add_host(&from, VMH_BACKEND_DOCKER, "new", "77", NULL, true, "172.17.0.8");
    from.backends[VMH_BACKEND_DOCKER].status = VMH_STATUS_OK;
    from.backends[VMH_BACKEND_DOCKER].updated_ms = NOW;
    struct vmh_backend_state multipass = into.backends[VMH_BACKEND_MULTIPASS];

    CHECK_INT(vmh_snapshot_update_backend(&into, &from, VMH_BACKEND_DOCKER), 0,
              "update_backend: succeeds");
    bool web = false, old = false, renamed = false, added = false, api = false;
    for (size_t i = 0; i < into.count; i++) {
        const char *name = into.hosts[i].name;
        web |= strcmp(name, "web") == 0;
        old |= strcmp(name, "old") == 0;
        renamed |= strcmp(name, "web-renamed") == 0;
        added |= strcmp(name, "new") == 0;
        api |= strcmp(name, "Proj-API-1") == 0;
    }
    CHECK(renamed && !web, "update_backend: a changed container replaces the one with its ID");
    CHECK(!old, "update_backend: a container marked removed is taken away");
    CHECK(added && api, "update_backend: a new one comes in, an unchanged one stays");
    CHECK(into.count == 5, "update_backend: the other backend's hosts stay, nothing else");
    CHECK(from.count == 0, "update_backend: every host of `from` moved");
    CHECK(into.backends[VMH_BACKEND_DOCKER].updated_ms == NOW &&
              memcmp(&into.backends[VMH_BACKEND_MULTIPASS], &multipass, sizeof multipass) == 0,
          "update_backend: that backend's state is from's, the other's unchanged");
    CHECK_INT(vmh_snapshot_update_backend(&into, &into, VMH_BACKEND_DOCKER), -1,
              "update_backend: refuses to merge a snapshot into itself");
    vmh_snapshot_free(&from);
    vmh_snapshot_free(&into);
}

static void test_error_text(void)
{
    bool ok = true;
    for (int i = VMH_CACHE_OK; i <= VMH_CACHE_CORRUPT; i++)
        for (int j = VMH_CACHE_OK; j < i; j++)
            ok = ok && strcmp(vmh_cache_error_text(i), vmh_cache_error_text(j)) != 0;
    CHECK(ok && vmh_cache_error_text(VMH_CACHE_CORRUPT)[0],
          "error_text: a different phrase for each error");
    CHECK(vmh_cache_error_text((enum vmh_cache_error)99) != NULL, "error_text: any value");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

int main(void)
{
    snprintf(base, sizeof base, "/tmp/vmhosts-test-cache-XXXXXX");
    if (!mkdtemp(base))
        return check_skip_all("cannot make a temporary folder");
    test_round_trip();
    test_find();
    test_corrupt();
    test_lazy();
    test_write_load();
    test_missing();
    test_modes();
    test_owners();
    test_planted();
    test_load_corrupt();
    test_other_version();
    test_write_marks_replaced();
    test_unknown_section();
    test_trusted();
    test_write_failures();
    test_too_big();
    test_add_address();
    test_add_hosts();
    test_from_cache();
    test_from_cache_part();
    test_replace_backend();
    test_update_backend();
    test_error_text();
    nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_done();
}
