/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "totp.h"

#define SHA1_LEN 20

static const uint32_t powers_of_ten[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

void kgw_totp_params_default(struct kgw_totp_params *p)
{
	p->digits = KGW_TOTP_DIGITS_DEFAULT;
	p->step = KGW_TOTP_STEP_DEFAULT;
	p->window = KGW_TOTP_WINDOW_DEFAULT;
}

int kgw_totp_params_check(const struct kgw_totp_params *p)
{
	if (p->digits < KGW_TOTP_DIGITS_MIN || p->digits > KGW_TOTP_DIGITS_MAX)
		return -EINVAL;
	if (p->step < KGW_TOTP_STEP_MIN || p->step > KGW_TOTP_STEP_MAX)
		return -EINVAL;
	if (p->window > KGW_TOTP_WINDOW_MAX)
		return -EINVAL;
	return 0;
}

int kgw_hotp(const uint8_t *key, size_t key_len, uint64_t counter, unsigned int digits,
	     uint32_t *code)
{
	uint8_t msg[8], mac[SHA1_LEN];
	size_t mac_len = 0;
	unsigned int off;
	uint32_t bin;

	if (digits < KGW_TOTP_DIGITS_MIN || digits > KGW_TOTP_DIGITS_MAX || !key_len ||
	    key_len > KGW_TOTP_SECRET_MAX)
		return -EINVAL;
	for (int i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (uint8_t)counter;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA1", NULL, key, key_len, msg, sizeof(msg),
		       mac, sizeof(mac), &mac_len) || mac_len != SHA1_LEN) {
		OPENSSL_cleanse(mac, sizeof(mac));
		return -EIO;
	}
	/* RFC 4226 section 5.3: dynamic truncation. */
	off = mac[SHA1_LEN - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	      (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	*code = bin % powers_of_ten[digits];
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

void kgw_totp_format(uint32_t code, unsigned int digits, char out[static KGW_TOTP_CODE_MAX])
{
	if (digits > KGW_TOTP_DIGITS_MAX)
		digits = KGW_TOTP_DIGITS_MAX;
	code %= powers_of_ten[digits];
	/* By hand: no format truncation to reason about, and nothing left on the stack. */
	for (unsigned int i = digits; i > 0; i--, code /= 10)
		out[i - 1] = (char)('0' + code % 10);
	out[digits] = '\0';
}

uint64_t kgw_totp_counter(uint64_t now, unsigned int step)
{
	return step ? now / step : 0;
}

static bool well_formed(const char *code, unsigned int digits)
{
	size_t i;

	for (i = 0; code[i]; i++)
		if (code[i] < '0' || code[i] > '9' || i >= digits)
			return false;
	return i == digits;
}

enum kgw_totp_result kgw_totp_verify(const uint8_t *key, size_t key_len, const char *code,
				     uint64_t now, const struct kgw_totp_params *p,
				     uint64_t last, uint64_t *matched)
{
	char want[KGW_TOTP_CODE_MAX];
	uint64_t c, best = 0;
	bool any = false;
	uint32_t v;

	*matched = 0;
	if (kgw_totp_params_check(p) || !well_formed(code, p->digits))
		return KGW_TOTP_BAD;
	c = kgw_totp_counter(now, p->step);
	/*
	 * Every step in the window is computed and compared, match or not, so
	 * the time taken says nothing about which step (if any) matched.
	 */
	for (uint64_t i = c >= p->window ? c - p->window : 0; i <= c + p->window; i++) {
		bool hit;

		if (kgw_hotp(key, key_len, i, p->digits, &v))
			return KGW_TOTP_BAD;
		kgw_totp_format(v, p->digits, want);
		hit = sodium_memcmp(want, code, p->digits) == 0;
		any |= hit;
		/* The latest matching step wins: it leaves the least to replay. */
		if (hit && i > last)
			best = i;
		sodium_memzero(want, sizeof(want));
	}
	if (!any)
		return KGW_TOTP_BAD;
	if (!best)
		return KGW_TOTP_REPLAY;
	*matched = best;
	return KGW_TOTP_OK;
}
