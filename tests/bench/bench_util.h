/* SPDX-License-Identifier: MIT */
/* What the engine and kgwd scale benches share: a device that sends nothing, memory, timings. */
#ifndef KGW_BENCH_UTIL_H
#define KGW_BENCH_UTIL_H

#include <stddef.h>

#include "wg_device.h"

/* Device callbacks that drop every packet and timer: only the tables are measured. */
extern const struct wg_device_ops bench_quiet_ops;

/* This process's resident memory (statm), in KiB. */
long bench_resident_kib(void);
/* Sorts the `n' timings and prints median, 99th percentile and worst, prefixed by `bench'. */
void bench_report(const char *bench, const char *what, double *ns, size_t n);

#endif
