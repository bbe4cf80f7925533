/* A host process hostile to child processes, for the end-to-end tests:
 *
 *     host_sigchld ignore NAME   SIGCHLD set to SIG_IGN (children are never zombies)
 *     host_sigchld reap NAME     a handler that reaps every child (waitpid(-1))
 *
 * It starts a child of its own, resolves NAME with getaddrinfo (which makes
 * the module run its refresher), and prints the addresses found.  With
 * `reap`, it then checks that its handler saw its own child exit with status
 * 7: the module must neither take that child's status nor lose its own. */
#include <netdb.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OWN_CHILD_STATUS 7

static volatile sig_atomic_t own_child_pid;
static volatile sig_atomic_t own_child_seen_status = -1;
static volatile sig_atomic_t reaped_count;

static void reap_everything(int signal_number)
{
    (void)signal_number;
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        reaped_count++;
        if (pid == own_child_pid && WIFEXITED(status))
            own_child_seen_status = WEXITSTATUS(status);
    }
}

static int install(const char *mode)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    if (strcmp(mode, "ignore") == 0)
        action.sa_handler = SIG_IGN;
    else if (strcmp(mode, "reap") == 0) {
        action.sa_handler = reap_everything;
        action.sa_flags = SA_RESTART;
    } else
        return -1;
    return sigaction(SIGCHLD, &action, NULL);
}

/* A child that exits while the lookup is in flight. */
static void start_own_child(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
        nanosleep(&pause, NULL);
        _exit(OWN_CHILD_STATUS);
    }
    own_child_pid = pid;
}

static int print_addresses(const char *name)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *result;
    int error = getaddrinfo(name, NULL, &hints, &result);
    if (error != 0) {
        printf("getaddrinfo: %s\n", gai_strerror(error));
        return -1;
    }
    for (struct addrinfo *entry = result; entry; entry = entry->ai_next) {
        char text[INET6_ADDRSTRLEN];
        const void *address = entry->ai_family == AF_INET
                                  ? (const void *)&((struct sockaddr_in *)entry->ai_addr)->sin_addr
                                  : (const void *)&((struct sockaddr_in6 *)entry->ai_addr)->sin6_addr;
        printf("%s\n", inet_ntop(entry->ai_family, address, text, sizeof text));
    }
    freeaddrinfo(result);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || install(argv[1]) != 0) {
        fprintf(stderr, "usage: host_sigchld ignore|reap NAME\n");
        return 2;
    }
    start_own_child();
    int status = print_addresses(argv[2]) == 0 ? 0 : 1;
    if (strcmp(argv[1], "reap") == 0) {
        /* The child may outlive a fast lookup: give the handler its signal. */
        for (int waited = 0; own_child_seen_status < 0 && waited < 3000; waited += 10)
            usleep(10 * 1000);
        printf("own child: %d\n", (int)own_child_seen_status);
    }
    return status;
}
