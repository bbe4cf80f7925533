/* Hostile names through every entry point glibc calls, against a real cache:
 * empty, 253, 255 and 300 characters, empty labels, a lone suffix,
 * non-ASCII, control characters, %-sequences.  Each gets the exact
 * "not ours" or "ours, no such host" triple, never a byte written past the
 * caller's buffer and never *pat touched; a 253-character name that does
 * exist resolves through each entry point at every buffer length. */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "clock.h"
#include "nss_vmhosts.h"
#include "snapshot.h"

#define ERRNO_UNTOUCHED 12345
#define CANARY 0x5a
#define BUFFER_MAX 1024
#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_LONG "9a8b7c6d5e4f30211203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5"

/* The longest name a container can answer to: 246 characters of labels
 * of at most 50, then ".docker", 253 in all. */
static char long_key[247], long_name[254];

static void make_long_names(void)
{
    for (size_t i = 0; i < sizeof long_key - 1; i++)
        long_key[i] = (i + 1) % 51 == 0 ? '.' : (char)('a' + i % 26);
    long_key[sizeof long_key - 1] = '\0';
    snprintf(long_name, sizeof long_name, "%s.docker", long_key);
}

static void add_host(struct vmh_snapshot *snapshot, const char *name, const char *id,
                     const char *a1, const char *a2)
{
    struct vmh_host *host = vmh_snapshot_add(snapshot);
    host->backend = VMH_BACKEND_DOCKER;
    host->name = strdup(name);
    host->id = strdup(id);
    host->state = VMH_STATE_RUNNING;
    vmh_host_add_address(host, a1);
    if (a2)
        vmh_host_add_address(host, a2);
}

static char root[] = "/tmp/vmhosts-test-names-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    char conf_path[300], cache_dir[256], err[256];
    if (!mkdtemp(root))
        printf("# mkdtemp %s: %s\n", root, strerror(errno));
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", root);
    snprintf(conf_path, sizeof conf_path, "%s/vmhosts.conf", root);
    FILE *conf = fopen(conf_path, "w");
    fprintf(conf, "cache_dir = %s\nuser_cache_dir = %s\nttl = 3600\nmultipass_ttl = 3600\n"
                  "refresh_command = /nonexistent/vmhosts\n",
            cache_dir, cache_dir);
    fclose(conf);
    setenv("VMHOSTS_CONF", conf_path, 1);

    struct vmh_snapshot snapshot;
    int64_t now = vmh_realtime_ms();
    vmh_snapshot_init(&snapshot);
    add_host(&snapshot, "web", ID_WEB, "172.17.0.2", "fd00::2");
    add_host(&snapshot, long_key, ID_LONG, "172.17.0.77", "fd00::77");
    for (int b = 0; b < VMH_BACKEND_COUNT; b++) {
        snapshot.backends[b].status = VMH_STATUS_OK;
        snapshot.backends[b].updated_ms = now;
        snapshot.backends[b].attempted_ms = now;
    }
    if (vmh_cache_write(cache_dir, 0755, &snapshot, now, err, sizeof err) != 0)
        printf("# cache write failed: %s\n", err);
    vmh_snapshot_free(&snapshot);
}

struct result {
    enum nss_status status;
    int err, herr;
    bool overrun;      /* a byte written past the buffer */
    bool pat_touched;  /* gethostbyname4_r changed *pat on a failure */
    char name[300];    /* h_name or pat->name on success */
};

enum entry { BY_NAME4, BY_NAME3_V4, BY_NAME3_V6, BY_NAME2_V4, BY_NAME2_V6, BY_NAME, ENTRY_COUNT };
static const char *const entry_names[] = {"gethostbyname4_r", "gethostbyname3_r(AF_INET)",
                                          "gethostbyname3_r(AF_INET6)", "gethostbyname2_r(AF_INET)",
                                          "gethostbyname2_r(AF_INET6)", "gethostbyname_r"};

/* One call of one entry point with a buffer of `length` bytes followed by
 * canary bytes. */
static struct result call(enum entry entry, const char *name, size_t length)
{
    static unsigned char arena[BUFFER_MAX + 64];
    struct result r = {.err = ERRNO_UNTOUCHED, .herr = -1};
    struct hostent host;
    struct gaih_addrtuple sentinel, *pat = &sentinel;
    int32_t ttl;
    char *canon = NULL;
    char *buffer = (char *)arena;

    memset(arena, CANARY, sizeof arena);
    switch (entry) {
    case BY_NAME4:
        /* glibc's own calls pass *pat == NULL; keep a sentinel to see it
         * left alone on failure, then ask as glibc does. */
        r.status = _nss_vmhosts_gethostbyname4_r(name, &pat, buffer, length, &r.err, &r.herr, &ttl);
        r.pat_touched = r.status != NSS_STATUS_SUCCESS && pat != &sentinel;
        if (r.status == NSS_STATUS_SUCCESS)
            snprintf(r.name, sizeof r.name, "%s", pat->name);
        break;
    case BY_NAME3_V4:
    case BY_NAME3_V6:
        r.status = _nss_vmhosts_gethostbyname3_r(name, entry == BY_NAME3_V4 ? AF_INET : AF_INET6, &host,
                                                 buffer, length, &r.err, &r.herr, &ttl, &canon);
        break;
    case BY_NAME2_V4:
    case BY_NAME2_V6:
        r.status = _nss_vmhosts_gethostbyname2_r(name, entry == BY_NAME2_V4 ? AF_INET : AF_INET6, &host,
                                                 buffer, length, &r.err, &r.herr);
        break;
    default:
        r.status = _nss_vmhosts_gethostbyname_r(name, &host, buffer, length, &r.err, &r.herr);
        break;
    }
    if (entry != BY_NAME4 && r.status == NSS_STATUS_SUCCESS)
        snprintf(r.name, sizeof r.name, "%s", host.h_name);
    for (size_t i = length; i < sizeof arena; i++)
        r.overrun |= arena[i] != CANARY;
    return r;
}

static void show(const char *text, size_t length, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < length && used + 8 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        used += (size_t)snprintf(out + used, size - used, c >= 0x21 && c < 0x7f ? "%c" : "\\x%02x", c);
    }
    if (length > 40)
        snprintf(out, size, "%.20s... (%zu chars)", text, length);
}

/* Every entry point gives exactly (status, errno, h_errno) for `name`. */
static void expect_everywhere(const char *name, enum nss_status status, int err, int herr,
                              const char *what)
{
    char shown[200], text[400];
    show(name, strlen(name), shown, sizeof shown);
    for (int e = 0; e < ENTRY_COUNT; e++) {
        struct result r = call((enum entry)e, name, BUFFER_MAX);
        bool ok = r.status == status && r.err == err && r.herr == herr && !r.overrun && !r.pat_touched;
        if (!ok)
            printf("# got status %d errno %d h_errno %d%s%s\n", r.status, r.err, r.herr,
                   r.overrun ? ", wrote past the buffer" : "", r.pat_touched ? ", touched *pat" : "");
        snprintf(text, sizeof text, "%s \"%s\": %s: the exact triple, nothing written past", what,
                 shown, entry_names[e]);
        CHECK(ok, text);
    }
}

static void not_ours(const char *name, const char *what)
{
    expect_everywhere(name, NSS_STATUS_UNAVAIL, ENOENT, NO_RECOVERY, what);
}

static void test_hostile_names(void)
{
    char name[400];
    not_ours("", "empty");
    not_ours(".", "a lone dot");
    not_ours(".docker", "a lone .docker");
    not_ours("..docker", "two dots then docker");
    not_ours("a..docker", "an empty label");
    not_ours("web.docker..", "two trailing dots");
    not_ours("caf\xc3\xa9.docker", "UTF-8");
    not_ours("\xff\xfe.docker", "bytes that are not UTF-8");
    not_ours("web\x80", "a bare name with a high byte");
    not_ours("we\tb.docker", "a tab");
    not_ours("web\n.docker", "a newline");
    not_ours("\x1b[2J.docker", "an escape sequence");
    not_ours("web\x7f", "DEL");
    not_ours("%s%s%s%n.docker", "printf directives");
    not_ours("%41%42.docker", "URL escapes");
    not_ours("web%", "a trailing %");
    not_ours("web.docker%00", "an encoded NUL");
    not_ours("web docker", "a space");
    not_ours("../../etc/passwd", "a path");

    memcpy(name, long_name, sizeof long_name);
    name[0] = 'z'; /* no such container, still a well-formed name of ours */
    expect_everywhere(name, NSS_STATUS_NOTFOUND, ERRNO_UNTOUCHED, HOST_NOT_FOUND,
                      "253 chars, no such container");
    snprintf(name, sizeof name, "x%s", long_name);
    not_ours(name, "254 chars");
    snprintf(name, sizeof name, "xy%s", long_name);
    not_ours(name, "255 chars");
    memset(name, 'a', 300 - 7);
    memcpy(name + 300 - 7, ".docker", 8);
    not_ours(name, "300 chars, one label");
    for (size_t i = 50; i < 300 - 7; i += 51)
        name[i] = '.';
    not_ours(name, "300 chars in short labels");
}

/* The longest name that exists, through each entry point at every buffer
 * length: the ERANGE triple below the size it needs, then the name. */
static void test_longest_existing(void)
{
    char text[300];
    for (int e = 0; e < ENTRY_COUNT; e++) {
        int first_ok = -1, bad = 0;
        for (size_t length = 0; length < BUFFER_MAX; length++) {
            struct result r = call((enum entry)e, long_name, length);
            bool range = r.status == NSS_STATUS_TRYAGAIN && r.err == ERANGE && r.herr == NETDB_INTERNAL;
            if (r.status == NSS_STATUS_SUCCESS && first_ok < 0)
                first_ok = (int)length;
            if (r.overrun || (first_ok < 0 ? !range : r.status != NSS_STATUS_SUCCESS) ||
                (r.status == NSS_STATUS_SUCCESS && strcmp(r.name, long_name) != 0)) {
                if (bad++ < 3)
                    printf("# %s, %zu bytes: status %d errno %d h_errno %d%s\n", entry_names[e],
                           length, r.status, r.err, r.herr, r.overrun ? ", wrote past" : "");
            }
        }
        snprintf(text, sizeof text,
                 "253-char name that exists: %s: ERANGE below %d bytes, the name from there, no overrun",
                 entry_names[e], first_ok);
        CHECK(bad == 0 && first_ok > (int)strlen(long_name), text);
    }
}

/* Reverse lookups with the wrong length or family. */
static void test_odd_addresses(void)
{
    struct hostent host;
    char buffer[256];
    unsigned char address[16] = {172, 17, 0, 2};
    int err, herr;
    static const struct {
        socklen_t len;
        int af;
        int err;
        const char *what;
    } cases[] = {
        {0, AF_INET, EINVAL, "AF_INET, length 0"},
        {16, AF_INET, EINVAL, "AF_INET, length 16"},
        {3, AF_INET, EINVAL, "AF_INET, length 3"},
        {4, AF_INET6, EINVAL, "AF_INET6, length 4"},
        {4, AF_UNIX, EAFNOSUPPORT, "AF_UNIX"},
        {4, -1, EAFNOSUPPORT, "family -1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err = ERRNO_UNTOUCHED;
        herr = -1;
        enum nss_status status = _nss_vmhosts_gethostbyaddr_r(address, cases[i].len, cases[i].af, &host,
                                                              buffer, sizeof buffer, &err, &herr);
        char text[200];
        snprintf(text, sizeof text, "gethostbyaddr_r of 172.17.0.2 as %s: UNAVAIL, %s", cases[i].what,
                 cases[i].err == EINVAL ? "EINVAL" : "EAFNOSUPPORT");
        CHECK(status == NSS_STATUS_UNAVAIL && err == cases[i].err && herr == NO_RECOVERY, text);
    }
    err = ERRNO_UNTOUCHED;
    CHECK(_nss_vmhosts_gethostbyaddr_r(address, 4, AF_INET, &host, buffer, sizeof buffer, &err, &herr) ==
                  NSS_STATUS_SUCCESS &&
              strcmp(host.h_name, "web.docker") == 0,
          "gethostbyaddr_r of 172.17.0.2 as AF_INET, length 4: web.docker (the cases above were real)");
}

int main(void)
{
    make_long_names();
    setup();
    test_hostile_names();
    test_longest_existing();
    test_odd_addresses();
    nftw(root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    return check_done();
}
