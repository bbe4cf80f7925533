/* `vmhosts status`: each backend, asked live (can this user reach it?) and
 * as the cache recorded it, and each cache the module would read. */
#include <stdio.h>
#include <unistd.h>

#include "status.h"
#include "texts.h"
#include "trigger.h"

static void count_records(const struct vmh_cache *cache, enum vmh_backend backend,
                          unsigned *total, unsigned *running)
{
    *total = *running = 0;
    for (uint32_t i = 0; i < cache->header->record_count; i++) {
        if (cache->records[i].backend != backend)
            continue;
        ++*total;
        *running += cache->records[i].state == VMH_STATE_RUNNING;
    }
}

/* What the cache the module would use recorded for the backend; whether it
 * answers names (status ok).  A failure recorded for a backend this user
 * reaches now is only a note: the next lookup asks again.  Otherwise it is
 * said at `failed_level`, with what to do when that is a problem. */
static bool say_recorded(const struct vmh_cli_cache *slot, const struct vmh_backend_ops *ops,
                         bool reachable, enum vmh_level failed_level,
                         struct vmh_status_report *report)
{
    enum vmh_backend backend = ops->section;
    if (!slot) {
        vmh_say(report, VMH_NOTE, "no cache yet: the first lookup (or `vmhosts refresh`) asks");
        return false;
    }
    const struct vmh_cache_backend *state = vmh_cache_state(&slot->cache, backend);
    const char *message = vmh_cache_string(&slot->cache, state->message);
    char age[64];
    if (state->status == VMH_STATUS_OK) {
        unsigned total, running;
        count_records(&slot->cache, backend, &total, &running);
        vmh_format_age(state->updated_ms, age, sizeof age);
        /* A watcher leaves a cache whose answers did not change as it was:
         * its time is the last change, not the last question. */
        vmh_say(report, VMH_OK, "%s cache: %u %s, %u running, %s %s%s", slot->owner, total,
                total == 1 ? ops->noun : ops->nouns, running,
                slot->watched ? "last changed" : "answered", age,
                slot->watched ? " (kept fresh by vmhosts watch)" : "");
        /* It answered, but not whole: a socket of several failed.  The
         * live check above may say the same of that socket; this says what
         * the cache lacks for it. */
        if (message[0])
            vmh_say(report, VMH_NOTE, "%s cache: without part of %s's answer: %s", slot->owner,
                    ops->name, message);
        return true;
    }
    /* Not a failure: nothing has needed it yet. */
    if (state->status == VMH_STATUS_NEVER) {
        vmh_say(report, VMH_NOTE, "%s cache: %s not asked yet; the next lookup of one of its "
                                  "names asks", slot->owner, ops->name);
        return false;
    }
    enum vmh_level level = reachable ? VMH_NOTE : failed_level;
    vmh_format_age(state->attempted_ms, age, sizeof age);
    vmh_say(report, level, "%s cache: %s when last asked (%s)%s%s%s", slot->owner,
            vmh_backend_status_name(state->status), age, message[0] ? ": " : "", message,
            reachable ? "; the next lookup asks again" : "");
    if (level == VMH_PROBLEM)
        vmh_say_do(vmh_backend_advice(backend, state->status, message));
    return false;
}

static void say_finding(void *report, enum vmh_level level, const char *text, const char *advice)
{
    vmh_say(report, level, "%s", text);
    if (advice)
        vmh_say_do(advice);
}

/* A refresh a lookup started that never wrote the cache (killed at
 * timeout_ms) leaves no trace in the cache: the module records it in the
 * user's refresh.killed (trigger.h), and holds further refreshes back. */
static void say_unfinished(const struct vmh_cli_view *view, enum vmh_backend backend,
                           struct vmh_status_report *report)
{
    int64_t when = view->own.dir[0] ? vmh_refresh_unfinished_ms(view->own.dir, backend) : 0;
    const struct vmh_cache_backend *state = vmh_cache_state(&view->own.cache, backend);
    char age[64];
    if (when <= 0 || when < state->attempted_ms)
        return;
    vmh_format_age(when, age, sizeof age);
    vmh_say(report, VMH_WARNING, "the last refresh a lookup started (%s) did not finish within "
            "timeout_ms (%ld ms) and was stopped: lookups answer from the cache meanwhile and "
            "start another at most every %ld ms", age, view->config->timeout_ms,
            view->config->refresh_interval_ms > VMH_FAILED_RETRY_MS ? view->config->refresh_interval_ms
                                                             : VMH_FAILED_RETRY_MS);
    vmh_say_do("raise timeout_ms in vmhosts.conf, or run `vmhosts watch` (lookups then start "
               "no refresh)");
}

/* The backend's live check (its entry's probe), then what the cache the
 * module would use recorded for it. */
static void status_backend(const struct vmh_cli_view *view, const struct vmh_backend_ops *ops,
                           struct vmh_status_report *report)
{
    struct vmh_probe_sink sink = {.say = say_finding, .context = report};
    struct vmh_probe probe = {0};
    printf("%s:\n", ops->name);
    ops->probe(view->config, &sink, &probe);
    if (probe.said_all)
        return;
    const struct vmh_cli_cache *slot = vmh_view_choose(view, ops->section);
    /* Unreachable is one problem, said once below with what to do. */
    bool answers = say_recorded(slot, ops, probe.reachable,
                                probe.unreachable ? VMH_NOTE : VMH_PROBLEM, report);
    say_unfinished(view, ops->section, report);
    if (!probe.reachable && probe.unreachable && !(answers && slot->watched)) {
        vmh_say(report, VMH_PROBLEM, "%s", probe.unreachable);
        vmh_say_do(probe.advice);
    }
}

void vmh_status_backends(const struct vmh_cli_view *view, struct vmh_status_report *report)
{
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        status_backend(view, *ops, report);
}

static void status_cache(const struct vmh_cli_cache *slot, struct vmh_status_report *report)
{
    char path[VMH_PATH_MAX + 32], age[64];
    vmh_cache_path(slot, path, sizeof path);
    switch (slot->error) {
    case VMH_CACHE_OK:
        vmh_format_age(slot->cache.header->written_ms, age, sizeof age);
        vmh_say(report, VMH_OK, "%s (%s): written %s, %u records, %s", path, slot->whose, age,
                slot->cache.header->record_count,
                slot->watched ? "kept fresh by vmhosts watch" : "no watcher");
        return;
    case VMH_CACHE_MISSING:
        vmh_say(report, VMH_NOTE, "%s (%s): not written yet", path, slot->whose);
        return;
    case VMH_CACHE_CORRUPT:
    case VMH_CACHE_OTHER_VERSION:
        vmh_say(report, VMH_WARNING, "%s (%s): %s: ignored, the next refresh replaces it", path,
                slot->whose, vmh_cache_error_text(slot->error));
        vmh_say_do("vmhosts refresh");
        return;
    case VMH_CACHE_UNTRUSTED:
    case VMH_CACHE_IO:
    default:
        vmh_say(report, VMH_PROBLEM, "%s (%s): %s: the module ignores it", path, slot->whose,
                vmh_cache_error_text(slot->error));
        vmh_say_do("it and its folder must be owned by root or you and writable by no one "
                   "else: remove it and run `vmhosts refresh`");
        return;
    }
}

void vmh_status_caches(const struct vmh_cli_view *view, struct vmh_status_report *report)
{
    puts("caches:");
    if (view->own_squatted)
        vmh_say(report, VMH_WARNING, "/tmp/vmhosts-%lu, your default cache folder, belongs to "
                                     "someone else (made before you could); %s",
                (unsigned long)geteuid(), view->own.dir[0] ? "using the folder below instead"
                                                            : "and no other could be made");
    if (view->own.dir[0])
        status_cache(&view->own, report);
    else
        vmh_say(report, VMH_PROBLEM, "no cache folder for this user (set user_cache_dir in "
                                     "vmhosts.conf)");
    if (view->root.dir[0])
        status_cache(&view->root, report);
}
