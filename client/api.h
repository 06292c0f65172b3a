/* SPDX-License-Identifier: MIT */
/*
 * The gateway's session API (kgw-portal): open, read and end the session.
 * Each call returns an exit code (client.h) and, on failure, the message
 * for the operator in err: the gateway's own words for a refusal, the
 * Retry-After for a 429, both fingerprints for a pin mismatch.
 */
#ifndef KGWC_API_H
#define KGWC_API_H

#include <stdint.h>

#include <jansson.h>

#include "client.h"
#include "wg_messages.h"

#define KGWC_API_SESSIONS "/api/v1/sessions"
#define KGWC_API_CURRENT "/api/v1/sessions/current"

struct kgwc_login {
	const char *user;
	const char *password;	/* secret */
	const char *otp;	/* secret */
	uint8_t public_key[WG_KEY_LEN];
	unsigned long ttl;	/* seconds; 0: the gateway's default */
};

/* What --ttl may ask for; the gateway caps it at its own maximum. */
#define KGWC_TTL_MIN 5
#define KGWC_TTL_MAX (7 * 86400)

/* POST: on success *session is the gateway's JSON object (the caller's). */
int kgwc_api_open(const struct kgwc_gateway *gw, const struct kgwc_login *login, json_t **session,
		  char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));
/* GET current. */
int kgwc_api_read(const struct kgwc_gateway *gw, const char *token, json_t **session,
		  char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));
/* DELETE current; KGWC_EXIT_NOT_CONNECTED when the gateway no longer knows the token. */
int kgwc_api_close(const struct kgwc_gateway *gw, const char *token, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));

/*
 * Pure: an HTTP status and body to an exit code and message (what the
 * calls above use; exposed for the tests).
 */
int kgwc_api_status(int status, const char *body, size_t body_len, const char *retry_after,
		    char err[static KGWC_ERR_MAX]);

#endif
