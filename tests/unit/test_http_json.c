/* SPDX-License-Identifier: MIT */
/* JSON bodies in and out, and the response builder. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json.h"
#include "login.h"
#include "response.h"
#include "unit.h"

/* ---- request bodies ---- */

static const struct {
	const char *text;
	bool ok;
} parse_cases[] = {
	/*  0 */ { "{}", true },
	/*  1 */ { "{\"user\":\"alice\",\"n\":1}", true },
	/*  2 */ { " \n{\"a\":[1,2,{\"b\":null}]}\n ", true },
	/*  3 */ { "[]", false },
	/*  4 */ { "\"x\"", false },
	/*  5 */ { "17", false },
	/*  6 */ { "{\"a\":1,\"a\":2}", false },
	/*  7 */ { "{\"a\":1} x", false },
	/*  8 */ { "{\"a\":\"\\u0000\"}", false },
	/*  9 */ { "", false },
	/* 10 */ { "{\"a\":", false },
	/* 11 */ { "{\"a\":\"\xff\xfe\"}", false },
	/* 12 */ { "{'a':1}", false },
	/* 13 */ { "{\"a\":1,}", false },
	/* 14 */ { "null", false },
	/* 15 */ { "{\"a\":NaN}", false },
	/* 16 */ { "{\"\xc3\xa9\":\"\xe2\x82\xac\"}", true },
};

START_TEST(test_parse_object)
{
	char err[KGW_JSON_ERR_MAX] = "";
	const char *t = parse_cases[_i].text;
	json_t *v = kgw_json_parse_object(t, strlen(t), err);

	ck_assert_msg(!!v == parse_cases[_i].ok, "case %d: %s", _i, err);
	if (!v)
		ck_assert_uint_gt(strlen(err), 0);
	json_decref(v);
}
END_TEST

/* A NUL inside the body is not the end of it. */
START_TEST(test_parse_embedded_nul)
{
	static const char body[] = "{\"a\":1}\0{\"b\":2}";
	char err[KGW_JSON_ERR_MAX];
	json_t *v = kgw_json_parse_object(body, sizeof(body) - 1, err);

	ck_assert_ptr_null(v);
}
END_TEST

/* The reason goes back to the client and maybe to a log: no input in it. */
START_TEST(test_parse_error_quotes_nothing)
{
	static const char body[] = "{\"user\":\"alice\",\"password\":hunter2}";
	char err[KGW_JSON_ERR_MAX];

	ck_assert_ptr_null(kgw_json_parse_object(body, strlen(body), err));
	ck_assert_ptr_null(strstr(err, "hunter2"));
	ck_assert_ptr_nonnull(strstr(err, "column"));
}
END_TEST

START_TEST(test_deep_nesting)
{
	size_t depth = 100000;
	char *deep = malloc(depth + 3), err[KGW_JSON_ERR_MAX];

	ck_assert_ptr_nonnull(deep);
	deep[0] = '{';
	deep[1] = '"';
	memset(deep + 2, '[', depth);
	deep[depth + 2] = '\0';
	ck_assert_ptr_null(kgw_json_parse_object(deep, strlen(deep), err));
	free(deep);
}
END_TEST

static const struct {
	const char *text;
	size_t min, max;
	int ret;
	const char *value, *err_has;
} string_cases[] = {
	/*  0 */ { "{\"k\":\"abc\"}", 1, 8, 0, "abc", NULL },
	/*  1 */ { "{\"k\":\"\"}", 1, 8, -EINVAL, NULL, "1 to 8" },
	/*  2 */ { "{\"k\":\"\"}", 0, 8, 0, "", NULL },
	/*  3 */ { "{\"k\":\"12345678\"}", 1, 8, 0, "12345678", NULL },
	/*  4 */ { "{\"k\":\"123456789\"}", 1, 8, -EINVAL, NULL, "1 to 8" },
	/*  5 */ { "{\"k\":17}", 1, 8, -EINVAL, NULL, "must be a string" },
	/*  6 */ { "{\"k\":null}", 1, 8, -EINVAL, NULL, "must be a string" },
	/*  7 */ { "{\"k\":[\"a\"]}", 1, 8, -EINVAL, NULL, "must be a string" },
	/*  8 */ { "{\"k\":true}", 1, 8, -EINVAL, NULL, "must be a string" },
	/*  9 */ { "{\"other\":\"a\"}", 1, 8, -EINVAL, NULL, "missing field `k'" },
	/* 10 */ { "{\"k\":\"\xe2\x82\xac\"}", 3, 3, 0, "\xe2\x82\xac", NULL },
};

START_TEST(test_get_string)
{
	char err[KGW_JSON_ERR_MAX] = "";
	const char *t = string_cases[_i].text, *out = (const char *)1;
	json_t *v = kgw_json_parse_object(t, strlen(t), err);
	int ret;

	ck_assert_ptr_nonnull(v);
	ret = kgw_json_get_string(v, "k", string_cases[_i].min, string_cases[_i].max, &out, err);
	ck_assert_msg(ret == string_cases[_i].ret, "case %d: %d", _i, ret);
	if (!ret) {
		ck_assert_str_eq(out, string_cases[_i].value);
	} else {
		ck_assert_ptr_null(out);
		ck_assert_msg(strstr(err, string_cases[_i].err_has), "case %d: `%s'", _i, err);
	}
	json_decref(v);
}
END_TEST

START_TEST(test_check_keys)
{
	static const char *const allowed[] = { "user", "password", NULL };
	static const char good[] = "{\"user\":1,\"password\":2}";
	static const char bad[] = "{\"user\":1,\"pass\\nword\\\"\":2}";
	char err[KGW_JSON_ERR_MAX];
	json_t *v;

	v = kgw_json_parse_object(good, strlen(good), err);
	ck_assert_int_eq(kgw_json_check_keys(v, allowed, err), 0);
	json_decref(v);
	v = kgw_json_parse_object(bad, strlen(bad), err);
	ck_assert_int_eq(kgw_json_check_keys(v, allowed, err), -EINVAL);
	/* The key is quoted with its control character and quote made harmless. */
	ck_assert_str_eq(err, "unknown field `pass?word?'");
	json_decref(v);
}
END_TEST

/* POST /api/v1/sessions: what the API hands on, and what it refuses. */
#define LOGIN_KEY "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
static const struct {
	const char *text;
	const char *err_has;	/* NULL: accepted */
	bool user_known;	/* the audit can name the user */
} login_cases[] = {
	/* 0 */ { "{\"user\":\"alice\",\"password\":\"pw\",\"otp\":\"123456\",\"public_key\":\""
		  LOGIN_KEY "\"}", NULL, true },
	/* 1 */ { "{\"user\":\"-alice\",\"password\":\"pw\",\"otp\":\"123456\",\"public_key\":\""
		  LOGIN_KEY "\"}", "not a valid user name", false },
	/* 2 */ { "{\"user\":\"alice\",\"password\":\"pw\",\"otp\":\"12345a\",\"public_key\":\""
		  LOGIN_KEY "\"}", "digits only", true },
	/* 3 */ { "{\"user\":\"alice\",\"password\":\"pw\",\"otp\":\"123456\",\"public_key\":\""
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", "not a WireGuard public key", true },
	/* 4 */ { "{\"user\":\"alice\",\"password\":\"pw\",\"otp\":\"123456\"}", "missing", true },
	/* 5 */ { "{\"user\":\"alice\",\"password\":\"pw\",\"otp\":\"123456\",\"public_key\":\""
		  LOGIN_KEY "\",\"admin\":true}", "unknown field", false },
};

START_TEST(test_login_read)
{
	char err[KGW_JSON_ERR_MAX] = "";
	const char *t = login_cases[_i].text;
	json_t *v = kgw_json_parse_object(t, strlen(t), err);
	struct kgw_login l;
	int ret;

	ck_assert_ptr_nonnull(v);
	ret = kgw_login_read(v, &l, err);
	if (!login_cases[_i].err_has) {
		ck_assert_int_eq(ret, 0);
		ck_assert_str_eq(l.user, "alice");
		ck_assert_str_eq(l.password, "pw");
		ck_assert_str_eq(l.otp, "123456");
		ck_assert(!sodium_is_zero(l.public_key, sizeof(l.public_key)));
	} else {
		ck_assert_int_eq(ret, -EINVAL);
		ck_assert_msg(strstr(err, login_cases[_i].err_has), "case %d: `%s'", _i, err);
		ck_assert(login_cases[_i].user_known ? l.user && !strcmp(l.user, "alice") : !l.user);
		ck_assert_ptr_null(l.password);
		ck_assert_ptr_null(l.otp);
		ck_assert(sodium_is_zero(l.public_key, sizeof(l.public_key)));
	}
	json_decref(v);
}
END_TEST

START_TEST(test_error_body)
{
	size_t len;
	char *body = kgw_json_error_body("bad_request", "say \"hi\"\n", &len);

	ck_assert_str_eq(body, "{\"error\":{\"code\":\"bad_request\","
			       "\"message\":\"say \\\"hi\\\"\\n\"}}");
	ck_assert_uint_eq(len, strlen(body));
	free(body);
}
END_TEST

/* ---- responses ---- */

static char *serialize(const struct kgw_response *r, bool close, size_t *len)
{
	char *out;
	int ret = kgw_response_serialize(r, &kgw_response_api_policy, close, 0, &out, len);

	ck_assert_int_eq(ret, 0);
	/* NUL-terminated copy, for strstr. */
	out = realloc(out, *len + 1);
	ck_assert_ptr_nonnull(out);
	out[*len] = '\0';
	return out;
}

START_TEST(test_response_json)
{
	struct kgw_response *r = kgw_response_new(201);
	json_t *v = json_pack("{s:s,s:i}", "token", "abc", "keepalive", 25);
	static const char body[] = "{\"token\":\"abc\",\"keepalive\":25}";
	size_t len;
	char *out;

	ck_assert_int_eq(kgw_response_json(r, v), 0);
	ck_assert_int_eq(kgw_response_header(r, "Location", "/api/v1/sessions/current"), 0);
	out = serialize(r, false, &len);
	ck_assert_msg(!strncmp(out, "HTTP/1.1 201 Created\r\n", 22), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nCache-Control: no-store\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nX-Content-Type-Options: nosniff\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nStrict-Transport-Security: max-age=31536000\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Security-Policy: default-src 'none';"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nConnection: keep-alive\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nLocation: /api/v1/sessions/current\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Type: application/json\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Length: 30\r\n"));
	ck_assert_uint_eq(strlen(body), 30);
	ck_assert_str_eq(out + len - 30 - 4, "\r\n\r\n{\"token\":\"abc\",\"keepalive\":25}");
	free(out);
	json_decref(v);
	kgw_response_free(r);
}
END_TEST

START_TEST(test_response_error)
{
	struct kgw_response *r = kgw_response_error(429, "too_many_requests", "slow down");
	size_t len;
	char *out;

	ck_assert_int_eq(kgw_response_status(r), 429);
	ck_assert_int_eq(kgw_response_header(r, "Retry-After", "%u", 300u), 0);
	out = serialize(r, true, &len);
	ck_assert(!strncmp(out, "HTTP/1.1 429 Too Many Requests\r\n", 32));
	ck_assert_ptr_nonnull(strstr(out, "\r\nConnection: close\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nRetry-After: 300\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\n\r\n{\"error\":{\"code\":\"too_many_requests\","
				       "\"message\":\"slow down\"}}"));
	free(out);
	kgw_response_free(r);
}
END_TEST

START_TEST(test_response_no_content)
{
	struct kgw_response *r = kgw_response_new(204);
	size_t len;
	char *out = serialize(r, false, &len);

	ck_assert(!strncmp(out, "HTTP/1.1 204 No Content\r\n", 25));
	ck_assert_ptr_null(strstr(out, "\r\nContent-Length:"));
	ck_assert_ptr_null(strstr(out, "\r\nContent-Type:"));
	ck_assert_str_eq(out + len - 4, "\r\n\r\n");
	free(out);
	kgw_response_free(r);
}
END_TEST

START_TEST(test_header_injection)
{
	struct kgw_response *r = kgw_response_new(200);
	char big[2048];
	size_t len;
	char *out;

	ck_assert_int_eq(kgw_response_header(r, "X-A", "ok\r\nSet-Cookie: evil=1"), -EINVAL);
	ck_assert_int_eq(kgw_response_header(r, "X-B", "ok\nevil"), -EINVAL);
	ck_assert_int_eq(kgw_response_header(r, "X C", "v"), -EINVAL);
	ck_assert_int_eq(kgw_response_header(r, "X:C", "v"), -EINVAL);
	ck_assert_int_eq(kgw_response_header(r, "", "v"), -EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(kgw_response_header(r, "X-Big", "%s", big), -ENOSPC);
	ck_assert_int_eq(kgw_response_header(r, "X-Fine", "v"), 0);
	ck_assert_int_eq(kgw_response_body(r, "text/plain\r\nX: y", "b", 1), -EINVAL);
	out = serialize(r, false, &len);
	ck_assert_ptr_null(strstr(out, "evil"));
	ck_assert_ptr_null(strstr(out, "xxxx"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nX-Fine: v\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Length: 0\r\n"));
	free(out);
	kgw_response_free(r);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("http_json");
	TCase *tc = tcase_create("json");
	TCase *tr = tcase_create("response");

	tcase_add_loop_test(tc, test_parse_object, 0, ARRAY_SIZE(parse_cases));
	tcase_add_test(tc, test_parse_embedded_nul);
	tcase_add_test(tc, test_parse_error_quotes_nothing);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_loop_test(tc, test_get_string, 0, ARRAY_SIZE(string_cases));
	tcase_add_test(tc, test_check_keys);
	tcase_add_loop_test(tc, test_login_read, 0, ARRAY_SIZE(login_cases));
	tcase_add_test(tc, test_error_body);
	suite_add_tcase(s, tc);
	tcase_add_test(tr, test_response_json);
	tcase_add_test(tr, test_response_error);
	tcase_add_test(tr, test_response_no_content);
	tcase_add_test(tr, test_header_injection);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	/* Everything runs with the wiping allocator, as kgw-portal does. */
	kgw_json_init();
	return unit_run(json_suite());
}
