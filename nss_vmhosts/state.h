/* The module's process-wide view: the settings and the caches it trusts,
 * kept between lookups (behind a lock) so that a hit costs one lstat per
 * cache; and the decision to run the refresher, single-flight across
 * processes through a lock file. */
#ifndef VMHOSTS_STATE_H
#define VMHOSTS_STATE_H

#include <stdint.h>

#include "resolve.h"

/* Resolves `name` for `family` (AF_INET or AF_INET6, either with
 * VMH_FAMILY_ONLY, or AF_UNSPEC), refreshing the cache first when it is
 * stale or an explicit name misses, and fills *answer and *ttl (seconds a
 * caller such as nscd may keep the answer).  Never blocks longer than
 * timeout_ms. */
void vmh_state_lookup(const char *name, int family, struct vmh_answer *answer, int32_t *ttl);

/* Reverse: the names of the running container or VM with this address. */
void vmh_state_lookup_address(int family, const void *address, struct vmh_answer *answer,
                              int32_t *ttl);

#endif
