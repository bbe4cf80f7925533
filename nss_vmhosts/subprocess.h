/* Running a program from inside someone else's process: the module runs the
 * refresher, the refresher runs multipass, both through this.
 *
 * The child leads a process group of its own; stdin and stderr on
 * /dev/null; stdout captured or on /dev/null; every other descriptor closed
 * (ours are O_CLOEXEC, and the child closes the rest); VMH_SPAWN_MARKER set
 * in its environment; held through a pidfd from its clone on, never waited
 * for or killed by pid number, never by touching SIGCHLD; at the deadline
 * the whole group is killed.  A host that ignores SIGCHLD or reaps every
 * child does not break it.  A kernel without CLONE_PIDFD (before 5.2) gets
 * ENOSYS and no child. */
#ifndef VMHOSTS_SUBPROCESS_H
#define VMHOSTS_SUBPROCESS_H

#include <stdbool.h>
#include <stddef.h>

/* Set in every child's environment: a lookup made inside the refresher, or
 * inside anything it runs, never starts another refresh. */
#define VMH_SPAWN_MARKER "VMHOSTS_REFRESHING"

struct vmh_spawn_output {
    char *data;       /* malloc'd, NUL-terminated; NULL when not captured */
    size_t length;
    size_t limit;     /* more than this is read and dropped; truncated is set */
    bool truncated;
};

struct vmh_spawn_result {
    int spawn_errno;  /* posix_spawn failed with this; 0 if it ran */
    bool timed_out;   /* killed at the deadline */
    bool exited;      /* exit_status is known */
    int exit_status;
    int signal;       /* killed by this signal, 0 if not */
};

/* Runs argv[0] (an absolute path) with argv, the current environment plus
 * the marker, and waits at most timeout_ms.  When output is not NULL its
 * stdout is captured there (the caller frees output->data).  Returns 0 when
 * the program ran and exited with status 0, else -1 (see *result). */
int vmh_spawn_run(const char *const argv[], long timeout_ms, struct vmh_spawn_output *output,
                  struct vmh_spawn_result *result);

/* Whether this process runs inside a child started by vmh_spawn_run. */
bool vmh_spawn_is_nested(void);

#endif
