/* One entry of Docker's container list as the stream reader (docker_list.c)
 * collects it: only the fields a host uses, each the last value its key
 * had (as a tree parse kept a repeated key), then turned into a host.
 * The parser hands over a string only for the length of a callback, so
 * each text kept is copied into the entry's own buffer, reused from one
 * entry to the next. */
#ifndef VMHOSTS_DOCKER_ENTRY_H
#define VMHOSTS_DOCKER_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "id_table.h"
#include "snapshot.h"

/* A text of the entry: its offset in the buffer, which may move while the
 * entry grows; NONE when the field is missing or not a string. */
#define VMH_TEXT_NONE SIZE_MAX

enum { VMH_ALIASES, VMH_DNS_NAMES }; /* a network's two lists of names */

struct vmh_docker_network {
    size_t name, ipv4, ipv6, endpoint;
    size_t alias_first, alias_end; /* its names among the entry's aliases */
    unsigned generation[2];        /* which Aliases (DNSNames) key counts: the last */
};

struct vmh_docker_alias {
    size_t text;
    uint8_t list; /* VMH_ALIASES or VMH_DNS_NAMES */
    unsigned generation;
};

enum vmh_port_ip { VMH_PORT_IP_MISSING, VMH_PORT_IP_TEXT, VMH_PORT_IP_OTHER };

struct vmh_docker_port {
    bool published; /* a positive integer PublicPort */
    uint8_t ip_kind; /* enum vmh_port_ip */
    size_t ip;
};

struct vmh_docker_entry {
    char *text;
    size_t text_used, text_size;
    size_t id, name, state, status, mode;              /* texts */
    size_t project, service, chosen, wildcard, network; /* texts of labels */
    struct vmh_docker_network *networks;
    size_t network_count, network_size;
    struct vmh_docker_alias *aliases;
    size_t alias_count, alias_size;
    struct vmh_docker_port *ports;
    size_t port_count, port_size;
};

/* Empties the entry for the next container, keeping its buffers. */
void vmh_docker_entry_reset(struct vmh_docker_entry *entry);
void vmh_docker_entry_free(struct vmh_docker_entry *entry);

/* Copies length bytes as a text; VMH_TEXT_NONE when out of memory. */
size_t vmh_docker_entry_text(struct vmh_docker_entry *entry, const char *text, size_t length);

/* One more network (named `name`, a text), port or alias; NULL when out
 * of memory. */
struct vmh_docker_network *vmh_docker_entry_network(struct vmh_docker_entry *entry, size_t name);
struct vmh_docker_port *vmh_docker_entry_port(struct vmh_docker_entry *entry);
struct vmh_docker_alias *vmh_docker_entry_alias(struct vmh_docker_entry *entry);

/* Indexes the Docker hosts of the previous snapshot (NULL: none) that
 * have a hostname, by ID, for vmh_docker_entry_add; -1 when out of memory. */
int vmh_docker_index_known(const struct vmh_snapshot *known, struct vmh_id_table *table);

/* Appends the entry's host to *out; an entry without a hex Id is skipped.
 * -1 only when out of memory. */
int vmh_docker_entry_add(const struct vmh_docker_entry *entry, const struct vmh_id_table *known,
                         bool rootless, struct vmh_snapshot *out);

/* Numbers the entry's networks on the host and adds their addresses
 * and names (docker_entry_networks.c); -1 when out of memory. */
int vmh_docker_entry_networks(struct vmh_host *host, const struct vmh_docker_entry *entry);

/* A published port's host address as the user reaches it: an engine that
 * listens on every address (no IP, "" or 0.0.0.0: what a bare `-p 8080:80`
 * gives) is reached on 127.0.0.1, and "::" on ::1.  NULL for anything else
 * that is no address of `family`, a value present but no string (`present`
 * with `ip` NULL) included. */
const char *vmh_docker_published_address(bool present, const char *ip, int family);

/* Whether a port bound there is published on every address (no IP,
 * 0.0.0.0, ::), which a rootless container answers as loopback: such an
 * address comes after the container's own (-p 127.0.0.5:80:80), which the
 * README has each container take. */
bool vmh_docker_on_every_address(bool present, const char *ip);

/* Adds text as an address when it is one of family 4 or 6, on network
 * number `network` (0: none), from the attachment `endpoint`
 * (vmh_docker_endpoint_tag; 0: not known). */
void vmh_docker_add_address_of(struct vmh_host *host, const char *text, int family, int network,
                               uint16_t endpoint);

/* Docker's EndpointID for an attachment to a network, new at every connect
 * and start, folded to 16 bits, as an address keeps it (cache_format.h's
 * vmh_cache_addr.endpoint); never 0, which is "not known", for an ID. */
uint16_t vmh_docker_endpoint_tag(const char *endpoint_id);

/* The tag of the attachment that gave the host's addresses on network
 * number `network`; 0 when none is known. */
uint16_t vmh_docker_endpoint_of(const struct vmh_host *host, int network);

#endif
