/* The stream reader of Docker's container list, inside: docker_list.c
 * takes yajl's events (where a value is, how deep, whether it is good
 * JSON), docker_list_fields.c says what a value at a place is for. */
#ifndef VMHOSTS_DOCKER_LIST_H
#define VMHOSTS_DOCKER_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docker_entry.h"
#include "id_table.h"
#include "snapshot.h"

/* The places whose values a host uses; any other is skipped whole. */
enum vmh_place {
    VMH_IN_LIST, VMH_IN_ENTRY, VMH_IN_NAMES, VMH_IN_LABELS, VMH_IN_HOST_CONFIG,
    VMH_IN_SETTINGS, VMH_IN_NETWORKS, VMH_IN_NETWORK, VMH_IN_ALIASES, VMH_IN_PORTS,
    VMH_IN_PORT, VMH_SKIP
};

enum vmh_value { VMH_STRING, VMH_POSITIVE_INTEGER, VMH_SCALAR, VMH_OBJECT, VMH_ARRAY };

/* The deepest the places above nest: list, entry, NetworkSettings,
 * Networks, a network, its Aliases. */
#define VMH_PLACES_MAX 6

struct vmh_place_frame {
    uint8_t place; /* enum vmh_place */
    uint8_t key;   /* which field the next value of an object is */
    size_t index;  /* the next element's of an array */
};

struct vmh_docker_list {
    void *yajl;
    struct vmh_snapshot *out;
    size_t first; /* out's count before: a failed list leaves no host */
    struct vmh_id_table known;
    bool rootless;
    struct vmh_docker_entry entry;
    struct vmh_place_frame frames[VMH_PLACES_MAX];
    size_t frame_count;
    size_t depth, skip_from; /* skip_from: the depth of a value skipped; 0 when none */
    size_t listed;           /* the list's elements so far */
    bool not_array, too_many, out_of_memory;
    bool shares; /* a host of container:<x> mode was read */
    const char *why;  /* a reason of ours to refuse the JSON */
    size_t fed;       /* bytes given to yajl before the present ones */
    char error[200];  /* yajl's reason, once it failed */
    bool failed;
};

/* A value (or the start of an object or array) at the present place;
 * returns the place to enter for an object or array (VMH_SKIP for one not
 * read), or -1 when out of memory. */
int vmh_docker_list_value(struct vmh_docker_list *list, enum vmh_value type, const char *text,
                          size_t length);

/* A key of the object at the present place; -1 when out of memory. */
int vmh_docker_list_key(struct vmh_docker_list *list, const char *key, size_t length);

/* After container:<x> of every host appended from `first` on. */
void vmh_docker_share_addresses(struct vmh_snapshot *out, size_t first);

/* A partial list (of the containers events named) holds a host of
 * container:<x> mode but not always x: such a host would have no
 * address.  Takes those hosts out of `out`, so that the merge keeps what
 * the cache had for them; returns how many (0 also when out of memory). */
size_t vmh_docker_drop_unshared(struct vmh_snapshot *out);

/* After a whole list every engine answered: tells docker_changes.h who
 * shares whose network among the hosts of *out. */
void vmh_docker_sharing_learn(struct vmh_snapshot *out);

#endif
