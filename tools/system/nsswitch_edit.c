/* Editing the hosts: line of nsswitch.conf.
 *
 * The file is the administrator's: everything but the one word we add or
 * remove (or the two lines we append to a file without a hosts line, and
 * take away again) stays byte for byte (spacing, comments, other lines),
 * so that `vmhosts disable` after `vmhosts enable` gives back the very
 * same file and a configuration manager sees a one-word diff.  The line is read the way
 * glibc reads it (nsswitch_action.h): a source may be followed by an
 * [ACTION] that belongs to it, and a '#' inside the line is no comment but
 * a source like any other (no module provides it, so it answers nothing,
 * while a vmhosts after it is asked); enable puts vmhosts before it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsswitch_action.h"
#include "nsswitch_edit.h"
#include "sync_folder.h"

/* A file without a hosts line has glibc's default (nss_database.c, 2.33
 * on: "dns [!UNAVAIL=return] files"); enable writes that default out with
 * vmhosts where it would put it, so that nothing but vmhosts changes, and
 * marks it so that disable can take both lines away and give the file back
 * as it was.  The mark is a line of its own: a '#' on the hosts line is a
 * source to glibc. */
#define APPENDED_HOSTS_LINE "hosts: " VMH_NSSWITCH_SERVICE " dns [!UNAVAIL=return] files\n"
#define APPENDED_LINES VMH_NSSWITCH_APPENDED_MARK "\n" APPENDED_HOSTS_LINE
/* nsswitch.conf is a few kilobytes; anything this big is not one. */
#define NSSWITCH_MAX_SIZE (1024 * 1024)

struct hosts_line {
    const char *line, *line_end; /* the whole line, without '\n' */
    const char *services;        /* just after "hosts:" */
    const char *unread;          /* where glibc stops reading before the end, or NULL */
};

/* Whether [line, end) is a hosts line; fills *hosts if so. */
static bool parse_hosts_line(const char *line, const char *end, struct hosts_line *hosts)
{
    const char *services = vmh_nsswitch_sources(line, end, "hosts");
    if (!services)
        return false;
    /* Back over the blanks before the first source, to the colon or the
     * name: disable takes away the blank that enable put before vmhosts. */
    while (vmh_nsswitch_is_blank(services[-1]))
        services--;
    *hosts = (struct hosts_line){.line = line, .line_end = end, .services = services};
    struct vmh_nsswitch_source source;
    const char *p = services;
    while (vmh_nsswitch_next_source(p, end, &source))
        p = source.end;
    p = vmh_nsswitch_skip_blanks(p, end);
    hosts->unread = p < end ? p : NULL;
    return true;
}

/* The last hosts line glibc reads: its nss_database.c keeps the last one,
 * so an edit of an earlier one would change nothing, and it never reads a
 * last line without a newline (getline meets the end of the file there). */
static bool find_hosts_line(const char *text, struct hosts_line *hosts)
{
    bool found = false;
    for (const char *line = text, *newline; (newline = strchr(line, '\n')); line = newline + 1)
        found = parse_hosts_line(line, newline, hosts) || found;
    return found;
}

bool vmh_nsswitch_hosts_line_unread(const char *text)
{
    const char *last = strrchr(text, '\n');
    last = last ? last + 1 : text;
    struct hosts_line hosts;
    return *last && parse_hosts_line(last, last + strlen(last), &hosts);
}

bool vmh_nsswitch_hosts_line(const char *text, size_t *start, size_t *length)
{
    struct hosts_line hosts;
    if (!find_hosts_line(text, &hosts))
        return false;
    *start = (size_t)(hosts.line - text);
    *length = (size_t)(hosts.line_end - hosts.line);
    return true;
}

/* Services that ask the network (or a daemon that does): vmhosts answers
 * before them, so a container name never leaks to a DNS server. */
static bool is_network_service(const struct vmh_nsswitch_source *service)
{
    static const char *const names[] = {"dns", "resolve", "nis", "nisplus", "wins"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (vmh_nsswitch_source_is(service, names[i]))
            return true;
    return service->word_end - service->start >= 4 && memcmp(service->start, "mdns", 4) == 0;
}

/* text with `remove` bytes at `at` replaced by `insert`, malloc'd. */
static char *replace_span(const char *text, size_t at, size_t remove, const char *insert)
{
    size_t length = strlen(text), insert_length = strlen(insert);
    char *out = malloc(length - remove + insert_length + 1);
    if (!out)
        return NULL;
    memcpy(out, text, at);
    memcpy(out + at, insert, insert_length);
    memcpy(out + at + insert_length, text + at + remove, length - at - remove + 1);
    return out;
}

static bool has_service(const struct hosts_line *hosts, const char *name,
                        struct vmh_nsswitch_source *found, const char **previous_end)
{
    struct vmh_nsswitch_source service;
    const char *p = hosts->services;
    while (vmh_nsswitch_next_source(p, hosts->line_end, &service)) {
        if (vmh_nsswitch_source_is(&service, name)) {
            *found = service;
            return true;
        }
        *previous_end = p = service.end;
    }
    return false;
}

/* vmh_nsswitch_enable on a text that ends with a newline. */
static int add_service(const char *text, char **out, bool *changed)
{
    struct hosts_line hosts;
    *changed = false;
    if (!find_hosts_line(text, &hosts)) {
        *out = malloc(strlen(text) + sizeof APPENDED_LINES);
        if (!*out)
            return -1;
        stpcpy(stpcpy(*out, text), APPENDED_LINES);
        *changed = true;
        return 0;
    }
    struct vmh_nsswitch_source service, found;
    const char *previous_end = hosts.services;
    if (has_service(&hosts, VMH_NSSWITCH_SERVICE, &found, &previous_end)) {
        *out = strdup(text);
        return *out ? 0 : -1;
    }
    if (hosts.unread)
        return VMH_NSSWITCH_UNREAD;
    const char *p = hosts.services, *append_at = hosts.services;
    while (vmh_nsswitch_next_source(p, hosts.line_end, &service)) {
        /* A '#' source is a comment to whoever wrote it; glibc asks it
         * (no module has that name) and goes on. */
        if (is_network_service(&service) || vmh_nsswitch_source_stops(&service) ||
            *service.start == '#') {
            *out = replace_span(text, (size_t)(service.start - text), 0, VMH_NSSWITCH_SERVICE " ");
            *changed = *out != NULL;
            return *out ? 0 : -1;
        }
        p = append_at = service.end;
    }
    *out = replace_span(text, (size_t)(append_at - text), 0, " " VMH_NSSWITCH_SERVICE);
    *changed = *out != NULL;
    return *out ? 0 : -1;
}

/* The text ended by a newline: glibc skips a last line without one. */
static char *terminated(const char *text, bool *changed)
{
    size_t length = strlen(text);
    bool missing = length > 0 && text[length - 1] != '\n';
    char *out = malloc(length + 2);
    if (out)
        strcpy(stpcpy(out, text), missing ? "\n" : "");
    *changed = missing;
    return out;
}

int vmh_nsswitch_enable(const char *text, char **out, bool *changed)
{
    char *whole = terminated(text, changed);
    if (!whole)
        return -1;
    bool other_change = false;
    *out = NULL;
    int status = add_service(whole, out, &other_change);
    *changed = status == 0 && (*changed || other_change);
    free(whole);
    return status;
}

/* Whether the hosts line is the one enable appended, unchanged and still
 * under its mark; its first byte is then that of the mark. */
static bool appended_by_enable(const char *text, const struct hosts_line *hosts,
                               const char **from)
{
    size_t mark = strlen(VMH_NSSWITCH_APPENDED_MARK "\n");
    size_t line = strlen(APPENDED_HOSTS_LINE), before = (size_t)(hosts->line - text);
    if (before < mark || strncmp(hosts->line, APPENDED_HOSTS_LINE, line) != 0)
        return false;
    *from = hosts->line - mark;
    return strncmp(*from, VMH_NSSWITCH_APPENDED_MARK "\n", mark) == 0 &&
           (*from == text || (*from)[-1] == '\n');
}

/* Removes the first vmhosts: 1, 0 when there is none, -1 out of memory,
 * -VMH_NSSWITCH_UNREAD when the line cannot be edited safely. */
static int remove_one(char **text)
{
    struct hosts_line hosts;
    struct vmh_nsswitch_source found, next;
    const char *previous_end = NULL, *mark;
    if (!find_hosts_line(*text, &hosts))
        return 0;
    if (appended_by_enable(*text, &hosts, &mark)) {
        char *from = *text + (mark - *text), *to = *text + (hosts.line_end + 1 - *text);
        memmove(from, to, strlen(to) + 1);
        return 1;
    }
    previous_end = hosts.services;
    if (!has_service(&hosts, VMH_NSSWITCH_SERVICE, &found, &previous_end))
        return 0;
    if (hosts.unread)
        return -VMH_NSSWITCH_UNREAD;
    /* Inverse of enable: "vmhosts " before a service, or " vmhosts" last. */
    const char *from = found.start, *to = found.end;
    if (vmh_nsswitch_next_source(found.end, hosts.line_end, &next))
        to = next.start;
    else
        from = previous_end;
    char *shorter = replace_span(*text, (size_t)(from - *text), (size_t)(to - from), "");
    if (!shorter)
        return -1;
    free(*text);
    *text = shorter;
    return 1;
}

int vmh_nsswitch_disable(const char *text, char **out, bool *changed)
{
    *changed = false;
    *out = strdup(text);
    if (!*out)
        return -1;
    int removed;
    while ((removed = remove_one(out)) > 0)
        *changed = true;
    if (removed < 0) {
        free(*out);
        *out = NULL;
        *changed = false;
        return removed == -VMH_NSSWITCH_UNREAD ? VMH_NSSWITCH_UNREAD : -1;
    }
    return 0;
}

/* ---- the file ------------------------------------------------------------ */

static int fail(char *err, size_t err_size, const char *what, const char *path)
{
    int saved = errno;
    snprintf(err, err_size, "cannot %s %s: %s", what, path, strerror(saved));
    errno = saved;
    return -1;
}

static int read_text(const char *path, char **text, struct stat *st, char *err, size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, st) != 0) {
        fail(err, err_size, "read", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode) || st->st_size > NSSWITCH_MAX_SIZE) {
        close(fd);
        errno = EINVAL;
        snprintf(err, err_size, "%s is not a regular file of at most %d bytes", path,
                 NSSWITCH_MAX_SIZE);
        return -1;
    }
    size_t size = (size_t)st->st_size, used = 0;
    *text = malloc(size + 1);
    ssize_t got = 1;
    while (*text && used < size && (got = read(fd, *text + used, size - used)) > 0)
        used += (size_t)got;
    close(fd);
    if (!*text || got < 0 || memchr(*text, '\0', used)) {
        if (*text && got >= 0)
            errno = EINVAL;
        fail(err, err_size, "read", path);
        free(*text);
        *text = NULL;
        return -1;
    }
    (*text)[used] = '\0';
    return 0;
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return -1;
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

/* The new file gets the old one's mode and owner before it has a name, so
 * there is no moment when nsswitch.conf is unreadable or someone else's. */
static int copy_ownership(int fd, const struct stat *like)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if ((st.st_uid != like->st_uid || st.st_gid != like->st_gid) &&
        fchown(fd, like->st_uid, like->st_gid) != 0)
        return -1;
    return fchmod(fd, like->st_mode & 07777);
}

/* Replaces `target` with `text`: temporary file in the same folder, fsync,
 * rename, fsync of the folder.  A reader sees the old file or the new one,
 * never half of one, and a crash after we return keeps the new one. */
static int write_atomically(const char *target, const char *text, const struct stat *like,
                            char *err, size_t err_size)
{
    char temp[PATH_MAX];
    if (snprintf(temp, sizeof temp, "%s.vmhosts-XXXXXX", target) >= (int)sizeof temp) {
        errno = ENAMETOOLONG;
        return fail(err, err_size, "write next to", target);
    }
    int fd = mkostemp(temp, O_CLOEXEC);
    if (fd < 0)
        return fail(err, err_size, "write a temporary file next to", target);
    if (copy_ownership(fd, like) != 0 || write_all(fd, text, strlen(text)) != 0 ||
        fsync(fd) != 0) {
        fail(err, err_size, "write", temp);
        close(fd);
        unlink(temp);
        return -1;
    }
    if (close(fd) != 0 || rename(temp, target) != 0) {
        fail(err, err_size, "replace", target);
        unlink(temp);
        return -1;
    }
    vmh_sync_folder_of(target);
    return 0;
}

static char *copy_hosts_line(const char *text)
{
    size_t start, length;
    if (!vmh_nsswitch_hosts_line(text, &start, &length))
        return strdup("");
    return strndup(text + start, length);
}

static int transform(const char *text, bool enable, char **out, bool *changed, char *err,
                     size_t err_size)
{
    int status = enable ? vmh_nsswitch_enable(text, out, changed)
                        : vmh_nsswitch_disable(text, out, changed);
    if (status == VMH_NSSWITCH_UNREAD) {
        errno = EINVAL;
        snprintf(err, err_size, "glibc cannot read the hosts: line to its end (a second "
                                "[ACTION] after one source, or a '[' never closed); mend the "
                                "line, then run this again");
    } else if (status != 0) {
        errno = ENOMEM;
        snprintf(err, err_size, "out of memory");
    }
    return status != 0 ? -1 : 0;
}

/* Writes the backup and the new text; real is the resolved path. */
static int replace_text(const char *real, const char *old_text, const char *new_text,
                        const struct stat *st, char *err, size_t err_size)
{
    char backup[PATH_MAX];
    if (snprintf(backup, sizeof backup, "%s%s", real, VMH_NSSWITCH_BACKUP_SUFFIX) >=
        (int)sizeof backup) {
        errno = ENAMETOOLONG;
        return fail(err, err_size, "write a backup of", real);
    }
    if (write_atomically(backup, old_text, st, err, err_size) != 0)
        return -1;
    return write_atomically(real, new_text, st, err, err_size);
}

int vmh_nsswitch_edit_file(const char *path, bool enable, bool *changed, char **hosts_line,
                           char *err, size_t err_size)
{
    char *text = NULL, *new_text = NULL;
    struct stat st;
    int status = -1;
    *changed = false;
    *hosts_line = NULL;
    /* A symlinked nsswitch.conf (NixOS, some containers) keeps its link: the
     * file it points to is the one replaced. */
    char *real = realpath(path, NULL);
    if (!real)
        return fail(err, err_size, "read", path);
    if (read_text(real, &text, &st, err, err_size) == 0 &&
        transform(text, enable, &new_text, changed, err, err_size) == 0 &&
        (!*changed || replace_text(real, text, new_text, &st, err, err_size) == 0)) {
        *hosts_line = copy_hosts_line(new_text);
        status = 0;
    }
    int saved = errno;
    free(real);
    free(text);
    free(new_text);
    errno = saved;
    return status;
}
