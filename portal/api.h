/* SPDX-License-Identifier: MIT */
/*
 * The client session API on the public auth port:
 *
 *   POST   /api/v1/sessions          {user, password, otp, public_key} -> 201 the session
 *   GET    /api/v1/sessions/current  Authorization: Bearer TOKEN       -> 200 the session
 *   DELETE /api/v1/sessions/current  Authorization: Bearer TOKEN       -> 204
 *
 * A login is checked against the throttle, then run through PAM on the
 * worker pool, then handed to the backend. Every bad credential gets the
 * same 401; too many failures per source or per user get 429 with
 * Retry-After and run no PAM at all. Every outcome is audited.
 */
#ifndef KGW_API_H
#define KGW_API_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "pam_worker.h"
#include "server.h"
#include "throttle.h"

struct kgw_api_config {
	const char *pam_service;
	const char *pam_confdir;	/* NULL: the system's */
	/* Monotonic seconds for the throttle; NULL: CLOCK_MONOTONIC. */
	uint64_t (*clock)(void);
};

struct kgw_api;

/*
 * None of the pointers is owned; all must outlive the API. `backend' NULL:
 * no gateway to talk to yet, so a login that passes PAM gets a 503.
 */
struct kgw_api *kgw_api_new(const struct kgw_api_config *cfg, struct kgw_pam_pool *pam,
			    struct kgw_throttle *throttle, const struct portal_backend *backend)
	__attribute__((warn_unused_result));
/* After the PAM pool and the backend have answered everything outstanding. */
void kgw_api_free(struct kgw_api *api);
/* Requests waiting for PAM or the backend. */
unsigned int kgw_api_pending(const struct kgw_api *api);

/* The route table to give kgw_server_new() with the API as its context. */
extern const struct kgw_route kgw_api_routes[];
extern const size_t kgw_api_nroutes;

#endif
