/* glibc's entry points, as the module exports them (nss_vmhosts.map). */
#ifndef VMHOSTS_NSS_VMHOSTS_H
#define VMHOSTS_NSS_VMHOSTS_H

#include <netdb.h>
#include <nss.h>
#include <stdint.h>
#include <sys/socket.h>

enum nss_status _nss_vmhosts_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
                                              char *buffer, size_t buflen, int *errnop,
                                              int *h_errnop, int32_t *ttlp);
enum nss_status _nss_vmhosts_gethostbyname3_r(const char *name, int af, struct hostent *host,
                                              char *buffer, size_t buflen, int *errnop,
                                              int *h_errnop, int32_t *ttlp, char **canonp);
enum nss_status _nss_vmhosts_gethostbyname2_r(const char *name, int af, struct hostent *host,
                                              char *buffer, size_t buflen, int *errnop,
                                              int *h_errnop);
enum nss_status _nss_vmhosts_gethostbyname_r(const char *name, struct hostent *host,
                                             char *buffer, size_t buflen, int *errnop,
                                             int *h_errnop);
enum nss_status _nss_vmhosts_gethostbyaddr2_r(const void *addr, socklen_t len, int af,
                                              struct hostent *host, char *buffer, size_t buflen,
                                              int *errnop, int *h_errnop, int32_t *ttlp);
enum nss_status _nss_vmhosts_gethostbyaddr_r(const void *addr, socklen_t len, int af,
                                             struct hostent *host, char *buffer, size_t buflen,
                                             int *errnop, int *h_errnop);

#endif
