/* `vmhosts watch`: keep the cache fresh from Docker's events, inotify on
 * libvirt's lease folder and by polling the others, for as long as it runs
 * (a systemd unit runs it as root). */
#include <stdio.h>

#include "backend.h"
#include "commands.h"
#include "docker.h"
#include "multipass.h"
#include "parse_options.h"
#include "watch_loop.h"

static const char usage_text[] =
    "Usage: vmhosts watch [--verbose] [--multipass-interval S] [--resync-interval S]\n"
    "                     [--timeout-ms N] [--memory-idle S]\n"
    "\n"
    "Follows Docker's event stream (containers started, stopped, removed or renamed,\n"
    "networks connected or disconnected) and rewrites the cache within milliseconds\n"
    "of a change; reads libvirt's lease folder again on every change in it\n"
    "(inotify); asks multipass every multipass_ttl seconds, LXD and Incus every\n"
    "lxd_ttl and incus_ttl.  Reconnects when Docker restarts.  While it runs, name\n"
    "lookups never start a refresh: they read the cache it keeps.  Run as root\n"
    "(vmhosts-watch.service does), it keeps root's cache, which every user reads.\n"
    "Stops cleanly on SIGTERM or SIGINT.  Reads the settings again when their file\n"
    "changes (within 10 seconds) or on SIGHUP, and starts over with them.\n"
    "\n"
    "  -v, --verbose               a line for every refresh, not only changes of state\n"
    "      --multipass-interval S  ask multipass every S seconds (default: multipass_ttl)\n"
    "      --resync-interval S     ask Docker every S seconds even without events\n"
    "                              (default: 300; 0: only on events)\n"
    "      --timeout-ms N          give each refresh at most N ms (default: timeout_ms)\n"
    "      --memory-idle S         keep the memory of the last refresh for the next one\n"
    "                              until the cache has not changed for S seconds\n"
    "                              (default: 30)\n"
    "  -h, --help                  show this help\n"
    "\n"
    "Exit status: 0 stopped by a signal, 1 could not start (another watcher keeps\n"
    "the cache, the cache folder is unusable), 2 bad arguments.\n";

/* The options the command line gave, the settings' for the others. */
static void fill_options(const struct vmh_config *config, const struct vmh_watch_options *given,
                         long multipass_s, long resync_s, long memory_idle_s,
                         struct vmh_watch_options *options)
{
    struct vmh_watch_options defaults;
    vmh_watch_defaults(config, &defaults);
    *options = *given;
    for (size_t i = 0; i < VMH_BACKEND_COUNT; i++)
        options->interval_ms[i] = defaults.interval_ms[i];
    /* The two intervals a person sets are these backends' own. */
    if (multipass_s >= 0)
        options->interval_ms[vmh_backend_multipass.section] = multipass_s * 1000;
    if (resync_s >= 0)
        options->interval_ms[vmh_backend_docker.section] = resync_s * 1000;
    if (options->timeout_ms < 0)
        options->timeout_ms = defaults.timeout_ms;
    options->memory_idle_ms = memory_idle_s >= 0 ? memory_idle_s * 1000 : defaults.memory_idle_ms;
}

int vmh_cmd_watch(int argc, char **argv)
{
    /* -1: not given; the settings fill it in, read only after --help. */
    struct vmh_watch_options given = {.timeout_ms = -1, .verbose = false}, options;
    long multipass_s = -1, resync_s = -1, memory_idle_s = -1;
    const struct vmh_option table[] = {
        OPT_BOOL('v', "verbose", &given.verbose),
        OPT_LONG(0, "multipass-interval", &multipass_s, "whole seconds", 1, 86400),
        OPT_LONG(0, "resync-interval", &resync_s, "whole seconds", 0, 86400),
        OPT_LONG(0, "memory-idle", &memory_idle_s, "whole seconds", 0, 86400),
        VMH_OPT_TIMEOUT_MS(&given.timeout_ms), OPT_END()};
    const struct vmh_command_syntax syntax = {
        .name = "watch", .options = table, .usage = usage_text};
    int status = vmh_parse_options(&syntax, argc, argv, NULL);
    if (status != VMH_OPTIONS_GO_ON)
        return status;
    const struct vmh_config *config = vmh_cli_config();
    for (;;) {
        fill_options(config, &given, multipass_s, resync_s, memory_idle_s, &options);
        status = vmh_watch_run(config, &options);
        if (status != VMH_WATCH_RELOAD)
            return status;
        config = vmh_cli_config_reload();
    }
}
