/* One refresh: ask the backends, merge with the previous cache, write it.
 * Shared by `vmhosts refresh`, `vmhosts watch` and the explanations of
 * `lookup`, `list` and `status`. */
#ifndef VMHOSTS_REFRESH_H
#define VMHOSTS_REFRESH_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "config.h"
#include "snapshot.h"

/* Why no file is this process's own when it runs as the overflow user of
 * a user namespace that does not map it (trust.h vmh_uid_ambiguous). */
#define VMH_UNMAPPED_USER_TEXT                                                              \
    "you run as user 65534 in a user namespace that does not map you, and every user it " \
    "does not map shows as 65534 too: no file there can be told to be yours"

/* vmh_refresh_run's result, also the exit status of `vmhosts refresh`. */
enum vmh_refresh_result {
    VMH_REFRESH_OK = 0,             /* every backend asked answered; cache written */
    VMH_REFRESH_BACKEND_FAILED = 1, /* cache written, with the failure recorded */
    VMH_REFRESH_USAGE = 2,          /* (the command's bad arguments) */
    VMH_REFRESH_WRITE_FAILED = 5    /* no cache written (3 and 4 are lookup's) */
};

/* How vmh_refresh_run goes about it, as bits. */
enum vmh_refresh_flag {
    /* The caller holds refresh.lock: the module, while it runs `vmhosts
     * refresh --locked`. */
    VMH_REFRESH_LOCK_HELD = 1,
    /* A cache in place that answers as the new one would is left as it is
     * (each asked backend's part compared, vmh_cache_build_section): the
     * watcher's polls. */
    VMH_REFRESH_KEEP_SAME = 2,
    /* The snapshot written is kept for the next refresh of this process,
     * which moves its hosts instead of reading them back (retained.h):
     * the watcher's. */
    VMH_REFRESH_RETAIN = 4
};

struct vmh_refresh_backend_report {
    bool ran;
    unsigned status;               /* enum vmh_backend_status */
    char message[VMH_MESSAGE_MAX]; /* "" when ok and nothing to say */
    size_t host_count;             /* hosts of this backend now cached */
    size_t running_count;
};

struct vmh_refresh_report {
    struct vmh_refresh_backend_report backends[VMH_BACKEND_COUNT];
    char cache_path[VMH_PATH_MAX + 32]; /* the file written, "" if none */
    bool cache_written;                 /* the cache in place is this refresh's answer */
    bool cache_unchanged;               /* ... and it was left as it was (VMH_REFRESH_KEEP_SAME) */
    bool keys_as_before;                /* ... or written, the kept hosts' keys taken in the
                                         * order it had them (VMH_REFRESH_RETAIN) */
    char previous[VMH_MESSAGE_MAX];     /* what was wrong with the old cache, "" if nothing */
    /* No previous cache to add to (missing, or one that was refused): the
     * cache written holds only the backends asked. */
    bool previous_lost;
    /* The backends not asked of which the cache in place holds no answer
     * at all, by section bit: every other one when the previous cache was
     * lost, and those the refresh that wrote it never asked (a lookup's
     * refresh of one backend that found no cache, while a watcher runs). */
    unsigned unanswered;
    char error[2048];                   /* why the cache was not written (paths and all) */
};

/* Refreshes the backends in the bitmask (1 << enum vmh_backend; every one:
 * VMH_SNAPSHOT_ALL) into the process's own cache folder.  Unless `flags`
 * has VMH_REFRESH_LOCK_HELD, takes refresh.lock there so that concurrent
 * refreshes run one after another.  A failing backend keeps its last
 * good hosts and records its new status.  Each backend gets timeout_ms.
 * Returns an enum vmh_refresh_result. */
int vmh_refresh_run(const struct vmh_config *config, unsigned backends, unsigned flags,
                    long timeout_ms, struct vmh_refresh_report *report);

/* "ok", "unavailable", ... */
const char *vmh_backend_status_name(unsigned status);

#endif
