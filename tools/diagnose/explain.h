/* What `vmhosts list`, `lookup` and `status` share: the caches the module
 * would read, chosen the way the module chooses them, refreshed the way the
 * module would refresh them, and the words that explain them to a person. */
#ifndef VMHOSTS_EXPLAIN_H
#define VMHOSTS_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "cache.h"
#include "refresh.h"

/* One cache file as the module would see it. */
struct vmh_cli_cache {
    char dir[VMH_PATH_MAX];  /* "" when this slot does not apply */
    const char *whose;       /* "root's" or "yours" (after a path, and in JSON) */
    const char *owner;       /* "root's" or "your" (before "cache") */
    enum vmh_cache_error error;
    struct vmh_cache cache;  /* data NULL unless error is VMH_CACHE_OK */
    bool watched;            /* a `vmhosts watch` keeps it fresh */
};

/* The module's view from this process: its own cache (the one its
 * refresher writes) and, for a user other than root, root's. */
struct vmh_cli_view {
    const struct vmh_config *config;
    struct vmh_cli_cache own, root;
    bool own_squatted;                  /* another user made /tmp/vmhosts-<uid> first */
    bool refreshed[VMH_BACKEND_COUNT];  /* this command ran the refresher */
    int refresh_result[VMH_BACKEND_COUNT];
};

void vmh_view_open(struct vmh_cli_view *view, const struct vmh_config *config);
void vmh_view_close(struct vmh_cli_view *view);

/* The cache the module answers `backend`'s names from, as state.c picks it:
 * a successful refresh beats a failed one, a newer one an older one.  NULL
 * when neither cache could be read. */
const struct vmh_cli_cache *vmh_view_choose(const struct vmh_cli_view *view,
                                            enum vmh_backend backend);

/* Whether the module would refresh before answering from that cache: no
 * cache, a failed last refresh, or older than the backend's ttl; and no
 * watcher keeps it. */
bool vmh_view_stale(const struct vmh_cli_view *view, enum vmh_backend backend);

/* Runs the refresher in this process for `backend` into the own cache, as
 * the module would, and reads the caches again. */
void vmh_view_refresh(struct vmh_cli_view *view, enum vmh_backend backend);

/* Refreshes each backend in the mask that is stale. */
void vmh_view_refresh_stale(struct vmh_cli_view *view, unsigned backends);

/* "3 s ago", "2 min ago", "never", "in the future" (clock skew). */
void vmh_format_age(int64_t then_ms, char *out, size_t size);

/* The cache's path, "dir/hosts.cache". */
void vmh_cache_path(const struct vmh_cli_cache *slot, char *out, size_t size);

/* What to do about a backend that failed with this status and message:
 * one sentence, never empty. */
const char *vmh_backend_advice(enum vmh_backend backend, uint32_t status, const char *message);

/* The first 12 characters of a Docker ID, as `docker ps` shows it. */
void vmh_short_id(const char *id, char out[13]);

/* An address as text. */
void vmh_format_address(const struct vmh_cache_addr *addr, char *out, size_t size);

#endif
