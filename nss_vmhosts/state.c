/* The module's process-wide view of its settings and caches.
 *
 * Every process that resolves a name pays for what happens here, so the
 * view lives between lookups: the settings are rechecked at most once a
 * second, each cache costs one lstat per clock tick of lookups
 * (CACHE_RECHECK_MS) and is read again only
 * when that lstat shows a new version (the file is mapped, not copied:
 * cache_read.c says why a truncation cannot raise SIGBUS unbidden).  A
 * load checks only the header, block table and sections; the rest is
 * checked as a lookup reads it, and a lookup that finds a block corrupt
 * throws its answer away and resolves again without that cache, which is
 * then refused like one corrupt on load: one detection per file version.
 *
 * One lock guards the view.  A thread that finds it taken, and a child
 * forked while another thread held it, build a private view instead of
 * waiting: slower, never stuck. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "decide.h"
#include "state.h"
#include "trigger.h"
#include "trust.h"

#define CONFIG_RECHECK_MS 1000
/* Lookups this close together share one look at the cache files: the
 * lstat is most of what a hit costs (about 1 us of a 4 us getaddrinfo),
 * and a new cache is at worst seen this much later.  By the coarse clock
 * (clock.h), whose milliseconds move a tick at a time, that is one look
 * per tick: 1 to 10 ms.  Never shared across a change of effective user
 * that lookup_euid saw, nor when a refresh is about to be decided, nor
 * once the writer marked the file replaced (cache_replaced). */
#define CACHE_RECHECK_MS 1

struct cache_slot {
    char dir[VMH_PATH_MAX];
    struct vmh_cache cache;   /* cache.data is NULL when there is none */
    struct stat st;
    uid_t loaded_uid;         /* whom the cache was checked as trusted for */
    /* The version last refused (corrupt, untrusted): not read again, so
     * that a bad 64 MiB file costs one read, not one per lookup. */
    bool refused;
    struct stat refused_st;
};

/* The settings last: the 13 KiB of their texts' pool, of which a lookup
 * touches a few hundred bytes, would otherwise lie between the fields a
 * lookup touches and spread them over three more pages (see `shared`). */
struct view {
    struct vmh_name_index index; /* of config's domains, made when it is loaded */
    char config_path[VMH_PATH_MAX];
    struct stat config_st;    /* st_ino 0: no file */
    int64_t config_checked_ms;
    bool config_loaded;
    bool own_dir_ready;       /* own_dir is computed for own_dir_euid */
    uid_t own_dir_euid;
    bool caches_checked;      /* caches_checked_ms and caches_euid are set */
    int64_t caches_checked_ms;
    uid_t caches_euid;
    uid_t caches_trusted_uid; /* whose files counted then, besides root's */
    bool secure;              /* AT_SECURE: only root's files count (trust.h) */
    bool examined_split;      /* the real or saved user was not examined_euid */
    bool examined_ambiguous;  /* examined_euid may stand for anyone (trust.h) */
    uid_t config_uid;         /* whose settings files counted at the load */
    bool euid_examined;       /* examined_euid is set */
    uid_t examined_euid;      /* the effective user last seen */
    bool euid_fixed;          /* and the process can never take another */
    int64_t euid_examined_ms; /* when the kernel was last asked */
    char own_dir[VMH_PATH_MAX]; /* once per settings load and euid: it may stat */
    struct cache_slot own;    /* the cache this process's refresher writes */
    struct cache_slot root;   /* root's, when this process is not root */
    int64_t last_trigger_ms[VMH_BACKEND_COUNT];
    struct vmh_config config;
};

/* One object, the lock first: the lock and the view's fields before its
 * settings then share the first page of the module's zeroed data, which
 * the loader has written already, and the settings' head the next.  A
 * fresh process's lookup took three page faults more when the lock lay
 * beyond the view's 18 KiB (README, Performance). */
static struct {
    pthread_mutex_t lock;
    struct view view;
} shared = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void slot_drop(struct cache_slot *slot)
{
    vmh_cache_free(&slot->cache);
    memset(&slot->cache, 0, sizeof slot->cache);
    memset(&slot->st, 0, sizeof slot->st);
}

static void view_release_caches(struct view *view)
{
    slot_drop(&view->own);
    slot_drop(&view->root);
}

/* Cancellation: a lookup waits for the refresher in poll() and reads
 * files under the view's lock, all cancellation points; a thread cancelled
 * there would leave the lock, the refresh lock, the claim of this process
 * and the refresher's pidfd behind for good, so it is cancelled once the
 * lookup is over instead.  Turned off only before the first step that may
 * reach one: a warm hit makes no system call, and the pair of calls was 8 %
 * of its time in the module. */
struct cancel_hold {
    bool held;
    int state;
};

static void hold_cancel(struct cancel_hold *hold)
{
    if (!hold->held)
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &hold->state);
    hold->held = true;
}

static void release_cancel(const struct cancel_hold *hold)
{
    if (hold->held)
        pthread_setcancelstate(hold->state, NULL);
}

/* At most once a second: VMHOSTS_CONF (getenv walks the whole
 * environment) and the settings file's version. */
static void config_update(struct view *view, int64_t now, struct cancel_hold *hold)
{
    if (view->config_loaded && now - view->config_checked_ms < CONFIG_RECHECK_MS)
        return;
    hold_cancel(hold);
    const char *path = vmh_config_path();
    struct stat st;
    bool same_source = view->config_loaded && strcmp(path, view->config_path) == 0;
    view->config_checked_ms = now;
    if (stat(path, &st) != 0)
        memset(&st, 0, sizeof st);
    if (same_source &&
        (st.st_ino == 0 ? view->config_st.st_ino == 0 : vmh_same_file_version(&st, &view->config_st)))
        return;
    view->caches_checked = false;
    view->own_dir_ready = false;
    view->config_uid = vmh_trusted_uid();
    view->secure = getauxval(AT_SECURE) != 0;
    vmh_config_load(&view->config, NULL, NULL);
    vmh_name_index(&view->config, &view->index);
    snprintf(view->config_path, sizeof view->config_path, "%s", path);
    view->config_st = st;
    view->config_loaded = true;
}

/* Whose files count besides root's for a lookup as `euid`, as trust.h's
 * vmh_trusted_uid says, from what lookup_euid last examined. */
static uid_t trusted_for(const struct view *view, uid_t euid)
{
    bool not_own = view->examined_split || view->examined_ambiguous;
    return view->secure || (euid != 0 && not_own) ? 0 : euid;
}

/* Settings loaded as another user than the one who looks up now (a root
 * daemon that inherited a user's VMHOSTS_CONF and was that user a moment
 * ago) are loaded again as this one: a file the other could write must
 * not choose this one's caches and names.  Whether they were. */
static bool config_as(struct view *view, uid_t euid, int64_t now, struct cancel_hold *hold)
{
    if (view->config_uid == trusted_for(view, euid))
        return false;
    view->config_loaded = false;
    config_update(view, now, hold);
    return true;
}

/* Points the slot at `dir` and brings its cache up to the file's version,
 * trusted for `uid` (besides root). */
static void slot_update(struct cache_slot *slot, const char *dir, uid_t uid)
{
    char path[VMH_PATH_MAX + sizeof VMH_CACHE_FILE + 1];
    struct stat st;

    if (strcmp(slot->dir, dir) != 0) {
        slot_drop(slot);
        slot->refused = false;
        snprintf(slot->dir, sizeof slot->dir, "%s", dir);
    }
    if (!dir[0])
        return;
    snprintf(path, sizeof path, "%s/%s", dir, VMH_CACHE_FILE);
    if (lstat(path, &st) != 0) {
        slot_drop(slot);
        return;
    }
    bool same_uid = slot->loaded_uid == uid;
    if (same_uid && slot->cache.data && vmh_same_file_version(&st, &slot->st))
        return;
    if (same_uid && !slot->cache.data && slot->refused &&
        vmh_same_file_version(&st, &slot->refused_st))
        return;
    slot_drop(slot);
    slot->loaded_uid = uid;
    slot->refused = false;
    enum vmh_cache_error error = vmh_cache_load(dir, uid, &slot->cache, &slot->st);
    if (error != VMH_CACHE_OK)
        slot_drop(slot);
    if (error == VMH_CACHE_CORRUPT || error == VMH_CACHE_UNTRUSTED ||
        error == VMH_CACHE_OTHER_VERSION) {
        slot->refused = true;
        slot->refused_st = st;
    }
}

/* Refuses every cache a lookup found corrupt (cache.h: vmh_cache_corrupt),
 * as slot_update refuses one on load, so that its version is not read
 * again; returns whether there was one, whose answer must not stand. */
static bool refuse_corrupt(struct view *view)
{
    struct cache_slot *slots[2] = {&view->own, &view->root};
    bool refused = false;
    for (int i = 0; i < 2; i++) {
        if (!slots[i]->cache.data || !vmh_cache_corrupt(&slots[i]->cache))
            continue;
        struct stat st = slots[i]->st;
        slot_drop(slots[i]);
        slots[i]->refused = true;
        slots[i]->refused_st = st;
        refused = true;
    }
    return refused;
}

/* The process's own cache folder: it depends on the effective user (root's
 * cache_dir, or the user's), which a process may change between lookups.
 * Asked only for names of ours: a name that is not ours pays nothing. */
static void own_dir_update(struct view *view, uid_t euid)
{
    if (view->own_dir_ready && view->own_dir_euid == euid)
        return;
    if (vmh_config_own_cache_dir(&view->config, view->own_dir, sizeof view->own_dir, NULL) != 0)
        view->own_dir[0] = '\0';
    view->own_dir_euid = euid;
    view->own_dir_ready = true;
}

/* Whether the writer marked the mapped file replaced (cache_format.h): a
 * read of memory, so that a hit sees a new cache at once, not a tick on. */
static bool cache_replaced(const struct cache_slot *slot)
{
    return slot->cache.data && __atomic_load_n(&slot->cache.header->replaced, __ATOMIC_RELAXED);
}

/* Returns whether it relied on a look less than CACHE_RECHECK_MS old
 * instead of looking (never when `force`). */
static bool caches_update(struct view *view, uid_t euid, int64_t now, bool force,
                          struct cancel_hold *hold)
{
    uid_t trusted = trusted_for(view, euid);
    if (!force && view->caches_checked && view->caches_euid == euid &&
        view->caches_trusted_uid == trusted && now - view->caches_checked_ms < CACHE_RECHECK_MS &&
        !cache_replaced(&view->own) && !cache_replaced(&view->root))
        return true;
    hold_cancel(hold);
    /* A setuid, setgid or file-capability program run by a user, a
     * root daemon as a user for a while, or a user its namespace does not
     * map: root's cache only, never the cache of whoever ran it, nor one
     * that user could truncate under root's mapping, nor one of anyone
     * else unmapped. */
    bool root_only = trusted != euid;
    if (!root_only)
        own_dir_update(view, euid);
    slot_update(&view->own, root_only ? "" : view->own_dir, trusted);
    slot_update(&view->root, euid == 0 ? "" : view->config.cache_dir, trusted);
    view->caches_checked = true;
    view->caches_checked_ms = now;
    view->caches_euid = euid;
    view->caches_trusted_uid = trusted;
    return false;
}

/* Whether this process can never take another effective user than
 * `euid`: its real, effective and saved users (as getresuid just said)
 * are that one, not root, and CAP_SETUID is not among its permitted
 * capabilities, so no set*uid() call can succeed and only an exec (a new
 * view) could change it. */
static bool euid_fixed_now(uid_t real, uid_t euid, uid_t saved)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
    if (euid == 0 || real != euid || saved != euid || syscall(SYS_capget, &header, caps) != 0)
        return false;
    return !(caps[CAP_TO_INDEX(CAP_SETUID)].permitted & CAP_TO_MASK(CAP_SETUID));
}

/* The effective user to look up as: asked of the kernel (a system call
 * that costs as much as the rest of a hit here) until the process is seen
 * unable to change it (a daemon's child that dropped root for good is examined
 * again at its first lookup as the new user a tick on).  Root is
 * asked again at most once per CACHE_RECHECK_MS: a process that left root
 * since is answered from root's view meanwhile, which every user trusts,
 * and a refresh it starts is checked as who it is now (trigger.c).  Any
 * other user is asked on every lookup: one that took root back must never
 * be answered from a cache that user could write. */
static uid_t lookup_euid(struct view *view, int64_t now)
{
    if (view->euid_fixed)
        return view->examined_euid;
    if (view->euid_examined && view->examined_euid == 0 &&
        now - view->euid_examined_ms < CACHE_RECHECK_MS)
        return 0;
    /* getresuid costs what geteuid does, and says whether the real or
     * saved user is another (trust.h): a root daemon as a user for now. */
    uid_t real, euid, saved;
    if (getresuid(&real, &euid, &saved) != 0)
        real = saved = euid = 0;
    view->examined_split = real != euid || saved != euid;
    if (!view->euid_examined || euid != view->examined_euid) {
        view->euid_examined = true;
        view->examined_euid = euid;
        view->examined_ambiguous = vmh_uid_ambiguous(euid);
        view->euid_fixed = euid_fixed_now(real, euid, saved);
    }
    view->euid_examined_ms = now;
    return euid;
}

/* Refreshes are rate-limited per process and, through the attempt time the
 * refresher records (or, for one that never finished, the module: trigger.h),
 * across every process of the user. */
static bool may_trigger(const struct view *view, enum vmh_backend backend)
{
    long interval = view->config.refresh_interval_ms;
    if (!view->own.dir[0] || !vmh_trigger_allowed())
        return false;
    if (view->last_trigger_ms[backend] &&
        vmh_monotonic_coarse_ms() - view->last_trigger_ms[backend] < interval)
        return false;
    long failed_wait = interval > VMH_FAILED_RETRY_MS ? interval : VMH_FAILED_RETRY_MS;
    int64_t now = vmh_realtime_coarse_ms();
    if (view->own.cache.data) {
        const struct vmh_cache_backend *state = vmh_cache_state(&view->own.cache, backend);
        int64_t age = vmh_stamp_age_ms(now, state->attempted_ms);
        /* An attempt ahead of the clock (set back since) holds nothing up. */
        if (age >= 0 && age < (state->status == VMH_STATUS_OK ? interval : failed_wait))
            return false;
    }
    /* A refresh killed at its deadline recorded nothing in the cache.  A
     * time ahead of the clock (the clock was set back) holds nothing up. */
    int64_t since = vmh_stamp_age_ms(now, vmh_refresh_unfinished_ms(view->own.dir, backend));
    return since >= failed_wait || since < 0;
}

static void prepare_trigger(struct view *view, enum vmh_backend backend, struct vmh_trigger *trigger)
{
    memset(trigger, 0, sizeof *trigger);
    snprintf(trigger->cache_dir, sizeof trigger->cache_dir, "%s", view->own.dir);
    snprintf(trigger->refresh_command, sizeof trigger->refresh_command, "%s",
             view->config.refresh_command);
    trigger->backend = backend;
    trigger->timeout_ms = view->config.timeout_ms;
    /* A file that was refused (corrupt, another version's) was there too:
     * only a different one means another refresh has been. */
    trigger->had_cache = view->own.cache.data != NULL || view->own.refused;
    trigger->cache_stat = view->own.cache.data ? view->own.st : view->own.refused_st;
    view->last_trigger_ms[backend] = vmh_monotonic_coarse_ms();
}

/* The view to use: the shared one, locked, or a private one. */
static struct view *view_acquire(void)
{
    if (pthread_mutex_trylock(&shared.lock) == 0)
        return &shared.view;
    return calloc(1, sizeof(struct view));
}

static void view_release(struct view *view)
{
    if (view == &shared.view) {
        pthread_mutex_unlock(&shared.lock);
        return;
    }
    if (view) {
        view_release_caches(view);
        free(view);
    }
}

static void set_unavailable(struct vmh_answer *answer, int cause)
{
    memset(answer, 0, sizeof *answer);
    answer->result = VMH_UNAVAILABLE;
    answer->rule = VMH_RULE_BACKEND_DOWN;
    answer->cause_errno = cause;
}

/* A cache that a running `vmhosts watch` keeps is as fresh as Docker's
 * events, however old its time stamps: answer from it (or, for a name it
 * lacks, from the other trusted cache: vmh_resolve_either) and start
 * nothing, unless the watcher cannot know the name (vmh_watcher_covers).
 * Asked only when a refresh would otherwise start, never on a fresh hit.
 * When the chosen cache is not watched but the other trusted one is (a
 * user's own older cache beside root's watched one), that one answers. */
static bool answer_from_watched(struct view *view, const struct vmh_cache *chosen,
                                const struct vmh_name *name, int family, struct vmh_answer *answer)
{
    const struct cache_slot *slots[2] = {&view->own, &view->root};
    if (chosen == &view->root.cache) {
        slots[0] = &view->root;
        slots[1] = &view->own;
    }
    for (int i = 0; i < 2; i++) {
        if (!slots[i]->cache.data || !vmh_cache_watched(slots[i]->dir))
            continue;
        struct vmh_answer watched;
        const struct vmh_cache *from = vmh_resolve_either(
            &slots[i]->cache, &slots[1 - i]->cache, &view->config, name, family, &watched);
        /* The decision's answer read only blocks that held. */
        if (refuse_corrupt(view))
            return false;
        if (!vmh_watcher_covers(&view->config, slots[i] == &view->root, view->caches_euid, name,
                                &watched, from == &slots[i]->cache))
            return false;
        *answer = watched;
        return true;
    }
    return false;
}

/* One pass under the view: resolve, and say whether to refresh first.
 * *settled: the answer stands as it is (a fresh hit, or a fresh miss that
 * asks for nothing more). */
static bool resolve_once(struct view *view, const struct vmh_name *name, int family,
                         struct vmh_answer *answer, int32_t *ttl, struct vmh_trigger *trigger,
                         bool *settled)
{
    struct vmh_decision decision;
    /* Each pass refuses a cache or stands: three at most. */
    do
        vmh_decide(&view->own.cache, &view->root.cache, &view->config, name, family, answer,
                   &decision);
    while (refuse_corrupt(view));
    enum vmh_backend backend = decision.backend;
    *ttl = decision.ttl_s;
    *settled = !decision.refresh;
    if (*settled || !trigger || answer_from_watched(view, decision.cache, name, family, answer) ||
        !may_trigger(view, backend))
        return false;
    prepare_trigger(view, backend, trigger);
    return true;
}

static bool lookup_nowait(const char *name, int family, struct vmh_answer *answer,
                          int32_t *ttl, struct vmh_trigger *trigger, struct cancel_hold *hold)
{
    struct vmh_name parsed;
    struct view *view = view_acquire();

    if (!view) {
        set_unavailable(answer, ENOMEM);
        return false;
    }
    int64_t now = vmh_monotonic_coarse_ms();
    config_update(view, now, hold);
    bool ours = vmh_name_classify_indexed(name, &view->index, &parsed) != VMH_NAME_NOT_OURS;
    uid_t euid = ours ? lookup_euid(view, now) : 0;
    if (ours && config_as(view, euid, now, hold))
        ours = vmh_name_classify_indexed(name, &view->index, &parsed) != VMH_NAME_NOT_OURS;
    if (!ours) {
        vmh_answer_set_miss(answer, VMH_NOT_OURS, VMH_RULE_NOT_OURS);
        view_release(view);
        return false;
    }
    bool settled;
    bool recent = caches_update(view, euid, now, false, hold);
    bool refresh = resolve_once(view, &parsed, family, answer, ttl, recent ? NULL : trigger,
                                &settled);
    /* A refresh is decided on what the files say now, not a moment ago. */
    if (recent && !settled) {
        caches_update(view, euid, vmh_monotonic_coarse_ms(), true, hold);
        refresh = resolve_once(view, &parsed, family, answer, ttl, trigger, &settled);
    }
    view_release(view);
    return refresh;
}

bool vmh_state_lookup_nowait(const char *name, int family, struct vmh_answer *answer,
                             int32_t *ttl, struct vmh_trigger *trigger)
{
    struct cancel_hold hold = {0};
    bool refresh = lookup_nowait(name, family, answer, ttl, trigger, &hold);
    release_cancel(&hold);
    return refresh;
}

void vmh_state_refresh(const struct vmh_trigger *trigger)
{
    struct cancel_hold hold = {0};
    hold_cancel(&hold);
    vmh_trigger_refresh(trigger);
    struct view *view = view_acquire();
    if (view) {
        view->last_trigger_ms[trigger->backend] = vmh_monotonic_coarse_ms();
        view_release(view);
    }
    release_cancel(&hold);
}

/* What the caches say once the refresh is over, written or not. */
static void resolve_after_refresh(const char *name, int family, struct vmh_answer *answer,
                                  int32_t *ttl)
{
    struct vmh_name parsed;
    struct cancel_hold hold = {0};
    bool settled;
    struct view *view = view_acquire();
    if (!view)
        return;
    int64_t now = vmh_monotonic_coarse_ms();
    config_update(view, now, &hold);
    caches_update(view, geteuid(), now, true, &hold);
    if (vmh_name_classify_indexed(name, &view->index, &parsed) != VMH_NAME_NOT_OURS)
        resolve_once(view, &parsed, family, answer, ttl, NULL, &settled);
    view_release(view);
    release_cancel(&hold);
}

void vmh_state_lookup(const char *name, int family, struct vmh_answer *answer, int32_t *ttl)
{
    struct vmh_trigger trigger;
    /* Each step holds cancellation off for its own part; between them
     * lies no cancellation point. */
    if (!vmh_state_lookup_nowait(name, family, answer, ttl, &trigger))
        return;
    /* The refresher runs with the view unlocked: other threads keep
     * answering from what is cached meanwhile. */
    vmh_state_refresh(&trigger);
    resolve_after_refresh(name, family, answer, ttl);
}

void vmh_state_lookup_address(int family, const void *address, struct vmh_answer *answer,
                              int32_t *ttl)
{
    struct cancel_hold hold = {0};
    struct view *view = view_acquire();

    vmh_answer_set_miss(answer, VMH_NOT_OURS, VMH_RULE_NOT_OURS);
    if (!view)
        return;
    int64_t now = vmh_monotonic_coarse_ms();
    config_update(view, now, &hold);
    uid_t euid = lookup_euid(view, now);
    config_as(view, euid, now, &hold);
    caches_update(view, euid, now, false, &hold);
    *ttl = (int32_t)view->config.ttl_s[0];
    for (int backend = 0; backend < VMH_BACKEND_COUNT && answer->result != VMH_FOUND; backend++) {
        struct vmh_decision decision;
        do
            vmh_decide_address(&view->own.cache, &view->root.cache, &view->config,
                               (enum vmh_backend)backend, family, address, answer, &decision);
        while (refuse_corrupt(view));
        if (answer->result == VMH_FOUND)
            *ttl = decision.ttl_s;
    }
    view_release(view);
    release_cancel(&hold);
}
