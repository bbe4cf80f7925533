/* What tells a poll that found nothing new (tools/snapshot/cache_same.c,
 * vmh_cache_build_section): two builds that differ only in their time
 * stamps answer alike, and so do the same hosts with another backend's
 * merged last; one more address, another status or message, another name,
 * two containers the other way round do not.  One backend's part answers
 * alike whatever the other backends hold.  tests/e2e-watch-late.sh shows
 * the watcher leaving the file in place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture_hosts.h"
#include "snapshot.h"

#define NOW 1700000000000
#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"

/* A container and a VM, answered `at`. */
static void sample(struct vmh_snapshot *s, int64_t at)
{
    vmh_snapshot_init(s);
    fixture_add_host(s, VMH_BACKEND_DOCKER, "web", ID_WEB, "web", true, "172.17.0.2 fd00::2");
    fixture_add_host(s, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, true, "10.0.0.5");
    s->backends[VMH_BACKEND_DOCKER] = (struct vmh_backend_state){at, at, VMH_STATUS_OK, ""};
    s->backends[VMH_BACKEND_MULTIPASS] =
        (struct vmh_backend_state){at - 5000, at, VMH_STATUS_ERROR, "multipass timed out"};
}

/* Whether `changed`'s build answers as `base`'s, built a minute apart. */
static bool same(const struct vmh_snapshot *base, const struct vmh_snapshot *changed)
{
    unsigned char *a = NULL, *b = NULL;
    size_t size_a = 0, size_b = 0;
    if (vmh_cache_build(base, NOW, &a, &size_a) != 0 ||
        vmh_cache_build(changed, NOW + 60000, &b, &size_b) != 0)
        printf("# vmh_cache_build failed: %s\n", strerror(errno));
    bool result = a && b && size_a == size_b && vmh_cache_same_answers(a, b, size_a);
    free(a);
    free(b);
    return result;
}

static void test_same_answers(void)
{
    struct vmh_snapshot base, other;
    sample(&base, NOW);
    sample(&other, NOW + 60000);
    CHECK(same(&base, &other), "answered a minute later, the same answers: the same");
    unsigned char *a = NULL, *b = NULL;
    size_t size = 0, size_b = 0;
    vmh_cache_build(&base, NOW, &a, &size);
    vmh_cache_build(&other, NOW + 60000, &b, &size_b);
    CHECK(a && b && memcmp(a, b, size) != 0, "... though not the same bytes");
    free(a);
    free(b);
    vmh_snapshot_free(&other);

    sample(&other, NOW);
    other.backends[VMH_BACKEND_MULTIPASS].status = VMH_STATUS_UNAVAILABLE;
    CHECK(!same(&base, &other), "another status: not the same");
    vmh_snapshot_free(&other);
    sample(&other, NOW);
    snprintf(other.backends[VMH_BACKEND_MULTIPASS].message,
             sizeof other.backends[VMH_BACKEND_MULTIPASS].message, "multipass is not running");
    CHECK(!same(&base, &other), "another message of the same length or not: not the same");
    vmh_snapshot_free(&other);
    sample(&other, NOW);
    other.hosts[0].state = VMH_STATE_STOPPED;
    CHECK(!same(&base, &other), "a container stopped: not the same");
    vmh_snapshot_free(&other);
    sample(&other, NOW);
    other.hosts[0].addrs[0].bytes[3] = 3;
    CHECK(!same(&base, &other), "an address changed: not the same");
    vmh_snapshot_free(&other);
    sample(&other, NOW);
    struct vmh_host first = other.hosts[0];
    other.hosts[0] = other.hosts[1];
    other.hosts[1] = first;
    CHECK(same(&base, &other),
          "the VM before the container (its backend merged last): the same");
    fixture_add_host(&other, VMH_BACKEND_DOCKER, "db", NULL, NULL, true, "172.17.0.3");
    fixture_add_host(&base, VMH_BACKEND_DOCKER, "db", NULL, NULL, true, "172.17.0.3");
    CHECK(same(&base, &other), "... and a container after the VM: the same");
    vmh_snapshot_free(&other);
    sample(&other, NOW);
    first = other.hosts[0];
    other.hosts[0] = other.hosts[1];
    other.hosts[1] = first;
    fixture_add_host(&other, VMH_BACKEND_DOCKER, "db", NULL, NULL, true, "172.17.0.3");
    struct vmh_host db = other.hosts[2];
    other.hosts[2] = other.hosts[1];
    other.hosts[1] = db;
    CHECK(!same(&base, &other), "two containers the other way round: not the same");
    vmh_snapshot_free(&other);
    vmh_snapshot_free(&base);
    sample(&base, NOW);
    sample(&other, NOW);
    free(other.hosts[1].name);
    other.hosts[1].name = strdup("primarz");
    CHECK(!same(&base, &other), "a name changed, the size not: not the same");
    vmh_snapshot_free(&other);
    vmh_snapshot_free(&base);
    unsigned char bytes[8] = {0};
    CHECK(!vmh_cache_same_answers(bytes, bytes, sizeof bytes), "shorter than a header: not a cache");
}

/* Whether the two snapshots' parts of `backend` answer alike, built a
 * minute apart. */
static bool section_alike(const struct vmh_snapshot *a, const struct vmh_snapshot *b,
                          enum vmh_backend backend)
{
    unsigned char *x = NULL, *y = NULL;
    size_t size_x = 0, size_y = 0;
    if (vmh_cache_build_section(a, backend, NOW, &x, &size_x) != 0 ||
        vmh_cache_build_section(b, backend, NOW + 60000, &y, &size_y) != 0)
        printf("# vmh_cache_build_section failed: %s\n", strerror(errno));
    bool result = x && y && size_x == size_y && vmh_cache_same_answers(x, y, size_x);
    free(x);
    free(y);
    return result;
}

static void test_section_contents(const struct vmh_snapshot *base)
{
    unsigned char *data = NULL;
    size_t size = 0;
    struct vmh_cache cache;
    bool parsed = vmh_cache_build_section(base, VMH_BACKEND_MULTIPASS, NOW, &data, &size) == 0 &&
                  vmh_cache_parse(&cache, data, size) == VMH_CACHE_OK;
    CHECK(parsed && cache.header->record_count == 1 &&
              vmh_cache_state(&cache, VMH_BACKEND_DOCKER)->status == VMH_STATUS_NEVER &&
              vmh_cache_state(&cache, VMH_BACKEND_MULTIPASS)->status == VMH_STATUS_ERROR,
          "multipass's part: its one VM and its state, Docker's section never asked");
    if (parsed)
        vmh_cache_free(&cache);
    else
        free(data);
    data = NULL;
    CHECK(vmh_cache_build_section(base, VMH_BACKEND_COUNT, NOW, &data, &size) == -1 && !data,
          "a backend there is not: refused");
}

/* What a poll compares (tools/refresh/refresh.c): one backend's part. */
static void test_sections(void)
{
    struct vmh_snapshot base, other;
    sample(&base, NOW);
    sample(&other, NOW);
    other.hosts[1].addrs[0].bytes[3] = 6;
    other.backends[VMH_BACKEND_MULTIPASS].status = VMH_STATUS_OK;
    fixture_add_host(&other, VMH_BACKEND_MULTIPASS, "second", NULL, NULL, true, "10.0.0.6");
    CHECK(section_alike(&base, &other, VMH_BACKEND_DOCKER),
          "Docker's part, whatever multipass's holds: the same");
    CHECK(!section_alike(&base, &other, VMH_BACKEND_MULTIPASS), "... and multipass's is not");
    vmh_snapshot_free(&other);
    sample(&other, NOW);
    other.hosts[0].state = VMH_STATE_STOPPED;
    CHECK(!section_alike(&base, &other, VMH_BACKEND_DOCKER),
          "a container stopped: Docker's part is not the same");
    CHECK(section_alike(&base, &other, VMH_BACKEND_MULTIPASS), "... multipass's is");
    vmh_snapshot_free(&other);
    sample(&other, NOW);
    snprintf(other.backends[VMH_BACKEND_DOCKER].message,
             sizeof other.backends[VMH_BACKEND_DOCKER].message, "Docker timed out");
    CHECK(!section_alike(&base, &other, VMH_BACKEND_DOCKER), "Docker's message: not the same");
    vmh_snapshot_free(&other);
    test_section_contents(&base);
    vmh_snapshot_free(&base);
}

/* A poll compares the part read back out of the cache with the part
 * answered: the same container answers alike however its aliases are
 * written, or every poll would write the file again. */
static void test_read_back(void)
{
    struct vmh_snapshot answered, read_back;
    struct vmh_cache cache;
    unsigned char *data = NULL;
    size_t size = 0;
    sample(&answered, NOW);
    int network = vmh_host_add_network(&answered.hosts[0], "shop_default");
    vmh_host_add_alias(&answered.hosts[0], network, "db");
    vmh_host_add_alias(&answered.hosts[0], network, "Primary");
    vmh_snapshot_init(&read_back);
    bool parsed = vmh_cache_build(&answered, NOW, &data, &size) == 0 &&
                  vmh_cache_parse(&cache, data, size) == VMH_CACHE_OK;
    CHECK(parsed && vmh_snapshot_from_cache(&read_back, &cache, VMH_SNAPSHOT_ALL) == 0,
          "a container with an alias in capitals, read back");
    CHECK(section_alike(&answered, &read_back, VMH_BACKEND_DOCKER),
          "... answers as it was answered: a poll leaves the file");
    if (parsed)
        vmh_cache_free(&cache);
    else
        free(data);
    vmh_snapshot_free(&read_back);
    vmh_snapshot_free(&answered);
}

int main(void)
{
    test_same_answers();
    test_sections();
    test_read_back();
    return check_done();
}
