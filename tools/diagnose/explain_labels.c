/* Why a name with a dot under a VM's domain is not ours: its backend's
 * names are one label (backends.def), and the libvirt backend leaves out a
 * domain named with a dot rather than answer it only in reverse. */
#include <string.h>

#include "explain_miss.h"
#include "texts.h"

bool vmh_explain_labels(FILE *out, const struct vmh_config *config, const char *text)
{
    /* The module's own rule, with any count of labels allowed: the domain
     * it then finds is the one the name was meant to be under. */
    struct vmh_name_index index;
    struct vmh_name name;
    vmh_name_index(config, &index);
    for (unsigned i = 0; i < index.count; i++)
        if (!index.domains[i].label_only)
            index.domains[i].labels = 0;
    if (vmh_name_classify_indexed(text, &index, &name) != VMH_NAME_UNDER ||
        vmh_backend_key_labels(name.backend) != 1)
        return false;
    fprintf(out,
            "  why:    %s names are one label before .%s, and \"%s\" has a dot:\n"
            "          not a name vmhosts answers, the next source on the hosts: line\n"
            "          answers it\n",
            vmh_backend_name(name.backend), name.domain, name.key);
    if (name.backend == VMH_BACKEND_LIBVIRT)
        fprintf(out,
                "          (a libvirt domain named with a dot, as virt-install names them,\n"
                "          is left out, since that name could not resolve)\n"
                "  do:     rename the domain without a dot while it is shut off\n"
                "          (virsh domrename %s NEW-NAME), or use the DHCP hostname its\n"
                "          guest sends (`vmhosts list` shows it)\n",
                name.key);
    else
        fputs("  do:     nothing here: `getent hosts NAME` shows what DNS says\n", out);
    return true;
}
