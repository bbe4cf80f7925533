/* libFuzzer target: LXD's (and Incus's) list of instances mapped to hosts,
 * each name checked against the name rule, and the cache built from them
 * read back. */
#include <stdint.h>
#include <stdlib.h>

#include "lxd.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char err[512];
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    if (vmh_lxd_parse_instances((const char *)input, size, VMH_BACKEND_LXD, &out, err,
                                sizeof err) == 0) {
        for (size_t i = 0; i < out.count; i++)
            if (!vmh_name_valid(out.hosts[i].name))
                abort(); /* an instance recorded under a name no resolver may see */
        unsigned char *data = NULL;
        size_t data_size = 0;
        if (vmh_cache_build(&out, 1700000000000, &data, &data_size) == 0) {
            struct vmh_cache cache;
            if (vmh_cache_parse(&cache, data, data_size) != VMH_CACHE_OK)
                abort(); /* the writer made a file the reader refuses */
        }
        free(data);
    }
    vmh_snapshot_free(&out);
    return 0;
}
