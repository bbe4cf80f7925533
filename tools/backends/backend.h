/* One backend of the `vmhosts` command as one table entry, in the shape of
 * iproute2's struct link_util: what the refresher, the watcher and the
 * explanations need to know of it, so that none of them asks "is it Docker
 * or multipass?".  Each backend defines its entry in its own folder
 * (docker/docker_backend.c, multipass/multipass_backend.c); registry.c
 * lists them. */
#ifndef VMHOSTS_BACKEND_H
#define VMHOSTS_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "names.h"
#include "snapshot.h"

/* How serious a finding of `vmhosts status` is (tools/diagnose/status.h
 * prints and counts them). */
enum vmh_level { VMH_OK, VMH_NOTE, VMH_WARNING, VMH_PROBLEM };

/* Where a backend's live check says what it found: one finding, and what
 * to do about it (NULL: nothing).  `vmhosts status` prints and counts it;
 * the backend knows the words, the status command the layout. */
struct vmh_probe_sink {
    void (*say)(void *context, enum vmh_level level, const char *text, const char *advice);
    void *context;
};

/* What a live check concluded, for the lines `vmhosts status` then adds
 * from the cache (tools/diagnose/status_backends.c). */
struct vmh_probe {
    /* It answered this process just now, so a failure the cache recorded
     * is only a note: the next lookup asks again. */
    bool reachable;
    /* Its finding says all (multipass that cannot be run): what the cache
     * recorded is not worth showing. */
    bool said_all;
    /* When it is not reachable: the problem, unless a cache a watcher keeps
     * answers for it, and what to do.  NULL when a failure the cache
     * recorded is the problem itself. */
    const char *unreachable, *advice;
};

struct vmh_backend_ops {
    const char *name;         /* "docker": --backend, status, messages, `list` */
    enum vmh_backend section; /* its part of the cache (still the enum, for now) */
    const char *noun, *nouns; /* "container", "containers" */
    /* For a person who asked for one of its machines: the command that
     * starts one ("docker start"), the one that lists them all ("docker ps
     * -a"), and what to do about one running without an address. */
    const char *start_command, *list_command, *no_address_advice;
    /* Asks the backend: appends its hosts to `fresh` and sets fresh's state
     * for `section`.  `known` is the previous snapshot (details it may
     * reuse, such as Docker's hostnames).  0, or -1 with the state saying
     * why. */
    int (*refresh)(const struct vmh_config *config, long timeout_ms,
                   const struct vmh_snapshot *known, struct vmh_snapshot *fresh);
    /* Which of its hosts the next refresh asks about, when not all of
     * them (Docker's after its events, docker/docker_changes.h): their
     * IDs in *part, fixed until that refresh (NULL, or part->count 0:
     * all).  A refresh that succeeds then answers for exactly those, as
     * a partial one (snapshot.h), and `known` holds only those.  With
     * `all` (no previous cache to merge a part into), it asks about all. */
    void (*next_part)(struct vmh_part *part, bool all);
    /* How often the watcher asks it when nothing tells of a change; 0 when
     * its event stream does (Docker's, docker/docker_events.c). */
    long (*poll_interval_ms)(const struct vmh_config *config);
    /* The folder whose files it is read from (NULL, or a NULL function:
     * none): the watcher watches it with inotify and refreshes this
     * backend as soon as a file there is written, renamed into it or
     * removed (refresh/watch_files.c), besides polling it. */
    const char *(*watched_folder)(const struct vmh_config *config);
    /* Whether it is installed here (NULL: always): a refresh of every
     * backend, and the watcher, leave one that is not alone; asked by
     * name (`--backend`, a lookup of one of its names), it is asked. */
    bool (*installed)(const struct vmh_config *config);
    /* What to do about a failure it recorded with this status (UNAVAILABLE,
     * DENIED or ERROR) and message (never NULL): one sentence. */
    const char *(*advice)(uint32_t status, const char *message);
    /* `vmhosts status`: can this process reach it now?  Says each finding
     * to `sink` and fills *probe (zeroed by the caller).  Quick: it connects
     * or looks, it does not refresh. */
    void (*probe)(const struct vmh_config *config, const struct vmh_probe_sink *sink,
                  struct vmh_probe *probe);
};

/* Every backend, in the order they are refreshed and shown; NULL-terminated. */
const struct vmh_backend_ops *const *vmh_backends(void);

/* The backend called `name`, or NULL. */
const struct vmh_backend_ops *vmh_backend_by_name(const char *name);

/* The backend of a section of the cache, or NULL (a section no backend
 * fills). */
const struct vmh_backend_ops *vmh_backend_of(enum vmh_backend section);

/* vmh_backend_of(section)'s name, "unknown" when there is none. */
const char *vmh_backend_name(unsigned section);

#endif
