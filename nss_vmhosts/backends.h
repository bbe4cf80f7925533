/* The backends of backends.def as the code sees them: an enum, the name of
 * each one's cache section, and which name rule it follows. */
#ifndef VMHOSTS_BACKENDS_H
#define VMHOSTS_BACKENDS_H

#include <stdbool.h>

/* The list itself; a test names another (tests/test_backend_added.c). */
#ifndef VMH_BACKENDS_DEF
#define VMH_BACKENDS_DEF "backends.def"
#endif

/* How a setting's value is checked and stored (config.c); backends.def
 * gives one for each backend's domains and source. */
enum vmh_value_kind {
    VALUE_PATH,          /* absolute */
    VALUE_PATH_OR_EMPTY, /* absolute, or "" for automatic */
    VALUE_PATH_LIST,     /* one or more absolute paths */
    VALUE_SUFFIX,        /* one domain, a leading dot allowed */
    VALUE_DOMAIN_LIST,   /* zero or more domains */
    VALUE_WORD_LIST,     /* one or more printable words, checked by their user */
    VALUE_NUMBER         /* a whole decimal within [min, max] */
};

/* The name rules (backends.def says what each answers). */
enum vmh_names { VMH_NAMES_CONTAINER, VMH_NAMES_INSTANCE, VMH_NAMES_PROJECT };

enum vmh_backend {
#define VMH_BACKEND(id, ...) VMH_BACKEND_##id,
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND
    VMH_BACKEND_COUNT
};

/* "docker": the name of its section in the cache; "" out of range. */
static inline const char *vmh_backend_section(enum vmh_backend backend)
{
    static const char *const sections[VMH_BACKEND_COUNT] = {
#define VMH_BACKEND(id, section, ...) #section,
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND
    };
    return (unsigned)backend < VMH_BACKEND_COUNT ? sections[backend] : "";
}

static inline enum vmh_names vmh_backend_names(enum vmh_backend backend)
{
    static const enum vmh_names names[VMH_BACKEND_COUNT] = {
#define VMH_BACKEND(id, section, names, ...) names,
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND
    };
    return (unsigned)backend < VMH_BACKEND_COUNT ? names[backend] : VMH_NAMES_INSTANCE;
}

/* How many labels the part of a name before its domain may have: any for
 * a container (0: `my.app`, `<service>.<project>`), one for an instance,
 * two for an instance of a project (`<instance>.<project>`). */
static inline unsigned vmh_backend_key_labels(enum vmh_backend backend)
{
    enum vmh_names names = vmh_backend_names(backend);
    return names == VMH_NAMES_CONTAINER ? 0 : names == VMH_NAMES_INSTANCE ? 1 : 2;
}

#endif
