/* Why a name does not resolve, in words, for `vmhosts lookup`. */
#ifndef VMHOSTS_EXPLAIN_MISS_H
#define VMHOSTS_EXPLAIN_MISS_H

#include <stdio.h>

#include "explain.h"
#include "names.h"
#include "resolve.h"

/* The record a name points at, running or not: by exact ID, name, ID
 * prefix, Compose service, hostname or VM name, in the module's order.
 * Returns false when no key matches. */
bool vmh_miss_find_record(const struct vmh_cache *cache, const struct vmh_name *name,
                          uint32_t *record);

/* For a name that resolved by another rule: "  note: ..." for each
 * container whose vmhosts.names label chose it too, which a label never
 * takes from a container's own names. */
void vmh_explain_label_claims(FILE *out, const struct vmh_cache *cache, const struct vmh_name *name,
                              const struct vmh_answer *answer);

/* Prints "  why: ..." and "  do:  ..." lines for an answer that is not
 * VMH_FOUND, from `slot` (NULL when there is no cache). */
void vmh_miss_explain(FILE *out, const struct vmh_cli_view *view, const struct vmh_cli_cache *slot,
                      const struct vmh_name *name, const struct vmh_answer *answer);

/* For a name not ours that would be a VM's but for a dot before its
 * domain (ubuntu22.04.libvirt): prints why and what to do, and returns
 * true; false for any other name. */
bool vmh_explain_labels(FILE *out, const struct vmh_config *config, const char *text);

#endif
