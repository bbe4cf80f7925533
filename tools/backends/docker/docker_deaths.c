/* The recent deaths: see docker_deaths.h.  A small ring searched from end
 * to end: a few hundred IDs, compared once per container of a list. */
#include <string.h>

#include "docker_deaths.h"

#define ID_LENGTH 64

struct death {
    char id[ID_LENGTH + 1];
    int64_t at_ms;
};

static struct death deaths[VMH_DOCKER_DEATHS_MAX];
static size_t next_slot;

static struct death *find(const char *id)
{
    if (!id || !id[0] || strlen(id) > ID_LENGTH)
        return NULL;
    for (size_t i = 0; i < VMH_DOCKER_DEATHS_MAX; i++)
        if (strcmp(deaths[i].id, id) == 0)
            return &deaths[i];
    return NULL;
}

void vmh_docker_death_note(const char *id, int64_t now_ms)
{
    if (!id || !id[0] || strlen(id) > ID_LENGTH)
        return;
    struct death *death = find(id);
    if (!death) {
        death = &deaths[next_slot];
        next_slot = (next_slot + 1) % VMH_DOCKER_DEATHS_MAX;
        strcpy(death->id, id);
    }
    death->at_ms = now_ms;
}

void vmh_docker_start_note(const char *id)
{
    struct death *death = find(id);
    if (death)
        memset(death, 0, sizeof *death);
}

void vmh_docker_deaths_forget(void)
{
    memset(deaths, 0, sizeof deaths);
    next_slot = 0;
}

bool vmh_docker_died(const char *id, int64_t now_ms)
{
    const struct death *death = find(id);
    return death && now_ms - death->at_ms <= VMH_DOCKER_DEATH_KEEP_MS;
}

void vmh_docker_deaths_apply(struct vmh_snapshot *fresh, int64_t now_ms)
{
    for (size_t i = 0; i < fresh->count; i++) {
        struct vmh_host *host = &fresh->hosts[i];
        if (host->backend == VMH_BACKEND_DOCKER && host->state == VMH_STATE_RUNNING &&
            vmh_docker_died(host->id, now_ms))
            host->state = VMH_STATE_STOPPED;
    }
}
