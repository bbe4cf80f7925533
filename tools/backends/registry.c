/* The table of backends, made from the one list of them (backends.def):
 * each line there names a section whose folder defines
 * `vmh_backend_<section>`; everything else reaches it through its entry. */
#include <string.h>

#include "backend.h"

#define VMH_BACKEND(id, section, ...) extern const struct vmh_backend_ops vmh_backend_##section;
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND

static const struct vmh_backend_ops *const backends[] = {
#define VMH_BACKEND(id, section, ...) &vmh_backend_##section,
#include VMH_BACKENDS_DEF
#undef VMH_BACKEND
    NULL,
};

const struct vmh_backend_ops *const *vmh_backends(void)
{
    return backends;
}

const struct vmh_backend_ops *vmh_backend_by_name(const char *name)
{
    for (const struct vmh_backend_ops *const *ops = backends; *ops; ops++)
        if (strcmp((*ops)->name, name) == 0)
            return *ops;
    return NULL;
}

const struct vmh_backend_ops *vmh_backend_of(enum vmh_backend section)
{
    for (const struct vmh_backend_ops *const *ops = backends; *ops; ops++)
        if ((*ops)->section == section)
            return *ops;
    return NULL;
}

const char *vmh_backend_name(unsigned section)
{
    const struct vmh_backend_ops *ops = vmh_backend_of((enum vmh_backend)section);
    return ops ? ops->name : "unknown";
}
