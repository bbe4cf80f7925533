/* vmhosts: the command.  Dispatches to the subcommands in cmd_*.c and owns
 * what they share: libcurl's global state and the settings. */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "commands.h"
#include "autoconfig.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"list", vmh_cmd_list, "every name the cache answers, with its addresses"},
    {"lookup", vmh_cmd_lookup, "what the module answers for a name, and why"},
    {"status", vmh_cmd_status, "settings, backends, caches and nsswitch.conf: is all well?"},
    {"refresh", vmh_cmd_refresh, "ask the backends now and rewrite the cache"},
    {"watch", vmh_cmd_watch, "keep the cache fresh as containers and VMs start and stop"},
    {"enable", vmh_cmd_enable, "add vmhosts to the hosts: line of /etc/nsswitch.conf"},
    {"disable", vmh_cmd_disable, "remove vmhosts from /etc/nsswitch.conf"},
    {"dns", vmh_cmd_dns, "answer DNS queries for the same names, for programs without NSS"},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
    fputs("Usage: vmhosts COMMAND [OPTIONS]\n"
          "\n"
          "Makes containers and VMs (Docker, Podman, multipass, LXD, Incus, libvirt)\n"
          "resolvable by name for every program, through the vmhosts NSS module.\n"
          "\n"
          "Commands:\n", out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "  vmhosts help COMMAND, or vmhosts COMMAND --help, tells more.\n"
          "  vmhosts --version prints the version.\n"
          "\n"
          "Exit status: 0 success, 1 failure, 2 bad arguments; lookup and refresh say\n"
          "more in their --help.  Trouble resolving?  vmhosts status, then\n"
          "vmhosts lookup NAME.\n"
          "\n"
          "Settings: /etc/vmhosts.conf, or the file VMHOSTS_CONF names.\n"
          "See vmhosts(1), vmhosts.conf(5), nss-vmhosts(8).\n", out);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Why the settings file could not be read, for a person: two of the
 * errors vmh_config_load gives have its own meaning (config.h). */
static const char *settings_error_text(int error)
{
    if (error == ENOSYS)
        return "/proc is not mounted, and the file is opened through it so that a link "
               "swapped meanwhile cannot redirect the open (mount -t proc proc /proc)";
    if (error == EINVAL)
        return "not a regular file";
    return strerror(error);
}

static struct vmh_config cli_config;
static struct vmh_config_notes cli_notes;
static bool cli_config_loaded;

/* The module skips a bad line silently (it must); a person running the
 * command should hear about it, and does from the same parse. */
const struct vmh_config *vmh_cli_config(void)
{
    if (!cli_config_loaded) {
        cli_config_loaded = true;
        memset(&cli_notes, 0, sizeof cli_notes);
        if (vmh_config_load(&cli_config, vmh_config_note, &cli_notes) == 0) {
            if (cli_notes.first_bad_line > 0)
                fprintf(stderr, "vmhosts: warning: %s:%u is not a valid `key = value` setting "
                                "and was skipped (see vmhosts.conf(5))\n",
                        cli_config.path, cli_notes.first_bad_line);
        } else if (cli_config.untrusted) {
            fprintf(stderr, "vmhosts: warning: ignoring %s: %s; using the defaults\n",
                    cli_config.path, vmh_untrusted_settings_text());
        } else {
            fprintf(stderr, "vmhosts: warning: cannot read %s: %s; using the defaults\n",
                    vmh_config_path(), settings_error_text(errno));
        }
    }
    return &cli_config;
}

const struct vmh_config *vmh_cli_config_reload(void)
{
    cli_config_loaded = false;
    return vmh_cli_config();
}

const struct vmh_config_notes *vmh_cli_config_notes(void)
{
    vmh_cli_config();
    return &cli_notes;
}

/* `vmhosts help [COMMAND]`. */
static int run_help(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stdout);
        return VMH_EXIT_OK;
    }
    const struct command *command = find_command(argv[1]);
    if (!command) {
        fprintf(stderr, "vmhosts: no help for \"%s\": there is no such command\n", argv[1]);
        print_usage(stderr);
        return VMH_EXIT_USAGE;
    }
    char *help_argv[] = {(char *)command->name, (char *)"--help", NULL};
    return command->run(2, help_argv);
}

static int dispatch(int argc, char **argv)
{
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
        return run_help(argc - 1, argv + 1);
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("vmhosts %s\n", PACKAGE_VERSION);
        return VMH_EXIT_OK;
    }
    const struct command *command = find_command(name);
    if (!command) {
        fprintf(stderr, "vmhosts: unknown command \"%s\"\n\n", name);
        print_usage(stderr);
        return VMH_EXIT_USAGE;
    }
    return command->run(argc - 1, argv + 1);
}

/* A file size limit of the process that resolved a name (RLIMIT_FSIZE 0
 * in a sandboxed host) reaches the refresher it started: without this, the
 * first write of the cache kills it with SIGXFSZ and leaves its temporary
 * file behind.  Raised as far as the hard limit allows; past that, a write
 * fails with EFBIG, which the writer reports and cleans up after. */
static void allow_file_writes(void)
{
    struct rlimit limit;
    signal(SIGXFSZ, SIG_IGN);
    if (getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_FSIZE, &limit);
    }
}

int main(int argc, char **argv)
{
    allow_file_writes();
    if (argc < 2) {
        print_usage(stderr);
        return VMH_EXIT_USAGE;
    }
    /* Once, before any thread or handle exists, as libcurl requires. */
    CURLcode curl_status = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (curl_status != CURLE_OK) {
        fprintf(stderr, "vmhosts: cannot start libcurl: %s\n", curl_easy_strerror(curl_status));
        return VMH_EXIT_FAILURE;
    }
    int status = dispatch(argc, argv);
    curl_global_cleanup();
    return status;
}
