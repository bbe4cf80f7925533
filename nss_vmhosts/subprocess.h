/* Running a program from inside someone else's process: the module runs the
 * refresher, the refresher runs multipass, both through this.
 *
 * The child leads a process group of its own; stdin and stderr on
 * /dev/null; stdout on /dev/null, or on the caller's descriptor (the pipe
 * of tools/backends/spawn_output.c, which only `vmhosts` uses); every other
 * descriptor closed (ours are O_CLOEXEC, and the child closes the rest);
 * VMH_SPAWN_MARKER set in its environment; held through a pidfd from its
 * clone on, never waited for or killed by pid number, never by touching
 * SIGCHLD; at the deadline the whole group is killed.  A host that ignores
 * SIGCHLD or reaps every child does not break it.  A kernel without
 * CLONE_PIDFD (before 5.2) gets ENOSYS and no child. */
#ifndef VMHOSTS_SUBPROCESS_H
#define VMHOSTS_SUBPROCESS_H

#include <stdbool.h>

/* Set in every child's environment: a lookup made inside the refresher, or
 * inside anything it runs, never starts another refresh. */
#define VMH_SPAWN_MARKER "VMHOSTS_REFRESHING"

/* What a caller that reads the child's stdout gives: `child_stdout` is the
 * child's stdout, and until the child exits `ready` runs whenever
 * `watch_fd` is readable, returning false once it needs no more watching
 * (end of file, an error).  Both descriptors stay the caller's: what is
 * left to read after the exit is read once vmh_spawn_run has returned. */
struct vmh_spawn_hook {
    int child_stdout;
    int watch_fd;
    bool (*ready)(void *context);
    void *context;
};

struct vmh_spawn_result {
    int spawn_errno;  /* posix_spawn failed with this; 0 if it ran */
    bool timed_out;   /* killed at the deadline */
    bool exited;      /* exit_status is known */
    int exit_status;
    int signal;       /* killed by this signal, 0 if not */
};

/* Runs argv[0] (an absolute path) with argv, the current environment plus
 * the marker, and waits at most timeout_ms.  Without a hook its stdout is
 * /dev/null.  Returns 0 when the program ran and exited with status 0, else
 * -1 (see *result). */
int vmh_spawn_run(const char *const argv[], long timeout_ms, const struct vmh_spawn_hook *hook,
                  struct vmh_spawn_result *result);

/* Whether this process runs inside a child started by vmh_spawn_run. */
bool vmh_spawn_is_nested(void);

#endif
