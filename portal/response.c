/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>
#include <sodium.h>

#include "json.h"
#include "portal_limits.h"
#include "response.h"

#define STR(x) #x
#define XSTR(x) STR(x)

const struct kgw_response_policy kgw_response_api_policy = {
	.csp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/* Extra header lines, "Name: value\r\n" each, are few and short. */
#define RESPONSE_HEADERS_MAX 1024

struct kgw_response {
	int status;
	char headers[RESPONSE_HEADERS_MAX];
	size_t headers_len;
	char content_type[64];
	char *body;
	size_t body_len;
};

struct kgw_response *kgw_response_new(int status)
{
	struct kgw_response *r = calloc(1, sizeof(*r));

	if (r)
		r->status = status;
	return r;
}

void kgw_response_free(struct kgw_response *r)
{
	if (!r)
		return;
	if (r->body)
		sodium_memzero(r->body, r->body_len);
	free(r->body);
	sodium_memzero(r, sizeof(*r));
	free(r);
}

int kgw_response_status(const struct kgw_response *r)
{
	return r->status;
}

/* RFC 9110 token characters. */
static bool is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr(extra, *s))
			return false;
	}
	return true;
}

int kgw_response_header(struct kgw_response *r, const char *name, const char *fmt, ...)
{
	size_t room = sizeof(r->headers) - r->headers_len, vstart;
	va_list ap;
	int n;

	if (!is_token(name))
		return -EINVAL;
	n = snprintf(r->headers + r->headers_len, room, "%s: ", name);
	if (n < 0 || (size_t)n >= room)
		return -ENOSPC;
	vstart = r->headers_len + (size_t)n;
	room -= (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(r->headers + vstart, room, fmt, ap);
	va_end(ap);
	/* Room for the CRLF too. */
	if (n < 0 || (size_t)n + 2 >= room) {
		r->headers[r->headers_len] = '\0';
		return -ENOSPC;
	}
	if (strpbrk(r->headers + vstart, "\r\n")) {
		r->headers[r->headers_len] = '\0';
		return -EINVAL;
	}
	memcpy(r->headers + vstart + (size_t)n, "\r\n", 3);
	r->headers_len = vstart + (size_t)n + 2;
	return 0;
}

int kgw_response_body(struct kgw_response *r, const char *content_type, const void *body,
		      size_t len)
{
	char *copy;

	if (strlen(content_type) >= sizeof(r->content_type) || strpbrk(content_type, "\r\n"))
		return -EINVAL;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, body, len);
	if (r->body)
		sodium_memzero(r->body, r->body_len);
	free(r->body);
	r->body = copy;
	r->body_len = len;
	strcpy(r->content_type, content_type);
	return 0;
}

int kgw_response_json(struct kgw_response *r, const json_t *v)
{
	size_t len;
	char *text = kgw_json_dump(v, &len);
	int ret;

	if (!text)
		return -ENOMEM;
	ret = kgw_response_body(r, "application/json", text, len);
	sodium_memzero(text, len);
	free(text);
	return ret;
}

struct kgw_response *kgw_response_error(int status, const char *code, const char *message)
{
	struct kgw_response *r = kgw_response_new(status);
	size_t len;
	char *body;

	if (!r)
		return NULL;
	body = kgw_json_error_body(code, message, &len);
	if (!body || kgw_response_body(r, "application/json", body, len)) {
		free(body);
		kgw_response_free(r);
		return NULL;
	}
	free(body);
	return r;
}

/* 1xx, 204 and 304 have no body and no Content-Length. */
static bool has_body(int status)
{
	return status >= 200 && status != 204 && status != 304;
}

int kgw_response_serialize(const struct kgw_response *r, const struct kgw_response_policy *pol,
			   bool close, time_t now, char **out, size_t *out_len)
{
	char date[64], *buf;
	struct tm tm;
	size_t cap;
	int n;

	*out = NULL;
	if (!gmtime_r(&now, &tm) || !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm))
		return -EINVAL;
	cap = 1024 + strlen(pol->csp) + r->headers_len + r->body_len;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	n = snprintf(buf, cap,
		     "HTTP/1.1 %d %s\r\n"
		     "Date: %s\r\n"
		     "Cache-Control: no-store\r\n"
		     "X-Content-Type-Options: nosniff\r\n"
		     "X-Frame-Options: DENY\r\n"
		     "Referrer-Policy: no-referrer\r\n"
		     "Strict-Transport-Security: max-age=" XSTR(KGW_PORTAL_HSTS_MAX_AGE) "\r\n"
		     "Content-Security-Policy: %s\r\n"
		     "Connection: %s\r\n"
		     "%s",
		     r->status, http_status_str((enum http_status)r->status), date, pol->csp,
		     close ? "close" : "keep-alive", r->headers);
	if (n > 0 && has_body(r->status) && r->body)
		n += snprintf(buf + n, cap - (size_t)n, "Content-Type: %s\r\n", r->content_type);
	if (n > 0 && has_body(r->status))
		n += snprintf(buf + n, cap - (size_t)n, "Content-Length: %zu\r\n", r->body_len);
	if (n < 0 || (size_t)n + 2 + r->body_len > cap) {
		free(buf);
		return -EOVERFLOW;
	}
	memcpy(buf + n, "\r\n", 2);
	n += 2;
	if (has_body(r->status) && r->body_len)
		memcpy(buf + n, r->body, r->body_len);
	*out = buf;
	*out_len = (size_t)n + (has_body(r->status) ? r->body_len : 0);
	return 0;
}
