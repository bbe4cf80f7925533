/* A user's own container engines (rootless Podman, rootless Docker): where
 * their sockets are, for the refresher that asks them (tools/backends/
 * docker/, which also tells whose a socket is: docker_rootless.h) and for
 * the module, which must know that such an engine exists for a user even
 * while root's watcher keeps root's cache (decide.c). */
#ifndef VMHOSTS_ROOTLESS_H
#define VMHOSTS_ROOTLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The sockets in the user's runtime folder, in the order they are asked:
 * the indexes of Podman's and Docker's. */
#define VMH_ROOTLESS_SOCKET_COUNT 2
#define VMH_ROOTLESS_PODMAN 0
#define VMH_ROOTLESS_DOCKER 1

/* Writes the index-th rootless socket of `uid` (/run/user/UID/podman/
 * podman.sock, /run/user/UID/docker.sock) into `out`.  Returns false for
 * root, whose engines are the system's, for an index past the last, and
 * when the runtime folder is not uid's own (a symlink, someone else's, or
 * writable by group or others): no one else may decide what a user's
 * names answer. */
bool vmh_rootless_socket(uid_t uid, unsigned index, char *out, size_t size);

/* The same path, whether or not the runtime folder exists or is trusted:
 * where to watch for an engine to appear, never where to connect. */
bool vmh_rootless_socket_path(uid_t uid, unsigned index, char *out, size_t size);

/* Whether one of the sockets `listed` (docker_socket: paths, single
 * spaces) exists as a socket that uid, not root, owns: an engine the user
 * runs at a path of its own (Docker Desktop, colima), whose containers
 * root's refresh refuses as any user's. */
bool vmh_rootless_listed_present(uid_t uid, const char *listed);

/* Whether uid's index-th rootless socket exists, as a socket uid owns. */
bool vmh_rootless_socket_present(uid_t uid, unsigned index);

/* Whether one of uid's rootless sockets exists (vmh_rootless_socket_present)
 * or a listed one does (vmh_rootless_listed_present). */
bool vmh_rootless_engine_present(uid_t uid, const char *listed);

#endif
