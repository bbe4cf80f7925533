/* The words and [ACTION] brackets of a hosts: line (nsswitch_action.h),
 * read as glibc 2.33 on reads them: nss/nss_database.c takes the line,
 * nss/nss_action_parse.c its sources, with no comment inside a line. */
#include <string.h>
#include <strings.h>

#include "nsswitch_action.h"

bool vmh_nsswitch_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

const char *vmh_nsswitch_skip_blanks(const char *p, const char *end)
{
    while (p < end && vmh_nsswitch_is_blank(*p))
        p++;
    return p;
}

const char *vmh_nsswitch_sources(const char *line, const char *end, const char *database)
{
    const char *name = vmh_nsswitch_skip_blanks(line, end), *p = name;
    while (p < end && !vmh_nsswitch_is_blank(*p) && *p != ':')
        p++;
    size_t length = strlen(database);
    if ((size_t)(p - name) != length || memcmp(name, database, length) != 0)
        return NULL;
    while (p < end && (vmh_nsswitch_is_blank(*p) || *p == ':'))
        p++;
    return p;
}

size_t vmh_nsswitch_word_length(const char *p, const char *end)
{
    size_t length = 0;
    while (p + length < end && !vmh_nsswitch_is_blank(p[length]) && p[length] != '[' &&
           p[length] != ']' && p[length] != '=' && p[length] != '#')
        length++;
    return length;
}

bool vmh_nsswitch_word_is(const char *word, size_t length, const char *name)
{
    return length == strlen(name) && strncasecmp(word, name, length) == 0;
}

bool vmh_nsswitch_returns_on_notfound(const char *p, const char *end)
{
    bool returns = false;
    for (p = vmh_nsswitch_skip_blanks(p, end); p < end; p = vmh_nsswitch_skip_blanks(p, end)) {
        bool negated = *p == '!';
        if (negated)
            p = vmh_nsswitch_skip_blanks(p + 1, end);
        const char *status = p;
        size_t status_length = vmh_nsswitch_word_length(p, end);
        p = vmh_nsswitch_skip_blanks(p + status_length, end);
        if (p >= end || *p != '=')
            break;
        p = vmh_nsswitch_skip_blanks(p + 1, end);
        size_t action_length = vmh_nsswitch_word_length(p, end);
        /* In order, as glibc applies them: NOTFOUND=x sets NOTFOUND's
         * action, !OTHER=x sets every status's but OTHER's. */
        bool is_notfound = vmh_nsswitch_word_is(status, status_length, "NOTFOUND");
        if (is_notfound != negated)
            returns = vmh_nsswitch_word_is(p, action_length, "return");
        p += action_length;
        if (action_length == 0 && status_length == 0)
            p++; /* a stray character: move on */
    }
    return returns;
}

bool vmh_nsswitch_is_minimal_mdns(const char *name, size_t length)
{
    return length > 8 && strncmp(name, "mdns", 4) == 0 &&
           strncmp(name + length - 8, "_minimal", 8) == 0;
}

bool vmh_nsswitch_next_source(const char *p, const char *end, struct vmh_nsswitch_source *source)
{
    p = vmh_nsswitch_skip_blanks(p, end);
    if (p == end || *p == '[')
        return false;
    source->start = p;
    while (p < end && !vmh_nsswitch_is_blank(*p) && *p != '[')
        p++;
    source->word_end = p;
    const char *q = vmh_nsswitch_skip_blanks(p, end);
    if (q < end && *q == '[') {
        const char *close = memchr(q, ']', (size_t)(end - q));
        if (!close)
            return false; /* glibc rejects the line */
        p = close + 1;
    }
    source->end = p;
    return true;
}

bool vmh_nsswitch_source_is(const struct vmh_nsswitch_source *source, const char *name)
{
    size_t length = strlen(name);
    return (size_t)(source->word_end - source->start) == length &&
           memcmp(source->start, name, length) == 0;
}

bool vmh_nsswitch_source_stops(const struct vmh_nsswitch_source *source)
{
    if (vmh_nsswitch_is_minimal_mdns(source->start, (size_t)(source->word_end - source->start)))
        return false;
    const char *p = source->word_end;
    while ((p = memchr(p, '[', (size_t)(source->end - p)))) {
        const char *close = memchr(p, ']', (size_t)(source->end - p));
        const char *stop = close ? close : source->end;
        if (vmh_nsswitch_returns_on_notfound(p + 1, stop))
            return true;
        p = stop;
    }
    return false;
}
