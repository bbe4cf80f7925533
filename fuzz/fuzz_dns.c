/* libFuzzer target: the DNS face's reply to any packet (tools/dns/
 * dns_answer.c: ldns's parser, our question handling, the reply's layout
 * and truncation), over UDP and TCP, from a made-up source whose answers
 * (found with 0 to 64 addresses, missing, no data, unavailable, not ours,
 * a name below) are drawn from the name itself.  A reply must parse again, carry the
 * query's ID, and fit its transport. */
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns_answer.h"

static unsigned name_hash(const char *name)
{
    unsigned hash = 5381;
    for (; *name; name++)
        hash = hash * 33 + (unsigned char)(*name | 0x20);
    return hash;
}

static void forward(void *context, const char *name, int family, struct vmh_answer *answer,
                    int32_t *ttl)
{
    (void)context;
    unsigned hash = name_hash(name);
    memset(answer, 0, sizeof *answer);
    *ttl = (int32_t)(hash % 100);
    answer->result = (enum vmh_result)(hash % 5);
    if (answer->result != VMH_FOUND)
        return;
    answer->addr_count = (hash >> 3) % (VMH_ANSWER_MAX_ADDRS + 1);
    for (uint32_t i = 0; i < answer->addr_count; i++) {
        int plain = family & ~VMH_FAMILY_ONLY;
        bool v4 = plain == AF_INET || (plain == AF_UNSPEC && i % 2);
        answer->addrs[i].family = v4 ? 4 : 6;
        answer->addrs[i].bytes[0] = (uint8_t)i;
    }
}

static void reverse(void *context, int family, const void *address, struct vmh_answer *answer,
                    int32_t *ttl)
{
    (void)context;
    memset(answer, 0, sizeof *answer);
    *ttl = 5;
    answer->result = ((const uint8_t *)address)[0] % 2 ? VMH_FOUND : VMH_NOT_OURS;
    memset(answer->canonical, 'a', family == AF_INET ? 63 : 200);
    answer->canonical[63] = '.';
    memcpy(answer->aliases[0], "alias", 6);
}

/* Half the names have one of ours below them. */
static bool below(void *context, const char *name)
{
    (void)context;
    return name_hash(name) % 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vmh_config config;
    static bool ready;
    if (!ready) {
        vmh_config_defaults(&config);
        ready = true;
    }
    const struct vmh_dns_source source = {forward, reverse, &config, NULL, below, NULL, NULL};
    uint8_t *reply = malloc(VMH_DNS_REPLY_MAX);
    if (!reply)
        return 0;
    for (int tcp = 0; tcp < 2; tcp++) {
        size_t length = vmh_dns_respond(&source, data, size, tcp, reply);
        if (length == 0)
            continue;
        if (length < 12 || (!tcp && length > VMH_DNS_UDP_EDNS) || memcmp(reply, data, 2) != 0)
            abort();
        ldns_pkt *parsed = NULL;
        if (ldns_wire2pkt(&parsed, reply, length) != LDNS_STATUS_OK)
            abort();
        ldns_pkt_free(parsed);
    }
    free(reply);
    return 0;
}
