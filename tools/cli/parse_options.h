/* One option parser for every `vmhosts` command, in the shape of git's
 * parse-options: a command declares a table of its options and the
 * parser does the rest (short and long forms, `-qb docker`, `--backend=x`,
 * unique prefixes of long names as getopt_long takes them, `--`, -h and
 * --help, and every usage error, worded the same for every command). */
#ifndef VMHOSTS_PARSE_OPTIONS_H
#define VMHOSTS_PARSE_OPTIONS_H

#include <stdbool.h>

enum vmh_option_type {
    VMH_OPTION_END,
    VMH_OPTION_BOOL,     /* no value; sets a bool */
    VMH_OPTION_SET_INT,  /* no value; sets an int to min (-4, -6) */
    VMH_OPTION_STRING,   /* a value, kept as a pointer into argv */
    VMH_OPTION_LONG,     /* a whole decimal number in [min, max] */
    VMH_OPTION_CHOICE,   /* one of choices; the int is its index */
    VMH_OPTION_CALLBACK, /* a value the callback takes or refuses */
    VMH_OPTION_HELP,     /* -h, --help: every command has it unasked */
};

struct vmh_option;
/* Stores arg through option->value; false refuses it (a usage error). */
typedef bool vmh_option_callback(const struct vmh_option *option, const char *arg);

struct vmh_option {
    enum vmh_option_type type;
    char short_name;       /* '\0': none */
    const char *long_name; /* NULL: none */
    void *value;
    /* What the value is, for "--file wants a path"; a CHOICE's noun,
     * for `unknown backend "x" (docker, multipass or all)`. */
    const char *what;
    long min, max;
    const char *const *choices; /* NULL-terminated */
    vmh_option_callback *callback;
};

/* The conditionals are type checks: gcc and clang warn of a value of the
 * wrong type ("pointer type mismatch"), an error with --enable-werror. */
#define OPT_BOOL(s, l, v) \
    {.type = VMH_OPTION_BOOL, .short_name = (s), .long_name = (l), .value = 1 ? (v) : (bool *)0}
#define OPT_SET_INT(s, l, v, constant)                                            \
    {.type = VMH_OPTION_SET_INT, .short_name = (s), .long_name = (l),            \
     .value = 1 ? (v) : (int *)0, .min = (constant)}
#define OPT_STRING(s, l, v, text)                                                 \
    {.type = VMH_OPTION_STRING, .short_name = (s), .long_name = (l),             \
     .value = 1 ? (v) : (const char **)0, .what = (text)}
#define OPT_LONG(s, l, v, text, lowest, highest)                                  \
    {.type = VMH_OPTION_LONG, .short_name = (s), .long_name = (l),               \
     .value = 1 ? (v) : (long *)0, .what = (text), .min = (lowest), .max = (highest)}
#define OPT_CHOICE(s, l, v, noun, list)                                           \
    {.type = VMH_OPTION_CHOICE, .short_name = (s), .long_name = (l),             \
     .value = 1 ? (v) : (int *)0, .what = (noun), .choices = (list)}
#define OPT_CALLBACK(s, l, v, text, function)                                     \
    {.type = VMH_OPTION_CALLBACK, .short_name = (s), .long_name = (l), .value = (v), \
     .what = (text), .callback = (function)}
#define OPT_END() {.type = VMH_OPTION_END}

/* A command's whole command line. */
struct vmh_command_syntax {
    const char *name;                 /* "refresh": "vmhosts refresh: ..." */
    const struct vmh_option *options; /* ends with OPT_END() */
    const char *usage;                /* what --help prints, */
    void (*print_usage)(void);        /* or prints, when built at run time */
    /* The one operand the command takes ("NAME", and "name" in "which
     * name?"); NULL: it takes none. */
    const char *operand, *operand_noun;
};

#define VMH_OPTIONS_GO_ON (-1)

/* Parses argv[1..argc-1] (argv[0] is the command's name), storing what
 * each option says through its value, and the operand in *operand.
 * Returns VMH_OPTIONS_GO_ON, or the exit status to return at once: 0
 * after the help, 2 after a usage error on stderr. */
int vmh_parse_options(const struct vmh_command_syntax *syntax, int argc, char **argv,
                      const char **operand);

#endif
