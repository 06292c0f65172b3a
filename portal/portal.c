/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "api.h"
#include "pam_worker.h"
#include "portal.h"
#include "portal_limits.h"
#include "throttle.h"
#include "tls.h"

struct kgw_portal {
	SSL_CTX *tls;
	struct kgw_pam_pool *pam;
	struct kgw_throttle *throttle;
	struct kgw_api *api;
	struct kgw_server *server;
	const struct portal_backend *backend;
	struct kgw_admin *admin;
	struct kgw_server *admin_server;
};

static int start_api(struct kgw_portal *p, struct ev_loop *loop, const struct kgw_config *cfg,
		     const struct kgw_portal_options *o, char err[static KGW_PORTAL_ERR_MAX])
{
	const struct kgw_throttle_config tc = {
		.source_max_failures = cfg->source_max_failures,
		.source_window = cfg->source_window,
		.user_max_failures = cfg->max_failures,
		.user_lockout = cfg->lockout,
	};
	const struct kgw_api_config ac = {
		.pam_service = cfg->pam_service,
		.pam_confdir = o->pam_confdir,
		.clock = o->clock,
	};
	int ret;

	p->pam = kgw_pam_pool_new(loop, cfg->workers, cfg->workers * KGW_PAM_QUEUE_PER_WORKER,
				  &ret);
	if (!p->pam) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "cannot start %u PAM workers: %s", cfg->workers,
			 strerror(-ret));
		return -1;
	}
	p->throttle = kgw_throttle_new(&tc, KGW_THROTTLE_CAPACITY, NULL);
	p->api = p->throttle ? kgw_api_new(&ac, p->pam, p->throttle, o->backend) : NULL;
	if (!p->api) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "out of memory");
		return -1;
	}
	return 0;
}

static int start_server(struct kgw_portal *p, struct ev_loop *loop, const struct kgw_config *cfg,
			const struct kgw_portal_options *o, char err[static KGW_PORTAL_ERR_MAX])
{
	struct kgw_server_options so;
	char why[KGW_SERVER_ERR_MAX];

	if (o->server)
		so = *o->server;
	else {
		kgw_server_default_options(&so);
		so.handler_timeout = cfg->auth_timeout;
	}
	p->server = kgw_server_new(loop, p->tls, &so, kgw_api_routes, kgw_api_nroutes, p->api);
	if (!p->server) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "out of memory");
		return -1;
	}
	if (kgw_server_listen(p->server, o->listen ? o->listen : &cfg->auth_listen, why)) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "session API: %s", why);
		return -1;
	}
	return 0;
}

/* The admin UI shares the TLS context, the PAM workers and the throttle. */
static int start_admin(struct kgw_portal *p, struct ev_loop *loop, const struct kgw_config *cfg,
		       const struct kgw_portal_options *o, char err[static KGW_PORTAL_ERR_MAX])
{
	const struct kgw_admin_config ac = {
		.cfg = cfg,
		.pam_confdir = o->pam_confdir,
		.data_dir = o->admin_data_dir,
		.store = o->store,
		.kgwd_call = o->kgwd_call,
		.kgwd_ctx = o->kgwd_ctx,
		.clock = o->clock,
	};
	char why[KGW_ADMIN_ERR_MAX > KGW_SERVER_ERR_MAX ? KGW_ADMIN_ERR_MAX : KGW_SERVER_ERR_MAX];
	const struct kgw_route *routes;
	struct kgw_server_options so;
	size_t n;

	if (!o->store || !o->admin_data_dir)
		return 0;
	if (!(p->admin = kgw_admin_new(&ac, p->pam, p->throttle, why))) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "admin UI: %s", why);
		return -1;
	}
	kgw_admin_server_options(&so);
	kgw_admin_routes(p->admin, &routes, &n);
	if (!(p->admin_server = kgw_server_new(loop, p->tls, &so, routes, n, p->admin))) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "out of memory");
		return -1;
	}
	if (kgw_server_listen(p->admin_server, o->admin_listen ? o->admin_listen : &cfg->admin_listen,
			      why)) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "admin UI: %s", why);
		return -1;
	}
	return 0;
}

struct kgw_portal *kgw_portal_new(struct ev_loop *loop, const struct kgw_config *cfg,
				  const struct kgw_portal_options *o,
				  char err[static KGW_PORTAL_ERR_MAX])
{
	struct kgw_portal *p = calloc(1, sizeof(*p));
	char why[KGW_TLS_ERR_MAX];

	if (!p) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "out of memory");
		return NULL;
	}
	p->backend = o->backend;
	p->tls = kgw_tls_server_ctx(cfg->tls_certificate, cfg->tls_key, why);
	if (!p->tls) {
		snprintf(err, KGW_PORTAL_ERR_MAX, "TLS: %s", why);
		goto fail;
	}
	if (start_api(p, loop, cfg, o, err) || start_server(p, loop, cfg, o, err) ||
	    start_admin(p, loop, cfg, o, err))
		goto fail;
	return p;
fail:
	kgw_portal_free(p);
	return NULL;
}

int kgw_portal_bound(const struct kgw_portal *p, union kgw_sockaddr *out)
{
	return kgw_server_bound(p->server, 0, out);
}

int kgw_portal_admin_bound(const struct kgw_portal *p, union kgw_sockaddr *out)
{
	return p->admin_server ? kgw_server_bound(p->admin_server, 0, out) : -ENOENT;
}

void kgw_portal_free(struct kgw_portal *p)
{
	if (!p)
		return;
	/*
	 * In this order: no new clients; PAM answers (cancelled or not) what it
	 * holds, the backend what it holds; only then may the API and the
	 * connections its requests hold go.
	 */
	if (p->server)
		kgw_server_stop(p->server);
	if (p->admin_server)
		kgw_server_stop(p->admin_server);
	kgw_pam_pool_free(p->pam);
	if (p->backend && p->backend->ops->cancel_all)
		p->backend->ops->cancel_all(p->backend->ctx);
	kgw_api_free(p->api);
	kgw_server_free(p->server);
	kgw_server_free(p->admin_server);
	kgw_admin_free(p->admin);
	kgw_throttle_free(p->throttle);
	SSL_CTX_free(p->tls);
	free(p);
}
