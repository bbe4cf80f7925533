/* multipass's entry in the backend table (backend.h): `multipass list`,
 * run as multipass_command says. */
#include "backend.h"
#include "multipass.h"

static int refresh(const struct vmh_config *config, long timeout_ms,
                   const struct vmh_snapshot *known, struct vmh_snapshot *fresh)
{
    (void)known; /* every VM's whole answer is in the list */
    return vmh_multipass_refresh(config->multipass_command, timeout_ms, fresh);
}

static long ttl_s(const struct vmh_config *config)
{
    return config->multipass_ttl_s;
}

/* No event stream: the watcher asks as often as a lookup would. */
static long poll_interval_ms(const struct vmh_config *config)
{
    return config->multipass_ttl_s * 1000;
}

const struct vmh_backend_ops vmh_backend_multipass = {
    .name = "multipass",
    .section = VMH_BACKEND_MULTIPASS,
    .noun = "VM",
    .nouns = "VMs",
    .name_kinds = 1u << VMH_NAME_VM,
    .refresh = refresh,
    .ttl_s = ttl_s,
    .poll_interval_ms = poll_interval_ms,
};
