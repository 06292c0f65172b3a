/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "base32.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t kgw_base32_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t out_size)
{
	size_t need = (len * 8 + 4) / 5, n = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;

	if (pad)
		need = (len + 4) / 5 * 8;
	if (!out_size)
		return 0;
	out[0] = '\0';
	if (need >= out_size)
		return 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = alphabet[(acc >> bits) & 31];
		}
	}
	if (bits)
		out[n++] = alphabet[(acc << (5 - bits)) & 31];
	while (n < need)
		out[n++] = '=';
	out[n] = '\0';
	return n;
}

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int kgw_base32_decode(const char *in, uint8_t *out, size_t out_size, size_t *out_len)
{
	size_t n = 0, chars = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;
	bool padding = false;
	int ret = -EINVAL;

	for (const char *p = in; *p; p++) {
		int v;

		if (*p == ' ')
			continue;
		if (*p == '=') {
			padding = true;
			continue;
		}
		v = value_of(*p);
		if (v < 0 || padding)
			goto fail;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		chars++;
		if (bits >= 8) {
			bits -= 8;
			if (n == out_size) {
				ret = -ENOSPC;
				goto fail;
			}
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* 1, 3 or 6 characters in the last group cannot come from whole bytes. */
	switch (chars % 8) {
	case 1: case 3: case 6:
		goto fail;
	}
	if (acc & ((1u << bits) - 1))
		goto fail;
	*out_len = n;
	return 0;
fail:
	memset(out, 0, out_size);
	*out_len = 0;
	return ret;
}
