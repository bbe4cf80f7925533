/* PLACEHOLDER: replaced by the real `vmhosts watch`; keeps the build whole meanwhile. */
#include <stdio.h>

#include "commands.h"

int vmh_cmd_watch(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("vmhosts watch: not written yet\n", stderr);
    return VMH_EXIT_FAILURE;
}
