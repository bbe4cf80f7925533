/* tools/snapshot/text_index.c: texts numbered in the order first added,
 * found in either case, and a full index refusing more. */
#include <stdio.h>

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

int main(void)
{
    test_numbers();
    test_full();
    return check_done();
}
