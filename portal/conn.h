/* SPDX-License-Identifier: MIT */
/*
 * One client connection of a kgw_server: the TLS handshake, reading one
 * request at a time, handing it to a handler, writing the answer, then the
 * next request or a lingering close. Internal to server.c and conn.c;
 * handlers see only the functions in server.h.
 *
 * States and what moves them:
 *   HANDSHAKE  -> READING    handshake done
 *   READING    -> HANDLING   a complete request
 *   READING    -> WRITING    a bad request, or the request deadline (408)
 *   HANDLING   -> WRITING    kgw_conn_reply(), or the handler deadline (503)
 *   WRITING    -> READING    answer sent, connection kept
 *   WRITING    -> LINGERING  answer sent, connection closing
 *   any        -> CLOSED     peer gone, error, time-out; freed unless a
 *                            handler still holds it, then freed at its reply
 */
#ifndef KGW_CONN_H
#define KGW_CONN_H

#include <stdbool.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "addr.h"
#include "http.h"
#include "server.h"

enum kgw_conn_state {
	KGW_CONN_HANDSHAKE,
	KGW_CONN_READING,
	KGW_CONN_HANDLING,
	KGW_CONN_WRITING,
	KGW_CONN_LINGERING,
	KGW_CONN_CLOSED,
};

struct kgw_conn {
	struct kgw_server *srv;		/* NULL once the server is gone */
	struct kgw_conn *next, **pprev;	/* the server's list */
	enum kgw_conn_state state;
	int fd;
	SSL *ssl;
	ev_io io;			/* data: this conn */
	ev_timer timer;			/* data: this conn; the current state's deadline */
	union kgw_sockaddr peer;
	char peer_str[KGW_ADDR_STR_MAX];
	struct kgw_http_parser parser;
	char *in;			/* decrypted bytes; [in_off, in_len) not parsed yet */
	size_t in_off, in_len;
	char *out;			/* the answer on the wire */
	size_t out_off, out_len;
	bool close_after;		/* the answer being sent is the last */
	bool handler_owns;		/* a handler has it and has not replied */
	unsigned int requests;
};

/* After accept: takes the socket (closes it on failure). */
struct kgw_conn *kgw_conn_new(struct kgw_server *srv, int fd, const union kgw_sockaddr *peer);
/* Server going away: close now; a held connection waits for its reply. */
void kgw_conn_abort(struct kgw_conn *c);

/* ---- server.c's side, for conn.c ---- */

struct ev_loop *kgw_server_loop(const struct kgw_server *s);
SSL_CTX *kgw_server_tls(const struct kgw_server *s);
const struct kgw_server_options *kgw_server_opts(const struct kgw_server *s);
/* Routes the request; the handler (or a 404/405) replies. */
void kgw_server_dispatch(struct kgw_server *s, struct kgw_conn *c,
			 const struct kgw_http_request *req);
void kgw_server_conn_gone(struct kgw_server *s, struct kgw_conn *c);

#endif
