/* A host with two threads that miss at once, for tests/e2e-locks.sh:
 *
 *     host_two_misses NAME OTHER_NAME STARTED_FILE LOCK_FILE
 *
 * A thread resolves NAME (a miss, so the module runs its refresher and
 * holds LOCK_FILE's record lock); once STARTED_FILE exists (the stand-in
 * multipass writes it when it starts) a second thread resolves
 * OTHER_NAME, also a miss, which waits for the first one's refresh.  A
 * moment later a forked child asks whether LOCK_FILE is still locked:
 * it must be, while the refresh runs.  Prints "lock held" or "lock
 * free", then what NAME resolved to. */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host_lock_state.h"

struct lookup {
    const char *name;
    char answer[64];
};

static void *resolve(void *arg)
{
    struct lookup *lookup = arg;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *result;
    snprintf(lookup->answer, sizeof lookup->answer, "nothing");
    if (getaddrinfo(lookup->name, NULL, &hints, &result) == 0) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)result->ai_addr)->sin_addr, lookup->answer,
                  sizeof lookup->answer);
        freeaddrinfo(result);
    }
    return NULL;
}

static void pause_ms(long ms)
{
    struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
    nanosleep(&pause, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: host_two_misses NAME OTHER_NAME STARTED_FILE LOCK_FILE\n");
        return 2;
    }
    struct lookup first = {.name = argv[1]}, second = {.name = argv[2]};
    pthread_t threads[2];
    if (pthread_create(&threads[0], NULL, resolve, &first) != 0)
        return 1;
    for (int i = 0; i < 2000 && access(argv[3], F_OK) != 0; i++)
        pause_ms(5);
    if (pthread_create(&threads[1], NULL, resolve, &second) != 0)
        return 1;
    pause_ms(300);
    printf("%s\n", host_lock_state(argv[4]));
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
    printf("%s\n", first.answer);
    return 0;
}
