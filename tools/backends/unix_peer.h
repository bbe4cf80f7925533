/* Who answers on a Unix socket.  A refresh fills a cache with what a
 * daemon says, and root's cache decides where every user's names lead:
 * the daemon behind a socket it asks must run as root or as the user who
 * refreshes, whatever path reaches it (a symlink, "/run/user//1000/...",
 * a socket outside /run/user).  The kernel says whose it is: the
 * credentials of the process that listened (SO_PEERCRED). */
#ifndef VMHOSTS_UNIX_PEER_H
#define VMHOSTS_UNIX_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The user of the daemon at the other end of the connected Unix socket
 * fd; (uid_t)-1 when the kernel does not say, as when it shows a user
 * namespace's overflow user, which stands for any user it does not map
 * (trust.h). */
uid_t vmh_unix_peer(int fd);

/* Whether a daemon running as `peer` may fill the cache of a refresh
 * run as `refresher`: it runs as root or as the refresher. */
bool vmh_unix_peer_may_answer(uid_t peer, uid_t refresher);

/* For `vmhosts status`: when `peer` (-1: unknown) may not answer this
 * process's refresh, says so after `path` in text and returns true. */
bool vmh_unix_peer_refused_text(const char *path, uid_t peer, char *text, size_t size);

/* The most of a socket's path a message shows. */
#define VMH_SOCKET_PATH_SHOWN 200

/* Why an answer of `daemon` ("Docker") on `path` was not taken, when
 * its user `peer` (-1: unknown) may not answer: for a refresh's section
 * and the watcher's event stream alike. */
void vmh_unix_peer_refusal(const char *daemon, const char *path, uid_t peer, char *text,
                           size_t size);

/* Whether `message` (a section's, as recorded) is such a refusal. */
bool vmh_unix_peer_refusal_said(const char *message);

#endif
