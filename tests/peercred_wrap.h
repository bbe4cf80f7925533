/* getsockopt as the kernel answers it, or, while `peercred_fails`, with
 * no answer to SO_PEERCRED: a daemon whose user the kernel does not say
 * (tools/backends/unix_peer.h).  For a test linked with
 * -Wl,--wrap=getsockopt; libcurl's own calls are not ours to wrap. */
#ifndef VMHOSTS_TESTS_PEERCRED_WRAP_H
#define VMHOSTS_TESTS_PEERCRED_WRAP_H

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>

static bool peercred_fails;

int __real_getsockopt(int fd, int level, int name, void *value, socklen_t *length);
int __wrap_getsockopt(int fd, int level, int name, void *value, socklen_t *length);
int __wrap_getsockopt(int fd, int level, int name, void *value, socklen_t *length)
{
    if (peercred_fails && level == SOL_SOCKET && name == SO_PEERCRED) {
        errno = ENOPROTOOPT;
        return -1;
    }
    return __real_getsockopt(fd, level, name, value, length);
}

#endif
