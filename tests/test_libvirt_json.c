/* The libvirt backend: its parser on the recorded files of Debian 12's
 * libvirt (tests/fixtures/libvirt/) and odd or hostile ones, and a refresh
 * of a folder: what it reads and what it refuses to read. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "check_hosts.h"
#include "libvirt.h"

static struct vmh_snapshot snapshot;
static char error[VMH_MESSAGE_MAX];

/* The fixture's lease expires at 1796137080. */
#define BEFORE_EXPIRY 1796137000
#define AFTER_EXPIRY 1796137081

static int parse(const char *status, const char *macs, int64_t now_s)
{
    vmh_snapshot_free(&snapshot);
    vmh_snapshot_init(&snapshot);
    error[0] = '\0';
    return vmh_libvirt_parse(status, status ? strlen(status) : 0, macs, macs ? strlen(macs) : 0,
                             now_s, VMH_BACKEND_LIBVIRT, &snapshot, error, sizeof error);
}

static const char *addresses_of(const char *name)
{
    return check_addresses_of(&snapshot, name);
}

static char *fixture(const char *name)
{
    char relative[128];
    size_t length;
    snprintf(relative, sizeof relative, "libvirt/%s", name);
    char *text = check_read_file(check_fixture(relative), &length);
    if (!text)
        printf("# cannot read %s\n", check_fixture(relative));
    return text;
}

static void test_fixtures(void)
{
    char *status = fixture("virbr77.status"), *macs = fixture("virbr77.macs");
    CHECK(parse(status, macs, BEFORE_EXPIRY) == 0 && snapshot.count == 2,
          "recorded files: the domain and the hostname its guest sent");
    CHECK_STR(addresses_of("vm2"), "10.77.0.22", "vm2: the lease of its MAC");
    CHECK_STR(addresses_of("vm2-host"), "10.77.0.22", "vm2-host: the DHCP hostname");
    CHECK(parse(status, macs, AFTER_EXPIRY) == 0, "after the lease expired: read");
    CHECK_STR(addresses_of("vm2"), "", "after expiry: the domain has no address");
    CHECK_STR(addresses_of("vm2-host"), "(no such host)", "after expiry: no hostname");
    CHECK(parse(status, NULL, BEFORE_EXPIRY) == 0 && snapshot.count == 1,
          "no MAC file (no running domain known): the hostname only");
    free(status);
    free(macs);
}

#define LEASE(ip, mac, host, expiry)                                                           \
    "{\"ip-address\":\"" ip "\",\"mac-address\":\"" mac "\",\"hostname\":\"" host              \
    "\",\"expiry-time\":" expiry "}"

static void test_rules(void)
{
    const char *status = "[" LEASE("fd77::5", "52:54:00:00:00:05", "web", "0") ","
                         LEASE("10.77.0.5", "52:54:00:00:00:05", "web", "0") ","
                         LEASE("10.77.0.6", "52:54:00:00:00:06", "db", "0") ","
                         LEASE("10.77.0.7", "52:54:00:00:00:07", "bad name", "0") ","
                         LEASE("10.77.0.8", "52:54:00:00:00:08", "", "0") "]";
    const char *macs = "[{\"domain\":\"db\",\"macs\":[\"52:54:00:00:00:05\"]},"
                       "{\"domain\":\"x\\ny\",\"macs\":[\"52:54:00:00:00:08\"]},"
                       "{\"domain\":\"idle\",\"macs\":[\"52:54:00:00:00:99\"]}]";
    CHECK(parse(status, macs, 1) == 0, "leases and domains read");
    CHECK_STR(addresses_of("db"), "10.77.0.5 fd77::5",
              "the domain db (by its MAC), IPv4 first; it wins over the hostname db another "
              "guest sent");
    CHECK_STR(addresses_of("web"), "10.77.0.5 fd77::5", "a hostname: every lease that sent it");
    CHECK_STR(addresses_of("bad name"), "(no such host)", "a hostname no DNS name can be: skipped");
    CHECK_STR(addresses_of("idle"), "", "a running domain without a lease: no address");
    CHECK(snapshot.count == 3, "db, idle, web and nothing else (no empty or hostile names)");
}

/* A hostname two guests send is neither's; one guest's two NICs (one
 * domain's MACs) sending it are one sender. */
static void test_hostname_senders(void)
{
    const char *status = "[" LEASE("10.77.0.11", "52:54:00:00:00:11", "shared", "0") ","
                         LEASE("10.77.0.12", "52:54:00:00:00:12", "shared", "0") ","
                         LEASE("10.77.0.21", "52:54:00:00:00:21", "twonic", "0") ","
                         LEASE("10.78.0.22", "52:54:00:00:00:22", "twonic", "0") ","
                         LEASE("10.77.0.31", "52:54:00:00:00:31", "mine", "0") ","
                         LEASE("10.77.0.32", "52:54:00:00:00:32", "mine", "1") "]";
    const char *macs = "[{\"domain\":\"vm2\",\"macs\":[\"52:54:00:00:00:21\"]},"
                       "{\"domain\":\"vm2\",\"macs\":[\"52:54:00:00:00:22\"]}]";
    CHECK(parse(status, macs, 100) == 0, "leases of several guests read");
    CHECK_STR(addresses_of("shared"), "(no such host)",
              "a hostname two guests sent: neither answers it");
    CHECK_STR(addresses_of("twonic"), "10.77.0.21 10.78.0.22",
              "a hostname one domain's two NICs sent: both addresses");
    CHECK_STR(addresses_of("mine"), "10.77.0.31",
              "a hostname another guest's expired lease carried: still this guest's");
}

/* A domain on two networks: each network's .macs names it with that
 * network's MAC only (libvirt.c reads every one into one list). */
static void test_two_networks(void)
{
    const char *status = "[" LEASE("10.77.0.10", "52:54:00:aa:00:01", "", "0") ","
                         LEASE("10.78.0.20", "52:54:00:bb:00:02", "", "0") "]";
    const char *macs = "[{\"domain\":\"vm\",\"macs\":[\"52:54:00:aa:00:01\"]},"
                       "{\"domain\":\"vm\",\"macs\":[\"52:54:00:bb:00:02\"]}]";
    CHECK(parse(status, macs, 1) == 0 && snapshot.count == 1, "a domain on two networks: one host");
    CHECK_STR(addresses_of("vm"), "10.77.0.10 10.78.0.20",
              "... with the addresses of both networks' MACs");
}

/* Many guests, matched through indexes rather than scans: each domain
 * still gets its own MACs' leases (in either case), a domain listing a MAC
 * twice has the lease once, and the hosts come in the same order: domains
 * as listed, then hostnames as sent. */
static void test_many_guests(void)
{
    enum { GUESTS = 600 };
    size_t size = GUESTS * 160 + 64;
    char *status = malloc(size), *macs = malloc(size);
    size_t s = 0, m = 0;
    s += (size_t)snprintf(status + s, size - s, "[");
    m += (size_t)snprintf(macs + m, size - m, "[");
    for (int i = 0; i < GUESTS; i++) {
        s += (size_t)snprintf(status + s, size - s,
                              "%s{\"ip-address\":\"10.9.%d.%d\",\"mac-address\":"
                              "\"52:54:00:00:%02x:%02x\",\"hostname\":\"guest-%d\","
                              "\"expiry-time\":0}",
                              i ? "," : "", i / 200, i % 200 + 2, i / 256, i % 256, i);
        m += (size_t)snprintf(macs + m, size - m,
                              "%s{\"domain\":\"vm-%d\",\"macs\":[\"52:54:00:00:%02X:%02X\","
                              "\"52:54:00:00:%02x:%02x\"]}",
                              i ? "," : "", i, i / 256, i % 256, i / 256, i % 256);
    }
    snprintf(status + s, size - s, "]");
    snprintf(macs + m, size - m, "]");
    CHECK(parse(status, macs, 1) == 0 && snapshot.count == 2 * GUESTS,
          "600 guests: a domain and a hostname each");
    bool mine = true, ordered = true;
    for (int i = 0; i < GUESTS; i++) {
        char name[32], address[32];
        snprintf(name, sizeof name, "vm-%d", i);
        snprintf(address, sizeof address, "10.9.%d.%d", i / 200, i % 200 + 2);
        mine = mine && strcmp(addresses_of(name), address) == 0;
        ordered = ordered && snapshot.count == 2 * GUESTS &&
                  strcmp(snapshot.hosts[i].name, name) == 0;
        snprintf(name, sizeof name, "guest-%d", i);
        mine = mine && strcmp(addresses_of(name), address) == 0;
        ordered = ordered && snapshot.count == 2 * GUESTS &&
                  strcmp(snapshot.hosts[GUESTS + i].name, name) == 0;
    }
    CHECK(mine, "each domain and each hostname: its own guest's lease, once");
    CHECK(ordered, "domains in the MAC file's order, then hostnames in the leases' order");
    free(status);
    free(macs);
}

/* A name with a dot (virt-install names domains ubuntu22.04, rhel9.3): a
 * libvirt name is one label before its domain, so such a name is left
 * out, never answered in reverse without resolving forward; the guest's
 * own hostname still answers. */
static void test_dotted_names(void)
{
    const char *status = "[" LEASE("10.77.0.41", "52:54:00:00:00:41", "ubuntu", "0") ","
                         LEASE("10.77.0.42", "52:54:00:00:00:42", "rhel9.3", "0") "]";
    const char *macs = "[{\"domain\":\"ubuntu22.04\",\"macs\":[\"52:54:00:00:00:41\"]},"
                       "{\"domain\":\"rhel\",\"macs\":[\"52:54:00:00:00:42\"]}]";
    CHECK(parse(status, macs, 1) == 0, "domains and hostnames with dots: read");
    CHECK_STR(addresses_of("ubuntu22.04"), "(no such host)", "a domain named ubuntu22.04: left out");
    CHECK_STR(addresses_of("rhel9.3"), "(no such host)", "a hostname rhel9.3: left out");
    CHECK_STR(addresses_of("ubuntu"), "10.77.0.41", "the dotted domain's guest: by its hostname");
    CHECK_STR(addresses_of("rhel"), "10.77.0.42", "the dotted hostname's domain: by its name");
    CHECK(snapshot.count == 2, "ubuntu and rhel, nothing else");
}

static void test_refused(void)
{
    static const char *const bad[] = {"{}", "[", "\"x\"", "[] []"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "a lease file of %s: refused with a reason", bad[i]);
        CHECK(parse(bad[i], "[]", 1) == -1 && snapshot.count == 0 && strstr(error, "libvirt"),
              what);
        snprintf(what, sizeof what, "a MAC file of %s: refused with a reason", bad[i]);
        CHECK(parse("[]", bad[i], 1) == -1 && snapshot.count == 0 && strstr(error, "libvirt"),
              what);
    }
    CHECK(parse("[1, null, \"x\", {\"ip-address\": 5}]", "[1, {\"macs\": 3}]", 1) == 0 &&
              snapshot.count == 0,
          "items that are not leases or domains: skipped");
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        printf("# cannot write %s\n", path);
    if (fd >= 0) {
        fchmod(fd, mode);
        close(fd);
    }
}

static uint32_t refresh(const char *dir)
{
    vmh_snapshot_free(&snapshot);
    vmh_snapshot_init(&snapshot);
    vmh_libvirt_refresh(dir, VMH_BACKEND_LIBVIRT, &snapshot);
    return snapshot.backends[VMH_BACKEND_LIBVIRT].status;
}

static const char *message(void)
{
    return snapshot.backends[VMH_BACKEND_LIBVIRT].message;
}

/* What must never hang or exhaust the refresher: a FIFO with no writer (a
 * blocking open would wait for one for ever: the alarm ends the test
 * instead) and a file far larger than any lease list. */
static void test_not_files(const char *dir)
{
    char path[300];
    snprintf(path, sizeof path, "%s/virbr1.status", dir);
    if (mkfifo(path, 0644) != 0)
        printf("# cannot make a FIFO\n");
    alarm(10);
    CHECK(refresh(dir) == VMH_STATUS_ERROR && strstr(message(), "not a regular file") &&
              strstr(message(), "virbr1.status"),
          "a lease file that is a FIFO: refused at once, and the refresh says so");
    alarm(0);
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, 100L * 1024 * 1024) != 0)
        printf("# cannot make a 100 MB file\n");
    if (fd >= 0)
        close(fd);
    CHECK(refresh(dir) == VMH_STATUS_ERROR && strstr(message(), "too large") &&
              strstr(message(), "virbr1.status"),
          "a lease file of 100 MB: refused as too large, by name");
    unlink(path);
}

/* A source that never ends, such as a file that keeps growing under the
 * reader (or a device that lies about its size): read only up to the cap. */
static void test_bounded_read(void)
{
    int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    size_t length = 0;
    bool too_large = false;
    alarm(30);
    char *text = fd >= 0 ? vmh_libvirt_read_bounded(fd, &length, &too_large) : NULL;
    alarm(0);
    CHECK(fd >= 0 && !text && too_large, "an endless source: read up to 8 MiB, then refused");
    free(text);
    if (fd >= 0)
        close(fd);
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    text = fd >= 0 ? vmh_libvirt_read_bounded(fd, &length, &too_large) : NULL;
    CHECK(text && length == 0 && !too_large, "an empty file: read, empty");
    free(text);
    if (fd >= 0)
        close(fd);
}

/* One MAC on two bridges (libvirt gives each network its own MAC list,
 * and a MAC may be set by hand): each bridge's leases are matched against
 * its own .macs, never another bridge's. */
static void test_bridges(void)
{
    char dir[] = "/tmp/test_libvirt.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(false, "a scratch folder");
        return;
    }
    write_file(dir, "virbr1.status",
               "[" LEASE("10.1.0.5", "52:54:00:00:00:05", "guest", "0") ","
                   LEASE("10.1.0.6", "52:54:00:00:00:06", "", "0") "]", 0644);
    write_file(dir, "virbr1.macs",
               "[{\"domain\":\"alpha\",\"macs\":[\"52:54:00:00:00:05\"]},"
               "{\"domain\":\"gamma\",\"macs\":[\"52:54:00:00:00:06\"]}]", 0644);
    write_file(dir, "virbr2.status",
               "[" LEASE("10.2.0.5", "52:54:00:00:00:05", "guest", "0") ","
                   LEASE("10.2.0.7", "52:54:00:00:00:07", "", "0") "]", 0644);
    write_file(dir, "virbr2.macs",
               "[{\"domain\":\"beta\",\"macs\":[\"52:54:00:00:00:05\"]},"
               "{\"domain\":\"gamma\",\"macs\":[\"52:54:00:00:00:07\"]}]", 0644);
    CHECK(refresh(dir) == VMH_STATUS_OK, "two bridges, one MAC on both: read");
    CHECK_STR(addresses_of("alpha"), "10.1.0.5", "alpha: its own bridge's lease only");
    CHECK_STR(addresses_of("beta"), "10.2.0.5", "beta: its own bridge's lease only");
    CHECK_STR(addresses_of("gamma"), "10.1.0.6 10.2.0.7",
              "a domain on both bridges: each bridge's lease of its MAC there");
    CHECK_STR(addresses_of("guest"), "(no such host)",
              "a hostname alpha and beta both sent (same MAC): two guests, neither's");
    check_remove_tree(dir);
}

static void test_folder(void)
{
    char dir[] = "/tmp/test_libvirt.XXXXXX", path[300];
    if (!mkdtemp(dir)) {
        CHECK(false, "a scratch folder");
        return;
    }
    write_file(dir, "virbr1.status", "[" LEASE("10.1.0.2", "52:54:00:00:01:02", "a", "0") "]",
               0644);
    write_file(dir, "virbr2.status", "[" LEASE("10.2.0.2", "52:54:00:00:02:02", "b", "0") "]",
               0644);
    write_file(dir, "virbr2.macs", "[{\"domain\":\"a\",\"macs\":[\"52:54:00:00:02:02\"]}]",
               0644);
    write_file(dir, "virbr3.status", "", 0644);
    write_file(dir, "notes.txt", "not JSON", 0644);
    CHECK(refresh(dir) == VMH_STATUS_OK, "a folder of two bridges: read");
    CHECK_STR(addresses_of("a"), "10.2.0.2",
              "a domain on one bridge wins over a hostname sent on another");
    CHECK_STR(addresses_of("b"), "10.2.0.2", "b: a hostname");
    write_file(dir, "virbr1.status", "[]", 0666);
    CHECK(refresh(dir) == VMH_STATUS_ERROR &&
              strstr(snapshot.backends[VMH_BACKEND_LIBVIRT].message, "virbr1.status"),
          "a lease file anyone may write: not read, and the refresh says which");
    snprintf(path, sizeof path, "%s/virbr1.status", dir);
    unlink(path);
    if (symlink("/etc/hostname", path) != 0)
        printf("# cannot make a symlink\n");
    CHECK(refresh(dir) == VMH_STATUS_ERROR, "a lease file that is a symlink: not read");
    unlink(path);
    test_not_files(dir);
    snprintf(path, sizeof path, "%s/nothing-here", dir);
    CHECK(refresh(path) == VMH_STATUS_UNAVAILABLE &&
              strstr(snapshot.backends[VMH_BACKEND_LIBVIRT].message, "not installed"),
          "no folder: libvirt is not installed");
    check_remove_tree(dir);
}

int main(void)
{
    vmh_snapshot_init(&snapshot);
    test_fixtures();
    test_rules();
    test_two_networks();
    test_hostname_senders();
    test_many_guests();
    test_dotted_names();
    test_refused();
    test_bounded_read();
    test_folder();
    test_bridges();
    vmh_snapshot_free(&snapshot);
    return check_done();
}
