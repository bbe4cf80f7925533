/* The registration files, written whole (a temporary file renamed into
 * place) and only when their text differs, so that enabling twice changes
 * nothing; removed on disable, with the folders they made when those are
 * left empty, so that disabling leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns_listen.h"
#include "dns_register.h"
#include "sync_folder.h"

#define MARKER "# Written by `vmhosts enable --dns`; `vmhosts disable --dns` removes it.\n"
/* resolved reads a .negative line starting with '#' as a domain followed by
 * garbage and warns at every start; ';' is that file's comment. */
#define ANCHORS_MARKER "; Written by `vmhosts enable --dns`; `vmhosts disable --dns` removes it.\n"

static void append(char *out, size_t size, const char *text)
{
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s", text);
}

/* Every backend's domains, in the order of backends.def, each after
 * prefix and before separator. */
static void domains(const struct vmh_config *config, const char *prefix, const char *separator,
                    char *out, size_t size)
{
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++) {
        char list[VMH_LIST_MAX];
        snprintf(list, sizeof list, "%s", config->domains[b]);
        for (char *save = NULL, *word = strtok_r(list, " ", &save); word;
             word = strtok_r(NULL, " ", &save)) {
            append(out, size, prefix);
            append(out, size, word);
            append(out, size, separator);
        }
    }
}

int vmh_dns_register_texts(const struct vmh_config *config, char *dropin, size_t dropin_size,
                           char *anchors, size_t anchors_size)
{
    struct vmh_dns_endpoint endpoint[1];
    char first[128];
    /* resolved needs one DNS= for the face; the first address listed. */
    snprintf(first, sizeof first, "%.*s", (int)strcspn(config->dns_listen, " \t"),
             config->dns_listen);
    if (vmh_dns_parse_endpoint(first, endpoint) != 0)
        return -1;
    snprintf(dropin, dropin_size, MARKER "[Resolve]\nDNS=%s\nDomains=", endpoint->text);
    domains(config, "~", " ", dropin, dropin_size);
    dropin[strlen(dropin) - 1] = '\n';
    snprintf(anchors, anchors_size, "%s", ANCHORS_MARKER);
    domains(config, "", "\n", anchors, anchors_size);
    return 0;
}

static bool same_text(const char *path, const char *text)
{
    char buffer[4096];
    FILE *file = fopen(path, "re");
    if (!file)
        return false;
    size_t n = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[n] = '\0';
    return strcmp(buffer, text) == 0;
}

/* Makes the folder (and its parent) when missing, mode 0755. */
static int make_folder(const char *path)
{
    char parent[VMH_PATH_MAX * 2];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (mkdir(parent, 0755) != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static int write_file(const char *path, const char *text, bool *changed)
{
    char folder[VMH_PATH_MAX * 2], temporary[VMH_PATH_MAX * 2 + 8];
    if (same_text(path, text))
        return 0;
    snprintf(folder, sizeof folder, "%s", path);
    *strrchr(folder, '/') = '\0';
    snprintf(temporary, sizeof temporary, "%s.new", path);
    if (make_folder(folder) != 0)
        return -1;
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -1;
    size_t length = strlen(text);
    bool ok = write(fd, text, length) == (ssize_t)length && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(temporary, path) != 0) {
        int saved = errno;
        unlink(temporary);
        errno = saved;
        return -1;
    }
    vmh_sync_folder_of(path);
    *changed = true;
    return 0;
}

/* Removes our file (one without a marker is someone else's: kept), then
 * its folder if that is left empty.  Either marker on either file: anchors
 * written before ANCHORS_MARKER existed start with MARKER. */
static int remove_file(const char *path, bool *changed)
{
    char folder[VMH_PATH_MAX * 2], head[sizeof MARKER];
    FILE *file = fopen(path, "re");
    if (!file)
        return errno == ENOENT ? 0 : -1;
    bool ours = fgets(head, sizeof head, file) &&
                (strcmp(head, MARKER) == 0 || strcmp(head, ANCHORS_MARKER) == 0);
    fclose(file);
    if (!ours)
        return 0;
    if (unlink(path) != 0)
        return -1;
    *changed = true;
    snprintf(folder, sizeof folder, "%s", path);
    *strrchr(folder, '/') = '\0';
    /* Each fails, as it should, when anything else is in it; /etc/systemd
     * too (made by make_folder on a machine without it), never /etc. */
    if (rmdir(folder) == 0 && strcmp(strrchr(folder, '/'), "/resolved.conf.d") == 0) {
        *strrchr(folder, '/') = '\0';
        rmdir(folder);
    }
    return 0;
}

int vmh_dns_register(const struct vmh_config *config, const char *root, bool enable,
                     bool *changed, char *err, size_t err_size)
{
    char dropin[2048], anchors[2048], dropin_path[VMH_PATH_MAX * 2], anchors_path[VMH_PATH_MAX * 2];
    snprintf(dropin_path, sizeof dropin_path, "%s%s", root, VMH_RESOLVED_DROPIN);
    snprintf(anchors_path, sizeof anchors_path, "%s%s", root, VMH_NEGATIVE_ANCHORS);
    *changed = false;
    if (!enable) {
        const char *failed = remove_file(dropin_path, changed) != 0    ? dropin_path
                             : remove_file(anchors_path, changed) != 0 ? anchors_path
                                                                       : NULL;
        if (failed)
            snprintf(err, err_size, "cannot remove %s: %s", failed, strerror(errno));
        return failed ? -1 : 0;
    }
    if (vmh_dns_register_texts(config, dropin, sizeof dropin, anchors, sizeof anchors) != 0) {
        snprintf(err, err_size, "dns_listen (%s) has no address to register", config->dns_listen);
        errno = EINVAL;
        return -1;
    }
    const char *failed = write_file(dropin_path, dropin, changed) != 0    ? dropin_path
                         : write_file(anchors_path, anchors, changed) != 0 ? anchors_path
                                                                           : NULL;
    if (failed)
        snprintf(err, err_size, "cannot write %s: %s", failed, strerror(errno));
    return failed ? -1 : 0;
}
