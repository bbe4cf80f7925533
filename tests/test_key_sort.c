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

int main(void)
{
    test_small();
    for (unsigned seed = 1; seed <= 5; seed++)
        test_random(seed);
    return check_done();
}
