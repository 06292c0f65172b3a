/* SPDX-License-Identifier: MIT */
/* The admin UI's server side: routing, session and CSRF checks, rendering. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "admin_internal.h"
#include "audit.h"
#include "log.h"
#include "source.h"
#include "store.h"

enum { ROUTE_PUBLIC = 1 };

static const struct admin_route {
	enum http_method method;
	const char *path;
	void (*fn)(struct admin_req *r);
	unsigned int flags;
} admin_routes[] = {
	{ HTTP_GET, "/login", admin_login_get, ROUTE_PUBLIC },
	{ HTTP_POST, "/login", admin_login_post, ROUTE_PUBLIC },
	{ HTTP_POST, "/logout", admin_logout_post, 0 },
	{ HTTP_GET, "/", admin_dash_get, 0 },
	{ HTTP_GET, "/users", admin_users_get, 0 },
	{ HTTP_POST, "/users", admin_users_post, 0 },
	{ HTTP_GET, "/user", admin_user_get, 0 },
	{ HTTP_POST, "/otp/enrol", admin_otp_enrol_post, 0 },
	{ HTTP_POST, "/otp/verify", admin_otp_verify_post, 0 },
	{ HTTP_GET, "/groups", admin_groups_get, 0 },
	{ HTTP_POST, "/groups", admin_groups_post, 0 },
	{ HTTP_GET, "/sessions", admin_sessions_get, 0 },
	{ HTTP_POST, "/sessions/revoke", admin_sessions_revoke_post, 0 },
	{ HTTP_GET, "/audit", admin_audit_get, 0 },
};

#define NROUTES (sizeof(admin_routes) / sizeof(admin_routes[0]))

/* The templates the pages use; all are loaded (and so checked) at start. */
static const char *const templates[] = {
	"header", "footer", "login", "error", "dashboard", "users", "user", "otp",
	"groups", "sessions", "audit",
};

/* No script may run, no style but our file, nothing framed, forms only to us. */
static const struct kgw_response_policy admin_policy = {
	.csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
	       "frame-ancestors 'none'; base-uri 'none'",
};

static uint64_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

uint64_t admin_now(const struct kgw_admin *a)
{
	return a->cfg.clock ? a->cfg.clock() : monotonic_seconds();
}

const char *admin_arg(const struct admin_req *r, const char *name)
{
	return kgw_form_get(&r->form, name);
}

bool admin_valid_name(const char *name)
{
	return kgw_store_name_valid(name);
}

void admin_format_time(int64_t t, char out[static 32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm))
		strcpy(out, "-");
}

static void req_free(struct admin_req *r)
{
	r->a->pending--;
	kgw_form_free(&r->form);
	tmpl_data_free(r->d);
	for (size_t i = 0; i < ADMIN_SET_COOKIES_MAX; i++)
		free(r->set_cookie[i]);
	sodium_memzero(r, sizeof(*r));
	free(r);
}

bool admin_set_cookie(struct admin_req *r, const char *fmt, ...)
{
	va_list ap;
	size_t i;
	int n;

	for (i = 0; i < ADMIN_SET_COOKIES_MAX && r->set_cookie[i]; i++)
		;
	if (i == ADMIN_SET_COOKIES_MAX)
		return false;
	va_start(ap, fmt);
	n = vasprintf(&r->set_cookie[i], fmt, ap);
	va_end(ap);
	if (n < 0)
		r->set_cookie[i] = NULL;
	return n >= 0;
}

/* Adds the cookies to `resp', answers and ends the request. */
static void reply(struct admin_req *r, struct kgw_response *resp)
{
	for (size_t i = 0; resp && i < ADMIN_SET_COOKIES_MAX && r->set_cookie[i]; i++) {
		if (kgw_response_header(resp, "Set-Cookie", "%s", r->set_cookie[i])) {
			kgw_response_free(resp);
			resp = NULL;
		}
	}
	kgw_conn_reply(r->conn, resp);
	req_free(r);
}

void admin_notice(struct admin_req *r, bool error, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tmpl_set(r->d, error ? "error" : "notice", "%s", msg);
}

void admin_page(struct admin_req *r, int status, const char *tmpl, const char *title)
{
	struct kgw_response *resp = kgw_response_new(status);
	struct tmpl_buf out = { 0 };
	int ret;

	tmpl_set(r->d, "title", "%s", title);
	if (r->admin[0]) {
		tmpl_set(r->d, "admin", "%s", r->admin);
		tmpl_set(r->d, "csrf", "%s", r->csrf);
	}
	ret = tmpl_render(r->a->tmpl, tmpl, r->d, &out);
	if (ret) {
		kgw_err("admin: cannot render `%s': %s", tmpl, strerror(-ret));
		kgw_response_free(resp);
		resp = NULL;
	} else if (resp && kgw_response_body(resp, "text/html; charset=utf-8", out.s, out.len)) {
		kgw_response_free(resp);
		resp = NULL;
	}
	tmpl_buf_free(&out);
	reply(r, resp);
}

void admin_fail(struct admin_req *r, int status, const char *message)
{
	tmpl_set(r->d, "message", "%s", message);
	admin_page(r, status, "error", "Error");
}

void admin_redirect(struct admin_req *r, const char *location)
{
	struct kgw_response *resp = kgw_response_new(303);

	if (resp && kgw_response_header(resp, "Location", "%s", location)) {
		kgw_response_free(resp);
		resp = NULL;
	}
	reply(r, resp);
}

void admin_audit(struct admin_req *r, const char *action, const char *outcome, const char *user,
		 const char *detail)
{
	kgw_audit(&(struct kgw_audit_record){
		.action = action,
		.outcome = outcome,
		.source = r->source,
		.user = user,
		.detail = detail,
		.actor = r->admin[0] ? r->admin : NULL,
	});
}

static void kgwd_answered(void *arg, json_t *reply_obj)
{
	struct admin_req *r = arg;

	r->kgwd_next(r, reply_obj);
	json_decref(reply_obj);
}

void admin_kgwd(struct admin_req *r, json_t *req, admin_kgwd_fn next)
{
	r->kgwd_next = next;
	if (!r->a->cfg.kgwd_call || !req) {
		json_decref(req);
		next(r, NULL);
		return;
	}
	r->a->cfg.kgwd_call(r->a->cfg.kgwd_ctx, req, kgwd_answered, r);
}

/* ---- dispatch ---- */

static bool form_content_type(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";
	size_t n = strlen(form);

	return ct && !strncasecmp(ct, form, n) && (ct[n] == '\0' || ct[n] == ';');
}

/* The session from the cookie; false (and a reply) when there is none. */
static bool authenticate(struct admin_req *r)
{
	char id[ADMIN_SESSION_TOKEN_MAX];
	const struct admin_session *s = NULL;

	if (kgw_cookie_get(r->http->cookie, ADMIN_COOKIE, id, sizeof(id)))
		s = admin_session_find(r->a->sessions, id, admin_now(r->a));
	sodium_memzero(id, sizeof(id));
	if (!s) {
		/* A page is sent to the login; a form is refused, not replayed after it. */
		if (r->http->method == HTTP_GET)
			admin_redirect(r, "/login");
		else
			admin_fail(r, 403, "Your session has ended. Log in again.");
		return false;
	}
	strcpy(r->admin, s->user);
	strcpy(r->csrf, s->csrf);
	return true;
}

static void handle(struct kgw_conn *c, const struct kgw_http_request *http, void *ctx)
{
	struct kgw_admin *a = ctx;
	const struct admin_route *rt = NULL;
	struct admin_req *r = calloc(1, sizeof(*r));
	const char *in;
	size_t len;

	for (size_t i = 0; i < NROUTES; i++) {
		if (admin_routes[i].method == http->method && !strcmp(admin_routes[i].path, http->path))
			rt = &admin_routes[i];
	}
	if (!r || !rt || !(r->d = tmpl_data_new())) {
		free(r);
		kgw_conn_reply(c, NULL);
		return;
	}
	a->pending++;
	r->a = a;
	r->conn = c;
	r->http = http;
	r->peer = *kgw_conn_peer(c);
	kgw_source_format(&r->peer, r->source);
	if (http->method == HTTP_POST && !form_content_type(http->content_type)) {
		admin_fail(r, 415, "Forms must be sent as application/x-www-form-urlencoded.");
		return;
	}
	in = http->method == HTTP_POST ? http->body : http->query;
	len = in ? (http->method == HTTP_POST ? http->body_len : strlen(in)) : 0;
	if (kgw_form_parse(&r->form, in, len)) {
		admin_fail(r, 400, "The request's form data is malformed.");
		return;
	}
	if (!(rt->flags & ROUTE_PUBLIC) && !authenticate(r))
		return;
	if (!(rt->flags & ROUTE_PUBLIC) && http->method == HTTP_POST &&
	    !admin_token_equal(r->csrf, admin_arg(r, "csrf"))) {
		admin_audit(r, "admin.csrf", "denied", NULL, http->path);
		admin_fail(r, 403, "This form is stale or did not come from this portal "
			   "(bad CSRF token). Reload the page and try again.");
		return;
	}
	rt->fn(r);
}

static int load_css(struct kgw_admin *a, char err[static KGW_ADMIN_ERR_MAX])
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/style.css", a->cfg.data_dir);
	if (!(f = fopen(path, "re")) || !(a->css = malloc(KGW_FORM_BYTES_MAX * 4)) ||
	    !(a->css_len = fread(a->css, 1, KGW_FORM_BYTES_MAX * 4, f))) {
		snprintf(err, KGW_ADMIN_ERR_MAX, "%.400s: cannot read it", path);
		if (f)
			fclose(f);
		return -EINVAL;
	}
	fclose(f);
	return 0;
}

static void css_get(struct kgw_conn *c, const struct kgw_http_request *http, void *ctx)
{
	struct kgw_admin *a = ctx;
	struct kgw_response *resp = kgw_response_new(200);

	(void)http;
	if (resp && kgw_response_body(resp, "text/css; charset=utf-8", a->css, a->css_len)) {
		kgw_response_free(resp);
		resp = NULL;
	}
	kgw_conn_reply(c, resp);
}

/* Browsers ask for it on their own; "nothing" is an answer, a 404 an error in their console. */
static void favicon_get(struct kgw_conn *c, const struct kgw_http_request *http, void *ctx)
{
	(void)http;
	(void)ctx;
	kgw_conn_reply(c, kgw_response_new(204));
}

static int load(struct kgw_admin *a, char err[static KGW_ADMIN_ERR_MAX])
{
	char dir[4096], why[KGW_TMPL_ERR_MAX];
	size_t i;

	if (!(a->tmpl = tmpl_set_new()) ||
	    !(a->sessions = admin_sessions_new(ADMIN_SESSIONS_MAX, a->cfg.cfg->admin_idle_timeout,
					       a->cfg.cfg->admin_session_lifetime)) ||
	    !(a->routes = calloc(NROUTES + 2, sizeof(*a->routes)))) {
		snprintf(err, KGW_ADMIN_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	snprintf(dir, sizeof(dir), "%s", a->cfg.data_dir);
	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		if (tmpl_set_load(a->tmpl, dir, templates[i], why)) {
			snprintf(err, KGW_ADMIN_ERR_MAX, "template: %s", why);
			return -EINVAL;
		}
	}
	for (i = 0; i < NROUTES; i++)
		a->routes[i] = (struct kgw_route){ admin_routes[i].method, admin_routes[i].path, handle };
	a->routes[i++] = (struct kgw_route){ HTTP_GET, "/style.css", css_get };
	a->routes[i++] = (struct kgw_route){ HTTP_GET, "/favicon.ico", favicon_get };
	a->nroutes = i;
	return load_css(a, err);
}

struct kgw_admin *kgw_admin_new(const struct kgw_admin_config *cfg, struct kgw_pam_pool *pam,
				struct kgw_throttle *throttle, char err[static KGW_ADMIN_ERR_MAX])
{
	struct kgw_admin *a = calloc(1, sizeof(*a));

	if (!a) {
		snprintf(err, KGW_ADMIN_ERR_MAX, "out of memory");
		return NULL;
	}
	a->cfg = *cfg;
	a->pam = pam;
	a->throttle = throttle;
	if (load(a, err)) {
		kgw_admin_free(a);
		return NULL;
	}
	return a;
}

void kgw_admin_free(struct kgw_admin *a)
{
	if (!a)
		return;
	if (a->pending)
		kgw_err("admin: freed with %u request(s) still waiting for an answer", a->pending);
	admin_sessions_free(a->sessions);
	tmpl_set_free(a->tmpl);
	free(a->css);
	free(a->routes);
	free(a);
}

void kgw_admin_routes(const struct kgw_admin *a, const struct kgw_route **routes, size_t *n)
{
	*routes = a->routes;
	*n = a->nroutes;
}

void kgw_admin_server_options(struct kgw_server_options *o)
{
	kgw_server_default_options(o);
	o->name = "admin";
	o->policy = &admin_policy;
	o->max_conns = KGW_ADMIN_MAX_CONNS;
}
