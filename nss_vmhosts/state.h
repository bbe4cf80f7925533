/* The module's process-wide view: the settings and the caches it trusts,
 * kept between lookups (behind a lock) so that a hit costs one lstat per
 * cache; and the decision to run the refresher, single-flight across
 * processes through a lock file. */
#ifndef VMHOSTS_STATE_H
#define VMHOSTS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "resolve.h"
#include "trigger.h"

/* Resolves `name` for `family` (AF_INET or AF_INET6, either with
 * VMH_FAMILY_ONLY, or AF_UNSPEC), refreshing the cache first when it is
 * stale or an explicit name misses, and fills *answer and *ttl (seconds a
 * caller such as nscd may keep the answer).  Never blocks longer than
 * timeout_ms. */
void vmh_state_lookup(const char *name, int family, struct vmh_answer *answer, int32_t *ttl);

/* vmh_state_lookup without the wait, for a process that must never block
 * on one (the DNS face): true when the answer wants a refresh first, which
 * *trigger then describes for vmh_state_refresh; *answer is what the
 * caches say meanwhile. */
bool vmh_state_lookup_nowait(const char *name, int family, struct vmh_answer *answer,
                             int32_t *ttl, struct vmh_trigger *trigger);

/* Runs that refresh and waits for it as a lookup does (timeout_ms at
 * most); a lookup after it reads what it wrote. */
void vmh_state_refresh(const struct vmh_trigger *trigger);

/* Reverse: the names of the running container or VM with this address. */
void vmh_state_lookup_address(int family, const void *address, struct vmh_answer *answer,
                              int32_t *ttl);

#endif
