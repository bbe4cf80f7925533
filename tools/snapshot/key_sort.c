/* Sorting the cache writer's keys.  perf of a build of 100,000 containers
 * (some 400,000 keys): glibc's qsort, calling the comparison through a
 * pointer and strcmp under it for each of some 7 million comparisons,
 * was a third of the build.  Most keys differ in their first 8 bytes,
 * compared here as one integer, and a merge sort calls the comparison
 * inline; a build took 145 ms with qsort and 125 ms with this.  A watcher
 * writing after an event keeps the previous file's order instead
 * (vmh_pending_keys_sort_after): the keys of the hosts it moved over as
 * they were, checked as they are taken, and the few others merged in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "key_sort.h"

/* As strcmp orders texts: the first byte that differs decides, and the
 * end of a text is a 0 below any byte. */
static uint64_t prefix_of(const char *text)
{
    uint64_t prefix = 0;
    bool ended = false;
    for (size_t i = 0; i < 8; i++) {
        ended = ended || !text[i];
        prefix = prefix << 8 | (ended ? 0u : (unsigned char)text[i]);
    }
    return prefix;
}

void vmh_pending_key_text(struct pending_key *key, const char *text)
{
    key->text = text;
    key->prefix = prefix_of(text);
}

static int compare_keys(const struct pending_key *a, const struct pending_key *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    int order = strcmp(a->text, b->text);
    if (order != 0)
        return order;
    if (a->reserved != b->reserved)
        return a->reserved < b->reserved ? -1 : 1;
    /* Equal names (two containers, one hostname) keep the records' order. */
    if (a->record != b->record)
        return a->record < b->record ? -1 : 1;
    return (a->added > b->added) - (a->added < b->added);
}

static void insertion_sort(struct pending_key *keys, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        struct pending_key key = keys[i];
        size_t at = i;
        for (; at > 0 && compare_keys(&keys[at - 1], &key) > 0; at--)
            keys[at] = keys[at - 1];
        keys[at] = key;
    }
}

/* Sorts into[0, count), `from` holding the same keys: its halves are
 * sorted in `from` (each the same way, the roles swapped) and merged. */
static void merge_sort(struct pending_key *from, struct pending_key *into, size_t count)
{
    if (count <= 16) {
        insertion_sort(into, count);
        return;
    }
    size_t half = count / 2, left = 0, right = half, out = 0;
    merge_sort(into, from, half);
    merge_sort(into + half, from + half, count - half);
    while (left < half && right < count)
        into[out++] = compare_keys(&from[right], &from[left]) < 0 ? from[right++] : from[left++];
    while (left < half)
        into[out++] = from[left++];
    while (right < count)
        into[out++] = from[right++];
}

bool vmh_pending_keys_sort(struct pending_key *keys, size_t count)
{
    struct pending_key *spare = malloc((count ? count : 1) * sizeof *spare);
    if (!spare) {
        errno = ENOMEM;
        return false;
    }
    memcpy(spare, keys, count * sizeof *spare);
    merge_sort(spare, keys, count);
    free(spare);
    return true;
}

static bool same_kind(const struct pending_key *key, const struct vmh_cache_key *old)
{
    return key->kind == old->kind && key->reserved == old->reserved;
}

/* Which of keys[at, end), those of one record, the previous key `old` is:
 * one of its kind and split not taken yet, by its text when there are
 * more (a host's chosen names); `end` for none. */
static size_t match(const struct pending_key *keys, const bool *taken, size_t at, size_t end,
                    const struct vmh_cache_key *old, const struct key_order *before)
{
    size_t found = end, candidates = 0;
    for (size_t i = at; i < end; i++)
        if (!taken[i] && same_kind(&keys[i], old) && !candidates++)
            found = i;
    if (candidates <= 1)
        return found;
    /* The pool ends in a NUL (cache_read.c), so an offset in it is a text. */
    if (old->key >= before->strings_size)
        return end;
    for (size_t i = at; i < end; i++)
        if (!taken[i] && same_kind(&keys[i], old) &&
            strcmp(keys[i].text, before->strings + old->key) == 0)
            return i;
    return end;
}

/* How many keys ahead take_as_before fetches a record's range, and half
 * that its keys: perf of a Docker event beside 100,000 containers had
 * four fifths of the walk waiting for this build's keys of each record,
 * and still two thirds when they were fetched 8 keys ahead. */
#define TAKE_PREFETCH 64

static const struct key_range *range_of(const struct key_order *before, size_t i)
{
    static const struct key_range none;
    uint32_t record = before->keys[i].record;
    return record < before->records ? &before->kept[record] : &none;
}

static void prefetch_ahead(const struct pending_key *keys, const bool *taken,
                           const struct key_order *before, size_t i)
{
    if (i + TAKE_PREFETCH < before->count)
        __builtin_prefetch(range_of(before, i + TAKE_PREFETCH));
    if (i + TAKE_PREFETCH / 2 < before->count) {
        const struct key_range *next = range_of(before, i + TAKE_PREFETCH / 2);
        if (next->first < next->end) {
            __builtin_prefetch(&keys[next->first]);
            __builtin_prefetch(&taken[next->first]);
        }
    }
}

/* The previous order's keys this build still holds (match), in that order,
 * into kept[]; false when one is missing or they are out of order. */
static bool take_as_before(const struct pending_key *keys, const struct key_order *before,
                           bool *taken, struct pending_key *kept, size_t *kept_count)
{
    size_t n = 0;
    for (size_t i = 0; i < before->count; i++) {
        prefetch_ahead(keys, taken, before, i);
        const struct key_range *range = range_of(before, i);
        if (range->first == range->end)
            continue;
        size_t at = match(keys, taken, range->first, range->end, &before->keys[i], before);
        if (at == range->end || (n > 0 && compare_keys(&kept[n - 1], &keys[at]) > 0))
            return false;
        taken[at] = true;
        kept[n++] = keys[at];
    }
    *kept_count = n;
    return true;
}

/* Merges the two sorted runs into keys[]. */
static void merge_runs(const struct pending_key *a, size_t a_count, const struct pending_key *b,
                       size_t b_count, struct pending_key *keys)
{
    size_t i = 0, j = 0, out = 0;
    while (i < a_count && j < b_count)
        keys[out++] = compare_keys(&b[j], &a[i]) < 0 ? b[j++] : a[i++];
    memcpy(keys + out, a + i, (a_count - i) * sizeof *keys);
    memcpy(keys + out + (a_count - i), b + j, (b_count - j) * sizeof *keys);
}

static bool sort_as_before(struct pending_key *keys, size_t count, const struct key_order *before,
                           struct pending_key *kept, bool *taken)
{
    size_t kept_count, rest_count = 0;
    if (!take_as_before(keys, before, taken, kept, &kept_count) || kept_count == 0)
        return false;
    struct pending_key *rest = kept + kept_count;
    for (size_t i = 0; i < count; i++)
        if (!taken[i])
            rest[rest_count++] = keys[i];
    if (!vmh_pending_keys_sort(rest, rest_count))
        return false;
    merge_runs(kept, kept_count, rest, rest_count, keys);
    return true;
}

enum key_sorted vmh_pending_keys_sort_after(struct pending_key *keys, size_t count,
                                            const struct key_order *before)
{
    size_t room = count ? count : 1;
    struct pending_key *kept = malloc(room * sizeof *kept);
    bool *taken = calloc(room, sizeof *taken);
    bool as_before = kept && taken && sort_as_before(keys, count, before, kept, taken);
    free(kept);
    free(taken);
    if (as_before)
        return KEYS_SORTED_AS_BEFORE;
    return vmh_pending_keys_sort(keys, count) ? KEYS_SORTED : KEYS_NOT_SORTED;
}
