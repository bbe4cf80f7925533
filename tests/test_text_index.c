/* tools/snapshot/text_index.c: texts numbered in the order first added,
 * found in either case, and a full index refusing more. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "text_index.h"

static void test_numbers(void)
{
    struct vmh_text_index index;
    bool added;
    CHECK_INT(vmh_text_index_init(&index, 3), 0, "init");
    CHECK(vmh_text_index_find(&index, "vm") == VMH_TEXT_INDEX_NONE, "empty: nothing found");
    CHECK(vmh_text_index_add(&index, "vm", &added) == 0 && added, "the first text: 0");
    CHECK(vmh_text_index_add(&index, "52:54:00:AA:00:01", &added) == 1 && added,
          "the second: 1");
    CHECK(vmh_text_index_add(&index, "VM", &added) == 0 && !added,
          "the first again, in capitals: its number, not added");
    CHECK(vmh_text_index_find(&index, "52:54:00:aa:00:01") == 1, "found in either case");
    CHECK(vmh_text_index_find(&index, "v") == VMH_TEXT_INDEX_NONE, "a prefix is another text");
    vmh_text_index_free(&index);
}

static void test_full(void)
{
    struct vmh_text_index index;
    bool added;
    char texts[40][8];
    CHECK_INT(vmh_text_index_init(&index, 1), 0, "init for one");
    size_t i = 0;
    for (; i < 40; i++) {
        snprintf(texts[i], sizeof texts[i], "t%zu", i);
        if (vmh_text_index_add(&index, texts[i], &added) == VMH_TEXT_INDEX_NONE)
            break;
    }
    CHECK(i > 0 && i < 40, "a full index refuses more");
    CHECK(vmh_text_index_find(&index, "t0") == 0, "what it holds is still found");
    vmh_text_index_free(&index);
}

/* The hash folds eight bytes at a time and the tail apart: a text of
 * every length up to three words, in capitals, is found small and
 * mixed; each of its bytes matters; the bytes next to the letters
 * ('@', '[', '`', '{') and bytes over 127 are not letters. */
static void test_every_length(void)
{
    struct vmh_text_index index;
    bool added;
    static const char capitals[] = "A@Z[B`C{D\xc9" "EFGHIJKLMNOPQRSTUVWXY";
    char texts[25][26], small[26], mixed[26], other[26];
    CHECK_INT(vmh_text_index_init(&index, 2 * 25), 0, "init");
    bool found = true, distinct = true;
    for (size_t length = 1; length <= 24; length++) {
        memcpy(texts[length], capitals, length);
        texts[length][length] = '\0';
        vmh_text_index_add(&index, texts[length], &added);
        for (size_t i = 0; i <= length; i++) {
            small[i] = (char)tolower((unsigned char)texts[length][i]);
            mixed[i] = i % 2 ? small[i] : texts[length][i];
        }
        found = found && vmh_text_index_find(&index, small) == length - 1 &&
                vmh_text_index_find(&index, mixed) == length - 1;
        for (size_t i = 0; i < length; i++) {
            memcpy(other, texts[length], length + 1);
            other[i] = other[i] == '@' ? '`' : other[i] == '[' ? '{' : (char)(other[i] ^ 1);
            distinct = distinct && vmh_text_index_find(&index, other) != length - 1;
        }
    }
    CHECK(found, "every length to 24: found in small letters and mixed");
    CHECK(distinct, "every length to 24: a byte changed is another text");
    vmh_text_index_free(&index);
}

/* Container IDs: 64 hex digits, numbered apart and all found again. */
static void test_many_ids(void)
{
    enum { COUNT = 20000 };
    static char ids[COUNT][65];
    struct vmh_text_index index;
    bool added, all = true;
    CHECK_INT(vmh_text_index_init(&index, COUNT), 0, "init for 20,000");
    for (size_t i = 0; i < COUNT; i++) {
        snprintf(ids[i], sizeof ids[i], "%016zx%016zx%016zx%016zx", i * 2654435761u, i, ~i, i << 7);
        all = all && vmh_text_index_add(&index, ids[i], &added) == i && added;
    }
    CHECK(all, "20,000 IDs: each numbered in turn");
    for (size_t i = 0; i < COUNT; i++)
        all = all && vmh_text_index_find(&index, ids[i]) == i;
    CHECK(all, "20,000 IDs: each found again");
    vmh_text_index_free(&index);
}

int main(void)
{
    test_numbers();
    test_full();
    test_every_length();
    test_many_ids();
    return check_done();
}
