/* libFuzzer target: libvirt's lease and MAC files (the input split at its
 * first NUL byte: the lease file before, the MAC file after) mapped to
 * hosts, each name checked against the name rule, and the cache built
 * from them read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_hosts.h"
#include "libvirt.h"

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
        fuzz_check_hosts(&out);
    }
    vmh_snapshot_free(&out);
    return 0;
}
