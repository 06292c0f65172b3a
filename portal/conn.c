/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "conn.h"
#include "log.h"
#include "portal_limits.h"
#include "source.h"
#include "tls.h"

/* Reads per callback while lingering, so one client cannot hold the loop. */
#define LINGER_READS 16

static void conn_read(struct kgw_conn *c);
static void conn_write(struct kgw_conn *c);

static struct ev_loop *loop_of(const struct kgw_conn *c)
{
	return kgw_server_loop(c->srv);
}

static const struct kgw_server_options *opts_of(const struct kgw_conn *c)
{
	return kgw_server_opts(c->srv);
}

/* Each state has one deadline; entering a state sets it. */
static void conn_deadline(struct kgw_conn *c, double after)
{
	ev_timer_stop(loop_of(c), &c->timer);
	ev_timer_set(&c->timer, after, 0.);
	ev_timer_start(loop_of(c), &c->timer);
}

static void conn_want(struct kgw_conn *c, int events)
{
	if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(loop_of(c), &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(loop_of(c), &c->io);
}

/* OpenSSL says what it waits for; that, not what we were doing, is what we wait for. */
static void conn_want_tls(struct kgw_conn *c, enum kgw_tls_result r)
{
	conn_want(c, r == KGW_TLS_WANT_WRITE ? EV_WRITE : EV_READ);
}

static void wipe_out(struct kgw_conn *c)
{
	if (c->out)
		sodium_memzero(c->out, c->out_len);
	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = 0;
}

static void wipe_in(struct kgw_conn *c)
{
	sodium_memzero(c->in, c->in_len);
	c->in_off = c->in_len = 0;
}

static void conn_close_socket(struct kgw_conn *c)
{
	if (c->state == KGW_CONN_CLOSED)
		return;
	ev_io_stop(loop_of(c), &c->io);
	ev_timer_stop(loop_of(c), &c->timer);
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	c->state = KGW_CONN_CLOSED;
	wipe_out(c);
	wipe_in(c);
}

static void conn_free(struct kgw_conn *c)
{
	conn_close_socket(c);
	if (c->srv)
		kgw_server_conn_gone(c->srv, c);
	kgw_http_parser_free(&c->parser);
	free(c->in);
	free(c);
}

/* Gone from the network; the memory waits for a handler that still holds it. */
static void conn_drop(struct kgw_conn *c)
{
	conn_close_socket(c);
	if (!c->handler_owns)
		conn_free(c);
}

static void log_answer(const struct kgw_conn *c, int status)
{
	const struct kgw_http_request *req = kgw_http_request(&c->parser);
	char path[96];

	if (!kgw_log_enabled(KGW_LOG_DEBUG))
		return;
	kgw_debug("%s: %s \"%s %s\" %d", opts_of(c)->name, c->peer_str,
		  req ? req->method_name : "-",
		  req ? kgw_log_quote(req->path, path, sizeof(path)) : "-", status);
}

/* Serialises `r' (taken) and starts writing it. */
static void conn_send(struct kgw_conn *c, struct kgw_response *r)
{
	const struct kgw_http_request *req = kgw_http_request(&c->parser);
	const struct kgw_server_options *o = opts_of(c);
	int ret;

	if (!r) {
		conn_drop(c);
		return;
	}
	if (c->requests >= o->max_requests_per_conn || (req && !req->keep_alive))
		c->close_after = true;
	ret = kgw_response_serialize(r, o->policy, c->close_after, time(NULL), &c->out,
				     &c->out_len);
	log_answer(c, kgw_response_status(r));
	kgw_response_free(r);
	if (ret) {
		conn_drop(c);
		return;
	}
	c->out_off = 0;
	c->state = KGW_CONN_WRITING;
	conn_deadline(c, o->write_timeout);
	conn_write(c);
}

/* The stream is in an unknown state after any of these: answer and close. */
static void conn_send_final(struct kgw_conn *c, int status, const char *code, const char *message)
{
	c->close_after = true;
	conn_send(c, kgw_response_error(status, code, message));
}

/*
 * Closes our side and reads what the client still sends, so that the close
 * does not become a reset that destroys the answer before the client reads it.
 */
static void conn_linger(struct kgw_conn *c)
{
	kgw_tls_close(c->ssl);
	shutdown(c->fd, SHUT_WR);
	c->state = KGW_CONN_LINGERING;
	conn_deadline(c, opts_of(c)->linger_timeout);
	conn_want(c, EV_READ);
}

static void conn_linger_read(struct kgw_conn *c)
{
	char buf[4096];
	ssize_t n = 0;

	for (int i = 0; i < LINGER_READS; i++) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		conn_drop(c);
}

static void conn_write(struct kgw_conn *c)
{
	while (c->out_off < c->out_len) {
		size_t n;
		enum kgw_tls_result r = kgw_tls_write(c->ssl, c->out + c->out_off,
						      c->out_len - c->out_off, &n);

		if (r == KGW_TLS_OK) {
			c->out_off += n;
		} else if (r == KGW_TLS_WANT_READ || r == KGW_TLS_WANT_WRITE) {
			conn_want_tls(c, r);
			return;
		} else {
			conn_drop(c);
			return;
		}
	}
	wipe_out(c);
	if (c->close_after) {
		conn_linger(c);
		return;
	}
	kgw_http_reset(&c->parser);
	c->state = KGW_CONN_READING;
	conn_deadline(c, opts_of(c)->request_timeout);
	conn_want(c, EV_READ);
	/*
	 * The next request may be here already, pipelined in `in' or decrypted
	 * inside OpenSSL, where no readiness will announce it. Going through
	 * the loop, not calling conn_read() from here, keeps the stack flat.
	 */
	ev_feed_event(loop_of(c), &c->io, EV_READ);
}

static void conn_dispatch(struct kgw_conn *c)
{
	c->state = KGW_CONN_HANDLING;
	c->requests++;
	c->handler_owns = true;
	ev_io_stop(loop_of(c), &c->io);
	conn_deadline(c, opts_of(c)->handler_timeout);
	/* The handler may reply (and the connection go) before this returns. */
	kgw_server_dispatch(c->srv, c, kgw_http_request(&c->parser));
}

static void conn_read(struct kgw_conn *c)
{
	for (;;) {
		enum kgw_tls_result r;
		size_t n;

		if (c->in_off < c->in_len) {
			enum kgw_http_state st = kgw_http_feed(&c->parser, c->in + c->in_off,
							       c->in_len - c->in_off, &n);

			c->in_off += n;
			if (st == KGW_HTTP_DONE) {
				conn_dispatch(c);
				return;
			}
			if (st == KGW_HTTP_ERROR) {
				const struct kgw_http_error *e = kgw_http_error(&c->parser);

				conn_send_final(c, e->status, e->code, e->message);
				return;
			}
		}
		wipe_in(c);
		r = kgw_tls_read(c->ssl, c->in, KGW_PORTAL_READ_CHUNK, &n);
		if (r == KGW_TLS_OK) {
			c->in_len = n;
		} else if (r == KGW_TLS_WANT_READ || r == KGW_TLS_WANT_WRITE) {
			conn_want_tls(c, r);
			return;
		} else {
			conn_drop(c);
			return;
		}
	}
}

static void conn_handshake(struct kgw_conn *c)
{
	enum kgw_tls_result r = kgw_tls_handshake(c->ssl);
	char why[160];

	if (r == KGW_TLS_OK) {
		c->state = KGW_CONN_READING;
		conn_read(c);
	} else if (r == KGW_TLS_WANT_READ || r == KGW_TLS_WANT_WRITE) {
		conn_want_tls(c, r);
	} else {
		kgw_debug("%s: TLS handshake with %s failed: %s", opts_of(c)->name, c->peer_str,
			  kgw_tls_last_error(why, sizeof(why)));
		conn_drop(c);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct kgw_conn *c = w->data;

	(void)revents;
	switch (c->state) {
	case KGW_CONN_HANDSHAKE:
		conn_handshake(c);
		break;
	case KGW_CONN_READING:
		conn_read(c);
		break;
	case KGW_CONN_WRITING:
		conn_write(c);
		break;
	case KGW_CONN_LINGERING:
		conn_linger_read(c);
		break;
	default:
		ev_io_stop(loop, w);
		break;
	}
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct kgw_conn *c = w->data;
	const struct kgw_http_request *req;
	char path[96];

	(void)loop;
	(void)revents;
	switch (c->state) {
	case KGW_CONN_READING:
		if (!kgw_http_started(&c->parser)) {
			conn_drop(c);
			break;
		}
		kgw_info("%s: %s did not finish its request in time; closing", opts_of(c)->name,
			 c->peer_str);
		conn_send_final(c, 408, "request_timeout", "the request took too long to arrive");
		break;
	case KGW_CONN_HANDLING:
		req = kgw_http_request(&c->parser);
		kgw_warn("%s: no answer in time to %s %s from %s", opts_of(c)->name,
			 req->method_name, kgw_log_quote(req->path, path, sizeof(path)),
			 c->peer_str);
		conn_send_final(c, 503, "timeout", "the request could not be completed in time");
		break;
	default:
		if (c->state == KGW_CONN_HANDSHAKE)
			kgw_debug("%s: %s did not finish the TLS handshake in time",
				  opts_of(c)->name, c->peer_str);
		conn_drop(c);
		break;
	}
}

struct kgw_conn *kgw_conn_new(struct kgw_server *srv, int fd, const union kgw_sockaddr *peer)
{
	const struct kgw_server_options *o = kgw_server_opts(srv);
	struct kgw_conn *c = calloc(1, sizeof(*c));

	if (!c)
		goto fail;
	c->in = malloc(KGW_PORTAL_READ_CHUNK);
	if (!c->in || kgw_http_parser_init(&c->parser, &o->limits))
		goto fail;
	c->ssl = kgw_tls_new(kgw_server_tls(srv), fd);
	if (!c->ssl)
		goto fail;
	c->srv = srv;
	c->fd = fd;
	c->peer = *peer;
	kgw_source_format(peer, c->peer_str);
	c->state = KGW_CONN_HANDSHAKE;
	ev_io_init(&c->io, io_cb, fd, EV_READ);
	ev_init(&c->timer, timer_cb);
	c->io.data = c->timer.data = c;
	/* The request deadline runs from accept: the handshake is part of it. */
	conn_deadline(c, o->request_timeout);
	ev_io_start(kgw_server_loop(srv), &c->io);
	return c;
fail:
	if (c) {
		kgw_http_parser_free(&c->parser);
		free(c->in);
		free(c);
	}
	close(fd);
	return NULL;
}

void kgw_conn_abort(struct kgw_conn *c)
{
	conn_close_socket(c);
	kgw_server_conn_gone(c->srv, c);
	c->srv = NULL;
	if (!c->handler_owns)
		conn_free(c);
}

void kgw_conn_reply(struct kgw_conn *c, struct kgw_response *r)
{
	c->handler_owns = false;
	if (c->state != KGW_CONN_HANDLING) {
		/* Too late: the client left, or had a 503 when the handler timed out. */
		kgw_response_free(r);
		if (c->state == KGW_CONN_CLOSED)
			conn_free(c);
		return;
	}
	if (!r)
		r = kgw_response_error(500, "internal_error", "the server is out of memory");
	conn_send(c, r);
}

void kgw_conn_reply_error(struct kgw_conn *c, int status, const char *code, const char *message)
{
	kgw_conn_reply(c, kgw_response_error(status, code, message));
}

const union kgw_sockaddr *kgw_conn_peer(const struct kgw_conn *c)
{
	return &c->peer;
}

const char *kgw_conn_peer_str(const struct kgw_conn *c)
{
	return c->peer_str;
}

bool kgw_conn_gone(const struct kgw_conn *c)
{
	return c->state != KGW_CONN_HANDLING;
}
