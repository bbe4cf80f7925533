/* The module's clocks (nss_vmhosts/clock.h) for a test program that
 * includes this once: defined here, the library's are not linked.  The
 * monotonic ones stand still, so that "at once" is the same millisecond
 * however slow the machine, and move only when the test moves held_ms;
 * the wall clocks are the real ones. */
#ifndef VMHOSTS_TEST_HELD_CLOCK_H
#define VMHOSTS_TEST_HELD_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "clock.h"

static int64_t held_ms;

static int64_t read_clock(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t vmh_monotonic_ms(void)
{
    return held_ms;
}

int64_t vmh_realtime_ms(void)
{
    return read_clock(CLOCK_REALTIME);
}

int64_t vmh_monotonic_coarse_ms(void)
{
    return held_ms;
}

int64_t vmh_realtime_coarse_ms(void)
{
    return read_clock(CLOCK_REALTIME_COARSE);
}

#endif
