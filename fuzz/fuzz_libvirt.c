/* libFuzzer target: libvirt's lease and MAC files (the input split at its
 * first NUL byte: the lease file before, the MAC file after) mapped to
 * hosts, each name checked against the name rule, and the cache built
 * from them read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    const char *text = (const char *)input;
    const char *nul = memchr(text, '\0', size);
    size_t status_length = nul ? (size_t)(nul - text) : size;
    const char *macs = nul ? nul + 1 : NULL;
    size_t macs_length = nul ? size - status_length - 1 : 0;
    char err[512];
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    if (vmh_libvirt_parse(text, status_length, macs, macs_length, 1700000000,
                          VMH_BACKEND_LIBVIRT, &out, err, sizeof err) == 0) {
        for (size_t i = 0; i < out.count; i++)
            if (!vmh_name_valid(out.hosts[i].name))
                abort(); /* a VM recorded under a name no resolver may see */
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
