/* The poll loop of the DNS face.  Every socket is non-blocking and every
 * buffer fixed: a reply that cannot be sent at once over UDP is dropped
 * (the client asks again), one over TCP waits in its connection's buffer
 * and that connection reads nothing more until it has gone.  A query whose
 * answer waits for a refresh (the source says it is deferred) is answered
 * by a child process, so that the loop goes on answering every other
 * client meanwhile (later_udp, later_tcp). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dns_server.h"

/* A query over TCP longer than this is no question of ours: the
 * connection is closed rather than a 64 KiB buffer kept for it. */
#define QUERY_MAX 4096
/* Datagrams taken and answered per system call (recvmmsg, sendmmsg): under
 * load the face is bound by system calls, not by its own work. */
#define UDP_BATCH 32
#define UDP_ROUNDS 4 /* batches per wake-up before TCP gets its turn */
#define LISTENER_MAX 64
/* Room for a query's pktinfo (both families, should a socket report both). */
#define CONTROL_MAX (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)))

/* Queries answered by children at once; past that, from the caches as
 * they are: a burst of misses cannot fork without bound. */
#define CHILDREN_MAX 16
/* How long a child may take to hand its reply to a TCP client. */
#define CHILD_SEND_MS 5000

struct connection {
    int fd; /* -1: a free slot */
    unsigned long serial; /* which connection the slot holds: a child's outlives it */
    pid_t pending;        /* the child answering its current frame; 0: none */
    long long last_ms;
    size_t in_length, out_length, out_sent;
    uint8_t in[2 + QUERY_MAX];
    uint8_t out[2 + VMH_DNS_REPLY_MAX];
};

struct udp_batch {
    struct mmsghdr in[UDP_BATCH], out[UDP_BATCH];
    struct iovec in_iov[UDP_BATCH], out_iov[UDP_BATCH];
    struct sockaddr_storage peers[UDP_BATCH];
    /* Each query's destination in, its reply's source out (dns_sockets.c). */
    union {
        struct cmsghdr align;
        char bytes[CONTROL_MAX];
    } in_control[UDP_BATCH], out_control[UDP_BATCH];
    /* A query longer than this is cut (MSG_TRUNC) and not answered. */
    uint8_t queries[UDP_BATCH][QUERY_MAX];
    uint8_t replies[UDP_BATCH][VMH_DNS_REPLY_MAX];
};

struct child {
    pid_t pid;
    struct connection *connection; /* NULL for a UDP query */
    unsigned long serial;
};

struct server {
    const struct vmh_dns_source *source;
    const struct vmh_dns_limits *limits;
    const int *listeners;
    size_t listener_count;
    struct connection connections[VMH_DNS_MAX_CONNECTIONS];
    unsigned long next_serial;
    struct child children[CHILDREN_MAX];
    size_t child_count;
    struct udp_batch udp;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void close_connection(struct connection *c)
{
    close(c->fd);
    c->fd = -1;
}

/* sendmmsg stops at the first message the kernel refuses (a query from
 * port 0, forged through a raw socket, is refused with EINVAL) and drops
 * the error when some went before it; so one bad peer would silence every
 * reply after its own in the batch.  Asked again past each one refused. */
unsigned vmh_dns_send_batch(int fd, struct mmsghdr *messages, unsigned count)
{
    unsigned sent = 0, at = 0;
    while (at < count) {
        int n = sendmmsg(fd, messages + at, count - at, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += (unsigned)n;
            at += (unsigned)n;
        } else if (errno == EINTR) {
            continue;
        } else if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
            /* The socket is full for every peer: the rest is dropped, and
             * their clients ask again. */
            break;
        } else {
            at++; /* this peer's alone: skip it */
        }
    }
    return sent;
}

/* The reply's source: the address the query went to, as a control
 * message in out; returns its length, 0 when the query had no pktinfo (a
 * socket that refused it) and the kernel picks, as it must then.  The
 * IPv4 interface is left to the route, as dnsmasq does; the IPv6 one is
 * kept, a link-local address meaning nothing without it.  out is zeroed
 * first: the kernel reads the message's padding too, and a child's out is
 * on its stack (later_udp). */
static size_t reply_source(struct msghdr *in, void *out)
{
    memset(out, 0, CONTROL_MAX);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR(in, c)) {
        struct msghdr reply = {.msg_control = out, .msg_controllen = CONTROL_MAX};
        struct cmsghdr *r = CMSG_FIRSTHDR(&reply);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo got, source = {0};
            memcpy(&got, CMSG_DATA(c), sizeof got);
            source.ipi_spec_dst = got.ipi_addr;
            *r = (struct cmsghdr){.cmsg_level = IPPROTO_IP, .cmsg_type = IP_PKTINFO,
                                  .cmsg_len = CMSG_LEN(sizeof source)};
            memcpy(CMSG_DATA(r), &source, sizeof source);
            return CMSG_SPACE(sizeof source);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            *r = (struct cmsghdr){.cmsg_level = IPPROTO_IPV6, .cmsg_type = IPV6_PKTINFO,
                                  .cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo))};
            memcpy(CMSG_DATA(r), CMSG_DATA(c), sizeof(struct in6_pktinfo));
            return CMSG_SPACE(sizeof(struct in6_pktinfo));
        }
    }
    return 0;
}

/* Whether the reply just made waits for a refresh; asking clears it. */
static bool deferred(const struct server *server)
{
    const struct vmh_dns_source *source = server->source;
    return source->deferred && source->wait_refresh && source->deferred(source->context);
}

/* A child keeps only the socket it answers on, and dies of the signals
 * that stop the face. */
static void become_child(struct server *server, int keep)
{
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    for (size_t i = 0; i < server->listener_count; i++)
        if (server->listeners[i] != keep)
            close(server->listeners[i]);
    for (int i = 0; i < VMH_DNS_MAX_CONNECTIONS; i++)
        if (server->connections[i].fd >= 0 && server->connections[i].fd != keep)
            close(server->connections[i].fd);
    server->source->wait_refresh(server->source->context);
}

/* 0 in the child, its pid in the server, -1 when there is no child to
 * be had (too many, or fork failed): the caller answers now. */
static pid_t fork_child(struct server *server, struct connection *connection)
{
    if (server->child_count == CHILDREN_MAX)
        return -1;
    pid_t pid = fork();
    if (pid > 0)
        server->children[server->child_count++] =
            (struct child){pid, connection, connection ? connection->serial : 0};
    return pid;
}

/* The UDP query `i` of the batch, answered by a child after the refresh;
 * false when it must be answered now. */
static bool later_udp(struct server *server, int fd, struct udp_batch *b, int i)
{
    pid_t pid = fork_child(server, NULL);
    if (pid != 0)
        return pid > 0;
    become_child(server, fd);
    uint8_t reply[VMH_DNS_REPLY_MAX];
    union {
        struct cmsghdr align;
        char bytes[CONTROL_MAX];
    } control;
    size_t length = vmh_dns_respond(server->source, b->queries[i], b->in[i].msg_len, 0, reply);
    struct iovec iov = {.iov_base = reply, .iov_len = length};
    struct msghdr out = {.msg_name = &b->peers[i], .msg_namelen = b->in[i].msg_hdr.msg_namelen,
                         .msg_iov = &iov, .msg_iovlen = 1};
    out.msg_controllen = reply_source(&b->in[i].msg_hdr, &control);
    if (out.msg_controllen)
        out.msg_control = &control;
    if (length)
        sendmsg(fd, &out, MSG_NOSIGNAL);
    _exit(0);
}

/* The whole frame, waiting for room (the socket is non-blocking, a flag
 * the server's descriptor shares), CHILD_SEND_MS at most. */
static void send_frame(int fd, const uint8_t *frame, size_t length)
{
    size_t sent = 0;
    while (sent < length) {
        ssize_t n = send(fd, frame + sent, length - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        struct pollfd ready = {.fd = fd, .events = POLLOUT};
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return;
        if (poll(&ready, 1, CHILD_SEND_MS) <= 0)
            return;
    }
}

/* The TCP frame in c->in, answered by a child after the refresh; the
 * connection reads nothing more until it is done.  false when it must be
 * answered now. */
static bool later_tcp(struct server *server, struct connection *c, size_t frame)
{
    pid_t pid = fork_child(server, c);
    if (pid > 0)
        c->pending = pid;
    if (pid != 0)
        return pid > 0;
    become_child(server, c->fd);
    uint8_t reply[2 + VMH_DNS_REPLY_MAX];
    size_t length = vmh_dns_respond(server->source, c->in + 2, frame, 1, reply + 2);
    reply[0] = (uint8_t)(length >> 8);
    reply[1] = (uint8_t)length;
    if (length)
        send_frame(c->fd, reply, 2 + length);
    _exit(0);
}

static void process_frames(struct server *server, struct connection *c);

/* The children that are done: a TCP connection they answered for reads
 * its next frame. */
static void reap_children(struct server *server)
{
    for (size_t i = 0; i < server->child_count;) {
        struct child done = server->children[i];
        if (waitpid(done.pid, NULL, WNOHANG) == 0) {
            i++;
            continue;
        }
        server->children[i] = server->children[--server->child_count];
        struct connection *c = done.connection;
        if (c && c->fd >= 0 && c->serial == done.serial && c->pending == done.pid) {
            c->pending = 0;
            c->last_ms = now_ms();
            process_frames(server, c);
        }
    }
}

/* At the face's end: a child still waiting for its refresh would
 * answer after the face said it stopped, and outlive it by up to
 * timeout_ms.  Its client asks again. */
static void stop_children(struct server *server)
{
    for (size_t i = 0; i < server->child_count; i++)
        kill(server->children[i].pid, SIGTERM);
    for (size_t i = 0; i < server->child_count; i++)
        while (waitpid(server->children[i].pid, NULL, 0) < 0 && errno == EINTR)
            ;
    server->child_count = 0;
}

/* The buffers of one recvmmsg. */
static void prepare_batch(struct udp_batch *b)
{
    for (int i = 0; i < UDP_BATCH; i++) {
        b->in_iov[i] = (struct iovec){.iov_base = b->queries[i], .iov_len = QUERY_MAX};
        b->in[i].msg_hdr = (struct msghdr){.msg_name = &b->peers[i],
                                           .msg_namelen = sizeof b->peers[i],
                                           .msg_iov = &b->in_iov[i], .msg_iovlen = 1,
                                           .msg_control = &b->in_control[i],
                                           .msg_controllen = CONTROL_MAX};
    }
}

/* One recvmmsg, the replies, their sendmmsg; returns how many came in. */
static int udp_round(struct server *server, int fd)
{
    struct udp_batch *b = &server->udp;
    prepare_batch(b);
    int received = recvmmsg(fd, b->in, UDP_BATCH, MSG_DONTWAIT, NULL);
    unsigned replies = 0;
    for (int i = 0; i < received; i++) {
        if (b->in[i].msg_hdr.msg_flags & MSG_TRUNC)
            continue;
        size_t length = vmh_dns_respond(server->source, b->queries[i], b->in[i].msg_len, 0,
                                        b->replies[replies]);
        if ((deferred(server) && later_udp(server, fd, b, i)) || !length)
            continue;
        b->out_iov[replies] = (struct iovec){.iov_base = b->replies[replies], .iov_len = length};
        struct msghdr *out = &b->out[replies].msg_hdr;
        *out = (struct msghdr){.msg_name = &b->peers[i],
                               .msg_namelen = b->in[i].msg_hdr.msg_namelen,
                               .msg_iov = &b->out_iov[replies], .msg_iovlen = 1};
        out->msg_controllen = reply_source(&b->in[i].msg_hdr, &b->out_control[replies]);
        if (out->msg_controllen)
            out->msg_control = &b->out_control[replies];
        replies++;
    }
    vmh_dns_send_batch(fd, b->out, replies);
    return received;
}

static void serve_udp(struct server *server, int fd)
{
    for (int round = 0; round < UDP_ROUNDS; round++)
        if (udp_round(server, fd) < UDP_BATCH)
            return;
}

/* The slot for a new connection: a free one, else the least recently
 * active one, closed: a client holding connections open cannot starve
 * the next one. */
static struct connection *free_slot(struct server *server)
{
    struct connection *oldest = NULL;
    for (long i = 0; i < server->limits->max_connections; i++) {
        struct connection *c = &server->connections[i];
        if (c->fd < 0)
            return c;
        if (!oldest || c->last_ms < oldest->last_ms)
            oldest = c;
    }
    close_connection(oldest);
    return oldest;
}

static void accept_tcp(struct server *server, int listener)
{
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    struct connection *c = free_slot(server);
    c->fd = fd;
    c->serial = ++server->next_serial;
    c->pending = 0;
    c->last_ms = now_ms();
    c->in_length = c->out_length = c->out_sent = 0;
}

static void flush_output(struct connection *c)
{
    while (c->out_sent < c->out_length) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_length - c->out_sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                close_connection(c);
            return;
        }
        c->out_sent += (size_t)n;
    }
    c->out_length = c->out_sent = 0;
}

/* Answers the complete frames in the input buffer, one at a time: the
 * next waits until the previous reply has been sent. */
static void process_frames(struct server *server, struct connection *c)
{
    while (c->fd >= 0 && !c->pending && c->out_length == 0 && c->in_length >= 2) {
        size_t frame = (size_t)c->in[0] << 8 | c->in[1];
        if (frame > QUERY_MAX) {
            close_connection(c);
            return;
        }
        if (c->in_length < 2 + frame)
            return;
        size_t length = vmh_dns_respond(server->source, c->in + 2, frame, 1, c->out + 2);
        bool later = deferred(server) && later_tcp(server, c, frame);
        memmove(c->in, c->in + 2 + frame, c->in_length - 2 - frame);
        c->in_length -= 2 + frame;
        if (later)
            return;
        if (length == 0) {
            close_connection(c); /* not a query: nothing more worth reading */
            return;
        }
        c->out[0] = (uint8_t)(length >> 8);
        c->out[1] = (uint8_t)length;
        c->out_length = 2 + length;
        flush_output(c);
    }
}

static void read_tcp(struct server *server, struct connection *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_length, sizeof c->in - c->in_length, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close_connection(c);
        return;
    }
    if (n < 0)
        return;
    c->in_length += (size_t)n;
    c->last_ms = now_ms();
    process_frames(server, c);
}

static void on_connection(struct server *server, struct connection *c, short revents)
{
    /* A hang-up with nothing left to read: the peer is gone. */
    if ((revents & (POLLERR | POLLNVAL)) || (revents & (POLLHUP | POLLIN)) == POLLHUP) {
        close_connection(c);
        return;
    }
    if (revents & POLLOUT) {
        c->last_ms = now_ms();
        flush_output(c);
        if (c->fd >= 0)
            process_frames(server, c);
    }
    if (c->fd >= 0 && (revents & (POLLIN | POLLHUP)) && c->out_length == 0)
        read_tcp(server, c);
}

/* Closes the idle connections; returns how long poll may sleep. */
static int expire_idle(struct server *server)
{
    long long now = now_ms(), idle = server->limits->idle_timeout_ms, wait = 1000;
    for (long i = 0; i < server->limits->max_connections; i++) {
        struct connection *c = &server->connections[i];
        if (c->fd < 0 || c->pending) /* its child's reply is on its way */
            continue;
        long long left = c->last_ms + idle - now;
        if (left <= 0)
            close_connection(c);
        else if (left < wait)
            wait = left;
    }
    /* A child's end is looked for this often while there are any. */
    return server->child_count && wait > 10 ? 10 : (int)wait;
}

/* owners[i] and serials[i]: the connection fds[i] was polled for.  An
 * accept can reuse a descriptor closed earlier in the same round, in
 * the same slot (max_connections 1, two listeners), so neither the slot
 * nor the descriptor alone tells that the events are the new one's. */
static size_t fill_poll(const struct server *server, struct pollfd *fds, const int *listeners,
                        size_t listener_count, struct connection **owners,
                        unsigned long *serials)
{
    size_t n = 0;
    for (size_t i = 0; i < listener_count; i++)
        fds[n++] = (struct pollfd){.fd = listeners[i], .events = POLLIN};
    for (long i = 0; i < server->limits->max_connections; i++) {
        const struct connection *c = &server->connections[i];
        if (c->fd < 0 || c->pending) /* read again once its child is done */
            continue;
        owners[n] = (struct connection *)c;
        serials[n] = c->serial;
        fds[n++] = (struct pollfd){.fd = c->fd,
                                   .events = c->out_length ? POLLOUT : POLLIN};
    }
    return n;
}

static int serve_loop(struct server *server, const int *listeners, size_t udp_count,
                      size_t listener_count, volatile sig_atomic_t *stop)
{
    struct pollfd fds[LISTENER_MAX + VMH_DNS_MAX_CONNECTIONS];
    struct connection *owners[LISTENER_MAX + VMH_DNS_MAX_CONNECTIONS];
    unsigned long serials[LISTENER_MAX + VMH_DNS_MAX_CONNECTIONS];
    while (!*stop) {
        reap_children(server);
        int wait = expire_idle(server);
        size_t n = fill_poll(server, fds, listeners, listener_count, owners, serials);
        if (poll(fds, n, wait) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (!fds[i].revents)
                continue;
            if (i < udp_count)
                serve_udp(server, fds[i].fd);
            else if (i < listener_count)
                accept_tcp(server, fds[i].fd);
            else if (owners[i]->fd == fds[i].fd && owners[i]->serial == serials[i])
                on_connection(server, owners[i], fds[i].revents);
        }
    }
    return 0;
}

int vmh_dns_serve(const int *udp, size_t udp_count, const int *tcp, size_t tcp_count,
                  const struct vmh_dns_source *source, const struct vmh_dns_limits *limits,
                  volatile sig_atomic_t *stop)
{
    int listeners[LISTENER_MAX];
    size_t count = 0;
    if (udp_count + tcp_count > LISTENER_MAX || limits->max_connections < 1 ||
        limits->max_connections > VMH_DNS_MAX_CONNECTIONS) {
        errno = EINVAL;
        return -1;
    }
    for (size_t i = 0; i < udp_count; i++)
        listeners[count++] = udp[i];
    for (size_t i = 0; i < tcp_count; i++)
        listeners[count++] = tcp[i];
    for (size_t i = 0; i < count; i++)
        set_nonblocking(listeners[i]);
    struct server *server = calloc(1, sizeof *server);
    if (!server)
        return -1;
    server->source = source;
    server->limits = limits;
    server->listeners = listeners;
    server->listener_count = count;
    for (int i = 0; i < VMH_DNS_MAX_CONNECTIONS; i++)
        server->connections[i].fd = -1;
    int status = serve_loop(server, listeners, udp_count, count, stop);
    int saved = errno;
    stop_children(server);
    for (int i = 0; i < VMH_DNS_MAX_CONNECTIONS; i++)
        if (server->connections[i].fd >= 0)
            close_connection(&server->connections[i]);
    free(server);
    errno = saved;
    return status;
}
