/* `vmhosts status`: each backend, asked live (can this user reach it?) and
 * as the cache recorded it, and each cache the module would read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "status.h"
#include "texts.h"

/* Connects to one Docker socket; 0 or the errno.  Connecting is enough to
 * tell missing, refused and denied apart; the refresher does the talking. */
static int probe_socket(const char *path)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path)
        return ENAMETOOLONG;
    memcpy(address.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    int error = connect(fd, (const struct sockaddr *)&address, sizeof address) == 0 ? 0 : errno;
    close(fd);
    return error;
}

static const char *socket_advice(int error)
{
    switch (error) {
    case ENOENT:
    case ENOTDIR:
        return "start Docker (sudo systemctl start docker), or set docker_socket in "
               "vmhosts.conf to the socket it uses";
    case EACCES:
    case EPERM:
        return "have root run `vmhosts watch` (sudo systemctl enable --now vmhosts-watch), "
               "whose cache every user reads; or add yourself to the docker group";
    case ECONNREFUSED:
        return "the socket exists but nothing listens: restart Docker "
               "(sudo systemctl restart docker)";
    default:
        return "check docker_socket in vmhosts.conf";
    }
}

static void count_records(const struct vmh_cache *cache, enum vmh_backend backend,
                          unsigned *total, unsigned *running)
{
    *total = *running = 0;
    for (uint32_t i = 0; i < cache->header->record_count; i++) {
        if (cache->records[i].backend != backend)
            continue;
        ++*total;
        *running += cache->records[i].state == VMH_STATE_RUNNING;
    }
}

/* What the cache the module would use recorded for the backend; whether it
 * answers names (status ok).  A failure recorded for a backend this user
 * reaches now is only a note: the next lookup asks again.  Otherwise it is
 * said at `failed_level`, with what to do when that is a problem. */
static bool say_recorded(const struct vmh_cli_cache *slot, enum vmh_backend backend,
                         bool reachable, enum vmh_level failed_level,
                         struct vmh_status_report *report)
{
    if (!slot) {
        vmh_say(report, VMH_NOTE, "no cache yet: the first lookup (or `vmhosts refresh`) asks");
        return false;
    }
    const struct vmh_cache_backend *state = vmh_cache_state(&slot->cache, backend);
    const char *message = vmh_cache_string(&slot->cache, state->message);
    char age[64];
    if (state->status == VMH_STATUS_OK) {
        unsigned total, running;
        count_records(&slot->cache, backend, &total, &running);
        vmh_format_age(state->updated_ms, age, sizeof age);
        vmh_say(report, VMH_OK, "%s cache: %u %s%s, %u running, answered %s%s", slot->whose,
                total, backend == VMH_BACKEND_DOCKER ? "container" : "VM", total == 1 ? "" : "s",
                running, age,
                slot->watched ? " (kept fresh by vmhosts watch)" : "");
        return true;
    }
    vmh_format_age(state->attempted_ms, age, sizeof age);
    enum vmh_level level = reachable ? VMH_NOTE : failed_level;
    vmh_say(report, level, "%s cache: %s when last asked (%s)%s%s%s", slot->whose,
            vmh_backend_status_name(state->status), age, message[0] ? ": " : "", message,
            reachable ? "; the next lookup asks again" : "");
    if (level == VMH_PROBLEM)
        vmh_say_do(vmh_backend_advice(backend, state->status, message));
    return false;
}

static void status_docker(const struct vmh_cli_view *view, struct vmh_status_report *report)
{
    puts("docker:");
    char *sockets = strdup(view->config->docker_socket), *cursor = sockets, *path;
    bool reachable = false;
    int first_error = 0;
    while (sockets && (path = strsep(&cursor, " ")) != NULL) {
        if (!path[0])
            continue;
        int error = probe_socket(path);
        reachable |= error == 0;
        first_error = first_error ? first_error : error;
        if (error == 0)
            vmh_say(report, VMH_OK, "%s accepts connections", path);
        else
            vmh_say(report, VMH_NOTE, "%s: %s", path,
                    error == ENOENT ? "does not exist" : strerror(error));
    }
    free(sockets);
    const struct vmh_cli_cache *slot = vmh_view_choose(view, VMH_BACKEND_DOCKER);
    /* Unreachable is one problem, said once below with what to do. */
    bool answers = say_recorded(slot, VMH_BACKEND_DOCKER, reachable, VMH_NOTE, report);
    if (!reachable && !(answers && slot->watched)) {
        vmh_say(report, VMH_PROBLEM, "this user cannot reach Docker and no watcher keeps a "
                                     "cache: *.docker names will not resolve");
        vmh_say_do(socket_advice(first_error ? first_error : ENOENT));
    }
}

static void status_multipass(const struct vmh_cli_view *view, struct vmh_status_report *report)
{
    const char *command = view->config->multipass_command;
    puts("multipass:");
    if (access(command, X_OK) != 0) {
        int error = errno;
        bool missing = error == ENOENT || error == ENOTDIR;
        vmh_say(report, missing ? VMH_WARNING : VMH_PROBLEM, "%s: %s: VM names do not resolve",
                command, missing ? "not installed" : strerror(error));
        vmh_say_do(missing ? "sudo snap install multipass, or set multipass_command in "
                             "vmhosts.conf; without VMs, ignore this"
                           : "check multipass_command in vmhosts.conf and its permissions");
        return;
    }
    vmh_say(report, VMH_OK, "%s is installed", command);
    say_recorded(vmh_view_choose(view, VMH_BACKEND_MULTIPASS), VMH_BACKEND_MULTIPASS, false,
                 VMH_PROBLEM, report);
}

void vmh_status_backends(const struct vmh_cli_view *view, struct vmh_status_report *report)
{
    status_docker(view, report);
    status_multipass(view, report);
}

static void status_cache(const struct vmh_cli_cache *slot, struct vmh_status_report *report)
{
    char path[VMH_PATH_MAX + 32], age[64];
    vmh_cache_path(slot, path, sizeof path);
    switch (slot->error) {
    case VMH_CACHE_OK:
        vmh_format_age(slot->cache.header->written_ms, age, sizeof age);
        vmh_say(report, VMH_OK, "%s (%s): written %s, %u records, %s", path, slot->whose, age,
                slot->cache.header->record_count,
                slot->watched ? "kept fresh by vmhosts watch" : "no watcher");
        return;
    case VMH_CACHE_MISSING:
        vmh_say(report, VMH_NOTE, "%s (%s): not written yet", path, slot->whose);
        return;
    case VMH_CACHE_CORRUPT:
    case VMH_CACHE_OTHER_VERSION:
        vmh_say(report, VMH_WARNING, "%s (%s): %s: ignored, the next refresh replaces it", path,
                slot->whose, vmh_cache_error_text(slot->error));
        vmh_say_do("vmhosts refresh");
        return;
    case VMH_CACHE_UNTRUSTED:
    case VMH_CACHE_IO:
    default:
        vmh_say(report, VMH_PROBLEM, "%s (%s): %s: the module ignores it", path, slot->whose,
                vmh_cache_error_text(slot->error));
        vmh_say_do("it and its folder must be owned by root or you and writable by no one "
                   "else: remove it and run `vmhosts refresh`");
        return;
    }
}

void vmh_status_caches(const struct vmh_cli_view *view, struct vmh_status_report *report)
{
    puts("caches:");
    if (view->own_squatted)
        vmh_say(report, VMH_WARNING, "/tmp/vmhosts-%lu, your default cache folder, belongs to "
                                     "someone else (made before you could); %s",
                (unsigned long)geteuid(), view->own.dir[0] ? "using the folder below instead"
                                                            : "and no other could be made");
    if (view->own.dir[0])
        status_cache(&view->own, report);
    else
        vmh_say(report, VMH_PROBLEM, "no cache folder for this user (set user_cache_dir in "
                                     "vmhosts.conf)");
    if (view->root.dir[0])
        status_cache(&view->root, report);
}
