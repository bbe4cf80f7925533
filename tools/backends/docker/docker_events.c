/* Docker's event stream, one long `GET /events` per socket, all driven by
 * one libcurl multi handle so that a single thread follows every engine and
 * still wakes for a signal.  Lines are only sorted into "can change what
 * resolves" or not: what changed is asked again through the ordinary
 * refresh, which is the one place that knows how to read Docker. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "docker_changes.h"
#include "unix_http.h"
#include "unix_peer.h"
#include "docker_events.h"

/* An event is a few hundred bytes; labels can make it a few KiB.  A longer
 * line is not looked at, only counted as a change. */
#define LINE_MAX_BYTES 65536

/* {"type":["container","network"],"event":["start","die","died","destroy",
 * "remove","rename","connect","disconnect"]}, URL-encoded: Docker then
 * sends only these.  "died" and "remove" are Podman's names for Docker's
 * "die" and "destroy": Podman 4.3 matches the filter against its own names
 * (so "die" alone let no death through) and sends "die" and "remove";
 * Docker ignores names it does not have.  The client-side check stays, for
 * engines that ignore filters. */
#define EVENTS_URL                                                                               \
    "http://localhost/events?filters=%7B%22type%22%3A%5B%22container%22%2C%22network%22%5D%2C" \
    "%22event%22%3A%5B%22start%22%2C%22die%22%2C%22died%22%2C%22destroy%22%2C%22remove%22%2C" \
    "%22rename%22%2C%22connect%22%2C%22disconnect%22%5D%7D"

struct stream {
    char *path;
    CURL *curl;
    int socket_fd;  /* the connection's, while one is open (unix_http.h) */
    bool active;    /* in the multi handle */
    bool connected; /* Docker answered 200: events flow */
    int said_ms;    /* the retry period the last failure said; 0 while it works */
    bool foreign;   /* the last attempt reached a daemon whose user may not answer */
    long retry_ms;  /* the next wait after a failure */
    int64_t next_try_ms;
    unsigned *seen; /* the bits of the current vmh_events_wait */
    char *line;
    size_t line_length;
    bool line_too_long;
    char error[CURL_ERROR_SIZE];
    char refused[CURL_ERROR_SIZE]; /* why the last answer was not taken: curl's error overwrites */
};

struct vmh_events {
    CURLM *multi;
    struct stream *streams;
    size_t count;
    long connect_timeout_ms;
    unsigned seen;
};

static bool in_list(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(word, *list) == 0)
            return true;
    return false;
}

/* What a relevant event tells the next refresh (docker_changes.h): which
 * container to list again (a network event names it in its attributes),
 * and whether it died or started. */
static void note_event(json_t *event, const char *type, const char *action)
{
    json_t *actor = json_object_get(event, "Actor");
    const char *id = json_string_value(json_object_get(actor, "ID"));
    if (strcmp(type, "network") == 0)
        id = json_string_value(json_object_get(json_object_get(actor, "Attributes"), "container"));
    else if (!id)
        id = json_string_value(json_object_get(event, "id"));
    static const char *const deaths[] = {"die", "died", "destroy", "remove", NULL};
    enum vmh_docker_change change = in_list(action, deaths)            ? VMH_DOCKER_DIED
                                    : strcmp(action, "start") == 0 ? VMH_DOCKER_STARTED
                                                                   : VMH_DOCKER_CHANGED;
    vmh_docker_change_note(id, change, vmh_monotonic_ms());
}

static bool event_relevant(json_t *event)
{
    static const char *const container_actions[] = {"start",  "die",    "died", "destroy",
                                                    "remove", "rename", NULL};
    static const char *const network_actions[] = {"connect", "disconnect", NULL};
    /* API 1.22 and later: Type and Action; before: status, containers only. */
    const char *type = json_string_value(json_object_get(event, "Type"));
    const char *action = json_string_value(json_object_get(event, "Action"));
    if (!type && !action) {
        type = "container";
        action = json_string_value(json_object_get(event, "status"));
    }
    if (!type || !action) {
        vmh_docker_changes_list_all();
        return true;
    }
    bool relevant = (strcmp(type, "container") == 0 && in_list(action, container_actions)) ||
                    (strcmp(type, "network") == 0 && in_list(action, network_actions));
    if (relevant)
        note_event(event, type, action);
    return relevant;
}

bool vmh_docker_event_relevant(const char *line, size_t length)
{
    size_t blank = 0;
    while (blank < length && strchr(" \t\r\n", line[blank]))
        blank++;
    if (blank == length)
        return false; /* not an event at all */
    json_t *event = json_loadb(line, length, 0, NULL);
    bool relevant = json_is_object(event) ? event_relevant(event) : true;
    if (!json_is_object(event))
        vmh_docker_changes_list_all();
    json_decref(event);
    return relevant;
}

/* Splits what curl hands over into lines and sorts each. */
static size_t take_event_bytes(char *data, size_t size, size_t count, void *user)
{
    struct stream *stream = user;
    size_t length = size * count;
    for (size_t i = 0; i < length; i++) {
        if (data[i] != '\n') {
            if (stream->line_length < LINE_MAX_BYTES)
                stream->line[stream->line_length++] = data[i];
            else
                stream->line_too_long = true;
            continue;
        }
        if (stream->line_too_long)
            vmh_docker_changes_list_all();
        if (stream->line_too_long ||
            vmh_docker_event_relevant(stream->line, stream->line_length))
            *stream->seen |= VMH_EVENTS_CHANGED;
        stream->line_length = 0;
        stream->line_too_long = false;
    }
    return length;
}

/* Whether the daemon that answers runs as root or as this watcher's
 * user: another user's engine must not even wake root's watcher, whose
 * refreshes would refuse its answers anyway (unix_peer.h). */
static bool peer_trusted(struct stream *stream)
{
    uid_t peer = vmh_unix_peer(stream->socket_fd);
    if (vmh_unix_peer_may_answer(peer, geteuid()))
        return true;
    stream->foreign = true;
    vmh_unix_peer_refusal("Docker", stream->path, peer, stream->refused, sizeof stream->refused);
    return false;
}

/* The status line: an answer from another user's daemon stops there.
 * The blank line after the headers: Docker has accepted the stream (it
 * sends the headers at once, before any event). */
static size_t take_header(char *data, size_t size, size_t count, void *user)
{
    struct stream *stream = user;
    size_t length = size * count;
    long status = 0;
    if (length >= 5 && memcmp(data, "HTTP/", 5) == 0)
        return peer_trusted(stream) ? length : 0;
    if (length > 2 || (length == 2 && data[0] != '\r'))
        return length;
    curl_easy_getinfo(stream->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        snprintf(stream->refused, sizeof stream->refused,
                 "Docker answered HTTP %ld to GET /events", status);
        return 0; /* ends the transfer as a failure */
    }
    stream->connected = true;
    stream->said_ms = 0;
    stream->retry_ms = VMH_EVENTS_RETRY_MIN_MS;
    *stream->seen |= VMH_EVENTS_CONNECTED;
    vmh_docker_changes_forget(); /* events may have been missed */
    fprintf(stderr, "vmhosts watch: following Docker's events on %s\n", stream->path);
    return length;
}

static int stream_setup(struct stream *stream, long connect_timeout_ms)
{
    stream->curl = curl_easy_init();
    stream->line = malloc(LINE_MAX_BYTES);
    if (!stream->curl || !stream->line)
        return -1;
    CURL *curl = stream->curl;
    vmh_http_setup(curl, stream->path, &stream->socket_fd);
    curl_easy_setopt(curl, CURLOPT_URL, EVENTS_URL);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_event_bytes);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, stream);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, take_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, stream);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, stream->error);
    curl_easy_setopt(curl, CURLOPT_PRIVATE, stream);
    stream->retry_ms = VMH_EVENTS_RETRY_MIN_MS;
    return 0;
}

static int add_stream(struct vmh_events *events, const char *path)
{
    struct stream *stream = &events->streams[events->count];
    memset(stream, 0, sizeof *stream);
    stream->seen = &events->seen;
    stream->path = strdup(path);
    events->count++;
    return stream->path ? stream_setup(stream, events->connect_timeout_ms) : -1;
}

/* The socket paths in `sockets`, space- or tab-separated. */
static size_t count_paths(const char *sockets)
{
    size_t count = 0;
    for (const char *p = sockets; *p; p++)
        count += !strchr(" \t", *p) && (p == sockets || strchr(" \t", p[-1]));
    return count;
}

/* Each stream's curl handle keeps its address (the callbacks' data,
 * CURLOPT_PRIVATE), so the array is sized once and never moved: growing it
 * stream by stream left the first handle pointing at freed memory as soon
 * as a second socket was added (Docker beside Podman). */
struct vmh_events *vmh_events_open(const char *sockets, long connect_timeout_ms)
{
    struct vmh_events *events = calloc(1, sizeof *events);
    char *list = strdup(sockets ? sockets : "");
    if (!events || !list || !(events->multi = curl_multi_init()) ||
        !(events->streams = calloc(count_paths(list) + 1, sizeof *events->streams))) {
        free(list);
        vmh_events_close(events);
        return NULL;
    }
    events->connect_timeout_ms = connect_timeout_ms > 0 ? connect_timeout_ms : 1000;
    char *cursor = list, *path;
    int result = 0;
    while (result == 0 && (path = strsep(&cursor, " \t")) != NULL)
        if (path[0])
            result = add_stream(events, path);
    free(list);
    if (result != 0) {
        vmh_events_close(events);
        return NULL;
    }
    return events;
}

void vmh_events_close(struct vmh_events *events)
{
    if (!events)
        return;
    for (size_t i = 0; i < events->count; i++) {
        struct stream *stream = &events->streams[i];
        if (stream->active)
            curl_multi_remove_handle(events->multi, stream->curl);
        curl_easy_cleanup(stream->curl);
        free(stream->line);
        free(stream->path);
    }
    free(events->streams);
    if (events->multi)
        curl_multi_cleanup(events->multi);
    free(events);
}

static void start_due_streams(struct vmh_events *events, int64_t now)
{
    for (size_t i = 0; i < events->count; i++) {
        struct stream *stream = &events->streams[i];
        if (stream->active || now < stream->next_try_ms)
            continue;
        stream->connected = stream->foreign = false;
        stream->line_length = 0;
        stream->line_too_long = false;
        stream->error[0] = stream->refused[0] = '\0';
        if (curl_multi_add_handle(events->multi, stream->curl) == CURLM_OK)
            stream->active = true;
        else
            stream->next_try_ms = now + VMH_EVENTS_RETRY_MAX_MS;
    }
}

static void describe_end(const struct stream *stream, CURLcode code, char *why, size_t size)
{
    long os_errno = 0;
    curl_easy_getinfo(stream->curl, CURLINFO_OS_ERRNO, &os_errno);
    if (stream->refused[0])
        snprintf(why, size, "%s", stream->refused);
    else if (stream->error[0] && code != CURLE_COULDNT_CONNECT)
        snprintf(why, size, "%s", stream->error);
    else if (os_errno != 0)
        snprintf(why, size, "%s", strerror((int)os_errno));
    else
        snprintf(why, size, "%s", code == CURLE_OK ? "Docker closed it" : curl_easy_strerror(code));
}

/* A stream ended: schedule its next try.  A stream that was up is retried
 * soon (Docker restarting); failures back off, and are said once for each
 * period of retries: a daemon that was down and is now another user's is
 * retried once a minute, and the line says so. */
static void stream_ended(struct vmh_events *events, struct stream *stream, CURLcode code)
{
    char why[CURL_ERROR_SIZE + 64];
    int64_t now = vmh_monotonic_ms();
    int period = stream->foreign ? VMH_EVENTS_FOREIGN_RETRY_MS : VMH_EVENTS_RETRY_MAX_MS;
    curl_multi_remove_handle(events->multi, stream->curl);
    stream->active = false;
    describe_end(stream, code, why, sizeof why);
    if (stream->connected) {
        fprintf(stderr, "vmhosts watch: Docker's event stream on %s ended (%s); reconnecting\n",
                stream->path, why);
        events->seen |= VMH_EVENTS_LOST;
        stream->retry_ms = VMH_EVENTS_RETRY_MIN_MS;
    } else if (stream->said_ms != period) {
        fprintf(stderr, "vmhosts watch: cannot follow Docker's events on %s: %s; retrying "
                        "every %d ms or less\n", stream->path, why, period);
        if (!stream->said_ms)
            events->seen |= VMH_EVENTS_LOST;
        stream->said_ms = period;
    }
    stream->connected = false;
    stream->next_try_ms = now + (stream->foreign ? VMH_EVENTS_FOREIGN_RETRY_MS : stream->retry_ms);
    stream->retry_ms = stream->retry_ms * 2 < VMH_EVENTS_RETRY_MAX_MS ? stream->retry_ms * 2
                                                                      : VMH_EVENTS_RETRY_MAX_MS;
}

static void collect_ended(struct vmh_events *events)
{
    CURLMsg *message;
    int queued;
    while ((message = curl_multi_info_read(events->multi, &queued)) != NULL) {
        if (message->msg != CURLMSG_DONE)
            continue;
        struct stream *stream = NULL;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&stream);
        if (stream)
            stream_ended(events, stream, message->data.result);
    }
}

/* How long until the next retry is due, capped at limit_ms. */
static long until_next_try(const struct vmh_events *events, int64_t now, long limit_ms)
{
    long wait_ms = limit_ms;
    for (size_t i = 0; i < events->count; i++) {
        const struct stream *stream = &events->streams[i];
        if (!stream->active && stream->next_try_ms - now < wait_ms)
            wait_ms = stream->next_try_ms > now ? (long)(stream->next_try_ms - now) : 0;
    }
    return wait_ms;
}

static bool any_active(const struct vmh_events *events)
{
    for (size_t i = 0; i < events->count; i++)
        if (events->streams[i].active)
            return true;
    return false;
}

/* One wait for sockets, the wake descriptor or the time. */
static bool wait_once(struct vmh_events *events, int wake_fd, long wait_ms)
{
    struct pollfd wake = {.fd = wake_fd, .events = POLLIN};
    if (!any_active(events)) {
        /* Nothing for curl to watch: curl_multi_wait would return at once. */
        return poll(&wake, wake_fd >= 0 ? 1 : 0, (int)wait_ms) > 0;
    }
    struct curl_waitfd extra = {.fd = wake_fd, .events = CURL_WAIT_POLLIN};
    curl_multi_wait(events->multi, wake_fd >= 0 ? &extra : NULL, wake_fd >= 0 ? 1 : 0,
                    (int)wait_ms, NULL);
    return wake_fd >= 0 && (extra.revents & CURL_WAIT_POLLIN);
}

unsigned vmh_events_wait(struct vmh_events *events, int wake_fd, long timeout_ms)
{
    int64_t deadline = vmh_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int running;
    events->seen = 0;
    for (;;) {
        int64_t now = vmh_monotonic_ms();
        start_due_streams(events, now);
        curl_multi_perform(events->multi, &running);
        collect_ended(events);
        if (events->seen || now >= deadline)
            break;
        long wait_ms = until_next_try(events, now, (long)(deadline - now));
        if (wait_once(events, wake_fd, wait_ms)) {
            curl_multi_perform(events->multi, &running);
            collect_ended(events);
            break;
        }
    }
    return events->seen;
}
