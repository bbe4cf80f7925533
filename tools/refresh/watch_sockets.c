/* inotify on the rootless sockets' folders (watch_sockets.h).
 *
 * Every watch takes the same mask, so that two paths sharing a folder
 * (/run/user/UID holds docker.sock and is where podman/ is made) share one
 * watch without narrowing it: inotify_add_watch on a watched folder
 * replaces its mask.  No watch is ever removed by hand, for the same
 * reason; the kernel drops the watch of a folder that is removed. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "watch_sockets.h"

/* A socket made or removed (bind and unlink), or renamed; a folder made,
 * or given to its user (root's mkdir, then chown: the folder could not be
 * watched as it was made). */
#define SOCKET_FOLDER_EVENTS                                                                  \
    (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB | IN_ONLYDIR)

struct vmh_watch_sockets {
    int fd;
    size_t count;
    char folder[VMH_WATCH_SOCKETS_MAX][PATH_MAX];
    bool watched[VMH_WATCH_SOCKETS_MAX]; /* the folder itself, not its parent */
};

/* `path` without its last name, into `out` ("" when it has none). */
static void parent_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t length = slash ? (size_t)(slash - path) : 0;
    snprintf(out, size, "%.*s", (int)(length < size ? length : size - 1), path);
}

/* Each socket's folder, else the folder that would hold it; whether a
 * folder is watched itself that was not before. */
static bool arm(struct vmh_watch_sockets *sockets)
{
    char parent[PATH_MAX];
    bool newly = false;
    for (size_t i = 0; i < sockets->count; i++) {
        bool watched = inotify_add_watch(sockets->fd, sockets->folder[i],
                                         SOCKET_FOLDER_EVENTS) >= 0;
        newly = newly || (watched && !sockets->watched[i]);
        sockets->watched[i] = watched;
        if (watched)
            continue;
        parent_of(sockets->folder[i], parent, sizeof parent);
        if (parent[0])
            inotify_add_watch(sockets->fd, parent, SOCKET_FOLDER_EVENTS);
    }
    return newly;
}

struct vmh_watch_sockets *vmh_watch_sockets_open(const char *const *paths, size_t count)
{
    if (count == 0)
        return NULL;
    struct vmh_watch_sockets *sockets = calloc(1, sizeof *sockets);
    if (!sockets)
        return NULL;
    for (size_t i = 0; i < count && sockets->count < VMH_WATCH_SOCKETS_MAX; i++) {
        parent_of(paths[i], sockets->folder[sockets->count], PATH_MAX);
        sockets->count += sockets->folder[sockets->count][0] != '\0';
    }
    sockets->fd = sockets->count ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
    if (sockets->fd < 0) {
        free(sockets);
        return NULL;
    }
    arm(sockets);
    return sockets;
}

int vmh_watch_sockets_fd(const struct vmh_watch_sockets *sockets)
{
    return sockets ? sockets->fd : -1;
}

bool vmh_watch_sockets_changed(struct vmh_watch_sockets *sockets)
{
    _Alignas(struct inotify_event) char buffer[4096];
    bool changed = false;
    while (sockets && read(sockets->fd, buffer, sizeof buffer) > 0)
        changed = true;
    /* After the read: a socket made in a folder that has just appeared is
     * then seen by the caller's look, or by the next event.  Armed at every
     * call, not only after an event: a tmpfs mounted over a runtime folder
     * (as logind makes it) tells its parent's watch nothing. */
    return sockets && (arm(sockets) || changed);
}

void vmh_watch_sockets_close(struct vmh_watch_sockets *sockets)
{
    if (!sockets)
        return;
    close(sockets->fd);
    free(sockets);
}
