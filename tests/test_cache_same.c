/* A cache that answers as the one in place is not written again
 * (tools/snapshot/cache_same.c, vmh_cache_write_changed): two builds that
 * differ only in their time stamps answer alike, and so do the same hosts
 * with another backend's merged last; one more address, another status or
 * message, another name, two containers the other way round does not; and
 * the write leaves the file
 * in place (same inode) only when it answers alike and is the writer's
 * own, writable by it alone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fixture_hosts.h"
#include "snapshot.h"

#define NOW 1700000000000
#define ID_WEB "3f4e1a2b3c4d5e6f70819203a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3"

static char root[] = "/tmp/test_cache_same.XXXXXX";

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

static ino_t inode_of(const char *dir)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, VMH_CACHE_FILE);
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

static void test_write_changed(void)
{
    struct vmh_snapshot s;
    char dir[64], path[128], err[512] = "";
    bool unchanged = true;
    snprintf(dir, sizeof dir, "%s/cache", root);
    snprintf(path, sizeof path, "%s/%s", dir, VMH_CACHE_FILE);
    sample(&s, NOW);
    CHECK(vmh_cache_write_changed(dir, 0700, &s, NOW, &unchanged, err, sizeof err) == 0 &&
              !unchanged && inode_of(dir),
          "no cache yet: written");
    ino_t first = inode_of(dir);
    vmh_snapshot_free(&s);
    sample(&s, NOW + 10000);
    CHECK(vmh_cache_write_changed(dir, 0700, &s, NOW + 10000, &unchanged, err, sizeof err) == 0 &&
              unchanged && inode_of(dir) == first,
          "asked again, the same answers: left in place");
    CHECK(vmh_cache_write(dir, 0700, &s, NOW + 10000, err, sizeof err) == 0 &&
              inode_of(dir) != first,
          "vmh_cache_write writes it all the same");
    first = inode_of(dir);
    if (chmod(path, 0666) != 0)
        printf("# chmod %s: %s\n", path, strerror(errno));
    CHECK(vmh_cache_write_changed(dir, 0700, &s, NOW + 20000, &unchanged, err, sizeof err) == 0 &&
              !unchanged && inode_of(dir) != first,
          "the same answers in a file others may write: written again (lookups refuse that one)");
    first = inode_of(dir);
    s.hosts[0].state = VMH_STATE_STOPPED;
    CHECK(vmh_cache_write_changed(dir, 0700, &s, NOW + 30000, &unchanged, err, sizeof err) == 0 &&
              !unchanged && inode_of(dir) != first,
          "a container stopped: written");
    vmh_snapshot_free(&s);
}

int main(void)
{
    if (!mkdtemp(root)) {
        CHECK(false, "a scratch folder");
        return check_done();
    }
    test_same_answers();
    test_write_changed();
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    if (system(command) != 0)
        printf("# cannot remove %s\n", root);
    return check_done();
}
