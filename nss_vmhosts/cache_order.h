/* The cache's integers are little-endian in the file on every machine
 * (cache_format.h).  A big-endian machine turns them around in place: the
 * writer (tools/snapshot/cache_write.c) after laying a file out and before
 * sealing it, the reader (cache_read.c) after the checksums and before any
 * other check, so everything else reads plain fields: a big-endian reader
 * so verifies every block on load, which costs it little more than the copy
 * it makes anyway.  Turning around is its
 * own inverse, so one function serves both ways.  On a little-endian machine
 * the functions are empty and cost nothing; tests/e2e-foreign-arch.sh runs a
 * big-endian (s390x) build of both. */
#ifndef VMHOSTS_CACHE_ORDER_H
#define VMHOSTS_CACHE_ORDER_H

#include "cache_format.h"

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__

static inline void vmh_cache_header_byteswap(struct vmh_cache_header *h)
{
    h->version = __builtin_bswap32(h->version);
    h->header_size = __builtin_bswap32(h->header_size);
    h->file_size = __builtin_bswap64(h->file_size);
    h->checksum = __builtin_bswap64(h->checksum);
    h->written_ms = (int64_t)__builtin_bswap64((uint64_t)h->written_ms);
    uint32_t *counts[] = {&h->record_count, &h->records_off,  &h->key_count,
                          &h->keys_off,     &h->addr_count,   &h->addrs_off,
                          &h->strings_size, &h->strings_off,  &h->backend_count,
                          &h->backends_off, &h->block_count,  &h->blocks_off,
                          &h->slot_count,   &h->slots_off,    &h->replaced};
    for (unsigned i = 0; i < sizeof counts / sizeof *counts; i++)
        *counts[i] = __builtin_bswap32(*counts[i]);
}

static inline void vmh_cache_section_byteswap(struct vmh_cache_backend *s)
{
    s->name = __builtin_bswap32(s->name);
    s->status = __builtin_bswap32(s->status);
    s->updated_ms = (int64_t)__builtin_bswap64((uint64_t)s->updated_ms);
    s->attempted_ms = (int64_t)__builtin_bswap64((uint64_t)s->attempted_ms);
    s->message = __builtin_bswap32(s->message);
    s->reserved = __builtin_bswap32(s->reserved);
}

static inline void vmh_cache_record_byteswap(struct vmh_cache_record *r)
{
    uint32_t *fields[] = {&r->name,    &r->id,         &r->hostname,  &r->project,
                          &r->service, &r->addr_first, &r->addr_count};
    for (unsigned i = 0; i < sizeof fields / sizeof *fields; i++)
        *fields[i] = __builtin_bswap32(*fields[i]);
}

static inline void vmh_cache_key_byteswap(struct vmh_cache_key *k)
{
    k->key = __builtin_bswap32(k->key);
    k->kind = __builtin_bswap16(k->kind);
    k->reserved = __builtin_bswap16(k->reserved);
    k->record = __builtin_bswap32(k->record);
}

/* Every table after the header; `h` in this machine's order, its tables
 * inside `data` (the reader calls this only once the layout is checked and
 * every block verified: the block checksums are over the file's bytes).
 * Addresses and strings are bytes; the block table stays little-endian
 * (le32toh where it is read). */
static inline void vmh_cache_tables_byteswap(const struct vmh_cache_header *h,
                                             unsigned char *data)
{
    struct vmh_cache_backend *sections = (struct vmh_cache_backend *)(data + h->backends_off);
    struct vmh_cache_record *records = (struct vmh_cache_record *)(data + h->records_off);
    struct vmh_cache_key *keys = (struct vmh_cache_key *)(data + h->keys_off);
    for (uint32_t i = 0; i < h->backend_count; i++)
        vmh_cache_section_byteswap(&sections[i]);
    for (uint32_t i = 0; i < h->record_count; i++)
        vmh_cache_record_byteswap(&records[i]);
    for (uint32_t i = 0; i < h->key_count; i++)
        vmh_cache_key_byteswap(&keys[i]);
}

#else

static inline void vmh_cache_header_byteswap(struct vmh_cache_header *h)
{
    (void)h;
}

static inline void vmh_cache_tables_byteswap(const struct vmh_cache_header *h,
                                             unsigned char *data)
{
    (void)h;
    (void)data;
}

#endif

#endif
