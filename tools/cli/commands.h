/* The subcommands of `vmhosts`.  Each takes its own argv (argv[0] is the
 * subcommand's name), parses it with vmh_parse_options (parse_options.h)
 * from a table of its options, and returns one of the exit statuses
 * below, which mean the same for every command (vmhosts(1) lists them). */
#ifndef VMHOSTS_COMMANDS_H
#define VMHOSTS_COMMANDS_H

#include "config.h"
#include "config_notes.h"
#include "parse_options.h"

#define VMH_EXIT_OK 0
#define VMH_EXIT_FAILURE 1
#define VMH_EXIT_USAGE 2
#define VMH_EXIT_NOT_OURS 3    /* lookup: a name the module leaves to the next source */
#define VMH_EXIT_UNAVAILABLE 4 /* lookup: its backend did not answer the last refresh */
#define VMH_EXIT_NOT_WRITTEN 5 /* refresh: no cache written (refresh.h says so too) */

int vmh_cmd_refresh(int argc, char **argv);
int vmh_cmd_enable(int argc, char **argv);
int vmh_cmd_disable(int argc, char **argv);
int vmh_cmd_list(int argc, char **argv);
int vmh_cmd_lookup(int argc, char **argv);
int vmh_cmd_status(int argc, char **argv);
int vmh_cmd_watch(int argc, char **argv);
int vmh_cmd_dns(int argc, char **argv); /* tools/dns/cmd_dns.c */

/* The settings, loaded on first use (vmhosts.c): defaults, then the file;
 * a bad line or an unreadable file is warned about on stderr once. */
const struct vmh_config *vmh_cli_config(void);
/* The settings read again, for a command that runs on (`vmhosts watch`). */
const struct vmh_config *vmh_cli_config_reload(void);

/* Where each of those settings came from (loading them first if need be). */
const struct vmh_config_notes *vmh_cli_config_notes(void);

/* `--timeout-ms N` of refresh and watch: each refresh's bound, up to a day. */
#define VMH_OPT_TIMEOUT_MS(v) \
    OPT_LONG(0, "timeout-ms", (v), "a number of milliseconds", 1, 24L * 3600 * 1000)

#endif
