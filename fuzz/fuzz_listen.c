/* libFuzzer target: where `vmhosts dns` listens, from the dns_listen
 * setting or --listen (tools/dns/dns_listen.c), the text up to its first
 * NUL.  A list gives at most the room it was given, or -1 with a word
 * named; each endpoint's text, as the command says it back, names the
 * very address and port it holds; a short word is accepted alone
 * exactly when a list of it alone is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_listen.h"

#define ROOM 4

static void require(int condition)
{
    if (!condition)
        abort();
}

static void check_said_back(const struct vmh_dns_endpoint *endpoint)
{
    struct vmh_dns_endpoint again;
    require(memchr(endpoint->text, '\0', sizeof endpoint->text) != NULL);
    require(vmh_dns_parse_endpoint(endpoint->text, &again) == 0);
    require(again.length == endpoint->length && endpoint->length <= sizeof endpoint->addr);
    require(memcmp(&again.addr, &endpoint->addr, endpoint->length) == 0);
    require(strcmp(again.text, endpoint->text) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char *text = strndup((const char *)input, size);
    if (!text)
        return 0;
    struct vmh_dns_endpoint endpoints[ROOM], one;
    char bad[32];
    int count = vmh_dns_parse_listen(text, endpoints, ROOM, bad, sizeof bad);
    require(count == -1 || (count >= 1 && count <= ROOM));
    require(memchr(bad, '\0', sizeof bad) != NULL);
    for (int i = 0; i < count; i++)
        check_said_back(&endpoints[i]);
    /* A list copies each word into room of its own: a longer word (a
     * port's leading zeros) is refused there alone. */
    if (text[0] && strlen(text) < 64 && !strpbrk(text, " \t"))
        require((vmh_dns_parse_endpoint(text, &one) == 0) == (count == 1));
    free(text);
    return 0;
}
