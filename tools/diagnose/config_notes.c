/* The command's listener to the module's settings parser. */
#include "config_notes.h"

void vmh_config_note(void *context, unsigned line, int key)
{
    struct vmh_config_notes *notes = context;
    if (key < 0 && notes->first_bad_line == 0)
        notes->first_bad_line = line;
    else if (key >= 0 && key < VMH_CONF_KEY_COUNT)
        notes->origin[key] = VMH_ORIGIN_FILE;
}
