/* Whether /etc/nsswitch.conf names vmhosts where a lookup reaches it: the
 * verdict on its hosts: line (tools/system/nsswitch_verdict.c), said. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsswitch_edit.h"
#include "nsswitch_verdict.h"
#include "status.h"

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "re");
    if (!file)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    ssize_t length = getdelim(&text, &size, '\0', file);
    fclose(file);
    if (length < 0) {
        free(text);
        text = strdup("");
    }
    return text;
}

static void say_verdict(const struct vmh_hosts_verdict *verdict, struct vmh_status_report *report)
{
    if (verdict->unread[0]) {
        vmh_say(report, VMH_PROBLEM, "glibc cannot read the line from `%s` on (a second "
                                     "[ACTION] after one source, or a '[' never closed): no "
                                     "source from there on is asked",
                verdict->unread);
        vmh_say_do("mend the line, then sudo vmhosts enable");
    }
    if (!verdict->has_vmhosts) {
        vmh_say(report, VMH_PROBLEM, "vmhosts is not on the hosts: line: no program sees "
                                     "container or VM names");
        vmh_say_do("sudo vmhosts enable");
        return;
    }
    if (verdict->unreachable) {
        vmh_say(report, VMH_PROBLEM, "`%s` comes before vmhosts and ends the lookup on "
                                     "NOTFOUND: vmhosts is never reached for names it lacks",
                verdict->stopper);
        vmh_say_do("sudo vmhosts disable && sudo vmhosts enable (puts vmhosts before it)");
        return;
    }
    if (verdict->network_before[0]) {
        vmh_say(report, VMH_WARNING, "%s is asked before vmhosts: every container name goes to "
                                     "the network first (slower, and it could answer them)",
                verdict->network_before);
        vmh_say_do("sudo vmhosts disable && sudo vmhosts enable");
    } else {
        vmh_say(report, VMH_OK, "vmhosts is reached%s, before any network source",
                verdict->files_before ? " after files" : "");
    }
    if (verdict->notfound_return_after)
        vmh_say(report, VMH_NOTE, "vmhosts [NOTFOUND=return]: a name under a multipass domain "
                                  "that is no VM never reaches DNS");
}

/* nscd answers from its own cache before any module is asked. */
static void say_nscd(struct vmh_status_report *report)
{
    if (access("/run/nscd/socket", F_OK) == 0 || access("/var/run/nscd/socket", F_OK) == 0)
        vmh_say(report, VMH_NOTE, "nscd is running: it keeps each answer for the ttl vmhosts "
                                  "gives (a stopped container may resolve that long); "
                                  "`nscd -i hosts` forgets them");
}

void vmh_status_nsswitch(const char *path, struct vmh_status_report *report)
{
    printf("%s:\n", path);
    char *text = read_file(path);
    if (!text) {
        vmh_say(report, VMH_PROBLEM, "cannot read %s: %s", path, strerror(errno));
        vmh_say_do("sudo vmhosts enable");
        return;
    }
    size_t start, length;
    if (!vmh_nsswitch_hosts_line(text, &start, &length)) {
        if (vmh_nsswitch_hosts_line_unread(text))
            vmh_say(report, VMH_PROBLEM, "the hosts: line is the last line and has no newline: "
                                         "glibc never reads it");
        vmh_say(report, VMH_PROBLEM, "no hosts: line: glibc's default (dns, then files) "
                                     "leaves vmhosts out");
        vmh_say_do("sudo vmhosts enable");
        free(text);
        return;
    }
    text[start + length] = '\0';
    printf("  %s\n", text + start);
    struct vmh_hosts_verdict verdict;
    vmh_hosts_line_verdict(text + start, &verdict);
    say_verdict(&verdict, report);
    say_nscd(report);
    free(text);
}
