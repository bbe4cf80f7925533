/* What every backend's fuzz target asks of the hosts a parser accepted:
 * each name one a resolver may be handed, and a cache of them that the
 * reader takes back.  Anything else is a bug, so crash. */
#ifndef VMHOSTS_FUZZ_CHECK_HOSTS_H
#define VMHOSTS_FUZZ_CHECK_HOSTS_H

#include <stdlib.h>

#include "names.h"
#include "snapshot.h"

static inline void fuzz_check_hosts(const struct vmh_snapshot *out)
{
    for (size_t i = 0; i < out->count; i++)
        if (!vmh_name_valid(out->hosts[i].name))
            abort(); /* a host recorded under a name no resolver may see */
    unsigned char *data = NULL;
    size_t size = 0;
    if (vmh_cache_build(out, 1700000000000, &data, &size) == 0) {
        struct vmh_cache cache;
        if (vmh_cache_parse(&cache, data, size) != VMH_CACHE_OK || !vmh_cache_verify_all(&cache))
            abort(); /* the writer made a file the reader refuses */
        vmh_cache_forget(&cache);
    }
    free(data);
}

#endif
