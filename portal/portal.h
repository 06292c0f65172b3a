/* SPDX-License-Identifier: MIT */
/*
 * kgw-portal put together from a configuration: the TLS context, the PAM
 * workers, the throttle, the session API and its HTTPS server. The binary
 * and the tests' server build it the same way.
 */
#ifndef KGW_PORTAL_H
#define KGW_PORTAL_H

#include <ev.h>

#include "addr.h"
#include "backend.h"
#include "backend_kgwd.h"
#include "conf.h"
#include "server.h"

#define KGW_PORTAL_ERR_MAX 640

struct kgw_portal_options {
	const char *pam_confdir;		/* NULL: the system's (/etc/pam.d) */
	const struct portal_backend *backend;	/* NULL: none yet (logins get 503) */
	const struct kgw_server_options *server; /* NULL: the API's defaults */
	const union kgw_sockaddr *listen;	/* NULL: the configured auth_listen */
	uint64_t (*clock)(void);		/* NULL: CLOCK_MONOTONIC seconds */
	/* The admin UI, served when both are set: */
	struct kgw_store *store;
	const char *admin_data_dir;		/* templates and style.css */
	const union kgw_sockaddr *admin_listen;	/* NULL: the configured admin_listen */
	/* kgwd's control socket for the admin pages; NULL: none. */
	void (*kgwd_call)(void *ctx, json_t *req, kgw_kgwd_reply_fn cb, void *arg);
	void *kgwd_ctx;
};

struct kgw_portal;

/*
 * `loop' must not be libev's default loop (see pam_worker.h). The options'
 * pointers must outlive the portal. On error NULL and a reason in `err'.
 */
struct kgw_portal *kgw_portal_new(struct ev_loop *loop, const struct kgw_config *cfg,
				  const struct kgw_portal_options *o,
				  char err[static KGW_PORTAL_ERR_MAX])
	__attribute__((warn_unused_result));
/* Where the API listens (the real port when 0 was asked). */
int kgw_portal_bound(const struct kgw_portal *p, union kgw_sockaddr *out);
/* Where the admin UI listens; -ENOENT when it is not served. */
int kgw_portal_admin_bound(const struct kgw_portal *p, union kgw_sockaddr *out);
/* Stops, lets PAM and the backend answer what is outstanding, closes, frees. */
void kgw_portal_free(struct kgw_portal *p);

#endif
