/* libFuzzer target: any command line through the option parser every
 * `vmhosts` command shares (tools/cli/parse_options.c), its words split
 * at NUL bytes, against a command with an option of every type.  The
 * parse ends in one of its three outcomes, and when the command goes on,
 * every value it was given is one the table allows: a number within its
 * range, a choice's index, a string and the operand words of the line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parse_options.h"

#define WORDS_MAX 64

static void require(int condition)
{
    if (!condition)
        abort();
}

static const char *const colours[] = {"red", "green", "blue", NULL};

struct values {
    bool quiet;
    int family;
    const char *file;
    long count;
    int colour;
    const char *note;
};

/* Takes a value of at most 8 bytes. */
static bool short_note(const struct vmh_option *option, const char *arg)
{
    if (strlen(arg) > 8)
        return false;
    *(const char **)option->value = arg;
    return true;
}

static bool is_word(char **argv, int argc, const char *text)
{
    for (int i = 1; i < argc; i++)
        if (text >= argv[i] && text <= argv[i] + strlen(argv[i]))
            return true;
    return false;
}

static void check_values(const struct values *v, char **argv, int argc, const char *operand)
{
    require(v->family == 0 || v->family == 6);
    require(v->count == -1 || (v->count >= 1 && v->count <= 1000));
    require(v->colour >= -1 && v->colour <= 2);
    require(!v->file || is_word(argv, argc, v->file));
    require(!v->note || (is_word(argv, argc, v->note) && strlen(v->note) <= 8));
    require(operand && is_word(argv, argc, operand));
}

/* Only under libFuzzer, which prints through the stream it took at its
 * start and the sanitizers through descriptor 2: the parser's messages
 * alone go nowhere, not millions of lines into fuzz-short.sh's log. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FILE *nowhere = fopen("/dev/null", "w");
    if (nowhere)
        stderr = nowhere;
    return 0;
}

/* --help's text, printed: nothing, for the same reason. */
static void print_no_usage(void)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    struct values v = {.count = -1, .colour = -1};
    const struct vmh_option options[] = {
        OPT_BOOL('q', "quiet", &v.quiet),
        OPT_SET_INT('6', NULL, &v.family, 6),
        OPT_STRING('f', "file", &v.file, "a path"),
        OPT_LONG('c', "count", &v.count, "a count", 1, 1000),
        OPT_CHOICE('b', "colour", &v.colour, "colour", colours),
        OPT_CALLBACK('n', "note", &v.note, "a short note", short_note),
        OPT_BOOL(0, "colourless", &v.quiet),
        OPT_END()};
    const struct vmh_command_syntax syntax = {"fuzzed", options, NULL, print_no_usage, "NAME",
                                              "name"};
    static char command[] = "fuzzed";
    char *text = malloc(size + 1), *argv[WORDS_MAX + 1] = {command};
    if (!text)
        return 0;
    memcpy(text, input, size);
    text[size] = '\0';
    int argc = 1;
    for (char *word = text; argc < WORDS_MAX && word <= text + size; word += strlen(word) + 1)
        argv[argc++] = word;
    argv[argc] = NULL;
    const char *operand = NULL;
    int status = vmh_parse_options(&syntax, argc, argv, &operand);
    require(status == VMH_OPTIONS_GO_ON || status == VMH_EXIT_OK || status == VMH_EXIT_USAGE);
    if (status == VMH_OPTIONS_GO_ON)
        check_values(&v, argv, argc, operand);
    free(text);
    return 0;
}
