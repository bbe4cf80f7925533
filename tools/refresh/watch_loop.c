/* The loop of `vmhosts watch`.
 *
 * Docker says what changed through its event stream; the loop does not act
 * on the event's contents but runs the ordinary Docker refresh, the same
 * code as `vmhosts refresh`, so the watcher and the on-demand path can
 * never disagree on what a container's names are.  The same holds for a
 * backend read from files (libvirt): inotify on its folder (watch_files.c)
 * says that something changed, and its ordinary refresh reads what.
 * Signals arrive through a signalfd and are looked at only between
 * refreshes: every cache write is atomic, and a refresh is bounded by
 * timeout_ms, so stopping always leaves a whole cache behind. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "docker_changes.h"
#include "docker_events.h"
#include "refresh.h"
#include "retained.h"
#include "trigger.h"
#include "watch_files.h"
#include "watch_loop.h"
#include "watch_memory.h"
#include "watch_streams.h"

/* Docker is listed this often even without events. */
#define DEFAULT_RESYNC_MS (300L * 1000)

/* The longest the loop sleeps without a reason to wake. */
#define WAKE_MAX_MS 10000

/* A failed cache write is tried again this soon. */
#define WRITE_RETRY_MS 1000

/* A backend whose refresh failed is asked again this soon, then twice as
 * late each time, up to its interval (or the second figure, for one asked
 * on events only). */
#define FAILED_RETRY_MS 2000
#define FAILED_RETRY_MAX_MS 60000

/* Docker sends some events before its list shows their effect: `die` and
 * `network connect` are logged before the container's new state is
 * committed to what GET /containers/json reads (seen with dockerd 20.10).
 * So Docker is asked at once, and again this long after the last event. */
static const long settle_after_ms[] = {150, 1000, 3000};
#define SETTLE_COUNT (sizeof settle_after_ms / sizeof settle_after_ms[0])

/* The settings file as it was when the watcher started: an edit, a
 * rename over it, its removal or a change of its owner is read again. */
struct settings_seen {
    bool found;
    struct stat st;
};

struct watcher {
    const struct vmh_config *config;
    struct settings_seen settings;
    const struct vmh_watch_options *options;
    const char *dir;   /* the cache folder */
    int lock_fd;       /* its watch.lock, held */
    unsigned streamed; /* the backends Docker's event stream speaks for, by section bit */
    unsigned absent;   /* the backends not installed when last looked, by section bit */
    struct vmh_watch_files *files; /* inotify on the backends' folders and the cache's */
    struct vmh_watch_streams *streams; /* Docker's event streams (watch_streams.c) */
    char last_said[VMH_BACKEND_COUNT][VMH_MESSAGE_MAX + 64];
    int64_t next_ms[VMH_BACKEND_COUNT]; /* by section: when asked next without an event */
    long retry_ms[VMH_BACKEND_COUNT];   /* by section: the last wait after a failure; 0: none */
    int64_t settle_ms[SETTLE_COUNT];    /* INT64_MAX: none pending */
    int64_t changed_ms;                 /* the end of the last refresh that changed the cache */
    bool memory_kept;                   /* the heap holds what it freed since (watch_memory.h) */
};

void vmh_watch_defaults(const struct vmh_config *config, struct vmh_watch_options *options)
{
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        long poll_ms = (*ops)->poll_interval_ms(config);
        /* With an event stream, a resync is a safety net only: a live
         * stream loses no event, and every reconnection refreshes at once. */
        options->interval_ms[(*ops)->section] = poll_ms > 0 ? poll_ms : DEFAULT_RESYNC_MS;
    }
    options->timeout_ms = config->timeout_ms;
    options->memory_idle_ms = VMH_WATCH_MEMORY_IDLE_MS;
    options->verbose = false;
}

/* The backends with no poll interval: the event stream (docker_events.c)
 * tells of their changes. */
static unsigned streamed_backends(const struct vmh_config *config)
{
    unsigned backends = 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        if ((*ops)->poll_interval_ms(config) == 0)
            backends |= 1u << (*ops)->section;
    return backends;
}

/* The folder, made if missing, must be one the module trusts. */
static int prepare_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, geteuid() == 0 ? 0755 : 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "vmhosts watch: cannot create the cache folder %s: %s (its parent must "
                        "exist; see cache_dir in vmhosts.conf)\n", dir, strerror(errno));
        return -1;
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || !vmh_cache_stat_trusted(&st, geteuid())) {
        fprintf(stderr, "vmhosts watch: the cache folder %s is not a folder owned by you or root "
                        "and writable by its owner only; lookups would not trust it\n", dir);
        return -1;
    }
    return 0;
}

/* The write lock that tells every lookup this cache is watched.  Held
 * through an OFD lock on our own descriptor until the process ends. */
static int take_watch_lock(const char *dir)
{
    char path[VMH_PATH_MAX + sizeof VMH_WATCH_LOCK + 1];
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, VMH_WATCH_LOCK);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        fprintf(stderr, "vmhosts watch: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* A lock file others may write would not be trusted by lookups. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        ((st.st_mode & 022) && fchmod(fd, 0644) != 0)) {
        fprintf(stderr, "vmhosts watch: %s is not a file of yours that only you can write: "
                        "remove it\n", path);
        close(fd);
        return -1;
    }
    if (fcntl(fd, F_OFD_SETLK, &lock) != 0) {
        int error = errno;
        fprintf(stderr, "vmhosts watch: %s\n", error == EAGAIN || error == EACCES
                    ? "another `vmhosts watch` already keeps this cache; one is enough"
                    : strerror(error));
        fprintf(stderr, "vmhosts watch: (the lock is %s)\n", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* SIGTERM, SIGINT and SIGHUP, as a descriptor: the loop sees them while
 * waiting and never in the middle of a write. */
static int signals_open(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int signal_received(int signal_fd)
{
    struct signalfd_siginfo info;
    if (read(signal_fd, &info, sizeof info) != (ssize_t)sizeof info)
        return 0;
    return (int)info.ssi_signo;
}

static void say_backend(struct watcher *watcher, const struct vmh_backend_ops *ops,
                        const struct vmh_refresh_backend_report *report)
{
    char line[sizeof watcher->last_said[0]];
    char *last_said = watcher->last_said[ops->section];
    if (report->status == VMH_STATUS_OK)
        snprintf(line, sizeof line, "%s: ok, %zu running%s%.*s", ops->name,
                 report->running_count, report->message[0] ? "; " : "", VMH_MESSAGE_MAX,
                 report->message);
    else
        snprintf(line, sizeof line, "%s: %s: %.*s", ops->name,
                 vmh_backend_status_name(report->status), VMH_MESSAGE_MAX,
                 report->message[0] ? report->message : "no reason given");
    /* Once per change of state, so that the journal is not an echo of
     * Docker's events; every time when asked to be verbose. */
    if (watcher->options->verbose || strcmp(line, last_said) != 0)
        fprintf(stderr, "vmhosts watch: %s\n", line);
    snprintf(last_said, sizeof watcher->last_said[0], "%s", line);
}

/* What a refresh found of the cache it added to. */
struct found {
    bool lost;           /* none: the cache written holds the backends asked only */
    unsigned unanswered; /* the backends the cache holds no answer of (refresh.h) */
    unsigned failed;     /* the backends asked that did not answer, by section bit */
};

/* Refreshes `backends` into the cache; false when no cache was written. */
static bool refresh(struct watcher *watcher, unsigned backends, struct found *found)
{
    struct vmh_refresh_report report;
    /* Polls mostly find what the cache already says: not rewritten then. */
    int status = vmh_refresh_run(watcher->config, backends,
                                 VMH_REFRESH_KEEP_SAME | VMH_REFRESH_RETAIN,
                                 watcher->options->timeout_ms, &report);
    /* A poll that finds what the cache says does not keep the memory: a
     * backend polled more often than --memory-idle would keep it for good. */
    if (status != VMH_REFRESH_WRITE_FAILED && !report.cache_unchanged)
        watcher->changed_ms = vmh_monotonic_ms();
    watcher->memory_kept = true;
    found->failed = 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        const struct vmh_refresh_backend_report *asked = &report.backends[(*ops)->section];
        if (!asked->ran)
            continue;
        say_backend(watcher, *ops, asked);
        if (asked->status != VMH_STATUS_OK)
            found->failed |= 1u << (*ops)->section;
    }
    found->lost = status != VMH_REFRESH_WRITE_FAILED && report.previous_lost;
    found->unanswered = status != VMH_REFRESH_WRITE_FAILED ? report.unanswered : 0;
    if (status == VMH_REFRESH_WRITE_FAILED) {
        fprintf(stderr, "vmhosts watch: the cache was not written: %s\n",
                report.error[0] ? report.error : "unknown error");
        return false;
    }
    if (watcher->options->verbose && report.cache_unchanged)
        fprintf(stderr, "vmhosts watch: the answers did not change; the cache is left as it "
                        "was\n");
    if (watcher->options->verbose && report.keys_as_before)
        fprintf(stderr, "vmhosts watch: the cache is written again, the kept hosts' keys in the "
                        "order it had them\n");
    return true;
}

static int64_t after(long interval_ms, int64_t now)
{
    return interval_ms > 0 ? now + interval_ms : INT64_MAX;
}

/* The backends not installed here now, by section bit. */
static unsigned absent_backends(const struct vmh_config *config)
{
    unsigned absent = 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        if ((*ops)->installed && !(*ops)->installed(config))
            absent |= 1u << (*ops)->section;
    return absent;
}

/* Whether to ask a backend due for its poll.  One not installed here is
 * not asked, so the cache is not rewritten at every interval for it; it is
 * looked for instead (a stat of its sockets or folder), so that a daemon
 * installed after the watcher started is asked from then on without a
 * restart: while the watcher runs, a lookup never asks it.  One removed
 * since it was asked is asked once more, and refresh.c then records it
 * gone (left_alone). */
static bool worth_asking(struct watcher *watcher, const struct vmh_backend_ops *ops)
{
    unsigned bit = 1u << ops->section;
    bool installed = !ops->installed || ops->installed(watcher->config);
    bool was_absent = watcher->absent & bit;
    if (installed && was_absent) {
        fprintf(stderr, "vmhosts watch: %s: found now (installed, or back from a restart); "
                        "asked from now on\n", ops->name);
        vmh_watch_files_retry(watcher->files);
    }
    watcher->absent = installed ? watcher->absent & ~bit : watcher->absent | bit;
    return installed || !was_absent;
}

/* Soon after a failure, then less and less often: its names answer UNAVAIL
 * meanwhile, and while a watcher runs no lookup asks (a multipass list
 * slower once than timeout_ms kept them so for all of multipass_ttl). */
static long retry_after(struct watcher *watcher, unsigned section)
{
    long interval = watcher->options->interval_ms[section];
    long most = interval > 0 ? interval : FAILED_RETRY_MAX_MS;
    long retry = watcher->retry_ms[section] ? watcher->retry_ms[section] * 2 : FAILED_RETRY_MS;
    watcher->retry_ms[section] = retry < most ? retry : most;
    return watcher->retry_ms[section];
}

static int64_t next_after_refresh(struct watcher *watcher, unsigned section, bool written,
                                  bool failed, int64_t now)
{
    if (!written)
        return now + WRITE_RETRY_MS;
    if (failed)
        return now + retry_after(watcher, section);
    watcher->retry_ms[section] = 0;
    return after(watcher->options->interval_ms[section], now);
}

/* When to ask each backend again after a refresh of `backends`: those at
 * their interval, soon when the cache was not written, sooner than that
 * when they failed (retry_after).  Those the
 * cache holds no answer of, at once: their hosts were in a file that is
 * gone, or another refresh wrote one without them, and their next poll
 * may not come for hours (libvirt, watched by its files alone). */
static void schedule(struct watcher *watcher, unsigned backends, bool written,
                     const struct found *found)
{
    char again[VMH_BACKEND_COUNT * 16] = "";
    size_t used = 0;
    int64_t now = vmh_monotonic_ms();
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        unsigned section = (*ops)->section, bit = 1u << section;
        if (backends & bit) {
            watcher->next_ms[section] =
                next_after_refresh(watcher, section, written, found->failed & bit, now);
        } else if ((found->unanswered & bit) && !(watcher->absent & bit)) {
            watcher->next_ms[section] = now;
            used += (size_t)snprintf(again + used, sizeof again - used, "%s%s", used ? ", " : "",
                                     (*ops)->name);
            used = used < sizeof again ? used : sizeof again - 1;
        }
    }
    if (again[0] && found->lost)
        fprintf(stderr, "vmhosts watch: there was no cache to add to; asking the other backends "
                        "now\n");
    else if (again[0])
        fprintf(stderr, "vmhosts watch: the cache held nothing of %s (another refresh wrote it "
                        "without them); asking now\n", again);
}

/* Refreshes what is due now: the streamed backends (Docker) after an event
 * (and its settle times) or a stream change; the backends whose folder
 * changed (`changed`, by section bit); any backend at its interval. */
static void refresh_due(struct watcher *watcher, unsigned event_bits, unsigned changed)
{
    int64_t now = vmh_monotonic_ms();
    unsigned backends = (event_bits ? watcher->streamed : 0) | changed;
    for (size_t i = 0; i < SETTLE_COUNT; i++) {
        if (event_bits & VMH_EVENTS_CHANGED)
            watcher->settle_ms[i] = now + settle_after_ms[i];
        else if (now >= watcher->settle_ms[i]) {
            watcher->settle_ms[i] = INT64_MAX;
            backends |= watcher->streamed;
        }
    }
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        unsigned bit = 1u << (*ops)->section;
        if (now < watcher->next_ms[(*ops)->section])
            continue;
        if (!worth_asking(watcher, *ops)) {
            watcher->next_ms[(*ops)->section] =
                after(watcher->options->interval_ms[(*ops)->section], now);
            continue;
        }
        backends |= bit;
        /* A resync lists every container, not only those events named. */
        if (watcher->streamed & bit)
            vmh_docker_changes_list_all();
    }
    if (!backends)
        return;
    struct found found;
    bool written = refresh(watcher, backends, &found);
    schedule(watcher, backends, written, &found);
}

static long until_due(const struct watcher *watcher)
{
    int64_t next = INT64_MAX;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        next = watcher->next_ms[(*ops)->section] < next ? watcher->next_ms[(*ops)->section] : next;
    for (size_t i = 0; i < SETTLE_COUNT; i++)
        next = watcher->settle_ms[i] < next ? watcher->settle_ms[i] : next;
    int64_t give_back = watcher->changed_ms + watcher->options->memory_idle_ms;
    if (watcher->memory_kept && give_back < next)
        next = give_back;
    int64_t wait = next - vmh_monotonic_ms();
    /* Woken that often at least: cheap (a stat of the settings file), a
     * settings file edited is read again within it, and a clock oddity
     * heals. */
    return wait < 0 ? 0 : wait > WAKE_MAX_MS ? WAKE_MAX_MS : (long)wait;
}

/* One descriptor readable when a signal, a folder's change or a socket's
 * waits (each of `fds` that is >= 0): Docker's event wait
 * (docker_events.h) watches one besides its streams. */
static int wake_open(const int *fds, size_t count)
{
    int wake_fd = epoll_create1(EPOLL_CLOEXEC);
    for (size_t i = 0; i < count && wake_fd >= 0; i++) {
        struct epoll_event on_ready = {.events = EPOLLIN, .data.fd = fds[i]};
        if (fds[i] >= 0 && epoll_ctl(wake_fd, EPOLL_CTL_ADD, fds[i], &on_ready) != 0) {
            close(wake_fd);
            wake_fd = -1;
        }
    }
    if (wake_fd < 0)
        fprintf(stderr, "vmhosts watch: cannot wait for signals: %s\n", strerror(errno));
    return wake_fd;
}

/* watch.lock was removed, alone or with the cache folder: lookups would
 * see no watcher, and a second one could start.  Taken again on a new
 * file, in the folder made again if need be; false when another watcher
 * took it meanwhile, or it cannot be. */
static bool take_lock_again(struct watcher *watcher)
{
    int lock_fd = prepare_dir(watcher->dir) == 0 ? take_watch_lock(watcher->dir) : -1;
    if (lock_fd < 0)
        return false;
    close(watcher->lock_fd);
    watcher->lock_fd = lock_fd;
    vmh_watch_files_rewatch_cache(watcher->files);
    fprintf(stderr, "vmhosts watch: took %s/%s again\n", watcher->dir, VMH_WATCH_LOCK);
    return true;
}

static void settings_look(const char *path, struct settings_seen *seen)
{
    seen->found = stat(path, &seen->st) == 0;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* A stat per wake-up (at least one every WAKE_MAX_MS): an edit through a
 * symlink, which a watch on the link's folder would not see, counts too. */
static bool settings_changed(const struct watcher *watcher)
{
    struct settings_seen now;
    const struct stat *was = &watcher->settings.st;
    settings_look(watcher->config->path, &now);
    if (now.found != watcher->settings.found)
        return true;
    return now.found &&
           (now.st.st_dev != was->st_dev || now.st.st_ino != was->st_ino ||
            now.st.st_size != was->st_size || now.st.st_uid != was->st_uid ||
            now.st.st_mode != was->st_mode || !same_time(&now.st.st_mtim, &was->st_mtim) ||
            !same_time(&now.st.st_ctim, &was->st_ctim));
}

/* watch.lock is another file than the one held (renamed over, or made
 * again by someone else): lookups and a second watcher see that one. */
static bool lock_replaced(const struct watcher *watcher)
{
    char path[VMH_PATH_MAX + sizeof VMH_WATCH_LOCK + 1];
    struct stat held, named;
    snprintf(path, sizeof path, "%s/%s", watcher->dir, VMH_WATCH_LOCK);
    if (fstat(watcher->lock_fd, &held) != 0 || lstat(path, &named) != 0 ||
        (held.st_dev == named.st_dev && held.st_ino == named.st_ino))
        return false; /* gone: the folder's events tell (watch_files.c) */
    fprintf(stderr, "vmhosts watch: %s was replaced by another file\n", path);
    return true;
}

/* The loop wakes for it (until_due). */
static void give_back_when_idle(struct watcher *watcher)
{
    if (watcher->memory_kept &&
        vmh_monotonic_ms() - watcher->changed_ms >= watcher->options->memory_idle_ms) {
        vmh_retained_forget();
        vmh_watch_memory_give_back();
        watcher->memory_kept = false;
    }
}

static int follow(struct watcher *watcher, int signal_fd, int wake_fd)
{
    for (;;) {
        vmh_watch_streams_follow(watcher->streams);
        unsigned bits = vmh_watch_streams_wait(watcher->streams, wake_fd, until_due(watcher));
        int signo = signal_received(signal_fd);
        if (signo == SIGHUP || (!signo && settings_changed(watcher))) {
            fprintf(stderr, "vmhosts watch: %s; reading the settings again\n",
                    signo ? "SIGHUP" : "the settings file changed");
            return VMH_WATCH_RELOAD;
        }
        if (signo) {
            fprintf(stderr, "vmhosts watch: stopping (%s); the cache stays as last written\n",
                    strsignal(signo));
            return 0;
        }
        unsigned changed = vmh_watch_files_changed(watcher->files);
        if ((vmh_watch_files_lock_gone(watcher->files) || lock_replaced(watcher)) &&
            !take_lock_again(watcher))
            return 1;
        refresh_due(watcher, bits, changed);
        give_back_when_idle(watcher);
    }
}

/* The first refresh of every backend, then the loop; 1 when the first
 * cache cannot be written. */
static int keep(struct watcher *watcher, int signal_fd, int wake_fd, const char *dir)
{
    /* Changes from now on count; the first refresh reads everything. */
    vmh_watch_files_changed(watcher->files);
    struct found found;
    if (!refresh(watcher, VMH_SNAPSHOT_ALL, &found))
        return 1;
    fprintf(stderr, "vmhosts watch: keeping %s/%s\n", dir, VMH_CACHE_FILE);
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        watcher->next_ms[(*ops)->section] =
            next_after_refresh(watcher, (*ops)->section, true,
                               found.failed & (1u << (*ops)->section), vmh_monotonic_ms());
    /* Those the first refresh left alone: not a word of them until they
     * appear. */
    watcher->absent = absent_backends(watcher->config);
    for (size_t i = 0; i < SETTLE_COUNT; i++)
        watcher->settle_ms[i] = INT64_MAX;
    return follow(watcher, signal_fd, wake_fd);
}

int vmh_watch_run(const struct vmh_config *config, const struct vmh_watch_options *options)
{
    char dir[VMH_PATH_MAX];
    struct watcher watcher = {.config = config, .options = options, .dir = dir,
                              .streamed = streamed_backends(config)};
    settings_look(config->path, &watcher.settings);
    vmh_watch_memory_keep();
    if (vmh_config_own_cache_dir(config, dir, sizeof dir, NULL) != 0) {
        fprintf(stderr, "vmhosts watch: cannot tell where the cache folder is (set cache_dir "
                        "in vmhosts.conf)\n");
        return 1;
    }
    int signal_fd = signals_open();
    if (signal_fd < 0) {
        fprintf(stderr, "vmhosts watch: cannot receive signals: %s\n", strerror(errno));
        return 1;
    }
    watcher.lock_fd = prepare_dir(dir) == 0 ? take_watch_lock(dir) : -1;
    watcher.streams =
        watcher.lock_fd >= 0 ? vmh_watch_streams_open(config, options->timeout_ms) : NULL;
    watcher.files = watcher.streams ? vmh_watch_files_open(config, dir) : NULL;
    int fds[] = {signal_fd, vmh_watch_files_fd(watcher.files),
                 vmh_watch_streams_fd(watcher.streams)};
    int wake_fd = watcher.files ? wake_open(fds, sizeof fds / sizeof fds[0]) : -1;
    if (watcher.lock_fd >= 0 && (!watcher.streams || !watcher.files))
        fprintf(stderr, "vmhosts watch: out of memory\n");
    int status = wake_fd >= 0 ? keep(&watcher, signal_fd, wake_fd, dir) : 1;
    if (wake_fd >= 0)
        close(wake_fd);
    vmh_watch_files_close(watcher.files);
    vmh_watch_streams_close(watcher.streams);
    if (watcher.lock_fd >= 0)
        close(watcher.lock_fd);
    close(signal_fd);
    return status;
}
