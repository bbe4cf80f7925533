/* A host that cancels a thread while its lookup waits for the refresher,
 * for tests/e2e-locks.sh:
 *
 *     host_cancel NAME OTHER_NAME STARTED_FILE LOCK_FILE
 *
 * A thread resolves NAME (a miss: the module runs its refresher); once
 * STARTED_FILE exists (the stand-in multipass writes it when it starts)
 * the main thread cancels it and joins it.  It then asks, from a forked
 * child, whether LOCK_FILE is still locked, removes STARTED_FILE and
 * resolves OTHER_NAME, another miss, whose refresher must start again.
 * Prints "lock held" or "lock free", then "refreshed again" or "no
 * refresh". */
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host_lock_state.h"

static void *resolve(void *name)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *result;
    if (getaddrinfo(name, NULL, &hints, &result) == 0)
        freeaddrinfo(result);
    pthread_testcancel();
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: host_cancel NAME OTHER_NAME STARTED_FILE LOCK_FILE\n");
        return 2;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, resolve, argv[1]) != 0)
        return 1;
    struct timespec pause = {.tv_nsec = 5 * 1000000L};
    for (int i = 0; i < 2000 && access(argv[3], F_OK) != 0; i++)
        nanosleep(&pause, NULL);
    pthread_cancel(thread);
    pthread_join(thread, NULL);
    printf("%s\n", host_lock_state(argv[4]));
    unlink(argv[3]);
    resolve(argv[2]);
    printf("%s\n", access(argv[3], F_OK) == 0 ? "refreshed again" : "no refresh");
    return 0;
}
