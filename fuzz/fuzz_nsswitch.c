/* libFuzzer target: nsswitch.conf text (up to its first NUL) through
 * `vmhosts enable` and `vmhosts disable`, with what a user relies on
 * checked on every input: enable puts vmhosts on the hosts line glibc
 * uses, where `vmhosts status` finds it reached, and a second enable
 * changes nothing; disable takes it off that line again, giving back the
 * very text enable started from (also a text with no hosts line, to which
 * enable appended one); a line glibc stops reading early is left alone by
 * both. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsswitch_edit.h"
#include "nsswitch_verdict.h"

static void require(int condition)
{
    if (!condition)
        abort();
}

static struct vmh_hosts_verdict verdict_of(const char *text)
{
    struct vmh_hosts_verdict verdict;
    size_t start, length;
    require(vmh_nsswitch_hosts_line(text, &start, &length));
    char *line = strndup(text + start, length);
    require(line != NULL);
    vmh_hosts_line_verdict(line, &verdict);
    free(line);
    return verdict;
}

static void check_disabled(const char *text, const char *enabled, bool had_vmhosts)
{
    char *disabled = NULL;
    bool changed;
    size_t start, length;
    int status = vmh_nsswitch_disable(enabled, &disabled, &changed);
    if (status == VMH_NSSWITCH_UNREAD) {
        /* Only a vmhosts that was there before sits on such a line. */
        require(had_vmhosts && !disabled && verdict_of(enabled).unread[0]);
        return;
    }
    require(status == 0);
    require(!vmh_nsswitch_hosts_line(disabled, &start, &length) ||
            !verdict_of(disabled).has_vmhosts);
    /* Also a text without a hosts line: the line enable appended goes
     * whole.  A text already holding the mark may hold glibc's default
     * under it, which enable's vmhosts makes the appended line. */
    if (!had_vmhosts && !strstr(text, VMH_NSSWITCH_APPENDED_MARK))
        require(strcmp(disabled, text) == 0);
    free(disabled);
}

static void check_enabled(const char *text, const char *enabled)
{
    char *again = NULL;
    bool changed;
    require(vmh_nsswitch_enable(enabled, &again, &changed) == 0);
    require(!changed && strcmp(again, enabled) == 0);
    free(again);
    struct vmh_hosts_verdict verdict = verdict_of(enabled);
    require(verdict.has_vmhosts);
    size_t start, length;
    bool had_vmhosts =
        vmh_nsswitch_hosts_line(text, &start, &length) && verdict_of(text).has_vmhosts;
    /* Placed by enable, vmhosts is reached; one already there stays put. */
    if (!had_vmhosts)
        require(!verdict.unreachable && !verdict.unread[0]);
    check_disabled(text, enabled, had_vmhosts);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char *text = strndup((const char *)input, size), *whole = NULL, *enabled = NULL;
    bool changed;
    /* enable reads a last line without its newline as if it had one; the
     * checks compare with the text so ended. */
    size_t length = text ? strlen(text) : 0;
    const char *ending = length && text[length - 1] != '\n' ? "\n" : "";
    if (!text || asprintf(&whole, "%s%s", text, ending) < 0) {
        free(text);
        return 0;
    }
    int status = vmh_nsswitch_enable(text, &enabled, &changed);
    if (status == VMH_NSSWITCH_UNREAD)
        require(!enabled && !changed && verdict_of(whole).unread[0]);
    else
        require(status == 0);
    if (enabled)
        check_enabled(whole, enabled);
    free(enabled);
    free(whole);
    free(text);
    return 0;
}
