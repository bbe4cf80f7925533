/* The settings file.  This runs inside every process that resolves a name,
 * so a bad file must never stop a lookup: a line that is not understood is
 * skipped and counted, and the defaults stand in for whatever is missing. */
#include "config.h"
#include "names.h"
#include "trust.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define DOMAIN_MAX 200 /* leaves room for a VM's label under the domain in 253 */


/* The keys' names, in the file and in `vmhosts status`. */
const char *const vmh_config_key_names[VMH_CONF_KEY_COUNT] = {
#define VMH_BACKEND(id, section, names, dom_key, dom_kind, dom_default, ttl_key, ttl_default, \
                    src_key, src_kind, src_default)                                          \
    [VMH_CONF_SOURCE(VMH_BACKEND_##id)] = src_key,                                            \
    [VMH_CONF_DOMAINS(VMH_BACKEND_##id)] = dom_key,                                           \
    [VMH_CONF_TTL(VMH_BACKEND_##id)] = ttl_key,
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND
    [VMH_CONF_CACHE_DIR] = "cache_dir",
    [VMH_CONF_USER_CACHE_DIR] = "user_cache_dir",
    [VMH_CONF_TIMEOUT_MS] = "timeout_ms",
    [VMH_CONF_REFRESH_INTERVAL_MS] = "refresh_interval_ms",
    [VMH_CONF_REFRESH_COMMAND] = "refresh_command",
    [VMH_CONF_DNS_LISTEN] = "dns_listen",
    [VMH_CONF_DOCKER_NETWORKS] = "docker_networks",
    [VMH_CONF_LABEL_DOMAINS] = "label_domains",
};

/* What each key's value may be and where it goes, by the same number. */
struct key_rule {
    enum vmh_value_kind kind;
    size_t offset; /* of the field in struct vmh_config */
    size_t size;   /* of a text field */
    long min, max; /* of a number */
    bool listed;   /* a list setting: a pointer into config->texts */
};

#define TEXT_AT(kind_, field_)                                                               \
    {kind_, offsetof(struct vmh_config, field_), sizeof(((struct vmh_config *)0)->field_), 0, \
     0, false}
/* VMH_CONFIG_LISTS (config.h) counts the settings declared with LIST_AT:
 * the pool holds each of them at its largest. */
#define LIST_AT(kind_, field_)                                                               \
    {kind_, offsetof(struct vmh_config, field_), VMH_LIST_MAX, 0, 0, true}
#define NUMBER_AT(field_, min_, max_)                                                        \
    {VALUE_NUMBER, offsetof(struct vmh_config, field_), sizeof(long), min_, max_, false}

static const struct key_rule rules[VMH_CONF_KEY_COUNT] = {
#define VMH_BACKEND(id, section, names, dom_key, dom_kind, dom_default, ttl_key, ttl_default, \
                    src_key, src_kind, src_default)                                          \
    [VMH_CONF_SOURCE(VMH_BACKEND_##id)] = LIST_AT(src_kind, source[VMH_BACKEND_##id]),         \
    [VMH_CONF_DOMAINS(VMH_BACKEND_##id)] = LIST_AT(dom_kind, domains[VMH_BACKEND_##id]),       \
    [VMH_CONF_TTL(VMH_BACKEND_##id)] = NUMBER_AT(ttl_s[VMH_BACKEND_##id], 1, 86400),
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND
    [VMH_CONF_CACHE_DIR] = TEXT_AT(VALUE_PATH, cache_dir),
    [VMH_CONF_USER_CACHE_DIR] = TEXT_AT(VALUE_PATH_OR_EMPTY, user_cache_dir),
    [VMH_CONF_TIMEOUT_MS] = NUMBER_AT(timeout_ms, 10, 60000),
    [VMH_CONF_REFRESH_INTERVAL_MS] = NUMBER_AT(refresh_interval_ms, 0, 60000),
    [VMH_CONF_REFRESH_COMMAND] = TEXT_AT(VALUE_PATH, refresh_command),
    [VMH_CONF_DNS_LISTEN] = LIST_AT(VALUE_WORD_LIST, dns_listen),
    /* Network names are names by the domains' rule (lowercase, [a-z0-9_-]
     * labels), and none is allowed. */
    [VMH_CONF_DOCKER_NETWORKS] = LIST_AT(VALUE_DOMAIN_LIST, docker_networks),
    [VMH_CONF_LABEL_DOMAINS] = LIST_AT(VALUE_DOMAIN_LIST, label_domains),
};

/* A piece of the caller's text, which need not be NUL-terminated. */
struct span {
    const char *start;
    size_t length;
};

const char *vmh_config_path(void)
{
    /* secure_getenv is NULL under AT_SECURE: a setuid program must not be
     * pointed at a file its caller wrote. */
    const char *path = secure_getenv(VMH_CONFIG_ENV);
    return path && path[0] ? path : SYSCONFDIR "/vmhosts.conf";
}

/* The field of rules[key] when it is a list setting, else NULL. */
static const char **list_field(struct vmh_config *config, size_t key)
{
    return rules[key].listed ? (const char **)(void *)((char *)config + rules[key].offset) : NULL;
}

/* Moves the texts the list settings point at to the front of
 * config->texts, in their order, dropping what earlier values left. */
static void pack_texts(struct vmh_config *config)
{
    size_t used = 0;
    for (;;) {
        const char **next = NULL;
        for (size_t key = 0; key < VMH_CONF_KEY_COUNT; key++) {
            const char **field = list_field(config, key);
            if (field && *field && *field >= config->texts + used && (!next || *field < *next))
                next = field;
        }
        if (!next)
            break;
        size_t length = strlen(*next) + 1;
        memmove(config->texts + used, *next, length);
        *next = config->texts + used;
        used += length;
    }
    config->texts_used = used;
}

/* Points *field at a copy of text (under VMH_LIST_MAX bytes) at the end of
 * config->texts.  Packing makes room: the other lists then take at most
 * VMH_CONFIG_LISTS - 1 times VMH_LIST_MAX. */
static void store_list(struct vmh_config *config, const char **field, const char *text)
{
    size_t length = strlen(text) + 1;
    if (config->texts_used + length > sizeof config->texts) {
        *field = NULL;
        pack_texts(config);
    }
    char *slot = config->texts + config->texts_used;
    memcpy(slot, text, length);
    config->texts_used += length;
    *field = slot;
}

void vmh_config_defaults(struct vmh_config *config)
{
    if (!config)
        return;
    /* Not texts: zeroing them would touch every page of them. */
    memset(config, 0, offsetof(struct vmh_config, texts));
#define VMH_BACKEND(id, section, names, dom_key, dom_kind, dom_default, ttl_key, ttl_default, \
                    src_key, src_kind, src_default)                                          \
    store_list(config, &config->source[VMH_BACKEND_##id], src_default);                      \
    store_list(config, &config->domains[VMH_BACKEND_##id], dom_default);                     \
    config->ttl_s[VMH_BACKEND_##id] = ttl_default;
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND
    snprintf(config->path, sizeof config->path, "%s", vmh_config_path());
    snprintf(config->cache_dir, sizeof config->cache_dir, "%s", CACHEDIR);
    config->timeout_ms = 1500;
    config->refresh_interval_ms = 100;
    snprintf(config->refresh_command, sizeof config->refresh_command, "%s", BINDIR "/vmhosts");
    /* One loopback address no Debian or Ubuntu service binds (README). */
    store_list(config, &config->dns_listen, "127.0.0.153");
    store_list(config, &config->docker_networks, "");
    store_list(config, &config->label_domains, "");
}

/* --- values ---------------------------------------------------------------- */

/* '\r' counts as a blank so that a file saved with CRLF line ends reads the same. */
static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static struct span trim(struct span s)
{
    while (s.length > 0 && is_blank(s.start[0])) {
        s.start++;
        s.length--;
    }
    while (s.length > 0 && is_blank(s.start[s.length - 1]))
        s.length--;
    return s;
}

static int parse_number(struct span value, long min, long max, long *number)
{
    long n = 0;
    if (value.length == 0)
        return -1;
    for (size_t i = 0; i < value.length; i++) {
        char c = value.start[i];
        if (c < '0' || c > '9')
            return -1;
        n = n * 10 + (c - '0');
        if (n > max) /* checked every digit, so n never overflows */
            return -1;
    }
    if (n < min)
        return -1;
    *number = n;
    return 0;
}

/* Checks one domain and writes it lowercase, without its trailing dot (and
 * its leading one when allowed), to out.  Returns its length, or -1. */
static long normalize_domain(struct span d, int leading_dot, char *out, size_t out_size)
{
    if (leading_dot && d.length > 0 && d.start[0] == '.') {
        d.start++;
        d.length--;
    }
    if (d.length > 0 && d.start[d.length - 1] == '.')
        d.length--;
    if (d.length == 0 || d.length > DOMAIN_MAX || d.length >= out_size)
        return -1;
    size_t label = 0;
    for (size_t i = 0; i < d.length; i++) {
        char c = d.start[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '.') {
            if (label == 0)
                return -1;
            label = 0;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '_') ||
                   ++label > VMH_DNS_LABEL_MAX) {
            return -1;
        }
        out[i] = c;
    }
    if (label == 0)
        return -1;
    out[d.length] = '\0';
    return (long)d.length;
}

/* Checks one absolute path and copies it to out.  Returns its length, or -1. */
static long copy_path(struct span path, char *out, size_t out_size)
{
    if (path.length == 0 || path.start[0] != '/' || path.length >= out_size)
        return -1;
    memcpy(out, path.start, path.length);
    out[path.length] = '\0';
    return (long)path.length;
}

/* Copies one word of printable ASCII (no blank: the caller split on them). */
static long copy_word(struct span word, char *out, size_t out_size)
{
    if (word.length == 0 || word.length >= out_size)
        return -1;
    for (size_t i = 0; i < word.length; i++)
        if (word.start[i] <= ' ' || word.start[i] > '~')
            return -1;
    memcpy(out, word.start, word.length);
    out[word.length] = '\0';
    return (long)word.length;
}

/* The blank-separated words of a list, each checked by the kind's rule,
 * joined with single spaces in out.  An empty list is the caller's call. */
static int normalize_list(struct span list, enum vmh_value_kind kind, char *out, size_t out_size)
{
    size_t used = 0, words = 0;
    out[0] = '\0';
    while ((list = trim(list)).length > 0) {
        /* The module indexes every domain once (names.h). */
        if (kind == VALUE_DOMAIN_LIST && ++words > VMH_DOMAINS_MAX)
            return -1;
        struct span word = {list.start, 0};
        while (word.length < list.length && !is_blank(list.start[word.length]))
            word.length++;
        list.start += word.length;
        list.length -= word.length;
        if (used > 0) {
            if (used + 1 >= out_size)
                return -1;
            out[used++] = ' ';
        }
        long length = kind == VALUE_PATH_LIST   ? copy_path(word, out + used, out_size - used)
                      : kind == VALUE_WORD_LIST ? copy_word(word, out + used, out_size - used)
                                                : normalize_domain(word, 0, out + used,
                                                                   out_size - used);
        if (length < 0)
            return -1;
        used += (size_t)length;
    }
    return 0;
}

/* Checks a text value by its key's rule and writes its stored form to text
 * (rule->size bytes at most). */
static int normalize_text(const struct key_rule *rule, struct span value, char *text)
{
    switch (rule->kind) {
    case VALUE_PATH:
        return copy_path(value, text, rule->size) >= 0 ? 0 : -1;
    case VALUE_PATH_OR_EMPTY:
        text[0] = '\0';
        return value.length == 0 || copy_path(value, text, rule->size) >= 0 ? 0 : -1;
    case VALUE_SUFFIX:
        return normalize_domain(value, 1, text, rule->size) >= 0 ? 0 : -1;
    case VALUE_PATH_LIST:
    case VALUE_WORD_LIST:
        if (value.length == 0) /* no socket at all is a typo, not a choice */
            return -1;
        return normalize_list(value, rule->kind, text, rule->size);
    case VALUE_DOMAIN_LIST: /* empty is allowed: no VM names */
        return normalize_list(value, rule->kind, text, rule->size);
    default:
        return -1;
    }
}

/* Stores value in the key's field when valid; the field is left as it was
 * otherwise, so a bad line keeps the previous setting. */
static int apply_value(struct vmh_config *config, const struct key_rule *rule,
                       struct span value)
{
    char *field = (char *)config + rule->offset;
    char text[VMH_LIST_MAX]; /* the widest text field */
    long number;

    if (rule->kind == VALUE_NUMBER) {
        if (parse_number(value, rule->min, rule->max, &number) != 0)
            return -1;
        memcpy(field, &number, sizeof number);
        return 0;
    }
    if (normalize_text(rule, value, text) != 0)
        return -1;
    if (rule->listed)
        store_list(config, (const char **)(void *)field, text);
    else
        memcpy(field, text, strlen(text) + 1);
    return 0;
}

/* --- lines ----------------------------------------------------------------- */

/* A '#' starts a comment only after a blank, so that a path may hold one. */
static struct span cut_comment(struct span line)
{
    for (size_t i = 1; i < line.length; i++)
        if (line.start[i] == '#' && is_blank(line.start[i - 1])) {
            line.length = i;
            break;
        }
    return line;
}

static const struct key_rule *find_rule(struct span key)
{
    for (size_t i = 0; i < VMH_CONF_KEY_COUNT; i++)
        if (strlen(vmh_config_key_names[i]) == key.length &&
            memcmp(vmh_config_key_names[i], key.start, key.length) == 0)
            return &rules[i];
    return NULL;
}

/* Returns the key the line set, -1 for a bad line, or VMH_CONF_KEY_COUNT
 * for a line with nothing to apply. */
static int apply_line(struct vmh_config *config, struct span line)
{
    /* A NUL means the file is not text; nothing on such a line is trusted. */
    if (memchr(line.start, '\0', line.length))
        return -1;
    line = trim(line);
    if (line.length == 0 || line.start[0] == '#')
        return VMH_CONF_KEY_COUNT;
    line = trim(cut_comment(line));
    const char *equals = memchr(line.start, '=', line.length);
    if (!equals)
        return -1;
    struct span key = trim((struct span){line.start, (size_t)(equals - line.start)});
    struct span value =
        trim((struct span){equals + 1, line.length - (size_t)(equals + 1 - line.start)});
    const struct key_rule *rule = find_rule(key);
    if (!rule || apply_value(config, rule, value) != 0)
        return -1;
    return (int)(rule - rules);
}

int vmh_config_parse(struct vmh_config *config, const char *text, size_t length,
                     vmh_config_line_fn *on_line, void *context)
{
    int bad = 0;
    unsigned number = 0;

    if (!config || !text)
        return 0;
    const char *cursor = text, *end = text + length;
    while (cursor < end) {
        const char *newline = memchr(cursor, '\n', (size_t)(end - cursor));
        const char *stop = newline ? newline : end;
        number++;
        int key = apply_line(config, (struct span){cursor, (size_t)(stop - cursor)});
        if (key < 0 && bad < INT_MAX)
            bad++;
        if (on_line && key != VMH_CONF_KEY_COUNT)
            on_line(context, number, key);
        cursor = newline ? newline + 1 : end;
    }
    return bad;
}

/* --- the file -------------------------------------------------------------- */

/* Reads the regular file behind fd, of the size *st says, into malloc'd
 * memory. */
static int read_whole(int fd, const struct stat *st, char **text, size_t *length)
{
    if (st->st_size > VMH_CONFIG_MAX_SIZE) {
        errno = EFBIG;
        return -1;
    }
    size_t size = (size_t)st->st_size, used = 0;
    char *data = malloc(size > 0 ? size : 1);
    if (!data)
        return -1;
    while (used < size) {
        ssize_t got = read(fd, data + used, size - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int saved = errno;
            free(data);
            errno = saved;
            return -1;
        }
        if (got == 0) /* truncated since its stat: what is there is the file */
            break;
        used += (size_t)got;
    }
    *text = data;
    *length = used;
    return 0;
}

/* The settings name the program a lookup runs, as whoever looks up: a file
 * another user could write must not choose it for root (a root process
 * that inherited a user's VMHOSTS_CONF, through `su` or `sudo -E`). */
static bool file_trusted(const struct stat *st)
{
    return vmh_stat_trusted(st, vmh_trusted_uid());
}

/* The regular file `looked` (an O_PATH descriptor) is, opened for reading;
 * *st is its stat, which serves the trust check and the read: the file
 * opened is the same inode. */
static int reopen_regular(int looked, struct stat *st)
{
    if (fstat(looked, st) != 0)
        return -1;
    if (!S_ISREG(st->st_mode)) {
        errno = EINVAL; /* a FIFO or device: opening it could block or act */
        return -1;
    }
    char again[32];
    snprintf(again, sizeof again, "/proc/self/fd/%d", looked);
    int fd = open(again, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    /* No /proc (a chroot that did not mount it): refused, the defaults
     * stand.  Opening by name again instead would be the very race this
     * closes; a process without /proc is rare and still resolves names. */
    if (fd < 0 && errno == ENOENT)
        errno = ENOSYS;
    return fd;
}

/* Opens the regular file at path for reading: -2 when there is none, -1
 * with errno.  Looked at before it is opened: opening a device acts on it
 * (a watchdog arms), and a user names this file for root through `sudo
 * -E`.  The look (O_PATH: it follows a symlink, as a settings file may be
 * one, but opens nothing) gives the descriptor then opened for reading, by
 * /proc: a link swapped after the look cannot send that open elsewhere, as
 * it could a second open by name. */
static int open_regular(const char *path, struct stat *st)
{
    int looked = open(path, O_PATH | O_CLOEXEC);
    if (looked < 0)
        return errno == ENOENT || errno == ENOTDIR ? -2 : -1;
    int fd = reopen_regular(looked, st);
    int saved = errno;
    close(looked);
    errno = saved;
    return fd;
}

int vmh_config_load(struct vmh_config *config, vmh_config_line_fn *on_line, void *context)
{
    if (!config) {
        errno = EINVAL;
        return -1;
    }
    vmh_config_defaults(config);
    /* config->path would hold a truncated name, which is another file. */
    if (strlen(vmh_config_path()) >= sizeof config->path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    struct stat st;
    int fd = open_regular(config->path, &st);
    if (fd == -2)
        return 0;
    if (fd < 0)
        return -1;
    if (!file_trusted(&st)) {
        close(fd);
        config->file_found = config->untrusted = true;
        errno = EPERM;
        return -1;
    }
    char *text = NULL;
    size_t length = 0;
    int status = read_whole(fd, &st, &text, &length);
    int saved = errno;
    close(fd);
    if (status != 0) {
        errno = saved;
        return -1;
    }
    vmh_config_parse(config, text, length, on_line, context);
    free(text);
    config->file_found = true;
    return 0;
}

/* --- the cache folder ------------------------------------------------------ */

static int copy_text(char *dir, size_t size, const char *text, size_t max)
{
    size_t length = strnlen(text, max);
    if (length >= size || length == max)
        return -1;
    memcpy(dir, text, length);
    dir[length] = '\0';
    return 0;
}

/* user_cache_dir with each "%u" replaced, so one setting serves every user. */
static int expand_uid(char *dir, size_t size, const char *pattern, size_t max, uid_t uid)
{
    char number[24];
    size_t number_length = (size_t)snprintf(number, sizeof number, "%lu", (unsigned long)uid);
    size_t used = 0, length = strnlen(pattern, max);
    if (length == max)
        return -1;
    for (size_t i = 0; i < length; i++) {
        const char *piece = pattern + i;
        size_t piece_length = 1;
        if (pattern[i] == '%' && i + 1 < length && pattern[i + 1] == 'u') {
            piece = number;
            piece_length = number_length;
            i++;
        }
        if (used + piece_length >= size)
            return -1;
        memcpy(dir + used, piece, piece_length);
        used += piece_length;
    }
    dir[used] = '\0';
    return 0;
}

/* A folder of this user's that no one else can write: lstat, so a
 * symlink is never one. */
static bool own_folder(const char *path, uid_t uid)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid &&
           (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* The first (in byte order) /tmp/vmhosts-<uid>.XXXXXX of this user's, for
 * when someone else took /tmp/vmhosts-<uid> first: another user can create
 * a folder of any name in /tmp, but never one that this user owns. */
static bool find_tmp_fallback(char *dir, size_t size, const char *prefix, uid_t uid)
{
    DIR *tmp = opendir("/tmp");
    size_t prefix_length = strlen(prefix);
    char best[NAME_MAX + 1] = "", path[NAME_MAX + 8];
    struct dirent *entry;
    while (tmp && (entry = readdir(tmp))) {
        if (strncmp(entry->d_name, prefix, prefix_length) != 0 ||
            entry->d_name[prefix_length] != '.' ||
            (best[0] && strcmp(entry->d_name, best) >= 0))
            continue;
        snprintf(path, sizeof path, "/tmp/%s", entry->d_name);
        if (own_folder(path, uid))
            snprintf(best, sizeof best, "%s", entry->d_name);
    }
    if (tmp)
        closedir(tmp);
    int length = best[0] ? snprintf(dir, size, "/tmp/%s", best) : -1;
    return length > 0 && (size_t)length < size;
}

/* The runtime folder counts only when it is a real folder of this user's:
 * under another owner, or as a symlink, it could point anywhere.  Without
 * one, /tmp/vmhosts-<uid>, unless another user made that first. */
static int runtime_or_tmp(char *dir, size_t size, uid_t uid, bool *squatted)
{
    char runtime[64], prefix[32];
    struct stat st;
    int length;
    snprintf(runtime, sizeof runtime, "/run/user/%lu", (unsigned long)uid);
    snprintf(prefix, sizeof prefix, "vmhosts-%lu", (unsigned long)uid);
    if (lstat(runtime, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid)
        length = snprintf(dir, size, "%s/vmhosts", runtime);
    else
        length = snprintf(dir, size, "/tmp/%s", prefix);
    if (length < 0 || (size_t)length >= size)
        return -1;
    *squatted = lstat(dir, &st) == 0 && !own_folder(dir, uid);
    if (!*squatted || find_tmp_fallback(dir, size, prefix, uid))
        return 0;
    /* None yet: make one (mode 0700), as the refresher would make the
     * folder it writes. */
    length = snprintf(dir, size, "/tmp/%s.XXXXXX", prefix);
    return length > 0 && (size_t)length < size && mkdtemp(dir) ? 0 : -1;
}

int vmh_config_own_cache_dir(const struct vmh_config *config, char *dir, size_t size,
                             bool *squatted)
{
    bool ignored;
    if (!squatted)
        squatted = &ignored;
    *squatted = false;
    if (!dir || size == 0)
        return -1;
    dir[0] = '\0';
    if (!config)
        return -1;
    uid_t euid = geteuid();
    int status;
    if (euid == 0)
        status = copy_text(dir, size, config->cache_dir, sizeof config->cache_dir);
    else if (config->user_cache_dir[0])
        status = expand_uid(dir, size, config->user_cache_dir, sizeof config->user_cache_dir,
                            euid);
    else
        status = runtime_or_tmp(dir, size, euid, squatted);
    if (status != 0)
        dir[0] = '\0';
    return status;
}
