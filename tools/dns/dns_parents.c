/* See dns_parents.h.  The set is every proper suffix of every name a
 * running record has under its backend's domains, read from the caches'
 * keys: one pass, no lookup, so that at 100,000 containers a read costs a
 * walk of the keys, never a resolution of each name (`vmhosts list`'s
 * 2.8 s at 10,000).  A key whose name does not answer (two claim it) still
 * counts: NODATA where NXDOMAIN was due only keeps a resolver asking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache.h"
#include "clock.h"
#include "dns_parents.h"
#include "explain.h"

#define READ_EVERY_MS 1000

struct vmh_dns_parents {
    const struct vmh_config *config;
    char dirs[2][VMH_PATH_MAX]; /* the view's own and root's cache folders */
    struct stat files[2];       /* their caches, when read */
    bool dirs_known, read;
    int64_t read_ms;
    char **names; /* sorted, once each */
    size_t count, capacity;
    bool failed;
};

static void add(struct vmh_dns_parents *parents, const char *name)
{
    if (parents->count == parents->capacity) {
        size_t capacity = parents->capacity ? parents->capacity * 2 : 256;
        char **grown = realloc(parents->names, capacity * sizeof *grown);
        if (!grown) {
            parents->failed = true;
            return;
        }
        parents->names = grown;
        parents->capacity = capacity;
    }
    if (!(parents->names[parents->count] = strdup(name)))
        parents->failed = true;
    else
        parents->count++;
}

/* Every name after a dot of `name`. */
static void add_suffixes(struct vmh_dns_parents *parents, const char *name)
{
    for (const char *dot = strchr(name, '.'); dot && !parents->failed; dot = strchr(dot + 1, '.'))
        add(parents, dot + 1);
}

/* A key's text under each of its backend's domains (a label's is whole). */
static void add_key(struct vmh_dns_parents *parents, const struct vmh_cache *cache,
                    const struct vmh_cache_key *key)
{
    const struct vmh_cache_record *record = &cache->records[key->record];
    const char *text = vmh_cache_string(cache, key->key);
    if (record->state != VMH_STATE_RUNNING || key->kind == VMH_KEY_DOCKER_ID ||
        key->kind == VMH_KEY_DOCKER_HOSTNAME)
        return;
    if (key->kind == VMH_KEY_LABEL) {
        add_suffixes(parents, text);
        return;
    }
    const char *domains = parents->config->domains[vmh_record_backend(cache, record)];
    char name[VMH_NAME_MAX * 2 + 2];
    while (*domains) {
        size_t length = strcspn(domains, " ");
        snprintf(name, sizeof name, "%s.%.*s", text, (int)length, domains);
        add_suffixes(parents, name);
        domains += length;
        domains += strspn(domains, " ");
    }
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void forget(struct vmh_dns_parents *parents)
{
    for (size_t i = 0; i < parents->count; i++)
        free(parents->names[i]);
    parents->count = 0;
    parents->failed = false;
}

static void keep_once(struct vmh_dns_parents *parents)
{
    size_t kept = 0;
    qsort(parents->names, parents->count, sizeof *parents->names, by_text);
    for (size_t i = 0; i < parents->count; i++) {
        if (kept && strcmp(parents->names[kept - 1], parents->names[i]) == 0)
            free(parents->names[i]);
        else
            parents->names[kept++] = parents->names[i];
    }
    parents->count = kept;
}

static void cache_file(const char *dir, struct stat *st)
{
    char path[VMH_PATH_MAX + sizeof "/" VMH_CACHE_FILE];
    memset(st, 0, sizeof *st);
    if (dir[0]) {
        snprintf(path, sizeof path, "%s/%s", dir, VMH_CACHE_FILE);
        lstat(path, st);
    }
}

/* The files' versions are taken before the caches are read: one that
 * changes in between is read again. */
static void read_caches(struct vmh_dns_parents *parents)
{
    struct vmh_cli_view view;
    if (!parents->dirs_known) {
        vmh_view_open(&view, parents->config);
        snprintf(parents->dirs[0], sizeof parents->dirs[0], "%s", view.own.dir);
        snprintf(parents->dirs[1], sizeof parents->dirs[1], "%s", view.root.dir);
        vmh_view_close(&view);
        parents->dirs_known = true;
    }
    for (int i = 0; i < 2; i++)
        cache_file(parents->dirs[i], &parents->files[i]);
    forget(parents);
    vmh_view_open(&view, parents->config);
    const struct vmh_cache *caches[2] = {&view.own.cache, &view.root.cache};
    for (int c = 0; c < 2; c++)
        for (uint32_t i = 0; caches[c]->data && i < caches[c]->header->key_count; i++)
            add_key(parents, caches[c], &caches[c]->keys[i]);
    vmh_view_close(&view);
    keep_once(parents);
    /* Out of memory: what was read answers, and all is read again next. */
    parents->read = !parents->failed;
    parents->read_ms = vmh_monotonic_ms();
}

static bool caches_changed(const struct vmh_dns_parents *parents)
{
    struct stat now;
    for (int i = 0; i < 2; i++) {
        cache_file(parents->dirs[i], &now);
        if (!vmh_same_file_version(&now, &parents->files[i]))
            return true;
    }
    return false;
}

struct vmh_dns_parents *vmh_dns_parents_new(const struct vmh_config *config)
{
    struct vmh_dns_parents *parents = calloc(1, sizeof *parents);
    if (parents)
        parents->config = config;
    return parents;
}

void vmh_dns_parents_free(struct vmh_dns_parents *parents)
{
    if (!parents)
        return;
    forget(parents);
    free(parents->names);
    free(parents);
}

bool vmh_dns_parents_has(struct vmh_dns_parents *parents, const char *name)
{
    if (!parents)
        return false;
    if (!parents->read || (vmh_monotonic_ms() - parents->read_ms >= READ_EVERY_MS &&
                           caches_changed(parents)))
        read_caches(parents);
    return parents->count &&
           bsearch(&name, parents->names, parents->count, sizeof *parents->names, by_text);
}
