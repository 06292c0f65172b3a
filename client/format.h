/* SPDX-License-Identifier: MIT */
/* Durations and byte counts for people, as `wg show' writes them. Pure. */
#ifndef KGWC_FORMAT_H
#define KGWC_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define KGWC_FORMAT_MAX 64

/* "1 hour, 2 minutes, 3 seconds"; "0 seconds" for 0. */
const char *kgwc_format_duration(uint64_t seconds, char out[static KGWC_FORMAT_MAX]);
/* "812 B", "1.21 KiB", "3.40 MiB" ... */
const char *kgwc_format_bytes(uint64_t bytes, char out[static KGWC_FORMAT_MAX]);

#endif
