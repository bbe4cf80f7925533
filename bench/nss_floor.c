/* libnss_floor.so.2: the benchmark's floor, an NSS hosts module that knows
 * no name and says so at once.  A lookup through `hosts: floor` costs only
 * what glibc itself spends around a module (parsing the request, the
 * nsswitch machinery, getaddrinfo's bookkeeping): no module can be cheaper.
 *
 * One name, hit.floor, it does answer, with 192.0.2.1 from
 * gethostbyname4_r (what getaddrinfo AF_UNSPEC calls), at once: what glibc
 * spends on turning one address into an answer (the addrinfo it allocates
 * and the caller frees) is the floor of a hit, which a module that does
 * nothing else would still cost.  Built by `make bench` only; never
 * installed. */
#include <errno.h>
#include <sys/socket.h>
#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FLOOR_EXPORT __attribute__((visibility("default")))

/* The not-ours answer: UNAVAIL, ENOENT, NO_RECOVERY, as nss_vmhosts gives
 * for a name that is not its own. */
static enum nss_status nothing(int *errnop, int *h_errnop)
{
    *errnop = ENOENT;
    *h_errnop = NO_RECOVERY;
    return NSS_STATUS_UNAVAIL;
}

FLOOR_EXPORT enum nss_status _nss_floor_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
                                                         char *buffer, size_t length, int *errnop,
                                                         int *h_errnop, int32_t *ttlp)
{
    static const unsigned char address[4] = {192, 0, 2, 1};
    static const char hit[] = "hit.floor";
    struct gaih_addrtuple *tuple = (struct gaih_addrtuple *)buffer;

    if (strcmp(name, hit) != 0)
        return nothing(errnop, h_errnop);
    /* Room for the tuple and the name after it; the buffer is aligned. */
    if (length < sizeof *tuple + sizeof hit) {
        *errnop = ERANGE;
        *h_errnop = NETDB_INTERNAL;
        return NSS_STATUS_TRYAGAIN;
    }
    memcpy(buffer + sizeof *tuple, hit, sizeof hit);
    memset(tuple, 0, sizeof *tuple);
    tuple->name = buffer + sizeof *tuple;
    tuple->family = AF_INET;
    memcpy(tuple->addr, address, sizeof address);
    if (*pat)
        **pat = *tuple;
    else
        *pat = tuple;
    *h_errnop = NETDB_SUCCESS;
    if (ttlp)
        *ttlp = 0;
    return NSS_STATUS_SUCCESS;
}

FLOOR_EXPORT enum nss_status _nss_floor_gethostbyname3_r(const char *name, int family,
                                                         struct hostent *host, char *buffer,
                                                         size_t length, int *errnop,
                                                         int *h_errnop, int32_t *ttlp,
                                                         char **canonp)
{
    (void)name, (void)family, (void)host, (void)buffer, (void)length, (void)ttlp, (void)canonp;
    return nothing(errnop, h_errnop);
}

FLOOR_EXPORT enum nss_status _nss_floor_gethostbyname2_r(const char *name, int family,
                                                         struct hostent *host, char *buffer,
                                                         size_t length, int *errnop,
                                                         int *h_errnop)
{
    (void)name, (void)family, (void)host, (void)buffer, (void)length;
    return nothing(errnop, h_errnop);
}

FLOOR_EXPORT enum nss_status _nss_floor_gethostbyname_r(const char *name, struct hostent *host,
                                                        char *buffer, size_t length, int *errnop,
                                                        int *h_errnop)
{
    (void)name, (void)host, (void)buffer, (void)length;
    return nothing(errnop, h_errnop);
}
