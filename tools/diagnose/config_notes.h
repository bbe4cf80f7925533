/* What `vmhosts` says of the settings besides their values: where each one
 * came from (`vmhosts status`) and the first line skipped (a warning on
 * every command).  Heard from the module's own parse as it applies the
 * file (vmh_config_line_fn), so it always describes the values in force. */
#ifndef VMHOSTS_CONFIG_NOTES_H
#define VMHOSTS_CONFIG_NOTES_H

#include "config.h"

/* Why an untrusted settings file is ignored, for `vmhosts` to print. */
const char *vmh_untrusted_settings_text(void);

enum vmh_config_origin {
    VMH_ORIGIN_DEFAULT = 0,
    VMH_ORIGIN_FILE = 1
};

/* All zero before the parse: every origin DEFAULT, no bad line. */
struct vmh_config_notes {
    unsigned char origin[VMH_CONF_KEY_COUNT]; /* enum vmh_config_origin */
    unsigned first_bad_line;                  /* 0: none */
};

/* A vmh_config_line_fn; context is a struct vmh_config_notes. */
void vmh_config_note(void *context, unsigned line, int key);

#endif
