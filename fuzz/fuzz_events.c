/* libFuzzer target: one line of Docker's event stream, sorted and noted
 * (docker_events.c, docker_changes.c), then what the next refresh would
 * ask Docker for: only full IDs, or everything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "docker_changes.h"
#include "docker_events.h"

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char ids[VMH_DOCKER_CHANGED_MAX][VMH_DOCKER_ID_LENGTH + 1];
    vmh_docker_changes_forget();
    vmh_docker_changes_listed_all();
    vmh_docker_event_relevant((const char *)input, size);
    size_t count = vmh_docker_changes_take(vmh_monotonic_ms(), ids, VMH_DOCKER_CHANGED_MAX);
    for (size_t i = 0; i < count; i++)
        if (strlen(ids[i]) != VMH_DOCKER_ID_LENGTH ||
            strspn(ids[i], "0123456789abcdef") != VMH_DOCKER_ID_LENGTH)
            abort();
    return 0;
}
