/* SPDX-License-Identifier: MIT */
/*
 * The Noise_IKpsk2 handshake of WireGuard (the paper, 5.4.2 - 5.4.5): pure
 * functions over a per-peer handshake state. Randomness (ephemeral keys),
 * the wall-clock timestamp and the monotonic time are passed in. A message
 * that fails any check leaves the state exactly as it was.
 */
#ifndef KGW_WG_NOISE_H
#define KGW_WG_NOISE_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_crypto.h"
#include "wg_messages.h"

struct wg_noise_static_identity {
	uint8_t static_private[WG_KEY_LEN];
	uint8_t static_public[WG_KEY_LEN];
	bool has_identity;
};

enum wg_handshake_state {
	HANDSHAKE_ZEROED,
	HANDSHAKE_CREATED_INITIATION,
	HANDSHAKE_CONSUMED_INITIATION,
	HANDSHAKE_CREATED_RESPONSE,
	HANDSHAKE_CONSUMED_RESPONSE,
};

struct wg_noise_handshake {
	enum wg_handshake_state state;
	const struct wg_noise_static_identity *identity;
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t ephemeral_private[WG_KEY_LEN];
	/* DH(our static, their static), all zero when of low order. */
	uint8_t precomputed_static_static[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	/* The newest TAI64N the peer sent us: anything not newer is a replay. */
	uint8_t latest_timestamp[WG_TIMESTAMP_LEN];
	uint64_t last_initiation_consumption_ms;
	bool consumed_initiation;
	uint32_t local_index, remote_index;
};

struct wg_noise_keypair {
	struct wg_aead_key send, recv;
	uint64_t created_ms;
	uint32_t local_index, remote_index;
	bool initiator;
};

void wg_noise_static_identity_init(struct wg_noise_static_identity *id);
void wg_noise_static_identity_set(struct wg_noise_static_identity *id, const uint8_t priv[static WG_KEY_LEN]);
void wg_noise_static_identity_clear(struct wg_noise_static_identity *id);

void wg_noise_handshake_init(struct wg_noise_handshake *hs, const struct wg_noise_static_identity *id,
			     const uint8_t remote_static[static WG_KEY_LEN], const uint8_t *psk);
/* Forget the handshake in progress (keeps keys and the latest timestamp). */
void wg_noise_handshake_clear(struct wg_noise_handshake *hs);
/* Wipe everything, for freeing. */
void wg_noise_handshake_wipe(struct wg_noise_handshake *hs);
void wg_noise_handshake_set_preshared_key(struct wg_noise_handshake *hs, const uint8_t psk[static WG_KEY_LEN]);
/* After the identity changed. */
void wg_noise_precompute_static_static(struct wg_noise_handshake *hs);

/* TAI64N of a wall-clock time, coarsened so it does not leak fine timing. */
void wg_noise_tai64n(uint8_t out[static WG_TIMESTAMP_LEN], int64_t sec, long nsec);

/* The messages' macs are left zero: wg_cookie adds them. 0 or -1. */
int wg_noise_create_initiation(struct wg_noise_handshake *hs, struct wg_message_handshake_initiation *msg,
			       uint32_t local_index, const uint8_t eph[static WG_KEY_LEN],
			       const uint8_t timestamp[static WG_TIMESTAMP_LEN]);
/*
 * The responder's side: finds the sender through `lookup' (by static
 * public key) and returns its handshake, or NULL when anything fails,
 * including a timestamp that is not newer and a peer initiating more than
 * INITIATIONS_PER_SECOND.
 */
typedef struct wg_noise_handshake *(*wg_noise_lookup_fn)(void *ctx, const uint8_t key[WG_KEY_LEN]);
struct wg_noise_handshake *wg_noise_consume_initiation(const struct wg_message_handshake_initiation *msg,
							const struct wg_noise_static_identity *id,
							wg_noise_lookup_fn lookup, void *ctx, uint64_t now_ms);
int wg_noise_create_response(struct wg_noise_handshake *hs, struct wg_message_handshake_response *msg,
			     uint32_t local_index, const uint8_t eph[static WG_KEY_LEN]);
int wg_noise_consume_response(struct wg_noise_handshake *hs, const struct wg_message_handshake_response *msg,
			      const struct wg_noise_static_identity *id, uint64_t now_ms);
/* Derive the transport keys from a finished handshake, which is then cleared. */
int wg_noise_begin_session(struct wg_noise_handshake *hs, struct wg_noise_keypair *kp, uint64_t now_ms);
void wg_noise_keypair_wipe(struct wg_noise_keypair *kp);

#endif
