/* The two clocks, in milliseconds, for the module and the command alike.
 * Deadlines, timeouts and rate limits use the monotonic clock, which no
 * one can set back; only what is written into a cache, or compared with
 * what a cache holds, uses the wall clock, since other processes read it.
 *
 * Each clock comes precise and coarse.  The coarse one is the kernel's
 * time as of its last timer tick (one to ten milliseconds behind; four on
 * Debian's kernels), read without the time stamp counter in a fifth of the
 * time (6 ns against 28 here).  A hit reads two clocks, so the lookup path
 * reads the coarse ones; what is written or waited for reads the precise. */
#ifndef VMHOSTS_CLOCK_H
#define VMHOSTS_CLOCK_H

#include <stdint.h>

/* The furthest a coarse clock lags its precise one: a tick at HZ=100. */
#define VMH_COARSE_LAG_MS 10

/* CLOCK_MONOTONIC: for measuring, never for storing. */
int64_t vmh_monotonic_ms(void);

/* CLOCK_REALTIME, Unix ms: for time stamps in a cache and their age. */
int64_t vmh_realtime_ms(void);

/* CLOCK_MONOTONIC_COARSE and CLOCK_REALTIME_COARSE. */
int64_t vmh_monotonic_coarse_ms(void);
int64_t vmh_realtime_coarse_ms(void);

/* How old a wall-clock time stamp is, now being vmh_realtime_coarse_ms().
 * Stamps are written by the precise clock, so one just written may lie
 * up to a tick ahead: that is age 0.  Further ahead, the clock was set
 * back since and the age cannot be told: negative. */
static inline int64_t vmh_stamp_age_ms(int64_t now, int64_t stamp)
{
    int64_t age = now - stamp;
    return age < 0 && age >= -VMH_COARSE_LAG_MS ? 0 : age;
}

#endif
