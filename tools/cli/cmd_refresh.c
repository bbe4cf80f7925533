/* `vmhosts refresh`: ask the backends now and rewrite the cache.
 * The module runs it too (`--quiet --locked --backend X --timeout-ms N`),
 * so on success it may print nothing, and its exit status says what
 * happened: 0 all answered, 1 a backend failed, 2 usage, 5 no cache written. */
#include <stdio.h>

#include "commands.h"
#include "parse_options.h"
#include "refresh.h"

_Static_assert((int)VMH_REFRESH_WRITE_FAILED == VMH_EXIT_NOT_WRITTEN,
               "refresh's results are its exit statuses");

/* The registered backends' names joined: "docker|multipass" with ("|",
 * "|"), "docker or multipass" with (", ", " or "). */
static void join_names(char *out, size_t size, const char *separator, const char *last)
{
    const struct vmh_backend_ops *const *ops = vmh_backends();
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; ops[i] && used < size; i++) {
        const char *before = i == 0 ? "" : ops[i + 1] ? separator : last;
        int length = snprintf(out + used, size - used, "%s%s", before, ops[i]->name);
        if (length < 0)
            break;
        used += (size_t)length;
    }
}

static void print_usage(void)
{
    char bars[256], alternatives[256], every[256];
    join_names(bars, sizeof bars, "|", "|");
    join_names(every, sizeof every, ", ", ", ");
    join_names(alternatives, sizeof alternatives, ", ", " or ");
    printf("Usage: vmhosts refresh [--backend %s|all] [--quiet] [--timeout-ms N]\n"
           "\n"
           "Asks every backend installed here for its containers and VMs now and\n"
           "rewrites the cache that name lookups read (root's cache when run as root,\n"
           "else your own).  The backends: %s.\n"
           "Run by a user other than root, docker also asks that user's rootless\n"
           "Podman and Docker (/run/user/UID/podman/podman.sock,\n"
           "/run/user/UID/docker.sock).\n"
           "\n"
           "  -b, --backend NAME   refresh only %s (default: all)\n"
           "  -q, --quiet          print nothing on success; errors still go to stderr\n"
           "      --timeout-ms N   give each backend at most N ms (default: timeout_ms\n"
           "                       from vmhosts.conf)\n"
           "      --locked         the caller already holds the cache's refresh.lock\n"
           "                       (used by the NSS module)\n"
           "  -h, --help           show this help\n"
           "\n"
           "Exit status: 0 every backend answered, 1 a backend failed (its last good\n"
           "names are kept), 2 bad arguments, 5 the cache could not be written.\n",
           bars, every, alternatives);
}

/* --backend's choices: the registered backends by name, then "all". */
static void backend_choices(const char *choices[VMH_BACKEND_COUNT + 2])
{
    size_t count = 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends();
         *ops && count < VMH_BACKEND_COUNT; ops++)
        choices[count++] = (*ops)->name;
    choices[count++] = "all";
    choices[count] = NULL;
}

/* The backends --backend chose (-1: not given): one, or all. */
static unsigned chosen_backends(const char *const *choices, int choice)
{
    const struct vmh_backend_ops *ops = choice < 0 ? NULL : vmh_backend_by_name(choices[choice]);
    return ops ? 1u << ops->section : VMH_SNAPSHOT_ALL;
}

static const char *noun(const struct vmh_backend_ops *ops, size_t count)
{
    return count == 1 ? ops->noun : ops->nouns;
}

static void print_backend(const struct vmh_backend_ops *ops,
                          const struct vmh_refresh_backend_report *report, bool quiet)
{
    const char *name = ops->name;
    if (report->status != VMH_STATUS_OK) {
        fprintf(stderr, "%s: %s: %s", name, vmh_backend_status_name(report->status),
                report->message[0] ? report->message : "no reason given");
        if (report->host_count > 0)
            fprintf(stderr, " (keeping the %zu %s last seen)", report->host_count,
                    noun(ops, report->host_count));
        fputc('\n', stderr);
        return;
    }
    if (quiet)
        return;
    printf("%s: %zu %s, %zu running", name, report->host_count,
           noun(ops, report->host_count), report->running_count);
    /* Partly answered, e.g. one of two Docker sockets: say which failed. */
    if (report->message[0])
        printf(" (%s)", report->message);
    putchar('\n');
}

static void print_report(const struct vmh_refresh_report *report, int status, bool quiet)
{
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        if (report->backends[(*ops)->section].ran)
            print_backend(*ops, &report->backends[(*ops)->section], quiet);
    if (report->previous[0] && !quiet)
        printf("note: %s\n", report->previous);
    if (status == VMH_REFRESH_WRITE_FAILED)
        fprintf(stderr, "vmhosts refresh: the cache was not written: %s\n",
                report->error[0] ? report->error : "unknown error");
    else if (!quiet)
        printf("cache: %s\n", report->cache_path);
}

int vmh_cmd_refresh(int argc, char **argv)
{
    bool quiet = false, locked = false;
    long timeout_ms = -1; /* -1: the settings' */
    int backend = -1;     /* -1: all */
    const char *choices[VMH_BACKEND_COUNT + 2];
    backend_choices(choices);
    const struct vmh_option table[] = {OPT_CHOICE('b', "backend", &backend, "backend", choices),
                                       OPT_BOOL('q', "quiet", &quiet),
                                       VMH_OPT_TIMEOUT_MS(&timeout_ms),
                                       OPT_BOOL(0, "locked", &locked), OPT_END()};
    const struct vmh_command_syntax syntax = {
        .name = "refresh", .options = table, .print_usage = print_usage};
    int status = vmh_parse_options(&syntax, argc, argv, NULL);
    if (status != VMH_OPTIONS_GO_ON)
        return status;
    const struct vmh_config *config = vmh_cli_config();
    if (timeout_ms < 0)
        timeout_ms = config->timeout_ms;
    struct vmh_refresh_report report;
    unsigned backends = chosen_backends(choices, backend);
    status = vmh_refresh_run(config, backends, locked ? VMH_REFRESH_LOCK_HELD : 0, timeout_ms,
                             &report);
    print_report(&report, status, quiet);
    if (fflush(stdout) != 0 && status == VMH_REFRESH_OK)
        status = VMH_EXIT_FAILURE;
    return status;
}
