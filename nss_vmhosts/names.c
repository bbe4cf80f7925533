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

/* Each byte folded to lowercase: a letter, a digit, '-', '_' or '.' as
 * itself (a capital as its small letter), anything else 0.  One load a
 * byte: this runs over every name a lookup answers, not only the asked. */
static const unsigned char folded[256] = {
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,  45,  46,   0,
     48,  49,  50,  51,  52,  53,  54,  55,  56,  57,   0,   0,   0,   0,   0,   0,
      0,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0,   0,   0,   0,  95,
      0,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
};

/* Whether the label that ends before byte `end` and began at *start is
 * one (1 to VMH_LABEL_MAX bytes); the next then begins after `end`. */
static bool label_ends(size_t end, size_t *start)
{
    size_t length = end - *start;
    *start = end + 1;
    return length > 0 && length <= VMH_LABEL_MAX;
}

/* A byte folds to 0 (refused), '-' or '.' only at or below '.': the one
 * compare a byte that needs no more costs.  This runs three times a hit
 * (the name, the hostname alias, the canonical name), and a label counted
 * byte by byte cost 13 instructions a byte (callgrind), the most of any
 * one function of the module's part of a hit. */
size_t vmh_name_fold(const char *text, size_t length, char *out)
{
    size_t start = 0;
    if (length == 0 || length > VMH_NAME_MAX)
        return 0;
    /* Two loops, so that the one that only checks stores nothing. */
    if (out) {
        for (size_t i = 0; i < length; i++) {
            unsigned char c = folded[(unsigned char)text[i]];
            out[i] = (char)c;
            if (c <= '.' && (c == 0 || (c == '.' && !label_ends(i, &start))))
                return 0;
        }
        out[length] = '\0';
    } else {
        for (size_t i = 0; i < length; i++) {
            unsigned char c = folded[(unsigned char)text[i]];
            if (c <= '.' && (c == 0 || (c == '.' && !label_ends(i, &start))))
                return 0;
        }
    }
    return label_ends(length, &start) ? length : 0;
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
    return vmh_name_fold(name, length, out);
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
                                enum vmh_backend backend, size_t key_length,
                                const char *domain, size_t domain_length)
{
    memcpy(out->key, out->normalized, key_length);
    out->key[key_length] = '\0';
    for (size_t i = 0; i < domain_length; i++)
        out->domain[i] = fold(domain[i]);
    out->domain[domain_length] = '\0';
    out->backend = backend;
    out->kind = kind;
    return kind;
}

/* Whether the key (the first `length` bytes of name) has at most `labels`
 * labels; any number when labels is 0. */
static bool key_fits(const char *name, size_t length, unsigned labels)
{
    if (labels == 0)
        return true;
    for (const char *dot = name; (dot = memchr(dot, '.', length - (size_t)(dot - name)));
         dot++)
        if (--labels == 0)
            return false;
    return true;
}

/* Empty strings rather than a memset of the whole struct: most names a
 * machine resolves are not ours, and this is their whole cost. */
static enum vmh_name_kind not_ours(struct vmh_name *out)
{
    out->kind = VMH_NAME_NOT_OURS;
    out->backend = VMH_BACKEND_COUNT;
    out->normalized[0] = out->key[0] = out->domain[0] = '\0';
    return VMH_NAME_NOT_OURS;
}

static void index_add(struct vmh_name_index *index, enum vmh_backend backend, const char *text,
                      size_t length)
{
    /* The settings allow VMH_DOMAINS_MAX a backend; a caller that filled
     * in more by hand has the first ones. */
    if (index->count == VMH_INDEX_MAX || length > VMH_NAME_MAX)
        return;
    struct vmh_index_domain *domain = &index->domains[index->count++];
    domain->text = text;
    domain->length = (uint16_t)length;
    domain->backend = (uint8_t)backend;
    domain->labels = (uint8_t)vmh_backend_key_labels(backend);
    domain->last = fold(text[length - 1]);
    domain->label_only = false;
}

/* label_domains, after every backend's domains so that a name under one
 * of those stays that backend's (a label never takes a VM's name), for
 * the first container backend, which alone reads labels. */
static void index_label_domains(const struct vmh_config *config, struct vmh_name_index *index)
{
    const char *cursor = config->label_domains;
    const char *end = cursor + strnlen(cursor, VMH_LIST_MAX);
    while (index->bare != VMH_BACKEND_COUNT && cursor < end) {
        while (cursor < end && (*cursor == ' ' || *cursor == '\t'))
            cursor++;
        const char *stop = cursor;
        while (stop < end && *stop != ' ' && *stop != '\t')
            stop++;
        unsigned before = index->count;
        if (stop > cursor)
            index_add(index, (enum vmh_backend)index->bare, cursor, (size_t)(stop - cursor));
        if (index->count > before) {
            index->domains[before].labels = 0;
            index->domains[before].label_only = true;
        }
        cursor = stop;
    }
}

void vmh_name_index(const struct vmh_config *config, struct vmh_name_index *index)
{
    index->count = 0;
    index->bare = VMH_BACKEND_COUNT;
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++) {
        const char *cursor = config->domains[b], *end = cursor + strnlen(cursor, VMH_LIST_MAX);
        while (cursor < end) {
            while (cursor < end && (*cursor == ' ' || *cursor == '\t'))
                cursor++;
            const char *stop = cursor;
            while (stop < end && *stop != ' ' && *stop != '\t')
                stop++;
            if (stop > cursor)
                index_add(index, (enum vmh_backend)b, cursor, (size_t)(stop - cursor));
            if (index->bare == VMH_BACKEND_COUNT && stop > cursor &&
                vmh_backend_names((enum vmh_backend)b) == VMH_NAMES_CONTAINER)
                index->bare = (uint8_t)b;
            cursor = stop;
        }
    }
    index_label_domains(config, index);
}

/* A single label: the first container backend's, when it has a domain to
 * name it by (its first makes the canonical name). */
static enum vmh_name_kind bare(const struct vmh_name_index *index, struct vmh_name *out, size_t n)
{
    if (index->bare == VMH_BACKEND_COUNT)
        return not_ours(out);
    for (unsigned i = 0; i < index->count; i++)
        if (index->domains[i].backend == index->bare)
            return found(out, VMH_NAME_BARE, (enum vmh_backend)index->bare, n,
                         index->domains[i].text, index->domains[i].length);
    return not_ours(out);
}

enum vmh_name_kind vmh_name_classify_indexed(const char *name, const struct vmh_name_index *index,
                                             struct vmh_name *out)
{
    struct vmh_name scratch;
    if (!out)
        out = &scratch;
    size_t n = name && index ? normalize(name, out->normalized) : 0;
    if (n == 0)
        return not_ours(out);
    char last = out->normalized[n - 1];
    /* In the order of backends.def, then of each list: the first that
     * fits owns the name.  The last byte rules out most domains at once. */
    for (unsigned i = 0; i < index->count; i++) {
        const struct vmh_index_domain *domain = &index->domains[i];
        if (domain->last == last && under(out->normalized, n, domain->text, domain->length) &&
            key_fits(out->normalized, n - domain->length - 1, domain->labels))
            return found(out, domain->label_only ? VMH_NAME_LABEL : VMH_NAME_UNDER,
                         (enum vmh_backend)domain->backend,
                         domain->label_only ? n : n - domain->length - 1,
                         out->normalized + n - domain->length, domain->length);
    }
    if (!memchr(out->normalized, '.', n))
        return bare(index, out, n);
    return not_ours(out);
}
