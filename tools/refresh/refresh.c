/* One refresh, start to finish.
 *
 * The new cache is the old one with each asked backend's part replaced.  A
 * backend that fails keeps its last good hosts (a Docker restart must not
 * make every name vanish for a TTL) but records why it failed and when it
 * tried, so that the module can tell stale data from fresh and `vmhosts
 * status` can say what is wrong.
 *
 * The previous cache stays mapped while the backends are asked.  A
 * mapping of a file truncated in place would fault, so the mapping is
 * read only before they are asked and, once the file is checked to be the
 * same one still, after: as the module reads its own (doc/design.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "refresh.h"
#include "retained.h"
#include "trigger.h"
#include "trust.h"

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
    if (vmh_uid_ambiguous(geteuid())) { /* not even made: it would not be trusted */
        snprintf(report->error, sizeof report->error,
                 "the cache folder %s cannot be trusted: " VMH_UNMAPPED_USER_TEXT, dir);
        return -1;
    }
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

/* The cache in place while a refresh runs.  The hosts of the backends it
 * asks are copied out of it first; the others only when the new answers
 * differ, so that a poll that finds nothing new copies no more of a large
 * cache than its own backend's part.  A backend asked about some of its
 * hosts only (`parted`, backend.h's next_part) has only those copied
 * first: Docker's settle lists of one container beside 100,000. */
struct previous {
    struct vmh_cache cache;
    struct stat st;
    bool loaded;
    unsigned parted;
    struct vmh_part parts[VMH_BACKEND_COUNT];
};

/* Which hosts of each asked backend this refresh asks about: all of
 * them when there is no previous cache (missing, or found corrupt) to
 * merge a part into, or its other hosts would be lost. */
static void take_parts(unsigned backends, struct previous *previous)
{
    previous->parted = 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        unsigned backend = (*ops)->section;
        struct vmh_part *part = &previous->parts[backend];
        part->count = 0;
        if (!(backends & (1u << backend)) || !(*ops)->next_part)
            continue;
        (*ops)->next_part(part, !previous->loaded);
        if (part->count)
            previous->parted |= 1u << backend;
    }
}

/* Copies out of the previous cache the hosts of `backends` (each parted
 * one's part, inside, or all its other hosts). */
static int copy_previous(struct vmh_snapshot *snapshot, const struct previous *previous,
                         unsigned backends, bool inside)
{
    int status = vmh_snapshot_from_cache(snapshot, &previous->cache, backends & ~previous->parted);
    for (unsigned backend = 0; backend < VMH_BACKEND_COUNT && status == 0; backend++)
        if (previous->parted & backends & (1u << backend))
            status = vmh_snapshot_from_cache_part(snapshot, &previous->cache,
                                                  (enum vmh_backend)backend,
                                                  &previous->parts[backend], inside);
    return status;
}

/* The cache file this process last checked whole, or wrote itself.
 * Found again the same (inode, size and times: a write or a rename changes
 * its ctime), it is not checked again: at 100,000 names that check was
 * most of what each of a watcher's polls cost, and a fifth of a Docker
 * event's, where the settle list after it checked the file the event had
 * just written (perf; bench section 8). */
static struct stat checked;

/* The previous cache, or nothing.  A bad one is not an error: this refresh
 * replaces it, and the report (when given) says so. */
static void load_previous(const char *dir, struct previous *previous,
                          struct vmh_refresh_report *report)
{
    enum vmh_cache_error error = vmh_cache_load(dir, geteuid(), &previous->cache, &previous->st);
    if (error == VMH_CACHE_OK && !vmh_same_file_version(&previous->st, &checked) &&
        !vmh_cache_verify_all(&previous->cache)) {
        vmh_cache_free(&previous->cache);
        error = VMH_CACHE_CORRUPT;
    }
    if (error == VMH_CACHE_OK)
        checked = previous->st;
    previous->loaded = error == VMH_CACHE_OK;
    if (error == VMH_CACHE_OK || error == VMH_CACHE_MISSING || !report)
        return;
    snprintf(report->previous, sizeof report->previous,
             "the previous cache was %s and has been replaced",
             error == VMH_CACHE_CORRUPT         ? "corrupt"
             : error == VMH_CACHE_OTHER_VERSION ? "written by another version of vmhosts"
             : error == VMH_CACHE_UNTRUSTED     ? "not trusted (its owner or mode)"
                                                : "unreadable");
}

/* Whether the file in place is still the one mapped: every writer holds
 * the lock this refresh holds, so only a hand could have changed it. */
static bool still_in_place(const char *dir, const struct stat *then)
{
    char path[VMH_PATH_MAX + 32];
    struct stat now;
    snprintf(path, sizeof path, "%s/%s", dir, VMH_CACHE_FILE);
    return lstat(path, &now) == 0 && vmh_same_file_version(&now, then);
}

/* Whether a cache left as it is stays this refresh's answer: the writer's
 * own, writable by it alone (lookups refuse any other). */
static bool keepable(const struct previous *previous)
{
    return previous->loaded && S_ISREG(previous->st.st_mode) &&
           previous->st.st_uid == geteuid() && (previous->st.st_mode & 022) == 0;
}

/* The new cache: `asked`, with the previous one's hosts of every backend
 * not asked added (read again if the file changed meanwhile), those of a
 * parted one outside its part, and their states.  Added, not moved into a
 * new snapshot: a refresh of Docker's 100,000 containers would touch all
 * their hosts again for a few VMs.  0, -1 when out of memory, 1 when the
 * cache a part was to go into is gone; *moved when the watcher's kept
 * hosts were moved over from previous->cache (retained.h). */
static int merge_with_previous(const char *dir, struct previous *previous, unsigned backends,
                               bool retain, struct vmh_snapshot *asked, bool *moved)
{
    if (previous->loaded && !still_in_place(dir, &previous->st)) {
        vmh_cache_free(&previous->cache);
        load_previous(dir, previous, NULL);
        /* Removed by hand meanwhile: the part asked about is not all of
         * its backend's hosts, and written alone it would say it was. */
        if (!previous->loaded && (previous->parted & backends))
            return 1;
    }
    if (!previous->loaded)
        return 0;
    struct vmh_backend_state states[VMH_BACKEND_COUNT];
    memcpy(states, asked->backends, sizeof states);
    unsigned others = VMH_SNAPSHOT_ALL & ~(backends & ~previous->parted);
    int status = retain ? vmh_retained_take(asked, &previous->cache, &previous->st, others,
                                            previous->parted, previous->parts)
                        : 0;
    *moved = status == 1;
    status = status == 0 ? copy_previous(asked, previous, others, false) : status < 0 ? -1 : 0;
    for (unsigned backend = 0; backend < VMH_BACKEND_COUNT; backend++)
        if (backends & (1u << backend))
            asked->backends[backend] = states[backend];
    return status;
}

/* Whether `backend`'s part of `snapshot` answers as `before` (its
 * vmh_cache_build_section) did. */
static bool section_same(const struct vmh_snapshot *snapshot, unsigned backend,
                         const unsigned char *before, size_t before_size)
{
    unsigned char *after;
    size_t size;
    if (!before || vmh_cache_build_section(snapshot, (enum vmh_backend)backend, 0, &after, &size) != 0)
        return false;
    bool same = size == before_size && vmh_cache_same_answers(before, after, size);
    free(after);
    return same;
}

/* Asks one backend and merges its answer into *merged; false when it
 * failed.  With `same`, *same stays true only when the backend's part
 * *merged holds (all its hosts, or the part asked about) answers as
 * before: a partial answer about all of them (one engine of several
 * failing) is compared too, or each poll would rewrite the file. */
static bool refresh_backend(const struct vmh_config *config, const struct vmh_backend_ops *ops,
                            long timeout_ms, struct vmh_snapshot *merged, bool *same)
{
    unsigned backend = ops->section;
    struct vmh_snapshot fresh;
    unsigned char *before = NULL;
    size_t before_size = 0;
    vmh_snapshot_init(&fresh);
    bool ok = ops->refresh(config, timeout_ms, merged, &fresh) == 0;
    if (same && *same)
        vmh_cache_build_section(merged, (enum vmh_backend)backend, 0, &before, &before_size);
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
    if (same)
        *same = *same && section_same(merged, backend, before, before_size);
    free(before);
    vmh_snapshot_free(&fresh);
    return ok;
}

/* Counts the previous cache's hosts of a parted backend outside its part:
 * `merged` holds the others.  Out of memory, the count leaves them out. */
static void count_outside(const struct previous *previous, unsigned backend,
                          struct vmh_refresh_backend_report *out)
{
    const struct vmh_cache *cache = &previous->cache;
    unsigned char *in_part = previous->loaded
                                 ? vmh_snapshot_part_marks(cache, &previous->parts[backend])
                                 : NULL;
    for (uint32_t i = 0; in_part && i < cache->header->record_count; i++) {
        const struct vmh_cache_record *record = &cache->records[i];
        if (in_part[i] || vmh_record_backend(cache, record) != backend)
            continue;
        out->host_count++;
        out->running_count += record->state == VMH_STATE_RUNNING;
    }
    free(in_part);
}

static void report_backend(const struct vmh_snapshot *merged, const struct previous *previous,
                           unsigned backend, struct vmh_refresh_backend_report *out)
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
    if (previous->parted & (1u << backend))
        count_outside(previous, backend, out);
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

/* Asks each backend of `backends` in turn, into `asked`; false when one failed. */
static bool ask_backends(const struct vmh_config *config, unsigned backends, long timeout_ms,
                         const struct previous *previous, struct vmh_snapshot *asked, bool *same,
                         struct vmh_refresh_report *report)
{
    bool all_ok = true;
    bool one = (backends & (backends - 1)) == 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        unsigned backend = (*ops)->section;
        if (!(backends & (1u << backend)) || (!one && left_alone(config, *ops, asked)))
            continue;
        all_ok &= refresh_backend(config, *ops, timeout_ms, asked, same);
        report_backend(asked, previous, backend, &report->backends[backend]);
    }
    return all_ok;
}

/* The new cache written, unless the answers are the same (*same). */
static int write_cache(const char *dir, unsigned dir_mode, struct previous *previous,
                       unsigned backends, bool retain, struct vmh_snapshot *asked, bool same,
                       struct vmh_refresh_report *report)
{
    if (same)
        return 0;
    bool moved = false;
    int merged = merge_with_previous(dir, previous, backends, retain, asked, &moved);
    if (merged != 0) {
        snprintf(report->error, sizeof report->error, "%s",
                 merged > 0 ? "the cache was removed while this refresh asked about some "
                              "containers only; not written (the next one asks about all)"
                            : "cannot copy the previous cache: out of memory");
        return -1;
    }
    struct stat written;
    int status = vmh_cache_write_stat(dir, dir_mode, asked, moved ? &previous->cache : NULL,
                                      vmh_realtime_ms(), &written, report->error,
                                      sizeof report->error);
    report->keys_as_before = status == 1;
    status = status > 0 ? 0 : status;
    if (status == 0 && written.st_ino != 0)
        checked = written;
    return status;
}

/* The backends not in `backends` that `merged` holds no answer of. */
static unsigned never_answered(const struct vmh_snapshot *merged, unsigned backends)
{
    unsigned never = 0;
    for (unsigned backend = 0; backend < VMH_BACKEND_COUNT; backend++)
        if (!(backends & (1u << backend)) && merged->backends[backend].status == VMH_STATUS_NEVER)
            never |= 1u << backend;
    return never;
}

static int refresh_locked(const struct vmh_config *config, const char *dir, unsigned dir_mode,
                          unsigned backends, unsigned flags, long timeout_ms,
                          struct vmh_refresh_report *report)
{
    struct previous previous;
    struct vmh_snapshot asked;
    vmh_snapshot_init(&asked);
    load_previous(dir, &previous, report);
    take_parts(backends, &previous);
    int status = previous.loaded ? copy_previous(&asked, &previous, backends, true) : 0;
    if (status != 0) {
        snprintf(report->error, sizeof report->error, "cannot copy the previous cache: out of memory");
    } else {
        bool same = (flags & VMH_REFRESH_KEEP_SAME) && keepable(&previous);
        bool all_ok = ask_backends(config, backends, timeout_ms, &previous, &asked, &same, report);
        bool retain = (flags & VMH_REFRESH_RETAIN) != 0;
        status = write_cache(dir, dir_mode, &previous, backends, retain, &asked, same, report);
        report->cache_unchanged = same;
        report->previous_lost = !previous.loaded;
        report->unanswered = never_answered(&asked, backends);
        /* Written, `asked` is all the file holds; otherwise what is kept
         * may be gone into it, or no longer be the file's. */
        if (!same && status == 0 && retain)
            vmh_retained_keep(&asked, &checked);
        else if (!same)
            vmh_retained_forget();
        if (status == 0 && !all_ok)
            status = VMH_REFRESH_BACKEND_FAILED;
    }
    if (previous.loaded)
        vmh_cache_free(&previous.cache);
    vmh_snapshot_free(&asked);
    if (status == 0 || status == VMH_REFRESH_BACKEND_FAILED) {
        report->cache_written = true;
        snprintf(report->cache_path, sizeof report->cache_path, "%s/%s", dir, VMH_CACHE_FILE);
        return status == 0 ? VMH_REFRESH_OK : status;
    }
    return VMH_REFRESH_WRITE_FAILED;
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
    int status = refresh_locked(config, dir, dir_mode, backends & VMH_SNAPSHOT_ALL, flags,
                                timeout_ms, report);
    if (lock_fd >= 0)
        close(lock_fd);
    return status;
}
