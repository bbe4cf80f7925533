/* Reads libvirt's dnsmasq folder: every bridge's .status and .macs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "libvirt.h"
#include "trust.h"

/* A lease file of thousands of guests is well under this. */
#define FILE_MAX (8u * 1024u * 1024u)

static void say(struct vmh_backend_state *state, uint32_t status, const char *text,
                const char *path)
{
    state->status = status;
    snprintf(state->message, sizeof state->message, "%s%.300s", text, path);
}

static bool ends_with(const char *name, const char *tail)
{
    size_t n = strlen(name), m = strlen(tail);
    return n > m && strcmp(name + n - m, tail) == 0;
}

/* One file's array appended to *into.  The files are libvirt's (root's):
 * one another user could write, or anything but a regular file, is not
 * read, since it would choose root's answers. */
static int load_file(int dir_fd, const char *name, json_t *into, struct vmh_backend_state *state)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        !vmh_stat_trusted(&st, vmh_trusted_uid()) || (size_t)st.st_size > FILE_MAX) {
        if (fd >= 0)
            close(fd);
        say(state, VMH_STATUS_ERROR, "a lease file libvirt did not write, or too large: ", name);
        return -1;
    }
    json_error_t error;
    json_t *array = json_loadfd(fd, 0, &error);
    close(fd);
    /* An empty file is what the helper leaves before the first lease. */
    if (!array && st.st_size == 0)
        return 0;
    if (!json_is_array(array)) {
        json_decref(array);
        say(state, VMH_STATUS_ERROR, "not a JSON array: ", name);
        return -1;
    }
    json_array_extend(into, array);
    json_decref(array);
    return 0;
}

static int load_folder(const char *folder, json_t *leases, json_t *macs,
                       struct vmh_backend_state *state)
{
    DIR *dir = opendir(folder);
    if (!dir) {
        say(state, errno == ENOENT || errno == ENOTDIR ? VMH_STATUS_UNAVAILABLE
                   : errno == EACCES                   ? VMH_STATUS_DENIED
                                                        : VMH_STATUS_ERROR,
            errno == ENOENT || errno == ENOTDIR ? "libvirt is not installed: no folder "
                                                : "cannot read ",
            folder);
        return -1;
    }
    int result = 0;
    struct dirent *entry;
    while (result == 0 && (entry = readdir(dir)) != NULL) {
        if (ends_with(entry->d_name, ".status"))
            result = load_file(dirfd(dir), entry->d_name, leases, state);
        else if (ends_with(entry->d_name, ".macs"))
            result = load_file(dirfd(dir), entry->d_name, macs, state);
    }
    closedir(dir);
    return result;
}

int vmh_libvirt_refresh(const char *folder, enum vmh_backend backend, struct vmh_snapshot *out)
{
    struct vmh_backend_state *state = &out->backends[backend];
    int64_t now_ms = vmh_realtime_ms();
    json_t *leases = json_array(), *macs = json_array();
    int result = leases && macs ? load_folder(folder, leases, macs, state) : -1;
    if (result == 0 && vmh_libvirt_add(leases, macs, now_ms / 1000, backend, out) != 0) {
        say(state, VMH_STATUS_ERROR, "out of memory while reading ", folder);
        result = -1;
    }
    json_decref(leases);
    json_decref(macs);
    state->attempted_ms = vmh_realtime_ms();
    state->updated_ms = result == 0 ? now_ms : 0;
    if (result == 0) {
        state->status = VMH_STATUS_OK;
        state->message[0] = '\0';
    } else if (state->status == VMH_STATUS_NEVER || state->status == VMH_STATUS_OK) {
        say(state, VMH_STATUS_ERROR, "cannot read ", folder);
    }
    return result;
}
