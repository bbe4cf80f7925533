/* The LXD (and Incus) backend's parser: real answers of Debian 12's LXD
 * (tests/fixtures/lxd/) and hostile or odd ones. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "check_hosts.h"
#include "dead_socket.h"
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

/* A routed NIC (recorded): LXD gives it a MAC of its own, as a bridged
 * one.  An ipvlan NIC has its parent's, recorded nowhere: its addresses
 * are its device's static ones. */
static void test_nic_types(void)
{
    CHECK(parse_fixture("lxd-5.0.2-instances-recursion2-routed-nic.json") == 0 &&
              snapshot.count == 1,
          "an instance with a bridged NIC and a routed one");
    CHECK_STR(addresses_of("ipv"), "10.6.0.9 10.6.0.10 fd66::9",
              "the routed NIC's addresses (eth0 has none but link-local)");
    CHECK(parse_string("{\"type\":\"sync\",\"metadata\":[{\"name\":\"iv\",\"status\":"
                       "\"Running\",\"config\":{\"volatile.eth0.hwaddr\":\"00:16:3e:00:00:01\"},"
                       "\"expanded_devices\":{\"eth1\":{\"type\":\"nic\",\"nictype\":\"ipvlan\","
                       "\"parent\":\"enp5s0\",\"ipv4.address\":\"192.0.2.7,192.0.2.8/24,bad,\","
                       "\"ipv6.address\":\"2001:db8::7\"},\"eth2\":{\"type\":\"nic\","
                       "\"nictype\":\"bridged\",\"ipv4.address\":\"10.9.9.9\"}},"
                       "\"state\":{\"network\":{\"eth0\":{\"hwaddr\":\"00:16:3e:00:00:01\","
                       "\"addresses\":[{\"family\":\"inet\",\"address\":\"10.1.1.1\","
                       "\"scope\":\"global\"}]},\"eth1\":{\"hwaddr\":\"52:54:00:aa:bb:cc\","
                       "\"addresses\":[{\"family\":\"inet\",\"address\":\"192.0.2.7\","
                       "\"scope\":\"global\"}]}}}},{\"name\":\"off\",\"status\":\"Stopped\","
                       "\"expanded_devices\":{\"eth1\":{\"type\":\"nic\",\"nictype\":\"ipvlan\","
                       "\"ipv4.address\":\"192.0.2.9\"}}}]}") == 0 &&
              snapshot.count == 2,
          "an instance with an ipvlan NIC, and a stopped one");
    CHECK_STR(addresses_of("iv"), "10.1.1.1 192.0.2.7 192.0.2.8 2001:db8::7",
              "the ipvlan device's static addresses, IPv4 first, no prefix, once; "
              "a bridged NIC's ipv4.address is only its DHCP reservation, not taken");
    CHECK_STR(addresses_of("off"), "", "a stopped instance's ipvlan addresses: none");
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

/* A stand-in for the calls of each running instance's state: the recorded
 * answers of the LXD that answered the recursion=1 list, by name. */
struct states {
    int result;       /* what ask returns, unless 0 and no answer is recorded */
    const char *body; /* the answer to every ask, instead of the recorded ones */
    int asked;
    char asked_of[256];
    char *recorded;
};

static int ask_recorded(void *context, const char *name, const char *project, const char **body,
                        size_t *length)
{
    struct states *states = context;
    states->asked++;
    size_t used = strlen(states->asked_of);
    snprintf(states->asked_of + used, sizeof states->asked_of - used, "%s%s/%s",
             used ? " " : "", name, project);
    free(states->recorded);
    states->recorded = NULL;
    char relative[256];
    snprintf(relative, sizeof relative, "lxd/lxd-5.0.2-instance-state-%s%s%s.json", name,
             project[0] && strcmp(project, "default") != 0 ? "-project-" : "",
             strcmp(project, "default") != 0 ? project : "");
    if (!states->body && states->result == 0)
        states->recorded = check_read_file(check_fixture(relative), length);
    *body = states->body ? states->body : states->recorded;
    if (states->body)
        *length = strlen(states->body);
    return states->result == 0 && !*body ? -1 : states->result;
}

static int parse_brief(struct states *states)
{
    vmh_snapshot_free(&snapshot);
    vmh_snapshot_init(&snapshot);
    error[0] = '\0';
    size_t length = 0;
    char *text = check_read_file(
        check_fixture("lxd/lxd-5.0.2-instances-recursion1-two-projects.json"), &length);
    struct vmh_lxd_states ask = {ask_recorded, states};
    int result = text ? vmh_lxd_parse_brief(text, length, VMH_BACKEND_LXD, &ask, &snapshot,
                                            error, sizeof error)
                      : -2;
    free(text);
    free(states->recorded);
    states->recorded = NULL;
    return result;
}

/* The list without state (asked when the whole one is past the bound),
 * each running instance's state asked on its own: the same hosts as the
 * whole list LXD gave at the same moment. */
static void test_brief(void)
{
    CHECK(parse_fixture("lxd-5.0.2-instances-recursion2-two-projects-snapshot.json") == 0 &&
              snapshot.count == 2,
          "the whole list (an instance with a snapshot, one of the project shop)");
    char whole[256];
    snprintf(whole, sizeof whole, "%s | ", addresses_of("acc1"));
    strncat(whole, addresses_of("web.shop"), sizeof whole - strlen(whole) - 1);
    CHECK_STR(whole, "10.98.7.50 fd42:98:7::50 | 10.98.7.51", "... its addresses");
    struct states states = {0};
    CHECK(parse_brief(&states) == 0 && snapshot.count == 2, "the list without state: 2 hosts");
    char brief[256];
    snprintf(brief, sizeof brief, "%s | ", addresses_of("acc1"));
    strncat(brief, addresses_of("web.shop"), sizeof brief - strlen(brief) - 1);
    CHECK_STR(brief, whole, "... the same addresses, from each instance's state");
    CHECK_STR(states.asked_of, "acc1/default web/shop", "... each asked once, in its project");
    states = (struct states){.result = 1};
    CHECK(parse_brief(&states) == 0 && snapshot.count == 2 &&
              snapshot.hosts[0].state == VMH_STATE_RUNNING,
          "an instance gone since the list: listed all the same");
    CHECK_STR(addresses_of("acc1"), "", "... with no address");
    states = (struct states){.result = -1};
    CHECK(parse_brief(&states) == -1 && snapshot.count == 0 && states.asked == 1 &&
              strstr(error, "cannot ask LXD the state of acc1") != NULL,
          "a state that cannot be asked: the list fails, no host, no second ask");
    states = (struct states){.body = "{\"type\":\"error\",\"error_code\":404,\"metadata\":null}"};
    CHECK(parse_brief(&states) == -1 && snapshot.count == 0 &&
              strstr(error, "not the state of acc1") != NULL,
          "an answer that is not a state: refused, with a reason");
    states = (struct states){.body = "{\"type\":\"sync\",\"metadata\":{\"network\":[]}}"};
    CHECK(parse_brief(&states) == 0 && snapshot.count == 2, "a state with no network map");
    CHECK_STR(addresses_of("acc1"), "", "... gives no address");
    const char *list = "{\"type\":\"sync\",\"metadata\":[{\"name\":\"off\",\"status\":"
                       "\"Stopped\"},{\"name\":\"on\",\"status\":\"Ready\",\"project\":\"p\"}]}";
    struct vmh_lxd_states ask = {ask_recorded, &states};
    states = (struct states){.body = "{\"type\":\"sync\",\"metadata\":{}}"};
    CHECK(vmh_lxd_parse_brief(list, strlen(list), VMH_BACKEND_LXD, &ask, &snapshot, error,
                              sizeof error) == 0,
          "a stopped instance and a ready one");
    CHECK_STR(states.asked_of, "on/p", "... only the one that runs is asked its state");
}

/* A socket file that nothing listens on: a daemon that stopped without
 * removing it, told apart from the connection curl could not make. */
static void test_dead_socket(void)
{
    char dir[] = "/tmp/test-lxd-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char path[64];
    snprintf(path, sizeof path, "%s/unix.socket", dir);
    CHECK(make_dead_socket(path), "dead socket: made");
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    CHECK_INT(vmh_lxd_refresh("LXD", VMH_BACKEND_LXD, path, 1000, &out), -1,
              "dead socket: the refresh fails");
    const struct vmh_backend_state *state = &out.backends[VMH_BACKEND_LXD];
    CHECK_INT(state->status, VMH_STATUS_UNAVAILABLE, "dead socket: unavailable");
    CHECK(strstr(state->message, "nothing listens on /tmp/test-lxd-") != NULL,
          "dead socket: the message names it");
    vmh_snapshot_free(&out);
    unlink(path);
    rmdir(dir);
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
    test_brief();
    test_nic_types();
    test_dead_socket();
    vmh_snapshot_free(&snapshot);
    return check_done();
}
