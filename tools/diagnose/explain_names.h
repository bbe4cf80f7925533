/* The names the module answers, for `vmhosts list`. */
#ifndef VMHOSTS_EXPLAIN_NAMES_H
#define VMHOSTS_EXPLAIN_NAMES_H

#include "explain.h"
#include "resolve.h"

/* One name, with what the module answers it: its texts and addresses in
 * one allocation of its own, which `name` starts, not a whole answer's
 * 2 KiB (a list of 100,000 containers holds 300,000 names). */
struct vmh_name_entry {
    const char *name;                   /* as a lookup would ask it, lowercase;
                                         * "*.<name>" for a wildcard */
    const char *canonical;              /* the answer's canonical name */
    const struct vmh_cli_cache *slot;   /* the cache that answers it */
    const struct vmh_cache_addr *addrs; /* the answer's, in its order */
    uint32_t addr_count;
    uint32_t record;                    /* the answer's (the first, for replicas) */
    enum vmh_rule rule;                 /* the rule that answered it */
    unsigned order;                     /* name, ID, hostname, Compose, network,
                                         * label, wildcard: for sorting */
};

struct vmh_name_list {
    struct vmh_name_entry *entries;
    size_t count;
};

/* Every name a running container or VM answers to in the caches the module
 * would choose: `<name>.docker`, `<short id>.docker`, the bare hostname,
 * `<service>.<project>.docker`, `<vm>.<domain>` for each domain; only those
 * the module's rules resolve, each once (the first found).  Sorted by
 * backend, then container or VM.  Returns 0 (free *names with
 * vmh_names_free), or -1 when out of memory. */
int vmh_names_collect(const struct vmh_cli_view *view, struct vmh_name_list *names);
void vmh_names_free(struct vmh_name_list *names);

/* The record the entry's answer came from (the first, for replicas). */
const struct vmh_cache_record *vmh_name_entry_record(const struct vmh_name_entry *entry);

#endif
