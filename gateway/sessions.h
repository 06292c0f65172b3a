/* SPDX-License-Identifier: MIT */
/*
 * kgwd's live sessions: each one a WireGuard peer with a tunnel address
 * from the pool and the destinations its user may reach, removed exactly
 * at expiry (a timer per session) or on revocation, and kept in the store
 * so a restart of kgwd restores them all.
 */
#ifndef KGW_SESSIONS_H
#define KGW_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>
#include <jansson.h>
#include <sodium.h>

#include "backend.h"
#include "ctl_proto.h"
#include "htable.h"
#include "pool.h"

struct kgw_store;
struct kgwd_session;

struct kgwd_sessions {
	struct ev_loop *loop;
	struct kgwd_backend *backend;
	struct kgw_pool *pool;
	struct kgw_store *store;	/* NULL: nothing persisted (tests) */
	const char *endpoint;		/* what clients dial; "" if unknown */
	unsigned int keepalive;
	struct kgwd_session *list;
	size_t count;
	/*
	 * Authorize looks up the key, revoke the id or the key: tables, so
	 * neither walks 10,000 sessions. Made with the first session; keyed
	 * hashes, as the public keys are the clients' choice.
	 */
	struct kgw_htable by_key, by_id;
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	uint64_t authorized, revoked, expired, restored;
	/*
	 * After any change (the nftables sets follow the sessions): `s' was
	 * just added, or (added false) is being removed, already out of the
	 * list but not yet freed, so its elements can still be named. s NULL:
	 * many changed (a restore).
	 */
	void (*changed)(void *ctx, const struct kgwd_session *s, bool added);
	void *changed_ctx;
};

void kgwd_sessions_init(struct kgwd_sessions *t, struct ev_loop *loop, struct kgwd_backend *backend,
			struct kgw_pool *pool, struct kgw_store *store);
/* Removes every peer (kgwd stopping: the store keeps them for the restart). */
void kgwd_sessions_free(struct kgwd_sessions *t);
/* Restores the store's live sessions; returns how many, or negative errno. */
int kgwd_sessions_restore(struct kgwd_sessions *t, int64_t now);

/* On failure *code is a short error code for the caller and the reason is logged. */
struct kgwd_session *kgwd_sessions_authorize(struct kgwd_sessions *t, const struct kgw_ctl_request *req,
					     int64_t now, const char **code);
/* -ENOENT when there is no such live session. */
int kgwd_sessions_revoke(struct kgwd_sessions *t, const struct kgw_ctl_request *req, int64_t now);

json_t *kgwd_session_json(struct kgwd_sessions *t, const struct kgwd_session *s, bool with_stats);
json_t *kgwd_sessions_json(struct kgwd_sessions *t);

/* Iteration for the policy: each session's addresses and destinations. */
const struct kgwd_session *kgwd_sessions_first(const struct kgwd_sessions *t);
const struct kgwd_session *kgwd_session_next(const struct kgwd_session *s);
const struct kgw_cidr *kgwd_session_addr(const struct kgwd_session *s, int i);	/* 0: v4, 1: v6 */
const struct kgw_dest *kgwd_session_dests(const struct kgwd_session *s, size_t *n);

#endif
