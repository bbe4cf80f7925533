/* vmh_pack_hostent and vmh_pack_gaih against glibc's buffer contract: for
 * every buffer length around the needed size and every misalignment, either
 * the exact ERANGE triple with nothing written, or a right answer with
 * nothing written past buflen. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "check.h"
#include "pack.h"

#define SLACK 64
#define ARENA_MAX 8192
#define CANARY(i) ((unsigned char)(0xA5 ^ ((i) * 31)))
#define ERRNO_SENTINEL 12345
#define HERRNO_SENTINEL 6789

static alignas(64) unsigned char arena[ARENA_MAX];
/* How much of the arena a call may reach, plus margin: only that much is
 * filled and checked, which keeps the per-length loop fast under valgrind. */
static size_t arena_used = ARENA_MAX;

static void fill_canary(void)
{
    for (size_t i = 0; i < arena_used; i++)
        arena[i] = CANARY(i);
}

/* The first arena byte in [from, to) that is not canary, or `to`. */
static size_t changed_byte(size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (arena[i] != CANARY(i))
            return i;
    return to;
}

static bool inside(const void *pointer, size_t size, const char *buffer, size_t buflen)
{
    const char *p = pointer;
    return p >= buffer && p + size <= buffer + buflen;
}

static bool aligned(const void *pointer, size_t align)
{
    return (uintptr_t)pointer % align == 0;
}

static void add_address(struct vmh_answer *answer, const char *text)
{
    struct vmh_cache_addr *addr = &answer->addrs[answer->addr_count++];
    memset(addr, 0, sizeof *addr);
    if (inet_pton(AF_INET, text, addr->bytes) == 1) {
        addr->family = 4;
    } else {
        addr->family = 6;
        inet_pton(AF_INET6, text, addr->bytes);
    }
}

/* `aliases`: space-separated, into the answer's slots in order. */
static void set_aliases(struct vmh_answer *answer, const char *aliases)
{
    for (size_t i = 0; i < VMH_ANSWER_MAX_ALIASES && *aliases; i++) {
        size_t length = strcspn(aliases, " ");
        snprintf(answer->aliases[i], sizeof answer->aliases[i], "%.*s", (int)length, aliases);
        aliases += length + (aliases[length] == ' ');
    }
}

static size_t alias_count(const struct vmh_answer *answer)
{
    size_t count = 0;
    while (count < VMH_ANSWER_MAX_ALIASES && answer->aliases[count][0])
        count++;
    return count;
}

static void make_answer(struct vmh_answer *answer, const char *canonical, const char *alias,
                        int v4, int v6)
{
    memset(answer, 0, sizeof *answer);
    answer->result = VMH_FOUND;
    snprintf(answer->canonical, sizeof answer->canonical, "%s", canonical);
    set_aliases(answer, alias);
    char text[64];
    /* Interleaved, so that packing one family must skip the other. */
    for (int i = 0; i < v4 || i < v6; i++) {
        if (i < v4) {
            snprintf(text, sizeof text, "172.17.%d.%d", i / 200, i % 200 + 2);
            add_address(answer, text);
        }
        if (i < v6) {
            snprintf(text, sizeof text, "fd00::%x:%x", i + 1, 0x1234 + i);
            add_address(answer, text);
        }
    }
}

static int count_of(const struct vmh_answer *answer, int family)
{
    int count = 0;
    for (uint32_t i = 0; i < answer->addr_count; i++)
        if (family == AF_UNSPEC || answer->addrs[i].family == (family == AF_INET ? 4 : 6))
            count++;
    return count;
}

static size_t pad_for(const char *buffer, size_t align)
{
    return (size_t)(-(uintptr_t)buffer) & (align - 1);
}

/* The size a tight hostent layout needs: pointer arrays, addresses, names. */
static size_t hostent_needed(const struct vmh_answer *answer, int family, const char *buffer)
{
    size_t count = (size_t)count_of(answer, family);
    size_t aliases = alias_count(answer), alias_bytes = 0;
    for (size_t i = 0; i < aliases; i++)
        alias_bytes += strlen(answer->aliases[i]) + 1;
    return pad_for(buffer, alignof(char *)) + (aliases + 1 + count + 1) * sizeof(char *) +
           count * (family == AF_INET ? 4 : 16) + strlen(answer->canonical) + 1 + alias_bytes;
}

static size_t gaih_needed(const struct vmh_answer *answer, bool caller_tuple,
                          const char *buffer)
{
    size_t tuples = (size_t)count_of(answer, AF_UNSPEC) - (caller_tuple ? 1 : 0);
    size_t pad = tuples ? pad_for(buffer, alignof(struct gaih_addrtuple)) : 0;
    return pad + tuples * sizeof(struct gaih_addrtuple) + strlen(answer->canonical) + 1;
}

/* Whether a successful hostent says what the answer holds, every pointer
 * aligned and inside the buffer. */
static bool hostent_right(const struct vmh_answer *answer, int family,
                          const struct hostent *host, const char *buffer, size_t buflen,
                          char *canon)
{
    size_t length = family == AF_INET ? 4 : 16;
    if (host->h_addrtype != family || host->h_length != (int)length)
        return false;
    if (!inside(host->h_name, strlen(answer->canonical) + 1, buffer, buflen) ||
        strcmp(host->h_name, answer->canonical) != 0 || canon != host->h_name)
        return false;
    if (!aligned(host->h_aliases, alignof(char *)) ||
        !aligned(host->h_addr_list, alignof(char *)) ||
        !inside(host->h_aliases, sizeof(char *), buffer, buflen))
        return false;
    size_t aliases = alias_count(answer);
    if (!inside(host->h_aliases, (aliases + 1) * sizeof(char *), buffer, buflen) ||
        host->h_aliases[aliases] != NULL)
        return false;
    for (size_t i = 0; i < aliases; i++) {
        const char *alias = host->h_aliases[i];
        if (!alias || strcmp(alias, answer->aliases[i]) != 0 ||
            !inside(alias, strlen(answer->aliases[i]) + 1, buffer, buflen))
            return false;
    }
    size_t packed = 0;
    for (uint32_t i = 0; i < answer->addr_count; i++) {
        if (answer->addrs[i].family != (family == AF_INET ? 4 : 6))
            continue;
        char *address = host->h_addr_list[packed++];
        if (!address || !inside(address, length, buffer, buflen) ||
            memcmp(address, answer->addrs[i].bytes, length) != 0)
            return false;
    }
    return host->h_addr_list[packed] == NULL;
}

static bool tuple_right(const struct gaih_addrtuple *tuple, const struct vmh_cache_addr *addr,
                        const char *name)
{
    uint32_t expected[4] = {0};
    memcpy(expected, addr->bytes, addr->family == 4 ? 4 : 16);
    return tuple->name == name && tuple->scopeid == 0 &&
           tuple->family == (addr->family == 4 ? AF_INET : AF_INET6) &&
           memcmp(tuple->addr, expected, sizeof expected) == 0;
}

/* Whether the chain from `first` holds every address, in order, all naming
 * one copy of the canonical name in the buffer; `own` is the caller's tuple. */
static bool gaih_right(const struct vmh_answer *answer, const struct gaih_addrtuple *first,
                       const struct gaih_addrtuple *own, const char *buffer, size_t buflen)
{
    if (!first || (own && first != own) || (!own && !inside(first, sizeof *first, buffer, buflen)))
        return false;
    const char *name = first->name;
    if (!inside(name, strlen(answer->canonical) + 1, buffer, buflen) ||
        strcmp(name, answer->canonical) != 0)
        return false;
    const struct gaih_addrtuple *tuple = first;
    for (uint32_t i = 0; i < answer->addr_count; i++, tuple = tuple->next) {
        if (!tuple || !tuple_right(tuple, &answer->addrs[i], name))
            return false;
        if (tuple != own && (!inside(tuple, sizeof *tuple, buffer, buflen) ||
                             !aligned(tuple, alignof(struct gaih_addrtuple))))
            return false;
    }
    return tuple == NULL;
}

enum mode { HOSTENT4, HOSTENT6, GAIH, GAIH_CALLER };

struct outcome {
    enum nss_status status;
    int err, herr;
    bool right;        /* contents check, on success */
    bool outside_same; /* the result struct / *pat untouched, on failure */
};

static void call_pack(enum mode mode, const struct vmh_answer *answer, char *buffer,
                      size_t buflen, struct outcome *out)
{
    out->err = ERRNO_SENTINEL;
    out->herr = HERRNO_SENTINEL;
    if (mode == HOSTENT4 || mode == HOSTENT6) {
        int family = mode == HOSTENT4 ? AF_INET : AF_INET6;
        struct hostent host, before;
        memset(&host, 0x5a, sizeof host);
        before = host;
        char *canon = (char *)&before;
        out->status = vmh_pack_hostent(answer, family, &host, buffer, buflen, &out->err,
                                       &out->herr, &canon);
        out->right = out->status == NSS_STATUS_SUCCESS &&
                     hostent_right(answer, family, &host, buffer, buflen, canon);
        out->outside_same = memcmp(&host, &before, sizeof host) == 0 && canon == (char *)&before;
        return;
    }
    struct gaih_addrtuple own, own_before, *pat = NULL;
    memset(&own, 0x5a, sizeof own);
    own_before = own;
    if (mode == GAIH_CALLER)
        pat = &own;
    out->status = vmh_pack_gaih(answer, &pat, buffer, buflen, &out->err, &out->herr);
    out->right = out->status == NSS_STATUS_SUCCESS &&
                 gaih_right(answer, pat, mode == GAIH_CALLER ? &own : NULL, buffer, buflen);
    out->outside_same = memcmp(&own, &own_before, sizeof own) == 0 &&
                        pat == (mode == GAIH_CALLER ? &own : NULL);
}

static size_t needed_for(enum mode mode, const struct vmh_answer *answer, const char *buffer)
{
    switch (mode) {
    case HOSTENT4: return hostent_needed(answer, AF_INET, buffer);
    case HOSTENT6: return hostent_needed(answer, AF_INET6, buffer);
    case GAIH: return gaih_needed(answer, false, buffer);
    default: return gaih_needed(answer, true, buffer);
    }
}

/* One call at one offset and length; a description of what went wrong, or
 * NULL. */
static const char *one_length(enum mode mode, const struct vmh_answer *answer, size_t offset,
                              size_t buflen)
{
    char *buffer = (char *)arena + offset;
    size_t needed = needed_for(mode, answer, buffer);
    arena_used = offset + needed + 2 * SLACK;
    fill_canary();
    struct outcome out;
    call_pack(mode, answer, buffer, buflen, &out);
    arena_used = ARENA_MAX;
    if (changed_byte(offset + buflen, offset + needed + 2 * SLACK) != offset + needed + 2 * SLACK)
        return "wrote past buflen";
    if (changed_byte(0, offset) != offset)
        return "wrote before the buffer";
    if (buflen < needed) {
        if (out.status != NSS_STATUS_TRYAGAIN || out.err != ERANGE || out.herr != NETDB_INTERNAL)
            return "too small but not (TRYAGAIN, ERANGE, NETDB_INTERNAL)";
        if (changed_byte(offset, offset + buflen) != offset + buflen)
            return "too small but wrote into the buffer";
        if (!out.outside_same)
            return "too small but changed the result or *pat";
        return NULL;
    }
    if (out.status != NSS_STATUS_SUCCESS || out.herr != NETDB_SUCCESS)
        return "fits but not (SUCCESS, NETDB_SUCCESS)";
    if (out.err != ERRNO_SENTINEL)
        return "success touched *errnop";
    if (!out.right)
        return "success with wrong contents";
    return NULL;
}

static const char *mode_name(enum mode mode)
{
    static const char *names[] = {"hostent AF_INET", "hostent AF_INET6", "gaih *pat NULL",
                                  "gaih caller tuple"};
    return names[mode];
}

/* Every length from 0 to needed + SLACK at every offset 0..7: one check. */
static void every_length(enum mode mode, const struct vmh_answer *answer, const char *what)
{
    bool ok = true;
    for (size_t offset = 0; offset < 8 && ok; offset++) {
        size_t needed = needed_for(mode, answer, (char *)arena + offset);
        if (offset + needed + 2 * SLACK > sizeof arena) {
            printf("# %s: arena too small for %zu bytes\n", what, needed);
            ok = false;
            break;
        }
        for (size_t buflen = 0; buflen <= needed + SLACK; buflen++) {
            const char *failure = one_length(mode, answer, offset, buflen);
            if (failure) {
                printf("# %s, %s: offset %zu, buflen %zu (needed %zu): %s\n", mode_name(mode),
                       what, offset, buflen, needed, failure);
                ok = false;
                break;
            }
        }
    }
    char label[160];
    snprintf(label, sizeof label, "%s, %s: every buflen and offset", mode_name(mode), what);
    CHECK(ok, label);
}

static void no_address_of_family(void)
{
    struct vmh_answer answer;
    make_answer(&answer, "only-v4.docker", "", 2, 0);
    fill_canary();
    struct hostent host;
    int err = ERRNO_SENTINEL, herr = HERRNO_SENTINEL;
    enum nss_status status = vmh_pack_hostent(&answer, AF_INET6, &host, (char *)arena,
                                              sizeof arena, &err, &herr, NULL);
    CHECK(status == NSS_STATUS_NOTFOUND && herr == NO_DATA && err == ERRNO_SENTINEL &&
              changed_byte(0, sizeof arena) == sizeof arena,
          "hostent with no address of the family: NOTFOUND, NO_DATA, nothing written");

    make_answer(&answer, "nothing.docker", "", 0, 0);
    struct gaih_addrtuple *pat = NULL;
    err = ERRNO_SENTINEL;
    status = vmh_pack_gaih(&answer, &pat, (char *)arena, sizeof arena, &err, &herr);
    CHECK(status == NSS_STATUS_NOTFOUND && herr == NO_DATA && err == ERRNO_SENTINEL &&
              pat == NULL && changed_byte(0, sizeof arena) == sizeof arena,
          "gaih with no address: NOTFOUND, NO_DATA, nothing written");
}

static void null_canonp_and_bad_family(void)
{
    struct vmh_answer answer;
    make_answer(&answer, "web.docker", "web", 1, 1);
    struct hostent host;
    int err = ERRNO_SENTINEL, herr = HERRNO_SENTINEL;
    enum nss_status status = vmh_pack_hostent(&answer, AF_INET, &host, (char *)arena,
                                              sizeof arena, &err, &herr, NULL);
    CHECK(status == NSS_STATUS_SUCCESS && strcmp(host.h_name, "web.docker") == 0,
          "hostent with canonp NULL succeeds");

    fill_canary();
    status = vmh_pack_hostent(&answer, AF_UNIX, &host, (char *)arena, sizeof arena, &err, &herr,
                              NULL);
    CHECK(status == NSS_STATUS_UNAVAIL && err == EAFNOSUPPORT && herr == NO_RECOVERY &&
              changed_byte(0, sizeof arena) == sizeof arena,
          "hostent for a family that is neither AF_INET nor AF_INET6: UNAVAIL, EAFNOSUPPORT");
}

int main(void)
{
    char long_name[VMH_NAME_MAX + 1];
    memset(long_name, 'a', VMH_NAME_MAX);
    for (int i = 63; i < VMH_NAME_MAX; i += 64)
        long_name[i] = '.';
    long_name[VMH_NAME_MAX] = '\0';
    char long_alias[VMH_NAME_MAX + 1];
    memcpy(long_alias, long_name, sizeof long_alias);
    long_alias[0] = 'b';
    char two_long_aliases[2 * VMH_NAME_MAX + 2];
    snprintf(two_long_aliases, sizeof two_long_aliases, "%s %s", long_alias, long_alias + 1);

    struct scenario {
        const char *what, *canonical, *alias;
        int v4, v6;
    } scenarios[] = {
        {"one address, no alias", "web.docker", "", 1, 1},
        {"one address, alias", "web.docker", "web", 1, 1},
        {"many addresses, alias", "multi.docker", "0123456789ab.docker", 5, 4},
        {"many addresses, no alias", "multi.docker", "", 4, 5},
        {"64 addresses", "full.docker", "full", 32, 32},
        {"two aliases", "web.docker", "0123456789ab.docker 0123456789ab", 2, 2},
        {"253-char name and alias", long_name, long_alias, 3, 3},
        {"253-char name, no alias", long_name, "", 1, 2},
        {"253-char name and two aliases", long_name, two_long_aliases, 2, 1},
    };
    struct vmh_answer answer;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        make_answer(&answer, scenarios[i].canonical, scenarios[i].alias, scenarios[i].v4,
                    scenarios[i].v6);
        for (enum mode mode = HOSTENT4; mode <= GAIH_CALLER; mode++)
            every_length(mode, &answer, scenarios[i].what);
    }
    /* A single address with the caller's tuple: only the name is in the buffer. */
    make_answer(&answer, "solo.docker", "", 1, 0);
    every_length(GAIH_CALLER, &answer, "single address");
    every_length(GAIH, &answer, "single address");

    no_address_of_family();
    null_canonp_and_bad_family();
    return check_done();
}
