/* SPDX-License-Identifier: MIT */
/*
 * Sessions: one per authorized WireGuard peer. kgw-portal adds them after a
 * login; kgwd ends them on expiry, disconnect or revocation and restores
 * the live ones when it starts. The bearer token itself is never stored,
 * only its SHA-256.
 */
#ifndef KGW_STORE_SESSIONS_H
#define KGW_STORE_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "store.h"

/* 16 random bytes as hex. */
#define KGW_SESSION_ID_LEN 32
/* SHA-256 as hex. */
#define KGW_TOKEN_HASH_LEN 64
/* A WireGuard key in base64. */
#define KGW_WG_KEY_B64_LEN 44

struct kgw_session {
	char id[KGW_SESSION_ID_LEN + 1];	/* empty on add: one is made */
	char user[KGW_NAME_MAX + 1];
	char public_key[KGW_WG_KEY_B64_LEN + 1];
	char address4[KGW_ADDR_STR_MAX];	/* "100.64.0.2/32"; empty: none */
	char address6[KGW_ADDR_STR_MAX];
	int64_t created;
	int64_t expires;
	char token_hash[KGW_TOKEN_HASH_LEN + 1];	/* empty: no token */
	bool revoked;
	int64_t ended;				/* 0: still live (unless past expires) */
};

struct kgw_session_filter {
	const char *user;	/* NULL: everyone */
	bool live_only;		/* not ended and not expired at `now' */
	int64_t now;
};

/* SHA-256 of a bearer token, as hex: what sessions store and look up. */
void kgw_token_hash(const char *token, char out[static KGW_TOKEN_HASH_LEN + 1]);

/*
 * Validates and stores a session (the public key must be a 32-byte key in
 * base64, addresses valid, expires after created). Fills s->id when empty.
 */
int kgw_store_session_add(struct kgw_store *store, struct kgw_session *s)
	__attribute__((warn_unused_result));
int kgw_store_session_get(struct kgw_store *store, const char *id, struct kgw_session *out)
	__attribute__((warn_unused_result));
int kgw_store_session_by_token(struct kgw_store *store, const char *token_hash,
			       struct kgw_session *out) __attribute__((warn_unused_result));
/* Newest first. A non-zero return from fn stops and is returned. */
int kgw_store_session_list(struct kgw_store *store, const struct kgw_session_filter *filter,
			   int (*fn)(const struct kgw_session *s, void *ctx), void *ctx)
	__attribute__((warn_unused_result));
/* An admin ends it: -ENOENT if there is none, -EALREADY if it had ended. */
int kgw_store_session_revoke(struct kgw_store *store, const char *id, int64_t now)
	__attribute__((warn_unused_result));
/* The client disconnected (same errors). */
int kgw_store_session_end(struct kgw_store *store, const char *id, int64_t now)
	__attribute__((warn_unused_result));
/* Ends every session whose expiry has passed; returns how many, or negative errno. */
int kgw_store_session_expire(struct kgw_store *store, int64_t now)
	__attribute__((warn_unused_result));
/* Is it live at `now'? */
bool kgw_session_live(const struct kgw_session *s, int64_t now);

#endif
