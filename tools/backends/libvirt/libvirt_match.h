/* Whose each lease is, worked out once per refresh: libvirt_json.c matched
 * every domain against every lease and every lease against every MAC
 * entry, cubic in the number of guests (1,000 took 25 s, 2,000 minutes,
 * and the libvirt backend has no timeout).  A lease is matched against
 * the MACs of its own network only: one MAC may be two domains' on two
 * networks.  Numbers here are positions: of a lease among every
 * network's in turn, of a domain, MAC or hostname in its index, which
 * borrows the texts of the JSON arrays. */
#ifndef VMHOSTS_LIBVIRT_MATCH_H
#define VMHOSTS_LIBVIRT_MATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "libvirt.h"
#include "text_index.h"

/* Group g's items, in the order they were found: items[start[g]] up to
 * items[start[g + 1]]. */
struct vmh_groups {
    size_t *start, *items;
};

struct vmh_libvirt_match {
    const json_t **leases;             /* every network's, in turn */
    size_t *lease_network, lease_count;
    struct vmh_text_index *macs;       /* by network */
    size_t *mac_base;                  /* by network: the number of its first MAC */
    size_t networks;
    struct vmh_text_index domains, hostnames;
    struct vmh_groups mac_domains;     /* by MAC: the domains listing it */
    struct vmh_groups domain_leases;   /* by domain: its MACs' current leases */
    struct vmh_groups hostname_leases; /* by hostname: the current leases sending it */
    const char **sender;               /* by MAC: the first domain listing it */
    bool *mixed;                       /* by hostname: two guests send it */
    struct vmh_text_index made;        /* the hosts made so far, for the caller */
};

/* Matches each network's leases to its domains as they stand at now_s;
 * -1 when out of memory.  Free it either way. */
int vmh_libvirt_match(struct vmh_libvirt_match *match, const struct vmh_libvirt_network *networks,
                      size_t count, int64_t now_s);
void vmh_libvirt_match_free(struct vmh_libvirt_match *match);

/* `key`'s text in a JSON object, "" when there is none. */
const char *vmh_libvirt_text(const json_t *object, const char *key);

/* A lease with no expiry (0) or one still ahead of now_s. */
bool vmh_libvirt_current(const json_t *lease, int64_t now_s);

#endif
