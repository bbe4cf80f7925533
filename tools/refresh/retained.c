/* See retained.h. */
#include <stdlib.h>
#include <string.h>

#include "retained.h"

static struct {
    struct vmh_snapshot snapshot;
    struct stat written;
    bool kept;
} retained;

void vmh_retained_forget(void)
{
    if (retained.kept)
        vmh_snapshot_free(&retained.snapshot);
    retained.kept = false;
}

void vmh_retained_keep(struct vmh_snapshot *written, const struct stat *st)
{
    vmh_retained_forget();
    retained.snapshot = *written;
    retained.written = *st;
    retained.kept = true;
    vmh_snapshot_init(written);
}

/* Where each backend's records begin in the file: sections in order. */
static bool section_starts(const struct vmh_snapshot *s, uint32_t records,
                           size_t start[VMH_BACKEND_COUNT])
{
    size_t count[VMH_BACKEND_COUNT] = {0}, total = 0;
    for (size_t i = 0; i < s->count; i++) {
        if (s->hosts[i].backend >= VMH_BACKEND_COUNT)
            return false;
        count[s->hosts[i].backend]++;
    }
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++) {
        start[b] = total;
        total += count[b];
    }
    return total == records;
}

/* Each parted backend's marks, by record; false out of memory. */
static bool mark_parts(const struct vmh_cache *cache, unsigned parted,
                       const struct vmh_part *parts, unsigned char *marks[VMH_BACKEND_COUNT])
{
    bool ok = true;
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++) {
        marks[b] = NULL;
        if (parted & (1u << b))
            ok = (marks[b] = vmh_snapshot_part_marks(cache, &parts[b])) != NULL && ok;
    }
    return ok;
}

/* Whether each record a part marks is the host taken for it: a check of
 * the mapping that costs a few string compares, not a read of the file. */
static bool marks_agree(const struct vmh_cache *cache, const size_t start[VMH_BACKEND_COUNT],
                        unsigned char *const marks[VMH_BACKEND_COUNT])
{
    size_t next[VMH_BACKEND_COUNT];
    memcpy(next, start, sizeof next);
    for (size_t i = 0; i < retained.snapshot.count; i++) {
        const struct vmh_host *host = &retained.snapshot.hosts[i];
        size_t record = next[host->backend]++;
        if (marks[host->backend] && marks[host->backend][record] &&
            (!host->id ||
             strcmp(host->id, vmh_cache_string(cache, cache->records[record].id)) != 0))
            return false;
    }
    return true;
}

static void move_wanted(struct vmh_snapshot *into, const size_t start[VMH_BACKEND_COUNT],
                        unsigned backends, unsigned char *const marks[VMH_BACKEND_COUNT])
{
    size_t next[VMH_BACKEND_COUNT];
    memcpy(next, start, sizeof next);
    for (size_t i = 0; i < retained.snapshot.count; i++) {
        struct vmh_host *host = &retained.snapshot.hosts[i];
        size_t record = next[host->backend]++;
        const unsigned char *in_part = marks[host->backend];
        if (!(backends & (1u << host->backend)) || (in_part && in_part[record]))
            continue;
        host->was_record = (uint32_t)record + 1;
        into->hosts[into->count++] = *host;
        memset(host, 0, sizeof *host);
    }
    memcpy(into->backends, retained.snapshot.backends, sizeof into->backends);
}

int vmh_retained_take(struct vmh_snapshot *into, const struct vmh_cache *cache,
                      const struct stat *st, unsigned backends, unsigned parted,
                      const struct vmh_part *parts)
{
    size_t start[VMH_BACKEND_COUNT];
    unsigned char *marks[VMH_BACKEND_COUNT];
    if (!retained.kept || !vmh_same_file_version(st, &retained.written) ||
        !section_starts(&retained.snapshot, cache->header->record_count, start)) {
        vmh_retained_forget();
        return 0;
    }
    int status = mark_parts(cache, parted & backends, parts, marks) ? 1 : -1;
    if (status == 1 && !marks_agree(cache, start, marks))
        status = 0;
    if (status == 1 && vmh_snapshot_reserve(into, into->count + retained.snapshot.count) != 0)
        status = -1;
    if (status == 1)
        move_wanted(into, start, backends, marks);
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++)
        free(marks[b]);
    vmh_retained_forget();
    return status;
}
