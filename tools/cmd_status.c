/* PLACEHOLDER: replaced by the real `vmhosts status`; keeps the build whole meanwhile. */
#include <stdio.h>

#include "commands.h"

int vmh_cmd_status(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("vmhosts status: not written yet\n", stderr);
    return VMH_EXIT_FAILURE;
}
