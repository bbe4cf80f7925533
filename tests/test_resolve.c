/* The name rules against caches built the way `vmhosts refresh` builds
 * them: Docker's precedence (exact ID, name, unique prefix, Compose), bare
 * hostnames, VMs, families, failed backends and reverse lookups.  Names are
 * built by hand so that only resolve.c is under test, not the classifier. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "check.h"
#include "set_setting.h"
#include "fixture_hosts.h"
#include "resolve.h"
#include "snapshot.h"
#include "texts.h"

/* web and old share "3f4e"; web and its 15-char prefix are unique past it. */
#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_OLD "3f4e99999c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
#define ID_V4 "77aa1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"
/* A container called "beef", and another whose ID starts with "beef". */
#define ID_BEEF "aaaa0000000000000000000000000000000000000000000000000000000000a1"
#define ID_BEEF_PREFIXED "beef100000000000000000000000000000000000000000000000000000000000"
#define ID_NOADDR "c0c0000000000000000000000000000000000000000000000000000000000000"
#define ID_LONG "d0d0000000000000000000000000000000000000000000000000000000000000"
#define ID_NAMED_AS_ID "e0e0000000000000000000000000000000000000000000000000000000000000"

struct fixture {
    struct vmh_snapshot snapshot;
    unsigned char *data;
    struct vmh_cache cache;
};

static struct vmh_host *add_host(struct vmh_snapshot *snapshot, enum vmh_backend backend,
                                 const char *name, const char *id, const char *hostname,
                                 bool running, const char *addresses)
{
    char full_id[65];
    /* A short tag stands for a full ID: the tag, then zeros. */
    memset(full_id, '0', sizeof full_id - 1);
    full_id[sizeof full_id - 1] = '\0';
    if (id)
        memcpy(full_id, id, strnlen(id, sizeof full_id - 1));
    return fixture_add_host(snapshot, backend, name, id ? full_id : NULL, hostname, running,
                            addresses);
}

static void add_replica(struct vmh_snapshot *snapshot, const char *name, const char *id,
                        const char *service, bool running, const char *addresses)
{
    struct vmh_host *host =
        add_host(snapshot, VMH_BACKEND_DOCKER, name, id, NULL, running, addresses);
    host->project = strdup("proj");
    host->service = strdup(service);
}

static void fixture_hosts(struct vmh_snapshot *snapshot)
{
    char long_name[251];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';

    add_host(snapshot, VMH_BACKEND_DOCKER, "web", ID_WEB, "my-thing", true, "172.17.0.2 fd00::2");
    /* Stopped, and its last address now belongs to v4only. */
    add_host(snapshot, VMH_BACKEND_DOCKER, "old", ID_OLD, "old-host", false, "172.17.0.3");
    add_host(snapshot, VMH_BACKEND_DOCKER, "v4only", ID_V4, "V4Only", true, "172.17.0.3");
    add_host(snapshot, VMH_BACKEND_DOCKER, "Beef", ID_BEEF, NULL, true, "172.17.0.4");
    add_host(snapshot, VMH_BACKEND_DOCKER, "prefixed", ID_BEEF_PREFIXED, NULL, true, "172.17.0.5");
    add_host(snapshot, VMH_BACKEND_DOCKER, "noaddr", ID_NOADDR, "noaddr-host", true, NULL);
    add_host(snapshot, VMH_BACKEND_DOCKER, long_name, ID_LONG, NULL, true, "172.17.0.6");
    add_host(snapshot, VMH_BACKEND_DOCKER, ID_V4, ID_NAMED_AS_ID, NULL, true, "172.17.0.7");
    /* A stale twin before the live one: the live one answers. */
    add_host(snapshot, VMH_BACKEND_DOCKER, "twin", "e1", NULL, false, "172.17.0.8");
    add_host(snapshot, VMH_BACKEND_DOCKER, "twin", "e2", NULL, true, "172.17.0.9");
    /* Two running containers sharing a hostname, and one address. */
    add_host(snapshot, VMH_BACKEND_DOCKER, "shared-a", "f1", "shared", true, "172.19.0.2");
    add_host(snapshot, VMH_BACKEND_DOCKER, "shared-b", "f2", "shared", true, "172.19.0.2 172.19.0.3");
    add_replica(snapshot, "proj-api-1", "a1", "api", true, "172.18.0.2");
    add_replica(snapshot, "proj-api-2", "a2", "api", true, "172.18.0.3 fd00::18:3");
    add_replica(snapshot, "proj-api-3", "a3", "api", false, "172.18.0.4");
    add_replica(snapshot, "proj-db-1", "a4", "db", false, "172.18.0.5");
    add_replica(snapshot, "proj-cache-1", "a5", "cache", true, NULL);
    add_host(snapshot, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, true, "10.0.0.5");
    add_host(snapshot, VMH_BACKEND_MULTIPASS, "stopped-vm", NULL, NULL, false, "10.0.0.6");
    add_host(snapshot, VMH_BACKEND_MULTIPASS, "starting", NULL, NULL, true, NULL);
}

/* Three running replicas of 30 addresses each: more than an answer holds. */
static void many_hosts(struct vmh_snapshot *snapshot)
{
    for (int replica = 0; replica < 3; replica++) {
        char name[32], id[32], addresses[512] = "";
        snprintf(name, sizeof name, "proj-many-%d", replica + 1);
        snprintf(id, sizeof id, "b%d", replica);
        for (int i = 0; i < 30; i++) {
            size_t used = strlen(addresses);
            snprintf(addresses + used, sizeof addresses - used, "10.1.%d.%d ", replica, i + 1);
        }
        add_replica(snapshot, name, id, "many", true, addresses);
    }
}

static bool fixture_build(struct fixture *fixture, uint32_t docker, uint32_t multipass,
                          void (*hosts)(struct vmh_snapshot *))
{
    size_t size = 0;
    memset(fixture, 0, sizeof *fixture);
    vmh_snapshot_init(&fixture->snapshot);
    hosts(&fixture->snapshot);
    fixture->snapshot.backends[VMH_BACKEND_DOCKER].status = docker;
    fixture->snapshot.backends[VMH_BACKEND_MULTIPASS].status = multipass;
    for (int b = 0; b < VMH_BACKEND_COUNT; b++)
        fixture->snapshot.backends[b].updated_ms = fixture->snapshot.backends[b].attempted_ms =
            1700000000000;
    if (vmh_cache_build(&fixture->snapshot, 1700000000000, &fixture->data, &size) != 0) {
        printf("# vmh_cache_build failed\n");
        return false;
    }
    enum vmh_cache_error error = vmh_cache_parse(&fixture->cache, fixture->data, size);
    if (error != VMH_CACHE_OK) {
        printf("# vmh_cache_parse: %s\n", vmh_cache_error_text(error));
        return false;
    }
    return true;
}

static void fixture_free(struct fixture *fixture)
{
    vmh_cache_forget(&fixture->cache);
    free(fixture->data);
    vmh_snapshot_free(&fixture->snapshot);
}

/* The names these tests ask, as vmh_name_classify would classify them. */
enum ask { ASK_NOT_OURS, ASK_DOCKER, ASK_BARE, ASK_VM, ASK_LABEL };

static struct vmh_name make_name(enum ask kind, const char *key)
{
    struct vmh_name name;
    memset(&name, 0, sizeof name);
    name.kind = kind == ASK_NOT_OURS ? VMH_NAME_NOT_OURS
                : kind == ASK_BARE   ? VMH_NAME_BARE
                : kind == ASK_LABEL  ? VMH_NAME_LABEL
                                     : VMH_NAME_UNDER;
    name.backend = kind == ASK_NOT_OURS ? VMH_BACKEND_COUNT
                   : kind == ASK_VM     ? VMH_BACKEND_MULTIPASS
                                        : VMH_BACKEND_DOCKER;
    snprintf(name.key, sizeof name.key, "%s", key);
    snprintf(name.domain, sizeof name.domain, "%s",
             kind == ASK_VM ? "example.org" : kind == ASK_LABEL ? "test" : "docker");
    if (kind == ASK_BARE || kind == ASK_NOT_OURS || kind == ASK_LABEL)
        snprintf(name.normalized, sizeof name.normalized, "%s", key);
    else if ((size_t)snprintf(name.normalized, sizeof name.normalized, "%s.%s", key,
                              name.domain) >= sizeof name.normalized)
        printf("# test name too long: %s\n", key);
    return name;
}

static struct vmh_answer answer;

static const struct vmh_answer *lookup(const struct vmh_cache *cache, enum ask kind,
                                       const char *key, int family)
{
    struct vmh_name name = make_name(kind, key);
    memset(&answer, 0x5a, sizeof answer); /* vmh_resolve must clear it */
    vmh_resolve(cache, &name, family, &answer);
    return &answer;
}

/* The answer's addresses as text, space-separated. */
static const char *addresses(const struct vmh_answer *a)
{
    static char text[VMH_ANSWER_MAX_ADDRS * (INET6_ADDRSTRLEN + 1)];
    size_t used = 0;
    text[0] = '\0';
    for (uint32_t i = 0; i < a->addr_count && i < VMH_ANSWER_MAX_ADDRS; i++) {
        char one[INET6_ADDRSTRLEN];
        int af = a->addrs[i].family == 4 ? AF_INET : AF_INET6;
        if (!inet_ntop(af, a->addrs[i].bytes, one, sizeof one))
            snprintf(one, sizeof one, "?");
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", used ? " " : "", one);
    }
    return text;
}

static const char *record_name(const struct vmh_cache *cache, const struct vmh_answer *a)
{
    if (a->record >= cache->header->record_count)
        return "(record out of range)";
    return vmh_cache_string(cache, cache->records[a->record].name);
}

/* The answer's aliases, space-separated. */
static const char *joined_aliases(const struct vmh_answer *a)
{
    static char text[VMH_ANSWER_MAX_ALIASES * (VMH_NAME_MAX + 1) + 1];
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < VMH_ANSWER_MAX_ALIASES && a->aliases[i][0]; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? " " : "",
                                 a->aliases[i]);
    return text;
}

static void expect(const char *what, enum vmh_result result, enum vmh_rule rule,
                   const char *canonical, const char *alias, const char *addrs)
{
    char text[200];
    snprintf(text, sizeof text, "%s: result", what);
    CHECK_INT(answer.result, result, text);
    snprintf(text, sizeof text, "%s: rule", what);
    CHECK_INT(answer.rule, rule, text);
    snprintf(text, sizeof text, "%s: canonical", what);
    CHECK_STR(answer.canonical, canonical, text);
    snprintf(text, sizeof text, "%s: alias", what);
    CHECK_STR(joined_aliases(&answer), alias, text);
    snprintf(text, sizeof text, "%s: addresses", what);
    CHECK_STR(addresses(&answer), addrs, text);
}

static void test_docker_precedence(const struct vmh_cache *c)
{
    lookup(c, ASK_DOCKER, ID_WEB, AF_UNSPEC);
    expect("full ID", VMH_FOUND, VMH_RULE_EXACT_ID, "web.docker",
           ID_WEB ".docker my-thing", "172.17.0.2 fd00::2");
    CHECK_STR(record_name(c, &answer), "web", "full ID: the record");
    lookup(c, ASK_DOCKER, "3f4e1a2b3c4d", AF_UNSPEC);
    expect("12-char prefix", VMH_FOUND, VMH_RULE_ID_PREFIX, "web.docker",
           "3f4e1a2b3c4d.docker my-thing",
           "172.17.0.2 fd00::2");
    lookup(c, ASK_DOCKER, "3f4e1a2b3c4d5e6", AF_UNSPEC);
    expect("15-char prefix", VMH_FOUND, VMH_RULE_ID_PREFIX, "web.docker",
           "3f4e1a2b3c4d5e6.docker my-thing", "172.17.0.2 fd00::2");
    lookup(c, ASK_DOCKER, "web", AF_UNSPEC);
    expect("container name: its hostname as the alias", VMH_FOUND, VMH_RULE_NAME, "web.docker",
           "my-thing", "172.17.0.2 fd00::2");
    lookup(c, ASK_DOCKER, "beef", AF_UNSPEC);
    expect("a name that is also another container's ID prefix: the name wins", VMH_FOUND,
           VMH_RULE_NAME, "beef.docker", "", "172.17.0.4");
    lookup(c, ASK_DOCKER, "beef1", AF_UNSPEC);
    expect("a longer prefix reaches the other container", VMH_FOUND, VMH_RULE_ID_PREFIX,
           "prefixed.docker", "beef1.docker", "172.17.0.5");
    lookup(c, ASK_DOCKER, ID_V4, AF_UNSPEC);
    expect("a full ID beats a container named like it", VMH_FOUND, VMH_RULE_EXACT_ID,
           "v4only.docker", ID_V4 ".docker", "172.17.0.3");
    lookup(c, ASK_DOCKER, "twin", AF_UNSPEC);
    expect("two records of one name: the running one", VMH_FOUND, VMH_RULE_NAME, "twin.docker",
           "", "172.17.0.9");
    lookup(c, ASK_DOCKER, "3f4e", AF_UNSPEC);
    expect("prefix of a running and a stopped container", VMH_NOT_FOUND,
           VMH_RULE_AMBIGUOUS_PREFIX, "", "", "");
    lookup(c, ASK_DOCKER, "3f4e9", AF_UNSPEC);
    expect("unique prefix of a stopped container", VMH_NOT_FOUND, VMH_RULE_NOT_RUNNING, "", "", "");
    lookup(c, ASK_DOCKER, "3f4e1", AF_UNSPEC);
    expect("unique prefix of the running one", VMH_FOUND, VMH_RULE_ID_PREFIX, "web.docker",
           "3f4e1.docker my-thing", "172.17.0.2 fd00::2");
    lookup(c, ASK_DOCKER, "old", AF_UNSPEC);
    expect("stopped container", VMH_NOT_FOUND, VMH_RULE_NOT_RUNNING, "", "", "");
    lookup(c, ASK_DOCKER, "noaddr", AF_UNSPEC);
    expect("running, no address", VMH_NOT_FOUND, VMH_RULE_NO_ADDRESS, "", "", "");
    lookup(c, ASK_DOCKER, "nothing", AF_UNSPEC);
    expect("no such container", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_DOCKER, "abc", AF_UNSPEC);
    expect("hex that prefixes no ID", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_DOCKER, "d0d0", AF_UNSPEC);
    expect("canonical name too long: a miss, not a truncated name", VMH_NOT_FOUND,
           VMH_RULE_NO_MATCH, "", "", "");
}

static void test_compose(const struct vmh_cache *c)
{
    lookup(c, ASK_DOCKER, "api.proj", AF_UNSPEC);
    expect("Compose service: its running replicas", VMH_FOUND, VMH_RULE_COMPOSE,
           "api.proj.docker", "", "172.18.0.2 172.18.0.3 fd00::18:3");
    CHECK_STR(record_name(c, &answer), "proj-api-1", "Compose service: the first replica's record");
    lookup(c, ASK_DOCKER, "api.proj", AF_INET6);
    expect("Compose service, AF_INET6: one replica has one", VMH_FOUND, VMH_RULE_COMPOSE,
           "api.proj.docker", "", "172.18.0.2 172.18.0.3 fd00::18:3");
    lookup(c, ASK_DOCKER, "db.proj", AF_UNSPEC);
    expect("Compose service, all stopped", VMH_NOT_FOUND, VMH_RULE_NOT_RUNNING, "", "", "");
    lookup(c, ASK_DOCKER, "cache.proj", AF_UNSPEC);
    expect("Compose service, running without address", VMH_NOT_FOUND, VMH_RULE_NO_ADDRESS, "",
           "", "");
    lookup(c, ASK_DOCKER, "api.other", AF_UNSPEC);
    expect("Compose service of another project", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
}

/* getaddrinfo's answer has no room for aliases: asked without them, the
 * same hit has none, and its name and addresses are unchanged. */
static void test_no_aliases(const struct vmh_cache *c)
{
    lookup(c, ASK_DOCKER, "3f4e1", AF_UNSPEC | VMH_NO_ALIASES);
    expect("no aliases: an ID prefix", VMH_FOUND, VMH_RULE_ID_PREFIX, "web.docker", "",
           "172.17.0.2 fd00::2");
    lookup(c, ASK_DOCKER, "web", AF_INET | VMH_FAMILY_ONLY | VMH_NO_ALIASES);
    expect("no aliases: a name, one family", VMH_FOUND, VMH_RULE_NAME, "web.docker", "",
           "172.17.0.2");
    lookup(c, ASK_BARE, "my-thing", AF_UNSPEC | VMH_NO_ALIASES);
    expect("no aliases: a bare hostname", VMH_FOUND, VMH_RULE_HOSTNAME, "web.docker", "",
           "172.17.0.2 fd00::2");
    lookup(c, ASK_DOCKER, "web", AF_UNSPEC);
    expect("the next lookup that wants them has them again", VMH_FOUND, VMH_RULE_NAME,
           "web.docker", "my-thing", "172.17.0.2 fd00::2");
}

static void test_bare(const struct vmh_cache *c)
{
    lookup(c, ASK_BARE, "my-thing", AF_UNSPEC);
    expect("bare hostname", VMH_FOUND, VMH_RULE_HOSTNAME, "web.docker", "my-thing",
           "172.17.0.2 fd00::2");
    lookup(c, ASK_BARE, "v4only", AF_UNSPEC);
    expect("bare hostname spelt in capitals by Docker", VMH_FOUND, VMH_RULE_HOSTNAME,
           "v4only.docker", "v4only", "172.17.0.3");
    lookup(c, ASK_BARE, "shared", AF_UNSPEC);
    expect("hostname of two running containers: both, deduplicated", VMH_FOUND,
           VMH_RULE_HOSTNAME, "shared-a.docker", "shared", "172.19.0.2 172.19.0.3");
    CHECK_STR(record_name(c, &answer), "shared-a", "shared hostname: the first record");
    lookup(c, ASK_BARE, "old-host", AF_UNSPEC);
    expect("bare hostname of a stopped container", VMH_NOT_OURS, VMH_RULE_NOT_RUNNING, "", "", "");
    lookup(c, ASK_BARE, "3f4e1a2b3c4d", AF_UNSPEC);
    expect("bare short ID of a container with another hostname", VMH_NOT_OURS, VMH_RULE_NO_MATCH,
           "", "", "");
    lookup(c, ASK_BARE, "web", AF_UNSPEC);
    expect("bare container name that is no hostname", VMH_NOT_OURS, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_BARE, "noaddr-host", AF_UNSPEC);
    expect("bare hostname of a container without address", VMH_NOT_OURS, VMH_RULE_NO_ADDRESS, "",
           "", "");
    lookup(c, ASK_BARE, "v4only", AF_INET6);
    expect("bare hostname, no address of the family", VMH_NO_DATA, VMH_RULE_HOSTNAME,
           "v4only.docker", "v4only", "172.17.0.3");
}

static void test_vm(const struct vmh_cache *c)
{
    lookup(c, ASK_VM, "primary", AF_INET);
    expect("VM", VMH_FOUND, VMH_RULE_VM, "primary.example.org", "", "10.0.0.5");
    CHECK_STR(record_name(c, &answer), "primary", "VM: the record");
    lookup(c, ASK_VM, "stopped-vm", AF_UNSPEC);
    expect("stopped VM", VMH_NOT_FOUND, VMH_RULE_NOT_RUNNING, "", "", "");
    lookup(c, ASK_VM, "starting", AF_UNSPEC);
    expect("VM without address yet", VMH_NOT_FOUND, VMH_RULE_NO_ADDRESS, "", "", "");
    lookup(c, ASK_VM, "nothing", AF_UNSPEC);
    expect("no such VM", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_VM, "web", AF_UNSPEC);
    expect("a container's name is no VM", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_VM, "primary", AF_INET6);
    expect("VM, AF_INET6", VMH_NO_DATA, VMH_RULE_VM, "primary.example.org", "", "10.0.0.5");
}

static void test_families(const struct vmh_cache *c)
{
    lookup(c, ASK_DOCKER, "v4only", AF_INET6);
    expect("AF_INET6 on an IPv4-only container", VMH_NO_DATA, VMH_RULE_NAME, "v4only.docker", "",
           "172.17.0.3");
    lookup(c, ASK_DOCKER, "v4only", AF_INET6 | VMH_FAMILY_ONLY);
    expect("AF_INET6 alone on an IPv4-only container", VMH_NO_DATA, VMH_RULE_NAME,
           "v4only.docker", "", "");
    lookup(c, ASK_DOCKER, "v4only", AF_INET);
    expect("AF_INET on an IPv4-only container", VMH_FOUND, VMH_RULE_NAME, "v4only.docker", "",
           "172.17.0.3");
    const int families[] = {AF_INET, AF_INET6, AF_UNSPEC};
    const char *names[] = {"dual stack, AF_INET", "dual stack, AF_INET6", "dual stack, AF_UNSPEC"};
    for (int i = 0; i < 3; i++) {
        lookup(c, ASK_DOCKER, "web", families[i]);
        expect(names[i], VMH_FOUND, VMH_RULE_NAME, "web.docker", "my-thing", "172.17.0.2 fd00::2");
    }
}

static void test_not_ours(const struct vmh_cache *c)
{
    lookup(c, ASK_NOT_OURS, "example.com", AF_UNSPEC);
    expect("not ours", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    lookup(NULL, ASK_NOT_OURS, "example.com", AF_UNSPEC);
    expect("not ours, no cache", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    struct vmh_name odd = make_name(ASK_DOCKER, "web");
    odd.kind = (enum vmh_name_kind)42;
    vmh_resolve(c, &odd, AF_UNSPEC, &answer);
    expect("unknown kind", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    odd = make_name(ASK_DOCKER, "web");
    odd.backend = VMH_BACKEND_COUNT;
    vmh_resolve(c, &odd, AF_UNSPEC, &answer);
    expect("unknown backend", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
}

static void expect_down(const struct vmh_cache *c, enum ask kind, const char *key,
                        enum vmh_result result, int cause, const char *what)
{
    char text[200];
    lookup(c, kind, key, AF_UNSPEC);
    expect(what, result, VMH_RULE_BACKEND_DOWN, "", "", "");
    snprintf(text, sizeof text, "%s: cause", what);
    if (result == VMH_UNAVAILABLE)
        CHECK_INT(answer.cause_errno, cause, text);
}

static void test_backend_down(void)
{
    struct fixture f;
    if (fixture_build(&f, VMH_STATUS_UNAVAILABLE, VMH_STATUS_OK, fixture_hosts)) {
        expect_down(&f.cache, ASK_DOCKER, "web", VMH_UNAVAILABLE, ECONNREFUSED,
                    "Docker unavailable, explicit name");
        expect_down(&f.cache, ASK_DOCKER, "nothing", VMH_UNAVAILABLE, ECONNREFUSED,
                    "Docker unavailable, unknown explicit name");
        expect_down(&f.cache, ASK_BARE, "my-thing", VMH_NOT_OURS, 0,
                    "Docker unavailable, bare name");
        lookup(&f.cache, ASK_VM, "primary", AF_UNSPEC);
        expect("Docker unavailable: VMs still resolve", VMH_FOUND, VMH_RULE_VM,
               "primary.example.org", "", "10.0.0.5");
    }
    fixture_free(&f);
    if (fixture_build(&f, VMH_STATUS_DENIED, VMH_STATUS_ERROR, fixture_hosts)) {
        expect_down(&f.cache, ASK_DOCKER, "web", VMH_UNAVAILABLE, EACCES,
                    "Docker denied, explicit name");
        expect_down(&f.cache, ASK_BARE, "my-thing", VMH_NOT_OURS, 0,
                    "Docker denied, bare name");
        expect_down(&f.cache, ASK_VM, "primary", VMH_UNAVAILABLE, EIO,
                    "multipass error, VM name");
    }
    fixture_free(&f);
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_NEVER, fixture_hosts))
        expect_down(&f.cache, ASK_VM, "primary", VMH_UNAVAILABLE, ENOENT,
                    "multipass never asked, VM name");
    fixture_free(&f);
    expect_down(NULL, ASK_DOCKER, "web", VMH_UNAVAILABLE, ENOENT, "no cache, docker name");
    expect_down(NULL, ASK_VM, "primary", VMH_UNAVAILABLE, ENOENT, "no cache, VM name");
    expect_down(NULL, ASK_BARE, "my-thing", VMH_NOT_OURS, 0, "no cache, bare name");
}

static void test_answer_limit(void)
{
    struct fixture f;
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, many_hosts)) {
        lookup(&f.cache, ASK_DOCKER, "many.proj", AF_UNSPEC);
        CHECK_INT(answer.result, VMH_FOUND, "90 addresses: found");
        CHECK_INT(answer.addr_count, VMH_ANSWER_MAX_ADDRS, "90 addresses: the answer's maximum");
        char last[INET_ADDRSTRLEN] = "";
        inet_ntop(AF_INET, answer.addrs[VMH_ANSWER_MAX_ADDRS - 1].bytes, last, sizeof last);
        CHECK_STR(last, "10.1.2.4", "90 addresses: the first 64 in the cache's order");
    }
    fixture_free(&f);
}

/* Four running replicas of 15 IPv4 and 15 IPv6 addresses each, in turn:
 * 60 of each family, more than an answer holds of both. */
static void mixed_hosts(struct vmh_snapshot *snapshot)
{
    for (int replica = 0; replica < 4; replica++) {
        char name[32], id[32], addresses[512] = "";
        snprintf(name, sizeof name, "proj-mixed-%d", replica + 1);
        snprintf(id, sizeof id, "c%d", replica);
        for (int i = 0; i < 15; i++) {
            size_t used = strlen(addresses);
            snprintf(addresses + used, sizeof addresses - used, "10.3.%d.%d fd03::%d:%d ",
                     replica, i + 1, replica, i + 1);
        }
        add_replica(snapshot, name, id, "mixed", true, addresses);
    }
}

/* How many of the answer's addresses are of family 4 or 6. */
static uint32_t count_family(uint8_t family)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < answer.addr_count; i++)
        count += answer.addrs[i].family == family;
    return count;
}

/* VMH_FAMILY_ONLY: the DNS face's A query gets 64 IPv4 addresses' room;
 * glibc's, without it, the answer as it always was. */
static void test_family_only(void)
{
    struct fixture f;
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, mixed_hosts)) {
        lookup(&f.cache, ASK_DOCKER, "mixed.proj", AF_INET);
        CHECK(answer.result == VMH_FOUND && answer.addr_count == VMH_ANSWER_MAX_ADDRS &&
                  count_family(4) == 32,
              "AF_INET, 60 + 60 addresses: both families in 64, as glibc always had them");
        lookup(&f.cache, ASK_DOCKER, "mixed.proj", AF_INET | VMH_FAMILY_ONLY);
        CHECK(answer.result == VMH_FOUND && answer.addr_count == 60 && count_family(4) == 60,
              "AF_INET with VMH_FAMILY_ONLY: all 60 IPv4 addresses, no IPv6");
        lookup(&f.cache, ASK_DOCKER, "mixed.proj", AF_INET6 | VMH_FAMILY_ONLY);
        CHECK(answer.result == VMH_FOUND && answer.addr_count == 60 && count_family(6) == 60,
              "AF_INET6 with VMH_FAMILY_ONLY: all 60 IPv6 addresses, no IPv4");
        lookup(&f.cache, ASK_DOCKER, "mixed.proj", AF_UNSPEC);
        CHECK(answer.addr_count == VMH_ANSWER_MAX_ADDRS && count_family(6) == 32,
              "AF_UNSPEC: 64 of both, unchanged");
    }
    fixture_free(&f);
}

static const struct vmh_answer *reverse(const struct vmh_cache *cache,
                                        const struct vmh_config *config, const char *text)
{
    unsigned char bytes[16];
    int family = strchr(text, ':') ? AF_INET6 : AF_INET;
    inet_pton(family, text, bytes);
    memset(&answer, 0x5a, sizeof answer);
    vmh_resolve_address(cache, config, family, bytes, &answer);
    return &answer;
}

static void reverse_config(struct vmh_config *config, const char *domains)
{
    vmh_config_defaults(config);
    set_setting(config, VMH_CONF_DOMAINS(VMH_BACKEND_MULTIPASS), domains);
}

static void test_reverse(const struct vmh_cache *c)
{
    struct vmh_config config;
    reverse_config(&config, "example.org other.org");

    reverse(c, &config, "172.17.0.2");
    expect("reverse IPv4", VMH_FOUND, VMH_RULE_NAME, "web.docker", "my-thing", "172.17.0.2");
    reverse(c, &config, "fd00::2");
    expect("reverse IPv6", VMH_FOUND, VMH_RULE_NAME, "web.docker", "my-thing", "fd00::2");
    reverse(c, &config, "172.17.0.3");
    expect("reverse: the running container, not the stopped one before it", VMH_FOUND,
           VMH_RULE_NAME, "v4only.docker", "", "172.17.0.3");
    reverse(c, &config, "172.17.0.4");
    expect("reverse: canonical lowercased", VMH_FOUND, VMH_RULE_NAME, "beef.docker", "",
           "172.17.0.4");
    reverse(c, &config, "10.0.0.5");
    expect("reverse VM: first domain", VMH_FOUND, VMH_RULE_VM, "primary.example.org", "",
           "10.0.0.5");
    reverse(c, &config, "192.0.2.1");
    expect("reverse, not ours", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    reverse(c, &config, "172.18.0.4");
    expect("reverse, stopped container", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    reverse(c, &config, "10.0.0.6");
    expect("reverse, stopped VM", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    reverse(c, &config, "::ffff:172.17.0.2");
    expect("reverse, IPv4-mapped IPv6 is another address", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "",
           "", "");
    reverse(c, &config, "ac11:2::");
    expect("reverse, IPv6 with an IPv4 address's bytes", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "",
           "");
    reverse_config(&config, "");
    reverse(c, &config, "10.0.0.5");
    expect("reverse VM, no domain configured", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    reverse(NULL, &config, "172.17.0.2");
    expect("reverse, no cache", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
}

/* VMs named with a dot, as a libvirt domain may be (ubuntu22.04): their
 * names are one label before the domain, so ubuntu22.04.libvirt does not
 * resolve, and a reverse lookup must not give it either, whichever
 * backend put the record there. */
static void dotted_hosts(struct vmh_snapshot *snapshot)
{
    add_host(snapshot, VMH_BACKEND_LIBVIRT, "ubuntu22.04", NULL, NULL, true, "10.0.0.41");
    add_host(snapshot, VMH_BACKEND_LIBVIRT, "vm2", NULL, NULL, true, "10.0.0.42");
    add_host(snapshot, VMH_BACKEND_MULTIPASS, "rhel9.3", NULL, NULL, true, "10.0.0.43");
    snapshot->backends[VMH_BACKEND_LIBVIRT].status = VMH_STATUS_OK;
}

static void test_reverse_dotted(void)
{
    struct fixture f;
    struct vmh_config config;
    reverse_config(&config, "example.org");
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, dotted_hosts)) {
        CHECK_INT(vmh_name_classify("ubuntu22.04.libvirt", &config, NULL), VMH_NAME_NOT_OURS,
                  "ubuntu22.04.libvirt: not a name the forward rule takes");
        reverse(&f.cache, &config, "10.0.0.41");
        expect("reverse of a libvirt VM named ubuntu22.04: no name", VMH_NOT_OURS,
               VMH_RULE_NOT_OURS, "", "", "");
        reverse(&f.cache, &config, "10.0.0.43");
        expect("reverse of a multipass VM named rhel9.3: no name", VMH_NOT_OURS,
               VMH_RULE_NOT_OURS, "", "", "");
        reverse(&f.cache, &config, "10.0.0.42");
        expect("reverse of a libvirt VM of one label: its name", VMH_FOUND, VMH_RULE_VM,
               "vm2.libvirt", "", "10.0.0.42");
    }
    fixture_free(&f);
}

static void test_reverse_backend_down(void)
{
    struct fixture f;
    struct vmh_config config;
    reverse_config(&config, "example.org");
    if (fixture_build(&f, VMH_STATUS_UNAVAILABLE, VMH_STATUS_OK, fixture_hosts)) {
        reverse(&f.cache, &config, "172.17.0.2");
        expect("reverse, Docker down", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
        reverse(&f.cache, &config, "10.0.0.5");
        expect("reverse, Docker down, VM", VMH_FOUND, VMH_RULE_VM, "primary.example.org", "",
               "10.0.0.5");
    }
    fixture_free(&f);
}

/* --network container:owner and --network host, the joiner listed first
 * (Docker lists the newest first): forward both answer, reverse only the
 * owner, and loopback never. */
static void shared_network_hosts(struct vmh_snapshot *snapshot)
{
    struct vmh_host *joined =
        add_host(snapshot, VMH_BACKEND_DOCKER, "joined", "f3", "owner-host", true, "172.21.0.2 fd00::21:2");
    joined->network_container = strdup("owner");
    add_host(snapshot, VMH_BACKEND_DOCKER, "owner", "f4", "owner-host", true, "172.21.0.2 fd00::21:2");
    add_host(snapshot, VMH_BACKEND_DOCKER, "hostnet", "f5", "vm", true, "127.0.0.1 ::1");
    /* multipass says where a VM is; the tests' stand-in VMs sit on loopback. */
    add_host(snapshot, VMH_BACKEND_MULTIPASS, "loop-vm", NULL, NULL, true, "127.0.0.7");
}

static void expect_shared_network(const struct vmh_cache *cache, const char *what)
{
    struct vmh_config config;
    char text[160];
    reverse_config(&config, "example.org");
    snprintf(text, sizeof text, "%s: forward, the joiner has the owner's addresses", what);
    lookup(cache, ASK_DOCKER, "joined", AF_UNSPEC);
    expect(text, VMH_FOUND, VMH_RULE_NAME, "joined.docker", "owner-host", "172.21.0.2 fd00::21:2");
    reverse(cache, &config, "172.21.0.2");
    snprintf(text, sizeof text, "%s: reverse IPv4 names the owner", what);
    expect(text, VMH_FOUND, VMH_RULE_NAME, "owner.docker", "owner-host", "172.21.0.2");
    reverse(cache, &config, "fd00::21:2");
    snprintf(text, sizeof text, "%s: reverse IPv6 names the owner", what);
    expect(text, VMH_FOUND, VMH_RULE_NAME, "owner.docker", "owner-host", "fd00::21:2");
    lookup(cache, ASK_DOCKER, "hostnet", AF_UNSPEC);
    snprintf(text, sizeof text, "%s: forward, --network host is loopback", what);
    expect(text, VMH_FOUND, VMH_RULE_NAME, "hostnet.docker", "vm", "127.0.0.1 ::1");
    reverse(cache, &config, "127.0.0.1");
    snprintf(text, sizeof text, "%s: reverse 127.0.0.1 is not ours", what);
    expect(text, VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    reverse(cache, &config, "::1");
    snprintf(text, sizeof text, "%s: reverse ::1 is not ours", what);
    expect(text, VMH_NOT_OURS, VMH_RULE_NOT_OURS, "", "", "");
    reverse(cache, &config, "127.0.0.7");
    snprintf(text, sizeof text, "%s: reverse of a VM's loopback address names the VM", what);
    expect(text, VMH_FOUND, VMH_RULE_VM, "loop-vm.example.org", "", "127.0.0.7");
}

static void test_reverse_shared_network(void)
{
    struct fixture f;
    if (!fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, shared_network_hosts)) {
        CHECK(0, "the shared-network cache builds and parses");
        fixture_free(&f);
        return;
    }
    expect_shared_network(&f.cache, "shared network");
    /* A refresh of multipass alone keeps Docker's records from the cache:
     * the mark must survive the trip through a snapshot. */
    struct vmh_snapshot copy;
    struct vmh_cache again;
    unsigned char *data = NULL;
    size_t size = 0;
    vmh_snapshot_init(&copy);
    CHECK(vmh_snapshot_from_cache(&copy, &f.cache, VMH_SNAPSHOT_ALL) == 0 &&
              vmh_cache_build(&copy, 1700000000000, &data, &size) == 0 &&
              vmh_cache_parse(&again, data, size) == VMH_CACHE_OK,
          "shared network: the cache rebuilds from its own snapshot");
    if (data)
        expect_shared_network(&again, "rebuilt from the cache");
    if (data)
        vmh_cache_forget(&again);
    free(data);
    vmh_snapshot_free(&copy);
    fixture_free(&f);
}

/* A cache is anyone's file to write (a user's own cache), so its strings
 * may hold what no refresh stores: a newline would let `getent hosts` print
 * a line of the forger's choosing, an escape would reach a terminal. */
#define FORGED "x\n127.6.6.6 forged"

static void forged_hosts(struct vmh_snapshot *snapshot)
{
    add_host(snapshot, VMH_BACKEND_DOCKER, "good", "f6", FORGED, true, "172.22.0.2");
    add_host(snapshot, VMH_BACKEND_DOCKER, "escaped", "f7", "\x1b]0;owned\x07", true,
             "172.22.0.3");
    add_host(snapshot, VMH_BACKEND_DOCKER, "spaced", "f8", "two words", true, "172.22.0.4");
    add_host(snapshot, VMH_BACKEND_DOCKER, "caf\xc3\xa9", "f9", "ok-host", true, "172.22.0.5");
    add_host(snapshot, VMH_BACKEND_DOCKER, FORGED, "fa", "bad-name-host", true, "172.22.0.6");
    add_host(snapshot, VMH_BACKEND_DOCKER, "dots..twice", "fb", NULL, true, "172.22.0.7");
    add_host(snapshot, VMH_BACKEND_MULTIPASS, "vm\nforged", NULL, NULL, true, "10.0.0.9");
}

static void expect_forged(const struct vmh_cache *c)
{
    struct vmh_config config;
    reverse_config(&config, "example.org");
    lookup(c, ASK_DOCKER, "good", AF_UNSPEC);
    expect("forged hostname with a newline: no alias", VMH_FOUND, VMH_RULE_NAME, "good.docker",
           "", "172.22.0.2");
    reverse(c, &config, "172.22.0.2");
    expect("forged hostname with a newline, reverse: no alias", VMH_FOUND, VMH_RULE_NAME,
           "good.docker", "", "172.22.0.2");
    lookup(c, ASK_DOCKER, "escaped", AF_UNSPEC);
    expect("forged hostname with an escape: no alias", VMH_FOUND, VMH_RULE_NAME,
           "escaped.docker", "", "172.22.0.3");
    lookup(c, ASK_DOCKER, "spaced", AF_UNSPEC);
    expect("forged hostname with a space: no alias", VMH_FOUND, VMH_RULE_NAME, "spaced.docker",
           "", "172.22.0.4");
    lookup(c, ASK_DOCKER, "f9", AF_UNSPEC);
    expect("forged non-ASCII name, by ID: a miss", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_BARE, "ok-host", AF_UNSPEC);
    expect("forged non-ASCII name, by its hostname: a miss", VMH_NOT_OURS, VMH_RULE_NO_MATCH,
           "", "", "");
    lookup(c, ASK_DOCKER, "fa", AF_UNSPEC);
    expect("forged name with a newline, by ID: a miss", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "",
           "");
    lookup(c, ASK_BARE, "bad-name-host", AF_UNSPEC);
    expect("forged name with a newline, by its hostname: a miss", VMH_NOT_OURS,
           VMH_RULE_NO_MATCH, "", "", "");
    reverse(c, &config, "172.22.0.6");
    expect("forged name with a newline, reverse: not ours", VMH_NOT_OURS, VMH_RULE_NOT_OURS, "",
           "", "");
    lookup(c, ASK_DOCKER, "fb", AF_UNSPEC);
    expect("forged name with an empty label, by ID: a miss", VMH_NOT_FOUND, VMH_RULE_NO_MATCH,
           "", "", "");
    reverse(c, &config, "10.0.0.9");
    expect("forged VM name with a newline, reverse: not ours", VMH_NOT_OURS, VMH_RULE_NOT_OURS,
           "", "", "");
}

static void test_forged_names(void)
{
    struct fixture f;
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, forged_hosts))
        expect_forged(&f.cache);
    else
        CHECK(0, "the forged cache builds and parses");
    fixture_free(&f);
}

/* A container's addresses [first, first + count) are on `network`, where
 * it is also called `alias` (unless NULL). */
static int join_network(struct vmh_host *host, const char *network, const char *alias,
                        size_t first, size_t count)
{
    int number = vmh_host_add_network(host, network);
    for (size_t i = first; i < first + count; i++)
        host->addrs[i].network = (uint8_t)number;
    if (alias)
        vmh_host_add_alias(host, number, alias);
    return number;
}

static void network_hosts(struct vmh_snapshot *snapshot)
{
    struct vmh_host *web = add_host(snapshot, VMH_BACKEND_DOCKER, "web", "ab01", NULL, true,
                                    "172.20.0.2 172.21.0.2 fd00:20::2");
    join_network(web, "front", NULL, 0, 1);
    join_network(web, "back", "api", 1, 1);
    web->addrs[2].network = 1;
    struct vmh_host *db = add_host(snapshot, VMH_BACKEND_DOCKER, "db", "ab02", NULL, true,
                                   "172.21.0.3");
    join_network(db, "back", "store", 0, 1);
    join_network(db, "my.net", NULL, 0, 0);
    struct vmh_host *db2 = add_host(snapshot, VMH_BACKEND_DOCKER, "db2", "cd03", NULL, true,
                                    "172.21.0.4");
    join_network(db2, "back", "Store", 0, 1);
    struct vmh_host *gone = add_host(snapshot, VMH_BACKEND_DOCKER, "gone", "cd04", NULL, false,
                                     "172.21.0.5");
    join_network(gone, "back", "store", 0, 1);
    /* A Compose service db of project back, and a container called web.back. */
    struct vmh_host *replica = add_host(snapshot, VMH_BACKEND_DOCKER, "back-db-1", "ef05", NULL,
                                        true, "172.22.0.5");
    replica->project = strdup("back");
    replica->service = strdup("db");
    join_network(replica, "back", NULL, 0, 1);
    add_host(snapshot, VMH_BACKEND_DOCKER, "web.back", "ef06", NULL, true, "172.23.0.9");
    /* Its label puts network b first. */
    struct vmh_host *labelled = add_host(snapshot, VMH_BACKEND_DOCKER, "labelled", "ef07", NULL,
                                         true, "10.9.1.2 10.9.2.2");
    join_network(labelled, "a", NULL, 0, 1);
    labelled->preferred_network = (uint8_t)join_network(labelled, "b", NULL, 1, 1);
}

static void expect_network(const struct vmh_cache *c)
{
    lookup(c, ASK_DOCKER, "web.front", AF_UNSPEC);
    expect("<name>.<network>: that network's addresses", VMH_FOUND, VMH_RULE_NETWORK,
           "web.docker", "web.front.docker", "172.20.0.2 fd00:20::2");
    lookup(c, ASK_DOCKER, "api.back", AF_UNSPEC);
    expect("<alias>.<network>", VMH_FOUND, VMH_RULE_NETWORK, "web.docker", "api.back.docker",
           "172.21.0.2");
    lookup(c, ASK_DOCKER, "api.front", AF_UNSPEC);
    expect("an alias on another network", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_DOCKER, "ab01.front", AF_UNSPEC);
    expect("<id-prefix>.<network>", VMH_FOUND, VMH_RULE_NETWORK, "web.docker",
           "ab01.front.docker", "172.20.0.2 fd00:20::2");
    lookup(c, ASK_DOCKER, "ab0.back", AF_UNSPEC);
    expect("an ambiguous prefix on a network", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_DOCKER, "web.back", AF_UNSPEC);
    expect("a container's own name beats <name>.<network>", VMH_FOUND, VMH_RULE_NAME,
           "web.back.docker", "", "172.23.0.9");
    lookup(c, ASK_DOCKER, "db.back", AF_UNSPEC);
    expect("Compose's <service>.<project> beats <name>.<network>", VMH_FOUND, VMH_RULE_COMPOSE,
           "db.back.docker", "", "172.22.0.5");
    lookup(c, ASK_DOCKER, "store.back", AF_UNSPEC);
    expect("an alias two running containers share: both", VMH_FOUND, VMH_RULE_NETWORK,
           "store.back.docker", "", "172.21.0.3 172.21.0.4");
    lookup(c, ASK_DOCKER, "db.my.net", AF_UNSPEC);
    expect("a network without an address there", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_DOCKER, "gone.back", AF_UNSPEC);
    expect("a stopped container on a network", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_DOCKER, "web.nowhere", AF_UNSPEC);
    expect("a network the container is not on", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
}

/* docker_networks, or a container's vmhosts.network label, puts one
 * network's addresses first for the container's own names. */
static void expect_preferred(const struct vmh_cache *c, const char *key, const char *preferred,
                             const char *expected, const char *what)
{
    lookup(c, ASK_DOCKER, key, AF_UNSPEC);
    vmh_answer_prefer_networks(c, preferred, &answer);
    CHECK_STR(addresses(&answer), expected, what);
}

static void expect_network_order(const struct vmh_cache *c)
{
    expect_preferred(c, "web", "", "172.20.0.2 172.21.0.2 fd00:20::2",
                     "preferred: none, the cache's order");
    expect_preferred(c, "web", "back", "172.21.0.2 172.20.0.2 fd00:20::2",
                     "preferred: back first, then the rest in the cache's order");
    expect_preferred(c, "ab01", "nowhere back front", "172.21.0.2 172.20.0.2 fd00:20::2",
                     "preferred: by ID too; a network it is not on is skipped");
    expect_preferred(c, "web", "front back", "172.20.0.2 fd00:20::2 172.21.0.2",
                     "preferred: front's IPv4 and IPv6, then back's");
    expect_preferred(c, "labelled", "", "10.9.2.2 10.9.1.2",
                     "preferred: the container's label, with no setting");
    expect_preferred(c, "labelled", "a", "10.9.2.2 10.9.1.2",
                     "preferred: the container's label beats the setting");
    expect_preferred(c, "web.front", "back", "172.20.0.2 fd00:20::2",
                     "preferred: <name>.<network> keeps to its network");
    expect_preferred(c, "store.back", "back", "172.21.0.3 172.21.0.4",
                     "preferred: an answer of several containers is left as it is");
}

/* The networks go through a cache and back (a refresh of another backend
 * keeps them): the same bytes are written again. */
static void expect_network_round_trip(const struct fixture *f)
{
    struct vmh_snapshot again;
    unsigned char *data = NULL;
    size_t size = 0, first_size = f->cache.header->file_size;
    vmh_snapshot_init(&again);
    CHECK(vmh_snapshot_from_cache(&again, &f->cache, VMH_SNAPSHOT_ALL) == 0, "networks: read back from the cache");
    CHECK(again.count > 0 && again.hosts[0].network_count == 2 &&
              again.hosts[0].networks[1].alias_count == 1,
          "networks: web's two networks and its alias came back");
    CHECK(vmh_cache_build(&again, 1700000000000, &data, &size) == 0 && size == first_size &&
              memcmp(data, f->data, size) == 0,
          "networks: written again, the same bytes");
    free(data);
    vmh_snapshot_free(&again);
}

static void test_network(void)
{
    struct fixture f;
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, network_hosts)) {
        expect_network(&f.cache);
        /* An alias whose network has IPv4 alone: NODATA, not NXDOMAIN. */
        lookup(&f.cache, ASK_DOCKER, "store.back", AF_INET6 | VMH_FAMILY_ONLY);
        expect("<alias>.<network>, AF_INET6 alone, IPv4 there", VMH_NO_DATA, VMH_RULE_NETWORK,
               "store.back.docker", "", "");
        lookup(&f.cache, ASK_DOCKER, "web.front", AF_INET | VMH_FAMILY_ONLY);
        expect("<name>.<network>, AF_INET alone", VMH_FOUND, VMH_RULE_NETWORK, "web.docker",
               "web.front.docker", "172.20.0.2");
        expect_network_order(&f.cache);
        expect_network_round_trip(&f);
    } else {
        CHECK(0, "the network fixture builds and parses");
    }
    fixture_free(&f);
}

static void choose(struct vmh_host *host, const char *names)
{
    if (vmh_host_set_chosen_names(host, names) != 0)
        printf("# out of memory\n");
}

static void label_hosts(struct vmh_snapshot *snapshot)
{
    struct vmh_host *web = add_host(snapshot, VMH_BACKEND_DOCKER, "web", "aa01", NULL, true,
                                    "172.30.0.2");
    choose(web, "api.shop.docker,api.shop.test,other.docker,both.docker,web.proj.docker");
    web->wildcard = true;
    add_host(snapshot, VMH_BACKEND_DOCKER, "exact.web", "aa05", NULL, true, "172.30.0.6");
    add_host(snapshot, VMH_BACKEND_DOCKER, "other", "aa02", NULL, true, "172.30.0.3");
    choose(add_host(snapshot, VMH_BACKEND_DOCKER, "rival", "aa03", NULL, true, "172.30.0.4"),
           "both.docker");
    choose(add_host(snapshot, VMH_BACKEND_DOCKER, "sleeper", "aa04", NULL, false, "172.30.0.5"),
           "nap.docker,both.docker,api.shop.test");
    for (int i = 1; i <= 2; i++) {
        char name[16], id[8], address[16];
        snprintf(name, sizeof name, "proj-web-%d", i);
        snprintf(id, sizeof id, "bb0%d", i);
        snprintf(address, sizeof address, "172.31.0.%d", i);
        add_replica(snapshot, name, id, "web", true, address);
        choose(&snapshot->hosts[snapshot->count - 1], "svc.docker");
    }
}

static void expect_labels(const struct vmh_cache *c)
{
    lookup(c, ASK_DOCKER, "api.shop", AF_UNSPEC);
    expect("chosen name under .docker", VMH_FOUND, VMH_RULE_LABEL, "api.shop.docker", "",
           "172.30.0.2");
    lookup(c, ASK_LABEL, "api.shop.test", AF_UNSPEC);
    expect("chosen name under a label domain (a stopped one's claim drops)", VMH_FOUND,
           VMH_RULE_LABEL, "api.shop.test", "", "172.30.0.2");
    lookup(c, ASK_DOCKER, "other", AF_UNSPEC);
    expect("a label never takes a container's own name", VMH_FOUND, VMH_RULE_NAME,
           "other.docker", "", "172.30.0.3");
    lookup(c, ASK_DOCKER, "web.proj", AF_UNSPEC);
    expect("... nor a Compose service's", VMH_FOUND, VMH_RULE_COMPOSE, "web.proj.docker", "",
           "172.31.0.1 172.31.0.2");
    lookup(c, ASK_DOCKER, "both", AF_UNSPEC);
    expect("two running containers chose it: neither", VMH_NOT_FOUND, VMH_RULE_LABEL_CONFLICT,
           "", "", "");
    lookup(c, ASK_DOCKER, "nap", AF_UNSPEC);
    expect("a stopped container's chosen name", VMH_NOT_FOUND, VMH_RULE_NOT_RUNNING, "", "", "");
    lookup(c, ASK_DOCKER, "svc", AF_UNSPEC);
    expect("replicas of one service share their label's name", VMH_FOUND, VMH_RULE_LABEL,
           "svc.docker", "", "172.31.0.1 172.31.0.2");
    lookup(c, ASK_LABEL, "nobody.test", AF_UNSPEC);
    expect("a label domain's name no label chose is DNS's", VMH_NOT_OURS, VMH_RULE_NO_MATCH, "",
           "", "");
    lookup(c, ASK_DOCKER, "nobody", AF_UNSPEC);
    expect("a .docker name no one has is NOTFOUND, as before", VMH_NOT_FOUND, VMH_RULE_NO_MATCH,
           "", "", "");
}

static void expect_wildcards(const struct vmh_cache *c)
{
    lookup(c, ASK_DOCKER, "x.y.web", AF_UNSPEC);
    expect("wildcard: x.y.web.docker, below a container's name", VMH_FOUND, VMH_RULE_WILDCARD,
           "x.y.web.docker", "", "172.30.0.2");
    lookup(c, ASK_DOCKER, "exact.web", AF_UNSPEC);
    expect("wildcard: an exact name beats it", VMH_FOUND, VMH_RULE_NAME, "exact.web.docker", "",
           "172.30.0.6");
    lookup(c, ASK_DOCKER, "x.exact.web", AF_UNSPEC);
    expect("wildcard: below a name without one, the nearest that has one", VMH_FOUND,
           VMH_RULE_WILDCARD, "x.exact.web.docker", "", "172.30.0.2");
    lookup(c, ASK_DOCKER, "x.api.shop", AF_UNSPEC);
    expect("wildcard: below a chosen name", VMH_FOUND, VMH_RULE_WILDCARD, "x.api.shop.docker", "",
           "172.30.0.2");
    lookup(c, ASK_LABEL, "a.b.api.shop.test", AF_UNSPEC);
    expect("wildcard: below a chosen name under a label domain", VMH_FOUND, VMH_RULE_WILDCARD,
           "a.b.api.shop.test", "", "172.30.0.2");
    lookup(c, ASK_DOCKER, "x.other", AF_UNSPEC);
    expect("wildcard: not below a container that did not opt in", VMH_NOT_FOUND,
           VMH_RULE_NO_MATCH, "", "", "");
    lookup(c, ASK_LABEL, "x.nobody.test", AF_UNSPEC);
    expect("wildcard: never the label domain itself", VMH_NOT_OURS, VMH_RULE_NO_MATCH, "", "", "");
}

static void test_labels(void)
{
    struct fixture f;
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, label_hosts)) {
        expect_labels(&f.cache);
        expect_wildcards(&f.cache);
        struct vmh_snapshot again;
        unsigned char *data = NULL;
        size_t size = 0;
        vmh_snapshot_init(&again);
        CHECK(vmh_snapshot_from_cache(&again, &f.cache, VMH_SNAPSHOT_ALL) == 0 &&
                  vmh_cache_build(&again, 1700000000000, &data, &size) == 0 &&
                  size == f.cache.header->file_size && memcmp(data, f.data, size) == 0,
              "chosen names: read back and written again, the same bytes");
        free(data);
        vmh_snapshot_free(&again);
    } else {
        CHECK(0, "the label fixture builds and parses");
    }
    fixture_free(&f);
    if (fixture_build(&f, VMH_STATUS_UNAVAILABLE, VMH_STATUS_OK, label_hosts)) {
        lookup(&f.cache, ASK_LABEL, "api.shop.test", AF_UNSPEC);
        expect("Docker down: a label domain's name is DNS's", VMH_NOT_OURS,
               VMH_RULE_BACKEND_DOWN, "", "", "");
    }
    fixture_free(&f);
}

/* An instance backend's chosen names (LXD's user.vmhosts.names), under its
 * own domains, through the instance rule: multipass stands in for it here. */
static void vm_label_hosts(struct vmh_snapshot *snapshot)
{
    choose(add_host(snapshot, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, true, "10.0.5.1"),
           "db.example.org,second.example.org,both.example.org");
    add_host(snapshot, VMH_BACKEND_MULTIPASS, "second", NULL, NULL, true, "10.0.5.2");
    choose(add_host(snapshot, VMH_BACKEND_MULTIPASS, "third", NULL, NULL, true, "10.0.5.3"),
           "both.example.org");
    choose(add_host(snapshot, VMH_BACKEND_DOCKER, "web", "cc01", NULL, true, "172.30.1.2"),
           "mine.example.org");
}

static void test_instance_labels(void)
{
    struct fixture f;
    if (!fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, vm_label_hosts)) {
        CHECK(0, "the instance label fixture builds and parses");
        fixture_free(&f);
        return;
    }
    lookup(&f.cache, ASK_VM, "db", AF_UNSPEC);
    expect("instance: a chosen name under its own domain", VMH_FOUND, VMH_RULE_LABEL,
           "db.example.org", "", "10.0.5.1");
    lookup(&f.cache, ASK_VM, "second", AF_UNSPEC);
    expect("instance: a chosen name never takes another instance's own", VMH_FOUND, VMH_RULE_VM,
           "second.example.org", "", "10.0.5.2");
    lookup(&f.cache, ASK_VM, "both", AF_UNSPEC);
    expect("instance: two chose it: neither", VMH_NOT_FOUND, VMH_RULE_LABEL_CONFLICT, "", "", "");
    lookup(&f.cache, ASK_VM, "mine", AF_UNSPEC);
    expect("instance: a container's label never answers under an instance backend's domain",
           VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    fixture_free(&f);
}

/* LXD instances of the default project and of a user's own project
 * (lxd-user's user-1001), each choosing names. */
static void project_label_hosts(struct vmh_snapshot *snapshot)
{
    snapshot->backends[VMH_BACKEND_LXD].status = VMH_STATUS_OK;
    choose(add_host(snapshot, VMH_BACKEND_LXD, "boss", NULL, NULL, true, "10.98.7.2"),
           "api.shop.lxd");
    choose(add_host(snapshot, VMH_BACKEND_LXD, "evil.user-1001", NULL, NULL, true, "10.98.7.66"),
           "db.lxd,web.shop.lxd,mine.user-1001.lxd");
}

static const struct vmh_answer *lookup_lxd(const struct vmh_cache *cache, const char *key)
{
    struct vmh_name name;
    memset(&name, 0, sizeof name);
    name.kind = VMH_NAME_UNDER;
    name.backend = VMH_BACKEND_LXD;
    snprintf(name.key, sizeof name.key, "%s", key);
    snprintf(name.domain, sizeof name.domain, "lxd");
    if ((size_t)snprintf(name.normalized, sizeof name.normalized, "%s.lxd", key) >=
        sizeof name.normalized)
        printf("# test name too long: %s\n", key);
    memset(&answer, 0x5a, sizeof answer);
    vmh_resolve(cache, &name, AF_UNSPEC, &answer);
    return &answer;
}

/* A name an instance of another project chose answers only under that
 * project's own names: its user must not choose where root's `ssh db.lxd`
 * goes. */
static void test_project_labels(void)
{
    struct fixture f;
    if (!fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, project_label_hosts)) {
        CHECK(0, "the project label fixture builds and parses");
        fixture_free(&f);
        return;
    }
    lookup_lxd(&f.cache, "db");
    expect("another project's instance chose a default project's name: no answer",
           VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup_lxd(&f.cache, "web.shop");
    expect("... nor a third project's name", VMH_NOT_FOUND, VMH_RULE_NO_MATCH, "", "", "");
    lookup_lxd(&f.cache, "mine.user-1001");
    expect("... a name of its own project answers it", VMH_FOUND, VMH_RULE_LABEL,
           "mine.user-1001.lxd", "", "10.98.7.66");
    lookup_lxd(&f.cache, "api.shop");
    expect("the default project's instance chose a project's name: it answers", VMH_FOUND,
           VMH_RULE_LABEL, "api.shop.lxd", "", "10.98.7.2");
    /* Its user sets its addresses, any of them: it answers no reverse name. */
    struct vmh_config config;
    vmh_config_defaults(&config);
    reverse(&f.cache, &config, "10.98.7.66");
    expect("another project's instance: its address has no reverse name", VMH_NOT_OURS,
           VMH_RULE_NOT_OURS, "", "", "");
    reverse(&f.cache, &config, "10.98.7.2");
    expect("the default project's instance: its address has its name", VMH_FOUND, VMH_RULE_VM,
           "boss.lxd", "", "10.98.7.2");
    fixture_free(&f);
}

static void test_texts(void)
{
    static const struct {
        enum vmh_rule rule;
        const char *text;
    } texts[] = {
        {VMH_RULE_NONE, "none"},
        {VMH_RULE_NOT_OURS, "not ours"},
        {VMH_RULE_EXACT_ID, "exact container ID"},
        {VMH_RULE_NAME, "container name"},
        {VMH_RULE_ID_PREFIX, "unique ID prefix"},
        {VMH_RULE_AMBIGUOUS_PREFIX, "ambiguous ID prefix"},
        {VMH_RULE_COMPOSE, "Compose service"},
        {VMH_RULE_HOSTNAME, "container hostname"},
        {VMH_RULE_NETWORK, "name on one network"},
        {VMH_RULE_LABEL, "name chosen by a label"},
        {VMH_RULE_LABEL_CONFLICT, "name chosen by several containers"},
        {VMH_RULE_WILDCARD, "wildcard below a container's name"},
        {VMH_RULE_VM, "VM or instance name"},
        {VMH_RULE_NOT_RUNNING, "not running"},
        {VMH_RULE_NO_ADDRESS, "no address"},
        {VMH_RULE_NO_MATCH, "no such container or VM"},
        {VMH_RULE_BACKEND_DOWN, "backend unavailable"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        CHECK_STR(vmh_rule_text(texts[i].rule), texts[i].text, texts[i].text);
    CHECK_INT(vmh_status_errno(VMH_STATUS_OK), 0, "status ok: no errno");
    CHECK_INT(vmh_status_errno(VMH_STATUS_NEVER), ENOENT, "status never: ENOENT");
    CHECK_INT(vmh_status_errno(VMH_STATUS_UNAVAILABLE), ECONNREFUSED, "status unavailable: ECONNREFUSED");
    CHECK_INT(vmh_status_errno(VMH_STATUS_DENIED), EACCES, "status denied: EACCES");
    CHECK_INT(vmh_status_errno(VMH_STATUS_ERROR), EIO, "status error: EIO");
    CHECK_INT(vmh_status_errno(99), EIO, "unknown status: EIO");
}

int main(void)
{
    struct fixture f;
    if (fixture_build(&f, VMH_STATUS_OK, VMH_STATUS_OK, fixture_hosts)) {
        test_docker_precedence(&f.cache);
        test_compose(&f.cache);
        test_bare(&f.cache);
        test_no_aliases(&f.cache);
        test_vm(&f.cache);
        test_families(&f.cache);
        test_not_ours(&f.cache);
        test_reverse(&f.cache);
    } else {
        CHECK(0, "the fixture cache builds and parses");
    }
    fixture_free(&f);
    test_backend_down();
    test_answer_limit();
    test_family_only();
    test_reverse_backend_down();
    test_reverse_dotted();
    test_reverse_shared_network();
    test_forged_names();
    test_network();
    test_labels();
    test_instance_labels();
    test_project_labels();
    test_texts();
    return check_done();
}
