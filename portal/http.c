/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "http.h"
#include "portal_limits.h"

const struct kgw_http_limits kgw_http_api_limits = {
	.line_max = KGW_HTTP_LINE_MAX,
	.headers_max = KGW_HTTP_HEADERS_MAX,
	.header_count_max = KGW_HTTP_HEADER_COUNT_MAX,
	.body_max = KGW_HTTP_API_BODY_MAX,
};

/* The headers we keep; every other one is counted and dropped. */
enum kept_header {
	H_HOST,
	H_CONTENT_TYPE,
	H_AUTHORIZATION,
	H_COOKIE,
	H_ORIGIN,
	H_TRANSFER_ENCODING,	/* only noted: we take no chunked bodies */
	H_KEPT_COUNT,
};

static const char *const kept_names[H_KEPT_COUNT] = {
	[H_HOST] = "Host",
	[H_CONTENT_TYPE] = "Content-Type",
	[H_AUTHORIZATION] = "Authorization",
	[H_COOKIE] = "Cookie",
	[H_ORIGIN] = "Origin",
	[H_TRANSFER_ENCODING] = "Transfer-Encoding",
};

/* Per-header accounting: ": " and CRLF around every name and value. */
#define HEADER_OVERHEAD 4
/* "HTTP/1.1" and the two spaces of the request line. */
#define LINE_OVERHEAD 10

static int fail(struct kgw_http_parser *p, int status, const char *code, const char *message)
{
	p->phase = KGW_HTTP_PHASE_ERROR;
	p->err = (struct kgw_http_error){ status, code, message };
	return -1;
}

static int fail_bad(struct kgw_http_parser *p, const char *message)
{
	return fail(p, 400, "bad_request", message);
}

static int fail_headers(struct kgw_http_parser *p)
{
	return fail(p, 431, "headers_too_large", "the request headers are too large");
}

static int fail_line(struct kgw_http_parser *p)
{
	return fail(p, 414, "request_line_too_long", "the request line is too long");
}

static int arena_append(struct kgw_http_parser *p, const char *data, size_t len)
{
	/* The limits are checked before this; the arena is sized from them. */
	if (len >= p->arena_size - p->arena_len)
		return fail_headers(p);
	memcpy(p->arena + p->arena_len, data, len);
	p->arena_len += len;
	return 0;
}

static void arena_terminate(struct kgw_http_parser *p)
{
	p->arena[p->arena_len++] = '\0';
}

static struct kgw_http_parser *parser_of(http_parser *hp)
{
	return hp->data;
}

static int on_message_begin(http_parser *hp)
{
	parser_of(hp)->started = true;
	return 0;
}

static int on_url(http_parser *hp, const char *at, size_t len)
{
	struct kgw_http_parser *p = parser_of(hp);
	size_t method_len = strlen(http_method_str((enum http_method)hp->method));

	p->url_len += len;
	if (method_len + p->url_len + LINE_OVERHEAD > p->limits.line_max)
		return fail_line(p);
	return arena_append(p, at, len);
}

/* The target ends where the first header (or the end of the head) starts. */
static void url_done(struct kgw_http_parser *p)
{
	if (p->req.target)
		return;
	arena_terminate(p);
	p->req.target = p->arena;
}

static int value_done(struct kgw_http_parser *p)
{
	char *v = p->arena + p->value_off;
	size_t len = p->arena_len - p->value_off;
	const char **slot[H_KEPT_COUNT] = {
		[H_HOST] = &p->req.host,
		[H_CONTENT_TYPE] = &p->req.content_type,
		[H_AUTHORIZATION] = &p->req.authorization,
		[H_COOKIE] = &p->req.cookie,
		[H_ORIGIN] = &p->req.origin,
	};

	p->in_value = false;
	if (p->cur_header < 0)
		return 0;
	/* http-parser drops leading white space; the trailing kind is ours. */
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	p->arena_len = p->value_off + len;
	arena_terminate(p);
	if (slot[p->cur_header])
		*slot[p->cur_header] = v;
	p->cur_header = -1;
	return 0;
}

static int on_header_field(http_parser *hp, const char *at, size_t len)
{
	struct kgw_http_parser *p = parser_of(hp);

	url_done(p);
	if (p->in_value || p->header_count == 0) {
		value_done(p);
		if (++p->header_count > p->limits.header_count_max)
			return fail(p, 431, "too_many_headers", "the request has too many headers");
		p->field_len = 0;
		p->header_bytes += HEADER_OVERHEAD;
	}
	p->header_bytes += len;
	if (p->header_bytes > p->limits.headers_max)
		return fail_headers(p);
	/* Names longer than the buffer are none we keep: remember only that. */
	if (p->field_len + len < sizeof(p->field))
		memcpy(p->field + p->field_len, at, len);
	p->field_len += len;
	return 0;
}

static int kept_header(const struct kgw_http_parser *p)
{
	if (p->field_len >= sizeof(p->field))
		return -1;
	for (int i = 0; i < H_KEPT_COUNT; i++) {
		if (strlen(kept_names[i]) == p->field_len &&
		    !strncasecmp(kept_names[i], p->field, p->field_len))
			return i;
	}
	return -1;
}

static int value_start(struct kgw_http_parser *p)
{
	int h = kept_header(p);

	p->in_value = true;
	p->cur_header = -1;
	p->value_off = p->arena_len;
	if (h == H_TRANSFER_ENCODING) {
		p->transfer_encoding = true;
		return 0;
	}
	if (h < 0)
		return 0;
	/* Two Hosts (or two Authorizations) is how requests get smuggled. */
	if (p->seen & (1u << h))
		return fail_bad(p, "a header the server reads appears twice");
	p->seen |= 1u << h;
	p->cur_header = h;
	return 0;
}

static int on_header_value(http_parser *hp, const char *at, size_t len)
{
	struct kgw_http_parser *p = parser_of(hp);

	if (!p->in_value && value_start(p))
		return -1;
	p->header_bytes += len;
	if (p->header_bytes > p->limits.headers_max)
		return fail_headers(p);
	if (p->cur_header < 0)
		return 0;
	return arena_append(p, at, len);
}

/* Origin-form only ("/path?query"): no absolute URLs, no "*", no fragments. */
static int split_target(struct kgw_http_parser *p)
{
	const char *t = p->req.target, *q;
	size_t plen;

	if (t[0] != '/')
		return fail_bad(p, "the request target must be a path");
	if (strchr(t, '#'))
		return fail_bad(p, "the request target must not have a fragment");
	q = strchr(t, '?');
	plen = q ? (size_t)(q - t) : strlen(t);
	p->req.path = p->arena + p->arena_len;
	if (arena_append(p, t, plen))
		return -1;
	arena_terminate(p);
	if (q) {
		p->req.query = p->arena + p->arena_len;
		if (arena_append(p, q + 1, strlen(q + 1)))
			return -1;
		arena_terminate(p);
	}
	return 0;
}

static int on_headers_complete(http_parser *hp)
{
	struct kgw_http_parser *p = parser_of(hp);

	url_done(p);
	if (p->in_value)
		value_done(p);
	if (hp->http_major != 1 || hp->http_minor > 1)
		return fail(p, 505, "http_version_not_supported",
			    "only HTTP/1.0 and HTTP/1.1 are served");
	if (hp->http_minor == 1 && !p->req.host)
		return fail_bad(p, "an HTTP/1.1 request needs a Host header");
	if (split_target(p))
		return -1;
	if (p->transfer_encoding)
		return fail(p, 411, "length_required",
			    "send the body with a Content-Length, not a transfer coding");
	if ((hp->flags & F_CONTENTLENGTH) && hp->content_length > p->limits.body_max)
		return fail(p, 413, "body_too_large", "the request body is too large");
	p->req.has_body = hp->flags & F_CONTENTLENGTH;
	p->phase = KGW_HTTP_PHASE_BODY;
	return 0;
}

static int on_body(http_parser *hp, const char *at, size_t len)
{
	struct kgw_http_parser *p = parser_of(hp);

	if (len > p->limits.body_max - p->req.body_len)
		return fail(p, 413, "body_too_large", "the request body is too large");
	memcpy(p->body + p->req.body_len, at, len);
	p->req.body_len += len;
	return 0;
}

static int on_message_complete(http_parser *hp)
{
	struct kgw_http_parser *p = parser_of(hp);

	p->body[p->req.body_len] = '\0';
	p->req.body = p->body;
	p->req.method = (enum http_method)hp->method;
	p->req.method_name = http_method_str(p->req.method);
	p->req.http_major = hp->http_major;
	p->req.http_minor = hp->http_minor;
	/* After an Upgrade or CONNECT the bytes that follow are not HTTP. */
	p->req.keep_alive = http_should_keep_alive(hp) && !hp->upgrade;
	p->phase = KGW_HTTP_PHASE_DONE;
	/* Stop here: what follows is the next request, for after the reply. */
	http_parser_pause(hp, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

int kgw_http_parser_init(struct kgw_http_parser *p, const struct kgw_http_limits *limits)
{
	memset(p, 0, sizeof(*p));
	p->limits = *limits;
	/* Target, its path and query copies, kept values and their NULs. */
	p->arena_size = 2 * limits->line_max + limits->headers_max + limits->header_count_max + 8;
	p->arena = malloc(p->arena_size);
	p->body = malloc(limits->body_max + 1);
	if (!p->arena || !p->body) {
		kgw_http_parser_free(p);
		return -ENOMEM;
	}
	http_parser_set_max_header_size(KGW_HTTP_HEAD_BACKSTOP);
	kgw_http_reset(p);
	return 0;
}

void kgw_http_reset(struct kgw_http_parser *p)
{
	sodium_memzero(p->arena, p->arena_len);
	sodium_memzero(p->body, p->req.body_len + 1);
	sodium_memzero(p->field, sizeof(p->field));
	memset(&p->req, 0, sizeof(p->req));
	p->err = (struct kgw_http_error){ 0 };
	p->phase = KGW_HTTP_PHASE_HEAD;
	p->arena_len = 0;
	p->url_len = p->header_bytes = p->field_len = 0;
	p->header_count = p->seen = 0;
	p->in_value = p->transfer_encoding = p->started = false;
	p->cur_header = -1;
	http_parser_init(&p->hp, HTTP_REQUEST);
	p->hp.data = p;
}

void kgw_http_parser_free(struct kgw_http_parser *p)
{
	if (p->arena)
		sodium_memzero(p->arena, p->arena_size);
	if (p->body)
		sodium_memzero(p->body, p->limits.body_max + 1);
	free(p->arena);
	free(p->body);
	p->arena = p->body = NULL;
}

static void fail_parse(struct kgw_http_parser *p, enum http_errno e)
{
	if (e == HPE_HEADER_OVERFLOW) {
		/* The backstop fired: over the line if no header had started. */
		if (!p->req.target)
			fail_line(p);
		else
			fail_headers(p);
		return;
	}
	fail_bad(p, http_errno_description(e));
}

enum kgw_http_state kgw_http_feed(struct kgw_http_parser *p, const char *data, size_t len,
				  size_t *used)
{
	enum http_errno e;
	size_t n;

	*used = 0;
	if (p->phase == KGW_HTTP_PHASE_DONE)
		return KGW_HTTP_DONE;
	if (p->phase == KGW_HTTP_PHASE_ERROR)
		return KGW_HTTP_ERROR;
	if (!len)
		return KGW_HTTP_MORE;
	n = http_parser_execute(&p->hp, &settings, data, len);
	*used = n;
	if (p->phase == KGW_HTTP_PHASE_ERROR)
		return KGW_HTTP_ERROR;
	if (p->phase == KGW_HTTP_PHASE_DONE)
		return KGW_HTTP_DONE;
	e = HTTP_PARSER_ERRNO(&p->hp);
	if (e != HPE_OK) {
		fail_parse(p, e);
		return KGW_HTTP_ERROR;
	}
	if (n != len) {
		fail_bad(p, "malformed request");
		return KGW_HTTP_ERROR;
	}
	return KGW_HTTP_MORE;
}

const struct kgw_http_request *kgw_http_request(const struct kgw_http_parser *p)
{
	return p->phase == KGW_HTTP_PHASE_DONE ? &p->req : NULL;
}

const struct kgw_http_error *kgw_http_error(const struct kgw_http_parser *p)
{
	return p->phase == KGW_HTTP_PHASE_ERROR ? &p->err : NULL;
}

bool kgw_http_started(const struct kgw_http_parser *p)
{
	return p->started;
}
