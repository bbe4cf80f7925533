/* tools/snapshot/key_sort.c: the cache writer's keys come out in the
 * order cache_format.h gives (kind, text as strcmp orders it, the network
 * key's split, record), the same as qsort with that comparison, for texts
 * that share long beginnings, differ past their eighth byte, end inside
 * it, or are empty, and hold bytes past 127. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "key_sort.h"

#define KEYS 2000
#define TEXT_MAX 24

static int reference(const void *left, const void *right)
{
    const struct pending_key *a = left, *b = right;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int order = strcmp(a->text, b->text);
    if (order != 0)
        return order;
    if (a->reserved != b->reserved)
        return a->reserved < b->reserved ? -1 : 1;
    return (a->record > b->record) - (a->record < b->record);
}

/* A text of a few letters of {a, b, \xe9} after a common beginning of up
 * to 12 bytes: many keys equal in their first 8 bytes and not after. */
static void random_text(char *text)
{
    static const char letters[] = "ab\xe9";
    size_t common = (size_t)(rand() % 13), length = common + (size_t)(rand() % 4);
    memset(text, 'x', common);
    for (size_t i = common; i < length; i++)
        text[i] = letters[rand() % 3];
    text[length] = '\0';
}

static void test_random(unsigned seed)
{
    static char texts[KEYS][TEXT_MAX];
    static struct pending_key keys[KEYS], expected[KEYS];
    srand(seed);
    for (size_t i = 0; i < KEYS; i++) {
        random_text(texts[i]);
        keys[i] = (struct pending_key){.kind = (uint16_t)(1 + rand() % 3),
                                       .reserved = (uint16_t)(rand() % 2),
                                       .record = (uint32_t)(rand() % 50)};
        vmh_pending_key_text(&keys[i], texts[i]);
    }
    memcpy(expected, keys, sizeof keys);
    qsort(expected, KEYS, sizeof *expected, reference);
    CHECK(vmh_pending_keys_sort(keys, KEYS), "sort: done");
    size_t same = 0;
    for (size_t i = 0; i < KEYS; i++)
        same += reference(&keys[i], &expected[i]) == 0;
    CHECK_INT((int)same, KEYS, "sort: qsort's order, key by key");
}

static void test_small(void)
{
    struct pending_key keys[3] = {{.kind = 2}, {.kind = 1}, {.kind = 1}};
    vmh_pending_key_text(&keys[0], "a");
    vmh_pending_key_text(&keys[1], "abcdefghz");
    vmh_pending_key_text(&keys[2], "abcdefgh");
    CHECK(vmh_pending_keys_sort(keys, 3) && keys[0].kind == 1 &&
              strcmp(keys[0].text, "abcdefgh") == 0 && strcmp(keys[1].text, "abcdefghz") == 0 &&
              keys[2].kind == 2,
          "sort: a text is before its longer self, past the eighth byte");
    CHECK(vmh_pending_keys_sort(keys, 0), "sort: no keys");
    vmh_pending_key_text(&keys[0], "");
    vmh_pending_key_text(&keys[1], "\xe9");
    CHECK(keys[0].prefix == 0 && keys[1].prefix == 0xe9ull << 56,
          "prefix: an empty text is 0; a byte past 127 is not negative");
}

/* Records 0..RECORDS-1 of a previous build, each with a few random keys
 * (`added` in record order), sorted into a file's key table and its pool. */
#define RECORDS 300
#define PER_RECORD 4
static char old_texts[RECORDS * PER_RECORD][TEXT_MAX];

static char pool[RECORDS * PER_RECORD * TEXT_MAX];

static void previous_build(struct pending_key *keys, struct vmh_cache_key *table)
{
    for (size_t i = 0; i < RECORDS * PER_RECORD; i++) {
        random_text(old_texts[i]);
        strcpy(pool + i * TEXT_MAX, old_texts[i]);
        keys[i] = (struct pending_key){.kind = (uint16_t)(1 + rand() % 3),
                                       .reserved = (uint16_t)(rand() % 2),
                                       .record = (uint32_t)(i / PER_RECORD),
                                       .added = (uint32_t)i};
        vmh_pending_key_text(&keys[i], old_texts[i]);
    }
    /* Records 0 and 1 share a key (one hostname), so their order shows. */
    strcpy(old_texts[PER_RECORD], old_texts[0]);
    strcpy(pool + PER_RECORD * TEXT_MAX, old_texts[0]);
    keys[PER_RECORD].kind = keys[0].kind;
    keys[PER_RECORD].reserved = keys[0].reserved;
    vmh_pending_key_text(&keys[PER_RECORD], old_texts[PER_RECORD]);
    vmh_pending_keys_sort(keys, RECORDS * PER_RECORD);
    for (size_t i = 0; i < RECORDS * PER_RECORD; i++)
        table[i] = (struct vmh_cache_key){.key = keys[i].added * TEXT_MAX,
                                          .kind = keys[i].kind,
                                          .reserved = keys[i].reserved,
                                          .record = keys[i].record};
}

/* This build: the previous records but every `gone`-th, in their order
 * (`swap`: the first two kept the other way round), then `fresh` new
 * records; each record's keys as the previous build added them. */
static size_t next_build(const struct pending_key *old_sorted, struct pending_key *keys,
                         struct key_range *kept, size_t gone, bool swap, size_t fresh)
{
    static char fresh_texts[2 * RECORDS * PER_RECORD][TEXT_MAX];
    struct pending_key by_added[RECORDS * PER_RECORD];
    for (size_t i = 0; i < RECORDS * PER_RECORD; i++)
        by_added[old_sorted[i].added] = old_sorted[i];
    size_t count = 0, records = 0;
    memset(kept, 0, RECORDS * sizeof *kept);
    for (uint32_t r = 0; r < RECORDS; r++) {
        uint32_t from = swap && r < 2 ? 1 - r : r;
        if (from % gone == gone - 1)
            continue;
        kept[from] = (struct key_range){(uint32_t)count, (uint32_t)count + PER_RECORD};
        for (size_t k = 0; k < PER_RECORD; k++, count++) {
            keys[count] = by_added[from * PER_RECORD + k];
            keys[count].record = (uint32_t)records;
            keys[count].added = (uint32_t)count;
        }
        records++;
    }
    for (size_t f = 0; f < fresh; f++, records++) {
        for (size_t k = 0; k < PER_RECORD; k++, count++) {
            random_text(fresh_texts[count]);
            keys[count] = (struct pending_key){.kind = (uint16_t)(1 + rand() % 3),
                                               .record = (uint32_t)records,
                                               .added = (uint32_t)count};
            vmh_pending_key_text(&keys[count], fresh_texts[count]);
        }
    }
    return count;
}

static int reference_added(const void *left, const void *right)
{
    const struct pending_key *a = left, *b = right;
    int order = reference(a, b);
    return order ? order : (a->added > b->added) - (a->added < b->added);
}

static void check_after(const char *what, size_t gone, bool swap, size_t fresh,
                        enum key_sorted expected)
{
    enum { N = RECORDS * PER_RECORD * 2 };
    static struct pending_key old_sorted[RECORDS * PER_RECORD], keys[N], sorted[N];
    static struct vmh_cache_key table[RECORDS * PER_RECORD];
    static struct key_range kept[RECORDS];
    previous_build(old_sorted, table);
    size_t count = next_build(old_sorted, keys, kept, gone, swap, fresh);
    memcpy(sorted, keys, count * sizeof *keys);
    qsort(sorted, count, sizeof *sorted, reference_added);
    struct key_order before = {table, RECORDS * PER_RECORD, pool, sizeof pool, kept, RECORDS};
    CHECK_INT((int)vmh_pending_keys_sort_after(keys, count, &before), (int)expected,
              what);
    size_t same = 0;
    for (size_t i = 0; i < count; i++)
        same += reference_added(&keys[i], &sorted[i]) == 0 && keys[i].added == sorted[i].added;
    CHECK_INT((int)same, (int)count, what);
}

/* The previous order kept where it holds, and a whole sort where it does
 * not: the same order either way. */
static void test_after(void)
{
    srand(7);
    check_after("after: every record kept", 1000, false, 0, KEYS_SORTED_AS_BEFORE);
    check_after("after: a tenth gone, 20 new", 10, false, 20, KEYS_SORTED_AS_BEFORE);
    check_after("after: all new: sorted whole", 1, false, 50, KEYS_SORTED);
    check_after("after: two kept records swapped: sorted whole", 1000, true, 5, KEYS_SORTED);
}

int main(void)
{
    test_small();
    for (unsigned seed = 1; seed <= 5; seed++)
        test_random(seed);
    test_after();
    return check_done();
}
