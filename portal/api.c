/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "api.h"
#include "audit.h"
#include "json.h"
#include "log.h"
#include "login.h"
#include "source.h"

struct kgw_api {
	struct kgw_api_config cfg;
	struct kgw_pam_pool *pam;
	struct kgw_throttle *throttle;
	const struct portal_backend *backend;
	unsigned int pending;
};

enum op { OP_CREATE, OP_READ, OP_DELETE };

static const char *const op_action[] = {
	[OP_CREATE] = "session.create",
	[OP_READ] = "session.read",
	[OP_DELETE] = "session.delete",
};

/* One request between its handler and its answer; holds the connection. */
struct pending {
	struct kgw_api *api;
	struct kgw_conn *conn;
	enum op op;
	union kgw_sockaddr source;
	char source_str[KGW_ADDR_STR_MAX];
	char user[KGW_USER_NAME_MAX + 1];
	char host[KGW_HTTP_HOST_MAX + 1];
	uint8_t public_key[KGW_WG_KEY_LEN];
	unsigned int ttl;	/* the client asked for a shorter session; 0: the default */
	char token[KGW_TOKEN_MAX + 1];
};

static uint64_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static uint64_t api_now(const struct kgw_api *api)
{
	return api->cfg.clock ? api->cfg.clock() : monotonic_seconds();
}

static struct pending *pending_new(struct kgw_api *api, struct kgw_conn *c, enum op op)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->api = api;
	p->conn = c;
	p->op = op;
	p->source = *kgw_conn_peer(c);
	kgw_source_format(&p->source, p->source_str);
	api->pending++;
	return p;
}

static void pending_free(struct pending *p)
{
	p->api->pending--;
	/* The token is a secret. */
	sodium_memzero(p, sizeof(*p));
	free(p);
}

/* Audits, answers (taking `r') and ends the request. */
static void finish(struct pending *p, struct kgw_response *r, const char *outcome,
		   const char *detail)
{
	kgw_audit(&(struct kgw_audit_record){
		.action = op_action[p->op],
		.outcome = outcome,
		.source = p->source_str,
		.user = p->user[0] ? p->user : NULL,
		.detail = detail,
	});
	kgw_conn_reply(p->conn, r);
	pending_free(p);
}

static void finish_error(struct pending *p, const char *outcome, const char *detail, int status,
			 const char *code, const char *message, unsigned int retry_after)
{
	struct kgw_response *r = kgw_response_error(status, code, message);

	if (r && retry_after && kgw_response_header(r, "Retry-After", "%u", retry_after)) {
		kgw_response_free(r);
		r = NULL;
	}
	/* RFC 6750: a 401 on a token route says which scheme it wants. */
	if (r && status == 401 && p->op != OP_CREATE &&
	    kgw_response_header(r, "WWW-Authenticate", "Bearer realm=\"kgw\"%s",
				p->token[0] ? ", error=\"invalid_token\"" : "")) {
		kgw_response_free(r);
		r = NULL;
	}
	finish(p, r, outcome, detail);
}

static void finish_session(struct pending *p, int status, json_t *session, const char *detail)
{
	struct kgw_response *r = kgw_response_new(status);

	if (r && session && kgw_response_json(r, session)) {
		kgw_response_free(r);
		r = NULL;
	}
	if (r && status == 201 &&
	    kgw_response_header(r, "Location", "/api/v1/sessions/current")) {
		kgw_response_free(r);
		r = NULL;
	}
	finish(p, r, "ok", detail);
}

static void reply_throttled(struct pending *p, unsigned int wait)
{
	finish_error(p, "throttled", "too many failures from this source or for this user", 429,
		     "too_many_requests", "too many failed attempts; try again later", wait);
}

static void reply_unavailable(struct pending *p, const char *detail)
{
	finish_error(p, "unavailable", detail, 503, "unavailable",
		     "the gateway cannot handle sessions right now", 0);
}

/* ---- the backend's answers ---- */

static void abandoned_revoked(void *arg, enum portal_backend_status st, json_t *session)
{
	(void)arg;
	if (st != PORTAL_BACKEND_OK && st != PORTAL_BACKEND_NOT_FOUND)
		kgw_warn("api: could not revoke a session nobody received; it will expire");
	json_decref(session);
}

/*
 * The client is gone (it left, or had its 503 when the answer took too
 * long): nobody holds this session's token, so it goes at once.
 */
static void created_for_nobody(struct pending *p, json_t *session)
{
	const char *token = json_string_value(json_object_get(session, "token"));
	struct kgw_api *api = p->api;

	if (token)
		api->backend->ops->revoke(api->backend->ctx, token, abandoned_revoked, NULL);
	finish(p, NULL, "abandoned", "the client left before the session was opened");
}

static void created(struct pending *p, enum portal_backend_status st, json_t *session)
{
	switch (st) {
	case PORTAL_BACKEND_OK:
		if (kgw_conn_gone(p->conn))
			created_for_nobody(p, session);
		else
			finish_session(p, 201, session, "session opened");
		break;
	case PORTAL_BACKEND_REFUSED:
		finish_error(p, "refused", "the backend refused this user a session", 403,
			     "forbidden", "this user may not open a session", 0);
		break;
	case PORTAL_BACKEND_CONFLICT:
		finish_error(p, "conflict", "public key in use", 409, "conflict",
			     "this public key is in use by another session", 0);
		break;
	case PORTAL_BACKEND_UNAVAILABLE:
		reply_unavailable(p, "the backend is unavailable");
		break;
	default:
		finish_error(p, "error", "the backend gave an unexpected answer", 500,
			     "internal_error", "the gateway failed to open the session", 0);
		break;
	}
}

static void user_from(struct pending *p, const json_t *session)
{
	const char *user = json_string_value(json_object_get(session, "user"));

	if (user && strlen(user) < sizeof(p->user))
		strcpy(p->user, user);
}

static void token_answered(struct pending *p, enum portal_backend_status st, json_t *session)
{
	struct kgw_api *api = p->api;
	uint64_t now = api_now(api);

	switch (st) {
	case PORTAL_BACKEND_OK:
		kgw_throttle_success(api->throttle, &p->source, NULL, now);
		user_from(p, session);
		if (p->op == OP_READ)
			finish_session(p, 200, session, NULL);
		else
			finish_session(p, 204, NULL, "session closed");
		break;
	case PORTAL_BACKEND_NOT_FOUND:
		/* A wrong token is a failed guess: begin() counted it. */
		finish_error(p, "denied", "unknown token", 401, "unauthorized",
			     "the token is not valid", 0);
		break;
	case PORTAL_BACKEND_UNAVAILABLE:
		kgw_throttle_cancel(api->throttle, &p->source, NULL, now);
		reply_unavailable(p, "the backend is unavailable");
		break;
	default:
		kgw_throttle_cancel(api->throttle, &p->source, NULL, now);
		finish_error(p, "error", "the backend gave an unexpected answer", 500,
			     "internal_error", "the gateway failed to handle the session", 0);
		break;
	}
}

static void backend_done(void *arg, enum portal_backend_status st, json_t *session)
{
	struct pending *p = arg;

	if (st == PORTAL_BACKEND_OK && session && !json_is_object(session)) {
		json_decref(session);
		session = NULL;
		st = PORTAL_BACKEND_UNAVAILABLE;
	}
	if (st == PORTAL_BACKEND_OK && !session && p->op != OP_DELETE)
		st = PORTAL_BACKEND_UNAVAILABLE;
	if (p->op == OP_CREATE)
		created(p, st, session);
	else
		token_answered(p, st, session);
	json_decref(session);
}

/* ---- POST /api/v1/sessions ---- */

static void pam_done(void *arg, const struct kgw_pam_result *res)
{
	struct pending *p = arg;
	struct kgw_api *api = p->api;
	uint64_t now = api_now(api);
	struct portal_session_request sreq;
	char detail[128];

	if (res->status == KGW_PAM_CANCELLED) {
		kgw_throttle_cancel(api->throttle, &p->source, p->user, now);
		reply_unavailable(p, "shutting down before PAM ran");
		return;
	}
	if (res->status == KGW_PAM_UNAVAILABLE) {
		/*
		 * Right and wrong credentials both end here when the store is
		 * broken, so the 503 tells nothing; it is not counted.
		 */
		kgw_throttle_cancel(api->throttle, &p->source, p->user, now);
		snprintf(detail, sizeof(detail), "pam %s: %s", res->stage, res->reason);
		finish_error(p, "unavailable", detail, 503, "auth_unavailable",
			     "authentication is unavailable right now; try again later", 0);
		return;
	}
	if (res->status != KGW_PAM_OK) {
		/* What PAM said stays here; the client gets the one uniform 401. */
		snprintf(detail, sizeof(detail), "pam %s: %s", res->stage, res->reason);
		finish_error(p, "denied", detail, 401, "unauthorized",
			     "the user name, password or verification code is wrong", 0);
		return;
	}
	kgw_throttle_success(api->throttle, &p->source, p->user, now);
	if (kgw_conn_gone(p->conn)) {
		/* Nobody would receive the session: do not open one. */
		finish(p, NULL, "abandoned", "the client left before PAM finished");
		return;
	}
	if (!api->backend) {
		reply_unavailable(p, "no gateway backend");
		return;
	}
	sreq = (struct portal_session_request){
		.user = p->user,
		.source = &p->source,
		.host = p->host[0] ? p->host : NULL,
		.ttl = p->ttl,
	};
	memcpy(sreq.public_key, p->public_key, sizeof(sreq.public_key));
	api->backend->ops->authorize(api->backend->ctx, &sreq, backend_done, p);
}

static bool json_content_type(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = strlen(json);

	return ct && !strncasecmp(ct, json, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void submit_login(struct pending *p, const struct kgw_login *f)
{
	struct kgw_api *api = p->api;
	struct kgw_pam_request pr = {
		.service = api->cfg.pam_service,
		.confdir = api->cfg.pam_confdir,
		.user = f->user,
		.password = f->password,
		.otp = f->otp,
		.rhost = p->source_str,
	};
	unsigned int wait = kgw_throttle_begin(api->throttle, &p->source, p->user, api_now(api));
	int ret;

	if (wait) {
		reply_throttled(p, wait);
		return;
	}
	ret = kgw_pam_submit(api->pam, &pr, pam_done, p);
	if (!ret)
		return;
	kgw_throttle_cancel(api->throttle, &p->source, p->user, api_now(api));
	if (ret == -EAGAIN)
		finish_error(p, "busy", "every PAM worker is busy and the queue is full", 503,
			     "busy", "the server is busy; try again shortly", KGW_PAM_BUSY_RETRY);
	else
		reply_unavailable(p, "PAM could not be started");
}

static void create_session(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx)
{
	struct pending *p = pending_new(ctx, c, OP_CREATE);
	char err[KGW_JSON_ERR_MAX];
	struct kgw_login f;
	json_t *body;
	int ret = -EINVAL;

	if (!p) {
		kgw_conn_reply(c, NULL);
		return;
	}
	if (req->host && strlen(req->host) <= KGW_HTTP_HOST_MAX)
		strcpy(p->host, req->host);
	if (!json_content_type(req->content_type)) {
		finish_error(p, "invalid", "not application/json", 415, "unsupported_media_type",
			     "send the request body as application/json", 0);
		return;
	}
	body = kgw_json_parse_object(req->body, req->body_len, err);
	if (body) {
		ret = kgw_login_read(body, &f, err);
		if (f.user)
			strcpy(p->user, f.user);
		memcpy(p->public_key, f.public_key, sizeof(p->public_key));
		p->ttl = f.ttl;
	}
	if (ret)
		finish_error(p, "invalid", err, 400, "invalid_request", err, 0);
	else
		submit_login(p, &f);
	/* The wiping allocator clears jansson's copies of the password and code. */
	json_decref(body);
}

/* ---- GET and DELETE /api/v1/sessions/current ---- */

/* "Bearer TOKEN", the token in RFC 6750's b64token characters. */
static bool read_bearer(const char *auth, char token[static KGW_TOKEN_MAX + 1])
{
	static const char extra[] = "-._~+/=";
	const char *t;
	size_t len;

	if (!auth || strncasecmp(auth, "Bearer ", 7))
		return false;
	for (t = auth + 7; *t == ' '; t++)
		;
	len = strlen(t);
	if (!len || len > KGW_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = t[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(extra, ch)))
			return false;
	}
	memcpy(token, t, len + 1);
	return true;
}

static void token_request(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx,
			  enum op op)
{
	struct kgw_api *api = ctx;
	struct pending *p = pending_new(api, c, op);
	unsigned int wait;

	if (!p) {
		kgw_conn_reply(c, NULL);
		return;
	}
	if (!read_bearer(req->authorization, p->token)) {
		p->token[0] = '\0';
		finish_error(p, "denied", "no bearer token", 401, "unauthorized",
			     "send the session's token as Authorization: Bearer", 0);
		return;
	}
	wait = kgw_throttle_begin(api->throttle, &p->source, NULL, api_now(api));
	if (wait) {
		reply_throttled(p, wait);
		return;
	}
	if (!api->backend) {
		kgw_throttle_cancel(api->throttle, &p->source, NULL, api_now(api));
		reply_unavailable(p, "no gateway backend");
		return;
	}
	if (op == OP_READ)
		api->backend->ops->lookup(api->backend->ctx, p->token, backend_done, p);
	else
		api->backend->ops->revoke(api->backend->ctx, p->token, backend_done, p);
}

static void read_session(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx)
{
	token_request(c, req, ctx, OP_READ);
}

static void delete_session(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx)
{
	token_request(c, req, ctx, OP_DELETE);
}

const struct kgw_route kgw_api_routes[] = {
	{ HTTP_POST, "/api/v1/sessions", create_session },
	{ HTTP_GET, "/api/v1/sessions/current", read_session },
	{ HTTP_DELETE, "/api/v1/sessions/current", delete_session },
};

const size_t kgw_api_nroutes = sizeof(kgw_api_routes) / sizeof(kgw_api_routes[0]);

struct kgw_api *kgw_api_new(const struct kgw_api_config *cfg, struct kgw_pam_pool *pam,
			    struct kgw_throttle *throttle, const struct portal_backend *backend)
{
	struct kgw_api *api = calloc(1, sizeof(*api));

	if (!api)
		return NULL;
	api->cfg = *cfg;
	api->pam = pam;
	api->throttle = throttle;
	api->backend = backend;
	return api;
}

void kgw_api_free(struct kgw_api *api)
{
	if (!api)
		return;
	if (api->pending)
		kgw_err("api: freed with %u request(s) still waiting for an answer", api->pending);
	free(api);
}

unsigned int kgw_api_pending(const struct kgw_api *api)
{
	return api->pending;
}
