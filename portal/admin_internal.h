/* SPDX-License-Identifier: MIT */
/*
 * Shared by admin.c (server side: sessions, CSRF, rendering) and the page
 * files admin_pages_*.c. A page handler gets a request whose admin, CSRF
 * token and form are already checked, and must end it exactly once with
 * admin_page(), admin_redirect() or admin_fail(), now or from a callback.
 */
#ifndef KGW_ADMIN_INTERNAL_H
#define KGW_ADMIN_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>

#include "admin.h"
#include "admin_session.h"
#include "form.h"
#include "tmpl.h"

#define ADMIN_GROUP "admins"
#define ADMIN_COOKIE "kgw_admin"
#define ADMIN_LOGIN_COOKIE "kgw_login"
/* How long a login form may wait to be sent. */
#define ADMIN_LOGIN_FORM_TTL 900
#define ADMIN_SESSIONS_MAX 64
#define ADMIN_AUDIT_PAGE 50
#define ADMIN_SET_COOKIES_MAX 2
/* Live sessions one user may have that a disable or delete cuts, at most. */
#define ADMIN_CUT_SESSIONS_MAX 64

struct admin_req;
typedef void (*admin_kgwd_fn)(struct admin_req *r, json_t *reply);

struct admin_req {
	struct kgw_admin *a;
	struct kgw_conn *conn;
	const struct kgw_http_request *http;
	struct kgw_form form;		/* the POST body, or the query of a GET */
	char admin[KGW_USER_NAME_MAX + 1];	/* the logged-in admin; "" on public pages */
	char csrf[ADMIN_SESSION_TOKEN_MAX];
	char source[KGW_ADDR_STR_MAX];
	union kgw_sockaddr peer;
	char *set_cookie[ADMIN_SET_COOKIES_MAX];
	struct tmpl_data *d;		/* the page's values */
	admin_kgwd_fn kgwd_next;
	char login_user[KGW_USER_NAME_MAX + 1];	/* the login's user; the user a change is about */
	unsigned int revoked;		/* sessions cut for a disabled or deleted user */
	bool deleted;
};

struct kgw_admin {
	struct kgw_admin_config cfg;
	struct kgw_pam_pool *pam;
	struct kgw_throttle *throttle;
	struct admin_sessions *sessions;
	struct tmpl_set *tmpl;
	char *css;
	size_t css_len;
	struct kgw_route *routes;
	size_t nroutes;
	unsigned int pending;
};

/* ---- admin.c ---- */

uint64_t admin_now(const struct kgw_admin *a);
const char *admin_arg(const struct admin_req *r, const char *name);
/* Renders `tmpl' with r->d (plus title, admin and CSRF token) and ends the request. */
void admin_page(struct admin_req *r, int status, const char *tmpl, const char *title);
/* 303 See Other to a path of ours; ends the request. */
void admin_redirect(struct admin_req *r, const char *location);
/* An error page; ends the request. */
void admin_fail(struct admin_req *r, int status, const char *message);
/* A message shown at the top of the next page rendered for this request. */
void admin_notice(struct admin_req *r, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The audit record of an admin action, the admin as actor. */
void admin_audit(struct admin_req *r, const char *action, const char *outcome, const char *user,
		 const char *detail);
/* Asks kgwd (takes `req'); `next' gets the reply, or NULL. */
void admin_kgwd(struct admin_req *r, json_t *req, admin_kgwd_fn next);
/* Adds a Set-Cookie header to the response; false when out of room or memory. */
bool admin_set_cookie(struct admin_req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A user or group name as the store allows them. */
bool admin_valid_name(const char *name);
/* Wall-clock time as "2026-11-29 07:10:00 UTC"; "-" for 0. */
void admin_format_time(int64_t t, char out[static 32]);

/* ---- the pages ---- */

void admin_login_get(struct admin_req *r);
void admin_login_post(struct admin_req *r);
void admin_logout_post(struct admin_req *r);
void admin_dash_get(struct admin_req *r);
void admin_users_get(struct admin_req *r);
void admin_user_get(struct admin_req *r);
void admin_users_post(struct admin_req *r);
void admin_otp_enrol_post(struct admin_req *r);
void admin_otp_verify_post(struct admin_req *r);
void admin_groups_get(struct admin_req *r);
void admin_groups_post(struct admin_req *r);
void admin_sessions_get(struct admin_req *r);
void admin_sessions_revoke_post(struct admin_req *r);
void admin_audit_get(struct admin_req *r);

#endif
