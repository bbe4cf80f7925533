/* `vmhosts refresh`: ask Docker and multipass now and rewrite the cache.
 * The module runs it too (`--quiet --locked --backend X --timeout-ms N`),
 * so on success it may print nothing, and its exit status says what
 * happened: 0 all answered, 1 a backend failed, 2 usage, 3 no cache written. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "refresh.h"

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
    char bars[256], alternatives[256];
    join_names(bars, sizeof bars, "|", "|");
    join_names(alternatives, sizeof alternatives, ", ", " or ");
    printf("Usage: vmhosts refresh [--backend %s|all] [--quiet] [--timeout-ms N]\n"
           "\n"
           "Asks Docker and multipass for their containers and VMs now and rewrites the\n"
           "cache that name lookups read (root's cache when run as root, else your own).\n"
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
           "names are kept), 2 bad arguments, 3 the cache could not be written.\n",
           bars, alternatives);
}

struct refresh_options {
    unsigned backends;
    bool quiet, locked, help;
    long timeout_ms;
};

__attribute__((format(printf, 1, 2))) static int usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("vmhosts refresh: ", stderr);
    vfprintf(stderr, format, args);
    fputs("\nTry `vmhosts refresh --help'.\n", stderr);
    va_end(args);
    return VMH_EXIT_USAGE;
}

static bool parse_backend(const char *name, unsigned *backends)
{
    const struct vmh_backend_ops *ops = vmh_backend_by_name(name);
    if (ops)
        *backends = 1u << ops->section;
    else if (strcmp(name, "all") == 0)
        *backends = VMH_REFRESH_ALL;
    else
        return false;
    return true;
}

static int unknown_backend(const char *name)
{
    char names[256];
    join_names(names, sizeof names, ", ", ", ");
    return usage_error("unknown backend \"%s\" (%s or all)", name, names);
}

enum { OPTION_LOCKED = 256, OPTION_TIMEOUT };

static int parse_options(int argc, char **argv, struct refresh_options *options)
{
    static const struct option long_options[] = {
        {"backend", required_argument, NULL, 'b'}, {"quiet", no_argument, NULL, 'q'},
        {"locked", no_argument, NULL, OPTION_LOCKED},
        {"timeout-ms", required_argument, NULL, OPTION_TIMEOUT},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int option;
    opterr = 0;
    optind = 1;
    while ((option = getopt_long(argc, argv, "b:qh", long_options, NULL)) != -1) {
        if (option == 'b' && !parse_backend(optarg, &options->backends))
            return unknown_backend(optarg);
        if (option == OPTION_TIMEOUT &&
            !vmh_cli_parse_long(optarg, 1, 24L * 3600 * 1000, &options->timeout_ms))
            return usage_error("--timeout-ms wants a number of milliseconds, not \"%s\"", optarg);
        options->quiet |= option == 'q';
        options->locked |= option == OPTION_LOCKED;
        options->help |= option == 'h';
        if (option == '?')
            return usage_error("unknown option or missing value: %s", argv[optind - 1]);
    }
    if (optind < argc)
        return usage_error("unexpected argument \"%s\"", argv[optind]);
    return VMH_EXIT_OK;
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
    struct refresh_options options = {.backends = VMH_REFRESH_ALL, .timeout_ms = -1};
    int status = parse_options(argc, argv, &options);
    if (status != VMH_EXIT_OK)
        return status;
    if (options.help) {
        print_usage();
        return VMH_EXIT_OK;
    }
    const struct vmh_config *config = vmh_cli_config();
    if (options.timeout_ms < 0)
        options.timeout_ms = config->timeout_ms;
    struct vmh_refresh_report report;
    status = vmh_refresh_run(config, options.backends, options.locked, options.timeout_ms,
                             &report);
    print_report(&report, status, options.quiet);
    if (fflush(stdout) != 0 && status == VMH_REFRESH_OK)
        status = VMH_EXIT_FAILURE;
    return status;
}
