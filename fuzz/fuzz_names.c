/* libFuzzer target: the name classifier under fuzzed settings, and the
 * resolver and glibc packing behind it.
 *
 * Input: settings text, a NUL, then the name (itself a C string, so it
 * ends at its first NUL as glibc would hand it over).  Without a NUL the
 * whole input is the name under the default settings. */
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "names.h"
#include "pack.h"
#include "resolve.h"

/* Buffers of exactly buflen bytes, so that ASan sees a byte written past
 * the end; every size from nothing to enough must give the answer or the
 * ERANGE triple. */
static void pack_both(const struct vmh_answer *answer)
{
    static const size_t sizes[] = {0, 1, 7, 8, 31, 64, 100, 255, 300, 600, 1200};
    int err, h_err;
    struct hostent host;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        /* NULL: glibc's own call; a non-NULL *pat is nscd's tuple to fill. */
        struct gaih_addrtuple *tuples = NULL;
        char *buffer = malloc(sizes[s] ? sizes[s] : 1);
        if (!buffer)
            return;
        vmh_pack_gaih(answer, &tuples, buffer, sizes[s], &err, &h_err);
        vmh_pack_hostent(answer, AF_INET, &host, buffer, sizes[s], &err, &h_err, NULL);
        vmh_pack_hostent(answer, AF_INET6, &host, buffer, sizes[s], &err, &h_err, NULL);
        free(buffer);
    }
}

/* The name itself as a canonical answer: the longest strings pack sees. */
static void pack_name(const struct vmh_name *name)
{
    struct vmh_answer answer;
    memset(&answer, 0, sizeof answer);
    answer.result = VMH_FOUND;
    snprintf(answer.canonical, sizeof answer.canonical, "%s", name->normalized);
    snprintf(answer.aliases[0], sizeof answer.aliases[0], "%s", name->key);
    answer.addr_count = 2;
    answer.addrs[0].family = 4;
    answer.addrs[1].family = 6;
    pack_both(&answer);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    struct vmh_config config;
    struct vmh_name name;
    vmh_config_defaults(&config);
    const uint8_t *nul = memchr(input, '\0', size);
    const uint8_t *name_start = input;
    if (nul) {
        vmh_config_parse(&config, (const char *)input, (size_t)(nul - input), NULL, NULL);
        name_start = nul + 1;
    }
    size_t name_length = size - (size_t)(name_start - input);
    char *text = malloc(name_length + 1);
    if (!text)
        return 0;
    memcpy(text, name_start, name_length);
    text[name_length] = '\0';
    if (vmh_name_classify(text, &config, &name) != VMH_NAME_NOT_OURS) {
        struct vmh_answer answer;
        vmh_resolve(NULL, &name, AF_UNSPEC, &answer);
        pack_name(&name);
    }
    free(text);
    return 0;
}
