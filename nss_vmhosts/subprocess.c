/* Running a program from inside someone else's process.  The host owns its
 * signal dispositions, its other children and its descriptors: this file
 * touches none of them.  The child is held through a pidfd from the moment
 * it exists (clone with CLONE_PIDFD) and is waited for, reaped and killed
 * through it, never by its pid's number: a host that reaps every child
 * itself, and hands the pid to its next child, loses nothing to us. */
#include "subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

extern char **environ;

/* How long a killed child may take to die before we stop waiting for it. */
#define REAP_GRACE_MS 1000

/* One run: what the wait loop needs. */
struct run {
    pid_t pid;          /* only for the group kill, while not_reaped() */
    int pidfd;
    bool leads_group;
    int64_t deadline;   /* CLOCK_MONOTONIC, ms */
};

static int remaining_ms(const struct run *run)
{
    int64_t left = run->deadline - vmh_monotonic_ms();
    return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

/* environ without any marker, then the marker: the child's environment.
 * The strings stay environ's; only the array is ours. */
static char **child_environment(void)
{
    size_t count = 0;
    while (environ && environ[count])
        count++;
    char **envp = malloc((count + 2) * sizeof *envp);
    if (!envp)
        return NULL;
    size_t marker_length = strlen(VMH_SPAWN_MARKER), used = 0;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(environ[i], VMH_SPAWN_MARKER, marker_length) == 0 &&
            environ[i][marker_length] == '=')
            continue;
        envp[used++] = environ[i];
    }
    envp[used++] = VMH_SPAWN_MARKER "=1";
    envp[used] = NULL;
    return envp;
}

/* What the child needs, prepared by the parent: with CLONE_VM the child
 * runs in our memory on a stack of its own, so it may touch nothing but
 * this and make nothing but system calls until it execs. */
struct child_setup {
    const char *const *argv;
    char **envp;
    int stdout_fd;         /* -1: stdout on /dev/null */
    bool new_group;
    volatile int exec_errno; /* written by the child when exec fails */
};

/* Puts /dev/null, opened with `flags`, on `target`. */
static int null_onto(int target, int flags)
{
    int fd = open("/dev/null", flags);
    if (fd < 0)
        return -1;
    if (fd != target) {
        if (dup2(fd, target) < 0)
            return -1;
        close(fd);
    }
    return 0;
}

/* stdout first: if the host has closed 0, 1 or 2, the caller's pipe may
 * have one of those numbers, and it must be duplicated before /dev/null
 * lands on it.  dup2 onto itself would keep O_CLOEXEC, hence the fcntl. */
static int child_descriptors(const struct child_setup *setup)
{
    int out = setup->stdout_fd;
    if (out == STDOUT_FILENO ? fcntl(out, F_SETFD, 0) < 0
        : out >= 0           ? dup2(out, STDOUT_FILENO) < 0
                             : null_onto(STDOUT_FILENO, O_WRONLY) < 0)
        return -1;
    if (null_onto(STDIN_FILENO, O_RDONLY) < 0 || null_onto(STDERR_FILENO, O_WRONLY) < 0)
        return -1;
    /* The host's descriptors that are not O_CLOEXEC would leak otherwise. */
    if (close_range(STDERR_FILENO + 1, ~0u, 0) < 0)
        for (int fd = STDERR_FILENO + 1; fd < 1024; fd++)
            close(fd);
    return 0;
}

/* None of the host's handled or ignored signals: a host that ignores
 * SIGPIPE must not hand that to the refresher.  Handlers go first, while
 * every signal is still blocked: a handler of the host's must never run on
 * this stack. */
static void child_signals(void)
{
    struct sigaction fallback = {.sa_handler = SIG_DFL};
    sigemptyset(&fallback.sa_mask);
    for (int signo = 1; signo < NSIG; signo++)
        sigaction(signo, &fallback, NULL);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
}

static int child_main(void *arg)
{
    struct child_setup *setup = arg;
    /* A group of its own, so that the deadline kill reaches its children
     * too.  Inside a refresher the module started, the child stays in the
     * refresher's group: the module's deadline kill must reach it even
     * when it comes before the refresher's own. */
    if ((setup->new_group && setpgid(0, 0) < 0) || child_descriptors(setup) < 0) {
        setup->exec_errno = errno ? errno : EIO;
        _exit(127);
    }
    child_signals();
    execve(setup->argv[0], (char *const *)setup->argv, setup->envp);
    setup->exec_errno = errno ? errno : ENOEXEC;
    _exit(127);
}

/* Starts the child with clone(CLONE_PIDFD), so that the pidfd exists from
 * the first moment: a host that reaps every child (waitpid(-1) in its
 * SIGCHLD handler) cannot make us wait for, or kill, whoever gets the pid
 * next.  CLONE_VM | CLONE_VFORK, as posix_spawn does: no copy of the host's
 * memory, and we go on only once the child has exec'd or failed.  Every
 * signal stays blocked across the clone.  Returns 0 or an errno. */
static int start_child(struct child_setup *setup, struct run *run)
{
    enum { STACK_SIZE = 64 * 1024 };
    void *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return errno;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    setup->exec_errno = 0;
    int pidfd = -1;
    pid_t pid = clone(child_main, (char *)stack + STACK_SIZE,
                      CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, setup, &pidfd);
    int error = pid < 0 ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stack, STACK_SIZE);
    if (error)
        return error == EINVAL ? ENOSYS : error; /* EINVAL: a kernel without CLONE_PIDFD */
    run->pid = pid;
    run->pidfd = pidfd;
    run->leads_group = setup->new_group;
    return 0;
}

/* Waits until the child exits (true) or the deadline passes (false); the
 * hook's descriptor meanwhile goes to the hook, so that a child writing
 * more than a pipe holds is read, not stalled until the deadline. */
static bool wait_for_exit(const struct run *run, const struct vmh_spawn_hook *hook)
{
    int watched = hook ? hook->watch_fd : -1;
    for (;;) {
        int timeout = remaining_ms(run);
        if (timeout == 0)
            return false;
        struct pollfd fds[2] = {{.fd = run->pidfd, .events = POLLIN},
                                {.fd = watched, .events = POLLIN}};
        int ready = poll(fds, watched >= 0 ? 2 : 1, timeout);
        if (ready < 0 && errno != EINTR)
            return false;
        if (ready > 0 && fds[0].revents)
            return true;
        if (ready > 0 && fds[1].revents && !hook->ready(hook->context))
            watched = -1;
    }
}

/* Whether the child is still ours to reap: alive, or a zombie no one has
 * reaped.  While it is, its pid, and so its group id, cannot be given to
 * another process, and a kill of its group reaches only what it started. */
static bool not_reaped(const struct run *run)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid((idtype_t)P_PIDFD, (id_t)run->pidfd, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* The group kill, only while the group id is surely still the child's. */
static void kill_group(const struct run *run)
{
    if (run->leads_group && not_reaped(run))
        kill(-run->pid, SIGKILL);
}

static void kill_at_deadline(const struct run *run)
{
    kill_group(run);
    syscall(SYS_pidfd_send_signal, run->pidfd, SIGKILL, NULL, 0);
    /* Dying takes a moment; a child stuck in the kernel is not waited for,
     * and a host's signals, each ending a poll early, do not make the wait
     * longer: it ends at one deadline. */
    struct run grace = {.pidfd = run->pidfd, .deadline = vmh_monotonic_ms() + REAP_GRACE_MS};
    struct pollfd fd = {.fd = run->pidfd, .events = POLLIN};
    int left;
    while ((left = remaining_ms(&grace)) > 0 && poll(&fd, 1, left) < 0 && errno == EINTR)
        ;
}

/* Kills what the child left in its group and reaps the child itself,
 * through the pidfd: a child the host has reaped already is not waited
 * for, and the host's other children are never touched. */
static void reap(const struct run *run, struct vmh_spawn_result *result)
{
    siginfo_t info;
    kill_group(run);
    memset(&info, 0, sizeof info);
    if (waitid((idtype_t)P_PIDFD, (id_t)run->pidfd, &info, WEXITED | WNOHANG) != 0 ||
        info.si_pid == 0)
        return;
    if (info.si_code == CLD_EXITED) {
        result->exited = true;
        result->exit_status = info.si_status;
    } else {
        result->signal = info.si_status;
    }
}

static void watch_child(const struct run *run, const struct vmh_spawn_hook *hook,
                        struct vmh_spawn_result *result)
{
    if (!wait_for_exit(run, hook)) {
        kill_at_deadline(run);
        result->timed_out = true;
    }
    reap(run, result);
    close(run->pidfd);
}

int vmh_spawn_run(const char *const argv[], long timeout_ms, const struct vmh_spawn_hook *hook,
                  struct vmh_spawn_result *result)
{
    memset(result, 0, sizeof *result);
    if (!argv || !argv[0] || argv[0][0] != '/') {
        result->spawn_errno = EINVAL;
        return -1;
    }
    struct run run = {.pid = -1, .pidfd = -1};
    int64_t start = vmh_monotonic_ms();
    int64_t timeout = timeout_ms > 0 ? (int64_t)timeout_ms : 0;
    run.deadline = timeout < INT64_MAX - start ? start + timeout : INT64_MAX;
    struct child_setup setup = {.argv = argv, .envp = child_environment(),
                                .stdout_fd = hook ? hook->child_stdout : -1,
                                .new_group = !vmh_spawn_is_nested()};
    result->spawn_errno = setup.envp ? start_child(&setup, &run) : ENOMEM;
    free(setup.envp);
    if (result->spawn_errno == 0 && setup.exec_errno != 0) {
        /* The child could not exec: reap it and report exec's error. */
        result->spawn_errno = setup.exec_errno;
        run.deadline = INT64_MAX;
        struct vmh_spawn_result ignored = {0};
        watch_child(&run, hook, &ignored);
    } else if (result->spawn_errno == 0) {
        watch_child(&run, hook, result);
    }
    return result->spawn_errno == 0 && !result->timed_out && result->exited &&
                   result->exit_status == 0
               ? 0
               : -1;
}

bool vmh_spawn_is_nested(void)
{
    return getenv(VMH_SPAWN_MARKER) != NULL;
}
