/* Binding and inheriting the face's sockets.  IP_FREEBIND lets the face
 * start before the address exists (the Docker bridge's gateway appears
 * when Docker starts); IPV6_V6ONLY keeps [::] from also taking IPv4.
 * Every UDP socket reports each query's destination address, so that a
 * face on a wildcard address answers from the address asked. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns_sockets.h"

#define SD_LISTEN_FDS_START 3

/* On a wildcard address the kernel would pick the reply's source itself
 * (127.0.0.1 for a query to 127.0.0.2) and the client would drop it; the
 * destination reported here becomes the reply's source (dns_server.c).
 * IPV6_RECVPKTINFO also reports IPv4 queries on a dual-stack socket, as
 * mapped addresses.  A failure is not fatal: the face answers as before. */
static void want_destination(int fd, int family)
{
    int one = 1;
    if (family == AF_INET)
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    else if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
}

/* Files an inherited descriptor under its type; others are left alone. */
static void inherit_one(struct vmh_dns_sockets *sockets, int fd)
{
    int type = 0, family = 0;
    socklen_t length = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0)
        return;
    if (type == SOCK_DGRAM && sockets->udp_count < VMH_DNS_MAX_ENDPOINTS * 2) {
        length = sizeof family;
        if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &length) == 0)
            want_destination(fd, family);
        sockets->udp[sockets->udp_count++] = fd;
    } else if (type == SOCK_STREAM && sockets->tcp_count < VMH_DNS_MAX_ENDPOINTS * 2) {
        sockets->tcp[sockets->tcp_count++] = fd;
    }
}

size_t vmh_dns_sockets_inherit(struct vmh_dns_sockets *sockets)
{
    memset(sockets, 0, sizeof *sockets);
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid())
        return 0;
    long count = strtol(fds, NULL, 10);
    for (long i = 0; i < count && i < VMH_DNS_MAX_ENDPOINTS * 2; i++)
        inherit_one(sockets, SD_LISTEN_FDS_START + (int)i);
    /* Not for the refreshers this process starts. */
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    return sockets->udp_count + sockets->tcp_count;
}

static int open_socket(const struct vmh_dns_endpoint *endpoint, int type)
{
    int family = endpoint->addr.ss_family, one = 1;
    int fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    /* TCP only: on UDP it would let a second face share the port and
     * split the queries; TCP needs it past a restart's TIME_WAIT. */
    if (type == SOCK_STREAM)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one); /* both families */
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (type == SOCK_DGRAM)
        want_destination(fd, family);
    if (bind(fd, (const struct sockaddr *)&endpoint->addr, endpoint->length) != 0 ||
        (type == SOCK_STREAM && listen(fd, 64) != 0)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int vmh_dns_sockets_bind(struct vmh_dns_sockets *sockets, const struct vmh_dns_endpoint *endpoints,
                         size_t count, const struct vmh_dns_endpoint **failed)
{
    memset(sockets, 0, sizeof *sockets);
    for (size_t i = 0; i < count && i < VMH_DNS_MAX_ENDPOINTS; i++) {
        int udp = open_socket(&endpoints[i], SOCK_DGRAM);
        int tcp = udp < 0 ? -1 : open_socket(&endpoints[i], SOCK_STREAM);
        if (tcp < 0) {
            int saved = errno;
            if (udp >= 0)
                close(udp);
            vmh_dns_sockets_close(sockets);
            *failed = &endpoints[i];
            errno = saved;
            return -1;
        }
        sockets->udp[sockets->udp_count++] = udp;
        sockets->tcp[sockets->tcp_count++] = tcp;
    }
    return 0;
}

void vmh_dns_sockets_close(struct vmh_dns_sockets *sockets)
{
    for (size_t i = 0; i < sockets->udp_count; i++)
        close(sockets->udp[i]);
    for (size_t i = 0; i < sockets->tcp_count; i++)
        close(sockets->tcp[i]);
    sockets->udp_count = sockets->tcp_count = 0;
}
