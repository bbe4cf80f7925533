/* What a name answers and whether to refresh first: see decide.h. */
#include "decide.h"

#include "clock.h"
#include "rootless.h"

long vmh_backend_ttl_s(const struct vmh_config *config, enum vmh_backend backend)
{
    return (unsigned)backend < VMH_BACKEND_COUNT ? config->ttl_s[backend] : 0;
}

int64_t vmh_cache_fresh_ms(const struct vmh_cache *cache, const struct vmh_config *config,
                           enum vmh_backend backend)
{
    if (!cache || !cache->data)
        return 0;
    const struct vmh_cache_backend *state = vmh_cache_state(cache, backend);
    int64_t ttl_ms = (int64_t)vmh_backend_ttl_s(config, backend) * 1000;
    int64_t age = vmh_stamp_age_ms(vmh_realtime_coarse_ms(), state->updated_ms);
    /* A time stamp ahead of the clock: the clock was set back since, and
     * how old the answer is cannot be told.  Trusted, it would hold every
     * refresh back until the clock caught up. */
    if (state->status != VMH_STATUS_OK || age < 0 || age >= ttl_ms)
        return 0;
    return ttl_ms - age;
}

bool vmh_cache_stale(const struct vmh_cache *cache, const struct vmh_config *config,
                     enum vmh_backend backend)
{
    return vmh_cache_fresh_ms(cache, config, backend) == 0;
}

/* The clock is read once per decision: a hit is a few microseconds, and
 * clock_gettime a visible part of it. */
static void set_freshness(struct vmh_decision *decision, const struct vmh_config *config)
{
    int64_t fresh_ms = vmh_cache_fresh_ms(decision->cache, config, decision->backend);
    decision->stale = fresh_ms == 0;
    decision->ttl_s = (int32_t)(fresh_ms > 0 ? fresh_ms / 1000
                                             : vmh_backend_ttl_s(config, decision->backend));
}

bool vmh_answer_stands(const struct vmh_name *name, const struct vmh_answer *answer, bool stale)
{
    /* A name only a label can give (under label_domains), like a bare
     * name, is DNS's unless the cache has it: a miss never waits on Docker. */
    if (name->kind == VMH_NAME_BARE || name->kind == VMH_NAME_LABEL)
        return !stale || answer->result != VMH_FOUND;
    return !stale && answer->result != VMH_NOT_FOUND;
}

static bool has_name(const struct vmh_answer *answer)
{
    return answer->result == VMH_FOUND || answer->result == VMH_NO_DATA;
}

const struct vmh_cache *vmh_resolve_either(const struct vmh_cache *first,
                                           const struct vmh_cache *second,
                                           const struct vmh_config *config,
                                           const struct vmh_name *name, int family,
                                           struct vmh_answer *answer)
{
    const struct vmh_cache *answered = first;
    vmh_resolve(first, name, family, answer);
    if (answer->result == VMH_NOT_FOUND && second && second != first &&
        !vmh_cache_stale(second, config, name->backend)) {
        struct vmh_answer other;
        vmh_resolve(second, name, family, &other);
        if (has_name(&other)) {
            *answer = other;
            answered = second;
        }
    }
    /* The order is the reader's setting, whoever wrote the cache. */
    vmh_answer_prefer_networks(answered, config->docker_networks, answer);
    return answered;
}

void vmh_decide(const struct vmh_cache *own, const struct vmh_cache *root,
                const struct vmh_config *config, const struct vmh_name *name, int family,
                struct vmh_answer *answer, struct vmh_decision *decision)
{
    decision->backend = name->backend;
    const struct vmh_cache *chosen = vmh_cache_choose(own, root, decision->backend);
    decision->cache =
        vmh_resolve_either(chosen, chosen == own ? root : own, config, name, family, answer);
    set_freshness(decision, config);
    decision->refresh = !vmh_answer_stands(name, answer, decision->stale);
}

void vmh_decide_address(const struct vmh_cache *own, const struct vmh_cache *root,
                        const struct vmh_config *config, enum vmh_backend backend, int family,
                        const void *address, struct vmh_answer *answer,
                        struct vmh_decision *decision)
{
    const struct vmh_cache *chosen = vmh_cache_choose(own, root, backend);
    const struct vmh_cache *other = chosen == own ? root : own;
    decision->backend = backend;
    decision->cache = chosen;
    decision->refresh = false;
    vmh_resolve_address(chosen, config, family, address, answer);
    if (answer->result != VMH_FOUND && other != chosen && !vmh_cache_stale(other, config, backend)) {
        vmh_resolve_address(other, config, family, address, answer);
        decision->cache = other;
    }
    set_freshness(decision, config);
}

bool vmh_watcher_covers(const struct vmh_config *config, bool root_cache, uid_t euid,
                        const struct vmh_name *name, const struct vmh_answer *answer,
                        bool answered_by_it)
{
    if (!root_cache || name->backend != VMH_BACKEND_DOCKER || euid == 0 ||
        (answered_by_it && has_name(answer)))
        return true;
    return !vmh_rootless_engine_present(euid, config->source[VMH_BACKEND_DOCKER]);
}
