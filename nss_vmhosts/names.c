/* Deciding from a name's text alone whether it can be ours.  This runs on
 * every host name lookup on the machine, most of them for names that are not
 * ours, so it is one pass over at most 254 bytes: no allocation, no file. */
#include "names.h"

#include <stdbool.h>
#include <string.h>

/* ASCII only: tolower() would follow the host process's locale. */
static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* The length of text (length bytes) when it is a host name by our rule,
 * else 0; when out is given, the name is written there folded and
 * terminated.  One pass, as the whole check runs on every lookup. */
static size_t scan(const char *text, size_t length, char *out)
{
    if (length == 0 || length > VMH_NAME_MAX)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < length; i++) {
        char c = fold(text[i]);
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (!label_char(c) || ++label > VMH_LABEL_MAX) {
            return 0;
        }
        if (out)
            out[i] = c;
    }
    if (label == 0)
        return 0;
    if (out)
        out[length] = '\0';
    return length;
}

/* Writes name to out lowercase, without one trailing dot, and returns its
 * length; 0 when it is no host name.  strnlen is bounded so that a huge
 * string costs no more than a long name; the bound is two past the limit so
 * that a longer name cannot pass for one of 253 plus a trailing dot. */
static size_t normalize(const char *name, char *out)
{
    size_t length = strnlen(name, VMH_NAME_MAX + 2);
    if (length > 0 && name[length - 1] == '.')
        length--;
    return scan(name, length, out);
}

bool vmh_name_valid(const char *text)
{
    /* One past the limit: a longer name is refused without reading it all. */
    return text && scan(text, strnlen(text, VMH_NAME_MAX + 1), NULL) > 0;
}

/* Whether name (of length n) is "<something>.<tail>"; the tail comes from
 * the settings, compared folded in case a caller filled them in by hand. */
static bool under(const char *name, size_t n, const char *tail, size_t m)
{
    if (m == 0 || n <= m + 1 || name[n - m - 1] != '.')
        return false;
    for (size_t i = 0; i < m; i++)
        if (name[n - m + i] != fold(tail[i]))
            return false;
    return true;
}

static enum vmh_name_kind found(struct vmh_name *out, enum vmh_name_kind kind,
                                size_t key_length, const char *domain, size_t domain_length)
{
    memcpy(out->key, out->normalized, key_length);
    out->key[key_length] = '\0';
    for (size_t i = 0; i < domain_length; i++)
        out->domain[i] = fold(domain[i]);
    out->domain[domain_length] = '\0';
    out->kind = kind;
    return kind;
}

/* The length of the first of the space-separated domains that name is a
 * single label under, or 0. */
static size_t vm_domain(const char *name, size_t n, const char *domains)
{
    const char *cursor = domains, *end = domains + strnlen(domains, VMH_LIST_MAX);
    while (cursor < end) {
        while (cursor < end && (*cursor == ' ' || *cursor == '\t'))
            cursor++;
        const char *stop = cursor;
        while (stop < end && *stop != ' ' && *stop != '\t')
            stop++;
        size_t m = (size_t)(stop - cursor);
        /* A dot before the domain means a sub-domain, not a VM: keep looking,
         * since a longer domain of the list may still fit. */
        if (under(name, n, cursor, m) && !memchr(name, '.', n - m - 1))
            return m;
        cursor = stop;
    }
    return 0;
}

/* Empty strings rather than a memset of the whole struct: most names a
 * machine resolves are not ours, and this is their whole cost. */
static enum vmh_name_kind not_ours(struct vmh_name *out)
{
    out->kind = VMH_NAME_NOT_OURS;
    out->normalized[0] = out->key[0] = out->domain[0] = '\0';
    return VMH_NAME_NOT_OURS;
}

enum vmh_name_kind vmh_name_classify(const char *name, const struct vmh_config *config,
                                     struct vmh_name *out)
{
    struct vmh_name scratch;
    if (!out)
        out = &scratch;
    size_t n = name && config ? normalize(name, out->normalized) : 0;
    if (n == 0)
        return not_ours(out);
    const char *suffix = config->docker_suffix;
    size_t suffix_length = strnlen(suffix, sizeof config->docker_suffix - 1);
    if (under(out->normalized, n, suffix, suffix_length))
        return found(out, VMH_NAME_DOCKER, n - suffix_length - 1,
                     out->normalized + n - suffix_length, suffix_length);
    size_t domain_length = vm_domain(out->normalized, n, config->multipass_domains);
    if (domain_length > 0)
        return found(out, VMH_NAME_VM, n - domain_length - 1,
                     out->normalized + n - domain_length, domain_length);
    if (!memchr(out->normalized, '.', n))
        return found(out, VMH_NAME_BARE, n, suffix, suffix_length);
    return not_ours(out);
}
