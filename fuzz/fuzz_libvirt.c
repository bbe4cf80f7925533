/* libFuzzer target: libvirt's lease and MAC files mapped to hosts, each
 * name checked against the name rule, and the cache built from them read
 * back.  The input split at NUL bytes: with one, the lease file before and
 * the MAC file after (vmh_libvirt_parse); with more, bridges' lease and MAC
 * files in turn, matched together (vmh_libvirt_add), as a folder of
 * several bridges is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_hosts.h"
#include "libvirt.h"

#define MOST_FILES 6

static void one_bridge(const char *text, size_t size, struct vmh_snapshot *out)
{
    const char *nul = memchr(text, '\0', size);
    size_t status_length = nul ? (size_t)(nul - text) : size;
    const char *macs = nul ? nul + 1 : NULL;
    size_t macs_length = nul ? size - status_length - 1 : 0;
    char err[512];
    if (vmh_libvirt_parse(text, status_length, macs, macs_length, 1700000000,
                          VMH_BACKEND_LIBVIRT, out, err, sizeof err) == 0)
        fuzz_check_hosts(out);
}

/* Each part that is a JSON array is a file; any other is one not there. */
static void bridges(const char *text, size_t size, struct vmh_snapshot *out)
{
    json_t *files[MOST_FILES] = {0};
    struct vmh_libvirt_network networks[MOST_FILES / 2];
    size_t count = 0;
    while (count < MOST_FILES) {
        const char *nul = memchr(text, '\0', size);
        size_t length = nul ? (size_t)(nul - text) : size;
        files[count] = json_loadb(text, length, 0, NULL);
        if (!json_is_array(files[count])) {
            json_decref(files[count]);
            files[count] = NULL;
        }
        count++;
        if (!nul)
            break;
        size -= length + 1;
        text = nul + 1;
    }
    for (size_t n = 0; n < (count + 1) / 2; n++)
        networks[n] = (struct vmh_libvirt_network){files[2 * n], files[2 * n + 1]};
    if (vmh_libvirt_add(networks, (count + 1) / 2, 1700000000, VMH_BACKEND_LIBVIRT, out) == 0)
        fuzz_check_hosts(out);
    for (size_t i = 0; i < count; i++)
        json_decref(files[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    const char *text = (const char *)input;
    const char *nul = memchr(text, '\0', size);
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    if (nul && memchr(nul + 1, '\0', size - (size_t)(nul + 1 - text)))
        bridges(text, size, &out);
    else
        one_bridge(text, size, &out);
    vmh_snapshot_free(&out);
    return 0;
}
