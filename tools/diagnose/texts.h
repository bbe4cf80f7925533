/* The words `vmhosts` prints for the module's verdicts.  The module keeps
 * the enums, which decide what a lookup answers (resolve.h, cache.h); the
 * words are only ever read by a person, so they live with the command. */
#ifndef VMHOSTS_TEXTS_H
#define VMHOSTS_TEXTS_H

#include "cache.h"
#include "resolve.h"

/* Which rule decided a name ("container name", "not running", ...). */
const char *vmh_rule_text(enum vmh_rule rule);

/* Why a cache file was not used ("missing", "corrupt", ...). */
const char *vmh_cache_error_text(enum vmh_cache_error error);

#endif
