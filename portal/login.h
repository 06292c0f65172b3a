/* SPDX-License-Identifier: MIT */
/*
 * The body of POST /api/v1/sessions, {user, password, otp, public_key[, ttl]}:
 * every field checked before anything is done with it. Its own file so
 * the fuzzer and the tests reach exactly the code the API runs.
 */
#ifndef KGW_LOGIN_H
#define KGW_LOGIN_H

#include <stdint.h>

#include "json.h"
#include "portal_limits.h"

struct kgw_login {
	/* Point into the body: valid while it is. */
	const char *user, *password, *otp;
	uint8_t public_key[KGW_WG_KEY_LEN];
	unsigned int ttl;	/* seconds the client asked for; 0: the gateway's default */
};

/*
 * 0, or -EINVAL with the reason in `err'. `user' is set as soon as it is
 * known to be a valid name (the audit names it even if a later field is
 * bad); everything else only on success.
 */
int kgw_login_read(const json_t *body, struct kgw_login *l, char err[static KGW_JSON_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
