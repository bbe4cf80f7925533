/* Which namespace a queried name belongs to, decided from its text alone so
 * that a name that is not ours costs no file access at all. */
#ifndef VMHOSTS_NAMES_H
#define VMHOSTS_NAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cache_format.h"
#include "config.h"

/* RFC 1035's limit on a name's text form, without the trailing dot. */
#define VMH_NAME_MAX 253
/* DNS allows 63 octets in a label, and a domain in the settings keeps to
 * that; a name of ours may have 64, since a full Docker container ID is 64
 * hex digits and `<id>.docker` must resolve (glibc hands NSS the name
 * unchecked). */
#define VMH_DNS_LABEL_MAX 63
#define VMH_LABEL_MAX (VMH_DNS_LABEL_MAX + 1)

enum vmh_name_kind {
    VMH_NAME_NOT_OURS = 0, /* including every malformed name */
    VMH_NAME_UNDER,        /* <key>.<one of a backend's domains> */
    VMH_NAME_BARE,         /* a single label: maybe a container's hostname */
    VMH_NAME_LABEL         /* under one of label_domains: only a container's
                            * vmhosts.names label can give it (key: the
                            * whole name); DNS's when none does */
};

struct vmh_name {
    enum vmh_name_kind kind;
    enum vmh_backend backend;          /* whose name it is, when ours */
    char normalized[VMH_NAME_MAX + 1]; /* lowercase, trailing dot removed */
    char key[VMH_NAME_MAX + 1];        /* the part before the domain */
    char domain[VMH_NAME_MAX + 1];     /* the domain that matched; for a bare
                                        * name its backend's first, which
                                        * makes its canonical name */
};

/* Every backend's domains, split once per settings load, in the order a
 * name is tried against them: what the module compares each name's tail
 * with, so that a name not ours costs a few byte compares per domain and
 * no walk over the settings' text.  The index points into the settings,
 * which must outlive it and not change under it. */
#define VMH_INDEX_MAX (VMH_DOMAINS_MAX * (VMH_BACKEND_COUNT + 1))
struct vmh_index_domain {
    const char *text;   /* in config->domains[backend], not NUL-terminated */
    uint16_t length;
    uint8_t backend;
    uint8_t labels;     /* vmh_backend_key_labels */
    char last;          /* its last byte, folded */
    bool label_only;    /* one of label_domains, after every backend's */
};
struct vmh_name_index {
    unsigned count;
    uint8_t bare;       /* the backend of bare names; VMH_BACKEND_COUNT: none */
    struct vmh_index_domain domains[VMH_INDEX_MAX];
};

void vmh_name_index(const struct vmh_config *config, struct vmh_name_index *index);

/* vmh_name_classify with the settings' index: the module's, built once
 * per settings load. */
enum vmh_name_kind vmh_name_classify_indexed(const char *name, const struct vmh_name_index *index,
                                             struct vmh_name *out);

/* Classifies `name` under `config`.  Never fails: anything malformed (empty,
 * too long, empty labels, characters no host name has) is NOT_OURS.
 * Letters are folded to lowercase and one trailing dot is dropped.  A label
 * is 1 to 64 of [a-z0-9_-] (64: a full container ID).  The backends'
 * domains are tried in the order of backends.def; under a container
 * backend's domain the key may hold dots (a container may be called
 * `my.app`, a Compose name is `<service>.<project>`), under an instance
 * backend's it is one label, so `www.sub.example.org` is not ours.  A
 * single label is a bare name of the first container backend.  Inline:
 * only `vmhosts` and the tests, which classify a name once, build an index
 * for it; the module keeps one per settings load. */
static inline enum vmh_name_kind vmh_name_classify(const char *name,
                                                   const struct vmh_config *config,
                                                   struct vmh_name *out)
{
    struct vmh_name_index index;
    if (!config)
        return vmh_name_classify_indexed(NULL, NULL, out);
    vmh_name_index(config, &index);
    return vmh_name_classify_indexed(name, &index, out);
}

/* The length of text (length bytes) when it is a host name by the rule of
 * a queried name (labels of 1 to 64 of [A-Za-z0-9_-], letters compared
 * folded, at most VMH_NAME_MAX in all), else 0; when out is given (length
 * + 1 bytes), the name is written there folded to lowercase and
 * terminated.  One pass: checking and folding a name the module answers
 * costs no more than copying it. */
size_t vmh_name_fold(const char *text, size_t length, char *out);

/* Whether text is a name we may hand to a resolver: that rule, without the
 * trailing dot a query may have.  Cache strings and backend answers are
 * checked with it: a newline in a name would let `getent hosts` print a
 * line of someone else's making, an escape would reach a terminal.  False
 * for NULL.  Inline: the writer and the parsers call it; the module folds
 * what it reads with vmh_name_fold. */
static inline bool vmh_name_valid(const char *text)
{
    /* One past the limit: a longer name is refused without reading it all. */
    return text && vmh_name_fold(text, strnlen(text, VMH_NAME_MAX + 1), NULL) > 0;
}

#endif
