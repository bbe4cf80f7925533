/* The verdict on a hosts: line (nsswitch_verdict.h).  glibc asks the
 * sources left to right; an [ACTION] after a source decides whether a
 * status ends the lookup there.  vmhosts is reached for its names only if
 * no source before it returns on NOTFOUND, which is what files, dns and
 * resolve answer for a container name they do not know.  mdns*_minimal
 * answers NOTFOUND only for *.local names, so its usual [NOTFOUND=return]
 * stops nothing of ours. */
#include <stdio.h>
#include <string.h>

#include "nsswitch_action.h"
#include "nsswitch_edit.h"
#include "nsswitch_verdict.h"

static bool is_network(const char *name, size_t length)
{
    static const char *const network[] = {"dns", "resolve", "mdns", "mdns4", "mdns6",
                                          "nis", "nisplus", "wins", "hesiod"};
    for (size_t i = 0; i < sizeof network / sizeof network[0]; i++)
        if (vmh_nsswitch_word_is(name, length, network[i]))
            return true;
    return false;
}

/* One source before vmhosts, judged. */
static void judge_before(const struct vmh_nsswitch_source *source,
                         struct vmh_hosts_verdict *verdict)
{
    size_t length = (size_t)(source->word_end - source->start);
    if (vmh_nsswitch_word_is(source->start, length, "files"))
        verdict->files_before = true;
    if (vmh_nsswitch_source_stops(source) && !verdict->unreachable) {
        verdict->unreachable = true;
        snprintf(verdict->stopper, sizeof verdict->stopper, "%.*s",
                 (int)(source->end - source->start), source->start);
    }
    if (is_network(source->start, length) && !verdict->network_before[0])
        snprintf(verdict->network_before, sizeof verdict->network_before, "%.*s", (int)length,
                 source->start);
}

void vmh_hosts_line_verdict(const char *line, struct vmh_hosts_verdict *verdict)
{
    memset(verdict, 0, sizeof *verdict);
    const char *end = line + strcspn(line, "\n");
    const char *p = vmh_nsswitch_sources(line, end, "hosts");
    struct vmh_nsswitch_source source;
    while (p && vmh_nsswitch_next_source(p, end, &source)) {
        if (!verdict->has_vmhosts && vmh_nsswitch_source_is(&source, VMH_NSSWITCH_SERVICE)) {
            verdict->has_vmhosts = true;
            verdict->notfound_return_after = vmh_nsswitch_source_stops(&source);
        } else if (!verdict->has_vmhosts) {
            judge_before(&source, verdict);
        }
        p = source.end;
    }
    p = p ? vmh_nsswitch_skip_blanks(p, end) : end;
    snprintf(verdict->unread, sizeof verdict->unread, "%.*s", (int)(end - p), p);
}
