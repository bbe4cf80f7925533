/* For the host programs of tests/e2e-locks.sh: whether another process
 * holds a lock on a file.  Asked from a forked child, since a process's
 * own record locks are invisible to its F_GETLK, and a close there
 * releases none of the parent's. */
#ifndef VMHOSTS_HOST_LOCK_STATE_H
#define VMHOSTS_HOST_LOCK_STATE_H

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

/* "lock held" or "lock free". */
static inline const char *host_lock_state(const char *path)
{
    pid_t child = fork();
    if (child == 0) {
        struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        _exit(fd >= 0 && fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK ? 0 : 1);
    }
    int status = -1;
    while (child > 0 && waitpid(child, &status, 0) < 0)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "lock held" : "lock free";
}

#endif
