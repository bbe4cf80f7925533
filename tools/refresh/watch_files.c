/* inotify on the backends' folders and the cache folder (watch_files.h).
 *
 * The whole folder is watched, not its files: libvirt's helper writes a
 * new file and renames it over the old one (virFileRewrite), which a
 * watch on the old file would never see.  A folder that does not exist
 * yet (libvirt installed after the watcher started) is waited for in its
 * parent; one that goes away is waited for again; one whose parent does
 * not exist either is armed again when the watcher finds the backend
 * installed (vmh_watch_files_retry). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "snapshot.h"
#include "trigger.h"
#include "watch_files.h"

/* A file written, renamed into or out of the folder, made or removed; and
 * the folder itself removed or renamed. */
#define FOLDER_EVENTS                                                                          \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF |   \
     IN_MOVE_SELF | IN_ONLYDIR)
/* The folder appearing in its parent; the parent itself removed or renamed
 * (IN_IGNORED follows a removal unasked). */
#define PARENT_EVENTS (IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define PARENT_GONE (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)
/* A file removed from the cache folder or renamed out of it: a refresh
 * puts its file in place by renaming a new one over it, which is
 * neither. */
#define CACHE_EVENTS (IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR)
/* A file made or renamed in: only to wake the loop, which then compares
 * watch.lock with the file it holds (watch_loop.c): a rename over it
 * leaves the watcher holding a file no name reaches. */
#define CACHE_WAKE_EVENTS (IN_CREATE | IN_MOVED_TO)
/* The cache folder itself removed or renamed: watch.lock went with it.
 * The kernel reports a folder renamed only to a watch that asked for it;
 * IN_IGNORED comes unasked, when the folder is gone. */
#define CACHE_FOLDER_EVENTS (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)
#define CACHE_FOLDER_ASKED (IN_DELETE_SELF | IN_MOVE_SELF)

enum how { UNSAID, FOLDER, PARENT, POLLED };

struct watched {
    const struct vmh_backend_ops *ops;
    char folder[PATH_MAX], parent[PATH_MAX], name[NAME_MAX + 1];
    int folder_wd, parent_wd; /* -1: not watched */
    enum how said;            /* what the log last said of it */
};

struct vmh_watch_files {
    int fd;
    size_t count;
    struct watched watched[VMH_BACKEND_COUNT];
    int cache_wd; /* the cache folder; -1: not watched */
    bool lock_gone; /* watch.lock, or the folder with it, removed or renamed */
    char cache_dir[PATH_MAX];
};

/* folder's parent and last name ("/var/lib/libvirt", "dnsmasq"). */
static void split(struct watched *watched)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", watched->folder);
    size_t length = strlen(path);
    while (length > 1 && path[length - 1] == '/')
        path[--length] = '\0';
    char *slash = strrchr(path, '/');
    snprintf(watched->name, sizeof watched->name, "%s", slash ? slash + 1 : path);
    if (slash)
        slash[slash == path ? 1 : 0] = '\0';
    snprintf(watched->parent, sizeof watched->parent, "%s", slash ? path : ".");
}

/* One log line each time how a folder is watched changes. */
static void say(struct watched *watched, enum how how, int error)
{
    if (how == watched->said)
        return;
    watched->said = how;
    const char *name = watched->ops->name, *folder = watched->folder;
    if (how == FOLDER)
        fprintf(stderr, "vmhosts watch: %s: watching %s, a change there is read at once\n",
                name, folder);
    else if (how == PARENT)
        fprintf(stderr, "vmhosts watch: %s: %s does not exist; watching %s for it\n", name,
                folder, watched->parent);
    else
        fprintf(stderr, "vmhosts watch: %s: cannot watch %s (%s); it is only polled\n", name,
                folder, strerror(error));
}

/* Watches the folder itself: 0, or why not (an errno). */
static int watch_folder(int fd, struct watched *watched)
{
    watched->folder_wd = inotify_add_watch(fd, watched->folder, FOLDER_EVENTS);
    if (watched->folder_wd < 0)
        return errno;
    if (watched->parent_wd >= 0)
        inotify_rm_watch(fd, watched->parent_wd);
    watched->parent_wd = -1;
    say(watched, FOLDER, 0);
    return 0;
}

/* Watches the folder, else its parent for the folder to appear, else
 * nothing (then it is polled only). */
static void arm(int fd, struct watched *watched)
{
    int error = watch_folder(fd, watched);
    if (error == ENOENT && watched->parent_wd < 0) {
        watched->parent_wd = inotify_add_watch(fd, watched->parent, PARENT_EVENTS);
        if (watched->parent_wd < 0 && errno == ENOENT)
            return; /* neither exists: not installed here, nothing to say */
        /* The folder may have appeared before its parent was watched. */
        error = watched->parent_wd >= 0 ? watch_folder(fd, watched) : errno;
    }
    if (error == ENOENT)
        say(watched, PARENT, 0);
    else if (error)
        say(watched, POLLED, error);
}

/* The folder was removed or renamed away: wait for it again. */
static void rearm(int fd, struct watched *watched)
{
    if (watched->folder_wd >= 0)
        inotify_rm_watch(fd, watched->folder_wd);
    watched->folder_wd = -1;
    arm(fd, watched);
}

/* The parent waited in went: its watch number is dead, and one kept would
 * keep vmh_watch_files_retry from ever arming the folder again. */
static void on_parent_gone(int fd, struct watched *watched, uint32_t mask)
{
    if (!(mask & IN_IGNORED))
        inotify_rm_watch(fd, watched->parent_wd);
    watched->parent_wd = -1;
    arm(fd, watched);
}

/* The backend bit of `watched` when the event concerns it. */
static unsigned on_event(int fd, struct watched *watched, const struct inotify_event *event)
{
    if (event->wd >= 0 && event->wd == watched->parent_wd && (event->mask & PARENT_GONE)) {
        on_parent_gone(fd, watched, event->mask);
        return 0;
    }
    bool in_folder = event->wd >= 0 && event->wd == watched->folder_wd;
    bool appeared = event->wd >= 0 && event->wd == watched->parent_wd && event->len > 0 &&
                    strcmp(event->name, watched->name) == 0;
    if (!in_folder && !appeared)
        return 0;
    if (appeared || (in_folder && (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))))
        rearm(fd, watched);
    return 1u << watched->ops->section;
}

/* watch.lock (folder: with the cache folder) is gone: said once. */
static void note_lock_gone(struct vmh_watch_files *files, bool folder)
{
    if (!files->lock_gone)
        fprintf(stderr, "vmhosts watch: %s%s is gone\n", files->cache_dir,
                folder ? "" : "/" VMH_WATCH_LOCK);
    files->lock_gone = true;
}

/* Every backend's bit when the event says the cache file went away. */
static unsigned on_cache_event(struct vmh_watch_files *files, const struct inotify_event *event)
{
    if (event->wd < 0 || event->wd != files->cache_wd)
        return 0;
    bool folder = event->mask & CACHE_FOLDER_EVENTS;
    if (folder || ((event->mask & CACHE_EVENTS) && event->len > 0 &&
                   strcmp(event->name, VMH_WATCH_LOCK) == 0)) {
        note_lock_gone(files, folder);
        return folder ? VMH_SNAPSHOT_ALL : 0;
    }
    if (!(event->mask & CACHE_EVENTS) || event->len == 0 ||
        strcmp(event->name, VMH_CACHE_FILE) != 0)
        return 0;
    fprintf(stderr,
            "vmhosts watch: %s/%s is gone (removed or renamed); asking every backend now\n",
            files->cache_dir, VMH_CACHE_FILE);
    return VMH_SNAPSHOT_ALL;
}

/* Events were lost (more than fs.inotify.max_queued_events waited): any
 * folder may have been replaced, so each is watched again; the cache may
 * have been removed, so every backend is asked; and watch.lock may have
 * gone, which only a look at the folder now can tell. */
static unsigned on_overflow(struct vmh_watch_files *files)
{
    char lock[PATH_MAX + sizeof VMH_WATCH_LOCK + 1];
    struct stat st;
    for (size_t i = 0; i < files->count; i++)
        rearm(files->fd, &files->watched[i]);
    snprintf(lock, sizeof lock, "%s/%s", files->cache_dir, VMH_WATCH_LOCK);
    if (lstat(lock, &st) != 0)
        note_lock_gone(files, false);
    fprintf(stderr, "vmhosts watch: inotify lost events (its queue was full); asking every "
                    "backend now\n");
    return VMH_SNAPSHOT_ALL;
}

/* The cache folder: a cache removed by hand is written again at once,
 * before a lookup finds none and starts a refresh of its own backend
 * alone. */
static void watch_cache(struct vmh_watch_files *files, const char *cache_dir)
{
    snprintf(files->cache_dir, sizeof files->cache_dir, "%s", cache_dir);
    files->lock_gone = false;
    files->cache_wd =
        files->fd >= 0 ? inotify_add_watch(files->fd, cache_dir,
                                           CACHE_EVENTS | CACHE_WAKE_EVENTS | CACHE_FOLDER_ASKED)
                       : -1;
    if (files->cache_wd < 0)
        fprintf(stderr, "vmhosts watch: cannot watch %s (%s); a cache removed there is written "
                        "again at the next refresh\n", cache_dir, strerror(errno));
}

struct vmh_watch_files *vmh_watch_files_open(const struct vmh_config *config,
                                             const char *cache_dir)
{
    struct vmh_watch_files *files = calloc(1, sizeof *files);
    if (!files)
        return NULL;
    files->fd = -1;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        const char *folder = (*ops)->watched_folder ? (*ops)->watched_folder(config) : NULL;
        if (!folder || !folder[0] || files->count == VMH_BACKEND_COUNT)
            continue;
        struct watched *watched = &files->watched[files->count++];
        *watched = (struct watched){.ops = *ops, .folder_wd = -1, .parent_wd = -1};
        snprintf(watched->folder, sizeof watched->folder, "%s", folder);
        split(watched);
    }
    files->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    int error = errno;
    for (size_t i = 0; i < files->count; i++) {
        if (files->fd >= 0)
            arm(files->fd, &files->watched[i]);
        else
            say(&files->watched[i], POLLED, error);
    }
    errno = error;
    watch_cache(files, cache_dir);
    return files;
}

int vmh_watch_files_fd(const struct vmh_watch_files *files)
{
    return files ? files->fd : -1;
}

unsigned vmh_watch_files_changed(struct vmh_watch_files *files)
{
    _Alignas(struct inotify_event) char buffer[4096];
    unsigned changed = 0;
    ssize_t got;
    while (files && files->fd >= 0 && (got = read(files->fd, buffer, sizeof buffer)) > 0) {
        const char *at = buffer;
        while (at < buffer + got) {
            const struct inotify_event *event = (const struct inotify_event *)(const void *)at;
            if (event->mask & IN_Q_OVERFLOW)
                changed |= on_overflow(files);
            for (size_t i = 0; i < files->count; i++)
                changed |= on_event(files->fd, &files->watched[i], event);
            changed |= on_cache_event(files, event);
            at += sizeof *event + event->len;
        }
    }
    return changed;
}

bool vmh_watch_files_lock_gone(const struct vmh_watch_files *files)
{
    return files && files->lock_gone;
}

void vmh_watch_files_rewatch_cache(struct vmh_watch_files *files)
{
    if (!files)
        return;
    /* The same folder keeps its watch number (inotify_add_watch of a
     * watched folder returns it), so events already queued there still
     * count; only another folder's watch replaces the old one. */
    int old_wd = files->cache_wd;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", files->cache_dir);
    watch_cache(files, dir);
    if (old_wd >= 0 && old_wd != files->cache_wd)
        inotify_rm_watch(files->fd, old_wd);
}

void vmh_watch_files_retry(struct vmh_watch_files *files)
{
    for (size_t i = 0; files && files->fd >= 0 && i < files->count; i++)
        if (files->watched[i].folder_wd < 0)
            arm(files->fd, &files->watched[i]);
}

void vmh_watch_files_close(struct vmh_watch_files *files)
{
    if (!files)
        return;
    if (files->fd >= 0)
        close(files->fd);
    free(files);
}
