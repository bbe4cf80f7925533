/* tools/snapshot/grow.c: a buffer grows by doubling from its first size,
 * meets a bigger need at once, stops at its bound, and a need past the
 * bound leaves it as it was. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "grow.h"

static void test_doubling(void)
{
    char *data = NULL;
    size_t capacity = 0;
    CHECK_INT(vmh_grow_bytes(&data, &capacity, 10, 16, SIZE_MAX), 0, "first: grown");
    CHECK(data != NULL && capacity == 16, "first: to the first size");
    memset(data, 'x', 16);
    char *before = data;
    CHECK_INT(vmh_grow_bytes(&data, &capacity, 16, 16, SIZE_MAX), 0, "enough room: no change");
    CHECK(data == before && capacity == 16, "enough room: the same buffer");
    CHECK_INT(vmh_grow_bytes(&data, &capacity, 17, 16, SIZE_MAX), 0, "one more: grown");
    CHECK_INT((int)capacity, 32, "one more: doubled");
    CHECK(data[15] == 'x', "one more: the bytes kept");
    CHECK_INT(vmh_grow_bytes(&data, &capacity, 1000, 16, SIZE_MAX), 0, "much more: grown");
    CHECK_INT((int)capacity, 1024, "much more: doubled until it holds them");
    free(data);
}

static void test_bound(void)
{
    char *data = NULL;
    size_t capacity = 0;
    CHECK_INT(vmh_grow_bytes(&data, &capacity, 100, 64, 100), 0, "to the bound: grown");
    CHECK_INT((int)capacity, 100, "to the bound: no further than the bound");
    char *before = data;
    CHECK_INT(vmh_grow_bytes(&data, &capacity, 101, 64, 100), -1, "past the bound: refused");
    CHECK(data == before && capacity == 100, "past the bound: unchanged");
    free(data);
}

int main(void)
{
    test_doubling();
    test_bound();
    return check_done();
}
