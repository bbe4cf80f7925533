/* The option parser of the `vmhosts` commands (tools/cli/parse_options.h):
 * each kind of option in its short and long forms, values in the same word
 * or the next, `--`, operands, --help, and each usage error with the
 * message it prints and its exit status, 2. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "parse_options.h"

static bool quiet, fast;
static int family, colour;
static const char *file, *even, *operand;
static long timeout;
static char out[1024], err[1024];

static bool take_even(const struct vmh_option *option, const char *arg)
{
    size_t length = strlen(arg);
    if (length == 0 || strchr("02468", arg[length - 1]) == NULL)
        return false;
    *(const char **)option->value = arg;
    return true;
}

static const char *const colours[] = {"red", "green", "blue", NULL};
static const struct vmh_option options[] = {
    OPT_BOOL('q', "quiet", &quiet),
    OPT_BOOL(0, "fast", &fast),
    OPT_SET_INT('4', NULL, &family, 4),
    OPT_SET_INT('6', NULL, &family, 6),
    OPT_STRING('f', "file", &file, "a path"),
    OPT_LONG(0, "timeout-ms", &timeout, "a number of milliseconds", 1, 1000),
    OPT_CHOICE('c', "colour", &colour, "colour", colours),
    OPT_CALLBACK('e', "even", &even, "an even number", take_even),
    OPT_END(),
};
static const struct vmh_command_syntax plain = {
    .name = "test", .options = options, .usage = "Usage: vmhosts test\n"};
static const struct vmh_command_syntax with_name = {
    .name = "lookup", .options = options, .usage = "Usage: vmhosts lookup NAME\n",
    .operand = "NAME", .operand_noun = "name"};

/* Reads what went to the descriptor since it was pointed at file. */
static void collect(FILE *file, int fd, int saved, char *text, size_t size)
{
    dup2(saved, fd);
    close(saved);
    rewind(file);
    size_t length = fread(text, 1, size - 1, file);
    text[length] = '\0';
    fclose(file);
}

/* Parses the words after the command's name, up to a NULL, with stdout
 * and stderr kept in out and err; every value starts over. */
static int parse(const struct vmh_command_syntax *syntax, ...)
{
    char *argv[16] = {(char *)syntax->name};
    int argc = 1;
    va_list words;
    va_start(words, syntax);
    while (argc < 15 && (argv[argc] = va_arg(words, char *)) != NULL)
        argc++;
    va_end(words);
    quiet = fast = false;
    family = colour = -1;
    file = even = operand = NULL;
    timeout = -1;
    fflush(stdout);
    fflush(stderr);
    FILE *out_file = tmpfile(), *err_file = tmpfile();
    if (!out_file || !err_file) {
        perror("tmpfile");
        exit(99);
    }
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(out_file), 1);
    dup2(fileno(err_file), 2);
    int status = vmh_parse_options(syntax, argc, argv, &operand);
    fflush(stdout);
    fflush(stderr);
    collect(out_file, 1, saved_out, out, sizeof out);
    collect(err_file, 2, saved_err, err, sizeof err);
    return status;
}

#define PARSE(...) parse(__VA_ARGS__, (char *)NULL)
#define GO_ON VMH_OPTIONS_GO_ON
#define TRY "\nTry `vmhosts test --help'.\n"

static void test_flags(void)
{
    CHECK_INT(PARSE(&plain, "-q", "--fast"), GO_ON, "-q --fast: go on");
    CHECK(quiet && fast, "-q --fast: both set");
    CHECK_STR(err, "", "-q --fast: nothing said");
    CHECK_INT(PARSE(&plain, "--quiet"), GO_ON, "--quiet");
    CHECK(quiet && !fast, "--quiet: quiet only");
    CHECK_INT(PARSE(&plain, "-4"), GO_ON, "-4");
    CHECK_INT(family, 4, "-4: its constant");
    CHECK_INT(PARSE(&plain, "-4", "-6"), GO_ON, "-4 -6");
    CHECK_INT(family, 6, "-4 -6: the last one wins");
    CHECK_INT(PARSE(&plain, "-q6"), GO_ON, "-q6: flags in one word");
    CHECK(quiet && family == 6, "-q6: both set");
    CHECK_INT(PARSE(&plain), GO_ON, "no option");
    CHECK(!quiet && family == -1 && !file && timeout == -1, "no option: nothing changed");
    CHECK_INT(PARSE(&plain, "--quiet=yes"), 2, "--quiet=yes: a usage error");
    CHECK_STR(err, "vmhosts test: --quiet takes no value" TRY, "--quiet=yes: says so");
}

static void test_strings(void)
{
    CHECK_INT(PARSE(&plain, "-f", "a"), GO_ON, "-f a");
    CHECK_STR(file, "a", "-f a: the value");
    CHECK_INT(PARSE(&plain, "-fb"), GO_ON, "-fb");
    CHECK_STR(file, "b", "-fb: the rest of the word");
    CHECK_INT(PARSE(&plain, "-qfc"), GO_ON, "-qfc");
    CHECK_STR(file, "c", "-qfc: after a flag");
    CHECK(quiet, "-qfc: the flag");
    CHECK_INT(PARSE(&plain, "--file", "d"), GO_ON, "--file d");
    CHECK_STR(file, "d", "--file d: the value");
    CHECK_INT(PARSE(&plain, "--file=e=f"), GO_ON, "--file=e=f");
    CHECK_STR(file, "e=f", "--file=e=f: all after the first =");
    CHECK_INT(PARSE(&plain, "--file="), GO_ON, "--file=");
    CHECK_STR(file, "", "--file=: empty");
    CHECK_INT(PARSE(&plain, "--file", "-q"), GO_ON, "--file -q");
    CHECK_STR(file, "-q", "--file -q: the next word, whatever it is");
    CHECK(!quiet, "--file -q: not the flag");
    CHECK_INT(PARSE(&plain, "--fi", "g"), GO_ON, "--fi g");
    CHECK_STR(file, "g", "--fi g: a prefix of one name");
    CHECK_INT(PARSE(&plain, "--file"), 2, "--file: a usage error");
    CHECK_STR(err, "vmhosts test: --file wants a path" TRY, "--file: the value is missing");
    CHECK_INT(PARSE(&plain, "-q", "-f"), 2, "-q -f: a usage error");
    CHECK_STR(err, "vmhosts test: --file wants a path" TRY, "-f: named by its long name");
    CHECK_STR(out, "", "a usage error: nothing on stdout");
}

static void test_numbers(void)
{
    CHECK_INT(PARSE(&plain, "--timeout-ms", "250"), GO_ON, "--timeout-ms 250");
    CHECK_INT(timeout, 250, "--timeout-ms 250: the number");
    CHECK_INT(PARSE(&plain, "--timeout-ms=1000"), GO_ON, "--timeout-ms=1000");
    CHECK_INT(timeout, 1000, "--timeout-ms=1000: the highest");
    CHECK_INT(PARSE(&plain, "--time=1"), GO_ON, "--time=1");
    CHECK_INT(timeout, 1, "--time=1: a prefix, the lowest");
    CHECK_INT(PARSE(&plain, "--timeout-ms", "0"), 2, "--timeout-ms 0: a usage error");
    CHECK_STR(err, "vmhosts test: --timeout-ms wants a number of milliseconds (1 to 1000), "
                   "not \"0\"" TRY, "--timeout-ms 0: says the range");
    CHECK_INT(timeout, -1, "--timeout-ms 0: nothing stored");
    CHECK_INT(PARSE(&plain, "--timeout-ms=1001"), 2, "--timeout-ms=1001: above the range");
    CHECK_INT(PARSE(&plain, "--timeout-ms", "5x"), 2, "--timeout-ms 5x: not a whole number");
    CHECK_STR(err, "vmhosts test: --timeout-ms wants a number of milliseconds (1 to 1000), "
                   "not \"5x\"" TRY, "--timeout-ms 5x: says so");
    CHECK_INT(PARSE(&plain, "--timeout-ms", ""), 2, "--timeout-ms '': no number");
    CHECK_INT(PARSE(&plain, "--timeout-ms", "99999999999999999999"), 2, "a number past long");
    CHECK_INT(PARSE(&plain, "--timeout-ms"), 2, "--timeout-ms: the value is missing");
    CHECK_STR(err, "vmhosts test: --timeout-ms wants a number of milliseconds (1 to 1000)" TRY,
              "--timeout-ms: says what it wants");
}

static void test_choices(void)
{
    CHECK_INT(PARSE(&plain, "--colour", "red"), GO_ON, "--colour red");
    CHECK_INT(colour, 0, "--colour red: its index");
    CHECK_INT(PARSE(&plain, "-cblue"), GO_ON, "-cblue");
    CHECK_INT(colour, 2, "-cblue: its index");
    CHECK_INT(PARSE(&plain, "--colour=green"), GO_ON, "--colour=green");
    CHECK_INT(colour, 1, "--colour=green: its index");
    CHECK_INT(PARSE(&plain, "--colour", "Red"), 2, "--colour Red: a usage error");
    CHECK_STR(err, "vmhosts test: unknown colour \"Red\" (red, green or blue)" TRY,
              "--colour Red: names the choices");
    CHECK_INT(PARSE(&plain, "-c"), 2, "-c: a usage error");
    CHECK_STR(err, "vmhosts test: --colour wants red, green or blue" TRY, "-c: names the choices");
}

static void test_callbacks(void)
{
    CHECK_INT(PARSE(&plain, "--even", "12"), GO_ON, "--even 12");
    CHECK_STR(even, "12", "--even 12: the callback stored it");
    CHECK_INT(PARSE(&plain, "-e14"), GO_ON, "-e14");
    CHECK_STR(even, "14", "-e14: the callback stored it");
    CHECK_INT(PARSE(&plain, "--even=13"), 2, "--even=13: refused");
    CHECK_STR(err, "vmhosts test: --even wants an even number, not \"13\"" TRY,
              "--even=13: says what it wants");
    CHECK(even == NULL, "--even=13: nothing stored");
}

static void test_unknown(void)
{
    CHECK_INT(PARSE(&plain, "--bogus"), 2, "--bogus: a usage error");
    CHECK_STR(err, "vmhosts test: unknown option: --bogus" TRY, "--bogus: says so");
    CHECK_INT(PARSE(&plain, "--bogus=1"), 2, "--bogus=1: a usage error");
    CHECK_STR(err, "vmhosts test: unknown option: --bogus=1" TRY, "--bogus=1: the word as given");
    CHECK_INT(PARSE(&plain, "-x"), 2, "-x: a usage error");
    CHECK_STR(err, "vmhosts test: unknown option: -x" TRY, "-x: says so");
    CHECK_INT(PARSE(&plain, "-qx"), 2, "-qx: a usage error");
    CHECK_STR(err, "vmhosts test: unknown option: -x" TRY, "-qx: names the unknown letter");
    CHECK_INT(PARSE(&plain, "-xq"), 2, "-xq: a usage error");
    CHECK_STR(err, "vmhosts test: unknown option: -x" TRY, "-xq: names the unknown letter");
    CHECK_INT(PARSE(&plain, "--f"), 2, "--f: a usage error");
    CHECK_STR(err, "vmhosts test: ambiguous option: --f" TRY, "--f: --fast or --file");
    CHECK_INT(PARSE(&plain, "--bogus", "--timeout-ms", "0"), 2, "the first error");
    CHECK_STR(err, "vmhosts test: unknown option: --bogus" TRY, "the first error: only it");
}

static void test_help(void)
{
    CHECK_INT(PARSE(&plain, "--help"), 0, "--help: exit 0");
    CHECK_STR(out, "Usage: vmhosts test\n", "--help: the usage on stdout");
    CHECK_STR(err, "", "--help: nothing on stderr");
    CHECK_INT(PARSE(&plain, "-h"), 0, "-h: exit 0");
    CHECK_STR(out, "Usage: vmhosts test\n", "-h: the usage");
    CHECK_INT(PARSE(&plain, "--he"), 0, "--he: a prefix of --help");
    CHECK_INT(PARSE(&plain, "-qh"), 0, "-qh: the help");
    CHECK_INT(PARSE(&plain, "extra", "--help", "--bogus"), 0, "the help before any later error");
    CHECK_STR(err, "", "the help: no error after it");
    CHECK_INT(PARSE(&plain, "--bogus", "--help"), 2, "an error before the help");
    CHECK_STR(out, "", "an error before the help: no help");
    CHECK_INT(PARSE(&plain, "--help=1"), 2, "--help=1: a usage error");
    CHECK_STR(err, "vmhosts test: --help takes no value" TRY, "--help=1: says so");
}

static void test_operands(void)
{
    CHECK_INT(PARSE(&plain, "extra"), 2, "an operand where none is taken");
    CHECK_STR(err, "vmhosts test: unexpected argument \"extra\"" TRY, "an operand: says so");
    CHECK_INT(PARSE(&plain, "-"), 2, "- is an operand");
    CHECK_INT(PARSE(&plain, "--", "--quiet"), 2, "after --, --quiet is an operand");
    CHECK_STR(err, "vmhosts test: unexpected argument \"--quiet\"" TRY, "after --: says so");
    CHECK(!quiet, "after --: no flag set");
    CHECK_INT(PARSE(&plain, "--"), GO_ON, "-- alone");
    CHECK_INT(PARSE(&plain, "extra", "--bogus"), 2, "an unknown option after an operand");
    CHECK_STR(err, "vmhosts test: unknown option: --bogus" TRY, "the option's error comes first");

    CHECK_INT(PARSE(&with_name, "web.docker"), GO_ON, "lookup NAME");
    CHECK_STR(operand, "web.docker", "lookup NAME: the operand");
    CHECK_INT(PARSE(&with_name, "web.docker", "-4", "-q"), GO_ON, "options after the operand");
    CHECK(family == 4 && quiet, "options after the operand: taken");
    CHECK_INT(PARSE(&with_name, "-q", "--", "-4"), GO_ON, "lookup -q -- -4");
    CHECK_STR(operand, "-4", "lookup -q -- -4: the operand");
    CHECK(family == -1, "lookup -q -- -4: not an option");
    CHECK_INT(PARSE(&with_name, "-q"), 2, "lookup without a name");
    CHECK_STR(err, "vmhosts lookup: which name? vmhosts lookup NAME\n"
                   "Try `vmhosts lookup --help'.\n", "lookup without a name: says so");
    CHECK_INT(PARSE(&with_name, "a", "b", "c"), 2, "lookup a b c");
    CHECK_STR(err, "vmhosts lookup: one name at a time; unexpected: b\n"
                   "Try `vmhosts lookup --help'.\n", "lookup a b c: names the second");
}

int main(void)
{
    test_flags();
    test_strings();
    test_numbers();
    test_choices();
    test_callbacks();
    test_unknown();
    test_help();
    test_operands();
    return check_done();
}
