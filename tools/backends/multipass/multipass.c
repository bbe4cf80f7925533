/* Running `multipass list --format=json` and recording how it answered. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "multipass.h"
#include "spawn_output.h"

/* Far more than any real list (a VM is about 150 bytes of it); more than
 * this is not multipass's list, and a partial list is not trusted. */
#define OUTPUT_LIMIT (16u * 1024u * 1024u)

static void set_status(struct vmh_backend_state *state, enum vmh_backend_status status,
                       const char *format, ...) __attribute__((format(printf, 3, 4)));

static void set_status(struct vmh_backend_state *state, enum vmh_backend_status status,
                       const char *format, ...)
{
    state->status = status;
    va_list args;
    va_start(args, format);
    vsnprintf(state->message, sizeof state->message, format, args);
    va_end(args);
}

static void report_spawn_failure(struct vmh_backend_state *state, const char *command, int error)
{
    if (error == ENOENT || error == ENOTDIR)
        set_status(state, VMH_STATUS_UNAVAILABLE,
                   "multipass is not installed at %s (install it, or set multipass_command in "
                   "vmhosts.conf)",
                   command);
    else if (error == EACCES)
        set_status(state, VMH_STATUS_DENIED, "cannot run %s: permission denied", command);
    else
        set_status(state, VMH_STATUS_ERROR, "cannot run %s: %s", command, strerror(error));
}

/* Why a run that did not exit 0 failed.  multipass's own complaint went to
 * /dev/null (we run inside other people's processes), so point at the
 * command that shows it. */
static void report_run_failure(struct vmh_backend_state *state, const char *command,
                               long timeout_ms, const struct vmh_spawn_result *result)
{
    if (result->spawn_errno != 0)
        report_spawn_failure(state, command, result->spawn_errno);
    else if (result->exited && result->exit_status == 127 && access(command, X_OK) != 0)
        /* A spawn that cannot pass exec's error back (valgrind turns glibc's
         * vfork-style posix_spawn into a fork) exits 127, as a shell does. */
        report_spawn_failure(state, command, errno);
    else if (result->timed_out)
        set_status(state, VMH_STATUS_ERROR,
                   "multipass did not answer within %ld ms (is multipassd running? try "
                   "`multipass list`)",
                   timeout_ms);
    else if (result->signal != 0)
        set_status(state, VMH_STATUS_ERROR,
                   "%s list was killed by signal %d (%s) (try `multipass list`)", command,
                   result->signal, strsignal(result->signal));
    else if (result->exited)
        set_status(state, VMH_STATUS_ERROR,
                   "%s list failed with exit status %d (try `multipass list` to see why)",
                   command, result->exit_status);
    else
        set_status(state, VMH_STATUS_ERROR, "%s list failed for an unknown reason", command);
}

static int parse_output(struct vmh_backend_state *state, const struct vmh_spawn_output *output,
                        struct vmh_snapshot *out)
{
    if (output->truncated) {
        set_status(state, VMH_STATUS_ERROR,
                   "multipass printed more than %u MiB, which is not its list", OUTPUT_LIMIT >> 20);
        return -1;
    }
    char error[VMH_MESSAGE_MAX];
    if (vmh_multipass_parse_list(output->data, output->length, out, error, sizeof error) != 0) {
        set_status(state, VMH_STATUS_ERROR, "%s", error);
        return -1;
    }
    return 0;
}

int vmh_multipass_refresh(const char *command, long timeout_ms, struct vmh_snapshot *out)
{
    struct vmh_backend_state *state = &out->backends[VMH_BACKEND_MULTIPASS];
    /* posix_spawn does not search PATH, and a relative path would depend on
     * the working directory of whatever process resolved a name. */
    if (!command || command[0] != '/') {
        set_status(state, VMH_STATUS_ERROR,
                   "multipass_command must be an absolute path, not \"%s\" (fix vmhosts.conf)",
                   command ? command : "");
        state->attempted_ms = vmh_realtime_ms();
        return -1;
    }
    const char *const argv[] = {command, "list", "--format=json", NULL};
    struct vmh_spawn_output output = {.limit = OUTPUT_LIMIT};
    struct vmh_spawn_result result = {0};
    int status = -1;
    if (vmh_spawn_capture(argv, timeout_ms, &output, &result) != 0)
        report_run_failure(state, command, timeout_ms, &result);
    else
        status = parse_output(state, &output, out);
    free(output.data);
    /* The end of the attempt: the module's back-off after a failure counts
     * from here (see state.c). */
    state->attempted_ms = vmh_realtime_ms();
    if (status == 0) {
        set_status(state, VMH_STATUS_OK, "%s", "");
        state->updated_ms = vmh_realtime_ms();
    }
    return status;
}
