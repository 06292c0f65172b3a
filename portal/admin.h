/* SPDX-License-Identifier: MIT */
/*
 * The admin web UI on the management address: server-rendered pages from
 * templates (DATA_DIR/NAME.html), no script at all. Admins log in through
 * PAM (password and one-time code, on the worker pool, throttled like the
 * session API) and must be members of group `admins'. Every state change
 * is a POST carrying the session's CSRF token; every admin action is
 * audited with the admin as actor.
 */
#ifndef KGW_ADMIN_H
#define KGW_ADMIN_H

#include <stdint.h>

#include "backend_kgwd.h"
#include "conf.h"
#include "pam_worker.h"
#include "server.h"
#include "throttle.h"

#define KGW_ADMIN_ERR_MAX 512

struct kgw_store;

struct kgw_admin_config {
	const struct kgw_config *cfg;	/* PAM service, time-outs, OTP parameters */
	const char *pam_confdir;	/* NULL: the system's */
	const char *data_dir;		/* the templates (NAME.html) and style.css */
	struct kgw_store *store;
	/* kgwd's control socket (kgw_backend_kgwd_call); NULL: no gateway. */
	void (*kgwd_call)(void *ctx, json_t *req, kgw_kgwd_reply_fn cb, void *arg);
	void *kgwd_ctx;
	uint64_t (*clock)(void);	/* monotonic seconds; NULL: CLOCK_MONOTONIC */
};

struct kgw_admin;

/* Loads the templates; every pointer must outlive the admin UI. */
struct kgw_admin *kgw_admin_new(const struct kgw_admin_config *cfg, struct kgw_pam_pool *pam,
				struct kgw_throttle *throttle, char err[static KGW_ADMIN_ERR_MAX])
	__attribute__((warn_unused_result));
/* After PAM and kgwd have answered everything outstanding. */
void kgw_admin_free(struct kgw_admin *a);
void kgw_admin_routes(const struct kgw_admin *a, const struct kgw_route **routes, size_t *n);
/* The admin UI's server settings and response policy. */
void kgw_admin_server_options(struct kgw_server_options *o);

#endif
