/* libnss_floor.so.2: the benchmark's floor, an NSS hosts module that knows
 * no name and says so at once.  A lookup through `hosts: floor` costs only
 * what glibc itself spends around a module (parsing the request, the
 * nsswitch machinery, getaddrinfo's bookkeeping): no module can be cheaper.
 * Built by `make bench` only; never installed. */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>

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
    (void)name, (void)pat, (void)buffer, (void)length, (void)ttlp;
    return nothing(errnop, h_errnop);
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
