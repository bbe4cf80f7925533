/* The DNS face's replies (tools/dns/dns_answer.c) to every kind of query,
 * well-formed and hostile, from a made-up source; and its two text
 * parsers, listen addresses and reverse names. */
#include <arpa/inet.h>
#include <poll.h>
#include <ldns/ldns.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "set_setting.h"
#include "dns_answer.h"
#include "dns_listen.h"
#include "dns_register.h"
#include "dns_reverse.h"
#include "dns_server.h"
#include "dns_sockets.h"

#define TTL 10

/* Folders synced, seen by this fsync, which takes libc's place for the
 * code linked into this program: a registration file renamed into place
 * is lost in a crash until its folder is synced. */
static int folders_synced;

int fsync(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        folders_synced++;
    return (int)syscall(SYS_fsync, fd);
}

static void add_addr(struct vmh_answer *answer, int family, const char *text)
{
    struct vmh_cache_addr *addr = &answer->addrs[answer->addr_count++];
    memset(addr, 0, sizeof *addr);
    addr->family = family == AF_INET ? 4 : 6;
    inet_pton(family, text, addr->bytes);
}

/* mixed: 60 addresses of each family, one of each in turn, as a
 * container on 60 dual-stack networks; the module keeps 64 of them, or
 * with VMH_FAMILY_ONLY 64 of that family. */
static void fake_mixed(struct vmh_answer *answer, int only)
{
    for (int n = 0; n < 60 && answer->addr_count < VMH_ANSWER_MAX_ADDRS; n++) {
        char text[64];
        snprintf(text, sizeof text, "10.1.0.%d", n + 1);
        if (only != AF_INET6)
            add_addr(answer, AF_INET, text);
        snprintf(text, sizeof text, "fd01::%x", n + 1);
        if (only != AF_INET && answer->addr_count < VMH_ANSWER_MAX_ADDRS)
            add_addr(answer, AF_INET6, text);
    }
}

/* What the face last asked the source for. */
static int forward_asked;

/* web: both families; v4only; down: backend unavailable; many: 64 IPv6
 * addresses, many4 64 IPv4; mixed (above); any other *.docker: no such
 * container. */
static void fake_forward(void *context, const char *name, int family, struct vmh_answer *answer,
                         int32_t *ttl)
{
    (void)context;
    forward_asked = family;
    family &= ~VMH_NO_ALIASES;
    int only = family & VMH_FAMILY_ONLY ? family & ~VMH_FAMILY_ONLY : AF_UNSPEC;
    family &= ~VMH_FAMILY_ONLY;
    memset(answer, 0, sizeof *answer);
    *ttl = TTL;
    char folded[300];
    size_t i;
    for (i = 0; name[i] && i < sizeof folded - 1; i++)
        folded[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    folded[i] = '\0';
    if (strcmp(folded, "mixed.docker.") == 0) {
        fake_mixed(answer, only);
    } else if (strcmp(folded, "web.docker.") == 0) {
        /* Both families whatever is asked: the face must pick. */
        add_addr(answer, AF_INET, "172.17.0.2");
        add_addr(answer, AF_INET6, "fd00::2");
    } else if (strcmp(folded, "v4only.docker.") == 0) {
        if (family != AF_INET6)
            add_addr(answer, AF_INET, "172.17.0.3");
        answer->result = answer->addr_count ? VMH_FOUND : VMH_NO_DATA;
        return;
    } else if (strcmp(folded, "down.docker.") == 0) {
        answer->result = VMH_UNAVAILABLE;
        return;
    } else if (strcmp(folded, "many4.docker.") == 0) {
        for (int n = 0; n < VMH_ANSWER_MAX_ADDRS; n++) {
            char text[64];
            snprintf(text, sizeof text, "10.0.0.%d", n + 1);
            add_addr(answer, AF_INET, text);
        }
    } else if (strcmp(folded, "many.docker.") == 0) {
        for (int n = 0; n < VMH_ANSWER_MAX_ADDRS; n++) {
            char text[64];
            snprintf(text, sizeof text, "fd00::%x", n + 1);
            add_addr(answer, AF_INET6, text);
        }
    } else if (!strchr(folded, '.') || strchr(folded, '.') == folded + strlen(folded) - 1) {
        answer->result = VMH_NOT_OURS; /* a bare name no container has */
        return;
    }
    answer->result = answer->addr_count ? VMH_FOUND : VMH_NOT_FOUND;
}

static void fake_reverse(void *context, int family, const void *address,
                         struct vmh_answer *answer, int32_t *ttl)
{
    (void)context;
    static const unsigned char web[4] = {172, 17, 0, 2};
    memset(answer, 0, sizeof *answer);
    *ttl = TTL;
    answer->result = VMH_NOT_OURS;
    if (family == AF_INET && memcmp(address, web, 4) == 0) {
        answer->result = VMH_FOUND;
        snprintf(answer->canonical, sizeof answer->canonical, "web.docker");
        snprintf(answer->aliases[0], sizeof answer->aliases[0], "webhost");
    }
}

/* web.shop.docker, a Compose service, is the one name with a name above
 * it that none has: shop.docker. */
static bool fake_below(void *context, const char *name)
{
    (void)context;
    return strcmp(name, "shop.docker") == 0;
}

static struct vmh_config config;
static const struct vmh_dns_source source = {fake_forward, fake_reverse, &config, NULL,
                                             fake_below, NULL, NULL};

/* Sends a query built by ldns (and frees it); returns the parsed reply
 * (NULL: none). */
static ldns_pkt *respond_to(ldns_pkt *query, int tcp, size_t *length)
{
    uint8_t *wire, out[VMH_DNS_REPLY_MAX];
    size_t size;
    ldns_pkt2wire(&wire, query, &size);
    ldns_pkt_free(query);
    size_t n = vmh_dns_respond(&source, wire, size, tcp, out);
    LDNS_FREE(wire);
    if (length)
        *length = n;
    ldns_pkt *reply = NULL;
    if (n && ldns_wire2pkt(&reply, out, n) != LDNS_STATUS_OK)
        return NULL;
    return reply;
}

static ldns_pkt *ask_full(const char *name, ldns_rr_type type, ldns_rr_class klass, int edns,
                          int tcp, size_t *length)
{
    ldns_pkt *query = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, klass, LDNS_RD);
    ldns_pkt_set_id(query, 0xbeef);
    if (edns)
        ldns_pkt_set_edns_udp_size(query, (uint16_t)edns);
    return respond_to(query, tcp, length);
}

static ldns_pkt *ask(const char *name, ldns_rr_type type)
{
    return ask_full(name, type, LDNS_RR_CLASS_IN, 0, 0, NULL);
}

static char *rdf_text(const ldns_rdf *rdf)
{
    static char text[512];
    char *s = ldns_rdf2str(rdf);
    snprintf(text, sizeof text, "%s", s ? s : "(null)");
    free(s);
    return text;
}

static void found(void)
{
    ldns_pkt *reply = ask("WeB.DoCkEr.", LDNS_RR_TYPE_A);
    CHECK(reply != NULL, "A web.docker: a reply");
    if (!reply)
        return;
    CHECK_INT(ldns_pkt_id(reply), 0xbeef, "the query's ID echoed");
    CHECK_INT(ldns_pkt_get_rcode(reply), LDNS_RCODE_NOERROR, "found: NOERROR");
    CHECK(ldns_pkt_aa(reply), "found: AA set (ours)");
    CHECK(!ldns_pkt_ra(reply), "RA clear: never recursion");
    CHECK(ldns_pkt_rd(reply), "RD copied from the query");
    CHECK_INT(ldns_pkt_ancount(reply), 1, "A: the IPv4 address only");
    const ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(reply), 0);
    CHECK_STR(rdf_text(ldns_rr_owner(rr)), "WeB.DoCkEr.", "the answer's owner in the asked case");
    CHECK_STR(rdf_text(ldns_rr_rdf(rr, 0)), "172.17.0.2", "the address");
    CHECK_INT(ldns_rr_ttl(rr), TTL, "the source's ttl");
    const ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(reply), 0);
    CHECK_STR(rdf_text(ldns_rr_owner(question)), "WeB.DoCkEr.", "the question's case echoed");
    CHECK(!ldns_pkt_edns(reply), "no OPT in the reply to a query without one");
    CHECK_INT(forward_asked, AF_INET | VMH_FAMILY_ONLY | VMH_NO_ALIASES,
              "the module asked for IPv4 alone and no aliases, which a reply has no room for");
    ldns_pkt_free(reply);

    reply = ask("web.docker.", LDNS_RR_TYPE_AAAA);
    rr = reply ? ldns_rr_list_rr(ldns_pkt_answer(reply), 0) : NULL;
    CHECK(rr && ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA &&
              strcmp(rdf_text(ldns_rr_rdf(rr, 0)), "fd00::2") == 0 && ldns_pkt_ancount(reply) == 1,
          "AAAA web.docker: fd00::2 alone");
    ldns_pkt_free(reply);

}

/* RFC 8482 over UDP, where a source address can be spoofed: one HINFO
 * whatever the name holds; over TCP the addresses. */
static void any(void)
{
    size_t length;
    ldns_pkt *reply = ask_full("web.docker.", LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_IN, 0, 0, &length);
    const ldns_rr *rr = reply ? ldns_rr_list_rr(ldns_pkt_answer(reply), 0) : NULL;
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_aa(reply) &&
              ldns_pkt_ancount(reply) == 1 && ldns_rr_get_type(rr) == LDNS_RR_TYPE_HINFO,
          "ANY over UDP: one HINFO record, NOERROR, AA");
    CHECK(rr && ldns_rr_rd_count(rr) == 2 &&
              strcmp(rdf_text(ldns_rr_rdf(rr, 0)), "\"RFC8482\"") == 0 &&
              strcmp(rdf_text(ldns_rr_rdf(rr, 1)), "\"\"") == 0 && ldns_rr_ttl(rr) == TTL,
          "ANY over UDP: HINFO \"RFC8482\" \"\", the name's ttl");
    ldns_pkt_free(reply);
    reply = ask_full("many4.docker.", LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_IN, 1232, 0, &length);
    CHECK(reply && !ldns_pkt_tc(reply) && ldns_pkt_ancount(reply) == 1 && length < 100,
          "ANY over UDP of 64 IPv4 addresses: under 100 bytes, not a kilobyte");
    ldns_pkt_free(reply);
    reply = ask_full("web.docker.", LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_IN, 0, 1, NULL);
    CHECK(reply && ldns_pkt_ancount(reply) == 2 &&
              ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(reply), 0)) == LDNS_RR_TYPE_A,
          "ANY over TCP: both addresses");
    ldns_pkt_free(reply);
    reply = ask_full("many4.docker.", LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_IN, 0, 1, NULL);
    CHECK(reply && ldns_pkt_ancount(reply) == 64, "ANY over TCP: all 64 addresses");
    ldns_pkt_free(reply);
    reply = ask("nope.docker.", LDNS_RR_TYPE_ANY);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NXDOMAIN && ldns_pkt_ancount(reply) == 0,
          "ANY over UDP of no such container: NXDOMAIN, no HINFO");
    ldns_pkt_free(reply);
    reply = ask("shop.docker.", LDNS_RR_TYPE_ANY);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_ancount(reply) == 0,
          "ANY over UDP of an empty non-terminal: NODATA, no HINFO");
    ldns_pkt_free(reply);
}

/* The SOA's owner compared folded: compression may write it as a pointer
 * into the question, in the case asked. */
static void check_soa(const ldns_pkt *reply, const char *zone, uint32_t ttl, const char *what)
{
    const ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(reply), 0);
    char text[160];
    bool ok = soa && ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA &&
              strcasecmp(rdf_text(ldns_rr_owner(soa)), zone) == 0 && ldns_rr_ttl(soa) == ttl &&
              ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)) == ttl;
    snprintf(text, sizeof text, "%s: SOA of %s in authority, ttl and minimum %u", what, zone, ttl);
    CHECK(ok, text);
}

static void negative(void)
{
    ldns_pkt *reply = ask("v4only.docker.", LDNS_RR_TYPE_AAAA);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR &&
              ldns_pkt_ancount(reply) == 0 && ldns_pkt_aa(reply),
          "AAAA of an IPv4-only container: NODATA (NOERROR, no answer, AA)");
    if (reply)
        check_soa(reply, "docker.", TTL, "NODATA: kept as long as the addresses");
    ldns_pkt_free(reply);

    reply = ask("nope.docker.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NXDOMAIN && ldns_pkt_aa(reply),
          "no such container: NXDOMAIN, AA");
    if (reply)
        check_soa(reply, "docker.", 0, "NXDOMAIN: kept by no resolver (the module keeps no miss)");
    ldns_pkt_free(reply);

    reply = ask("web.docker.", LDNS_RR_TYPE_MX);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_ancount(reply) == 0,
          "MX of a container: NODATA");
    ldns_pkt_free(reply);
    reply = ask("web.docker.", LDNS_RR_TYPE_CNAME);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_ancount(reply) == 0,
          "CNAME of a container: NODATA");
    ldns_pkt_free(reply);
    reply = ask("nope.docker.", LDNS_RR_TYPE_TXT);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NXDOMAIN,
          "TXT of no such container: NXDOMAIN");
    ldns_pkt_free(reply);

    reply = ask("down.docker.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_SERVFAIL && ldns_pkt_ancount(reply) == 0,
          "backend unavailable: SERVFAIL");
    ldns_pkt_free(reply);
}

static void not_ours(void)
{
    ldns_pkt *reply = ask("example.com.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED && !ldns_pkt_aa(reply) &&
              !ldns_pkt_ra(reply) && ldns_pkt_ancount(reply) == 0,
          "example.com: REFUSED, no AA, no RA, no answer");
    ldns_pkt_free(reply);
    reply = ask("lonely.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED,
          "a bare name no container has: REFUSED (DNS's, not ours)");
    ldns_pkt_free(reply);
    reply = ask(".", LDNS_RR_TYPE_NS);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED, "the root: REFUSED");
    ldns_pkt_free(reply);
    reply = ask_full("web.docker.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_CH, 0, 0, NULL);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED, "class CH: REFUSED");
    ldns_pkt_free(reply);
    reply = ask_full("web.docker.", LDNS_RR_TYPE_A, (ldns_rr_class)4242, 0, 0, NULL);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED, "an unknown class: REFUSED");
    ldns_pkt_free(reply);
    /* One label "web.docker": read as two, it would be a container's name. */
    reply = ask("web\\.docker.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED && ldns_pkt_ancount(reply) == 0,
          "a dot inside a label: REFUSED, not web.docker");
    ldns_pkt_free(reply);
    reply = ask("org.", LDNS_RR_TYPE_SOA);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED,
          "SOA of the zone above a domain of ours: REFUSED");
    ldns_pkt_free(reply);
    reply = ask("bad\\032name.shop.test.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED,
          "a refused name under label_domains: REFUSED (DNS's zone, not ours)");
    ldns_pkt_free(reply);
    reply = ask("shop.test.", LDNS_RR_TYPE_SOA);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED,
          "SOA of a label domain: REFUSED");
    ldns_pkt_free(reply);
}

/* A name in a zone of ours that the name rules refuse: NXDOMAIN with the
 * zone's SOA, as any authority answers. */
static void check_cannot_exist(const char *name, const char *zone, const char *what)
{
    ldns_pkt *reply = ask(name, LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NXDOMAIN && ldns_pkt_aa(reply) &&
              ldns_pkt_ancount(reply) == 0,
          what);
    if (reply)
        check_soa(reply, zone, 0, what);
    ldns_pkt_free(reply);
}

/* The apex of a zone of ours: its SOA for SOA (and ANY), NODATA for the
 * rest. */
static void check_apex(const char *apex, const char *zone)
{
    char what[128];
    ldns_pkt *reply = ask(apex, LDNS_RR_TYPE_SOA);
    const ldns_rr *soa = reply ? ldns_rr_list_rr(ldns_pkt_answer(reply), 0) : NULL;
    snprintf(what, sizeof what, "SOA %s: NOERROR, AA, the SOA of %s as the answer", apex, zone);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_aa(reply) &&
              ldns_pkt_ancount(reply) == 1 && ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA &&
              strcasecmp(rdf_text(ldns_rr_owner(soa)), zone) == 0,
          what);
    ldns_pkt_free(reply);
    const ldns_rr_type others[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_MX};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char *type = ldns_rr_type2str(others[i]);
        snprintf(what, sizeof what, "%s %s: NODATA (NOERROR, AA, no answer)", type, apex);
        free(type);
        reply = ask(apex, others[i]);
        CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_aa(reply) &&
                  ldns_pkt_ancount(reply) == 0,
              what);
        if (reply)
            check_soa(reply, zone, 0, what);
        ldns_pkt_free(reply);
    }
}

static void zones(void)
{
    check_cannot_exist("*.docker.", "docker.", "*.docker: NXDOMAIN, not REFUSED");
    check_cannot_exist("web\\032.docker.", "docker.", "a space inside a label: NXDOMAIN");
    check_cannot_exist("web\\000.docker.", "docker.", "a NUL byte inside a label: NXDOMAIN");
    check_cannot_exist("a.b.vms.test.", "vms.test.", "two labels under a VM's domain: NXDOMAIN");
    check_cannot_exist("x.*.VMS.test.", "vms.test.", "a * under a VM's domain: NXDOMAIN");
    check_apex("docker.", "docker.");
    check_apex("DoCkEr.", "docker.");
    check_apex("vms.test.", "vms.test.");
    ldns_pkt *reply = ask("web.docker.", LDNS_RR_TYPE_SOA);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_ancount(reply) == 0,
          "SOA of a container: NODATA, no SOA below the apex");
    ldns_pkt_free(reply);
}

/* RFC 8020: NXDOMAIN would deny web.shop.docker too. */
static void empty_non_terminal(void)
{
    ldns_pkt *reply = ask("Shop.Docker.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_aa(reply) &&
              ldns_pkt_ancount(reply) == 0,
          "an empty non-terminal (shop.docker above web.shop.docker): NODATA, not NXDOMAIN");
    if (reply)
        check_soa(reply, "docker.", 0, "an empty non-terminal: kept by no one, as an NXDOMAIN");
    ldns_pkt_free(reply);
    reply = ask("other.docker.", LDNS_RR_TYPE_A);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NXDOMAIN,
          "a name with nothing below: NXDOMAIN still");
    ldns_pkt_free(reply);
}

static void reverse(void)
{
    ldns_pkt *reply = ask("2.0.17.172.IN-ADDR.arpa.", LDNS_RR_TYPE_PTR);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR && ldns_pkt_ancount(reply) == 2,
          "PTR of a container's address: its name and alias");
    if (reply) {
        const ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(reply), 0);
        CHECK_STR(rdf_text(ldns_rr_rdf(rr, 0)), "web.docker.", "PTR: the canonical name first");
    }
    ldns_pkt_free(reply);
    const ldns_rr_type others[] = {LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char what[96], *type = ldns_rr_type2str(others[i]);
        snprintf(what, sizeof what, "%s of a container's reverse name: NODATA", type);
        free(type);
        reply = ask("2.0.17.172.in-addr.arpa.", others[i]);
        CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_NOERROR &&
                  ldns_pkt_ancount(reply) == 0 && ldns_pkt_aa(reply),
              what);
        if (reply)
            check_soa(reply, "2.0.17.172.in-addr.arpa.", TTL, what);
        ldns_pkt_free(reply);
    }
    reply = ask("9.9.9.9.in-addr.arpa.", LDNS_RR_TYPE_TXT);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED,
          "TXT of another address's reverse name: REFUSED");
    ldns_pkt_free(reply);
    reply = ask("9.9.9.9.in-addr.arpa.", LDNS_RR_TYPE_PTR);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED, "PTR of another address: REFUSED");
    ldns_pkt_free(reply);
    reply = ask("17.172.in-addr.arpa.", LDNS_RR_TYPE_PTR);
    CHECK(reply && ldns_pkt_get_rcode(reply) == LDNS_RCODE_REFUSED, "a partial reverse name: REFUSED");
    ldns_pkt_free(reply);

    unsigned char address[16];
    CHECK_INT(vmh_dns_reverse_address("4.3.2.1.in-addr.arpa.", address), AF_INET, "v4 reverse");
    CHECK(address[0] == 1 && address[3] == 4, "v4 reverse: octets reversed");
    CHECK_INT(vmh_dns_reverse_address("04.3.2.1.in-addr.arpa", address), 0, "leading zero refused");
    CHECK_INT(vmh_dns_reverse_address("256.3.2.1.in-addr.arpa", address), 0, "256 refused");
    CHECK_INT(vmh_dns_reverse_address("5.4.3.2.1.in-addr.arpa", address), 0, "5 octets refused");
    const char *v6 = "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.";
    CHECK_INT(vmh_dns_reverse_address(v6, address), AF_INET6, "v6 reverse");
    CHECK(address[0] == 0xfd && address[15] == 2, "v6 reverse: fd00::2");
    CHECK_INT(vmh_dns_reverse_address("0.ip6.arpa", address), 0, "a v6 prefix refused");
}

/* A single-family query gets up to 64 of that family, however many of
 * the other there are. */
static void one_family(void)
{
    ldns_pkt *reply = ask_full("mixed.docker.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0, 1, NULL);
    CHECK(reply && ldns_pkt_ancount(reply) == 60,
          "A of 60 IPv4 and 60 IPv6 addresses: all 60 A records, not 32");
    ldns_pkt_free(reply);
    reply = ask_full("mixed.docker.", LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, 0, 1, NULL);
    CHECK(reply && ldns_pkt_ancount(reply) == 60, "AAAA of the same: all 60 AAAA records");
    ldns_pkt_free(reply);
}

static void sizes(void)
{
    size_t length;
    ldns_pkt *reply = ask_full("many.docker.", LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, 0, 0, &length);
    CHECK(reply && ldns_pkt_tc(reply) && ldns_pkt_ancount(reply) == 0 && length <= 512,
          "64 AAAA over UDP without EDNS: TC, no answer, within 512 bytes");
    ldns_pkt_free(reply);
    reply = ask_full("many.docker.", LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, 4096, 0, &length);
    CHECK(reply && ldns_pkt_tc(reply) && length <= VMH_DNS_UDP_EDNS,
          "64 AAAA with EDNS 4096: TC all the same, within 1232 bytes");
    CHECK(reply && ldns_pkt_edns(reply) && ldns_pkt_edns_udp_size(reply) == VMH_DNS_UDP_EDNS,
          "an OPT in the reply, offering 1232");
    ldns_pkt_free(reply);
    reply = ask_full("many.docker.", LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, 0, 1, &length);
    CHECK(reply && !ldns_pkt_tc(reply) && ldns_pkt_ancount(reply) == 64,
          "64 AAAA over TCP: every one, no TC");
    ldns_pkt_free(reply);
    reply = ask_full("web.docker.", LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, 1232, 0, &length);
    CHECK(reply && !ldns_pkt_tc(reply) && ldns_pkt_ancount(reply) == 1, "a small answer: no TC");
    ldns_pkt_free(reply);
}

static size_t raw(const uint8_t *query, size_t length, uint8_t *out)
{
    return vmh_dns_respond(&source, query, length, 0, out);
}

static void hostile(void)
{
    uint8_t out[VMH_DNS_REPLY_MAX];
    static const uint8_t header_only[12] = {0x12, 0x34, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_INT(raw(header_only, 5, out), 0, "a truncated header: dropped");
    CHECK(raw(header_only, 12, out) == 12 && (out[3] & 0xf) == LDNS_RCODE_FORMERR &&
              out[0] == 0x12 && out[1] == 0x34,
          "QDCOUNT 0: FORMERR with the ID");
    uint8_t response[12];
    memcpy(response, header_only, 12);
    response[2] |= 0x80;
    CHECK_INT(raw(response, 12, out), 0, "a response: dropped (no loops between servers)");
    uint8_t notify[12];
    memcpy(notify, header_only, 12);
    notify[2] = 4 << 3;
    CHECK(raw(notify, 12, out) == 12 && (out[3] & 0xf) == LDNS_RCODE_NOTIMPL,
          "opcode NOTIFY: NOTIMP");
    /* Two questions. */
    static const uint8_t two[] = {0, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0,
                                  1, 'a', 0, 0, 1, 0, 1, 1, 'b', 0, 0, 1, 0, 1};
    CHECK(raw(two, sizeof two, out) == 12 && (out[3] & 0xf) == LDNS_RCODE_FORMERR,
          "QDCOUNT 2: FORMERR");
    /* A name that points at itself. */
    static const uint8_t loop[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    CHECK(raw(loop, sizeof loop, out) == 12 && (out[3] & 0xf) == LDNS_RCODE_FORMERR,
          "a compression loop: FORMERR");
    /* A label of 64 octets (the length byte 64 is no label at all). */
    uint8_t long_label[12 + 1 + 64 + 1 + 4] = {0, 1, 1, 0, 0, 1};
    long_label[12] = 64;
    memset(long_label + 13, 'a', 64);
    memcpy(long_label + 12 + 1 + 64, "\0\0\1\0\1", 5);
    CHECK(raw(long_label, sizeof long_label, out) == 12 && (out[3] & 0xf) == LDNS_RCODE_FORMERR,
          "a label over 63 octets: FORMERR");
    /* 5 labels of 63: 320 octets, over 255. */
    uint8_t long_name[12 + 5 * 64 + 1 + 4] = {0, 1, 1, 0, 0, 1};
    for (int i = 0; i < 5; i++) {
        long_name[12 + i * 64] = 63;
        memset(long_name + 13 + i * 64, 'a', 63);
    }
    memcpy(long_name + 12 + 5 * 64, "\0\0\1\0\1", 5);
    CHECK(raw(long_name, sizeof long_name, out) == 12 && (out[3] & 0xf) == LDNS_RCODE_FORMERR,
          "a name over 255 octets: FORMERR");
    static const uint8_t cut[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'e'};
    CHECK(raw(cut, sizeof cut, out) == 12 && (out[3] & 0xf) == LDNS_RCODE_FORMERR,
          "a question cut short: FORMERR");
}

/* RFC 6891 6.1.1: more than one OPT is FORMERR; one, with or without a
 * TSIG beside it, is not. */
static void opt_count(void)
{
    uint8_t out[VMH_DNS_REPLY_MAX];
    static const uint8_t question[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                       3, 'w', 'e', 'b', 6, 'd', 'o', 'c', 'k', 'e', 'r', 0,
                                       0, 1, 0, 1};
    static const uint8_t opt[] = {0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0};
    /* A TSIG with an empty algorithm name and MAC: ldns takes it. */
    static const uint8_t tsig[] = {0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0,
                                   0, 0, 1, 1, 44, 0, 0, 0, 1, 0, 0, 0, 0};
    uint8_t query[sizeof question + 2 * sizeof opt + sizeof tsig];
    memcpy(query, question, sizeof question);
    memcpy(query + sizeof question, opt, sizeof opt);
    memcpy(query + sizeof question + sizeof opt, opt, sizeof opt);
    query[11] = 2;
    size_t n = raw(query, sizeof question + 2 * sizeof opt, out);
    CHECK(n == 12 && (out[3] & 0xf) == LDNS_RCODE_FORMERR && out[0] == 0 && out[1] == 1,
          "two OPT records: FORMERR");
    query[11] = 1;
    n = raw(query, sizeof question + sizeof opt, out);
    CHECK(n > 12 && (out[3] & 0xf) == LDNS_RCODE_NOERROR && (out[7] == 1),
          "one OPT record: answered");
    memcpy(query + sizeof question + sizeof opt, tsig, sizeof tsig);
    query[11] = 2;
    n = raw(query, sizeof question + sizeof opt + sizeof tsig, out);
    CHECK(n > 12 && (out[3] & 0xf) != LDNS_RCODE_FORMERR,
          "one OPT and a TSIG: not taken for two OPTs");
}

static void edns_version(void)
{
    ldns_pkt *query = ldns_pkt_query_new(ldns_dname_new_frm_str("web.docker."), LDNS_RR_TYPE_A,
                                         LDNS_RR_CLASS_IN, 0);
    ldns_pkt_set_edns_udp_size(query, 1232);
    ldns_pkt_set_edns_version(query, 1);
    ldns_pkt *reply = respond_to(query, 0, NULL);
    CHECK(reply && ldns_pkt_edns(reply) &&
              ldns_pkt_edns_extended_rcode(reply) == 1 && ldns_pkt_get_rcode(reply) == 0 &&
              ldns_pkt_ancount(reply) == 0,
          "EDNS version 1: BADVERS (16) through the OPT record");
    ldns_pkt_free(reply);
}

/* RFC 3225 section 3: the DO bit is copied into the reply. */
static void dnssec_ok(void)
{
    for (int do_bit = 0; do_bit <= 1; do_bit++) {
        ldns_pkt *query = ldns_pkt_query_new(ldns_dname_new_frm_str("web.docker."),
                                             LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
        ldns_pkt_set_edns_udp_size(query, 1232);
        ldns_pkt_set_edns_do(query, do_bit);
        ldns_pkt *reply = respond_to(query, 0, NULL);
        CHECK(reply && ldns_pkt_edns(reply) && ldns_pkt_edns_do(reply) == do_bit &&
                  ldns_pkt_ancount(reply) == 1,
              do_bit ? "a query with DO set: DO set in the reply"
                     : "a query with EDNS, DO clear: DO clear in the reply");
        ldns_pkt_free(reply);
    }
}

static void listen_words(void)
{
    struct vmh_dns_endpoint endpoints[4];
    char bad[64];
    CHECK_INT(vmh_dns_parse_listen("127.0.0.153 127.0.0.1:5353  [::1]:54 ::1", endpoints, 4, bad,
                                   sizeof bad),
              4, "four listen words");
    CHECK_STR(endpoints[0].text, "127.0.0.153:53", "ADDRESS: port 53");
    CHECK_STR(endpoints[1].text, "127.0.0.1:5353", "ADDRESS:PORT");
    CHECK_STR(endpoints[2].text, "[::1]:54", "[ADDRESS6]:PORT");
    CHECK_STR(endpoints[3].text, "[::1]:53", "a bare IPv6 address: port 53");
    const char *bad_words[] = {"", "localhost", "127.0.0.1:0", "127.0.0.1:65536", "[::1",
                               "[::1]x", "1.2.3.4:53x", "[127.0.0.1]:53x"};
    for (size_t i = 0; i < sizeof bad_words / sizeof bad_words[0]; i++) {
        char what[80];
        snprintf(what, sizeof what, "listen word \"%s\" refused", bad_words[i]);
        CHECK_INT(vmh_dns_parse_listen(bad_words[i], endpoints, 4, bad, sizeof bad), -1, what);
    }
    CHECK_INT(vmh_dns_parse_listen("::1 ::2 ::3 ::4 ::5", endpoints, 4, bad, sizeof bad), -1,
              "more words than room: refused");
}

static char *slurp(const char *root, const char *path)
{
    static char text[4096];
    char full[512];
    snprintf(full, sizeof full, "%s%s", root, path);
    FILE *file = fopen(full, "r");
    if (!file)
        return NULL;
    text[fread(text, 1, sizeof text - 1, file)] = '\0';
    fclose(file);
    return text;
}

static bool exists(const char *root, const char *path)
{
    char full[512];
    struct stat st;
    snprintf(full, sizeof full, "%s%s", root, path);
    return lstat(full, &st) == 0;
}

/* enable --dns and disable --dns on a private root: the two files, twice
 * the same, and nothing left after. */
static void registration(void)
{
    char root[] = "/tmp/test_dns.XXXXXX", err[256], etc[64];
    bool changed;
    struct vmh_config settings;
    vmh_config_defaults(&settings);
    set_setting(&settings, VMH_CONF_DNS_LISTEN, "127.0.0.153:5353 [::1]:53");
    set_setting(&settings, VMH_CONF_DOMAINS(VMH_BACKEND_MULTIPASS), "example.org vms.test");
    if (!mkdtemp(root)) {
        CHECK(false, "a scratch root");
        return;
    }
    snprintf(etc, sizeof etc, "%s/etc", root);
    mkdir(etc, 0755);
    folders_synced = 0;
    CHECK(vmh_dns_register(&settings, root, true, &changed, err, sizeof err) == 0 && changed,
          "enable --dns: writes");
    CHECK_INT(folders_synced, 2, "... and syncs each file's folder after its rename");
    CHECK_STR(slurp(root, VMH_RESOLVED_DROPIN),
              "# Written by `vmhosts enable --dns`; `vmhosts disable --dns` removes it.\n"
              "[Resolve]\nDNS=127.0.0.153:5353\nDomains=~docker ~example.org ~vms.test ~lxd ~incus ~libvirt\n",
              "the resolved drop-in: DNS= the first listen address, a routing domain each");
    CHECK_STR(slurp(root, VMH_NEGATIVE_ANCHORS),
              "; Written by `vmhosts enable --dns`; `vmhosts disable --dns` removes it.\n"
              "docker\nexample.org\nvms.test\nlxd\nincus\nlibvirt\n",
              "the negative trust anchors: the same domains");
    CHECK(vmh_dns_register(&settings, root, true, &changed, err, sizeof err) == 0 && !changed,
          "enable --dns again: nothing changes");
    CHECK(vmh_dns_register(&settings, root, false, &changed, err, sizeof err) == 0 && changed,
          "disable --dns: removes");
    CHECK(!exists(root, "/etc/systemd") && !exists(root, "/etc/dnssec-trust-anchors.d"),
          "disable --dns: the folders it made are gone too");
    CHECK(vmh_dns_register(&settings, root, false, &changed, err, sizeof err) == 0 && !changed,
          "disable --dns again: nothing changes");
    /* Anchors an older vmhosts wrote, with the drop-in's marker, are ours. */
    char path[512];
    snprintf(path, sizeof path, "%s/etc/dnssec-trust-anchors.d", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s%s", root, VMH_NEGATIVE_ANCHORS);
    FILE *file = fopen(path, "w");
    if (file) {
        fputs("# Written by `vmhosts enable --dns`; `vmhosts disable --dns` removes it.\ndocker\n",
              file);
        fclose(file);
    }
    CHECK(vmh_dns_register(&settings, root, false, &changed, err, sizeof err) == 0 && changed &&
              !exists(root, VMH_NEGATIVE_ANCHORS),
          "disable --dns removes the anchors an older version wrote");
    /* A file of that name that is not ours stays. */
    snprintf(path, sizeof path, "%s/etc/dnssec-trust-anchors.d", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s%s", root, VMH_NEGATIVE_ANCHORS);
    file = fopen(path, "w");
    if (file) {
        fputs("mine\n", file);
        fclose(file);
    }
    vmh_dns_register(&settings, root, false, &changed, err, sizeof err);
    CHECK(exists(root, VMH_NEGATIVE_ANCHORS) && !changed,
          "disable --dns keeps a file it did not write");
    unlink(path);
    snprintf(path, sizeof path, "%s/etc/dnssec-trust-anchors.d", root);
    rmdir(path);
    set_setting(&settings, VMH_CONF_DNS_LISTEN, "nonsense");
    CHECK(vmh_dns_register(&settings, root, true, &changed, err, sizeof err) == -1,
          "enable --dns with no valid listen address: refused");
    rmdir(etc);
    CHECK(rmdir(root) == 0, "the scratch root is left empty");
    /* Whatever a failed check above left. */
    check_remove_tree(root);
}

/* A second face on a taken address fails, UDP included: sharing the port
 * (SO_REUSEADDR on UDP) would split the queries between the two. */
static void taken_address(void)
{
    struct vmh_dns_endpoint endpoint;
    struct vmh_dns_sockets first, second;
    const struct vmh_dns_endpoint *failed = NULL;
    vmh_dns_parse_endpoint("127.0.0.1:1", &endpoint);
    ((struct sockaddr_in *)&endpoint.addr)->sin_port = 0; /* any free port */
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t length = endpoint.length;
    if (udp < 0 || bind(udp, (struct sockaddr *)&endpoint.addr, length) != 0 ||
        getsockname(udp, (struct sockaddr *)&endpoint.addr, &length) != 0) {
        check_skip("a taken UDP address", "cannot bind on 127.0.0.1 here");
        return;
    }
    close(udp);
    CHECK(vmh_dns_sockets_bind(&first, &endpoint, 1, &failed) == 0 && first.udp_count == 1 &&
              first.tcp_count == 1,
          "a face binds UDP and TCP on its address");
    memset(&second, 0, sizeof second);
    int status = vmh_dns_sockets_bind(&second, &endpoint, 1, &failed);
    CHECK(status == -1 && failed == &endpoint && second.udp_count == 0,
          "a second face on the same address fails, and keeps no socket");
    /* UDP alone: the TCP listener above must not be what refused it. */
    vmh_dns_sockets_close(&first);
    int one = 1, a = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(a, (struct sockaddr *)&endpoint.addr, endpoint.length);
    CHECK(vmh_dns_sockets_bind(&second, &endpoint, 1, &failed) == -1,
          "a UDP port taken even with SO_REUSEADDR: refused, never shared");
    close(a);
}

static int udp_socket(struct sockaddr_in *bound)
{
    socklen_t length = sizeof *bound;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    *bound = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd >= 0 && (bind(fd, (struct sockaddr *)bound, sizeof *bound) != 0 ||
                    getsockname(fd, (struct sockaddr *)bound, &length) != 0)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* The datagrams waiting on fd, each its one byte; a moment's wait for
 * the first, none after. */
static size_t drain(int fd, char *got, size_t room)
{
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < room && poll(&p, 1, n ? 0 : 1000) == 1 && recv(fd, got + n, 1, 0) == 1)
        n++;
    got[n] = '\0';
    return n;
}

/* A batch of replies whose first and third peers the kernel refuses (port
 * 0, as a query forged through a raw socket has): every other one is
 * sent all the same. */
static void send_batch(void)
{
    enum { COUNT = 6 };
    struct sockaddr_in to, from, zero;
    int in = udp_socket(&to), out = udp_socket(&from);
    if (in < 0 || out < 0) {
        check_skip("a batch past a refused peer", "cannot bind on 127.0.0.1 here");
        if (in >= 0)
            close(in);
        if (out >= 0)
            close(out);
        return;
    }
    zero = to;
    zero.sin_port = 0;
    struct mmsghdr messages[COUNT];
    struct iovec iov[COUNT];
    char bytes[] = "abcdef", got[COUNT + 1];
    for (int i = 0; i < COUNT; i++) {
        iov[i] = (struct iovec){.iov_base = &bytes[i], .iov_len = 1};
        messages[i].msg_hdr = (struct msghdr){.msg_name = i == 0 || i == 2 ? &zero : &to,
                                              .msg_namelen = sizeof to,
                                              .msg_iov = &iov[i], .msg_iovlen = 1};
    }
    CHECK_INT(vmh_dns_send_batch(out, messages, COUNT), COUNT - 2,
              "a batch with two peers on port 0: the four others sent");
    drain(in, got, COUNT);
    CHECK_STR(got, "bdef", "every reply after a refused peer arrives, in order");
    close(in);
    close(out);
}

int main(void)
{
    vmh_config_defaults(&config);
    set_setting(&config, VMH_CONF_DOMAINS(VMH_BACKEND_MULTIPASS), "example.org vms.test");
    set_setting(&config, VMH_CONF_LABEL_DOMAINS, "shop.test");
    found();
    any();
    negative();
    not_ours();
    zones();
    empty_non_terminal();
    reverse();
    one_family();
    sizes();
    hostile();
    opt_count();
    edns_version();
    dnssec_ok();
    listen_words();
    registration();
    taken_address();
    send_batch();
    printf("1..%d\n", check_number);
    return check_failed ? 1 : 0;
}
