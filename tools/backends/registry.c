/* The one list of backends.  Adding one is a line here (and its #include);
 * everything else reaches it through its entry. */
#include <string.h>

#include "backend.h"
#include "docker.h"
#include "multipass.h"

static const struct vmh_backend_ops *const backends[] = {
    &vmh_backend_docker,
    &vmh_backend_multipass,
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
