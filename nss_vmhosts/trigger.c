/* Starting the refresher from inside a lookup.
 *
 * Many processes can miss the same name at the same moment (a build starting
 * 64 compilers, a browser opening tabs).  The lock file makes one of them run
 * the refresher while the others wait for it to finish, all bounded by the
 * same deadline, so a burst of misses costs one refresh. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "clock.h"
#include "subprocess.h"
#include "trigger.h"
#include "trust.h"

/* Whether the real, effective and saved users are one, and the groups:
 * a root daemon that took a user's effective id for a moment still has
 * root as its real one, which the program that user chose would inherit
 * and could take back. */
static bool one_identity(void)
{
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    return getresuid(&ruid, &euid, &suid) == 0 && ruid == euid && suid == euid &&
           getresgid(&rgid, &egid, &sgid) == 0 && rgid == egid && sgid == egid;
}

bool vmh_trigger_allowed(void)
{
    /* A setuid program must not run a program its user's settings chose. */
    return getauxval(AT_SECURE) == 0 && one_identity() && !vmh_spawn_is_nested();
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
                   vmh_stat_trusted(&st, vmh_trusted_uid()) &&
                   fcntl(fd, F_OFD_GETLK, &probe) == 0 && probe.l_type == F_WRLCK;
    close(fd);
    return watched;
}

/* Sleeps *pause ms, then doubles it up to 16, so that a wait for another
 * refresh looks again soon at first and cheaply after. */
static void back_off(long *pause)
{
    struct timespec rest = {.tv_sec = 0, .tv_nsec = *pause * 1000000L};
    while (nanosleep(&rest, &rest) != 0 && errno == EINTR)
        ;
    if (*pause < 16)
        *pause *= 2;
}

/* The refresh lock.
 *
 * refresh.lock is mode 0600: no other user can open it, so no other user
 * can hold it (a lock needs only a descriptor, and flock or a read lock
 * only a read-only one).  A file of the old mode 0644, or of another owner,
 * is replaced rather than used: someone may hold it open already.
 *
 * The module locks it with a classic POSIX record lock, which belongs to
 * the process and is not inherited by fork: a host that forks while one of
 * its threads refreshes leaves the child without the lock.  Such a lock
 * does not keep two threads of one process apart, so `refreshing_in` does:
 * the pid of the process in which a thread refreshes.  A forked child
 * inherits its parent's pid there, which is not its own, and so reads it
 * as free.  `vmhosts` takes the same file with an OFD lock, and the two
 * kinds conflict. */
static _Atomic pid_t refreshing_in;

/* dir/name, this user's own and mode 0600, open for reading and writing;
 * one of another owner or mode is replaced (the folder is trusted). */
static int open_own(const char *dir, const char *name)
{
    char path[VMH_PATH_MAX + NAME_MAX + 2];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
                      0600);
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            (st.st_mode & 077) == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        else if (errno != EACCES && errno != ELOOP && errno != EPERM)
            return -1;
        /* The folder is ours (trusted): what is in it we may replace. */
        if (unlink(path) != 0)
            return -1;
    }
    return -1;
}

int vmh_refresh_lock_open(const char *dir)
{
    return open_own(dir, VMH_CACHE_LOCK);
}

static struct flock whole_file(short type)
{
    return (struct flock){.l_type = type, .l_whence = SEEK_SET};
}

/* Another process refreshes: wait until its lock is released. */
static void wait_for_other_process(int lock_fd, int64_t deadline)
{
    long pause = 1;
    while (vmh_monotonic_ms() < deadline) {
        struct flock probe = whole_file(F_WRLCK);
        if (fcntl(lock_fd, F_GETLK, &probe) != 0 || probe.l_type == F_UNLCK)
            return;
        back_off(&pause);
    }
}

/* Another thread of this process refreshes: wait until it is done. */
static void wait_for_other_thread(pid_t self, int64_t deadline)
{
    long pause = 1;
    while (atomic_load(&refreshing_in) == self && vmh_monotonic_ms() < deadline) {
        back_off(&pause);
    }
}

static bool claim_for_this_process(pid_t self)
{
    pid_t seen = atomic_load(&refreshing_in);
    while (seen != self)
        if (atomic_compare_exchange_weak(&refreshing_in, &seen, self))
            return true;
    return false;
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

/* The program a lookup runs must be one that only root or this user could
 * have put there, as the settings that named it are. */
static bool program_trusted(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && vmh_cache_stat_trusted(&st, geteuid());
}

/* refresh.killed's bytes, 8 per backend (little-endian realtime ms): when
 * a refresh a lookup started last was killed at its deadline without
 * writing the cache.  Such a refresh records nothing in the cache,
 * so without this every process would start another (at 100,000
 * containers, one per lookup).  The file is this user's, mode 0600
 * (open_own): only root or the user can write what is read. */
static void record_unfinished(const char *dir, enum vmh_backend backend)
{
    uint64_t now = htole64((uint64_t)vmh_realtime_ms());
    off_t at = (off_t)backend * (off_t)sizeof now;
    struct rlimit limit;
    /* A write past the host's RLIMIT_FSIZE would kill it with SIGXFSZ. */
    if (getrlimit(RLIMIT_FSIZE, &limit) != 0 ||
        (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (rlim_t)at + sizeof now))
        return;
    int fd = open_own(dir, VMH_REFRESH_KILLED);
    if (fd < 0)
        return;
    ssize_t written = pwrite(fd, &now, sizeof now, at);
    (void)written; /* a full disk: the cache's own times still limit refreshes */
    close(fd);
}

int64_t vmh_refresh_unfinished_ms(const char *dir, enum vmh_backend backend)
{
    char path[VMH_PATH_MAX + sizeof VMH_REFRESH_KILLED + 1];
    struct stat st;
    uint64_t when = 0;
    snprintf(path, sizeof path, "%s/%s", dir, VMH_REFRESH_KILLED);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0 ||
        pread(fd, &when, sizeof when, (off_t)backend * (off_t)sizeof when) != sizeof when)
        when = 0;
    close(fd);
    return (int64_t)le64toh(when);
}

/* Runs the refresher; whether this process killed it at the deadline.
 * One that ended on its own has written the cache or said why not; one
 * whose end the host took (its own waitpid(-1) reaped it) is the host's
 * business: neither is held back. */
static bool run_refresher(const struct vmh_trigger *trigger, int64_t deadline)
{
    char timeout_text[24];
    long remaining = (long)(deadline - vmh_monotonic_ms());
    if (remaining <= 0)
        return false;
    /* The refresher's own calls end a little before we stop waiting, so that
     * it records why it failed instead of being killed mid-write. */
    snprintf(timeout_text, sizeof timeout_text, "%ld", remaining > 100 ? remaining - 50 : remaining);
    const char *argv[] = {trigger->refresh_command, "refresh", "--quiet", "--locked",
                          "--backend", vmh_backend_section(trigger->backend),
                          "--timeout-ms", timeout_text, NULL};
    struct vmh_spawn_result result;
    vmh_spawn_run(argv, remaining, NULL, &result);
    return result.timed_out;
}

/* With this process's claim held: the lock between processes. */
static void refresh_between_processes(const struct vmh_trigger *trigger, int64_t deadline)
{
    int lock_fd = vmh_refresh_lock_open(trigger->cache_dir);
    if (lock_fd < 0)
        return;
    struct flock lock = whole_file(F_WRLCK);
    if (fcntl(lock_fd, F_SETLK, &lock) == 0) {
        if (!cache_changed(trigger) && run_refresher(trigger, deadline) &&
            !cache_changed(trigger))
            record_unfinished(trigger->cache_dir, trigger->backend);
    } else if (errno == EAGAIN || errno == EACCES) {
        wait_for_other_process(lock_fd, deadline);
    }
    /* Closing it releases the record lock. */
    close(lock_fd);
}

void vmh_trigger_refresh(const struct vmh_trigger *trigger)
{
    int64_t deadline = vmh_monotonic_ms() + trigger->timeout_ms;
    pid_t self = getpid();

    /* Checked first: with no refresher to run, a lookup makes no folder
     * and no lock file. */
    if (!program_trusted(trigger->refresh_command) || !prepare_folder(trigger->cache_dir))
        return;
    if (!claim_for_this_process(self)) {
        wait_for_other_thread(self, deadline);
        return;
    }
    refresh_between_processes(trigger, deadline);
    atomic_store(&refreshing_in, 0);
}
