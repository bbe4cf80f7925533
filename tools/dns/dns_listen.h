/* Where `vmhosts dns` listens: the words of dns_listen (or --listen), each
 * ADDRESS, ADDRESS:PORT or [ADDRESS6]:PORT, port 53 when omitted. */
#ifndef VMHOSTS_DNS_LISTEN_H
#define VMHOSTS_DNS_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#define VMH_DNS_PORT 53
#define VMH_DNS_MAX_ENDPOINTS 16

struct vmh_dns_endpoint {
    struct sockaddr_storage addr;
    socklen_t length;
    char text[64]; /* as written back: "127.0.0.153:53", "[::1]:53" */
};

/* Parses one word into *endpoint.  Returns 0, or -1 when it is not an
 * address with an optional port in 1..65535. */
int vmh_dns_parse_endpoint(const char *word, struct vmh_dns_endpoint *endpoint);

/* Parses a blank-separated list into endpoints[0..max-1].  Returns how many,
 * or -1 with the first bad word copied to bad (bad_size bytes): an empty
 * list, a bad word, or more than max words. */
int vmh_dns_parse_listen(const char *list, struct vmh_dns_endpoint *endpoints, size_t max,
                         char *bad, size_t bad_size);

#endif
