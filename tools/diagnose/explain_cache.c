/* The caches as the module sees them, for list, lookup and status: the
 * module's own reader, checking every byte where a lookup checks only what
 * it reads (vmh_cache_load_all: a cache corrupt anywhere is reported so),
 * watcher test (vmh_cache_watched)
 * and choice between the user's cache and root's (vmh_cache_choose). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "decide.h"
#include "explain.h"
#include "trigger.h"

static void slot_load(struct vmh_cli_cache *slot)
{
    struct stat st;
    vmh_cache_free(&slot->cache);
    slot->error = VMH_CACHE_MISSING;
    slot->watched = false;
    if (!slot->dir[0])
        return;
    slot->error = vmh_cache_load_all(slot->dir, geteuid(), &slot->cache, &st);
    if (slot->error != VMH_CACHE_OK)
        vmh_cache_free(&slot->cache);
    slot->watched = slot->error == VMH_CACHE_OK && vmh_cache_watched(slot->dir);
}

static void view_load(struct vmh_cli_view *view)
{
    slot_load(&view->own);
    slot_load(&view->root);
}

void vmh_view_open(struct vmh_cli_view *view, const struct vmh_config *config)
{
    memset(view, 0, sizeof *view);
    view->config = config;
    if (vmh_config_own_cache_dir(config, view->own.dir, sizeof view->own.dir,
                                 &view->own_squatted) != 0)
        view->own.dir[0] = '\0';
    view->own.whose = geteuid() == 0 ? "root's" : "yours";
    view->own.owner = geteuid() == 0 ? "root's" : "your";
    view->root.whose = view->root.owner = "root's";
    if (geteuid() != 0)
        snprintf(view->root.dir, sizeof view->root.dir, "%s", config->cache_dir);
    view_load(view);
}

void vmh_view_close(struct vmh_cli_view *view)
{
    vmh_cache_free(&view->own.cache);
    vmh_cache_free(&view->root.cache);
}

const struct vmh_cli_cache *vmh_view_choose(const struct vmh_cli_view *view,
                                            enum vmh_backend backend)
{
    const struct vmh_cache *chosen = vmh_cache_choose(&view->own.cache, &view->root.cache, backend);
    if (!chosen)
        return NULL;
    return chosen == &view->root.cache ? &view->root : &view->own;
}

bool vmh_view_stale(const struct vmh_cli_view *view, enum vmh_backend backend)
{
    const struct vmh_cli_cache *chosen = vmh_view_choose(view, backend);
    if (!chosen)
        return true;
    return !chosen->watched && vmh_cache_stale(&chosen->cache, view->config, backend);
}

void vmh_view_refresh(struct vmh_cli_view *view, enum vmh_backend backend)
{
    struct vmh_refresh_report report;
    if (!view->own.dir[0])
        return;
    view->refresh_result[backend] = vmh_refresh_run(view->config, 1u << backend, 0,
                                                    view->config->timeout_ms, &report);
    view->refreshed[backend] = true;
    view_load(view);
}

void vmh_view_refresh_stale(struct vmh_cli_view *view, unsigned backends)
{
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        if ((backends & (1u << (*ops)->section)) && vmh_view_stale(view, (*ops)->section))
            vmh_view_refresh(view, (*ops)->section);
}

void vmh_format_age(int64_t then_ms, char *out, size_t size)
{
    int64_t age_s = (vmh_realtime_ms() - then_ms) / 1000;
    if (then_ms <= 0)
        snprintf(out, size, "never");
    else if (age_s < -1)
        snprintf(out, size, "in the future (is the clock right?)");
    else if (age_s < 120)
        snprintf(out, size, "%" PRId64 " s ago", age_s < 0 ? 0 : age_s);
    else if (age_s < 7200)
        snprintf(out, size, "%" PRId64 " min ago", age_s / 60);
    else if (age_s < 2 * 86400)
        snprintf(out, size, "%" PRId64 " h ago", age_s / 3600);
    else
        snprintf(out, size, "%" PRId64 " days ago", age_s / 86400);
}

void vmh_cache_path(const struct vmh_cli_cache *slot, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", slot->dir, VMH_CACHE_FILE);
}

const char *vmh_backend_advice(enum vmh_backend backend, uint32_t status, const char *message)
{
    const struct vmh_backend_ops *ops = vmh_backend_of(backend);
    if (status == VMH_STATUS_NEVER)
        return "never asked yet: run `vmhosts refresh`";
    if (status == VMH_STATUS_OK)
        return "nothing to do";
    if (!ops)
        return "run `vmhosts refresh`, which says what went wrong";
    return ops->advice(status, message ? message : "");
}

void vmh_short_id(const char *id, char out[13])
{
    snprintf(out, 13, "%s", id ? id : "");
}

void vmh_format_address(const struct vmh_cache_addr *addr, char *out, size_t size)
{
    if (!inet_ntop(addr->family == 4 ? AF_INET : AF_INET6, addr->bytes, out, (socklen_t)size))
        snprintf(out, size, "?");
}
