/* libvirt's lease and MAC files to hosts (libvirt.h).  The files are JSON
 * arrays written by libvirt (src/network/leaseshelper.c, src/util/
 * virmacmap.c); a guest chooses the hostname it sends, so every name is
 * checked like any other backend's. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt.h"
#include "libvirt_match.h"

/* The addresses of group `number`'s leases, IPv4 first. */
static void add_leases(struct vmh_host *host, const struct vmh_libvirt_match *match,
                       const struct vmh_groups *groups, size_t number)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = groups->start[number]; i < groups->start[number + 1]; i++) {
            const char *address =
                vmh_libvirt_text(match->leases[groups->items[i]], "ip-address");
            if ((strchr(address, ':') != NULL) == (pass == 1))
                vmh_host_add_address(host, address);
        }
    }
}

/* One host called `name` (when it is a host name and not one already
 * made), with the addresses of group `number`.  -1 only when out of
 * memory.  A name with a dot (virt-install's ubuntu22.04) is left out: a
 * libvirt name is one label before its domain (backends.def), so
 * ubuntu22.04.libvirt would never resolve forward while a reverse lookup
 * gave it; `vmhosts lookup` says so. */
static int add_host(struct vmh_snapshot *out, struct vmh_libvirt_match *match, const char *name,
                    enum vmh_backend backend, const struct vmh_groups *groups, size_t number)
{
    char *copy;
    bool added;
    if (strchr(name, '.'))
        return 0;
    if (vmh_host_copy_name(&copy, name) != 0)
        return -1;
    if (!copy || vmh_text_index_find(&match->made, copy) != VMH_TEXT_INDEX_NONE) {
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
    add_leases(host, match, groups, number);
    return vmh_text_index_add(&match->made, copy, &added) == VMH_TEXT_INDEX_NONE ? -1 : 0;
}

/* A domain's addresses are its MACs' leases: a domain on two networks has
 * an entry in each one's .macs, each with that network's MACs only
 * (libvirt's own NSS module gathers them all too).  A hostname's are the
 * leases that sent it, unless two guests did: a name two guests send is
 * neither's, as a name two containers' labels choose is neither's. */
static int add_hosts(struct vmh_libvirt_match *match, const struct vmh_libvirt_network *networks,
                     int64_t now_s, enum vmh_backend backend, struct vmh_snapshot *out)
{
    size_t index;
    const json_t *item;
    /* Domains first: a domain's name wins over a hostname a guest sent. */
    for (size_t n = 0; n < match->networks; n++) {
        json_array_foreach(networks[n].macs, index, item) {
            const char *name = vmh_libvirt_text(item, "domain");
            if (json_is_object(item) &&
                add_host(out, match, name, backend, &match->domain_leases,
                         vmh_text_index_find(&match->domains, name)) != 0)
                return -1;
        }
    }
    for (size_t lease = 0; lease < match->lease_count; lease++) {
        item = match->leases[lease];
        const char *hostname = vmh_libvirt_text(item, "hostname");
        size_t number = hostname[0] && vmh_libvirt_current(item, now_s)
                            ? vmh_text_index_find(&match->hostnames, hostname)
                            : VMH_TEXT_INDEX_NONE;
        if (number != VMH_TEXT_INDEX_NONE && !match->mixed[number] &&
            add_host(out, match, hostname, backend, &match->hostname_leases, number) != 0)
            return -1;
    }
    return 0;
}

int vmh_libvirt_add(const struct vmh_libvirt_network *networks, size_t count, int64_t now_s,
                    enum vmh_backend backend, struct vmh_snapshot *out)
{
    struct vmh_libvirt_match match;
    int result = vmh_libvirt_match(&match, networks, count, now_s) == 0
                     ? add_hosts(&match, networks, now_s, backend, out)
                     : -1;
    vmh_libvirt_match_free(&match);
    return result;
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
    struct vmh_libvirt_network network = {leases, domains};
    if (domains && (result = vmh_libvirt_add(&network, 1, now_s, backend, out)) != 0) {
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
