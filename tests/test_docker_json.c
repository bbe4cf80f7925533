/* The Docker backend: the JSON parsers against real and assembled API
 * output (tests/fixtures/docker), hostile input, and vmh_docker_refresh
 * against a fake Docker served by a forked child on a Unix socket. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "peercred_wrap.h"
#include "clock.h"
#include "dead_socket.h"
#include "docker.h"
#include "docker_changes.h"
#include "docker_entry.h"
#include "docker_list.h"
#include "docker_rootless.h"
#include "rootless.h"
#include "unix_http.h"

#define ID_WEB "f5af31dae7f665bd194ec7261bdc84e5df9c64753abb4a6cec6c33f7cf64c3fc"
#define ID_HOSTNET "111b22dba993f3282257cbafc87c77763cb4f8a8e534804ef1feae9c8ef282a1"
#define ID_SIDECAR "4cb07b47f9fb4d5b8d0e3b1e6d1c2f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e"
#define ID_EXITED "095351afe7b4995dfb3e965f9cfd3a07b1fe69198c50085a2cb7c2b5a5c9b62f"

#define LIST_152 "docker/docker-containers-json-list-api1.52-reconstructed.json"
#define LIST_122 "docker/docker-containers-json-list-default-bridge-api1.22.json"
#define INSPECT_COMPOSE "docker/docker-inspect-compose-userdefined-net-aliases-docker23.json"
#define INSPECT_HOST "docker/docker-inspect-net-host-docker23.json"
#define INSPECT_IPV6 "docker/docker-inspect-ipv6-multinet-dnsnames-api1.52-reconstructed-trimmed.json"
#define INSPECT_SIDECAR "docker/docker-inspect-net-container-X-reconstructed-trimmed.json"
/* Recorded from rootless Podman 4.3.1 (tests/e2e-rootless.sh's setup). */
#define ROOTLESS_LIST "docker/rootless-podman4.3-list.json"
#define ROOTLESS_INSPECT_5 "docker/rootless-podman4.3-inspect-port-127.0.0.5.json"
#define ROOTLESS_INSPECT_NONE "docker/rootless-podman4.3-inspect-no-ports.json"

static char *read_fixture(const char *name, size_t *length)
{
    char *text = check_read_file(check_fixture(name), length);
    if (!text) {
        printf("Bail out! cannot read fixture %s\n", check_fixture(name));
        exit(1);
    }
    return text;
}

static const struct vmh_host *find_host(const struct vmh_snapshot *snapshot, const char *name)
{
    for (size_t i = 0; i < snapshot->count; i++)
        if (snapshot->hosts[i].name && strcmp(snapshot->hosts[i].name, name) == 0)
            return &snapshot->hosts[i];
    return NULL;
}

/* The host's addresses as "a b c", in order. */
static const char *addresses_of(const struct vmh_host *host)
{
    static char text[2048];
    text[0] = '\0';
    for (size_t i = 0; host && i < host->addr_count; i++) {
        char one[INET6_ADDRSTRLEN];
        int family = host->addrs[i].family == 4 ? AF_INET : AF_INET6;
        inet_ntop(family, host->addrs[i].bytes, one, sizeof one);
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%s", used ? " " : "", one);
    }
    return text;
}

static int parse_text(const char *text, const struct vmh_snapshot *known,
                      struct vmh_snapshot *out, char *err, size_t err_size)
{
    return vmh_docker_parse_list(text, strlen(text), known, out, err, err_size);
}

/* --- the list fixtures ------------------------------------------------- */

static void test_list_api152(void)
{
    size_t length;
    char *body = read_fixture(LIST_152, &length);
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    char err[512] = "";
    CHECK_INT(vmh_docker_parse_list(body, length, NULL, &out, err, sizeof err), 0, "1.52: parses");
    CHECK_INT(out.count, 4, "1.52: four containers");
    const struct vmh_host *web = find_host(&out, "shop-web-1");
    CHECK(web != NULL, "1.52: name without its '/'");
    if (web) {
        CHECK_STR(web->id, ID_WEB, "1.52: full ID");
        CHECK_INT(web->backend, VMH_BACKEND_DOCKER, "1.52: backend docker");
        CHECK_INT(web->state, VMH_STATE_RUNNING, "1.52: State running");
        CHECK_STR(web->project, "shop", "1.52: compose project label");
        CHECK_STR(web->service, "web", "1.52: compose service label");
        CHECK(web->hostname == NULL, "1.52: no hostname in a list without `known`");
        CHECK(web->network_container == NULL, "1.52: own network");
        /* Networks by name ("backend" < "shop_default"), IPv4 first; the
         * empty GlobalIPv6Address of "backend" is skipped. */
        CHECK_STR(addresses_of(web), "172.21.0.5 172.20.0.2 fd00:dead:beef::2",
                  "1.52: every network's IPv4, then IPv6");
    }
    const struct vmh_host *hostnet = find_host(&out, "hostnet");
    CHECK_STR(addresses_of(hostnet), "127.0.0.1 ::1", "1.52: --network host is loopback");
    CHECK(hostnet && hostnet->project == NULL, "1.52: no compose label, no project");
    const struct vmh_host *sidecar = find_host(&out, "sidecar");
    CHECK_STR(sidecar ? sidecar->network_container : NULL, ID_WEB,
              "1.52: container:<id> remembered");
    CHECK_STR(addresses_of(sidecar), "172.21.0.5 172.20.0.2 fd00:dead:beef::2",
              "1.52: container:<id> has that container's addresses");
    const struct vmh_host *exited = find_host(&out, "drunk_golick");
    CHECK(exited && exited->state == VMH_STATE_STOPPED, "1.52: exited is stopped");
    CHECK_INT(exited ? exited->addr_count : 99, 0, "1.52: exited has no address");
    vmh_snapshot_free(&out);
    free(body);
}

static void test_list_api122(void)
{
    size_t length;
    char *body = read_fixture(LIST_122, &length);
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    CHECK_INT(vmh_docker_parse_list(body, length, NULL, &out, NULL, 0), 0, "1.22: parses");
    CHECK_INT(out.count, 1, "1.22: one container");
    const struct vmh_host *host = find_host(&out, "drunk_golick");
    CHECK_STR(host ? host->id : NULL, ID_EXITED, "1.22: ID");
    CHECK(host && host->state == VMH_STATE_RUNNING, "1.22: no State, Status \"Up ...\" runs");
    CHECK_STR(addresses_of(host), "172.17.0.2", "1.22: bridge address (NetworkMode default)");
    vmh_snapshot_free(&out);
    free(body);
}

static void add_known(struct vmh_snapshot *known, const char *id, const char *hostname,
                      uint8_t backend)
{
    struct vmh_host *host = vmh_snapshot_add(known);
    host->name = strdup("old-name");
    host->id = strdup(id);
    host->hostname = strdup(hostname);
    host->backend = backend;
    /* On the networks the list has it on, else it is inspected again. */
    if (strcmp(id, ID_WEB) == 0) {
        vmh_host_add_network(host, "backend");
        vmh_host_add_network(host, "shop_default");
    }
}

#define ENDPOINT_WEB_SHOP "e155c61c1608b20ba7a0bd34790fc342ec576310f75ef4399e96bf3a67e8b3f6"

/* The known web host's address on shop_default, from attachment `tag`. */
static void set_known_endpoint(struct vmh_snapshot *known, uint16_t tag)
{
    struct vmh_host *host = &known->hosts[0];
    host->addr_count = 0;
    vmh_host_add_address(host, "172.20.0.2");
    host->addrs[0].network = (uint8_t)vmh_host_network_named(host, "shop_default");
    host->addrs[0].endpoint[0] = (uint8_t)(tag & 0xffu);
    host->addrs[0].endpoint[1] = (uint8_t)(tag >> 8);
}

/* The list parsed again over `known` into *out (emptied first): its web
 * host, and that host's number of shop_default in *shop. */
static const struct vmh_host *parse_web(const char *body, size_t length,
                                        const struct vmh_snapshot *known,
                                        struct vmh_snapshot *out, int *shop, const char *what)
{
    vmh_snapshot_truncate(out, 0);
    CHECK_INT(vmh_docker_parse_list(body, length, known, out, NULL, 0), 0, what);
    const struct vmh_host *web = find_host(out, "shop-web-1");
    *shop = web ? vmh_host_network_named(web, "shop_default") : 0;
    return web;
}

/* A container disconnected from a network and connected again between
 * two refreshes (`docker network connect --alias new`) is on the same
 * networks, by a new attachment: its old aliases are no longer its names. */
static void test_endpoint_from_known(void)
{
    size_t length;
    char *body = read_fixture(LIST_152, &length);
    struct vmh_snapshot known, out;
    int shop;
    vmh_snapshot_init(&known);
    vmh_snapshot_init(&out);
    add_known(&known, ID_WEB, "Web-Host", VMH_BACKEND_DOCKER);
    uint16_t tag = vmh_docker_endpoint_tag(ENDPOINT_WEB_SHOP);
    CHECK(tag != 0 && vmh_docker_endpoint_tag("") == 0 && vmh_docker_endpoint_tag(NULL) == 0,
          "endpoint: an ID has a tag, none is 0");
    vmh_host_add_alias(&known.hosts[0], vmh_host_network_named(&known.hosts[0], "shop_default"),
                       "old-alias");
    set_known_endpoint(&known, tag);
    const struct vmh_host *web = parse_web(body, length, &known, &out, &shop, "endpoint: parses");
    CHECK_INT(web ? vmh_docker_endpoint_of(web, shop) : 0, tag,
              "endpoint: the list's EndpointID is kept with the network's address");
    CHECK_STR(web ? web->hostname : NULL, "Web-Host", "endpoint: the same attachment keeps the known");
    CHECK(web && shop > 0 && web->networks[shop - 1].alias_count == 1,
          "endpoint: ... and its aliases");
    set_known_endpoint(&known, (uint16_t)(tag ^ 0x5a5a));
    web = parse_web(body, length, &known, &out, &shop, "endpoint: again");
    CHECK(web && web->hostname == NULL, "endpoint: connected again: inspected again");
    CHECK(web && shop > 0 && web->networks[shop - 1].alias_count == 0,
          "endpoint: connected again: the old aliases are not kept");
    set_known_endpoint(&known, 0);
    web = parse_web(body, length, &known, &out, &shop, "endpoint: old cache");
    CHECK_STR(web ? web->hostname : NULL, "Web-Host",
              "endpoint: a cache without tags keeps the known (no inspect of every container)");
    vmh_snapshot_free(&known);
    vmh_snapshot_free(&out);
    free(body);
}

static void test_hostname_from_known(void)
{
    size_t length;
    char *body = read_fixture(LIST_152, &length);
    struct vmh_snapshot known, out;
    vmh_snapshot_init(&known);
    vmh_snapshot_init(&out);
    add_known(&known, ID_WEB, "Web-Host", VMH_BACKEND_DOCKER);
    add_known(&known, ID_WEB, "Second-Web-Host", VMH_BACKEND_DOCKER);
    add_known(&known, ID_HOSTNET, "not-a-container", VMH_BACKEND_MULTIPASS);
    CHECK_INT(vmh_docker_parse_list(body, length, &known, &out, NULL, 0), 0, "known: parses");
    const struct vmh_host *web = find_host(&out, "shop-web-1");
    CHECK_STR(web ? web->hostname : NULL, "Web-Host",
              "known: hostname carried over by ID, the first of a repeated ID");
    const struct vmh_host *hostnet = find_host(&out, "hostnet");
    CHECK(hostnet && hostnet->hostname == NULL, "known: another backend's host is not used");
    const struct vmh_host *sidecar = find_host(&out, "sidecar");
    CHECK(sidecar && sidecar->hostname == NULL, "known: an unknown ID has no hostname");
    vmh_snapshot_truncate(&out, 0);
    vmh_host_add_network(&known.hosts[0], "joined-since");
    CHECK_INT(vmh_docker_parse_list(body, length, &known, &out, NULL, 0), 0, "known: parses again");
    web = find_host(&out, "shop-web-1");
    CHECK(web && web->hostname == NULL,
          "known: not kept once the networks changed (inspected again for new aliases)");
    vmh_snapshot_free(&known);
    vmh_snapshot_free(&out);
    free(body);
}

/* --- inspect ----------------------------------------------------------- */

static void check_inspect_fixture(const char *fixture, const char *id, const char *expected)
{
    size_t length;
    char *body = read_fixture(fixture, &length);
    struct vmh_host host = {.id = strdup(id)};
    char err[512] = "";
    char what[256];
    snprintf(what, sizeof what, "inspect %s: hostname %s", fixture, expected);
    int result = vmh_docker_parse_inspect(body, length, &host, err, sizeof err);
    if (result != 0)
        printf("# %s\n", err);
    CHECK_STR(result == 0 ? host.hostname : NULL, expected, what);
    free(host.id);
    free(host.hostname);
    free(host.addrs);
    free(body);
}

static int inspect_text(const char *text, struct vmh_host *host, char *err, size_t err_size)
{
    return vmh_docker_parse_inspect(text, strlen(text), host, err, err_size);
}

static void test_inspect(void)
{
    check_inspect_fixture(INSPECT_COMPOSE, ID_WEB, "f5af31dae7f6");
    check_inspect_fixture(INSPECT_HOST, ID_HOSTNET, "fedora");
    check_inspect_fixture(INSPECT_IPV6, ID_WEB, "web");
    check_inspect_fixture(INSPECT_SIDECAR, ID_SIDECAR, "web");

    struct vmh_host host = {.id = strdup(ID_WEB)};
    char err[512] = "";
    CHECK_INT(inspect_text("{\"Config\":{\"Hostname\":\"MyHost\"}}", &host, err, sizeof err), 0,
              "inspect: no Id is fine");
    CHECK_STR(host.hostname, "MyHost", "inspect: hostname kept as Docker spells it");
    CHECK_INT(inspect_text("{\"Id\":\"" ID_HOSTNET "\",\"Config\":{\"Hostname\":\"other\"}}",
                           &host, err, sizeof err), -1, "inspect: another container's answer fails");
    CHECK(strstr(err, ID_HOSTNET) != NULL, "inspect: the error names the other ID");
    CHECK_STR(host.hostname, "MyHost", "inspect: another container's hostname is not taken");
    CHECK_INT(inspect_text("{}", &host, NULL, 0), 0, "inspect: missing Config tolerated");
    CHECK_INT(inspect_text("{\"Config\":{\"Hostname\":42}}", &host, NULL, 0), 0,
              "inspect: Hostname a number tolerated");
    CHECK_INT(inspect_text("{\"Config\":{\"Hostname\":\"\"}}", &host, NULL, 0), 0,
              "inspect: empty Hostname tolerated");
    CHECK_INT(inspect_text("{\"Config\":\"x\"}", &host, NULL, 0), 0,
              "inspect: Config a string tolerated");
    CHECK_STR(host.hostname, "MyHost", "inspect: unusable hostnames keep the one known");
    CHECK_INT(inspect_text("[]", &host, err, sizeof err), -1, "inspect: an array fails");
    CHECK(strstr(err, "expected a JSON object") != NULL, "inspect: the error says why");
    CHECK_INT(inspect_text("{\"Config\":", &host, err, sizeof err), -1, "inspect: truncated fails");
    CHECK(strstr(err, "not JSON") != NULL, "inspect: truncated: the error says not JSON");
    CHECK_INT(vmh_docker_parse_inspect(NULL, 0, &host, err, sizeof err), -1, "inspect: no body");
    CHECK_INT(inspect_text("{}", NULL, err, sizeof err), -1, "inspect: no host");
    free(host.id);
    free(host.hostname);
    free(host.addrs);
}

/* --- rootless engines: the published ports ------------------------------ */

static struct vmh_snapshot parse_rootless(const char *body, size_t length, bool rootless,
                                          const char *what)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    char err[512] = "";
    int result = vmh_docker_parse_engine_list(body, length, NULL, rootless, &out, err, sizeof err);
    if (result != 0)
        printf("# %s\n", err);
    CHECK_INT(result, 0, what);
    return out;
}

static void test_rootless_list_fixture(void)
{
    size_t length;
    char *body = read_fixture(ROOTLESS_LIST, &length);
    struct vmh_snapshot out = parse_rootless(body, length, true, "rootless list: parses");
    CHECK_INT((int)out.count, 4, "rootless list: four containers");
    CHECK_STR(addresses_of(find_host(&out, "web")), "127.0.0.1",
              "rootless: -p 18080:80 (no IP) answers 127.0.0.1");
    CHECK_STR(addresses_of(find_host(&out, "web5")), "127.0.0.5",
              "rootless: -p 127.0.0.5:18081:80 answers 127.0.0.5");
    CHECK_STR(addresses_of(find_host(&out, "v6")), "::1", "rootless: -p [::]:18082:80 answers ::1");
    CHECK_STR(addresses_of(find_host(&out, "quiet")), "", "rootless: nothing published, no address");
    bool all_marked = out.count > 0;
    for (size_t i = 0; i < out.count; i++)
        all_marked &= out.hosts[i].rootless;
    CHECK(all_marked, "rootless: every host is marked rootless");
    vmh_snapshot_free(&out);

    out = parse_rootless(body, length, false, "the same list from a rootful socket: parses");
    CHECK_STR(addresses_of(find_host(&out, "web")), "",
              "rootful: ports are not addresses (Networks is null)");
    CHECK(!find_host(&out, "web")->rootless, "rootful: not marked rootless");
    vmh_snapshot_free(&out);
    free(body);
}

/* A rootless container joined to another's network is reached where that
 * one publishes; a container's own loopback address comes before the one a
 * port on every address gives, whatever the order Docker lists them in. */
static void test_rootless_shapes(void)
{
#define PORT(ip, public) "{\"IP\":\"" ip "\",\"PrivatePort\":80,\"PublicPort\":" public ",\"Type\":\"tcp\"}"
    static const char list[] =
        "[{\"Id\":\"ab01\",\"Names\":[\"/x\"],\"State\":\"running\",\"Ports\":[" PORT("127.0.0.1", "8081")
        "]},{\"Id\":\"ab02\",\"Names\":[\"/sidecar\"],\"State\":\"running\","
        "\"HostConfig\":{\"NetworkMode\":\"container:ab01\"},\"Ports\":[]},"
        "{\"Id\":\"ab03\",\"Names\":[\"/own\"],\"State\":\"running\",\"Ports\":[" PORT("0.0.0.0", "9090")
        "," PORT("127.0.0.5", "80") "]}]";
#undef PORT
    struct vmh_snapshot out = parse_rootless(list, sizeof list - 1, true, "rootless shapes: parse");
    CHECK_STR(addresses_of(find_host(&out, "sidecar")), "127.0.0.1",
              "rootless --network container:x: x's published address");
    CHECK_STR(addresses_of(find_host(&out, "own")), "127.0.0.5 127.0.0.1",
              "rootless: its own loopback address before the one of a port on every address");
    vmh_snapshot_free(&out);
    static const char inspect[] =
        "{\"Id\":\"ab09\",\"Config\":{\"Hostname\":\"h\"},\"NetworkSettings\":{\"Ports\":{"
        "\"9090/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"9090\"}],"
        "\"80/tcp\":[{\"HostIp\":\"127.0.0.5\",\"HostPort\":\"80\"}]},\"Networks\":{}}}";
    struct vmh_host host = {.id = strdup("ab09"), .rootless = true};
    CHECK(vmh_docker_parse_inspect(inspect, sizeof inspect - 1, &host, NULL, 0) == 0,
          "rootless inspect of two bindings: parses");
    CHECK_STR(addresses_of(&host), "127.0.0.5 127.0.0.1",
              "rootless inspect: its own loopback address first there too");
    free(host.id);
    free(host.hostname);
    free(host.addrs);
}

static void check_rootless_inspect(const char *fixture, const char *id, const char *expected)
{
    size_t length;
    char *body = read_fixture(fixture, &length);
    struct vmh_host host = {.id = strdup(id), .rootless = true};
    char what[256];
    snprintf(what, sizeof what, "rootless inspect %s: addresses '%s'", fixture, expected);
    CHECK_INT(vmh_docker_parse_inspect(body, length, &host, NULL, 0), 0, fixture);
    CHECK_STR(addresses_of(&host), expected, what);
    free(host.id);
    free(host.hostname);
    free(host.addrs);
    free(body);
}

#define ROOTLESS_ENTRY(ports) "[{\"Id\":\"aa01\",\"Names\":[\"/r\"],\"State\":\"running\"" \
                              ",\"Ports\":" ports "}]"

static const char *rootless_addresses(const char *text, struct vmh_snapshot *out)
{
    vmh_snapshot_init(out);
    if (vmh_docker_parse_engine_list(text, strlen(text), NULL, true, out, NULL, 0) != 0 ||
        out->count != 1)
        return "(parse failed)";
    return addresses_of(&out->hosts[0]);
}

static void check_rootless_ports(const char *ports, const char *expected, const char *what)
{
    struct vmh_snapshot out;
    CHECK_STR(rootless_addresses(ports, &out), expected, what);
    vmh_snapshot_free(&out);
}

static void test_rootless_ports(void)
{
    check_rootless_inspect(ROOTLESS_INSPECT_5,
                           "82fff69ed328ab77feb6ada33be5b439680c80e23ff00d13c5790abe68480169",
                           "127.0.0.5");
    check_rootless_inspect(ROOTLESS_INSPECT_NONE,
                           "d23e316070a87fcbe338ba6c7b36da727f78c0febc51cb84341c9a9784338545", "");
    check_rootless_ports(ROOTLESS_ENTRY("[{\"IP\":\"::\",\"PublicPort\":1},"
                                        "{\"IP\":\"0.0.0.0\",\"PublicPort\":1}]"),
                         "127.0.0.1 ::1", "rootless: IPv4 before IPv6, whatever the order");
    check_rootless_ports(ROOTLESS_ENTRY("[{\"IP\":\"127.0.0.5\",\"PrivatePort\":80}]"), "",
                         "rootless: an exposed port that is not published is no address");
    check_rootless_ports(ROOTLESS_ENTRY("[{\"IP\":\"127.0.0.9\",\"PublicPort\":\"80\"}]"), "",
                         "rootless: PublicPort a string is not published");
    check_rootless_ports(ROOTLESS_ENTRY("[{\"IP\":\"1.2.3.4\\nx\",\"PublicPort\":80},"
                                        "{\"IP\":\"999.1.1.1\",\"PublicPort\":80},"
                                        "{\"IP\":7,\"PublicPort\":80},\"x\",null]"),
                         "", "rootless: an IP that is no address or no string is left out");
    check_rootless_ports(ROOTLESS_ENTRY("{\"IP\":\"127.0.0.9\"}"), "",
                         "rootless: Ports an object is ignored");
    check_rootless_ports(ROOTLESS_ENTRY("[{\"IP\":\"::ffff:127.0.0.9\",\"PublicPort\":80}]"), "",
                         "rootless: an IPv4-mapped address is not recorded");
    struct vmh_host host = {.id = strdup("aa01"), .rootless = true};
    CHECK_INT(inspect_text("{\"NetworkSettings\":{\"Ports\":{\"80/tcp\":null,\"81/tcp\":"
                           "[{\"HostIp\":\"127.0.0.7\",\"HostPort\":\"\"},{\"HostIp\":\"\","
                           "\"HostPort\":\"8080\"},7],\"82/tcp\":\"x\"}}}",
                           &host, NULL, 0), 0, "rootless inspect: odd bindings tolerated");
    CHECK_STR(addresses_of(&host), "127.0.0.1",
              "rootless inspect: only bindings with a HostPort count");
    host.rootless = false;
    host.addr_count = 0;
    CHECK_INT(inspect_text("{\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":\"\","
                           "\"HostPort\":\"8080\"}]}}}", &host, NULL, 0), 0,
              "rootful inspect: parses");
    CHECK_STR(addresses_of(&host), "", "rootful inspect: ports are not addresses");
    free(host.id);
    free(host.hostname);
    free(host.addrs);
}

/* --- rootless engines: whose sockets ----------------------------------- */

static void test_rootless_sockets(void)
{
    char path[128];
    CHECK(!vmh_rootless_socket(0, 0, path, sizeof path), "sockets: root has no rootless engine");
    CHECK(!vmh_rootless_socket(1000, VMH_ROOTLESS_SOCKET_COUNT, path, sizeof path),
          "sockets: no index past the last");
    CHECK(vmh_rootless_socket_foreign(0, "/run/user/1000/podman/podman.sock"),
          "sockets: a user's socket is foreign to root");
    CHECK(vmh_rootless_socket_foreign(1001, "/var/run/user/1000/docker.sock"),
          "sockets: and to another user, through /var/run too");
    CHECK(!vmh_rootless_socket_foreign(1000, "/run/user/1000/docker.sock"),
          "sockets: not to its own user");
    CHECK(!vmh_rootless_socket_foreign(0, "/run/user/x/docker.sock") &&
              !vmh_rootless_socket_foreign(0, "/run/user/1000") &&
              !vmh_rootless_socket_foreign(0, "/run/docker.sock"),
          "sockets: other paths are not a user's");
    CHECK(vmh_docker_socket_listed("/a.sock  /run/b.sock", "/run/b.sock") &&
              !vmh_docker_socket_listed("/run/b.sock2", "/run/b.sock") &&
              !vmh_docker_socket_listed("/x/run/b.sock", "/run/b.sock"),
          "sockets: listed means a whole word of docker_socket");
}

/* --- assembled lists: the rules one at a time ---------------------------- */

#define ENTRY(id, name, rest) "{\"Id\":\"" id "\",\"Names\":[\"/" name "\"],\"State\":\"running\"" rest "}"
#define NETS(json) ",\"NetworkSettings\":{\"Networks\":" json "}"
#define MODE(mode) ",\"HostConfig\":{\"NetworkMode\":\"" mode "\"}"

/* Parses a one-off list; returns its hosts (the caller frees). */
static struct vmh_snapshot parse_ok(const char *text, const char *what)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    char err[512] = "";
    int result = parse_text(text, NULL, &out, err, sizeof err);
    if (result != 0)
        printf("# %s\n", err);
    CHECK_INT(result, 0, what);
    return out;
}

static void test_network_order(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "multi",
                  NETS("{\"zeta\":{\"IPAddress\":\"10.0.0.3\",\"GlobalIPv6Address\":\"fd00::3\"},"
                       "\"bridge\":{\"IPAddress\":\"172.17.0.5\",\"GlobalIPv6Address\":\"fd00::5\"},"
                       "\"alpha\":{\"IPAddress\":\"10.0.0.1\",\"GlobalIPv6Address\":\"\"},"
                       "\"Zulu\":{\"IPAddress\":\"10.0.0.3\",\"GlobalIPv6Address\":\"FD00::5\"}}")) "]",
        "order: parses");
    CHECK_STR(addresses_of(find_host(&out, "multi")),
              "172.17.0.5 10.0.0.3 10.0.0.1 fd00::5 fd00::3",
              "order: bridge first, then by name (strcmp), IPv4 before IPv6, no duplicates");
    vmh_snapshot_free(&out);
}

/* A network's aliases, space-separated. */
static const char *aliases_of(const struct vmh_host *host, const char *network)
{
    static char text[1024];
    int number = host ? vmh_host_network_named(host, network) : 0;
    text[0] = '\0';
    for (size_t i = 0; number > 0 && i < host->networks[number - 1].alias_count; i++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%s", used ? " " : "",
                 host->networks[number - 1].aliases[i]);
    }
    return number > 0 ? text : "(not on it)";
}

/* Which network each address is on, by number. */
static const char *address_networks(const struct vmh_host *host)
{
    static char text[256];
    text[0] = '\0';
    for (size_t i = 0; host && i < host->addr_count; i++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%u", used ? " " : "", host->addrs[i].network);
    }
    return text;
}

/* The list numbers the networks in address order; the inspect (or the
 * previous snapshot, for a container not inspected again) gives each its
 * aliases and DNSNames, less the container's own name and repeats. */
static void test_network_aliases(void)
{
    size_t length, inspect_length;
    char *body = read_fixture(LIST_152, &length);
    char *inspect = read_fixture(INSPECT_IPV6, &inspect_length);
    struct vmh_snapshot out, again;
    vmh_snapshot_init(&out);
    vmh_snapshot_init(&again);
    CHECK_INT(vmh_docker_parse_list(body, length, NULL, &out, NULL, 0), 0, "aliases: list parses");
    struct vmh_host *web = (struct vmh_host *)find_host(&out, "shop-web-1");
    CHECK(web && web->network_count == 2 && strcmp(web->networks[0].name, "backend") == 0 &&
              strcmp(web->networks[1].name, "shop_default") == 0,
          "aliases: two networks, in the addresses' order");
    CHECK_STR(address_networks(web), "1 2 2", "aliases: each address's network");
    CHECK_INT(web ? vmh_docker_parse_inspect(inspect, inspect_length, web, NULL, 0) : -1, 0,
              "aliases: inspect parses");
    CHECK_STR(aliases_of(web, "backend"), "api-gw f5af31dae7f6 web",
              "aliases: Aliases and DNSNames, without the own name or repeats, in byte order");
    CHECK_STR(aliases_of(web, "shop_default"), "f5af31dae7f6 web",
              "aliases: the other network (in byte order)");
    CHECK_STR(aliases_of(find_host(&out, "sidecar"), "backend"), "(not on it)",
              "aliases: container:<id> has no network of its own");
    CHECK_INT(vmh_docker_parse_list(body, length, &out, &again, NULL, 0), 0,
              "aliases: the list again, with the previous snapshot");
    CHECK_STR(aliases_of(find_host(&again, "shop-web-1"), "backend"), "api-gw f5af31dae7f6 web",
              "aliases: carried over from the previous snapshot");
    vmh_snapshot_free(&out);
    vmh_snapshot_free(&again);
    free(inspect);
    free(body);
}

/* vmhosts.network names the network put first, by its number; one the
 * container is not on, or a value of the wrong type, names none. */
/* vmhosts.wildcard opts in with "true" alone (any case). */
static void test_wildcard_label(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "yes", ",\"Labels\":{\"vmhosts.wildcard\":\"TRUE\"}")
        "," ENTRY("aa02", "one", ",\"Labels\":{\"vmhosts.wildcard\":\"1\"}")
        "," ENTRY("aa03", "typo", ",\"Labels\":{\"vmhosts.wildcard\":\"ture\"}")
        "," ENTRY("aa04", "none", "") "]",
        "wildcard label: parses");
    const struct vmh_host *yes = find_host(&out, "yes"), *one = find_host(&out, "one"),
                          *typo = find_host(&out, "typo"), *none = find_host(&out, "none");
    CHECK(yes && yes->wildcard, "wildcard label: TRUE opts in");
    CHECK(one && !one->wildcard && typo && !typo->wildcard && none && !none->wildcard,
          "wildcard label: 1, a typo or no label do not");
    vmh_snapshot_free(&out);
}

static void test_preferred_label(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "one", ",\"Labels\":{\"vmhosts.network\":\"Zeta\"}"
                  NETS("{\"alpha\":{\"IPAddress\":\"10.0.0.1\"},\"zeta\":{\"IPAddress\":\"10.0.0.2\"}}"))
        "," ENTRY("aa02", "two", ",\"Labels\":{\"vmhosts.network\":\"elsewhere\"}"
                  NETS("{\"alpha\":{\"IPAddress\":\"10.0.1.1\"}}"))
        "," ENTRY("aa03", "three", ",\"Labels\":{\"vmhosts.network\":7}"
                  NETS("{\"alpha\":{\"IPAddress\":\"10.0.2.1\"}}")) "]",
        "label: parses");
    const struct vmh_host *one = find_host(&out, "one"), *two = find_host(&out, "two"),
                          *three = find_host(&out, "three");
    CHECK_INT(one ? one->preferred_network : 99, 2, "label: zeta, its second network (folded)");
    CHECK_INT(two ? two->preferred_network : 99, 0, "label: a network it is not on: none");
    CHECK_INT(three ? three->preferred_network : 99, 0, "label: not a string: none");
    vmh_snapshot_free(&out);
}

/* The names a vmhosts.names value gives, space-separated. */
static const char *chosen_from(const char *value)
{
    static char text[8192];
    struct vmh_host host = {0};
    text[0] = '\0';
    if (vmh_host_set_chosen_names(&host, value) != 0)
        snprintf(text, sizeof text, "(out of memory)");
    for (size_t i = 0; i < host.chosen_count; i++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%s", used ? " " : "", host.chosen[i]);
        free(host.chosen[i]);
    }
    free(host.chosen);
    return text;
}

/* Hostile label values: whatever anyone who may start a container wrote. */
static void test_chosen_names(void)
{
    static char big[10 * 1024 + 1], many[2048], long_label[128];
    memset(big, 'a', sizeof big - 1);
    memcpy(big + sizeof big - 8, ".docker", 7);
    many[0] = '\0';
    for (int i = 0; i < 40; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "n%d.docker,", i);
    memset(long_label, 'x', 65);
    memcpy(long_label + 65, ".docker", 8);
    CHECK_STR(chosen_from("api.shop.docker,api.shop.test"), "api.shop.docker api.shop.test",
              "chosen: two names");
    CHECK_STR(chosen_from(NULL), "", "chosen: no label");
    CHECK_STR(chosen_from(""), "", "chosen: empty");
    CHECK_STR(chosen_from(",,,,"), "", "chosen: commas only");
    CHECK_STR(chosen_from(" , a.docker ,, \tb.docker\t,"), "a.docker b.docker",
              "chosen: blanks and empty entries around names");
    CHECK_STR(chosen_from(big), "", "chosen: a 10 KiB value is refused whole");
    CHECK_STR(chosen_from("API.Shop.DOCKER"), "api.shop.docker", "chosen: uppercase folded");
    CHECK_STR(chosen_from("api.docker.,b.test..,.c.docker"), "api.docker",
              "chosen: one trailing dot dropped; two, or a leading one, is no name");
    CHECK_STR(chosen_from("a b.docker,x\ny.docker,caf\xc3\xa9.docker,a;b.docker,%s.docker,ok.docker"),
              "ok.docker", "chosen: spaces inside, newlines, UTF-8, ';', '%' are no names");
    CHECK_STR(chosen_from("x\n127.6.6.6 forged"), "", "chosen: a forged hosts line");
    CHECK_STR(chosen_from("single,docker,.docker"), "", "chosen: one label is no chosen name");
    CHECK_STR(chosen_from(long_label), "", "chosen: a label of 65 characters");
    CHECK_STR(chosen_from("a.docker,A.DOCKER,a.docker."), "a.docker", "chosen: once each");
    CHECK(strstr(chosen_from(many), "n15.docker") && !strstr(chosen_from(many), "n16.docker"),
          "chosen: of forty names, the first sixteen are kept");
}

static void test_network_modes(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "h", MODE("host") NETS("{\"bridge\":{\"IPAddress\":\"172.17.0.9\"}}"))
        "," ENTRY("aa02", "n", MODE("none") NETS("{\"none\":{\"IPAddress\":\"172.17.0.8\"}}"))
        "," ENTRY("bb03ff", "target", NETS("{\"bridge\":{\"IPAddress\":\"172.17.0.3\"}}"))
        "," ENTRY("bb04", "by-name", MODE("container:target"))
        "," ENTRY("bb05", "by-prefix", MODE("container:BB03"))
        "," ENTRY("bb06", "ambiguous", MODE("container:b"))
        "," ENTRY("bb07", "unknown", MODE("container:nosuch") NETS("{\"x\":{\"IPAddress\":\"1.2.3.4\"}}"))
        "," ENTRY("bb08", "chained", MODE("container:by-name"))
        "," ENTRY("cc09", "loop-a", MODE("container:loop-b"))
        "," ENTRY("cc0a", "loop-b", MODE("container:loop-a"))
        "," ENTRY("cc0b", "self", MODE("container:self"))
        "," ENTRY("cc0c", "empty", MODE("container:")) "]",
        "modes: parses");
    CHECK_STR(addresses_of(find_host(&out, "h")), "127.0.0.1 ::1",
              "modes: host ignores Networks, loopback only");
    CHECK_STR(addresses_of(find_host(&out, "n")), "", "modes: none has no address");
    CHECK_STR(addresses_of(find_host(&out, "by-name")), "172.17.0.3", "modes: container:<name>");
    CHECK_STR(addresses_of(find_host(&out, "by-prefix")), "172.17.0.3",
              "modes: container:<ID prefix>, any case");
    CHECK_STR(addresses_of(find_host(&out, "ambiguous")), "", "modes: ambiguous prefix: none");
    CHECK_STR(addresses_of(find_host(&out, "unknown")), "",
              "modes: unknown container: none, not its own Networks");
    const struct vmh_host *unknown = find_host(&out, "unknown");
    CHECK_STR(unknown ? unknown->network_container : NULL, "nosuch",
              "modes: the reference is kept as written");
    CHECK_STR(addresses_of(find_host(&out, "chained")), "172.17.0.3", "modes: a chain is followed");
    CHECK_STR(addresses_of(find_host(&out, "loop-a")), "", "modes: a loop ends, no address");
    CHECK_STR(addresses_of(find_host(&out, "self")), "", "modes: itself: no address");
    CHECK_STR(addresses_of(find_host(&out, "empty")), "", "modes: container: with no name");
    vmh_snapshot_free(&out);
}

/* A partial list (the containers events named) may hold a host of
 * container:X mode without X: it is taken out, so that the merge keeps
 * what the cache had, and the others stay in their order. */
static void test_drop_unshared(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "orphan", MODE("container:elsewhere"))
        "," ENTRY("bb03ff", "target", NETS("{\"bridge\":{\"IPAddress\":\"172.17.0.3\"}}"))
        "," ENTRY("bb04", "sidecar", MODE("container:target"))
        "," ENTRY("cc09", "loop-a", MODE("container:loop-b"))
        "," ENTRY("cc0a", "loop-b", MODE("container:loop-a"))
        "," ENTRY("dd01", "plain", NETS("{\"bridge\":{\"IPAddress\":\"172.17.0.4\"}}")) "]",
        "drop_unshared: parses");
    /* What docker.c's add_gone appends for a changed container no engine
     * lists: an ID, no name.  It is no one's owner, and no crash. */
    struct vmh_host *gone = vmh_snapshot_add(&out);
    if (gone) {
        gone->id = strdup("ee05");
        gone->removed = true;
    }
    CHECK_INT((int)vmh_docker_drop_unshared(&out), 3, "drop_unshared: three without their owner");
    CHECK(out.count == 4 && strcmp(out.hosts[0].name, "target") == 0 &&
              strcmp(out.hosts[1].name, "sidecar") == 0 && strcmp(out.hosts[2].name, "plain") == 0 &&
              out.hosts[3].removed,
          "drop_unshared: the owner, the host that has it, the others and the gone one stay, in order");
    CHECK_STR(addresses_of(find_host(&out, "sidecar")), "172.17.0.3",
              "drop_unshared: the one kept has its owner's addresses");
    CHECK_INT((int)vmh_docker_drop_unshared(&out), 0, "drop_unshared: none the second time");
    vmh_snapshot_free(&out);
}

/* A whole list teaches who shares whose network: an event of either then
 * names both, so that the list of the changed ones holds the owner and
 * gives its sharers its addresses (docker_changes.h). */
#define OWNER_ID "a100000000000000000000000000000000000000000000000000000000000001"
#define SHARER_ID "b200000000000000000000000000000000000000000000000000000000000002"
#define PLAIN_ID "c300000000000000000000000000000000000000000000000000000000000003"

static size_t noted_after(const char *id, enum vmh_docker_change change,
                          char ids[][VMH_DOCKER_ID_LENGTH + 1])
{
    int64_t now = vmh_monotonic_ms();
    vmh_docker_changes_forget();
    vmh_docker_changes_listed_all();
    vmh_docker_change_note(id, change, now);
    return vmh_docker_changes_take(now, ids, VMH_DOCKER_CHANGED_MAX);
}

static bool holds(char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

static void test_sharing_learned(void)
{
    char ids[VMH_DOCKER_CHANGED_MAX][VMH_DOCKER_ID_LENGTH + 1];
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY(OWNER_ID, "target", NETS("{\"bridge\":{\"IPAddress\":\"172.17.0.3\"}}"))
        "," ENTRY(SHARER_ID, "sidecar", MODE("container:target"))
        "," ENTRY(PLAIN_ID, "plain", NETS("{\"bridge\":{\"IPAddress\":\"172.17.0.4\"}}")) "]",
        "sharing: parses");
    CHECK_INT((int)noted_after(OWNER_ID, VMH_DOCKER_DIED, ids), 1,
              "sharing: before a whole list is learned, the owner alone");
    vmh_docker_sharing_learn(&out);
    size_t count = noted_after(OWNER_ID, VMH_DOCKER_DIED, ids);
    CHECK(count == 2 && holds(ids, count, OWNER_ID) && holds(ids, count, SHARER_ID),
          "sharing: the owner's death names its sharer too");
    CHECK(vmh_docker_died(OWNER_ID, vmh_monotonic_ms()) &&
              !vmh_docker_died(SHARER_ID, vmh_monotonic_ms()),
          "sharing: the death is the owner's only");
    count = noted_after(SHARER_ID, VMH_DOCKER_STARTED, ids);
    CHECK(count == 2 && holds(ids, count, OWNER_ID) && holds(ids, count, SHARER_ID),
          "sharing: the sharer's start names its owner too");
    CHECK_INT((int)noted_after(PLAIN_ID, VMH_DOCKER_CHANGED, ids), 1,
              "sharing: a container that shares nothing names itself alone");
    struct vmh_snapshot none;
    vmh_snapshot_init(&none);
    vmh_docker_sharing_learn(&none);
    CHECK_INT((int)noted_after(OWNER_ID, VMH_DOCKER_CHANGED, ids), 1,
              "sharing: forgotten by the next whole list that says nothing of it");
    vmh_docker_changes_forget();
    vmh_snapshot_free(&out);
}

/* container:X names a container of the same engine: hosts already in the
 * snapshot (another backend, another socket) are not searched or touched. */
static void test_append_keeps_existing(void)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    struct vmh_host *vm = vmh_snapshot_add(&out);
    vm->name = strdup("target");
    vm->backend = VMH_BACKEND_MULTIPASS;
    vmh_host_add_address(vm, "10.9.9.9");
    CHECK_INT(parse_text("[" ENTRY("aa01", "side", MODE("container:target")) "]", NULL, &out,
                         NULL, 0), 0, "append: parses");
    CHECK_INT(out.count, 2, "append: one host added");
    CHECK_STR(out.hosts[0].name, "target", "append: the existing host is kept first");
    CHECK_STR(addresses_of(&out.hosts[1]), "", "append: another backend's host is not a target");
    CHECK_INT(parse_text("{}", NULL, &out, NULL, 0), -1, "append: failed parse");
    CHECK_INT(out.count, 2, "append: a failed parse adds nothing");
    vmh_snapshot_free(&out);
}

static void test_wrong_types(void)
{
    struct vmh_snapshot out = parse_ok(
        "[42, \"x\", null, [], {}, {\"Id\": 7}, {\"Id\":\"\"}, {\"Id\":\"xyz-not-hex\"},"
        " {\"Id\":\"" ID_WEB "0\"},"
        " {\"Id\":\"ABCDEF0123456789\",\"Names\":12,\"State\":\"running\",\"Labels\":\"x\","
        "  \"HostConfig\":\"y\",\"NetworkSettings\":{\"Networks\":\"z\"}},"
        " {\"Id\":\"aa02\",\"Names\":[],\"State\":42,\"Status\":\"Up 2 hours\"},"
        " {\"Id\":\"aa03\",\"Names\":[\"/\"],\"State\":\"paused\",\"Status\":\"Up 1 minute (Paused)\"},"
        " {\"Id\":\"aa04\",\"Names\":[\"/bad-addrs\"],\"Labels\":{\"com.docker.compose.project\":3},"
        "  \"NetworkSettings\":{\"Networks\":{\"a\":{\"IPAddress\":42},\"b\":{\"IPAddress\":\"not-an-ip\"},"
        "  \"c\":{\"IPAddress\":\"999.1.1.1\"},\"d\":{\"IPAddress\":\"fd00::1\"},"
        "  \"e\":{\"GlobalIPv6Address\":\"10.1.1.1\"},\"f\":\"g\",\"h\":{\"IPAddress\":\"10.1.1.2\"},"
        "  \"i\":{\"GlobalIPv6Address\":\"fd00::zz\"}}}}]",
        "types: a list with wrong types parses");
    CHECK_INT(out.count, 4, "types: non-objects, missing, empty, long and non-hex Ids skipped");
    const struct vmh_host *upper = find_host(&out, "abcdef012345");
    CHECK(upper != NULL, "types: Names a number: the ID's first 12 characters");
    CHECK_STR(upper ? upper->id : NULL, "abcdef0123456789", "types: Id lowercased");
    CHECK(upper && upper->project == NULL, "types: Labels a string: no project");
    CHECK_INT(upper ? upper->addr_count : 99, 0, "types: Networks a string: no address");
    const struct vmh_host *old = find_host(&out, "aa02");
    CHECK(old && old->state == VMH_STATE_RUNNING, "types: State not a string: Status \"Up\" runs");
    const struct vmh_host *paused = find_host(&out, "aa03");
    CHECK(paused && paused->state == VMH_STATE_STOPPED, "types: paused is not running");
    const struct vmh_host *bad = find_host(&out, "bad-addrs");
    CHECK_STR(addresses_of(bad), "10.1.1.2", "types: only valid addresses of the right family");
    CHECK(bad && bad->state == VMH_STATE_STOPPED, "types: neither State nor Status: stopped");
    CHECK(bad && bad->project == NULL, "types: a label that is not a string: none");
    vmh_snapshot_free(&out);
}

/* 0.0.0.0 and :: mean "no address"; an IPv4-mapped IPv6 address is none
 * Docker assigns (a container's IPv4 is in IPAddress): garbage or forged.
 * None of them is answered, and the host keeps its real addresses. */
static void test_unusable_addresses(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "unspecified",
                  NETS("{\"a\":{\"IPAddress\":\"0.0.0.0\",\"GlobalIPv6Address\":\"::\"},"
                       "\"b\":{\"IPAddress\":\"172.17.0.2\",\"GlobalIPv6Address\":\"0::0\"}}"))
        "," ENTRY("aa02", "mapped",
                  NETS("{\"a\":{\"IPAddress\":\"10.0.0.2\","
                       "\"GlobalIPv6Address\":\"::ffff:1.2.3.4\"},"
                       "\"b\":{\"GlobalIPv6Address\":\"0:0:0:0:0:FFFF:0a00:0002\"},"
                       "\"c\":{\"GlobalIPv6Address\":\"fd00::2\"}}"))
        "," ENTRY("aa03", "only-unusable",
                  NETS("{\"a\":{\"IPAddress\":\"0.0.0.0\","
                       "\"GlobalIPv6Address\":\"::ffff:10.0.0.3\"}}")) "]",
        "unusable addresses: parses");
    CHECK_STR(addresses_of(find_host(&out, "unspecified")), "172.17.0.2",
              "unusable addresses: 0.0.0.0 and :: are dropped");
    CHECK_STR(addresses_of(find_host(&out, "mapped")), "10.0.0.2 fd00::2",
              "unusable addresses: IPv4-mapped IPv6 is dropped, in any spelling");
    CHECK_STR(addresses_of(find_host(&out, "only-unusable")), "",
              "unusable addresses: a host with nothing else has no address");
    vmh_snapshot_free(&out);
}

/* --- names no resolver may be handed ------------------------------------ */

/* A name with a newline would be a line of its own in `getent hosts`, an
 * escape would reach a terminal; a label over 64 characters or an empty
 * one is no host name either.  As JSON string contents. */
static const char *const bad_names[] = {
    "a\\nb", "x\\n127.6.6.6 forged", "esc\\u001b[2J", "two words", "caf\u00e9", "a..b", ".",
    "tab\\there", "slash/ed",
};
#define BAD_NAME_COUNT (sizeof bad_names / sizeof bad_names[0])

static char long_label[301], long_name[301];

static void make_long_texts(void)
{
    memset(long_label, 'l', 300);
    long_label[300] = '\0';
    for (size_t i = 0; i < 300; i++)
        long_name[i] = (i + 1) % 40 == 0 ? '.' : 'n';
    long_name[300] = '\0';
}

/* The JSON list: one container per bad name, then the long ones, then
 * names Docker allows that are ours too. */
static char *invalid_names_list(void)
{
    size_t size = 16384, used = 0;
    char *text = malloc(size);
    used += (size_t)snprintf(text + used, size - used, "[");
    for (size_t i = 0; i < BAD_NAME_COUNT + 2; i++) {
        const char *name = i < BAD_NAME_COUNT ? bad_names[i] : i == BAD_NAME_COUNT ? long_label
                                                                                : long_name;
        used += (size_t)snprintf(text + used, size - used,
                                 "{\"Id\":\"%02zx%062d\",\"Names\":[\"/%s\"],\"State\":\"running\","
                                 "\"Labels\":{\"com.docker.compose.project\":\"%s\","
                                 "\"com.docker.compose.service\":\"svc\"}},",
                                 i, 0, name, name);
    }
    snprintf(text + used, size - used,
             "{\"Id\":\"ff%062d\",\"Names\":[\"/My.App\"],\"State\":\"running\","
             "\"Labels\":{\"com.docker.compose.project\":\"Shop\","
             "\"com.docker.compose.service\":\"web.v2\"}}]", 0);
    return text;
}

static void test_invalid_container_names(void)
{
    char *text = invalid_names_list();
    struct vmh_snapshot out = parse_ok(text, "invalid names: the list parses");
    free(text);
    CHECK_INT(out.count, BAD_NAME_COUNT + 3, "invalid names: every container is listed");
    int named_by_id = 0, projects = 0;
    for (size_t i = 0; i < out.count && i < BAD_NAME_COUNT + 2; i++) {
        char short_id[13];
        snprintf(short_id, sizeof short_id, "%02zx%010d", i, 0);
        named_by_id += out.hosts[i].name && strcmp(out.hosts[i].name, short_id) == 0;
        projects += out.hosts[i].project != NULL;
    }
    CHECK_INT(named_by_id, BAD_NAME_COUNT + 2,
              "invalid names: a container whose name breaks the rule is named by its short ID");
    CHECK_INT(projects, 0, "invalid names: a Compose project that breaks the rule is dropped");
    const struct vmh_host *app = find_host(&out, "My.App");
    CHECK(app != NULL, "invalid names: dots and capitals are a valid name, kept as spelt");
    CHECK_STR(app ? app->project : NULL, "Shop", "invalid names: a valid project is kept");
    CHECK_STR(app ? app->service : NULL, "web.v2", "invalid names: a valid service is kept");
    vmh_snapshot_free(&out);
}

static void check_inspect_hostname(const char *name, const char *what)
{
    char text[1024];
    struct vmh_host host = {.id = strdup(ID_WEB)};
    snprintf(text, sizeof text, "{\"Config\":{\"Hostname\":\"%s\"}}", name);
    CHECK_INT(inspect_text(text, &host, NULL, 0), 0, what);
    char detail[200];
    snprintf(detail, sizeof detail, "%s: no hostname recorded", what);
    CHECK(host.hostname == NULL, detail);
    free(host.id);
    free(host.hostname);
    free(host.addrs);
}

static void test_invalid_hostnames(void)
{
    char what[160];
    for (size_t i = 0; i < BAD_NAME_COUNT; i++) {
        snprintf(what, sizeof what, "inspect: invalid hostname %zu", i);
        check_inspect_hostname(bad_names[i], what);
    }
    check_inspect_hostname(long_label, "inspect: a 300-char label");
    check_inspect_hostname(long_name, "inspect: a 300-char name");
    check_inspect_hostname("ok.", "inspect: a trailing dot");

    /* A hostname from the previous cache, which anyone may have written. */
    struct vmh_snapshot known, out;
    vmh_snapshot_init(&known);
    vmh_snapshot_init(&out);
    add_known(&known, "aa01", "x\n127.6.6.6 forged", VMH_BACKEND_DOCKER);
    add_known(&known, "aa02", "Good-Host", VMH_BACKEND_DOCKER);
    CHECK_INT(parse_text("[" ENTRY("aa01", "one", "") "," ENTRY("aa02", "two", "") "]", &known,
                         &out, NULL, 0), 0, "known invalid hostname: parses");
    const struct vmh_host *one = find_host(&out, "one"), *two = find_host(&out, "two");
    CHECK(one && one->hostname == NULL, "known invalid hostname: not carried over");
    CHECK_STR(two ? two->hostname : NULL, "Good-Host", "known valid hostname: carried over");
    vmh_snapshot_free(&known);
    vmh_snapshot_free(&out);
}

static void test_too_many_networks(void)
{
    char text[8192] = "[{\"Id\":\"aa\",\"NetworkSettings\":{\"Networks\":{";
    for (int i = 0; i < 40; i++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s\"n%02d\":{\"IPAddress\":\"10.0.0.%d\"}",
                 i ? "," : "", i, i + 1);
    }
    strcat(text, "}}}]");
    struct vmh_snapshot out = parse_ok(text, "40 networks: parses");
    CHECK_INT(out.count == 1 ? out.hosts[0].addr_count : 0, VMH_HOST_MAX_ADDRS,
              "40 networks: the first 32 addresses are kept");
    vmh_snapshot_free(&out);
}

static void check_broken(const char *text, size_t length, const char *expected, const char *what)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    char err[512] = "";
    CHECK_INT(vmh_docker_parse_list(text, length, NULL, &out, err, sizeof err), -1, what);
    char error_what[300];
    snprintf(error_what, sizeof error_what, "%s: the error says \"%s\"", what, expected);
    if (!strstr(err, expected))
        printf("# got: %s\n", err);
    CHECK(strstr(err, expected) != NULL, error_what);
    CHECK_INT(out.count, 0, "broken: no host added");
    vmh_snapshot_free(&out);
}

static void test_broken_lists(void)
{
    check_broken("", 0, "not JSON", "broken: empty");
    check_broken(NULL, 0, "answered nothing", "broken: no body");
    check_broken("null", 4, "expected a JSON array", "broken: null");
    check_broken("{}", 2, "not a container list (expected a JSON array)", "broken: {}");
    check_broken("42", 2, "expected a JSON array", "broken: a number");
    check_broken("[", 1, "not JSON", "broken: [");
    check_broken("[] trailing", 11, "not JSON", "broken: garbage after the list");
    check_broken("[{\"Id\":\"a\0b\"}]", 14, "not JSON", "broken: a NUL byte");
    check_broken("[\"\xff\"]", 5, "not JSON", "broken: invalid UTF-8");
    size_t length;
    char *body = read_fixture(LIST_152, &length);
    check_broken(body, length / 2, "not JSON", "broken: the 1.52 list cut in half");
    free(body);
    size_t depth = 100000;
    char *deep = malloc(depth);
    memset(deep, '[', depth);
    check_broken(deep, depth, "not JSON", "broken: 100000 nested arrays, no stack overflow");
    free(deep);
    size_t many = 100001;
    char *empties = malloc(many * 3 + 2);
    char *end = empties;
    *end++ = '[';
    for (size_t i = 0; i < many; i++, end += 3)
        memcpy(end, i ? ",{}" : "{} ", 3);
    *end++ = ']';
    check_broken(empties, (size_t)(end - empties), "more than the 100000",
                 "broken: 100001 entries refused");
    free(empties);
}

/* A 10 MB answer of valid containers: parsed whole, nothing lost. */
static void test_large_list(void)
{
    size_t count = 70000, capacity = count * 200, used = 0;
    char *text = malloc(capacity);
    text[used++] = '[';
    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(text + used, capacity - used,
                                 "%s{\"Id\":\"%064zx\",\"Names\":[\"/c%zu\"],\"State\":\"running\","
                                 "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":"
                                 "\"10.%zu.%zu.%zu\"}}}}",
                                 i ? "," : "", i + 1, i, i >> 16, (i >> 8) & 255, i & 255);
    text[used++] = ']';
    printf("# large list: %zu bytes\n", used);
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    char err[512] = "";
    CHECK_INT(vmh_docker_parse_list(text, used, NULL, &out, err, sizeof err), 0, "10 MB: parses");
    CHECK_INT(out.count, count, "10 MB: every container");
    const struct vmh_host *last = find_host(&out, "c69999");
    CHECK_STR(addresses_of(last), "10.1.17.111", "10 MB: the last one's address");
    vmh_snapshot_free(&out);
    free(text);
}

/* --- a fake Docker ------------------------------------------------------- */

enum fake_mode {
    FAKE_OK,
    FAKE_500,
    FAKE_GARBAGE,
    FAKE_NOT_ARRAY,
    FAKE_CLOSE_MID_BODY,
    FAKE_SILENT,
    FAKE_HUGE,
    FAKE_BIG_LIST,
    FAKE_FLOOD
};

struct fake {
    pid_t pid;
    char dir[64];
    char socket[128];
    char log[128];
};

static char *fake_list_body;
static char *fake_inspect_bodies[3];
static const char *const fake_inspect_ids[3] = {ID_WEB, ID_HOSTNET, ID_SIDECAR};

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t wrote = write(fd, data, length);
        if (wrote <= 0)
            return -1;
        data += wrote;
        length -= (size_t)wrote;
    }
    return 0;
}

static int respond(int fd, int status, const char *body)
{
    char header[256];
    snprintf(header, sizeof header,
             "HTTP/1.1 %d Fake\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
             status, strlen(body));
    return write_all(fd, header, strlen(header)) || write_all(fd, body, strlen(body)) ? -1 : 0;
}

#define PAD_CHUNK 65536
#define PAD_CHUNKS 640 /* 40 MiB: past VMH_HTTP_BODY_MAX */

static int write_padding(int fd)
{
    static char chunk[PAD_CHUNK];
    memset(chunk, ' ', sizeof chunk);
    for (int i = 0; i < PAD_CHUNKS; i++)
        if (write_all(fd, chunk, sizeof chunk) != 0)
            return -1;
    return 0;
}

/* Announces one byte more than a list may have: refused at the headers. */
static int respond_huge(int fd)
{
    char header[128];
    snprintf(header, sizeof header, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n[",
             VMH_DOCKER_LIST_MAX + 1);
    if (write_all(fd, header, strlen(header)) != 0)
        return -1;
    write_padding(fd);
    return -1;
}

/* The good list, 40 MiB of blanks after its '[': an answer past the old
 * fixed 32 MiB that a list of many containers is. */
static int respond_big_list(int fd)
{
    char header[128];
    size_t length = strlen(fake_list_body) + (size_t)PAD_CHUNK * PAD_CHUNKS;
    snprintf(header, sizeof header, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n[", length);
    if (write_all(fd, header, strlen(header)) != 0 || write_padding(fd) != 0)
        return -1;
    const char *rest = strchr(fake_list_body, '[');
    return rest && write_all(fd, rest + 1, strlen(rest + 1)) == 0 ? 0 : -1;
}

/* No length announced: only the reading stops it. */
static int respond_flood(int fd)
{
    const char *header = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n[";
    if (write_all(fd, header, strlen(header)) == 0)
        write_padding(fd);
    return -1;
}

static int respond_inspect(int fd, const char *path)
{
    for (int i = 0; i < 3; i++) {
        char expected[128];
        snprintf(expected, sizeof expected, "/containers/%s/json", fake_inspect_ids[i]);
        if (strcmp(path, expected) == 0)
            return respond(fd, 200, fake_inspect_bodies[i]);
    }
    return respond(fd, 404, "{\"message\":\"No such container\"}");
}

/* Returns -1 to close the connection. */
static int answer(int fd, enum fake_mode mode, const char *path)
{
    switch (mode) {
    case FAKE_500:
        return respond(fd, 500, "{\"message\":\"boom\\nsecond line\"}");
    case FAKE_GARBAGE:
        return respond(fd, 200, "hello, I am not Docker");
    case FAKE_NOT_ARRAY:
        return respond(fd, 200, "{\"containers\":[]}");
    case FAKE_CLOSE_MID_BODY: {
        const char *partial = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n[{\"Id\":";
        write_all(fd, partial, strlen(partial));
        return -1;
    }
    case FAKE_SILENT:
        sleep(60);
        return -1;
    case FAKE_HUGE:
        return respond_huge(fd);
    case FAKE_BIG_LIST:
        if (strcmp(path, "/containers/json?all=1") == 0)
            return respond_big_list(fd);
        break;
    case FAKE_FLOOD:
        return respond_flood(fd);
    case FAKE_OK:
        break;
    }
    /* A filtered list (docker_changes.h) gets the whole list: what is
     * checked is what the refresh asked and what it makes of the answer. */
    if (strncmp(path, "/containers/json?all=1", strlen("/containers/json?all=1")) == 0)
        return respond(fd, 200, fake_list_body);
    return respond_inspect(fd, path);
}

/* Serves requests on one connection (keep-alive) until the client closes
 * it; the refresher's own connect() probe closes at once. */
static void serve_connection(int fd, enum fake_mode mode, int log)
{
    char request[8192];
    size_t used = 0;
    for (;;) {
        char *end;
        while (!(end = memmem(request, used, "\r\n\r\n", 4))) {
            ssize_t got = used < sizeof request ? read(fd, request + used, sizeof request - used) : 0;
            if (got <= 0)
                return;
            used += (size_t)got;
        }
        char path[512] = "";
        request[used < sizeof request ? used : sizeof request - 1] = '\0';
        sscanf(request, "GET %511s", path);
        dprintf(log, "GET %s\n", path);
        if (answer(fd, mode, path) != 0)
            return;
        size_t consumed = (size_t)(end + 4 - request);
        memmove(request, end + 4, used - consumed);
        used -= consumed;
    }
}

static void serve(int listener, enum fake_mode mode, const char *log_path)
{
    signal(SIGPIPE, SIG_IGN);
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        dprintf(log, "ACCEPT\n");
        serve_connection(fd, mode, log);
        close(fd);
    }
}

static int fake_start(struct fake *fake, enum fake_mode mode)
{
    memset(fake, 0, sizeof *fake);
    strcpy(fake->dir, "/tmp/test-docker-XXXXXX");
    if (!mkdtemp(fake->dir))
        return -1;
    snprintf(fake->socket, sizeof fake->socket, "%s/docker.sock", fake->dir);
    snprintf(fake->log, sizeof fake->log, "%s/requests.log", fake->dir);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strcpy(address.sun_path, fake->socket);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(listener, 16) != 0)
        return -1;
    fflush(stdout);
    fake->pid = fork();
    if (fake->pid == 0) {
        serve(listener, mode, fake->log);
        _exit(0);
    }
    close(listener);
    return fake->pid > 0 ? 0 : -1;
}

static void fake_stop(struct fake *fake)
{
    if (fake->pid > 0) {
        kill(fake->pid, SIGKILL);
        waitpid(fake->pid, NULL, 0);
    }
    unlink(fake->socket);
    unlink(fake->log);
    rmdir(fake->dir);
}

/* How many lines of the fake's log contain `text`. */
static int fake_count(const struct fake *fake, const char *text)
{
    char *log = check_read_file(fake->log, NULL);
    int count = 0;
    for (const char *at = log; at && (at = strstr(at, text)); at++)
        count++;
    free(log);
    return count;
}

static int64_t realtime_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* --- vmh_docker_refresh -------------------------------------------------- */

/* A failing socket beside a working one is a message, not a failure; the
 * same engine reached twice is listed once. */
static void check_refresh_two_sockets(const struct fake *fake, const struct vmh_snapshot *known)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    const struct vmh_backend_state *state = &out.backends[VMH_BACKEND_DOCKER];
    char sockets[400];
    snprintf(sockets, sizeof sockets, " %s  %s/missing.sock %s ", fake->socket, fake->dir,
             fake->socket);
    CHECK_INT(vmh_docker_refresh(sockets, 5000, known, &out), 0, "refresh two: returns 0");
    CHECK_INT(state->status, VMH_STATUS_OK, "refresh two: one socket answered: OK");
    CHECK(strstr(state->message, "missing.sock does not exist") != NULL,
          "refresh two: the failing socket is named");
    CHECK_INT(out.count, 4, "refresh two: the same engine twice: no duplicates");
    vmh_snapshot_free(&out);
}

/* The watcher's refresh after Docker's events lists only the containers
 * they named (docker_changes.h), and one no engine lists is gone. */
#define ID_GONE "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
static void check_refresh_changed(const struct fake *fake)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    vmh_docker_changes_listed_all();
    vmh_docker_change_note(ID_WEB, VMH_DOCKER_CHANGED, vmh_monotonic_ms());
    vmh_docker_change_note(ID_GONE, VMH_DOCKER_CHANGED, vmh_monotonic_ms());
    CHECK_INT(vmh_docker_refresh(fake->socket, 5000, NULL, &out), 0, "changed: returns 0");
    CHECK_INT(fake_count(fake, "filters=%7B%22id%22%3A%5B%22"), 1,
              "changed: the list asks for the changed IDs only");
    CHECK(fake_count(fake, "%22" ID_WEB "%22") == 1 && fake_count(fake, "%22" ID_GONE "%22") == 1,
          "changed: both IDs");
    /* The whole lists before said the sidecar shares web's network. */
    CHECK(fake_count(fake, "%22" ID_SIDECAR "%22") == 1 && fake_count(fake, "%22%2C%22") == 2,
          "changed: and the sidecar that shares web's network, comma-separated");
    CHECK(out.partial, "changed: the answer is partial, for the merge");
    const struct vmh_host *gone = NULL;
    for (size_t i = 0; i < out.count; i++)
        if (out.hosts[i].id && strcmp(out.hosts[i].id, ID_GONE) == 0)
            gone = &out.hosts[i];
    CHECK(gone && gone->removed && gone->backend == VMH_BACKEND_DOCKER,
          "changed: an ID no engine lists is marked removed");
    vmh_snapshot_free(&out);

    vmh_snapshot_init(&out);
    vmh_docker_changes_list_all();
    int lists = fake_count(fake, "GET /containers/json?all=1\n");
    CHECK_INT(vmh_docker_refresh(fake->socket, 5000, NULL, &out), 0, "changed: then a whole list");
    CHECK(!out.partial && fake_count(fake, "GET /containers/json?all=1\n") == lists + 1,
          "changed: after list_all, the whole list, unfiltered");
    vmh_snapshot_free(&out);

    /* A socket with no engine behind it holds no container: a Podman
     * socket listed beside Docker's while Podman is off costs no event its
     * partial list. */
    vmh_snapshot_init(&out);
    vmh_docker_change_note(ID_WEB, VMH_DOCKER_CHANGED, vmh_monotonic_ms());
    char sockets[300];
    snprintf(sockets, sizeof sockets, "%s %s/missing.sock", fake->socket, fake->dir);
    CHECK_INT(vmh_docker_refresh(sockets, 5000, NULL, &out), 0,
              "changed: beside a socket with no engine: the partial answer stands");
    CHECK(out.partial && out.backends[VMH_BACKEND_DOCKER].status == VMH_STATUS_OK,
          "changed: partial, and Docker OK");
    vmh_snapshot_free(&out);
    /* An engine that is there and fails may hold a changed container. */
    struct fake garbage;
    if (fake_start(&garbage, FAKE_GARBAGE) != 0) {
        CHECK(0, "changed: a second, failing fake Docker started");
        return;
    }
    vmh_snapshot_init(&out);
    vmh_docker_change_note(ID_WEB, VMH_DOCKER_CHANGED, vmh_monotonic_ms());
    snprintf(sockets, sizeof sockets, "%s %s", fake->socket, garbage.socket);
    CHECK_INT(vmh_docker_refresh(sockets, 5000, NULL, &out), -1,
              "changed: one engine there fails: the partial answer is not used");
    CHECK(!out.partial, "changed: not partial then");
    vmh_snapshot_free(&out);
    /* A whole list beside it cannot tell the failing engine's containers
     * from removed ones either: a part, of what the other engine listed. */
    vmh_snapshot_init(&out);
    vmh_docker_changes_list_all();
    CHECK_INT(vmh_docker_refresh(sockets, 5000, NULL, &out), 0,
              "whole list, one engine there fails: the other's answer stands");
    CHECK(out.partial && out.count == 4,
          "... as a part, for the merge to keep the failing engine's containers");
    CHECK(strstr(out.backends[VMH_BACKEND_DOCKER].message, "last are kept") != NULL,
          "... and its message says so");
    vmh_snapshot_free(&out);
    fake_stop(&garbage);
    vmh_snapshot_init(&out);
    vmh_docker_change_note(ID_WEB, VMH_DOCKER_CHANGED, vmh_monotonic_ms());
    vmh_docker_refresh(fake->socket, 5000, NULL, &out);
    CHECK(!out.partial, "changed: after a silent engine, the next refresh lists everything");
    vmh_snapshot_free(&out);
}


static void test_refresh_ok(void)
{
    struct fake fake;
    if (fake_start(&fake, FAKE_OK) != 0) {
        CHECK(0, "refresh ok: fake Docker started");
        return;
    }
    struct vmh_snapshot known, out;
    vmh_snapshot_init(&known);
    vmh_snapshot_init(&out);
    add_known(&known, ID_HOSTNET, "from-known", VMH_BACKEND_DOCKER);
    int64_t before = realtime_ms();
    CHECK_INT(vmh_docker_refresh(fake.socket, 5000, &known, &out), 0, "refresh ok: returns 0");
    const struct vmh_backend_state *state = &out.backends[VMH_BACKEND_DOCKER];
    CHECK_INT(state->status, VMH_STATUS_OK, "refresh ok: status OK");
    CHECK_STR(state->message, "", "refresh ok: no message");
    CHECK(state->attempted_ms >= before - 1000 && state->attempted_ms <= realtime_ms(),
          "refresh ok: attempted now");
    /* updated: when Docker answered; attempted: when the attempt ended. */
    CHECK(state->updated_ms >= before && state->updated_ms <= state->attempted_ms,
          "refresh ok: updated when Docker answered, by the end of the attempt");
    CHECK_INT(out.count, 4, "refresh ok: four containers");
    const struct vmh_host *web = find_host(&out, "shop-web-1");
    CHECK_STR(web ? web->hostname : NULL, "web", "refresh ok: hostname from inspect");
    const struct vmh_host *hostnet = find_host(&out, "hostnet");
    CHECK_STR(hostnet ? hostnet->hostname : NULL, "from-known", "refresh ok: hostname from known");
    CHECK_STR(addresses_of(find_host(&out, "sidecar")), "172.21.0.5 172.20.0.2 fd00:dead:beef::2",
              "refresh ok: container:X addresses");
    CHECK_INT(fake_count(&fake, "GET /containers/json?all=1"), 1, "refresh ok: one list call");
    CHECK_INT(fake_count(&fake, "GET /containers/" ID_WEB "/json"), 1, "refresh ok: web inspected");
    CHECK_INT(fake_count(&fake, "GET /containers/" ID_SIDECAR "/json"), 1,
              "refresh ok: sidecar inspected");
    CHECK_INT(fake_count(&fake, ID_HOSTNET), 0, "refresh ok: a known hostname is not asked");
    CHECK_INT(fake_count(&fake, ID_EXITED), 0, "refresh ok: a stopped container is not asked");
    CHECK_INT(fake_count(&fake, "ACCEPT"), 1, "refresh ok: one keep-alive connection, no probe");
    vmh_snapshot_free(&out);
    check_refresh_two_sockets(&fake, &known);
    check_refresh_changed(&fake);
    vmh_snapshot_free(&known);
    fake_stop(&fake);
}

/* Runs a refresh against a fake in `mode`; checks it fails with ERROR in
 * time and says `expected`. */
static void check_refresh_fails(enum fake_mode mode, long timeout_ms, const char *expected,
                                const char *what)
{
    struct fake fake;
    if (fake_start(&fake, mode) != 0) {
        CHECK(0, what);
        return;
    }
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    int64_t start = vmh_monotonic_ms();
    int result = vmh_docker_refresh(fake.socket, timeout_ms, NULL, &out);
    int64_t elapsed = vmh_monotonic_ms() - start;
    const struct vmh_backend_state *state = &out.backends[VMH_BACKEND_DOCKER];
    char line[300];
    printf("# %s: %s\n", what, state->message);
    CHECK_INT(result, -1, what);
    snprintf(line, sizeof line, "%s: status ERROR", what);
    CHECK_INT(state->status, VMH_STATUS_ERROR, line);
    snprintf(line, sizeof line, "%s: message says \"%s\"", what, expected);
    if (!strstr(state->message, expected))
        printf("# got: %s\n", state->message);
    CHECK(strstr(state->message, expected) != NULL, line);
    snprintf(line, sizeof line, "%s: updated_ms 0, attempted set, no host", what);
    CHECK(state->updated_ms == 0 && state->attempted_ms > 0 && out.count == 0, line);
    snprintf(line, sizeof line, "%s: within timeout + 500 ms (took %lld ms)", what,
             (long long)elapsed);
    CHECK(elapsed < timeout_ms + 500, line);
    vmh_snapshot_free(&out);
    fake_stop(&fake);
}

/* A list past the old fixed 32 MiB is read whole: its bound grows with the
 * containers it may hold (VMH_DOCKER_LIST_MAX). */
static void test_refresh_big_list(void)
{
    struct fake fake;
    if (fake_start(&fake, FAKE_BIG_LIST) != 0) {
        CHECK(0, "big list: fake Docker started");
        return;
    }
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    CHECK_INT(vmh_docker_refresh(fake.socket, 20000, NULL, &out), 0, "big list (40 MiB): read");
    CHECK_STR(out.backends[VMH_BACKEND_DOCKER].message, "", "big list: no message");
    CHECK_INT(out.count, 4, "big list: every container");
    const struct vmh_host *web = find_host(&out, "shop-web-1");
    CHECK_STR(web ? web->hostname : NULL, "web", "big list: inspects follow on the connection");
    vmh_snapshot_free(&out);
    fake_stop(&fake);
}

/* One list that names an ID twice (a hostile or broken engine): the
 * first socket's hosts are taken whole (docker.c, take_hosts), and the
 * repeat is dropped there as it was between sockets, the first kept. */
static void test_refresh_repeated_id(void)
{
    char *saved = fake_list_body;
    fake_list_body = "[" ENTRY("aa01", "first", "") "," ENTRY("bb02", "other", "") ","
                     ENTRY("AA01", "second", "") "]";
    struct fake fake;
    if (fake_start(&fake, FAKE_OK) != 0) {
        fake_list_body = saved;
        CHECK(0, "repeated ID: fake Docker started");
        return;
    }
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    vmh_docker_changes_list_all(); /* the whole list, whatever tests before noted */
    CHECK_INT(vmh_docker_refresh(fake.socket, 5000, NULL, &out), 0, "repeated ID: read");
    CHECK_INT(out.count, 2, "repeated ID: listed once");
    CHECK(find_host(&out, "first") && find_host(&out, "other") && !find_host(&out, "second"),
          "repeated ID: the first kept");
    CHECK(out.count == 2 && strcmp(out.hosts[0].name, "first") == 0 &&
              strcmp(out.hosts[1].name, "other") == 0,
          "repeated ID: in the list's order");
    vmh_snapshot_free(&out);
    fake_stop(&fake);
    fake_list_body = saved;
}

#define LIST_URL "http://localhost/containers/json?all=1"

/* An answer with no length announced is stopped by the reading: at the
 * default bound, or at one a caller allows for one answer only. */
static void test_http_bounds(void)
{
    struct fake fake;
    struct vmh_http http;
    struct vmh_http_outcome outcome = {0};
    if (fake_start(&fake, FAKE_FLOOD) != 0 ||
        vmh_http_open(&http, "Docker", fake.socket, "", vmh_monotonic_ms() + 20000,
                      &outcome) != 0) {
        CHECK(0, "flood: fake Docker started");
        return;
    }
    CHECK_INT(vmh_http_get(&http, LIST_URL, &outcome), -1, "flood: stopped at the default bound");
    printf("# %s\n", outcome.message);
    CHECK(strstr(outcome.message, "Docker's answer is larger than 32 MiB (on ") != NULL,
          "flood: the message names the default bound");
    vmh_http_allow(&http, (size_t)64 << 20, "as the test allows");
    CHECK_INT(vmh_http_get(&http, LIST_URL, &outcome), 0, "flood: read under a larger bound");
    CHECK_INT(http.size, 1 + (size_t)PAD_CHUNK * PAD_CHUNKS, "flood: ... all 40 MiB of it");
    CHECK_INT(vmh_http_get(&http, LIST_URL, &outcome), -1,
              "flood: the bound held for that answer only");
    CHECK(strstr(outcome.message, "larger than 32 MiB (on ") != NULL,
          "flood: ... the next one is held to 32 MiB again");
    vmh_http_close(&http);
    fake_stop(&fake);
}

static void test_refresh_failures(void)
{
    check_refresh_fails(FAKE_500, 5000, "answered HTTP 500: boom", "refresh 500");
    struct fake fake;
    if (fake_start(&fake, FAKE_500) == 0) {
        struct vmh_snapshot out;
        vmh_snapshot_init(&out);
        vmh_docker_refresh(fake.socket, 5000, NULL, &out);
        CHECK(strstr(out.backends[0].message, "second line") == NULL,
              "refresh 500: only the message's first line");
        vmh_snapshot_free(&out);
        fake_stop(&fake);
    }
    check_refresh_fails(FAKE_GARBAGE, 5000, "not JSON", "refresh garbage");
    check_refresh_fails(FAKE_NOT_ARRAY, 5000, "expected a JSON array", "refresh not a list");
    check_refresh_fails(FAKE_CLOSE_MID_BODY, 5000, "cannot talk to Docker", "refresh cut body");
    check_refresh_fails(FAKE_SILENT, 700, "did not answer within", "refresh silent");
    check_refresh_fails(FAKE_HUGE, 20000,
                        "larger than 781 MiB, the most 100000 containers of 8192 bytes each take",
                        "refresh announced past the list's bound");
}

static void check_unavailable(const char *sockets, uint32_t status, const char *expected,
                              const char *what)
{
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    char line[300];
    CHECK_INT(vmh_docker_refresh(sockets, 1000, NULL, &out), -1, what);
    snprintf(line, sizeof line, "%s: status %u", what, status);
    CHECK_INT(out.backends[VMH_BACKEND_DOCKER].status, status, line);
    snprintf(line, sizeof line, "%s: message says \"%s\"", what, expected);
    if (!strstr(out.backends[VMH_BACKEND_DOCKER].message, expected))
        printf("# got: %s\n", out.backends[VMH_BACKEND_DOCKER].message);
    CHECK(strstr(out.backends[VMH_BACKEND_DOCKER].message, expected) != NULL, line);
    vmh_snapshot_free(&out);
}

static void test_refresh_unavailable(void)
{
    check_unavailable("/nonexistent/docker.sock", VMH_STATUS_UNAVAILABLE,
                      "/nonexistent/docker.sock does not exist: no daemon is running there",
                      "missing socket");
    check_unavailable("/nonexistent/a.sock /nonexistent/b.sock", VMH_STATUS_UNAVAILABLE,
                      "a.sock does not exist", "two missing: the first failure");
    check_unavailable("", VMH_STATUS_UNAVAILABLE, "no Docker socket", "no socket configured");
    char long_path[160];
    memset(long_path, 'x', sizeof long_path - 1);
    long_path[0] = '/';
    long_path[sizeof long_path - 1] = '\0';
    check_unavailable(long_path, VMH_STATUS_ERROR, "the Docker socket path /xxx",
                      "a path too long for a socket");
    char dir[] = "/tmp/test-docker-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char path[128];
    snprintf(path, sizeof path, "%s/dead.sock", dir);
    CHECK(make_dead_socket(path), "dead socket file: made");
    check_unavailable(path, VMH_STATUS_UNAVAILABLE, "nothing listens on", "dead socket file");
    unlink(path);
    rmdir(dir);
}

/* As root, connect() ignores the socket's mode: a child drops to nobody to
 * meet the permission check a user in the docker group passes. */
static void test_refresh_denied(void)
{
    struct fake fake;
    if (fake_start(&fake, FAKE_OK) != 0)
        return;
    chmod(fake.dir, 0755);
    chmod(fake.socket, 0);
    if (geteuid() != 0) {
        check_unavailable(fake.socket, VMH_STATUS_DENIED, "permission denied on", "chmod 000");
        fake_stop(&fake);
        return;
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        fake_stop(&fake);
        return;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        struct vmh_snapshot out;
        vmh_snapshot_init(&out);
        if (setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0)
            vmh_docker_refresh(fake.socket, 1000, NULL, &out);
        write_all(pipe_fds[1], (const char *)&out.backends[VMH_BACKEND_DOCKER],
                  sizeof out.backends[0]);
        vmh_snapshot_free(&out);
        _exit(0);
    }
    close(pipe_fds[1]);
    struct vmh_backend_state state = {0};
    ssize_t got = read(pipe_fds[0], &state, sizeof state);
    close(pipe_fds[0]);
    waitpid(child, NULL, 0);
    CHECK(got == (ssize_t)sizeof state, "chmod 000: the unprivileged child reported");
    CHECK_INT(state.status, VMH_STATUS_DENIED, "chmod 000: status DENIED");
    CHECK(strstr(state.message, "add your user to the docker group") != NULL,
          "chmod 000: the message says what to do");
    fake_stop(&fake);
}

/* The child of test_refresh_rootless: nobody, whose runtime folder
 * /run/user/65534 is the fake's folder (a private /run in a mount
 * namespace of its own).  Exits 77 when it cannot set that up. */
static void refresh_as_nobody(const struct fake *fake, int report)
{
    const char *runtime = "/run/user/65534";
    if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("none", "/run", "tmpfs", 0, "mode=0755") != 0 || mkdir("/run/user", 0755) != 0 ||
        mkdir(runtime, 0700) != 0 || mount(fake->dir, runtime, "none", MS_BIND, NULL) != 0 ||
        setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
        _exit(77);
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    vmh_docker_refresh("", 1000, NULL, &out);
    write_all(report, (const char *)&out.backends[VMH_BACKEND_DOCKER], sizeof out.backends[0]);
    write_all(report, (const char *)&out.count, sizeof out.count);
    vmh_snapshot_free(&out);
    _exit(0);
}

/* A user's own engines, found in the runtime folder and never configured:
 * the one that runs is asked over one connection, with no test connection
 * before it, and a Podman socket that nothing listens on is no failure. */
static void test_refresh_rootless(void)
{
    struct fake fake;
    int pipe_fds[2];
    if (geteuid() != 0) {
        check_skip("rootless: refresh as nobody", "needs root to give nobody a runtime folder");
        return;
    }
    if (fake_start(&fake, FAKE_OK) != 0 || pipe2(pipe_fds, O_CLOEXEC) != 0) {
        CHECK(0, "rootless: fake Docker started");
        return;
    }
    char podman_dir[160], podman[180];
    snprintf(podman_dir, sizeof podman_dir, "%s/podman", fake.dir);
    snprintf(podman, sizeof podman, "%s/podman.sock", podman_dir);
    if (mkdir(podman_dir, 0700) != 0 || chown(podman_dir, 65534, 65534) != 0 ||
        chown(fake.dir, 65534, 65534) != 0 || chown(fake.socket, 65534, 65534) != 0)
        printf("# setting up %s: %s\n", fake.dir, strerror(errno));
    if (!make_dead_socket(podman) || chown(podman, 65534, 65534) != 0)
        printf("# making %s: %s\n", podman, strerror(errno));
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        refresh_as_nobody(&fake, pipe_fds[1]);
    close(pipe_fds[1]);
    struct vmh_backend_state state = {0};
    size_t count = 0;
    bool reported = read(pipe_fds[0], &state, sizeof state) == (ssize_t)sizeof state &&
                    read(pipe_fds[0], &count, sizeof count) == (ssize_t)sizeof count;
    close(pipe_fds[0]);
    int status = -1;
    waitpid(child, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        check_skip("rootless: refresh as nobody", "cannot make a private /run/user");
    } else {
        CHECK(reported, "rootless: the child reported");
        CHECK_INT(state.status, VMH_STATUS_OK, "rootless: status OK");
        CHECK_STR(state.message, "", "rootless: a Podman socket nothing listens on is no failure");
        CHECK_INT(count, 4, "rootless: the running engine's four containers");
        CHECK_INT(fake_count(&fake, "ACCEPT"), 1, "rootless: one connection, no test one first");
    }
    unlink(podman);
    rmdir(podman_dir);
    fake_stop(&fake);
}

/* A fake Docker whose listener user `uid` made, in a folder of its own:
 * a daemon that runs as that user. */
static int fake_start_as(struct fake *fake, uid_t uid)
{
    int ready[2];
    memset(fake, 0, sizeof *fake);
    strcpy(fake->dir, "/tmp/test-docker-XXXXXX");
    if (!mkdtemp(fake->dir) || chown(fake->dir, uid, uid) != 0 || pipe2(ready, O_CLOEXEC) != 0)
        return -1;
    snprintf(fake->socket, sizeof fake->socket, "%s/docker.sock", fake->dir);
    snprintf(fake->log, sizeof fake->log, "%s/requests.log", fake->dir);
    fflush(stdout);
    fake->pid = fork();
    if (fake->pid == 0) {
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        strcpy(address.sun_path, fake->socket);
        int listener = -1;
        if (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0 ||
            (listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
            bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
            listen(listener, 16) != 0 || write(ready[1], "", 1) != 1)
            _exit(1);
        serve(listener, FAKE_OK, fake->log);
        _exit(0);
    }
    close(ready[1]);
    char byte;
    bool started = fake->pid > 0 && read(ready[0], &byte, 1) == 1;
    close(ready[0]);
    return started ? 0 : -1;
}

/* The refresh's state, its container count and how many of them it
 * marked rootless, from a child that runs as uid (then, when `unmapped`,
 * in a user namespace of its own that maps no one: status VMH_STATUS_MAX
 * + 2 when it cannot make one). */
static void refresh_in(uid_t uid, bool unmapped, const char *socket,
                       struct vmh_backend_state *state, size_t *count, size_t *rootless)
{
    int report[2];
    *count = *rootless = 0;
    memset(state, 0, sizeof *state);
    if (pipe2(report, O_CLOEXEC) != 0)
        return;
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        struct vmh_snapshot out;
        vmh_snapshot_init(&out);
        if (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0)
            _exit(1);
        if (unmapped && unshare(CLONE_NEWUSER) != 0)
            out.backends[VMH_BACKEND_DOCKER].status = VMH_STATUS_MAX + 2;
        else
            vmh_docker_refresh(socket, 1000, NULL, &out);
        size_t marked = 0;
        for (size_t i = 0; i < out.count; i++)
            marked += out.hosts[i].rootless;
        write_all(report[1], (const char *)&out.backends[VMH_BACKEND_DOCKER], sizeof *state);
        write_all(report[1], (const char *)&out.count, sizeof out.count);
        write_all(report[1], (const char *)&marked, sizeof marked);
        _exit(0);
    }
    close(report[1]);
    if (read(report[0], state, sizeof *state) != (ssize_t)sizeof *state ||
        read(report[0], count, sizeof *count) != (ssize_t)sizeof *count ||
        read(report[0], rootless, sizeof *rootless) != (ssize_t)sizeof *rootless)
        state->status = VMH_STATUS_MAX + 1;
    close(report[0]);
    waitpid(child, NULL, 0);
}

static void refresh_as(uid_t uid, const char *socket, struct vmh_backend_state *state,
                       size_t *count, size_t *rootless)
{
    refresh_in(uid, false, socket, state, count, rootless);
}

/* nobody's refresh of the fake's four containers: OK, and how many of
 * them a rootless engine's (all when nobody runs the daemon, none when
 * root does). */
static void check_nobodys_refresh(const char *socket, size_t rootless_expected, const char *what)
{
    struct vmh_backend_state state;
    size_t count, rootless;
    char text[160];
    refresh_as(65534, socket, &state, &count, &rootless);
    snprintf(text, sizeof text, "%s: OK, with the four containers", what);
    CHECK(state.status == VMH_STATUS_OK && count == 4, text);
    snprintf(text, sizeof text, "%s: %zu of them a rootless engine's", what, rootless_expected);
    CHECK_INT(rootless, rootless_expected, text);
}

/* A daemon the kernel does not say the user of is refused too. */
static void test_refresh_peer_unknown(void)
{
    struct fake fake;
    if (fake_start(&fake, FAKE_OK) != 0) {
        CHECK(0, "peer unknown: fake Docker started");
        return;
    }
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    peercred_fails = true;
    CHECK(vmh_docker_refresh(fake.socket, 1000, NULL, &out) != 0, "peer unknown: the refresh fails");
    peercred_fails = false;
    CHECK_INT(out.count, 0, "peer unknown: none of its containers");
    CHECK(strstr(out.backends[VMH_BACKEND_DOCKER].message,
                 "the kernel does not say who runs Docker") != NULL,
          "peer unknown: the message says so");
    vmh_snapshot_free(&out);
    fake_stop(&fake);
}

/* A daemon of another user, wherever its socket is (here not under
 * /run/user, where the path alone would have told): root's refresh
 * takes none of its answer, its own user's does, as a rootless engine's
 * (Docker Desktop's and colima's sockets are the user's, anywhere). */
static void test_refresh_foreign_daemon(void)
{
    struct fake fake;
    if (geteuid() != 0) {
        check_skip("foreign daemon: root's refresh", "needs root to run a daemon as nobody");
        return;
    }
    if (fake_start_as(&fake, 65534) != 0) {
        CHECK(0, "foreign daemon: fake Docker started as nobody");
        fake_stop(&fake);
        return;
    }
    CHECK(!vmh_rootless_socket_foreign(0, fake.socket), "foreign daemon: its path says nothing");
    struct vmh_snapshot out;
    vmh_snapshot_init(&out);
    CHECK(vmh_docker_refresh(fake.socket, 1000, NULL, &out) != 0, "foreign daemon: root's refresh fails");
    CHECK_INT(out.count, 0, "foreign daemon: none of its containers");
    CHECK_INT(out.backends[VMH_BACKEND_DOCKER].status, VMH_STATUS_ERROR, "foreign daemon: an error");
    CHECK(strstr(out.backends[VMH_BACKEND_DOCKER].message,
                 "runs as user 65534, neither root nor you") != NULL,
          "foreign daemon: the message names its user");
    printf("# %s\n", out.backends[VMH_BACKEND_DOCKER].message);
    vmh_snapshot_free(&out);
    check_nobodys_refresh(fake.socket, 4, "foreign daemon: its own user's refresh");
    fake_stop(&fake);
}

/* Root's daemon asked by a user who may reach it (the docker group's
 * members): its containers are on the machine's own networks. */
static void test_refresh_user_asks_root(void)
{
    struct fake fake;
    if (geteuid() != 0) {
        check_skip("root's daemon: a user's refresh", "needs root to run a daemon as root");
        return;
    }
    if (fake_start(&fake, FAKE_OK) != 0 || chmod(fake.dir, 0755) != 0 ||
        chmod(fake.socket, 0666) != 0) {
        CHECK(0, "root's daemon: fake Docker started, open to every user");
        fake_stop(&fake);
        return;
    }
    check_nobodys_refresh(fake.socket, 0, "root's daemon: a user's refresh");
    fake_stop(&fake);
}

/* A refresh as nobody in a user namespace that maps no one (`unshare
 * -U`): there every unmapped user shows as the overflow user 65534, the
 * refresher's own, so a daemon of anyone else would pass for its own.
 * It takes no answer there; in the first namespace, nobody's refresh of
 * nobody's daemon does (test_refresh_foreign_daemon). */
static void test_refresh_unmapped(void)
{
    struct fake fake;
    if (geteuid() != 0) {
        check_skip("unmapped: a refresh in a user namespace", "needs root to run a daemon as uid 4242");
        return;
    }
    if (fake_start_as(&fake, 4242) != 0 || chmod(fake.dir, 0755) != 0 ||
        chmod(fake.socket, 0666) != 0) {
        CHECK(0, "unmapped: fake Docker started as uid 4242, open to every user");
        fake_stop(&fake);
        return;
    }
    struct vmh_backend_state state;
    size_t count, rootless;
    refresh_in(65534, true, fake.socket, &state, &count, &rootless);
    if (state.status == VMH_STATUS_MAX + 2) {
        check_skip("unmapped: a refresh in a user namespace", "cannot make a user namespace here");
    } else {
        CHECK(state.status == VMH_STATUS_ERROR && count == 0,
              "unmapped: uid 4242's daemon, shown as the refresher's own user: none of its answer");
        CHECK(strstr(state.message, "the kernel does not say who runs Docker") != NULL,
              "unmapped: the message says its user is not known");
    }
    fake_stop(&fake);
}

static void load_fake_bodies(void)
{
    fake_list_body = read_fixture(LIST_152, NULL);
    fake_inspect_bodies[0] = read_fixture(INSPECT_IPV6, NULL);
    fake_inspect_bodies[1] = read_fixture(INSPECT_HOST, NULL);
    fake_inspect_bodies[2] = read_fixture(INSPECT_SIDECAR, NULL);
}

static void free_fake_bodies(void)
{
    free(fake_list_body);
    for (int i = 0; i < 3; i++)
        free(fake_inspect_bodies[i]);
}

int main(void)
{
    test_list_api152();
    test_list_api122();
    test_hostname_from_known();
    test_endpoint_from_known();
    test_inspect();
    test_rootless_list_fixture();
    test_rootless_shapes();
    test_rootless_ports();
    test_rootless_sockets();
    test_network_order();
    test_network_aliases();
    test_preferred_label();
    test_wildcard_label();
    test_chosen_names();
    test_network_modes();
    test_drop_unshared();
    test_sharing_learned();
    test_append_keeps_existing();
    test_wrong_types();
    test_unusable_addresses();
    make_long_texts();
    test_invalid_container_names();
    test_invalid_hostnames();
    test_too_many_networks();
    test_broken_lists();
    test_large_list();

    curl_global_init(CURL_GLOBAL_DEFAULT);
    load_fake_bodies();
    test_refresh_ok();
    test_refresh_failures();
    test_refresh_big_list();
    test_refresh_repeated_id();
    test_http_bounds();
    test_refresh_unavailable();
    test_refresh_denied();
    test_refresh_rootless();
    test_refresh_foreign_daemon();
    test_refresh_user_asks_root();
    test_refresh_unmapped();
    test_refresh_peer_unknown();
    free_fake_bodies();
    curl_global_cleanup();
    return check_done();
}
