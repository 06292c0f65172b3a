/* SPDX-License-Identifier: MIT */
/*
 * A device with many authorized peers (default 10,000, as a gateway with
 * that many operators): resident memory per peer beyond the empty
 * device, peer lookup by public key and by index, allowed-IP lookup, and
 * authorizing (add the peer and its /32) and revoking one peer at that
 * size. Lookups: CPU time of n lookups, divided (reading a CPU-time clock
 * per call would cost more than a lookup). Authorize and revoke: median,
 * 99th percentile and worst of per-call samples, wall clock, so on a
 * shared machine the tail includes being preempted (a 4 ms tick).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench_util.h"
#include "wg_crypto.h"
#include "wg_peer.h"

static double clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void report_mean(const char *what, double total_ns, size_t n)
{
	printf("scale %-30s %8.0f ns each (mean of %zu)\n", what, total_ns / (double)n, n);
}

static void cidr_of(struct kgw_cidr *c, size_t i)
{
	memset(c, 0, sizeof(*c));
	c->family = AF_INET;
	c->prefix = 32;
	c->addr[0] = 10;
	c->addr[1] = (uint8_t)(i >> 16);
	c->addr[2] = (uint8_t)(i >> 8);
	c->addr[3] = (uint8_t)i;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	uint8_t (*keys)[WG_KEY_LEN] = NULL, priv[WG_KEY_LEN];
	struct wg_peer **peers = NULL;
	struct wg_device *dev = NULL;
	double *ns = NULL, t;
	struct kgw_cidr c;
	long base;
	int ret = 1;

	if (n < 2 || n > 1000000 || sodium_init() < 0 || wg_crypto_init())
		return 1;
	keys = calloc(n, sizeof(*keys));
	peers = calloc(n, sizeof(*peers));
	ns = calloc(n, sizeof(*ns));
	if (!keys || !peers || !ns || !(dev = wg_device_new(&bench_quiet_ops, NULL)))
		goto out;
	randombytes_buf(keys, n * sizeof(*keys));
	randombytes_buf(priv, sizeof(priv));
	wg_crypto_clamp(priv);
	wg_device_set_private_key(dev, priv);
	base = bench_resident_kib();
	/* Authorize: the peer (with its static-static DH) and its /32, then an index as a handshake would. */
	for (size_t i = 0; i < n; i++) {
		t = clock_ns(CLOCK_MONOTONIC);
		peers[i] = wg_device_add_peer(dev, keys[i]);
		cidr_of(&c, i);
		if (!peers[i] || wg_device_peer_allow(dev, peers[i], &c))
			goto out;
		ns[i] = clock_ns(CLOCK_MONOTONIC) - t;
		if (wg_index_add(dev, &peers[i]->handshake_entry, WG_INDEX_HANDSHAKE, peers[i], NULL))
			goto out;
	}
	printf("scale %zu peers: %.0f bytes resident per peer beyond the empty device (%ld KiB in all)\n",
	       n, (double)(bench_resident_kib() - base) * 1024 / (double)n, bench_resident_kib() - base);
	bench_report("scale", "authorize one peer", ns, n);
	/* A stride through the peers, so consecutive lookups do not share cache lines. */
	t = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (size_t i = 0; i < n; i++) {
		size_t j = (i * 7919) % n;

		if (wg_device_peer_by_key(dev, keys[j]) != peers[j])
			goto out;
	}
	report_mean("lookup by public key", clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t, n);
	t = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (size_t i = 0; i < n; i++) {
		size_t j = (i * 7919) % n;

		if (!wg_index_find(dev, peers[j]->handshake_entry.index, WG_INDEX_HANDSHAKE))
			goto out;
	}
	report_mean("lookup by index", clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t, n);
	t = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (size_t i = 0; i < n; i++) {
		size_t j = (i * 7919) % n;

		cidr_of(&c, j);
		if (wg_allowedips_lookup(&dev->allowedips, AF_INET, c.addr) != peers[j])
			goto out;
	}
	report_mean("allowed-IP lookup (a /32 of n)", clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t, n);
	/* Revoke every other peer, timing each, at close to full size. */
	for (size_t i = 0; i < n / 2; i++) {
		t = clock_ns(CLOCK_MONOTONIC);
		wg_device_remove_peer(dev, peers[2 * i]);
		ns[i] = clock_ns(CLOCK_MONOTONIC) - t;
	}
	bench_report("scale", "revoke one peer", ns, n / 2);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "scale: a lookup or an insert failed\n");
	wg_device_free(dev);
	sodium_memzero(priv, sizeof(priv));
	free(keys);
	free(peers);
	free(ns);
	wg_crypto_exit();
	return ret;
}
