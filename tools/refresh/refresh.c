/* One refresh, start to finish.
 *
 * The new cache is the old one with each asked backend's part replaced.  A
 * backend that fails keeps its last good hosts (a Docker restart must not
 * make every name vanish for a TTL) but records why it failed and when it
 * tried, so that the module can tell stale data from fresh and `vmhosts
 * status` can say what is wrong. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "refresh.h"
#include "trigger.h"

const char *vmh_backend_status_name(unsigned status)
{
    static const char *const names[] = {"never asked", "ok", "unavailable", "permission denied",
                                        "error"};
    return status <= VMH_STATUS_MAX ? names[status] : "unknown";
}

/* How often a refresh waiting for the lock looks again, and how long past
 * twice the timeout it waits before it gives up. */
#define LOCK_POLL_MS 10
#define LOCK_SLACK_MS 1000


static int failed(struct vmh_refresh_report *report, const char *format, const char *path)
{
    int saved = errno;
    snprintf(report->error, sizeof report->error, format, path, strerror(saved));
    return -1;
}

/* Our own cache folder, made if missing; refused when someone else could
 * write into it, because the module would then refuse what we write. */
static int prepare_dir(const char *dir, unsigned mode, struct vmh_refresh_report *report)
{
    struct stat st;
    if (mkdir(dir, mode) != 0 && errno != EEXIST)
        return failed(report, "cannot create the cache folder %s: %s (its parent must exist "
                              "and be writable; see cache_dir and user_cache_dir in vmhosts.conf)", dir);
    if (lstat(dir, &st) != 0)
        return failed(report, "cannot use the cache folder %s: %s", dir);
    if (!S_ISDIR(st.st_mode) || !vmh_cache_stat_trusted(&st, geteuid())) {
        snprintf(report->error, sizeof report->error,
                 "the cache folder %s is not a folder owned by you or root and writable by its "
                 "owner only; lookups would not trust it (fix it with chmod go-w, or remove it)",
                 dir);
        return -1;
    }
    return 0;
}

/* Waits for any other refresh of this folder to finish: two writers would
 * only repeat each other's work, and the module's burst of misses becomes
 * one refresh.  An OFD lock (conflicting with the module's record lock) on
 * a file only this user can open; the wait is bounded all the same, since
 * a refresh the module runs never takes longer than its timeout. */
static int take_lock(const char *dir, long timeout_ms, int *lock_fd,
                     struct vmh_refresh_report *report)
{
    char path[VMH_PATH_MAX + sizeof VMH_CACHE_LOCK + 1];
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int64_t deadline = vmh_monotonic_ms() + 2 * (int64_t)timeout_ms + LOCK_SLACK_MS;
    snprintf(path, sizeof path, "%s/%s", dir, VMH_CACHE_LOCK);
    *lock_fd = vmh_refresh_lock_open(dir);
    if (*lock_fd < 0)
        return failed(report, "cannot open the lock file %s: %s", path);
    while (fcntl(*lock_fd, F_OFD_SETLK, &lock) != 0) {
        if ((errno != EAGAIN && errno != EACCES && errno != EINTR) || vmh_monotonic_ms() >= deadline) {
            if (errno == EAGAIN || errno == EACCES)
                errno = ETIMEDOUT;
            failed(report, "another refresh holds %s: %s", path);
            close(*lock_fd);
            *lock_fd = -1;
            return -1;
        }
        struct timespec pause = {.tv_nsec = LOCK_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    return 0;
}

/* The previous cache, or nothing.  A bad one is not an error: this refresh
 * replaces it, and the report says so. */
static int load_previous(const char *dir, struct vmh_snapshot *merged,
                         struct vmh_refresh_report *report)
{
    struct vmh_cache cache;
    struct stat st;
    enum vmh_cache_error error = vmh_cache_load_all(dir, geteuid(), &cache, &st);
    if (error == VMH_CACHE_MISSING)
        return 0;
    if (error != VMH_CACHE_OK) {
        snprintf(report->previous, sizeof report->previous,
                 "the previous cache was %s and has been replaced",
                 error == VMH_CACHE_CORRUPT         ? "corrupt"
                 : error == VMH_CACHE_OTHER_VERSION ? "written by another version of vmhosts"
                 : error == VMH_CACHE_UNTRUSTED     ? "not trusted (its owner or mode)"
                                                    : "unreadable");
        return 0;
    }
    int status = vmh_snapshot_from_cache(merged, &cache);
    vmh_cache_free(&cache);
    if (status != 0)
        snprintf(report->error, sizeof report->error, "cannot copy the previous cache: out of memory");
    return status;
}

/* Asks one backend and merges its answer into *merged; false when it failed. */
static bool refresh_backend(const struct vmh_config *config, const struct vmh_backend_ops *ops,
                            long timeout_ms, struct vmh_snapshot *merged)
{
    unsigned backend = ops->section;
    struct vmh_snapshot fresh;
    vmh_snapshot_init(&fresh);
    bool ok = ops->refresh(config, timeout_ms, merged, &fresh) == 0;
    if (ok && (fresh.partial
                   ? vmh_snapshot_update_backend(merged, &fresh, backend)
                   : vmh_snapshot_replace_backend(merged, &fresh, backend)) != 0) {
        ok = false;
        fresh.backends[backend].status = VMH_STATUS_ERROR;
        snprintf(fresh.backends[backend].message, sizeof fresh.backends[backend].message,
                 "out of memory while merging");
    }
    if (!ok) {
        /* Last good hosts stay; only the state says what happened. */
        int64_t updated_ms = merged->backends[backend].updated_ms;
        merged->backends[backend] = fresh.backends[backend];
        merged->backends[backend].updated_ms = updated_ms;
        if (merged->backends[backend].status == VMH_STATUS_OK)
            merged->backends[backend].status = VMH_STATUS_ERROR;
    }
    vmh_snapshot_free(&fresh);
    return ok;
}

static void report_backend(const struct vmh_snapshot *merged, unsigned backend,
                           struct vmh_refresh_backend_report *out)
{
    const struct vmh_backend_state *state = &merged->backends[backend];
    out->ran = true;
    out->status = state->status;
    snprintf(out->message, sizeof out->message, "%s", state->message);
    out->host_count = out->running_count = 0;
    for (size_t i = 0; i < merged->count; i++) {
        if (merged->hosts[i].backend != backend)
            continue;
        out->host_count++;
        out->running_count += merged->hosts[i].state == VMH_STATE_RUNNING;
    }
}

/* Asked for one backend, it is asked; asked for several, one not installed
 * here is left alone (its section stays as it was, and `vmhosts refresh`
 * says not a word of a daemon the machine does not have), unless that
 * section still holds its answer: removed since, it is asked, so that the
 * cache says it is gone instead of answering its last addresses. */
static bool left_alone(const struct vmh_config *config, const struct vmh_backend_ops *ops,
                       const struct vmh_snapshot *previous)
{
    return ops->installed && !ops->installed(config) &&
           previous->backends[ops->section].status != VMH_STATUS_OK;
}

static int refresh_locked(const struct vmh_config *config, const char *dir, unsigned dir_mode,
                          unsigned backends, unsigned flags, long timeout_ms,
                          struct vmh_refresh_report *report)
{
    struct vmh_snapshot merged;
    bool all_ok = true;
    vmh_snapshot_init(&merged);
    if (load_previous(dir, &merged, report) != 0) {
        vmh_snapshot_free(&merged);
        return VMH_REFRESH_WRITE_FAILED;
    }
    bool one = (backends & (backends - 1)) == 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        unsigned backend = (*ops)->section;
        if (!(backends & (1u << backend)) || (!one && left_alone(config, *ops, &merged)))
            continue;
        all_ok &= refresh_backend(config, *ops, timeout_ms, &merged);
        report_backend(&merged, backend, &report->backends[backend]);
    }
    bool *unchanged = flags & VMH_REFRESH_KEEP_SAME ? &report->cache_unchanged : NULL;
    int status = vmh_cache_write_changed(dir, dir_mode, &merged, vmh_realtime_ms(), unchanged,
                                         report->error, sizeof report->error);
    vmh_snapshot_free(&merged);
    if (status != 0)
        return VMH_REFRESH_WRITE_FAILED;
    report->cache_written = true;
    snprintf(report->cache_path, sizeof report->cache_path, "%s/%s", dir, VMH_CACHE_FILE);
    return all_ok ? VMH_REFRESH_OK : VMH_REFRESH_BACKEND_FAILED;
}

int vmh_refresh_run(const struct vmh_config *config, unsigned backends, unsigned flags,
                    long timeout_ms, struct vmh_refresh_report *report)
{
    char dir[VMH_PATH_MAX];
    /* Root's cache is read by everyone; a user's holds only what that user
     * may see, so no one else reads it. */
    unsigned dir_mode = geteuid() == 0 ? 0755 : 0700;
    int lock_fd = -1;
    memset(report, 0, sizeof *report);
    if (vmh_config_own_cache_dir(config, dir, sizeof dir, NULL) != 0) {
        snprintf(report->error, sizeof report->error,
                 "cannot tell where your cache folder is (set user_cache_dir in %s)",
                 config->path[0] ? config->path : "/etc/vmhosts.conf");
        return VMH_REFRESH_WRITE_FAILED;
    }
    if (prepare_dir(dir, dir_mode, report) != 0 ||
        (!(flags & VMH_REFRESH_LOCK_HELD) && take_lock(dir, timeout_ms, &lock_fd, report) != 0))
        return VMH_REFRESH_WRITE_FAILED;
    int status = refresh_locked(config, dir, dir_mode, backends & VMH_REFRESH_ALL, flags,
                                timeout_ms, report);
    if (lock_fd >= 0)
        close(lock_fd);
    return status;
}
