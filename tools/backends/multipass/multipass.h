/* The multipass backend: `multipass list --format=json`, parsed by key. */
#ifndef VMHOSTS_MULTIPASS_H
#define VMHOSTS_MULTIPASS_H

#include <stddef.h>

#include "snapshot.h"

/* Maps the output of `multipass list --format=json` to hosts of backend
 * MULTIPASS appended to *out: every VM, running or not; a running VM's
 * first valid IPv4 only.  Returns 0, or -1 with a message. */
int vmh_multipass_parse_list(const char *text, size_t length, struct vmh_snapshot *out, char *err,
                             size_t err_size);

/* Runs the command and parses it.  Sets out->backends[VMH_BACKEND_MULTIPASS]. */
int vmh_multipass_refresh(const char *command, long timeout_ms, struct vmh_snapshot *out);

/* Its entry in the backend table (backend.h, multipass_backend.c). */
extern const struct vmh_backend_ops vmh_backend_multipass;

#endif
