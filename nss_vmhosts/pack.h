/* Laying an answer out in the caller's buffer, to the letter of glibc's
 * contract: never a byte past buflen, and the ERANGE triple when it does
 * not fit so that glibc grows the buffer and calls again. */
#ifndef VMHOSTS_PACK_H
#define VMHOSTS_PACK_H

#include <netdb.h>
#include <nss.h>
#include <stddef.h>

#include "resolve.h"

/* Only the addresses of `family` (AF_INET or AF_INET6) are packed; the
 * answer must hold at least one. */
enum nss_status vmh_pack_hostent(const struct vmh_answer *answer, int family,
                                 struct hostent *result, char *buffer, size_t buflen,
                                 int *errnop, int *h_errnop, char **canonp);

/* Every address, in the answer's order, as a gaih_addrtuple list. */
enum nss_status vmh_pack_gaih(const struct vmh_answer *answer, struct gaih_addrtuple **pat,
                              char *buffer, size_t buflen, int *errnop, int *h_errnop);

#endif
