/* `vmhosts status`: the settings in force and where each came from, the
 * module, each backend and what to do when it fails, the caches and their
 * ages, and whether nsswitch.conf reaches vmhosts.  It changes nothing. */
#include <stdio.h>

#include "commands.h"
#include "dns_status.h"
#include "parse_options.h"
#include "status.h"

static const char usage_text[] =
    "Usage: vmhosts status [--nsswitch PATH]\n"
    "\n"
    "Shows the settings in force and where each came from (default, the settings\n"
    "file, VMHOSTS_CONF), whether glibc can load the module, each backend as this\n"
    "user reaches it and as the cache recorded it, the caches and their ages, and\n"
    "whether the hosts: line of " VMH_DEFAULT_NSSWITCH " reaches vmhosts (after files,\n"
    "before dns, resolve and mdns, and after nothing that returns on NOTFOUND).\n"
    "Every problem comes with what to do.  It changes nothing.\n"
    "\n"
    "      --nsswitch PATH   read PATH instead of " VMH_DEFAULT_NSSWITCH "\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 all is well (notes and warnings aside), 1 a problem keeps names\n"
    "from resolving, 2 bad arguments.\n";

int vmh_cmd_status(int argc, char **argv)
{
    const char *nsswitch = VMH_DEFAULT_NSSWITCH;
    const struct vmh_option table[] = {OPT_STRING(0, "nsswitch", &nsswitch, "a path"), OPT_END()};
    const struct vmh_command_syntax syntax = {
        .name = "status", .options = table, .usage = usage_text};
    int status = vmh_parse_options(&syntax, argc, argv, NULL);
    if (status != VMH_OPTIONS_GO_ON)
        return status;
    struct vmh_status_report report = {0};
    struct vmh_cli_view view;
    const struct vmh_config *config = vmh_cli_config();
    vmh_view_open(&view, config);
    vmh_status_settings(config, vmh_cli_config_notes());
    vmh_status_module(&report);
    vmh_status_backends(&view, &report);
    vmh_status_caches(&view, &report);
    vmh_status_nsswitch(nsswitch, &report);
    if (vmh_status_dns(config))
        report.problems++;
    vmh_view_close(&view);
    if (report.problems == 0)
        printf("all is well%s\n", report.warnings ? " (see the warnings above)" : "");
    else
        printf("%u problem%s: see PROBLEM above\n", report.problems,
               report.problems == 1 ? "" : "s");
    if (fflush(stdout) != 0)
        return VMH_EXIT_FAILURE;
    return report.problems == 0 ? VMH_EXIT_OK : VMH_EXIT_FAILURE;
}
