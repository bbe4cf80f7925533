/* `vmhosts list`: every name the module answers right now, with its
 * addresses and the container or VM behind it; a table, or JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "explain.h"
#include "explain_names.h"
#include "parse_options.h"
#include "texts.h"

static const char usage_text[] =
    "Usage: vmhosts list [--json] [--no-refresh]\n"
    "\n"
    "Lists every name the vmhosts module answers, with its addresses, its source\n"
    "(docker, multipass, lxd, incus or libvirt) and the container or VM behind it.\n"
    "The names come from the cache the module would read (root's or your own,\n"
    "whichever is newer); like the module, a cache older than its ttl is refreshed\n"
    "first.\n"
    "\n"
    "  -j, --json         one JSON object, for scripts\n"
    "  -n, --no-refresh   show the cache as it is, even when stale\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 listed (perhaps nothing), 1 no cache could be read or the\n"
    "output failed, 2 bad arguments.  A backend that is down is named on stderr.\n";

struct list_options {
    bool json, no_refresh;
};

/* "a,b,c" into out. */
static void join_addresses(const struct vmh_answer *answer, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < answer->addr_count && used < size; i++) {
        char text[64];
        vmh_format_address(&answer->addrs[i], text, sizeof text);
        int length = snprintf(out + used, size - used, "%s%s", i ? "," : "", text);
        if (length < 0)
            break;
        used += (size_t)length;
    }
}

/* "web (0123456789ab)" for a record with an ID (a container), else the
 * name (a VM). */
static void describe_target(const struct vmh_name_entry *entry, char *out, size_t size)
{
    const struct vmh_cache *cache = &entry->slot->cache;
    const struct vmh_cache_record *record = vmh_name_entry_record(entry);
    const char *name = vmh_cache_string(cache, record->name);
    const char *id = vmh_cache_string(cache, record->id);
    if (!id[0]) {
        snprintf(out, size, "%s", name);
        return;
    }
    char short_id[13];
    vmh_short_id(id, short_id);
    snprintf(out, size, "%s (%s)", name, short_id);
}

struct row {
    char addresses[VMH_ANSWER_MAX_ADDRS * 48];
    char target[VMH_NAME_MAX + 32];
};

static void print_table(const struct vmh_name_entry *entries, size_t count)
{
    struct row *rows = calloc(count ? count : 1, sizeof *rows);
    int name_width = 4, address_width = 9, target_width = 12;
    if (!rows)
        return;
    for (size_t i = 0; i < count; i++) {
        join_addresses(&entries[i].answer, rows[i].addresses, sizeof rows[i].addresses);
        describe_target(&entries[i], rows[i].target, sizeof rows[i].target);
        int name_length = (int)strlen(entries[i].name);
        int address_length = (int)strlen(rows[i].addresses);
        int target_length = (int)strlen(rows[i].target);
        target_width = target_length > target_width ? target_length : target_width;
        name_width = name_length > name_width ? name_length : name_width;
        address_width = address_length > address_width ? address_length : address_width;
    }
    /* RULE last: where the name comes from (the rule a lookup of it follows). */
    printf("%-*s  %-*s  %-9s  %-*s  %s\n", name_width, "NAME", address_width, "ADDRESSES",
           "SOURCE", target_width, "CONTAINER/VM", "RULE");
    for (size_t i = 0; i < count; i++)
        printf("%-*s  %-*s  %-9s  %-*s  %s\n", name_width, entries[i].name, address_width,
               rows[i].addresses, vmh_backend_name(vmh_name_entry_record(&entries[i])->backend),
               target_width, rows[i].target, vmh_rule_text(entries[i].answer.rule));
    free(rows);
}

static json_t *entry_json(const struct vmh_name_entry *entry)
{
    const struct vmh_cache *cache = &entry->slot->cache;
    const struct vmh_cache_record *record = vmh_name_entry_record(entry);
    json_t *addresses = json_array();
    for (uint32_t i = 0; i < entry->answer.addr_count; i++) {
        char text[64];
        vmh_format_address(&entry->answer.addrs[i], text, sizeof text);
        json_array_append_new(addresses, json_string(text));
    }
    const char *id = vmh_cache_string(cache, record->id);
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:s}", "name", entry->name, "addresses",
                     addresses, "source", vmh_backend_name(vmh_record_backend(cache, record)), "target",
                     vmh_cache_string(cache, record->name), "rule",
                     vmh_rule_text(entry->answer.rule), "id",
                     id[0] ? json_string(id) : json_null(), "canonical", entry->answer.canonical);
}

static json_t *backend_json(const struct vmh_cli_view *view, enum vmh_backend backend)
{
    const struct vmh_cli_cache *slot = vmh_view_choose(view, backend);
    char path[VMH_PATH_MAX + 32];
    if (!slot)
        return json_pack("{s:s, s:n}", "status", "no cache", "cache");
    const struct vmh_cache_backend *state = vmh_cache_state(&slot->cache, backend);
    vmh_cache_path(slot, path, sizeof path);
    return json_pack("{s:s, s:s, s:s, s:I, s:s, s:b}", "status",
                     vmh_backend_status_name(state->status), "message",
                     vmh_cache_string(&slot->cache, state->message), "cache", path,
                     "updated_ms", (json_int_t)state->updated_ms, "whose", slot->whose,
                     "watched", slot->watched);
}

static int print_json(const struct vmh_cli_view *view, const struct vmh_name_entry *entries,
                      size_t count)
{
    json_t *names = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(names, entry_json(&entries[i]));
    json_t *backends = json_object();
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        json_object_set_new(backends, (*ops)->name, backend_json(view, (*ops)->section));
    json_t *top = json_pack("{s:o, s:o}", "names", names, "backends", backends);
    int status = top && json_dumpf(top, stdout, JSON_INDENT(2)) == 0 ? 0 : -1;
    putchar('\n');
    json_decref(top);
    return status;
}

/* Says on stderr why a backend's names are missing from the list. */
static void warn_backends(const struct vmh_cli_view *view)
{
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        enum vmh_backend backend = (*ops)->section;
        const struct vmh_cli_cache *slot = vmh_view_choose(view, backend);
        if (!slot)
            continue;
        const struct vmh_cache_backend *state = vmh_cache_state(&slot->cache, backend);
        if (state->status == VMH_STATUS_OK)
            continue;
        const char *message = vmh_cache_string(&slot->cache, state->message);
        fprintf(stderr, "vmhosts list: %s: %s%s%s: its names do not resolve now\n  %s\n",
                (*ops)->name, vmh_backend_status_name(state->status), message[0] ? ": " : "",
                message, vmh_backend_advice(backend, state->status, message));
    }
}

int vmh_cmd_list(int argc, char **argv)
{
    struct list_options options = {0};
    const struct vmh_option table[] = {OPT_BOOL('j', "json", &options.json),
                                       OPT_BOOL('n', "no-refresh", &options.no_refresh),
                                       OPT_END()};
    const struct vmh_command_syntax syntax = {
        .name = "list", .options = table, .usage = usage_text};
    int status = vmh_parse_options(&syntax, argc, argv, NULL);
    if (status != VMH_OPTIONS_GO_ON)
        return status;
    struct vmh_cli_view view;
    vmh_view_open(&view, vmh_cli_config());
    if (!options.no_refresh)
        vmh_view_refresh_stale(&view, VMH_SNAPSHOT_ALL);
    if (!view.own.cache.data && !view.root.cache.data) {
        fprintf(stderr, "vmhosts list: no cache to read (%s: %s)\n  run `vmhosts refresh` "
                        "to see why none can be written\n",
                view.own.dir, vmh_cache_error_text(view.own.error));
        vmh_view_close(&view);
        return VMH_EXIT_FAILURE;
    }
    struct vmh_name_entry *entries = NULL;
    size_t count = 0;
    status = VMH_EXIT_OK;
    if (vmh_names_collect(&view, &entries, &count) != 0) {
        fputs("vmhosts list: out of memory\n", stderr);
        status = VMH_EXIT_FAILURE;
    } else {
        warn_backends(&view);
        if (options.json && print_json(&view, entries, count) != 0)
            status = VMH_EXIT_FAILURE;
        else if (!options.json && count == 0)
            printf("no running container or VM answers a name\n");
        else if (!options.json)
            print_table(entries, count);
    }
    free(entries);
    vmh_view_close(&view);
    if (fflush(stdout) != 0)
        status = VMH_EXIT_FAILURE;
    return status;
}
