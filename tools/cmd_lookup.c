/* PLACEHOLDER: replaced by the real `vmhosts lookup`; keeps the build whole meanwhile. */
#include <stdio.h>

#include "commands.h"

int vmh_cmd_lookup(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("vmhosts lookup: not written yet\n", stderr);
    return VMH_EXIT_FAILURE;
}
