/* The listen addresses of the DNS face, from text.  Strict: a typo in
 * dns_listen must stop `vmhosts dns` with the word named, never bind
 * somewhere unexpected. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "dns_listen.h"

/* "53" in 1..65535, digits only. */
static int parse_port(const char *text, unsigned *port)
{
    unsigned value = 0;
    if (!*text)
        return -1;
    for (; *text; text++) {
        if (*text < '0' || *text > '9')
            return -1;
        value = value * 10 + (unsigned)(*text - '0');
        if (value > 65535)
            return -1;
    }
    if (value == 0)
        return -1;
    *port = value;
    return 0;
}

static int set_address(const char *host, unsigned port, struct vmh_dns_endpoint *endpoint)
{
    memset(endpoint, 0, sizeof *endpoint);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&endpoint->addr;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&endpoint->addr;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        endpoint->length = sizeof *in4;
        snprintf(endpoint->text, sizeof endpoint->text, "%s:%u", host, port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        endpoint->length = sizeof *in6;
        snprintf(endpoint->text, sizeof endpoint->text, "[%s]:%u", host, port);
        return 0;
    }
    return -1;
}

int vmh_dns_parse_endpoint(const char *word, struct vmh_dns_endpoint *endpoint)
{
    char host[INET6_ADDRSTRLEN + 1];
    unsigned port = VMH_DNS_PORT;
    const char *port_text = NULL;
    size_t host_length;

    if (word[0] == '[') {
        const char *close = strchr(word, ']');
        if (!close || (close[1] && close[1] != ':'))
            return -1;
        host_length = (size_t)(close - word - 1);
        word++;
        if (close[1] == ':')
            port_text = close + 2;
    } else {
        const char *colon = strchr(word, ':');
        /* Two colons or more: an IPv6 address without a port. */
        if (colon && !strchr(colon + 1, ':'))
            port_text = colon + 1;
        host_length = port_text ? (size_t)(colon - word) : strlen(word);
    }
    if (host_length == 0 || host_length >= sizeof host)
        return -1;
    memcpy(host, word, host_length);
    host[host_length] = '\0';
    if (port_text && parse_port(port_text, &port) != 0)
        return -1;
    return set_address(host, port, endpoint);
}

int vmh_dns_parse_listen(const char *list, struct vmh_dns_endpoint *endpoints, size_t max,
                         char *bad, size_t bad_size)
{
    size_t count = 0;
    char word[128];
    snprintf(bad, bad_size, "%s", "(nothing)");
    while (*list) {
        size_t length = strcspn(list, " \t");
        if (length > 0) {
            snprintf(word, sizeof word, "%.*s", (int)length, list);
            if (length >= sizeof word || count == max ||
                vmh_dns_parse_endpoint(word, &endpoints[count]) != 0) {
                snprintf(bad, bad_size, "%s", word);
                return -1;
            }
            count++;
        }
        list += length;
        list += strspn(list, " \t");
    }
    return count > 0 ? (int)count : -1;
}
