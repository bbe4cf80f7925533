/* The LXD (and Incus) backend's parser: real answers of Debian 12's LXD
 * (tests/fixtures/lxd/) and hostile or odd ones. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "check_hosts.h"
#include "lxd.h"

static struct vmh_snapshot snapshot;
static char error[VMH_MESSAGE_MAX];

static int parse_text(const char *text, size_t length)
{
    vmh_snapshot_free(&snapshot);
    vmh_snapshot_init(&snapshot);
    error[0] = '\0';
    return vmh_lxd_parse_instances(text, length, VMH_BACKEND_LXD, &snapshot, error,
                                   sizeof error);
}

static int parse_string(const char *text)
{
    return parse_text(text, strlen(text));
}

static int parse_fixture(const char *name)
{
    char relative[256];
    snprintf(relative, sizeof relative, "lxd/%s", name);
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

/* The host's addresses as text, space-separated, in the order kept. */
static const char *addresses_of(const char *name)
{
    return check_addresses_of(&snapshot, name);
}

static void test_fixtures(void)
{
    CHECK(parse_fixture("lxd-5.0.2-instances-recursion2-running-container.json") == 0 &&
              snapshot.count == 1 && snapshot.hosts[0].state == VMH_STATE_RUNNING &&
              snapshot.hosts[0].backend == VMH_BACKEND_LXD,
          "running container: one running host of the lxd backend");
    CHECK_STR(addresses_of("acc1"), "10.98.7.50",
              "running container: eth0's global IPv4; not lo, not link-local IPv6");
    CHECK(parse_fixture("lxd-5.0.2-instances-recursion2-stopped-container.json") == 0 &&
              snapshot.count == 1 && snapshot.hosts[0].state == VMH_STATE_STOPPED,
          "stopped container: listed, not running");
    CHECK_STR(addresses_of("acc1"), "", "stopped container: no address");
}

/* One instance in the shape of the fixture: its NIC eth0 (MAC aa), and a
 * docker0 inside it with a MAC LXD did not give. */
#define INSTANCE(name, project, status)                                                        \
    "{\"name\":\"" name "\",\"project\":\"" project "\",\"status\":\"" status "\","             \
    "\"config\":{\"volatile.eth0.hwaddr\":\"00:16:3E:00:00:AA\"},"                              \
    "\"state\":{\"network\":{"                                                                   \
    "\"lo\":{\"hwaddr\":\"\",\"addresses\":[{\"family\":\"inet\",\"address\":\"127.0.0.1\","    \
    "\"scope\":\"local\"}]},"                                                                    \
    "\"docker0\":{\"hwaddr\":\"02:42:00:00:00:01\",\"addresses\":[{\"family\":\"inet\","         \
    "\"address\":\"172.17.0.1\",\"scope\":\"global\"}]},"                                        \
    "\"eth0\":{\"hwaddr\":\"00:16:3e:00:00:aa\",\"addresses\":["                                 \
    "{\"family\":\"inet6\",\"address\":\"fd42::5\",\"scope\":\"global\"},"                       \
    "{\"family\":\"inet6\",\"address\":\"fe80::1\",\"scope\":\"link\"},"                         \
    "{\"family\":\"inet\",\"address\":\"10.1.1.5\",\"scope\":\"global\"}]}}}}"

static void test_rules(void)
{
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[" INSTANCE("web", "default", "Running")
                       "," INSTANCE("web", "shop", "Running") "," INSTANCE("db", "", "Frozen")
                       "]}") == 0 &&
              snapshot.count == 3,
          "three instances");
    CHECK_STR(addresses_of("web"), "10.1.1.5 fd42::5",
              "its own NIC's global addresses, IPv4 first; not docker0 inside it");
    CHECK_STR(addresses_of("web.shop"), "10.1.1.5 fd42::5",
              "an instance of another project is <name>.<project>");
    CHECK(snapshot.hosts[2].state == VMH_STATE_STOPPED && snapshot.hosts[2].addr_count == 0,
          "a frozen instance does not answer");
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[" INSTANCE("up", "default", "Ready")
                       "]}") == 0 &&
              snapshot.count == 1 && snapshot.hosts[0].state == VMH_STATE_RUNNING,
          "a Ready instance (it signalled so through /dev/lxd) is running");
    CHECK_STR(addresses_of("up"), "10.1.1.5 fd42::5", "... and answers its addresses");
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[" INSTANCE("bad name", "default",
                                                                    "Running")
                       "," INSTANCE("ok", "x\\ny", "Running") "]}") == 0 &&
              snapshot.count == 0,
          "names no host has (a blank, a newline in the project) are skipped");
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[1,\"x\",null,{}]}") == 0 &&
              snapshot.count == 0,
          "entries that are not instances are skipped");
}

/* Interfaces in the order a person numbers them: eth2 before eth10. */
static void test_interface_order(void)
{
#define NIC(name, mac, address)                                                                \
    "\"" name "\":{\"hwaddr\":\"" mac "\",\"addresses\":[{\"family\":\"inet\",\"address\":\"" address \
    "\",\"scope\":\"global\"}]}"
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[{\"name\":\"multi\",\"status\":"
                       "\"Running\",\"config\":{\"volatile.eth10.hwaddr\":\"00:16:3e:00:00:10\","
                       "\"volatile.eth2.hwaddr\":\"00:16:3e:00:00:02\"},\"state\":{\"network\":{"
                       NIC("eth10", "00:16:3e:00:00:10", "10.1.10.1") ","
                       NIC("eth2", "00:16:3e:00:00:02", "10.1.2.1") "}}}]}") == 0,
          "an instance with eth2 and eth10 parses");
#undef NIC
    CHECK_STR(addresses_of("multi"), "10.1.2.1 10.1.10.1", "eth2's address before eth10's");
}

static void test_refused(void)
{
    static const char *const bodies[] = {
        "", "[]", "{}", "{\"type\":\"async\",\"metadata\":[]}",
        "{\"type\":\"sync\",\"metadata\":{}}", "{\"type\":\"sync\",\"metadata\":[]} x",
        "{\"type\":\"error\",\"error\":\"not authorized\",\"error_code\":403}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char what[160];
        snprintf(what, sizeof what, "refused, with a reason: %s", bodies[i]);
        CHECK(parse_string(bodies[i]) == -1 && snapshot.count == 0 &&
                  strstr(error, "not its list of instances") != NULL,
              what);
    }
    CHECK(vmh_lxd_parse_instances(NULL, 0, VMH_BACKEND_LXD, &snapshot, error, sizeof error) ==
              -1,
          "no body: refused");
}

/* A NIC whose MAC its device sets (hwaddr): LXD writes no volatile key;
 * a device of another type with that MAC does not count. */
static void test_device_mac(void)
{
    const char *state = "\"state\":{\"network\":{\"eth0\":{\"hwaddr\":\"00:16:3e:00:00:bb\","
                        "\"addresses\":[{\"family\":\"inet\",\"address\":\"10.1.1.7\","
                        "\"scope\":\"global\"}]}}}";
    char body[1024];
    snprintf(body, sizeof body,
             "{\"type\":\"sync\",\"metadata\":[{\"name\":\"fixed\",\"status\":\"Running\","
             "\"config\":{},\"expanded_devices\":{\"eth0\":{\"type\":\"nic\","
             "\"hwaddr\":\"00:16:3E:00:00:BB\"}},%s},"
             "{\"name\":\"odd\",\"status\":\"Running\",\"config\":{},"
             "\"expanded_devices\":{\"x\":{\"type\":\"disk\",\"hwaddr\":\"00:16:3e:00:00:bb\"}},"
             "%s}]}",
             state, state);
    CHECK(parse_string(body) == 0 && snapshot.count == 2, "two instances with a device's MAC");
    CHECK_STR(addresses_of("fixed"), "10.1.1.7", "a NIC device's own hwaddr: its address");
    CHECK_STR(addresses_of("odd"), "", "the same MAC on a device that is no NIC: none");
}

/* user.vmhosts.names: names of the user's choosing, as Docker's label. */
static void test_chosen(void)
{
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[{\"name\":\"web\",\"project\":"
                       "\"default\",\"status\":\"Running\",\"config\":{"
                       "\"user.vmhosts.names\":\"DB.lxd, api.shop.lxd.,bad name.lxd\"}}]}") == 0 &&
              snapshot.count == 1 && snapshot.hosts[0].chosen_count == 2,
          "user.vmhosts.names: the valid names, once");
    CHECK(snapshot.count == 1 && snapshot.hosts[0].chosen_count == 2 &&
              strcmp(snapshot.hosts[0].chosen[0], "api.shop.lxd") == 0 &&
              strcmp(snapshot.hosts[0].chosen[1], "db.lxd") == 0,
          "user.vmhosts.names: lowercase, no trailing dot");
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[{\"name\":\"web\",\"project\":"
                       "\"default\",\"status\":\"Running\",\"config\":{"
                       "\"user.vmhosts.names\":7}}]}") == 0 &&
              snapshot.count == 1 && snapshot.hosts[0].chosen_count == 0,
          "user.vmhosts.names that is not text: no names, the instance stays");
}

int main(void)
{
    vmh_snapshot_init(&snapshot);
    test_fixtures();
    test_rules();
    test_interface_order();
    test_refused();
    test_chosen();
    test_device_mac();
    vmh_snapshot_free(&snapshot);
    return check_done();
}
