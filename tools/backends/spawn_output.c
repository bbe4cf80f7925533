/* Reading a child's stdout through a pipe while vmh_spawn_run waits for
 * it, and what is left once it has exited. */
#include "spawn_output.h"

#include "grow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK 4096
#define FIRST_CAPACITY 4096

/* One capture: the pipe's end we read, and what it has given. */
struct capture {
    int pipe_read;      /* -1 at EOF or after an error */
    struct vmh_spawn_output *output;
    size_t capacity;
};

/* Keeps what fits under the limit and drops the rest. */
static void keep_output(struct capture *capture, const char *chunk, size_t size)
{
    struct vmh_spawn_output *output = capture->output;
    size_t room = output->limit - output->length;
    if (size > room) {
        output->truncated = true;
        size = room;
    }
    if (size == 0)
        return;
    size_t most = output->limit < SIZE_MAX ? output->limit + 1 : SIZE_MAX;
    if (vmh_grow_bytes(&output->data, &capture->capacity, output->length + size + 1,
                       FIRST_CAPACITY, most) != 0) {
        output->truncated = true;
        return;
    }
    memcpy(output->data + output->length, chunk, size);
    output->length += size;
    output->data[output->length] = '\0';
}

/* Reads what is there.  Returns false when nothing is there right now
 * (EAGAIN); at EOF or on an error the pipe is closed. */
static bool read_output(struct capture *capture)
{
    char chunk[READ_CHUNK];
    ssize_t got;
    do
        got = read(capture->pipe_read, chunk, sizeof chunk);
    while (got < 0 && errno == EINTR);
    if (got > 0) {
        keep_output(capture, chunk, (size_t)got);
        return true;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    close(capture->pipe_read);
    capture->pipe_read = -1;
    return true;
}

/* The hook's `ready`: watched for as long as the pipe is open. */
static bool output_ready(void *context)
{
    struct capture *capture = context;
    read_output(capture);
    return capture->pipe_read >= 0;
}

/* After the exit, what the child wrote is all in the pipe: read it to the
 * end or until it would block.  A grandchild still holding the pipe is not
 * waited for: what it writes later is not the child's answer. */
static void drain_output(struct capture *capture)
{
    while (capture->pipe_read >= 0 && read_output(capture))
        ;
}

static int open_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return errno;
    /* Only our end: the child's stdout stays blocking. */
    int flags = fcntl(fds[0], F_GETFL);
    if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) < 0) {
        int error = errno;
        close(fds[0]);
        close(fds[1]);
        return error;
    }
    return 0;
}

int vmh_spawn_capture(const char *const argv[], long timeout_ms, struct vmh_spawn_output *output,
                      struct vmh_spawn_result *result)
{
    int fds[2];
    output->data = NULL;
    output->length = 0;
    output->truncated = false;
    int error = open_pipe(fds);
    if (error != 0) {
        memset(result, 0, sizeof *result);
        result->spawn_errno = error;
        return -1;
    }
    struct capture capture = {.pipe_read = fds[0], .output = output};
    struct vmh_spawn_hook hook = {.child_stdout = fds[1], .watch_fd = fds[0],
                                  .ready = output_ready, .context = &capture};
    int status = vmh_spawn_run(argv, timeout_ms, &hook, result);
    /* With our write end closed, the pipe ends where the child's output
     * does, unless a grandchild outside its group still holds it. */
    close(fds[1]);
    drain_output(&capture);
    if (capture.pipe_read >= 0)
        close(capture.pipe_read);
    if (!output->data)
        output->data = calloc(1, 1);
    return status;
}
