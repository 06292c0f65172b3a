/* SPDX-License-Identifier: MIT */
/*
 * The session API's real backend: the user's destinations come from the
 * store, kgwd programs the peer (over its control socket, one short
 * connection per call), and the bearer token is made here and only its
 * SHA-256 goes to kgwd and the store.
 */
#ifndef KGW_PORTAL_BACKEND_KGWD_H
#define KGW_PORTAL_BACKEND_KGWD_H

#include <ev.h>

#include "backend.h"
#include "conf.h"

struct kgw_store;

/* `cfg' and `store' must outlive the backend. */
struct portal_backend *kgw_backend_kgwd_new(struct ev_loop *loop, const struct kgw_config *cfg,
					    struct kgw_store *store);
void kgw_backend_kgwd_free(struct portal_backend *b);

/*
 * Any control request (info, stats, list, revoke), for the admin UI. `req'
 * is taken; `cb' gets kgwd's whole reply ({"ok":...}) and takes it, or
 * NULL when kgwd could not be asked. `ctx' is the portal_backend from
 * kgw_backend_kgwd_new().
 */
typedef void (*kgw_kgwd_reply_fn)(void *arg, json_t *reply);
void kgw_backend_kgwd_call(void *ctx, json_t *req, kgw_kgwd_reply_fn cb, void *arg);

#endif
