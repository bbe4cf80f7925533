/* The backends of backends.def as the code sees them: an enum, the name of
 * each one's cache section, and which name rule it follows. */
#ifndef VMHOSTS_BACKENDS_H
#define VMHOSTS_BACKENDS_H

/* The list itself; a test names another (tests/test_backend_added.c). */
#ifndef VMH_BACKENDS_DEF
#define VMH_BACKENDS_DEF "backends.def"
#endif

/* The two name rules (backends.def says what each answers). */
enum vmh_names { VMH_NAMES_CONTAINER, VMH_NAMES_INSTANCE };

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

#endif
