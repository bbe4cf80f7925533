/* Whose a Docker socket is: see docker_rootless.h. */
#include <stdlib.h>
#include <string.h>

#include "docker_rootless.h"

bool vmh_rootless_socket_foreign(uid_t uid, const char *path)
{
    static const char *const prefixes[] = {"/run/user/", "/var/run/user/"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t length = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], length) != 0)
            continue;
        char *end;
        unsigned long owner = strtoul(path + length, &end, 10);
        return end != path + length && *end == '/' && owner != (unsigned long)uid;
    }
    return false;
}
