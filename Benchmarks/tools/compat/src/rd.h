/*
 * Inboxwatch benchmark compat header -- NOT librdkafka's rd.h.
 *
 * librdkafka's examples/rdkafka_performance.c is written to be built inside
 * the librdkafka source tree and includes the internal headers
 * "../src/rd.h", "rd.h" and "rdtime.h", which librdkafka-dev does not ship.
 * The tool only needs a handful of helpers from them (rd_ts_t, rd_clock,
 * rd_snprintf, RD_MIN/RD_MAX), so we provide those here on plain POSIX.
 *
 * Build with `-iquote <this directory>`: "../src/rd.h" then resolves to
 * <this dir>/../src/rd.h == this file, and "rd.h"/"rdtime.h" to this
 * directory too (see Benchmarks/run.sh).
 */
#ifndef INBOXWATCH_BENCH_COMPAT_RD_H
#define INBOXWATCH_BENCH_COMPAT_RD_H

/* Same as upstream: rd.h is included first and enables GNU extensions
 * (strndup, etc.) before any system header is seen. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/time.h> /* gettimeofday() */
#include <unistd.h>   /* getopt(), usleep() */

/* Timestamp in microseconds. */
typedef int64_t rd_ts_t;

#define rd_snprintf(...) snprintf(__VA_ARGS__)

#ifndef RD_MIN
#define RD_MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef RD_MAX
#define RD_MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* Monotonic clock in microseconds (upstream uses CLOCK_MONOTONIC too). */
static inline rd_ts_t rd_clock(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ((rd_ts_t)ts.tv_sec * 1000000LL) +
               ((rd_ts_t)ts.tv_nsec / 1000);
}

#endif /* INBOXWATCH_BENCH_COMPAT_RD_H */
