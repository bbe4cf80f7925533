/* The names of ours that hold no record but have one below them: empty
 * non-terminals (shop.docker while web.shop.docker runs), which the face
 * answers NODATA, since an NXDOMAIN says nothing lies below (RFC 8020). */
#ifndef VMHOSTS_DNS_PARENTS_H
#define VMHOSTS_DNS_PARENTS_H

#include <stdbool.h>

#include "config.h"

struct vmh_dns_parents;

/* NULL when out of memory; reads nothing yet. */
struct vmh_dns_parents *vmh_dns_parents_new(const struct vmh_config *config);
void vmh_dns_parents_free(struct vmh_dns_parents *parents);

/* Whether a running record's name lies below `name` (lowercase, no
 * trailing dot), in the caches the module reads.  They are read again
 * when one of their files changed, at most once a second: a name that
 * just appeared or went is NODATA or NXDOMAIN a second late, both kept by
 * no one (ttl 0). */
bool vmh_dns_parents_has(struct vmh_dns_parents *parents, const char *name);

#endif
