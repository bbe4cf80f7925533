/* tools/backends/json_arena.c: a tree parsed into the arena reads as
 * json_loadb's would, a value larger than a block survives, a parse error
 * is reported, and jansson's own allocator is back after every parse. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json_arena.h"

static void test_tree(void)
{
    struct vmh_json_arena arena = {0};
    const char *text =
        "[{\"Id\":\"ab\",\"Names\":[\"/web\"],\"Labels\":{\"a\":\"1\",\"b\":\"2\"}},3]";
    json_error_t error;
    json_t *root = vmh_json_arena_loadb(&arena, text, strlen(text), 0, &error);
    CHECK(json_is_array(root) && json_array_size(root) == 2, "a list of two");
    json_t *first = json_array_get(root, 0);
    CHECK_STR(json_string_value(json_object_get(first, "Id")), "ab", "a field by key");
    CHECK_STR(json_string_value(json_array_get(json_object_get(first, "Names"), 0)), "/web",
              "a nested array's string");
    CHECK_STR(json_string_value(json_object_get(json_object_get(first, "Labels"), "b")), "2",
              "a nested object's string");
    CHECK_INT(json_integer_value(json_array_get(root, 1)), 3, "a number");
    /* jansson's own allocator again: this tree is malloc's and freed. */
    json_t *own = json_pack("{s:s}", "key", "value");
    CHECK(own != NULL, "after a parse, jansson allocates as before");
    json_decref(own);
    vmh_json_arena_free(&arena);
    CHECK(arena.blocks == NULL, "freed: no block left");
}

/* 6 MiB of one string: past a block, and past a quarter of one. */
static void test_large_value(void)
{
    size_t length = (size_t)6 << 20;
    char *text = malloc(length + 3);
    text[0] = '"';
    memset(text + 1, 'x', length);
    text[length + 1] = '"';
    text[length + 2] = '\0';
    struct vmh_json_arena arena = {0};
    json_error_t error;
    json_t *root = vmh_json_arena_loadb(&arena, text, length + 2, JSON_DECODE_ANY, &error);
    CHECK_INT(json_string_length(root), length, "a 6 MiB string, whole");
    const char *value = json_string_value(root);
    CHECK(value && value[0] == 'x' && value[length - 1] == 'x' && value[length] == '\0',
          "... every byte of it");
    json_t *second = vmh_json_arena_loadb(&arena, "{\"k\":[1,2]}", 11, 0, &error);
    CHECK_INT(json_array_size(json_object_get(second, "k")), 2, "a second tree in the same arena");
    CHECK_INT(json_string_length(root), length, "... the first one still whole");
    vmh_json_arena_free(&arena);
    free(text);
}

/* Blocks grow from 64 KiB: a value larger than the block in use but not
 * large enough for one of its own, and values over many blocks. */
static void test_growing_blocks(void)
{
    size_t length = (size_t)500 << 10, count = 200000;
    char *text = malloc(length + count * 2 + 16);
    size_t used = 0;
    text[used++] = '[';
    text[used++] = '"';
    memset(text + used, 'y', length);
    used += length;
    text[used++] = '"';
    for (size_t i = 0; i < count; i++) {
        text[used++] = ',';
        text[used++] = (char)('0' + i % 10);
    }
    text[used++] = ']';
    struct vmh_json_arena arena = {0};
    json_error_t error;
    json_t *root = vmh_json_arena_loadb(&arena, text, used, 0, &error);
    CHECK_INT(json_array_size(root), count + 1, "200,001 values over many blocks");
    CHECK_INT(json_string_length(json_array_get(root, 0)), length, "a 500 KiB string, whole");
    CHECK_INT(json_integer_value(json_array_get(root, count)), (count - 1) % 10, "the last value");
    vmh_json_arena_free(&arena);
    free(text);
}

static void test_error(void)
{
    struct vmh_json_arena arena = {0};
    json_error_t error;
    json_t *root = vmh_json_arena_loadb(&arena, "[{\"a\":", 6, 0, &error);
    CHECK(root == NULL, "bad JSON: no tree");
    CHECK(strstr(error.text, "end of file") != NULL, "bad JSON: jansson's reason");
    json_t *own = json_string("after an error");
    CHECK(own != NULL, "after an error, jansson allocates as before");
    json_decref(own);
    vmh_json_arena_free(&arena);
}

int main(void)
{
    test_tree();
    test_large_value();
    test_growing_blocks();
    test_error();
    return check_done();
}
