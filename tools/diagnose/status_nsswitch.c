/* Whether /etc/nsswitch.conf names vmhosts where a lookup reaches it.
 *
 * glibc asks the hosts: sources left to right; an [ACTION] after a source
 * decides whether a status ends the lookup there.  vmhosts is reached for
 * its names only if no source before it returns on NOTFOUND, which is what
 * files, dns and resolve answer for a container name they do not know.
 * mdns*_minimal answers NOTFOUND only for *.local names, so its usual
 * [NOTFOUND=return] stops nothing of ours. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsswitch_action.h"
#include "nsswitch_edit.h"
#include "status.h"

static bool is_network(const char *name, size_t length)
{
    static const char *const network[] = {"dns", "resolve", "mdns", "mdns4", "mdns6",
                                          "nis", "nisplus", "wins", "hesiod"};
    for (size_t i = 0; i < sizeof network / sizeof network[0]; i++)
        if (vmh_nsswitch_word_is(name, length, network[i]))
            return true;
    return false;
}

/* One source before vmhosts and its action, judged. */
static void judge_before(const char *name, size_t length, const char *action,
                         size_t action_length, struct vmh_hosts_verdict *verdict)
{
    if (vmh_nsswitch_word_is(name, length, "files"))
        verdict->files_before = true;
    if (action && vmh_nsswitch_returns_on_notfound(action, action + action_length) &&
        !vmh_nsswitch_is_minimal_mdns(name, length) && !verdict->unreachable) {
        verdict->unreachable = true;
        snprintf(verdict->stopper, sizeof verdict->stopper, "%.*s [%.*s]", (int)length, name,
                 (int)action_length, action);
    }
    if (is_network(name, length) && !verdict->network_before[0])
        snprintf(verdict->network_before, sizeof verdict->network_before, "%.*s", (int)length,
                 name);
}

void vmh_hosts_line_verdict(const char *line, struct vmh_hosts_verdict *verdict)
{
    memset(verdict, 0, sizeof *verdict);
    const char *end = line + strcspn(line, "#\n");
    const char *p = vmh_nsswitch_sources(line, end, "hosts");
    while (p && (p = vmh_nsswitch_skip_blanks(p, end)) < end && !verdict->has_vmhosts) {
        const char *name = p;
        size_t length = vmh_nsswitch_word_length(p, end);
        if (length == 0)
            break;
        p = vmh_nsswitch_skip_blanks(p + length, end);
        const char *action = NULL;
        size_t action_length = 0;
        if (p < end && *p == '[') {
            action = p + 1;
            action_length = strcspn(action, "]");
            if (action + action_length > end)
                action_length = (size_t)(end - action);
            p = action + action_length + (action + action_length < end);
        }
        if (vmh_nsswitch_word_is(name, length, VMH_NSSWITCH_SERVICE)) {
            verdict->has_vmhosts = true;
            verdict->notfound_return_after =
                action && vmh_nsswitch_returns_on_notfound(action, action + action_length);
        } else {
            judge_before(name, length, action, action_length, verdict);
        }
    }
}

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
