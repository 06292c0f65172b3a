/* SPDX-License-Identifier: MIT */
/*
 * What the session API needs from the gateway side, once PAM has said yes:
 * authorize a peer (kgwd programs it, the store records the session), and
 * find or revoke a session by its bearer token. kgw-portal's real backend
 * talks to kgwd over the control socket; the tests bring their own.
 *
 * Every call answers through `cb' exactly once, on the loop thread, now or
 * later. The backend must answer every outstanding call (UNAVAILABLE will
 * do) before the API is freed.
 */
#ifndef KGW_PORTAL_BACKEND_H
#define KGW_PORTAL_BACKEND_H

#include <stdint.h>

#include <jansson.h>

#include "addr.h"
#include "portal_limits.h"

enum portal_backend_status {
	PORTAL_BACKEND_OK,
	PORTAL_BACKEND_NOT_FOUND,	/* no such session: bad, expired or revoked token */
	PORTAL_BACKEND_REFUSED,		/* this user may not have a session (no group, disabled) */
	PORTAL_BACKEND_CONFLICT,	/* the public key is in use by another session */
	PORTAL_BACKEND_UNAVAILABLE,	/* kgwd is down, the address pool is empty ... */
};

struct portal_session_request {
	const char *user;			/* as PAM authenticated it */
	uint8_t public_key[KGW_WG_KEY_LEN];	/* the client's WireGuard key for this session */
	const union kgw_sockaddr *source;
	const char *host;			/* the Host header (default endpoint); or NULL */
	unsigned int ttl;			/* seconds the client asked for; 0: the default */
};

/*
 * `session' is the JSON object the client gets back (the gateway's key and
 * endpoint, the client's address, routes, keepalive, expiry and, from
 * authorize, the bearer token); the callee takes the reference. It is NULL
 * unless the status is OK; revoke may answer OK with NULL.
 */
typedef void (*portal_backend_cb)(void *arg, enum portal_backend_status status, json_t *session);

struct portal_backend_ops {
	void (*authorize)(void *ctx, const struct portal_session_request *req, portal_backend_cb cb,
			  void *arg);
	void (*lookup)(void *ctx, const char *token, portal_backend_cb cb, void *arg);
	void (*revoke)(void *ctx, const char *token, portal_backend_cb cb, void *arg);
	/* Shutting down: answer every outstanding call now (UNAVAILABLE). May be NULL. */
	void (*cancel_all)(void *ctx);
};

struct portal_backend {
	const struct portal_backend_ops *ops;
	void *ctx;				/* owned by whoever made the backend */
};

#endif
