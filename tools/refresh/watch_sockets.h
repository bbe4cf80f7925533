/* inotify on the folders a user's rootless engines make their sockets in
 * (nss_vmhosts/rootless.h), for `vmhosts watch`: Docker's event streams
 * (docker_events.h) follow the sockets there were when they were opened,
 * so an engine started or stopped after the watcher would otherwise go
 * unseen until the next resync. */
#ifndef VMHOSTS_WATCH_SOCKETS_H
#define VMHOSTS_WATCH_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>

#define VMH_WATCH_SOCKETS_MAX 4

struct vmh_watch_sockets;

/* Watches the folder of each of the `count` socket paths (at most
 * VMH_WATCH_SOCKETS_MAX), or, while that folder does not exist, the
 * folder it would be made in.  NULL when there is nothing to watch (no
 * path, or no inotify: the resync is then the only look). */
struct vmh_watch_sockets *vmh_watch_sockets_open(const char *const *paths, size_t count);

/* Readable when a change waits to be collected; -1 for NULL. */
int vmh_watch_sockets_fd(const struct vmh_watch_sockets *sockets);

/* Collects without waiting: whether anything was made, removed, renamed
 * or given another owner in a watched folder since the last call (a socket
 * among them, or not: the caller looks at which sockets exist), or a
 * socket's folder could be watched that could not before (one no watch
 * saw appear: a tmpfs mounted over it).  Such a folder is watched from
 * now on. */
bool vmh_watch_sockets_changed(struct vmh_watch_sockets *sockets);

void vmh_watch_sockets_close(struct vmh_watch_sockets *sockets);

#endif
