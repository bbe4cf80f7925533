/* A Unix socket file that nothing listens on: what a daemon that stopped
 * without removing its socket leaves behind. */
#ifndef VMHOSTS_DEAD_SOCKET_H
#define VMHOSTS_DEAD_SOCKET_H

#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Returns whether it was made. */
static inline bool make_dead_socket(const char *path)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path)
        return false;
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool made = fd >= 0 && bind(fd, (struct sockaddr *)&address, sizeof address) == 0;
    if (fd >= 0)
        close(fd);
    return made;
}

#endif
