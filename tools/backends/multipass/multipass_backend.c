/* multipass's entry in the backend table (backend.h): `multipass list`,
 * run as multipass_command says. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "multipass.h"

static int refresh(const struct vmh_config *config, long timeout_ms,
                   const struct vmh_snapshot *known, struct vmh_snapshot *fresh)
{
    (void)known; /* every VM's whole answer is in the list */
    return vmh_multipass_refresh(config->source[VMH_BACKEND_MULTIPASS], timeout_ms, fresh);
}

/* No event stream: the watcher asks as often as a lookup would. */
static long poll_interval_ms(const struct vmh_config *config)
{
    return config->ttl_s[VMH_BACKEND_MULTIPASS] * 1000;
}

/* Whether multipass_command is there at all: a refresh of every backend
 * leaves a machine without multipass alone (backend.h), as it does one
 * without LXD, and exits 0 on a machine of containers only. */
static bool installed(const struct vmh_config *config)
{
    return access(config->source[VMH_BACKEND_MULTIPASS], F_OK) == 0;
}

#define INSTALL_ADVICE                                                                         \
    "sudo snap install multipass, or set multipass_command in vmhosts.conf; without VMs, "     \
    "ignore this"
#define PERMISSION_ADVICE "check multipass_command in vmhosts.conf and its permissions"

static const char *advice(uint32_t status, const char *message)
{
    if (status == VMH_STATUS_DENIED)
        return "you may not run multipass: " PERMISSION_ADVICE;
    if (status == VMH_STATUS_UNAVAILABLE || strstr(message, "No such file"))
        return "multipass is not installed where multipass_command says: " INSTALL_ADVICE;
    return "multipass failed: try `multipass list`, then `vmhosts refresh`";
}

/* Whether the command is there to run.  It is not run: it takes seconds,
 * and what it last answered is in the cache. */
static void probe(const struct vmh_config *config, const struct vmh_probe_sink *sink,
                  struct vmh_probe *probe)
{
    const char *command = config->source[VMH_BACKEND_MULTIPASS];
    char text[VMH_LIST_MAX + 64];
    if (access(command, X_OK) != 0) {
        int error = errno;
        bool missing = error == ENOENT || error == ENOTDIR;
        snprintf(text, sizeof text, "%s: %s: VM names do not resolve", command,
                 missing ? "not installed" : strerror(error));
        sink->say(sink->context, missing ? VMH_WARNING : VMH_PROBLEM, text,
                  missing ? INSTALL_ADVICE : PERMISSION_ADVICE);
        probe->said_all = true;
        return;
    }
    snprintf(text, sizeof text, "%s is installed", command);
    sink->say(sink->context, VMH_OK, text, NULL);
}

const struct vmh_backend_ops vmh_backend_multipass = {
    .name = "multipass",
    .section = VMH_BACKEND_MULTIPASS,
    .start_command = "multipass start",
    .list_command = "multipass list",
    .no_address_advice = "wait until `multipass list` shows its IPv4 address",
    .noun = "VM",
    .nouns = "VMs",
    .refresh = refresh,
    .poll_interval_ms = poll_interval_ms,
    .advice = advice,
    .probe = probe,
    .installed = installed,
};
