/* glibc's entry points: turn an answer into glibc's status triple.
 *
 * The triples are glibc's contract: UNAVAIL/ENOENT for a name
 * that is not ours, so that `vmhosts [NOTFOUND=return]` never hides DNS;
 * NOTFOUND with HOST_NOT_FOUND or NO_DATA for names of ours; and the packers
 * return TRYAGAIN/ERANGE/NETDB_INTERNAL, the only triple on which glibc grows
 * the buffer and calls again. */
#include <errno.h>
#include <string.h>

#include "nss_vmhosts.h"
#include "pack.h"
#include "state.h"

#define EXPORT __attribute__((visibility("default")))

/* The status of an answer that is not VMH_FOUND. */
static enum nss_status unanswered(const struct vmh_answer *answer, int *errnop, int *h_errnop)
{
    switch (answer->result) {
    case VMH_NOT_FOUND:
        *h_errnop = HOST_NOT_FOUND;
        return NSS_STATUS_NOTFOUND;
    case VMH_NO_DATA:
        *h_errnop = NO_DATA;
        return NSS_STATUS_NOTFOUND;
    case VMH_UNAVAILABLE:
        *errnop = answer->cause_errno ? answer->cause_errno : EAGAIN;
        *h_errnop = NO_RECOVERY;
        return NSS_STATUS_UNAVAIL;
    case VMH_NOT_OURS:
    case VMH_FOUND:
    default:
        *errnop = ENOENT;
        *h_errnop = NO_RECOVERY;
        return NSS_STATUS_UNAVAIL;
    }
}

static enum nss_status unsupported_family(int *errnop, int *h_errnop)
{
    *errnop = EAFNOSUPPORT;
    *h_errnop = NO_RECOVERY;
    return NSS_STATUS_UNAVAIL;
}

static enum nss_status by_name4(const char *name, struct gaih_addrtuple **pat, char *buffer,
                                size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp)
{
    struct vmh_answer answer;
    int32_t ttl = 0;

    if (!name || !pat)
        return unanswered(&(struct vmh_answer){.result = VMH_NOT_OURS}, errnop, h_errnop);
    vmh_state_lookup(name, AF_UNSPEC | VMH_NO_ALIASES, &answer, &ttl);
    if (answer.result != VMH_FOUND)
        return unanswered(&answer, errnop, h_errnop);
    enum nss_status status = vmh_pack_gaih(&answer, pat, buffer, buflen, errnop, h_errnop);
    if (status == NSS_STATUS_SUCCESS && ttlp)
        *ttlp = ttl;
    return status;
}

static enum nss_status by_name3(const char *name, int af, struct hostent *host, char *buffer,
                                size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp,
                                char **canonp)
{
    struct vmh_answer answer;
    int32_t ttl = 0;

    if (af != AF_INET && af != AF_INET6)
        return unsupported_family(errnop, h_errnop);
    if (!name || !host)
        return unanswered(&(struct vmh_answer){.result = VMH_NOT_OURS}, errnop, h_errnop);
    /* One family asked: the answer's room is all its (resolve.h). */
    vmh_state_lookup(name, af | VMH_FAMILY_ONLY, &answer, &ttl);
    if (answer.result != VMH_FOUND)
        return unanswered(&answer, errnop, h_errnop);
    enum nss_status status =
        vmh_pack_hostent(&answer, af, host, buffer, buflen, errnop, h_errnop, canonp);
    if (status == NSS_STATUS_SUCCESS && ttlp)
        *ttlp = ttl;
    return status;
}

static enum nss_status by_address(const void *addr, socklen_t len, int af, struct hostent *host,
                                  char *buffer, size_t buflen, int *errnop, int *h_errnop,
                                  int32_t *ttlp)
{
    struct vmh_answer answer;
    int32_t ttl = 0;

    if (af != AF_INET && af != AF_INET6)
        return unsupported_family(errnop, h_errnop);
    if (!addr || !host || len != (af == AF_INET ? 4u : 16u)) {
        *errnop = EINVAL;
        *h_errnop = NO_RECOVERY;
        return NSS_STATUS_UNAVAIL;
    }
    vmh_state_lookup_address(af, addr, &answer, &ttl);
    if (answer.result != VMH_FOUND)
        return unanswered(&answer, errnop, h_errnop);
    enum nss_status status =
        vmh_pack_hostent(&answer, af, host, buffer, buflen, errnop, h_errnop, NULL);
    if (status == NSS_STATUS_SUCCESS && ttlp)
        *ttlp = ttl;
    return status;
}

/* Whatever a lookup did to errno (a missing settings file leaves ENOENT)
 * is undone before the entry point returns, as systemd's modules do.
 * Cancellation is state.c's to hold, step by step.  The status's errno is
 * written only after errno is restored, since glibc often passes &errno as
 * errnop. */
static enum nss_status give_back(enum nss_status status, int saved_errno, int error,
                                 int *errnop)
{
    errno = saved_errno;
    if (error)
        *errnop = error;
    return status;
}

EXPORT enum nss_status _nss_vmhosts_gethostbyname4_r(const char *name,
                                                     struct gaih_addrtuple **pat, char *buffer,
                                                     size_t buflen, int *errnop, int *h_errnop,
                                                     int32_t *ttlp)
{
    int saved_errno = errno;
    int error = 0;
    enum nss_status status = by_name4(name, pat, buffer, buflen, &error, h_errnop, ttlp);
    return give_back(status, saved_errno, error, errnop);
}

EXPORT enum nss_status _nss_vmhosts_gethostbyname3_r(const char *name, int af,
                                                     struct hostent *host, char *buffer,
                                                     size_t buflen, int *errnop, int *h_errnop,
                                                     int32_t *ttlp, char **canonp)
{
    int saved_errno = errno;
    int error = 0;
    enum nss_status status =
        by_name3(name, af, host, buffer, buflen, &error, h_errnop, ttlp, canonp);
    return give_back(status, saved_errno, error, errnop);
}

EXPORT enum nss_status _nss_vmhosts_gethostbyaddr2_r(const void *addr, socklen_t len, int af,
                                                     struct hostent *host, char *buffer,
                                                     size_t buflen, int *errnop, int *h_errnop,
                                                     int32_t *ttlp)
{
    int saved_errno = errno;
    int error = 0;
    enum nss_status status =
        by_address(addr, len, af, host, buffer, buflen, &error, h_errnop, ttlp);
    return give_back(status, saved_errno, error, errnop);
}

EXPORT enum nss_status _nss_vmhosts_gethostbyname2_r(const char *name, int af,
                                                     struct hostent *host, char *buffer,
                                                     size_t buflen, int *errnop, int *h_errnop)
{
    return _nss_vmhosts_gethostbyname3_r(name, af, host, buffer, buflen, errnop, h_errnop, NULL,
                                         NULL);
}

EXPORT enum nss_status _nss_vmhosts_gethostbyname_r(const char *name, struct hostent *host,
                                                    char *buffer, size_t buflen, int *errnop,
                                                    int *h_errnop)
{
    return _nss_vmhosts_gethostbyname3_r(name, AF_INET, host, buffer, buflen, errnop, h_errnop,
                                         NULL, NULL);
}

EXPORT enum nss_status _nss_vmhosts_gethostbyaddr_r(const void *addr, socklen_t len, int af,
                                                    struct hostent *host, char *buffer,
                                                    size_t buflen, int *errnop, int *h_errnop)
{
    return _nss_vmhosts_gethostbyaddr2_r(addr, len, af, host, buffer, buflen, errnop, h_errnop,
                                         NULL);
}
