/* vmh_docker_event_relevant against the lines a real dockerd (20.10.24) sent on
 * GET /events while a container was run, renamed, connected to and
 * disconnected from a network, paused, exec'd into, stopped and removed;
 * then the older API's shape, input that is not Docker's, and whose engines
 * the watcher follows at all. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "peercred_wrap.h"
#include "clock.h"
#include "docker_changes.h"
#include "docker_events.h"

struct sample {
    const char *what;
    bool relevant;
    const char *line;
};

/* Captured with `curl --unix-socket ... http://localhost/events`. */
static const struct sample captured[] = {
    {"container create", false,
     "{\"status\":\"create\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-one\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058184083672}"},
    {"network connect", true,
     "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"c7c34517add3391ddb24023cb7336b264153abb93544830aeb7597ad250c13d9\",\"Attributes\":{\"container\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"name\":\"bridge\",\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058208725453}"},
    {"container start", true,
     "{\"status\":\"start\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-one\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058433539070}"},
    {"container rename", true,
     "{\"status\":\"rename\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\",\"oldName\":\"/cap-one\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058458440626}"},
    {"network create", false,
     "{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":\"268a64a9df69ba900dc5391ddf5787c9e90dda02a5cd2f190b7af817479dadb0\",\"Attributes\":{\"name\":\"cap-net\",\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058488117559}"},
    {"network connect", true,
     "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"268a64a9df69ba900dc5391ddf5787c9e90dda02a5cd2f190b7af817479dadb0\",\"Attributes\":{\"container\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"name\":\"cap-net\",\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058594379122}"},
    {"network disconnect", true,
     "{\"Type\":\"network\",\"Action\":\"disconnect\",\"Actor\":{\"ID\":\"268a64a9df69ba900dc5391ddf5787c9e90dda02a5cd2f190b7af817479dadb0\",\"Attributes\":{\"container\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"name\":\"cap-net\",\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058680047416}"},
    {"network disconnect", true,
     "{\"Type\":\"network\",\"Action\":\"disconnect\",\"Actor\":{\"ID\":\"268a64a9df69ba900dc5391ddf5787c9e90dda02a5cd2f190b7af817479dadb0\",\"Attributes\":{\"container\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"name\":\"cap-net\",\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058688056880}"},
    {"container pause", false,
     "{\"status\":\"pause\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"pause\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058709230969}"},
    {"container unpause", false,
     "{\"status\":\"unpause\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"unpause\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058732827413}"},
    {"container exec_create: true", false,
     "{\"status\":\"exec_create: true \",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"exec_create: true \",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"execID\":\"44010897b3980740a54420bfb60f405da8fe73b593fc5bd39c04f86c9e520d2a\",\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058755294641}"},
    {"container exec_start: true", false,
     "{\"status\":\"exec_start: true \",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"exec_start: true \",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"execID\":\"44010897b3980740a54420bfb60f405da8fe73b593fc5bd39c04f86c9e520d2a\",\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058755683176}"},
    {"container kill", false,
     "{\"status\":\"kill\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\",\"signal\":\"15\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058834383436}"},
    {"container die", true,
     "{\"status\":\"die\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"exitCode\":\"143\",\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058862397849}"},
    {"network disconnect", true,
     "{\"Type\":\"network\",\"Action\":\"disconnect\",\"Actor\":{\"ID\":\"c7c34517add3391ddb24023cb7336b264153abb93544830aeb7597ad250c13d9\",\"Attributes\":{\"container\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"name\":\"bridge\",\"type\":\"bridge\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058909761144}"},
    {"container stop", false,
     "{\"status\":\"stop\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"stop\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058919413055}"},
    {"container destroy", true,
     "{\"status\":\"destroy\",\"id\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"from\":\"vmhosts-test:latest\",\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311\",\"Attributes\":{\"image\":\"vmhosts-test:latest\",\"name\":\"cap-two\"}},\"scope\":\"local\",\"time\":1795428058,\"timeNano\":1795428058957008989}"},
};

static void check_line(const char *line, bool expected, const char *what)
{
    char text[200];
    snprintf(text, sizeof text, "%s: %s", what, expected ? "relevant" : "ignored");
    CHECK(vmh_docker_event_relevant(line, strlen(line)) == expected, text);
}

static void test_captured(void)
{
    for (size_t i = 0; i < sizeof captured / sizeof captured[0]; i++)
        check_line(captured[i].line, captured[i].relevant, captured[i].what);
}

/* Podman 4.3.1's Docker-compatible API, `podman system service`, captured the
 * same way while a container was run, stopped and removed: it names a
 * removal "remove" where Docker says "destroy", and an engine of its own
 * may say "died" (its native name) where Docker says "die". */
#define PODMAN_ID "a0fc6a3a26a95e3e5795d3c16784bd1527f34262f74d2905e1f4acb5b748601f"
static const char podman_die[] =
    "{\"status\":\"die\",\"id\":\"" PODMAN_ID "\",\"from\":\"localhost/vmh-busybox:latest\",\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"" PODMAN_ID "\",\"Attributes\":{\"containerExitCode\":\"137\",\"exitCode\":\"137\",\"image\":\"localhost/vmh-busybox:latest\",\"name\":\"evt1\",\"podId\":\"\"}},\"scope\":\"local\",\"time\":1796180397,\"timeNano\":1796180397594673030}";
static const char podman_remove[] =
    "{\"status\":\"remove\",\"id\":\"" PODMAN_ID "\",\"from\":\"localhost/vmh-busybox:latest\",\"Type\":\"container\",\"Action\":\"remove\",\"Actor\":{\"ID\":\"" PODMAN_ID "\",\"Attributes\":{\"containerExitCode\":\"0\",\"image\":\"localhost/vmh-busybox:latest\",\"name\":\"evt1\",\"podId\":\"\"}},\"scope\":\"local\",\"time\":1796180399,\"timeNano\":1796180399251023679}";

static void test_podman(void)
{
    static const char *const deaths[] = {podman_die, podman_remove,
                                         "{\"Type\":\"container\",\"Action\":\"died\",\"Actor\":"
                                         "{\"ID\":\"" PODMAN_ID "\"}}"};
    static const char *const what[] = {"Podman die", "Podman remove", "Podman died"};
    for (size_t i = 0; i < 3; i++) {
        char text[80];
        vmh_docker_changes_forget();
        check_line(deaths[i], true, what[i]);
        snprintf(text, sizeof text, "%s: a death, noted by its Actor.ID", what[i]);
        CHECK(vmh_docker_died(PODMAN_ID, vmh_monotonic_ms()), text);
    }
    vmh_docker_changes_forget();
}

/* API before 1.22 sent only status, id and from, for containers. */
static void test_old_api(void)
{
    check_line("{\"status\":\"start\",\"id\":\"4386fb97867d\",\"from\":\"busybox\",\"time\":1461943101}",
               true, "API 1.21 start");
    check_line("{\"status\":\"die\",\"id\":\"4386fb97867d\",\"from\":\"busybox\",\"time\":1461943105}",
               true, "API 1.21 die");
    check_line("{\"status\":\"create\",\"id\":\"4386fb97867d\",\"from\":\"busybox\",\"time\":1461943101}",
               false, "API 1.21 create");
}

static void test_not_docker(void)
{
    static const char *const odd[] = {"not json at all", "{\"Type\":\"container\"", "[1,2,3]",
                                      "\"start\"", "{}", "{\"Type\":\"container\",\"Action\":7}"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        check_line(odd[i], true, odd[i]);
    check_line("", false, "an empty line");
    check_line(" \r", false, "a blank line");
    check_line("{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":\"busybox:latest\"}}", false,
               "an image pull");
    check_line("{\"Type\":\"volume\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"v1\"}}", false,
               "a volume destroy (same action, other type)");
    check_line("{\"Type\":\"network\",\"Action\":\"start\"}", false,
               "network start (a container action on another type)");
    /* The length given is what counts, not a NUL. */
    const char *two = "{\"Type\":\"container\",\"Action\":\"die\"}{\"Type\":\"image\"";
    CHECK(vmh_docker_event_relevant(two, strlen("{\"Type\":\"container\",\"Action\":\"die\"}")),
          "only `length` bytes are read");
}

#define CAPTURED_ID "eb837a3f6f27c6a53a7c27f2d487047757b6f28d34767c6ad60cbb76d21fe311"

static const char *captured_line(const char *what)
{
    for (size_t i = 0; i < sizeof captured / sizeof captured[0]; i++)
        if (strcmp(captured[i].what, what) == 0)
            return captured[i].line;
    return "";
}

static void feed(const char *what)
{
    const char *line = captured_line(what);
    vmh_docker_event_relevant(line, strlen(line));
}

/* A list taken right after `die` still says running: the death wins until a start. */
static void test_deaths(void)
{
    vmh_docker_changes_forget();
    feed("container start");
    CHECK(!vmh_docker_died(CAPTURED_ID, vmh_monotonic_ms()), "deaths: a started container is alive");
    feed("container die");
    CHECK(vmh_docker_died(CAPTURED_ID, vmh_monotonic_ms()), "deaths: `die` is noted by its Actor.ID");
    feed("network disconnect");
    CHECK(vmh_docker_died(CAPTURED_ID, vmh_monotonic_ms()),
          "deaths: the network disconnect that follows keeps the death");
    CHECK(!vmh_docker_died("eb837a3f6f27", vmh_monotonic_ms()), "deaths: only the full ID matches");
    CHECK(!vmh_docker_died(CAPTURED_ID, vmh_monotonic_ms() + VMH_DOCKER_CHANGED_KEEP_MS + 1),
          "deaths: forgotten once the list has caught up");

    struct vmh_host hosts[2] = {{.id = CAPTURED_ID, .backend = VMH_BACKEND_DOCKER,
                                 .state = VMH_STATE_RUNNING},
                                {.id = "1111", .backend = VMH_BACKEND_DOCKER,
                                 .state = VMH_STATE_RUNNING}};
    struct vmh_snapshot fresh = {.hosts = hosts, .count = 2, .capacity = 2};
    vmh_docker_deaths_apply(&fresh, vmh_monotonic_ms());
    CHECK(hosts[0].state == VMH_STATE_STOPPED && hosts[1].state == VMH_STATE_RUNNING,
          "deaths: the list's running container that died is stopped, no other");

    feed("container start");
    CHECK(!vmh_docker_died(CAPTURED_ID, vmh_monotonic_ms()), "deaths: a start undoes a death");
    feed("container destroy");
    CHECK(vmh_docker_died(CAPTURED_ID, vmh_monotonic_ms()), "deaths: `destroy` is noted too");
    vmh_docker_changes_forget();
    CHECK(!vmh_docker_died(CAPTURED_ID, vmh_monotonic_ms()), "deaths: forgotten on reconnection");
}

/* Which container each event names, for the next refresh's filtered list. */
static void test_changes(void)
{
    char ids[VMH_DOCKER_CHANGED_MAX][VMH_DOCKER_ID_LENGTH + 1];
    vmh_docker_changes_listed_all();
    CHECK_INT(vmh_docker_changes_take(vmh_monotonic_ms() + VMH_DOCKER_CHANGED_KEEP_MS + 1, ids,
                                      VMH_DOCKER_CHANGED_MAX),
              0, "changes: none noted: list everything");
    feed("network connect");
    CHECK(vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX) == 1 &&
              strcmp(ids[0], CAPTURED_ID) == 0,
          "changes: a network event names its container, not the network");
    feed("container rename");
    CHECK_INT(vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX), 1,
              "changes: the same container twice is one ID");
    feed("container pause");
    CHECK_INT(vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX), 1,
              "changes: an event that changes nothing names nothing");
    check_line("not json at all", true, "changes: a line not understood");
    CHECK_INT(vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX), 0,
              "changes: after a line not understood, list everything");
    vmh_docker_changes_listed_all();
    check_line("{\"status\":\"die\",\"id\":\"4386fb97867d\"}", true, "changes: a short ID");
    CHECK_INT(vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX), 0,
              "changes: an ID that is not a full one: list everything");
    vmh_docker_changes_listed_all();
    char id[VMH_DOCKER_ID_LENGTH + 1];
    for (int i = 0; i <= VMH_DOCKER_CHANGED_MAX; i++) {
        snprintf(id, sizeof id, "%064x", i);
        vmh_docker_change_note(id, VMH_DOCKER_CHANGED, vmh_monotonic_ms());
    }
    CHECK_INT(vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX), 0,
              "changes: more containers at once than the filter holds: list everything");
}

/* What a refresh fixes before it asks is what its list then asks for:
 * the refresh copies those containers' hosts, and only those, out of the
 * previous cache (tools/refresh/refresh.c). */
static void test_fixed(void)
{
    char fixed[VMH_DOCKER_CHANGED_MAX][VMH_DOCKER_ID_LENGTH + 1];
    char taken[VMH_DOCKER_CHANGED_MAX][VMH_DOCKER_ID_LENGTH + 1];
    vmh_docker_changes_forget();
    vmh_docker_changes_listed_all();
    feed("container start");
    /* After the note: now + KEEP + 1 is then past it, however slow the
     * run (ASan). */
    int64_t now = vmh_monotonic_ms();
    CHECK(vmh_docker_changes_fix(now, fixed, VMH_DOCKER_CHANGED_MAX) == 1 &&
              strcmp(fixed[0], CAPTURED_ID) == 0,
          "fixed: the changed container");
    CHECK(vmh_docker_changes_take(now + VMH_DOCKER_CHANGED_KEEP_MS + 1, taken,
                                  VMH_DOCKER_CHANGED_MAX) == 1 &&
              strcmp(taken[0], CAPTURED_ID) == 0,
          "fixed: taken even when it would have expired meanwhile (else a whole list)");
    CHECK_INT(vmh_docker_changes_take(now + VMH_DOCKER_CHANGED_KEEP_MS + 1, taken,
                                      VMH_DOCKER_CHANGED_MAX),
              0, "fixed: for one take only");
    CHECK_INT(vmh_docker_changes_fix(now, fixed, VMH_DOCKER_CHANGED_MAX), 1, "fixed: again");
    vmh_docker_changes_list_all();
    CHECK_INT(vmh_docker_changes_take(now, taken, VMH_DOCKER_CHANGED_MAX), 0,
              "fixed: undone by a whole list asked for meanwhile");
    vmh_docker_changes_listed_all();
    CHECK_INT(vmh_docker_changes_fix(now + VMH_DOCKER_CHANGED_KEEP_MS + 1, fixed,
                                     VMH_DOCKER_CHANGED_MAX),
              0, "fixed: nothing recent: a whole list");
    vmh_docker_change_note(CAPTURED_ID, VMH_DOCKER_CHANGED, now);
    CHECK_INT(vmh_docker_changes_take(now, taken, VMH_DOCKER_CHANGED_MAX), 1,
              "fixed: undone by a change noted meanwhile, which the take sees");
}

static const char *engine_status = "200 OK";

/* In a forked engine: listens on `path`, as user `uid` ((uid_t)-1: as
 * this process's), and says so through `ready`; exits if it cannot. */
static int engine_listen(const char *path, uid_t uid, int ready)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(address.sun_path, sizeof address.sun_path, "%s", path);
    if (uid != (uid_t)-1 && (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0))
        _exit(1);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(listener, 4) != 0 || write(ready, "", 1) != 1)
        _exit(1);
    return listener;
}

/* The engine `pid` forked with the pipe `ready`, once it listens; -1 when
 * it did not start. */
static pid_t engine_started(pid_t pid, int ready[2])
{
    close(ready[1]);
    char byte;
    bool started = pid > 0 && read(ready[0], &byte, 1) == 1;
    close(ready[0]);
    return started ? pid : -1;
}

/* An engine that accepts one GET /events, answers, and a moment later
 * (once every stream has begun, which forgets what came before) sends one
 * `die` of `id`; then keeps the stream open until killed.  It listens as
 * user `uid` ((uid_t)-1: as this process's), whose folder `path` must be
 * in: the kernel gives a connection the user who listened.  Its status
 * line is engine_status's. */
static pid_t fake_engine(const char *path, const char *id, uid_t uid)
{
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        char request[4096], event[256], headers[128];
        int headers_length = snprintf(headers, sizeof headers,
                                      "HTTP/1.1 %s\r\nContent-Type: application/json\r\n\r\n",
                                      engine_status);
        int fd = accept(engine_listen(path, uid, ready[1]), NULL, NULL);
        if (fd < 0 || read(fd, request, sizeof request) <= 0 ||
            write(fd, headers, (size_t)headers_length) != headers_length)
            _exit(1);
        usleep(300 * 1000);
        int length = snprintf(event, sizeof event,
                              "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"%s\"}}\n",
                              id);
        if (write(fd, event, (size_t)length) != length)
            _exit(1);
        pause();
        _exit(0);
    }
    return engine_started(pid, ready);
}

static void stop_engine(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

/* The watcher follows every engine of docker_socket at once (Docker beside
 * Podman): each stream's events arrive.  Run under ASan (tests/sanitizers.sh)
 * this also checks that no stream's handle points at memory that moved. */
static void test_two_engines(void)
{
    char dir[] = "/tmp/vmhosts-events-XXXXXX", one[64], two[64], sockets[140];
    const char *id_one = "1111111111111111111111111111111111111111111111111111111111111111";
    const char *id_two = "2222222222222222222222222222222222222222222222222222222222222222";
    if (!mkdtemp(dir))
        return;
    alarm(30); /* memory that moved under a stream can hang it: fail, never hang */
    snprintf(one, sizeof one, "%s/one.sock", dir);
    snprintf(two, sizeof two, "%s/two.sock", dir);
    snprintf(sockets, sizeof sockets, " %s\t%s ", one, two);
    pid_t engines[2] = {fake_engine(one, id_one, (uid_t)-1), fake_engine(two, id_two, (uid_t)-1)};
    vmh_docker_changes_forget();
    struct vmh_events *events = vmh_events_open(sockets, 1000);
    CHECK(events != NULL, "two engines: both streams open");
    int64_t deadline = vmh_monotonic_ms() + 5000;
    while (events && vmh_monotonic_ms() < deadline &&
           !(vmh_docker_died(id_one, vmh_monotonic_ms()) && vmh_docker_died(id_two, vmh_monotonic_ms())))
        vmh_events_wait(events, -1, 100);
    CHECK(vmh_docker_died(id_one, vmh_monotonic_ms()), "two engines: the first one's event arrives");
    CHECK(vmh_docker_died(id_two, vmh_monotonic_ms()), "two engines: the second one's event arrives");
    vmh_events_close(events);
    for (int i = 0; i < 2; i++)
        stop_engine(engines[i]);
    unlink(one);
    unlink(two);
    rmdir(dir);
    vmh_docker_changes_forget();
    alarm(0);
}

/* What the watcher says on stderr between said_begin and said_end, kept in
 * a file beside `path`. */
struct said {
    char path[PATH_MAX];
    int saved, log;
};

static bool said_begin(struct said *said, const char *path)
{
    snprintf(said->path, sizeof said->path, "%s.said", path);
    fflush(stderr);
    said->saved = dup(2);
    said->log = open(said->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    return said->saved >= 0 && said->log >= 0 && dup2(said->log, 2) == 2;
}

static void said_end(struct said *said, char *text, size_t size)
{
    fflush(stderr);
    if (said->saved >= 0)
        dup2(said->saved, 2);
    ssize_t length = said->log >= 0 ? pread(said->log, text, size - 1, 0) : -1;
    text[length > 0 ? length : 0] = '\0';
    if (said->saved >= 0)
        close(said->saved);
    if (said->log >= 0)
        close(said->log);
    unlink(said->path);
}

static unsigned follow_for(struct vmh_events *events, int ms)
{
    unsigned seen = 0;
    for (int64_t end = vmh_monotonic_ms() + ms; events && vmh_monotonic_ms() < end;)
        seen |= vmh_events_wait(events, -1, 100);
    return seen;
}

/* Follows the engine on `path` (started as `uid`) for a second and a half,
 * what the watcher says meanwhile in `text`; the VMH_EVENTS_* bits seen. */
static unsigned follow_briefly(const char *path, const char *id, uid_t uid, char *text,
                               size_t size)
{
    struct said said;
    unsigned seen = 0;
    pid_t engine = fake_engine(path, id, uid);
    CHECK(engine > 0, "a fake engine starts");
    if (said_begin(&said, path) && engine > 0) {
        vmh_docker_changes_forget();
        struct vmh_events *events = vmh_events_open(path, 1000);
        seen = follow_for(events, 1500);
        vmh_events_close(events);
    }
    said_end(&said, text, size);
    stop_engine(engine);
    unlink(path);
    return seen;
}

/* Another user's engine does not even wake the watcher (unix_peer.h): the
 * stream stops at the status line, before an event is read, and the
 * watcher says whose engine it is.  Nor does one whose user the kernel
 * does not say.  As root, the engine runs as nobody; as any user, the
 * kernel's answer is taken away. */
static void test_foreign_engine(void)
{
    char dir[] = "/tmp/vmhosts-events-XXXXXX", path[64], said[4096];
    const char *id = "3333333333333333333333333333333333333333333333333333333333333333";
    if (!mkdtemp(dir))
        return;
    alarm(30);
    snprintf(path, sizeof path, "%s/docker.sock", dir);
    unsigned seen = follow_briefly(path, id, (uid_t)-1, said, sizeof said);
    CHECK((seen & VMH_EVENTS_CONNECTED) && vmh_docker_died(id, vmh_monotonic_ms()),
          "own engine: followed, its event seen");
    peercred_fails = true;
    seen = follow_briefly(path, id, (uid_t)-1, said, sizeof said);
    peercred_fails = false;
    CHECK(!(seen & VMH_EVENTS_CONNECTED) && !vmh_docker_died(id, vmh_monotonic_ms()),
          "peer unknown: not followed, its event not seen");
    CHECK(strstr(said, "the kernel does not say who runs Docker on") != NULL,
          "peer unknown: the watcher says why");
    engine_status = "404 Not Found";
    seen = follow_briefly(path, id, (uid_t)-1, said, sizeof said);
    engine_status = "200 OK";
    CHECK(!(seen & VMH_EVENTS_CONNECTED), "an engine without events: not followed");
    CHECK(strstr(said, "Docker answered HTTP 404 to GET /events") != NULL,
          "... and the watcher says what it answered, not curl's words for the refusal");
    if (geteuid() == 0 && chown(dir, 65534, 65534) == 0) {
        seen = follow_briefly(path, id, 65534, said, sizeof said);
        CHECK(!(seen & VMH_EVENTS_CONNECTED) && !vmh_docker_died(id, vmh_monotonic_ms()),
              "nobody's engine: not followed by root, its event not seen");
        CHECK(strstr(said, "runs as user 65534, neither root nor you") != NULL,
              "nobody's engine: the watcher names its user");
    } else {
        printf("# nobody's engine: skipped, not root\n");
    }
    rmdir(dir);
    vmh_docker_changes_forget();
    alarm(0);
}

/* An engine that answers every GET /events with the status line and
 * closes, and writes a byte to `counted` for each connection. */
static pid_t counting_engine(const char *path, int counted)
{
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        static const char headers[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
        char request[4096];
        int listener = engine_listen(path, (uid_t)-1, ready[1]);
        for (int fd; (fd = accept(listener, NULL, NULL)) >= 0; close(fd))
            if (write(counted, "", 1) != 1 || read(fd, request, sizeof request) <= 0 ||
                write(fd, headers, sizeof headers - 1) < 0)
                continue;
        _exit(1);
    }
    return engine_started(pid, ready);
}

/* Stops a counting engine and takes away its socket, its folder and its
 * pipe; the watcher's memory of changes goes with them. */
static void counting_done(pid_t engine, int counted[2], const char *path, const char *dir)
{
    close(counted[0]);
    close(counted[1]);
    stop_engine(engine);
    unlink(path);
    rmdir(dir);
    vmh_docker_changes_forget();
    alarm(0);
}

/* A daemon whose user may not answer is not asked again every 2 s, as a
 * daemon that is down is, but once a minute: 1.5 s of following it make
 * one connection, where the backoff from 100 ms made four or five. */
static void test_foreign_engine_retried_seldom(void)
{
    char dir[] = "/tmp/vmhosts-events-XXXXXX", path[64];
    int counted[2];
    if (!mkdtemp(dir) || pipe2(counted, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    alarm(30);
    snprintf(path, sizeof path, "%s/docker.sock", dir);
    pid_t engine = counting_engine(path, counted[1]);
    CHECK(engine > 0, "a counting engine starts");
    peercred_fails = true;
    struct said said;
    char text[4096];
    if (said_begin(&said, path) && engine > 0) {
        struct vmh_events *events = vmh_events_open(path, 1000);
        follow_for(events, 1500);
        vmh_events_close(events);
    }
    said_end(&said, text, sizeof text);
    peercred_fails = false;
    char bytes[64];
    ssize_t connections = read(counted[0], bytes, sizeof bytes);
    CHECK_INT(connections, 1, "a daemon of unknown user: one connection in 1.5 s, not one per backoff");
    counting_done(engine, counted, path, dir);
}

/* A daemon that was down and then answers as one whose user may not: the
 * watcher says each, with the period of its retries, so that its log does
 * not promise a retry every 2 s while it waits a minute. */
static void test_down_then_foreign(void)
{
    char dir[] = "/tmp/vmhosts-events-XXXXXX", path[64], text[4096];
    int counted[2];
    if (!mkdtemp(dir) || pipe2(counted, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    alarm(30);
    snprintf(path, sizeof path, "%s/docker.sock", dir);
    struct said said;
    pid_t engine = -1;
    peercred_fails = true;
    if (said_begin(&said, path)) {
        struct vmh_events *events = vmh_events_open(path, 1000);
        follow_for(events, 300);
        engine = counting_engine(path, counted[1]);
        follow_for(events, 1200);
        vmh_events_close(events);
    }
    said_end(&said, text, sizeof text);
    peercred_fails = false;
    CHECK(engine > 0, "a counting engine starts");
    const char *down = strstr(text, "retrying every 2000 ms or less\n");
    const char *foreign = strstr(text, "the kernel does not say who runs Docker");
    CHECK(down && foreign && down < foreign, "down: said first, with a retry every 2 s");
    CHECK(foreign && strstr(foreign, "retrying every 60000 ms or less\n"),
          "then another user's: said again, with a retry every minute");
    counting_done(engine, counted, path, dir);
}

int main(void)
{
    test_captured();
    test_old_api();
    test_podman();
    test_not_docker();
    test_deaths();
    test_changes();
    test_fixed();
    test_two_engines();
    test_foreign_engine();
    test_foreign_engine_retried_seldom();
    test_down_then_foreign();
    return check_done();
}
