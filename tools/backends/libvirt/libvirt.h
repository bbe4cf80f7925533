/* libvirt's virtual machines, from the files libvirt's own NSS module
 * reads: in its dnsmasq folder, <bridge>.status (the leases libvirt's
 * helper records for the network's dnsmasq) and <bridge>.macs (each
 * running domain's name and MAC addresses).  No libvirt library. */
#ifndef VMHOSTS_LIBVIRT_H
#define VMHOSTS_LIBVIRT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* The hosts of the leases in `status` (a JSON array of the .status files'
 * objects) and the domains in `macs` (of the .macs files'; NULL or empty
 * for none), appended to *out as hosts of `backend`:
 *   - each domain, by its name, with the addresses of the leases of its
 *     MACs;
 *   - each DHCP hostname a guest sent, with the addresses of its leases,
 *     unless a domain has that name (the domain's name wins).
 * A lease that expired before now_s (expiry-time 0: never) is left out;
 * IPv4 before IPv6.  Returns 0, or -1 with a message when either text is
 * not such an array. */
int vmh_libvirt_parse(const char *status, size_t status_length, const char *macs,
                      size_t macs_length, int64_t now_s, enum vmh_backend backend,
                      struct vmh_snapshot *out, char *err, size_t err_size);

/* One bridge's files: the arrays of its .status and its .macs (NULL for
 * a file not there). */
struct vmh_libvirt_network {
    const json_t *leases, *macs;
};

/* vmh_libvirt_parse on arrays already loaded, of every bridge at once, so
 * that a domain's name wins over a hostname sent on another bridge; each
 * lease belongs to the domain its MAC is listed for in its own bridge's
 * .macs (libvirt gives each network its own MAC list).  -1 only when out
 * of memory. */
int vmh_libvirt_add(const struct vmh_libvirt_network *networks, size_t count, int64_t now_s,
                    enum vmh_backend backend, struct vmh_snapshot *out);

/* The most of a lease file read: one of thousands of guests is well under. */
#define VMH_LIBVIRT_FILE_MAX (8u * 1024u * 1024u)

/* The whole of what `fd` gives, at most VMH_LIBVIRT_FILE_MAX bytes: a file
 * that grows after fstat, or says it is smaller than it is, is refused,
 * not read without end.  The text (free it; *length set), or NULL on a
 * read error or out of memory, or with *too_large set. */
char *vmh_libvirt_read_bounded(int fd, size_t *length, bool *too_large);

/* Reads every <bridge>.status and <bridge>.macs of `folder` (files owned
 * by root or this user and writable by no one else) and sets
 * out->backends[backend]. */
int vmh_libvirt_refresh(const char *folder, enum vmh_backend backend, struct vmh_snapshot *out);

extern const struct vmh_backend_ops vmh_backend_libvirt;

#endif
