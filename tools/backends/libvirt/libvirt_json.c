/* libvirt's lease and MAC files to hosts (libvirt.h).  The files are JSON
 * arrays written by libvirt (src/network/leaseshelper.c, src/util/
 * virmacmap.c); a guest chooses the hostname it sends, so every name is
 * checked like any other backend's. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libvirt.h"

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

/* Current: no expiry (0) or one still ahead. */
static bool current(const json_t *lease, int64_t now_s)
{
    json_int_t expiry = json_integer_value(json_object_get(lease, "expiry-time"));
    return json_is_integer(json_object_get(lease, "expiry-time")) && (expiry == 0 || expiry > now_s);
}

static bool has_mac(const json_t *domain, const char *mac)
{
    size_t index;
    const json_t *value;
    json_array_foreach(json_object_get(domain, "macs"), index, value) {
        if (json_is_string(value) && strcasecmp(json_string_value(value), mac) == 0)
            return true;
    }
    return false;
}

/* The addresses of the current leases that `belongs` accepts, IPv4 first. */
static void add_leases(struct vmh_host *host, const json_t *leases, int64_t now_s,
                       bool (*belongs)(const json_t *lease, const void *whose), const void *whose)
{
    for (int pass = 0; pass < 2; pass++) {
        size_t index;
        const json_t *lease;
        json_array_foreach(leases, index, lease) {
            const char *address = text_of(lease, "ip-address");
            bool v6 = strchr(address, ':') != NULL;
            if (v6 == (pass == 1) && current(lease, now_s) && belongs(lease, whose))
                vmh_host_add_address(host, address);
        }
    }
}

/* A domain by name, among every network's MAC entries: a domain on two
 * networks has an entry in each one's .macs, each with that network's MACs
 * only (libvirt's own NSS module gathers them all too). */
struct domain {
    const json_t *entries;
    const char *name;
};

static bool of_domain(const json_t *lease, const void *whose)
{
    const struct domain *domain = whose;
    const char *mac = text_of(lease, "mac-address");
    size_t index;
    const json_t *entry;
    json_array_foreach(domain->entries, index, entry) {
        if (json_is_object(entry) && strcasecmp(text_of(entry, "domain"), domain->name) == 0 &&
            has_mac(entry, mac))
            return true;
    }
    return false;
}

static bool of_hostname(const json_t *lease, const void *hostname)
{
    return strcasecmp(text_of(lease, "hostname"), hostname) == 0;
}

static bool named(const struct vmh_snapshot *out, size_t first, const char *name)
{
    for (size_t i = first; i < out->count; i++)
        if (out->hosts[i].name && strcasecmp(out->hosts[i].name, name) == 0)
            return true;
    return false;
}

/* One host called `name` (when it is a host name and not one already
 * made), filled by add_leases.  -1 only when out of memory. */
static int add_host(struct vmh_snapshot *out, size_t first, const char *name, enum vmh_backend backend,
                    const json_t *leases, int64_t now_s,
                    bool (*belongs)(const json_t *, const void *), const void *whose)
{
    char *copy;
    if (vmh_host_copy_name(&copy, name) != 0)
        return -1;
    if (!copy || named(out, first, copy)) {
        free(copy);
        return 0;
    }
    struct vmh_host *host = vmh_snapshot_add(out);
    if (!host) {
        free(copy);
        return -1;
    }
    host->name = copy;
    host->backend = (uint8_t)backend;
    host->state = VMH_STATE_RUNNING; /* .macs lists running domains; a lease is a live guest */
    add_leases(host, leases, now_s, belongs, whose);
    return 0;
}

/* Who sent a lease: the domain its MAC belongs to, else the MAC. */
static const char *sender_of(const json_t *macs, const json_t *lease)
{
    const char *mac = text_of(lease, "mac-address");
    size_t index;
    const json_t *entry;
    json_array_foreach(macs, index, entry) {
        if (json_is_object(entry) && has_mac(entry, mac))
            return text_of(entry, "domain");
    }
    return mac;
}

/* Whether every current lease that sent `hostname` came from one guest: a
 * name two guests send is neither's, as a name two containers' labels
 * choose is neither's.  (Most hostnames come in one lease: the senders
 * are looked up only when there are more.) */
static bool one_sender(const json_t *leases, const json_t *macs, const char *hostname,
                       int64_t now_s)
{
    const char *first = NULL;
    size_t index, count = 0;
    const json_t *lease;
    json_array_foreach(leases, index, lease)
        count += json_is_object(lease) && current(lease, now_s) && of_hostname(lease, hostname);
    json_array_foreach(leases, index, lease) {
        if (count < 2 || !json_is_object(lease) || !current(lease, now_s) ||
            !of_hostname(lease, hostname))
            continue;
        const char *sender = sender_of(macs, lease);
        if (first && strcasecmp(first, sender) != 0)
            return false;
        first = sender;
    }
    return true;
}

int vmh_libvirt_add(const json_t *leases, const json_t *macs, int64_t now_s,
                    enum vmh_backend backend, struct vmh_snapshot *out)
{
    size_t first = out->count, index;
    const json_t *item;
    /* Domains first: a domain's name wins over a hostname a guest sent. */
    json_array_foreach(macs, index, item) {
        struct domain domain = {macs, text_of(item, "domain")};
        if (json_is_object(item) &&
            add_host(out, first, domain.name, backend, leases, now_s, of_domain, &domain) != 0)
            return -1;
    }
    json_array_foreach(leases, index, item) {
        const char *hostname = text_of(item, "hostname");
        if (json_is_object(item) && hostname[0] && current(item, now_s) &&
            one_sender(leases, macs, hostname, now_s) &&
            add_host(out, first, hostname, backend, leases, now_s, of_hostname, hostname) != 0)
            return -1;
    }
    return 0;
}

static json_t *load_array(const char *text, size_t length, const char *what, char *err,
                          size_t err_size)
{
    json_error_t error;
    json_t *root = length ? json_loadb(text, length, 0, &error) : json_array();
    if (!root)
        vmh_parse_error(err, err_size, "libvirt's %s is not JSON (line %d: %s)", what,
                        error.line, error.text);
    else if (!json_is_array(root)) {
        vmh_parse_error(err, err_size, "libvirt's %s is not a JSON array", what);
        json_decref(root);
        root = NULL;
    }
    return root;
}

int vmh_libvirt_parse(const char *status, size_t status_length, const char *macs,
                      size_t macs_length, int64_t now_s, enum vmh_backend backend,
                      struct vmh_snapshot *out, char *err, size_t err_size)
{
    json_t *leases = load_array(status ? status : "", status ? status_length : 0, "lease file",
                                err, err_size);
    json_t *domains = leases ? load_array(macs ? macs : "", macs ? macs_length : 0,
                                          "MAC file", err, err_size)
                             : NULL;
    int result = -1;
    size_t first = out->count;
    if (domains && (result = vmh_libvirt_add(leases, domains, now_s, backend, out)) != 0) {
        for (size_t i = first; i < out->count; i++) {
            free(out->hosts[i].name);
            out->hosts[i].name = NULL;
        }
        out->count = first;
        vmh_parse_error(err, err_size, "out of memory while reading libvirt's leases");
    }
    json_decref(leases);
    json_decref(domains);
    return result;
}
