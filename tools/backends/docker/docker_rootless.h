/* Which Docker sockets are a user's rootless engines', for the refresh:
 * the module only needs to know that one exists (nss_vmhosts/rootless.h),
 * the refresh must also know whose a listed socket is. */
#ifndef VMHOSTS_DOCKER_ROOTLESS_H
#define VMHOSTS_DOCKER_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>

/* Whether `path` is one of uid's rootless sockets. */
bool vmh_rootless_socket_is(uid_t uid, const char *path);

/* Whether `path` is in another user's runtime folder (/run/user/N/...,
 * N not uid): that user's engine, which no refresh but theirs asks. */
bool vmh_rootless_socket_foreign(uid_t uid, const char *path);

#endif
