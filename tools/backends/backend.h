/* One backend of the `vmhosts` command as one table entry, in the shape of
 * iproute2's struct link_util: what the refresher, the watcher and the
 * explanations need to know of it, so that none of them asks "is it Docker
 * or multipass?".  Each backend defines its entry in its own folder
 * (docker/docker_backend.c, multipass/multipass_backend.c); registry.c
 * lists them. */
#ifndef VMHOSTS_BACKEND_H
#define VMHOSTS_BACKEND_H

#include "config.h"
#include "names.h"
#include "snapshot.h"

struct vmh_backend_ops {
    const char *name;         /* "docker": --backend, status, messages, `list` */
    enum vmh_backend section; /* its part of the cache (still the enum, for now) */
    const char *noun, *nouns; /* "container", "containers" */
    /* The names it answers, bits 1 << enum vmh_name_kind: the module's
     * choice (nss_vmhosts/state.c), as `lookup` explains it. */
    unsigned name_kinds;
    /* Asks the backend: appends its hosts to `fresh` and sets fresh's state
     * for `section`.  `known` is the previous snapshot (details it may
     * reuse, such as Docker's hostnames).  0, or -1 with the state saying
     * why. */
    int (*refresh)(const struct vmh_config *config, long timeout_ms,
                   const struct vmh_snapshot *known, struct vmh_snapshot *fresh);
    /* How long its answer is kept before a lookup refreshes it. */
    long (*ttl_s)(const struct vmh_config *config);
    /* How often the watcher asks it when nothing tells of a change; 0 when
     * its event stream does (Docker's, docker/docker_events.c). */
    long (*poll_interval_ms)(const struct vmh_config *config);
};

/* Every backend, in the order they are refreshed and shown; NULL-terminated. */
const struct vmh_backend_ops *const *vmh_backends(void);

/* The backend called `name`, or NULL. */
const struct vmh_backend_ops *vmh_backend_by_name(const char *name);

/* The backend of a section of the cache, or NULL (a section no backend
 * fills). */
const struct vmh_backend_ops *vmh_backend_of(enum vmh_backend section);

/* The backend that answers a kind of name; NULL for VMH_NAME_NOT_OURS. */
const struct vmh_backend_ops *vmh_backend_answering(enum vmh_name_kind kind);

/* vmh_backend_of(section)'s name, "unknown" when there is none. */
const char *vmh_backend_name(unsigned section);

#endif
