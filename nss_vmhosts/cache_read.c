/* Reading the cache inside whatever process resolves a name.
 *
 * The file decides where ssh connects, so it is hostile input until proven
 * otherwise: its folder and itself must be ours or root's and writable by no
 * one else, and every count, offset and string is checked before any of it
 * is followed.  Only what a lookup reads is checked, as it reads it: a
 * fresh process asks one name of a cache of up to 100,000, and checking
 * all 17 MB of it on load cost 12 ms.  The load checks the header, the
 * block table and the sections under one seal; each record, key, address
 * and string is checked by the accessor that reads it, block checksums
 * included, and one that fails marks the cache corrupt for state.c to
 * refuse.  A caller reads only the entry an accessor returned, checked
 * whole, and a string only up to the NUL it was checked to.  It is mapped read-only and shared, not copied: every
 * process that resolves a name then shares the page cache's one copy
 * instead of keeping its own (17 MB at 100,000 names).  A mapped file
 * truncated in place would raise SIGBUS in the reader; only root or the
 * reader's own user can do that to a file these rules trust (the writer
 * never does: it renames a new file over the old), and each lookup's lstat
 * sees a changed size before the next one reads.  Nothing here prints,
 * keeps state between calls (but the cache's own bitmap of verified
 * blocks) or leaves a descriptor to a child. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cache.h"
#include "cache_order.h"
#include "trust.h"

/* The version is looked at before anything else of the header, whose
 * layout is the version's: another version's file is refused as such.  The
 * seal (cache_format.h) is over the bytes as they are in the file, so it is
 * checked before a big-endian reader turns them around. */
static enum vmh_cache_error header_ok(const unsigned char *data, size_t size)
{
    const struct vmh_cache_header *header = (const struct vmh_cache_header *)data;
    if ((uintptr_t)data % 8 != 0 || size < offsetof(struct vmh_cache_header, header_size) ||
        size > VMH_CACHE_MAX_SIZE || memcmp(header->magic, VMH_CACHE_MAGIC, sizeof header->magic))
        return VMH_CACHE_CORRUPT;
    if (le32toh(header->version) != VMH_CACHE_VERSION)
        return VMH_CACHE_OTHER_VERSION;
    if (size < sizeof *header)
        return VMH_CACHE_CORRUPT;
    uint64_t sealed = le32toh(header->records_off);
    return sealed >= sizeof *header && sealed <= size &&
                   header->checksum == vmh_cache_seal(data, sealed)
               ? VMH_CACHE_OK
               : VMH_CACHE_CORRUPT;
}

/* A table must start aligned where the previous one ended or later, so that
 * no two tables share bytes.  Counts are 32-bit and entries small: the
 * 64-bit product cannot overflow. */
static bool table_ok(uint64_t offset, uint64_t count, uint64_t entry_size, uint64_t file_size,
                     uint64_t *end)
{
    if (offset % 8 != 0 || offset < *end)
        return false;
    uint64_t table_end = offset + count * entry_size;
    if (table_end > file_size)
        return false;
    *end = table_end;
    return true;
}

/* A power of two, so that a hash picks a slot with a mask.  Whether one
 * is empty is not checked (that would read them all): a search gives up
 * after reading every slot once. */
static bool slots_ok(const struct vmh_cache_header *h)
{
    if (h->key_count == 0)
        return h->slot_count == 0;
    return h->slot_count > 0 && (h->slot_count & (h->slot_count - 1)) == 0;
}

/* The block table and the sections come before the records, so the seal
 * (up to records_off) covers them. */
static bool layout_ok(const struct vmh_cache_header *h)
{
    uint64_t end = h->header_size;
    return h->backend_count <= VMH_CACHE_MAX_BACKENDS &&
           h->block_count == vmh_cache_blocks(h->records_off, h->file_size) &&
           table_ok(h->blocks_off, h->block_count, sizeof(uint32_t), h->file_size, &end) &&
           table_ok(h->backends_off, h->backend_count, sizeof(struct vmh_cache_backend),
                    h->file_size, &end) &&
           table_ok(h->records_off, h->record_count, sizeof(struct vmh_cache_record),
                    h->file_size, &end) &&
           table_ok(h->keys_off, h->key_count, sizeof(struct vmh_cache_key), h->file_size, &end) &&
           slots_ok(h) &&
           table_ok(h->slots_off, h->slot_count, sizeof(uint32_t), h->file_size, &end) &&
           table_ok(h->addrs_off, h->addr_count, sizeof(struct vmh_cache_addr), h->file_size,
                    &end) &&
           table_ok(h->strings_off, h->strings_size, 1, h->file_size, &end);
}

/* A block is verified the first time a lookup reads from it, and then
 * never again for this mapping. */
static bool block_ok(const struct vmh_cache *cache, uint64_t block)
{
    uint64_t *word = &cache->checks->verified[block / 64], bit = 1ull << (block % 64);
    if (*word & bit)
        return true;
    uint64_t start = cache->header->records_off + block * VMH_CACHE_BLOCK_SIZE;
    uint64_t length = cache->size - start < VMH_CACHE_BLOCK_SIZE ? cache->size - start
                                                                  : VMH_CACHE_BLOCK_SIZE;
    if (vmh_cache_block_sum(cache->data + start, length) != le32toh(cache->blocks[block]))
        return false;
    *word |= bit;
    return true;
}

bool vmh_cache_bytes_ok(const struct vmh_cache *cache, uint64_t offset, uint64_t length)
{
    uint64_t start = cache->header->records_off;
    bool ok = offset >= start && offset <= cache->size && length > 0 &&
              length <= cache->size - offset;
    for (uint64_t block = ok ? (offset - start) / VMH_CACHE_BLOCK_SIZE : 0;
         ok && block <= (offset + length - 1 - start) / VMH_CACHE_BLOCK_SIZE; block++)
        ok = block_ok(cache, block);
    if (!ok)
        cache->checks->corrupt = true;
    return ok;
}

/* vmh_cache_bytes_ok without a call in the usual case, bytes within one
 * block already verified: every read after a lookup's first few (26 a hit,
 * 27 % of the module's instructions as a call, callgrind). */
static inline bool bytes_ok(const struct vmh_cache *cache, uint64_t offset, uint64_t length)
{
    uint64_t start = cache->header->records_off, block = (offset - start) / VMH_CACHE_BLOCK_SIZE;
    if (offset >= start && offset < cache->size && length > 0 && length <= cache->size - offset &&
        block == (offset + length - 1 - start) / VMH_CACHE_BLOCK_SIZE &&
        (cache->checks->verified[block / 64] >> (block % 64) & 1))
        return true;
    return vmh_cache_bytes_ok(cache, offset, length);
}

static bool entry_ok(const struct vmh_cache *cache, const void *entry, size_t size)
{
    return bytes_ok(cache, (uint64_t)((const unsigned char *)entry - cache->data), size);
}

static bool string_ok(const struct vmh_cache *cache, uint32_t offset)
{
    return offset < cache->header->strings_size;
}

/* Block by block up to the NUL: the pool's last byte is one (pool_ok). */
static const char *string_in_blocks(const struct vmh_cache *cache, uint32_t offset)
{
    const char *start = cache->strings + offset, *end = cache->strings + cache->header->strings_size;
    for (const char *at = start; at < end;) {
        uint64_t in_block = (uint64_t)(at - (const char *)cache->data) - cache->header->records_off;
        size_t length = VMH_CACHE_BLOCK_SIZE - in_block % VMH_CACHE_BLOCK_SIZE;
        length = length < (size_t)(end - at) ? length : (size_t)(end - at);
        if (!entry_ok(cache, at, length))
            return "";
        if (memchr(at, '\0', length))
            return start;
        at += length;
    }
    cache->checks->corrupt = true;
    return "";
}

/* The usual case without a call: the string ends in a block verified
 * already.  A search reads a string per key it compares, and the general
 * path cost 88 instructions a string, a sixth of a hit's (callgrind). */
const char *vmh_cache_string(const struct vmh_cache *cache, uint32_t offset)
{
    if (!string_ok(cache, offset)) {
        cache->checks->corrupt = true;
        return "";
    }
    const char *start = cache->strings + offset;
    uint64_t at = (uint64_t)(start - (const char *)cache->data) - cache->header->records_off;
    uint64_t block = at / VMH_CACHE_BLOCK_SIZE;
    uint64_t in_block = VMH_CACHE_BLOCK_SIZE - at % VMH_CACHE_BLOCK_SIZE;
    uint64_t in_pool = cache->header->strings_size - offset;
    if ((cache->checks->verified[block / 64] >> (block % 64) & 1) &&
        memchr(start, '\0', in_block < in_pool ? in_block : in_pool))
        return start;
    return string_in_blocks(cache, offset);
}

/* With the pool starting and ending in a NUL, any offset inside it starts
 * a terminated C string. */
static bool pool_ok(const struct vmh_cache *cache)
{
    uint32_t size = cache->header->strings_size;
    return size >= 1 && entry_ok(cache, cache->strings, 1) &&
           entry_ok(cache, cache->strings + size - 1, 1) && cache->strings[0] == '\0' &&
           cache->strings[size - 1] == '\0';
}

static bool record_ok(const struct vmh_cache *cache, const struct vmh_cache_record *r)
{
    return string_ok(cache, r->name) && string_ok(cache, r->id) &&
           string_ok(cache, r->hostname) && string_ok(cache, r->project) &&
           string_ok(cache, r->service) &&
           (uint64_t)r->addr_first + r->addr_count <= cache->header->addr_count &&
           r->backend < cache->header->backend_count && r->state <= VMH_STATE_RUNNING;
}

const struct vmh_cache_record *vmh_cache_record(const struct vmh_cache *cache, uint32_t index)
{
    static const struct vmh_cache_record none;
    if (index < cache->header->record_count &&
        (cache->checks->record_checked == index + 1 ||
         (entry_ok(cache, &cache->records[index], sizeof none) &&
          record_ok(cache, &cache->records[index])))) {
        cache->checks->record_checked = index + 1;
        return &cache->records[index];
    }
    cache->checks->corrupt = true;
    return &none;
}

/* A network key names a network of its record and splits its text at a
 * dot with a name on each side, so that whoever reads the split (a refresh
 * keeping the networks) needs no check of its own. */
static bool network_key_ok(const struct vmh_cache *cache, const struct vmh_cache_key *k)
{
    if (k->kind != VMH_KEY_NETWORK)
        return true;
    const char *text = vmh_cache_string(cache, k->key);
    size_t split = vmh_network_key_name_length(k->reserved);
    return vmh_network_key_network(k->reserved) > 0 && split > 0 &&
           strnlen(text, split + 2) > split + 1 && text[split] == '.';
}

static bool key_ok(const struct vmh_cache *cache, const struct vmh_cache_key *k)
{
    return k->kind >= 1 && k->kind <= VMH_KEY_KIND_MAX && k->record < cache->header->record_count &&
           string_ok(cache, k->key) && network_key_ok(cache, k);
}

const struct vmh_cache_key *vmh_cache_key(const struct vmh_cache *cache, uint32_t index)
{
    static const struct vmh_cache_key none;
    if (index < cache->header->key_count && entry_ok(cache, &cache->keys[index], sizeof none) &&
        key_ok(cache, &cache->keys[index]))
        return &cache->keys[index];
    cache->checks->corrupt = true;
    return &none;
}

const struct vmh_cache_addr *vmh_cache_addr(const struct vmh_cache *cache, uint32_t index)
{
    static const struct vmh_cache_addr none;
    if (index < cache->header->addr_count && entry_ok(cache, &cache->addrs[index], sizeof none) &&
        (cache->addrs[index].family == 4 || cache->addrs[index].family == 6))
        return &cache->addrs[index];
    cache->checks->corrupt = true;
    return &none;
}

/* Which known backend a section name is, or VMH_BACKEND_COUNT. */
static enum vmh_backend backend_named(const char *name)
{
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++)
        if (strcmp(name, vmh_backend_section((enum vmh_backend)b)) == 0)
            return (enum vmh_backend)b;
    return VMH_BACKEND_COUNT;
}

/* Every section well formed, no name twice; fills the maps both ways.  The
 * sections are sealed, their strings read through the checks. */
static bool backends_ok(struct vmh_cache *cache)
{
    for (uint32_t i = 0; i < cache->header->backend_count; i++) {
        const struct vmh_cache_backend *section = &cache->sections[i];
        if (section->status > VMH_STATUS_MAX || !string_ok(cache, section->message) ||
            !string_ok(cache, section->name) || section->name == 0)
            return false;
        const char *name = vmh_cache_string(cache, section->name);
        vmh_cache_string(cache, section->message);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(name, vmh_cache_string(cache, cache->sections[j].name)) == 0)
                return false;
        enum vmh_backend backend = backend_named(name);
        cache->backend_of[i] = (uint8_t)backend;
        if (backend != VMH_BACKEND_COUNT)
            cache->section_of[backend] = section;
    }
    return !cache->checks->corrupt;
}

const struct vmh_cache_backend *vmh_cache_state(const struct vmh_cache *cache,
                                                enum vmh_backend backend)
{
    static const struct vmh_cache_backend never_asked = {.status = VMH_STATUS_NEVER};
    const struct vmh_cache_backend *section =
        cache && (unsigned)backend < VMH_BACKEND_COUNT ? cache->section_of[backend] : NULL;
    return section ? section : &never_asked;
}

/* A big-endian reader turns the tables around in place, after which no
 * checksum holds: it verifies every block first. */
static bool order_tables(struct vmh_cache *view)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint64_t start = view->header->records_off;
    if (start < view->size && !vmh_cache_bytes_ok(view, start, view->size - start))
        return false;
#endif
    vmh_cache_tables_byteswap(view->header, view->data);
    return true;
}

static void point(struct vmh_cache *view, unsigned char *data, size_t size)
{
    const struct vmh_cache_header *header = (const struct vmh_cache_header *)data;
    view->data = data;
    view->size = size;
    view->header = header;
    view->records = (const struct vmh_cache_record *)(data + header->records_off);
    view->keys = (const struct vmh_cache_key *)(data + header->keys_off);
    view->slots = (const uint32_t *)(data + header->slots_off);
    view->addrs = (const struct vmh_cache_addr *)(data + header->addrs_off);
    view->strings = (const char *)(data + header->strings_off);
    view->sections = (const struct vmh_cache_backend *)(data + header->backends_off);
    view->blocks = (const uint32_t *)(data + header->blocks_off);
}

/* The header, the block table and the sections, which are small; the
 * first and last byte of the pool, which every string's end relies on.
 * Records, keys and addresses are checked as they are read. */
enum vmh_cache_error vmh_cache_parse(struct vmh_cache *cache, unsigned char *data, size_t size)
{
    struct vmh_cache view;
    memset(cache, 0, sizeof *cache);
    memset(&view, 0, sizeof view);
    enum vmh_cache_error error = data ? header_ok(data, size) : VMH_CACHE_CORRUPT;
    if (error != VMH_CACHE_OK)
        return error;
    struct vmh_cache_header *header = (struct vmh_cache_header *)data;
    vmh_cache_header_byteswap(header);
    if (header->header_size != sizeof *header || header->file_size != size || !layout_ok(header))
        return VMH_CACHE_CORRUPT;
    view.checks = calloc(1, sizeof *view.checks + (header->block_count + 63) / 64 * 8);
    if (!view.checks)
        return VMH_CACHE_IO;
    point(&view, data, size);
    if (!order_tables(&view) || !pool_ok(&view) || !backends_ok(&view)) {
        free(view.checks);
        return VMH_CACHE_CORRUPT;
    }
    *cache = view;
    return VMH_CACHE_OK;
}

void vmh_cache_forget(struct vmh_cache *cache)
{
    if (cache)
        free(cache->checks);
    if (cache)
        memset(cache, 0, sizeof *cache);
}

bool vmh_cache_stat_trusted(const struct stat *st, uid_t euid)
{
    return vmh_stat_trusted(st, euid);
}

/* Exactly `size` bytes, and then the end of the file: a file that shrank or
 * grew while we read it is not one version of the cache. */
static enum vmh_cache_error read_exact(int fd, unsigned char *data, size_t size)
{
    size_t done = 0;
    ssize_t got;
    while (done < size) {
        got = read(fd, data + done, size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return VMH_CACHE_IO;
        if (got == 0)
            return VMH_CACHE_CORRUPT;
        done += (size_t)got;
    }
    unsigned char extra;
    do
        got = read(fd, &extra, 1);
    while (got < 0 && errno == EINTR);
    return got == 0 ? VMH_CACHE_OK : got > 0 ? VMH_CACHE_CORRUPT : VMH_CACHE_IO;
}

static enum vmh_cache_error open_dir(const char *dir, uid_t euid, int *dir_fd)
{
    struct stat st;
    *dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*dir_fd < 0)
        return errno == ENOENT                     ? VMH_CACHE_MISSING
               : errno == ELOOP || errno == ENOTDIR ? VMH_CACHE_UNTRUSTED
                                                    : VMH_CACHE_IO;
    if (fstat(*dir_fd, &st) != 0)
        return VMH_CACHE_IO;
    return S_ISDIR(st.st_mode) && vmh_cache_stat_trusted(&st, euid) ? VMH_CACHE_OK
                                                                    : VMH_CACHE_UNTRUSTED;
}

/* O_NONBLOCK: a FIFO planted as the cache must not hang the lookup in
 * open(); it is then refused as not a regular file. */
static enum vmh_cache_error open_file(int dir_fd, uid_t euid, int *fd, struct stat *st)
{
    *fd = openat(dir_fd, VMH_CACHE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0)
        return errno == ENOENT ? VMH_CACHE_MISSING : errno == ELOOP ? VMH_CACHE_UNTRUSTED
                                                                     : VMH_CACHE_IO;
    if (fstat(*fd, st) != 0)
        return VMH_CACHE_IO;
    if (!S_ISREG(st->st_mode) || !vmh_cache_stat_trusted(st, euid))
        return VMH_CACHE_UNTRUSTED;
    /* Sized before a byte is read: a huge file costs one fstat. */
    if (st->st_size < (off_t)sizeof(struct vmh_cache_header) ||
        st->st_size > (off_t)VMH_CACHE_MAX_SIZE)
        return VMH_CACHE_CORRUPT;
    return VMH_CACHE_OK;
}

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define MAP_CACHE 0 /* the reader turns the integers around in place: a copy */
#else
#define MAP_CACHE 1
#endif

static enum vmh_cache_error map_cache(int fd, size_t size, struct vmh_cache *cache)
{
    /* Page-aligned, so every table's alignment holds; never written. */
    unsigned char *data = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED)
        return VMH_CACHE_IO;
    enum vmh_cache_error error = vmh_cache_parse(cache, data, size);
    if (error != VMH_CACHE_OK)
        munmap(data, size);
    cache->mapped = error == VMH_CACHE_OK;
    return error;
}

static enum vmh_cache_error read_cache(int fd, size_t size, struct vmh_cache *cache)
{
    enum vmh_cache_error mapped = MAP_CACHE ? map_cache(fd, size, cache) : VMH_CACHE_IO;
    if (mapped != VMH_CACHE_IO) /* a file system that cannot map: a copy */
        return mapped;
    /* malloc's alignment suits every table in the file. */
    unsigned char *data = malloc(size);
    if (!data)
        return VMH_CACHE_IO;
    enum vmh_cache_error error = read_exact(fd, data, size);
    if (error == VMH_CACHE_OK)
        error = vmh_cache_parse(cache, data, size);
    if (error != VMH_CACHE_OK)
        free(data);
    return error;
}

static enum vmh_cache_error load(const char *dir, uid_t euid, struct vmh_cache *cache,
                                 struct stat *st)
{
    int dir_fd = -1, fd = -1;
    struct stat file_st;
    enum vmh_cache_error error = open_dir(dir, euid, &dir_fd);
    if (error == VMH_CACHE_OK)
        error = open_file(dir_fd, euid, &fd, &file_st);
    if (error == VMH_CACHE_OK)
        error = read_cache(fd, (size_t)file_st.st_size, cache);
    if (error == VMH_CACHE_OK && st)
        *st = file_st;
    if (fd >= 0)
        close(fd);
    if (dir_fd >= 0)
        close(dir_fd);
    return error;
}

/* errno is the calling program's: a missing cache must not leave ENOENT
 * behind in a lookup that then succeeds from another source. */
enum vmh_cache_error vmh_cache_load(const char *dir, uid_t euid, struct vmh_cache *cache,
                                    struct stat *st)
{
    int saved_errno = errno;
    memset(cache, 0, sizeof *cache);
    enum vmh_cache_error error = dir ? load(dir, euid, cache, st) : VMH_CACHE_MISSING;
    errno = saved_errno;
    return error;
}

static int64_t cache_rank(const struct vmh_cache *cache, enum vmh_backend backend)
{
    const struct vmh_cache_backend *state = vmh_cache_state(cache, backend);
    if (state->status == VMH_STATUS_OK)
        return INT64_MAX / 2 + state->updated_ms / 2;
    return state->attempted_ms / 2;
}

const struct vmh_cache *vmh_cache_choose(const struct vmh_cache *own,
                                         const struct vmh_cache *root, enum vmh_backend backend)
{
    if (own && !own->data)
        own = NULL;
    if (root && !root->data)
        root = NULL;
    if (!own || !root)
        return own ? own : root;
    return cache_rank(root, backend) > cache_rank(own, backend) ? root : own;
}

void vmh_cache_free(struct vmh_cache *cache)
{
    if (!cache)
        return;
    if (cache->mapped)
        munmap(cache->data, cache->size);
    else
        free(cache->data);
    vmh_cache_forget(cache);
}

static int key_compare(const struct vmh_cache *cache, uint16_t kind, const char *key,
                       const struct vmh_cache_key *other)
{
    if (kind != other->kind)
        return kind < other->kind ? -1 : 1;
    return strcmp(key, vmh_cache_string(cache, other->key));
}

/* The first key not ordered before (kind, key), for a prefix.  The order
 * is not checked on load (that would read every key): a table out of order
 * can only make the search miss, since every key it probes is checked and
 * a key counts only when it compares equal; `vmhosts` checks the order in
 * full. */
static uint32_t lower_bound(const struct vmh_cache *cache, uint16_t kind, const char *key)
{
    uint32_t low = 0, high = cache->header->key_count;
    while (low < high) {
        uint32_t middle = low + (high - low) / 2;
        if (key_compare(cache, kind, key, vmh_cache_key(cache, middle)) > 0)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

/* The index of the first key equal to (kind, key) plus one, 0 for none.
 * Like the order, the slots are not checked on load: a slot that points
 * at the wrong key can only make the search miss, since a key counts only
 * when it compares equal; `vmhosts` checks every slot. */
static uint32_t slot_of(const struct vmh_cache *cache, uint16_t kind, const char *key)
{
    uint32_t mask = cache->header->slot_count - 1;
    uint32_t at = vmh_cache_key_hash(kind, key) & mask;
    for (uint32_t probes = 0; probes < cache->header->slot_count; probes++, at = (at + 1) & mask) {
        if (!entry_ok(cache, &cache->slots[at], sizeof *cache->slots))
            return 0;
        uint32_t slot = le32toh(cache->slots[at]);
        if (slot == 0 || key_compare(cache, kind, key, vmh_cache_key(cache, slot - 1)) == 0)
            return slot;
    }
    return 0;
}

uint32_t vmh_cache_find(const struct vmh_cache *cache, enum vmh_key_kind kind, const char *key,
                        uint32_t *first)
{
    if (first)
        *first = 0;
    if (!cache || !cache->header || !key || cache->header->slot_count == 0)
        return 0;
    uint32_t slot = slot_of(cache, (uint16_t)kind, key);
    if (slot == 0)
        return 0;
    uint32_t start = slot - 1, end = slot;
    while (end < cache->header->key_count &&
           key_compare(cache, (uint16_t)kind, key, vmh_cache_key(cache, end)) == 0)
        end++;
    if (first)
        *first = start;
    return end - start;
}

/* Every key starting with the prefix sorts at or after the prefix itself
 * and before any key of the kind that does not start with it. */
uint32_t vmh_cache_find_prefix(const struct vmh_cache *cache, enum vmh_key_kind kind,
                               const char *prefix, uint32_t *first)
{
    if (first)
        *first = 0;
    if (!cache || !cache->header || !prefix)
        return 0;
    size_t length = strlen(prefix);
    uint32_t start = lower_bound(cache, (uint16_t)kind, prefix), end = start;
    while (end < cache->header->key_count && vmh_cache_key(cache, end)->kind == kind &&
           strncmp(vmh_cache_string(cache, vmh_cache_key(cache, end)->key), prefix, length) == 0)
        end++;
    if (first)
        *first = start;
    return end - start;
}
