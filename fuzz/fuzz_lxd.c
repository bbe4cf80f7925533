/* libFuzzer target: LXD's (and Incus's) list of instances mapped to hosts,
 * each name checked against the name rule, and the cache built from them
 * read back; then the input as a list without state, up to its first NUL,
 * whose every running instance's state is what follows the NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_hosts.h"
#include "lxd.h"

struct input {
    const char *text;
    size_t size;
};

static int ask_input(void *context, const char *name, const char *project, const char **body,
                     size_t *length)
{
    const struct input *input = context;
    (void)name;
    (void)project;
    *body = input->text;
    *length = input->size;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char err[512];
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    if (vmh_lxd_parse_instances((const char *)input, size, VMH_BACKEND_LXD, &out, err,
                                sizeof err) == 0) {
        fuzz_check_hosts(&out);
    }
    vmh_snapshot_free(&out);
    const uint8_t *nul = memchr(input, 0, size);
    size_t list_size = nul ? (size_t)(nul - input) : size;
    struct input state = {(const char *)input + list_size + (nul != NULL),
                          size - list_size - (nul != NULL)};
    struct vmh_lxd_states states = {ask_input, &state};
    vmh_snapshot_init(&out);
    if (vmh_lxd_parse_brief((const char *)input, list_size, VMH_BACKEND_LXD, &states, &out, err,
                            sizeof err) == 0) {
        fuzz_check_hosts(&out);
    }
    vmh_snapshot_free(&out);
    return 0;
}
