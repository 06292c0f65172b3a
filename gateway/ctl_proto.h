/* SPDX-License-Identifier: MIT */
/*
 * The control protocol between kgw-portal (or kgwctl) and kgwd, on
 * /run/kgw/kgwd.sock: one JSON object per line each way.
 *
 *   {"op":"authorize","user":"alice","public_key":"<base64>","ttl":28800,
 *    "token_hash":"<sha256 hex>",
 *    "destinations":[{"cidr":"10.0.0.10/32","ports":"6443"}]}
 *     -> {"ok":true,"session":{...}}          (the session, see sessions.c)
 *   {"op":"revoke","id":"<session id>"} or {"op":"revoke","public_key":"..."}
 *     -> {"ok":true}
 *   {"op":"list"}   -> {"ok":true,"sessions":[{...}, ...]}
 *   {"op":"stats"}  -> {"ok":true,"stats":{...}}
 *   {"op":"info"}   -> {"ok":true,"info":{"public_key":..., "endpoint":..., ...}}
 *
 * Any failure: {"ok":false,"error":{"code":"bad_request","message":"..."}}.
 * Like OpenSSH's monitor, kgwd validates every field again here, because
 * the caller may be compromised: this parser is the whole of what an
 * unprivileged process can say to the privileged one.
 */
#ifndef KGW_CTL_PROTO_H
#define KGW_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dest.h"
#include "wg_messages.h"

#define KGW_USER_MAX 32		/* the store's KGW_NAME_MAX */
#define KGW_SESSION_ID_LEN 32		/* hex of 16 random bytes */
#define KGW_TOKEN_HASH_LEN 64		/* hex of SHA-256 */
/* A session lasts at most a day, whatever the caller asks. */
#define KGW_SESSION_TTL_MAX (24 * 3600)

enum kgw_ctl_op { KGW_CTL_AUTHORIZE = 1, KGW_CTL_REVOKE, KGW_CTL_LIST, KGW_CTL_STATS, KGW_CTL_INFO };

struct kgw_ctl_request {
	enum kgw_ctl_op op;
	bool has_public_key, has_id;
	uint8_t public_key[WG_KEY_LEN];
	char user[KGW_USER_MAX + 1];
	char id[KGW_SESSION_ID_LEN + 1];
	char token_hash[KGW_TOKEN_HASH_LEN + 1];
	uint32_t ttl;
	struct kgw_dest dests[KGW_DEST_MAX];
	size_t n_dests;
};

/* 0, or -EINVAL with a message for the caller in `err'. */
int kgw_ctl_parse(const char *line, size_t len, struct kgw_ctl_request *req, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* A user name as the store allows them: [A-Za-z0-9._@-], 1..32, not starting with '-' or '.'. */
bool kgw_ctl_valid_user(const char *user);
/* Error reply line (no newline: the transport adds it), malloc'd; NULL only when out of memory. */
char *kgw_ctl_error(const char *code, const char *message);
/* Serialises `reply' (its reference is taken); NULL when out of memory. */
struct json_t;
char *kgw_ctl_reply(struct json_t *reply);

#endif
