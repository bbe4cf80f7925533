/* Whether a hosts: line reaches vmhosts, read as glibc reads it: what
 * `vmhosts status` says about the line (tools/diagnose/status_nsswitch.c)
 * and what fuzz/fuzz_nsswitch.c holds `vmhosts enable` to.  Pure, no I/O. */
#ifndef VMHOSTS_NSSWITCH_VERDICT_H
#define VMHOSTS_NSSWITCH_VERDICT_H

#include <stdbool.h>

struct vmh_hosts_verdict {
    bool has_vmhosts;
    bool unreachable;           /* a source before vmhosts returns on NOTFOUND */
    char stopper[64];           /* that source, with its actions */
    char network_before[64];    /* a network source asked before vmhosts, or "" */
    bool notfound_return_after; /* `vmhosts [NOTFOUND=return]` */
    bool files_before;
    char unread[64];            /* where glibc stops reading before the end, or "" */
};

/* The verdict on `line`, a hosts line (up to its newline or the string's
 * end; a '#' is a source like any other, as glibc reads it). */
void vmh_hosts_line_verdict(const char *line, struct vmh_hosts_verdict *verdict);

#endif
