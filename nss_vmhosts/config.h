/* The settings: /etc/vmhosts.conf (under --sysconfdir), or the file that
 * VMHOSTS_CONF names unless the process is setuid or setgid (AT_SECURE);
 * either only when trusted as a cache is (trust.h).  `key = value` lines,
 * `#` comments, every key optional.  The module must never fail over a bad
 * file, so parsing skips what it does not understand and only tells the
 * command, when it listens, which lines those were. */
#ifndef VMHOSTS_CONFIG_H
#define VMHOSTS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define VMH_PATH_MAX 256
#define VMH_LIST_MAX 1024        /* a space-separated list of sockets or domains */
#define VMH_CONFIG_MAX_SIZE 65536 /* a larger settings file is not read */
#define VMH_DOMAINS_MAX 16        /* domains a backend answers under, at most */
#define VMH_CONFIG_ENV "VMHOSTS_CONF"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef BINDIR
#define BINDIR "/usr/local/bin"
#endif
#ifndef CACHEDIR
#define CACHEDIR "/var/cache/vmhosts"
#endif

#include "backends.h"

/* Each backend has three settings (backends.def), numbered first; the
 * settings of the module itself follow them. */
#define VMH_CONF_SOURCE(backend) (3 * (backend))
#define VMH_CONF_DOMAINS(backend) (3 * (backend) + 1)
#define VMH_CONF_TTL(backend) (3 * (backend) + 2)

enum vmh_config_key {
    VMH_CONF_CACHE_DIR = 3 * VMH_BACKEND_COUNT,
    VMH_CONF_USER_CACHE_DIR,
    VMH_CONF_TIMEOUT_MS,
    VMH_CONF_REFRESH_INTERVAL_MS,
    VMH_CONF_REFRESH_COMMAND,
    VMH_CONF_DNS_LISTEN,
    VMH_CONF_DOCKER_NETWORKS,
    VMH_CONF_LABEL_DOMAINS,
    VMH_CONF_KEY_COUNT
};

/* The list settings, one text each: every backend's source and domains,
 * dns_listen, docker_networks and label_domains. */
#define VMH_CONFIG_LISTS (2 * VMH_BACKEND_COUNT + 3)

/* Filled by vmh_config_defaults and vmh_config_parse, never copied: the
 * list settings point into its own `texts`. */
struct vmh_config {
    char path[VMH_PATH_MAX];                /* the file read, or that would be */
    bool file_found;
    bool untrusted;                         /* found, but ignored: another user could write it */
    /* Per backend: where `vmhosts` asks it (paths, single spaces between);
     * its domains (lowercase, no leading or trailing dots, single spaces);
     * how long its answer is fresh. */
    const char *source[VMH_BACKEND_COUNT];
    const char *domains[VMH_BACKEND_COUNT];
    long ttl_s[VMH_BACKEND_COUNT];
    char cache_dir[VMH_PATH_MAX];           /* root's cache */
    char user_cache_dir[VMH_PATH_MAX];      /* "" = automatic; "%u" stands for the uid */
    long timeout_ms;
    long refresh_interval_ms;
    char refresh_command[VMH_PATH_MAX];
    /* Where `vmhosts dns` listens: words, single spaces between; the
     * module never reads it, the command checks each word. */
    const char *dns_listen;
    /* Networks whose addresses a container answers first for its own
     * names, in this order (lowercase, single spaces); "" keeps the cache's
     * order.  A container's vmhosts.network label comes before it. */
    const char *docker_networks;
    /* Domains besides our own suffixes under which a container's
     * vmhosts.names label may name it (lowercase, single spaces).  Empty by
     * default: anyone who may start a container would otherwise choose
     * where root's ssh connects for github.com (README, Security). */
    const char *label_domains;
    /* The lists' texts (each under VMH_LIST_MAX), packed one after
     * another: a process that resolves a name touches the few hundred
     * bytes its settings use, not 13 KiB of fixed-size fields, each page
     * of which would cost it a page fault (README, Performance). */
    size_t texts_used;
    char texts[VMH_CONFIG_LISTS * VMH_LIST_MAX];
};

/* Hears, from the parse that applies them, of each line that set `key` and
 * of each line skipped (key -1), by number: how `vmhosts` learns where a
 * setting came from and which line to warn about (tools/diagnose/config_notes.h)
 * without reading the file twice.  The module passes none. */
typedef void vmh_config_line_fn(void *context, unsigned line, int key);

/* The keys' names in the file ("docker_socket", ...), by key. */
extern const char *const vmh_config_key_names[VMH_CONF_KEY_COUNT];

/* The key's name; "" rather than NULL for a key out of range, so that a
 * caller printing one cannot crash.  Inline: `vmhosts status` and the
 * tests name keys, the module only reads them. */
static inline const char *vmh_config_key_name(enum vmh_config_key key)
{
    return (unsigned)key < VMH_CONF_KEY_COUNT ? vmh_config_key_names[key] : "";
}

/* The file to read: $VMHOSTS_CONF when set and allowed, else the system's. */
const char *vmh_config_path(void);

void vmh_config_defaults(struct vmh_config *config);

/* Applies the `key = value` lines of text over what *config holds.  A line
 * that is not a known key with a valid value is skipped.  on_line (when not
 * NULL) hears of every line but blanks and comments.  Returns the number of
 * lines skipped. */
int vmh_config_parse(struct vmh_config *config, const char *text, size_t length,
                     vmh_config_line_fn *on_line, void *context);

/* Defaults, then the file at vmh_config_path(), parsed with on_line.  A
 * missing file is not an error (file_found false).  Returns 0, or -1 with errno when the file
 * exists but cannot be read (EINVAL: not a regular file; ENOSYS: no
 * /proc to open it by), or (untrusted, EPERM) is owned by someone
 * other than root and the effective user or is writable by group or
 * others (the defaults are then in force). */
int vmh_config_load(struct vmh_config *config, vmh_config_line_fn *on_line, void *context);

/* The cache folder this process writes (its refresher's): cache_dir for
 * root, else user_cache_dir, else /run/user/<uid>/vmhosts when that runtime
 * folder is the user's, else /tmp/vmhosts-<uid>.  When another user made
 * that folder first (*squatted, when not NULL), the user's own
 * /tmp/vmhosts-<uid>.XXXXXX instead, made (mode 0700) if there is none.
 * Returns 0, or -1 when the path does not fit or cannot be made. */
int vmh_config_own_cache_dir(const struct vmh_config *config, char *dir, size_t size,
                             bool *squatted);

#endif
