/* `GET /1.0/instances?recursion=2` to hosts, or the same list without
 * state (recursion=1) with each running instance's state asked on its own.
 * Read by key: LXD 5.0, later LXD and Incus add keys (tests/fixtures/lxd/
 * holds real answers). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lxd.h"

#define NOT_THE_LIST "LXD's answer is not its list of instances"
#define MAX_INTERFACES 32

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

/* "web" in the default project, "web.shop" in the project "shop": the name
 * an instance answers to under the backend's domain. */
static int copy_name(const json_t *instance, char **to)
{
    const char *name = text_of(instance, "name"), *project = text_of(instance, "project");
    if (!project[0] || strcmp(project, "default") == 0)
        return vmh_host_copy_name(to, name);
    char joined[512];
    if ((size_t)snprintf(joined, sizeof joined, "%s.%s", name, project) >= sizeof joined) {
        *to = NULL;
        return 0;
    }
    return vmh_host_copy_name(to, joined);
}

static bool same_mac(const json_t *value, const char *mac)
{
    return json_is_string(value) && strcasecmp(json_string_value(value), mac) == 0;
}

/* A NIC device given its MAC in its own settings (`hwaddr`): LXD then
 * writes no volatile key for it. */
static bool device_mac(const json_t *instance, const char *mac)
{
    const char *name;
    const json_t *device;
    json_object_foreach(json_object_get(instance, "expanded_devices"), name, device) {
        if (strcmp(text_of(device, "type"), "nic") == 0 &&
            same_mac(json_object_get(device, "hwaddr"), mac))
            return true;
    }
    return false;
}

/* An interface the host can reach: one whose MAC address is one of the
 * instance's NIC devices' (config "volatile.<device>.hwaddr" as LXD gave
 * it, or the device's own "hwaddr").  A docker0 or a bridge inside the
 * instance has a MAC of its own. */
static bool own_interface(const json_t *instance, const json_t *interface)
{
    const char *mac = text_of(interface, "hwaddr");
    const char *key;
    const json_t *value;
    if (!mac[0])
        return false;
    json_object_foreach(json_object_get(instance, "config"), key, value) {
        size_t length = strlen(key);
        if (strncmp(key, "volatile.", 9) == 0 && length > 16 &&
            strcmp(key + length - 7, ".hwaddr") == 0 && same_mac(value, mac))
            return true;
    }
    return device_mac(instance, mac);
}

/* eth2 before eth10, as a person numbers them (glibc's strverscmp). */
static int by_name(const void *a, const void *b)
{
    return strverscmp(*(const char *const *)a, *(const char *const *)b);
}

/* Global addresses of `family` ("inet", "inet6") of the interfaces named. */
static void add_family(struct vmh_host *host, const json_t *network, const char *const *names,
                       size_t count, const char *family)
{
    for (size_t i = 0; i < count; i++) {
        size_t index;
        const json_t *address;
        json_array_foreach(json_object_get(json_object_get(network, names[i]), "addresses"),
                           index, address) {
            if (strcmp(text_of(address, "family"), family) == 0 &&
                strcmp(text_of(address, "scope"), "global") == 0)
                vmh_host_add_address(host, text_of(address, "address"));
        }
    }
}

/* An ipvlan NIC has its parent's MAC, which LXD records nowhere: its
 * addresses are the static ones its device is given (LXD's nictype
 * ipvlan: "ipv4.address", "ipv6.address", comma-separated, each with a
 * prefix length in l2 mode), which the host's admin sets, not the
 * instance. */
static void add_ipvlan(struct vmh_host *host, const json_t *instance, const char *key)
{
    const char *name;
    const json_t *device;
    json_object_foreach(json_object_get(instance, "expanded_devices"), name, device) {
        if (strcmp(text_of(device, "type"), "nic") != 0 ||
            strcmp(text_of(device, "nictype"), "ipvlan") != 0)
            continue;
        const char *list = text_of(device, key);
        while (*list) {
            size_t length = strcspn(list, ","), kept = strcspn(list, ",/");
            char address[64];
            if (kept < sizeof address) {
                snprintf(address, sizeof address, "%.*s", (int)kept, list);
                vmh_host_add_address(host, address);
            }
            list += length + (list[length] == ',');
        }
    }
}

/* IPv4 before IPv6, interfaces in the order of their names, so that the
 * same instance answers the same way on every refresh. */
static void add_addresses(struct vmh_host *host, const json_t *instance)
{
    const json_t *network = json_object_get(json_object_get(instance, "state"), "network");
    const char *names[MAX_INTERFACES];
    size_t count = 0;
    const char *name;
    const json_t *interface;
    json_object_foreach((json_t *)network, name, interface) {
        if (count < MAX_INTERFACES && own_interface(instance, interface))
            names[count++] = name;
    }
    qsort(names, count, sizeof names[0], by_name);
    add_family(host, network, names, count, "inet");
    add_ipvlan(host, instance, "ipv4.address");
    add_family(host, network, names, count, "inet6");
    add_ipvlan(host, instance, "ipv6.address");
}

/* Running, or Ready (what LXD and Incus report for a running instance that
 * signalled it through /dev/lxd); a Frozen one does not answer on its
 * address. */
static bool running(const json_t *instance)
{
    const char *status = text_of(instance, "status");
    return strcmp(status, "Running") == 0 || strcmp(status, "Ready") == 0;
}

/* Appends one instance; one without a usable name is skipped.  -1 only
 * when out of memory. */
static int add_instance(struct vmh_snapshot *out, const json_t *instance, enum vmh_backend backend)
{
    char *name;
    if (!json_is_object(instance))
        return 0;
    if (copy_name(instance, &name) != 0)
        return -1;
    if (!name)
        return 0;
    struct vmh_host *host = vmh_snapshot_add(out);
    if (!host) {
        free(name);
        return -1;
    }
    host->name = name;
    host->backend = (uint8_t)backend;
    host->state = running(instance) ? VMH_STATE_RUNNING : VMH_STATE_STOPPED;
    if (host->state == VMH_STATE_RUNNING)
        add_addresses(host, instance);
    /* Names of the user's choosing, as Docker's vmhosts.names label gives
     * them (snapshot.h); they answer under LXD's own domains only. */
    const char *chosen = text_of(json_object_get(instance, "config"), "user.vmhosts.names");
    return chosen[0] ? vmh_host_set_chosen_names(host, chosen) : 0;
}

/* A running instance of a list without state gets the state its own call
 * answers; one gone since the list keeps none, and so no address. */
static int fill_state(json_t *instance, const struct vmh_lxd_states *states, char *err,
                      size_t err_size)
{
    if (!states || !json_is_object(instance) || !running(instance))
        return 0;
    const char *body = NULL;
    size_t length = 0;
    int asked = states->ask(states->context, text_of(instance, "name"),
                            text_of(instance, "project"), &body, &length);
    if (asked > 0)
        return 0;
    if (asked < 0) {
        vmh_parse_error(err, err_size, "cannot ask LXD the state of %.100s",
                        text_of(instance, "name"));
        return -1;
    }
    json_t *root = json_loadb(body, length, 0, NULL);
    json_t *state = json_object_get(root, "metadata");
    int result = 0;
    if (!json_is_object(state) || strcmp(text_of(root, "type"), "sync") != 0) {
        vmh_parse_error(err, err_size, "LXD's answer is not the state of %.100s",
                        text_of(instance, "name"));
        result = -1;
    } else if (json_object_set(instance, "state", state) != 0) {
        vmh_parse_error(err, err_size, "out of memory while reading LXD's list");
        result = -1;
    }
    json_decref(root);
    return result;
}

static int add_instances(json_t *list, enum vmh_backend backend,
                         const struct vmh_lxd_states *states, struct vmh_snapshot *out,
                         char *err, size_t err_size)
{
    size_t first = out->count, index;
    json_t *instance;
    json_array_foreach(list, index, instance) {
        if (fill_state(instance, states, err, err_size) != 0) {
            vmh_snapshot_truncate(out, first);
            return -1;
        }
        if (add_instance(out, instance, backend) == 0)
            continue;
        vmh_snapshot_truncate(out, first);
        vmh_parse_error(err, err_size, "out of memory while reading LXD's list");
        return -1;
    }
    return 0;
}

static int parse_list(const char *body, size_t length, enum vmh_backend backend,
                      const struct vmh_lxd_states *states, struct vmh_snapshot *out,
                      char *err, size_t err_size)
{
    if (!body || !out) {
        vmh_parse_error(err, err_size, NOT_THE_LIST " (it is empty)");
        return -1;
    }
    /* Default flags: invalid UTF-8, NUL bytes and trailing garbage are
     * errors, and jansson caps the nesting depth. */
    json_error_t parse_error;
    json_t *root = json_loadb(body, length, 0, &parse_error);
    if (!root) {
        vmh_parse_error(err, err_size, NOT_THE_LIST " (line %d, column %d: %s)",
                        parse_error.line, parse_error.column, parse_error.text);
        return -1;
    }
    json_t *list = json_object_get(root, "metadata");
    int result = -1;
    if (!json_is_object(root) || strcmp(text_of(root, "type"), "sync") != 0 ||
        !json_is_array(list))
        vmh_parse_error(err, err_size, NOT_THE_LIST " (no \"metadata\" array in a sync answer)");
    else
        result = add_instances(list, backend, states, out, err, err_size);
    json_decref(root);
    return result;
}

int vmh_lxd_parse_instances(const char *body, size_t length, enum vmh_backend backend,
                            struct vmh_snapshot *out, char *err, size_t err_size)
{
    return parse_list(body, length, backend, NULL, out, err, err_size);
}

int vmh_lxd_parse_brief(const char *body, size_t length, enum vmh_backend backend,
                        const struct vmh_lxd_states *states, struct vmh_snapshot *out,
                        char *err, size_t err_size)
{
    return parse_list(body, length, backend, states, out, err, err_size);
}
