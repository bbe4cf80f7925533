/* Which value of Docker's container list fills which field of the entry
 * (docker_entry.h).  A key resets its field as soon as it is read: a key
 * that comes again replaces what it said before, whatever its new value,
 * as one key of a parsed object would have. */
#include <string.h>

#include "docker.h"
#include "docker_list.h"

enum key {
    K_OTHER, K_ID, K_NAMES, K_STATE, K_STATUS, K_LABELS, K_HOST_CONFIG, K_SETTINGS, K_PORTS,
    K_PROJECT, K_SERVICE, K_CHOSEN, K_WILDCARD, K_PREFERRED, K_MODE, K_NETWORKS, K_IPV4, K_IPV6,
    K_ALIASES, K_DNS_NAMES, K_PUBLIC_PORT, K_IP, K_ENDPOINT
};

static const struct {
    uint8_t place, key;
    const char *name;
} keys[] = {
    {VMH_IN_ENTRY, K_ID, "Id"}, {VMH_IN_ENTRY, K_NAMES, "Names"},
    {VMH_IN_ENTRY, K_STATE, "State"}, {VMH_IN_ENTRY, K_STATUS, "Status"},
    {VMH_IN_ENTRY, K_LABELS, "Labels"}, {VMH_IN_ENTRY, K_HOST_CONFIG, "HostConfig"},
    {VMH_IN_ENTRY, K_SETTINGS, "NetworkSettings"}, {VMH_IN_ENTRY, K_PORTS, "Ports"},
    {VMH_IN_LABELS, K_PROJECT, "com.docker.compose.project"},
    {VMH_IN_LABELS, K_SERVICE, "com.docker.compose.service"},
    {VMH_IN_LABELS, K_CHOSEN, "vmhosts.names"}, {VMH_IN_LABELS, K_WILDCARD, "vmhosts.wildcard"},
    {VMH_IN_LABELS, K_PREFERRED, "vmhosts.network"},
    {VMH_IN_HOST_CONFIG, K_MODE, "NetworkMode"}, {VMH_IN_SETTINGS, K_NETWORKS, "Networks"},
    {VMH_IN_NETWORK, K_IPV4, "IPAddress"}, {VMH_IN_NETWORK, K_IPV6, "GlobalIPv6Address"},
    {VMH_IN_NETWORK, K_ALIASES, "Aliases"}, {VMH_IN_NETWORK, K_DNS_NAMES, "DNSNames"},
    {VMH_IN_NETWORK, K_ENDPOINT, "EndpointID"},
    {VMH_IN_PORT, K_PUBLIC_PORT, "PublicPort"}, {VMH_IN_PORT, K_IP, "IP"},
};

static struct vmh_place_frame *here(struct vmh_docker_list *list)
{
    return &list->frames[list->frame_count - 1];
}

static size_t *label_field(struct vmh_docker_entry *entry, int key)
{
    switch (key) {
    case K_PROJECT: return &entry->project;
    case K_SERVICE: return &entry->service;
    case K_CHOSEN: return &entry->chosen;
    case K_WILDCARD: return &entry->wildcard;
    case K_PREFERRED: return &entry->network;
    default: return NULL;
    }
}

/* The text field a string under `key` fills, if any. */
static size_t *text_field(struct vmh_docker_list *list, int key)
{
    struct vmh_docker_entry *entry = &list->entry;
    struct vmh_docker_network *network = entry->network_count
                                             ? &entry->networks[entry->network_count - 1] : NULL;
    switch (key) {
    case K_ID: return &entry->id;
    case K_STATE: return &entry->state;
    case K_STATUS: return &entry->status;
    case K_MODE: return &entry->mode;
    case K_IPV4: return network ? &network->ipv4 : NULL;
    case K_IPV6: return network ? &network->ipv6 : NULL;
    case K_ENDPOINT: return network ? &network->endpoint : NULL;
    case K_IP: return entry->port_count ? &entry->ports[entry->port_count - 1].ip : NULL;
    default: return label_field(entry, key);
    }
}

/* What a key said before, forgotten. */
static void forget(struct vmh_docker_list *list, int key)
{
    struct vmh_docker_entry *entry = &list->entry;
    size_t *field = text_field(list, key);
    if (field)
        *field = VMH_TEXT_NONE;
    if (key == K_NAMES)
        entry->name = VMH_TEXT_NONE;
    else if (key == K_LABELS)
        for (int label = K_PROJECT; label <= K_PREFERRED; label++)
            *label_field(entry, label) = VMH_TEXT_NONE;
    else if (key == K_HOST_CONFIG)
        entry->mode = VMH_TEXT_NONE;
    else if (key == K_SETTINGS || key == K_NETWORKS)
        entry->network_count = entry->alias_count = 0;
    else if (key == K_PORTS)
        entry->port_count = 0;
    else if (key == K_ALIASES || key == K_DNS_NAMES)
        entry->networks[entry->network_count - 1].generation[key == K_DNS_NAMES]++;
    else if (key == K_PUBLIC_PORT)
        entry->ports[entry->port_count - 1].published = false;
    else if (key == K_IP)
        entry->ports[entry->port_count - 1].ip_kind = VMH_PORT_IP_OTHER;
}

int vmh_docker_list_key(struct vmh_docker_list *list, const char *key, size_t length)
{
    struct vmh_place_frame *frame = here(list);
    if (frame->place == VMH_IN_NETWORKS) {
        /* Every key of Networks is a network, whatever its value. */
        size_t name = vmh_docker_entry_text(&list->entry, key, length);
        return name != VMH_TEXT_NONE && vmh_docker_entry_network(&list->entry, name) ? 0 : -1;
    }
    frame->key = K_OTHER;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].place == frame->place && strlen(keys[i].name) == length &&
            memcmp(keys[i].name, key, length) == 0)
            frame->key = keys[i].key;
    forget(list, frame->key);
    return 0;
}

/* An element of the list: an object is a container, once the list is not
 * past the most we accept. */
static int list_element(struct vmh_docker_list *list, enum vmh_value type)
{
    if (++list->listed > VMH_DOCKER_CONTAINERS_MAX)
        list->too_many = true;
    if (type != VMH_OBJECT || list->too_many)
        return VMH_SKIP;
    vmh_docker_entry_reset(&list->entry);
    return VMH_IN_ENTRY;
}

/* The place an object or array under `key` of the entry is read as. */
static int entry_member(int key, enum vmh_value type)
{
    if (type == VMH_ARRAY)
        return key == K_NAMES ? VMH_IN_NAMES : key == K_PORTS ? VMH_IN_PORTS : VMH_SKIP;
    return key == K_LABELS ? VMH_IN_LABELS : key == K_HOST_CONFIG ? VMH_IN_HOST_CONFIG
         : key == K_SETTINGS ? VMH_IN_SETTINGS : VMH_SKIP;
}

/* An object or array at the present place: the place it is read as. */
static int container_value(struct vmh_docker_list *list, enum vmh_value type)
{
    struct vmh_place_frame *frame = here(list);
    bool object = type == VMH_OBJECT;
    switch (frame->place) {
    case VMH_IN_LIST: return list_element(list, type);
    case VMH_IN_ENTRY: return entry_member(frame->key, type);
    case VMH_IN_SETTINGS: return object && frame->key == K_NETWORKS ? VMH_IN_NETWORKS : VMH_SKIP;
    case VMH_IN_NETWORKS: return object ? VMH_IN_NETWORK : VMH_SKIP;
    case VMH_IN_NETWORK:
        return !object && (frame->key == K_ALIASES || frame->key == K_DNS_NAMES) ? VMH_IN_ALIASES
                                                                                 : VMH_SKIP;
    case VMH_IN_PORTS:
        if (!object)
            return VMH_SKIP;
        return vmh_docker_entry_port(&list->entry) ? VMH_IN_PORT : -1;
    default: return VMH_SKIP;
    }
}

/* A string in Aliases or DNSNames: one of the network's names. */
static int add_alias(struct vmh_docker_list *list, size_t text)
{
    struct vmh_docker_entry *entry = &list->entry;
    uint8_t which = list->frames[list->frame_count - 2].key == K_DNS_NAMES;
    struct vmh_docker_alias *alias = vmh_docker_entry_alias(entry);
    if (!alias)
        return -1;
    struct vmh_docker_network *network = &entry->networks[entry->network_count - 1];
    *alias = (struct vmh_docker_alias){.text = text, .list = which,
                                       .generation = network->generation[which]};
    network->alias_end = entry->alias_count;
    return 0;
}

/* A string, number, true, false or null at the present place. */
static int scalar_value(struct vmh_docker_list *list, enum vmh_value type, const char *text,
                        size_t length)
{
    struct vmh_place_frame *frame = here(list);
    struct vmh_docker_entry *entry = &list->entry;
    if (frame->place == VMH_IN_PORT && frame->key == K_PUBLIC_PORT)
        entry->ports[entry->port_count - 1].published = type == VMH_POSITIVE_INTEGER;
    bool first_name = frame->place == VMH_IN_NAMES && frame->index == 0;
    size_t *field = frame->place == VMH_IN_ALIASES ? NULL
                  : first_name ? &entry->name
                  : frame->place == VMH_IN_NAMES || frame->place == VMH_IN_NETWORKS ? NULL
                  : text_field(list, frame->key);
    if (type != VMH_STRING || (!field && frame->place != VMH_IN_ALIASES))
        return 0;
    size_t copy = vmh_docker_entry_text(entry, text, length);
    if (copy == VMH_TEXT_NONE)
        return -1;
    if (frame->place == VMH_IN_ALIASES)
        return add_alias(list, copy);
    if (frame->place == VMH_IN_PORT)
        entry->ports[entry->port_count - 1].ip_kind = VMH_PORT_IP_TEXT;
    *field = copy;
    return 0;
}

int vmh_docker_list_value(struct vmh_docker_list *list, enum vmh_value type, const char *text,
                          size_t length)
{
    if (list->frame_count == 0) {
        list->not_array = type != VMH_ARRAY;
        return list->not_array ? VMH_SKIP : VMH_IN_LIST;
    }
    bool container = type == VMH_OBJECT || type == VMH_ARRAY;
    int result = container ? container_value(list, type) : scalar_value(list, type, text, length);
    if (list->frame_count && here(list)->place == VMH_IN_NAMES)
        here(list)->index++;
    if (!container && here(list)->place == VMH_IN_LIST)
        list_element(list, type);
    return result;
}
