/* Asks Docker (or Podman) over its Unix socket: one list call, then one
 * inspect call per running container whose hostname we do not know yet.
 * Every socket of docker_socket, then the user's own rootless engines. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "docker.h"
#include "docker_changes.h"
#include "docker_list.h"
#include "id_table.h"
#include "docker_rootless.h"
#include "rootless.h"
#include "unix_http.h"

/* Unversioned: Docker and Podman each answer with their own API version. */
#define LIST_URL "http://localhost/containers/json?all=1"
/* LIST_URL with {"id":[...]} as filters, URL-encoded: the changed containers. */
#define FILTER_START "&filters=%7B%22id%22%3A%5B"
#define FILTER_END "%5D%7D"
#define FILTERED_URL_MAX                                                                       \
    (sizeof LIST_URL + sizeof FILTER_START + sizeof FILTER_END +                               \
     VMH_DOCKER_CHANGED_MAX * (VMH_DOCKER_ID_LENGTH + 9))
#define PATH_MAX_SHOWN 200
#define TEXT_OF(number) #number
#define TEXT(number) TEXT_OF(number)
#define LIST_BOUND_WHY                                                                         \
    "the most " TEXT(VMH_DOCKER_CONTAINERS_MAX) " containers of " TEXT(VMH_DOCKER_ENTRY_MAX)    \
    " bytes each take"

struct outcome {
    uint32_t status;
    char message[VMH_MESSAGE_MAX];
    bool absent;  /* no engine there (or one never asked): it holds no container */
    bool present; /* of the first failure: some engine there failed (notice_failure) */
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

/* One GET on the socket's connection (unix_http.h), its failure in our
 * outcome. */
static int get(struct vmh_http *http, const char *url, struct outcome *outcome)
{
    struct vmh_http_outcome failure;
    if (vmh_http_get(http, url, &failure) == 0)
        return 0;
    set_outcome(outcome, failure.status, "%s", failure.message);
    outcome->absent = failure.status == VMH_STATUS_UNAVAILABLE;
    return -1;
}

/* A failed inspect leaves the hostname unknown (the next refresh asks
 * again); a timed-out one ends the inspecting, the deadline being spent. */
static void inspect_hosts(struct vmh_http *http, struct vmh_snapshot *fresh)
{
    for (size_t i = 0; i < fresh->count; i++) {
        struct vmh_host *host = &fresh->hosts[i];
        if (host->state != VMH_STATE_RUNNING || host->hostname)
            continue;
        char url[128];
        snprintf(url, sizeof url, "http://localhost/containers/%s/json", host->id);
        struct outcome ignored;
        if (get(http, url, &ignored) == 0)
            vmh_docker_parse_inspect(http->body, http->size, host, NULL, 0);
        else if (vmh_monotonic_ms() >= http->deadline_ms)
            return;
    }
}

/* A list as it arrives, and the connection whose status line said whose
 * daemon sends it (unix_http.c refuses any but root's or this user's). */
struct list_feed {
    struct vmh_docker_list *list;
    const struct vmh_http *http;
    bool started;
};

/* Whose daemon answers decides how its list is read.  One that runs as
 * a user, whatever its socket's path (a rootless engine in /run/user/UID,
 * Docker Desktop, colima, a rootless engine at a path of the user's
 * choosing), cannot have put its containers in the machine's network
 * namespace: its list is a rootless engine's, reached where its ports are
 * published.  Root's is the machine's. */
static void feed_list(void *context, const char *data, size_t length)
{
    struct list_feed *feed = context;
    if (!feed->started && feed->http->peer != 0)
        vmh_docker_list_make_rootless(feed->list);
    feed->started = true;
    vmh_docker_list_feed(feed->list, data, length); /* a failure is told by finish */
}

/* GETs the list, read as it arrives (the largest answer: 8 MB at 10,000
 * containers, which the stream never keeps whole). */
static int get_list(struct vmh_http *http, const char *url, const struct vmh_snapshot *known,
                    struct vmh_snapshot *fresh, struct outcome *outcome)
{
    struct vmh_docker_list *list = vmh_docker_list_start(known, false, fresh);
    if (!list) {
        set_outcome(outcome, VMH_STATUS_ERROR, "out of memory while reading Docker's container list");
        return -1;
    }
    struct list_feed feed = {list, http, false};
    vmh_http_allow(http, VMH_DOCKER_LIST_MAX, LIST_BOUND_WHY);
    vmh_http_stream(http, feed_list, &feed);
    int result = get(http, url, outcome);
    char err[VMH_MESSAGE_MAX - PATH_MAX_SHOWN - 16];
    if (vmh_docker_list_finish(list, err, sizeof err) != 0 && result == 0) {
        set_outcome(outcome, VMH_STATUS_ERROR, "%s (on %.*s)", err, PATH_MAX_SHOWN, http->path);
        result = -1;
    }
    return result;
}

/* Lists (and inspects) one socket's containers into *fresh. */
static int ask_socket(const char *path, const char *url, int64_t deadline_ms,
                      const struct vmh_snapshot *known, struct vmh_snapshot *fresh,
                      struct outcome *outcome)
{
    struct vmh_http http;
    struct vmh_http_outcome failure;
    if (vmh_http_open(&http, "Docker", path, VMH_DOCKER_DENIED_ADVICE, deadline_ms, &failure) !=
        0) {
        set_outcome(outcome, failure.status, "%s", failure.message);
        return -1;
    }
    int result = get_list(&http, url, known, fresh, outcome);
    if (result == 0) {
        vmh_docker_deaths_apply(fresh, vmh_monotonic_ms());
        inspect_hosts(&http, fresh);
    }
    vmh_http_close(&http);
    return result;
}

/* The Docker hosts already in *out, and room for those arriving: the
 * table points into out->hosts, which must not move meanwhile. */
static int index_docker_hosts(struct vmh_snapshot *out, size_t arriving,
                              struct vmh_id_table *seen)
{
    if (arriving > SIZE_MAX - out->count ||
        vmh_snapshot_reserve(out, out->count + arriving) != 0 ||
        vmh_id_table_init(seen, out->count + arriving) != 0)
        return -1;
    for (size_t i = 0; i < out->count; i++)
        if (out->hosts[i].backend == VMH_BACKEND_DOCKER && out->hosts[i].id)
            vmh_id_table_add(seen, &out->hosts[i]);
    return 0;
}

/* The first socket's hosts into the empty *out: the array itself, not a
 * copy host by host (10,000 hosts are 7 MB, each page of a copy a page
 * fault: a tenth of a refresh, perf).  A repeated ID keeps its first. */
static int take_hosts(struct vmh_snapshot *fresh, struct vmh_snapshot *out)
{
    struct vmh_id_table seen;
    if (vmh_id_table_init(&seen, fresh->count) != 0)
        return -1;
    struct vmh_snapshot swapped = *out;
    out->hosts = fresh->hosts;
    out->count = fresh->count;
    out->capacity = fresh->capacity;
    fresh->hosts = swapped.hosts;
    fresh->count = swapped.count;
    fresh->capacity = swapped.capacity;
    size_t kept = 0;
    for (size_t i = 0; i < out->count; i++) {
        if (vmh_id_table_find(&seen, out->hosts[i].id))
            continue;
        struct vmh_host host = out->hosts[i];
        out->hosts[i] = out->hosts[kept];
        out->hosts[kept] = host;
        vmh_id_table_add(&seen, &out->hosts[kept++]);
    }
    vmh_id_table_free(&seen);
    vmh_snapshot_truncate(out, kept); /* the repeated ones, at the end */
    return 0;
}

/* Two paths to one engine (/var/run is a link to /run) list the same
 * containers: the first socket's copy is kept.  Moved hosts leave *fresh;
 * the duplicates stay there for vmh_snapshot_free. */
static int move_new_hosts(struct vmh_snapshot *fresh, struct vmh_snapshot *out)
{
    if (out->count == 0)
        return take_hosts(fresh, out);
    struct vmh_id_table seen;
    if (index_docker_hosts(out, fresh->count, &seen) != 0)
        return -1;
    size_t kept = 0;
    int result = 0;
    for (size_t i = 0; i < fresh->count; i++) {
        struct vmh_host *host = &fresh->hosts[i];
        bool repeated = vmh_id_table_find(&seen, host->id) != NULL;
        struct vmh_host *slot = repeated || result != 0 ? NULL : vmh_snapshot_add(out);
        if (slot) {
            *slot = *host;
            vmh_id_table_add(&seen, slot);
            continue;
        }
        if (!repeated)
            result = -1;
        fresh->hosts[kept++] = *host;
    }
    fresh->count = kept;
    vmh_id_table_free(&seen);
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

/* Keeps the first failure and appends every failure's text; notes
 * whether an engine that is there failed, which a partial list cannot
 * do without (finish_changes). */
static void notice_failure(struct outcome *first_failure, char *failures,
                           const struct outcome *outcome)
{
    bool present = first_failure->present || !outcome->absent;
    if (first_failure->status == VMH_STATUS_NEVER)
        *first_failure = *outcome;
    first_failure->present = present;
    append_message(failures, outcome->message);
}

/* Asks one socket; a failure goes to *first_failure (the first one kept)
 * and to failures (every one's text), except an unbidden socket's
 * absence, which is none.  Returns whether it answered. */
static bool refresh_socket(const char *path, bool unbidden, const char *url, int64_t deadline_ms,
                           const struct vmh_snapshot *known, struct vmh_snapshot *out,
                           struct outcome *first_failure, char *failures)
{
    struct vmh_snapshot fresh;
    vmh_snapshot_init(&fresh);
    struct outcome outcome = {0};
    int result = ask_socket(path, url, deadline_ms, known, &fresh, &outcome);
    if (result == 0 && move_new_hosts(&fresh, out) != 0) {
        set_outcome(&outcome, VMH_STATUS_ERROR, "out of memory while adding Docker's containers");
        result = -1;
    }
    vmh_snapshot_free(&fresh);
    if (result != 0 && !(unbidden && outcome.absent))
        notice_failure(first_failure, failures, &outcome);
    return result == 0;
}

/* A user's own engine that is not running is no failure: most users have
 * none, which one lstat tells without starting curl.  A socket file that
 * nothing listens on is asked, unbidden (refresh_socket), so that an
 * engine that runs costs one connection, not a test connection first. */
bool vmh_docker_rootless_socket_file(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The user's rootless engines (rootless.h) that docker_socket does not
 * already list; never root's, so root's cache holds no user's containers. */
static bool refresh_rootless(const char *configured, const char *url, int64_t deadline_ms,
                             const struct vmh_snapshot *known, struct vmh_snapshot *out,
                             struct outcome *first_failure, char *failures)
{
    bool answered = false;
    char path[128];
    for (unsigned i = 0; i < VMH_ROOTLESS_SOCKET_COUNT; i++) {
        if (!vmh_rootless_socket(geteuid(), i, path, sizeof path) ||
            vmh_docker_socket_listed(configured, path) || !vmh_docker_rootless_socket_file(path))
            continue;
        answered |= refresh_socket(path, true, url, deadline_ms, known, out, first_failure,
                                   failures);
    }
    return answered;
}

/* Another user's rootless engine, listed in docker_socket: root's cache,
 * which every user reads, must never hold a user's containers, nor one
 * user's cache another's. */
static bool refuse_foreign(const char *path, struct outcome *first_failure, char *failures)
{
    if (!vmh_rootless_socket_foreign(geteuid(), path))
        return false;
    struct outcome outcome = {.absent = true}; /* never asked, so none of its containers */
    set_outcome(&outcome, VMH_STATUS_ERROR,
                "%.*s is another user's rootless engine: only that user's own refresh asks it",
                PATH_MAX_SHOWN, path);
    notice_failure(first_failure, failures, &outcome);
    return true;
}

int vmh_docker_event_sockets(const char *configured, char *out, size_t size)
{
    char path[128];
    int length = snprintf(out, size, "%s", configured ? configured : "");
    for (unsigned i = 0; i < VMH_ROOTLESS_SOCKET_COUNT && length >= 0 && (size_t)length < size;
         i++) {
        if (!vmh_rootless_socket(geteuid(), i, path, sizeof path) ||
            vmh_docker_socket_listed(out, path) || !vmh_docker_rootless_socket_file(path))
            continue;
        length += snprintf(out + length, size - (size_t)length, " %s", path);
    }
    return length >= 0 && (size_t)length < size ? 0 : -1;
}

bool vmh_docker_socket_listed(const char *sockets, const char *path)
{
    size_t length = strlen(path);
    for (const char *at = sockets; at && (at = strstr(at, path)) != NULL; at += length)
        if ((at == sockets || at[-1] == ' ' || at[-1] == '\t') &&
            (at[length] == '\0' || at[length] == ' ' || at[length] == '\t'))
            return true;
    return false;
}

/* The list URL for the containers changed since the last refresh, or the
 * whole list's (docker_changes.h); *changed says how many. */
static void list_url(char *url, size_t size, char ids[][VMH_DOCKER_ID_LENGTH + 1],
                     size_t *changed)
{
    *changed = vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX);
    size_t used = (size_t)snprintf(url, size, "%s", LIST_URL);
    if (*changed == 0)
        return;
    used += (size_t)snprintf(url + used, size - used, "%s", FILTER_START);
    for (size_t i = 0; i < *changed; i++)
        used += (size_t)snprintf(url + used, size - used, "%s%%22%s%%22", i ? "%2C" : "", ids[i]);
    snprintf(url + used, size - used, "%s", FILTER_END);
}

/* A changed container that no engine listed is gone: the merge takes it
 * away (vmh_snapshot_update_backend). */
static int add_gone(struct vmh_snapshot *out, char ids[][VMH_DOCKER_ID_LENGTH + 1],
                    size_t changed)
{
    for (size_t i = 0; i < changed; i++) {
        bool listed = false;
        for (size_t j = 0; j < out->count && !listed; j++)
            listed = out->hosts[j].id && strcmp(out->hosts[j].id, ids[i]) == 0;
        struct vmh_host *gone = listed ? NULL : vmh_snapshot_add(out);
        if (!listed && (!gone || !(gone->id = strdup(ids[i]))))
            return -1;
        if (gone) {
            gone->backend = VMH_BACKEND_DOCKER;
            gone->removed = true;
        }
    }
    return 0;
}

/* After every socket was asked: a whole list that every socket answered
 * is the new truth; a partial one counts only when every engine that is
 * there answered, since a changed container on a silent engine cannot be
 * told from a removed one.  A socket with no engine behind it holds none
 * (a whole list drops its containers too).  A whole list beside an engine
 * that is there and failed updates the containers it lists and keeps the
 * others as last seen, as one engine's failure keeps them all: a hung
 * Podman does not take its containers' names away while Docker answers.
 * A container removed from an engine that answered is kept too until
 * every engine answers again (the next refresh lists all). */
static bool finish_changes(struct vmh_snapshot *out, bool answered, bool all_answered,
                           char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t changed,
                           struct outcome *first_failure)
{
    if (changed == 0) {
        if (all_answered) {
            vmh_docker_changes_listed_all();
            vmh_docker_sharing_learn(out);
        } else if (answered) {
            out->partial = true;
        }
        return answered;
    }
    if (all_answered && add_gone(out, ids, changed) == 0) {
        /* Their own next list is a whole one, which holds what they share. */
        if (vmh_docker_drop_unshared(out) > 0)
            vmh_docker_changes_list_all();
        out->partial = true;
        return true;
    }
    vmh_docker_changes_list_all();
    if (all_answered)
        set_outcome(first_failure, VMH_STATUS_ERROR, "out of memory");
    return false;
}

int vmh_docker_refresh(const char *sockets, long timeout_ms, const struct vmh_snapshot *known,
                       struct vmh_snapshot *out)
{
    int64_t now_ms = vmh_realtime_ms();
    int64_t deadline_ms = vmh_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    struct outcome first_failure = {.status = VMH_STATUS_NEVER};
    char failures[VMH_MESSAGE_MAX] = "";
    bool answered = false;
    char ids[VMH_DOCKER_CHANGED_MAX][VMH_DOCKER_ID_LENGTH + 1], url[FILTERED_URL_MAX];
    size_t changed;
    list_url(url, sizeof url, ids, &changed);
    char *list = strdup(sockets ? sockets : "");
    char *cursor = list, *path;
    while (list && (path = strsep(&cursor, " \t")) != NULL)
        if (path[0] && !refuse_foreign(path, &first_failure, failures))
            answered |= refresh_socket(path, false, url, deadline_ms, known, out, &first_failure,
                                       failures);
    answered |= refresh_rootless(sockets, url, deadline_ms, known, out, &first_failure, failures);
    answered = finish_changes(out, answered, answered && !first_failure.present, ids, changed,
                              &first_failure);
    if (answered && changed == 0 && out->partial)
        append_text(failures, " (the containers it listed last are kept)");
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
