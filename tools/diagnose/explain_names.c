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
#include "text_index.h"

struct collector {
    const struct vmh_cli_view *view;
    const struct vmh_cli_cache *slot;
    enum vmh_backend backend; /* whose records are being collected */
    struct vmh_name_entry *entries;
    size_t count, capacity;
    /* The names listed, found at once: a scan of them all for each new
     * one made a list of 100,000 containers take 11 minutes. */
    struct vmh_text_index listed;
    bool failed;
};

static bool already_listed(const struct collector *collector, const char *name)
{
    return vmh_text_index_find(&collector->listed, name) != VMH_TEXT_INDEX_NONE;
}

/* The index full: one with twice the room, of every name listed. */
static bool index_again(struct collector *collector)
{
    struct vmh_text_index bigger;
    bool added;
    if (vmh_text_index_init(&bigger, 2 * collector->listed.limit) != 0)
        return false;
    for (size_t i = 0; i < collector->count; i++)
        vmh_text_index_add(&bigger, collector->entries[i].name, &added);
    vmh_text_index_free(&collector->listed);
    collector->listed = bigger;
    return true;
}

/* The entry next_entry gave, filled, is listed. */
static void list_entry(struct collector *collector)
{
    const char *name = collector->entries[collector->count++].name;
    bool added;
    if (vmh_text_index_add(&collector->listed, name, &added) == VMH_TEXT_INDEX_NONE &&
        !index_again(collector))
        collector->failed = true;
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

/* The entry's name, canonical name and addresses, copied into one
 * allocation that its name starts (vmh_names_free frees it). */
static bool keep_texts(struct collector *collector, struct vmh_name_entry *entry,
                       const char *name, const char *canonical,
                       const struct vmh_cache_addr *addrs, uint32_t addr_count)
{
    size_t name_size = strlen(name) + 1, canonical_size = strlen(canonical) + 1;
    char *block = malloc(name_size + canonical_size + addr_count * sizeof *addrs);
    if (!block) {
        collector->failed = true;
        return false;
    }
    memcpy(block, name, name_size);
    memcpy(block + name_size, canonical, canonical_size);
    memcpy(block + name_size + canonical_size, addrs, addr_count * sizeof *addrs);
    entry->name = block;
    entry->canonical = block + name_size;
    entry->addrs = (const struct vmh_cache_addr *)(block + name_size + canonical_size);
    entry->addr_count = addr_count;
    return true;
}

#define ORDER_WILDCARD 6

/* "*.<name>" after a name of a container that opted into wildcards (its
 * own name or a chosen one): what a wildcard answers, the rule said so. */
static void add_wildcard(struct collector *collector)
{
    struct vmh_name_entry *wildcard, *entry = &collector->entries[collector->count - 1];
    const struct vmh_cache *cache = &entry->slot->cache;
    char name[VMH_NAME_MAX + 3];
    if (!(cache->records[entry->record].flags & VMH_RECORD_WILDCARD) ||
        (entry->rule != VMH_RULE_NAME && entry->rule != VMH_RULE_LABEL) ||
        (size_t)snprintf(name, sizeof name, "*.%s", entry->name) >= sizeof name ||
        already_listed(collector, name) || !(wildcard = next_entry(collector)))
        return;
    entry = &collector->entries[collector->count - 1]; /* next_entry may move them */
    *wildcard = *entry;
    wildcard->rule = VMH_RULE_WILDCARD;
    wildcard->order = ORDER_WILDCARD;
    if (keep_texts(collector, wildcard, name, entry->canonical, entry->addrs, entry->addr_count))
        list_entry(collector);
}

/* Lists `candidate` when the module answers it, as it would. */
static void try_name(struct collector *collector, const char *candidate, unsigned order)
{
    struct vmh_name parsed;
    struct vmh_answer answer;
    struct vmh_name_entry *entry;
    if (vmh_name_classify(candidate, collector->view->config, &parsed) == VMH_NAME_NOT_OURS ||
        already_listed(collector, parsed.normalized) || !(entry = next_entry(collector)))
        return;
    vmh_resolve(&collector->slot->cache, &parsed, AF_UNSPEC, &answer);
    if (answer.result != VMH_FOUND)
        return;
    /* In the order a lookup gives, as vmh_resolve_either orders it. */
    vmh_answer_prefer_networks(&collector->slot->cache, collector->view->config->docker_networks,
                               &answer);
    *entry = (struct vmh_name_entry){.slot = collector->slot, .record = answer.record,
                                     .rule = answer.rule, .order = order};
    if (!keep_texts(collector, entry, parsed.normalized, answer.canonical, answer.addrs,
                    answer.addr_count))
        return;
    list_entry(collector);
    add_wildcard(collector);
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
    return vmh_cache_string(cache, cache->records[entry->record].name);
}

static int compare_entries(const void *a, const void *b)
{
    const struct vmh_name_entry *left = a, *right = b;
    const struct vmh_cache_record *left_record =
        &left->slot->cache.records[left->record];
    const struct vmh_cache_record *right_record =
        &right->slot->cache.records[right->record];
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

int vmh_names_collect(const struct vmh_cli_view *view, struct vmh_name_list *names)
{
    struct collector collector = {.view = view};
    *names = (struct vmh_name_list){0};
    if (vmh_text_index_init(&collector.listed, 64) != 0)
        return -1;
    for (unsigned backend = 0; backend < VMH_BACKEND_COUNT; backend++)
        collect_backend(&collector, (enum vmh_backend)backend);
    vmh_text_index_free(&collector.listed);
    *names = (struct vmh_name_list){.entries = collector.entries, .count = collector.count};
    if (collector.failed) {
        vmh_names_free(names);
        return -1;
    }
    if (names->count > 1)
        qsort(names->entries, names->count, sizeof *names->entries, compare_entries);
    return 0;
}

void vmh_names_free(struct vmh_name_list *names)
{
    for (size_t i = 0; i < names->count; i++)
        free((char *)names->entries[i].name);
    free(names->entries);
    *names = (struct vmh_name_list){0};
}

const struct vmh_cache_record *vmh_name_entry_record(const struct vmh_name_entry *entry)
{
    return &entry->slot->cache.records[entry->record];
}
