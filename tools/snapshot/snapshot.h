/* What a refresh knows: every container and VM with its addresses, and how
 * each backend answered.  Built by the backends, merged with the previous
 * cache, written by cache_write.c. */
#ifndef VMHOSTS_SNAPSHOT_H
#define VMHOSTS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "part.h"

#define VMH_HOST_MAX_ADDRS 32
#define VMH_MESSAGE_MAX 512

/* A network the container is on, and the names it has there besides its
 * own (Docker's Aliases and DNSNames): each answers <name>.<network>. */
#define VMH_HOST_MAX_NETWORKS 32
#define VMH_NETWORK_MAX_ALIASES 32
struct vmh_host_network {
    char *name;         /* a valid host name (vmh_name_valid) */
    size_t alias_count;
    char **aliases;     /* valid host names, no repeats */
};

struct vmh_host {
    char *name;        /* container name without '/', or VM name */
    char *id;          /* Docker's full ID; NULL for a VM */
    char *hostname;    /* Config.Hostname; NULL when unknown or a VM */
    char *project;     /* Compose project label, or NULL */
    char *service;     /* Compose service label, or NULL */
    char *network_container; /* --network container:<id or name>: its addresses are that one's */
    uint8_t backend;   /* enum vmh_backend */
    uint8_t state;     /* enum vmh_record_state */
    bool rootless;     /* from a user's rootless engine: addresses are its published ports' */
    bool removed;      /* in a partial refresh: this ID is gone (vmh_snapshot_update_backend) */
    bool wildcard;     /* label vmhosts.wildcard=true: names below its names answer it */
    /* At most VMH_HOST_MAX_ADDRS, malloc'd to the room they need: inline,
     * they made a host 770 bytes, and copying 100,000 hosts out of the
     * cache was mostly the page faults of that array (perf). */
    size_t addr_count, addr_room;
    struct vmh_cache_addr *addrs; /* .network: index in networks + 1 */
    size_t network_count;
    struct vmh_host_network *networks;
    uint8_t preferred_network; /* the vmhosts.network label's, by number; 0: none */
    uint32_t was_record;       /* record + 1 in the file it was moved over from
                                * (tools/refresh/retained.c); 0: none */
    size_t chosen_count;
    char **chosen;             /* names its vmhosts.names label chose: valid, lowercase */
};

struct vmh_backend_state {
    int64_t updated_ms;
    int64_t attempted_ms;
    uint32_t status;   /* enum vmh_backend_status */
    char message[VMH_MESSAGE_MAX];
};

struct vmh_snapshot {
    struct vmh_host *hosts;
    size_t count, capacity;
    struct vmh_backend_state backends[VMH_BACKEND_COUNT];
    /* A backend's refresh asked only for some of its hosts, by ID (the
     * watcher's, after Docker's events: docker_changes.h): merge them with
     * vmh_snapshot_update_backend. */
    bool partial;
};

void vmh_snapshot_init(struct vmh_snapshot *snapshot);
void vmh_snapshot_free(struct vmh_snapshot *snapshot);

/* Frees the hosts from index `count` on and keeps the first `count`. */
void vmh_snapshot_truncate(struct vmh_snapshot *snapshot, size_t count);

/* Room for `wanted` hosts in all, so that adding up to that many moves
 * no host; on failure nothing changes. */
int vmh_snapshot_reserve(struct vmh_snapshot *snapshot, size_t wanted);

/* Appends a zeroed host; NULL when out of memory. */
struct vmh_host *vmh_snapshot_add(struct vmh_snapshot *snapshot);

/* A parser's message into err (err_size bytes; nothing when err is NULL),
 * for the backends' parsers, which all report this way. */
void vmh_parse_error(char *err, size_t err_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds an address given as text, once; returns false when it is not a
 * valid IPv4 or IPv6 address (inet_pton), is one no host answers at
 * (0.0.0.0, ::, IPv4-mapped IPv6), or the host has no room left. */
bool vmh_host_add_address(struct vmh_host *host, const char *text);

/* Room for `count` addresses (at most VMH_HOST_MAX_ADDRS); -1 when out of
 * memory. */
int vmh_host_reserve_addrs(struct vmh_host *host, size_t count);

/* Adds the network `name` (once; not when it is no host name or the host
 * has VMH_HOST_MAX_NETWORKS) and returns its number (index + 1), else 0;
 * -1 when out of memory. */
int vmh_host_add_network(struct vmh_host *host, const char *name);

/* Adds an alias to network number `network`, folded to lowercase, when
 * it is a valid host name, not the container's own name and not there
 * already.  -1 when out of memory, else 0. */
int vmh_host_add_alias(struct vmh_host *host, int network, const char *alias);

/* A vmhosts.names label: names separated by commas, each a host name of
 * two labels at least (one trailing dot dropped, blanks around it
 * ignored), stored lowercase, once; an entry that is no such name is
 * skipped.  At most VMH_CHOSEN_MAX names; a value longer than
 * VMH_CHOSEN_TEXT_MAX is refused whole, as no one writes such a label by
 * hand.  Which domains may answer them is the reader's call.  -1 only
 * when out of memory. */
#define VMH_CHOSEN_MAX 16
#define VMH_CHOSEN_TEXT_MAX 4096
int vmh_host_set_chosen_names(struct vmh_host *host, const char *value);

/* Adds one name as vmh_host_set_chosen_names adds each entry: 0 when it
 * is added or skipped, -1 when out of memory. */
int vmh_host_add_chosen_name(struct vmh_host *host, const char *entry, size_t length);

/* The number of the host's network called `name` (compared folded), or 0. */
int vmh_host_network_named(const struct vmh_host *host, const char *name);

/* Sets *to to a copy of text when it is a name we may answer
 * (vmh_name_valid: labels of 1 to 64 of [A-Za-z0-9_-], 253 in all), else
 * to NULL.  Every name a backend records goes through here, so a name with
 * a newline or an escape never reaches a cache, and so never glibc or a
 * terminal.  Returns -1 only when out of memory. */
int vmh_host_copy_name(char **to, const char *text);

/* Every backend, as bits (1 << enum vmh_backend). */
#define VMH_SNAPSHOT_ALL ((1u << VMH_BACKEND_COUNT) - 1)

/* Copies the hosts of `backends` (VMH_SNAPSHOT_ALL: every one) and every
 * backend's state from a validated cache. */
int vmh_snapshot_from_cache(struct vmh_snapshot *snapshot, const struct vmh_cache *cache,
                            unsigned backends);

/* Copies the hosts of `backend` whose ID is in `part` (part.h),
 * when `inside`, or those whose ID is not, and every backend's state. */
int vmh_snapshot_from_cache_part(struct vmh_snapshot *snapshot, const struct vmh_cache *cache,
                                 enum vmh_backend backend, const struct vmh_part *part,
                                 bool inside);

/* Which records of a validated cache have a Docker ID of `part`'s: 1 at
 * each one's index, in an array of record_count bytes the caller frees;
 * NULL when out of memory. */
unsigned char *vmh_snapshot_part_marks(const struct vmh_cache *cache, const struct vmh_part *part);

/* Drops every host of `backend` from `into` and moves in those of `from`
 * with from's state for that backend. */
int vmh_snapshot_replace_backend(struct vmh_snapshot *into, struct vmh_snapshot *from,
                                 enum vmh_backend backend);

/* Like vmh_snapshot_replace_backend for a partial refresh: each host of
 * `backend` in `from` replaces the host of `into` with its ID, or is added;
 * one marked `removed` only takes that host away.  The others stay. */
int vmh_snapshot_update_backend(struct vmh_snapshot *into, struct vmh_snapshot *from,
                                enum vmh_backend backend);

/* Writes dir/hosts.cache atomically (temporary file, rename; no fsync: cache_write.c),
 * creating dir with `dir_mode` if missing.  Returns 0, or -1 with a message
 * in err. */
int vmh_cache_write(const char *dir, unsigned dir_mode, const struct vmh_snapshot *snapshot,
                    int64_t now_ms, char *err, size_t err_size);

/* vmh_cache_write, and *written the stat of the file it put in place, for
 * a writer that knows what it wrote and need not check it again
 * (tools/refresh/refresh.c); zeroed when the file in place is not that
 * one any more, or on failure.  With `previous`, the file the hosts'
 * was_record name, as vmh_cache_build_after builds: 1 when written with
 * the keys in that file's order. */
int vmh_cache_write_stat(const char *dir, unsigned dir_mode, const struct vmh_snapshot *snapshot,
                         const struct vmh_cache *previous, int64_t now_ms, struct stat *written,
                         char *err, size_t err_size);

/* Whether two built caches of `size` bytes give the same answers: the same
 * bytes but for the time stamps (when written, when each backend answered
 * or was asked) and the seal over them. */
bool vmh_cache_same_answers(const unsigned char *a, const unsigned char *b, size_t size);

/* The cache file's bytes for a snapshot (malloc'd), for the writer and the
 * tests. */
int vmh_cache_build(const struct vmh_snapshot *snapshot, int64_t now_ms, unsigned char **data,
                    size_t *size);

/* The same bytes, the keys of hosts whose was_record names a record of
 * `previous` (a watcher's moved hosts: tools/refresh/retained.h) taken in
 * the order that file has them (key_sort.h) when it holds, instead of
 * sorted again.  1 when it held, 0 when all were sorted, -1 on failure.
 * `previous` may be NULL. */
int vmh_cache_build_after(const struct vmh_snapshot *snapshot, const struct vmh_cache *previous,
                          int64_t now_ms, unsigned char **data, size_t *size);

/* The bytes a cache of only `backend`'s hosts and section would have (the
 * other sections never asked): the same for two snapshots whose hosts of
 * it, and its state, answer alike (vmh_cache_same_answers), whatever the
 * rest holds.  The watcher compares a backend's part before and after a
 * poll with it, without building or reading the whole cache. */
int vmh_cache_build_section(const struct vmh_snapshot *snapshot, enum vmh_backend backend,
                            int64_t now_ms, unsigned char **data, size_t *size);

#endif
