/* SPDX-License-Identifier: MIT */
/* base32 (RFC 4648), HOTP (RFC 4226) and TOTP (RFC 6238), and against oathtool. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base32.h"
#include "otpauth.h"
#include "totp.h"
#include "unit.h"

/* RFC 4648 section 10. */
static const struct {
	const char *raw, *enc;
} b32_vectors[] = {
	/* 0 */ { "", "" },
	/* 1 */ { "f", "MY======" },
	/* 2 */ { "fo", "MZXQ====" },
	/* 3 */ { "foo", "MZXW6===" },
	/* 4 */ { "foob", "MZXW6YQ=" },
	/* 5 */ { "fooba", "MZXW6YTB" },
	/* 6 */ { "foobar", "MZXW6YTBOI======" },
};

START_TEST(test_base32_vectors)
{
	const char *raw = b32_vectors[_i].raw, *enc = b32_vectors[_i].enc;
	char out[32], nopad[32];
	uint8_t dec[16];
	size_t n;

	ck_assert_uint_eq(kgw_base32_encode((const uint8_t *)raw, strlen(raw), true, out,
					    sizeof(out)), strlen(enc));
	ck_assert_str_eq(out, enc);
	/* Unpadded: what otpauth:// URIs carry. */
	kgw_base32_encode((const uint8_t *)raw, strlen(raw), false, nopad, sizeof(nopad));
	ck_assert_uint_eq(strlen(nopad), strcspn(enc, "="));
	ck_assert_int_eq(kgw_base32_decode(enc, dec, sizeof(dec), &n), 0);
	ck_assert_uint_eq(n, strlen(raw));
	ck_assert_mem_eq(dec, raw, n);
	ck_assert_int_eq(kgw_base32_decode(nopad, dec, sizeof(dec), &n), 0);
	ck_assert_uint_eq(n, strlen(raw));
	ck_assert_mem_eq(dec, raw, n);
}
END_TEST

static const struct {
	const char *in;
	int ret;
	const char *out;
} b32_decode_cases[] = {
	/* 0 */ { "mzxw6ytboi", 0, "foobar" },		/* lower case */
	/* 1 */ { "MZXW 6YTB OI", 0, "foobar" },		/* grouped as apps show it */
	/* 2 */ { "MZXW6YTBOI==", 0, "foobar" },		/* short padding */
	/* 3 */ { "M", -EINVAL, NULL },			/* impossible lengths */
	/* 4 */ { "MZX", -EINVAL, NULL },
	/* 5 */ { "MZXW6Y", -EINVAL, NULL },
	/* 6 */ { "MZ", -EINVAL, NULL },			/* non-zero trailing bits */
	/* 7 */ { "MY=A", -EINVAL, NULL },			/* data after padding */
	/* 8 */ { "MZXW1", -EINVAL, NULL },			/* 1 is not base32 */
	/* 9 */ { "MZXW8", -EINVAL, NULL },
	/* 10 */ { "MZ!W6", -EINVAL, NULL },
	/* 11 */ { "MZXW6YTBOIMZXW6YTBOI", -ENOSPC, NULL },	/* 12 bytes into 8 */
};

START_TEST(test_base32_decode_cases)
{
	uint8_t out[8];
	size_t n = 99;
	int ret = kgw_base32_decode(b32_decode_cases[_i].in, out, sizeof(out), &n);

	ck_assert_int_eq(ret, b32_decode_cases[_i].ret);
	if (ret) {
		static const uint8_t zero[8];

		ck_assert_uint_eq(n, 0);
		ck_assert_mem_eq(out, zero, sizeof(out));	/* wiped, not half-filled */
	} else {
		ck_assert_uint_eq(n, strlen(b32_decode_cases[_i].out));
		ck_assert_mem_eq(out, b32_decode_cases[_i].out, n);
	}
}
END_TEST

START_TEST(test_base32_encode_no_room)
{
	static const uint8_t foobar[] = "foobar";
	char out[8];

	/* "foobar" needs 16 + NUL padded, 10 + NUL unpadded. */
	ck_assert_uint_eq(kgw_base32_encode(foobar, 6, true, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(kgw_base32_encode(foobar, 6, false, out, sizeof(out)), 0);
	ck_assert_uint_eq(kgw_base32_encode(foobar, 6, false, out, 0), 0);
}
END_TEST

static const uint8_t rfc_key[] = "12345678901234567890";

/* RFC 4226 appendix D. */
static const uint32_t hotp_vectors[] = {
	755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
};

START_TEST(test_hotp_rfc4226)
{
	uint32_t code;

	ck_assert_int_eq(kgw_hotp(rfc_key, 20, (uint64_t)_i, 6, &code), 0);
	ck_assert_uint_eq(code, hotp_vectors[_i]);
}
END_TEST

/* RFC 6238 appendix B, the SHA-1 rows (8 digits, 30 s steps). */
static const struct {
	uint64_t time;
	const char *code;
} totp_vectors[] = {
	/* 0 */ { 59, "94287082" },
	/* 1 */ { 1111111109, "07081804" },
	/* 2 */ { 1111111111, "14050471" },
	/* 3 */ { 1234567890, "89005924" },
	/* 4 */ { 2000000000, "69279037" },
	/* 5 */ { 20000000000ULL, "65353130" },
};

START_TEST(test_totp_rfc6238)
{
	struct kgw_totp_params p = { .digits = 8, .step = 30, .window = 0 };
	char text[KGW_TOTP_CODE_MAX];
	uint64_t t = totp_vectors[_i].time, matched;
	uint32_t code;

	ck_assert_int_eq(kgw_hotp(rfc_key, 20, kgw_totp_counter(t, 30), 8, &code), 0);
	kgw_totp_format(code, 8, text);
	ck_assert_str_eq(text, totp_vectors[_i].code);
	ck_assert_int_eq(kgw_totp_verify(rfc_key, 20, totp_vectors[_i].code, t, &p, 0, &matched),
			 KGW_TOTP_OK);
	ck_assert_uint_eq(matched, t / 30);
}
END_TEST

static void code_at(uint64_t t, const struct kgw_totp_params *p, char out[KGW_TOTP_CODE_MAX])
{
	uint32_t v;

	ck_assert_int_eq(kgw_hotp(rfc_key, 20, kgw_totp_counter(t, p->step), p->digits, &v), 0);
	kgw_totp_format(v, p->digits, out);
}

/* Codes from steps around T = 1234567890 (step 41152263), checked at T. */
static const struct {
	int offset;		/* seconds from T the code was made at */
	unsigned int window;
	uint64_t last;		/* last accepted step, relative to T's (0: none) */
	bool has_last;
	enum kgw_totp_result want;
} window_cases[] = {
	/* 0 */ { 0, 1, 0, false, KGW_TOTP_OK },
	/* 1 */ { -30, 1, 0, false, KGW_TOTP_OK },	/* one step behind: clock skew */
	/* 2 */ { 30, 1, 0, false, KGW_TOTP_OK },
	/* 3 */ { -60, 1, 0, false, KGW_TOTP_BAD },	/* outside the window */
	/* 4 */ { 60, 1, 0, false, KGW_TOTP_BAD },
	/* 5 */ { -30, 0, 0, false, KGW_TOTP_BAD },	/* window 0: this step only */
	/* 6 */ { -90, 3, 0, false, KGW_TOTP_OK },
	/* 7 */ { 0, 1, 0, true, KGW_TOTP_REPLAY },	/* this very step was used */
	/* 8 */ { 0, 1, 1, true, KGW_TOTP_REPLAY },	/* a later step was used */
	/* 9 */ { 30, 1, 0, true, KGW_TOTP_OK },	/* a newer one is fine */
	/* 10 */ { -30, 1, 0, true, KGW_TOTP_REPLAY },	/* an older one is not */
	/* 11 */ { -300, 10, 0, false, KGW_TOTP_OK },
	/* 12 */ { -330, 10, 0, false, KGW_TOTP_BAD },
};

START_TEST(test_totp_window_and_replay)
{
	struct kgw_totp_params p = { .digits = 6, .step = 30, .window = window_cases[_i].window };
	const uint64_t t = 1234567890, c = t / 30;
	char code[KGW_TOTP_CODE_MAX];
	uint64_t matched = 7, last;

	code_at((uint64_t)((int64_t)t + window_cases[_i].offset), &p, code);
	last = window_cases[_i].has_last ? c + window_cases[_i].last : 0;
	ck_assert_int_eq(kgw_totp_verify(rfc_key, 20, code, t, &p, last, &matched),
			 window_cases[_i].want);
	if (window_cases[_i].want == KGW_TOTP_OK)
		ck_assert_uint_eq(matched, (uint64_t)((int64_t)t + window_cases[_i].offset) / 30);
	else
		ck_assert_uint_eq(matched, 0);
}
END_TEST

static const char *const malformed[] = {
	/* 0 */ "", /* 1 */ "12345", /* 2 */ "1234567", /* 3 */ "12a456", /* 4 */ " 12345",
	/* 5 */ "-12345", /* 6 */ "123 456", /* 7 */ "１２３４５６",
};

START_TEST(test_totp_malformed)
{
	struct kgw_totp_params p;
	uint64_t m;

	kgw_totp_params_default(&p);
	ck_assert_int_eq(kgw_totp_verify(rfc_key, 20, malformed[_i], 1234567890, &p, 0, &m),
			 KGW_TOTP_BAD);
}
END_TEST

START_TEST(test_totp_params)
{
	struct kgw_totp_params p;
	char code[KGW_TOTP_CODE_MAX];
	uint32_t v;
	uint64_t m;

	kgw_totp_params_default(&p);
	ck_assert_int_eq(kgw_totp_params_check(&p), 0);
	ck_assert_uint_eq(p.digits, 6);
	ck_assert_uint_eq(p.step, 30);
	ck_assert_uint_eq(p.window, 1);
	p.digits = 5;
	ck_assert_int_eq(kgw_totp_params_check(&p), -EINVAL);
	p.digits = 9;
	ck_assert_int_eq(kgw_totp_params_check(&p), -EINVAL);
	p.digits = 6;
	p.step = 0;
	ck_assert_int_eq(kgw_totp_params_check(&p), -EINVAL);
	/* Bad parameters refuse even a right code rather than divide by zero. */
	ck_assert_int_eq(kgw_totp_verify(rfc_key, 20, "287082", 30, &p, 0, &m), KGW_TOTP_BAD);
	p.step = 30;
	p.window = 11;
	ck_assert_int_eq(kgw_totp_params_check(&p), -EINVAL);
	ck_assert_int_eq(kgw_hotp(rfc_key, 0, 1, 6, &v), -EINVAL);
	ck_assert_int_eq(kgw_hotp(rfc_key, 20, 1, 9, &v), -EINVAL);
	/* Leading zeros are kept. */
	kgw_totp_format(42, 6, code);
	ck_assert_str_eq(code, "000042");
	/* Near time 0 the window does not wrap around to huge steps. */
	p.window = 1;
	code_at(30, &p, code);
	ck_assert_int_eq(kgw_totp_verify(rfc_key, 20, code, 10, &p, 0, &m), KGW_TOTP_OK);
	ck_assert_uint_eq(m, 1);
}
END_TEST

/* Runs oathtool for a TOTP code at `t'; fails the test if it cannot. */
static void oathtool(const char *b32, uint64_t t, const struct kgw_totp_params *p,
		     char out[KGW_TOTP_CODE_MAX])
{
	char cmd[256], line[64];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "oathtool --totp -b -d %u -s %us -N @%llu '%s' 2>&1",
		 p->digits, p->step, (unsigned long long)t, b32);
	f = popen(cmd, "r");
	ck_assert_msg(f != NULL, "cannot run oathtool");
	ck_assert_msg(fgets(line, sizeof(line), f) != NULL, "no output from: %s", cmd);
	ck_assert_msg(pclose(f) == 0, "oathtool failed (is it installed?): %s", line);
	line[strcspn(line, "\n")] = '\0';
	ck_assert_uint_eq(strlen(line), p->digits);
	memcpy(out, line, p->digits + 1);
}

static const struct kgw_totp_params oath_params[] = {
	/* 0 */ { 6, 30, 1 },
	/* 1 */ { 8, 30, 1 },
	/* 2 */ { 6, 60, 1 },
	/* 3 */ { 7, 15, 2 },
};

/* Random secrets and times: what oathtool makes, we accept, in and only in the window. */
START_TEST(test_totp_oathtool)
{
	const struct kgw_totp_params *p = &oath_params[_i];
	uint8_t key[KGW_TOTP_SECRET_LEN];
	char b32[KGW_BASE32_ENCODED_LEN(KGW_TOTP_SECRET_LEN)], code[KGW_TOTP_CODE_MAX];
	uint64_t t, m;

	ck_assert_int_ge(sodium_init(), 0);
	for (int round = 0; round < 4; round++) {
		randombytes_buf(key, sizeof(key));
		kgw_base32_encode(key, sizeof(key), false, b32, sizeof(b32));
		t = 1500000000 + randombytes_uniform(500000000);
		oathtool(b32, t, p, code);
		ck_assert_int_eq(kgw_totp_verify(key, sizeof(key), code, t, p, 0, &m), KGW_TOTP_OK);
		ck_assert_uint_eq(m, t / p->step);
		/* The same code again, after it was accepted: a replay. */
		ck_assert_int_eq(kgw_totp_verify(key, sizeof(key), code, t, p, m, &m),
				 KGW_TOTP_REPLAY);
		/* Made window steps earlier: still fine; one more: refused. */
		oathtool(b32, t - p->window * p->step, p, code);
		ck_assert_int_eq(kgw_totp_verify(key, sizeof(key), code, t, p, 0, &m), KGW_TOTP_OK);
		oathtool(b32, t - (p->window + 1) * p->step, p, code);
		ck_assert_int_eq(kgw_totp_verify(key, sizeof(key), code, t, p, 0, &m),
				 KGW_TOTP_BAD);
		oathtool(b32, t + (p->window + 1) * p->step, p, code);
		ck_assert_int_eq(kgw_totp_verify(key, sizeof(key), code, t, p, 0, &m),
				 KGW_TOTP_BAD);
	}
}
END_TEST

/* The URI apps scan: text parts percent-encoded (RFC 3986 unreserved kept). */
START_TEST(test_otpauth_uri)
{
	char uri[KGW_OTPAUTH_URI_MAX], small[64], issuer[256];

	ck_assert_int_eq(kgw_otpauth_uri(uri, sizeof(uri), "kgw", "alice", "JBSWY3DPEHPK3PXP", 6,
					 30), 0);
	ck_assert_str_eq(uri, "otpauth://totp/kgw:alice?secret=JBSWY3DPEHPK3PXP&issuer=kgw"
			      "&algorithm=SHA1&digits=6&period=30");
	/* Space, colon, ampersand, percent, UTF-8: none may end the label or a parameter. */
	ck_assert_int_eq(kgw_otpauth_uri(uri, sizeof(uri), "ACME Corp:prod&x", "o.k-_~%\xc3\xa9",
					 "AAAA", 8, 60), 0);
	ck_assert_str_eq(uri, "otpauth://totp/ACME%20Corp%3Aprod%26x:o.k-_~%25%C3%A9?secret=AAAA"
			      "&issuer=ACME%20Corp%3Aprod%26x&algorithm=SHA1&digits=8&period=60");
	/* Cut short is an error and leaves nothing, never a truncated URI. */
	ck_assert_int_eq(kgw_otpauth_uri(small, sizeof(small), "kgw", "alice", "JBSWY3DPEHPK3PXP",
					 6, 30), -ENOSPC);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(kgw_otpauth_uri(small, 0, "kgw", "a", "A", 6, 30), -ENOSPC);
	/* The worst kgw can be asked for fits (the bound the callers rely on). */
	memset(issuer, '%', sizeof(issuer) - 1);
	issuer[sizeof(issuer) - 1] = '\0';
	ck_assert_int_eq(kgw_otpauth_uri(uri, sizeof(uri), issuer, "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%",
					 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
					 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 10, 4294967295u), 0);
}
END_TEST

static Suite *totp_suite(void)
{
	Suite *s = suite_create("totp");
	TCase *tc = tcase_create("base32");

	tcase_add_loop_test(tc, test_base32_vectors, 0, ARRAY_SIZE(b32_vectors));
	tcase_add_loop_test(tc, test_base32_decode_cases, 0, ARRAY_SIZE(b32_decode_cases));
	tcase_add_test(tc, test_base32_encode_no_room);
	tcase_add_test(tc, test_otpauth_uri);
	suite_add_tcase(s, tc);
	tc = tcase_create("otp");
	tcase_add_loop_test(tc, test_hotp_rfc4226, 0, ARRAY_SIZE(hotp_vectors));
	tcase_add_loop_test(tc, test_totp_rfc6238, 0, ARRAY_SIZE(totp_vectors));
	tcase_add_loop_test(tc, test_totp_window_and_replay, 0, ARRAY_SIZE(window_cases));
	tcase_add_loop_test(tc, test_totp_malformed, 0, ARRAY_SIZE(malformed));
	tcase_add_test(tc, test_totp_params);
	suite_add_tcase(s, tc);
	tc = tcase_create("oathtool");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_totp_oathtool, 0, ARRAY_SIZE(oath_params));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(totp_suite());
}
