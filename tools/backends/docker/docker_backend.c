/* Docker's entry in the backend table (backend.h): the Engine API over
 * every socket in docker_socket, Podman's included, and the running
 * user's own rootless engines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "clock.h"
#include "docker.h"
#include "docker_changes.h"
#include "rootless.h"
#include "unix_http.h"
#include "unix_peer.h"

static int refresh(const struct vmh_config *config, long timeout_ms,
                   const struct vmh_snapshot *known, struct vmh_snapshot *fresh)
{
    return vmh_docker_refresh(config->source[VMH_BACKEND_DOCKER], timeout_ms, known, fresh);
}

_Static_assert(VMH_PART_ID_MAX == VMH_DOCKER_ID_LENGTH && VMH_PART_MAX == VMH_DOCKER_CHANGED_MAX,
               "a part holds the changes Docker's events name");

static void next_part(struct vmh_part *part, bool all)
{
    if (all)
        vmh_docker_changes_list_all();
    part->count = vmh_docker_changes_fix(vmh_monotonic_ms(), part->ids, VMH_PART_MAX);
}

/* Its event stream tells the watcher of every change. */
static long poll_interval_ms(const struct vmh_config *config)
{
    (void)config;
    return 0;
}

#define START_ADVICE                                                                           \
    "start Docker (sudo systemctl start docker), or set docker_socket in vmhosts.conf to the "  \
    "socket it uses"

/* For a socket another user's daemon listens on (unix_peer.h). */
#define FOREIGN_ADVICE                                                                         \
    "set docker_socket in vmhosts.conf to an engine root or you run; another user's engine "  \
    "answers only that user's own `vmhosts watch` or `vmhosts refresh`"

static const char *advice(uint32_t status, const char *message)
{
    if (vmh_unix_peer_refusal_said(message))
        return FOREIGN_ADVICE;
    if (status == VMH_STATUS_DENIED)
        return "you may not open Docker's socket: " VMH_DOCKER_DENIED_ADVICE;
    if (strstr(message, "does not exist") || strstr(message, "No such file") ||
        strstr(message, "no Docker socket"))
        return "the socket does not exist: " START_ADVICE;
    if (status == VMH_STATUS_UNAVAILABLE)
        return "Docker does not answer on its socket: is dockerd running? "
               "(`sudo systemctl status docker`)";
    return "Docker answered something unexpected or too slowly: try `docker ps`, "
           "then `vmhosts refresh`";
}

static const char *socket_advice(int error)
{
    switch (error) {
    case ENOENT:
    case ENOTDIR:
        return START_ADVICE;
    case EACCES:
    case EPERM:
        return VMH_DOCKER_DENIED_ADVICE;
    case ECONNREFUSED:
        return "the socket exists but nothing listens: restart Docker "
               "(sudo systemctl restart docker)";
    default:
        return "check docker_socket in vmhosts.conf";
    }
}

/* The user's own rootless engines (nss_vmhosts/rootless.h), which only
 * this user's cache holds: whether one answers now.  A path with no
 * socket is passed over, as a refresh passes it over (docker.h). */
static void probe_rootless(const struct vmh_config *config, const struct vmh_probe_sink *sink,
                           struct vmh_probe *probe)
{
    char path[128], text[VMH_LIST_MAX + 64];
    bool any = false;
    for (unsigned i = 0; i < VMH_ROOTLESS_SOCKET_COUNT; i++) {
        if (!vmh_rootless_socket(geteuid(), i, path, sizeof path) ||
            vmh_docker_socket_listed(config->source[VMH_BACKEND_DOCKER], path) ||
            !vmh_docker_rootless_socket_file(path))
            continue;
        int error = vmh_unix_connect_error(path);
        any = true;
        probe->reachable |= error == 0;
        snprintf(text, sizeof text, "%s (your rootless engine, in your own cache only): %s", path,
                 error == 0 ? "accepts connections" : strerror(error));
        sink->say(sink->context, error == 0 ? VMH_OK : VMH_NOTE, text, NULL);
    }
    if (!any && geteuid() != 0)
        sink->say(sink->context, VMH_NOTE,
                  "no rootless engine of yours answers (/run/user/UID/podman/podman.sock, "
                  "/run/user/UID/docker.sock)", NULL);
}

/* Each socket as this process reaches it now.  Connecting is enough to
 * tell missing, refused and denied apart; the refresher does the talking. */
static void probe(const struct vmh_config *config, const struct vmh_probe_sink *sink,
                  struct vmh_probe *probe)
{
    char *sockets = strdup(config->source[VMH_BACKEND_DOCKER]), *cursor = sockets, *path;
    char text[VMH_LIST_MAX + 64];
    int first_error = 0;
    bool foreign = false;
    while (sockets && (path = strsep(&cursor, " ")) != NULL) {
        if (!path[0])
            continue;
        uid_t peer;
        int error = vmh_unix_connect_peer(path, &peer);
        first_error = first_error ? first_error : error;
        if (error == 0 && vmh_unix_peer_refused_text(path, peer, text, sizeof text)) {
            sink->say(sink->context, VMH_NOTE, text, NULL);
            foreign = true;
            continue;
        }
        probe->reachable |= error == 0;
        if (error == 0 && peer != 0 && peer == geteuid())
            snprintf(text, sizeof text,
                     "%s accepts connections (an engine you run, in your own cache only: its "
                     "containers answer where their ports are published)", path);
        else if (error == 0)
            snprintf(text, sizeof text, "%s accepts connections", path);
        else
            snprintf(text, sizeof text, "%s: %s", path,
                     error == ENOENT ? "does not exist" : strerror(error));
        sink->say(sink->context, error == 0 ? VMH_OK : VMH_NOTE, text, NULL);
    }
    free(sockets);
    probe_rootless(config, sink, probe);
    probe->unreachable = "this user cannot reach Docker and no watcher keeps a cache: "
                         "*.docker names will not resolve";
    probe->advice = foreign ? FOREIGN_ADVICE : socket_advice(first_error ? first_error : ENOENT);
}

const struct vmh_backend_ops vmh_backend_docker = {
    .name = "docker",
    .section = VMH_BACKEND_DOCKER,
    .start_command = "docker start",
    .list_command = "docker ps -a",
    .no_address_advice = "(--network none or host?) docker network connect bridge NAME",
    .noun = "container",
    .nouns = "containers",
    .refresh = refresh,
    .next_part = next_part,
    .poll_interval_ms = poll_interval_ms,
    .advice = advice,
    .probe = probe,
};
