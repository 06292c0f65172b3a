/* SPDX-License-Identifier: MIT */
/* kgw-client: HTTP response parsing, API status mapping, the UAPI `get' answer. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "http_resp.h"
#include "tunnel.h"
#include "unit.h"

/* Feeds the whole text at once, then (if asked) the end of the connection. */
static int parse_all(struct kgwc_http_response *r, const char *text, size_t len, bool eof)
{
	int ret;

	kgwc_http_response_init(r);
	ret = kgwc_http_response_feed(r, text, len);
	if (ret == 0 && eof)
		ret = kgwc_http_response_feed(r, NULL, 0);
	return ret;
}

static const struct {
	const char *text;
	bool eof;
	int ret;
	int status;
	const char *body;
} responses[] = {
	/* 1 */ { "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n"
		  "{\"a\":1}", false, 1, 201, "{\"a\":1}" },
	/* 2: chunked, with an extension and a trailer */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n"
	  "0\r\nTrailer: t\r\n\r\n", false, 1, 200, "Wikipedia" },
	/* 3: body until the connection closes */
	{ "HTTP/1.1 200 OK\r\n\r\nuntil close", true, 1, 200, "until close" },
	/* 4: no body */
	{ "HTTP/1.1 204 No Content\r\n\r\n", false, 1, 204, NULL },
	/* 5: an interim 100 first */
	{ "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}",
	  false, 1, 401, "{}" },
	/* 6: garbage */
	{ "SSH-2.0-OpenSSH_9.2\r\n", false, -EBADMSG, 0, NULL },
	/* 7: truncated body */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true, -EBADMSG, 0, NULL },
	/* 8: truncated head */
	{ "HTTP/1.1 200 OK\r\nContent-Le", true, -EBADMSG, 0, NULL },
	/* 9: nothing at all */
	{ "", true, -EBADMSG, 0, NULL },
	/* 10: bad chunk size */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, -EBADMSG, 0, NULL },
	/* 11: two Content-Lengths that disagree */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", false, -EBADMSG, 0, NULL },
	/* 12: HTTP/1.0 */
	{ "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 1, 200, "ok" },
	/* 13: a request, not a response */
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false, -EBADMSG, 0, NULL },
	/* 14: bytes after a complete response are ignored */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK", false, 1, 200, "ok" },
	/* 15-17: a status outside 100..599 (found by fuzz_client_http: 0 passed as complete) */
	{ "HTTP/1.1 0 Zero\r\nContent-Length: 0\r\n\r\n", false, -EBADMSG, 0, NULL },
	{ "HTTP/1.1 49 x\r\nConnection: close\r\n\r\n{}", true, -EBADMSG, 0, NULL },
	{ "HTTP/1.1 600 x\r\nContent-Length: 0\r\n\r\n", false, -EBADMSG, 0, NULL },
};

START_TEST(test_response)
{
	struct kgwc_http_response r;
	const char *t = responses[_i].text;
	int ret = parse_all(&r, t, strlen(t), responses[_i].eof);

	ck_assert_msg(ret == responses[_i].ret, "case %d: %d", _i + 1, ret);
	if (ret == 1) {
		ck_assert_int_eq(r.status, responses[_i].status);
		if (responses[_i].body) {
			ck_assert_str_eq(r.body, responses[_i].body);
			ck_assert_uint_eq(r.body_len, strlen(responses[_i].body));
		} else {
			ck_assert_ptr_null(r.body);
		}
		/* Done is done. */
		ck_assert_int_eq(kgwc_http_response_feed(&r, "more", 4), 1);
	} else {
		ck_assert_int_eq(kgwc_http_response_feed(&r, "more", 4), ret);
	}
	kgwc_http_response_free(&r);
}
END_TEST

/* The same response a byte at a time parses the same. */
START_TEST(test_response_bytewise)
{
	static const char text[] = "HTTP/1.1 429 Too Many Requests\r\nretry-after: 30\r\nX-Empty:\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
	struct kgwc_http_response r;
	int ret = 0;

	kgwc_http_response_init(&r);
	for (size_t i = 0; i < sizeof(text) - 1 && ret == 0; i++)
		ret = kgwc_http_response_feed(&r, text + i, 1);
	ck_assert_int_eq(ret, 1);
	ck_assert_int_eq(r.status, 429);
	ck_assert_str_eq(r.body, "abc");
	ck_assert_str_eq(kgwc_http_response_header(&r, "Retry-After"), "30");
	ck_assert_str_eq(kgwc_http_response_header(&r, "RETRY-AFTER"), "30");
	ck_assert_str_eq(kgwc_http_response_header(&r, "x-empty"), "");
	ck_assert_ptr_null(kgwc_http_response_header(&r, "Location"));
	kgwc_http_response_free(&r);
}
END_TEST

START_TEST(test_response_limits)
{
	struct kgwc_http_response r;
	char *text = malloc(KGWC_HTTP_BODY_MAX + 1024);
	size_t n;
	int ret;

	/* A body one byte over the limit. */
	n = (size_t)sprintf(text, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", KGWC_HTTP_BODY_MAX + 1);
	memset(text + n, 'x', KGWC_HTTP_BODY_MAX + 1);
	ck_assert_int_eq(parse_all(&r, text, n + KGWC_HTTP_BODY_MAX + 1, false), -EMSGSIZE);
	kgwc_http_response_free(&r);
	/* Exactly the limit is fine. */
	n = (size_t)sprintf(text, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", KGWC_HTTP_BODY_MAX);
	memset(text + n, 'x', KGWC_HTTP_BODY_MAX);
	ck_assert_int_eq(parse_all(&r, text, n + KGWC_HTTP_BODY_MAX, false), 1);
	kgwc_http_response_free(&r);
	/* Too many headers. */
	n = (size_t)sprintf(text, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i <= KGWC_HTTP_HEADER_COUNT_MAX; i++)
		n += (size_t)sprintf(text + n, "X-%d: v\r\n", i);
	n += (size_t)sprintf(text + n, "\r\n");
	ck_assert_int_eq(parse_all(&r, text, n, true), -EMSGSIZE);
	kgwc_http_response_free(&r);
	/* Header bytes over the limit. */
	n = (size_t)sprintf(text, "HTTP/1.1 200 OK\r\nX-Big: ");
	memset(text + n, 'v', KGWC_HTTP_HEADERS_MAX);
	n += KGWC_HTTP_HEADERS_MAX;
	n += (size_t)sprintf(text + n, "\r\n\r\n");
	ret = parse_all(&r, text, n, true);
	ck_assert_int_eq(ret, -EMSGSIZE);
	kgwc_http_response_free(&r);
	free(text);
	/* Free is safe on NULL. */
	kgwc_http_response_free(NULL);
}
END_TEST

static const struct {
	int status;
	const char *body;
	const char *retry_after;
	int code;
	const char *msg;
} statuses[] = {
	/* 1 */ { 200, "{}", NULL, KGWC_EXIT_OK, "" },
	/* 2 */ { 201, "{}", NULL, KGWC_EXIT_OK, "" },
	/* 3 */ { 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"wrong credentials\"}}", NULL,
		  KGWC_EXIT_AUTH, "the gateway refused: wrong credentials (unauthorized)" },
	/* 4 */ { 403, "{\"error\":{\"code\":\"forbidden\",\"message\":\"no\"}}", NULL, KGWC_EXIT_AUTH,
		  "refused: no (forbidden)" },
	/* 5 */ { 429, "{\"error\":{\"code\":\"too_many_requests\",\"message\":\"slow down\"}}", "120",
		  KGWC_EXIT_THROTTLED, "retry after 120 seconds" },
	/* 6 */ { 429, NULL, NULL, KGWC_EXIT_THROTTLED, "retry after some seconds" },
	/* 7 */ { 503, "{\"error\":{\"code\":\"busy\",\"message\":\"busy\"}}", "5", KGWC_EXIT_UNREACHABLE,
		  "unavailable (HTTP 503): busy (busy); retry after 5 seconds" },
	/* 8 */ { 409, "{\"error\":{\"code\":\"conflict\",\"message\":\"key in use\"}}", NULL, KGWC_EXIT_ERROR,
		  "HTTP 409: key in use (conflict)" },
	/* 9 */ { 400, "not json", NULL, KGWC_EXIT_ERROR, "HTTP 400: no reason given" },
	/* 10: a hostile message cannot put escapes on the terminal */
	{ 401, "{\"error\":{\"code\":\"x\",\"message\":\"\\u001b[2Jgone\"}}", NULL, KGWC_EXIT_AUTH, "?[2Jgone" },
	/* 11 */ { 500, "{\"error\":[]}", NULL, KGWC_EXIT_ERROR, "HTTP 500: no reason given" },
	/* 12: a Retry-After that is not a number is quoted, not trusted */
	{ 429, NULL, "\n1", KGWC_EXIT_THROTTLED, "retry after ?1 seconds" },
};

START_TEST(test_status)
{
	char err[KGWC_ERR_MAX];
	const char *b = statuses[_i].body;
	int code = kgwc_api_status(statuses[_i].status, b, b ? strlen(b) : 0, statuses[_i].retry_after, err);

	ck_assert_msg(code == statuses[_i].code, "case %d: %d", _i + 1, code);
	ck_assert_msg(strstr(err, statuses[_i].msg), "case %d: `%s'", _i + 1, err);
	ck_assert(!strchr(err, '\x1b'));
}
END_TEST

#define PEER_HEX "c2d3ec36bd3f2a1e0a67a5ab9a5c6c6ee8a3c0c1a26e6d0d3de8e8e3b8a3a4a5"
#define OTHER_HEX "1111111111111111111111111111111111111111111111111111111111111111"
#define PRIV_HEX "a8f2a4e7a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c"

static void peer_key(uint8_t out[static WG_KEY_LEN])
{
	ck_assert_int_eq(sodium_hex2bin(out, WG_KEY_LEN, PEER_HEX, 64, NULL, NULL, NULL), 0);
}

START_TEST(test_uapi_reply)
{
	static const char reply[] =
		"private_key=" PRIV_HEX "\nlisten_port=40000\n"
		"public_key=" OTHER_HEX "\nrx_bytes=1\ntx_bytes=2\nlast_handshake_time_sec=3\n"
		"public_key=" PEER_HEX "\nendpoint=203.0.113.10:51820\nlast_handshake_time_sec=1700000000\n"
		"last_handshake_time_nsec=5\ntx_bytes=1234\nrx_bytes=5678\npersistent_keepalive_interval=25\n"
		"allowed_ip=10.0.0.10/32\nprotocol_version=1\nerrno=0\n";
	struct kgwc_tunnel_info ti;
	uint8_t peer[WG_KEY_LEN], priv[WG_KEY_LEN];

	peer_key(peer);
	ck_assert_int_eq(kgwc_uapi_reply_parse(reply, sizeof(reply) - 1, peer, &ti), 0);
	ck_assert(ti.has_private_key);
	ck_assert_int_eq(sodium_hex2bin(priv, WG_KEY_LEN, PRIV_HEX, 64, NULL, NULL, NULL), 0);
	ck_assert(!memcmp(ti.private_key, priv, WG_KEY_LEN));
	ck_assert(ti.has_peer);
	ck_assert_int_eq(ti.last_handshake.tv_sec, 1700000000);
	ck_assert_int_eq(ti.last_handshake.tv_nsec, 5);
	ck_assert_uint_eq(ti.tx_bytes, 1234);
	ck_assert_uint_eq(ti.rx_bytes, 5678);
	kgwc_tunnel_info_wipe(&ti);
}
END_TEST

static const struct {
	const char *text;
	int ret;
} bad_replies[] = {
	/* 1: no errno line */ { "listen_port=1\n", -EINVAL },
	/* 2: the device's error */ { "errno=19\n", -19 },
	/* 3: no '=' */ { "listen_port\nerrno=0\n", -EINVAL },
	/* 4: short key */ { "private_key=abcd\nerrno=0\n", -EINVAL },
	/* 5: bad number */ { "public_key=" PEER_HEX "\nrx_bytes=-1\nerrno=0\n", -EINVAL },
	/* 6: unterminated line */ { "errno=0", -EINVAL },
	/* 7: empty */ { "", -EINVAL },
	/* 8: absurd errno */ { "errno=99999\n", -EINVAL },
};

START_TEST(test_uapi_reply_bad)
{
	static const struct kgwc_tunnel_info zero;
	struct kgwc_tunnel_info ti;
	uint8_t peer[WG_KEY_LEN];
	const char *t = bad_replies[_i].text;

	peer_key(peer);
	ck_assert_int_eq(kgwc_uapi_reply_parse(t, strlen(t), peer, &ti), bad_replies[_i].ret);
	ck_assert(!memcmp(&ti, &zero, sizeof(ti)));
}
END_TEST

START_TEST(test_uapi_reply_no_peer)
{
	static const char reply[] = "listen_port=1\npublic_key=" OTHER_HEX "\nrx_bytes=9\nerrno=0\n";
	struct kgwc_tunnel_info ti;
	uint8_t peer[WG_KEY_LEN];

	peer_key(peer);
	ck_assert_int_eq(kgwc_uapi_reply_parse(reply, sizeof(reply) - 1, peer, &ti), 0);
	ck_assert(!ti.has_peer);
	ck_assert(!ti.has_private_key);
	ck_assert_uint_eq(ti.rx_bytes, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("client-http");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_response, 0, ARRAY_SIZE(responses));
	tcase_add_test(tc, test_response_bytewise);
	tcase_add_test(tc, test_response_limits);
	tcase_add_loop_test(tc, test_status, 0, ARRAY_SIZE(statuses));
	tcase_add_test(tc, test_uapi_reply);
	tcase_add_loop_test(tc, test_uapi_reply_bad, 0, ARRAY_SIZE(bad_replies));
	tcase_add_test(tc, test_uapi_reply_no_peer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	return unit_run(suite());
}
