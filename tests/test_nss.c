/* The entry points against a real cache file: glibc's status triples for
 * every situation of the module's contract, every buffer length with a canary, a
 * cache rewritten under a running process, and a lookup out of memory. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "cache.h"
#include "nss_vmhosts.h"
#include "snapshot.h"

#define ERRNO_UNTOUCHED 12345
#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_OLD "3f4e99999c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_V4 "77aa1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"

static char cache_dir[256], conf_path[300];
static char scratch[] = "/tmp/vmhosts-test-nss-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static void add_host(struct vmh_snapshot *snapshot, enum vmh_backend backend, const char *name,
                     const char *id, const char *hostname, int running, const char *a1,
                     const char *a2)
{
    struct vmh_host *host = vmh_snapshot_add(snapshot);
    host->backend = (uint8_t)backend;
    host->name = strdup(name);
    host->id = id ? strdup(id) : NULL;
    host->hostname = hostname ? strdup(hostname) : NULL;
    host->state = running ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
    if (a1)
        vmh_host_add_address(host, a1);
    if (a2)
        vmh_host_add_address(host, a2);
}

/* 40 replicas of the Compose service many.proj, an address of each
 * family each: 80 in all, more than an answer holds (resolve.h). */
static void add_replicas(struct vmh_snapshot *snapshot)
{
    for (int i = 1; i <= 40; i++) {
        char name[16], id[65], v4[16], v6[16];
        snprintf(name, sizeof name, "many-%d", i);
        snprintf(id, sizeof id, "%064x", 0x5000 + i);
        snprintf(v4, sizeof v4, "172.18.0.%d", i);
        snprintf(v6, sizeof v6, "fd18::%d", i);
        add_host(snapshot, VMH_BACKEND_DOCKER, name, id, NULL, 1, v4, v6);
        snapshot->hosts[snapshot->count - 1].project = strdup("proj");
        snapshot->hosts[snapshot->count - 1].service = strdup("many");
    }
}

/* web (IPv4 + IPv6, --hostname my-thing), old (stopped, shares web's ID
 * start), v4only, and a VM; docker's state is `docker_status`, every time
 * stamp `now`. */
static void write_cache_at(uint32_t docker_status, const char *web_address, int64_t now)
{
    struct vmh_snapshot snapshot;
    char err[256];

    vmh_snapshot_init(&snapshot);
    add_host(&snapshot, VMH_BACKEND_DOCKER, "web", ID_WEB, "my-thing", 1, web_address, "fd00::2");
    add_host(&snapshot, VMH_BACKEND_DOCKER, "old", ID_OLD, NULL, 0, "172.17.0.9", NULL);
    add_host(&snapshot, VMH_BACKEND_DOCKER, "v4only", ID_V4, "v4only-host", 1, "172.17.0.3", NULL);
    add_host(&snapshot, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, 1, "10.0.0.5", NULL);
    add_replicas(&snapshot);
    for (int b = 0; b < VMH_BACKEND_COUNT; b++) {
        snapshot.backends[b].status = b == VMH_BACKEND_DOCKER ? docker_status : VMH_STATUS_OK;
        snapshot.backends[b].updated_ms = now;
        snapshot.backends[b].attempted_ms = now;
    }
    if (vmh_cache_write(cache_dir, 0755, &snapshot, now, err, sizeof err) != 0)
        printf("# cache write failed: %s\n", err);
    vmh_snapshot_free(&snapshot);
}

static void write_cache(uint32_t docker_status, const char *web_address)
{
    write_cache_at(docker_status, web_address, vmh_realtime_ms());
}

static void setup(void)
{
    char *root = mkdtemp(scratch);
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", root);
    snprintf(conf_path, sizeof conf_path, "%s/vmhosts.conf", root);
    FILE *conf = fopen(conf_path, "w");
    fprintf(conf, "cache_dir = %s\nuser_cache_dir = %s\nttl = 3600\nmultipass_ttl = 3600\n"
                  "refresh_command = /nonexistent/vmhosts\nmultipass_domains = example.org\n",
            cache_dir, cache_dir);
    fclose(conf);
    setenv("VMHOSTS_CONF", conf_path, 1);
}

static enum nss_status by_name3(const char *name, int af, struct hostent *host, char *buffer,
                                size_t length, int *err, int *herr)
{
    int32_t ttl = -1;
    char *canon = NULL;
    *err = ERRNO_UNTOUCHED;
    *herr = -1;
    return _nss_vmhosts_gethostbyname3_r(name, af, host, buffer, length, err, herr, &ttl, &canon);
}

static void check_triple(const char *name, int af, enum nss_status status, int err, int herr,
                         const char *what)
{
    struct hostent host;
    char buffer[1024];
    int got_err, got_herr;
    enum nss_status got = by_name3(name, af, &host, buffer, sizeof buffer, &got_err, &got_herr);
    char text[200];
    snprintf(text, sizeof text, "%s: status", what);
    CHECK_INT(got, status, text);
    snprintf(text, sizeof text, "%s: errno", what);
    CHECK_INT(got_err, err, text);
    snprintf(text, sizeof text, "%s: h_errno", what);
    CHECK_INT(got_herr, herr, text);
}

static void test_triples(void)
{
    check_triple("web.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS, "found");
    check_triple("nothing.docker", AF_INET, NSS_STATUS_NOTFOUND, ERRNO_UNTOUCHED, HOST_NOT_FOUND,
                 "ours, no such container");
    check_triple("old.docker", AF_INET, NSS_STATUS_NOTFOUND, ERRNO_UNTOUCHED, HOST_NOT_FOUND,
                 "stopped container");
    check_triple("v4only.docker", AF_INET6, NSS_STATUS_NOTFOUND, ERRNO_UNTOUCHED, NO_DATA,
                 "no address of the family");
    check_triple("example.com", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY, "not ours");
    check_triple("nobody", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY, "bare name no container has");
    check_triple("my-thing", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS, "bare hostname");
    check_triple("3f4e1a2b3c4d", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                 "bare short ID of a container with another hostname");
    check_triple("primary.example.org", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS, "VM");
    check_triple("WEB.Docker.", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "uppercase and trailing dot");
    check_triple("3f4e.docker", AF_INET, NSS_STATUS_NOTFOUND, ERRNO_UNTOUCHED, HOST_NOT_FOUND,
                 "ambiguous ID prefix");
    check_triple("3f4e1.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "unique ID prefix");
    check_triple("web.docker", AF_UNSPEC, NSS_STATUS_UNAVAIL, EAFNOSUPPORT, NO_RECOVERY,
                 "gethostbyname3_r with AF_UNSPEC");
}

/* gethostbyname2 asks one family: every address of it, up to what an
 * answer holds, not half of a mixed 64. */
static void test_one_family_many(void)
{
    static char buffer[8192];
    struct hostent host;
    int err, herr;
    int families[] = {AF_INET, AF_INET6};
    for (int f = 0; f < 2; f++) {
        int count = 0;
        enum nss_status status =
            by_name3("many.proj.docker", families[f], &host, buffer, sizeof buffer, &err, &herr);
        while (status == NSS_STATUS_SUCCESS && host.h_addr_list[count])
            count++;
        char what[120];
        snprintf(what, sizeof what, "%s, 40 + 40 replicas' addresses: all 40 of the family",
                 families[f] == AF_INET ? "AF_INET" : "AF_INET6");
        CHECK_INT(count, 40, what);
    }
}

static void test_hostent_content(void)
{
    struct hostent host;
    char buffer[1024];
    int err, herr;
    char text[INET6_ADDRSTRLEN];

    enum nss_status status = by_name3("3F4E1A2B.docker.", AF_INET6, &host, buffer, sizeof buffer, &err, &herr);
    CHECK_INT(status, NSS_STATUS_SUCCESS, "AF_INET6 lookup by ID prefix");
    CHECK_STR(host.h_name, "web.docker", "canonical name is <name>.docker");
    CHECK_STR(host.h_aliases[0], "3f4e1a2b.docker", "asked name is an alias");
    CHECK_STR(host.h_aliases[1], "my-thing", "the container's hostname is the other alias");
    CHECK(host.h_aliases[2] == NULL, "two aliases");
    CHECK_INT(host.h_addrtype, AF_INET6, "h_addrtype");
    CHECK_INT(host.h_length, 16, "h_length");
    inet_ntop(AF_INET6, host.h_addr_list[0], text, sizeof text);
    CHECK_STR(text, "fd00::2", "the IPv6 address");
    CHECK(host.h_addr_list[1] == NULL, "IPv6 only");
}

static void test_gaih(void)
{
    char buffer[1024];
    struct gaih_addrtuple *pat = NULL;
    int err = ERRNO_UNTOUCHED, herr = -1;
    int32_t ttl = -1;

    enum nss_status status =
        _nss_vmhosts_gethostbyname4_r("web.docker", &pat, buffer, sizeof buffer, &err, &herr, &ttl);
    CHECK_INT(status, NSS_STATUS_SUCCESS, "gethostbyname4_r found");
    CHECK(pat && pat->family == AF_INET && pat->next && pat->next->family == AF_INET6 &&
              !pat->next->next,
          "gethostbyname4_r: IPv4 then IPv6");
    CHECK_STR(pat ? pat->name : NULL, "web.docker", "gethostbyname4_r: canonical name");
    CHECK(ttl > 3500 && ttl <= 3600,
          "gethostbyname4_r sets *ttlp for nscd: what is left of the cache's 3600 s");
    CHECK_INT(err, ERRNO_UNTOUCHED, "gethostbyname4_r leaves errno");

    struct gaih_addrtuple caller = {0};
    pat = &caller;
    status = _nss_vmhosts_gethostbyname4_r("web.docker", &pat, buffer, sizeof buffer, &err, &herr, &ttl);
    CHECK(status == NSS_STATUS_SUCCESS && pat == &caller && caller.family == AF_INET &&
              caller.next && caller.next->family == AF_INET6,
          "gethostbyname4_r fills a tuple the caller passes (nscd)");

    pat = NULL;
    status = _nss_vmhosts_gethostbyname4_r("example.com", &pat, buffer, sizeof buffer, &err, &herr, &ttl);
    CHECK(status == NSS_STATUS_UNAVAIL && err == ENOENT && herr == NO_RECOVERY,
          "gethostbyname4_r: not ours is UNAVAIL/ENOENT/NO_RECOVERY");
}

/* Every buffer length from 0: the ERANGE triple below the size needed, no
 * byte written past the buffer, success from the size needed on. */
static void test_buffer_lengths(const char *which)
{
    enum { CANARY = 0x5a, MAX = 600 };
    static unsigned char arena[MAX + 64];
    int first_ok = -1, bad = 0;

    for (size_t length = 0; length < MAX; length++) {
        struct hostent host;
        struct gaih_addrtuple *pat = NULL;
        int err = ERRNO_UNTOUCHED, herr = -1;
        int32_t ttl;
        enum nss_status status;
        memset(arena, CANARY, sizeof arena);
        char *buffer = (char *)arena;
        if (strcmp(which, "4") == 0)
            status = _nss_vmhosts_gethostbyname4_r("web.docker", &pat, buffer, length, &err, &herr, &ttl);
        else if (strcmp(which, "3") == 0)
            status = _nss_vmhosts_gethostbyname3_r("3f4e1.docker", AF_INET6, &host, buffer, length, &err, &herr, &ttl, NULL);
        else if (strcmp(which, "2") == 0)
            status = _nss_vmhosts_gethostbyname2_r("web.docker", AF_INET, &host, buffer, length, &err, &herr);
        else if (strcmp(which, "1") == 0)
            status = _nss_vmhosts_gethostbyname_r("my-thing", &host, buffer, length, &err, &herr);
        else {
            struct in_addr address;
            inet_pton(AF_INET, "172.17.0.2", &address);
            status = _nss_vmhosts_gethostbyaddr2_r(&address, 4, AF_INET, &host, buffer, length, &err, &herr, &ttl);
        }
        for (size_t i = length; i < sizeof arena; i++)
            if (arena[i] != CANARY) {
                bad++;
                printf("# %s: byte %zu past a buffer of %zu written\n", which, i, length);
                break;
            }
        if (status == NSS_STATUS_SUCCESS && first_ok < 0)
            first_ok = (int)length;
        if (status != NSS_STATUS_SUCCESS &&
            (status != NSS_STATUS_TRYAGAIN || err != ERANGE || herr != NETDB_INTERNAL || first_ok >= 0)) {
            bad++;
            printf("# %s: length %zu gave status %d errno %d h_errno %d\n", which, length, status, err, herr);
        }
    }
    char text[120];
    snprintf(text, sizeof text, "entry point %s: ERANGE triple below %d bytes, success from there, no overrun",
             which, first_ok);
    CHECK(bad == 0 && first_ok > 0, text);
}

static void test_reverse(void)
{
    struct hostent host;
    char buffer[1024];
    int err = ERRNO_UNTOUCHED, herr = -1;
    struct in_addr address;

    inet_pton(AF_INET, "172.17.0.2", &address);
    enum nss_status status = _nss_vmhosts_gethostbyaddr_r(&address, 4, AF_INET, &host, buffer,
                                                          sizeof buffer, &err, &herr);
    CHECK(status == NSS_STATUS_SUCCESS && strcmp(host.h_name, "web.docker") == 0,
          "reverse lookup of a container address");
    inet_pton(AF_INET, "192.0.2.1", &address);
    status = _nss_vmhosts_gethostbyaddr_r(&address, 4, AF_INET, &host, buffer, sizeof buffer, &err, &herr);
    CHECK(status == NSS_STATUS_UNAVAIL && err == ENOENT, "reverse lookup of a foreign address is UNAVAIL");
    status = _nss_vmhosts_gethostbyaddr_r(&address, 3, AF_INET, &host, buffer, sizeof buffer, &err, &herr);
    CHECK(status == NSS_STATUS_UNAVAIL && err == EINVAL, "reverse lookup with a wrong length");
}

/* A running process sees a new cache from its next lookup a clock tick
 * on: lookups closer together than that share one look at the file. */
static void let_rewrite_show(void)
{
    usleep((VMH_COARSE_LAG_MS + 1) * 1000);
}

static void test_cache_changes(void)
{
    struct hostent host;
    char buffer[1024], text[INET_ADDRSTRLEN];
    int err, herr;

    write_cache(VMH_STATUS_OK, "172.17.0.42");
    let_rewrite_show();
    by_name3("web.docker", AF_INET, &host, buffer, sizeof buffer, &err, &herr);
    inet_ntop(AF_INET, host.h_addr_list[0], text, sizeof text);
    CHECK_STR(text, "172.17.0.42", "a rewritten cache is seen by the same process");

    write_cache(VMH_STATUS_UNAVAILABLE, "172.17.0.2");
    let_rewrite_show();
    check_triple("web.docker", AF_INET, NSS_STATUS_UNAVAIL, ECONNREFUSED, NO_RECOVERY,
                 "Docker down: UNAVAIL with the cause");
    check_triple("primary.example.org", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "Docker down: VMs still resolve");

    char path[300];
    snprintf(path, sizeof path, "%s/hosts.cache", cache_dir);
    FILE *file = fopen(path, "r+");
    fseek(file, 100, SEEK_SET);
    fputc('X', file);
    fclose(file);
    let_rewrite_show();
    check_triple("web.docker", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                 "corrupt cache: ignored, as if there were none");
    check_triple("example.com", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                 "corrupt cache: other names unaffected");
}

/* The cache is mapped, not copied: truncated in place (only root or the
 * user can) under a process that has mapped it, it answers nothing and
 * raises no SIGBUS, because the next lookup's lstat sees the new size and
 * drops the old mapping before anything is read. */
static void test_truncated_mapping(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/hosts.cache", cache_dir);
    write_cache(VMH_STATUS_OK, "172.17.0.2");
    let_rewrite_show();
    check_triple("web.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "mapped cache: answers");
    struct stat st;
    CHECK(stat(path, &st) == 0 && truncate(path, st.st_size / 2) == 0,
          "mapped cache: truncated in place to half");
    let_rewrite_show();
    check_triple("web.docker", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                 "a truncated mapped cache: no answer, no SIGBUS");
    CHECK(truncate(path, 0) == 0, "mapped cache: truncated to nothing");
    let_rewrite_show();
    check_triple("web.docker", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                 "an empty cache: no answer, no SIGBUS");
}

#define PROGRAM_ERRNO 4242

/* errno after each entry point, given PROGRAM_ERRNO before it. */
static int errno_after(const char *name)
{
    struct hostent host;
    struct gaih_addrtuple *tuple = NULL;
    char buffer[1024];
    int err, herr, kept = 1;
    struct in_addr address;
    inet_pton(AF_INET, "172.17.0.2", &address);
    errno = PROGRAM_ERRNO;
    _nss_vmhosts_gethostbyname4_r(name, &tuple, buffer, sizeof buffer, &err, &herr, NULL);
    kept &= errno == PROGRAM_ERRNO;
    _nss_vmhosts_gethostbyname3_r(name, AF_INET, &host, buffer, sizeof buffer, &err, &herr, NULL,
                                  NULL);
    kept &= errno == PROGRAM_ERRNO;
    _nss_vmhosts_gethostbyaddr2_r(&address, 4, AF_INET, &host, buffer, sizeof buffer, &err, &herr,
                                  NULL);
    kept &= errno == PROGRAM_ERRNO;
    return kept ? PROGRAM_ERRNO : errno;
}

/* Every entry point leaves errno as the program had it; when glibc passes
 * &errno as errnop, it holds the status's errno. */
static void test_errno_kept(const char *conf_path)
{
    CHECK_INT(errno_after("web.docker"), PROGRAM_ERRNO, "errno kept: a hit");
    CHECK_INT(errno_after("nothing.docker"), PROGRAM_ERRNO, "errno kept: a miss");
    CHECK_INT(errno_after("example.com"), PROGRAM_ERRNO, "errno kept: a name not ours");
    setenv("VMHOSTS_CONF", "/nonexistent/vmhosts.conf", 1);
    usleep(1100 * 1000); /* the settings are looked at again once a second */
    /* Only a name not ours: one of ours would look at the default
     * cache_dir, the system's. */
    CHECK_INT(errno_after("example.com"), PROGRAM_ERRNO,
              "errno kept: a name not ours, no settings file");
    struct hostent host;
    char buffer[1024];
    int herr;
    errno = PROGRAM_ERRNO;
    enum nss_status status = _nss_vmhosts_gethostbyname3_r("example.com", AF_INET, &host, buffer,
                                                           sizeof buffer, &errno, &herr, NULL, NULL);
    CHECK(status == NSS_STATUS_UNAVAIL && errno == ENOENT,
          "errnop == &errno: a name not ours gives UNAVAIL with ENOENT in errno");
    setenv("VMHOSTS_CONF", conf_path, 1);
    usleep(1100 * 1000);
}

/* The opens inotify saw since the last call: read after every lookup,
 * since inotify merges an event into an identical one still unread. */
static size_t opens_seen(int watch)
{
    char events[4096];
    ssize_t got = read(watch, events, sizeof events);
    size_t opens = 0;
    for (ssize_t at = 0; got > 0 && at < got;) {
        const struct inotify_event *event = (const struct inotify_event *)(events + at);
        opens += (event->mask & IN_OPEN) != 0;
        at += (ssize_t)(sizeof *event + event->len);
    }
    return opens;
}

/* A refused cache is read once, not on every lookup (a corrupt 64 MiB
 * cache cost 72-95 ms a lookup). */
static void test_refused_read_once(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/hosts.cache", cache_dir);
    write_cache(VMH_STATUS_OK, "172.17.0.2");
    FILE *file = fopen(path, "r+");
    fseek(file, 100, SEEK_SET);
    fputc('Y', file);
    fclose(file);
    int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    CHECK(watch >= 0 && inotify_add_watch(watch, path, IN_OPEN) >= 0, "inotify watches the cache");
    size_t opens = 0;
    for (int i = 0; i < 5; i++) {
        let_rewrite_show();
        check_triple("primary.example.org", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                     "a corrupt cache: ignored, as if there were none");
        opens += opens_seen(watch);
    }
    CHECK(opens == 1, "five lookups read the refused cache once");
    if (opens != 1)
        printf("# opened %zu times\n", opens);
    close(watch);
}

static void write_conf(const char *refresh_command)
{
    FILE *conf = fopen(conf_path, "w");
    fprintf(conf, "cache_dir = %s\nuser_cache_dir = %s\nttl = 3600\nmultipass_ttl = 3600\n"
                  "refresh_command = %s\nmultipass_domains = example.org\n",
            cache_dir, cache_dir, refresh_command);
    fclose(conf);
}

/* The wall clock set back after a refresh (by hand, or a first NTP step)
 * leaves the cache's time stamps ahead of it: they are no reason to hold
 * refreshes back until the clock catches up, an hour here. */
static void test_clock_set_back(void)
{
    char script[320], runs[320], append[340];
    snprintf(runs, sizeof runs, "%s/runs", scratch);
    snprintf(script, sizeof script, "%s/refresher", scratch);
    snprintf(append, sizeof append, "echo run >>%s", runs);
    check_write_script(script, append);
    write_conf(script);
    write_cache_at(VMH_STATUS_OK, "172.17.0.2", vmh_realtime_ms() + 3600 * 1000);
    usleep(1100 * 1000); /* the settings are looked at again once a second */
    struct hostent host;
    char buffer[1024];
    int err, herr;
    _nss_vmhosts_gethostbyname2_r("nosuch.docker", AF_INET, &host, buffer, sizeof buffer, &err,
                                  &herr);
    CHECK(access(runs, F_OK) == 0,
          "a cache stamped an hour ahead of the clock: a miss still starts a refresh");
    write_conf("/nonexistent/vmhosts");
    write_cache(VMH_STATUS_OK, "172.17.0.2");
}

/* Enough containers (c0000 to c0999, one address each) for every table to
 * span several blocks of the lazy check (cache_format.h). */
#define MANY 1000
static void write_many_cache(void)
{
    struct vmh_snapshot snapshot;
    char err[256], name[16], address[16];
    int64_t now = vmh_realtime_ms();
    vmh_snapshot_init(&snapshot);
    for (int i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "c%04d", i);
        snprintf(address, sizeof address, "10.1.%d.%d", i / 250, i % 250 + 1);
        add_host(&snapshot, VMH_BACKEND_DOCKER, name, NULL, NULL, 1, address, NULL);
    }
    for (int b = 0; b < VMH_BACKEND_COUNT; b++)
        snapshot.backends[b] = (struct vmh_backend_state){now, now, VMH_STATUS_OK, ""};
    if (vmh_cache_write(cache_dir, 0755, &snapshot, now, err, sizeof err) != 0)
        printf("# cache write failed: %s\n", err);
    vmh_snapshot_free(&snapshot);
}

/* Flips a byte of container c<index>'s address in the cache file, in place:
 * a new version of the file, read again by the next lookup. */
static void flip_address(int index)
{
    char path[300];
    struct vmh_cache_header header;
    snprintf(path, sizeof path, "%s/hosts.cache", cache_dir);
    FILE *file = fopen(path, "r+");
    if (!file || fread(&header, sizeof header, 1, file) != 1)
        printf("# cannot read %s\n", path);
    /* Records and addresses are in the containers' order. */
    long at = (long)le32toh(header.addrs_off) + (long)index * (long)sizeof(struct vmh_cache_addr) + 7;
    int byte = file && fseek(file, at, SEEK_SET) == 0 ? fgetc(file) : EOF;
    if (byte == EOF || fseek(file, at, SEEK_SET) != 0 || fputc(byte ^ 0x40, file) == EOF)
        printf("# cannot flip byte %ld of %s\n", at, path);
    if (file)
        fclose(file);
}

/* A reverse lookup walks the records in order: one found before the
 * corrupt block answers, one after it is not answered from that cache. */
static void test_lazy_reverse(void)
{
    struct hostent host;
    char buffer[1024];
    int err, herr;
    struct in_addr address;
    write_many_cache();
    let_rewrite_show();
    /* Far from the pool's first block, which every load verifies. */
    flip_address(700);
    let_rewrite_show();
    inet_pton(AF_INET, "10.1.0.11", &address); /* c0010 */
    enum nss_status status = _nss_vmhosts_gethostbyaddr_r(&address, 4, AF_INET, &host, buffer,
                                                          sizeof buffer, &err, &herr);
    CHECK(status == NSS_STATUS_SUCCESS && strcmp(host.h_name, "c0010.docker") == 0,
          "lazy: reverse, a record before the corrupt block answers");
    inet_pton(AF_INET, "10.1.3.1", &address); /* c0750 */
    status = _nss_vmhosts_gethostbyaddr_r(&address, 4, AF_INET, &host, buffer, sizeof buffer, &err,
                                          &herr);
    CHECK(status == NSS_STATUS_UNAVAIL && err == ENOENT,
          "lazy: reverse, a walk through the corrupt block: no answer from that cache");
    inet_pton(AF_INET, "10.1.0.11", &address);
    status = _nss_vmhosts_gethostbyaddr_r(&address, 4, AF_INET, &host, buffer, sizeof buffer, &err,
                                          &herr);
    CHECK(status == NSS_STATUS_UNAVAIL && err == ENOENT, "lazy: reverse, ... nor afterwards");
}

/* A lookup checks only the blocks it reads (cache_read.c): a byte flipped
 * in a block it uses is found and nothing answers from that cache, now or
 * on the next lookup, without reading the file again; one flipped in a
 * block it does not use leaves its answer alone. */
static void test_lazy_checks(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/hosts.cache", cache_dir);
    write_many_cache();
    let_rewrite_show();
    check_triple("c0010.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "lazy: the intact cache answers");
    flip_address(MANY / 2);
    let_rewrite_show();
    check_triple("c0010.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "lazy: a byte flipped in a block the lookup does not read leaves it alone");
    struct vmh_cache cache;
    CHECK_INT(vmh_cache_load_all(cache_dir, geteuid(), &cache, NULL), VMH_CACHE_CORRUPT,
              "lazy: vmhosts's full check finds that byte");
    vmh_cache_free(&cache);
    check_triple("c0500.docker", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                 "lazy: the lookup that reads it: no answer from that cache");

    write_many_cache();
    let_rewrite_show();
    flip_address(10);
    int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    CHECK(watch >= 0 && inotify_add_watch(watch, path, IN_OPEN) >= 0, "inotify watches the cache");
    size_t opens = 0;
    for (int i = 0; i < 3; i++) {
        let_rewrite_show();
        check_triple(i == 2 ? "c0900.docker" : "c0010.docker", AF_INET, NSS_STATUS_UNAVAIL,
                     ENOENT, NO_RECOVERY, "lazy: a byte flipped in a block the lookup reads: no answer");
        opens += opens_seen(watch);
    }
    CHECK(opens == 1, "lazy: the cache found corrupt is not read again, nor answers again");
    if (opens != 1)
        printf("# opened %zu times\n", opens);
    close(watch);
    test_lazy_reverse();
}

/* The shared view taken by another thread's lookup, and no memory: what
 * __wrap_pthread_mutex_trylock and __wrap_calloc give when asked to. */
static bool view_busy, calloc_fails;
int __real_pthread_mutex_trylock(pthread_mutex_t *mutex);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *mutex);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *mutex)
{
    return view_busy ? EBUSY : __real_pthread_mutex_trylock(mutex);
}
void *__real_calloc(size_t count, size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_calloc(size_t count, size_t size)
{
    if (!calloc_fails)
        return __real_calloc(count, size);
    errno = ENOMEM;
    return NULL;
}

/* A lookup that finds the shared view busy answers from a private one;
 * with no memory for that, it is UNAVAIL with ENOMEM, never a crash, and
 * the program's errno is kept. */
static void test_no_memory_for_a_view(void)
{
    view_busy = true;
    calloc_fails = true;
    errno = PROGRAM_ERRNO;
    check_triple("web.docker", AF_INET, NSS_STATUS_UNAVAIL, ENOMEM, NO_RECOVERY,
                 "busy view, no memory for a private one");
    CHECK_INT(errno, PROGRAM_ERRNO, "busy view, no memory: errno kept");
    calloc_fails = false;
    check_triple("web.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "busy view: a private view answers");
    view_busy = false;
    check_triple("web.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "the shared view answers again");
}

/* A cache that could not be read for want of memory is not refused as a
 * corrupt one is (until the file changes): the next lookup reads it. */
static void test_no_memory_to_load(void)
{
    write_cache(VMH_STATUS_OK, "172.17.0.43");
    let_rewrite_show();
    calloc_fails = true;
    check_triple("web.docker", AF_INET, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY,
                 "no memory to read a new cache: as if there were none");
    calloc_fails = false;
    let_rewrite_show();
    check_triple("web.docker", AF_INET, NSS_STATUS_SUCCESS, ERRNO_UNTOUCHED, NETDB_SUCCESS,
                 "memory back: the same file answers, not refused");
}

int main(void)
{
    setup();
    write_cache(VMH_STATUS_OK, "172.17.0.2");
    test_triples();
    test_hostent_content();
    test_one_family_many();
    test_gaih();
    const char *entry_points[] = {"4", "3", "2", "1", "addr"};
    for (size_t i = 0; i < sizeof entry_points / sizeof *entry_points; i++)
        test_buffer_lengths(entry_points[i]);
    test_reverse();
    test_errno_kept(conf_path);
    test_no_memory_for_a_view();
    test_no_memory_to_load();
    test_cache_changes();
    test_refused_read_once();
    test_lazy_checks();
    test_truncated_mapping();
    test_clock_set_back();
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_done();
}
