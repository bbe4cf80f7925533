/* `vmhosts enable --dns` / `disable --dns`: route our domains, and only
 * them, from systemd-resolved to the face, with DNSSEC negative trust
 * anchors for them (an invented TLD fails validation otherwise). */
#ifndef VMHOSTS_DNS_REGISTER_H
#define VMHOSTS_DNS_REGISTER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define VMH_RESOLVED_DROPIN "/etc/systemd/resolved.conf.d/vmhosts.conf"
#define VMH_NEGATIVE_ANCHORS "/etc/dnssec-trust-anchors.d/vmhosts.negative"

/* The two files' text for these settings: DNS= the first dns_listen
 * address, Domains=~suffix ~each multipass domain; the anchors the same
 * domains.  Returns 0, or -1 when dns_listen has no valid address. */
int vmh_dns_register_texts(const struct vmh_config *config, char *dropin, size_t dropin_size,
                           char *anchors, size_t anchors_size);

/* Writes (enable) or removes (disable) both files under root ("" for /);
 * *changed says whether anything was different.  Returns 0, or -1 with
 * errno and a sentence in err. */
int vmh_dns_register(const struct vmh_config *config, const char *root, bool enable,
                     bool *changed, char *err, size_t err_size);

#endif
