/* `multipass list --format=json` to hosts.  Read by key, never by position:
 * key order, the `release` text and extra keys (the `zone` object of 1.17)
 * change between multipass versions (tests/fixtures/README.md). */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipass.h"

#define NOT_A_LIST "multipass printed something that is not its JSON list"

/* "Running" and "Delayed Shutdown" are the states in which the VM is up and
 * answers on its address: `multipass stop --time N` leaves it running, with
 * its ipv4 still listed, until the delay ends.  Every other state (Starting,
 * Restarting, Suspending, Suspended, Stopped, Deleted, Unknown, Unavailable)
 * either has no address yet or one that is on its way out and may soon be
 * handed to another VM, so such a VM is listed but does not resolve. */
static int state_of(const json_t *entry)
{
    const char *state = json_string_value(json_object_get(entry, "state"));
    if (state && (strcasecmp(state, "Running") == 0 || strcasecmp(state, "Delayed Shutdown") == 0))
        return VMH_STATE_RUNNING;
    return VMH_STATE_STOPPED;
}

/* Only the first entry is the VM's own address: later ones are interfaces
 * inside the guest (its docker0, bridges).  "N/A" (address not known yet),
 * an IPv6 address or anything else that is not an IPv4 gives no address,
 * and we do not fall back to a later entry, which would be a guest bridge. */
static void add_first_ipv4(struct vmh_host *host, const json_t *entry)
{
    const char *text = json_string_value(json_array_get(json_object_get(entry, "ipv4"), 0));
    struct in_addr parsed;
    if (text && inet_pton(AF_INET, text, &parsed) == 1)
        vmh_host_add_address(host, text);
}

/* Appends one list entry.  An entry without a name that is a host name
 * (none, or one with a byte no host name has) is skipped: a VM is reached
 * by its name alone, so without one it has nothing to answer.  Returns -1
 * only when out of memory. */
static int add_entry(struct vmh_snapshot *out, const json_t *entry)
{
    char *copy;
    if (vmh_host_copy_name(&copy, json_string_value(json_object_get(entry, "name"))) != 0)
        return -1;
    if (!copy)
        return 0;
    struct vmh_host *host = vmh_snapshot_add(out);
    if (!host) {
        free(copy);
        return -1;
    }
    host->name = copy;
    host->backend = VMH_BACKEND_MULTIPASS;
    host->state = (uint8_t)state_of(entry);
    if (host->state == VMH_STATE_RUNNING)
        add_first_ipv4(host, entry);
    return 0;
}

/* Takes back the hosts appended by a parse that failed half-way, so that a
 * failed parse leaves *out as it found it.  We set only `name`. */
static void drop_hosts_from(struct vmh_snapshot *out, size_t first)
{
    for (size_t i = first; i < out->count; i++) {
        free(out->hosts[i].name);
        out->hosts[i].name = NULL;
    }
    out->count = first;
}

static int add_entries(const json_t *list, struct vmh_snapshot *out, char *err, size_t err_size)
{
    size_t first = out->count;
    size_t index;
    const json_t *entry;
    json_array_foreach(list, index, entry) {
        if (add_entry(out, entry) != 0) {
            drop_hosts_from(out, first);
            vmh_parse_error(err, err_size, "out of memory while reading multipass's list");
            return -1;
        }
    }
    return 0;
}

int vmh_multipass_parse_list(const char *text, size_t length, struct vmh_snapshot *out, char *err,
                             size_t err_size)
{
    if (!text || !out) {
        vmh_parse_error(err, err_size, NOT_A_LIST " (it printed nothing)");
        return -1;
    }
    /* Default flags: invalid UTF-8, raw NUL bytes, an escaped \u0000 and
     * anything after the top-level value are all parse errors, and jansson
     * caps nesting depth, so hostile output cannot exhaust the stack. */
    json_error_t parse_error;
    json_t *root = json_loadb(text, length, 0, &parse_error);
    if (!root) {
        vmh_parse_error(err, err_size, NOT_A_LIST " (line %d, column %d: %s)", parse_error.line,
                  parse_error.column, parse_error.text);
        return -1;
    }
    const json_t *list = json_object_get(root, "list");
    int result = -1;
    if (!json_is_object(root) || !json_is_array(list))
        vmh_parse_error(err, err_size, NOT_A_LIST " (no \"list\" array at the top)");
    else
        result = add_entries(list, out, err, err_size);
    json_decref(root);
    return result;
}
