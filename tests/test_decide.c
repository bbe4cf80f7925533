/* vmh_decide: which cache answers a name and whether the backend is asked
 * first, the rule the module follows and `vmhosts lookup` explains. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "dead_socket.h"
#include "decide.h"
#include "fixture_hosts.h"

#define HOUR_MS (3600 * 1000LL)

/* A cache in memory whose Docker last answered `age_ms` ago with `status`;
 * its one running container is `host` (built by the caller into s). */
static void seal_cache(struct vmh_cache *cache, struct vmh_snapshot *s, int64_t age_ms,
                       uint32_t status)
{
    unsigned char *data = NULL;
    size_t size = 0;
    int64_t then = vmh_realtime_ms() - age_ms;
    s->backends[VMH_BACKEND_DOCKER].status = status;
    s->backends[VMH_BACKEND_DOCKER].updated_ms = then;
    s->backends[VMH_BACKEND_DOCKER].attempted_ms = then;
    if (vmh_cache_build(s, then, &data, &size) != 0 ||
        vmh_cache_parse(cache, data, size) != VMH_CACHE_OK)
        printf("# building a test cache failed\n");
    vmh_snapshot_free(s);
}

/* The running container web (hostname web-host) at `address`. */
static void build(struct vmh_cache *cache, int64_t age_ms, uint32_t status, const char *address)
{
    struct vmh_snapshot s;
    vmh_snapshot_init(&s);
    fixture_add_host(&s, VMH_BACKEND_DOCKER, "web", NULL, "web-host", true, address);
    seal_cache(cache, &s, age_ms, status);
}

/* A cache whose Docker answered well, its only running container `name`. */
static void build_named(struct vmh_cache *cache, int64_t age_ms, const char *name,
                        const char *address, bool rootless)
{
    struct vmh_snapshot s;
    vmh_snapshot_init(&s);
    fixture_add_host(&s, VMH_BACKEND_DOCKER, name, NULL, NULL, true, address)->rootless = rootless;
    seal_cache(cache, &s, age_ms, VMH_STATUS_OK);
}

static struct vmh_decision decide(const struct vmh_cache *own, const struct vmh_cache *root,
                                  const char *text, struct vmh_answer *answer)
{
    struct vmh_config config;
    struct vmh_name name;
    struct vmh_decision decision;
    vmh_config_defaults(&config);
    vmh_name_classify(text, &config, &name);
    vmh_decide(own, root, &config, &name, AF_UNSPEC, answer, &decision);
    return decision;
}

/* The ttl vmh_decide gives web.docker's answer from `cache`, its only one. */
static int32_t answer_ttl(const struct vmh_cache *cache, const struct vmh_config *config)
{
    struct vmh_name name;
    struct vmh_answer answer;
    struct vmh_decision decision;
    vmh_name_classify("web.docker", config, &name);
    vmh_decide(cache, NULL, config, &name, AF_UNSPEC, &answer, &decision);
    return decision.ttl_s;
}

/* The ttl a caller may keep an answer for is what is left of the cache's
 * freshness (Docker's default ttl is 10 s; `older` answered 60 s ago under
 * a ttl of 120 s in its own config below). */
static void test_ttl(const struct vmh_cache *fresh, const struct vmh_cache *stale,
                     const struct vmh_cache *down, const struct vmh_cache *older)
{
    struct vmh_config config;
    vmh_config_defaults(&config);
    long ttl = config.ttl_s[VMH_BACKEND_DOCKER];
    int32_t got = answer_ttl(fresh, &config);
    CHECK(got == ttl || got == ttl - 1, "ttl: a cache refreshed just now gives the whole ttl");
    CHECK_INT(answer_ttl(stale, &config), ttl,
              "ttl: a stale cache (a watcher's, or a failed refresh) gives the whole ttl");
    CHECK_INT(answer_ttl(down, &config), ttl,
              "ttl: a failed backend gives the whole ttl");
    config.ttl_s[VMH_BACKEND_DOCKER] = 120;
    got = answer_ttl(older, &config);
    CHECK(got >= 58 && got <= 60, "ttl: a cache 60 s into a 120 s ttl gives what is left, 60 s");
    CHECK(vmh_cache_fresh_ms(older, &config, VMH_BACKEND_DOCKER) > 58000 &&
              !vmh_cache_stale(older, &config, VMH_BACKEND_DOCKER),
          "fresh_ms: what is left, in ms; not stale");
    CHECK(vmh_cache_fresh_ms(stale, &config, VMH_BACKEND_DOCKER) == 0 &&
              vmh_cache_stale(stale, &config, VMH_BACKEND_DOCKER),
          "fresh_ms: 0 past the ttl; stale");
    /* The wall clock set back since the refresh: how old the answer is
     * cannot be told, so it is not trusted as fresh (it was, for as long as
     * the clock took to catch up). */
    struct vmh_cache ahead;
    build(&ahead, -HOUR_MS, VMH_STATUS_OK, "172.17.0.6");
    CHECK(vmh_cache_stale(&ahead, &config, VMH_BACKEND_DOCKER),
          "fresh_ms: a time stamp an hour ahead of the clock is stale");
    vmh_cache_free(&ahead);
    /* Stamps come from the precise clock, freshness from the coarse one,
     * which lags it by up to a tick. */
    struct vmh_cache just;
    build(&just, 0, VMH_STATUS_OK, "172.17.0.6");
    CHECK(!vmh_cache_stale(&just, &config, VMH_BACKEND_DOCKER),
          "fresh_ms: a cache stamped just now by the precise clock is fresh by the coarse one");
    vmh_cache_free(&just);
}

/* How old a stamp is, by a clock that may lag the one that wrote it. */
static void test_stamp_age(void)
{
    CHECK(vmh_stamp_age_ms(5000, 4000) == 1000, "stamp age: a stamp behind the clock, its age");
    CHECK(vmh_stamp_age_ms(5000, 5003) == 0, "stamp age: a stamp within a tick ahead is 0 old");
    CHECK(vmh_stamp_age_ms(5000, 5000 + VMH_COARSE_LAG_MS) == 0,
          "stamp age: a stamp a whole tick ahead is 0 old");
    CHECK(vmh_stamp_age_ms(5000, 5001 + VMH_COARSE_LAG_MS) < 0,
          "stamp age: further ahead, the clock was set back: negative");
}

/* A user's own cache holds their rootless engine's containers, root's the
 * engines the user may not open: each answers the names it has, whichever
 * is newer. */
static void test_two_caches(void)
{
    struct vmh_cache own, root, own_newer;
    struct vmh_answer answer;
    build_named(&own, 5000, "mine", "127.0.0.1", true);
    build_named(&root, 0, "web", "172.17.0.2", false);
    build_named(&own_newer, 0, "mine", "127.0.0.5", true);
    struct vmh_config config;
    vmh_config_defaults(&config);

    struct vmh_decision d = decide(&own, &root, "mine.docker", &answer);
    CHECK(answer.result == VMH_FOUND && d.cache == &own && !d.refresh,
          "two caches: a name only the older own cache has answers from it");
    d = decide(&own, &root, "web.docker", &answer);
    CHECK(answer.result == VMH_FOUND && d.cache == &root, "two caches: root's newer one answers its own");
    d = decide(&own_newer, &root, "web.docker", &answer);
    CHECK(answer.result == VMH_FOUND && d.cache == &root && !d.refresh,
          "two caches: a name only the older root cache has answers from it");
    d = decide(&own_newer, &own, "mine.docker", &answer);
    CHECK(d.cache == &own_newer && answer.addrs[0].bytes[3] == 5,
          "two caches: a name both have answers from the newer");
    struct vmh_cache own_stale;
    build_named(&own_stale, HOUR_MS, "mine", "127.0.0.1", true);
    d = decide(&own_stale, &root, "mine.docker", &answer);
    CHECK(answer.result == VMH_NOT_FOUND && d.cache == &root && d.refresh,
          "two caches: a stale cache's hit never overrides the other's miss");
    vmh_cache_free(&own_stale);
    d = decide(&own, &root, "gone.docker", &answer);
    CHECK(answer.result == VMH_NOT_FOUND && d.cache == &root && d.refresh,
          "two caches: a miss in both is the chosen cache's, and asks again");

    struct vmh_name name;
    vmh_name_classify("gone.docker", &config, &name);
    CHECK(vmh_watcher_covers(&config, false, 1000, &name, &answer, true),
          "watcher: a user's own watcher vouches for its misses");
    CHECK(vmh_watcher_covers(&config, true, 0, &name, &answer, true), "watcher: root's vouches for root");
    CHECK(vmh_watcher_covers(&config, true, 4000000000u, &name, &answer, true),
          "watcher: root's vouches for a user without a rootless engine");
    vmh_name_classify("primary.example.org", &config, &name);
    CHECK(vmh_watcher_covers(&config, true, 1000, &name, &answer, true),
          "watcher: root's vouches for other backends' names");
    vmh_cache_free(&own);
    vmh_cache_free(&root);
    vmh_cache_free(&own_newer);
}

/* An engine a user runs at a socket of its own choosing (Docker Desktop's
 * ~/.docker/desktop/docker.sock), listed in docker_socket: root's watcher,
 * whose refresh refuses it, vouches for none of that user's missing Docker
 * names, and for every other user's still. */
static void test_listed_own_engine(void)
{
    char dir[] = "/tmp/test-decide-XXXXXX", path[64], listed[128];
    uid_t user = geteuid() == 0 ? 4000000000u : geteuid();
    if (!mkdtemp(dir)) {
        CHECK(0, "listed engine: a folder for its socket");
        return;
    }
    snprintf(path, sizeof path, "%s/desktop.sock", dir);
    CHECK(make_dead_socket(path) && (geteuid() != 0 || chown(path, user, user) == 0),
          "listed engine: the user's socket made");
    snprintf(listed, sizeof listed, "/run/docker.sock %s", path);
    struct vmh_config config;
    vmh_config_defaults(&config);
    config.source[VMH_BACKEND_DOCKER] = listed;
    struct vmh_name name;
    vmh_name_classify("gone.docker", &config, &name);
    struct vmh_answer answer = {.result = VMH_NOT_FOUND};
    CHECK(!vmh_watcher_covers(&config, true, user, &name, &answer, true),
          "listed engine: root's watcher does not vouch for its user's miss");
    CHECK(vmh_watcher_covers(&config, true, user - 1, &name, &answer, true),
          "listed engine: ... but for another user's");
    config.source[VMH_BACKEND_DOCKER] = "/run/docker.sock";
    CHECK(vmh_watcher_covers(&config, true, user, &name, &answer, true),
          "listed engine: not listed, its socket is no engine of the user's");
    unlink(path);
    rmdir(dir);
}

/* A rootless container's address is the machine's own (-p 192.0.2.7:80:80):
 * it answers forward, never in reverse. */
static void test_rootless_reverse(void)
{
    struct vmh_cache rootless, rootful;
    struct vmh_answer answer;
    struct vmh_config config;
    const unsigned char address[4] = {192, 0, 2, 7};
    vmh_config_defaults(&config);
    build_named(&rootless, 0, "mine", "192.0.2.7", true);
    build_named(&rootful, 0, "web", "192.0.2.7", false);
    vmh_resolve_address(&rootless, &config, AF_INET, address, &answer);
    CHECK(answer.result == VMH_NOT_OURS, "reverse: a rootless container's published address names nothing");
    vmh_resolve_address(&rootful, &config, AF_INET, address, &answer);
    CHECK(answer.result == VMH_FOUND, "reverse: the same address of a rootful container names it");
    vmh_cache_free(&rootless);
    vmh_cache_free(&rootful);
}

/* Reverse, across two caches: the ttl is that of the cache that answered.
 * Root's answered just now (a whole 10 s left) but lacks the address; the
 * user's own, 6 s old, has it: 4 s left, not 10. */
static void test_reverse_ttl(void)
{
    struct vmh_cache own, root;
    struct vmh_answer answer;
    struct vmh_decision d;
    struct vmh_config config;
    const unsigned char address[4] = {172, 17, 0, 9};
    vmh_config_defaults(&config);
    build_named(&own, 6000, "mine", "172.17.0.9", false);
    build_named(&root, 0, "web", "172.17.0.2", false);
    vmh_decide_address(&own, &root, &config, VMH_BACKEND_DOCKER, AF_INET, address, &answer, &d);
    CHECK(answer.result == VMH_FOUND && d.cache == &own && !d.stale,
          "reverse: the other, fresh cache answers an address the chosen one lacks");
    CHECK(d.ttl_s == 3 || d.ttl_s == 4, "reverse: its ttl is what is left of the answering cache's");
    vmh_cache_free(&own);
    vmh_cache_free(&root);
}

/* The decision carries the ttl, read from the clock once with `stale`. */
static void test_decision_ttl(const struct vmh_cache *fresh, const struct vmh_cache *stale)
{
    const struct vmh_cache none = {0};
    struct vmh_answer answer;
    struct vmh_decision d = decide(fresh, &none, "web.docker", &answer);
    CHECK(!d.stale && (d.ttl_s == 10 || d.ttl_s == 9), "decision: a fresh hit's ttl is what is left");
    d = decide(stale, &none, "web.docker", &answer);
    CHECK(d.stale && d.ttl_s == 10, "decision: a stale cache's answer gets the whole ttl");
}

/* One cache at a time (and the newer of two): when a hit stands, when a
 * miss or a stale answer asks the backend again. */
static void test_one_cache(const struct vmh_cache *fresh, const struct vmh_cache *stale,
                           const struct vmh_cache *down, const struct vmh_cache *older)
{
    const struct vmh_cache none = {0};
    struct vmh_answer answer;
    struct vmh_decision d = decide(fresh, &none, "web.docker", &answer);
    CHECK(answer.result == VMH_FOUND && d.cache == fresh && !d.stale && !d.refresh,
          "a fresh hit stands");
    d = decide(fresh, &none, "gone.docker", &answer);
    CHECK(answer.result == VMH_NOT_FOUND && d.refresh, "a fresh miss of a .docker name asks again");
    d = decide(fresh, &none, "nobody", &answer);
    CHECK(!d.refresh, "a fresh miss of a bare name stands");
    d = decide(stale, &none, "web.docker", &answer);
    CHECK(answer.result == VMH_FOUND && d.stale && d.refresh, "a stale hit asks again");
    d = decide(stale, &none, "web-host", &answer);
    CHECK(answer.result == VMH_FOUND && d.refresh, "a stale hit of a bare hostname asks again");
    d = decide(stale, &none, "nobody", &answer);
    CHECK(d.stale && !d.refresh, "a stale miss of a bare name stands: it never waits on Docker");
    d = decide(down, &none, "web.docker", &answer);
    CHECK(answer.result == VMH_UNAVAILABLE && d.stale && d.refresh,
          "a backend that failed its last refresh: unavailable, ask again");
    d = decide(&none, &none, "web.docker", &answer);
    CHECK(!d.cache && d.stale && d.refresh, "no cache at all: stale, ask");
    d = decide(older, fresh, "web.docker", &answer);
    CHECK(d.cache == fresh && answer.addr_count == 1 && answer.addrs[0].bytes[3] == 2,
          "the newer of the two caches answers (root's here)");
    d = decide(down, stale, "web.docker", &answer);
    CHECK(d.cache == stale, "a successful refresh beats a newer failed one");
    d = decide(fresh, &none, "primary.example.org", &answer);
    CHECK(d.backend == VMH_BACKEND_MULTIPASS && d.refresh,
          "a VM name is multipass's, never asked: ask");
}

int main(void)
{
    struct vmh_cache fresh, stale, down, older;
    build(&fresh, 0, VMH_STATUS_OK, "172.17.0.2");
    build(&stale, HOUR_MS, VMH_STATUS_OK, "172.17.0.3");
    build(&down, 0, VMH_STATUS_UNAVAILABLE, "172.17.0.4");
    build(&older, 60 * 1000, VMH_STATUS_OK, "172.17.0.5");
    test_one_cache(&fresh, &stale, &down, &older);
    test_ttl(&fresh, &stale, &down, &older);
    test_two_caches();
    test_rootless_reverse();
    test_listed_own_engine();
    test_reverse_ttl();
    test_decision_ttl(&fresh, &stale);
    test_stamp_age();
    vmh_cache_free(&fresh);
    vmh_cache_free(&stale);
    vmh_cache_free(&down);
    vmh_cache_free(&older);
    return check_done();
}
