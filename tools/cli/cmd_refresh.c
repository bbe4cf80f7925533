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

static const char usage_text[] =
    "Usage: vmhosts refresh [--backend docker|multipass|all] [--quiet] [--timeout-ms N]\n"
    "\n"
    "Asks Docker and multipass for their containers and VMs now and rewrites the\n"
    "cache that name lookups read (root's cache when run as root, else your own).\n"
    "\n"
    "  -b, --backend NAME   refresh only docker or multipass (default: all)\n"
    "  -q, --quiet          print nothing on success; errors still go to stderr\n"
    "      --timeout-ms N   give each backend at most N ms (default: timeout_ms\n"
    "                       from vmhosts.conf)\n"
    "      --locked         the caller already holds the cache's refresh.lock\n"
    "                       (used by the NSS module)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 every backend answered, 1 a backend failed (its last good\n"
    "names are kept), 2 bad arguments, 3 the cache could not be written.\n";

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
    if (strcmp(name, "docker") == 0)
        *backends = 1u << VMH_BACKEND_DOCKER;
    else if (strcmp(name, "multipass") == 0)
        *backends = 1u << VMH_BACKEND_MULTIPASS;
    else if (strcmp(name, "all") == 0)
        *backends = VMH_REFRESH_ALL;
    else
        return false;
    return true;
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
            return usage_error("unknown backend \"%s\" (docker, multipass or all)", optarg);
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

static const char *backend_noun(unsigned backend, size_t count)
{
    if (backend == VMH_BACKEND_DOCKER)
        return count == 1 ? "container" : "containers";
    return count == 1 ? "VM" : "VMs";
}

static void print_backend(unsigned backend, const struct vmh_refresh_backend_report *report,
                          bool quiet)
{
    const char *name = vmh_backend_name(backend);
    if (report->status != VMH_STATUS_OK) {
        fprintf(stderr, "%s: %s: %s", name, vmh_backend_status_name(report->status),
                report->message[0] ? report->message : "no reason given");
        if (report->host_count > 0)
            fprintf(stderr, " (keeping the %zu %s last seen)", report->host_count,
                    backend_noun(backend, report->host_count));
        fputc('\n', stderr);
        return;
    }
    if (quiet)
        return;
    printf("%s: %zu %s, %zu running", name, report->host_count,
           backend_noun(backend, report->host_count), report->running_count);
    /* Partly answered, e.g. one of two Docker sockets: say which failed. */
    if (report->message[0])
        printf(" (%s)", report->message);
    putchar('\n');
}

static void print_report(const struct vmh_refresh_report *report, int status, bool quiet)
{
    for (unsigned backend = 0; backend < VMH_BACKEND_COUNT; backend++)
        if (report->backends[backend].ran)
            print_backend(backend, &report->backends[backend], quiet);
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
        fputs(usage_text, stdout);
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
