/* SPDX-License-Identifier: MIT */
/*
 * The request parser, fed whole, in 1-byte chunks and in 7-byte chunks:
 * every case must come out the same however the bytes arrive.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "portal_limits.h"
#include "unit.h"

static const size_t chunk_sizes[] = { SIZE_MAX, 1, 7 };

struct result {
	enum kgw_http_state state;
	size_t used;
};

/* Feeds `len' bytes in pieces of `chunk' until DONE/ERROR or the end. */
static struct result feed(struct kgw_http_parser *p, const char *raw, size_t len, size_t chunk)
{
	struct result r = { KGW_HTTP_MORE, 0 };

	while (r.used < len) {
		size_t n = len - r.used < chunk ? len - r.used : chunk, used;

		r.state = kgw_http_feed(p, raw + r.used, n, &used);
		ck_assert_uint_le(used, n);
		r.used += used;
		if (r.state != KGW_HTTP_MORE)
			break;
		ck_assert_uint_eq(used, n);
	}
	return r;
}

/* A complete request: what it parsed to. An error: only its status matters. */
#define DONE(path, query, host, body, keep) 0, path, query, host, body, keep
#define FAIL(status) status, NULL, NULL, NULL, NULL, false
#define H11 " HTTP/1.1\r\n"

static const struct {
	const char *raw;
	int status;		/* 0: DONE */
	const char *path, *query, *host, *body;
	bool keep_alive;
} cases[] = {
	/*  0 */ { "GET /" H11 "Host: gw\r\n\r\n", DONE("/", NULL, "gw", "", true) },
	/*  1 */ { "GET /api/v1/sessions?x=1&y" H11 "Host: gw\r\n\r\n",
		   DONE("/api/v1/sessions", "x=1&y", "gw", "", true) },
	/*  2 */ { "POST /a" H11 "Host: gw\r\nContent-Length: 3\r\n\r\nabc",
		   DONE("/a", NULL, "gw", "abc", true) },
	/*  3 */ { "GET /old HTTP/1.0\r\n\r\n", DONE("/old", NULL, NULL, "", false) },
	/*  4 */ { "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		   DONE("/", NULL, NULL, "", true) },
	/*  5 */ { "GET /" H11 "Host: gw\r\nConnection: close\r\n\r\n",
		   DONE("/", NULL, "gw", "", false) },
	/*  6 */ { "GET /" H11 "\r\n", FAIL(400) },
	/*  7 */ { "GET /" H11 "Host: a\r\nHost: b\r\n\r\n", FAIL(400) },
	/*  8 */ { "GET /" H11 "Host: a\r\nAuthorization: x\r\nauthorization: y\r\n\r\n",
		   FAIL(400) },
	/*  9 */ { "GET /" H11 "hOsT: mixed\r\n\r\n", DONE("/", NULL, "mixed", "", true) },
	/* 10 */ { "GET /" H11 "Host:   spaced \t \r\n\r\n", DONE("/", NULL, "spaced", "", true) },
	/* 11 */ { "POST /" H11 "Host: a\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "3\r\nabc\r\n0\r\n\r\n", FAIL(411) },
	/* 12 */ { "POST /" H11 "Host: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "3\r\nabc\r\n0\r\n\r\n", FAIL(400) },
	/* 13 */ { "POST /" H11 "Host: a\r\nTransfer-Encoding: gzip\r\n\r\n", FAIL(411) },
	/* 14 */ { "POST /" H11 "Host: a\r\nContent-Length: 16385\r\n\r\n", FAIL(413) },
	/* 15 */ { "POST /" H11 "Host: a\r\nContent-Length: 1x\r\n\r\n", FAIL(400) },
	/* 16 */ { "POST /" H11 "Host: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		   FAIL(400) },
	/* 17 */ { "POST /" H11 "Host: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
		   FAIL(400) },
	/* 18 */ { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", FAIL(505) },
	/* 19 */ { "GET / HTTP/1.2\r\nHost: a\r\n\r\n", FAIL(505) },
	/* 20 */ { "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", FAIL(400) },
	/* 21 */ { "GET http://gw/" H11 "Host: gw\r\n\r\n", FAIL(400) },
	/* 22 */ { "OPTIONS *" H11 "Host: gw\r\n\r\n", FAIL(400) },
	/* 23 */ { "GET /a#frag" H11 "Host: gw\r\n\r\n", FAIL(400) },
	/* 24 */ { "GET /lf HTTP/1.1\nHost: gw\n\n", DONE("/lf", NULL, "gw", "", true) },
	/* 25 */ { "GET /" H11 "X-Empty:\r\nHost: gw\r\n\r\n", DONE("/", NULL, "gw", "", true) },
	/* 26 */ { "FROB /" H11 "Host: gw\r\n\r\n", FAIL(400) },
	/* 27 */ { "GET /" H11 "Host: gw\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
		   DONE("/", NULL, "gw", "", false) },
	/* 28 */ { "GET /" H11 "Host: g\001w\r\n\r\n", FAIL(400) },
	/* 29 */ { "GET /" H11 "Hostxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: no\r\nHost: yes\r\n\r\n",
		   DONE("/", NULL, "yes", "", true) },
	/* 30 */ { "GET /a b" H11 "Host: gw\r\n\r\n", FAIL(400) },
	/* 31 */ { "GET /" H11 "Host gw\r\n\r\n", FAIL(400) },
	/* 32 */ { "CONNECT gw:443" H11 "Host: gw\r\n\r\n", FAIL(400) },
	/* 33 */ { "DELETE /api/v1/sessions/current" H11 "Host: gw\r\nContent-Length: 0\r\n\r\n",
		   DONE("/api/v1/sessions/current", NULL, "gw", "", true) },
	/* 34 */ { "GET /?" H11 "Host: gw\r\n\r\n", DONE("/", "", "gw", "", true) },
	/* 35 */ { "\r\nGET /lead" H11 "Host: gw\r\n\r\n", DONE("/lead", NULL, "gw", "", true) },
	/* 36 */ { "GET /" H11 "Host: \xc3\xa9t\xc3\xa9\r\n\r\n",
		   DONE("/", NULL, "\xc3\xa9t\xc3\xa9", "", true) },
};

static void check_case(int i, size_t chunk)
{
	struct kgw_http_parser p;
	const char *raw = cases[i].raw;
	struct result r;

	ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
	r = feed(&p, raw, strlen(raw), chunk);
	if (!cases[i].status) {
		const struct kgw_http_request *req = kgw_http_request(&p);

		ck_assert_msg(r.state == KGW_HTTP_DONE, "case %d chunk %zu: state %d (%s)", i,
			      chunk, r.state,
			      kgw_http_error(&p) ? kgw_http_error(&p)->message : "-");
		ck_assert_uint_eq(r.used, strlen(raw));
		ck_assert_str_eq(req->path, cases[i].path);
		if (cases[i].query)
			ck_assert_str_eq(req->query, cases[i].query);
		else
			ck_assert_ptr_null(req->query);
		if (cases[i].host)
			ck_assert_str_eq(req->host, cases[i].host);
		else
			ck_assert_ptr_null(req->host);
		ck_assert_str_eq(req->body, cases[i].body);
		ck_assert_uint_eq(req->body_len, strlen(cases[i].body));
		ck_assert_int_eq(req->keep_alive, cases[i].keep_alive);
		ck_assert_ptr_null(kgw_http_error(&p));
	} else {
		const struct kgw_http_error *e = kgw_http_error(&p);

		ck_assert_msg(r.state == KGW_HTTP_ERROR, "case %d chunk %zu: state %d", i, chunk,
			      r.state);
		ck_assert_msg(e->status == cases[i].status, "case %d chunk %zu: status %d", i,
			      chunk, e->status);
		ck_assert_ptr_nonnull(e->code);
		ck_assert_ptr_nonnull(e->message);
		ck_assert_ptr_null(kgw_http_request(&p));
	}
	kgw_http_parser_free(&p);
}

START_TEST(test_cases)
{
	for (size_t c = 0; c < ARRAY_SIZE(chunk_sizes); c++)
		check_case(_i, chunk_sizes[c]);
}
END_TEST

START_TEST(test_kept_headers)
{
	static const char raw[] =
		"POST /api/v1/sessions HTTP/1.1\r\n"
		"Host: gw.example:4443\r\n"
		"Content-Type: application/json; charset=utf-8\r\n"
		"Authorization: Bearer abc_DEF-123\r\n"
		"Cookie: a=b; c=d\r\n"
		"Origin: https://gw.example\r\n"
		"User-Agent: test\r\n"
		"Content-Length: 2\r\n"
		"\r\n{}";

	for (size_t c = 0; c < ARRAY_SIZE(chunk_sizes); c++) {
		struct kgw_http_parser p;
		const struct kgw_http_request *req;

		ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
		ck_assert_int_eq(feed(&p, raw, strlen(raw), chunk_sizes[c]).state, KGW_HTTP_DONE);
		req = kgw_http_request(&p);
		ck_assert_int_eq(req->method, HTTP_POST);
		ck_assert_str_eq(req->method_name, "POST");
		ck_assert_str_eq(req->target, "/api/v1/sessions");
		ck_assert_str_eq(req->host, "gw.example:4443");
		ck_assert_str_eq(req->content_type, "application/json; charset=utf-8");
		ck_assert_str_eq(req->authorization, "Bearer abc_DEF-123");
		ck_assert_str_eq(req->cookie, "a=b; c=d");
		ck_assert_str_eq(req->origin, "https://gw.example");
		ck_assert_str_eq(req->body, "{}");
		ck_assert(req->has_body);
		ck_assert_uint_eq(req->http_minor, 1);
		kgw_http_parser_free(&p);
	}
}
END_TEST

/* ---- limits, at the edge and one past it ---- */

static char *make_line(size_t line_len)
{
	/* "GET " + target + " HTTP/1.1" is line_len bytes. */
	size_t tlen = line_len - strlen("GET  HTTP/1.1");
	char *raw = malloc(line_len + 64);

	ck_assert_ptr_nonnull(raw);
	strcpy(raw, "GET /");
	memset(raw + 5, 'a', tlen - 1);
	strcpy(raw + 4 + tlen, " HTTP/1.1\r\nHost: gw\r\n\r\n");
	return raw;
}

static enum kgw_http_state feed_all(const char *raw, size_t chunk, int *status)
{
	struct kgw_http_parser p;
	struct result r;

	ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
	r = feed(&p, raw, strlen(raw), chunk);
	*status = r.state == KGW_HTTP_ERROR ? kgw_http_error(&p)->status : 0;
	kgw_http_parser_free(&p);
	return r.state;
}

START_TEST(test_line_limit)
{
	for (size_t c = 0; c < ARRAY_SIZE(chunk_sizes); c++) {
		char *ok = make_line(KGW_HTTP_LINE_MAX), *over = make_line(KGW_HTTP_LINE_MAX + 1);
		char *huge = make_line(64 * 1024);
		int st;

		ck_assert_int_eq(feed_all(ok, chunk_sizes[c], &st), KGW_HTTP_DONE);
		ck_assert_int_eq(feed_all(over, chunk_sizes[c], &st), KGW_HTTP_ERROR);
		ck_assert_int_eq(st, 414);
		ck_assert_int_eq(feed_all(huge, chunk_sizes[c], &st), KGW_HTTP_ERROR);
		ck_assert_int_eq(st, 414);
		free(ok);
		free(over);
		free(huge);
	}
}
END_TEST

/* `count' headers "X-NNNN: vvv" then Host, the last padded to `bytes' in all. */
static char *make_headers(unsigned int count, size_t bytes)
{
	size_t cap = bytes + 256, used = 0, hbytes = 0;
	char *raw = malloc(cap);

	ck_assert_ptr_nonnull(raw);
	used += (size_t)snprintf(raw, cap, "GET / HTTP/1.1\r\n");
	for (unsigned int i = 0; i + 1 < count; i++) {
		int n = snprintf(raw + used, cap - used, "X-%04u: v\r\n", i);

		used += (size_t)n;
		hbytes += (size_t)n;
	}
	ck_assert_uint_ge(bytes, hbytes + 10);
	/* "Host: " + value + "\r\n" fills the rest exactly. */
	used += (size_t)snprintf(raw + used, cap - used, "Host: ");
	memset(raw + used, 'h', bytes - hbytes - 8);
	used += bytes - hbytes - 8;
	strcpy(raw + used, "\r\n\r\n");
	return raw;
}

START_TEST(test_header_limits)
{
	static const struct {
		unsigned int count;
		size_t bytes;
		int status;
	} lim[] = {
		/* 0 */ { KGW_HTTP_HEADER_COUNT_MAX, 1000, 0 },
		/* 1 */ { KGW_HTTP_HEADER_COUNT_MAX + 1, 1000, 431 },
		/* 2 */ { 1, KGW_HTTP_HEADERS_MAX, 0 },
		/* 3 */ { 1, KGW_HTTP_HEADERS_MAX + 1, 431 },
		/* 4 */ { 20, KGW_HTTP_HEADERS_MAX, 0 },
		/* 5 */ { 20, KGW_HTTP_HEADERS_MAX + 1, 431 },
		/* 6 */ { 1, 100 * 1024, 431 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(lim); i++) {
		for (size_t c = 0; c < ARRAY_SIZE(chunk_sizes); c++) {
			char *raw = make_headers(lim[i].count, lim[i].bytes);
			int st;
			enum kgw_http_state s = feed_all(raw, chunk_sizes[c], &st);

			ck_assert_msg(st == lim[i].status, "limit case %zu chunk %zu: status %d", i,
				      chunk_sizes[c], st);
			ck_assert_int_eq(s, lim[i].status ? KGW_HTTP_ERROR : KGW_HTTP_DONE);
			free(raw);
		}
	}
}
END_TEST

/* Spaces are not counted by us but by http-parser's backstop. */
START_TEST(test_whitespace_backstop)
{
	size_t pad = KGW_HTTP_HEAD_BACKSTOP + 10;
	char *raw = malloc(pad + 64);
	int st;

	ck_assert_ptr_nonnull(raw);
	strcpy(raw, "GET / HTTP/1.1\r\nHost:");
	memset(raw + strlen(raw), ' ', pad);
	strcpy(raw + strlen("GET / HTTP/1.1\r\nHost:") + pad, "gw\r\n\r\n");
	ck_assert_int_eq(feed_all(raw, SIZE_MAX, &st), KGW_HTTP_ERROR);
	ck_assert_int_eq(st, 431);
	free(raw);
}
END_TEST

START_TEST(test_body_limit)
{
	size_t max = KGW_HTTP_API_BODY_MAX;
	char *raw = malloc(max + 128);
	struct kgw_http_parser p;
	int n;

	ck_assert_ptr_nonnull(raw);
	n = snprintf(raw, 128, "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: %zu\r\n\r\n", max);
	memset(raw + n, 'b', max);
	raw[(size_t)n + max] = '\0';
	for (size_t c = 0; c < ARRAY_SIZE(chunk_sizes); c++) {
		ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
		ck_assert_int_eq(feed(&p, raw, strlen(raw), chunk_sizes[c]).state, KGW_HTTP_DONE);
		ck_assert_uint_eq(kgw_http_request(&p)->body_len, max);
		ck_assert_int_eq(kgw_http_request(&p)->body[max], '\0');
		kgw_http_parser_free(&p);
	}
	/* A smaller configured limit is honoured too. */
	{
		struct kgw_http_limits small = kgw_http_api_limits;
		int st;

		small.body_max = 2;
		ck_assert_int_eq(kgw_http_parser_init(&p, &small), 0);
		strcpy(raw, "POST / HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\n\r\nabc");
		ck_assert_int_eq(feed(&p, raw, strlen(raw), 1).state, KGW_HTTP_ERROR);
		st = kgw_http_error(&p)->status;
		ck_assert_int_eq(st, 413);
		kgw_http_parser_free(&p);
	}
	free(raw);
}
END_TEST

/* ---- several requests on one connection ---- */

START_TEST(test_pipelining)
{
	static const char raw[] =
		"POST /one HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nfirst"
		"GET /two?q HTTP/1.1\r\nHost: gw\r\n\r\n"
		"DELETE /three HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n";
	static const char *const paths[] = { "/one", "/two", "/three" };
	static const char *const bodies[] = { "first", "", "" };

	for (size_t c = 0; c < ARRAY_SIZE(chunk_sizes); c++) {
		struct kgw_http_parser p;
		size_t off = 0;

		ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
		for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
			struct result r = feed(&p, raw + off, strlen(raw) - off, chunk_sizes[c]);
			const struct kgw_http_request *req = kgw_http_request(&p);
			size_t more;

			ck_assert_int_eq(r.state, KGW_HTTP_DONE);
			ck_assert_str_eq(req->path, paths[i]);
			ck_assert_str_eq(req->body, bodies[i]);
			ck_assert_int_eq(req->keep_alive, i < 2);
			off += r.used;
			/* Nothing more is taken until the reset. */
			ck_assert_int_eq(kgw_http_feed(&p, raw + off, strlen(raw) - off, &more),
					 KGW_HTTP_DONE);
			ck_assert_uint_eq(more, 0);
			kgw_http_reset(&p);
		}
		ck_assert_uint_eq(off, strlen(raw));
		kgw_http_parser_free(&p);
	}
}
END_TEST

/* An error stops the parser: the bytes after it are never looked at. */
START_TEST(test_error_is_final)
{
	static const char raw[] = "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: gw\r\n\r\n";
	struct kgw_http_parser p;
	struct result r;
	size_t more;

	ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
	r = feed(&p, raw, strlen(raw), SIZE_MAX);
	ck_assert_int_eq(r.state, KGW_HTTP_ERROR);
	ck_assert_int_eq(kgw_http_feed(&p, raw, strlen(raw), &more), KGW_HTTP_ERROR);
	ck_assert_uint_eq(more, 0);
	kgw_http_parser_free(&p);
}
END_TEST

/* The body held a password: after the reset no byte of it is left. */
START_TEST(test_reset_wipes)
{
	static const char raw[] = "POST / HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer tok\r\n"
				  "Content-Length: 14\r\n\r\nhunter2hunter2";
	struct kgw_http_parser p;
	size_t arena_len;

	ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
	ck_assert_int_eq(feed(&p, raw, strlen(raw), SIZE_MAX).state, KGW_HTTP_DONE);
	arena_len = p.arena_len;
	ck_assert_uint_gt(arena_len, 0);
	kgw_http_reset(&p);
	for (size_t i = 0; i < 15; i++)
		ck_assert_int_eq(p.body[i], 0);
	for (size_t i = 0; i < arena_len; i++)
		ck_assert_int_eq(p.arena[i], 0);
	ck_assert(!kgw_http_started(&p));
	kgw_http_parser_free(&p);
}
END_TEST

/* Random bytes, and random mutations of a good request: no crash, a clean answer. */
START_TEST(test_garbage)
{
	static const char good[] = "POST /api/v1/sessions HTTP/1.1\r\nHost: gw\r\n"
				   "Content-Length: 4\r\n\r\n{\"\"}";
	char buf[sizeof(good)];
	unsigned int seed = 1234;

	for (int round = 0; round < 3000; round++) {
		struct kgw_http_parser p;
		struct result r;

		memcpy(buf, good, sizeof(good));
		if (round % 2) {
			for (size_t i = 0; i < sizeof(buf) - 1; i++)
				buf[i] = (char)(rand_r(&seed) & 0xff);
		} else {
			for (int k = 0; k < 3; k++) {
				size_t at = (size_t)rand_r(&seed) % (sizeof(buf) - 1);

				buf[at] = (char)(rand_r(&seed) & 0xff);
			}
		}
		ck_assert_int_eq(kgw_http_parser_init(&p, &kgw_http_api_limits), 0);
		r = feed(&p, buf, sizeof(buf) - 1, (size_t)(round % 5) + 1);
		if (r.state == KGW_HTTP_ERROR)
			ck_assert_int_ge(kgw_http_error(&p)->status, 400);
		if (r.state == KGW_HTTP_DONE)
			ck_assert_ptr_nonnull(kgw_http_request(&p)->path);
		kgw_http_parser_free(&p);
	}
}
END_TEST

static Suite *http_parse_suite(void)
{
	Suite *s = suite_create("http_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_cases, 0, ARRAY_SIZE(cases));
	tcase_add_test(tc, test_kept_headers);
	tcase_add_test(tc, test_line_limit);
	tcase_add_test(tc, test_header_limits);
	tcase_add_test(tc, test_whitespace_backstop);
	tcase_add_test(tc, test_body_limit);
	tcase_add_test(tc, test_pipelining);
	tcase_add_test(tc, test_error_is_final);
	tcase_add_test(tc, test_reset_wipes);
	tcase_add_test(tc, test_garbage);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(http_parse_suite());
}
