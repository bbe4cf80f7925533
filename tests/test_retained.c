/* The watcher's kept snapshot (tools/refresh/retained.h): the hosts it
 * moves into a refresh are the hosts a copy out of the file would give,
 * so the cache built from them is the very same bytes, after an LXD poll
 * (every other backend's hosts) and after Docker's events (the
 * containers outside the part asked about), its keys in the file's order
 * (vmh_cache_build_after) or, when the moved hosts are not in theirs,
 * sorted again.  Kept for another file, for
 * a file with another number of hosts, or in an order the file's records
 * are not in, nothing is moved and the caller copies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "check.h"
#include "fixture_hosts.h"
#include "retained.h"
#include "snapshot.h"

#define NOW 1700000000000

/* A check's description, with what is checked in it. */
static char said[256];
#define SAY(...) (snprintf(said, sizeof said, __VA_ARGS__), said)

static const char *const ids[] = {
    "1111111111111111111111111111111111111111111111111111111111111111",
    "2222222222222222222222222222222222222222222222222222222222222222",
    "3333333333333333333333333333333333333333333333333333333333333333",
    "4444444444444444444444444444444444444444444444444444444444444444",
};

/* A container on a network with aliases, in a Compose project, with names
 * its label chose and a preferred network. */
static void add_rich_container(struct vmh_snapshot *s, const char *name, const char *id)
{
    struct vmh_host *host = fixture_add_host(s, VMH_BACKEND_DOCKER, name, id, "Host-A", true,
                                             "172.18.0.2 172.19.0.2");
    int shop = vmh_host_add_network(host, "shop_default");
    int other = vmh_host_add_network(host, "Other");
    vmh_host_add_alias(host, shop, "db");
    vmh_host_add_alias(host, shop, "Primary");
    vmh_host_add_alias(host, other, "db");
    host->addrs[0].network = (uint8_t)shop;
    host->addrs[1].network = (uint8_t)other;
    host->preferred_network = (uint8_t)other;
    host->project = strdup("shop");
    host->service = strdup("db");
    vmh_host_set_chosen_names(host, "db.example.test, shop.example.test");
}

/* The same hosts each time, in the order given: `swap` puts the first two
 * containers the other way round. */
static void sample(struct vmh_snapshot *s, bool swap)
{
    vmh_snapshot_init(s);
    fixture_add_host(s, VMH_BACKEND_LXD, "inst-a", NULL, NULL, true, "10.1.0.2");
    add_rich_container(s, swap ? "beta" : "alpha", ids[swap ? 1 : 0]);
    add_rich_container(s, swap ? "alpha" : "beta", ids[swap ? 0 : 1]);
    fixture_add_host(s, VMH_BACKEND_MULTIPASS, "primary", NULL, NULL, true, "10.0.0.5");
    struct vmh_host *shared = fixture_add_host(s, VMH_BACKEND_DOCKER, "sidecar", ids[2], NULL,
                                               true, "172.18.0.2");
    shared->network_container = strdup(ids[0]);
    struct vmh_host *wild = fixture_add_host(s, VMH_BACKEND_DOCKER, "Wild", ids[3], "wild",
                                             false, "127.0.0.5");
    wild->wildcard = wild->rootless = true;
    fixture_add_host(s, VMH_BACKEND_LIBVIRT, "vm1", NULL, NULL, true, "192.168.122.5");
    fixture_add_host(s, VMH_BACKEND_LXD, "inst-b", NULL, NULL, false, NULL);
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++)
        s->backends[b] = (struct vmh_backend_state){NOW - 1000 * b, NOW, VMH_STATUS_OK, ""};
    s->backends[VMH_BACKEND_MULTIPASS].status = VMH_STATUS_ERROR;
    snprintf(s->backends[VMH_BACKEND_MULTIPASS].message, VMH_MESSAGE_MAX, "timed out");
}

struct written {
    char dir[32];
    struct stat st;
    struct vmh_cache cache;
};

/* sample() written to a folder of its own, and mapped back. */
static bool write_sample(struct written *w)
{
    struct vmh_snapshot s;
    char err[256];
    strcpy(w->dir, "/tmp/test-retained-XXXXXX");
    sample(&s, false);
    bool ok = mkdtemp(w->dir) &&
              vmh_cache_write_stat(w->dir, 0700, &s, NULL, NOW, &w->st, err, sizeof err) == 0 &&
              vmh_cache_load(w->dir, geteuid(), &w->cache, &w->st) == VMH_CACHE_OK;
    vmh_snapshot_free(&s);
    CHECK(ok, "the sample cache is written and read back");
    return ok;
}

static void remove_written(struct written *w)
{
    char path[64];
    vmh_cache_free(&w->cache);
    snprintf(path, sizeof path, "%s/hosts.cache", w->dir);
    unlink(path);
    rmdir(w->dir);
}

/* What a refresh asked holds before the others are added: one host of
 * `backend`, new. */
static void answer(struct vmh_snapshot *into, enum vmh_backend backend)
{
    vmh_snapshot_init(into);
    if (backend == VMH_BACKEND_DOCKER)
        fixture_add_host(into, backend, "beta", ids[1], "beta-new", true, "172.18.0.9");
    else
        fixture_add_host(into, backend, "inst-a", NULL, NULL, true, "10.1.0.9");
}

/* Copied out of the file, as refresh.c's copy_previous does. */
static void copied(const struct written *w, struct vmh_snapshot *into, unsigned others,
                   unsigned parted, const struct vmh_part *parts)
{
    CHECK_INT(vmh_snapshot_from_cache(into, &w->cache, others & ~parted), 0, "copied out");
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++)
        if (others & parted & (1u << b))
            CHECK_INT(vmh_snapshot_from_cache_part(into, &w->cache, (enum vmh_backend)b,
                                                   &parts[b], false),
                      0, "copied out: a part's outside");
}

/* `a` built, and `b` built after `previous` (NULL: built too); *as_before
 * whether b's keys kept previous's order. */
static bool same_build(const struct vmh_snapshot *a, const struct vmh_snapshot *b,
                       const struct vmh_cache *previous, int *as_before)
{
    unsigned char *data_a = NULL, *data_b = NULL;
    size_t size_a = 0, size_b = 0;
    int built = vmh_cache_build_after(b, previous, NOW, &data_b, &size_b);
    if (vmh_cache_build(a, NOW, &data_a, &size_a) != 0 || built < 0)
        printf("# vmh_cache_build failed: %s\n", strerror(errno));
    bool same = data_a && data_b && size_a == size_b && memcmp(data_a, data_b, size_a) == 0;
    free(data_a);
    free(data_b);
    *as_before = built;
    return same;
}

/* Two moved hosts of one backend the other way round: the keys' old order
 * no longer holds (both have the alias db on shop_default), and a whole
 * sort gives the bytes. */
static void check_swapped(const char *what, struct vmh_snapshot *warm,
                          const struct vmh_cache *previous)
{
    size_t found[2], count = 0;
    for (size_t i = 0; i < warm->count && count < 2; i++)
        if (warm->hosts[i].was_record && warm->hosts[i].project)
            found[count++] = i;
    if (count < 2)
        return;
    struct vmh_host first = warm->hosts[found[0]];
    warm->hosts[found[0]] = warm->hosts[found[1]];
    warm->hosts[found[1]] = first;
    int as_before;
    CHECK(same_build(warm, warm, previous, &as_before) && as_before == 0,
          SAY("%s: two moved hosts swapped: sorted whole, the same bytes", what));
}

/* A refresh of `backend` (its part `parts[backend]` when parted) merged
 * both ways: the same cache. */
static void check_merge(const char *what, enum vmh_backend backend, unsigned parted,
                        const struct vmh_part *parts)
{
    struct written w;
    struct vmh_snapshot kept, cold, warm;
    if (!write_sample(&w))
        return;
    unsigned others = VMH_SNAPSHOT_ALL & ~((1u << backend) & ~parted);
    answer(&cold, backend);
    answer(&warm, backend);
    copied(&w, &cold, others, parted, parts);
    sample(&kept, false);
    vmh_retained_keep(&kept, &w.st);
    CHECK(kept.count == 0 && kept.hosts == NULL, SAY("%s: keeping takes the hosts", what));
    CHECK_INT(vmh_retained_take(&warm, &w.cache, &w.st, others, parted, parts), 1,
              SAY("%s: the kept hosts are taken", what));
    CHECK_INT((int)warm.count, (int)cold.count, SAY("%s: as many hosts as copied", what));
    int as_before;
    CHECK(same_build(&cold, &warm, NULL, &as_before), SAY("%s: the same cache, byte for byte", what));
    CHECK(same_build(&cold, &warm, &w.cache, &as_before) && as_before == 1,
          SAY("%s: the same bytes with the file's key order kept", what));
    check_swapped(what, &warm, &w.cache);
    CHECK_INT(vmh_retained_take(&warm, &w.cache, &w.st, others, parted, parts), 0,
              SAY("%s: taken once only", what));
    vmh_snapshot_free(&cold);
    vmh_snapshot_free(&warm);
    remove_written(&w);
}

/* Kept from `kept` for `st`: nothing is taken from the file `w`. */
static void check_refused(const char *what, struct vmh_snapshot *kept, const struct stat *st,
                          const struct written *w, unsigned parted, const struct vmh_part *parts)
{
    struct vmh_snapshot into;
    answer(&into, VMH_BACKEND_DOCKER);
    vmh_retained_keep(kept, st);
    CHECK_INT(vmh_retained_take(&into, &w->cache, &w->st, VMH_SNAPSHOT_ALL, parted, parts), 0,
              SAY("%s: nothing taken", what));
    CHECK_INT((int)into.count, 1, SAY("%s: the refresh's own hosts only", what));
    vmh_snapshot_free(&into);
}

static void test_refused(const struct vmh_part *parts)
{
    struct written w;
    struct vmh_snapshot kept;
    if (!write_sample(&w))
        return;
    struct stat other = w.st;
    other.st_ino++;
    sample(&kept, false);
    check_refused("kept for another file", &kept, &other, &w, 0, parts);
    sample(&kept, false);
    vmh_snapshot_truncate(&kept, kept.count - 1);
    check_refused("a host fewer than the file", &kept, &w.st, &w, 0, parts);
    sample(&kept, true);
    check_refused("in another order than the file, a part asked", &kept, &w.st, &w,
                  1u << VMH_BACKEND_DOCKER, parts);
    remove_written(&w);
}

int main(void)
{
    static struct vmh_part parts[VMH_BACKEND_COUNT];
    parts[VMH_BACKEND_DOCKER].count = 2;
    strcpy(parts[VMH_BACKEND_DOCKER].ids[0], ids[1]);
    strcpy(parts[VMH_BACKEND_DOCKER].ids[1],
           "9999999999999999999999999999999999999999999999999999999999999999");
    check_merge("an LXD poll", VMH_BACKEND_LXD, 0, parts);
    check_merge("a full Docker list", VMH_BACKEND_DOCKER, 0, parts);
    check_merge("Docker's events", VMH_BACKEND_DOCKER, 1u << VMH_BACKEND_DOCKER, parts);
    test_refused(parts);
    vmh_retained_forget();
    return check_done();
}
