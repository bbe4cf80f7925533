/* Running a program from inside someone else's process.  The host owns its
 * signal dispositions, its other children and its descriptors: this file
 * touches none of them.  The child is watched through a pidfd (or, on
 * kernels without one, waitid(WNOHANG | WNOWAIT) on its pid alone) and
 * reaped by pid, so a host's own SIGCHLD handling keeps working. */
#include "subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define READ_CHUNK 4096
#define FIRST_CAPACITY 4096
#define POLL_FIRST_MS 1
#define POLL_MAX_MS 20

/* One run: what the wait loop needs. */
struct run {
    pid_t pid;
    int pidfd;          /* -1 without one: waitid polling */
    int pipe_read;      /* -1 when not captured or at EOF */
    bool gone;          /* reaped by someone else before we looked */
    int64_t deadline;   /* CLOCK_MONOTONIC, ms */
    struct vmh_spawn_output *output;
    size_t capacity;
};

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int remaining_ms(const struct run *run)
{
    int64_t left = run->deadline - now_ms();
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

/* A group of its own (so the deadline kill reaches its children too), and
 * none of the host's blocked or ignored signals: a host that ignores
 * SIGPIPE or blocks SIGTERM must not hand that to the refresher.  Inside a
 * refresher the module started, the child stays in the refresher's group:
 * the module's deadline kill must reach it even when it comes before the
 * refresher's own. */
static int set_attributes(posix_spawnattr_t *attr)
{
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (!vmh_spawn_is_nested())
        flags |= POSIX_SPAWN_SETPGROUP;
    int error = posix_spawnattr_setflags(attr, flags);
    if (!error && !vmh_spawn_is_nested())
        error = posix_spawnattr_setpgroup(attr, 0);
    if (!error)
        error = posix_spawnattr_setsigmask(attr, &empty);
    if (!error)
        error = posix_spawnattr_setsigdefault(attr, &all);
    return error;
}

/* stdout first: if the host has closed 0, 1 or 2, the pipe may have one of
 * those numbers, and it must be duplicated before /dev/null lands on it. */
static int set_file_actions(posix_spawn_file_actions_t *actions, int pipe_write)
{
    int error = pipe_write >= 0
                    ? posix_spawn_file_actions_adddup2(actions, pipe_write, STDOUT_FILENO)
                    : posix_spawn_file_actions_addopen(actions, STDOUT_FILENO, "/dev/null",
                                                       O_WRONLY, 0);
    if (!error)
        error = posix_spawn_file_actions_addopen(actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (!error)
        error = posix_spawn_file_actions_addopen(actions, STDERR_FILENO, "/dev/null", O_WRONLY,
                                                 0);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
    /* The host's descriptors that are not O_CLOEXEC would leak otherwise. */
    if (!error)
        error = posix_spawn_file_actions_addclosefrom_np(actions, STDERR_FILENO + 1);
#endif
    return error;
}

/* posix_spawn with everything above; returns 0 or an errno. */
static int start_child(const char *const argv[], int pipe_write, pid_t *pid)
{
    char **envp = child_environment();
    if (!envp)
        return ENOMEM;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int error = posix_spawnattr_init(&attr);
    if (error) {
        free(envp);
        return error;
    }
    error = posix_spawn_file_actions_init(&actions);
    if (!error) {
        error = set_attributes(&attr);
        if (!error)
            error = set_file_actions(&actions, pipe_write);
        if (!error)
            error = posix_spawn(pid, argv[0], &actions, &attr, (char *const *)argv, envp);
        posix_spawn_file_actions_destroy(&actions);
    }
    posix_spawnattr_destroy(&attr);
    free(envp);
    return error;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/* Keeps what fits under the limit and drops the rest. */
static void keep_output(struct run *run, const char *chunk, size_t size)
{
    struct vmh_spawn_output *output = run->output;
    size_t room = output->limit - output->length;
    if (size > room) {
        output->truncated = true;
        size = room;
    }
    if (size == 0)
        return;
    if (output->length + size + 1 > run->capacity) {
        size_t most = output->limit < SIZE_MAX ? output->limit + 1 : SIZE_MAX;
        size_t wanted = run->capacity ? run->capacity * 2 : FIRST_CAPACITY;
        if (wanted < output->length + size + 1)
            wanted = output->length + size + 1;
        if (wanted > most)
            wanted = most;
        char *bigger = realloc(output->data, wanted);
        if (!bigger) {
            output->truncated = true;
            return;
        }
        output->data = bigger;
        run->capacity = wanted;
    }
    memcpy(output->data + output->length, chunk, size);
    output->length += size;
    output->data[output->length] = '\0';
}

/* Reads what is there.  Returns false when nothing is there right now
 * (EAGAIN); at EOF or on an error the pipe is closed. */
static bool read_output(struct run *run)
{
    char chunk[READ_CHUNK];
    ssize_t got;
    do
        got = read(run->pipe_read, chunk, sizeof chunk);
    while (got < 0 && errno == EINTR);
    if (got > 0) {
        keep_output(run, chunk, (size_t)got);
        return true;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    close(run->pipe_read);
    run->pipe_read = -1;
    return true;
}

/* Without a pidfd: whether the child has exited (or is gone), not reaping. */
static bool exited_no_pidfd(const struct run *run)
{
    siginfo_t info;
    int rc;
    do {
        memset(&info, 0, sizeof info);
        rc = waitid(P_PID, (id_t)run->pid, &info, WEXITED | WNOHANG | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return errno == ECHILD;
    return info.si_pid == run->pid;
}

/* Reads stdout until the child exits (true) or the deadline passes (false). */
static bool wait_for_exit(struct run *run)
{
    int backoff = POLL_FIRST_MS;
    while (!run->gone) {
        int timeout = remaining_ms(run);
        if (timeout == 0)
            return false;
        struct pollfd fds[2];
        nfds_t count = 0;
        if (run->pidfd >= 0)
            fds[count++] = (struct pollfd){.fd = run->pidfd, .events = POLLIN};
        if (run->pipe_read >= 0)
            fds[count++] = (struct pollfd){.fd = run->pipe_read, .events = POLLIN};
        if (run->pidfd < 0 && timeout > backoff)
            timeout = backoff;
        int ready = poll(fds, count, timeout);
        if (ready < 0 && errno != EINTR)
            return false;
        for (nfds_t i = 0; ready > 0 && i < count; i++) {
            if (fds[i].revents == 0)
                continue;
            if (fds[i].fd == run->pidfd)
                return true;
            read_output(run);
        }
        if (run->pidfd < 0) {
            if (exited_no_pidfd(run))
                return true;
            backoff = backoff * 2 < POLL_MAX_MS ? backoff * 2 : POLL_MAX_MS;
        }
    }
    return true;
}

/* At the deadline, the child has not exited.  It may not lead a group
 * (see set_attributes): then the group kill finds nothing, since no group
 * can carry the id of a process that is alive or not yet reaped, and the
 * direct kill does the work, through the pidfd where there is one, so that
 * a host that reaped the child meanwhile cannot make us kill a stranger. */
static void kill_at_deadline(const struct run *run)
{
    kill(-run->pid, SIGKILL);
#ifdef SYS_pidfd_send_signal
    if (run->pidfd >= 0) {
        syscall(SYS_pidfd_send_signal, run->pidfd, SIGKILL, NULL, 0);
        return;
    }
#endif
    kill(run->pid, SIGKILL);
}

/* Kills what the child left in its group and reaps the child itself. */
static void reap(const struct run *run, struct vmh_spawn_result *result)
{
    siginfo_t info;
    int rc;
    /* Not reaped yet: while the child is a zombie its pid, and so its group
     * id, cannot be handed to another process, and the group kill below
     * reaches only what it left behind. */
    do {
        memset(&info, 0, sizeof info);
        rc = waitid(P_PID, (id_t)run->pid, &info, WEXITED | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    bool reaped_elsewhere = rc < 0 && errno == ECHILD;
    /* Even when the host reaped it: any member still alive keeps the
     * group id reserved. */
    kill(-run->pid, SIGKILL);
    if (reaped_elsewhere)
        return;
    int status;
    do
        rc = waitpid(run->pid, &status, 0);
    while (rc < 0 && errno == EINTR);
    if (rc != run->pid)
        return;
    if (WIFEXITED(status)) {
        result->exited = true;
        result->exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result->signal = WTERMSIG(status);
    }
}

/* After the exit: what is still in the pipe, until EOF, waiting no later
 * than the deadline for a writer the group kill did not reach. */
static void drain_output(struct run *run)
{
    while (run->pipe_read >= 0) {
        if (read_output(run))
            continue;
        int timeout = remaining_ms(run);
        if (timeout == 0)
            break;
        struct pollfd fd = {.fd = run->pipe_read, .events = POLLIN};
        if (poll(&fd, 1, timeout) < 0 && errno != EINTR)
            break;
    }
}

static void watch_child(struct run *run, struct vmh_spawn_result *result)
{
    run->pidfd = open_pidfd(run->pid);
    if (run->pidfd < 0 && errno == ESRCH)
        run->gone = true;
    if (!wait_for_exit(run)) {
        kill_at_deadline(run);
        result->timed_out = true;
    }
    reap(run, result);
    if (run->pidfd >= 0)
        close(run->pidfd);
    if (run->pipe_read >= 0) {
        drain_output(run);
        if (run->pipe_read >= 0)
            close(run->pipe_read);
    }
}

static int open_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return errno;
    /* Only our end: the child's stdout stays blocking. */
    int flags = fcntl(fds[0], F_GETFL);
    if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) < 0) {
        int error = errno;
        close(fds[0]);
        close(fds[1]);
        return error;
    }
    return 0;
}

int vmh_spawn_run(const char *const argv[], long timeout_ms, struct vmh_spawn_output *output,
                  struct vmh_spawn_result *result)
{
    memset(result, 0, sizeof *result);
    if (output) {
        output->data = NULL;
        output->length = 0;
        output->truncated = false;
    }
    if (!argv || !argv[0] || argv[0][0] != '/') {
        result->spawn_errno = EINVAL;
        return -1;
    }
    struct run run = {.pid = -1, .pidfd = -1, .pipe_read = -1, .output = output};
    int64_t start = now_ms();
    int64_t timeout = timeout_ms > 0 ? (int64_t)timeout_ms : 0;
    run.deadline = timeout < INT64_MAX - start ? start + timeout : INT64_MAX;
    int pipe_fds[2] = {-1, -1};
    if (output && (result->spawn_errno = open_pipe(pipe_fds)) != 0)
        return -1;
    run.pipe_read = pipe_fds[0];
    result->spawn_errno = start_child(argv, pipe_fds[1], &run.pid);
    if (pipe_fds[1] >= 0)
        close(pipe_fds[1]);
    if (result->spawn_errno == 0)
        watch_child(&run, result);
    else if (run.pipe_read >= 0)
        close(run.pipe_read);
    if (output && !output->data)
        output->data = calloc(1, 1);
    return result->spawn_errno == 0 && !result->timed_out && result->exited &&
                   result->exit_status == 0
               ? 0
               : -1;
}

bool vmh_spawn_is_nested(void)
{
    return getenv(VMH_SPAWN_MARKER) != NULL;
}
