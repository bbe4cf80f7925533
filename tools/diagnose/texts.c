/* Words for people, kept out of the module that every process loads. */
#include "texts.h"

const char *vmh_cache_error_text(enum vmh_cache_error error)
{
    switch (error) {
    case VMH_CACHE_OK:
        return "ok";
    case VMH_CACHE_MISSING:
        return "missing";
    case VMH_CACHE_UNTRUSTED:
        return "not trusted (owner, mode or a symlink)";
    case VMH_CACHE_IO:
        return "unreadable";
    case VMH_CACHE_CORRUPT:
        return "corrupt";
    case VMH_CACHE_OTHER_VERSION:
        return "written by another version of vmhosts";
    }
    return "unknown error";
}

const char *vmh_rule_text(enum vmh_rule rule)
{
    switch (rule) {
    case VMH_RULE_NOT_OURS:         return "not ours";
    case VMH_RULE_EXACT_ID:         return "exact container ID";
    case VMH_RULE_NAME:             return "container name";
    case VMH_RULE_ID_PREFIX:        return "unique ID prefix";
    case VMH_RULE_AMBIGUOUS_PREFIX: return "ambiguous ID prefix";
    case VMH_RULE_COMPOSE:          return "Compose service";
    case VMH_RULE_HOSTNAME:         return "container hostname";
    case VMH_RULE_NETWORK:          return "name on one network";
    case VMH_RULE_LABEL:            return "name chosen by a label";
    case VMH_RULE_LABEL_CONFLICT:   return "name chosen by several containers";
    case VMH_RULE_WILDCARD:         return "wildcard below a container's name";
    case VMH_RULE_VM:               return "VM or instance name";
    case VMH_RULE_NOT_RUNNING:      return "not running";
    case VMH_RULE_NO_ADDRESS:       return "no address";
    case VMH_RULE_NO_MATCH:         return "no such container or VM";
    case VMH_RULE_BACKEND_DOWN:     return "backend unavailable";
    case VMH_RULE_NONE:
    default:                        return "none";
    }
}
