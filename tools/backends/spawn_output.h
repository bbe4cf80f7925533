/* Capturing the stdout of a program run through vmh_spawn_run.  Only
 * `vmhosts` does (multipass's list); the module runs its refresher with
 * stdout on /dev/null, so none of this is loaded into other processes. */
#ifndef VMHOSTS_SPAWN_OUTPUT_H
#define VMHOSTS_SPAWN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "subprocess.h"

struct vmh_spawn_output {
    char *data;       /* malloc'd, NUL-terminated; NULL when no pipe could be made */
    size_t length;
    size_t limit;     /* more than this is read and dropped; truncated is set */
    bool truncated;
};

/* vmh_spawn_run with the child's stdout captured in *output (the caller
 * sets output->limit, and frees output->data).  Returns as it does. */
int vmh_spawn_capture(const char *const argv[], long timeout_ms, struct vmh_spawn_output *output,
                      struct vmh_spawn_result *result);

#endif
