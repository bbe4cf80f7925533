/* The DNS face's sockets: handed over by systemd (socket activation, so
 * that the face runs without root on port 53), or bound to the listen
 * addresses here. */
#ifndef VMHOSTS_DNS_SOCKETS_H
#define VMHOSTS_DNS_SOCKETS_H

#include <stddef.h>

#include "dns_listen.h"

struct vmh_dns_sockets {
    int udp[VMH_DNS_MAX_ENDPOINTS * 2];
    int tcp[VMH_DNS_MAX_ENDPOINTS * 2];
    size_t udp_count, tcp_count;
};

/* The sockets systemd passed (LISTEN_PID is us, LISTEN_FDS of them from
 * descriptor 3), sorted by type.  Returns how many, 0 when none. */
size_t vmh_dns_sockets_inherit(struct vmh_dns_sockets *sockets);

/* A UDP and a TCP socket on each endpoint.  Returns 0, or -1 with errno
 * and the endpoint that failed in *failed (the sockets so far closed). */
int vmh_dns_sockets_bind(struct vmh_dns_sockets *sockets, const struct vmh_dns_endpoint *endpoints,
                         size_t count, const struct vmh_dns_endpoint **failed);

void vmh_dns_sockets_close(struct vmh_dns_sockets *sockets);

#endif
