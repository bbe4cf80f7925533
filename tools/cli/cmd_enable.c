/* `vmhosts enable` / `vmhosts disable`: add vmhosts to, or remove it from,
 * the hosts: line of /etc/nsswitch.conf.  The editing is in
 * nsswitch_edit.c; this is the command line around it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dns_register.h"
#include "nsswitch_edit.h"
#include "parse_options.h"

#define DEFAULT_NSSWITCH "/etc/nsswitch.conf"

static const char enable_usage[] =
    "Usage: vmhosts enable [--file PATH | --dns]\n"
    "\n"
    "Adds vmhosts to the hosts: line of " DEFAULT_NSSWITCH ", after files and\n"
    "myhostname and before dns, resolve, mdns*, nis and wins, so that every\n"
    "program resolves container and VM names.  A file without a hosts: line gets\n"
    "glibc's default for it with vmhosts first, under a comment saying so.\n"
    "Nothing else in the file changes; the old file is kept as\n"
    "PATH" VMH_NSSWITCH_BACKUP_SUFFIX ".  Needs root.\n"
    "\n"
    "  -f, --file PATH   edit PATH instead of " DEFAULT_NSSWITCH "\n"
    "  --dns             instead: route the docker suffix and the VM domains from\n"
    "                    systemd-resolved to `vmhosts dns` (" VMH_RESOLVED_DROPIN "\n"
    "                    and " VMH_NEGATIVE_ANCHORS "), then restart\n"
    "                    systemd-resolved\n"
    "  -h, --help        show this help\n";

static const char disable_usage[] =
    "Usage: vmhosts disable [--file PATH | --dns]\n"
    "\n"
    "Removes vmhosts (and the [ACTION] after it) from the hosts: line of\n"
    DEFAULT_NSSWITCH "; the old file is kept as PATH" VMH_NSSWITCH_BACKUP_SUFFIX ".\n"
    "Needs root.\n"
    "\n"
    "  -f, --file PATH   edit PATH instead of " DEFAULT_NSSWITCH "\n"
    "  --dns             instead: remove what `vmhosts enable --dns` wrote\n"
    "  -h, --help        show this help\n";

/* An empty PATH names no file: refused, the parser says what --file wants. */
static bool take_path(const struct vmh_option *option, const char *arg)
{
    if (!arg[0])
        return false;
    *(const char **)option->value = arg;
    return true;
}

/* --dns: systemd-resolved's files (tools/dns/dns_register.c). */
static int edit_dns(bool enable)
{
    const char *name = enable ? "enable" : "disable";
    bool changed = false;
    char err[1024];
    if (vmh_dns_register(vmh_cli_config(), "", enable, &changed, err, sizeof err) != 0) {
        fprintf(stderr, "vmhosts %s --dns: %s\n", name, err);
        return VMH_EXIT_FAILURE;
    }
    if (!changed) {
        printf("already %s\n", enable ? "enabled" : "disabled");
    } else {
        printf("%s: %s\n%s: %s\n", enable ? "wrote" : "removed", VMH_RESOLVED_DROPIN,
               enable ? "wrote" : "removed", VMH_NEGATIVE_ANCHORS);
        /* resolved reads both only when it starts. */
        if (access("/run/systemd/system", F_OK) == 0 &&
            system("systemctl try-restart systemd-resolved.service") != 0)
            printf("restart systemd-resolved to apply: systemctl restart systemd-resolved\n");
    }
    return fflush(stdout) == 0 ? VMH_EXIT_OK : VMH_EXIT_FAILURE;
}

static int edit(int argc, char **argv, bool enable)
{
    const char *name = enable ? "enable" : "disable", *path = NULL;
    bool dns = false;
    const struct vmh_option table[] = {OPT_CALLBACK('f', "file", &path, "a path", take_path),
                                       OPT_BOOL(0, "dns", &dns), OPT_END()};
    const struct vmh_command_syntax syntax = {
        .name = name, .options = table, .usage = enable ? enable_usage : disable_usage};
    int status = vmh_parse_options(&syntax, argc, argv, NULL);
    if (status != VMH_OPTIONS_GO_ON)
        return status;
    if (dns && path) {
        fprintf(stderr, "vmhosts %s: --dns and --file go separately\n", name);
        return VMH_EXIT_USAGE;
    }
    if (dns)
        return edit_dns(enable);
    if (!path)
        path = DEFAULT_NSSWITCH;
    bool changed = false;
    char *hosts_line = NULL, err[1024];
    if (vmh_nsswitch_edit_file(path, enable, &changed, &hosts_line, err, sizeof err) != 0) {
        int error = errno;
        fprintf(stderr, "vmhosts %s: %s\n", name, err);
        if (error == EACCES || error == EPERM || error == EROFS)
            fprintf(stderr, "vmhosts %s: %s must be changed as root: sudo vmhosts %s\n", name,
                    path, name);
        else if (error == ENOENT)
            fprintf(stderr, "vmhosts %s: name the file to edit with --file PATH\n", name);
        else
            fprintf(stderr, "vmhosts %s: %s was left as it was\n", name, path);
        return VMH_EXIT_FAILURE;
    }
    if (!changed) {
        printf("already %s\n", enable ? "enabled" : "disabled");
    } else {
        /* The backup sits next to the file a symlink points to. */
        char *real = realpath(path, NULL);
        /* No line left: disable took away the one enable appended. */
        printf("%s: %s\nbackup: %s%s\n", enable ? "enabled" : "disabled",
               hosts_line && hosts_line[0] ? hosts_line
                                           : "the hosts: line `vmhosts enable` added is gone "
                                             "(glibc's default order applies)",
               real ? real : path, VMH_NSSWITCH_BACKUP_SUFFIX);
        free(real);
    }
    free(hosts_line);
    return fflush(stdout) == 0 ? VMH_EXIT_OK : VMH_EXIT_FAILURE;
}

int vmh_cmd_enable(int argc, char **argv)
{
    return edit(argc, argv, true);
}

int vmh_cmd_disable(int argc, char **argv)
{
    return edit(argc, argv, false);
}
