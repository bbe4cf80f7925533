/* Asks LXD (or Incus) over each of its sockets that exists: one call,
 * every project's instances with their state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "lxd.h"
#include "unix_http.h"

#define MAX_SOCKETS 32 /* remembered as asked: more is no list a person writes */
#define LXD_DENIED_ADVICE                                                                      \
    "have root run `vmhosts watch`, whose cache every user reads; or add your user to the "    \
    "lxd (or incus-admin) group"

bool vmh_lxd_any_socket(const char *sockets)
{
    char *list = strdup(sockets ? sockets : ""), *cursor = list, *path;
    bool any = false;
    while (list && !any && (path = strsep(&cursor, " \t")) != NULL)
        any = path[0] && access(path, F_OK) == 0;
    free(list);
    return any;
}

struct state_asker {
    struct vmh_http *http;
    struct vmh_http_outcome *outcome;
};

static int ask_state(void *context, const char *name, const char *project, const char **body,
                     size_t *length)
{
    struct state_asker *asker = context;
    char *escaped_name = curl_easy_escape(asker->http->curl, name, 0);
    char *escaped_project = curl_easy_escape(asker->http->curl, project[0] ? project : "default", 0);
    char *url = NULL;
    int result = -1;
    if (escaped_name && escaped_project &&
        asprintf(&url, VMH_LXD_STATE_URL, escaped_name, escaped_project) >= 0) {
        result = vmh_http_get(asker->http, url, asker->outcome);
        long status = 0;
        curl_easy_getinfo(asker->http->curl, CURLINFO_RESPONSE_CODE, &status);
        if (result != 0 && status == 404) {
            result = 1; /* deleted since the list */
            asker->outcome->message[0] = '\0';
        }
    }
    free(url);
    curl_free(escaped_name);
    curl_free(escaped_project);
    *body = asker->http->body;
    *length = asker->http->size;
    return result;
}

/* The list without state, kept aside while the same connection asks each
 * running instance's state. */
static int ask_brief(enum vmh_backend backend, struct vmh_http *http, struct vmh_snapshot *out,
                     struct vmh_http_outcome *outcome, char *err, size_t err_size)
{
    if (vmh_http_get(http, VMH_LXD_BRIEF_URL, outcome) != 0)
        return -1;
    char *list = http->body;
    size_t size = http->size;
    http->body = NULL;
    http->size = http->capacity = 0;
    struct vmh_http_outcome asked = {0};
    struct state_asker asker = {http, &asked};
    struct vmh_lxd_states states = {ask_state, &asker};
    int result = vmh_lxd_parse_brief(list, size, backend, &states, out, err, err_size);
    free(list);
    if (result != 0 && asked.message[0]) {
        *outcome = asked; /* the call that failed says more than the parse */
        err[0] = '\0';
    }
    return result;
}

/* One socket's instances into *out. */
static int ask_socket(const char *daemon, enum vmh_backend backend, const char *path,
                      int64_t deadline_ms, struct vmh_snapshot *out,
                      struct vmh_http_outcome *outcome)
{
    struct vmh_http http;
    if (vmh_http_open(&http, daemon, path, LXD_DENIED_ADVICE, deadline_ms, outcome) != 0)
        return -1;
    char err[300] = "";
    int result = vmh_http_get(&http, VMH_LXD_INSTANCES_URL, outcome);
    if (result == 0)
        result = vmh_lxd_parse_instances(http.body, http.size, backend, out, err, sizeof err);
    else if (http.too_large)
        result = ask_brief(backend, &http, out, outcome, err, sizeof err);
    if (result != 0 && err[0]) {
        outcome->status = VMH_STATUS_ERROR;
        snprintf(outcome->message, sizeof outcome->message, "%s (on %.200s)", err, path);
    }
    vmh_http_close(&http);
    return result;
}

/* Two paths of the list may be one socket (a symlink, a bind mount): one
 * daemon, whose instances would otherwise be counted twice. */
static bool already_asked(const struct stat *asked, size_t count, const struct stat *st)
{
    for (size_t i = 0; i < count; i++)
        if (asked[i].st_dev == st->st_dev && asked[i].st_ino == st->st_ino)
            return true;
    return false;
}

/* A socket that does not exist is a daemon not installed that way (the
 * snap's or the package's): skipped without a word, unless none exists. */
static void ask_each(const char *daemon, enum vmh_backend backend, const char *sockets,
                     int64_t deadline_ms, struct vmh_snapshot *out, bool *answered,
                     struct vmh_http_outcome *failure)
{
    char *list = strdup(sockets ? sockets : ""), *cursor = list, *path;
    if (!list) {
        failure->status = VMH_STATUS_ERROR;
        snprintf(failure->message, sizeof failure->message, "out of memory");
        return;
    }
    struct stat asked[MAX_SOCKETS];
    size_t asked_count = 0;
    while ((path = strsep(&cursor, " \t")) != NULL) {
        struct stat st;
        if (!path[0] || stat(path, &st) != 0 || already_asked(asked, asked_count, &st))
            continue;
        if (asked_count < MAX_SOCKETS)
            asked[asked_count++] = st;
        struct vmh_http_outcome outcome = {0};
        if (ask_socket(daemon, backend, path, deadline_ms, out, &outcome) == 0)
            *answered = true;
        else if (failure->status == VMH_STATUS_NEVER)
            *failure = outcome;
    }
    free(list);
}

int vmh_lxd_refresh(const char *daemon, enum vmh_backend backend, const char *sockets,
                    long timeout_ms, struct vmh_snapshot *out)
{
    int64_t now_ms = vmh_realtime_ms();
    int64_t deadline_ms = vmh_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    struct vmh_http_outcome failure = {.status = VMH_STATUS_NEVER};
    bool answered = false;
    ask_each(daemon, backend, sockets, deadline_ms, out, &answered, &failure);
    if (!answered && failure.status == VMH_STATUS_NEVER) {
        failure.status = VMH_STATUS_UNAVAILABLE;
        snprintf(failure.message, sizeof failure.message,
                 "%s is not installed: none of its sockets exists (%.300s)", daemon, sockets);
    }
    struct vmh_backend_state *state = &out->backends[backend];
    state->attempted_ms = vmh_realtime_ms();
    state->updated_ms = answered ? now_ms : 0;
    state->status = answered ? VMH_STATUS_OK : failure.status;
    snprintf(state->message, sizeof state->message, "%s", answered ? "" : failure.message);
    return answered ? 0 : -1;
}
