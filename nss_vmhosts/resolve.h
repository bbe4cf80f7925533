/* The name rules applied to a validated cache: what a name answers and why.
 * The module packs the answer for glibc; `vmhosts lookup` prints the why. */
#ifndef VMHOSTS_RESOLVE_H
#define VMHOSTS_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "names.h"

#define VMH_ANSWER_MAX_ADDRS 64
#define VMH_ANSWER_MAX_ALIASES 2

/* Or'd into vmh_resolve's family (AF_INET or AF_INET6): the answer holds
 * that family's addresses alone, so up to VMH_ANSWER_MAX_ADDRS of them.
 * For a caller that asks one family (gethostbyname2, the DNS face's A and
 * AAAA), which would otherwise get only its own among the first 64 of
 * both; getaddrinfo asks both, in the one limit. */
#define VMH_FAMILY_ONLY 0x10000
/* Or'd into vmh_resolve's family too: the caller reads no aliases, so the
 * answer holds none.  getaddrinfo's gaih_addrtuple has no room for them,
 * and folding and comparing a container's hostname for one was a seventh
 * of the module's instructions in a hit (callgrind). */
#define VMH_NO_ALIASES 0x20000

enum vmh_result {
    VMH_FOUND = 0,
    VMH_NOT_OURS,        /* UNAVAIL, ENOENT: let the next source answer */
    VMH_NOT_FOUND,       /* ours, no such container or VM: NOTFOUND */
    VMH_NO_DATA,         /* exists, no address of the asked family */
    VMH_UNAVAILABLE      /* the backend is down and nothing answers */
};

/* Which rule decided, for `vmhosts lookup`. */
enum vmh_rule {
    VMH_RULE_NONE = 0,
    VMH_RULE_NOT_OURS,
    VMH_RULE_EXACT_ID,
    VMH_RULE_NAME,
    VMH_RULE_ID_PREFIX,
    VMH_RULE_AMBIGUOUS_PREFIX,
    VMH_RULE_COMPOSE,
    VMH_RULE_HOSTNAME,
    VMH_RULE_NETWORK,           /* <name>.<network>: that network's addresses */
    VMH_RULE_LABEL,             /* a name a vmhosts.names label chose */
    VMH_RULE_LABEL_CONFLICT,    /* ... that several running containers chose */
    VMH_RULE_WILDCARD,          /* below a name of a vmhosts.wildcard container */
    VMH_RULE_VM,
    VMH_RULE_NOT_RUNNING,
    VMH_RULE_NO_ADDRESS,
    VMH_RULE_NO_MATCH,
    VMH_RULE_BACKEND_DOWN
};

struct vmh_answer {
    enum vmh_result result;
    enum vmh_rule rule;
    int cause_errno;                /* with VMH_UNAVAILABLE */
    char canonical[VMH_NAME_MAX + 1];
    /* The container's other names: the asked one when not canonical, its
     * hostname; each at most once, "" when unused. */
    char aliases[VMH_ANSWER_MAX_ALIASES][VMH_NAME_MAX + 1];
    uint32_t record;                /* the first record that matched */
    uint8_t only_family;            /* 4 or 6 with VMH_FAMILY_ONLY, else 0 */
    bool aliases_wanted;            /* false with VMH_NO_ALIASES */
    uint32_t addr_count;
    struct vmh_cache_addr addrs[VMH_ANSWER_MAX_ADDRS];
};

/* family: AF_INET, AF_INET6 (either with VMH_FAMILY_ONLY) or AF_UNSPEC,
 * any of them with VMH_NO_ALIASES.
 * `cache` may be NULL (no cache).
 * Copies everything it answers out of the cache. */
void vmh_resolve(const struct vmh_cache *cache, const struct vmh_name *name, int family,
                 struct vmh_answer *answer);

/* Reverse: the running container or VM with this address (4 bytes for
 * AF_INET, 16 for AF_INET6).  canonical is `<name>.<docker_suffix>` or
 * `<vm>.<first domain>`; alias the container's hostname when it has one
 * that differs.  VMH_NOT_OURS when no record has it.  The answer's only
 * address is the one asked. */
void vmh_resolve_address(const struct vmh_cache *cache, const struct vmh_config *config,
                         int family, const void *address, struct vmh_answer *answer);

/* For an answer of one container by its own name or ID: puts the addresses
 * of its preferred networks first, in that order, the others after, each
 * group in the cache's order.  The container's vmhosts.network label
 * decides when it has one, else `preferred` (the docker_networks setting:
 * network names, lowercase, single spaces).  Any other answer is left. */
void vmh_answer_prefer_networks(const struct vmh_cache *cache, const char *preferred,
                                struct vmh_answer *answer);

/* Whether `record` may answer `claim`, a name it chose: an instance of a
 * project other than the default (named `<instance>.<project>`) only
 * names of its own project (`<x>.<project>.<domain>`). */
bool vmh_label_may_claim(const struct vmh_cache *cache, const struct vmh_cache_record *record,
                         const struct vmh_name *claim);

/* Makes `answer` a miss for `rule`: no name, no alias, no address. */
void vmh_answer_set_miss(struct vmh_answer *answer, enum vmh_result result, enum vmh_rule rule);

/* The errno that stands for a backend status (ECONNREFUSED, EACCES, ...). */
int vmh_status_errno(uint32_t status);

#endif
