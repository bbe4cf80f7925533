/* Docker's details of one container (GET /containers/{id}/json) to what
 * they add to its host.  Read by key, never by position, and every field
 * may be missing or of the wrong type.  A small answer, parsed whole by
 * jansson; the list, which grows with the containers, is streamed
 * (docker_list.c). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docker.h"
#include "docker_entry.h"

#define NOT_DETAILS "Docker answered something that is not a container's details"

static const char *string_at(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
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

/* The aliases of every network of the inspect that the host is on; a
 * network it is not on gives it nothing. */
static int add_network_aliases(struct vmh_host *host, const json_t *networks)
{
    const char *name;
    const json_t *network;
    json_object_foreach((json_t *)networks, name, network)
        if (add_aliases(host, vmh_host_network_named(host, name), network) != 0)
            return -1;
    return 0;
}

/* Inspect's NetworkSettings.Ports: {"80/tcp": [{"HostIp", "HostPort"}] or
 * null}; only a binding with a HostPort is published.  In the list's order
 * (docker_entry_host.c): IPv4 first, the container's own addresses first. */
static void add_bound_ports(struct vmh_host *host, const json_t *ports)
{
    const char *key;
    const json_t *bindings, *binding;
    size_t index;
    for (int family = 4; family <= 6; family += 2)
        for (int own = 1; own >= 0; own--)
            json_object_foreach((json_t *)ports, key, bindings)
                json_array_foreach(bindings, index, binding) {
                    const char *host_port = string_at(binding, "HostPort");
                    const json_t *ip = json_object_get(binding, "HostIp");
                    const char *text = json_string_value(ip);
                    const char *address = vmh_docker_published_address(ip != NULL, text, family);
                    if (host_port && host_port[0] && address &&
                        vmh_docker_on_every_address(ip != NULL, text) != own)
                        vmh_host_add_address(host, address);
                }
}

/* JSON_DECODE_ANY so that "null" is reported as the wrong type rather than
 * as bad JSON.  Otherwise defaults: invalid UTF-8, NUL bytes and anything
 * after the top-level value are parse errors, and jansson caps the nesting
 * depth, so a hostile answer cannot exhaust the stack. */
static json_t *load(const char *body, size_t length, char *err, size_t err_size)
{
    json_error_t parse_error;
    json_t *root = body ? json_loadb(body, length, JSON_DECODE_ANY, &parse_error) : NULL;
    if (!body)
        vmh_parse_error(err, err_size, NOT_DETAILS " (it answered nothing)");
    else if (!root)
        vmh_parse_error(err, err_size, NOT_DETAILS " (not JSON: line %d, column %d: %s)",
                        parse_error.line, parse_error.column, parse_error.text);
    return root;
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
    json_t *root = load(body, length, err, err_size);
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
