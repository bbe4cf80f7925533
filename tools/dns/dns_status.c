/* One probe per status: an A query for vmhosts-probe.<suffix> to the first
 * dns_listen address, over UDP, 500 ms at most.  Only the face answers it
 * authoritatively (AA, or SERVFAIL with the backend down), so a reply from
 * some other server on that address does not pass. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns_listen.h"
#include "dns_register.h"
#include "dns_status.h"
#include "names.h"

#define PROBE_TIMEOUT_MS 500

/* The query, by hand: a header and one question, nothing to parse. */
static size_t build_probe(const char *suffix, uint16_t id, unsigned char *out, size_t size)
{
    char name[VMH_NAME_MAX + 1];
    size_t n = 12;
    if ((size_t)snprintf(name, sizeof name, "vmhosts-probe.%.*s", (int)(sizeof name - 15),
                         suffix) >= sizeof name)
        return 0;
    memset(out, 0, 12);
    out[0] = (unsigned char)(id >> 8);
    out[1] = (unsigned char)id;
    out[5] = 1; /* QDCOUNT */
    for (char *save = NULL, *label = strtok_r(name, ".", &save); label;
         label = strtok_r(NULL, ".", &save)) {
        size_t length = strlen(label);
        if (n + length + 6 > size || length > 63)
            return 0;
        out[n++] = (unsigned char)length;
        memcpy(out + n, label, length);
        n += length;
    }
    memcpy(out + n, "\0\0\1\0\1", 5);
    return n + 5;
}

/* "answering", or why not. */
static const char *probe(const struct vmh_config *config, const struct vmh_dns_endpoint *endpoint)
{
    unsigned char query[300], reply[512];
    uint16_t id = (uint16_t)(time(NULL) ^ getpid());
    size_t length = build_probe(config->domains[VMH_BACKEND_DOCKER], id, query, sizeof query);
    int fd = socket(endpoint->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || length == 0)
        return fd < 0 ? "cannot make a socket" : "the suffix is too long to probe";
    const char *verdict = "no answer: not running";
    if (sendto(fd, query, length, 0, (const struct sockaddr *)&endpoint->addr,
               endpoint->length) != (ssize_t)length) {
        verdict = "cannot send to it";
    } else {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n = poll(&pfd, 1, PROBE_TIMEOUT_MS) == 1 ? recv(fd, reply, sizeof reply, 0) : -1;
        if (n >= 12 && reply[0] == query[0] && reply[1] == query[1]) {
            bool authoritative = (reply[2] & 0x04) || (reply[3] & 0x0f) == 2;
            verdict = authoritative ? "answering" : "something else answers there";
        } else if (n >= 0) {
            verdict = "a reply that is not one";
        }
    }
    close(fd);
    return verdict;
}

bool vmh_status_dns(const struct vmh_config *config)
{
    struct vmh_dns_endpoint endpoints[VMH_DNS_MAX_ENDPOINTS];
    char bad[128];
    int count = vmh_dns_parse_listen(config->dns_listen, endpoints, VMH_DNS_MAX_ENDPOINTS, bad,
                                     sizeof bad);
    bool registered = access(VMH_RESOLVED_DROPIN, F_OK) == 0;
    printf("dns face (vmhosts dns):\n");
    if (count < 0) {
        printf("  dns_listen: \"%s\" is not ADDRESS, ADDRESS:PORT or [ADDRESS6]:PORT\n", bad);
        return true;
    }
    const char *verdict = probe(config, &endpoints[0]);
    bool answering = strcmp(verdict, "answering") == 0;
    printf("  %s: %s\n", endpoints[0].text, verdict);
    printf("  systemd-resolved: %s\n",
           registered ? "routes our domains to it (" VMH_RESOLVED_DROPIN ")"
                      : "not registered (sudo vmhosts enable --dns)");
    if (!answering && !registered)
        printf("  only programs that use NSS see the names; see vmhosts(1) for the face\n");
    if (registered && !answering)
        printf("  PROBLEM: resolved sends our domains to a face that does not answer:\n"
               "      do: systemctl start vmhosts-dns.socket, or vmhosts disable --dns\n");
    return registered && !answering;
}
