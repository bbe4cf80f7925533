/* The two clocks, in milliseconds, for the module and the command alike.
 * Deadlines, timeouts and rate limits use the monotonic clock, which no
 * one can set back; only what is written into a cache, or compared with
 * what a cache holds, uses the wall clock, since other processes read it. */
#ifndef VMHOSTS_CLOCK_H
#define VMHOSTS_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC: for measuring, never for storing. */
int64_t vmh_monotonic_ms(void);

/* CLOCK_REALTIME, Unix ms: for time stamps in a cache and their age. */
int64_t vmh_realtime_ms(void);

#endif
