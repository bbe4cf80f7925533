/* vmh_spawn_run, and vmh_spawn_capture around it, from inside a host that
 * does awkward things: ignores or reaps SIGCHLD, blocks signals, leaks
 * descriptors, has no pidfd_open or no CLONE_PIDFD, keeps being
 * interrupted by signals. */
#undef _FORTIFY_SOURCE /* this program defines poll() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "spawn_output.h"

#define NO_LIMIT ((size_t)16 << 20)

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
        ;
}

/* The host's poll(), which the module's calls reach (this program's own
 * definition comes first).  While `interrupting`, a wait on one descriptor
 * plays a child that does not die and a host whose signals keep arriving:
 * a wait of more than 300 ms ends after 300 with EINTR, a shorter one
 * times out.  At most 20 are interrupted, so that a wait that would never
 * end does end, counted. */
static bool interrupting;
static int interrupted;

int poll(struct pollfd *fds, nfds_t count, int timeout)
{
    if (interrupting && count == 1 && timeout >= 0) {
        bool interrupt = timeout > 300 && interrupted < 20;
        struct timespec pause = {0, (interrupt ? 300 : timeout) * 1000000L};
        while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
            ;
        interrupted += interrupt;
        errno = EINTR;
        return interrupt ? -1 : 0;
    }
    struct timespec wait = {timeout / 1000, (timeout % 1000) * 1000000L};
    return ppoll(fds, count, timeout < 0 ? NULL : &wait, NULL);
}

/* One run, capturing stdout (limit 0 means no capture); how long it took. */
struct outcome {
    int rc;
    struct vmh_spawn_output out;
    struct vmh_spawn_result res;
    int64_t elapsed_ms;
};

static void run(const char *const argv[], long timeout_ms, bool capture, size_t limit,
                struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->out.limit = limit;
    int64_t start = now_ms();
    o->rc = capture ? vmh_spawn_capture(argv, timeout_ms, &o->out, &o->res)
                    : vmh_spawn_run(argv, timeout_ms, NULL, &o->res);
    o->elapsed_ms = now_ms() - start;
}

static void done(struct outcome *o)
{
    free(o->out.data);
    o->out.data = NULL;
}

/* The state letter of /proc/<pid>/stat and its parent and group, or 0. */
static char process_state(pid_t pid, pid_t *ppid, pid_t *pgrp)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    char *text = check_read_file(path, NULL);
    if (!text)
        return 0;
    char *end = strrchr(text, ')');
    char state = 0;
    int parent = 0, group = 0;
    if (end && sscanf(end + 1, " %c %d %d", &state, &parent, &group) != 3)
        state = 0;
    free(text);
    if (ppid)
        *ppid = parent;
    if (pgrp)
        *pgrp = group;
    return state;
}

/* Killed: gone, or a zombie waiting for a parent that may not reap. */
static bool dead(pid_t pid)
{
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return true;
    return process_state(pid, NULL, NULL) == 'Z';
}

static bool dies_within(pid_t pid, long ms)
{
    for (long waited = 0; waited < ms; waited += 10) {
        if (dead(pid))
            return true;
        sleep_ms(10);
    }
    return dead(pid);
}

/* Our own children, from /proc; zombies counted apart. */
static int children(int *zombies)
{
    DIR *dir = opendir("/proc");
    int count = 0;
    *zombies = 0;
    struct dirent *entry;
    while (dir && (entry = readdir(dir))) {
        pid_t pid = (pid_t)atoi(entry->d_name), ppid = 0;
        if (pid <= 0)
            continue;
        char state = process_state(pid, &ppid, NULL);
        if (state && ppid == getpid()) {
            count++;
            *zombies += state == 'Z';
        }
    }
    if (dir)
        closedir(dir);
    return count;
}

/* Under valgrind, posix_spawn's vfork becomes a fork, so an exec failure
 * shows as the child exiting 127 instead of as posix_spawn's error. */
static bool under_valgrind(void)
{
    char *maps = check_read_file("/proc/self/maps", NULL);
    bool found = maps && strstr(maps, "vgpreload") != NULL;
    free(maps);
    return found;
}

static bool exec_failed(const struct outcome *o, int expected)
{
    if (o->res.spawn_errno == expected)
        return true;
    if (under_valgrind() && o->res.spawn_errno == 0 && o->res.exited && o->res.exit_status == 127) {
        printf("# valgrind: exec failure seen as exit 127\n");
        return true;
    }
    printf("# spawn_errno %d, expected %d\n", o->res.spawn_errno, expected);
    return false;
}

static void basics(void)
{
    struct outcome o;
    run((const char *const[]){"/bin/echo", "hello", NULL}, 5000, true, NO_LIMIT, &o);
    CHECK(o.rc == 0 && o.res.exited && o.res.exit_status == 0 && !o.res.timed_out,
          "echo: runs and exits 0");
    CHECK_STR(o.out.data, "hello\n", "echo: stdout captured");
    CHECK(o.out.length == 6 && !o.out.truncated, "echo: length 6, not truncated");
    done(&o);

    run((const char *const[]){"/bin/sh", "-c", "exit 3", NULL}, 5000, true, NO_LIMIT, &o);
    CHECK(o.rc == -1 && o.res.exited && o.res.exit_status == 3 && o.res.spawn_errno == 0,
          "exit 3: -1, exited, status 3");
    CHECK(o.out.data && o.out.data[0] == '\0' && o.out.length == 0,
          "no output: data is an empty string");
    done(&o);

    run((const char *const[]){"/bin/sh", "-c", "kill -TERM $$", NULL}, 5000, false, 0, &o);
    CHECK(o.rc == -1 && !o.res.exited && o.res.signal == SIGTERM && !o.res.timed_out,
          "killed by SIGTERM: signal reported, not exited");

    run((const char *const[]){"/nonexistent/vmhosts-test", NULL}, 5000, true, NO_LIMIT, &o);
    CHECK(exec_failed(&o, ENOENT), "missing program: spawn_errno ENOENT");
    CHECK(o.rc == -1 && o.out.data && o.out.length == 0, "missing program: -1, no output");
    done(&o);

    run((const char *const[]){"bin/echo", NULL}, 5000, false, 0, &o);
    CHECK_INT(o.res.spawn_errno, EINVAL, "relative path: EINVAL");

    char path[] = "/tmp/vmhosts-test-noexec-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        (void)!write(fd, "#!/bin/sh\n", 10);
        close(fd);
        chmod(path, 0644);
    }
    run((const char *const[]){path, NULL}, 5000, false, 0, &o);
    CHECK(o.rc == -1 && exec_failed(&o, EACCES), "non-executable file: spawn_errno EACCES");
    unlink(path);
}

static void timeouts(void)
{
    struct outcome o;
    run((const char *const[]){"/bin/sleep", "30", NULL}, 200, false, 0, &o);
    CHECK(o.res.timed_out && o.rc == -1 && !o.res.exited && o.res.signal == SIGKILL,
          "sleep 30, 200 ms: timed out, killed by SIGKILL");
    CHECK(o.elapsed_ms >= 190 && o.elapsed_ms < 2000, "sleep 30, 200 ms: returns in < 2 s");

    run((const char *const[]){"/bin/sh", "-c", "sleep 30 & echo $!; sleep 30", NULL}, 300, true,
        NO_LIMIT, &o);
    pid_t grandchild = o.out.data ? (pid_t)atoi(o.out.data) : 0;
    CHECK(o.res.timed_out && grandchild > 0, "background grandchild: timed out, pid printed");
    CHECK(grandchild > 0 && dies_within(grandchild, 1000),
          "background grandchild: killed with the group");
    done(&o);

    /* Exits at once, but leaves a grandchild holding stdout open. */
    run((const char *const[]){"/bin/sh", "-c", "sleep 30 & echo $!", NULL}, 5000, true, NO_LIMIT,
        &o);
    grandchild = o.out.data ? (pid_t)atoi(o.out.data) : 0;
    CHECK(o.rc == 0 && !o.res.timed_out && o.elapsed_ms < 2000 && grandchild > 0,
          "child exits leaving a grandchild on stdout: returns at once");
    CHECK(grandchild > 0 && dies_within(grandchild, 1000),
          "grandchild left behind after a normal exit: killed");
    done(&o);
}

/* After the deadline's kill, the child is waited for a moment: a host
 * whose signals interrupt that wait over and over does not wait longer. */
static void interrupted_grace(void)
{
    struct outcome o;
    interrupting = true;
    run((const char *const[]){"/bin/sleep", "30", NULL}, 200, false, 0, &o);
    interrupting = false;
    CHECK(o.res.timed_out && o.rc == -1, "a child that outlives its kill: timed out");
    printf("# waits interrupted after the kill: %d (in %lld ms)\n", interrupted,
           (long long)o.elapsed_ms);
    CHECK(interrupted >= 1 && interrupted <= 4,
          "signals interrupting the wait after the kill: it still ends at one deadline");
}

static void environment(void)
{
    struct outcome o;
    setenv(VMH_SPAWN_MARKER, "0", 1);
    setenv("VMHOSTS_TEST_PASSTHROUGH", "yes", 1);
    run((const char *const[]){"/usr/bin/env", NULL}, 5000, true, NO_LIMIT, &o);
    const char *text = o.out.data ? o.out.data : "";
    const char *marker = strstr(text, "\n" VMH_SPAWN_MARKER "=1\n");
    if (!marker && strncmp(text, VMH_SPAWN_MARKER "=1\n", strlen(VMH_SPAWN_MARKER) + 3) == 0)
        marker = text;
    CHECK(o.rc == 0 && marker, "child sees VMHOSTS_REFRESHING=1");
    CHECK(!strstr(text, VMH_SPAWN_MARKER "=0") && marker &&
              !strstr(marker + strlen(VMH_SPAWN_MARKER) + 2, VMH_SPAWN_MARKER "="),
          "the host's marker is replaced, not duplicated");
    CHECK(strstr(text, "\nVMHOSTS_TEST_PASSTHROUGH=yes\n") != NULL,
          "the host's environment is passed on");
    done(&o);
    unsetenv("VMHOSTS_TEST_PASSTHROUGH");

    unsetenv(VMH_SPAWN_MARKER);
    CHECK(!vmh_spawn_is_nested(), "is_nested: false without the marker");
    setenv(VMH_SPAWN_MARKER, "1", 1);
    CHECK(vmh_spawn_is_nested(), "is_nested: true with the marker");
    unsetenv(VMH_SPAWN_MARKER);
}

static void descriptors(void)
{
    struct outcome o;
    /* Not O_CLOEXEC, and far from 3, which ls uses for the folder it reads. */
    int leaked = open("/dev/null", O_RDONLY);
    int high = leaked >= 0 ? dup2(leaked, 50) : -1;
    run((const char *const[]){"/bin/ls", "/proc/self/fd", NULL}, 5000, true, NO_LIMIT, &o);
    CHECK(high == 50 && o.rc == 0, "ls /proc/self/fd runs");
    CHECK_STR(o.out.data, "0\n1\n2\n3\n", "no descriptor of the host leaks into the child");
    done(&o);
    if (leaked >= 0)
        close(leaked);
    if (high >= 0)
        close(high);

    run((const char *const[]){"/bin/sh", "-c", "readlink /proc/$$/fd/0 /proc/$$/fd/2", NULL},
        5000, true, NO_LIMIT, &o);
    CHECK_STR(o.out.data, "/dev/null\n/dev/null\n", "stdin and stderr are /dev/null");
    done(&o);

    run((const char *const[]){"/bin/sh", "-c", "[ \"$(readlink /proc/$$/fd/1)\" = /dev/null ]",
                              NULL},
        5000, false, 0, &o);
    CHECK(o.rc == 0, "stdout is /dev/null when not captured");

    run((const char *const[]){"/bin/cat", "/proc/self/stat", NULL}, 5000, true, NO_LIMIT, &o);
    int pid = 0, pgrp = 0;
    const char *end = o.out.data ? strrchr(o.out.data, ')') : NULL;
    if (end && o.out.data && sscanf(o.out.data, "%d", &pid) == 1)
        sscanf(end + 1, " %*c %*d %d", &pgrp);
    CHECK(pid > 0 && pgrp == pid && pgrp != getpgrp(),
          "the child leads a process group of its own");
    done(&o);
}

static void output_limits(void)
{
    struct outcome o;
    run((const char *const[]){"/bin/sh", "-c", "head -c 10000000 /dev/zero", NULL}, 20000, true,
        1000, &o);
    CHECK(o.out.length == 1000 && o.out.truncated && o.out.data && o.out.data[1000] == '\0',
          "10 MB with limit 1000: 1000 bytes kept, truncated");
    CHECK(o.rc == 0 && o.res.exited && !o.res.timed_out && o.elapsed_ms < 10000,
          "10 MB with limit 1000: read to the end, exit 0, no hang");
    done(&o);

    run((const char *const[]){"/bin/sh", "-c", "head -c 1000 /dev/zero", NULL}, 5000, true, 1000,
        &o);
    CHECK(o.out.length == 1000 && !o.out.truncated, "exactly the limit: not truncated");
    done(&o);

    run((const char *const[]){"/bin/sh", "-c", "head -c 300000 /dev/urandom | od -An -tx1 -v",
                              NULL},
        20000, true, NO_LIMIT, &o);
    CHECK(o.rc == 0 && o.out.length == 300000 / 16 * 49 && !o.out.truncated &&
              strlen(o.out.data) == o.out.length,
          "a megabyte of output under the limit: every byte kept");
    done(&o);

    run((const char *const[]){"/bin/echo", "x", NULL}, 5000, true, 0, &o);
    CHECK(o.out.length == 0 && o.out.truncated && o.out.data && o.out.data[0] == '\0',
          "limit 0: nothing kept, truncated");
    done(&o);
}

static void sigchld_ignored(void)
{
    struct outcome o;
    signal(SIGCHLD, SIG_IGN);
    run((const char *const[]){"/bin/echo", "hello", NULL}, 5000, true, NO_LIMIT, &o);
    CHECK(o.elapsed_ms < 2000 && !o.res.timed_out && o.res.spawn_errno == 0,
          "SIGCHLD ignored: returns promptly");
    CHECK_STR(o.out.data, "hello\n", "SIGCHLD ignored: output captured");
    done(&o);
    run((const char *const[]){"/bin/sleep", "30", NULL}, 200, false, 0, &o);
    CHECK(o.res.timed_out && o.elapsed_ms < 2000, "SIGCHLD ignored: deadline still kills");
    int zombies, count = children(&zombies);
    CHECK(count == 0 && zombies == 0, "SIGCHLD ignored: no child or zombie left");
    struct sigaction action;
    sigaction(SIGCHLD, NULL, &action);
    CHECK(action.sa_handler == SIG_IGN, "SIGCHLD ignored: disposition unchanged");
    signal(SIGCHLD, SIG_DFL);
}

static volatile sig_atomic_t reaped_count;
static volatile pid_t reaped_pids[16];

static void reap_all(int signo)
{
    (void)signo;
    int saved = errno;
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        if (reaped_count < 16)
            reaped_pids[reaped_count++] = pid;
    errno = saved;
}

static bool was_reaped(pid_t pid)
{
    for (sig_atomic_t i = 0; i < reaped_count; i++)
        if (reaped_pids[i] == pid)
            return true;
    return false;
}

static void sigchld_reaper(void)
{
    struct sigaction action = {.sa_handler = reap_all, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
    sigemptyset(&action.sa_mask);
    sigaction(SIGCHLD, &action, NULL);

    struct outcome o;
    run((const char *const[]){"/bin/sh", "-c", "echo hello; sleep 0.1", NULL}, 5000, true,
        NO_LIMIT, &o);
    CHECK(o.elapsed_ms < 2000 && !o.res.timed_out, "reaping SIGCHLD handler: returns promptly");
    CHECK_STR(o.out.data, "hello\n", "reaping SIGCHLD handler: output captured");
    done(&o);

    /* A child of the host's own, a zombie while spawn runs: spawn must not
     * take it, the handler must get it once SIGCHLD is delivered. */
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t own = fork();
    if (own == 0)
        _exit(7);
    for (int i = 0; i < 200 && process_state(own, NULL, NULL) != 'Z'; i++)
        sleep_ms(5);
    run((const char *const[]){"/bin/echo", "x", NULL}, 5000, true, NO_LIMIT, &o);
    CHECK(o.rc == 0 && process_state(own, NULL, NULL) == 'Z',
          "the host's own zombie child is left to the host");
    done(&o);
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (int i = 0; i < 100 && !was_reaped(own); i++)
        sleep_ms(10);
    CHECK(own > 0 && was_reaped(own), "the host's handler still reaps its own child");
    struct sigaction now;
    sigaction(SIGCHLD, NULL, &now);
    CHECK(now.sa_handler == reap_all, "the host's SIGCHLD handler is unchanged");
    signal(SIGCHLD, SIG_DFL);
}

static void host_signal_state(void)
{
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    signal(SIGPIPE, SIG_IGN);

    struct outcome o;
    run((const char *const[]){"/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL},
        5000, true, NO_LIMIT, &o);
    unsigned long long blocked = ~0ull, ignored = ~0ull;
    if (!o.out.data || sscanf(o.out.data, "SigBlk: %llx SigIgn: %llx", &blocked, &ignored) != 2)
        printf("# unexpected: %s\n", o.out.data ? o.out.data : "(null)");
    CHECK(blocked == 0, "the child inherits no blocked signal");
    /* Signals 1..31 only: glibc's posix_spawn itself leaves its two
     * internal real-time signals (32, 33) ignored, and no API resets them. */
    CHECK((ignored & 0x7fffffffull) == 0, "the child inherits no ignored signal (SIGPIPE)");
    done(&o);

    run((const char *const[]){"/bin/sleep", "30", NULL}, 200, false, 0, &o);
    CHECK(o.res.timed_out && o.elapsed_ms < 2000, "SIGTERM blocked in the host: deadline kills");

    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGTERM), "the host's signal mask is unchanged");
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* In a child process, so that its own exit code carries the results. */
static int in_child(int (*body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(body());
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

/* Without pidfd_open (seccomp answers ENOSYS): the pidfd comes from clone. */
static int without_pidfd(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof code / sizeof code[0], .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) < 0)
        return 128;
    if (syscall(SYS_pidfd_open, getpid(), 0) >= 0 || errno != ENOSYS)
        return 129;
    int failed = 0;
    struct outcome o;
    run((const char *const[]){"/bin/sh", "-c", "echo hello; exit 3", NULL}, 5000, true, NO_LIMIT,
        &o);
    if (!o.res.exited || o.res.exit_status != 3 || !o.out.data || strcmp(o.out.data, "hello\n"))
        failed |= 1;
    done(&o);
    run((const char *const[]){"/bin/sleep", "30", NULL}, 200, false, 0, &o);
    if (!o.res.timed_out || o.elapsed_ms >= 2000)
        failed |= 2;
    run((const char *const[]){"/bin/sleep", "0.05", NULL}, 5000, false, 0, &o);
    if (o.rc != 0 || o.elapsed_ms >= 1000)
        failed |= 4;
    return failed;
}

/* A kernel without CLONE_PIDFD (before 5.2): seccomp answers EINVAL to a
 * clone that asks for one, as such a kernel does.  No child is started,
 * since one could only be waited for and killed by its pid's number. */
static int without_clone_pidfd(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_PIDFD, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof code / sizeof code[0], .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) < 0)
        return 128;
    struct outcome o;
    int zombies;
    run((const char *const[]){"/bin/echo", "hello", NULL}, 5000, true, NO_LIMIT, &o);
    int failed = o.rc != -1 || o.res.spawn_errno != ENOSYS || children(&zombies) != 0;
    done(&o);
    return failed;
}

static int capture_hello(void)
{
    struct outcome o;
    run((const char *const[]){"/bin/echo", "hello", NULL}, 5000, true, NO_LIMIT, &o);
    int failed = o.rc != 0 || !o.out.data || strcmp(o.out.data, "hello\n") != 0;
    done(&o);
    return failed;
}

/* A host with 1 and 2 closed, then 0 too: the pipe takes those numbers, and
 * must reach the child's stdout before /dev/null takes them over. */
static int with_std_closed(void)
{
    close(1);
    close(2);
    int failed = capture_hello();
    close(0);
    return failed | capture_hello() << 1;
}

static int open_descriptors(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int count = 0;
    while (dir && readdir(dir))
        count++;
    if (dir)
        closedir(dir);
    return count;
}

int main(void)
{
    int descriptors_before = open_descriptors();
    basics();
    timeouts();
    interrupted_grace();
    environment();
    descriptors();
    output_limits();
    sigchld_ignored();
    sigchld_reaper();
    host_signal_state();

    int failed = in_child(without_pidfd);
    if (failed >= 128)
        printf("# seccomp filter not installed (%d)\n", failed);
    CHECK(failed < 128 && !(failed & 1), "without pidfd_open: output and exit status");
    CHECK(failed < 128 && !(failed & 2), "without pidfd_open: deadline kills promptly");
    CHECK(failed < 128 && !(failed & 4), "without pidfd_open: a short child returns promptly");
    failed = in_child(without_clone_pidfd);
    if (failed >= 128)
        printf("# seccomp filter not installed (%d)\n", failed);
    CHECK(failed == 0, "a kernel without CLONE_PIDFD: ENOSYS, and no child started");
    CHECK_INT(in_child(with_std_closed), 0, "host with 1, 2 and then 0 closed: output captured");
    CHECK_INT(open_descriptors(), descriptors_before, "no descriptor left open in the host");
    return check_done();
}
