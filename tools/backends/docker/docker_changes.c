/* The changed containers: see docker_changes.h.  A small table searched
 * from end to end: 64 IDs, compared once per container of a short list. */
#include <stdlib.h>
#include <string.h>

#include "docker_changes.h"

struct change {
    char id[VMH_DOCKER_ID_LENGTH + 1];
    int64_t at_ms;
    bool died;
};

static struct change changes[VMH_DOCKER_CHANGED_MAX];
static bool list_all = true;
/* What vmh_docker_changes_fix fixed for the next take; any change noted
 * since unfixes it. */
static struct {
    bool set;
    size_t count;
    char ids[VMH_DOCKER_CHANGED_MAX][VMH_DOCKER_ID_LENGTH + 1];
} fixed;

/* Who shares whose network: a few pairs, searched at each event. */
struct sharing {
    char owner[VMH_DOCKER_ID_LENGTH + 1], sharer[VMH_DOCKER_ID_LENGTH + 1];
};
static struct {
    struct sharing *pairs;
    size_t count, room;
    bool incomplete; /* out of memory while learning: every change lists all */
} sharing;

static bool full_id(const char *id)
{
    return id && strlen(id) == VMH_DOCKER_ID_LENGTH &&
           strspn(id, "0123456789abcdef") == VMH_DOCKER_ID_LENGTH;
}

static bool recent(const struct change *change, int64_t now_ms)
{
    return change->id[0] && now_ms - change->at_ms <= VMH_DOCKER_CHANGED_KEEP_MS;
}

/* The entry of `id`, else a free or expired one (then emptied), else NULL. */
static struct change *slot_for(const char *id, int64_t now_ms)
{
    struct change *free_slot = NULL;
    for (size_t i = 0; i < VMH_DOCKER_CHANGED_MAX; i++) {
        if (strcmp(changes[i].id, id) == 0)
            return &changes[i];
        if (!free_slot && !recent(&changes[i], now_ms))
            free_slot = &changes[i];
    }
    if (free_slot)
        memset(free_slot, 0, sizeof *free_slot);
    return free_slot;
}

static void note_one(const char *id, enum vmh_docker_change change, int64_t now_ms)
{
    struct change *slot = full_id(id) ? slot_for(id, now_ms) : NULL;
    fixed.set = false;
    if (!slot) {
        list_all = true; /* not an ID we can ask for, or too many at once */
        return;
    }
    memcpy(slot->id, id, sizeof slot->id);
    slot->at_ms = now_ms;
    if (change != VMH_DOCKER_CHANGED)
        slot->died = change == VMH_DOCKER_DIED;
}

void vmh_docker_change_note(const char *id, enum vmh_docker_change change, int64_t now_ms)
{
    note_one(id, change, now_ms);
    if (sharing.incomplete)
        vmh_docker_changes_list_all();
    /* The other side's own state is its own events' to say. */
    for (size_t i = 0; id && i < sharing.count; i++) {
        if (strcmp(sharing.pairs[i].owner, id) == 0)
            note_one(sharing.pairs[i].sharer, VMH_DOCKER_CHANGED, now_ms);
        else if (strcmp(sharing.pairs[i].sharer, id) == 0)
            note_one(sharing.pairs[i].owner, VMH_DOCKER_CHANGED, now_ms);
    }
}

void vmh_docker_sharing_clear(void)
{
    sharing.count = 0;
    sharing.incomplete = false;
}

void vmh_docker_sharing_add(const char *owner, const char *sharer)
{
    if (!full_id(owner) || !full_id(sharer))
        return;
    if (sharing.count == sharing.room) {
        size_t room = sharing.room ? 2 * sharing.room : 8;
        struct sharing *pairs = realloc(sharing.pairs, room * sizeof *pairs);
        if (!pairs) {
            sharing.incomplete = true;
            return;
        }
        sharing.pairs = pairs;
        sharing.room = room;
    }
    struct sharing *pair = &sharing.pairs[sharing.count++];
    memcpy(pair->owner, owner, sizeof pair->owner);
    memcpy(pair->sharer, sharer, sizeof pair->sharer);
}

void vmh_docker_changes_list_all(void)
{
    list_all = true;
    fixed.set = false;
}

void vmh_docker_changes_listed_all(void)
{
    list_all = false;
    fixed.set = false;
}

void vmh_docker_changes_forget(void)
{
    memset(changes, 0, sizeof changes);
    list_all = true;
    fixed.set = false;
}

static size_t recent_ids(int64_t now_ms, char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t max)
{
    size_t count = 0;
    if (list_all)
        return 0;
    for (size_t i = 0; i < VMH_DOCKER_CHANGED_MAX; i++) {
        if (!recent(&changes[i], now_ms))
            continue;
        if (count == max)
            return 0;
        memcpy(ids[count++], changes[i].id, VMH_DOCKER_ID_LENGTH + 1);
    }
    return count;
}

size_t vmh_docker_changes_fix(int64_t now_ms, char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t max)
{
    fixed.count = recent_ids(now_ms, fixed.ids, VMH_DOCKER_CHANGED_MAX);
    fixed.set = true;
    if (fixed.count > max)
        fixed.count = 0; /* the take lists all too */
    memcpy(ids, fixed.ids, fixed.count * sizeof fixed.ids[0]);
    return fixed.count;
}

size_t vmh_docker_changes_take(int64_t now_ms, char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t max)
{
    if (!fixed.set || fixed.count > max)
        return recent_ids(now_ms, ids, max);
    fixed.set = false;
    memcpy(ids, fixed.ids, fixed.count * sizeof fixed.ids[0]);
    return fixed.count;
}

bool vmh_docker_died(const char *id, int64_t now_ms)
{
    for (size_t i = 0; id && i < VMH_DOCKER_CHANGED_MAX; i++)
        if (strcmp(changes[i].id, id) == 0)
            return changes[i].died && recent(&changes[i], now_ms);
    return false;
}

/* Whether any death is noted now: a refresh without the watcher has
 * none, and then no container's ID is compared with all 64 entries
 * (strcmp and this loop were 13 % of a refresh of 100,000, perf). */
static bool any_death(int64_t now_ms)
{
    for (size_t i = 0; i < VMH_DOCKER_CHANGED_MAX; i++)
        if (changes[i].died && recent(&changes[i], now_ms))
            return true;
    return false;
}

void vmh_docker_deaths_apply(struct vmh_snapshot *fresh, int64_t now_ms)
{
    if (!any_death(now_ms))
        return;
    for (size_t i = 0; i < fresh->count; i++) {
        struct vmh_host *host = &fresh->hosts[i];
        if (host->backend == VMH_BACKEND_DOCKER && host->state == VMH_STATE_RUNNING &&
            vmh_docker_died(host->id, now_ms))
            host->state = VMH_STATE_STOPPED;
    }
}
