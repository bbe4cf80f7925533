/* inotify on the folders the backends are read from (backend.h,
 * watched_folder), for `vmhosts watch`: a file libvirt's helper rewrites
 * is seen within milliseconds, not at the next poll.  And on the cache
 * folder: a cache removed there is written again at once. */
#ifndef VMHOSTS_WATCH_FILES_H
#define VMHOSTS_WATCH_FILES_H

#include "backend.h"
#include "config.h"

struct vmh_watch_files;

/* Watches each backend's folder; one that does not exist yet is waited
 * for in its parent.  Says on stderr what it watches, and what it cannot
 * (no inotify, too many watches), which is then only polled.  Watches
 * `cache_dir` too, for its cache file removed.  NULL when out of
 * memory. */
struct vmh_watch_files *vmh_watch_files_open(const struct vmh_config *config,
                                             const char *cache_dir);

/* Readable when a change waits to be collected; -1 when nothing is watched. */
int vmh_watch_files_fd(const struct vmh_watch_files *files);

/* Collects what changed without waiting: the backends (by section bit,
 * 1 << enum vmh_backend) whose folder changed, appeared or went away;
 * every backend when the cache file was removed (or renamed away), or
 * when inotify lost events (its queue overflowed). */
unsigned vmh_watch_files_changed(struct vmh_watch_files *files);

/* Whether watch.lock was removed or renamed away, alone or with the
 * cache folder (then every backend changed too), or found missing when
 * inotify lost events. */
bool vmh_watch_files_lock_gone(const struct vmh_watch_files *files);

/* Watches the cache folder again, once watch.lock is taken again there. */
void vmh_watch_files_rewatch_cache(struct vmh_watch_files *files);

/* Watches again each folder watched neither itself nor in its parent
 * (neither existed: the backend was not installed), for when one may
 * have been installed since. */
void vmh_watch_files_retry(struct vmh_watch_files *files);

void vmh_watch_files_close(struct vmh_watch_files *files);

#endif
