/* SPDX-License-Identifier: MIT */
/*
 * kgw-portal as the integration tests drive it: the same assembly
 * (portal.c) from a kgw.conf, with a PAM confdir of the test's own, short
 * time-outs, any free port, and an in-memory backend standing in for kgwd
 * and the store. The backend exists only here, for the tests.
 *
 *   portal-test-server -c CONF --pam-confdir DIR --port-file FILE
 *                      [--request-timeout S] [--handler-timeout S]
 *
 * The backend refuses user "refused", and answers user "late" only after
 * LATE_AFTER seconds.
 *
 * Writes the port it listens on to FILE once it serves; stops on SIGTERM.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "json.h"
#include "log.h"
#include "portal.h"

/* ---- the fake backend ---- */

#define FAKE_SESSIONS 64

struct fake_session {
	bool used;
	char token[2 * 32 + 1];
	char user[KGW_USER_NAME_MAX + 1];
	uint8_t key[KGW_WG_KEY_LEN];
	unsigned int host;
};

static struct fake_session sessions[FAKE_SESSIONS];

static json_t *session_json(const struct fake_session *s, bool with_token)
{
	char addr[32];
	char key[sodium_base64_ENCODED_LEN(KGW_WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL)];

	snprintf(addr, sizeof(addr), "100.64.0.%u/32", s->host);
	sodium_bin2base64(key, sizeof(key), s->key, sizeof(s->key), sodium_base64_VARIANT_ORIGINAL);
	return json_pack("{s:s,s:s,s:s,s:s,s:[s],s:i,s:i,s:s*}", "user", s->user,
			 "client_public_key", key, "client_address", addr,
			 "endpoint", "127.0.0.1:51820", "routes", "10.0.0.10/32",
			 "keepalive", 25, "expires_in", 28800,
			 "token", with_token ? s->token : NULL);
}

static struct fake_session *find(const char *token)
{
	for (int i = 0; i < FAKE_SESSIONS; i++) {
		if (sessions[i].used && !strcmp(sessions[i].token, token))
			return &sessions[i];
	}
	return NULL;
}

/*
 * User "late" gets the answer LATE_AFTER seconds later, as a slow kgwd
 * would give it: past the handler time-out the tests set, so the API must
 * revoke a session nobody received.
 */
#define LATE_AFTER 6.0

struct late {
	ev_timer timer;			/* data: this */
	portal_backend_cb cb;
	void *arg;
	struct fake_session *s;
	bool used;
};

static struct ev_loop *fake_loop;
static struct late lates[4];

static void late_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct late *l = w->data;

	(void)loop;
	(void)revents;
	l->used = false;
	l->cb(l->arg, PORTAL_BACKEND_OK, session_json(l->s, true));
}

static void answer_late(struct fake_session *s, portal_backend_cb cb, void *arg)
{
	for (size_t i = 0; i < sizeof(lates) / sizeof(lates[0]); i++) {
		struct late *l = &lates[i];

		if (l->used)
			continue;
		*l = (struct late){ .cb = cb, .arg = arg, .s = s, .used = true };
		ev_timer_init(&l->timer, late_cb, LATE_AFTER, 0.);
		l->timer.data = l;
		ev_timer_start(fake_loop, &l->timer);
		return;
	}
	cb(arg, PORTAL_BACKEND_UNAVAILABLE, NULL);
}

static void fake_cancel_all(void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(lates) / sizeof(lates[0]); i++) {
		if (!lates[i].used)
			continue;
		ev_timer_stop(fake_loop, &lates[i].timer);
		lates[i].used = false;
		lates[i].cb(lates[i].arg, PORTAL_BACKEND_UNAVAILABLE, NULL);
	}
}

static void fake_authorize(void *ctx, const struct portal_session_request *req,
			   portal_backend_cb cb, void *arg)
{
	uint8_t raw[32];
	int i;

	(void)ctx;
	if (!strcmp(req->user, "refused")) {
		cb(arg, PORTAL_BACKEND_REFUSED, NULL);
		return;
	}
	for (i = 0; i < FAKE_SESSIONS; i++) {
		if (sessions[i].used && !memcmp(sessions[i].key, req->public_key, KGW_WG_KEY_LEN)) {
			cb(arg, PORTAL_BACKEND_CONFLICT, NULL);
			return;
		}
	}
	for (i = 0; i < FAKE_SESSIONS && sessions[i].used; i++)
		;
	if (i == FAKE_SESSIONS) {
		cb(arg, PORTAL_BACKEND_UNAVAILABLE, NULL);
		return;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(sessions[i].token, sizeof(sessions[i].token), raw, sizeof(raw));
	snprintf(sessions[i].user, sizeof(sessions[i].user), "%s", req->user);
	memcpy(sessions[i].key, req->public_key, KGW_WG_KEY_LEN);
	sessions[i].host = (unsigned int)i + 2;
	sessions[i].used = true;
	if (!strcmp(req->user, "late"))
		answer_late(&sessions[i], cb, arg);
	else
		cb(arg, PORTAL_BACKEND_OK, session_json(&sessions[i], true));
}

static void fake_lookup(void *ctx, const char *token, portal_backend_cb cb, void *arg)
{
	struct fake_session *s = find(token);

	(void)ctx;
	if (s)
		cb(arg, PORTAL_BACKEND_OK, session_json(s, false));
	else
		cb(arg, PORTAL_BACKEND_NOT_FOUND, NULL);
}

static void fake_revoke(void *ctx, const char *token, portal_backend_cb cb, void *arg)
{
	struct fake_session *s = find(token);

	(void)ctx;
	if (!s) {
		cb(arg, PORTAL_BACKEND_NOT_FOUND, NULL);
		return;
	}
	kgw_notice("fake backend: revoked the session of `%s'", s->user);
	memset(s, 0, sizeof(*s));
	cb(arg, PORTAL_BACKEND_OK, NULL);
}

static const struct portal_backend_ops fake_ops = {
	.authorize = fake_authorize,
	.lookup = fake_lookup,
	.revoke = fake_revoke,
	.cancel_all = fake_cancel_all,
};

static const struct portal_backend fake_backend = { &fake_ops, NULL };

/* ---- the program ---- */

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static int write_port(const char *path, const struct kgw_portal *p)
{
	union kgw_sockaddr bound;
	char tmp[4096];
	FILE *f;

	if (kgw_portal_bound(p, &bound))
		return -1;
	/* Written whole, then renamed: the script never reads half a number. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", ntohs(bound.in.sin_port));
	if (fclose(f) || rename(tmp, path))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pam-confdir", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'o' },
		{ "request-timeout", required_argument, NULL, 'r' },
		{ "handler-timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *port_file = NULL;
	struct kgw_portal_options o = { .backend = &fake_backend };
	struct kgw_server_options so;
	char err[KGW_PORTAL_ERR_MAX];
	union kgw_sockaddr any;
	struct kgw_config cfg;
	struct kgw_portal *p;
	struct ev_loop *loop;
	ev_signal sigterm;
	int c;

	kgw_server_default_options(&so);
	while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 'p': o.pam_confdir = optarg; break;
		case 'o': port_file = optarg; break;
		case 'r': so.request_timeout = atof(optarg); break;
		case 't': so.handler_timeout = atof(optarg); break;
		default: return 2;
		}
	}
	if (!conf || !port_file || !o.pam_confdir) {
		fputs("usage: portal-test-server -c CONF --pam-confdir DIR --port-file FILE\n",
		      stderr);
		return 2;
	}
	kgw_log_open("portal-test-server", KGW_LOG_DEBUG, KGW_LOG_TO_STDERR);
	if (kgw_config_load(&cfg, conf, true, err)) {
		kgw_err("%s", err);
		return 1;
	}
	kgw_json_init();
	any = cfg.auth_listen;
	any.in.sin_port = 0;
	o.listen = &any;
	o.server = &so;
	loop = ev_loop_new(EVFLAG_AUTO);
	fake_loop = loop;
	p = kgw_portal_new(loop, &cfg, &o, err);
	if (!p) {
		kgw_err("%s", err);
		ev_loop_destroy(loop);
		return 3;
	}
	if (write_port(port_file, p)) {
		kgw_err("cannot write `%s'", port_file);
		kgw_portal_free(p);
		ev_loop_destroy(loop);
		return 3;
	}
	ev_signal_init(&sigterm, stop_cb, SIGTERM);
	ev_signal_start(loop, &sigterm);
	ev_run(loop, 0);
	ev_signal_stop(loop, &sigterm);
	kgw_portal_free(p);
	ev_loop_destroy(loop);
	kgw_notice("stopped");
	return 0;
}
