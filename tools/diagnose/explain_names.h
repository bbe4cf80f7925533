/* The names the module answers, for `vmhosts list`. */
#ifndef VMHOSTS_EXPLAIN_NAMES_H
#define VMHOSTS_EXPLAIN_NAMES_H

#include "explain.h"
#include "resolve.h"

struct vmh_name_entry {
    char name[VMH_NAME_MAX + 3];       /* as a lookup would ask it, lowercase;
                                        * "*.<name>" for a wildcard */
    const struct vmh_cli_cache *slot;  /* the cache that answers it */
    struct vmh_answer answer;          /* what the module answers */
    unsigned order;                    /* name, ID, hostname, Compose, network,
                                        * label, wildcard: for sorting */
};

/* Every name a running container or VM answers to in the caches the module
 * would choose: `<name>.docker`, `<short id>.docker`, the bare hostname,
 * `<service>.<project>.docker`, `<vm>.<domain>` for each domain; only those
 * the module's rules resolve, each once.  Sorted by backend, then container
 * or VM.  *entries is malloc'd.  Returns 0, or -1 when out of memory. */
int vmh_names_collect(const struct vmh_cli_view *view, struct vmh_name_entry **entries,
                      size_t *count);

/* The record the entry's answer came from (the first, for replicas). */
const struct vmh_cache_record *vmh_name_entry_record(const struct vmh_name_entry *entry);

#endif
