/* A part of a backend's hosts: see part.h.  Searched by halving: a
 * refresh asks once for each of 100,000 records whether it is in it. */
#include <stdlib.h>
#include <string.h>

#include "part.h"

static int compare_ids(const void *left, const void *right)
{
    return strcmp(left, right);
}

void vmh_part_sort(struct vmh_part *part)
{
    qsort(part->ids, part->count, sizeof part->ids[0], compare_ids);
}

bool vmh_part_has(const struct vmh_part *part, const char *id)
{
    return id && id[0] && part->count &&
           bsearch(id, part->ids, part->count, sizeof part->ids[0], compare_ids) != NULL;
}
