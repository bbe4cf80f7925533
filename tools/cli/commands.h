/* The subcommands of `vmhosts`.  Each takes its own argv (argv[0] is the
 * subcommand's name), parses it with vmh_parse_options (parse_options.h)
 * from a table of its options, and returns the exit status: 0 success,
 * 1 failure, 2 usage, 3 (refresh) cache not written. */
#ifndef VMHOSTS_COMMANDS_H
#define VMHOSTS_COMMANDS_H

#include "config.h"
#include "config_notes.h"
#include "parse_options.h"

#define VMH_EXIT_OK 0
#define VMH_EXIT_FAILURE 1
#define VMH_EXIT_USAGE 2

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

/* Where each of those settings came from (loading them first if need be). */
const struct vmh_config_notes *vmh_cli_config_notes(void);

/* `--timeout-ms N` of refresh and watch: each refresh's bound, up to a day. */
#define VMH_OPT_TIMEOUT_MS(v) \
    OPT_LONG(0, "timeout-ms", (v), "a number of milliseconds", 1, 24L * 3600 * 1000)

#endif
