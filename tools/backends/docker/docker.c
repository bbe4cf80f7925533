/* Asks Docker (or Podman) over its Unix socket: one list call, then one
 * inspect call per running container whose hostname we do not know yet. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "docker.h"
#include "docker_curl.h"

/* A list of thousands of containers is a few MiB; more is not Docker. */
#define BODY_MAX (32u * 1024u * 1024u)
/* Unversioned: Docker and Podman each answer with their own API version. */
#define LIST_URL "http://localhost/containers/json?all=1"
#define PATH_MAX_SHOWN 200

struct body {
    char *data;
    size_t size, capacity;
    bool too_large;
};

/* One socket's conversation: the handle is reused for every call, so that
 * the inspect calls ride the list call's keep-alive connection. */
struct session {
    CURL *curl;
    const char *path;
    int64_t deadline_ms;
    struct body body;
    char curl_error[CURL_ERROR_SIZE];
};

struct outcome {
    uint32_t status;
    char message[VMH_MESSAGE_MAX];
};

static void set_outcome(struct outcome *outcome, uint32_t status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void set_outcome(struct outcome *outcome, uint32_t status, const char *format, ...)
{
    outcome->status = status;
    va_list args;
    va_start(args, format);
    vsnprintf(outcome->message, sizeof outcome->message, format, args);
    va_end(args);
}

int vmh_docker_connect_error(const char *path)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path)
        return ENAMETOOLONG;
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return errno;
    int error = connect(fd, (const struct sockaddr *)&address, sizeof address) == 0 ? 0 : errno;
    close(fd);
    return error == EAGAIN || error == EINPROGRESS ? 0 : error;
}

/* curl says "Couldn't connect to server" for every cause; a plain connect()
 * tells a stopped daemon from a missing permission, which need different
 * fixes. */
static int probe_socket(const char *path, struct outcome *outcome)
{
    int error = vmh_docker_connect_error(path);
    if (error == 0)
        return 0;
    if (error == ENAMETOOLONG)
        set_outcome(outcome, VMH_STATUS_ERROR, "the Docker socket path %.*s is too long",
                    PATH_MAX_SHOWN, path);
    else if (error == ENOENT || error == ENOTDIR)
        set_outcome(outcome, VMH_STATUS_UNAVAILABLE,
                    "Docker is not running: %.*s does not exist (start it: systemctl start docker)",
                    PATH_MAX_SHOWN, path);
    else if (error == ECONNREFUSED)
        set_outcome(outcome, VMH_STATUS_UNAVAILABLE, "nothing listens on %.*s", PATH_MAX_SHOWN,
                    path);
    else if (error == EACCES || error == EPERM)
        set_outcome(outcome, VMH_STATUS_DENIED, "permission denied on %.*s: %s", PATH_MAX_SHOWN,
                    path, VMH_DOCKER_DENIED_ADVICE);
    else
        set_outcome(outcome, VMH_STATUS_ERROR, "cannot connect to %.*s: %s", PATH_MAX_SHOWN, path,
                    strerror(error));
    return -1;
}

static size_t collect_body(char *data, size_t size, size_t count, void *user)
{
    struct body *body = user;
    size_t length = size * count;
    if (length > BODY_MAX - body->size) {
        body->too_large = true;
        return 0;
    }
    if (body->size + length + 1 > body->capacity) {
        /* Doubling: curl hands over 16 KiB at a time, and copying the
         * whole body on each would be quadratic. */
        size_t capacity = body->capacity ? body->capacity : 16384;
        while (capacity < body->size + length + 1)
            capacity *= 2;
        char *bigger = realloc(body->data, capacity);
        if (!bigger)
            return 0;
        body->data = bigger;
        body->capacity = capacity;
    }
    memcpy(body->data + body->size, data, length);
    body->size += length;
    body->data[body->size] = '\0';
    return length;
}

void vmh_docker_curl_setup(CURL *curl, const char *socket_path)
{
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
#endif
}

static int session_open(struct session *session, const char *path, int64_t deadline_ms)
{
    memset(session, 0, sizeof *session);
    session->path = path;
    session->deadline_ms = deadline_ms;
    session->curl = curl_easy_init();
    if (!session->curl)
        return -1;
    CURL *curl = session->curl;
    vmh_docker_curl_setup(curl, path);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &session->body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, session->curl_error);
    return 0;
}

static void session_close(struct session *session)
{
    curl_easy_cleanup(session->curl);
    free(session->body.data);
    session->curl = NULL;
    session->body.data = NULL;
}

/* The first line of Docker's {"message": "..."}, which says why. */
static void error_message_of(const struct body *body, char *text, size_t size)
{
    json_t *root = body->data ? json_loadb(body->data, body->size, 0, NULL) : NULL;
    const char *message = json_string_value(json_object_get(root, "message"));
    snprintf(text, size, "%.*s", message ? (int)strcspn(message, "\n") : 0,
             message ? message : "");
    json_decref(root);
}

static void describe_failure(const struct session *session, CURLcode code, long timeout_ms,
                             struct outcome *outcome)
{
    if (session->body.too_large)
        set_outcome(outcome, VMH_STATUS_ERROR, "Docker's answer is larger than 32 MiB (on %.*s)",
                    PATH_MAX_SHOWN, session->path);
    else if (code == CURLE_OPERATION_TIMEDOUT)
        set_outcome(outcome, VMH_STATUS_ERROR, "Docker did not answer within %ld ms on %.*s",
                    timeout_ms, PATH_MAX_SHOWN, session->path);
    else
        set_outcome(outcome, VMH_STATUS_ERROR, "cannot talk to Docker on %.*s: %s", PATH_MAX_SHOWN,
                    session->path, session->curl_error[0] ? session->curl_error
                                                          : curl_easy_strerror(code));
}

/* One GET; the body is in session->body.  The whole refresh shares one
 * deadline, so a slow daemon cannot hold a lookup longer than asked. */
static int session_get(struct session *session, const char *url, struct outcome *outcome)
{
    free(session->body.data);
    memset(&session->body, 0, sizeof session->body);
    session->curl_error[0] = '\0';
    long remaining_ms = (long)(session->deadline_ms - vmh_monotonic_ms());
    if (remaining_ms < 1) {
        set_outcome(outcome, VMH_STATUS_ERROR, "no time was left to ask Docker on %.*s",
                    PATH_MAX_SHOWN, session->path);
        return -1;
    }
    curl_easy_setopt(session->curl, CURLOPT_URL, url);
    curl_easy_setopt(session->curl, CURLOPT_TIMEOUT_MS, remaining_ms);
    curl_easy_setopt(session->curl, CURLOPT_CONNECTTIMEOUT_MS, remaining_ms);
    CURLcode code = curl_easy_perform(session->curl);
    if (code != CURLE_OK) {
        describe_failure(session, code, remaining_ms, outcome);
        return -1;
    }
    long http_status = 0;
    curl_easy_getinfo(session->curl, CURLINFO_RESPONSE_CODE, &http_status);
    if (http_status != 200) {
        char why[256];
        error_message_of(&session->body, why, sizeof why);
        set_outcome(outcome, VMH_STATUS_ERROR, "Docker on %.*s answered HTTP %ld%s%s",
                    PATH_MAX_SHOWN, session->path, http_status, why[0] ? ": " : "", why);
        return -1;
    }
    return 0;
}

/* A failed inspect leaves the hostname unknown (the next refresh asks
 * again); a timed-out one ends the inspecting, the deadline being spent. */
static void inspect_hosts(struct session *session, struct vmh_snapshot *fresh)
{
    for (size_t i = 0; i < fresh->count; i++) {
        struct vmh_host *host = &fresh->hosts[i];
        if (host->state != VMH_STATE_RUNNING || host->hostname)
            continue;
        char url[128];
        snprintf(url, sizeof url, "http://localhost/containers/%s/json", host->id);
        struct outcome ignored;
        if (session_get(session, url, &ignored) == 0)
            vmh_docker_parse_inspect(session->body.data, session->body.size, host, NULL, 0);
        else if (vmh_monotonic_ms() >= session->deadline_ms)
            return;
    }
}

/* Lists (and inspects) one socket's containers into *fresh. */
static int ask_socket(const char *path, int64_t deadline_ms, const struct vmh_snapshot *known,
                      struct vmh_snapshot *fresh, struct outcome *outcome)
{
    if (probe_socket(path, outcome) != 0)
        return -1;
    struct session session;
    if (session_open(&session, path, deadline_ms) != 0) {
        set_outcome(outcome, VMH_STATUS_ERROR, "cannot start libcurl (out of memory?)");
        return -1;
    }
    int result = session_get(&session, LIST_URL, outcome);
    if (result == 0) {
        char err[VMH_MESSAGE_MAX - PATH_MAX_SHOWN - 16];
        result = vmh_docker_parse_list(session.body.data, session.body.size, known, fresh, err,
                                       sizeof err);
        if (result != 0)
            set_outcome(outcome, VMH_STATUS_ERROR, "%s (on %.*s)", err, PATH_MAX_SHOWN, path);
        else
            inspect_hosts(&session, fresh);
    }
    session_close(&session);
    return result;
}

/* Two paths to one engine (/var/run is a link to /run) list the same
 * containers: the first socket's copy is kept.  Moved hosts leave *fresh;
 * the duplicates stay there for vmh_snapshot_free. */
static int move_new_hosts(struct vmh_snapshot *fresh, struct vmh_snapshot *out)
{
    size_t kept = 0;
    int result = 0;
    for (size_t i = 0; i < fresh->count; i++) {
        struct vmh_host *host = &fresh->hosts[i];
        bool seen = false;
        for (size_t j = 0; j < out->count && !seen; j++)
            seen = out->hosts[j].backend == VMH_BACKEND_DOCKER && out->hosts[j].id &&
                   strcmp(out->hosts[j].id, host->id) == 0;
        struct vmh_host *slot = seen || result != 0 ? NULL : vmh_snapshot_add(out);
        if (slot) {
            *slot = *host;
            continue;
        }
        if (!seen)
            result = -1;
        fresh->hosts[kept++] = *host;
    }
    fresh->count = kept;
    return result;
}

/* Appends as much as fits: a long list of failing sockets is cut, which
 * is fine for a message. */
static void append_text(char *message, const char *text)
{
    size_t used = strnlen(message, VMH_MESSAGE_MAX - 1);
    size_t length = strnlen(text, VMH_MESSAGE_MAX - 1 - used);
    memcpy(message + used, text, length);
    message[used + length] = '\0';
}

static void append_message(char *message, const char *text)
{
    if (message[0])
        append_text(message, "; ");
    append_text(message, text);
}

/* Asks one socket and records how it went in *state (first failure kept,
 * every failure's text appended).  Returns whether it answered. */
static bool refresh_socket(const char *path, int64_t deadline_ms, const struct vmh_snapshot *known,
                           struct vmh_snapshot *out, struct outcome *first_failure,
                           char *failures)
{
    struct vmh_snapshot fresh;
    vmh_snapshot_init(&fresh);
    struct outcome outcome = {0};
    int result = ask_socket(path, deadline_ms, known, &fresh, &outcome);
    if (result == 0 && move_new_hosts(&fresh, out) != 0) {
        set_outcome(&outcome, VMH_STATUS_ERROR, "out of memory while adding Docker's containers");
        result = -1;
    }
    vmh_snapshot_free(&fresh);
    if (result != 0) {
        if (first_failure->status == VMH_STATUS_NEVER)
            *first_failure = outcome;
        append_message(failures, outcome.message);
    }
    return result == 0;
}

int vmh_docker_refresh(const char *sockets, long timeout_ms, const struct vmh_snapshot *known,
                       struct vmh_snapshot *out)
{
    int64_t now_ms = vmh_realtime_ms();
    int64_t deadline_ms = vmh_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    struct outcome first_failure = {.status = VMH_STATUS_NEVER};
    char failures[VMH_MESSAGE_MAX] = "";
    bool answered = false;
    char *list = strdup(sockets ? sockets : "");
    char *cursor = list, *path;
    while (list && (path = strsep(&cursor, " \t")) != NULL)
        if (path[0])
            answered |= refresh_socket(path, deadline_ms, known, out, &first_failure, failures);
    if (!list)
        set_outcome(&first_failure, VMH_STATUS_ERROR, "out of memory");
    else if (!answered && first_failure.status == VMH_STATUS_NEVER)
        set_outcome(&first_failure, VMH_STATUS_UNAVAILABLE,
                    "no Docker socket is configured (docker_socket in /etc/vmhosts.conf)");
    free(list);
    struct vmh_backend_state *state = &out->backends[VMH_BACKEND_DOCKER];
    /* The end of the attempt: the module backs off from a failure counted
     * from here, so a Docker that hung for the whole timeout is not asked
     * again by the very next lookup. */
    state->attempted_ms = vmh_realtime_ms();
    state->updated_ms = answered ? now_ms : 0;
    state->status = answered ? VMH_STATUS_OK : first_failure.status;
    state->message[0] = '\0';
    append_text(state->message, answered ? failures : first_failure.message);
    return answered ? 0 : -1;
}
