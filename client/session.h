/* SPDX-License-Identifier: MIT */
/*
 * A session as the gateway hands it out (POST /api/v1/sessions): checked
 * field by field, since everything in it goes into the tunnel and the
 * routing table. Pure: JSON in, struct out.
 */
#ifndef KGWC_SESSION_H
#define KGWC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "addr.h"
#include "client.h"
#include "dest.h"
#include "wg_messages.h"

#define KGWC_SESSION_ID_MAX 64

struct kgwc_session {
	char id[KGWC_SESSION_ID_MAX + 1];
	char user[KGWC_USER_MAX + 1];
	uint8_t public_key[WG_KEY_LEN];
	uint8_t gateway_public_key[WG_KEY_LEN];
	struct kgw_cidr address;
	struct kgw_cidr address6;
	bool has_address6;
	int64_t created, expires;		/* Unix seconds */
	char endpoint[KGWC_ADDRESS_MAX + 1];	/* "" : the gateway's host at listen_port */
	uint16_t listen_port;
	uint16_t keepalive;			/* seconds; 0: off */
	struct kgw_cidr routes[KGWC_SESSION_ROUTES_MAX];
	size_t n_routes;
	struct kgw_dest dests[KGW_DEST_MAX];
	size_t n_dests;
	char token[KGWC_TOKEN_MAX + 1];		/* secret; "" when not given */
};

/*
 * Fills s from the gateway's JSON. Unknown fields are ignored (the gateway
 * may add some); a missing or malformed known one is -EINVAL with the
 * field named in err, and s zeroed.
 */
int kgwc_session_parse(const json_t *o, struct kgwc_session *s, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));
void kgwc_session_wipe(struct kgwc_session *s);

/*
 * The WireGuard endpoint as "host:port" text: the session's, or, when the
 * gateway left it empty, the profile's host at the session's listen_port.
 */
int kgwc_session_endpoint(const struct kgwc_session *s, const struct kgwc_gateway *gw,
			  char out[static KGWC_ADDRESS_MAX + 1]) __attribute__((warn_unused_result));

/*
 * The session as a wg-quick(8) configuration for stock WireGuard clients.
 * `private_key' is the live tunnel's (secret: the text is too).
 */
void kgwc_session_write_wg_quick(const struct kgwc_session *s, const char *endpoint,
				 const uint8_t private_key[static WG_KEY_LEN], FILE *out);

#endif
