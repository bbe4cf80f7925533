/* Growing a byte buffer: see grow.h. */
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"

int vmh_grow_bytes(char **data, size_t *capacity, size_t needed, size_t first, size_t most)
{
    if (needed <= *capacity)
        return 0;
    if (needed > most)
        return -1;
    size_t wanted = *capacity ? *capacity : (first ? first : 1);
    while (wanted < needed)
        wanted = wanted > SIZE_MAX / 2 ? needed : wanted * 2;
    if (wanted > most)
        wanted = most;
    char *bigger = realloc(*data, wanted);
    if (!bigger)
        return -1;
    *data = bigger;
    *capacity = wanted;
    return 0;
}
