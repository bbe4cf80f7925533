/* Docker's event streams as the watcher follows them (watch_streams.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docker.h"
#include "docker_events.h"
#include "rootless.h"
#include "watch_sockets.h"
#include "watch_streams.h"

struct vmh_watch_streams {
    const struct vmh_config *config;
    long timeout_ms;
    struct vmh_events *events;          /* one stream per socket in `sockets` */
    char sockets[VMH_LIST_MAX + 256];
    struct vmh_watch_sockets *rootless; /* inotify on the rootless sockets' folders */
};

/* The sockets whose events the watcher follows: every socket this user's
 * refresh asks, a user's own rootless engines' too (docker.h). */
static void event_sockets(const struct vmh_config *config, char *out, size_t size)
{
    if (vmh_docker_event_sockets(config->source[VMH_BACKEND_DOCKER], out, size) != 0)
        snprintf(out, size, "%s", config->source[VMH_BACKEND_DOCKER]);
}

/* Where this user's rootless engines would make their sockets (none for
 * root): watched, so that one started later is followed at once.  Even
 * before the runtime folder exists (a watcher started before the user's
 * first login): its parent is then watched for it (watch_sockets.c), and
 * whose the folder is, is checked when a socket there is used. */
static struct vmh_watch_sockets *watch_rootless(void)
{
    char paths[VMH_ROOTLESS_SOCKET_COUNT][128];
    const char *listed[VMH_ROOTLESS_SOCKET_COUNT];
    size_t count = 0;
    for (unsigned i = 0; i < VMH_ROOTLESS_SOCKET_COUNT; i++)
        if (vmh_rootless_socket_path(geteuid(), i, paths[count], sizeof paths[count])) {
            listed[count] = paths[count];
            count++;
        }
    return vmh_watch_sockets_open(listed, count);
}

struct vmh_watch_streams *vmh_watch_streams_open(const struct vmh_config *config,
                                                 long timeout_ms)
{
    struct vmh_watch_streams *streams = calloc(1, sizeof *streams);
    if (!streams)
        return NULL;
    streams->config = config;
    streams->timeout_ms = timeout_ms;
    streams->rootless = watch_rootless();
    event_sockets(config, streams->sockets, sizeof streams->sockets);
    streams->events = vmh_events_open(streams->sockets, timeout_ms);
    if (!streams->events) {
        vmh_watch_streams_close(streams);
        return NULL;
    }
    return streams;
}

void vmh_watch_streams_close(struct vmh_watch_streams *streams)
{
    if (!streams)
        return;
    vmh_events_close(streams->events);
    vmh_watch_sockets_close(streams->rootless);
    free(streams);
}

int vmh_watch_streams_fd(const struct vmh_watch_streams *streams)
{
    return streams ? vmh_watch_sockets_fd(streams->rootless) : -1;
}

void vmh_watch_streams_follow(struct vmh_watch_streams *streams)
{
    char sockets[sizeof streams->sockets];
    if (!vmh_watch_sockets_changed(streams->rootless))
        return;
    event_sockets(streams->config, sockets, sizeof sockets);
    if (strcmp(sockets, streams->sockets) == 0)
        return;
    struct vmh_events *events = vmh_events_open(sockets, streams->timeout_ms);
    if (!events) {
        fprintf(stderr, "vmhosts watch: out of memory; following the sockets as they were\n");
        return;
    }
    fprintf(stderr, "vmhosts watch: the engines' sockets are now: %s\n", sockets);
    vmh_events_close(streams->events);
    streams->events = events;
    snprintf(streams->sockets, sizeof streams->sockets, "%s", sockets);
}

unsigned vmh_watch_streams_wait(struct vmh_watch_streams *streams, int wake_fd, long timeout_ms)
{
    return vmh_events_wait(streams->events, wake_fd, timeout_ms);
}
