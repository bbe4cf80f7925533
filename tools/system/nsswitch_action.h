/* The words of a hosts: line and the [ACTION] brackets after a source, as
 * glibc reads them: what `vmhosts enable` places vmhosts before and what
 * `vmhosts status` judges (tools/diagnose/status_nsswitch.c). */
#ifndef VMHOSTS_NSSWITCH_ACTION_H
#define VMHOSTS_NSSWITCH_ACTION_H

#include <stdbool.h>
#include <stddef.h>

/* A blank between words: space, tab, the CR of a CRLF line, \v or \f. */
bool vmh_nsswitch_is_blank(char c);

/* p past any blanks, at most to end. */
const char *vmh_nsswitch_skip_blanks(const char *p, const char *end);

/* Where the sources of [line, end) start when it is a line of `database`,
 * as glibc's nss_database.c reads a line: the name ends at a blank or ':',
 * and every blank and ':' after it is skipped ("hosts: files",
 * "hosts:files" and "hosts files" alike).  NULL for any other line. */
const char *vmh_nsswitch_sources(const char *line, const char *end, const char *database);

/* The length of the word at p: up to a blank, a bracket, '=' or '#'. */
size_t vmh_nsswitch_word_length(const char *p, const char *end);

/* Whether the word of `length` bytes is `name`, ignoring case. */
bool vmh_nsswitch_word_is(const char *word, size_t length, const char *name);

/* Whether the [ACTION] text between p and end (without the brackets) makes
 * NOTFOUND end the lookup: NOTFOUND=return, or !STATUS=return for any
 * other status (`[!UNAVAIL=return]`), unless a later term says otherwise
 * (`[!UNAVAIL=return NOTFOUND=continue]`). */
bool vmh_nsswitch_returns_on_notfound(const char *p, const char *end);

/* mdns4_minimal and the like: they answer NOTFOUND only for *.local
 * names, so their usual [NOTFOUND=return] stops nothing of ours. */
bool vmh_nsswitch_is_minimal_mdns(const char *name, size_t length);

/* One source of a line: its name and the [ACTION] brackets after it. */
struct vmh_nsswitch_source {
    const char *start;    /* first byte of the name */
    const char *word_end; /* end of the name */
    const char *end;      /* end of the name and its [ACTION] brackets */
};

/* The next source at or after p, as glibc's nss_action_parse.c reads one:
 * a name ends at a blank or '[', and one [ACTION] group may follow it.
 * false at the end of the list, and where glibc stops reading: at a '['
 * where a name should be (a second group after a source) and at a source
 * whose '[' is never closed (glibc rejects the line). */
bool vmh_nsswitch_next_source(const char *p, const char *end, struct vmh_nsswitch_source *source);

/* Whether the source's name is `name`, as glibc compares it (it loads
 * libnss_<name>.so.2): byte for byte, case included. */
bool vmh_nsswitch_source_is(const struct vmh_nsswitch_source *source, const char *name);

/* Whether one of the source's [ACTION]s ends the lookup on NOTFOUND (not
 * counting mdns*_minimal's): vmhosts after it would never be asked for a
 * name that source does not know. */
bool vmh_nsswitch_source_stops(const struct vmh_nsswitch_source *source);

#endif
