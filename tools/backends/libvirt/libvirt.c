/* Reads libvirt's dnsmasq folder: every bridge's .status and .macs, kept
 * by bridge. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "libvirt.h"
#include "trust.h"

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

/* Why a lease file is not read, or NULL.  The files are libvirt's (root's):
 * one another user could write would choose root's answers; a FIFO or a
 * device would block the refresher or feed it forever; a file larger than
 * any real lease list is not libvirt's. */
static const char *refusal(int open_error, const struct stat *st)
{
    if (open_error == ELOOP)
        return "a lease file is a symlink, not read: ";
    if (open_error)
        return "cannot open a lease file: ";
    if (!S_ISREG(st->st_mode))
        return "a lease file is not a regular file (a FIFO, a device, a folder), not read: ";
    if (!vmh_stat_trusted(st, vmh_trusted_uid()))
        return "a lease file someone other than root or you may write, not read: ";
    if ((uintmax_t)st->st_size > VMH_LIBVIRT_FILE_MAX)
        return "a lease file is too large (over 8 MiB), not read: ";
    return NULL;
}

char *vmh_libvirt_read_bounded(int fd, size_t *length, bool *too_large)
{
    /* Only the pages read into are ever touched. */
    char *text = malloc(VMH_LIBVIRT_FILE_MAX + 1);
    size_t size = 0;
    ssize_t got = 1;
    while (text && got != 0 && size <= VMH_LIBVIRT_FILE_MAX) {
        got = read(fd, text + size, VMH_LIBVIRT_FILE_MAX + 1 - size);
        if (got < 0 && errno != EINTR)
            break;
        size += got > 0 ? (size_t)got : 0;
    }
    *too_large = size > VMH_LIBVIRT_FILE_MAX;
    if (!text || got != 0 || *too_large) {
        free(text);
        return NULL;
    }
    *length = size;
    return text;
}

/* Appends the JSON array in `text` (empty: none yet) to *into. */
static int add_array(const char *text, size_t length, json_t *into, const char *name,
                     struct vmh_backend_state *state)
{
    /* An empty file is what the helper leaves before the first lease. */
    if (length == 0)
        return 0;
    json_error_t error;
    json_t *array = json_loadb(text, length, 0, &error);
    if (!json_is_array(array)) {
        json_decref(array);
        say(state, VMH_STATUS_ERROR, "a lease file is not a JSON array: ", name);
        return -1;
    }
    json_array_extend(into, array);
    json_decref(array);
    return 0;
}

/* Says why the file `name` was not read; `error` (an errno, or 0) after it. */
static int refused(struct vmh_backend_state *state, const char *why, const char *name, int error)
{
    state->status = VMH_STATUS_ERROR;
    snprintf(state->message, sizeof state->message, "%s%.300s%s%s", why, name,
             error ? ": " : "", error ? strerror(error) : "");
    return -1;
}

/* One file's array appended to *into.  O_NONBLOCK: opening a FIFO for
 * reading must not wait for a writer (it is then refused as not regular). */
static int load_file(int dir_fd, const char *name, json_t *into, struct vmh_backend_state *state)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    int error = fd < 0 ? errno : 0;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0)
        error = errno;
    const char *why = refusal(error, &st);
    size_t length = 0;
    bool too_large = false;
    char *text = why ? NULL : vmh_libvirt_read_bounded(fd, &length, &too_large);
    if (!why && !text) {
        error = too_large ? 0 : errno;
        why = too_large ? "a lease file is too large (over 8 MiB), not read: "
                        : "cannot read a lease file: ";
    }
    if (fd >= 0)
        close(fd);
    if (why)
        return refused(state, why, name, error == ELOOP ? 0 : error);
    int result = add_array(text, length, into, name, state);
    free(text);
    return result;
}

/* The array `key` of the bridge whose file is `name` (ending in `tail`)
 * in *bridges, made on first use: each bridge's .status is matched
 * against its own .macs.  NULL when out of memory. */
static json_t *bridge_array(json_t *bridges, const char *name, const char *tail, const char *key)
{
    char bridge[NAME_MAX + 1];
    snprintf(bridge, sizeof bridge, "%.*s", (int)(strlen(name) - strlen(tail)), name);
    json_t *files = json_object_get(bridges, bridge), *array;
    if (!files && json_object_set_new_nocheck(bridges, bridge, files = json_object()) != 0)
        return NULL;
    if (!(array = json_object_get(files, key)) &&
        json_object_set_new_nocheck(files, key, array = json_array()) != 0)
        return NULL;
    return array;
}

static int load_entry(int dir_fd, const char *name, json_t *bridges,
                      struct vmh_backend_state *state)
{
    const char *tail = ends_with(name, ".status") ? ".status"
                       : ends_with(name, ".macs") ? ".macs"
                                                  : NULL;
    if (!tail)
        return 0;
    json_t *into = bridge_array(bridges, name, tail, tail + 1);
    if (!into) {
        say(state, VMH_STATUS_ERROR, "out of memory while reading ", name);
        return -1;
    }
    return load_file(dir_fd, name, into, state);
}

static int load_folder(const char *folder, json_t *bridges, struct vmh_backend_state *state)
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
    while (result == 0 && (entry = readdir(dir)) != NULL)
        result = load_entry(dirfd(dir), entry->d_name, bridges, state);
    closedir(dir);
    return result;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every bridge's hosts, from the arrays load_folder gathered, bridges in
 * name order: a domain on two bridges lists its addresses in the same
 * order whatever order the folder lists its files in. */
static int add_bridges(json_t *bridges, int64_t now_s, enum vmh_backend backend,
                       struct vmh_snapshot *out)
{
    size_t count = 0, size = json_object_size(bridges) + 1;
    struct vmh_libvirt_network *networks = calloc(size, sizeof *networks);
    const char **names = calloc(size, sizeof *names);
    const char *name;
    json_t *files;
    int result = networks && names ? 0 : -1;
    json_object_foreach(bridges, name, files) {
        if (names)
            names[count++] = name;
    }
    if (result == 0)
        qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; result == 0 && i < count; i++) {
        files = json_object_get(bridges, names[i]);
        networks[i] = (struct vmh_libvirt_network){json_object_get(files, "status"),
                                                   json_object_get(files, "macs")};
    }
    if (result == 0)
        result = vmh_libvirt_add(networks, count, now_s, backend, out);
    free(networks);
    free(names);
    return result;
}

int vmh_libvirt_refresh(const char *folder, enum vmh_backend backend, struct vmh_snapshot *out)
{
    struct vmh_backend_state *state = &out->backends[backend];
    int64_t now_ms = vmh_realtime_ms();
    json_t *bridges = json_object();
    int result = bridges ? load_folder(folder, bridges, state) : -1;
    if (result == 0 && add_bridges(bridges, now_ms / 1000, backend, out) != 0) {
        say(state, VMH_STATUS_ERROR, "out of memory while reading ", folder);
        result = -1;
    }
    json_decref(bridges);
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
