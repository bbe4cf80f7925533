/* With a `vmhosts watch` keeping the cache, a lookup never starts the
 * refresher: the module sees the watcher's write lock on watch.lock and
 * treats the cache as fresh.  The refresher here is a script that only
 * counts its runs, and the cache is hours old, so every lookup that is
 * allowed to refresh does. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "nss_vmhosts.h"
#include "snapshot.h"
#include "trigger.h"

#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"

static char root_dir[256], cache_dir[300], runs_path[300], lock_path[320];

static void write_stale_cache(void)
{
    struct vmh_snapshot snapshot;
    char err[256];
    int64_t long_ago = vmh_realtime_ms() - 3 * 3600 * 1000;

    vmh_snapshot_init(&snapshot);
    struct vmh_host *host = vmh_snapshot_add(&snapshot);
    host->backend = VMH_BACKEND_DOCKER;
    host->name = strdup("web");
    host->id = strdup(ID_WEB);
    host->state = VMH_STATE_RUNNING;
    vmh_host_add_address(host, "172.17.0.2");
    for (int b = 0; b < VMH_BACKEND_COUNT; b++) {
        snapshot.backends[b].status = VMH_STATUS_OK;
        snapshot.backends[b].updated_ms = long_ago;
        snapshot.backends[b].attempted_ms = long_ago;
    }
    if (vmh_cache_write(cache_dir, 0755, &snapshot, long_ago, err, sizeof err) != 0)
        printf("# cache write failed: %s\n", err);
    vmh_snapshot_free(&snapshot);
}

static int setup(void)
{
    char template[] = "/tmp/vmhosts-test-watch-XXXXXX", path[400];
    if (!mkdtemp(template))
        return -1;
    chmod(template, 0755);
    snprintf(root_dir, sizeof root_dir, "%s", template);
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", root_dir);
    snprintf(runs_path, sizeof runs_path, "%s/runs", root_dir);
    snprintf(lock_path, sizeof lock_path, "%s/%s", cache_dir, VMH_WATCH_LOCK);

    snprintf(path, sizeof path, "%s/refresher", root_dir);
    FILE *script = fopen(path, "w");
    if (!script)
        return -1;
    fprintf(script, "#!/bin/sh\necho \"$*\" >>%s\n", runs_path);
    fclose(script);
    chmod(path, 0755);

    char conf_path[400];
    snprintf(conf_path, sizeof conf_path, "%s/vmhosts.conf", root_dir);
    FILE *conf = fopen(conf_path, "w");
    if (!conf)
        return -1;
    fprintf(conf, "cache_dir = %s\nuser_cache_dir = %s\nttl = 60\nrefresh_interval_ms = 0\n"
                  "timeout_ms = 5000\nrefresh_command = %s\n",
            cache_dir, cache_dir, path);
    fclose(conf);
    setenv("VMHOSTS_CONF", conf_path, 1);
    write_stale_cache();
    return 0;
}

static void cleanup(void)
{
    check_remove_tree(root_dir);
}

static int refresher_runs(void)
{
    FILE *file = fopen(runs_path, "r");
    int lines = 0, c;
    if (!file)
        return 0;
    while ((c = fgetc(file)) != EOF)
        lines += c == '\n';
    fclose(file);
    return lines;
}

static enum nss_status lookup(const char *name)
{
    struct hostent host;
    char buffer[1024];
    int err, herr;
    int32_t ttl;
    char *canon;
    return _nss_vmhosts_gethostbyname3_r(name, AF_INET, &host, buffer, sizeof buffer, &err, &herr,
                                         &ttl, &canon);
}

/* How many times the refresher ran for one lookup of `name`, which must
 * answer `expected`. */
static int runs_for(const char *name, enum nss_status expected, const char *what)
{
    int before = refresher_runs();
    enum nss_status status = lookup(name);
    char text[200];
    snprintf(text, sizeof text, "%s: %s answers", what, name);
    CHECK_INT(status, expected, text);
    return refresher_runs() - before;
}

/* An OFD lock of `type` on `path` through a descriptor opened `flags`;
 * the descriptor, or -1 with errno. */
static int hold_lock(const char *path, int flags, short type)
{
    struct flock lock = {.l_type = type, .l_whence = SEEK_SET};
    int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -1;
    if (fcntl(fd, F_OFD_SETLK, &lock) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* A watcher in another process: it write-locks watch.lock and waits for
 * its stdin pipe to close. */
static pid_t start_watcher_process(int *release_fd)
{
    int ready[2], release[2];
    char byte = 0;
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(release, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        /* Only the parent's end may keep the release pipe open. */
        close(release[1]);
        close(ready[0]);
        int fd = hold_lock(lock_path, O_RDWR | O_CREAT, F_WRLCK);
        byte = fd >= 0 ? 'y' : 'n';
        if (write(ready[1], &byte, 1) != 1 || fd < 0)
            _exit(1);
        while (read(release[0], &byte, 1) > 0)
            ;
        _exit(0);
    }
    close(ready[1]);
    close(release[0]);
    *release_fd = release[1];
    if (pid < 0 || read(ready[0], &byte, 1) != 1 || byte != 'y') {
        close(ready[0]);
        return -1;
    }
    close(ready[0]);
    return pid;
}

static void stop_watcher_process(pid_t pid, int release_fd)
{
    int status;
    close(release_fd);
    waitpid(pid, &status, 0);
}

static void test_unwatched_refreshes(void)
{
    CHECK_INT(runs_for("web.docker", NSS_STATUS_SUCCESS, "no watcher, stale cache"), 1,
              "no watcher: a stale hit runs the refresher once");
    CHECK_INT(runs_for("nothing.docker", NSS_STATUS_NOTFOUND, "no watcher, miss"), 1,
              "no watcher: an explicit-name miss runs the refresher once");
}

static void test_watched_does_not_refresh(void)
{
    int release_fd;
    pid_t pid = start_watcher_process(&release_fd);
    CHECK(pid > 0, "a watcher process holds the write lock on watch.lock");
    if (pid <= 0)
        return;
    CHECK(vmh_cache_watched(cache_dir), "vmh_cache_watched sees the watcher");
    CHECK_INT(runs_for("web.docker", NSS_STATUS_SUCCESS, "watched, stale cache"), 0,
              "watched: a stale hit starts nothing");
    CHECK_INT(runs_for("nothing.docker", NSS_STATUS_NOTFOUND, "watched, miss"), 0,
              "watched: an explicit-name miss starts nothing");
    CHECK_INT(runs_for("Web.Docker.", NSS_STATUS_SUCCESS, "watched, again"), 0,
              "watched: still nothing on the next lookup");
    stop_watcher_process(pid, release_fd);

    CHECK(!vmh_cache_watched(cache_dir), "the watcher gone, its lock is gone");
    CHECK_INT(runs_for("web.docker", NSS_STATUS_SUCCESS, "watcher gone"), 1,
              "watcher gone: the stale hit runs the refresher again");
}

/* A user who may only read watch.lock cannot make the cache look watched. */
static void test_readers_cannot_forge(void)
{
    int fd = hold_lock(lock_path, O_RDONLY, F_WRLCK);
    CHECK(fd < 0 && errno == EBADF, "a write lock through a read-only descriptor is refused");
    if (fd >= 0)
        close(fd);
    fd = hold_lock(lock_path, O_RDONLY, F_RDLCK);
    CHECK(fd >= 0, "a reader may take a read lock");
    CHECK(!vmh_cache_watched(cache_dir), "a read lock is not a watcher");
    CHECK_INT(runs_for("web.docker", NSS_STATUS_SUCCESS, "read lock"), 1,
              "a read lock does not stop the refresh");
    if (fd >= 0)
        close(fd);
}

static void test_untrusted_lock_ignored(void)
{
    int fd = hold_lock(lock_path, O_RDWR, F_WRLCK);
    CHECK(fd >= 0, "write-locked in this process (another open file: it counts)");
    CHECK(vmh_cache_watched(cache_dir), "the write lock is seen");
    chmod(lock_path, 0666);
    CHECK(!vmh_cache_watched(cache_dir), "a world-writable watch.lock is not trusted");
    CHECK_INT(runs_for("web.docker", NSS_STATUS_SUCCESS, "untrusted lock"), 1,
              "an untrusted watch.lock does not stop the refresh");
    chmod(lock_path, 0644);
    if (fd >= 0)
        close(fd);

    char elsewhere[400];
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere.lock", root_dir);
    fd = hold_lock(elsewhere, O_RDWR | O_CREAT, F_WRLCK);
    unlink(lock_path);
    CHECK(symlink(elsewhere, lock_path) == 0, "watch.lock made a symlink to a locked file");
    CHECK(!vmh_cache_watched(cache_dir), "a symlinked watch.lock is not followed");
    CHECK_INT(runs_for("web.docker", NSS_STATUS_SUCCESS, "symlinked lock"), 1,
              "a symlinked watch.lock does not stop the refresh");
    unlink(lock_path);
    if (fd >= 0)
        close(fd);
    CHECK(!vmh_cache_watched("/nonexistent-vmhosts-folder"), "no folder: not watched");
    CHECK(!vmh_cache_watched(""), "no folder name: not watched");
}

int main(void)
{
    if (setup() != 0)
        return check_skip_all("cannot create the test folder and settings");
    test_unwatched_refreshes();
    test_watched_does_not_refresh();
    test_readers_cannot_forge();
    test_untrusted_lock_ignored();
    cleanup();
    return check_done();
}
