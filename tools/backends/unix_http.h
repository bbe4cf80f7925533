/* HTTP GETs to a daemon's REST API on its Unix socket (libcurl), for the
 * backends that ask one: Docker and Podman (docker/), LXD and Incus
 * (lxd/).  One handle per socket and refresh, so that every call rides
 * one keep-alive connection, and one deadline for the whole refresh. */
#ifndef VMHOSTS_UNIX_HTTP_H
#define VMHOSTS_UNIX_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* An answer larger than this is not the daemon's, unless the caller
 * expects one that grows with the daemon's work (vmh_http_allow). */
#define VMH_HTTP_BODY_MAX ((size_t)32 * 1024 * 1024)

struct vmh_http {
    CURL *curl;
    const char *daemon;   /* "LXD": its name in messages */
    const char *denied_advice; /* what a user the socket refuses can do */
    const char *path;     /* the socket */
    int64_t deadline_ms;  /* monotonic */
    char *body;           /* the last answer, NUL-terminated; NULL before one */
    size_t size, capacity;
    size_t body_max;      /* the next answer's bound: VMH_HTTP_BODY_MAX by default */
    const char *body_why; /* what that bound is, for the message; NULL by default */
    bool too_large;
    int socket_fd;        /* the connection's, while one is open; else -1 */
    bool peer_refused;    /* the last answer came from `peer`'s daemon, not trusted (unix_peer.h) */
    uid_t peer;
    char curl_error[CURL_ERROR_SIZE];
    /* The next answer's body, if it is an HTTP 200, handed over as it
     * arrives instead of kept (vmh_http_stream); NULL by default. */
    void (*sink)(void *context, const char *data, size_t length);
    void *sink_context;
};

/* What went wrong, as a backend section records it: UNAVAILABLE only
 * when no daemon is there (no socket, or nothing listening on it). */
struct vmh_http_outcome {
    uint32_t status;      /* enum vmh_backend_status */
    char message[512];
};

/* 0 when the socket accepts a connection from this process (or its backlog
 * is full: the daemon is there, only busy), else connect()'s errno
 * (ENAMETOOLONG for a path too long for a Unix socket).  Non-blocking. */
int vmh_unix_connect_error(const char *path);

/* The same, and the user of the daemon that accepted in *peer (unix_peer.h;
 * -1 when none did or the kernel does not say). */
int vmh_unix_connect_peer(const char *path, uid_t *peer);

/* What every handle on such a socket needs, the watcher's event stream's
 * too (docker/docker_events.c): the socket, no signals (the deadline is
 * ours, not SIGALRM's), no proxy from the environment, HTTP only, and
 * *socket_fd kept at the connection open now (-1: none), so that whose
 * daemon answers can be asked (unix_peer.h). */
void vmh_http_setup(CURL *curl, const char *socket_path, int *socket_fd);

/* -1 when libcurl cannot start (out of memory), with the outcome set.
 * `denied_advice` ends the message when this user may not connect.  An
 * answer from a daemon that runs as neither root nor this user is
 * refused at its status line (unix_peer.h). */
int vmh_http_open(struct vmh_http *http, const char *daemon, const char *path,
                  const char *denied_advice, int64_t deadline_ms,
                  struct vmh_http_outcome *outcome);
void vmh_http_close(struct vmh_http *http);

/* Lets the next answer (only the next) be up to body_max bytes; `why`
 * says where that bound comes from, in the message when it is passed
 * ("the most 100000 containers take"). */
void vmh_http_allow(struct vmh_http *http, size_t body_max, const char *why);

/* Hands the next answer's body (only the next, and only an HTTP 200's)
 * to sink piece by piece as it arrives, so that reading it overlaps
 * receiving it and the whole never sits in memory; http->body stays
 * empty.  Another status's body is kept as usual, for its message. */
void vmh_http_stream(struct vmh_http *http, void (*sink)(void *context, const char *data,
                                                         size_t length),
                     void *context);

/* GETs url ("http://localhost/1.0/..."): 0 with the body in http->body
 * after an HTTP 200, else -1 with why (no daemon there, permission
 * denied, timeout, too large, the daemon's own error text) in the
 * outcome. */
int vmh_http_get(struct vmh_http *http, const char *url, struct vmh_http_outcome *outcome);

#endif
