/* A collected list entry (docker_entry.h) to a host: the rules a container
 * of the list follows, whatever order its fields came in.  Every field
 * may be missing or of the wrong type: Docker, Podman and old API versions
 * each leave out different fields (tests/fixtures/README.md). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docker.h"
#include "docker_entry.h"

/* A real ID is 64 hex digits; a longer one is not Docker's. */
#define ID_MAX 64

static const char *text_of(const struct vmh_docker_entry *entry, size_t text)
{
    return text == VMH_TEXT_NONE ? NULL : entry->text + text;
}

/* The ID goes into cache keys and into the inspect URL, so anything but
 * hex is refused rather than escaped. */
static char *lowercase_hex_id(const char *text)
{
    size_t length = text ? strlen(text) : 0;
    if (length == 0 || length > ID_MAX)
        return NULL;
    char *id = malloc(length + 1);
    if (!id)
        return NULL;
    for (size_t i = 0; i <= length; i++) {
        if (i < length && !isxdigit((unsigned char)text[i])) {
            free(id);
            return NULL;
        }
        id[i] = (char)tolower((unsigned char)text[i]);
    }
    return id;
}

/* Names[0] is "/name"; other entries of old APIs are link aliases
 * ("/other/alias"), never the container's own name.  Without a name that is
 * a host name (none; one with a label past 64 characters, which Docker
 * allows; one a forged answer fills with a newline) the container is named
 * by its short ID, as `docker ps` shows it: still reachable by ID and
 * hostname, and the name answered is one Docker gave it. */
static int set_name(struct vmh_host *host, const char *name)
{
    if (name && name[0] == '/')
        name++;
    if (vmh_host_copy_name(&host->name, name) != 0)
        return -1;
    if (!host->name)
        host->name = strndup(host->id, 12);
    return host->name ? 0 : -1;
}

/* `State` appeared in API 1.23; before it only `Status` ("Up 5 minutes",
 * "Exited (0) ...") tells.  A paused container ("paused") does not answer. */
static int state_of(const struct vmh_docker_entry *entry)
{
    const char *state = text_of(entry, entry->state);
    if (state)
        return strcmp(state, "running") == 0 ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
    const char *status = text_of(entry, entry->status);
    return status && strncmp(status, "Up", 2) == 0 ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
}

/* The list has no hostname; the previous snapshot may know it, which spares
 * an inspect call per container on every refresh.  Indexed once per list,
 * the first of a repeated ID kept as a scan would find it. */
int vmh_docker_index_known(const struct vmh_snapshot *known, struct vmh_id_table *table)
{
    if (vmh_id_table_init(table, known ? known->count : 0) != 0)
        return -1;
    for (size_t i = 0; known && i < known->count; i++) {
        const struct vmh_host *host = &known->hosts[i];
        if (host->backend == VMH_BACKEND_DOCKER && host->id && host->hostname)
            vmh_id_table_add(table, host);
    }
    return 0;
}

/* Whether the container is on the networks it was on when last
 * inspected, by the same attachments: one it joined since, or left and
 * joined again (`docker network connect --alias`), may give it names only
 * an inspect tells.  An attachment not known on either side (a cache
 * written before the tags, a network without addresses) counts as the
 * same, as before the tags. */
static bool same_networks(const struct vmh_host *old, const struct vmh_host *host)
{
    if (old->network_count != host->network_count)
        return false;
    for (size_t n = 0; n < old->network_count; n++) {
        int number = old->networks[n].name ? vmh_host_network_named(host, old->networks[n].name) : 0;
        if (number <= 0)
            return false;
        uint16_t was = vmh_docker_endpoint_of(old, (int)n + 1);
        uint16_t now = vmh_docker_endpoint_of(host, number);
        if (was && now && was != now)
            return false;
    }
    return true;
}

/* What the previous snapshot knows from the inspect that found it (the
 * hostname; the aliases, which the list has only from API 1.45 on), kept
 * while the container's networks stay the same; otherwise the hostname
 * stays unknown, which has it inspected again.  Both are checked again as
 * names: the previous cache is anyone's to write. */
static int copy_known(struct vmh_host *host, const struct vmh_id_table *known)
{
    const struct vmh_host *old = vmh_id_table_find(known, host->id);
    if (!old || !same_networks(old, host))
        return 0;
    if (vmh_host_copy_name(&host->hostname, old->hostname) != 0)
        return -1;
    for (size_t n = 0; n < old->network_count; n++) {
        int number = vmh_host_network_named(host, old->networks[n].name);
        for (size_t a = 0; number > 0 && a < old->networks[n].alias_count; a++)
            if (vmh_host_add_alias(host, number, old->networks[n].aliases[a]) != 0)
                return -1;
    }
    return 0;
}

void vmh_docker_add_address_of(struct vmh_host *host, const char *text, int family, int network,
                               uint16_t endpoint)
{
    /* An IPv6 address in IPAddress is not the container's IPv4.
     * vmh_host_add_address drops repeats (a container on two networks
     * with one address: the first network keeps it) and unusable ones. */
    unsigned char bytes[16];
    size_t before = host->addr_count;
    if (text && inet_pton(family == 4 ? AF_INET : AF_INET6, text, bytes) == 1 &&
        vmh_host_add_address(host, text) && host->addr_count > before) {
        host->addrs[before].network = (uint8_t)(network > 0 ? network : 0);
        host->addrs[before].endpoint[0] = (uint8_t)(endpoint & 0xffu);
        host->addrs[before].endpoint[1] = (uint8_t)(endpoint >> 8);
    }
}

const char *vmh_docker_published_address(bool present, const char *ip, int family)
{
    unsigned char bytes[16];
    if (present && !ip)
        return NULL;
    if (!ip || !ip[0] || strcmp(ip, "0.0.0.0") == 0)
        ip = "127.0.0.1";
    else if (strcmp(ip, "::") == 0)
        ip = "::1";
    return inet_pton(family == 4 ? AF_INET : AF_INET6, ip, bytes) == 1 ? ip : NULL;
}

bool vmh_docker_on_every_address(bool present, const char *ip)
{
    return !present || !ip || !ip[0] || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

/* The list's "Ports": [{"IP", "PrivatePort", "PublicPort", "Type"}]; a
 * port without PublicPort is only exposed, not reachable.  IPv4 first, and
 * an address of the container's own before the loopback of a port on every
 * address (docker_entry.h): Docker lists the ports in a map's order, which
 * may change from one list to the next. */
static void add_listed_ports(struct vmh_host *host, const struct vmh_docker_entry *entry)
{
    for (int family = 4; family <= 6; family += 2)
        for (int own = 1; own >= 0; own--)
            for (size_t i = 0; i < entry->port_count; i++) {
                const struct vmh_docker_port *port = &entry->ports[i];
                const char *text = text_of(entry, port->ip);
                const char *ip = vmh_docker_published_address(
                    port->ip_kind != VMH_PORT_IP_MISSING, text, family);
                bool present = port->ip_kind != VMH_PORT_IP_MISSING;
                if (port->published && ip && vmh_docker_on_every_address(present, text) != own)
                    vmh_host_add_address(host, ip);
            }
}

/* The Compose project and service, which answer as <service>.<project>;
 * one that is no host name is not recorded, and without both the container
 * has no Compose name.  And the names the container chose (vmhosts.names)
 * and whether the names below them answer it too (vmhosts.wildcard). */
static int copy_labels(struct vmh_host *host, const struct vmh_docker_entry *entry)
{
    if (vmh_host_copy_name(&host->project, text_of(entry, entry->project)) != 0 ||
        vmh_host_copy_name(&host->service, text_of(entry, entry->service)) != 0 ||
        vmh_host_set_chosen_names(host, text_of(entry, entry->chosen)) != 0)
        return -1;
    /* Opt in, exactly: a typo must not hand out every name below. */
    const char *wildcard = text_of(entry, entry->wildcard);
    host->wildcard = wildcard && strcasecmp(wildcard, "true") == 0;
    return 0;
}

/* HostConfig.NetworkMode decides where the addresses come from: "host"
 * shares the machine's (its ports are the machine's own), "none" has none,
 * "container:<x>" has x's, copied once the whole list is read. */
static int add_addresses(struct vmh_host *host, const struct vmh_docker_entry *entry)
{
    const char *mode = text_of(entry, entry->mode);
    if (mode && strcmp(mode, "host") == 0) {
        vmh_host_add_address(host, "127.0.0.1");
        vmh_host_add_address(host, "::1");
        return 0;
    }
    if (mode && strcmp(mode, "none") == 0)
        return 0;
    if (mode && strncmp(mode, "container:", 10) == 0) {
        if (mode[10] && !(host->network_container = strdup(mode + 10)))
            return -1;
        return 0;
    }
    return vmh_docker_entry_networks(host, entry);
}

/* Fills a host appended for the entry; -1 when out of memory. */
static int fill_host(struct vmh_host *host, const struct vmh_docker_entry *entry,
                     const struct vmh_id_table *known, bool rootless)
{
    host->backend = VMH_BACKEND_DOCKER;
    host->state = (uint8_t)state_of(entry);
    host->rootless = rootless;
    if (set_name(host, text_of(entry, entry->name)) != 0 || copy_labels(host, entry) != 0)
        return -1;
    /* A rootless engine's networks live in its user's network namespace,
     * out of the machine's reach: only the published ports are reached. */
    if (rootless) {
        /* Joined to x's network (which lists no ports of its own): reached
         * where x publishes, copied once the whole list is read. */
        const char *mode = text_of(entry, entry->mode);
        if (mode && strncmp(mode, "container:", 10) == 0 && mode[10] &&
            !(host->network_container = strdup(mode + 10)))
            return -1;
        add_listed_ports(host, entry);
        return copy_known(host, known);
    }
    if (add_addresses(host, entry) != 0)
        return -1;
    /* A network it is not on (or no name) puts nothing first. */
    host->preferred_network =
        (uint8_t)vmh_host_network_named(host, text_of(entry, entry->network));
    return copy_known(host, known);
}

int vmh_docker_entry_add(const struct vmh_docker_entry *entry, const struct vmh_id_table *known,
                         bool rootless, struct vmh_snapshot *out)
{
    char *id = lowercase_hex_id(text_of(entry, entry->id));
    if (!id)
        return 0;
    struct vmh_host *host = vmh_snapshot_add(out);
    if (!host) {
        free(id);
        return -1;
    }
    host->id = id;
    return fill_host(host, entry, known, rootless);
}
