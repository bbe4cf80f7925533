/* Starting the refresher from inside a lookup.
 *
 * Many processes can miss the same name at the same moment (a build starting
 * 64 compilers, a browser opening tabs).  The lock file makes one of them run
 * the refresher while the others wait for it to finish, all bounded by the
 * same deadline, so a burst of misses costs one refresh. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "subprocess.h"
#include "trigger.h"

static int64_t clock_ms(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t vmh_monotonic_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

int64_t vmh_realtime_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

bool vmh_same_file_version(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

bool vmh_trigger_allowed(void)
{
    /* A setuid program must not run a program its user's settings chose. */
    return getauxval(AT_SECURE) == 0 && !vmh_spawn_is_nested();
}

bool vmh_cache_watched(const char *dir)
{
    char path[VMH_PATH_MAX + sizeof VMH_WATCH_LOCK + 1];
    struct stat st;
    /* Asks who would block a read lock: only a write lock does. */
    struct flock probe = {.l_type = F_RDLCK, .l_whence = SEEK_SET};

    if (!dir[0])
        return false;
    snprintf(path, sizeof path, "%s/%s", dir, VMH_WATCH_LOCK);
    /* O_NONBLOCK: a FIFO of that name must not hold the lookup. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    bool watched = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                   vmh_cache_stat_trusted(&st, geteuid()) &&
                   fcntl(fd, F_OFD_GETLK, &probe) == 0 && probe.l_type == F_WRLCK;
    close(fd);
    return watched;
}

static void sleep_ms(long ms)
{
    struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
        ;
}

/* Another process refreshes: wait until its lock is released. */
static void wait_for_other_refresh(int lock_fd, int64_t deadline)
{
    long pause = 1;
    while (vmh_monotonic_ms() < deadline) {
        if (flock(lock_fd, LOCK_SH | LOCK_NB) == 0)
            return;
        sleep_ms(pause);
        if (pause < 16)
            pause *= 2;
    }
}

/* A folder we may write a lock into: ours or root's, not a symlink, and no
 * one else may write it (else another user could hold our refresh hostage). */
static bool prepare_folder(const char *dir)
{
    struct stat st;
    if (mkdir(dir, geteuid() == 0 ? 0755 : 0700) != 0 && errno != EEXIST)
        return false;
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && vmh_cache_stat_trusted(&st, geteuid());
}

/* Whether the cache changed since the caller decided to refresh: then a
 * refresh just finished and running another would only repeat it. */
static bool cache_changed(const struct vmh_trigger *trigger)
{
    char path[VMH_PATH_MAX + sizeof VMH_CACHE_FILE + 1];
    struct stat now;
    snprintf(path, sizeof path, "%s/%s", trigger->cache_dir, VMH_CACHE_FILE);
    if (lstat(path, &now) != 0)
        return false;
    return !trigger->had_cache || !vmh_same_file_version(&now, &trigger->cache_stat);
}

static void run_refresher(const struct vmh_trigger *trigger, int64_t deadline)
{
    char timeout_text[24];
    long remaining = (long)(deadline - vmh_monotonic_ms());
    if (remaining <= 0)
        return;
    /* The refresher's own calls end a little before we stop waiting, so that
     * it records why it failed instead of being killed mid-write. */
    snprintf(timeout_text, sizeof timeout_text, "%ld", remaining > 100 ? remaining - 50 : remaining);
    const char *argv[] = {trigger->refresh_command, "refresh", "--quiet", "--locked",
                          "--backend", trigger->backend == VMH_BACKEND_DOCKER ? "docker" : "multipass",
                          "--timeout-ms", timeout_text, NULL};
    struct vmh_spawn_result result;
    vmh_spawn_run(argv, remaining, NULL, &result);
}

void vmh_trigger_refresh(const struct vmh_trigger *trigger)
{
    int64_t deadline = vmh_monotonic_ms() + trigger->timeout_ms;
    char lock_path[VMH_PATH_MAX + sizeof VMH_CACHE_LOCK + 1];

    if (!prepare_folder(trigger->cache_dir))
        return;
    snprintf(lock_path, sizeof lock_path, "%s/%s", trigger->cache_dir, VMH_CACHE_LOCK);
    int lock_fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
    if (lock_fd < 0)
        return;
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            wait_for_other_refresh(lock_fd, deadline);
    } else if (!cache_changed(trigger)) {
        run_refresher(trigger, deadline);
    }
    close(lock_fd);
}
