/* SPDX-License-Identifier: MIT */
/*
 * mac1, mac2 and cookie replies (the paper, 5.3 and 5.4.7). mac1 proves a
 * handshake message was made by someone who knows our public key; under
 * load, mac2 proves the sender can receive at its source address, so a
 * spoofing flood costs us a cookie reply and no Diffie-Hellman.
 */
#ifndef KGW_WG_COOKIE_H
#define KGW_WG_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wg_messages.h"

typedef void (*wg_cookie_random_fn)(void *ctx, uint8_t *out, size_t len);

/* Ours, as the receiver of handshake messages. */
struct wg_cookie_checker {
	uint8_t mac1_key[WG_HASH_LEN];		/* HASH(LABEL_MAC1 || our public key) */
	uint8_t cookie_key[WG_KEY_LEN];		/* HASH(LABEL_COOKIE || our public key) */
	uint8_t secret[WG_HASH_LEN];		/* R_m, renewed every COOKIE_SECRET_MAX_AGE */
	uint64_t secret_birth_ms;
	bool secret_valid;
	wg_cookie_random_fn random;
	void *random_ctx;
};

/* Per peer, as the sender of handshake messages to it. */
struct wg_cookie {
	uint8_t mac1_key[WG_HASH_LEN];		/* from the peer's public key */
	uint8_t cookie_key[WG_KEY_LEN];
	uint8_t cookie[WG_COOKIE_LEN];		/* the latest cookie the peer gave us */
	uint64_t cookie_birth_ms;
	bool cookie_valid;
	uint8_t last_mac1[WG_COOKIE_LEN];	/* the AD its cookie reply must carry */
	bool have_sent_mac1;
};

enum wg_cookie_mac_state {
	WG_COOKIE_INVALID_MAC,
	WG_COOKIE_VALID_MAC_BUT_NO_COOKIE,
	WG_COOKIE_VALID_MAC_WITH_COOKIE,
};

void wg_cookie_checker_setup(struct wg_cookie_checker *c, wg_cookie_random_fn random, void *ctx);
void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[static WG_KEY_LEN]);
void wg_cookie_checker_wipe(struct wg_cookie_checker *c);
void wg_cookie_init(struct wg_cookie *cookie, const uint8_t peer_public[static WG_KEY_LEN]);

/* `msg' is a whole handshake message ending in struct wg_message_macs. */
enum wg_cookie_mac_state wg_cookie_validate_packet(struct wg_cookie_checker *c, const void *msg,
						   size_t len, const union kgw_sockaddr *src,
						   bool check_cookie, uint64_t now_ms);
void wg_cookie_message_create(struct wg_cookie_checker *c, struct wg_message_handshake_cookie *reply,
			      const void *msg, size_t len, uint32_t sender_index,
			      const union kgw_sockaddr *src, const uint8_t nonce[static WG_COOKIE_NONCE_LEN],
			      uint64_t now_ms);
/* 0 when the reply was for our latest message and decrypted; -1 otherwise. */
int wg_cookie_message_consume(struct wg_cookie *cookie, const struct wg_message_handshake_cookie *reply,
			      uint64_t now_ms);
void wg_cookie_add_mac_to_packet(struct wg_cookie *cookie, void *msg, size_t len, uint64_t now_ms);

#endif
