/* The collected entry's storage (docker_entry.h): arrays that grow by
 * doubling and are kept from one container to the next, so that a list of
 * 10,000 allocates a handful of times, not per field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker_entry.h"
#include "grow.h"

/* Room for one more element of `element` bytes in *array. */
static void *grow(void **array, size_t *size, size_t count, size_t element)
{
    if (count < *size)
        return (char *)*array + count * element;
    size_t bigger = *size ? *size * 2 : 8;
    if (bigger > SIZE_MAX / element)
        return NULL;
    void *moved = realloc(*array, bigger * element);
    if (!moved)
        return NULL;
    *array = moved;
    *size = bigger;
    return (char *)moved + count * element;
}

void vmh_docker_entry_reset(struct vmh_docker_entry *entry)
{
    entry->text_used = 0;
    entry->id = entry->name = entry->state = entry->status = entry->mode = VMH_TEXT_NONE;
    entry->project = entry->service = entry->chosen = VMH_TEXT_NONE;
    entry->wildcard = entry->network = VMH_TEXT_NONE;
    entry->network_count = entry->alias_count = entry->port_count = 0;
}

void vmh_docker_entry_free(struct vmh_docker_entry *entry)
{
    free(entry->text);
    free(entry->networks);
    free(entry->aliases);
    free(entry->ports);
    memset(entry, 0, sizeof *entry);
}

size_t vmh_docker_entry_text(struct vmh_docker_entry *entry, const char *text, size_t length)
{
    if (length >= SIZE_MAX / 2 - entry->text_used)
        return VMH_TEXT_NONE;
    if (vmh_grow_bytes(&entry->text, &entry->text_size, entry->text_used + length + 1, 4096,
                       SIZE_MAX) != 0)
        return VMH_TEXT_NONE;
    size_t at = entry->text_used;
    memcpy(entry->text + at, text, length);
    entry->text[at + length] = '\0';
    entry->text_used += length + 1;
    return at;
}

struct vmh_docker_network *vmh_docker_entry_network(struct vmh_docker_entry *entry, size_t name)
{
    struct vmh_docker_network *network =
        grow((void **)&entry->networks, &entry->network_size, entry->network_count,
             sizeof *network);
    if (!network)
        return NULL;
    entry->network_count++;
    *network = (struct vmh_docker_network){.name = name, .ipv4 = VMH_TEXT_NONE,
                                           .ipv6 = VMH_TEXT_NONE, .endpoint = VMH_TEXT_NONE,
                                           .alias_first = entry->alias_count,
                                           .alias_end = entry->alias_count};
    return network;
}

struct vmh_docker_port *vmh_docker_entry_port(struct vmh_docker_entry *entry)
{
    struct vmh_docker_port *port =
        grow((void **)&entry->ports, &entry->port_size, entry->port_count, sizeof *port);
    if (!port)
        return NULL;
    entry->port_count++;
    *port = (struct vmh_docker_port){.ip = VMH_TEXT_NONE};
    return port;
}

struct vmh_docker_alias *vmh_docker_entry_alias(struct vmh_docker_entry *entry)
{
    struct vmh_docker_alias *alias =
        grow((void **)&entry->aliases, &entry->alias_size, entry->alias_count, sizeof *alias);
    if (!alias)
        return NULL;
    entry->alias_count++;
    return alias;
}
