/* inotify on the backends' folders (tools/refresh/watch_files.c): a file
 * written, renamed over another or removed in libvirt's lease folder is
 * collected as a change of libvirt, at once; a folder that is missing, or
 * removed and made again, is waited for in its parent; nothing else is.
 * The cache file removed from the cache folder is a change of every
 * backend; one renamed over it, as a refresh puts it in place, is not.
 * Events lost to a full queue are a change of every backend, and
 * watch.lock is looked for. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "set_setting.h"
#include "watch_files.h"

#define LIBVIRT_BIT (1u << VMH_BACKEND_LIBVIRT)

static char root[] = "/tmp/test_watch_files.XXXXXX";
static char folder[256], cache_folder[256];

/* Any bytes: only the change is watched. */
static void write_in(const char *dir, const char *name)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, "[]", 2) != 2)
        printf("# cannot write %s\n", path);
    if (fd >= 0)
        close(fd);
}

static struct vmh_watch_files *open_on(const char *leases)
{
    struct vmh_config config;
    vmh_config_defaults(&config);
    if (leases[0])
        set_setting(&config, VMH_CONF_SOURCE(VMH_BACKEND_LIBVIRT), leases);
    else /* no settings file can say this: the parser wants a path */
        config.source[VMH_BACKEND_LIBVIRT] = "";
    return vmh_watch_files_open(&config, cache_folder);
}

static void rename_in(const char *dir, const char *from, const char *to)
{
    char old_path[320], new_path[320];
    snprintf(old_path, sizeof old_path, "%s/%s", dir, from);
    snprintf(new_path, sizeof new_path, "%s/%s", dir, to);
    if (rename(old_path, new_path) != 0)
        printf("# cannot rename %s\n", old_path);
}

/* `mv` of the whole cache folder: watch.lock went with it. */
static void test_folder_renamed(struct vmh_watch_files *files)
{
    char moved[320];
    snprintf(moved, sizeof moved, "%s.old", cache_folder);
    if (rename(cache_folder, moved) != 0 || mkdir(cache_folder, 0755) != 0)
        printf("# cannot rename %s\n", cache_folder);
    CHECK(vmh_watch_files_changed(files) == VMH_SNAPSHOT_ALL && vmh_watch_files_lock_gone(files),
          "the cache folder renamed away: every backend changed, and watch.lock is gone with it");
    vmh_watch_files_rewatch_cache(files);
    check_remove_tree(moved);
    CHECK_INT(vmh_watch_files_changed(files), 0,
              "watched again in the new folder: the old one's removal is not the cache's");
}

static void test_cache_folder(void)
{
    char path[320];
    struct vmh_watch_files *files = open_on("");
    CHECK(files && vmh_watch_files_fd(files) >= 0, "no lease folder: the cache folder is watched");
    write_in(cache_folder, ".hosts.cache.new");
    rename_in(cache_folder, ".hosts.cache.new", "hosts.cache");
    CHECK_INT(vmh_watch_files_changed(files), 0,
              "a cache renamed into place, as a refresh writes it: nothing");
    write_in(cache_folder, "refresh.lock");
    snprintf(path, sizeof path, "%s/refresh.lock", cache_folder);
    unlink(path);
    CHECK_INT(vmh_watch_files_changed(files), 0, "another file made and removed there: nothing");
    snprintf(path, sizeof path, "%s/hosts.cache", cache_folder);
    unlink(path);
    CHECK_INT(vmh_watch_files_changed(files), VMH_SNAPSHOT_ALL,
              "the cache removed: every backend changed");
    write_in(cache_folder, "hosts.cache");
    rename_in(cache_folder, "hosts.cache", "hosts.cache.old");
    CHECK_INT(vmh_watch_files_changed(files), VMH_SNAPSHOT_ALL,
              "the cache renamed away: every backend changed");
    CHECK(!vmh_watch_files_lock_gone(files), "... watch.lock is still there");
    write_in(cache_folder, "watch.lock");
    snprintf(path, sizeof path, "%s/watch.lock", cache_folder);
    unlink(path);
    CHECK(vmh_watch_files_changed(files) == 0 && vmh_watch_files_lock_gone(files),
          "watch.lock removed: said, and no backend changed");
    vmh_watch_files_rewatch_cache(files);
    CHECK(!vmh_watch_files_lock_gone(files), "watched again: no longer said");
    write_in(cache_folder, "watch.lock");
    unlink(path);
    CHECK(vmh_watch_files_changed(files) == 0 && vmh_watch_files_lock_gone(files),
          "watch.lock removed again: said");
    snprintf(path, sizeof path, "%s/hosts.cache", cache_folder);
    write_in(cache_folder, "hosts.cache");
    unlink(path);
    vmh_watch_files_rewatch_cache(files);
    CHECK_INT(vmh_watch_files_changed(files), VMH_SNAPSHOT_ALL,
              "the cache removed before the folder was watched again: still seen");
    test_folder_renamed(files);
    check_remove_tree(cache_folder);
    CHECK(vmh_watch_files_changed(files) == VMH_SNAPSHOT_ALL && vmh_watch_files_lock_gone(files),
          "the cache folder removed: every backend changed, and watch.lock is gone with it");
    if (mkdir(cache_folder, 0755) != 0)
        printf("# cannot make %s\n", cache_folder);
    vmh_watch_files_rewatch_cache(files);
    write_in(cache_folder, "hosts.cache");
    snprintf(path, sizeof path, "%s/hosts.cache", cache_folder);
    unlink(path);
    CHECK_INT(vmh_watch_files_changed(files), VMH_SNAPSHOT_ALL,
              "the folder made again and watched again: the cache removed there is seen");
    vmh_watch_files_close(files);
}

/* fs.inotify.max_queued_events: more waiting than this and the queue
 * overflows. */
static long queue_limit(void)
{
    long limit = 16384;
    FILE *file = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
    if (file) {
        if (fscanf(file, "%ld", &limit) != 1)
            limit = 16384;
        fclose(file);
    }
    return limit;
}

/* More removals in the cache folder than the queue holds, two names in
 * turn so that the kernel cannot fold them into one event. */
static void overflow_queue(void)
{
    char path[320];
    for (long i = 0; i <= queue_limit(); i++) {
        snprintf(path, sizeof path, "%s/filler.%ld", cache_folder, i % 2);
        write_in(cache_folder, path + strlen(cache_folder) + 1);
        unlink(path);
    }
}

static void test_overflow(void)
{
    char path[320];
    struct vmh_watch_files *files = open_on(folder);
    write_in(cache_folder, "watch.lock");
    CHECK_INT(vmh_watch_files_changed(files), 0, "overflow: watched, nothing yet");
    overflow_queue();
    snprintf(path, sizeof path, "%s/watch.lock", cache_folder);
    unlink(path);
    check_remove_tree(folder);
    if (mkdir(folder, 0755) != 0)
        printf("# cannot make %s\n", folder);
    CHECK_INT(vmh_watch_files_changed(files), VMH_SNAPSHOT_ALL,
              "events lost: every backend changed (the cache may have gone among them)");
    CHECK(vmh_watch_files_lock_gone(files), "... and watch.lock, removed after the loss, is gone");
    write_in(folder, "virbr3.status");
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT,
              "... and the lease folder, made again after the loss, is watched again");
    vmh_watch_files_close(files);
}

static void test_folder(void)
{
    char path[320], renamed[320];
    struct vmh_watch_files *files = open_on(folder);
    CHECK(files && vmh_watch_files_fd(files) >= 0, "the lease folder is watched");
    CHECK_INT(vmh_watch_files_changed(files), 0, "nothing changed yet: nothing collected");
    write_in(folder, "virbr0.status");
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT, "a file written: libvirt changed");
    CHECK_INT(vmh_watch_files_changed(files), 0, "collected once");
    write_in(folder, "virbr0.status.new");
    vmh_watch_files_changed(files);
    snprintf(path, sizeof path, "%s/virbr0.status.new", folder);
    snprintf(renamed, sizeof renamed, "%s/virbr0.status", folder);
    if (rename(path, renamed) != 0)
        printf("# cannot rename %s\n", path);
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT,
              "a new file renamed over the old, as libvirt's helper writes: libvirt changed");
    unlink(renamed);
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT, "a file removed: libvirt changed");
    snprintf(path, sizeof path, "%s/elsewhere", root);
    if (mkdir(path, 0755) != 0)
        printf("# cannot make %s\n", path);
    CHECK_INT(vmh_watch_files_changed(files), 0, "a change beside the folder: nothing");
    rmdir(path);
    rmdir(folder);
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT, "the folder removed: libvirt changed");
    if (mkdir(folder, 0755) != 0)
        printf("# cannot make %s\n", folder);
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT, "the folder made again: libvirt changed");
    write_in(folder, "virbr1.status");
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT, "... and a file in it is seen again");
    vmh_watch_files_close(files);
}

static void test_missing(void)
{
    char path[320];
    snprintf(path, sizeof path, "%s/virbr1.status", folder);
    unlink(path);
    if (rmdir(folder) != 0)
        printf("# cannot remove %s\n", folder);
    struct vmh_watch_files *files = open_on(folder);
    CHECK(files && vmh_watch_files_fd(files) >= 0, "a missing folder: its parent is watched");
    if (mkdir(folder, 0755) != 0)
        printf("# cannot make %s\n", folder);
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT, "the folder appears: libvirt changed");
    write_in(folder, "virbr2.status");
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT, "a file in it: libvirt changed");
    vmh_watch_files_close(files);
    char nowhere[320];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/folder", root);
    files = open_on(nowhere);
    CHECK(files != NULL && vmh_watch_files_changed(files) == 0,
          "neither the folder nor its parent exists: nothing watched, nothing collected");
    vmh_watch_files_close(files);
}

/* The parent the folder was waited in is removed, then made again with
 * the folder (libvirt purged and installed again): the folder is watched
 * from then on, when not at once then once the watcher finds the backend
 * installed (vmh_watch_files_retry). */
static void test_parent_removed(void)
{
    char parent[320], leases[340];
    snprintf(parent, sizeof parent, "%s/lib", root);
    snprintf(leases, sizeof leases, "%s/dnsmasq", parent);
    if (mkdir(parent, 0755) != 0)
        printf("# cannot make %s\n", parent);
    struct vmh_watch_files *files = open_on(leases);
    rmdir(parent);
    vmh_watch_files_changed(files);
    if (mkdir(parent, 0755) != 0 || mkdir(leases, 0755) != 0)
        printf("# cannot make %s\n", leases);
    vmh_watch_files_changed(files);
    vmh_watch_files_retry(files);
    write_in(leases, "virbr0.status");
    CHECK_INT(vmh_watch_files_changed(files), LIBVIRT_BIT,
              "the parent removed, then made again with the folder: a file in it is seen");
    vmh_watch_files_close(files);
    check_remove_tree(parent);
}

int main(void)
{
    if (!mkdtemp(root)) {
        CHECK(false, "a scratch folder");
        return check_done();
    }
    snprintf(folder, sizeof folder, "%s/dnsmasq", root);
    snprintf(cache_folder, sizeof cache_folder, "%s/cache", root);
    if (mkdir(folder, 0755) != 0 || mkdir(cache_folder, 0755) != 0)
        printf("# cannot make %s or %s\n", folder, cache_folder);
    test_folder();
    test_missing();
    test_parent_removed();
    test_cache_folder();
    test_overflow();
    check_remove_tree(root);
    return check_done();
}
