/* The DNS face's loop: UDP and TCP sockets already bound, one thread,
 * poll().  Bounded: a fixed table of TCP connections, each with fixed
 * buffers, closed when idle, the least recently active one closed to make
 * room for a new one; so a flood or a client that connects and never
 * writes costs a known amount of memory and never locks others out. */
#ifndef VMHOSTS_DNS_SERVER_H
#define VMHOSTS_DNS_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>

#include "dns_answer.h"

#define VMH_DNS_MAX_CONNECTIONS 256

struct vmh_dns_limits {
    long max_connections; /* 1..VMH_DNS_MAX_CONNECTIONS */
    long idle_timeout_ms; /* a TCP connection with nothing to do this long is closed */
};

/* Serves until *stop is set (by a signal handler) or poll fails.  The
 * descriptors are the caller's; each is made non-blocking.  Returns 0 on
 * a stop, -1 with errno on a failure. */
int vmh_dns_serve(const int *udp, size_t udp_count, const int *tcp, size_t tcp_count,
                  const struct vmh_dns_source *source, const struct vmh_dns_limits *limits,
                  volatile sig_atomic_t *stop);

/* Sends count datagrams (each message's msg_name its peer) without
 * blocking, past any one the kernel refuses, until the socket is full;
 * returns how many went. */
unsigned vmh_dns_send_batch(int fd, struct mmsghdr *messages, unsigned count);

#endif
