/* SPDX-License-Identifier: MIT */
/*
 * Handshakes per second a responder completes on one core: consume an
 * initiation, make the response, derive the session (what a gateway does
 * for each connecting operator). The initiations are made beforehand, and
 * the clock is the protocol core's injected one, stepped past the per-peer
 * flood limit, so only the responder's work is timed. Also X25519 alone,
 * for the ceiling: a responder does four (one a base-point multiply; the
 * static-static one is precomputed per peer). Wall and CPU time both: on a
 * shared machine only the CPU figure says what one core does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "wg_noise.h"

static struct wg_noise_handshake responder_view;

static struct wg_noise_handshake *lookup(void *ctx, const uint8_t key[WG_KEY_LEN])
{
	(void)ctx;
	(void)key;
	return &responder_view;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* X25519 scalar multiplications per CPU second (the dominant cost). */
static double x25519_per_s(int n)
{
	uint8_t a[WG_KEY_LEN], b[WG_KEY_LEN], out[WG_KEY_LEN];
	double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

	randombytes_buf(a, sizeof(a));
	crypto_scalarmult_base(b, a);
	for (int i = 0; i < n; i++) {
		if (crypto_scalarmult(out, a, b))
			return 0;
		a[i % WG_KEY_LEN] ^= out[0];
	}
	return n / (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	struct wg_noise_static_identity ini, resp;
	struct wg_noise_handshake hs;
	struct wg_message_handshake_initiation *msgs;
	struct wg_message_handshake_response r;
	struct wg_noise_keypair kp;
	uint8_t k[WG_KEY_LEN], eph[WG_KEY_LEN], tai[WG_TIMESTAMP_LEN];
	int ok = 0;
	double t0, t1, c0, c1, x;

	if (n <= 0 || sodium_init() < 0 || wg_crypto_init())
		return 1;
	msgs = calloc((size_t)n, sizeof(*msgs));
	if (!msgs)
		return 1;
	randombytes_buf(k, sizeof(k));
	wg_noise_static_identity_set(&ini, k);
	randombytes_buf(k, sizeof(k));
	wg_noise_static_identity_set(&resp, k);
	wg_noise_handshake_init(&hs, &ini, resp.static_public, NULL);
	wg_noise_handshake_init(&responder_view, &resp, ini.static_public, NULL);
	for (int i = 0; i < n; i++) {
		randombytes_buf(eph, sizeof(eph));
		wg_noise_tai64n(tai, 1700000000 + i, 0);	/* strictly newer each time */
		if (wg_noise_create_initiation(&hs, &msgs[i], (uint32_t)i, eph, tai))
			return 1;
	}
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (int i = 0; i < n; i++) {
		/* 1 s apart on the injected clock: never a flood. */
		if (!wg_noise_consume_initiation(&msgs[i], &resp, lookup, NULL, (uint64_t)i * 1000))
			continue;
		randombytes_buf(eph, sizeof(eph));
		if (wg_noise_create_response(&responder_view, &r, (uint32_t)i, eph) ||
		    wg_noise_begin_session(&responder_view, &kp, (uint64_t)i * 1000))
			continue;
		wg_noise_keypair_wipe(&kp);
		ok++;
	}
	t1 = clock_s(CLOCK_MONOTONIC);
	c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	x = x25519_per_s(n / 4 > 0 ? n / 4 : 1);
	printf("responder handshakes: %d of %d in %.3f s = %.0f handshakes/s on one core "
	       "(%.0f per CPU second); X25519 %.0f/CPU s, so the ceiling is %.0f/s\n", ok, n,
	       t1 - t0, ok / (t1 - t0), ok / (c1 - c0), x, x / 4);
	free(msgs);
	wg_crypto_exit();
	return ok == n ? 0 : 1;
}
