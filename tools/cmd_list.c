/* PLACEHOLDER: replaced by the real `vmhosts list`; keeps the build whole meanwhile. */
#include <stdio.h>

#include "commands.h"

int vmh_cmd_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("vmhosts list: not written yet\n", stderr);
    return VMH_EXIT_FAILURE;
}
