/* The sections of `vmhosts status`.  Each prints what it found and counts
 * the problems (something that keeps names from resolving) and warnings
 * (something that works, but worse than it could). */
#ifndef VMHOSTS_STATUS_H
#define VMHOSTS_STATUS_H

#include <stdbool.h>

#include "backend.h"
#include "config_notes.h"
#include "explain.h"

#define VMH_DEFAULT_NSSWITCH "/etc/nsswitch.conf"

struct vmh_status_report {
    unsigned problems, warnings;
};

/* Prints "  <label>: <text>" indented under a section, counting it (enum
 * vmh_level is backend.h's: a backend's live check rates its findings). */
__attribute__((format(printf, 3, 4))) void vmh_say(struct vmh_status_report *report,
                                                   enum vmh_level level, const char *format, ...);

/* Prints "      do: <text>" under the last finding. */
void vmh_say_do(const char *text);

void vmh_status_settings(const struct vmh_config *config, const struct vmh_config_notes *notes);
void vmh_status_module(struct vmh_status_report *report);
void vmh_status_backends(const struct vmh_cli_view *view, struct vmh_status_report *report);
void vmh_status_caches(const struct vmh_cli_view *view, struct vmh_status_report *report);
void vmh_status_nsswitch(const char *path, struct vmh_status_report *report);


#endif
