/* The name rules: what a classified name answers from a validated cache, and
 * which rule decided.
 *
 * This runs on every lookup of a name of ours, so a forward lookup is a few
 * key searches (cache_read.c) and a walk over the keys that matched, never
 * over every record.  Everything answered is copied out, so
 * the answer outlives the cache it came from.  Names are folded with our own
 * ASCII rule rather than tolower(), whose result depends on the locale of the
 * process we are loaded into. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "resolve.h"

#define DOCKER_ID_LENGTH 64

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Appends `length` bytes of text, folded, to a name of `*used` bytes;
 * false when the result would not fit in VMH_NAME_MAX. */
static bool append(char *out, size_t *used, const char *text, size_t length)
{
    if (length > VMH_NAME_MAX - *used)
        return false;
    for (size_t i = 0; i < length; i++)
        out[*used + i] = fold(text[i]);
    *used += length;
    out[*used] = '\0';
    return true;
}

/* "<label>.<domain>", or the label alone with no domain, into a buffer of
 * VMH_NAME_MAX + 1 bytes.  False, with out empty, rather than a truncated
 * name, which would be someone else's, or one that breaks the name rule:
 * the label comes from a cache anyone can write for themselves, and a
 * newline in it would be a line of its own in `getent hosts`.  The label
 * is checked and folded in one pass (vmh_name_fold); the domain comes from
 * the settings, which hold valid domains only. */
static bool make_name(char *out, const char *label, const char *domain, size_t domain_length)
{
    size_t used = vmh_name_fold(label, strnlen(label, VMH_NAME_MAX + 1), out);
    if (used > 0 && (domain_length == 0 || (append(out, &used, ".", 1) &&
                                            append(out, &used, domain, domain_length))))
        return true;
    out[0] = '\0';
    return false;
}

/* Whether two names are the same but for ASCII case (never the locale's). */
static bool same_folded(const char *a, const char *b)
{
    for (; *a && fold(*a) == fold(*b); a++, b++)
        ;
    return fold(*a) == fold(*b);
}

/* Another name of the answer's host, unless the caller wants none, it is
 * the canonical one, an alias already, too long, or there is no room
 * left.  `other` is a name checked and folded already (by
 * vmh_name_classify or make_name). */
static void add_alias(struct vmh_answer *answer, const char *other)
{
    if (!answer->aliases_wanted)
        return;
    size_t length = strnlen(other, VMH_NAME_MAX + 1);
    if (length == 0 || length > VMH_NAME_MAX || strcmp(other, answer->canonical) == 0)
        return;
    for (size_t i = 0; i < VMH_ANSWER_MAX_ALIASES; i++) {
        if (strcmp(answer->aliases[i], other) == 0)
            return;
        if (!answer->aliases[i][0]) {
            memcpy(answer->aliases[i], other, length + 1);
            return;
        }
    }
}

static void clear_aliases(struct vmh_answer *answer)
{
    for (size_t i = 0; i < VMH_ANSWER_MAX_ALIASES; i++)
        answer->aliases[i][0] = '\0';
}

/* A container's hostname is one of its names (the bare one), except when
 * it only repeats the container's name, `label` (the record's, read by the
 * caller). */
static void add_hostname_alias(const struct vmh_cache *cache,
                               const struct vmh_cache_record *record, const char *label,
                               struct vmh_answer *answer)
{
    char hostname[VMH_NAME_MAX + 1];
    /* make_name lowercases it, as every name is compared. */
    if (answer->aliases_wanted &&
        vmh_backend_names(vmh_record_backend(cache, record)) == VMH_NAMES_CONTAINER &&
        make_name(hostname, vmh_cache_string(cache, record->hostname), "", 0) &&
        !same_folded(hostname, label))
        add_alias(answer, hostname);
}

/* A miss keeps the rule that explains it and nothing that could be used as
 * an address.  Field by field: the answer is kilobytes, and a name that is
 * not ours must cost nothing. */
void vmh_answer_set_miss(struct vmh_answer *answer, enum vmh_result result, enum vmh_rule rule)
{
    answer->result = result;
    answer->rule = rule;
    answer->cause_errno = 0;
    answer->record = 0;
    answer->addr_count = 0;
    answer->canonical[0] = '\0';
    clear_aliases(answer);
}

static size_t address_length(uint8_t family)
{
    return family == 4 ? 4 : 16;
}

static bool same_address(const struct vmh_cache_addr *a, const struct vmh_cache_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, address_length(a->family)) == 0;
}

/* Appends a record's addresses in the cache's order, skipping any already
 * answered: replicas sharing a network namespace share addresses too. */
static void add_addresses(const struct vmh_cache *cache, const struct vmh_cache_record *record,
                          struct vmh_answer *answer)
{
    for (uint32_t i = 0; i < record->addr_count; i++) {
        const struct vmh_cache_addr *addr = vmh_cache_addr(cache, record->addr_first + i);
        if (answer->only_family && addr->family != answer->only_family)
            continue;
        bool seen = false;
        for (uint32_t j = 0; j < answer->addr_count && !seen; j++)
            seen = same_address(&answer->addrs[j], addr);
        if (seen)
            continue;
        if (answer->addr_count == VMH_ANSWER_MAX_ADDRS)
            return;
        answer->addrs[answer->addr_count++] = *addr;
    }
}

/* Running, and of the backend asked: a name under one backend's domain
 * never answers with another's machine, and a record of a section this
 * version does not know answers nothing. */
static bool record_running(const struct vmh_cache *cache, const struct vmh_cache_record *record,
                           enum vmh_backend backend)
{
    return record->state == VMH_STATE_RUNNING && vmh_record_backend(cache, record) == backend;
}

static const struct vmh_cache_record *key_record(const struct vmh_cache *cache, uint32_t key)
{
    return vmh_cache_record(cache, vmh_cache_key(cache, key)->record);
}

static bool key_of(const struct vmh_cache *cache, uint32_t key, enum vmh_backend backend)
{
    return vmh_record_backend(cache, key_record(cache, key)) == backend;
}

/* Of the keys [first, first + count), the record to answer for: the first
 * running one of the backend, else its first; NO_RECORD when it has none.
 * Names and IDs are unique in each backend, so this only matters for a
 * cache that holds a stale twin. */
#define NO_RECORD UINT32_MAX
static uint32_t pick_record(const struct vmh_cache *cache, uint32_t first, uint32_t count,
                            enum vmh_backend backend)
{
    uint32_t found = NO_RECORD;
    for (uint32_t i = first; i < first + count; i++) {
        uint32_t index = vmh_cache_key(cache, i)->record;
        const struct vmh_cache_record *record = vmh_cache_record(cache, index);
        if (vmh_record_backend(cache, record) != backend)
            continue;
        if (record_running(cache, record, backend))
            return index;
        if (found == NO_RECORD)
            found = index;
    }
    return found;
}

/* Answers with one record's addresses; false, with the rule that explains
 * the miss, when it is not running or has no address. */
static bool answer_record(const struct vmh_cache *cache, uint32_t index, enum vmh_rule rule,
                          enum vmh_backend backend, struct vmh_answer *answer)
{
    const struct vmh_cache_record *record = vmh_cache_record(cache, index);
    answer->record = index;
    if (!record_running(cache, record, backend)) {
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NOT_RUNNING);
        return false;
    }
    if (record->addr_count == 0) {
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NO_ADDRESS);
        return false;
    }
    answer->rule = rule;
    add_addresses(cache, record, answer);
    return true;
}

/* LXD's projects keep their users apart (lxd-user gives each user one):
 * such a user must not choose where the default project's names, or
 * another project's, go (resolve.h). */
bool vmh_label_may_claim(const struct vmh_cache *cache, const struct vmh_cache_record *record,
                         const struct vmh_name *claim)
{
    if (vmh_backend_names(vmh_record_backend(cache, record)) != VMH_NAMES_PROJECT)
        return true;
    const char *project = strchr(vmh_cache_string(cache, record->name), '.');
    if (!project)
        return true;
    size_t key = strlen(claim->key), tail = strlen(project);
    return key > tail && strcasecmp(claim->key + key - tail, project) == 0;
}

/* Answers with every running record of the keys [first, first + count)
 * that has an address (Compose replicas, containers sharing a hostname);
 * answer->record is the first of them.  Otherwise returns the rule that
 * explains why nothing answered. */
static enum vmh_rule gather(const struct vmh_cache *cache, uint32_t first, uint32_t count,
                            enum vmh_backend backend, const struct vmh_name *claim,
                            struct vmh_answer *answer)
{
    bool any = false, running = false, answered = false;
    for (uint32_t i = first; i < first + count; i++) {
        uint32_t index = vmh_cache_key(cache, i)->record;
        const struct vmh_cache_record *record = vmh_cache_record(cache, index);
        if (claim && !vmh_label_may_claim(cache, record, claim))
            continue;
        any = any || vmh_record_backend(cache, record) == backend;
        if (!record_running(cache, record, backend))
            continue;
        running = true;
        if (record->addr_count == 0)
            continue;
        if (!answered)
            answer->record = index;
        answered = true;
        add_addresses(cache, record, answer);
    }
    return answered  ? VMH_RULE_NONE
           : running ? VMH_RULE_NO_ADDRESS
           : any     ? VMH_RULE_NOT_RUNNING
                     : VMH_RULE_NO_MATCH;
}

/* Docker's own names for a container by ID or name: canonical from the
 * container's name, so that every way of asking gives the same host. */
static void name_container(const struct vmh_cache *cache, const struct vmh_name *name,
                           struct vmh_answer *answer)
{
    const struct vmh_cache_record *record = vmh_cache_record(cache, answer->record);
    const char *label = vmh_cache_string(cache, record->name);
    if (!make_name(answer->canonical, label, name->domain, strlen(name->domain))) {
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NO_MATCH);
        return;
    }
    add_alias(answer, name->normalized);
    add_hostname_alias(cache, record, label, answer);
}

static bool is_hex(const char *text, size_t *length)
{
    size_t i = 0;
    for (; text[i]; i++)
        if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
            return false;
    *length = i;
    return i > 0;
}

/* The one record the backend's keys of [first, first + count) point at;
 * NO_RECORD when none or several do: Docker refuses a prefix that two
 * containers share, running or not. */
static uint32_t one_record(const struct vmh_cache *cache, uint32_t first, uint32_t count,
                           enum vmh_backend backend)
{
    uint32_t found = NO_RECORD;
    for (uint32_t i = first; i < first + count; i++) {
        if (!key_of(cache, i, backend) || vmh_cache_key(cache, i)->record == found)
            continue;
        if (found != NO_RECORD)
            return NO_RECORD;
        found = vmh_cache_key(cache, i)->record;
    }
    return found;
}

/* A container in Docker's own order: exact ID, exact name, unique ID
 * prefix.  False with the miss in the answer; its rule is NO_MATCH only when
 * no ID or name matched at all, which leaves the name to Compose. */
static bool resolve_container(const struct vmh_cache *cache, const struct vmh_name *name,
                              struct vmh_answer *answer)
{
    const char *key = name->key;
    size_t hex_length = 0;
    bool hex = is_hex(key, &hex_length);
    uint32_t first = 0, count, record;

    if (hex && hex_length == DOCKER_ID_LENGTH &&
        (count = vmh_cache_find(cache, VMH_KEY_DOCKER_ID, key, &first)) > 0 &&
        (record = pick_record(cache, first, count, name->backend)) != NO_RECORD)
        return answer_record(cache, record, VMH_RULE_EXACT_ID, name->backend, answer);
    if ((count = vmh_cache_find(cache, VMH_KEY_DOCKER_NAME, key, &first)) > 0 &&
        (record = pick_record(cache, first, count, name->backend)) != NO_RECORD)
        return answer_record(cache, record, VMH_RULE_NAME, name->backend, answer);
    if (hex && (count = vmh_cache_find_prefix(cache, VMH_KEY_DOCKER_ID, key, &first)) > 0 &&
        pick_record(cache, first, count, name->backend) != NO_RECORD) {
        if ((record = one_record(cache, first, count, name->backend)) != NO_RECORD)
            return answer_record(cache, record, VMH_RULE_ID_PREFIX, name->backend, answer);
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_AMBIGUOUS_PREFIX);
        return false;
    }
    vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NO_MATCH);
    return false;
}

/* Appends the addresses of the network key `key`'s record that are on
 * that key's network; false when the record is not running or of another
 * backend, or has none there.  An address of the family left out counts
 * as added: whether the record answers, and so NODATA rather than
 * NXDOMAIN, must not depend on the family asked. */
static bool add_network_addresses(const struct vmh_cache *cache, uint32_t key,
                                  enum vmh_backend backend, struct vmh_answer *answer)
{
    const struct vmh_cache_record *record = key_record(cache, key);
    uint8_t network = vmh_network_key_network(vmh_cache_key(cache, key)->reserved);
    bool added = false;
    if (!record_running(cache, record, backend))
        return false;
    for (uint32_t i = 0; i < record->addr_count; i++) {
        const struct vmh_cache_addr *addr = vmh_cache_addr(cache, record->addr_first + i);
        bool seen = false;
        if (addr->network != network)
            continue;
        if (answer->only_family && addr->family != answer->only_family) {
            added = true;
            continue;
        }
        for (uint32_t j = 0; j < answer->addr_count && !seen; j++)
            seen = same_address(&answer->addrs[j], addr);
        if (!seen && answer->addr_count < VMH_ANSWER_MAX_ADDRS) {
            answer->addrs[answer->addr_count++] = *addr;
            added = true;
        }
    }
    return added;
}

/* Every running container the network keys [first, first + count) name,
 * with its addresses on that network only: an alias two containers share
 * answers both, as Docker's own DNS does on that network.  With `only`,
 * only that record's keys.  Returns how many records answered. */
static uint32_t gather_network(const struct vmh_cache *cache, uint32_t first, uint32_t count,
                               enum vmh_backend backend, uint32_t only, struct vmh_answer *answer)
{
    uint32_t answered = 0, last = NO_RECORD;
    for (uint32_t i = first; i < first + count; i++) {
        uint32_t record = vmh_cache_key(cache, i)->record;
        if ((only != NO_RECORD && record != only) || !add_network_addresses(cache, i, backend, answer))
            continue;
        if (answered == 0)
            answer->record = record;
        answered += record != last;
        last = record;
    }
    return answered;
}

/* <id-prefix>.<network>: an ID has no dot, so the prefix ends at the
 * first; the container it names uniquely, by its own name's key there. */
static uint32_t network_by_prefix(const struct vmh_cache *cache, const struct vmh_name *name,
                                  struct vmh_answer *answer)
{
    char prefix[VMH_NAME_MAX + 1], key[VMH_NAME_MAX + 1];
    const char *dot = strchr(name->key, '.');
    size_t hex_length, length = dot ? (size_t)(dot - name->key) : 0, used = 0;
    uint32_t first = 0, count, record;
    if (length == 0 || length > DOCKER_ID_LENGTH)
        return 0;
    memcpy(prefix, name->key, length);
    prefix[length] = '\0';
    if (!is_hex(prefix, &hex_length) ||
        (count = vmh_cache_find_prefix(cache, VMH_KEY_DOCKER_ID, prefix, &first)) == 0 ||
        (record = one_record(cache, first, count, name->backend)) == NO_RECORD ||
        !make_name(key, vmh_cache_string(cache, vmh_cache_record(cache, record)->name), "", 0))
        return 0;
    used = strlen(key);
    if (!append(key, &used, dot, strlen(dot)))
        return 0;
    count = vmh_cache_find(cache, VMH_KEY_NETWORK, key, &first);
    return gather_network(cache, first, count, name->backend, record, answer);
}

/* <name>.<network>, after every other container rule missed: one
 * container answers as itself (canonical <name>.docker), containers
 * sharing an alias as the name asked, as a Compose service does. */
static void resolve_network(const struct vmh_cache *cache, const struct vmh_name *name,
                            struct vmh_answer *answer)
{
    uint32_t first = 0;
    uint32_t count = vmh_cache_find(cache, VMH_KEY_NETWORK, name->key, &first);
    uint32_t answered = gather_network(cache, first, count, name->backend, NO_RECORD, answer);
    if (answered == 0 && pick_record(cache, first, count, name->backend) == NO_RECORD)
        answered = network_by_prefix(cache, name, answer);
    if (answered == 0) {
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NO_MATCH);
        return;
    }
    answer->result = VMH_FOUND;
    answer->rule = VMH_RULE_NETWORK;
    if (answered == 1) {
        name_container(cache, name, answer);
        return;
    }
    if (!make_name(answer->canonical, name->key, name->domain, strlen(name->domain)))
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NO_MATCH);
}

/* Whether two records are replicas of one Compose service, which share
 * their labels and so the names these choose. */
static bool same_service(const struct vmh_cache *cache, const struct vmh_cache_record *a,
                         const struct vmh_cache_record *b)
{
    const char *service = vmh_cache_string(cache, a->service);
    return service[0] && strcmp(service, vmh_cache_string(cache, b->service)) == 0 &&
           strcmp(vmh_cache_string(cache, a->project), vmh_cache_string(cache, b->project)) == 0;
}

/* The running records of the backend among the keys [first, first +
 * count) agree when they are one container or one service's replicas. */
static bool claimants_agree(const struct vmh_cache *cache, uint32_t first, uint32_t count,
                            const struct vmh_name *claim)
{
    const struct vmh_cache_record *one = NULL;
    for (uint32_t i = first; i < first + count; i++) {
        const struct vmh_cache_record *record = key_record(cache, i);
        if (!record_running(cache, record, claim->backend) || record == one ||
            !vmh_label_may_claim(cache, record, claim))
            continue;
        if (one && !same_service(cache, one, record))
            return false;
        one = one ? one : record;
    }
    return true;
}

/* A name a label chose, after every name a container has of its own: a
 * label never takes one.  Only running containers' labels count (a stopped
 * one's names go with it); two that disagree get neither, and a miss is
 * `miss` (NOT_OURS under label_domains: DNS answers). */
static void resolve_label(const struct vmh_cache *cache, const struct vmh_name *name,
                          enum vmh_result miss, struct vmh_answer *answer)
{
    uint32_t first = 0;
    uint32_t count = vmh_cache_find(cache, VMH_KEY_LABEL, name->normalized, &first);
    if (!claimants_agree(cache, first, count, name)) {
        vmh_answer_set_miss(answer, miss, VMH_RULE_LABEL_CONFLICT);
        return;
    }
    enum vmh_rule why = gather(cache, first, count, name->backend, name, answer);
    if (why != VMH_RULE_NONE) {
        vmh_answer_set_miss(answer, miss, why);
        return;
    }
    answer->result = VMH_FOUND;
    answer->rule = VMH_RULE_LABEL;
    memcpy(answer->canonical, name->normalized, strlen(name->normalized) + 1);
}

/* The running wildcard containers with the key (kind, text) and an
 * address, into the answer: FOUND when they agree (one, or one service's
 * replicas), VMH_RULE_LABEL_CONFLICT when not, else NO_MATCH. */
static enum vmh_rule wildcard_at(const struct vmh_cache *cache, enum vmh_key_kind kind,
                                 const char *text, enum vmh_backend backend,
                                 struct vmh_answer *answer)
{
    uint32_t first = 0, count = vmh_cache_find(cache, kind, text, &first);
    const struct vmh_cache_record *one = NULL;
    for (uint32_t i = first; i < first + count; i++) {
        const struct vmh_cache_record *record = key_record(cache, i);
        if (!(record->flags & VMH_RECORD_WILDCARD) || !record_running(cache, record, backend) ||
            record->addr_count == 0 || record == one)
            continue;
        if (one && !same_service(cache, one, record))
            return VMH_RULE_LABEL_CONFLICT;
        if (!one)
            answer->record = vmh_cache_key(cache, i)->record;
        one = record;
        add_addresses(cache, record, answer);
    }
    return one ? VMH_RULE_WILDCARD : VMH_RULE_NO_MATCH;
}

/* Whether some record of the backend has the key of `kind` (any record:
 * a stopped container keeps its name, as Docker does). */
static bool has_key(const struct vmh_cache *cache, enum vmh_key_kind kind, const char *key,
                    bool prefix, enum vmh_backend backend)
{
    uint32_t first = 0;
    uint32_t count = prefix ? vmh_cache_find_prefix(cache, kind, key, &first)
                            : vmh_cache_find(cache, kind, key, &first);
    return pick_record(cache, first, count, backend) != NO_RECORD;
}

/* Whether a container has `key` as a name of its own (ID, name, Compose,
 * network): a label's claim to it lost, and so does a wildcard below it. */
static bool own_name(const struct vmh_cache *cache, const char *key, enum vmh_backend backend)
{
    size_t hex_length;
    return has_key(cache, VMH_KEY_DOCKER_NAME, key, false, backend) ||
           (is_hex(key, &hex_length) && has_key(cache, VMH_KEY_DOCKER_ID, key, true, backend)) ||
           has_key(cache, VMH_KEY_COMPOSE, key, false, backend) ||
           has_key(cache, VMH_KEY_NETWORK, key, false, backend);
}

/* One name below the asked one (`below`, under the name's domain): the
 * container called so, then the names labels chose, unless a container
 * has that name of its own. */
static enum vmh_rule wildcard_level(const struct vmh_cache *cache, const struct vmh_name *name,
                                    const char *below, struct vmh_answer *answer)
{
    char key[VMH_NAME_MAX + 1];
    size_t length = strlen(below) - strlen(name->domain) - 1;
    if (name->kind == VMH_NAME_UNDER) {
        memcpy(key, below, length);
        key[length] = '\0';
        if (wildcard_at(cache, VMH_KEY_DOCKER_NAME, key, name->backend, answer) ==
            VMH_RULE_WILDCARD)
            return VMH_RULE_WILDCARD;
        if (own_name(cache, key, name->backend))
            return VMH_RULE_NO_MATCH;
    }
    return wildcard_at(cache, VMH_KEY_LABEL, below, name->backend, answer);
}

/* A name no rule has exactly: the nearest name above it of a container
 * that opted in (vmhosts.wildcard=true) answers, as the name asked; never
 * the domain itself.  Exact names always came first. */
static void resolve_wildcard(const struct vmh_cache *cache, const struct vmh_name *name,
                             enum vmh_result miss, struct vmh_answer *answer)
{
    size_t domain_length = strlen(name->domain);
    enum vmh_rule rule = VMH_RULE_NO_MATCH;
    for (const char *dot = strchr(name->normalized, '.');
         dot && rule == VMH_RULE_NO_MATCH && strlen(dot + 1) > domain_length;
         dot = strchr(dot + 1, '.'))
        rule = wildcard_level(cache, name, dot + 1, answer);
    if (rule != VMH_RULE_WILDCARD) {
        vmh_answer_set_miss(answer, miss, rule);
        return;
    }
    answer->result = VMH_FOUND;
    answer->rule = VMH_RULE_WILDCARD;
    memcpy(answer->canonical, name->normalized, strlen(name->normalized) + 1);
}

/* Docker's names first (ID, name, prefix), then Compose's, then a
 * network's, then a label's: a name that means something today keeps its
 * meaning, and a container's own names are never a label's. */
static void resolve_containers(const struct vmh_cache *cache, const struct vmh_name *name,
                           struct vmh_answer *answer)
{
    uint32_t first = 0, count;

    if (resolve_container(cache, name, answer)) {
        name_container(cache, name, answer);
        return;
    }
    if (answer->rule != VMH_RULE_NO_MATCH)
        return;
    count = vmh_cache_find(cache, VMH_KEY_COMPOSE, name->key, &first);
    enum vmh_rule why = gather(cache, first, count, name->backend, NULL, answer);
    if (why == VMH_RULE_NO_MATCH && strchr(name->key, '.'))
        resolve_network(cache, name, answer);
    if (why == VMH_RULE_NO_MATCH && answer->rule == VMH_RULE_NO_MATCH)
        resolve_label(cache, name, VMH_NOT_FOUND, answer);
    if (why == VMH_RULE_NO_MATCH && answer->rule == VMH_RULE_NO_MATCH)
        resolve_wildcard(cache, name, VMH_NOT_FOUND, answer);
    if (why == VMH_RULE_NO_MATCH)
        return;
    if (why != VMH_RULE_NONE) {
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, why);
        return;
    }
    answer->result = VMH_FOUND;
    answer->rule = VMH_RULE_COMPOSE;
    if (!make_name(answer->canonical, name->key, name->domain, strlen(name->domain)))
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NO_MATCH);
}

/* The number of the record's network called network[0, length), from its
 * key <name>.<network>; 0 when it is not on one of that name. */
static uint8_t network_number(const struct vmh_cache *cache, uint32_t record,
                              const char *network, size_t length)
{
    char key[VMH_NAME_MAX + 1];
    size_t used;
    uint32_t first = 0, count;
    if (!make_name(key, vmh_cache_string(cache, vmh_cache_record(cache, record)->name), "", 0))
        return 0;
    used = strlen(key);
    if (!append(key, &used, ".", 1) || !append(key, &used, network, length))
        return 0;
    count = vmh_cache_find(cache, VMH_KEY_NETWORK, key, &first);
    for (uint32_t i = first; i < first + count; i++)
        if (vmh_cache_key(cache, i)->record == record)
            return vmh_network_key_network(vmh_cache_key(cache, i)->reserved);
    return 0;
}

/* Each network's place in the order: the label's first, else the
 * setting's words in turn; UINT8_MAX for the rest. */
static void network_ranks(const struct vmh_cache *cache, uint32_t record, const char *preferred,
                          uint8_t rank[UINT8_MAX + 1])
{
    memset(rank, UINT8_MAX, UINT8_MAX + 1);
    if (vmh_cache_record(cache, record)->network) {
        rank[vmh_cache_record(cache, record)->network] = 0;
        return;
    }
    for (uint8_t place = 0; *preferred && place < UINT8_MAX; place++) {
        size_t length = strcspn(preferred, " ");
        uint8_t number = network_number(cache, record, preferred, length);
        if (number && rank[number] == UINT8_MAX)
            rank[number] = place;
        preferred += length + (preferred[length] == ' ');
    }
}

void vmh_answer_prefer_networks(const struct vmh_cache *cache, const char *preferred,
                                struct vmh_answer *answer)
{
    uint8_t rank[UINT8_MAX + 1];
    if (!cache || !cache->header || answer->result != VMH_FOUND ||
        (answer->rule != VMH_RULE_EXACT_ID && answer->rule != VMH_RULE_NAME &&
         answer->rule != VMH_RULE_ID_PREFIX) ||
        answer->record >= cache->header->record_count ||
        (!vmh_cache_record(cache, answer->record)->network && (!preferred || !*preferred)))
        return;
    network_ranks(cache, answer->record, preferred ? preferred : "", rank);
    /* Insertion sort: stable, and an answer holds 64 addresses at most. */
    for (uint32_t i = 1; i < answer->addr_count; i++) {
        struct vmh_cache_addr moving = answer->addrs[i];
        uint32_t j = i;
        for (; j > 0 && rank[answer->addrs[j - 1].network] > rank[moving.network]; j--)
            answer->addrs[j] = answer->addrs[j - 1];
        answer->addrs[j] = moving;
    }
}

/* A name under label_domains: a label's, else below a wildcard's. */
static void resolve_label_or_below(const struct vmh_cache *cache, const struct vmh_name *name,
                                   struct vmh_answer *answer)
{
    resolve_label(cache, name, VMH_NOT_OURS, answer);
    if (answer->result != VMH_FOUND && answer->rule == VMH_RULE_NO_MATCH)
        resolve_wildcard(cache, name, VMH_NOT_OURS, answer);
}

/* A bare name is DNS's unless a running container has it as its hostname:
 * every miss is NOT_OURS, so the next source answers without delay. */
static void resolve_bare(const struct vmh_cache *cache, const struct vmh_name *name,
                         struct vmh_answer *answer)
{
    uint32_t first = 0;
    uint32_t count = vmh_cache_find(cache, VMH_KEY_DOCKER_HOSTNAME, name->key, &first);
    enum vmh_rule why = gather(cache, first, count, name->backend, NULL, answer);
    if (why != VMH_RULE_NONE) {
        vmh_answer_set_miss(answer, VMH_NOT_OURS, why);
        return;
    }
    answer->rule = VMH_RULE_HOSTNAME;
    const char *label = vmh_cache_string(cache, vmh_cache_record(cache, answer->record)->name);
    if (!make_name(answer->canonical, label, name->domain, strlen(name->domain))) {
        vmh_answer_set_miss(answer, VMH_NOT_OURS, VMH_RULE_NO_MATCH);
        return;
    }
    add_alias(answer, name->key);
}

/* An instance by its name, else a name an instance of that backend chose
 * (LXD's user.vmhosts.names), which never takes an instance's own: the
 * canonical name is the one asked. */
static void resolve_instance(const struct vmh_cache *cache, const struct vmh_name *name,
                             struct vmh_answer *answer)
{
    uint32_t first = 0;
    uint32_t count = vmh_cache_find(cache, VMH_KEY_INSTANCE, name->key, &first);
    uint32_t record = count ? pick_record(cache, first, count, name->backend) : NO_RECORD;
    if (record == NO_RECORD) {
        resolve_label(cache, name, VMH_NOT_FOUND, answer);
        return;
    }
    if (!answer_record(cache, record, VMH_RULE_VM, name->backend, answer))
        return;
    if (!make_name(answer->canonical, name->key, name->domain, strlen(name->domain)))
        vmh_answer_set_miss(answer, VMH_NOT_FOUND, VMH_RULE_NO_MATCH);
}

/* Whether the answer has an address of `family`; any family but AF_INET
 * and AF_INET6 asks for every address. */
static bool has_family(const struct vmh_answer *answer, int family)
{
    uint8_t wanted = family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0;
    if (!wanted)
        return true;
    for (uint32_t i = 0; i < answer->addr_count; i++)
        if (answer->addrs[i].family == wanted)
            return true;
    return false;
}

/* A backend that did not answer its last refresh answers nothing: the
 * containers of a Docker that is down cannot be reached at their old
 * addresses.  Explicit names say so; a bare name goes to DNS at once. */
static bool backend_down(const struct vmh_cache *cache, const struct vmh_name *name,
                         struct vmh_answer *answer)
{
    uint32_t status =
        vmh_cache_state(cache && cache->header ? cache : NULL, name->backend)->status;
    if (status == VMH_STATUS_OK)
        return false;
    answer->result = name->kind == VMH_NAME_BARE || name->kind == VMH_NAME_LABEL
                         ? VMH_NOT_OURS
                         : VMH_UNAVAILABLE;
    answer->rule = VMH_RULE_BACKEND_DOWN;
    answer->cause_errno = vmh_status_errno(status);
    return true;
}

/* The answer starts empty field by field, as a miss does: zeroing all of
 * it (2 KiB, mostly the address array) was 6 % of a hit's instructions in
 * the module (callgrind).  Nothing reads past addr_count or a NUL. */
void vmh_resolve(const struct vmh_cache *cache, const struct vmh_name *name, int family,
                 struct vmh_answer *answer)
{
    vmh_answer_set_miss(answer, VMH_FOUND, VMH_RULE_NONE);
    bool only = family & VMH_FAMILY_ONLY;
    answer->aliases_wanted = !(family & VMH_NO_ALIASES);
    family &= ~(VMH_FAMILY_ONLY | VMH_NO_ALIASES);
    answer->only_family = !only ? 0 : family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0;
    if ((name->kind != VMH_NAME_UNDER && name->kind != VMH_NAME_BARE &&
         name->kind != VMH_NAME_LABEL) ||
        (unsigned)name->backend >= VMH_BACKEND_COUNT) {
        answer->result = VMH_NOT_OURS;
        answer->rule = VMH_RULE_NOT_OURS;
        return;
    }
    if (backend_down(cache, name, answer))
        return;
    if (name->kind == VMH_NAME_BARE)
        resolve_bare(cache, name, answer);
    else if (name->kind == VMH_NAME_LABEL)
        resolve_label_or_below(cache, name, answer);
    else if (vmh_backend_names(name->backend) == VMH_NAMES_CONTAINER)
        resolve_containers(cache, name, answer);
    else
        resolve_instance(cache, name, answer);
    if (answer->result == VMH_FOUND && !has_family(answer, family))
        answer->result = VMH_NO_DATA;
}

/* The domain a record's reverse name ends in: its backend's first.  False
 * when its backend has none. */
static bool reverse_domain(const struct vmh_config *config, enum vmh_backend backend,
                           const char **domain, size_t *length)
{
    *domain = config->domains[backend];
    *length = strcspn(*domain, " \t");
    return *length > 0;
}

/* A container's own loopback is inside it: the only loopback addresses a
 * Docker record holds are the machine's, which a --network host container
 * answers forward, and the machine's are localhost's (files), not its. */
static bool is_loopback(uint8_t family, const unsigned char *bytes)
{
    static const unsigned char v6_loopback[16] = {[15] = 1};
    return family == 4 ? bytes[0] == 127 : memcmp(bytes, v6_loopback, 16) == 0;
}

/* The address of a running record of a healthy backend equal to the one
 * asked, or NULL.  A record that joined another container's network has
 * that one's addresses: the owner answers for them.  A rootless record's
 * are the machine's own, which every container publishing there shares.
 * An instance of an LXD project other than the default (its record named
 * <instance>.<project>) answers no reverse name: its project's user sets
 * its addresses, any address (as vmh_label_may_claim keeps that user to
 * the project's own names).  Nor does any record with a dot in its name
 * whose backend's names are a fixed count of labels (a libvirt domain
 * ubuntu22.04): the forward rule rejects that name, and a reverse answer
 * that does not resolve forward breaks forward-confirmed reverse DNS. */
static const struct vmh_cache_addr *reverse_match(const struct vmh_cache *cache,
                                                  const struct vmh_cache_record *record,
                                                  uint8_t family, const void *address)
{
    enum vmh_backend backend = vmh_record_backend(cache, record);
    if (backend == VMH_BACKEND_COUNT || !record_running(cache, record, backend) ||
        (record->flags & (VMH_RECORD_SHARED_NETWORK | VMH_RECORD_ROOTLESS)) ||
        (vmh_backend_key_labels(backend) != 0 &&
         strchr(vmh_cache_string(cache, record->name), '.')) ||
        (vmh_backend_names(backend) == VMH_NAMES_CONTAINER && is_loopback(family, address)) ||
        vmh_cache_state(cache, backend)->status != VMH_STATUS_OK)
        return NULL;
    for (uint32_t i = 0; i < record->addr_count; i++) {
        const struct vmh_cache_addr *addr = vmh_cache_addr(cache, record->addr_first + i);
        if (addr->family == family && memcmp(addr->bytes, address, address_length(family)) == 0)
            return addr;
    }
    return NULL;
}

/* The names of a record found by address: the same canonical name a forward
 * lookup gives, and the container's hostname as an alias. */
static bool reverse_names(const struct vmh_cache *cache, const struct vmh_config *config,
                          const struct vmh_cache_record *record, struct vmh_answer *answer)
{
    const char *domain, *label = vmh_cache_string(cache, record->name);
    size_t length;
    enum vmh_backend backend = vmh_record_backend(cache, record);
    if (!reverse_domain(config, backend, &domain, &length) ||
        !make_name(answer->canonical, label, domain, length))
        return false;
    add_hostname_alias(cache, record, label, answer);
    answer->rule = vmh_backend_names(backend) == VMH_NAMES_CONTAINER ? VMH_RULE_NAME : VMH_RULE_VM;
    return true;
}

void vmh_resolve_address(const struct vmh_cache *cache, const struct vmh_config *config,
                         int family, const void *address, struct vmh_answer *answer)
{
    uint8_t wanted = family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0;

    vmh_answer_set_miss(answer, VMH_NOT_OURS, VMH_RULE_NOT_OURS);
    answer->aliases_wanted = true;
    if (!cache || !cache->header || !config || !address || !wanted)
        return;
    /* Reverse lookups are rare: a walk over the records costs less than an
     * address index every process would have to read. */
    for (uint32_t i = 0; i < cache->header->record_count; i++) {
        const struct vmh_cache_record *record = vmh_cache_record(cache, i);
        const struct vmh_cache_addr *addr = reverse_match(cache, record, wanted, address);
        if (!addr)
            continue;
        if (!reverse_names(cache, config, record, answer)) {
            vmh_answer_set_miss(answer, VMH_NOT_OURS, VMH_RULE_NOT_OURS);
            continue;
        }
        answer->result = VMH_FOUND;
        answer->record = i;
        answer->addr_count = 1;
        answer->addrs[0] = *addr;
        return;
    }
}

int vmh_status_errno(uint32_t status)
{
    switch (status) {
    case VMH_STATUS_OK:          return 0;
    case VMH_STATUS_NEVER:       return ENOENT;
    case VMH_STATUS_UNAVAILABLE: return ECONNREFUSED;
    case VMH_STATUS_DENIED:      return EACCES;
    case VMH_STATUS_ERROR:
    default:                     return EIO;
    }
}
