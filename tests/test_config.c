/* The settings file: every key parsed and normalized, every kind of bad line
 * skipped and counted with the first one's number, comments and line ends,
 * loading through $VMHOSTS_CONF, and the cache folder each user gets (as
 * root, and as nobody in a child process). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config_notes.h"

#define NOBODY 65534
#define SYSTEM_CONF SYSCONFDIR "/vmhosts.conf"

static char temp_dir[64];

/* What the last parse_text heard, through the command's listener. */
static struct vmh_config_notes notes;

/* Applies `length` bytes of text over *config; returns the number of bad
 * lines, and the first one's number in *bad_line (0: none). */
static int parse_text(struct vmh_config *config, const char *text, size_t length,
                      unsigned *bad_line)
{
    memset(&notes, 0, sizeof notes);
    int count = vmh_config_parse(config, text, length, vmh_config_note, &notes);
    if (bad_line)
        *bad_line = notes.first_bad_line;
    return count;
}

/* Defaults, then text. */
static int parse(struct vmh_config *config, const char *text, unsigned *bad_line)
{
    vmh_config_defaults(config);
    return parse_text(config, text, strlen(text), bad_line);
}

static bool same_texts(const char *const *a, const char *const *b, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

/* Forgets where the lists are kept, so that memcmp compares the rest. */
static void without_lists(struct vmh_config *copy, const struct vmh_config *config)
{
    memcpy(copy, config, offsetof(struct vmh_config, texts));
    memset(copy->source, 0, sizeof copy->source);
    memset(copy->domains, 0, sizeof copy->domains);
    copy->dns_listen = copy->docker_networks = copy->label_domains = NULL;
    copy->texts_used = 0;
}

/* Whether two settings hold the same values: the lists as texts, wherever
 * each keeps them, and everything else byte for byte. */
static bool same_settings(const struct vmh_config *a, const struct vmh_config *b)
{
    static struct vmh_config x, y;
    if (!same_texts(a->source, b->source, VMH_BACKEND_COUNT) ||
        !same_texts(a->domains, b->domains, VMH_BACKEND_COUNT) ||
        strcmp(a->dns_listen, b->dns_listen) != 0 ||
        strcmp(a->docker_networks, b->docker_networks) != 0 ||
        strcmp(a->label_domains, b->label_domains) != 0)
        return false;
    without_lists(&x, a);
    without_lists(&y, b);
    return memcmp(&x, &y, offsetof(struct vmh_config, texts)) == 0;
}

static bool same_as_defaults(const struct vmh_config *config)
{
    static struct vmh_config defaults;
    vmh_config_defaults(&defaults);
    return same_settings(config, &defaults);
}

static char *repeat(char *buffer, char c, size_t count)
{
    memset(buffer, c, count);
    buffer[count] = '\0';
    return buffer;
}

static void key_names(void)
{
    static const char *const names[VMH_CONF_KEY_COUNT] = {
        "docker_socket", "docker_suffix", "ttl", "multipass_command", "multipass_domains",
        "multipass_ttl", "lxd_socket", "lxd_domains", "lxd_ttl", "incus_socket",
        "incus_domains", "incus_ttl", "libvirt_leases", "libvirt_domains", "libvirt_ttl",
        "cache_dir", "user_cache_dir", "timeout_ms",
        "refresh_interval_ms", "refresh_command", "dns_listen", "docker_networks",
        "label_domains"};
    for (int key = 0; key < VMH_CONF_KEY_COUNT; key++)
        CHECK_STR(vmh_config_key_name((enum vmh_config_key)key), names[key], names[key]);
    CHECK_STR(vmh_config_key_name(VMH_CONF_KEY_COUNT), "", "key name out of range: \"\"");
    CHECK_STR(vmh_config_key_name((enum vmh_config_key)-1), "", "key name of -1: \"\"");
}

static void defaults(void)
{
    struct vmh_config config;
    unsetenv(VMH_CONFIG_ENV);
    memset(&config, 0x5a, sizeof config);
    vmh_config_defaults(&config);
    CHECK_STR(config.path, SYSTEM_CONF, "default path");
    CHECK(!config.file_found, "default: file_found false");
    CHECK_STR(config.source[VMH_BACKEND_DOCKER], "/var/run/docker.sock", "default docker_socket");
    CHECK_STR(config.domains[VMH_BACKEND_DOCKER], "docker", "default docker_suffix");
    CHECK_STR(config.source[VMH_BACKEND_MULTIPASS], "/snap/bin/multipass", "default multipass_command");
    CHECK_STR(config.domains[VMH_BACKEND_MULTIPASS], "example.org", "default multipass_domains");
    CHECK_STR(config.cache_dir, CACHEDIR, "default cache_dir");
    CHECK_STR(config.user_cache_dir, "", "default user_cache_dir: automatic");
    CHECK_INT(config.ttl_s[VMH_BACKEND_DOCKER], 10, "default ttl");
    CHECK_INT(config.ttl_s[VMH_BACKEND_MULTIPASS], 60, "default multipass_ttl");
    CHECK_INT(config.timeout_ms, 1500, "default timeout_ms");
    CHECK_INT(config.refresh_interval_ms, 100, "default refresh_interval_ms");
    CHECK_STR(config.refresh_command, BINDIR "/vmhosts", "default refresh_command");
    CHECK_STR(config.dns_listen, "127.0.0.153", "default dns_listen");
    CHECK_STR(config.docker_networks, "", "default docker_networks: none, the cache's order");
    CHECK_STR(config.label_domains, "", "default label_domains: none, so labels name nothing outside our suffixes");
    parse(&config, "# nothing set\n\n", NULL);
    bool all_default = true;
    for (int key = 0; key < VMH_CONF_KEY_COUNT; key++)
        all_default &= notes.origin[key] == VMH_ORIGIN_DEFAULT;
    CHECK(all_default, "default: every origin DEFAULT");
}

static void config_path(void)
{
    struct vmh_config config;
    unsetenv(VMH_CONFIG_ENV);
    CHECK_STR(vmh_config_path(), SYSTEM_CONF, "path without VMHOSTS_CONF");
    setenv(VMH_CONFIG_ENV, "", 1);
    CHECK_STR(vmh_config_path(), SYSTEM_CONF, "path with VMHOSTS_CONF empty");
    setenv(VMH_CONFIG_ENV, "/tmp/elsewhere.conf", 1);
    CHECK_STR(vmh_config_path(), "/tmp/elsewhere.conf", "path from VMHOSTS_CONF");
    vmh_config_defaults(&config);
    CHECK_STR(config.path, "/tmp/elsewhere.conf", "defaults take the path from VMHOSTS_CONF");
    unsetenv(VMH_CONFIG_ENV);
}

static void every_key(void)
{
    struct vmh_config config;
    unsigned bad = 99;
    int count = parse(&config,
                      "docker_socket = /run/a.sock   /run/b.sock\t/run/c.sock\n"
                      "docker_suffix = .Docker.Internal.\n"
                      "multipass_command = /usr/bin/multipass\n"
                      "multipass_domains =  Example.ORG.   dev.example.org\t vms.test\n"
                      "cache_dir = /var/lib/vmh\n"
                      "user_cache_dir = /home/%u/.cache/vmhosts\n"
                      "ttl = 30\n"
                      "multipass_ttl = 120\n"
                      "timeout_ms = 2000\n"
                      "refresh_interval_ms = 0\n"
                      "refresh_command = /opt/vmhosts/bin/vmhosts\n"
                      "lxd_socket = /var/lib/lxd/unix.socket\n"
                      "lxd_domains = LXD. lxd.test\n"
                      "lxd_ttl = 5\n"
                      "incus_socket = /var/lib/incus/unix.socket\n"
                      "incus_domains =\n"
                      "incus_ttl = 6\n"
                      "libvirt_leases = /run/libvirt/dnsmasq\n"
                      "libvirt_domains = vm.test\n"
                      "libvirt_ttl = 7\n"
                      "dns_listen = 127.0.0.153:5353 \t [::1]:53\n"
                      "docker_networks = Front_Net  back.net\n"
                      "label_domains = Test. example.ORG\n",
                      &bad);
    CHECK(count == 0 && bad == 0, "every key: no bad line, *bad_line 0");
    CHECK(strcmp(config.domains[VMH_BACKEND_LXD], "lxd lxd.test") == 0 &&
              config.ttl_s[VMH_BACKEND_LXD] == 5 && config.ttl_s[VMH_BACKEND_INCUS] == 6 &&
              config.domains[VMH_BACKEND_INCUS][0] == '\0' &&
              strcmp(config.source[VMH_BACKEND_INCUS], "/var/lib/incus/unix.socket") == 0,
          "lxd and incus keys");
    CHECK_STR(config.source[VMH_BACKEND_DOCKER], "/run/a.sock /run/b.sock /run/c.sock",
              "docker_socket: single spaces");
    CHECK_STR(config.domains[VMH_BACKEND_DOCKER], "docker.internal", "docker_suffix: lowercase, dots dropped");
    CHECK_STR(config.source[VMH_BACKEND_MULTIPASS], "/usr/bin/multipass", "multipass_command");
    CHECK_STR(config.domains[VMH_BACKEND_MULTIPASS], "example.org dev.example.org vms.test",
              "multipass_domains: lowercase, trailing dot dropped, single spaces");
    CHECK_STR(config.cache_dir, "/var/lib/vmh", "cache_dir");
    CHECK_STR(config.user_cache_dir, "/home/%u/.cache/vmhosts", "user_cache_dir keeps %u");
    CHECK_INT(config.ttl_s[VMH_BACKEND_DOCKER], 30, "ttl");
    CHECK_INT(config.ttl_s[VMH_BACKEND_MULTIPASS], 120, "multipass_ttl");
    CHECK_INT(config.timeout_ms, 2000, "timeout_ms");
    CHECK_INT(config.refresh_interval_ms, 0, "refresh_interval_ms");
    CHECK_STR(config.refresh_command, "/opt/vmhosts/bin/vmhosts", "refresh_command");
    CHECK_STR(config.dns_listen, "127.0.0.153:5353 [::1]:53", "dns_listen: single spaces");
    CHECK_STR(config.docker_networks, "front_net back.net",
              "docker_networks: lowercase, single spaces");
    CHECK_STR(config.label_domains, "test example.org", "label_domains: lowercase, no dots at the end");
    bool all_file = true;
    for (int key = 0; key < VMH_CONF_KEY_COUNT; key++)
        all_file &= notes.origin[key] == VMH_ORIGIN_FILE;
    CHECK(all_file && !config.file_found, "every key set: every origin FILE (parse leaves file_found)");
}

static long *number_field(struct vmh_config *config, enum vmh_config_key key)
{
    for (unsigned backend = 0; backend < VMH_BACKEND_COUNT; backend++)
        if ((unsigned)key == VMH_CONF_TTL(backend))
            return &config->ttl_s[backend];
    switch (key) {
    case VMH_CONF_TIMEOUT_MS:
        return &config->timeout_ms;
    default:
        return &config->refresh_interval_ms;
    }
}

static void numbers(void)
{
    static const struct {
        enum vmh_config_key key;
        const char *value;
        long expected; /* -1: a bad line */
    } cases[] = {
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "1", 1},           {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "86400", 86400},
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "0", -1},          {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "86401", -1},
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "010", 10},        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "-1", -1},
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "+5", -1},         {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "5s", -1},
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "1.5", -1},        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "0x10", -1},
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "1e3", -1},        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "1 2", -1},
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "", -1},           {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "99999999999999999999999", -1},
        {VMH_CONF_TTL(VMH_BACKEND_DOCKER), "eleven", -1},     {VMH_CONF_TTL(VMH_BACKEND_MULTIPASS), "1", 1},
        {VMH_CONF_TTL(VMH_BACKEND_MULTIPASS), "86400", 86400}, {VMH_CONF_TTL(VMH_BACKEND_MULTIPASS), "0", -1},
        {VMH_CONF_TTL(VMH_BACKEND_MULTIPASS), "86401", -1},    {VMH_CONF_TIMEOUT_MS, "10", 10},
        {VMH_CONF_TIMEOUT_MS, "60000", 60000},    {VMH_CONF_TIMEOUT_MS, "9", -1},
        {VMH_CONF_TIMEOUT_MS, "60001", -1},       {VMH_CONF_REFRESH_INTERVAL_MS, "0", 0},
        {VMH_CONF_REFRESH_INTERVAL_MS, "60000", 60000},
        {VMH_CONF_REFRESH_INTERVAL_MS, "60001", -1},
        {VMH_CONF_REFRESH_INTERVAL_MS, "-0", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vmh_config config, fresh;
        char text[128], what[160];
        unsigned bad;
        vmh_config_defaults(&fresh);
        long before = *number_field(&fresh, cases[i].key);
        snprintf(text, sizeof text, "%s = %s", vmh_config_key_name(cases[i].key), cases[i].value);
        int count = parse(&config, text, &bad);
        long got = *number_field(&config, cases[i].key);
        bool ok = cases[i].expected < 0
                      ? count == 1 && bad == 1 && got == before && same_as_defaults(&config)
                      : count == 0 && got == cases[i].expected &&
                            notes.origin[cases[i].key] == VMH_ORIGIN_FILE;
        snprintf(what, sizeof what, "\"%s\": %s", text,
                 cases[i].expected < 0 ? "bad line, value kept" : "set");
        if (!ok)
            printf("# got %ld with %d bad lines\n", got, count);
        CHECK(ok, what);
    }
}

/* One line that must be bad: counted once, reported as line 3 (after a
 * comment and a blank line), and nothing of it applied. */
static void expect_bad_text(const char *what, const char *line, size_t line_length)
{
    char text[2048];
    static const char head[] = "# a comment\n\n";
    struct vmh_config config;
    unsigned bad = 0;
    if (line_length + sizeof head + 1 > sizeof text) {
        CHECK(0, what);
        return;
    }
    memcpy(text, head, sizeof head - 1);
    memcpy(text + sizeof head - 1, line, line_length);
    memcpy(text + sizeof head - 1 + line_length, "\n", 1);
    vmh_config_defaults(&config);
    int count = parse_text(&config, text, sizeof head - 1 + line_length + 1, &bad);
    bool ok = count == 1 && bad == 3 && same_as_defaults(&config);
    if (!ok)
        printf("# %s: %d bad lines, first %u, config %s\n", what, count, bad,
               same_as_defaults(&config) ? "unchanged" : "changed");
    CHECK(ok, what);
}

static void expect_bad(const char *what, const char *line)
{
    expect_bad_text(what, line, strlen(line));
}

static void bad_lines(void)
{
    expect_bad("no '='", "ttl 5");
    expect_bad("a key alone", "ttl");
    expect_bad("unknown key", "tll = 5");
    expect_bad("key in the wrong case", "TTL = 5");
    expect_bad("empty key", "= 5");
    expect_bad("blank inside a key", "t tl = 5");
    expect_bad("empty ttl", "ttl =");
    expect_bad("empty docker_socket", "docker_socket =  ");
    expect_bad("empty docker_suffix", "docker_suffix =");
    expect_bad("empty multipass_command", "multipass_command =");
    expect_bad("empty cache_dir", "cache_dir = \t");
    expect_bad("empty refresh_command", "refresh_command =");
    expect_bad("empty timeout_ms", "timeout_ms =");
    expect_bad_text("NUL in a value", "ttl = 5\0", 8);
    expect_bad_text("NUL in the middle of a value", "cache_dir = /a\0b", 16);
    expect_bad_text("NUL alone", "\0", 1);
    expect_bad_text("NUL in a comment line", "# note \0 here", 13);
    expect_bad("not a number", "timeout_ms = soon");
    expect_bad("number out of range", "multipass_ttl = 100000");
    expect_bad("relative multipass_command", "multipass_command = multipass");
    expect_bad("relative cache_dir", "cache_dir = var/cache");
    expect_bad("cache_dir with ~", "cache_dir = ~/cache");
    expect_bad("relative refresh_command", "refresh_command = ./vmhosts");
    expect_bad("relative user_cache_dir", "user_cache_dir = cache/%u");
    expect_bad("relative second socket", "docker_socket = /a.sock b.sock");
    expect_bad("socket URL", "docker_socket = unix:///var/run/docker.sock");
    expect_bad("suffix with an empty label", "docker_suffix = a..b");
    expect_bad("suffix with two leading dots", "docker_suffix = ..docker");
    expect_bad("suffix with two trailing dots", "docker_suffix = docker..");
    expect_bad("suffix \".\"", "docker_suffix = .");
    expect_bad("suffix with a blank", "docker_suffix = dock er");
    expect_bad("suffix with '%'", "docker_suffix = dock%er");
    expect_bad("suffix with UTF-8", "docker_suffix = d\xc3\xa9");
    expect_bad("domain with a leading dot", "multipass_domains = .example.org");
    expect_bad("one bad domain of two", "multipass_domains = good.test bad..test");
    expect_bad("domain with '/'", "multipass_domains = a/b.test");

    char line[1200], long_text[1100];
    snprintf(line, sizeof line, "cache_dir = /%s", repeat(long_text, 'c', 255));
    expect_bad("256-char path", line);
    snprintf(line, sizeof line, "docker_suffix = %s", repeat(long_text, 'd', 64));
    expect_bad("64-char suffix label", line);
    snprintf(line, sizeof line, "multipass_domains = %s.test", repeat(long_text, 'e', 64));
    expect_bad("64-char domain label", line);
}

/* Several bad lines among good ones, CRLF and blank lines in between. */
static void counting(void)
{
    struct vmh_config config;
    unsigned bad = 0;
    int count = parse(&config,
                      "ttl = 20\r\n"        /* 1 */
                      "ttl = zero\r\n"      /* 2: bad */
                      "\r\n"                /* 3 */
                      "bogus\n"             /* 4: bad */
                      "   \t \n"            /* 5 */
                      "# ttl = 1\n"         /* 6 */
                      "cache_dir = rel\n"   /* 7: bad */
                      "timeout_ms = 500\n", /* 8 */
                      &bad);
    CHECK_INT(count, 3, "three bad lines counted");
    CHECK_INT(bad, 2, "first bad line is line 2");
    CHECK(config.ttl_s[VMH_BACKEND_DOCKER] == 20 && config.timeout_ms == 500 && strcmp(config.cache_dir, CACHEDIR) == 0,
          "good lines around bad ones applied, bad ones not");

    count = parse(&config, "\n\n\r\n  \nbogus\nbogus", &bad);
    CHECK(count == 2 && bad == 5, "blank lines count in line numbers");
    CHECK_INT(vmh_config_parse(&config, "bogus\nttl = 0\n", 14, NULL, NULL), 2,
              "no listener: still counted");
    bad = 77;
    CHECK(parse(&config, "ttl = 5\n", &bad) == 0 && bad == 0, "no bad line: none heard");
    bad = 77;
    CHECK(parse(&config, "", &bad) == 0 && bad == 0 && same_as_defaults(&config), "empty text");
    bad = 77;
    CHECK(parse_text(&config, NULL, 10, &bad) == 0 && bad == 0, "NULL text: nothing");
    CHECK(vmh_config_parse(NULL, "bogus", 5, vmh_config_note, &notes) == 0 &&
              notes.first_bad_line == 0,
          "NULL config: nothing, no crash");
}

static void comments_and_blanks(void)
{
    struct vmh_config config;
    unsigned bad;
    CHECK(parse(&config, "# ttl = 5\n", &bad) == 0 && same_as_defaults(&config),
          "a comment line is ignored");
    CHECK(parse(&config, "  \t# ttl = 5\n", &bad) == 0 && same_as_defaults(&config),
          "an indented comment line is ignored");
    CHECK(parse(&config, "ttl = 5 # five seconds\n", &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 5,
          "inline comment after a blank");
    CHECK(parse(&config, "ttl = 5\t# five\n", &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 5,
          "inline comment after a tab");
    CHECK(parse(&config, "ttl = 5# five\n", &bad) == 1 && config.ttl_s[VMH_BACKEND_DOCKER] == 10,
          "'#' right after the value is part of it (bad number)");
    CHECK(parse(&config, "ttl = # 5\n", &bad) == 1 && config.ttl_s[VMH_BACKEND_DOCKER] == 10,
          "a value that is all comment is empty: bad");
    CHECK(parse(&config, "cache_dir = /srv/a#b\n", &bad) == 0 &&
              strcmp(config.cache_dir, "/srv/a#b") == 0,
          "'#' inside a path is kept");
    CHECK(parse(&config, "cache_dir = /srv/a\t# where\n", &bad) == 0 &&
              strcmp(config.cache_dir, "/srv/a") == 0,
          "inline comment after a path");
    CHECK(parse(&config, "cache_dir = /srv/a=b\n", &bad) == 0 &&
              strcmp(config.cache_dir, "/srv/a=b") == 0,
          "split at the first '='");
    CHECK(parse(&config, "ttl = 7\r\nmultipass_ttl = 8\r\n", &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 7 &&
              config.ttl_s[VMH_BACKEND_MULTIPASS] == 8,
          "CRLF line ends");
    CHECK(parse(&config, "ttl=7", &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 7, "no blanks around '='");
    CHECK(parse(&config, " \t ttl \t=\t 7 \t\r", &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 7,
          "blanks everywhere around key and value");
    CHECK(parse(&config, "multipass_command = /opt/my tools/multipass \n", &bad) == 0 &&
              strcmp(config.source[VMH_BACKEND_MULTIPASS], "/opt/my tools/multipass") == 0,
          "a path keeps its inner blank, loses the outer ones");
    CHECK(parse(&config, "ttl = 5\nttl = 6", &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 6,
          "last line without a newline");
    vmh_config_defaults(&config);
    CHECK(parse_text(&config, "ttl = 55", 7, &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 5,
          "length respected: text need not end at a NUL");
    vmh_config_defaults(&config);
    CHECK(parse_text(&config, "ttl = 5\nbogus", 8, &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 5,
          "length respected: nothing read past it");
}

static void paths(void)
{
    struct vmh_config config;
    unsigned bad;
    char line[1200], long_text[1100];

    snprintf(line, sizeof line, "cache_dir = /%s", repeat(long_text, 'c', 254));
    CHECK(parse(&config, line, &bad) == 0 && strlen(config.cache_dir) == 255,
          "255-char path fits");
    CHECK(parse(&config, "user_cache_dir = /x/%u\nuser_cache_dir =\n", &bad) == 0 &&
              config.user_cache_dir[0] == '\0' &&
              notes.origin[VMH_CONF_USER_CACHE_DIR] == VMH_ORIGIN_FILE,
          "user_cache_dir empty: allowed, back to automatic, origin FILE");
    CHECK(parse(&config, "docker_socket = /a.sock\ndocker_socket = /b.sock rel.sock\n", &bad) ==
                  1 &&
              bad == 2 && strcmp(config.source[VMH_BACKEND_DOCKER], "/a.sock") == 0,
          "a socket list with a relative path keeps the previous list");

    /* A list fills its field up to the NUL: 1023 chars fit, 1024 do not. */
    size_t word = 200;
    char *list = line + snprintf(line, sizeof line, "docker_socket = ");
    for (int i = 0; i < 5; i++)
        list += sprintf(list, "%s/%s", i ? " " : "", repeat(long_text, (char)('a' + i), word - 1));
    sprintf(list, " /%s", repeat(long_text, 'z', 1023 - 5 * word - 4 - 2));
    CHECK(parse(&config, line, &bad) == 0 && strlen(config.source[VMH_BACKEND_DOCKER]) == 1023,
          "1023-char docker_socket list fits");
    strcat(line, "z");
    CHECK(parse(&config, line, &bad) == 1 && strcmp(config.source[VMH_BACKEND_DOCKER], "/var/run/docker.sock") == 0,
          "1024-char docker_socket list: bad");
}

static void suffix_and_domains(void)
{
    static const struct {
        const char *value, *expected; /* NULL: bad */
    } suffixes[] = {
        {"Docker", "docker"}, {".docker", "docker"},   {"docker.", "docker"},
        {".docker.", "docker"}, {"my_suffix-1", "my_suffix-1"}, {"Docker.Internal", "docker.internal"},
    };
    struct vmh_config config;
    unsigned bad;
    char line[1300], text[1100], expected[1100];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(line, sizeof line, "docker_suffix = %s", suffixes[i].value);
        CHECK(parse(&config, line, &bad) == 0 &&
                  strcmp(config.domains[VMH_BACKEND_DOCKER], suffixes[i].expected) == 0 &&
                  notes.origin[VMH_CONF_DOMAINS(VMH_BACKEND_DOCKER)] == VMH_ORIGIN_FILE,
              line);
    }
    snprintf(line, sizeof line, "docker_suffix = %s", repeat(text, 's', 63));
    CHECK(parse(&config, line, &bad) == 0 && strlen(config.domains[VMH_BACKEND_DOCKER]) == 63, "63-char suffix label");
    snprintf(line, sizeof line, "docker_suffix = %.31s.%.31s", text, text);
    CHECK(parse(&config, line, &bad) == 0 && strlen(config.domains[VMH_BACKEND_DOCKER]) == 63,
          "63-char suffix of two labels fits its field");
    /* Every backend's domains have one limit now, the suffix's included. */
    snprintf(line, sizeof line, "docker_suffix = %.31s.%.32s", text, text);
    CHECK(parse(&config, line, &bad) == 0 && strlen(config.domains[VMH_BACKEND_DOCKER]) == 64,
          "64-char suffix of two labels: as long as any domain may be");
    char long_suffix[210];
    for (int i = 0; i < 201; i++)
        long_suffix[i] = (i + 1) % 51 == 0 ? '.' : 's';
    long_suffix[201] = '\0';
    snprintf(line, sizeof line, "docker_suffix = %s", long_suffix);
    CHECK(parse(&config, line, &bad) == 1 && strcmp(config.domains[VMH_BACKEND_DOCKER], "docker") == 0,
          "201-char suffix: bad, like a 201-char domain");

    CHECK(parse(&config, "multipass_domains =\n", &bad) == 0 && config.domains[VMH_BACKEND_MULTIPASS][0] == '\0' &&
              notes.origin[VMH_CONF_DOMAINS(VMH_BACKEND_MULTIPASS)] == VMH_ORIGIN_FILE,
          "multipass_domains empty: allowed (no VM names)");
    CHECK(parse(&config, "multipass_domains = example.org.\n", &bad) == 0 &&
              strcmp(config.domains[VMH_BACKEND_MULTIPASS], "example.org") == 0,
          "domain's trailing dot dropped");
    CHECK(parse(&config, "multipass_domains = a.test\nmultipass_domains = b.test c..test\n", &bad) ==
                  1 &&
              bad == 2 && strcmp(config.domains[VMH_BACKEND_MULTIPASS], "a.test") == 0,
          "a domain list with a bad domain keeps the previous list");

    /* 200 chars in labels of 50 (with dots): the longest domain. */
    char domain[210];
    for (int i = 0; i < 200; i++)
        domain[i] = (i + 1) % 51 == 0 ? '.' : 'm';
    domain[200] = '\0';
    snprintf(line, sizeof line, "multipass_domains = %s", domain);
    CHECK(parse(&config, line, &bad) == 0 && strcmp(config.domains[VMH_BACKEND_MULTIPASS], domain) == 0,
          "200-char domain");
    char sixteen[400] = "multipass_domains =";
    for (int i = 0; i < 16; i++)
        snprintf(sixteen + strlen(sixteen), sizeof sixteen - strlen(sixteen), " d%d.test", i);
    CHECK(parse(&config, sixteen, &bad) == 0, "16 domains: as many as a backend may have");
    strcat(sixteen, " d16.test");
    CHECK(parse(&config, sixteen, &bad) == 1, "17 domains: bad (the module indexes 16 each)");
    snprintf(line, sizeof line, "multipass_domains = %sm", domain);
    CHECK(parse(&config, line, &bad) == 1, "201-char domain: bad");
    snprintf(line, sizeof line, "multipass_domains = %s.", domain);
    CHECK(parse(&config, line, &bad) == 0 && strcmp(config.domains[VMH_BACKEND_MULTIPASS], domain) == 0,
          "200-char domain with a trailing dot");

    /* Five 200-char domains and one of 18 with single spaces: 1023 chars. */
    expected[0] = '\0';
    for (int i = 0; i < 5; i++)
        sprintf(expected + strlen(expected), "%s%s", i ? " " : "", domain);
    strcat(expected, " abcdefghijklmno.xy");
    snprintf(line, sizeof line, "multipass_domains = %s", expected);
    CHECK(parse(&config, line, &bad) == 0 && strcmp(config.domains[VMH_BACKEND_MULTIPASS], expected) == 0 &&
              strlen(expected) == 1023,
          "1023-char domain list fits");
    strcat(line, "z");
    CHECK(parse(&config, line, &bad) == 1 && strcmp(config.domains[VMH_BACKEND_MULTIPASS], "example.org") == 0,
          "1024-char domain list: bad");
}

/* Words of one list setting's value in round `round`: 15 of 55 bytes. */
static void long_list(char *out, size_t size, const char *key, int round)
{
    size_t used = 0;
    for (int i = 0; i < 15 && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%.2s%02d-%02d-%s", i ? " " : "",
                                 key, round, i, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv");
}

/* The lists share one pool (config.h); setting them again and again, long
 * each time, fills it many times over, and each must still hold its last
 * value and the others theirs. */
static void lists_set_again_and_again(void)
{
    static const enum vmh_config_key keys[] = {VMH_CONF_DNS_LISTEN, VMH_CONF_DOCKER_NETWORKS,
                                               VMH_CONF_LABEL_DOMAINS};
    static char text[200000];
    static struct vmh_config config, expected;
    char value[1024];
    size_t used = 0;
    for (int round = 0; round < 40; round++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            long_list(value, sizeof value, k == 0 ? "dn" : k == 1 ? "nt" : "lb", round);
            used += (size_t)snprintf(text + used, sizeof text - used, "%s = %s\n",
                                     vmh_config_key_name(keys[k]), value);
        }
    vmh_config_defaults(&config);
    CHECK(used > 3 * sizeof config.texts && parse_text(&config, text, used, NULL) == 0,
          "lists: 120 long values, many times what the pool holds, all applied");
    vmh_config_defaults(&expected);
    long_list(value, sizeof value, "dn", 39);
    expected.dns_listen = strdup(value);
    long_list(value, sizeof value, "nt", 39);
    expected.docker_networks = strdup(value);
    long_list(value, sizeof value, "lb", 39);
    expected.label_domains = strdup(value);
    CHECK(strlen(value) > 800 && same_settings(&config, &expected),
          "lists: each holds its last value, every other setting its default");
    CHECK(config.texts_used <= sizeof config.texts, "lists: within the pool");
    free((void *)expected.dns_listen);
    free((void *)expected.docker_networks);
    free((void *)expected.label_domains);
}

static void last_wins_and_origins(void)
{
    struct vmh_config config;
    unsigned bad;
    CHECK(parse(&config, "ttl = 20\nttl = 30\n", &bad) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 30,
          "the last occurrence of a key wins");
    CHECK(parse(&config, "ttl = 20\nttl = 0\n", &bad) == 1 && bad == 2 && config.ttl_s[VMH_BACKEND_DOCKER] == 20,
          "a bad line leaves the previous value");
    CHECK(parse(&config, "ttl = 0\n", &bad) == 1 && notes.origin[VMH_CONF_TTL(VMH_BACKEND_DOCKER)] == VMH_ORIGIN_DEFAULT,
          "a bad line does not set the origin");
    parse(&config, "ttl = 5\ncache_dir = /srv/c\n", &bad);
    bool others = true;
    for (int key = 0; key < VMH_CONF_KEY_COUNT; key++)
        if (key != VMH_CONF_TTL(VMH_BACKEND_DOCKER) && key != VMH_CONF_CACHE_DIR)
            others &= notes.origin[key] == VMH_ORIGIN_DEFAULT;
    CHECK(notes.origin[VMH_CONF_TTL(VMH_BACKEND_DOCKER)] == VMH_ORIGIN_FILE &&
              notes.origin[VMH_CONF_CACHE_DIR] == VMH_ORIGIN_FILE && others,
          "origin FILE exactly for the keys a line set");
    vmh_config_parse(&config, "timeout_ms = 20", 15, vmh_config_note, &notes);
    CHECK(config.ttl_s[VMH_BACKEND_DOCKER] == 5 && config.timeout_ms == 20 &&
              notes.origin[VMH_CONF_TTL(VMH_BACKEND_DOCKER)] == VMH_ORIGIN_FILE &&
              notes.origin[VMH_CONF_TIMEOUT_MS] == VMH_ORIGIN_FILE,
          "parse applies over what the config holds");
}

/* --- loading --------------------------------------------------------------- */

static int lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
    return fd;
}

static void write_file(const char *path, const char *text, size_t length)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, length) != (ssize_t)length)
        printf("# cannot write %s\n", path);
    if (fd >= 0)
        close(fd);
}

/* Loads with VMHOSTS_CONF=path into a config full of garbage, hearing
 * the parse into `notes`. */
static int load_from(const char *path, struct vmh_config *config, int *error)
{
    setenv(VMH_CONFIG_ENV, path, 1);
    memset(config, 0x5a, sizeof *config);
    memset(&notes, 0, sizeof notes);
    errno = 0;
    int status = vmh_config_load(config, vmh_config_note, &notes);
    *error = errno;
    return status;
}

/* Whether loading with VMHOSTS_CONF=path opens fifo: a writer blocked in
 * open() on the FIFO goes on only when a reader opens it.  *config and
 * *loaded are the load's. */
static bool opened_by_load(const char *fifo, const char *path, struct vmh_config *config,
                           int *loaded)
{
    pid_t writer = fork();
    if (writer == 0) {
        int fd = open(fifo, O_WRONLY | O_CLOEXEC);
        _exit(fd >= 0 ? 0 : 1);
    }
    int error, status = 0;
    usleep(50 * 1000); /* the writer is in its open() by then, or soon */
    *loaded = load_from(path, config, &error);
    pid_t done = 0;
    for (int waited = 0; waited < 500 && (done = waitpid(writer, &status, WNOHANG)) == 0; waited += 10)
        usleep(10 * 1000);
    if (done == 0) {
        kill(writer, SIGKILL);
        waitpid(writer, &status, 0);
    }
    return done == writer && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A user who names the settings for root (`sudo -E`) through a symlink of
 * theirs swaps it for one to a FIFO (a device, in earnest) the moment the
 * load has looked at the file: after a stat of the path, or an fstat of a
 * descriptor of that file, whichever the load looks with.  These take
 * libc's place for the code linked into this program. */
static struct swap_state {
    bool armed;
    const char *link, *replacement; /* renamed over link once */
    dev_t dev;
    ino_t ino;
} swap;

int stat(const char *restrict path, struct stat *restrict st)
{
    int status = fstatat(AT_FDCWD, path, st, 0);
    if (swap.armed && strcmp(path, swap.link) == 0) {
        swap.armed = false;
        rename(swap.replacement, swap.link);
    }
    return status;
}

int fstat(int fd, struct stat *st)
{
    int status = fstatat(fd, "", st, AT_EMPTY_PATH);
    if (swap.armed && status == 0 && st->st_dev == swap.dev && st->st_ino == swap.ino) {
        swap.armed = false;
        rename(swap.replacement, swap.link);
    }
    return status;
}

/* The load reads the file it looked at, and never opens what the link was
 * swapped to. */
static void load_swapped_link(const char *fifo)
{
    char real[160], link[160], next[160];
    struct vmh_config config;
    struct stat st;
    int loaded;
    snprintf(real, sizeof real, "%s/real.conf", temp_dir);
    snprintf(link, sizeof link, "%s/link.conf", temp_dir);
    snprintf(next, sizeof next, "%s/next.conf", temp_dir);
    write_file(real, "ttl = 42\n", 9);
    CHECK(symlink(real, link) == 0 && symlink(fifo, next) == 0 && stat(real, &st) == 0,
          "swap: a symlink to the settings, another to a FIFO");
    swap = (struct swap_state){.armed = true, .link = link, .replacement = next,
                               .dev = st.st_dev, .ino = st.st_ino};
    bool opened = opened_by_load(fifo, link, &config, &loaded);
    CHECK(!swap.armed, "swap: the link was swapped after the load looked");
    swap.armed = false;
    CHECK(!opened, "swap: the FIFO the link was swapped to is never opened");
    CHECK(loaded == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 42,
          "swap: the file looked at is the one read");
    unlink(real);
    unlink(link);
    unlink(next);
}

/* Without /proc there is no opening what was looked at: the settings are
 * refused, not opened by name again.  In a mount namespace of a child. */
static void load_without_proc(void)
{
    char path[160];
    snprintf(path, sizeof path, "%s/noproc.conf", temp_dir);
    write_file(path, "ttl = 42\n", 9);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
            mount("none", "/proc", "tmpfs", 0, NULL) != 0)
            _exit(77);
        struct vmh_config config;
        int error;
        bool refused = load_from(path, &config, &error) == -1 && error == ENOSYS &&
                       config.ttl_s[VMH_BACKEND_DOCKER] == 10 && !config.file_found;
        _exit(refused ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        check_skip("load without /proc", "cannot mount over /proc in a mount namespace");
    else
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "load without /proc: -1 ENOSYS, the defaults, not an open by name");
    unlink(path);
}

static void load(void)
{
    struct vmh_config config;
    char path[128], sub[160];
    int error, fd_before = lowest_free_fd();

    snprintf(path, sizeof path, "%s/vmhosts.conf", temp_dir);
    write_file(path, "ttl = 42\nbogus\n", 15);
    CHECK(load_from(path, &config, &error) == 0 && config.file_found && config.ttl_s[VMH_BACKEND_DOCKER] == 42 &&
              notes.origin[VMH_CONF_TTL(VMH_BACKEND_DOCKER)] == VMH_ORIGIN_FILE && notes.first_bad_line == 2 &&
              strcmp(config.path, path) == 0,
          "load: the file VMHOSTS_CONF names, with a bad line, is read and the line heard");
    CHECK(config.timeout_ms == 1500 && strcmp(config.domains[VMH_BACKEND_DOCKER], "docker") == 0,
          "load: defaults under the file");
    write_file(path, "", 0);
    struct vmh_config expected;
    vmh_config_defaults(&expected);
    expected.file_found = true;
    CHECK(load_from(path, &config, &error) == 0 && same_settings(&config, &expected),
          "load: an empty file is found, and the defaults hold");

    snprintf(sub, sizeof sub, "%s/missing.conf", temp_dir);
    CHECK(load_from(sub, &config, &error) == 0 && !config.file_found && config.ttl_s[VMH_BACKEND_DOCKER] == 10 &&
              strcmp(config.path, sub) == 0,
          "load: missing file is 0, file_found false, defaults");
    snprintf(sub, sizeof sub, "%s/vmhosts.conf/x", temp_dir);
    CHECK(load_from(sub, &config, &error) == 0 && !config.file_found,
          "load: a path through a file (ENOTDIR) is a missing file");
    CHECK(load_from(temp_dir, &config, &error) == -1 && error == EINVAL && !config.file_found &&
              config.ttl_s[VMH_BACKEND_DOCKER] == 10,
          "load: a directory is -1 EINVAL, defaults in force");

    snprintf(sub, sizeof sub, "%s/fifo", temp_dir);
    alarm(20); /* a FIFO opened without O_NONBLOCK would hang here */
    CHECK(mkfifo(sub, 0644) == 0 && load_from(sub, &config, &error) == -1 && error == EINVAL,
          "load: a FIFO is -1 EINVAL, without blocking");
    alarm(0);
    int loaded;
    CHECK(!opened_by_load(sub, sub, &config, &loaded),
          "load: a file that is not a regular one is never opened (a device acts on an open)");
    load_swapped_link(sub);
    load_without_proc();

    /* Exactly the limit is read to its end; one byte more is refused. */
    char *big = malloc(VMH_CONFIG_MAX_SIZE + 1);
    if (big) {
        memset(big, '#', VMH_CONFIG_MAX_SIZE + 1);
        memcpy(big + VMH_CONFIG_MAX_SIZE - 10, "\nttl = 99\n", 10);
        write_file(path, big, VMH_CONFIG_MAX_SIZE);
        CHECK(load_from(path, &config, &error) == 0 && config.ttl_s[VMH_BACKEND_DOCKER] == 99,
              "load: a 64 KiB file is read to its last line");
        memcpy(big + VMH_CONFIG_MAX_SIZE - 9, "\nttl = 99\n", 10);
        write_file(path, big, VMH_CONFIG_MAX_SIZE + 1);
        CHECK(load_from(path, &config, &error) == -1 && error == EFBIG && config.ttl_s[VMH_BACKEND_DOCKER] == 10 &&
                  !config.file_found,
              "load: a file over 64 KiB is -1 EFBIG, defaults in force");
        free(big);
    }
    CHECK(big != NULL, "allocated the big file");

    char long_path[400], name[160];
    repeat(name, 'p', 150);
    snprintf(long_path, sizeof long_path, "%s/%s/%s", temp_dir, name, name);
    CHECK(load_from(long_path, &config, &error) == -1 && error == ENAMETOOLONG,
          "load: a path longer than config.path is -1 ENAMETOOLONG, not a truncated name");
    CHECK_INT(lowest_free_fd(), fd_before, "load leaves no descriptor open");
    errno = 0;
    CHECK(vmh_config_load(NULL, NULL, NULL) == -1 && errno == EINVAL, "load into NULL: -1 EINVAL");
    unsetenv(VMH_CONFIG_ENV);
    unlink(path);
    unlink(sub);
}

/* --- the cache folder ------------------------------------------------------ */

struct own_case {
    const char *user_cache_dir;
    char expected[128]; /* "" with status -1 */
    size_t size;
    int status;
};

/* 0 when vmh_config_own_cache_dir answers as the case says. */
static int own_case_result(const struct own_case *c)
{
    struct vmh_config config;
    char dir[512];
    vmh_config_defaults(&config);
    snprintf(config.user_cache_dir, sizeof config.user_cache_dir, "%s", c->user_cache_dir);
    memset(dir, 'Z', sizeof dir);
    int status = vmh_config_own_cache_dir(&config, dir, c->size, NULL);
    if (status == c->status && strcmp(dir, c->expected) == 0)
        return 0;
    printf("# own_cache_dir(\"%s\", %zu): got %d \"%.200s\", expected %d \"%s\"\n",
           c->user_cache_dir, c->size, status, dir, c->status, c->expected);
    fflush(stdout); /* a child leaves through _exit */
    return 1;
}

/* Runs the case as `uid` in a child (reporting through its exit status), or
 * in this process when uid is already ours. */
static int own_case_as(uid_t uid, const struct own_case *c)
{
    if (uid == geteuid())
        return own_case_result(c);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
            setresuid(uid, uid, uid) != 0)
            _exit(3);
        _exit(own_case_result(c));
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void check_own(uid_t uid, const char *what, const char *pattern, const char *expected,
                      size_t size, int status)
{
    struct own_case c = {pattern, "", size, status};
    snprintf(c.expected, sizeof c.expected, "%s", expected);
    CHECK_INT(own_case_as(uid, &c), 0, what);
}

static void own_as_root(void)
{
    struct vmh_config config;
    char dir[300];
    vmh_config_defaults(&config);
    CHECK(vmh_config_own_cache_dir(&config, dir, sizeof dir, NULL) == 0 && strcmp(dir, CACHEDIR) == 0,
          "root: own cache is cache_dir");
    snprintf(config.cache_dir, sizeof config.cache_dir, "/srv/c");
    snprintf(config.user_cache_dir, sizeof config.user_cache_dir, "/x/%%u");
    CHECK(vmh_config_own_cache_dir(&config, dir, sizeof dir, NULL) == 0 && strcmp(dir, "/srv/c") == 0,
          "root: cache_dir even with user_cache_dir set");
    CHECK(vmh_config_own_cache_dir(&config, dir, 7, NULL) == 0 && strcmp(dir, "/srv/c") == 0,
          "root: fits exactly");
    CHECK(vmh_config_own_cache_dir(&config, dir, 6, NULL) == -1 && dir[0] == '\0',
          "root: one byte short is -1, dir empty");
    CHECK(vmh_config_own_cache_dir(&config, dir, 0, NULL) == -1, "size 0 is -1");
    CHECK(vmh_config_own_cache_dir(&config, NULL, 10, NULL) == -1, "NULL dir is -1");
    CHECK(vmh_config_own_cache_dir(NULL, dir, sizeof dir, NULL) == -1, "NULL config is -1");
}

/* As root, makes /run/user/<uid> as each case needs and asks the child;
 * skipped when that folder exists already (it is someone's). */
static void own_runtime(uid_t uid)
{
    char runtime[64], expected[128], tmp_expected[64], target[128];
    struct stat st;
    snprintf(runtime, sizeof runtime, "/run/user/%lu", (unsigned long)uid);
    snprintf(expected, sizeof expected, "%s/vmhosts", runtime);
    snprintf(tmp_expected, sizeof tmp_expected, "/tmp/vmhosts-%lu", (unsigned long)uid);
    if (lstat(runtime, &st) == 0 || stat("/run/user", &st) != 0) {
        printf("# skipping the /run/user cases: %s exists or /run/user does not\n", runtime);
        return;
    }
    check_own(uid, "nobody, no runtime folder: /tmp/vmhosts-<uid>", "", tmp_expected, 128, 0);
    if (mkdir(runtime, 0700) != 0 || chown(runtime, uid, uid) != 0)
        printf("# cannot make %s\n", runtime);
    check_own(uid, "nobody, runtime folder theirs: /run/user/<uid>/vmhosts", "", expected, 128, 0);
    check_own(uid, "nobody, runtime folder, one byte short: -1", "", "", strlen(expected), -1);
    if (chown(runtime, 0, 0) != 0)
        printf("# cannot chown %s\n", runtime);
    check_own(uid, "nobody, runtime folder root's: /tmp", "", tmp_expected, 128, 0);
    rmdir(runtime);
    snprintf(target, sizeof target, "%s/runtime", temp_dir);
    if (mkdir(target, 0700) != 0 || chown(target, uid, uid) != 0 || symlink(target, runtime) != 0)
        printf("# cannot make the symlink %s\n", runtime);
    check_own(uid, "nobody, runtime folder a symlink to theirs: /tmp", "", tmp_expected, 128, 0);
    unlink(runtime);
    rmdir(target);
}

/* A file only root may read: as nobody, load fails with EACCES. */
static void load_unreadable(uid_t uid)
{
    char path[128];
    snprintf(path, sizeof path, "%s/secret.conf", temp_dir);
    write_file(path, "ttl = 5\n", 8);
    chmod(path, 0600);
    setenv(VMH_CONFIG_ENV, path, 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct vmh_config config;
        if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
            setresuid(uid, uid, uid) != 0)
            _exit(3);
        errno = 0;
        int status = vmh_config_load(&config, NULL, NULL);
        _exit(status == -1 && errno == EACCES && config.ttl_s[VMH_BACKEND_DOCKER] == 10 && !config.file_found ? 0 : 1);
    }
    int status = -1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "load as nobody of a file only root reads: -1 EACCES, defaults");
    unsetenv(VMH_CONFIG_ENV);
    unlink(path);
}

static void own_cache_dir(void)
{
    uid_t uid = geteuid();
    if (uid == 0) {
        own_as_root();
        uid = NOBODY;
    }
    char expected[128], uid_text[24];
    snprintf(uid_text, sizeof uid_text, "%lu", (unsigned long)uid);
    snprintf(expected, sizeof expected, "/var/tmp/vmh-%s/c%s", uid_text, uid_text);
    check_own(uid, "user_cache_dir: every %u is the uid", "/var/tmp/vmh-%u/c%u", expected, 128, 0);
    check_own(uid, "user_cache_dir: fits exactly", "/var/tmp/vmh-%u/c%u", expected,
              strlen(expected) + 1, 0);
    check_own(uid, "user_cache_dir: one byte short is -1", "/var/tmp/vmh-%u/c%u", "",
              strlen(expected), -1);
    snprintf(expected, sizeof expected, "/x/%%%s%%/%%d", uid_text);
    check_own(uid, "user_cache_dir: only %u is replaced", "/x/%%u%/%d", expected, 128, 0);
    if (geteuid() == 0) {
        own_runtime(uid);
        load_unreadable(uid);
    } else {
        /* Not root: the runtime folder is whatever this machine has. */
        struct stat st;
        char runtime[64];
        snprintf(runtime, sizeof runtime, "/run/user/%s", uid_text);
        if (lstat(runtime, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid)
            snprintf(expected, sizeof expected, "%s/vmhosts", runtime);
        else
            snprintf(expected, sizeof expected, "/tmp/vmhosts-%s", uid_text);
        check_own(uid, "no user_cache_dir: runtime folder or /tmp", "", expected, 128, 0);
    }
}

int main(void)
{
    char template[] = "/tmp/vmhosts-test-config-XXXXXX";
    if (!mkdtemp(template))
        return check_skip_all("cannot make a temporary folder");
    chmod(template, 0755); /* nobody must reach the files in it */
    snprintf(temp_dir, sizeof temp_dir, "%s", template);

    key_names();
    defaults();
    config_path();
    every_key();
    numbers();
    bad_lines();
    counting();
    comments_and_blanks();
    paths();
    suffix_and_domains();
    last_wins_and_origins();
    lists_set_again_and_again();
    load();
    own_cache_dir();
    rmdir(temp_dir);
    return check_done();
}
