/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "portal_limits.h"
#include "source.h"

/* Accepts per readiness callback, so a flood cannot hold the loop. */
#define ACCEPT_BATCH 64
/* At most one "connection refused" warning per this many seconds. */
#define REFUSED_LOG_INTERVAL 10.0

struct listener {
	ev_io io;			/* data: the server */
	int fd;
	union kgw_sockaddr addr;
};

struct kgw_server {
	struct ev_loop *loop;
	SSL_CTX *tls;
	struct kgw_server_options opt;
	const struct kgw_route *routes;
	size_t nroutes;
	void *ctx;
	struct listener listeners[KGW_SERVER_LISTENERS_MAX];
	size_t nlisteners;
	ev_timer resume;		/* data: the server; accepting again after EMFILE */
	bool accepting;
	struct kgw_conn *conns;
	unsigned int nconns;
	unsigned long refused;		/* since the last warning */
	ev_tstamp refused_logged;
};

void kgw_server_default_options(struct kgw_server_options *o)
{
	*o = (struct kgw_server_options){
		.name = "api",
		.limits = kgw_http_api_limits,
		.policy = &kgw_response_api_policy,
		.request_timeout = KGW_PORTAL_REQUEST_TIMEOUT,
		.write_timeout = KGW_PORTAL_WRITE_TIMEOUT,
		.handler_timeout = KGW_PORTAL_HANDLER_TIMEOUT,
		.linger_timeout = KGW_PORTAL_LINGER_TIMEOUT,
		.max_conns = KGW_PORTAL_MAX_CONNS,
		.max_conns_per_source = KGW_PORTAL_MAX_CONNS_PER_SOURCE,
		.max_requests_per_conn = KGW_PORTAL_MAX_REQUESTS_PER_CONN,
	};
}

struct ev_loop *kgw_server_loop(const struct kgw_server *s)
{
	return s->loop;
}

SSL_CTX *kgw_server_tls(const struct kgw_server *s)
{
	return s->tls;
}

const struct kgw_server_options *kgw_server_opts(const struct kgw_server *s)
{
	return &s->opt;
}

unsigned int kgw_server_conn_count(const struct kgw_server *s)
{
	return s->nconns;
}

void kgw_server_conn_gone(struct kgw_server *s, struct kgw_conn *c)
{
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	c->next = NULL;
	c->pprev = NULL;
	s->nconns--;
}

static void send_allow(struct kgw_server *s, struct kgw_conn *c, const char *path)
{
	struct kgw_response *r = kgw_response_error(405, "method_not_allowed",
						    "this method is not allowed here");
	char allow[128] = "";
	size_t len = 0;

	for (size_t i = 0; i < s->nroutes; i++) {
		if (strcmp(s->routes[i].path, path))
			continue;
		len += (size_t)snprintf(allow + len, sizeof(allow) - len, "%s%s", len ? ", " : "",
					http_method_str(s->routes[i].method));
		if (len >= sizeof(allow))
			break;
	}
	if (r && kgw_response_header(r, "Allow", "%s", allow)) {
		kgw_response_free(r);
		r = NULL;
	}
	kgw_conn_reply(c, r);
}

void kgw_server_dispatch(struct kgw_server *s, struct kgw_conn *c,
			 const struct kgw_http_request *req)
{
	bool path_known = false;

	for (size_t i = 0; i < s->nroutes; i++) {
		if (strcmp(s->routes[i].path, req->path))
			continue;
		if (s->routes[i].method == req->method) {
			s->routes[i].handler(c, req, s->ctx);
			return;
		}
		path_known = true;
	}
	if (path_known)
		send_allow(s, c, req->path);
	else
		kgw_conn_reply_error(c, 404, "not_found", "there is nothing at this path");
}

static unsigned int conns_from(const struct kgw_server *s, const union kgw_sockaddr *peer)
{
	unsigned int n = 0;

	for (const struct kgw_conn *c = s->conns; c; c = c->next)
		n += kgw_source_same(&c->peer, peer);
	return n;
}

static void note_refused(struct kgw_server *s, const char *why)
{
	ev_tstamp now = ev_now(s->loop);

	s->refused++;
	if (now - s->refused_logged < REFUSED_LOG_INTERVAL && s->refused_logged > 0)
		return;
	kgw_warn("%s: %s; refused %lu connection(s)", s->opt.name, why, s->refused);
	s->refused = 0;
	s->refused_logged = now;
}

static void listeners_enable(struct kgw_server *s, bool on)
{
	for (size_t i = 0; i < s->nlisteners; i++) {
		if (on)
			ev_io_start(s->loop, &s->listeners[i].io);
		else
			ev_io_stop(s->loop, &s->listeners[i].io);
	}
}

static void resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct kgw_server *s = w->data;

	(void)loop;
	(void)revents;
	if (s->accepting)
		listeners_enable(s, true);
}

/* Out of descriptors: accept would fail again at once, so rest a moment. */
static void accept_pause(struct kgw_server *s)
{
	note_refused(s, "out of file descriptors");
	listeners_enable(s, false);
	ev_timer_set(&s->resume, KGW_PORTAL_ACCEPT_PAUSE, 0.);
	ev_timer_start(s->loop, &s->resume);
}

static bool accept_one(struct kgw_server *s, int lfd)
{
	union kgw_sockaddr peer = { 0 };
	socklen_t plen = sizeof(peer);
	struct kgw_conn *c;
	int fd, one = 1;

	fd = accept4(lfd, &peer.sa, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
			accept_pause(s);
		/* EAGAIN: drained; ECONNABORTED and friends: that one is gone. */
		return e == ECONNABORTED || e == EINTR || e == EPROTO;
	}
	if (s->nconns >= s->opt.max_conns) {
		note_refused(s, "connection limit reached");
		close(fd);
		return true;
	}
	if (conns_from(s, &peer) >= s->opt.max_conns_per_source) {
		note_refused(s, "per-source connection limit reached");
		close(fd);
		return true;
	}
	/* Answers are one write each: do not hold them back for more. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = kgw_conn_new(s, fd, &peer);
	if (!c)
		return true;
	c->next = s->conns;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &s->conns;
	s->conns = c;
	s->nconns++;
	return true;
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct kgw_server *s = w->data;

	(void)loop;
	(void)revents;
	for (int i = 0; i < ACCEPT_BATCH && s->accepting; i++) {
		if (!accept_one(s, w->fd))
			break;
	}
}

struct kgw_server *kgw_server_new(struct ev_loop *loop, SSL_CTX *tls,
				  const struct kgw_server_options *opt,
				  const struct kgw_route *routes, size_t nroutes, void *ctx)
{
	struct kgw_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->loop = loop;
	s->tls = tls;
	s->opt = *opt;
	s->routes = routes;
	s->nroutes = nroutes;
	s->ctx = ctx;
	s->accepting = true;
	ev_init(&s->resume, resume_cb);
	s->resume.data = s;
	signal(SIGPIPE, SIG_IGN);
	return s;
}

static int listen_fail(int fd, const union kgw_sockaddr *addr, const char *what,
		       char err[static KGW_SERVER_ERR_MAX])
{
	char a[KGW_ADDR_STR_MAX];
	int ret = -errno;

	snprintf(err, KGW_SERVER_ERR_MAX, "cannot %s %s: %s", what, kgw_sockaddr_format(addr, a),
		 strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

int kgw_server_listen(struct kgw_server *s, const union kgw_sockaddr *addr,
		      char err[static KGW_SERVER_ERR_MAX])
{
	struct listener *l;
	socklen_t alen;
	int fd, one = 1;

	if (s->nlisteners == KGW_SERVER_LISTENERS_MAX) {
		snprintf(err, KGW_SERVER_ERR_MAX, "too many listeners");
		return -ENOSPC;
	}
	fd = socket(addr->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return listen_fail(fd, addr, "create a socket for", err);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return listen_fail(fd, addr, "set SO_REUSEADDR on", err);
	if (bind(fd, &addr->sa, kgw_sockaddr_len(addr)) < 0)
		return listen_fail(fd, addr, "bind", err);
	if (listen(fd, KGW_PORTAL_LISTEN_BACKLOG) < 0)
		return listen_fail(fd, addr, "listen on", err);
	l = &s->listeners[s->nlisteners];
	alen = sizeof(l->addr);
	if (getsockname(fd, &l->addr.sa, &alen) < 0)
		return listen_fail(fd, addr, "read back the address of", err);
	l->fd = fd;
	ev_io_init(&l->io, accept_cb, fd, EV_READ);
	l->io.data = s;
	if (s->accepting)
		ev_io_start(s->loop, &l->io);
	s->nlisteners++;
	return 0;
}

int kgw_server_bound(const struct kgw_server *s, size_t i, union kgw_sockaddr *out)
{
	if (i >= s->nlisteners)
		return -ENOENT;
	*out = s->listeners[i].addr;
	return 0;
}

void kgw_server_stop(struct kgw_server *s)
{
	s->accepting = false;
	ev_timer_stop(s->loop, &s->resume);
	listeners_enable(s, false);
}

void kgw_server_free(struct kgw_server *s)
{
	if (!s)
		return;
	kgw_server_stop(s);
	while (s->conns)
		kgw_conn_abort(s->conns);
	for (size_t i = 0; i < s->nlisteners; i++)
		close(s->listeners[i].fd);
	free(s);
}
