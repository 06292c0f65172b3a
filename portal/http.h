/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.x request parsing on top of http-parser, with hard limits. Pure:
 * bytes in, a request or an error status out; no sockets, no clock, so it
 * is tested byte by byte and fuzzed.
 *
 * One parser serves one connection. kgw_http_feed() stops at the end of
 * each request and says how many bytes it used, so pipelined requests
 * wait in the caller's buffer until kgw_http_reset() starts the next one.
 */
#ifndef KGW_HTTP_H
#define KGW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>

struct kgw_http_limits {
	size_t line_max;		/* request line, without CRLF */
	size_t headers_max;		/* sum of "name: value\r\n" */
	unsigned int header_count_max;
	size_t body_max;
};

/* The session API's limits (portal_limits.h). */
extern const struct kgw_http_limits kgw_http_api_limits;

enum kgw_http_state {
	KGW_HTTP_MORE,			/* every byte used; feed more */
	KGW_HTTP_DONE,			/* a complete request; see kgw_http_request() */
	KGW_HTTP_ERROR,			/* see kgw_http_error(); the connection must close */
};

/*
 * A parsed request. Every string is NUL-terminated and lives in the parser
 * until the next kgw_http_reset(); absent headers are NULL.
 */
struct kgw_http_request {
	enum http_method method;
	const char *method_name;
	const char *target;		/* as sent: "/path?query" */
	const char *path;		/* up to '?', not decoded */
	const char *query;		/* after '?'; NULL without one */
	const char *host;
	const char *content_type;
	const char *authorization;
	const char *cookie;
	const char *origin;
	const char *body;		/* NUL-terminated; body_len excludes the NUL */
	size_t body_len;
	bool has_body;			/* a Content-Length was sent (maybe 0) */
	unsigned short http_major, http_minor;
	bool keep_alive;		/* the client allows another request after this */
};

/* `code' and `message' are static strings, safe to send to the client. */
struct kgw_http_error {
	int status;
	const char *code;
	const char *message;
};

enum kgw_http_phase { KGW_HTTP_PHASE_HEAD, KGW_HTTP_PHASE_BODY, KGW_HTTP_PHASE_DONE,
		      KGW_HTTP_PHASE_ERROR };

/* Private: callers use the functions below. */
struct kgw_http_parser {
	http_parser hp;
	struct kgw_http_limits limits;
	enum kgw_http_phase phase;
	struct kgw_http_request req;
	struct kgw_http_error err;
	char *arena;			/* request target, path, query, header values */
	size_t arena_size, arena_len;
	char *body;			/* body_max + 1 */
	size_t url_len;
	size_t header_bytes;
	unsigned int header_count;
	char field[24];			/* the longest header name we keep, and more */
	size_t field_len;
	bool in_value;			/* last callback was a value: a new field starts a header */
	int cur_header;			/* index into the kept headers, or -1 */
	size_t value_off;
	unsigned int seen;		/* kept headers already present, one bit each */
	bool transfer_encoding;
	bool started;
};

int kgw_http_parser_init(struct kgw_http_parser *p, const struct kgw_http_limits *limits)
	__attribute__((warn_unused_result));
/* Wipes the previous request (bodies hold passwords) and starts a new one. */
void kgw_http_reset(struct kgw_http_parser *p);
void kgw_http_parser_free(struct kgw_http_parser *p);

/*
 * Parses up to `len' bytes and sets *used to how many it took. After DONE
 * or ERROR it takes nothing until kgw_http_reset().
 */
enum kgw_http_state kgw_http_feed(struct kgw_http_parser *p, const char *data, size_t len,
				  size_t *used);

/* Valid after DONE. */
const struct kgw_http_request *kgw_http_request(const struct kgw_http_parser *p);
/* Valid after ERROR. */
const struct kgw_http_error *kgw_http_error(const struct kgw_http_parser *p);

/* Has the request started (any byte of it seen)? A time-out then gets a 408. */
bool kgw_http_started(const struct kgw_http_parser *p);

#endif
