/* Reading a cache file: trust checks, validation, and the look-ups the
 * name rules need.  Used by the module and by the vmhosts command. */
#ifndef VMHOSTS_CACHE_H
#define VMHOSTS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cache_format.h"

#define VMH_CACHE_FILE "hosts.cache"
#define VMH_CACHE_LOCK "refresh.lock"
/* When a refresh a lookup started was last killed (trigger.h); a file of
 * its own, since closing any descriptor of refresh.lock would release
 * the record lock another thread of the process holds on it. */
#define VMH_REFRESH_KILLED "refresh.killed"

/* What a lookup has found of a cache it reads lazily: which blocks are
 * verified, and whether one failed.  A lookup gets the cache const and
 * still records both here, behind a pointer. */
struct vmh_cache_checks {
    bool corrupt;
    /* The index + 1 of the record last found whole: an answer reads its
     * record at each of its four steps, and checking it whole each time
     * was a twentieth of a whole hit's instructions (callgrind). */
    uint32_t record_checked;
    uint64_t verified[]; /* a bit per block */
};

/* A cache whose header, block table and sections are validated, the rest
 * checked as it is read (the accessors below).  `data` is owned and
 * aligned: the file mapped read-only (vmh_cache_load; `mapped`), or
 * malloc'd. */
struct vmh_cache {
    unsigned char *data;
    size_t size;
    bool mapped;
    const struct vmh_cache_header *header;
    const struct vmh_cache_record *records;
    const struct vmh_cache_key *keys;
    const uint32_t *slots;           /* the key slots, little-endian */
    const struct vmh_cache_addr *addrs;
    const char *strings;
    const struct vmh_cache_backend *sections;
    const uint32_t *blocks;          /* the block table, little-endian */
    struct vmh_cache_checks *checks; /* allocated by vmh_cache_parse */
    /* Found by name once per load: the section of each backend this
     * version knows (NULL: never asked), and the backend of each section
     * (VMH_BACKEND_COUNT: one this version does not know). */
    const struct vmh_cache_backend *section_of[VMH_BACKEND_COUNT];
    uint8_t backend_of[VMH_CACHE_MAX_BACKENDS];
};

/* Why a cache file was not used; for `vmhosts status` and the tests. */
enum vmh_cache_error {
    VMH_CACHE_OK = 0,
    VMH_CACHE_MISSING,      /* no file: not an error for a lookup */
    VMH_CACHE_UNTRUSTED,    /* owner or mode of the file or its folder, or a symlink */
    VMH_CACHE_IO,           /* could not be read */
    VMH_CACHE_CORRUPT,      /* bad magic, size, offset, order or checksum */
    VMH_CACHE_OTHER_VERSION /* written by another version of vmhosts */
};

/* How `backend` last answered, as the cache records it: its section, or
 * one that says it was never asked. */
const struct vmh_cache_backend *vmh_cache_state(const struct vmh_cache *cache,
                                                enum vmh_backend backend);

/* The backend a record belongs to; VMH_BACKEND_COUNT for a backend this
 * version does not know, whose records answer nothing. */
static inline enum vmh_backend vmh_record_backend(const struct vmh_cache *cache,
                                                  const struct vmh_cache_record *record)
{
    return (enum vmh_backend)cache->backend_of[record->backend];
}

/* Validates the header, block table and sections of `size` bytes at
 * `data` in place.  On success fills *cache with pointers into data (which
 * the caller keeps owning: vmh_cache_forget, or vmh_cache_free to free it
 * too when it was malloc'd). */
enum vmh_cache_error vmh_cache_parse(struct vmh_cache *cache, unsigned char *data, size_t size);

/* Releases what vmh_cache_parse allocated, not the data. */
void vmh_cache_forget(struct vmh_cache *cache);

/* Everything vmh_cache_parse leaves to the accessors, now: every block,
 * entry and the key order.  For the vmhosts command, which reports a
 * corrupt cache as such (tools/snapshot/cache_verify.c). */
bool vmh_cache_verify_all(const struct vmh_cache *cache);

/* vmh_cache_load, then vmh_cache_verify_all: a cache corrupt anywhere is
 * VMH_CACHE_CORRUPT (tools/snapshot/cache_verify.c). */
enum vmh_cache_error vmh_cache_load_all(const char *dir, uid_t euid, struct vmh_cache *cache,
                                        struct stat *st);

/* Whether a file or folder with this stat may be trusted by a process whose
 * effective user is `euid`: owned by root or by euid, not writable by group
 * or others. */
bool vmh_cache_stat_trusted(const struct stat *st, uid_t euid);

/* Reads and validates dir/hosts.cache after checking that dir and the file
 * are trusted and not symlinks.  On VMH_CACHE_OK, *cache owns its data
 * (vmh_cache_free) and *st is the file's stat, for change detection. */
enum vmh_cache_error vmh_cache_load(const char *dir, uid_t euid, struct vmh_cache *cache,
                                    struct stat *st);

void vmh_cache_free(struct vmh_cache *cache);

/* Whether two stats describe the same version of a file: how a cache, or
 * the settings, is known unchanged from an lstat, without reading it. */
static inline bool vmh_same_file_version(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Of two trusted caches (either may have no data), the one to answer
 * `backend` from: a successful refresh beats a failed one, a newer one an
 * older one; `own` on a tie.  NULL when neither has data. */
const struct vmh_cache *vmh_cache_choose(const struct vmh_cache *own,
                                         const struct vmh_cache *root, enum vmh_backend backend);

/* Entries, checked as they are read: the index or offset in range, the
 * blocks its bytes lie in verified (once each), its fields valid.  A check
 * that fails marks the cache corrupt (vmh_cache_corrupt) and gives an
 * empty entry that answers nothing (a stopped record without addresses,
 * a key of no kind, "").  A string is verified up to its NUL. */
const struct vmh_cache_record *vmh_cache_record(const struct vmh_cache *cache, uint32_t index);
const struct vmh_cache_key *vmh_cache_key(const struct vmh_cache *cache, uint32_t index);
const struct vmh_cache_addr *vmh_cache_addr(const struct vmh_cache *cache, uint32_t index);
const char *vmh_cache_string(const struct vmh_cache *cache, uint32_t offset);

/* Whether `length` bytes at `offset` in the file, past the sealed part,
 * are as written: verifies the blocks they lie in, or marks it corrupt. */
bool vmh_cache_bytes_ok(const struct vmh_cache *cache, uint64_t offset, uint64_t length);

/* Whether an accessor found the cache corrupt: whatever was read from it
 * since may be the empty entries' and must not answer. */
static inline bool vmh_cache_corrupt(const struct vmh_cache *cache)
{
    return cache && cache->checks && cache->checks->corrupt;
}

/* The keys of `kind` equal to `key` (lowercase): index of the first and how
 * many, through the key slots.  Returns the count. */
uint32_t vmh_cache_find(const struct vmh_cache *cache, enum vmh_key_kind kind, const char *key,
                        uint32_t *first);

/* The keys of `kind` that start with `prefix`. */
uint32_t vmh_cache_find_prefix(const struct vmh_cache *cache, enum vmh_key_kind kind,
                               const char *prefix, uint32_t *first);

#endif
