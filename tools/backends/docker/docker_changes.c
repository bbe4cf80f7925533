/* The changed containers: see docker_changes.h. */
#include <string.h>

#include "docker_changes.h"

struct change {
    char id[VMH_DOCKER_ID_LENGTH + 1];
    int64_t at_ms;
};

static struct change changes[VMH_DOCKER_CHANGED_MAX];
static bool list_all = true;

static bool full_id(const char *id)
{
    if (!id || strlen(id) != VMH_DOCKER_ID_LENGTH)
        return false;
    return strspn(id, "0123456789abcdef") == VMH_DOCKER_ID_LENGTH;
}

void vmh_docker_change_note(const char *id, int64_t now_ms)
{
    if (!full_id(id)) {
        list_all = true;
        return;
    }
    struct change *slot = NULL;
    for (size_t i = 0; i < VMH_DOCKER_CHANGED_MAX; i++) {
        if (strcmp(changes[i].id, id) == 0) {
            slot = &changes[i];
            break;
        }
        if (!slot && (!changes[i].id[0] || now_ms - changes[i].at_ms > VMH_DOCKER_CHANGED_KEEP_MS))
            slot = &changes[i];
    }
    if (!slot) {
        list_all = true; /* too many at once */
        return;
    }
    memcpy(slot->id, id, sizeof slot->id);
    slot->at_ms = now_ms;
}

void vmh_docker_changes_list_all(void)
{
    list_all = true;
}

void vmh_docker_changes_listed_all(void)
{
    list_all = false;
}

size_t vmh_docker_changes_take(int64_t now_ms, char ids[][VMH_DOCKER_ID_LENGTH + 1], size_t max)
{
    size_t count = 0;
    if (list_all)
        return 0;
    for (size_t i = 0; i < VMH_DOCKER_CHANGED_MAX; i++) {
        if (!changes[i].id[0] || now_ms - changes[i].at_ms > VMH_DOCKER_CHANGED_KEEP_MS)
            continue;
        if (count == max)
            return 0;
        memcpy(ids[count++], changes[i].id, VMH_DOCKER_ID_LENGTH + 1);
    }
    return count;
}
