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
static void join_addresses(const struct vmh_name_entry *entry, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < entry->addr_count && used < size; i++) {
        char text[64];
        vmh_format_address(&entry->addrs[i], text, sizeof text);
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

/* A row's addresses and container or VM, made again for each of the two
 * passes rather than kept: 3 KiB a row, 1 GB for 300,000 names. */
struct row {
    char addresses[VMH_ANSWER_MAX_ADDRS * 48];
    char target[VMH_NAME_MAX + 32];
};

static void fill_row(const struct vmh_name_entry *entry, struct row *row)
{
    join_addresses(entry, row->addresses, sizeof row->addresses);
    describe_target(entry, row->target, sizeof row->target);
}

static void print_table(const struct vmh_name_entry *entries, size_t count)
{
    struct row row;
    int name_width = 4, address_width = 9, target_width = 12;
    for (size_t i = 0; i < count; i++) {
        fill_row(&entries[i], &row);
        int name_length = (int)strlen(entries[i].name);
        int address_length = (int)strlen(row.addresses);
        int target_length = (int)strlen(row.target);
        target_width = target_length > target_width ? target_length : target_width;
        name_width = name_length > name_width ? name_length : name_width;
        address_width = address_length > address_width ? address_length : address_width;
    }
    /* RULE last: where the name comes from (the rule a lookup of it follows). */
    printf("%-*s  %-*s  %-9s  %-*s  %s\n", name_width, "NAME", address_width, "ADDRESSES",
           "SOURCE", target_width, "CONTAINER/VM", "RULE");
    for (size_t i = 0; i < count; i++) {
        fill_row(&entries[i], &row);
        printf("%-*s  %-*s  %-9s  %-*s  %s\n", name_width, entries[i].name, address_width,
               row.addresses, vmh_backend_name(vmh_name_entry_record(&entries[i])->backend),
               target_width, row.target, vmh_rule_text(entries[i].rule));
    }
}

static json_t *entry_json(const struct vmh_name_entry *entry)
{
    const struct vmh_cache *cache = &entry->slot->cache;
    const struct vmh_cache_record *record = vmh_name_entry_record(entry);
    json_t *addresses = json_array();
    for (uint32_t i = 0; i < entry->addr_count; i++) {
        char text[64];
        vmh_format_address(&entry->addrs[i], text, sizeof text);
        json_array_append_new(addresses, json_string(text));
    }
    const char *id = vmh_cache_string(cache, record->id);
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:s}", "name", entry->name, "addresses",
                     addresses, "source", vmh_backend_name(vmh_record_backend(cache, record)), "target",
                     vmh_cache_string(cache, record->name), "rule",
                     vmh_rule_text(entry->rule), "id",
                     id[0] ? json_string(id) : json_null(), "canonical", entry->canonical);
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

/* One name's object, as json_dumpf prints it inside the list's array:
 * its lines four spaces in. */
static int print_name_json(const struct vmh_name_entry *entry, bool first)
{
    json_t *object = entry_json(entry);
    char *text = object ? json_dumps(object, JSON_INDENT(2)) : NULL;
    json_decref(object);
    if (!text)
        return -1;
    fputs(first ? "\n    " : ",\n    ", stdout);
    for (const char *c = text; *c; c++) {
        putchar(*c);
        if (*c == '\n')
            fputs("    ", stdout);
    }
    free(text);
    return 0;
}

/* The object json_dumpf would print, with the names printed one at a time
 * into its empty array: a tree of 300,000 names took 340 MB. */
static int print_json(const struct vmh_cli_view *view, const struct vmh_name_entry *entries,
                      size_t count)
{
    static const char empty[] = "\"names\": []";
    json_t *backends = json_object();
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        json_object_set_new(backends, (*ops)->name, backend_json(view, (*ops)->section));
    json_t *top = json_pack("{s:[], s:o}", "names", "backends", backends);
    char *text = top ? json_dumps(top, JSON_INDENT(2)) : NULL;
    json_decref(top);
    char *names = text ? strstr(text, empty) : NULL;
    int status = names ? 0 : -1;
    if (names && count > 0) {
        fwrite(text, 1, (size_t)(names - text) + sizeof empty - 2, stdout);
        for (size_t i = 0; i < count && status == 0; i++)
            status = print_name_json(&entries[i], i == 0);
        fputs("\n  ]", stdout);
        names += sizeof empty - 1;
    } else if (names) {
        names = text;
    }
    if (status == 0)
        printf("%s\n", names);
    free(text);
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
    struct vmh_name_list names;
    status = VMH_EXIT_OK;
    if (vmh_names_collect(&view, &names) != 0) {
        fputs("vmhosts list: out of memory\n", stderr);
        status = VMH_EXIT_FAILURE;
    } else {
        warn_backends(&view);
        if (options.json && print_json(&view, names.entries, names.count) != 0)
            status = VMH_EXIT_FAILURE;
        else if (!options.json && names.count == 0)
            printf("no running container or VM answers a name\n");
        else if (!options.json)
            print_table(names.entries, names.count);
    }
    vmh_names_free(&names);
    vmh_view_close(&view);
    if (fflush(stdout) != 0)
        status = VMH_EXIT_FAILURE;
    return status;
}
