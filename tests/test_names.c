/* vmh_name_classify: which namespace a queried name falls in, under the
 * default settings and under custom suffixes and domain lists.  Every rule of
 * names.h has a case here that fails without it. */
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "set_setting.h"
#include "names.h"

/* What a case expects: not ours, under Docker's suffix, under a multipass
 * domain, or bare (Docker's). */
enum expect { N, D, V, B };

struct name_case {
    const char *name;
    const char *suffix;  /* NULL: the default, "docker" */
    const char *domains; /* NULL: the default, "example.org" */
    enum expect kind;
    const char *key, *domain, *normalized; /* all "" for NOT_OURS */
};

static const char *kind_name(enum expect kind)
{
    static const char *const names[] = {"NOT_OURS", "DOCKER", "VM", "BARE"};
    return (unsigned)kind < 4 ? names[kind] : "?";
}

/* The expectation a classification meets, "?" from a kind and backend
 * that no case expects. */
static enum expect got(enum vmh_name_kind kind, enum vmh_backend backend)
{
    if (kind == VMH_NAME_NOT_OURS)
        return backend == VMH_BACKEND_COUNT ? N : (enum expect)-1;
    if (kind == VMH_NAME_BARE)
        return backend == VMH_BACKEND_DOCKER ? B : (enum expect)-1;
    return backend == VMH_BACKEND_DOCKER ? D : backend == VMH_BACKEND_MULTIPASS ? V : (enum expect)-1;
}

static void make_config(struct vmh_config *config, const char *suffix, const char *domains)
{
    vmh_config_defaults(config);
    if (suffix)
        set_setting(config, VMH_CONF_DOMAINS(VMH_BACKEND_DOCKER), suffix);
    if (domains)
        set_setting(config, VMH_CONF_DOMAINS(VMH_BACKEND_MULTIPASS), domains);
}

/* One check per case: kind, return value, and the three strings together. */
static void run_case(const char *what, const struct name_case *c)
{
    struct vmh_config config;
    struct vmh_name out;
    make_config(&config, c->suffix, c->domains);
    /* Garbage first, so that a field left unterminated or stale shows. */
    memset(&out, 'Z', sizeof out);
    enum vmh_name_kind kind = vmh_name_classify(c->name, &config, &out);
    enum expect result = got(out.kind, out.backend);
    bool ok = kind == out.kind && result == c->kind && memchr(out.normalized, 0, sizeof out.normalized) &&
              memchr(out.key, 0, sizeof out.key) && memchr(out.domain, 0, sizeof out.domain) &&
              strcmp(out.key, c->key) == 0 && strcmp(out.domain, c->domain) == 0 &&
              strcmp(out.normalized, c->normalized) == 0;
    if (!ok)
        printf("# %s: got %s/%s \"%.*s\" \"%.*s\" \"%.*s\", expected %s \"%s\" \"%s\" \"%s\"\n",
               what, kind_name(got(kind, out.backend)), kind_name(result), 60, out.key, 60, out.domain, 60,
               out.normalized, kind_name(c->kind), c->key, c->domain, c->normalized);
    CHECK(ok, what);
}

static const struct name_case literal_cases[] = {
    /* Docker names and IDs under the default suffix. */
    {"web.docker", NULL, NULL, D, "web", "docker", "web.docker"},
    {"0123456789ab.docker", NULL, NULL, D, "0123456789ab", "docker", "0123456789ab.docker"},
    {"4f3.docker", NULL, NULL, D, "4f3", "docker", "4f3.docker"},
    {"my.app.docker", NULL, NULL, D, "my.app", "docker", "my.app.docker"},
    {"web.myproject.docker", NULL, NULL, D, "web.myproject", "docker", "web.myproject.docker"},
    {"my_app-1.docker", NULL, NULL, D, "my_app-1", "docker", "my_app-1.docker"},
    {"primary.example.org.docker", NULL, NULL, D, "primary.example.org", "docker",
     "primary.example.org.docker"},
    /* Case folding and the trailing dot. */
    {"WEB.Docker", NULL, NULL, D, "web", "docker", "web.docker"},
    {"web.docker.", NULL, NULL, D, "web", "docker", "web.docker"},
    {"Web.DOCKER.", NULL, NULL, D, "web", "docker", "web.docker"},
    {"web.docker..", NULL, NULL, N, "", "", ""},
    /* Empty labels, anywhere. */
    {"", NULL, NULL, N, "", "", ""},
    {".", NULL, NULL, N, "", "", ""},
    {"..", NULL, NULL, N, "", "", ""},
    {".docker", NULL, NULL, N, "", "", ""},
    {".web", NULL, NULL, N, "", "", ""},
    {"a..docker", NULL, NULL, N, "", "", ""},
    {"a.docker..", NULL, NULL, N, "", "", ""},
    /* Bare names: a single label, canonical under the docker suffix. */
    {"docker", NULL, NULL, B, "docker", "docker", "docker"},
    {"DOCKER.", NULL, NULL, B, "docker", "docker", "docker"},
    {"my-thing", NULL, NULL, B, "my-thing", "docker", "my-thing"},
    {"web.", NULL, NULL, B, "web", "docker", "web"},
    {"-web", NULL, NULL, B, "-web", "docker", "-web"},
    {"_", NULL, NULL, B, "_", "docker", "_"},
    {"xdocker", NULL, NULL, B, "xdocker", "docker", "xdocker"},
    {"a.xdocker", NULL, NULL, N, "", "", ""},
    /* Bytes no host name has. */
    {"caf\xc3\xa9.docker", NULL, NULL, N, "", "", ""},
    {"\xc3\xa9", NULL, NULL, N, "", "", ""},
    {"web\x80", NULL, NULL, N, "", "", ""},
    {"we\tb.docker", NULL, NULL, N, "", "", ""},
    {"web\n", NULL, NULL, N, "", "", ""},
    {"web\r", NULL, NULL, N, "", "", ""},
    {"\x01", NULL, NULL, N, "", "", ""},
    {"web\x7f.docker", NULL, NULL, N, "", "", ""},
    {"%41.docker", NULL, NULL, N, "", "", ""},
    {"web%", NULL, NULL, N, "", "", ""},
    {"my app.docker", NULL, NULL, N, "", "", ""},
    {" web", NULL, NULL, N, "", "", ""},
    {"web ", NULL, NULL, N, "", "", ""},
    {"web/x.docker", NULL, NULL, N, "", "", ""},
    /* Addresses and other people's names. */
    {"172.17.0.2", NULL, NULL, N, "", "", ""},
    {"::1", NULL, NULL, N, "", "", ""},
    {"fe80::1%eth0", NULL, NULL, N, "", "", ""},
    {"dev.example.com", NULL, NULL, N, "", "", ""},
    {"example.com", NULL, NULL, N, "", "", ""},
    /* VMs under the default domain. */
    {"primary.example.org", NULL, NULL, V, "primary", "example.org", "primary.example.org"},
    {"PRIMARY.Example.ORG.", NULL, NULL, V, "primary", "example.org", "primary.example.org"},
    {"www.sub.example.org", NULL, NULL, N, "", "", ""},
    {"example.org", NULL, NULL, N, "", "", ""},
    {"xexample.org", NULL, NULL, N, "", "", ""},
    {"web.docker.example.org", NULL, NULL, N, "", "", ""},
    /* A custom, two-label docker suffix. */
    {"web.docker.internal", "docker.internal", NULL, D, "web", "docker.internal",
     "web.docker.internal"},
    {"Web.Docker.Internal.", "docker.internal", NULL, D, "web", "docker.internal",
     "web.docker.internal"},
    {"a.b.docker.internal", "docker.internal", NULL, D, "a.b", "docker.internal",
     "a.b.docker.internal"},
    {"docker.internal", "docker.internal", NULL, N, "", "", ""},
    {"web.docker", "docker.internal", NULL, N, "", "", ""},
    {"web", "docker.internal", NULL, B, "web", "docker.internal", "web"},
    /* Two domains, in either order; a sub-domain falls through to the next. */
    {"vm.dev.example.org", NULL, "example.org dev.example.org", V, "vm", "dev.example.org",
     "vm.dev.example.org"},
    {"primary.example.org", NULL, "example.org dev.example.org", V, "primary", "example.org",
     "primary.example.org"},
    {"dev.example.org", NULL, "example.org dev.example.org", V, "dev", "example.org",
     "dev.example.org"},
    {"a.vm.dev.example.org", NULL, "example.org dev.example.org", N, "", "", ""},
    {"vm.dev.example.org", NULL, "dev.example.org example.org", V, "vm", "dev.example.org",
     "vm.dev.example.org"},
    {"primary.example.org", NULL, "dev.example.org example.org", V, "primary", "example.org",
     "primary.example.org"},
    {"vm.dev.example.org", NULL, "example.org", N, "", "", ""},
    {"vm.b.test", NULL, "  a.test   b.test ", V, "vm", "b.test", "vm.b.test"},
    /* No VM domains at all. */
    {"primary.example.org", NULL, "", N, "", "", ""},
    {"web.docker", NULL, "", D, "web", "docker", "web.docker"},
    /* The docker suffix is tried first. */
    {"x.test", "test", "test", D, "x", "test", "x.test"},
    {"primary.example.org", "example.org", NULL, D, "primary", "example.org",
     "primary.example.org"},
};

static char *repeat(char *buffer, char c, size_t count)
{
    memset(buffer, c, count);
    buffer[count] = '\0';
    return buffer;
}

/* A name of exactly `length` chars ending in ".docker" (plus `dots` dots),
 * in labels of at most 50 chars. */
static char *long_name(char *buffer, size_t length, const char *dots)
{
    const char *tail = ".docker";
    size_t prefix = length - strlen(tail);
    for (size_t i = 0; i < prefix; i++)
        buffer[i] = (i + 1) % 51 == 0 ? '.' : 'a' + (char)(i % 26);
    if (buffer[prefix - 1] == '.')
        buffer[prefix - 1] = 'z';
    snprintf(buffer + prefix, length + 16 - prefix, "%s%s", tail, dots);
    return buffer;
}

static void run(const char *what, const char *name, const char *suffix, const char *domains,
                enum expect kind, const char *key, const char *domain,
                const char *normalized)
{
    struct name_case c = {name, suffix, domains, kind, key, domain, normalized};
    run_case(what, &c);
}

static void label_lengths(void)
{
    char l64[65], l65[66], name[160], key[64];
    repeat(l64, 'a', 64);
    repeat(l65, 'b', 65);
    snprintf(name, sizeof name, "%s.docker", l64);
    run("64-char label then .docker", name, NULL, NULL, D, l64, "docker", name);
    snprintf(name, sizeof name, "%s.docker", l65);
    run("65-char label then .docker", name, NULL, NULL, N, "", "", "");
    run("64-char bare label", l64, NULL, NULL, B, l64, "docker", l64);
    run("65-char bare label", l65, NULL, NULL, N, "", "", "");
    snprintf(name, sizeof name, "x.%s.docker", l65);
    run("65-char label inside a docker key", name, NULL, NULL, N, "", "", "");
    snprintf(name, sizeof name, "%s.example.org", l64);
    run("64-char VM name", name, NULL, NULL, V, l64, "example.org", name);
    snprintf(name, sizeof name, "%s.example.org", l65);
    run("65-char VM name", name, NULL, NULL, N, "", "", "");

    /* A full container ID is 64 hex digits, one more than DNS allows in a
     * label: it must still resolve, as Docker's exact-ID rule says. */
    char id[65];
    for (int i = 0; i < 64; i++)
        id[i] = "0123456789abcdef"[(i * 7) % 16];
    id[64] = '\0';
    snprintf(name, sizeof name, "%s.docker", id);
    run("full 64-char container ID .docker", name, NULL, NULL, D, id, "docker", name);
    snprintf(key, sizeof key, "%.63s", id);
    snprintf(name, sizeof name, "%s.docker", key);
    run("63-char container ID prefix .docker", name, NULL, NULL, D, key, "docker", name);
}

static void name_lengths(void)
{
    char name[320], expected[320], key[320];

    long_name(name, 253, "");
    snprintf(key, sizeof key, "%.*s", 253 - 7, name);
    run("253-char name", name, NULL, NULL, D, key, "docker", name);
    long_name(name, 253, ".");
    snprintf(expected, sizeof expected, "%.253s", name);
    run("253-char name with a trailing dot", name, NULL, NULL, D, key, "docker", expected);
    long_name(name, 253, "..");
    run("253-char name with two trailing dots", name, NULL, NULL, N, "", "", "");
    long_name(name, 253, ".x");
    run("253-char name then \".x\" (a dot as byte 254)", name, NULL, NULL, N, "", "", "");
    long_name(name, 254, "");
    run("254-char name", name, NULL, NULL, N, "", "", "");
    long_name(name, 254, ".");
    run("254-char name with a trailing dot", name, NULL, NULL, N, "", "", "");
    long_name(name, 255, "");
    run("255-char name", name, NULL, NULL, N, "", "", "");
    long_name(name, 300, "");
    run("300-char name", name, NULL, NULL, N, "", "", "");

    size_t huge_length = 100000;
    char *huge = malloc(huge_length + 1);
    if (huge) {
        for (size_t i = 0; i < huge_length; i++)
            huge[i] = (i + 1) % 40 == 0 ? '.' : 'h';
        memcpy(huge + huge_length - 7, ".docker", 8);
        run("100000-char name", huge, NULL, NULL, N, "", "", "");
        free(huge);
    }
    CHECK(huge != NULL, "allocated the 100000-char name");
}

/* vmh_name_valid: the rule a stored name must pass, the one a queried name
 * passes, without the trailing dot a query may have. */
static void stored_names(void)
{
    static const struct {
        const char *text;
        bool valid;
    } cases[] = {
        {"web", true}, {"My.App", true}, {"my_app-1", true}, {"0123456789ab", true},
        {NULL, false}, {"", false}, {".", false}, {"web.", false}, {".web", false},
        {"a..b", false}, {"a\nb", false}, {"x\n127.6.6.6 forged", false}, {"a b", false},
        {"\x1b[2J", false}, {"a\tb", false}, {"caf\xc3\xa9", false}, {"a/b", false},
        {"a%s", false}, {"\x7f", false},
    };
    char what[160], name[320];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(what, sizeof what, "stored name %zu (%s): %s", i,
                 cases[i].valid ? cases[i].text : "invalid", cases[i].valid ? "valid" : "refused");
        CHECK(vmh_name_valid(cases[i].text) == cases[i].valid, what);
    }
    memset(name, 'a', 65);
    name[64] = '\0';
    CHECK(vmh_name_valid(name), "stored name: a 64-char label is valid (a full container ID)");
    name[64] = 'a';
    name[65] = '\0';
    CHECK(!vmh_name_valid(name), "stored name: a 65-char label is refused");
    long_name(name, 253, "");
    CHECK(vmh_name_valid(name), "stored name: 253 chars is valid");
    long_name(name, 254, "");
    CHECK(!vmh_name_valid(name), "stored name: 254 chars is refused");
    long_name(name, 300, "");
    CHECK(!vmh_name_valid(name), "stored name: 300 chars is refused");
}

/* A long name that ends at an unreadable page, with no NUL: only a bounded
 * scan survives, which is what makes a huge name cost nothing. */
static void bounded_scan(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (map == MAP_FAILED) {
        CHECK(0, "mmap for the bounded-scan test");
        return;
    }
    bool guarded = mprotect(map + page, (size_t)page, PROT_NONE) == 0;
    char *name = map + page - 300;
    memset(name, 'a', 300);
    struct vmh_config config;
    struct vmh_name out;
    make_config(&config, NULL, NULL);
    CHECK(guarded && vmh_name_classify(name, &config, &out) == VMH_NAME_NOT_OURS,
          "a 300-byte name with no NUL before a guard page: NOT_OURS, no read past 255 bytes");
    munmap(map, (size_t)page * 2);
}

static void odd_arguments(void)
{
    struct vmh_config config;
    struct vmh_name out;
    make_config(&config, NULL, NULL);
    memset(&out, 'Z', sizeof out);
    CHECK(vmh_name_classify(NULL, &config, &out) == VMH_NAME_NOT_OURS &&
              out.kind == VMH_NAME_NOT_OURS &&
              out.normalized[0] == '\0' && out.key[0] == '\0' && out.domain[0] == '\0',
          "NULL name: NOT_OURS, fields empty");
    CHECK(vmh_name_classify("web.docker", &config, NULL) == VMH_NAME_UNDER, "NULL out still classifies");
    CHECK(vmh_name_classify("web.docker", NULL, &out) == VMH_NAME_NOT_OURS && out.normalized[0] == '\0',
          "NULL config: NOT_OURS");
    /* The same struct reused: a NOT_OURS after a match leaves nothing behind. */
    vmh_name_classify("web.docker", &config, &out);
    CHECK(vmh_name_classify("dev.example.com", &config, &out) == VMH_NAME_NOT_OURS && out.key[0] == '\0' &&
              out.domain[0] == '\0' && out.normalized[0] == '\0',
          "NOT_OURS after DOCKER in the same struct: fields empty");
}

/* The module classifies with an index made once per settings load: it
 * answers every name as vmh_name_classify does, in the same order. */
static void indexed(void)
{
    struct vmh_config config;
    struct vmh_name_index index;
    vmh_config_defaults(&config);
    set_setting(&config, VMH_CONF_DOMAINS(VMH_BACKEND_MULTIPASS),
                "vm.test lab.example.org example.org");
    vmh_name_index(&config, &index);
    static const char *const names[] = {"web.docker", "a.b.docker", "primary.vm.test",
                                        "x.lab.example.org", "x.example.org", "a.x.example.org",
                                        "bare", "example.com", "web.lxd", "db.shop.lxd",
                                        "a.db.shop.lxd", "vm2.libvirt", "WEB.Docker.", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct vmh_name slow, fast;
        enum vmh_name_kind a = vmh_name_classify(names[i], &config, &slow);
        enum vmh_name_kind b = vmh_name_classify_indexed(names[i], &index, &fast);
        char what[128];
        snprintf(what, sizeof what, "indexed: %s as without the index", names[i]);
        CHECK(a == b && slow.backend == fast.backend && strcmp(slow.key, fast.key) == 0 &&
                  strcmp(slow.domain, fast.domain) == 0,
              what);
    }
    struct vmh_name out;
    CHECK(vmh_name_classify_indexed("x.lab.example.org", &index, &out) == VMH_NAME_UNDER &&
              strcmp(out.domain, "lab.example.org") == 0,
          "indexed: the first domain of the list that fits, as listed");
    CHECK(vmh_name_classify_indexed("web.docker", NULL, &out) == VMH_NAME_NOT_OURS,
          "indexed: no index, nothing is ours");
}

/* label_domains makes names under them ours, as label names (the key is
 * the whole name), and only those; every backend's domain comes first. */
static void label_domains(void)
{
    struct vmh_config config;
    struct vmh_name out;
    vmh_config_defaults(&config);
    CHECK_INT(vmh_name_classify("api.shop.test", &config, &out), VMH_NAME_NOT_OURS,
              "label_domains empty: api.shop.test is not ours");
    CHECK_INT(vmh_name_classify("github.com", &config, &out), VMH_NAME_NOT_OURS,
              "label_domains empty: github.com is not ours");
    set_setting(&config, VMH_CONF_LABEL_DOMAINS, "test example.org");
    CHECK(vmh_name_classify("API.shop.test.", &config, &out) == VMH_NAME_LABEL &&
              out.backend == VMH_BACKEND_DOCKER && strcmp(out.key, "api.shop.test") == 0 &&
              strcmp(out.domain, "test") == 0,
          "label_domains = test: api.shop.test is a label name, its key the whole name");
    CHECK_INT(vmh_name_classify("test", &config, &out), VMH_NAME_BARE,
              "label_domains = test: test itself is a bare name, as before");
    CHECK_INT(vmh_name_classify("github.com", &config, &out), VMH_NAME_NOT_OURS,
              "label_domains = test: github.com is still not ours");
    CHECK_INT(vmh_name_classify("evil.test.com", &config, &out), VMH_NAME_NOT_OURS,
              "label_domains = test: evil.test.com is not under test");
    CHECK(vmh_name_classify("primary.example.org", &config, &out) == VMH_NAME_UNDER &&
              out.backend == VMH_BACKEND_MULTIPASS,
          "label_domains = example.org: a VM's name stays the VM's");
    CHECK(vmh_name_classify("api.shop.docker", &config, &out) == VMH_NAME_UNDER &&
              out.backend == VMH_BACKEND_DOCKER,
          "label names under .docker are Docker's names, as before");
}

int main(void)
{
    char what[160];
    for (size_t i = 0; i < sizeof literal_cases / sizeof literal_cases[0]; i++) {
        const struct name_case *c = &literal_cases[i];
        snprintf(what, sizeof what, "\"%s\" (suffix %s, domains %s%s%s): %s", c->name,
                 c->suffix ? c->suffix : "default", c->domains ? "\"" : "",
                 c->domains ? c->domains : "default", c->domains ? "\"" : "", kind_name(c->kind));
        /* A TAP description is one line of text, and '#' would start a
         * directive: show such bytes as '?'. */
        for (char *p = what; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '#')
                *p = '?';
        run_case(what, c);
    }
    label_lengths();
    name_lengths();
    stored_names();
    bounded_scan();
    odd_arguments();
    indexed();
    label_domains();
    return check_done();
}
