/* The address in a reverse name: 4.3.2.1.in-addr.arpa and the 32 nibbles of
 * ip6.arpa.  Anything else (a partial name, a zone cut) is not ours. */
#ifndef VMHOSTS_DNS_REVERSE_H
#define VMHOSTS_DNS_REVERSE_H

#include <stdbool.h>

/* Whether text (dot-separated labels, one trailing dot allowed, any case)
 * ends in in-addr.arpa or ip6.arpa at all. */
bool vmh_dns_is_reverse(const char *text);

/* The family (AF_INET, AF_INET6) and bytes (16 room) of a full reverse
 * name; 0 when it is not one. */
int vmh_dns_reverse_address(const char *text, unsigned char *address);

#endif
