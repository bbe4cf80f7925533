/* `vmhosts watch`: keep the cache fresh from Docker's events and by polling
 * multipass, for as long as it runs (a systemd unit runs it as root). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "backend.h"
#include "commands.h"
#include "docker.h"
#include "multipass.h"
#include "watch_loop.h"

static const char usage_text[] =
    "Usage: vmhosts watch [--verbose] [--multipass-interval S] [--resync-interval S]\n"
    "                     [--timeout-ms N]\n"
    "\n"
    "Follows Docker's event stream (containers started, stopped, removed or renamed,\n"
    "networks connected or disconnected) and rewrites the cache within milliseconds\n"
    "of a change; asks multipass every multipass_ttl seconds.  Reconnects when\n"
    "Docker restarts.  While it runs, name lookups never start a refresh: they read\n"
    "the cache it keeps.  Run as root (vmhosts-watch.service does), it keeps root's\n"
    "cache, which every user reads.  Stops cleanly on SIGTERM or SIGINT.\n"
    "\n"
    "  -v, --verbose               a line for every refresh, not only changes of state\n"
    "      --multipass-interval S  ask multipass every S seconds (default: multipass_ttl)\n"
    "      --resync-interval S     ask Docker every S seconds even without events\n"
    "                              (default: 300; 0: only on events)\n"
    "      --timeout-ms N          give each refresh at most N ms (default: timeout_ms)\n"
    "  -h, --help                  show this help\n"
    "\n"
    "Exit status: 0 stopped by a signal, 1 could not start (another watcher keeps\n"
    "the cache, the cache folder is unusable), 2 bad arguments.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("vmhosts watch: ", stderr);
    vfprintf(stderr, format, args);
    fputs("\nTry `vmhosts watch --help'.\n", stderr);
    va_end(args);
    return VMH_EXIT_USAGE;
}

enum { OPTION_MULTIPASS = 256, OPTION_RESYNC, OPTION_TIMEOUT };

/* A whole number of seconds (min..one day) into milliseconds. */
static bool parse_seconds(const char *text, long min, long *ms)
{
    long seconds;
    if (!vmh_cli_parse_long(text, min, 86400, &seconds))
        return false;
    *ms = seconds * 1000;
    return true;
}

static int parse_options(int argc, char **argv, struct vmh_watch_options *options, bool *help)
{
    static const struct option long_options[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"multipass-interval", required_argument, NULL, OPTION_MULTIPASS},
        {"resync-interval", required_argument, NULL, OPTION_RESYNC},
        {"timeout-ms", required_argument, NULL, OPTION_TIMEOUT},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    /* The two intervals a person sets are these backends' own. */
    enum vmh_backend multipass = vmh_backend_multipass.section, docker = vmh_backend_docker.section;
    int option;
    opterr = 0;
    optind = 1;
    while ((option = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
        if (option == OPTION_MULTIPASS &&
            !parse_seconds(optarg, 1, &options->interval_ms[multipass]))
            return usage_error("--multipass-interval wants whole seconds (1 to 86400), not \"%s\"",
                               optarg);
        if (option == OPTION_RESYNC && !parse_seconds(optarg, 0, &options->interval_ms[docker]))
            return usage_error("--resync-interval wants whole seconds (0 to 86400), not \"%s\"",
                               optarg);
        if (option == OPTION_TIMEOUT &&
            !vmh_cli_parse_long(optarg, 1, 24L * 3600 * 1000, &options->timeout_ms))
            return usage_error("--timeout-ms wants a number of milliseconds, not \"%s\"", optarg);
        options->verbose |= option == 'v';
        *help |= option == 'h';
        if (option == '?')
            return usage_error("unknown option or missing value: %s", argv[optind - 1]);
    }
    if (optind < argc)
        return usage_error("unexpected argument \"%s\"", argv[optind]);
    return VMH_EXIT_OK;
}

int vmh_cmd_watch(int argc, char **argv)
{
    /* -1: not given; the settings fill it in, read only after --help. */
    struct vmh_watch_options options = {.timeout_ms = -1, .verbose = false}, defaults;
    bool help = false;
    for (size_t i = 0; i < VMH_BACKEND_COUNT; i++)
        options.interval_ms[i] = -1;
    int status = parse_options(argc, argv, &options, &help);
    if (status != VMH_EXIT_OK)
        return status;
    if (help) {
        fputs(usage_text, stdout);
        return VMH_EXIT_OK;
    }
    const struct vmh_config *config = vmh_cli_config();
    vmh_watch_defaults(config, &defaults);
    for (size_t i = 0; i < VMH_BACKEND_COUNT; i++)
        if (options.interval_ms[i] < 0)
            options.interval_ms[i] = defaults.interval_ms[i];
    if (options.timeout_ms < 0)
        options.timeout_ms = defaults.timeout_ms;
    return vmh_watch_run(config, &options);
}
