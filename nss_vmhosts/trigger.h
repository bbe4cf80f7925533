/* Starting the refresher from inside a lookup: single-flight across every
 * process of the user through a lock file, bounded by a deadline; and the
 * two lock files `vmhosts` shares with the module, refresh.lock and
 * watch.lock. */
#ifndef VMHOSTS_TRIGGER_H
#define VMHOSTS_TRIGGER_H

#include <stdbool.h>
#include <sys/stat.h>

#include "cache_format.h"
#include "config.h"

struct vmh_trigger {
    char cache_dir[VMH_PATH_MAX];        /* the folder the refresher will write */
    char refresh_command[VMH_PATH_MAX];
    enum vmh_backend backend;
    long timeout_ms;
    bool had_cache;                      /* cache_stat describes the file as decided on,
                                          * used or refused */
    struct stat cache_stat;
};

/* The file a running `vmhosts watch` keeps a write lock on (an OFD lock,
 * fcntl) in the cache folder it keeps fresh.  A write lock needs a
 * descriptor open for writing, so only the file's owner (root or the user)
 * can make a cache look watched; a flock would let any reader forge one. */
#define VMH_WATCH_LOCK "watch.lock"

/* Whether a watcher keeps the cache in `dir`, a folder the caller already
 * trusts: dir/watch.lock, not a symlink, trusted like a cache file, is
 * write-locked by someone.  Costs an open, an fstat and an fcntl. */
bool vmh_cache_watched(const char *dir);

/* Opens dir/refresh.lock (dir already trusted) for locking, replacing a
 * file that is not this user's own, mode 0600: one that another user could
 * open could be locked by them.  Returns the descriptor, or -1. */
int vmh_refresh_lock_open(const char *dir);

/* After a refresh that failed (Docker down, multipass hung, or killed at
 * timeout_ms), the backend is asked again no sooner than this after the
 * failure (or refresh_interval_ms, if longer): a hung backend then costs
 * one timeout every few seconds instead of one per lookup (a single
 * `getent hosts` makes two lookups, ssh several). */
#define VMH_FAILED_RETRY_MS 2000

/* When a refresh of `backend` that a lookup started in `dir` last
 * was killed at timeout_ms without writing the cache, realtime ms;
 * 0 if never, or if dir/refresh.killed is not this user's own, mode 0600. */
int64_t vmh_refresh_unfinished_ms(const char *dir, enum vmh_backend backend);

/* Whether this process may start the refresher at all: not setuid/setgid
 * (AT_SECURE), its real, effective and saved users (and groups) one, not
 * inside a refresh already. */
bool vmh_trigger_allowed(void);

/* Runs `refresh_command refresh --locked --backend X` unless another process
 * (or another thread of this one) holds the lock, in which case it waits for
 * that refresh instead.  The program must be trusted like the settings that
 * named it (owned by root or this user, not writable by others).  Either
 * way it returns by the deadline; the caller then rereads the cache. */
void vmh_trigger_refresh(const struct vmh_trigger *trigger);

#endif
