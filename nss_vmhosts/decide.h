/* The one rule for what a name answers and whether the backend must be
 * asked first: the module follows it, and `vmhosts lookup`, `list` and
 * `status` explain by calling it, so the two cannot drift.  A cache kept
 * by a running watcher is the caller's to see (it may answer however old
 * it looks); everything else is here. */
#ifndef VMHOSTS_DECIDE_H
#define VMHOSTS_DECIDE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "resolve.h"

struct vmh_decision {
    enum vmh_backend backend;       /* whose names these are */
    const struct vmh_cache *cache;  /* the cache that answered (own or root); NULL: none */
    bool stale;                     /* that cache: none, a failed last refresh, or past the ttl */
    /* How long a caller (nscd, the DNS face's clients) may keep the
     * answer: what is left of that cache's freshness, in whole seconds,
     * from the one clock read.  A stale cache's answer stands only when a
     * watcher keeps the cache or a refresh has just failed, and is then
     * given the backend's whole ttl. */
    int32_t ttl_s;
    bool refresh;                   /* ask the backend before the answer stands */
};

/* How long a backend's answer stays fresh, in seconds (ttl, multipass_ttl). */
long vmh_backend_ttl_s(const struct vmh_config *config, enum vmh_backend backend);

/* How long `backend`'s answers in `cache` stay fresh from now, in ms: 0
 * when there is no cache, its last refresh of the backend failed, or its
 * ttl has passed. */
int64_t vmh_cache_fresh_ms(const struct vmh_cache *cache, const struct vmh_config *config,
                           enum vmh_backend backend);

/* No cache, a failed last refresh of `backend`, or older than its ttl. */
bool vmh_cache_stale(const struct vmh_cache *cache, const struct vmh_config *config,
                     enum vmh_backend backend);

/* Whether the answer stands without asking the backend again.  A fresh
 * cache's hit stands, and so does its miss of a bare name (a single label
 * is DNS's unless a container has it).  A stale cache's answers do not,
 * except for a bare name no container in it has: such a name never waits
 * on Docker, even a hung one. */
bool vmh_answer_stands(const struct vmh_name *name, const struct vmh_answer *answer, bool stale);

/* Answers `name` from `first`, or from `second` when first does not have
 * it (NOTFOUND: no such name, not running, no address) and second, fresh
 * (vmh_cache_stale), does (an address, or none of that family).  Returns
 * the cache that answered.  So a user's own cache, which alone holds their
 * rootless engine's containers, and root's, which holds the engines the
 * user may not open, both answer, each for the names it has; a stale
 * cache's hit never overrides the other's miss (a container removed since
 * would answer an address that may be another's by now). */
const struct vmh_cache *vmh_resolve_either(const struct vmh_cache *first,
                                           const struct vmh_cache *second,
                                           const struct vmh_config *config,
                                           const struct vmh_name *name, int family,
                                           struct vmh_answer *answer);

/* Answers a classified name of ours from the better of two trusted caches
 * (vmh_cache_choose; either may have no data), or from the other one
 * when only it has the name (vmh_resolve_either), into *answer, and says
 * in *decision which cache answered and whether to refresh first. */
void vmh_decide(const struct vmh_cache *own, const struct vmh_cache *root,
                const struct vmh_config *config, const struct vmh_name *name, int family,
                struct vmh_answer *answer, struct vmh_decision *decision);

/* Reverse: answers `address` from the better cache for `backend`, or from
 * the other one when it is fresh and the first has no such address (as
 * vmh_resolve_either does forward), and says which one answered and its
 * ttl in *decision (refresh is never asked for a reverse lookup). */
void vmh_decide_address(const struct vmh_cache *own, const struct vmh_cache *root,
                        const struct vmh_config *config, enum vmh_backend backend, int family,
                        const void *address, struct vmh_answer *answer,
                        struct vmh_decision *decision);

/* Whether a running watcher of a cache (root's when `root_cache`) vouches
 * for `answer` (which that cache gave when `answered_by_it`), so that a
 * lookup by `euid` starts nothing.  Root's watcher follows root's engines,
 * never one a user runs (rootless.h), whose containers only that user's
 * own cache holds: a Docker name that root's watched cache does not have,
 * looked up by a user whose own engine's socket exists (in the runtime
 * folder, or listed in config's docker_socket), is not vouched for, and
 * the user's own cache is refreshed. */
bool vmh_watcher_covers(const struct vmh_config *config, bool root_cache, uid_t euid,
                        const struct vmh_name *name, const struct vmh_answer *answer,
                        bool answered_by_it);

#endif
