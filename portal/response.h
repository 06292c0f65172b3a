/* SPDX-License-Identifier: MIT */
/*
 * HTTP responses: a status, extra headers, a body, and on the wire the
 * security headers every response of ours carries. Pure: the clock and the
 * policy are arguments.
 */
#ifndef KGW_RESPONSE_H
#define KGW_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct kgw_response;

/* What differs between the API and the admin UI. */
struct kgw_response_policy {
	const char *csp;		/* Content-Security-Policy value */
};

/* The API's: nothing may be loaded, framed or run from a JSON answer. */
extern const struct kgw_response_policy kgw_response_api_policy;

struct kgw_response *kgw_response_new(int status) __attribute__((warn_unused_result));
/* Wipes (bodies carry session tokens) and frees; NULL is fine. */
void kgw_response_free(struct kgw_response *r);

/*
 * Adds "name: value". A name outside the token characters or a value with
 * CR, LF or NUL is -EINVAL: no header injection, whatever the caller passes.
 */
int kgw_response_header(struct kgw_response *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), warn_unused_result));
/* Copies the body. */
int kgw_response_body(struct kgw_response *r, const char *content_type, const void *body,
		      size_t len) __attribute__((warn_unused_result));
int kgw_response_json(struct kgw_response *r, const json_t *v) __attribute__((warn_unused_result));

/* A JSON error response: {"error":{"code":...,"message":...}}; NULL when out of memory. */
struct kgw_response *kgw_response_error(int status, const char *code, const char *message)
	__attribute__((warn_unused_result));

int kgw_response_status(const struct kgw_response *r);

/*
 * The bytes to send, malloc'd. `close' says whether this is the last
 * response on the connection; `now' goes into the Date header.
 */
int kgw_response_serialize(const struct kgw_response *r, const struct kgw_response_policy *pol,
			   bool close, time_t now, char **out, size_t *out_len)
	__attribute__((warn_unused_result));

#endif
