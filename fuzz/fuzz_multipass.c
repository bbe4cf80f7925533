/* libFuzzer target: `multipass list --format=json` mapped to hosts, each
 * name checked against the name rule, and the cache built from them read
 * back. */
#include <stdint.h>
#include <stdlib.h>

#include "check_hosts.h"
#include "multipass.h"

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char err[512];
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    if (vmh_multipass_parse_list((const char *)input, size, &out, err, sizeof err) == 0) {
        fuzz_check_hosts(&out);
    }
    vmh_snapshot_free(&out);
    return 0;
}
