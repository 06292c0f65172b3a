/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench_util.h"

static void op_send_udp(void *ctx, const union kgw_sockaddr *to, const uint8_t *buf, size_t len)
{
	(void)ctx, (void)to, (void)buf, (void)len;
}

static void op_write_tun(void *ctx, uint8_t *pkt, size_t len)
{
	(void)ctx, (void)pkt, (void)len;
}

static void op_peer_timer(void *ctx, struct wg_peer *peer, uint64_t deadline_ms)
{
	(void)ctx, (void)peer, (void)deadline_ms;
}

static void op_random(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	randombytes_buf(out, len);
}

static void op_realtime(void *ctx, struct timespec *ts)
{
	(void)ctx;
	clock_gettime(CLOCK_REALTIME, ts);
}

const struct wg_device_ops bench_quiet_ops = {
	.send_udp = op_send_udp,
	.write_tun = op_write_tun,
	.peer_timer = op_peer_timer,
	.random = op_random,
	.realtime = op_realtime,
};

long bench_resident_kib(void)
{
	long pages = 0, size;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f && fscanf(f, "%ld %ld", &size, &pages) != 2)
		pages = 0;
	if (f)
		fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void bench_report(const char *bench, const char *what, double *ns, size_t n)
{
	qsort(ns, n, sizeof(*ns), cmp);
	printf("%s %-30s median %8.0f ns, p99 %8.0f ns, worst %8.0f ns\n", bench, what, ns[n / 2],
	       ns[n * 99 / 100], ns[n - 1]);
}
