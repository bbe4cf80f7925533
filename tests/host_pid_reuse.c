/* A host that reaps every child itself and hands a reaped child's pid to a
 * child of its own at once, for tests/e2e-locks.sh.  Run it as pid 1 of a
 * new pid namespace (unshare -p -f --mount-proc), where it can choose the
 * next pid through /proc/sys/kernel/ns_last_pid:
 *
 *     host_pid_reuse NAME ROUNDS REUSES
 *
 * Up to ROUNDS rounds, until REUSES of them saw the pid reused.  Each round
 * resolves NAME (a miss: the module runs its refresher).  A
 * reaper thread reaps every child with waitpid(-1); when it reaps one that
 * is not its own (the refresher), it forks a child of its own that gets
 * the same pid and exits with status 42 two seconds later.  The module
 * must neither wait for that child, nor take its status, nor kill it.
 * Prints "rounds R reused U slowest_ms S stolen T killed K". */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OWN_STATUS 42

static atomic_int own_pid, own_status = -1, reused, in_round;

/* Every child the host made itself, so that one reaped late is not taken
 * for a refresher. */
#define OWN_MAX 1024
static atomic_int owns[OWN_MAX], own_count;

static void remember_own(pid_t pid)
{
    int slot = atomic_fetch_add(&own_count, 1);
    if (slot < OWN_MAX)
        atomic_store(&owns[slot], pid);
}

static bool is_own(pid_t pid)
{
    int count = atomic_load(&own_count);
    for (int i = 0; i < count && i < OWN_MAX; i++)
        if (atomic_load(&owns[i]) == pid)
            return true;
    return false;
}

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The next pid of this namespace will be `pid`. */
static void next_pid_is(pid_t pid)
{
    int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
    char text[24];
    int length = snprintf(text, sizeof text, "%d", (int)pid - 1);
    if (fd >= 0) {
        (void)!write(fd, text, (size_t)length);
        close(fd);
    }
}

static void *reaper(void *unused)
{
    (void)unused;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            struct timespec pause = {.tv_nsec = 1000000L};
            nanosleep(&pause, NULL);
            continue;
        }
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (is_own(pid)) {
            if (pid == atomic_load(&own_pid))
                atomic_store(&own_status, code);
            continue;
        }
        /* One own child a round, and none once the round is over. */
        if (atomic_load(&own_pid) || !atomic_load(&in_round))
            continue;
        next_pid_is(pid);
        pid_t own = fork();
        if (own == 0) {
            usleep(2000000);
            _exit(OWN_STATUS);
        }
        remember_own(own);
        atomic_store(&own_pid, own);
        atomic_fetch_add(&reused, own == pid);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: host_pid_reuse NAME ROUNDS REUSES\n");
        return 2;
    }
    int rounds = atoi(argv[2]), wanted = atoi(argv[3]), stolen = 0, killed = 0, round;
    int64_t slowest = 0;
    pthread_t thread;
    if (pthread_create(&thread, NULL, reaper, NULL) != 0)
        return 1;
    for (round = 0; round < rounds && atomic_load(&reused) < wanted; round++) {
        atomic_store(&own_pid, 0);
        atomic_store(&own_status, -1);
        atomic_store(&in_round, 1);
        struct addrinfo *result = NULL;
        int64_t start = now_ms();
        if (getaddrinfo(argv[1], NULL, NULL, &result) == 0)
            freeaddrinfo(result);
        int64_t took = now_ms() - start;
        atomic_store(&in_round, 0);
        slowest = took > slowest ? took : slowest;
        /* The own child, if one was made, ends within two seconds. */
        for (int i = 0; i < 300 && atomic_load(&own_pid) && atomic_load(&own_status) < 0; i++)
            usleep(10000);
        int status = atomic_load(&own_status);
        if (atomic_load(&own_pid) && status < 0)
            stolen++;
        else if (atomic_load(&own_pid) && status != OWN_STATUS)
            killed++;
    }
    printf("rounds %d reused %d slowest_ms %lld stolen %d killed %d\n", round,
           atomic_load(&reused), (long long)slowest, stolen, killed);
    return 0;
}
