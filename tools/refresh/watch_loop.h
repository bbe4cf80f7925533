/* The loop of `vmhosts watch`: holds the write lock on watch.lock in its
 * cache folder (so that lookups never start a refresher), refreshes Docker's
 * part of the cache on every event that can change what resolves and every
 * time a stream (re)connects or is lost, polls multipass, and ends cleanly
 * on SIGTERM, SIGINT or SIGHUP. */
#ifndef VMHOSTS_WATCH_LOOP_H
#define VMHOSTS_WATCH_LOOP_H

#include <stdbool.h>

#include "config.h"

struct vmh_watch_options {
    long multipass_interval_ms; /* how often multipass is asked */
    long resync_interval_ms;    /* Docker asked again even without events; 0: never */
    long timeout_ms;            /* each refresh's bound */
    bool verbose;               /* a line per refresh, not only per change of state */
};

/* The defaults: multipass every multipass_ttl, Docker resynced every 5
 * minutes, timeout_ms. */
void vmh_watch_defaults(const struct vmh_config *config, struct vmh_watch_options *options);

/* Runs until a signal asks it to stop.  Returns 0 then; 1 (after saying
 * why on stderr) when it cannot start: another watcher holds the lock, the
 * cache folder is unusable, the first cache cannot be written. */
int vmh_watch_run(const struct vmh_config *config, const struct vmh_watch_options *options);

#endif
