/* The Docker backend: the Engine API over a Unix socket (libcurl), the JSON
 * mapped to hosts (the list streamed by yajl, the rest parsed by jansson).
 * Podman serves the same API. */
#ifndef VMHOSTS_DOCKER_H
#define VMHOSTS_DOCKER_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

/* The most containers one engine's list may hold: far beyond any real
 * engine; stops a runaway answer from becoming a cache larger than the
 * module accepts (VMH_CACHE_MAX_SIZE). */
#define VMH_DOCKER_CONTAINERS_MAX 100000
/* What one container's entry in the list may take: a real one is 0.5 to
 * 1.6 KiB (tests/fixtures/docker/), more with many labels.  The list's
 * bound follows: it grows with the containers, and a flood still ends. */
#define VMH_DOCKER_ENTRY_MAX 8192
#define VMH_DOCKER_LIST_MAX ((size_t)VMH_DOCKER_CONTAINERS_MAX * VMH_DOCKER_ENTRY_MAX)

/* Maps a `GET /containers/json?all=1` body to hosts of backend DOCKER,
 * appended to *out.  The hostname is not in the list: it is taken from
 * `known` (the previous snapshot) by ID, else left NULL.  Returns 0, or -1
 * with a message when the body is not the list Docker sends. */
int vmh_docker_parse_list(const char *body, size_t length, const struct vmh_snapshot *known,
                          struct vmh_snapshot *out, char *err, size_t err_size);

/* The same for a list from a user's rootless engine (a daemon that runs
 * as a user: docker.c) when `rootless`: each host is marked so, and its
 * addresses are the host addresses its ports are published on (a bare
 * `-p 8080:80` is reached on 127.0.0.1, `[::]:8080:80` on ::1), never its
 * network's, which live in the user's network namespace; a container that
 * publishes nothing has none. */
int vmh_docker_parse_engine_list(const char *body, size_t length,
                                 const struct vmh_snapshot *known, bool rootless,
                                 struct vmh_snapshot *out, char *err, size_t err_size);

/* The same, read as it arrives: start, feed each piece of the body in
 * order, finish.  Feed returns -1 once the body cannot be a list (what is
 * fed after is ignored); finish says whether it was one, frees the reader,
 * and on failure leaves *out as it found it.  NULL from start: out of
 * memory. */
struct vmh_docker_list;
struct vmh_docker_list *vmh_docker_list_start(const struct vmh_snapshot *known, bool rootless,
                                              struct vmh_snapshot *out);
int vmh_docker_list_feed(struct vmh_docker_list *list, const char *data, size_t length);
int vmh_docker_list_finish(struct vmh_docker_list *list, char *err, size_t err_size);

/* Makes the hosts of a list started not rootless a rootless engine's, as
 * if started so; before its first feed (docker.c learns whose daemon
 * answers at the status line, after the list is started). */
void vmh_docker_list_make_rootless(struct vmh_docker_list *list);

/* Fills host->hostname (and, for a rootless host, the addresses its ports
 * are published on, from NetworkSettings.Ports) from a
 * `GET /containers/{id}/json` body. */
int vmh_docker_parse_inspect(const char *body, size_t length, struct vmh_host *host, char *err,
                             size_t err_size);

/* Lists every container of every socket (space-separated), and of the
 * running user's own rootless engines (nss_vmhosts/rootless.h; not for
 * root), inspecting those `known` has no hostname for.  Sets
 * out->backends[VMH_BACKEND_DOCKER]. */
int vmh_docker_refresh(const char *sockets, long timeout_ms, const struct vmh_snapshot *known,
                       struct vmh_snapshot *out);

/* Writes into `out` the sockets whose events a watcher run by this user
 * follows: `configured` (docker_socket), then the user's rootless engines'
 * sockets that exist now (not root's: it has none).  -1 when it does not
 * fit. */
int vmh_docker_event_sockets(const char *configured, char *out, size_t size);

/* Whether a user's rootless engine may be at `path`: a socket is there
 * (lstat).  Anything else there, or nothing, is an engine not running:
 * neither a refresh nor `vmhosts status` asks it. */
bool vmh_docker_rootless_socket_file(const char *path);

/* Whether the space-separated `sockets` names `path`. */
bool vmh_docker_socket_listed(const char *sockets, const char *path);

/* What to do when this user may not open Docker's socket, written once:
 * the refresh's message (docker.c) says it, and `vmhosts status`, `list`
 * and `lookup` (docker_backend.c). */
#define VMH_DOCKER_DENIED_ADVICE                                                               \
    "have root run `vmhosts watch` (sudo systemctl enable --now vmhosts-watch), whose cache "  \
    "every user reads; or add your user to the docker group"

/* Its entry in the backend table (backend.h, docker_backend.c). */
extern const struct vmh_backend_ops vmh_backend_docker;

#endif
