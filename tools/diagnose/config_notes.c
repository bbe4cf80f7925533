/* The command's listener to the module's settings parser. */
#include "config_notes.h"
#include "refresh.h"
#include "trust.h"

const char *vmh_untrusted_settings_text(void)
{
    if (vmh_uid_ambiguous(geteuid()))
        return VMH_UNMAPPED_USER_TEXT;
    return "only a file owned by root or by you, and writable by no one else, is read (as "
           "root, only root's: a setting names the program lookups run)";
}

void vmh_config_note(void *context, unsigned line, int key)
{
    struct vmh_config_notes *notes = context;
    if (key < 0 && notes->first_bad_line == 0)
        notes->first_bad_line = line;
    else if (key >= 0 && key < VMH_CONF_KEY_COUNT)
        notes->origin[key] = VMH_ORIGIN_FILE;
}
