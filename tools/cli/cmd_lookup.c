/* `vmhosts lookup NAME`: what the module answers for a name and why: the
 * rule that decided, the record, the cache and its age; for a name that
 * does not resolve, the reason and what to do.  The answer comes from the
 * module's own code (vmh_name_classify, vmh_resolve) over the cache the
 * module would choose, refreshed when the module would refresh it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "decide.h"
#include "explain.h"
#include "explain_miss.h"
#include "names.h"
#include "parse_options.h"
#include "resolve.h"
#include "texts.h"

static const char usage_text[] =
    "Usage: vmhosts lookup [-4|-6] [--no-refresh] NAME\n"
    "\n"
    "Shows what the vmhosts module answers for NAME and why: the rule that matched\n"
    "(container ID, name, ID prefix, hostname, Compose service, a name on one\n"
    "network, a name a label chose, a wildcard, a VM or instance name), the\n"
    "container or VM, and the cache it came from with its age.  For a name that\n"
    "does not resolve it says why (not ours, not running, ambiguous ID prefix,\n"
    "backend unavailable, no such container) and what to do.  Like the module, it\n"
    "refreshes a stale cache, or one that misses a container or VM name, first.\n"
    "\n"
    "  -4, -6             ask for IPv4 or IPv6 addresses only (default: both)\n"
    "  -n, --no-refresh   answer from the cache as it is\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 the name resolves, 1 a name of ours that does not resolve\n"
    "(NOTFOUND: no such container, not running, ambiguous, no address), 2 bad\n"
    "arguments, 3 not a name vmhosts answers (UNAVAIL: the next source answers),\n"
    "4 the backend is unavailable (UNAVAIL).\n";

struct lookup_options {
    int family;
    bool no_refresh;
    const char *name;
};

/* The slot behind the cache that answered. */
static const struct vmh_cli_cache *slot_of(const struct vmh_cli_view *view,
                                           const struct vmh_cache *cache)
{
    return !cache ? NULL : cache == &view->root.cache ? &view->root : &view->own;
}

/* Resolves as the module does (vmh_decide), refreshing first when the
 * decision says so and no watcher keeps the cache. */
static const struct vmh_cli_cache *resolve(struct vmh_cli_view *view, const struct vmh_name *name,
                                           const struct lookup_options *options,
                                           struct vmh_answer *answer)
{
    struct vmh_decision decision;
    vmh_decide(&view->own.cache, &view->root.cache, view->config, name, options->family, answer,
               &decision);
    const struct vmh_cli_cache *slot = slot_of(view, decision.cache);
    bool watched = slot && slot->watched &&
                   vmh_watcher_covers(view->config, slot == &view->root, geteuid(), name, answer,
                                      true);
    if (options->no_refresh || watched || !decision.refresh)
        return slot;
    vmh_view_refresh(view, decision.backend);
    vmh_decide(&view->own.cache, &view->root.cache, view->config, name, options->family, answer,
               &decision);
    return slot_of(view, decision.cache);
}

static void print_addresses(FILE *out, const struct vmh_answer *answer)
{
    for (uint32_t i = 0; i < answer->addr_count; i++) {
        char text[64];
        vmh_format_address(&answer->addrs[i], text, sizeof text);
        fprintf(out, "%s%s", i ? " " : "", text);
    }
}

static void print_glibc_status(const struct vmh_answer *answer)
{
    fputs("  status: ", stdout);
    switch (answer->result) {
    case VMH_FOUND:
        puts("SUCCESS");
        break;
    case VMH_NOT_FOUND:
        puts("NOTFOUND (HOST_NOT_FOUND): the next source is asked, unless\n"
             "          [NOTFOUND=return] follows vmhosts on the hosts: line");
        break;
    case VMH_NO_DATA:
        puts("NOTFOUND (NO_DATA)");
        break;
    case VMH_UNAVAILABLE:
        printf("UNAVAIL (%s): the next source is asked\n", strerror(answer->cause_errno));
        break;
    case VMH_NOT_OURS:
    default:
        puts("UNAVAIL (ENOENT): not ours, the next source answers");
        break;
    }
}

static void print_record(const struct vmh_cli_cache *slot, const struct vmh_answer *answer)
{
    const struct vmh_cache *cache = &slot->cache;
    const struct vmh_cache_record *record = &cache->records[answer->record];
    const char *hostname = vmh_cache_string(cache, record->hostname);
    const char *service = vmh_cache_string(cache, record->service);
    enum vmh_backend backend = vmh_record_backend(cache, record);
    if (vmh_backend_names(backend) == VMH_NAMES_CONTAINER) {
        printf("  record: container %s, ID %s, %s", vmh_cache_string(cache, record->name),
               vmh_cache_string(cache, record->id),
               record->state == VMH_STATE_RUNNING ? "running" : "not running");
        if (hostname[0])
            printf(", hostname %s", hostname);
        if (service[0])
            printf(", Compose service %s of %s", service,
                   vmh_cache_string(cache, record->project));
    } else {
        printf("  record: %s %s %s, %s", vmh_backend_name(backend),
               vmh_backend_of(backend) ? vmh_backend_of(backend)->noun : "host",
               vmh_cache_string(cache, record->name),
               record->state == VMH_STATE_RUNNING ? "running" : "not running");
    }
    putchar('\n');
    if (answer->canonical[0])
        printf("  canonical name: %s\n", answer->canonical);
}

static void print_cache(const struct vmh_cli_view *view, const struct vmh_cli_cache *slot,
                        enum vmh_backend backend)
{
    char path[VMH_PATH_MAX + 32], age[64];
    if (!slot) {
        printf("  cache:  none readable (%s/%s: %s)\n", view->own.dir, VMH_CACHE_FILE,
               vmh_cache_error_text(view->own.error));
        return;
    }
    const struct vmh_cache_backend *state = vmh_cache_state(&slot->cache, backend);
    vmh_cache_path(slot, path, sizeof path);
    vmh_format_age(state->updated_ms, age, sizeof age);
    printf("  cache:  %s (%s), %s last %s %s%s%s\n", path, slot->whose,
           vmh_backend_name(backend), slot->watched ? "changed" : "answered", age,
           view->refreshed[backend] ? ", refreshed just now" : "",
           slot->watched ? ", kept fresh by vmhosts watch" : "");
}

static int exit_status(const struct vmh_answer *answer)
{
    switch (answer->result) {
    case VMH_FOUND:       return VMH_EXIT_OK;
    case VMH_NOT_OURS:    return VMH_EXIT_NOT_OURS;
    case VMH_UNAVAILABLE: return VMH_EXIT_UNAVAILABLE;
    case VMH_NOT_FOUND:
    case VMH_NO_DATA:
    default:              return VMH_EXIT_FAILURE;
    }
}

static int explain(struct vmh_cli_view *view, const struct lookup_options *options)
{
    struct vmh_name name;
    struct vmh_answer answer;
    const struct vmh_cli_cache *slot = NULL;
    if (vmh_name_classify(options->name, view->config, &name) == VMH_NAME_NOT_OURS) {
        memset(&answer, 0, sizeof answer);
        answer.result = VMH_NOT_OURS;
        answer.rule = VMH_RULE_NOT_OURS;
    } else {
        slot = resolve(view, &name, options, &answer);
    }
    printf("%s: ", options->name);
    if (answer.result == VMH_FOUND)
        print_addresses(stdout, &answer);
    else
        fputs("does not resolve", stdout);
    putchar('\n');
    print_glibc_status(&answer);
    printf("  rule:   %s\n", vmh_rule_text(answer.rule));
    if (answer.result == VMH_FOUND && slot) {
        print_record(slot, &answer);
        vmh_explain_label_claims(stdout, &slot->cache, &name, &answer);
    }
    if (answer.result != VMH_FOUND &&
        !(answer.result == VMH_NOT_OURS && vmh_explain_labels(stdout, view->config, options->name)))
        vmh_miss_explain(stdout, view, slot, &name, &answer);
    if (name.kind != VMH_NAME_NOT_OURS)
        print_cache(view, slot, name.backend);
    return exit_status(&answer);
}

int vmh_cmd_lookup(int argc, char **argv)
{
    struct lookup_options options = {.family = AF_UNSPEC};
    const struct vmh_option table[] = {OPT_SET_INT('4', NULL, &options.family, AF_INET),
                                       OPT_SET_INT('6', NULL, &options.family, AF_INET6),
                                       OPT_BOOL('n', "no-refresh", &options.no_refresh),
                                       OPT_END()};
    const struct vmh_command_syntax syntax = {.name = "lookup", .options = table,
                                              .usage = usage_text, .operand = "NAME",
                                              .operand_noun = "name"};
    int status = vmh_parse_options(&syntax, argc, argv, &options.name);
    if (status != VMH_OPTIONS_GO_ON)
        return status;
    struct vmh_cli_view view;
    vmh_view_open(&view, vmh_cli_config());
    status = explain(&view, &options);
    vmh_view_close(&view);
    if (fflush(stdout) != 0)
        status = VMH_EXIT_FAILURE;
    return status;
}
