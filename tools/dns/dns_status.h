/* The DNS face's part of `vmhosts status`: is it answering where
 * dns_listen says, and is it registered with systemd-resolved. */
#ifndef VMHOSTS_DNS_STATUS_H
#define VMHOSTS_DNS_STATUS_H

#include <stdbool.h>

#include "config.h"

/* Prints the section; returns true when something is wrong that breaks
 * lookups (registered with resolved, yet not answering).  A face that is
 * neither running nor registered is a choice, not a problem. */
bool vmh_status_dns(const struct vmh_config *config);

#endif
