/* The multipass backend: the parser on real and hostile output, and a
 * refresh through the stand-in tests/stubs/multipass. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "multipass.h"
#include "subprocess.h"

static struct vmh_snapshot snapshot;
static char error[VMH_MESSAGE_MAX];

static int parse_text(const char *text, size_t length)
{
    vmh_snapshot_free(&snapshot);
    vmh_snapshot_init(&snapshot);
    error[0] = '\0';
    return vmh_multipass_parse_list(text, length, &snapshot, error, sizeof error);
}

static int parse_string(const char *text)
{
    return parse_text(text, strlen(text));
}

static int parse_fixture(const char *name)
{
    char relative[256];
    snprintf(relative, sizeof relative, "multipass/%s", name);
    size_t length = 0;
    char *text = check_read_file(check_fixture(relative), &length);
    if (!text) {
        printf("# cannot read fixture %s\n", check_fixture(relative));
        return -2;
    }
    int result = parse_text(text, length);
    free(text);
    return result;
}

static const struct vmh_host *find_host(const char *name)
{
    for (size_t i = 0; i < snapshot.count; i++)
        if (snapshot.hosts[i].name && strcmp(snapshot.hosts[i].name, name) == 0)
            return &snapshot.hosts[i];
    return NULL;
}

/* The host's only address, as text; "" when it has none, "?" when more. */
static const char *only_address(const struct vmh_host *host)
{
    static char text[INET6_ADDRSTRLEN];
    if (!host || host->addr_count == 0)
        return "";
    if (host->addr_count > 1 || host->addrs[0].family != 4)
        return "?";
    return inet_ntop(AF_INET, host->addrs[0].bytes, text, sizeof text);
}

static void check_vm(const char *name, int state, const char *address)
{
    char what[160];
    const struct vmh_host *host = find_host(name);
    snprintf(what, sizeof what, "%s is listed", name);
    CHECK(host != NULL, what);
    if (!host)
        return;
    snprintf(what, sizeof what, "%s is a multipass VM without ID or hostname", name);
    CHECK(host->backend == VMH_BACKEND_MULTIPASS && !host->id && !host->hostname, what);
    snprintf(what, sizeof what, "%s state", name);
    CHECK_INT(host->state, state, what);
    snprintf(what, sizeof what, "%s address", name);
    CHECK_STR(only_address(host), address, what);
}

static void test_fixtures(void)
{
    CHECK_INT(parse_fixture("multipass-v1.16-list-1vm-2ipv4.json"), 0, "1.16 single VM parses");
    CHECK_INT(snapshot.count, 1, "one VM");
    check_vm("foo", VMH_STATE_RUNNING, "10.168.32.2"); /* not the guest's second IPv4 */

    const char *both[] = {"multipass-v1.16-list-running-and-stopped.json",
                          "multipass-main-1.17dev-list-running-and-stopped-zone.json"};
    for (size_t i = 0; i < 2; i++) {
        CHECK_INT(parse_fixture(both[i]), 0, both[i]);
        CHECK_INT(snapshot.count, 2, "a running and a stopped VM");
        check_vm("bogus-instance", VMH_STATE_RUNNING, "10.21.124.56");
        check_vm("bombastic", VMH_STATE_STOPPED, "");
    }

    CHECK_INT(parse_fixture("multipass-v1.16-list-empty.json"), 0, "empty list parses");
    CHECK_INT(snapshot.count, 0, "empty list has no VM");

    CHECK_INT(parse_fixture("multipass-v1.16-info-running-and-stopped.json"), -1,
              "`multipass info` output is not taken for a list");
    CHECK(strstr(error, "not its JSON list") != NULL, "and says so");
}

static void test_synthetic(void)
{
    CHECK_INT(parse_string("{\"list\":[{\"name\":\"new\",\"state\":\"Running\",\"ipv4\":[\"N/A\"]},"
                           "{\"name\":\"v6\",\"state\":\"Running\",\"ipv4\":[\"fd00::1\"]},"
                           "{\"name\":\"bad-first\",\"state\":\"Running\","
                           "\"ipv4\":[\"x\",\"10.0.0.9\"]},"
                           "{\"name\":\"num\",\"state\":\"Running\",\"ipv4\":[167772161]},"
                           "{\"name\":\"notarray\",\"state\":\"Running\",\"ipv4\":\"10.0.0.7\"},"
                           "{\"name\":\"zeros\",\"state\":\"Running\",\"ipv4\":[\"010.0.0.1\"]},"
                           "{\"name\":\"unspecified\",\"state\":\"Running\","
                           "\"ipv4\":[\"0.0.0.0\",\"10.0.0.9\"]},"
                           "{\"name\":\"mapped\",\"state\":\"Running\","
                           "\"ipv4\":[\"::ffff:10.0.0.9\"]}]}"),
              0, "VMs with odd ipv4 lists parse");
    CHECK_INT(snapshot.count, 8, "every VM is listed");
    check_vm("new", VMH_STATE_RUNNING, "");       /* N/A: address not known yet */
    check_vm("v6", VMH_STATE_RUNNING, "");        /* an IPv6 in the ipv4 list */
    check_vm("bad-first", VMH_STATE_RUNNING, ""); /* no fall back to a guest bridge */
    check_vm("num", VMH_STATE_RUNNING, "");
    check_vm("notarray", VMH_STATE_RUNNING, "");
    check_vm("zeros", VMH_STATE_RUNNING, "");
    check_vm("unspecified", VMH_STATE_RUNNING, ""); /* 0.0.0.0: no address */
    check_vm("mapped", VMH_STATE_RUNNING, "");

    CHECK_INT(parse_string("{\"list\":[{\"state\":\"Delayed Shutdown\",\"name\":\"leaving\","
                           "\"ipv4\":[\"10.0.0.2\"],\"release\":\"Not Available\"},"
                           "{\"name\":\"booting\",\"state\":\"Starting\",\"ipv4\":[\"10.0.0.3\"]},"
                           "{\"name\":\"asleep\",\"state\":\"Suspended\",\"ipv4\":[\"10.0.0.4\"]},"
                           "{\"name\":\"odd\",\"state\":7,\"ipv4\":[\"10.0.0.5\"]},"
                           "{\"name\":\"nostate\",\"ipv4\":[\"10.0.0.6\"]},"
                           "{\"name\":\"old\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.8\"],"
                           "\"release\":\"22.04 LTS\",\"zone\":{\"name\":\"z\"},"
                           "\"extra\":[1,{}]}]}"),
              0, "every state parses");
    check_vm("leaving", VMH_STATE_RUNNING, "10.0.0.2"); /* still up until the delay ends */
    check_vm("booting", VMH_STATE_STOPPED, "");
    check_vm("asleep", VMH_STATE_STOPPED, "");
    check_vm("odd", VMH_STATE_STOPPED, "");
    check_vm("nostate", VMH_STATE_STOPPED, "");
    check_vm("old", VMH_STATE_RUNNING, "10.0.0.8");

    CHECK_INT(parse_string("{\"list\":[{\"state\":\"Running\",\"ipv4\":[\"10.0.0.1\"]},"
                           "{\"name\":5},{\"name\":\"\"},{\"name\":null},[\"x\"],\"y\",null,"
                           "{\"name\":\"kept\",\"state\":\"Stopped\",\"ipv4\":[]}]}"),
              0, "entries without a usable name are skipped, not fatal");
    CHECK_INT(snapshot.count, 1, "only the named VM is kept");
    check_vm("kept", VMH_STATE_STOPPED, "");
}

/* A VM name with a newline, an escape, a space, non-ASCII, an empty label
 * or a label past 64 characters is no host name: such a VM is not listed,
 * since its name is the only way to reach it. */
static void test_invalid_names(void)
{
    char text[2048], label[301];
    memset(label, 'v', 300);
    label[300] = '\0';
    snprintf(text, sizeof text,
             "{\"list\":[{\"name\":\"a\\nb\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.1\"]},"
             "{\"name\":\"x\\n127.6.6.6 forged\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.2\"]},"
             "{\"name\":\"esc\\u001b[2J\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.3\"]},"
             "{\"name\":\"two words\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.4\"]},"
             "{\"name\":\"caf\u00e9\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.5\"]},"
             "{\"name\":\"a..b\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.6\"]},"
             "{\"name\":\"%s\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.7\"]},"
             "{\"name\":\"Good-VM\",\"state\":\"Running\",\"ipv4\":[\"10.0.0.8\"]}]}",
             label);
    CHECK_INT(parse_string(text), 0, "VMs with invalid names: the list parses");
    CHECK_INT(snapshot.count, 1, "VMs with invalid names: only the valid one is listed");
    check_vm("Good-VM", VMH_STATE_RUNNING, "10.0.0.8");
}

static void check_rejected(const char *text, size_t length, const char *what)
{
    CHECK_INT(parse_text(text, length), -1, what);
    char detail[200];
    snprintf(detail, sizeof detail, "%s: clear message, nothing added", what);
    CHECK(strstr(error, "multipass printed something that is not its JSON list") == error &&
              snapshot.count == 0,
          detail);
}

static void test_broken(void)
{
    check_rejected("", 0, "empty output");
    check_rejected("  \n", 3, "blank output");
    check_rejected("[]", 2, "a top-level array");
    check_rejected("{\"list\":{}}", 11, "a list that is an object");
    check_rejected("{\"lists\":[]}", 12, "no list key");
    check_rejected("\"list\"", 6, "a bare string");
    check_rejected("{\"list\":[]} trailing", 20, "text after the list");
    check_rejected("{\"list\":[{\"name\":\"a\xff\xfe\"}]}", 24, "bytes that are not UTF-8");
    check_rejected("{\"list\":[{\"name\":\"a\0b\"}]}", 24, "a raw NUL byte in a string");
    check_rejected("{\"list\":[]}\0", 12, "a NUL byte after the list");
    check_rejected("{\"list\":[{\"name\":\"a\\u0000b\"}]}", 29, "an escaped NUL in a name");
    check_rejected(NULL, 0, "no output at all");

    size_t length = 0;
    const char *fixture = "multipass/multipass-v1.16-list-running-and-stopped.json";
    char *text = check_read_file(check_fixture(fixture), &length);
    CHECK(text != NULL, "fixture read");
    int accepted = 0;
    for (size_t cut = 0; text && cut + 2 < length; cut++) /* every cut short of the last '}' */
        if (parse_text(text, cut) != -1 || snapshot.count != 0) {
            printf("# truncated at %zu was accepted\n", cut);
            accepted++;
        }
    CHECK_INT(accepted, 0, "output truncated anywhere is rejected");
    free(text);

    enum { DEPTH = 100000 };
    char *deep = malloc(DEPTH + 16);
    memcpy(deep, "{\"list\":", 8);
    memset(deep + 8, '[', DEPTH);
    check_rejected(deep, DEPTH + 8, "deeply nested arrays");
    free(deep);

    char tiny[8];
    vmh_snapshot_free(&snapshot);
    vmh_snapshot_init(&snapshot);
    CHECK_INT(vmh_multipass_parse_list("x", 1, &snapshot, tiny, sizeof tiny), -1,
              "small error buffer");
    CHECK_INT(strlen(tiny), sizeof tiny - 1, "the message is cut to fit");
    CHECK_INT(vmh_multipass_parse_list("x", 1, &snapshot, NULL, 0), -1, "no error buffer");
}

/* A failed parse keeps what the snapshot held before; a good one appends. */
static void test_keeps_previous(void)
{
    parse_fixture("multipass-v1.16-list-1vm-2ipv4.json");
    CHECK_INT(vmh_multipass_parse_list("{\"list\":[{\"name\":\"x\"},", 22, &snapshot, error,
                                       sizeof error),
              -1, "broken list after a good one");
    CHECK_INT(snapshot.count, 1, "the earlier host stays");
    CHECK_INT(vmh_multipass_parse_list("{\"list\":[{\"name\":\"x\"}]}", 23, &snapshot, error,
                                       sizeof error),
              0, "a second list");
    CHECK_INT(snapshot.count, 2, "is appended");
}

static void test_large(void)
{
    enum { VMS = 60000 };
    const char *entry = "%s{\"name\":\"vm-%05d\",\"state\":\"Running\","
                        "\"release\":\"Ubuntu 24.04 LTS\","
                        "\"ipv4\":[\"10.%d.%d.%d\",\"172.17.0.1\",\"172.18.0.1\"],"
                        "\"zone\":{\"name\":\"zone1\",\"available\":true},"
                        "\"padding\":\"..................................................\"}";
    size_t capacity = (size_t)VMS * 256 + 64, used = 0;
    char *text = malloc(capacity);
    used += (size_t)snprintf(text, capacity, "{\"list\":[");
    for (int i = 0; i < VMS; i++)
        used += (size_t)snprintf(text + used, capacity - used, entry, i ? "," : "", i, i >> 16,
                                 (i >> 8) & 255, i & 255);
    used += (size_t)snprintf(text + used, capacity - used, "]}");
    printf("# large list: %zu bytes\n", used);
    CHECK(used > 10u * 1024 * 1024, "the large list is over 10 MB");
    CHECK_INT(parse_text(text, used), 0, "a 10 MB list parses");
    CHECK_INT(snapshot.count, VMS, "every VM of it");
    check_vm("vm-59999", VMH_STATE_RUNNING, "10.0.234.95");
    free(text);
}

/* --- vmh_multipass_refresh through tests/stubs/multipass ------------------ */

static char stub[1024];
static char scratch[] = "/tmp/vmh-multipass-test-XXXXXX";

static int64_t clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static const char *scratch_file(const char *name)
{
    static char path[sizeof scratch + 64];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    return path;
}

/* One refresh with the stub set up by `mode` or `fixture`; *snapshot holds
 * what it made.  The backend's updated_ms starts at 1234 to show whether it
 * was touched. */
static int refresh_with(const char *command, const char *mode, const char *fixture, long timeout_ms)
{
    unsetenv("MULTIPASS_STUB_MODE");
    unsetenv("MULTIPASS_STUB_FIXTURE");
    if (mode)
        setenv("MULTIPASS_STUB_MODE", mode, 1);
    if (fixture)
        setenv("MULTIPASS_STUB_FIXTURE", check_fixture(fixture), 1);
    vmh_snapshot_free(&snapshot);
    vmh_snapshot_init(&snapshot);
    snapshot.backends[VMH_BACKEND_MULTIPASS].updated_ms = 1234;
    return vmh_multipass_refresh(command, timeout_ms, &snapshot);
}

static const struct vmh_backend_state *backend(void)
{
    return &snapshot.backends[VMH_BACKEND_MULTIPASS];
}

static void expect_failure(int result, enum vmh_backend_status status, const char *needle,
                         const char *what)
{
    char detail[200];
    CHECK_INT(result, -1, what);
    snprintf(detail, sizeof detail, "%s: status", what);
    CHECK_INT(backend()->status, status, detail);
    snprintf(detail, sizeof detail, "%s: message says why", what);
    if (!strstr(backend()->message, needle))
        printf("# message: %s\n", backend()->message);
    CHECK(strstr(backend()->message, needle) != NULL, detail);
    snprintf(detail, sizeof detail, "%s: attempted now, not updated, no hosts", what);
    CHECK(backend()->attempted_ms > clock_ms() - 60000 && backend()->updated_ms == 1234 &&
              snapshot.count == 0,
          detail);
}

static int count_lines(const char *path)
{
    size_t length = 0;
    char *text = check_read_file(path, &length);
    int lines = 0;
    for (size_t i = 0; text && i < length; i++)
        lines += text[i] == '\n';
    free(text);
    return lines;
}

static void test_refresh_ok(void)
{
    setenv("MULTIPASS_STUB_COUNT", scratch_file("count"), 1);
    int64_t before = clock_ms();
    int result = refresh_with(stub, NULL, "multipass/multipass-v1.16-list-running-and-stopped.json",
                              10000);
    int64_t after = clock_ms();
    CHECK_INT(result, 0, "refresh through the stub works");
    CHECK_INT(backend()->status, VMH_STATUS_OK, "status OK");
    CHECK_STR(backend()->message, "", "no message");
    CHECK(backend()->attempted_ms >= before && backend()->attempted_ms <= after, "attempted now");
    CHECK(backend()->updated_ms >= backend()->attempted_ms && backend()->updated_ms <= after,
          "updated now");
    CHECK_INT(snapshot.count, 2, "both VMs");
    check_vm("bogus-instance", VMH_STATE_RUNNING, "10.21.124.56");
    CHECK_INT(count_lines(scratch_file("count")), 1, "multipass ran once");
    unsetenv("MULTIPASS_STUB_COUNT");

    /* The settings may come from a file instead (a child of getent). */
    FILE *config = fopen(scratch_file("config"), "w");
    fprintf(config, "MULTIPASS_STUB_FIXTURE=%s\n",
            check_fixture("multipass/multipass-v1.16-list-1vm-2ipv4.json"));
    fclose(config);
    setenv("MULTIPASS_STUB_CONFIG", scratch_file("config"), 1);
    CHECK_INT(refresh_with(stub, NULL, NULL, 10000), 0, "stub settings from a file");
    check_vm("foo", VMH_STATE_RUNNING, "10.168.32.2");
    unsetenv("MULTIPASS_STUB_CONFIG");

    const char *const argv[] = {stub, "info", "--format=json", NULL};
    struct vmh_spawn_result run = {0};
    vmh_spawn_run(argv, 10000, NULL, &run);
    CHECK(run.exited && run.exit_status == 2, "the stub answers nothing but list");
}

static void test_refresh_sleeper(void)
{
    setenv("MULTIPASS_STUB_PIDFILE", scratch_file("pid"), 1);
    int64_t start = clock_ms();
    int result = refresh_with(stub, "sleep", NULL, 500);
    int64_t elapsed = clock_ms() - start;
    unsetenv("MULTIPASS_STUB_PIDFILE");
    expect_failure(result, VMH_STATUS_ERROR, "did not answer within 500 ms",
                   "a multipass that hangs");
    printf("# gave up after %lld ms\n", (long long)elapsed);
    CHECK(elapsed >= 500 && elapsed < 500 + 2000, "given up at the deadline");
    char *pid_text = check_read_file(scratch_file("pid"), NULL);
    pid_t pid = pid_text ? (pid_t)atoi(pid_text) : 0;
    free(pid_text);
    CHECK(pid > 1, "the stub wrote its pid");
    CHECK(pid > 1 && kill(pid, 0) == -1 && errno == ESRCH, "the sleeper is gone, not a zombie");
}

static void test_refresh_failures(void)
{
    expect_failure(refresh_with(stub, "crash", NULL, 10000), VMH_STATUS_ERROR, "signal 11",
                 "a multipass that crashes");
    expect_failure(refresh_with(stub, "garbage", NULL, 10000), VMH_STATUS_ERROR,
                 "multipass printed something that is not its JSON list", "garbage output");
    expect_failure(refresh_with(stub, "exit3", NULL, 10000), VMH_STATUS_ERROR, "exit status 3",
                 "a failing multipass");
    expect_failure(refresh_with(stub, "huge", NULL, 20000), VMH_STATUS_ERROR, "more than 16 MiB",
                 "20 MB of output");
    expect_failure(refresh_with("/nonexistent/multipass", NULL, NULL, 10000),
                   VMH_STATUS_UNAVAILABLE,
                 "multipass is not installed at /nonexistent/multipass (install it, or set "
                 "multipass_command in vmhosts.conf)",
                 "no multipass");
    expect_failure(refresh_with("multipass", NULL, NULL, 10000), VMH_STATUS_ERROR,
                 "must be an absolute path", "a relative command");

    /* Not executable: even root gets EACCES from a file with no x bit. */
    FILE *file = fopen(scratch_file("noexec"), "w");
    fputs("#!/bin/sh\n", file);
    fclose(file);
    chmod(scratch_file("noexec"), 0644);
    char command[sizeof scratch + 64];
    snprintf(command, sizeof command, "%s", scratch_file("noexec"));
    char expected[sizeof command + 64];
    snprintf(expected, sizeof expected, "cannot run %s: permission denied", command);
    expect_failure(refresh_with(command, NULL, NULL, 10000), VMH_STATUS_DENIED, expected,
                 "a multipass we may not run");
}

static void remove_scratch(void)
{
    const char *names[] = {"count", "config", "pid", "noexec"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(scratch_file(names[i]));
    rmdir(scratch);
}

static void test_refresh(void)
{
    const char *top = getenv("top_srcdir");
    if (!top) {
        printf("# top_srcdir is not set: the refresh checks through the stub are skipped\n");
        return;
    }
    snprintf(stub, sizeof stub, "%s/tests/stubs/multipass", top);
    if (!mkdtemp(scratch)) {
        CHECK(0, "scratch folder");
        return;
    }
    test_refresh_ok();
    test_refresh_sleeper();
    test_refresh_failures();
    remove_scratch();
}

int main(void)
{
    vmh_snapshot_init(&snapshot);
    test_fixtures();
    test_synthetic();
    test_invalid_names();
    test_broken();
    test_keeps_previous();
    test_large();
    test_refresh();
    vmh_snapshot_free(&snapshot);
    return check_done();
}
