/* One query, one reply.  ldns parses the query (compression, bounds, label
 * and name limits are its) and lays out the reply; the names are decided
 * by the module's rules through the source.  What each status means:
 *
 *   ours, found                    NOERROR, AA, the addresses (or PTRs)
 *   ours, no such container or VM  NXDOMAIN, AA, SOA (ttl 0) in authority
 *   in a zone of ours, a name the
 *     name rules refuse            NXDOMAIN, AA, SOA (ttl 0): cannot exist
 *   ours, exists, not that type    NOERROR, AA, no answer, SOA (NODATA)
 *   ours, none, but one below it   NODATA, SOA (ttl 0): an empty non-terminal
 *   a zone's apex                  its SOA for SOA; NODATA for other types
 *   ours, backend down             SERVFAIL
 *   not ours, other classes        REFUSED: never recursion (RA is 0)
 *   not a QUERY opcode             NOTIMP;  malformed (two OPTs too): FORMERR
 *
 * Our zones are the backends' domains (`enable --dns` routes them here),
 * not label_domains, where a name no label gave is DNS's.
 *
 * ANY over UDP answers one HINFO "RFC8482" "" (RFC 8482 4.2), never the
 * addresses: its size cannot grow with a name's records, so a spoofed ANY
 * reflects no more than it asks; over TCP ANY answers A and AAAA.  An
 * apex's ANY is its SOA, a reverse name's its PTRs: one RRset, no more
 * than SOA or PTR gets.  CNAME and every other type of a name of ours is
 * NODATA: the face answers the addresses under the asked name, as
 * getaddrinfo does, and keeps no other records. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dns_answer.h"
#include "dns_reverse.h"
#include "names.h"

#define HEADER_SIZE 12
#define EDNS_BADVERS 16

struct reply {
    ldns_pkt *pkt;
    const ldns_rdf *owner; /* the question's name, its case as asked */
    uint32_t ttl;
    bool over_tcp;
};

static ldns_rr *new_rr(const ldns_rdf *owner, ldns_rr_type type, uint32_t ttl)
{
    ldns_rr *rr = ldns_rr_new();
    if (!rr)
        return NULL;
    ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
    ldns_rr_set_type(rr, type);
    ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
    ldns_rr_set_ttl(rr, ttl);
    return rr;
}

static void push(struct reply *reply, ldns_pkt_section section, ldns_rr *rr)
{
    if (rr)
        ldns_pkt_push_rr(reply->pkt, section, rr);
}

/* The answer to AF_INET or AF_INET6 holds that family alone (asked with
 * VMH_FAMILY_ONLY), to ANY both; a source that gives more is filtered
 * all the same.  family 0: both (ANY). */
static void add_addresses(struct reply *reply, const struct vmh_answer *answer, int family)
{
    for (uint32_t i = 0; i < answer->addr_count; i++) {
        const struct vmh_cache_addr *addr = &answer->addrs[i];
        bool v4 = addr->family == 4;
        if ((family == AF_INET && !v4) || (family == AF_INET6 && v4))
            continue;
        ldns_rr *rr = new_rr(reply->owner, v4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA, reply->ttl);
        if (rr)
            ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(v4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA,
                                                       v4 ? 4 : 16, addr->bytes));
        push(reply, LDNS_SECTION_ANSWER, rr);
    }
}

static void add_ptr(struct reply *reply, const char *name)
{
    char text[VMH_NAME_MAX + 2];
    snprintf(text, sizeof text, "%s.", name);
    ldns_rdf *target = ldns_dname_new_frm_str(text);
    ldns_rr *rr = target ? new_rr(reply->owner, LDNS_RR_TYPE_PTR, reply->ttl) : NULL;
    if (!rr) {
        ldns_rdf_deep_free(target);
        return;
    }
    ldns_rr_push_rdf(rr, target);
    push(reply, LDNS_SECTION_ANSWER, rr);
}

/* RFC 8482 4.2: the one record an ANY over UDP gets, whatever the name
 * has.  Not 4.1's one RRset: 64 A records are a kilobyte, the reflection
 * a spoofed 44-byte ANY is sent for, where this is a fixed few bytes.  A
 * client after addresses asks A and AAAA; over TCP, where no source is
 * spoofed, ANY still gets both (4.4). */
static void add_rfc8482_hinfo(struct reply *reply)
{
    ldns_rr *rr = new_rr(reply->owner, LDNS_RR_TYPE_HINFO, reply->ttl);
    if (!rr)
        return;
    ldns_rr_push_rdf(rr, ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, "RFC8482"));
    ldns_rr_push_rdf(rr, ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, ""));
    push(reply, LDNS_SECTION_ANSWER, rr);
}

/* RFC 2308: a negative answer is kept for min(SOA ttl, minimum), both
 * negative_ttl.  The zone is the suffix or domain that made the name ours;
 * a bare name is its own apex (no zone above it is ours). */
static ldns_rr *soa_record(const struct reply *reply, const char *zone, uint32_t negative_ttl)
{
    char text[VMH_NAME_MAX + 2], contact[VMH_NAME_MAX + 16];
    snprintf(text, sizeof text, "%s.", zone);
    snprintf(contact, sizeof contact, "hostmaster.%s.", zone);
    ldns_rdf *apex = ldns_dname_new_frm_str(text);
    ldns_rr *rr = apex ? new_rr(apex, LDNS_RR_TYPE_SOA, negative_ttl) : NULL;
    if (rr) {
        ldns_rr_push_rdf(rr, ldns_rdf_clone(apex));
        ldns_rr_push_rdf(rr, ldns_dname_new_frm_str(contact));
        ldns_rr_push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, (uint32_t)time(NULL)));
        ldns_rr_push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, reply->ttl));
        ldns_rr_push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, reply->ttl));
        ldns_rr_push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, 3600));
        ldns_rr_push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, negative_ttl));
    }
    ldns_rdf_deep_free(apex);
    return rr;
}

static void add_soa(struct reply *reply, const char *zone, uint32_t negative_ttl)
{
    push(reply, LDNS_SECTION_AUTHORITY, soa_record(reply, zone, negative_ttl));
}

/* NXDOMAIN, NODATA, SERVFAIL or the addresses, from the module's result.
 * NODATA is kept as long as the addresses would be: the record that lacks
 * the family is the one the ttl is for.  NXDOMAIN is kept by no one: the
 * module caches no miss, so a container started a moment later resolves
 * at once through getent, and must through a resolver too. */
static void forward_result(struct reply *reply, const struct vmh_answer *answer,
                           const char *zone, bool want_addresses, int family)
{
    switch (answer->result) {
    case VMH_FOUND:
        ldns_pkt_set_aa(reply->pkt, true);
        if (want_addresses)
            add_addresses(reply, answer, family);
        else
            add_soa(reply, zone, reply->ttl);
        break;
    case VMH_NO_DATA:
        ldns_pkt_set_aa(reply->pkt, true);
        add_soa(reply, zone, reply->ttl);
        break;
    case VMH_NOT_FOUND:
        ldns_pkt_set_aa(reply->pkt, true);
        ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_NXDOMAIN);
        add_soa(reply, zone, 0);
        break;
    case VMH_UNAVAILABLE:
        ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_SERVFAIL);
        break;
    case VMH_NOT_OURS: /* a bare name no container has: DNS's, not ours */
    default:
        ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_REFUSED);
        break;
    }
}

/* Where a name stands to our zones: the backends' domains, which `enable
 * --dns` routes here.  Not label_domains: a name there that no label
 * gave is DNS's, so we are no authority for them. */
enum zone_place { OUTSIDE, APEX, BELOW };

/* ASCII: the tool's locale must not decide which names are ours. */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool same_folded(const char *a, const char *b, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/* The closest of our zones that holds text, as name_text writes it: its
 * every dot ends a label (a dot inside one is \046), and a backslash
 * matches no domain.  zone: VMH_NAME_MAX + 1 bytes, the zone lowercase. */
static enum zone_place zone_of(const struct vmh_name_index *index, const char *text, char *zone)
{
    size_t n = strlen(text) - 1, best = 0; /* less the root's dot */
    enum zone_place place = OUTSIDE;
    for (unsigned i = 0; i < index->count; i++) {
        const struct vmh_index_domain *domain = &index->domains[i];
        size_t m = domain->length;
        if (domain->label_only || m <= best || m > n || (m < n && text[n - m - 1] != '.') ||
            !same_folded(text + n - m, domain->text, m))
            continue;
        best = m;
        place = m == n ? APEX : BELOW;
        for (size_t j = 0; j < m; j++)
            zone[j] = lower(domain->text[j]);
        zone[m] = '\0';
    }
    return place;
}

/* The apex of a zone of ours exists whatever runs: its SOA, NODATA for
 * every other type.  A container whose hostname is the zone's one label
 * answers as a bare name before this is asked; kept by no one, as an
 * NXDOMAIN is, since one may take that hostname a moment later. */
static void answer_apex(struct reply *reply, const char *zone, ldns_rr_type type)
{
    reply->ttl = 0;
    ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_NOERROR);
    ldns_pkt_set_aa(reply->pkt, true);
    if (type == LDNS_RR_TYPE_SOA || type == LDNS_RR_TYPE_ANY)
        push(reply, LDNS_SECTION_ANSWER, soa_record(reply, zone, reply->ttl));
    else
        add_soa(reply, zone, reply->ttl);
}

/* A name in a zone of ours that the name rules refuse (a `*`, a space, a
 * second label under a VM's domain) cannot exist: NXDOMAIN, as any
 * authority for the zone answers; REFUSED would send a resolver looking
 * for another server that does not exist. */
static void answer_cannot_exist(struct reply *reply, const char *zone)
{
    ldns_pkt_set_aa(reply->pkt, true);
    ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_NXDOMAIN);
    add_soa(reply, zone, 0);
}

/* A name the rules make ours, by the module's lookup.  RFC 8020: an
 * NXDOMAIN says nothing is below the name, and a minimising resolver stops
 * at shop.docker before asking web.shop.docker; such an empty non-terminal
 * is NODATA, kept by no one as an NXDOMAIN is (a container called shop may
 * start a moment later). */
static void answer_ours(const struct vmh_dns_source *source, struct reply *reply, const char *text,
                        ldns_rr_type type, const struct vmh_name *name, enum zone_place place,
                        const char *zone)
{
    struct vmh_answer answer;
    int32_t ttl = 0;
    int family = type == LDNS_RR_TYPE_A      ? AF_INET
                 : type == LDNS_RR_TYPE_AAAA ? AF_INET6
                                             : AF_UNSPEC;
    /* One family alone: else the other's addresses take its room.  No
     * aliases: a reply names only the owner asked, and building them was
     * a seventh of a hit's instructions in the module (nss.c asks the
     * same for getaddrinfo). */
    int asked = family == AF_UNSPEC ? family : family | VMH_FAMILY_ONLY;
    source->forward(source->context, text, asked | VMH_NO_ALIASES, &answer, &ttl);
    reply->ttl = ttl > 0 ? (uint32_t)ttl : 0;
    if (place == APEX && (answer.result == VMH_NOT_OURS || answer.result == VMH_NOT_FOUND)) {
        answer_apex(reply, zone, type);
        return;
    }
    if (answer.result == VMH_NOT_FOUND && source->below &&
        source->below(source->context, name->normalized)) {
        answer.result = VMH_NO_DATA;
        reply->ttl = 0;
    }
    if (type == LDNS_RR_TYPE_ANY && !reply->over_tcp && answer.result == VMH_FOUND) {
        ldns_pkt_set_aa(reply->pkt, true);
        add_rfc8482_hinfo(reply);
        return;
    }
    bool addresses = family != AF_UNSPEC || type == LDNS_RR_TYPE_ANY;
    forward_result(reply, &answer, name->kind == VMH_NAME_BARE ? name->normalized : name->domain,
                   addresses, family);
}

static void answer_forward(const struct vmh_dns_source *source, struct reply *reply,
                           const char *text, ldns_rr_type type)
{
    struct vmh_name_index index;
    struct vmh_name name;
    char zone[VMH_NAME_MAX + 1];
    vmh_name_index(source->config, &index);
    enum zone_place place = zone_of(&index, text, zone);
    bool ours = vmh_name_classify_indexed(text, &index, &name) != VMH_NAME_NOT_OURS;
    if (place == APEX && (!ours || type == LDNS_RR_TYPE_SOA || type == LDNS_RR_TYPE_ANY))
        answer_apex(reply, zone, type);
    else if (ours)
        answer_ours(source, reply, text, type, &name, place, zone);
    else if (place == BELOW)
        answer_cannot_exist(reply, zone);
    else
        ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_REFUSED);
}

/* Our addresses' reverse names are ours; every other reverse name is not
 * (we cannot say that 10.0.0.1 has no name).  One of ours asked another
 * type exists all the same: NODATA, as a forward name's, with the reverse
 * name as its own apex as a bare name is (no zone above it is ours). */
static void answer_reverse(const struct vmh_dns_source *source, struct reply *reply,
                           const char *text, ldns_rr_type type)
{
    unsigned char address[16];
    struct vmh_answer answer;
    int32_t ttl = 0;
    int family = vmh_dns_reverse_address(text, address);
    ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_REFUSED);
    if (!family)
        return;
    source->reverse(source->context, family, address, &answer, &ttl);
    if (answer.result != VMH_FOUND)
        return;
    reply->ttl = ttl > 0 ? (uint32_t)ttl : 0;
    ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_NOERROR);
    ldns_pkt_set_aa(reply->pkt, true);
    if (type != LDNS_RR_TYPE_PTR && type != LDNS_RR_TYPE_ANY) {
        char apex[VMH_NAME_MAX + 1];
        snprintf(apex, sizeof apex, "%.*s", (int)strlen(text) - 1, text); /* less the root's dot */
        add_soa(reply, apex, reply->ttl);
        return;
    }
    add_ptr(reply, answer.canonical);
    for (int i = 0; i < VMH_ANSWER_MAX_ALIASES; i++)
        if (answer.aliases[i][0])
            add_ptr(reply, answer.aliases[i]);
}

/* A reply with the header alone: for queries ldns could not parse, where
 * echoing anything but the ID and opcode would echo garbage. */
static size_t header_reply(const uint8_t *query, uint8_t rcode, uint8_t *out)
{
    memset(out, 0, HEADER_SIZE);
    out[0] = query[0];
    out[1] = query[1];
    out[2] = (uint8_t)(0x80 | (query[2] & 0x79)); /* QR, the opcode, RD */
    out[3] = rcode;
    return HEADER_SIZE;
}

/* The question's name as text, as ldns_rdf2str writes it ("web.docker.",
 * a byte outside letters, digits, '-' and '_' as \DDD, which no name of
 * ours has), without its allocation and printf per label: perf showed
 * rdf2str's printf and malloc at about a tenth of the face's time.  ldns
 * has checked the name (uncompressed, labels of at most 63, 255 in all), so
 * the text fits. */
static void name_text(const ldns_rdf *name, char *text)
{
    const uint8_t *wire = ldns_rdf_data(name);
    size_t size = ldns_rdf_size(name), at = 0, used = 0;
    while (at < size && wire[at] != 0) {
        size_t end = at + 1 + wire[at];
        for (at++; at < end && at < size; at++) {
            uint8_t c = wire[at];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_')
                text[used++] = (char)c;
            else
                used += (size_t)sprintf(text + used, "\\%03u", c);
        }
        text[used++] = '.';
    }
    if (used == 0)
        text[used++] = '.';
    text[used] = '\0';
}

static void answer_question(const struct vmh_dns_source *source, struct reply *reply,
                            const ldns_rr *question)
{
    ldns_rr_type type = ldns_rr_get_type(question);
    char text[4 * LDNS_MAX_DOMAINLEN + 2];
    name_text(reply->owner, text);
    if (ldns_rr_get_class(question) != LDNS_RR_CLASS_IN)
        ldns_pkt_set_rcode(reply->pkt, LDNS_RCODE_REFUSED);
    else if (vmh_dns_is_reverse(text))
        answer_reverse(source, reply, text, type);
    else
        answer_forward(source, reply, text, type);
}

/* The UDP payload the client can take: its EDNS size within our 1232. */
static size_t udp_limit(const ldns_pkt *query)
{
    if (!ldns_pkt_edns(query))
        return VMH_DNS_UDP_PLAIN;
    size_t asked = ldns_pkt_edns_udp_size(query);
    return asked < VMH_DNS_UDP_PLAIN ? VMH_DNS_UDP_PLAIN
                                     : asked > VMH_DNS_UDP_EDNS ? VMH_DNS_UDP_EDNS : asked;
}

/* One buffer for every reply, kept: ldns_pkt2wire allocates and frees
 * 64 KiB a reply, and perf showed glibc's malloc consolidating its heap on
 * every such free.  The face answers one packet at a time (dns_server.c). */
static ldns_buffer *reply_buffer(void)
{
    static ldns_buffer *buffer;
    if (!buffer)
        buffer = ldns_buffer_new(VMH_DNS_REPLY_MAX);
    if (buffer)
        ldns_buffer_clear(buffer);
    return buffer;
}

static bool to_wire(const ldns_pkt *pkt, ldns_buffer **buffer)
{
    *buffer = reply_buffer();
    return *buffer && ldns_pkt2buffer_wire(*buffer, pkt) == LDNS_STATUS_OK &&
           ldns_buffer_status_ok(*buffer);
}

static void drop_records(ldns_pkt *pkt)
{
    ldns_rr_list_deep_free(ldns_pkt_answer(pkt));
    ldns_rr_list_deep_free(ldns_pkt_authority(pkt));
    ldns_pkt_set_answer(pkt, ldns_rr_list_new());
    ldns_pkt_set_authority(pkt, ldns_rr_list_new());
    ldns_pkt_set_ancount(pkt, 0);
    ldns_pkt_set_nscount(pkt, 0);
    ldns_pkt_set_tc(pkt, true);
}

/* Lays the reply out; when it does not fit, again without its records and
 * with TC set, so that the client asks again over TCP. */
static size_t serialize(ldns_pkt *pkt, size_t limit, uint8_t *out)
{
    ldns_buffer *buffer;
    if (!to_wire(pkt, &buffer))
        return 0;
    if (ldns_buffer_position(buffer) > limit) {
        drop_records(pkt);
        if (!to_wire(pkt, &buffer))
            return 0;
    }
    size_t length = ldns_buffer_position(buffer);
    if (length > VMH_DNS_REPLY_MAX)
        return 0;
    memcpy(out, ldns_buffer_begin(buffer), length);
    return length;
}

static ldns_pkt *reply_start(const ldns_pkt *query, const ldns_rr *question)
{
    ldns_pkt *pkt = ldns_pkt_new();
    if (!pkt)
        return NULL;
    ldns_pkt_set_id(pkt, ldns_pkt_id(query));
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_opcode(pkt, LDNS_PACKET_QUERY);
    ldns_pkt_set_rd(pkt, ldns_pkt_rd(query));
    ldns_pkt_set_cd(pkt, ldns_pkt_cd(query));
    ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
    if (ldns_pkt_edns(query)) {
        ldns_pkt_set_edns_udp_size(pkt, VMH_DNS_UDP_EDNS);
        /* RFC 3225 3: the client's DNSSEC OK comes back as it went; our
         * names are unsigned all the same (the negative trust anchors). */
        ldns_pkt_set_edns_do(pkt, ldns_pkt_edns_do(query));
    }
    return pkt;
}

static size_t respond_parsed(const struct vmh_dns_source *source, const ldns_pkt *query,
                             int over_tcp, uint8_t *out)
{
    const ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(query), 0);
    struct reply reply = {.pkt = reply_start(query, question),
                          .owner = ldns_rr_owner(question),
                          .over_tcp = over_tcp != 0};
    if (!reply.pkt)
        return 0;
    if (ldns_pkt_edns(query) && ldns_pkt_edns_version(query) != 0) {
        /* RFC 6891: BADVERS is 16, its high bits in the OPT record. */
        ldns_pkt_set_edns_extended_rcode(reply.pkt, EDNS_BADVERS >> 4);
        ldns_pkt_set_rcode(reply.pkt, EDNS_BADVERS & 0xf);
    } else {
        answer_question(source, &reply, question);
    }
    size_t length = serialize(reply.pkt, over_tcp ? VMH_DNS_REPLY_MAX : udp_limit(query), out);
    ldns_pkt_free(reply.pkt);
    return length;
}

/* RFC 6891 6.1.1 asks FORMERR of a query with more than one OPT.  ldns
 * keeps the last OPT's values alone, and leaves every OPT (and a TSIG)
 * out of the ARCOUNT it reports; the header's count tells how many
 * there were. */
static bool several_opts(const uint8_t *query, const ldns_pkt *pkt)
{
    unsigned wire = (unsigned)query[10] << 8 | query[11];
    return wire > ldns_pkt_arcount(pkt) + (ldns_pkt_tsig(pkt) ? 1u : 0u) + 1;
}

size_t vmh_dns_respond(const struct vmh_dns_source *source, const uint8_t *query, size_t length,
                       int over_tcp, uint8_t *out)
{
    /* Too short to hold an ID, or a response: answering either could
     * start a loop between two servers. */
    if (length < HEADER_SIZE || (query[2] & 0x80))
        return 0;
    unsigned opcode = (query[2] >> 3) & 0xf;
    if (opcode != LDNS_PACKET_QUERY)
        return header_reply(query, LDNS_RCODE_NOTIMPL, out);
    ldns_pkt *pkt = NULL;
    if (ldns_wire2pkt(&pkt, query, length) != LDNS_STATUS_OK) {
        ldns_pkt_free(pkt);
        return header_reply(query, LDNS_RCODE_FORMERR, out);
    }
    size_t reply_length = ldns_pkt_qdcount(pkt) == 1 && ldns_pkt_ancount(pkt) == 0 &&
                                  !several_opts(query, pkt)
                              ? respond_parsed(source, pkt, over_tcp, out)
                              : header_reply(query, LDNS_RCODE_FORMERR, out);
    ldns_pkt_free(pkt);
    return reply_length;
}
