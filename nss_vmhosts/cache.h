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

/* A validated cache in memory.  `data` is owned and aligned: the file
 * mapped read-only (vmh_cache_load; `mapped`), or malloc'd. */
struct vmh_cache {
    unsigned char *data;
    size_t size;
    bool mapped;
    const struct vmh_cache_header *header;
    const struct vmh_cache_record *records;
    const struct vmh_cache_key *keys;
    const struct vmh_cache_addr *addrs;
    const char *strings;
    const struct vmh_cache_backend *sections;
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

/* Validates `size` bytes at `data` in place.  On success fills *cache with
 * pointers into data (which the caller keeps owning). */
enum vmh_cache_error vmh_cache_parse(struct vmh_cache *cache, unsigned char *data, size_t size);

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

static inline const char *vmh_cache_string(const struct vmh_cache *cache, uint32_t offset)
{
    return cache->strings + offset;
}

/* The keys of `kind` equal to `key` (lowercase): index of the first and how
 * many.  Returns the count. */
uint32_t vmh_cache_find(const struct vmh_cache *cache, enum vmh_key_kind kind, const char *key,
                        uint32_t *first);

/* The keys of `kind` that start with `prefix`. */
uint32_t vmh_cache_find_prefix(const struct vmh_cache *cache, enum vmh_key_kind kind,
                               const char *prefix, uint32_t *first);

#endif
