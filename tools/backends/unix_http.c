/* See unix_http.h. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cache_format.h"
#include "clock.h"
#include "grow.h"
#include "unix_http.h"
#include "unix_peer.h"

#define PATH_SHOWN VMH_SOCKET_PATH_SHOWN

static void say(struct vmh_http_outcome *outcome, uint32_t status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct vmh_http_outcome *outcome, uint32_t status, const char *format, ...)
{
    outcome->status = status;
    va_list args;
    va_start(args, format);
    vsnprintf(outcome->message, sizeof outcome->message, format, args);
    va_end(args);
}

int vmh_unix_connect_peer(const char *path, uid_t *peer)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    *peer = (uid_t)-1;
    if (strlen(path) >= sizeof address.sun_path)
        return ENAMETOOLONG;
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return errno;
    int error = connect(fd, (const struct sockaddr *)&address, sizeof address) == 0 ? 0 : errno;
    if (error == 0)
        *peer = vmh_unix_peer(fd);
    close(fd);
    return error == EAGAIN || error == EINPROGRESS ? 0 : error;
}

int vmh_unix_connect_error(const char *path)
{
    uid_t peer;
    return vmh_unix_connect_peer(path, &peer);
}

/* curl says "Couldn't connect to server" for every cause; connecting once
 * more tells a stopped daemon from a missing permission, which need
 * different fixes.  Only after curl failed, so that a call that works
 * costs the daemon one connection, not two.  False when the socket
 * accepts now: curl's own words stand. */
static bool explain_connect(const struct vmh_http *http, struct vmh_http_outcome *outcome)
{
    const char *path = http->path;
    int error = vmh_unix_connect_error(path);
    if (error == 0)
        return false;
    if (error == ENOENT || error == ENOTDIR)
        say(outcome, VMH_STATUS_UNAVAILABLE, "%.*s does not exist: no daemon is running there",
            PATH_SHOWN, path);
    else if (error == ECONNREFUSED)
        say(outcome, VMH_STATUS_UNAVAILABLE, "nothing listens on %.*s", PATH_SHOWN, path);
    else if (error == EACCES || error == EPERM)
        say(outcome, VMH_STATUS_DENIED, "permission denied on %.*s: %s", PATH_SHOWN, path,
            http->denied_advice);
    else if (error == ENAMETOOLONG)
        say(outcome, VMH_STATUS_ERROR, "the %s socket path %.*s is too long", http->daemon,
            PATH_SHOWN, path);
    else
        say(outcome, VMH_STATUS_ERROR, "cannot connect to %.*s: %s", PATH_SHOWN, path,
            strerror(error));
    return true;
}

static size_t collect(char *data, size_t size, size_t count, void *user)
{
    struct vmh_http *http = user;
    size_t length = size * count;
    if (length > http->body_max - http->size) {
        http->too_large = true;
        return 0;
    }
    long status = 0;
    if (http->sink && curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
        status == 200) {
        http->size += length;
        http->sink(http->sink_context, data, length);
        return length;
    }
    /* From 16 KiB: curl hands over 16 KiB at a time. */
    if (vmh_grow_bytes(&http->body, &http->capacity, http->size + length + 1, 16384, SIZE_MAX) != 0)
        return 0;
    memcpy(http->body + http->size, data, length);
    http->size += length;
    http->body[http->size] = '\0';
    return length;
}

/* Every connection's socket is made here, so that whose daemon answers on
 * it can be asked (unix_peer.h); *context is the one open now. */
static curl_socket_t open_socket(void *context, curlsocktype purpose,
                                 struct curl_sockaddr *address)
{
    int *socket_fd = context;
    (void)purpose;
    *socket_fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    return *socket_fd >= 0 ? *socket_fd : CURL_SOCKET_BAD;
}

static int close_socket(void *context, curl_socket_t fd)
{
    int *socket_fd = context;
    if (fd == *socket_fd)
        *socket_fd = -1;
    return close(fd);
}

/* Each answer's status line: an answer from another user's daemon stops
 * there, before a byte of its body is read. */
static size_t check_header(char *line, size_t size, size_t count, void *context)
{
    struct vmh_http *http = context;
    size_t length = size * count;
    if (length < 5 || memcmp(line, "HTTP/", 5) != 0)
        return length;
    http->peer = vmh_unix_peer(http->socket_fd);
    http->peer_refused = !vmh_unix_peer_may_answer(http->peer, geteuid());
    return http->peer_refused ? 0 : length;
}

void vmh_http_setup(CURL *curl, const char *socket_path, int *socket_fd)
{
    *socket_fd = -1;
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, socket_fd);
    curl_easy_setopt(curl, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
    curl_easy_setopt(curl, CURLOPT_CLOSESOCKETDATA, socket_fd);
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
#endif
}

int vmh_http_open(struct vmh_http *http, const char *daemon, const char *path,
                  const char *denied_advice, int64_t deadline_ms,
                  struct vmh_http_outcome *outcome)
{
    memset(http, 0, sizeof *http);
    http->body_max = VMH_HTTP_BODY_MAX;
    http->daemon = daemon;
    http->denied_advice = denied_advice;
    http->path = path;
    http->deadline_ms = deadline_ms;
    if (!(http->curl = curl_easy_init())) {
        say(outcome, VMH_STATUS_ERROR, "cannot start libcurl (out of memory?)");
        return -1;
    }
    vmh_http_setup(http->curl, path, &http->socket_fd);
    curl_easy_setopt(http->curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(http->curl, CURLOPT_WRITEDATA, http);
    curl_easy_setopt(http->curl, CURLOPT_ERRORBUFFER, http->curl_error);
    curl_easy_setopt(http->curl, CURLOPT_HEADERFUNCTION, check_header);
    curl_easy_setopt(http->curl, CURLOPT_HEADERDATA, http);
    return 0;
}

void vmh_http_close(struct vmh_http *http)
{
    curl_easy_cleanup(http->curl);
    free(http->body);
    http->curl = NULL;
    http->body = NULL;
}

/* The first line of the daemon's own reason: LXD's {"error": ...}, or
 * Docker's {"message": ...}. */
static void reason_of(const struct vmh_http *http, char *text, size_t size)
{
    json_t *root = http->body ? json_loadb(http->body, http->size, 0, NULL) : NULL;
    const char *why = json_string_value(json_object_get(root, "error"));
    if (!why || !why[0])
        why = json_string_value(json_object_get(root, "message"));
    snprintf(text, size, "%.*s", why ? (int)strcspn(why, "\n") : 0, why ? why : "");
    json_decref(root);
}

static void failed(const struct vmh_http *http, CURLcode code, long timeout_ms,
                   struct vmh_http_outcome *outcome)
{
    if (http->peer_refused) {
        outcome->status = VMH_STATUS_ERROR;
        vmh_unix_peer_refusal(http->daemon, http->path, http->peer, outcome->message,
                              sizeof outcome->message);
        return;
    }
    bool unconnected = code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST;
    if (unconnected && explain_connect(http, outcome))
        return;
    if (http->too_large)
        say(outcome, VMH_STATUS_ERROR, "%s's answer is larger than %zu MiB%s%s (on %.*s)",
            http->daemon, http->body_max >> 20, http->body_why ? ", " : "",
            http->body_why ? http->body_why : "", PATH_SHOWN, http->path);
    else if (code == CURLE_OPERATION_TIMEDOUT)
        say(outcome, VMH_STATUS_ERROR, "%s did not answer within %ld ms on %.*s", http->daemon,
            timeout_ms, PATH_SHOWN, http->path);
    else
        say(outcome, VMH_STATUS_ERROR, "cannot talk to %s on %.*s: %s", http->daemon,
            PATH_SHOWN, http->path,
            http->curl_error[0] ? http->curl_error : curl_easy_strerror(code));
}

void vmh_http_allow(struct vmh_http *http, size_t body_max, const char *why)
{
    http->body_max = body_max;
    http->body_why = why;
}

/* An announced length past the bound fails at the headers, before a byte
 * of the body is read; collect() stops one that was not announced. */
static int get_bounded(struct vmh_http *http, const char *url, struct vmh_http_outcome *outcome)
{
    free(http->body);
    http->body = NULL;
    http->size = http->capacity = 0;
    http->too_large = http->peer_refused = false;
    http->curl_error[0] = '\0';
    long remaining_ms = (long)(http->deadline_ms - vmh_monotonic_ms());
    if (remaining_ms < 1) {
        say(outcome, VMH_STATUS_ERROR, "no time was left to ask %s on %.*s", http->daemon,
            PATH_SHOWN, http->path);
        return -1;
    }
    curl_easy_setopt(http->curl, CURLOPT_URL, url);
    curl_easy_setopt(http->curl, CURLOPT_TIMEOUT_MS, remaining_ms);
    curl_easy_setopt(http->curl, CURLOPT_CONNECTTIMEOUT_MS, remaining_ms);
    curl_easy_setopt(http->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)http->body_max);
    CURLcode code = curl_easy_perform(http->curl);
    if (code == CURLE_FILESIZE_EXCEEDED)
        http->too_large = true; /* announced, where collect() finds the others */
    if (code != CURLE_OK) {
        failed(http, code, remaining_ms, outcome);
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        char why[256];
        reason_of(http, why, sizeof why);
        say(outcome, VMH_STATUS_ERROR, "%s on %.*s answered HTTP %ld%s%s", http->daemon,
            PATH_SHOWN, http->path, status, why[0] ? ": " : "", why);
        return -1;
    }
    return 0;
}

void vmh_http_stream(struct vmh_http *http, void (*sink)(void *context, const char *data,
                                                         size_t length),
                     void *context)
{
    http->sink = sink;
    http->sink_context = context;
}

int vmh_http_get(struct vmh_http *http, const char *url, struct vmh_http_outcome *outcome)
{
    int result = get_bounded(http, url, outcome);
    vmh_http_allow(http, VMH_HTTP_BODY_MAX, NULL);
    vmh_http_stream(http, NULL, NULL);
    return result;
}
