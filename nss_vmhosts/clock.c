/* Whole milliseconds, as every deadline and time stamp here is kept, so
 * that no caller converts a timespec of its own. */
#include "clock.h"

#include <time.h>

static int64_t clock_ms(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t vmh_monotonic_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

int64_t vmh_realtime_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

int64_t vmh_monotonic_coarse_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC_COARSE);
}

int64_t vmh_realtime_coarse_ms(void)
{
    return clock_ms(CLOCK_REALTIME_COARSE);
}
