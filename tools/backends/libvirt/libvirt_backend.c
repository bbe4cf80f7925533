/* libvirt's entry in the backend table (backend.h): its dnsmasq folder. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "decide.h"
#include "libvirt.h"

static int refresh(const struct vmh_config *config, long timeout_ms,
                   const struct vmh_snapshot *known, struct vmh_snapshot *fresh)
{
    (void)timeout_ms; /* local files: nothing to wait for */
    (void)known;
    return vmh_libvirt_refresh(config->source[VMH_BACKEND_LIBVIRT], VMH_BACKEND_LIBVIRT, fresh);
}

/* The watcher also reads the folder as often as a lookup would: a change
 * inotify cannot see (a folder on NFS) still shows within libvirt_ttl. */
static long poll_interval_ms(const struct vmh_config *config)
{
    return vmh_backend_ttl_s(config, VMH_BACKEND_LIBVIRT) * 1000;
}

/* libvirt's helper rewrites <bridge>.status by renaming a new file over it
 * on every lease change. */
static const char *watched_folder(const struct vmh_config *config)
{
    return config->source[VMH_BACKEND_LIBVIRT];
}

static bool installed(const struct vmh_config *config)
{
    return access(config->source[VMH_BACKEND_LIBVIRT], F_OK) == 0;
}

static const char *advice(uint32_t status, const char *message)
{
    if (status == VMH_STATUS_DENIED)
        return "you may not read libvirt's lease folder: check libvirt_leases in vmhosts.conf";
    if (strstr(message, "not installed"))
        return "install libvirt, or set libvirt_leases in vmhosts.conf to its dnsmasq folder";
    return "a lease file is not what libvirt writes: check libvirt_leases in vmhosts.conf";
}

static void probe(const struct vmh_config *config, const struct vmh_probe_sink *sink,
                  struct vmh_probe *probe)
{
    const char *folder = config->source[VMH_BACKEND_LIBVIRT];
    char text[VMH_LIST_MAX + 128];
    bool readable = access(folder, R_OK | X_OK) == 0;
    int error = errno;
    probe->reachable = readable;
    probe->said_all = !installed(config);
    snprintf(text, sizeof text, "%s: %s", folder,
             readable ? "readable" : error == ENOENT ? "does not exist" : strerror(error));
    sink->say(sink->context, readable ? VMH_OK : VMH_NOTE, text, NULL);
    probe->unreachable = probe->said_all ? NULL
                                         : "this user cannot read libvirt's leases: "
                                           "*.libvirt names will not resolve";
    probe->advice = "check libvirt_leases in vmhosts.conf";
}

const struct vmh_backend_ops vmh_backend_libvirt = {
    .name = "libvirt",
    .section = VMH_BACKEND_LIBVIRT,
    .noun = "VM",
    .nouns = "VMs",
    .start_command = "virsh start",
    .list_command = "virsh list --all",
    .no_address_advice = "wait for its DHCP lease (`virsh net-dhcp-leases NETWORK`)",
    .refresh = refresh,
    .poll_interval_ms = poll_interval_ms,
    .watched_folder = watched_folder,
    .installed = installed,
    .advice = advice,
    .probe = probe,
};
