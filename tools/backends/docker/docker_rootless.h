/* Which listed Docker sockets are another user's rootless engines', by
 * their path alone, for the refresh, which never asks them (whose daemon
 * answers a socket it does ask, the kernel says: unix_peer.h). */
#ifndef VMHOSTS_DOCKER_ROOTLESS_H
#define VMHOSTS_DOCKER_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>

/* Whether `path` is in another user's runtime folder (/run/user/N/...,
 * N not uid): that user's engine, which no refresh but theirs asks. */
bool vmh_rootless_socket_foreign(uid_t uid, const char *path);

#endif
