/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "backend_kgwd.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "store_groups.h"
#include "store_sessions.h"
#include "store_users.h"

#define CALL_TIMEOUT 5.0
#define CALL_REPLY_MAX (1 << 20)
#define TOKEN_BYTES 32

enum call_kind { CALL_AUTHORIZE, CALL_LOOKUP, CALL_REVOKE, CALL_RAW };

struct call {
	struct kgwd_backend *b;
	struct call *next;
	enum call_kind kind;
	ev_io w;
	ev_timer timer;
	char *out, *in;
	size_t out_len, out_off, in_len, in_cap;
	portal_backend_cb cb;
	kgw_kgwd_reply_fn raw_cb;	/* CALL_RAW */
	void *arg;
	char token[64];		/* authorize: handed to the client once */
	char host[256];		/* authorize: for a default endpoint */
	char id[KGW_SESSION_ID_LEN + 1];	/* lookup: the session wanted */
};

struct kgwd_backend {
	struct portal_backend pb;
	struct ev_loop *loop;
	const struct kgw_config *cfg;
	struct kgw_store *store;
	struct call *calls;
};

static void call_free(struct call *c)
{
	struct call **pp;

	for (pp = &c->b->calls; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	ev_io_stop(c->b->loop, &c->w);
	ev_timer_stop(c->b->loop, &c->timer);
	if (c->w.fd >= 0)
		close(c->w.fd);
	free(c->out);
	free(c->in);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

/* Exactly once per call: answer, then forget it. */
static void finish(struct call *c, enum portal_backend_status st, json_t *session)
{
	portal_backend_cb cb = c->cb;
	kgw_kgwd_reply_fn raw_cb = c->raw_cb;
	void *arg = c->arg;

	call_free(c);
	if (raw_cb)
		raw_cb(arg, st == PORTAL_BACKEND_OK ? session : NULL);
	else
		cb(arg, st, session);
}

/* A session from kgwd made ready for the client. */
static json_t *for_client(struct call *c, json_t *session)
{
	const char *ep = json_string_value(json_object_get(session, "endpoint"));
	json_int_t port = json_integer_value(json_object_get(session, "listen_port"));
	char buf[300], *colon;

	if ((!ep || !*ep) && c->host[0]) {
		/* No configured endpoint: the name the client reached us by, at the WireGuard port. */
		snprintf(buf, sizeof(buf), "%s", c->host);
		colon = buf[0] == '[' ? strchr(buf, ']') : strrchr(buf, ':');
		if (colon && *colon == ']')
			colon[1] = '\0';
		else if (colon)
			*colon = '\0';
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ":%lld", (long long)port);
		json_object_set_new(session, "endpoint", json_string(buf));
	}
	if (c->token[0])
		json_object_set_new(session, "token", json_string(c->token));
	return session;
}

static void on_reply(struct call *c, json_t *r)
{
	const char *code = json_string_value(json_object_get(json_object_get(r, "error"), "code"));
	json_t *s = NULL, *list;
	size_t i;

	if (c->kind == CALL_RAW) {
		finish(c, PORTAL_BACKEND_OK, json_incref(r));
		return;
	}
	if (!json_is_true(json_object_get(r, "ok"))) {
		finish(c, code && !strcmp(code, "conflict") ? PORTAL_BACKEND_CONFLICT
			  : code && !strcmp(code, "not_found") ? PORTAL_BACKEND_NOT_FOUND
			  : PORTAL_BACKEND_UNAVAILABLE, NULL);
		return;
	}
	switch (c->kind) {
	case CALL_AUTHORIZE:
		s = json_incref(json_object_get(r, "session"));
		finish(c, s ? PORTAL_BACKEND_OK : PORTAL_BACKEND_UNAVAILABLE, s ? for_client(c, s) : NULL);
		return;
	case CALL_LOOKUP:
		list = json_object_get(r, "sessions");
		json_array_foreach(list, i, s) {
			if (!strcmp(json_string_value(json_object_get(s, "id")) ?: "", c->id)) {
				finish(c, PORTAL_BACKEND_OK, json_incref(s));
				return;
			}
		}
		finish(c, PORTAL_BACKEND_NOT_FOUND, NULL);
		return;
	case CALL_REVOKE:
	case CALL_RAW:
		finish(c, PORTAL_BACKEND_OK, NULL);
		return;
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct call *c = w->data;
	json_error_t jerr;
	char *nl;
	ssize_t n;
	json_t *r;

	(void)loop;
	if (revents & EV_WRITE) {
		n = write(w->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0 && errno != EAGAIN)
			goto fail;
		c->out_off += n > 0 ? (size_t)n : 0;
		if (c->out_off == c->out_len) {
			ev_io_stop(c->b->loop, w);
			ev_io_set(w, w->fd, EV_READ);
			ev_io_start(c->b->loop, w);
		}
		return;
	}
	if (c->in_cap - c->in_len < 4096) {
		char *grown = c->in_cap >= CALL_REPLY_MAX ? NULL : realloc(c->in, c->in_cap + 65536);

		if (!grown)
			goto fail;
		c->in = grown;
		c->in_cap += 65536;
	}
	n = read(w->fd, c->in + c->in_len, c->in_cap - c->in_len - 1);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0)
		goto fail;
	c->in_len += (size_t)n;
	c->in[c->in_len] = '\0';
	if (!(nl = strchr(c->in, '\n')))
		return;
	r = json_loadb(c->in, (size_t)(nl - c->in), 0, &jerr);
	if (!r)
		goto fail;
	on_reply(c, r);
	json_decref(r);
	return;
fail:
	kgw_err("kgwd control socket: the request failed");
	finish(c, PORTAL_BACKEND_UNAVAILABLE, NULL);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	kgw_err("kgwd did not answer within %.0f s", CALL_TIMEOUT);
	finish(w->data, PORTAL_BACKEND_UNAVAILABLE, NULL);
}

/* Sends `req' (its reference is taken) to kgwd; the reply comes to on_reply(). */
static void call_start(struct call *c, json_t *req)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0;
	/* kgw_json_dump: a plain malloc'd copy (jansson's allocator wipes and is not free()). */
	char *line = req ? kgw_json_dump(req, &len) : NULL;
	int fd;

	json_decref(req);
	c->w.fd = -1;
	c->next = c->b->calls;
	c->b->calls = c;
	ev_init(&c->w, io_cb);
	c->w.data = c;
	ev_timer_init(&c->timer, timeout_cb, CALL_TIMEOUT, 0.0);
	c->timer.data = c;
	if (!line)
		goto fail;
	c->out_len = len + 1;
	c->out = line;
	c->out[len] = '\n';	/* the NUL becomes the newline */
	if (strlen(c->b->cfg->control_socket) >= sizeof(sun.sun_path))
		goto fail;
	memcpy(sun.sun_path, c->b->cfg->control_socket, strlen(c->b->cfg->control_socket));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	ev_io_set(&c->w, fd, EV_WRITE);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) && errno != EINPROGRESS && errno != EAGAIN) {
		kgw_err("cannot reach kgwd at %s: %s", sun.sun_path, strerror(errno));
		goto fail;
	}
	ev_io_start(c->b->loop, &c->w);
	ev_timer_start(c->b->loop, &c->timer);
	return;
fail:
	finish(c, PORTAL_BACKEND_UNAVAILABLE, NULL);
}

static struct call *call_new(struct kgwd_backend *b, enum call_kind kind, portal_backend_cb cb, void *arg)
{
	struct call *c = calloc(1, sizeof(*c));

	if (!c) {
		cb(arg, PORTAL_BACKEND_UNAVAILABLE, NULL);
		return NULL;
	}
	c->b = b;
	c->kind = kind;
	c->cb = cb;
	c->arg = arg;
	return c;
}

static json_t *dests_json(const struct kgw_dest *d, size_t n)
{
	char cidr[KGW_ADDR_STR_MAX], ports[12];
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		kgw_cidr_format(&d[i].cidr, cidr);
		kgw_dest_format_ports(&d[i], ports);
		json_array_append_new(a, json_pack("{s:s, s:s}", "cidr", cidr, "ports", ports));
	}
	return a;
}

static void be_authorize(void *ctx, const struct portal_session_request *req, portal_backend_cb cb,
			 void *arg)
{
	struct kgwd_backend *b = ctx;
	struct call *c = call_new(b, CALL_AUTHORIZE, cb, arg);
	uint8_t raw[TOKEN_BYTES];
	char hash[KGW_TOKEN_HASH_LEN + 1], key[48];
	struct kgw_dest *dests = NULL;
	struct kgw_user user;
	unsigned int ttl;
	size_t n = 0;
	json_t *r;

	if (!c)
		return;
	/* PAM's account step checked the user; this is the access they have now. */
	if (kgw_store_user_get(b->store, req->user, &user) || !user.enabled ||
	    kgw_store_user_destinations(b->store, req->user, &dests, &n) || !n) {
		free(dests);
		free(c);
		cb(arg, PORTAL_BACKEND_REFUSED, NULL);
		return;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(c->token, sizeof(c->token), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	kgw_token_hash(c->token, hash);
	sodium_bin2base64(key, sizeof(key), req->public_key, KGW_WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
	snprintf(c->host, sizeof(c->host), "%s", req->host ? req->host : "");
	ttl = req->ttl && req->ttl < b->cfg->session_ttl ? req->ttl : b->cfg->session_ttl;
	r = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o}", "op", "authorize", "user", req->user,
		      "public_key", key, "ttl", (json_int_t)ttl, "token_hash", hash,
		      "destinations", dests_json(dests, n));
	free(dests);
	call_start(c, r);
}

/* The store knows the token; kgwd knows whether the session is still up. */
static void be_lookup(void *ctx, const char *token, portal_backend_cb cb, void *arg)
{
	struct kgwd_backend *b = ctx;
	char hash[KGW_TOKEN_HASH_LEN + 1];
	struct kgw_session s;
	struct call *c;

	kgw_token_hash(token, hash);
	if (kgw_store_session_by_token(b->store, hash, &s) || !kgw_session_live(&s, (int64_t)time(NULL))) {
		cb(arg, PORTAL_BACKEND_NOT_FOUND, NULL);
		return;
	}
	if (!(c = call_new(b, CALL_LOOKUP, cb, arg)))
		return;
	memcpy(c->id, s.id, sizeof(c->id));
	call_start(c, json_pack("{s:s}", "op", "list"));
}

static void be_revoke(void *ctx, const char *token, portal_backend_cb cb, void *arg)
{
	struct kgwd_backend *b = ctx;
	char hash[KGW_TOKEN_HASH_LEN + 1];
	struct kgw_session s;
	struct call *c;

	kgw_token_hash(token, hash);
	if (kgw_store_session_by_token(b->store, hash, &s) || !kgw_session_live(&s, (int64_t)time(NULL))) {
		cb(arg, PORTAL_BACKEND_NOT_FOUND, NULL);
		return;
	}
	if (!(c = call_new(b, CALL_REVOKE, cb, arg)))
		return;
	call_start(c, json_pack("{s:s, s:s}", "op", "revoke", "id", s.id));
}

void kgw_backend_kgwd_call(void *ctx, json_t *req, kgw_kgwd_reply_fn cb, void *arg)
{
	struct portal_backend *pb = ctx;
	struct call *c = calloc(1, sizeof(*c));

	if (!c) {
		json_decref(req);
		cb(arg, NULL);
		return;
	}
	c->b = pb->ctx;
	c->kind = CALL_RAW;
	c->raw_cb = cb;
	c->arg = arg;
	call_start(c, req);
}

static void be_cancel_all(void *ctx)
{
	struct kgwd_backend *b = ctx;

	while (b->calls)
		finish(b->calls, PORTAL_BACKEND_UNAVAILABLE, NULL);
}

static const struct portal_backend_ops kgwd_ops = {
	.authorize = be_authorize,
	.lookup = be_lookup,
	.revoke = be_revoke,
	.cancel_all = be_cancel_all,
};

struct portal_backend *kgw_backend_kgwd_new(struct ev_loop *loop, const struct kgw_config *cfg,
					    struct kgw_store *store)
{
	struct kgwd_backend *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->pb.ops = &kgwd_ops;
	b->pb.ctx = b;
	b->loop = loop;
	b->cfg = cfg;
	b->store = store;
	return &b->pb;
}

void kgw_backend_kgwd_free(struct portal_backend *pb)
{
	struct kgwd_backend *b;

	if (!pb)
		return;
	b = pb->ctx;
	be_cancel_all(b);
	free(b);
}
