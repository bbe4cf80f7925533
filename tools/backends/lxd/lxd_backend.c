/* The entries of LXD and Incus in the backend table (backend.h): one code,
 * two daemons, each with its own sockets and domain. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "decide.h"
#include "lxd.h"
#include "unix_http.h"
#include "unix_peer.h"

static int refresh_lxd(const struct vmh_config *config, long timeout_ms,
                       const struct vmh_snapshot *known, struct vmh_snapshot *fresh)
{
    (void)known; /* every instance's whole answer is in the list */
    return vmh_lxd_refresh("LXD", VMH_BACKEND_LXD, config->source[VMH_BACKEND_LXD], timeout_ms,
                           fresh);
}

static int refresh_incus(const struct vmh_config *config, long timeout_ms,
                         const struct vmh_snapshot *known, struct vmh_snapshot *fresh)
{
    (void)known;
    return vmh_lxd_refresh("Incus", VMH_BACKEND_INCUS, config->source[VMH_BACKEND_INCUS],
                           timeout_ms, fresh);
}

/* Its event stream is a websocket, which Debian 12's libcurl does not
 * speak: the watcher asks as often as a lookup would. */
static long poll_lxd(const struct vmh_config *config)
{
    return vmh_backend_ttl_s(config, VMH_BACKEND_LXD) * 1000;
}

static long poll_incus(const struct vmh_config *config)
{
    return vmh_backend_ttl_s(config, VMH_BACKEND_INCUS) * 1000;
}

static bool installed_lxd(const struct vmh_config *config)
{
    return vmh_lxd_any_socket(config->source[VMH_BACKEND_LXD]);
}

static bool installed_incus(const struct vmh_config *config)
{
    return vmh_lxd_any_socket(config->source[VMH_BACKEND_INCUS]);
}

static const char *advice(uint32_t status, const char *message)
{
    if (status == VMH_STATUS_DENIED)
        return "you may not open its socket: have root run `vmhosts watch` (whose cache every "
               "user reads), or join the lxd (incus-admin) group";
    if (strstr(message, "not installed"))
        return "install it, or set lxd_socket (incus_socket) in vmhosts.conf to its socket";
    if (status == VMH_STATUS_UNAVAILABLE)
        return "its daemon does not answer: is it running? (`lxc list`, `incus list`)";
    return "it answered something unexpected or too slowly: try `lxc list`, then "
           "`vmhosts refresh`";
}

/* Each socket as this process reaches it now; one that does not exist is
 * only a note: the daemon is not installed that way. */
static void probe_sockets(const char *sockets, const struct vmh_probe_sink *sink,
                          struct vmh_probe *probe)
{
    char *list = strdup(sockets), *cursor = list, *path;
    char text[VMH_LIST_MAX + 64];
    while (list && (path = strsep(&cursor, " ")) != NULL) {
        if (!path[0])
            continue;
        uid_t peer;
        int error = vmh_unix_connect_peer(path, &peer);
        if (error == 0 && vmh_unix_peer_refused_text(path, peer, text, sizeof text)) {
            sink->say(sink->context, VMH_NOTE, text, NULL);
            continue;
        }
        probe->reachable |= error == 0;
        snprintf(text, sizeof text, "%s: %s", path,
                 error == 0 ? "accepts connections"
                 : error == ENOENT ? "does not exist" : strerror(error));
        sink->say(sink->context, error == 0 ? VMH_OK : VMH_NOTE, text, NULL);
    }
    free(list);
    probe->advice = "start the daemon, or join its group (lxd, incus-admin)";
}

static void probe_lxd(const struct vmh_config *config, const struct vmh_probe_sink *sink,
                      struct vmh_probe *probe)
{
    probe_sockets(config->source[VMH_BACKEND_LXD], sink, probe);
    probe->unreachable = installed_lxd(config) ? "this user cannot reach LXD and no watcher "
                                                 "keeps a cache: *.lxd names will not resolve"
                                               : NULL;
    probe->said_all = !installed_lxd(config);
}

static void probe_incus(const struct vmh_config *config, const struct vmh_probe_sink *sink,
                        struct vmh_probe *probe)
{
    probe_sockets(config->source[VMH_BACKEND_INCUS], sink, probe);
    probe->unreachable = installed_incus(config) ? "this user cannot reach Incus and no "
                                                   "watcher keeps a cache: *.incus names will "
                                                   "not resolve"
                                                 : NULL;
    probe->said_all = !installed_incus(config);
}

const struct vmh_backend_ops vmh_backend_lxd = {
    .name = "lxd",
    .section = VMH_BACKEND_LXD,
    .noun = "instance",
    .nouns = "instances",
    .start_command = "lxc start",
    .list_command = "lxc list --all-projects",
    .no_address_advice = "wait until `lxc list` shows its address, or give it one on a "
                         "managed network",
    .refresh = refresh_lxd,
    .poll_interval_ms = poll_lxd,
    .installed = installed_lxd,
    .advice = advice,
    .probe = probe_lxd,
};

const struct vmh_backend_ops vmh_backend_incus = {
    .name = "incus",
    .section = VMH_BACKEND_INCUS,
    .noun = "instance",
    .nouns = "instances",
    .start_command = "incus start",
    .list_command = "incus list --all-projects",
    .no_address_advice = "wait until `incus list` shows its address, or give it one on a "
                         "managed network",
    .refresh = refresh_incus,
    .poll_interval_ms = poll_incus,
    .installed = installed_incus,
    .advice = advice,
    .probe = probe_incus,
};
