/* SPDX-License-Identifier: MIT */
/*
 * The primitives WireGuard is built from (the paper, 5.4): X25519 and
 * XChaCha20-Poly1305 from libsodium; BLAKE2s, keyed BLAKE2s and
 * HMAC-BLAKE2s from OpenSSL 3; the per-packet ChaCha20-Poly1305 from
 * OpenSSL's EVP with the key schedule kept in a context per session key
 * for full-size packets, where its per-byte cost is half of libsodium's,
 * and from libsodium for short ones, where EVP's fixed cost per call
 * dominates (tests/bench/aead prints both).
 */
#ifndef KGW_WG_CRYPTO_H
#define KGW_WG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_messages.h"

/* Fetch the OpenSSL algorithms once. 0, or -1 when one is missing. */
int wg_crypto_init(void) __attribute__((warn_unused_result));
void wg_crypto_exit(void);

void wg_crypto_clamp(uint8_t key[static WG_KEY_LEN]);
void wg_crypto_public_key(uint8_t pub[static WG_KEY_LEN], const uint8_t priv[static WG_KEY_LEN]);
/* X25519; -1 when the peer's key is of low order (the result is all zero). */
int wg_crypto_dh(uint8_t out[static WG_KEY_LEN], const uint8_t priv[static WG_KEY_LEN],
		 const uint8_t pub[static WG_KEY_LEN]) __attribute__((warn_unused_result));

/* HASH(a || b); either part may be empty. */
void wg_blake2s(uint8_t out[static WG_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen);
/* MAC(key, in): keyed BLAKE2s with a 16-byte output. */
void wg_blake2s_mac(uint8_t out[static WG_COOKIE_LEN], const uint8_t *key, size_t keylen,
		    const void *in, size_t len);
/* HMAC-BLAKE2s. */
void wg_hmac(uint8_t out[static WG_HASH_LEN], const uint8_t key[static WG_HASH_LEN], const void *in, size_t len);
/* KDF_n(ck, in): up to three outputs; t2 and t3 may be NULL. */
void wg_kdf(uint8_t t1[static WG_HASH_LEN], uint8_t *t2, uint8_t *t3,
	    const uint8_t ck[static WG_HASH_LEN], const void *in, size_t len);

/* One-shot AEAD with a counter nonce (handshake messages). dst gets len + 16. */
void wg_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  uint64_t counter, const uint8_t key[static WG_KEY_LEN]);
/* srclen includes the tag. false when authentication fails. */
bool wg_aead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
		  uint64_t counter, const uint8_t key[static WG_KEY_LEN]) __attribute__((warn_unused_result));
/* XChaCha20-Poly1305 (cookie replies). */
void wg_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[static WG_COOKIE_NONCE_LEN], const uint8_t key[static WG_KEY_LEN]);
bool wg_xaead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[static WG_COOKIE_NONCE_LEN], const uint8_t key[static WG_KEY_LEN])
	__attribute__((warn_unused_result));

/*
 * A transport key. Packets shorter than WG_AEAD_SHORT go through
 * libsodium, whose fixed cost per call is half of EVP's (see
 * wg_crypto.c), with the raw key kept here (the keypair holding this is
 * a secmem slot). Longer ones go through an EVP context made with the
 * first of them and reused after: one allocation per key, not per
 * packet, and none at all for a session that only sends keepalives and
 * small packets (a context is ~1 KiB of OpenSSL's ordinary heap, with
 * its own copy of the key).
 */
#define WG_AEAD_SHORT 768
struct wg_aead_key {
	void *ctx;		/* EVP_CIPHER_CTX, NULL until a long packet */
	uint8_t key[WG_KEY_LEN];
	bool ready;		/* initialised and not wiped */
	bool encrypt;
};

int wg_aead_key_init(struct wg_aead_key *k, const uint8_t key[static WG_KEY_LEN], bool encrypt)
	__attribute__((warn_unused_result));
/* Frees the context (OpenSSL cleanses the key schedule on free) and wipes the key. */
void wg_aead_key_wipe(struct wg_aead_key *k);
/* In place allowed. encrypt writes len + 16 bytes; decrypt takes len with the tag. */
bool wg_aead_encrypt(struct wg_aead_key *k, uint64_t counter, uint8_t *dst, const uint8_t *src,
		     size_t len, const uint8_t *ad, size_t adlen) __attribute__((warn_unused_result));
bool wg_aead_decrypt(struct wg_aead_key *k, uint64_t counter, uint8_t *dst, const uint8_t *src,
		     size_t len, const uint8_t *ad, size_t adlen) __attribute__((warn_unused_result));

#endif
