/* SPDX-License-Identifier: MIT */
/*
 * CPU time per packet of the data path's AEAD (wg_aead_encrypt and
 * wg_aead_decrypt, whichever library wg_crypto.c picks for the length)
 * next to libsodium's one-shot call, for short and full-size packets.
 * CPU time rather than wall time: the figures stay comparable on a
 * machine shared with other work.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "wg_crypto.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, size_t len, int n, double secs)
{
	printf("aead %-16s %5zu bytes: %6.0f ns/packet, %.2f GB/s\n", what, len, secs / n * 1e9,
	       (double)len * n / secs / 1e9);
}

int main(int argc, char **argv)
{
	static uint8_t buf[1440 + WG_AUTHTAG_LEN], sealed[1440 + WG_AUTHTAG_LEN];
	static const size_t lens[] = { 64, 512, 1024, 1420 };
	int n = argc > 1 ? atoi(argv[1]) : 200000;
	uint8_t key[WG_KEY_LEN], nonce[12] = { 0 };
	struct wg_aead_key enc, dec;
	double t;

	if (n <= 0 || sodium_init() < 0 || wg_crypto_init())
		return 1;
	randombytes_buf(key, sizeof(key));
	if (wg_aead_key_init(&enc, key, true) || wg_aead_key_init(&dec, key, false))
		return 1;
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t len = lens[l];

		t = cpu_s();
		for (int i = 0; i < n; i++) {
			if (!wg_aead_encrypt(&enc, (uint64_t)i, buf, buf, len, NULL, 0))
				return 1;
		}
		report("wg_aead_encrypt", len, n, cpu_s() - t);
		/* One sealed packet opened n times: every open authenticates and decrypts. */
		if (!wg_aead_encrypt(&enc, 1, sealed, buf, len, NULL, 0))
			return 1;
		t = cpu_s();
		for (int i = 0; i < n; i++) {
			if (!wg_aead_decrypt(&dec, 1, buf, sealed, len + WG_AUTHTAG_LEN, NULL, 0))
				return 1;
		}
		report("wg_aead_decrypt", len, n, cpu_s() - t);
		t = cpu_s();
		for (int i = 0; i < n; i++) {
			nonce[4] = (uint8_t)i;
			crypto_aead_chacha20poly1305_ietf_encrypt(buf, NULL, buf, len, NULL, 0, NULL, nonce, key);
		}
		report("libsodium seal", len, n, cpu_s() - t);
	}
	wg_aead_key_wipe(&enc);
	wg_aead_key_wipe(&dec);
	sodium_memzero(key, sizeof(key));
	wg_crypto_exit();
	return 0;
}
