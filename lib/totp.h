/* SPDX-License-Identifier: MIT */
/*
 * HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1, the variant every
 * authenticator app implements. Pure: the caller passes the time in and
 * keeps the replay state (the last accepted time step) wherever it likes.
 */
#ifndef KGW_TOTP_H
#define KGW_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 4226 section 4 asks for at least 128 bits and recommends 160. */
#define KGW_TOTP_SECRET_LEN 20
#define KGW_TOTP_SECRET_MAX 64
#define KGW_TOTP_DIGITS_DEFAULT 6
#define KGW_TOTP_DIGITS_MIN 6
#define KGW_TOTP_DIGITS_MAX 8
#define KGW_TOTP_STEP_DEFAULT 30
#define KGW_TOTP_STEP_MIN 15
#define KGW_TOTP_STEP_MAX 300
/* Steps accepted either side of now: clock skew and typing time. */
#define KGW_TOTP_WINDOW_DEFAULT 1
#define KGW_TOTP_WINDOW_MAX 10
/* Longest code text, with the NUL. */
#define KGW_TOTP_CODE_MAX (KGW_TOTP_DIGITS_MAX + 1)

struct kgw_totp_params {
	unsigned int digits;
	unsigned int step;
	unsigned int window;
};

enum kgw_totp_result {
	KGW_TOTP_OK,
	KGW_TOTP_BAD,		/* malformed, or no step in the window matches */
	KGW_TOTP_REPLAY,	/* matches only steps at or before the last accepted one */
};

/* The defaults above. */
void kgw_totp_params_default(struct kgw_totp_params *p);
/* 0, or -EINVAL when a parameter is outside the limits above. */
int kgw_totp_params_check(const struct kgw_totp_params *p) __attribute__((warn_unused_result));

/* RFC 4226 HOTP value truncated to `digits' (6..8). 0 or negative errno. */
int kgw_hotp(const uint8_t *key, size_t key_len, uint64_t counter, unsigned int digits,
	     uint32_t *code) __attribute__((warn_unused_result));

/* The code as text, zero-padded to `digits'. */
void kgw_totp_format(uint32_t code, unsigned int digits, char out[static KGW_TOTP_CODE_MAX]);

/* The time step of a Unix time (T0 = 0). */
uint64_t kgw_totp_counter(uint64_t now, unsigned int step);

/*
 * Checks `code' against every step in [now - window, now + window], in
 * constant time over the window. `last' is the last step accepted for
 * this secret (0: none): a match at or before it is a replay. On
 * KGW_TOTP_OK *matched is the accepted step, which the caller stores as
 * the new `last' before it reports success.
 */
enum kgw_totp_result kgw_totp_verify(const uint8_t *key, size_t key_len, const char *code,
				     uint64_t now, const struct kgw_totp_params *p,
				     uint64_t last, uint64_t *matched)
	__attribute__((warn_unused_result));

#endif
