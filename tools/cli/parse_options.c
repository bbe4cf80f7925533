/* The option parser of every `vmhosts` command (parse_options.h).  One
 * pass over argv: options may come before, between or after the operands,
 * as getopt_long permutes them, until `--`.  The first bad option ends the
 * parse; a wrong count of operands is told only once the options are good. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parse_options.h"

static const struct vmh_option help_options[] = {
    {.type = VMH_OPTION_HELP, .short_name = 'h', .long_name = "help"}, OPT_END()};

struct parse {
    const struct vmh_command_syntax *syntax;
    int argc, next; /* next: the word to read next */
    char **argv;
    int operand_count;
    const char *operands[2]; /* the first two: one to take, one to refuse */
};

/* "vmhosts COMMAND: <message>" and "Try `vmhosts COMMAND --help'." on
 * stderr; returns 2, the exit status of a usage error. */
__attribute__((format(printf, 2, 3))) static int usage_error(const char *command,
                                                             const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "vmhosts %s: ", command);
    vfprintf(stderr, format, args);
    fprintf(stderr, "\nTry `vmhosts %s --help'.\n", command);
    va_end(args);
    return VMH_EXIT_USAGE;
}

/* A whole decimal number in [min, max], as strtol reads one. */
static bool parse_long(const char *text, long min, long max, long *value)
{
    char *end;
    errno = 0;
    long number = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || number < min || number > max)
        return false;
    *value = number;
    return true;
}

/* How messages name an option: "--backend", or "-4" when it has no long name. */
static void name_option(const struct vmh_option *option, char *out, size_t size)
{
    if (option->long_name)
        snprintf(out, size, "--%s", option->long_name);
    else
        snprintf(out, size, "-%c", option->short_name);
}

/* What the value must be: "a path", "whole seconds (1 to 86400)",
 * "docker, multipass or all". */
static void describe_value(const struct vmh_option *option, char *out, size_t size)
{
    if (option->type == VMH_OPTION_LONG) {
        snprintf(out, size, "%s (%ld to %ld)", option->what, option->min, option->max);
        return;
    }
    if (option->type != VMH_OPTION_CHOICE) {
        snprintf(out, size, "%s", option->what);
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; option->choices[i] && used < size; i++) {
        const char *before = i == 0 ? "" : option->choices[i + 1] ? ", " : " or ";
        int length = snprintf(out + used, size - used, "%s%s", before, option->choices[i]);
        if (length < 0)
            break;
        used += (size_t)length;
    }
}

static bool takes_value(const struct vmh_option *option)
{
    return option->type != VMH_OPTION_BOOL && option->type != VMH_OPTION_SET_INT &&
           option->type != VMH_OPTION_HELP;
}

static int take_flag(const struct parse *parse, const struct vmh_option *option)
{
    if (option->type == VMH_OPTION_BOOL) {
        *(bool *)option->value = true;
    } else if (option->type == VMH_OPTION_SET_INT) {
        *(int *)option->value = (int)option->min;
    } else {
        if (parse->syntax->print_usage)
            parse->syntax->print_usage();
        else
            fputs(parse->syntax->usage, stdout);
        return VMH_EXIT_OK;
    }
    return VMH_OPTIONS_GO_ON;
}

/* value: NULL when the command line ended before it. */
static int take_value(const struct parse *parse, const struct vmh_option *option,
                      const char *value)
{
    const char *command = parse->syntax->name;
    char name[64], wanted[256];
    name_option(option, name, sizeof name);
    describe_value(option, wanted, sizeof wanted);
    if (!value)
        return usage_error(command, "%s wants %s", name, wanted);
    switch (option->type) {
    case VMH_OPTION_STRING:
        *(const char **)option->value = value;
        return VMH_OPTIONS_GO_ON;
    case VMH_OPTION_LONG:
        if (parse_long(value, option->min, option->max, option->value))
            return VMH_OPTIONS_GO_ON;
        break;
    case VMH_OPTION_CHOICE:
        for (int i = 0; option->choices[i]; i++) {
            if (strcmp(option->choices[i], value) == 0) {
                *(int *)option->value = i;
                return VMH_OPTIONS_GO_ON;
            }
        }
        return usage_error(command, "unknown %s \"%s\" (%s)", option->what, value, wanted);
    default:
        if (option->callback(option, value))
            return VMH_OPTIONS_GO_ON;
        break;
    }
    return usage_error(command, "%s wants %s, not \"%s\"", name, wanted, value);
}

/* The option of that long name, or of a prefix of it no other option's
 * name begins with (getopt_long's rule); *ambiguous if one does. */
static const struct vmh_option *find_long(const struct vmh_option *options, const char *name,
                                          size_t length, bool *ambiguous)
{
    const struct vmh_option *tables[] = {options, help_options}, *found = NULL;
    *ambiguous = false;
    for (size_t t = 0; t < 2 && length > 0; t++) {
        for (const struct vmh_option *option = tables[t]; option->type != VMH_OPTION_END;
             option++) {
            if (!option->long_name || strncmp(option->long_name, name, length) != 0)
                continue;
            if (option->long_name[length] == '\0') {
                *ambiguous = false;
                return option;
            }
            *ambiguous |= found != NULL;
            found = option;
        }
    }
    return *ambiguous ? NULL : found;
}

static const struct vmh_option *find_short(const struct vmh_option *options, char name)
{
    const struct vmh_option *tables[] = {options, help_options};
    for (size_t t = 0; t < 2; t++)
        for (const struct vmh_option *option = tables[t]; option->type != VMH_OPTION_END; option++)
            if (option->short_name == name)
                return option;
    return NULL;
}

/* "--name", "--name=value" or "--name" "value". */
static int parse_long_option(struct parse *parse, const char *word)
{
    const char *name = word + 2, *equals = strchr(name, '=');
    size_t length = equals ? (size_t)(equals - name) : strlen(name);
    bool ambiguous;
    const struct vmh_option *option = find_long(parse->syntax->options, name, length, &ambiguous);
    if (!option)
        return usage_error(parse->syntax->name, "%s option: %s",
                           ambiguous ? "ambiguous" : "unknown", word);
    if (!takes_value(option) && equals) {
        char option_name[64];
        name_option(option, option_name, sizeof option_name);
        return usage_error(parse->syntax->name, "%s takes no value", option_name);
    }
    if (!takes_value(option))
        return take_flag(parse, option);
    if (equals)
        return take_value(parse, option, equals + 1);
    return take_value(parse, option, parse->next < parse->argc ? parse->argv[parse->next++] : NULL);
}

/* "-q", "-qn", "-b docker", "-qbdocker": flags, then perhaps one option
 * whose value is the rest of the word or else the next word. */
static int parse_short_options(struct parse *parse, const char *word)
{
    for (const char *c = word + 1; *c; c++) {
        const struct vmh_option *option = find_short(parse->syntax->options, *c);
        if (!option && (unsigned char)*c < 0x80)
            return usage_error(parse->syntax->name, "unknown option: -%c", *c);
        if (!option) /* a byte of a wider character: the whole word */
            return usage_error(parse->syntax->name, "unknown option: %s", word);
        if (takes_value(option)) {
            const char *value = c[1]                        ? c + 1
                                : parse->next < parse->argc ? parse->argv[parse->next++]
                                                            : NULL;
            return take_value(parse, option, value);
        }
        int status = take_flag(parse, option);
        if (status != VMH_OPTIONS_GO_ON)
            return status;
    }
    return VMH_OPTIONS_GO_ON;
}

static int check_operands(const struct parse *parse, const char **operand)
{
    const struct vmh_command_syntax *syntax = parse->syntax;
    if (!syntax->operand && parse->operand_count > 0)
        return usage_error(syntax->name, "unexpected argument \"%s\"", parse->operands[0]);
    if (!syntax->operand)
        return VMH_OPTIONS_GO_ON;
    if (parse->operand_count == 0)
        return usage_error(syntax->name, "which %s? vmhosts %s %s", syntax->operand_noun,
                           syntax->name, syntax->operand);
    if (parse->operand_count > 1)
        return usage_error(syntax->name, "one %s at a time; unexpected: %s",
                           syntax->operand_noun, parse->operands[1]);
    *operand = parse->operands[0];
    return VMH_OPTIONS_GO_ON;
}

int vmh_parse_options(const struct vmh_command_syntax *syntax, int argc, char **argv,
                      const char **operand)
{
    struct parse parse = {.syntax = syntax, .argc = argc, .next = 1, .argv = argv};
    bool options_ended = false;
    while (parse.next < argc) {
        const char *word = argv[parse.next++];
        int status = VMH_OPTIONS_GO_ON;
        if (options_ended || word[0] != '-' || word[1] == '\0') {
            if (parse.operand_count < 2)
                parse.operands[parse.operand_count] = word;
            parse.operand_count++;
        } else if (strcmp(word, "--") == 0) {
            options_ended = true;
        } else if (word[1] == '-') {
            status = parse_long_option(&parse, word);
        } else {
            status = parse_short_options(&parse, word);
        }
        if (status != VMH_OPTIONS_GO_ON)
            return status;
    }
    return check_operands(&parse, operand);
}
