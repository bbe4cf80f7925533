/* A host that forks while one of its threads is inside a refresh, for
 * tests/e2e-locks.sh:
 *
 *     host_fork_refresh NAME STARTED_FILE HOLD_SECONDS
 *
 * A thread resolves NAME (a miss, so the module runs its refresher); once
 * STARTED_FILE exists (the stand-in multipass writes it when it starts) the
 * main thread forks a worker that does not exec and lives HOLD_SECONDS,
 * holding every descriptor it inherited.  The host prints what NAME
 * resolved to and exits without waiting for the worker. */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char answer[64] = "nothing";

static void *resolve(void *name)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *result;
    if (getaddrinfo(name, NULL, &hints, &result) == 0) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)result->ai_addr)->sin_addr, answer,
                  sizeof answer);
        freeaddrinfo(result);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: host_fork_refresh NAME STARTED_FILE HOLD_SECONDS\n");
        return 2;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, resolve, argv[1]) != 0)
        return 1;
    struct timespec pause = {.tv_nsec = 5 * 1000000L};
    for (int i = 0; i < 2000 && access(argv[2], F_OK) != 0; i++)
        nanosleep(&pause, NULL);
    fflush(stdout);
    pid_t worker = fork();
    if (worker == 0) {
        sleep((unsigned)atoi(argv[3]));
        _exit(0);
    }
    pthread_join(thread, NULL);
    printf("%s\nworker %d\n", answer, (int)worker);
    return 0;
}
