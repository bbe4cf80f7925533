/* The DNS face's one job per packet: a query in, the reply out, decided by
 * the module's own functions.  Where answers come from is a parameter, so
 * that the fuzz target and the unit tests drive the same code as the
 * server without a cache. */
#ifndef VMHOSTS_DNS_ANSWER_H
#define VMHOSTS_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "resolve.h"

/* RFC 1035's UDP limit without EDNS, and the DNS flag day's with it. */
#define VMH_DNS_UDP_PLAIN 512
#define VMH_DNS_UDP_EDNS 1232
/* Our largest reply (64 AAAA records) is far below this. */
#define VMH_DNS_REPLY_MAX 4096

struct vmh_dns_source {
    /* The module's answer for a name (text, case as asked) and family
     * (AF_INET or AF_INET6 with VMH_FAMILY_ONLY, AF_UNSPEC; each with
     * VMH_NO_ALIASES), and how long it may be kept. */
    void (*forward)(void *context, const char *name, int family, struct vmh_answer *answer,
                    int32_t *ttl);
    /* The module's answer for an address (4 or 16 bytes). */
    void (*reverse)(void *context, int family, const void *address, struct vmh_answer *answer,
                    int32_t *ttl);
    const struct vmh_config *config; /* which names are ours, for the SOA */
    void *context;
    /* Whether a name of ours that resolves lies below `name` (lowercase,
     * no trailing dot): then a miss is an empty non-terminal.  NULL: none
     * does. */
    bool (*below)(void *context, const char *name);
    /* Whether the last reply's lookup wanted a refresh first (its answer
     * is what the caches say meanwhile); asking clears it.  The server
     * then answers that query again from a child process, which calls
     * wait_refresh first (dns_server.c).  NULL: lookups wait themselves. */
    bool (*deferred)(void *context);
    void (*wait_refresh)(void *context);
};

/* The reply to `query` (length bytes) in out (VMH_DNS_REPLY_MAX bytes):
 * its length, or 0 to send nothing (not a query, or too short to echo an
 * ID).  Over UDP a reply is cut to what the client said it takes (512
 * bytes without EDNS, at most 1232 with it), with TC set; over TCP
 * (over_tcp non-zero) it never needs to be. */
size_t vmh_dns_respond(const struct vmh_dns_source *source, const uint8_t *query, size_t length,
                       int over_tcp, uint8_t *out);

#endif
