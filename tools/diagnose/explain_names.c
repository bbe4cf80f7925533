/* Every name the module answers from the caches it would read, found by
 * asking the module's own rules (vmh_resolve) about each name a record
 * could answer to: what `vmhosts list` prints is what a lookup gives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "decide.h"
#include "explain_names.h"
#include "names.h"
#include "resolve.h"

struct collector {
    const struct vmh_cli_view *view;
    const struct vmh_cli_cache *slot;
    enum vmh_backend backend; /* whose records are being collected */
    struct vmh_name_entry *entries;
    size_t count, capacity;
    bool failed;
};

static bool already_listed(const struct collector *collector, const char *name)
{
    for (size_t i = 0; i < collector->count; i++)
        if (strcmp(collector->entries[i].name, name) == 0)
            return true;
    return false;
}

static struct vmh_name_entry *next_entry(struct collector *collector)
{
    if (collector->count == collector->capacity) {
        size_t capacity = collector->capacity ? collector->capacity * 2 : 32;
        struct vmh_name_entry *grown =
            realloc(collector->entries, capacity * sizeof *collector->entries);
        if (!grown) {
            collector->failed = true;
            return NULL;
        }
        collector->entries = grown;
        collector->capacity = capacity;
    }
    return &collector->entries[collector->count];
}

#define ORDER_WILDCARD 6

/* "*.<name>" after a name of a container that opted into wildcards (its
 * own name or a chosen one): what a wildcard answers, the rule said so. */
static void add_wildcard(struct collector *collector, const struct vmh_name_entry *entry)
{
    const struct vmh_cache *cache = &entry->slot->cache;
    struct vmh_name_entry *wildcard;
    char name[sizeof entry->name];
    if (!(cache->records[entry->answer.record].flags & VMH_RECORD_WILDCARD) ||
        (entry->answer.rule != VMH_RULE_NAME && entry->answer.rule != VMH_RULE_LABEL) ||
        (size_t)snprintf(name, sizeof name, "*.%s", entry->name) >= sizeof name ||
        already_listed(collector, name) || !(wildcard = next_entry(collector)))
        return;
    *wildcard = collector->entries[collector->count - 1];
    memcpy(wildcard->name, name, sizeof name);
    wildcard->answer.rule = VMH_RULE_WILDCARD;
    wildcard->order = ORDER_WILDCARD;
    collector->count++;
}

/* Lists `candidate` when the module answers it, as it would. */
static void try_name(struct collector *collector, const char *candidate, unsigned order)
{
    struct vmh_name parsed;
    struct vmh_name_entry *entry;
    if (vmh_name_classify(candidate, collector->view->config, &parsed) == VMH_NAME_NOT_OURS ||
        already_listed(collector, parsed.normalized) || !(entry = next_entry(collector)))
        return;
    vmh_resolve(&collector->slot->cache, &parsed, AF_UNSPEC, &entry->answer);
    if (entry->answer.result != VMH_FOUND)
        return;
    /* In the order a lookup gives, as vmh_resolve_either orders it. */
    vmh_answer_prefer_networks(&collector->slot->cache, collector->view->config->docker_networks,
                               &entry->answer);
    snprintf(entry->name, sizeof entry->name, "%s", parsed.normalized);
    entry->slot = collector->slot;
    entry->order = order;
    collector->count++;
    add_wildcard(collector, entry);
}

/* The names people chose (labels; network aliases, not the container's own
 * name or short ID on each network), from one pass over those keys: each
 * listed when the module answers it, whoever it answers. */
static void try_chosen_names(struct collector *collector)
{
    const struct vmh_cache *cache = &collector->slot->cache;
    const char *suffix = collector->view->config->domains[collector->backend];
    char name[VMH_NAME_MAX * 2];
    for (uint32_t i = 0; i < cache->header->key_count && !collector->failed; i++) {
        const struct vmh_cache_key *key = &cache->keys[i];
        const struct vmh_cache_record *record = &cache->records[key->record];
        const char *text = vmh_cache_string(cache, key->key);
        size_t split = vmh_network_key_name_length(key->reserved);
        if (vmh_record_backend(cache, record) != collector->backend ||
            record->state != VMH_STATE_RUNNING)
            continue;
        if (key->kind == VMH_KEY_LABEL)
            try_name(collector, text, 5);
        if (key->kind != VMH_KEY_NETWORK ||
            (strncasecmp(text, vmh_cache_string(cache, record->name), split) == 0 &&
             !vmh_cache_string(cache, record->name)[split]) ||
            (split == 12 && strncmp(text, vmh_cache_string(cache, record->id), split) == 0))
            continue;
        snprintf(name, sizeof name, "%s.%s", text, suffix);
        try_name(collector, name, 4);
    }
}

static void try_docker_names(struct collector *collector, const struct vmh_cache_record *record)
{
    const struct vmh_cache *cache = &collector->slot->cache;
    const char *suffix = collector->view->config->domains[collector->backend];
    const char *hostname = vmh_cache_string(cache, record->hostname);
    const char *service = vmh_cache_string(cache, record->service);
    const char *project = vmh_cache_string(cache, record->project);
    char name[VMH_NAME_MAX * 2], short_id[13];

    snprintf(name, sizeof name, "%s.%s", vmh_cache_string(cache, record->name), suffix);
    try_name(collector, name, 0);
    vmh_short_id(vmh_cache_string(cache, record->id), short_id);
    snprintf(name, sizeof name, "%s.%s", short_id, suffix);
    try_name(collector, name, 1);
    if (hostname[0])
        try_name(collector, hostname, 2);
    if (service[0] && project[0]) {
        snprintf(name, sizeof name, "%s.%s.%s", service, project, suffix);
        try_name(collector, name, 3);
    }
}

static void try_vm_names(struct collector *collector, const struct vmh_cache_record *record)
{
    const char *vm = vmh_cache_string(&collector->slot->cache, record->name);
    const char *domains = collector->view->config->domains[collector->backend];
    char name[VMH_NAME_MAX * 2];
    while (*domains) {
        size_t length = strcspn(domains, " ");
        snprintf(name, sizeof name, "%s.%.*s", vm, (int)length, domains);
        try_name(collector, name, 0);
        domains += length;
        domains += strspn(domains, " ");
    }
}

static void collect_slot(struct collector *collector, enum vmh_backend backend,
                         const struct vmh_cli_cache *slot)
{
    collector->backend = backend;
    collector->slot = slot;
    if (!slot || !slot->cache.data)
        return;
    const struct vmh_cache *cache = &slot->cache;
    for (uint32_t i = 0; i < cache->header->record_count && !collector->failed; i++) {
        const struct vmh_cache_record *record = &cache->records[i];
        if (vmh_record_backend(cache, record) != backend || record->state != VMH_STATE_RUNNING)
            continue;
        if (vmh_backend_names(backend) == VMH_NAMES_CONTAINER)
            try_docker_names(collector, record);
        else
            try_vm_names(collector, record);
    }
    try_chosen_names(collector); /* an LXD instance's user.vmhosts.names too */
}

static const char *entry_target(const struct vmh_name_entry *entry)
{
    const struct vmh_cache *cache = &entry->slot->cache;
    return vmh_cache_string(cache, cache->records[entry->answer.record].name);
}

static int compare_entries(const void *a, const void *b)
{
    const struct vmh_name_entry *left = a, *right = b;
    const struct vmh_cache_record *left_record =
        &left->slot->cache.records[left->answer.record];
    const struct vmh_cache_record *right_record =
        &right->slot->cache.records[right->answer.record];
    enum vmh_backend left_backend = vmh_record_backend(&left->slot->cache, left_record);
    enum vmh_backend right_backend = vmh_record_backend(&right->slot->cache, right_record);
    if (left_backend != right_backend)
        return left_backend < right_backend ? -1 : 1;
    int by_target = strcmp(entry_target(left), entry_target(right));
    if (by_target != 0)
        return by_target;
    if (left->order != right->order)
        return left->order < right->order ? -1 : 1;
    return strcmp(left->name, right->name);
}

/* The chosen cache's names first, then those that it lacks of the other,
 * when fresh or watched, as a lookup answers them (vmh_resolve_either,
 * and the watched cache's answer): a user's rootless containers are in
 * their own cache alone. */
static void collect_backend(struct collector *collector, enum vmh_backend backend)
{
    const struct vmh_cli_view *view = collector->view;
    const struct vmh_cli_cache *chosen = vmh_view_choose(view, backend);
    if (!chosen)
        return;
    collect_slot(collector, backend, chosen);
    const struct vmh_cli_cache *other = chosen == &view->root ? &view->own : &view->root;
    if (other->watched || !vmh_cache_stale(&other->cache, view->config, backend))
        collect_slot(collector, backend, other);
}

int vmh_names_collect(const struct vmh_cli_view *view, struct vmh_name_entry **entries,
                      size_t *count)
{
    struct collector collector = {.view = view};
    for (unsigned backend = 0; backend < VMH_BACKEND_COUNT; backend++)
        collect_backend(&collector, (enum vmh_backend)backend);
    if (collector.failed) {
        free(collector.entries);
        return -1;
    }
    if (collector.count > 1)
        qsort(collector.entries, collector.count, sizeof *collector.entries, compare_entries);
    *entries = collector.entries;
    *count = collector.count;
    return 0;
}

const struct vmh_cache_record *vmh_name_entry_record(const struct vmh_name_entry *entry)
{
    return &entry->slot->cache.records[entry->answer.record];
}
