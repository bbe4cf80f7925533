/* LXD and Incus: the REST API on the daemon's Unix socket (unix_http.h),
 * the JSON mapped to hosts (jansson).  Incus is LXD's fork and answers the
 * same endpoint in the same shape; each is a backend of its own, with its
 * own domain (`.lxd`, `.incus`) and sockets. */
#ifndef VMHOSTS_LXD_H
#define VMHOSTS_LXD_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

/* Every project's instances, with their state: one call. */
#define VMH_LXD_INSTANCES_URL "http://localhost/1.0/instances?recursion=2&all-projects=true"

/* The same without state, snapshots and backups: asked when that answer is
 * past the bound (unix_http.h), as each snapshot is in it whole and an
 * instance may keep hundreds.  Each running instance's state is then asked
 * on its own (VMH_LXD_STATE_URL: its name, its project). */
#define VMH_LXD_BRIEF_URL "http://localhost/1.0/instances?recursion=1&all-projects=true"
#define VMH_LXD_STATE_URL "http://localhost/1.0/instances/%s/state?project=%s"

/* Maps a GET VMH_LXD_INSTANCES_URL body to hosts of `backend`, appended to
 * *out.  An instance of the project "default" is called by its name, one of
 * another project <name>.<project>; it has the global addresses of its own
 * network interfaces (those of its NIC devices, told by their MAC address:
 * not loopback, not a bridge of an engine running inside it), IPv4 first.
 * Returns 0, or -1 with a message when the body is not that list. */
int vmh_lxd_parse_instances(const char *body, size_t length, enum vmh_backend backend,
                            struct vmh_snapshot *out, char *err, size_t err_size);

/* Where a list without state gets each running instance's: ask gives the
 * body of GET VMH_LXD_STATE_URL for the instance `name` of `project` ("" for
 * the default project), which stays valid until the next ask; 0 with it, 1
 * when the instance is gone (no state, no address), -1 when it cannot be
 * asked. */
struct vmh_lxd_states {
    int (*ask)(void *context, const char *name, const char *project, const char **body,
               size_t *length);
    void *context;
};

/* vmh_lxd_parse_instances for a GET VMH_LXD_BRIEF_URL body, each running
 * instance's state asked through `states`; -1 when one cannot be, and then
 * nothing is appended. */
int vmh_lxd_parse_brief(const char *body, size_t length, enum vmh_backend backend,
                        const struct vmh_lxd_states *states, struct vmh_snapshot *out,
                        char *err, size_t err_size);

/* Asks every socket of `sockets` (space-separated) that exists; sets
 * out->backends[backend].  `daemon` ("LXD") names it in messages. */
int vmh_lxd_refresh(const char *daemon, enum vmh_backend backend, const char *sockets,
                    long timeout_ms, struct vmh_snapshot *out);

/* Whether any of the sockets exists: a daemon that is not installed is
 * not asked by a refresh of every backend. */
bool vmh_lxd_any_socket(const char *sockets);

extern const struct vmh_backend_ops vmh_backend_lxd, vmh_backend_incus;

#endif
