/* A user's rootless engines' sockets: see rootless.h.
 *
 * The runtime folder is /run/user/UID, not $XDG_RUNTIME_DIR: the module
 * runs inside programs whose environment anyone may have set, and it and
 * the refresher must agree on the same path without it.  pam_systemd sets
 * XDG_RUNTIME_DIR to that folder, which is where Podman and Docker put
 * their rootless sockets. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rootless.h"

static const char *const socket_names[VMH_ROOTLESS_SOCKET_COUNT] = {
    "podman/podman.sock",
    "docker.sock",
};

static bool runtime_dir(uid_t uid, char *out, size_t size)
{
    struct stat st;
    int length = snprintf(out, size, "/run/user/%u", (unsigned)uid);
    return uid != 0 && length > 0 && (size_t)length < size && lstat(out, &st) == 0 &&
           S_ISDIR(st.st_mode) && st.st_uid == uid && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool vmh_rootless_socket_path(uid_t uid, unsigned index, char *out, size_t size)
{
    if (uid == 0 || index >= VMH_ROOTLESS_SOCKET_COUNT)
        return false;
    int length = snprintf(out, size, "/run/user/%u/%s", (unsigned)uid, socket_names[index]);
    return length > 0 && (size_t)length < size;
}

bool vmh_rootless_socket(uid_t uid, unsigned index, char *out, size_t size)
{
    return runtime_dir(uid, out, size) && vmh_rootless_socket_path(uid, index, out, size);
}

static bool owns_socket(uid_t uid, const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == uid;
}

bool vmh_rootless_listed_present(uid_t uid, const char *listed)
{
    char socket[256];
    for (const char *at = listed; uid != 0 && at && *at; at += strspn(at, " ")) {
        size_t length = strcspn(at, " ");
        if (length > 0 && length < sizeof socket) {
            memcpy(socket, at, length);
            socket[length] = '\0';
            if (owns_socket(uid, socket))
                return true;
        }
        at += length;
    }
    return false;
}

bool vmh_rootless_socket_present(uid_t uid, unsigned index)
{
    char socket[128];
    return vmh_rootless_socket(uid, index, socket, sizeof socket) && owns_socket(uid, socket);
}

bool vmh_rootless_engine_present(uid_t uid, const char *listed)
{
    for (unsigned i = 0; i < VMH_ROOTLESS_SOCKET_COUNT; i++)
        if (vmh_rootless_socket_present(uid, i))
            return true;
    return vmh_rootless_listed_present(uid, listed);
}
