/* Docker Engine API JSON to hosts.  Read by key, never by position, and
 * every field may be missing or of the wrong type: Docker, Podman and old
 * API versions each leave out different fields (tests/fixtures/README.md). */
#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docker.h"
#include "id_table.h"
#include "json_arena.h"

#define NOT_A_LIST "Docker answered something that is not a container list"
#define NOT_DETAILS "Docker answered something that is not a container's details"
/* A real ID is 64 hex digits; a longer one is not Docker's. */
#define ID_MAX 64
/* --network container:a, where a is container:b ...: Docker resolves the
 * chain; we follow it this far and no further, so a loop cannot hang us. */
#define NETWORK_HOPS_MAX 8

static const char *string_at(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
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
static int set_name(struct vmh_host *host, const json_t *entry)
{
    const char *name = json_string_value(json_array_get(json_object_get(entry, "Names"), 0));
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
static int state_of(const json_t *entry)
{
    const char *state = string_at(entry, "State");
    if (state)
        return strcmp(state, "running") == 0 ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
    const char *status = string_at(entry, "Status");
    return status && strncmp(status, "Up", 2) == 0 ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
}

/* The list has no hostname; the previous snapshot may know it, which spares
 * an inspect call per container on every refresh.  Indexed once per list,
 * the first of a repeated ID kept as a scan would find it. */
static int index_known(const struct vmh_snapshot *known, struct vmh_id_table *table)
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
 * inspected: one it joined since (`docker network connect --alias`) may
 * give it names only an inspect tells. */
static bool same_networks(const struct vmh_host *old, const struct vmh_host *host)
{
    if (old->network_count != host->network_count)
        return false;
    for (size_t n = 0; n < old->network_count; n++)
        if (!old->networks[n].name || !vmh_host_network_named(host, old->networks[n].name))
            return false;
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

/* An address of the family its field is for: an IPv6 address in IPAddress
 * is not the container's IPv4.  vmh_host_add_address drops repeats (a
 * container on two networks with one address: the first network keeps it)
 * and unusable addresses. */
static void add_address_of(struct vmh_host *host, const char *text, int family, int network)
{
    unsigned char bytes[16];
    size_t before = host->addr_count;
    if (text && inet_pton(family == 4 ? AF_INET : AF_INET6, text, bytes) == 1 &&
        vmh_host_add_address(host, text) && host->addr_count > before)
        host->addrs[before].network = (uint8_t)(network > 0 ? network : 0);
}

/* The names a network gives the container besides its own: Aliases (what
 * --network-alias and Compose set) and DNSNames (API 1.45 on: the names
 * Docker's DNS answers there, the short ID among them). */
static int add_aliases(struct vmh_host *host, int number, const json_t *network)
{
    static const char *const fields[] = {"Aliases", "DNSNames"};
    for (size_t f = 0; number > 0 && f < sizeof fields / sizeof fields[0]; f++) {
        size_t index;
        const json_t *alias;
        json_array_foreach(json_object_get(network, fields[f]), index, alias)
            if (vmh_host_add_alias(host, number, json_string_value(alias)) != 0)
                return -1;
    }
    return 0;
}

/* The aliases of every network of `networks` (an inspect's or the list's)
 * that the host is on; a network it is not on gives it nothing. */
static int add_network_aliases(struct vmh_host *host, const json_t *networks)
{
    const char *name;
    const json_t *network;
    json_object_foreach((json_t *)networks, name, network)
        if (add_aliases(host, vmh_host_network_named(host, name), network) != 0)
            return -1;
    return 0;
}

/* "bridge" first: it is the address `docker inspect` users know and the one
 * other tools show; then by name, so that the order does not follow the
 * daemon's map order and the cache does not change between refreshes. */
static int compare_network_names(const void *left, const void *right)
{
    const char *a = *(const char *const *)left, *b = *(const char *const *)right;
    int a_bridge = strcmp(a, "bridge") == 0, b_bridge = strcmp(b, "bridge") == 0;
    if (a_bridge != b_bridge)
        return b_bridge - a_bridge;
    return strcmp(a, b);
}

/* Each network in that order, numbered, then its addresses: every IPv4
 * before every IPv6, so that a client that tries addresses in order
 * reaches the container by the family every network has. */
static int add_networks_sorted(struct vmh_host *host, const json_t *networks,
                               const char **names, size_t used)
{
    int numbers[VMH_HOST_MAX_NETWORKS + 1];
    size_t count = used < VMH_HOST_MAX_NETWORKS + 1 ? used : VMH_HOST_MAX_NETWORKS + 1;
    for (size_t i = 0; i < count; i++)
        if ((numbers[i] = vmh_host_add_network(host, names[i])) < 0)
            return -1;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < used; i++) {
            const json_t *network = json_object_get(networks, names[i]);
            int number = i < count ? numbers[i] : 0;
            if (pass == 0)
                add_address_of(host, string_at(network, "IPAddress"), 4, number);
            else
                add_address_of(host, string_at(network, "GlobalIPv6Address"), 6, number);
        }
    return add_network_aliases(host, networks);
}

static int add_network_addresses(struct vmh_host *host, const json_t *networks)
{
    size_t count = json_object_size(networks);
    if (!json_is_object(networks) || count == 0)
        return 0;
    const char **names = malloc(count * sizeof *names);
    if (!names)
        return -1;
    size_t used = 0;
    const char *name;
    const json_t *network;
    json_object_foreach((json_t *)networks, name, network)
        if (used < count)
            names[used++] = name;
    qsort(names, used, sizeof *names, compare_network_names);
    int status = add_networks_sorted(host, networks, names, used);
    free(names);
    return status;
}

/* HostConfig.NetworkMode decides where the addresses come from: "host"
 * shares the machine's (its ports are the machine's own), "none" has none,
 * "container:<x>" has x's, copied once the whole list is read. */
static int add_addresses(struct vmh_host *host, const json_t *entry)
{
    const char *mode = string_at(json_object_get(entry, "HostConfig"), "NetworkMode");
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
    return add_network_addresses(host, json_object_get(json_object_get(entry, "NetworkSettings"),
                                                       "Networks"));
}

/* A published port's host address as the user reaches it: an engine that
 * listens on every address (no IP, "" or 0.0.0.0: what a bare `-p 8080:80`
 * gives) is reached on 127.0.0.1, and "::" on ::1.  NULL for anything else
 * that is no address of `family`, a value that is no string included. */
static const char *published_address(const json_t *value, int family)
{
    unsigned char bytes[16];
    const char *ip = json_string_value(value);
    if (value && !ip)
        return NULL;
    if (!ip || !ip[0] || strcmp(ip, "0.0.0.0") == 0)
        ip = "127.0.0.1";
    else if (strcmp(ip, "::") == 0)
        ip = "::1";
    return inet_pton(family == 4 ? AF_INET : AF_INET6, ip, bytes) == 1 ? ip : NULL;
}

/* The list's "Ports": [{"IP", "PrivatePort", "PublicPort", "Type"}]; a
 * port without PublicPort is only exposed, not reachable.  IPv4 first. */
static void add_listed_ports(struct vmh_host *host, const json_t *ports)
{
    size_t index;
    const json_t *port;
    for (int family = 4; family <= 6; family += 2)
        json_array_foreach(ports, index, port) {
            json_int_t public_port = json_integer_value(json_object_get(port, "PublicPort"));
            const char *ip = published_address(json_object_get(port, "IP"), family);
            if (public_port > 0 && ip)
                vmh_host_add_address(host, ip);
        }
}

/* Inspect's NetworkSettings.Ports: {"80/tcp": [{"HostIp", "HostPort"}] or
 * null}; only a binding with a HostPort is published. */
static void add_bound_ports(struct vmh_host *host, const json_t *ports)
{
    const char *key;
    const json_t *bindings, *binding;
    size_t index;
    for (int family = 4; family <= 6; family += 2)
        json_object_foreach((json_t *)ports, key, bindings)
            json_array_foreach(bindings, index, binding) {
                const char *host_port = string_at(binding, "HostPort");
                const char *ip = published_address(json_object_get(binding, "HostIp"), family);
                if (host_port && host_port[0] && ip)
                    vmh_host_add_address(host, ip);
            }
}

/* The Compose project and service, which answer as <service>.<project>;
 * one that is no host name is not recorded, and without both the container
 * has no Compose name.  And the names the container chose (vmhosts.names)
 * and whether the names below them answer it too (vmhosts.wildcard). */
static int copy_labels(struct vmh_host *host, const json_t *entry)
{
    const json_t *labels = json_object_get(entry, "Labels");
    if (vmh_host_copy_name(&host->project, string_at(labels, "com.docker.compose.project")) != 0 ||
        vmh_host_copy_name(&host->service, string_at(labels, "com.docker.compose.service")) != 0 ||
        vmh_host_set_chosen_names(host, string_at(labels, "vmhosts.names")) != 0)
        return -1;
    /* Opt in, exactly: a typo must not hand out every name below. */
    const char *wildcard = string_at(labels, "vmhosts.wildcard");
    host->wildcard = wildcard && strcasecmp(wildcard, "true") == 0;
    return 0;
}

/* Fills a host appended for `entry`; -1 when out of memory. */
static int fill_host(struct vmh_host *host, const json_t *entry, const struct vmh_id_table *known,
                     bool rootless)
{
    host->backend = VMH_BACKEND_DOCKER;
    host->state = (uint8_t)state_of(entry);
    host->rootless = rootless;
    if (set_name(host, entry) != 0 || copy_labels(host, entry) != 0)
        return -1;
    /* A rootless engine's networks live in its user's network namespace,
     * out of the machine's reach: only the published ports are reached. */
    if (rootless) {
        add_listed_ports(host, json_object_get(entry, "Ports"));
        return copy_known(host, known);
    }
    if (add_addresses(host, entry) != 0)
        return -1;
    /* A network it is not on (or no name) puts nothing first. */
    host->preferred_network = (uint8_t)vmh_host_network_named(
        host, string_at(json_object_get(entry, "Labels"), "vmhosts.network"));
    return copy_known(host, known);
}

/* Appends one list entry; one that is not an object or has no hex Id is
 * skipped.  Returns -1 only when out of memory. */
static int add_entry(struct vmh_snapshot *out, const json_t *entry,
                     const struct vmh_id_table *known, bool rootless)
{
    char *id = lowercase_hex_id(string_at(entry, "Id"));
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


static bool all_hex(const char *text)
{
    for (; *text; text++)
        if (!isxdigit((unsigned char)*text))
            return false;
    return true;
}

/* Docker's own order for a reference: full ID, then name, then a unique ID
 * prefix (an ambiguous one names nothing). */
static struct vmh_host *find_container(struct vmh_snapshot *out, size_t first, const char *ref)
{
    if (ref[0] == '/')
        ref++;
    for (size_t i = first; i < out->count; i++)
        if (strcasecmp(out->hosts[i].id, ref) == 0)
            return &out->hosts[i];
    for (size_t i = first; i < out->count; i++)
        if (strcmp(out->hosts[i].name, ref) == 0)
            return &out->hosts[i];
    size_t length = strlen(ref);
    struct vmh_host *found = NULL;
    for (size_t i = first; length > 0 && all_hex(ref) && i < out->count; i++) {
        if (strncasecmp(out->hosts[i].id, ref, length) != 0)
            continue;
        if (found)
            return NULL;
        found = &out->hosts[i];
    }
    return found;
}

/* Only containers of the same list (the same engine) can share a network
 * namespace, so the search stays within the hosts this parse appended. */
static void copy_shared_addresses(struct vmh_snapshot *out, size_t first)
{
    for (size_t i = first; i < out->count; i++) {
        struct vmh_host *host = &out->hosts[i];
        const struct vmh_host *owner = host;
        for (int hop = 0; owner && owner->network_container && hop < NETWORK_HOPS_MAX; hop++)
            owner = find_container(out, first, owner->network_container);
        if (!host->network_container || !owner || owner == host || owner->network_container)
            continue;
        host->addr_count = owner->addr_count;
        memcpy(host->addrs, owner->addrs, owner->addr_count * sizeof owner->addrs[0]);
        /* The networks are the owner's: none of them is the host's. */
        for (size_t a = 0; a < host->addr_count; a++)
            host->addrs[a].network = 0;
    }
}

static int add_entries(const json_t *list, const struct vmh_id_table *known, bool rootless,
                       struct vmh_snapshot *out, char *err, size_t err_size)
{
    if (json_array_size(list) > VMH_DOCKER_CONTAINERS_MAX) {
        vmh_parse_error(err, err_size, "Docker listed %zu containers, more than the %d we accept",
                  json_array_size(list), VMH_DOCKER_CONTAINERS_MAX);
        return -1;
    }
    size_t first = out->count;
    /* Room for all at once: a host is about 700 bytes, and growing the array
     * entry by entry copied it over and over. */
    if (vmh_snapshot_reserve(out, first + json_array_size(list)) != 0) {
        vmh_parse_error(err, err_size, "out of memory while reading Docker's container list");
        return -1;
    }
    size_t index;
    const json_t *entry;
    json_array_foreach(list, index, entry) {
        if (add_entry(out, entry, known, rootless) != 0) {
            /* A failed parse leaves *out as it found it. */
            vmh_snapshot_truncate(out, first);
            vmh_parse_error(err, err_size, "out of memory while reading Docker's container list");
            return -1;
        }
    }
    copy_shared_addresses(out, first);
    return 0;
}

static int add_list(const json_t *list, const struct vmh_snapshot *known, bool rootless,
                    struct vmh_snapshot *out, char *err, size_t err_size)
{
    struct vmh_id_table table;
    if (index_known(known, &table) != 0) {
        vmh_parse_error(err, err_size, "out of memory while reading Docker's container list");
        return -1;
    }
    int result = add_entries(list, &table, rootless, out, err, err_size);
    vmh_id_table_free(&table);
    return result;
}

/* JSON_DECODE_ANY so that "null" is reported as the wrong type rather than
 * as bad JSON.  Otherwise defaults: invalid UTF-8, NUL bytes and anything
 * after the top-level value are parse errors, and jansson caps the nesting
 * depth, so a hostile answer cannot exhaust the stack. */
static json_t *load(struct vmh_json_arena *arena, const char *body, size_t length,
                    const char *what, char *err, size_t err_size)
{
    json_error_t parse_error;
    json_t *root = NULL;
    if (body)
        root = arena ? vmh_json_arena_loadb(arena, body, length, JSON_DECODE_ANY, &parse_error)
                     : json_loadb(body, length, JSON_DECODE_ANY, &parse_error);
    if (!body)
        vmh_parse_error(err, err_size, "%s (it answered nothing)", what);
    else if (!root)
        vmh_parse_error(err, err_size, "%s (not JSON: line %d, column %d: %s)", what, parse_error.line,
                  parse_error.column, parse_error.text);
    return root;
}

int vmh_docker_parse_list(const char *body, size_t length, const struct vmh_snapshot *known,
                          struct vmh_snapshot *out, char *err, size_t err_size)
{
    return vmh_docker_parse_engine_list(body, length, known, false, out, err, err_size);
}

int vmh_docker_parse_engine_list(const char *body, size_t length,
                                 const struct vmh_snapshot *known, bool rootless,
                                 struct vmh_snapshot *out, char *err, size_t err_size)
{
    if (!out) {
        vmh_parse_error(err, err_size, "no snapshot to add Docker's containers to");
        return -1;
    }
    /* The largest answer of a refresh, a value per field of every
     * container: built in an arena (json_arena.h). */
    struct vmh_json_arena arena = {0};
    json_t *root = load(&arena, body, length, NOT_A_LIST, err, err_size);
    int result = -1;
    if (root && !json_is_array(root))
        vmh_parse_error(err, err_size, NOT_A_LIST " (expected a JSON array)");
    else if (root)
        result = add_list(root, known, rootless, out, err, err_size);
    vmh_json_arena_free(&arena);
    return result;
}

/* An answer about another container (a reused handle gone wrong, a proxy)
 * must not give this one its hostname. */
static bool same_container(const json_t *root, const struct vmh_host *host)
{
    const char *id = string_at(root, "Id");
    return !id || !host->id || strcasecmp(id, host->id) == 0;
}

/* What the details add to a listed container: its hostname, its network
 * aliases, and for a rootless engine's its published ports.  -1 only when
 * out of memory. */
static int fill_from_details(struct vmh_host *host, const json_t *root)
{
    /* Kept as Docker spells it: the cache lowercases its keys, and
     * `vmhosts list` shows what the user typed.  One that is no host
     * name is not recorded; the container keeps its other names. */
    const char *hostname = string_at(json_object_get(root, "Config"), "Hostname");
    char *copy;
    if (vmh_host_copy_name(&copy, hostname) != 0)
        return -1;
    if (copy) {
        free(host->hostname);
        host->hostname = copy;
    }
    const json_t *settings = json_object_get(root, "NetworkSettings");
    if (host->rootless)
        add_bound_ports(host, json_object_get(settings, "Ports"));
    return add_network_aliases(host, json_object_get(settings, "Networks"));
}

int vmh_docker_parse_inspect(const char *body, size_t length, struct vmh_host *host, char *err,
                             size_t err_size)
{
    if (!host) {
        vmh_parse_error(err, err_size, "no container to fill from Docker's details");
        return -1;
    }
    json_t *root = load(NULL, body, length, NOT_DETAILS, err, err_size);
    if (!root)
        return -1;
    int result = -1;
    if (!json_is_object(root)) {
        vmh_parse_error(err, err_size, NOT_DETAILS " (expected a JSON object)");
    } else if (!same_container(root, host)) {
        vmh_parse_error(err, err_size, "Docker answered the details of %.64s when asked for %.64s",
                  string_at(root, "Id"), host->id);
    } else if ((result = fill_from_details(host, root)) != 0) {
        vmh_parse_error(err, err_size, "out of memory while reading Docker's container details");
    }
    json_decref(root);
    return result;
}
