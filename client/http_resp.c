/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_resp.h"

/* Appends len bytes to a NUL-terminated heap string of *cur bytes. */
static int append(char **s, size_t *cur, const char *at, size_t len)
{
	char *n = realloc(*s, *cur + len + 1);

	if (!n)
		return -ENOMEM;
	memcpy(n + *cur, at, len);
	*cur += len;
	n[*cur] = '\0';
	*s = n;
	return 0;
}

static int failed(struct kgwc_http_response *r, int err)
{
	if (!r->error)
		r->error = err;
	return 1;	/* non-zero stops http-parser */
}

static int count_header_bytes(struct kgwc_http_response *r, size_t len)
{
	r->header_bytes += len;
	return r->header_bytes > KGWC_HTTP_HEADERS_MAX ? -EMSGSIZE : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct kgwc_http_response *r = p->data;
	struct kgwc_http_header *h;
	size_t cur;
	int ret;

	if ((ret = count_header_bytes(r, len)))
		return failed(r, ret);
	if (r->in_value || r->n_headers == 0) {
		if (r->n_headers == KGWC_HTTP_HEADER_COUNT_MAX)
			return failed(r, -EMSGSIZE);
		r->n_headers++;
		r->in_value = false;
	}
	h = &r->headers[r->n_headers - 1];
	cur = h->name ? strlen(h->name) : 0;
	return (ret = append(&h->name, &cur, at, len)) ? failed(r, ret) : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct kgwc_http_response *r = p->data;
	struct kgwc_http_header *h = &r->headers[r->n_headers - 1];
	size_t cur = h->value ? strlen(h->value) : 0;
	int ret;

	if ((ret = count_header_bytes(r, len)))
		return failed(r, ret);
	r->in_value = true;
	return (ret = append(&h->value, &cur, at, len)) ? failed(r, ret) : 0;
}

static int on_headers_complete(http_parser *p)
{
	struct kgwc_http_response *r = p->data;

	/*
	 * http_parser takes 1 to 3 digits; RFC 9110 15 wants three, 1xx-5xx.
	 * Found by fuzz_client_http: "HTTP/1.1 0 x" completed with status 0,
	 * which the struct uses for "no status line yet".
	 */
	if (p->status_code < 100 || p->status_code > 599)
		return failed(r, -EBADMSG);
	r->status = p->status_code;
	/* A header with no value at all still gets one (""), so lookups see it. */
	for (size_t i = 0; i < r->n_headers; i++) {
		size_t zero = 0;

		if (!r->headers[i].value && append(&r->headers[i].value, &zero, "", 0))
			return failed(r, -ENOMEM);
	}
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct kgwc_http_response *r = p->data;
	int ret;

	if (r->body_len + len > KGWC_HTTP_BODY_MAX)
		return failed(r, -EMSGSIZE);
	return (ret = append(&r->body, &r->body_len, at, len)) ? failed(r, ret) : 0;
}

static void clear_message(struct kgwc_http_response *r)
{
	for (size_t i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	memset(r->headers, 0, sizeof(r->headers));
	r->n_headers = 0;
	r->header_bytes = 0;
	r->in_value = false;
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
	r->status = 0;
}

static int on_message_complete(http_parser *p)
{
	struct kgwc_http_response *r = p->data;

	/* An interim 1xx answer is followed by the real one (RFC 9110 15.2). */
	if (r->status >= 100 && r->status < 200) {
		clear_message(r);
		return 0;
	}
	r->complete = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

void kgwc_http_response_init(struct kgwc_http_response *r)
{
	memset(r, 0, sizeof(*r));
	http_parser_init(&r->parser, HTTP_RESPONSE);
	r->parser.data = r;
}

void kgwc_http_response_free(struct kgwc_http_response *r)
{
	if (!r)
		return;
	clear_message(r);
}

int kgwc_http_response_feed(struct kgwc_http_response *r, const char *buf, size_t len)
{
	size_t n;

	if (r->error)
		return r->error;
	if (r->complete)
		return 1;
	n = http_parser_execute(&r->parser, &settings, buf, len);
	if (r->error)
		return r->error;
	if (r->complete)
		return 1;
	if (HTTP_PARSER_ERRNO(&r->parser) != HPE_OK || n != len || len == 0)
		r->error = -EBADMSG;
	return r->error;
}

const char *kgwc_http_response_header(const struct kgwc_http_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (r->headers[i].name && !strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}
