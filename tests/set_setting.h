/* Sets one setting the way a line of the settings file does: a list
 * setting lives where the parser puts it (config.h), so tests go through
 * it rather than writing the field.  A value the parser refuses ends the
 * test as a hard error (exit 99): it would otherwise run on the defaults. */
#ifndef VMHOSTS_SET_SETTING_H
#define VMHOSTS_SET_SETTING_H

#include <stdio.h>
#include <stdlib.h>

#include "config.h"

static inline void set_setting(struct vmh_config *config, enum vmh_config_key key,
                               const char *value)
{
    char line[VMH_LIST_MAX + 64];
    int length = snprintf(line, sizeof line, "%s = %s\n", vmh_config_key_name(key), value);
    if (length > 0 && (size_t)length < sizeof line &&
        vmh_config_parse(config, line, (size_t)length, NULL, NULL) == 0)
        return;
    printf("Bail out! the parser refused %s = %s\n", vmh_config_key_name(key), value);
    exit(99);
}

#endif
