/* The loop of `vmhosts watch`: holds the write lock on watch.lock in its
 * cache folder (so that lookups never start a refresher), refreshes Docker's
 * part of the cache on every event that can change what resolves and every
 * time a stream (re)connects or is lost, refreshes a backend read from
 * files (libvirt) as soon as inotify tells of a change in its folder,
 * polls the backends that have no event stream (multipass, LXD, Incus,
 * and libvirt as a safety net), looks at the same pace for a backend not
 * installed when it started, follows a user's rootless engine from the
 * moment its socket is made (watch_sockets.c), and ends cleanly on
 * SIGTERM or SIGINT.  SIGHUP, or a change of the settings file, ends it
 * with VMH_WATCH_RELOAD, for the caller to read the settings again and
 * run it anew. */
#ifndef VMHOSTS_WATCH_LOOP_H
#define VMHOSTS_WATCH_LOOP_H

#include <stdbool.h>

#include "backend.h"
#include "config.h"

struct vmh_watch_options {
    /* By section (enum vmh_backend): how often each backend is asked when
     * no event says anything changed; 0: never.  For one with an event
     * stream (Docker: --resync-interval) a safety net; for the others
     * (multipass: --multipass-interval) the poll. */
    long interval_ms[VMH_BACKEND_COUNT];
    long timeout_ms; /* each refresh's bound */
    /* No refresh for this long: the heap kept is given back (watch_memory.h). */
    long memory_idle_ms;
    bool verbose;    /* a line per refresh, not only per change of state */
};

/* The defaults: each backend's poll_interval_ms (multipass_ttl for
 * multipass), one with an event stream resynced every 5 minutes,
 * timeout_ms, VMH_WATCH_MEMORY_IDLE_MS. */
void vmh_watch_defaults(const struct vmh_config *config, struct vmh_watch_options *options);

/* Runs until a signal asks it to stop.  Returns 0 then; 1 (after saying
 * why on stderr) when it cannot start: another watcher holds the lock, the
 * cache folder is unusable, the first cache cannot be written; and
 * VMH_WATCH_RELOAD (never an exit status) on SIGHUP or when the settings
 * file it was given changed, with everything it held let go. */
#define VMH_WATCH_RELOAD 100
int vmh_watch_run(const struct vmh_config *config, const struct vmh_watch_options *options);

#endif
