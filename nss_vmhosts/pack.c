/* Laying an answer out in the caller's buffer.  Every function measures the
 * whole layout before writing a byte: glibc retries with a larger buffer
 * after ERANGE, and a half-written buffer (or a written *pat) from the failed
 * call must not be mistaken for an answer. */
#include "pack.h"

#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes to skip so that buffer + offset + padding is aligned to `align`
 * (a power of two); computed from the address because glibc and nscd hand
 * out buffers at any offset. */
static size_t padding_for(const char *buffer, size_t offset, size_t align)
{
    return (size_t)(-((uintptr_t)buffer + offset)) & (align - 1);
}

static int address_length(uint8_t family)
{
    return family == 4 ? 4 : family == 6 ? 16 : 0;
}

static int socket_family(uint8_t family)
{
    return family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
}

static uint32_t address_count(const struct vmh_answer *answer)
{
    return answer->addr_count < VMH_ANSWER_MAX_ADDRS ? answer->addr_count
                                                     : VMH_ANSWER_MAX_ADDRS;
}

/* How many of the answer's addresses are of `family` (AF_*); AF_UNSPEC
 * counts every address of a known family. */
static size_t count_family(const struct vmh_answer *answer, int family)
{
    size_t count = 0;
    for (uint32_t i = 0; i < address_count(answer); i++) {
        int af = socket_family(answer->addrs[i].family);
        if (af != AF_UNSPEC && (family == AF_UNSPEC || af == family))
            count++;
    }
    return count;
}

static enum nss_status too_small(int *errnop, int *h_errnop)
{
    *errnop = ERANGE;
    *h_errnop = NETDB_INTERNAL;
    return NSS_STATUS_TRYAGAIN;
}

static enum nss_status no_data(int *h_errnop)
{
    *h_errnop = NO_DATA;
    return NSS_STATUS_NOTFOUND;
}

/* The hostent layout, all offsets from `buffer`:
 * padding | h_aliases[] | h_addr_list[] | addresses | h_name | aliases. */
struct hostent_layout {
    size_t aliases, addr_list, addresses, name, alias_names, total;
    size_t addr_count, alias_count, name_size, alias_names_size;
};

static size_t alias_size(const struct vmh_answer *answer, size_t i)
{
    return strnlen(answer->aliases[i], sizeof answer->aliases[i] - 1) + 1;
}

/* The used alias slots come first: resolve fills them in order. */
static size_t count_aliases(const struct vmh_answer *answer)
{
    size_t count = 0;
    while (count < VMH_ANSWER_MAX_ALIASES && answer->aliases[count][0])
        count++;
    return count;
}

static void measure_hostent(const struct vmh_answer *answer, int family, const char *buffer,
                            struct hostent_layout *layout)
{
    size_t length = family == AF_INET ? 4 : 16;
    layout->addr_count = count_family(answer, family);
    layout->name_size = strnlen(answer->canonical, sizeof answer->canonical - 1) + 1;
    layout->alias_count = count_aliases(answer);
    layout->alias_names_size = 0;
    for (size_t i = 0; i < layout->alias_count; i++)
        layout->alias_names_size += alias_size(answer, i);
    layout->aliases = padding_for(buffer, 0, alignof(char *));
    layout->addr_list = layout->aliases + (layout->alias_count + 1) * sizeof(char *);
    layout->addresses = layout->addr_list + (layout->addr_count + 1) * sizeof(char *);
    layout->name = layout->addresses + layout->addr_count * length;
    layout->alias_names = layout->name + layout->name_size;
    layout->total = layout->alias_names + layout->alias_names_size;
}

static void write_hostent(const struct vmh_answer *answer, int family,
                          const struct hostent_layout *layout, struct hostent *result,
                          char *buffer)
{
    int length = family == AF_INET ? 4 : 16;
    char **aliases = (char **)(void *)(buffer + layout->aliases);
    char **addr_list = (char **)(void *)(buffer + layout->addr_list);
    char *address = buffer + layout->addresses;
    char *name = buffer + layout->name;

    memcpy(name, answer->canonical, layout->name_size - 1);
    name[layout->name_size - 1] = '\0';
    char *alias = buffer + layout->alias_names;
    for (size_t i = 0; i < layout->alias_count; i++) {
        size_t size = alias_size(answer, i);
        memcpy(alias, answer->aliases[i], size - 1);
        alias[size - 1] = '\0';
        aliases[i] = alias;
        alias += size;
    }
    aliases[layout->alias_count] = NULL;

    size_t packed = 0;
    for (uint32_t i = 0; i < address_count(answer); i++) {
        if (socket_family(answer->addrs[i].family) != family)
            continue;
        memcpy(address, answer->addrs[i].bytes, (size_t)length);
        addr_list[packed++] = address;
        address += length;
    }
    addr_list[packed] = NULL;

    result->h_name = name;
    result->h_aliases = aliases;
    result->h_addrtype = family;
    result->h_length = length;
    result->h_addr_list = addr_list;
}

enum nss_status vmh_pack_hostent(const struct vmh_answer *answer, int family,
                                 struct hostent *result, char *buffer, size_t buflen,
                                 int *errnop, int *h_errnop, char **canonp)
{
    if (family != AF_INET && family != AF_INET6) {
        *errnop = EAFNOSUPPORT;
        *h_errnop = NO_RECOVERY;
        return NSS_STATUS_UNAVAIL;
    }
    struct hostent_layout layout;
    measure_hostent(answer, family, buffer, &layout);
    if (layout.addr_count == 0)
        return no_data(h_errnop);
    if (buffer == NULL || layout.total > buflen)
        return too_small(errnop, h_errnop);

    write_hostent(answer, family, &layout, result, buffer);
    if (canonp)
        *canonp = result->h_name;
    *h_errnop = NETDB_SUCCESS;
    return NSS_STATUS_SUCCESS;
}

/* The gaih layout, offsets from `buffer`: padding | tuples[] | name.  When
 * the caller gives its own first tuple only the others live in the buffer,
 * and with none there no padding is needed either. */
struct gaih_layout {
    size_t tuples, tuple_count, name, name_size, total;
};

static void measure_gaih(const struct vmh_answer *answer, bool caller_tuple,
                         const char *buffer, struct gaih_layout *layout)
{
    size_t addr_count = count_family(answer, AF_UNSPEC);
    layout->tuple_count = caller_tuple ? addr_count - 1 : addr_count;
    layout->tuples = layout->tuple_count
                         ? padding_for(buffer, 0, alignof(struct gaih_addrtuple))
                         : 0;
    layout->name = layout->tuples + layout->tuple_count * sizeof(struct gaih_addrtuple);
    layout->name_size = strnlen(answer->canonical, sizeof answer->canonical - 1) + 1;
    layout->total = layout->name + layout->name_size;
}

static void fill_tuple(struct gaih_addrtuple *tuple, const struct vmh_cache_addr *addr,
                       char *name)
{
    tuple->next = NULL;
    tuple->name = name;
    tuple->family = socket_family(addr->family);
    memset(tuple->addr, 0, sizeof tuple->addr);
    memcpy(tuple->addr, addr->bytes, (size_t)address_length(addr->family));
    tuple->scopeid = 0;
}

static void write_gaih(const struct vmh_answer *answer, const struct gaih_layout *layout,
                       struct gaih_addrtuple **pat, char *buffer)
{
    struct gaih_addrtuple *tuples = (struct gaih_addrtuple *)(void *)(buffer + layout->tuples);
    char *name = buffer + layout->name;
    memcpy(name, answer->canonical, layout->name_size - 1);
    name[layout->name_size - 1] = '\0';

    /* The caller's tuple, if any, takes the first address; the buffer's
     * tuples take the rest. */
    bool caller_free = *pat != NULL;
    size_t used = 0;
    struct gaih_addrtuple **link = pat;
    for (uint32_t i = 0; i < address_count(answer); i++) {
        if (address_length(answer->addrs[i].family) == 0)
            continue;
        struct gaih_addrtuple *tuple = caller_free ? *pat : &tuples[used++];
        caller_free = false;
        fill_tuple(tuple, &answer->addrs[i], name);
        *link = tuple;
        link = &tuple->next;
    }
}

enum nss_status vmh_pack_gaih(const struct vmh_answer *answer, struct gaih_addrtuple **pat,
                              char *buffer, size_t buflen, int *errnop, int *h_errnop)
{
    if (count_family(answer, AF_UNSPEC) == 0)
        return no_data(h_errnop);
    struct gaih_layout layout;
    measure_gaih(answer, *pat != NULL, buffer, &layout);
    if (buffer == NULL || layout.total > buflen)
        return too_small(errnop, h_errnop);

    write_gaih(answer, &layout, pat, buffer);
    *h_errnop = NETDB_SUCCESS;
    return NSS_STATUS_SUCCESS;
}
