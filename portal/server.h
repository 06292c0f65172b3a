/* SPDX-License-Identifier: MIT */
/*
 * An HTTPS server on the event loop: listeners, connection caps (in all
 * and per source), and a route table from {method, path} to handlers.
 * The session API uses one; the admin UI will use another with its own
 * routes, limits and policy.
 *
 * A handler gets the connection and the request and answers with
 * kgw_conn_reply(), now or later (PAM runs on worker threads): the
 * connection and the request stay valid until it does.
 */
#ifndef KGW_SERVER_H
#define KGW_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "addr.h"
#include "http.h"
#include "response.h"

#define KGW_SERVER_ERR_MAX 256
#define KGW_SERVER_LISTENERS_MAX 4

struct kgw_server;
struct kgw_conn;

/* `ctx' is the pointer given to kgw_server_new(), owned by its caller. */
typedef void (*kgw_route_fn)(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx);

struct kgw_route {
	enum http_method method;
	const char *path;		/* exact match, no decoding */
	kgw_route_fn handler;
};

struct kgw_server_options {
	const char *name;		/* in log lines: "api", "admin" */
	struct kgw_http_limits limits;
	const struct kgw_response_policy *policy;
	double request_timeout;
	double write_timeout;
	double handler_timeout;
	double linger_timeout;
	unsigned int max_conns;
	unsigned int max_conns_per_source;
	unsigned int max_requests_per_conn;
};

/* The session API's settings, from portal_limits.h. */
void kgw_server_default_options(struct kgw_server_options *o);

/*
 * `routes' must outlive the server. The process ignores SIGPIPE from here
 * on: the server writes to sockets that the peer may have closed.
 */
struct kgw_server *kgw_server_new(struct ev_loop *loop, SSL_CTX *tls,
				  const struct kgw_server_options *opt,
				  const struct kgw_route *routes, size_t nroutes, void *ctx)
	__attribute__((warn_unused_result));
/* Port 0 binds any free port; kgw_server_bound() tells which. */
int kgw_server_listen(struct kgw_server *s, const union kgw_sockaddr *addr,
		      char err[static KGW_SERVER_ERR_MAX]) __attribute__((warn_unused_result));
int kgw_server_bound(const struct kgw_server *s, size_t i, union kgw_sockaddr *out);
/* Stops accepting; open connections carry on. */
void kgw_server_stop(struct kgw_server *s);
/*
 * Closes every connection. One whose handler has not answered yet stays
 * allocated until it does, so reply before or after, never lose the handle.
 */
void kgw_server_free(struct kgw_server *s);
unsigned int kgw_server_conn_count(const struct kgw_server *s);

/* ---- for handlers ---- */

/* Answers the request; takes `r' (NULL: out of memory, a 500 goes out). Once. */
void kgw_conn_reply(struct kgw_conn *c, struct kgw_response *r);
/* A JSON error answer: {"error":{"code":...,"message":...}}. */
void kgw_conn_reply_error(struct kgw_conn *c, int status, const char *code, const char *message);
const union kgw_sockaddr *kgw_conn_peer(const struct kgw_conn *c);
/* The peer's address without port, for logs and the audit trail. */
const char *kgw_conn_peer_str(const struct kgw_conn *c);
/* Has the client gone (or been timed out) while the handler worked? */
bool kgw_conn_gone(const struct kgw_conn *c);

#endif
