/* SPDX-License-Identifier: MIT */
/*
 * One HTTP/1.1 response, parsed with http-parser as its bytes arrive:
 * status, headers, and a body framed by Content-Length, chunked encoding
 * or the end of the connection. Pure: bytes in, a response out. Bounded by
 * KGWC_HTTP_* (client.h), so a hostile or broken server costs us little.
 */
#ifndef KGWC_HTTP_RESP_H
#define KGWC_HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>

#include <http_parser.h>

#include "client.h"

struct kgwc_http_header {
	char *name;	/* as sent; lookups ignore case */
	char *value;
};

struct kgwc_http_response {
	int status;				/* 0 until the status line is in */
	struct kgwc_http_header headers[KGWC_HTTP_HEADER_COUNT_MAX];
	size_t n_headers;
	char *body;				/* NUL-terminated; NULL when empty */
	size_t body_len;
	bool complete;
	/* Parser state. */
	http_parser parser;
	size_t header_bytes;
	bool in_value;
	int error;				/* first error, negative errno */
};

void kgwc_http_response_init(struct kgwc_http_response *r);
void kgwc_http_response_free(struct kgwc_http_response *r);

/*
 * Feeds received bytes; len 0 says the connection ended. Returns 1 when
 * the response is complete, 0 when more is needed, -EBADMSG for bytes that
 * are not an HTTP response (or end too early), -EMSGSIZE past a limit,
 * -ENOMEM. After an error or completion further calls return the same.
 */
int kgwc_http_response_feed(struct kgwc_http_response *r, const char *buf, size_t len)
	__attribute__((warn_unused_result));

/* The first header of that name (any case), or NULL. */
const char *kgwc_http_response_header(const struct kgwc_http_response *r, const char *name);

#endif
