/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for base32 (lib/base32.c) and the code check behind
 * it (lib/totp.c). kgw has no otpauth:// parser: kgwctl only writes the
 * URI, so the secret text and the typed code are what reaches a parser.
 * The input is "SECRET\nCODE"; SECRET is decoded into a buffer whose size
 * the first byte picks, and what decodes must encode and decode back to
 * the same bytes; the raw input must survive encode-decode too; a key
 * that decodes is checked against CODE as pam_kgw would.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base32.h"
#include "totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAW_MAX 256

static void round_trip(const uint8_t *raw, size_t len, bool pad)
{
	char text[KGW_BASE32_ENCODED_LEN(RAW_MAX)];
	uint8_t back[RAW_MAX];
	size_t n, back_len;

	n = kgw_base32_encode(raw, len, pad, text, sizeof(text));
	if (n != strlen(text) || (len && !n))
		abort();
	if (kgw_base32_decode(text, back, sizeof(back), &back_len) || back_len != len ||
	    memcmp(back, raw, len))
		abort();
}

static void check_code(const uint8_t *key, size_t key_len, const char *code)
{
	struct kgw_totp_params p;
	uint64_t matched = 0;
	enum kgw_totp_result r;

	kgw_totp_params_default(&p);
	r = kgw_totp_verify(key, key_len, code, 1700000000, &p, 0, &matched);
	/* A match is a step inside the window around now. */
	if (r == KGW_TOTP_OK && (matched + p.window < kgw_totp_counter(1700000000, p.step) ||
				 matched > kgw_totp_counter(1700000000, p.step) + p.window))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[RAW_MAX];
	size_t out_size, out_len = 0;
	char *text, *code;
	int ret;

	if (size < 1 || size > 4096)
		return 0;
	round_trip(data, size < RAW_MAX ? size : RAW_MAX, data[0] & 1);
	out_size = data[0] % (RAW_MAX + 1);
	memset(out, 0xaa, sizeof(out));
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	code = strchr(text, '\n');
	if (code)
		*code++ = '\0';
	ret = kgw_base32_decode(text, out, out_size, &out_len);
	if (ret == 0) {
		if (out_len > out_size)
			abort();
		round_trip(out, out_len, data[0] & 2);
		if (code)
			check_code(out, out_len, code);
	} else {
		/* On error `out' is wiped. */
		for (size_t i = 0; i < out_size; i++)
			if (out[i])
				abort();
	}
	free(text);
	return 0;
}
