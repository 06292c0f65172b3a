/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "wg_crypto.h"

static EVP_MD *blake2s;
static EVP_MAC *blake2s_mac, *hmac;
static EVP_CIPHER *chacha;

int wg_crypto_init(void)
{
	if (!blake2s)
		blake2s = EVP_MD_fetch(NULL, "BLAKE2S-256", NULL);
	if (!blake2s_mac)
		blake2s_mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
	if (!hmac)
		hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!chacha)
		chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	return blake2s && blake2s_mac && hmac && chacha ? 0 : -1;
}

void wg_crypto_exit(void)
{
	EVP_MD_free(blake2s);
	EVP_MAC_free(blake2s_mac);
	EVP_MAC_free(hmac);
	EVP_CIPHER_free(chacha);
	blake2s = NULL;
	blake2s_mac = hmac = NULL;
	chacha = NULL;
}

void wg_crypto_clamp(uint8_t key[static WG_KEY_LEN])
{
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

void wg_crypto_public_key(uint8_t pub[static WG_KEY_LEN], const uint8_t priv[static WG_KEY_LEN])
{
	crypto_scalarmult_base(pub, priv);
}

int wg_crypto_dh(uint8_t out[static WG_KEY_LEN], const uint8_t priv[static WG_KEY_LEN],
		 const uint8_t pub[static WG_KEY_LEN])
{
	/* libsodium refuses (and we with it) when the result is all zero. */
	return crypto_scalarmult(out, priv, pub) ? -1 : 0;
}

/*
 * The OpenSSL calls below fail only when memory runs out. A handshake
 * computed with garbage would fail its own MAC checks, but rather than
 * carry on with it we stop: there is nothing sensible left to do.
 */
static void must(int ok)
{
	if (!ok)
		abort();
}

void wg_blake2s(uint8_t out[static WG_HASH_LEN], const void *a, size_t alen, const void *b, size_t blen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = WG_HASH_LEN;

	must(ctx && EVP_DigestInit_ex2(ctx, blake2s, NULL) && EVP_DigestUpdate(ctx, a, alen) &&
	     EVP_DigestUpdate(ctx, b, blen) && EVP_DigestFinal_ex(ctx, out, &n));
	EVP_MD_CTX_free(ctx);
}

static void mac(EVP_MAC *alg, const OSSL_PARAM *params, uint8_t *out, size_t outlen,
		const uint8_t *key, size_t keylen, const void *in, size_t len)
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(alg);
	size_t n;

	must(ctx && EVP_MAC_init(ctx, key, keylen, params) && EVP_MAC_update(ctx, in, len) &&
	     EVP_MAC_final(ctx, out, &n, outlen) && n == outlen);
	EVP_MAC_CTX_free(ctx);
}

void wg_blake2s_mac(uint8_t out[static WG_COOKIE_LEN], const uint8_t *key, size_t keylen,
		    const void *in, size_t len)
{
	size_t size = WG_COOKIE_LEN;
	OSSL_PARAM params[] = {
		OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, &size),
		OSSL_PARAM_END,
	};

	mac(blake2s_mac, params, out, WG_COOKIE_LEN, key, keylen, in, len);
}

void wg_hmac(uint8_t out[static WG_HASH_LEN], const uint8_t key[static WG_HASH_LEN], const void *in, size_t len)
{
	char digest[] = "BLAKE2S-256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_END,
	};

	mac(hmac, params, out, WG_HASH_LEN, key, WG_HASH_LEN, in, len);
}

void wg_kdf(uint8_t t1[static WG_HASH_LEN], uint8_t *t2, uint8_t *t3,
	    const uint8_t ck[static WG_HASH_LEN], const void *in, size_t len)
{
	uint8_t t0[WG_HASH_LEN], buf[WG_HASH_LEN + 1];

	wg_hmac(t0, ck, in, len);
	buf[0] = 1;
	wg_hmac(buf, t0, buf, 1);
	memcpy(t1, buf, WG_HASH_LEN);
	if (t2) {
		buf[WG_HASH_LEN] = 2;
		wg_hmac(buf, t0, buf, sizeof(buf));
		memcpy(t2, buf, WG_HASH_LEN);
	}
	if (t3) {
		buf[WG_HASH_LEN] = 3;
		wg_hmac(buf, t0, buf, sizeof(buf));
		memcpy(t3, buf, WG_HASH_LEN);
	}
	sodium_memzero(t0, sizeof(t0));
	sodium_memzero(buf, sizeof(buf));
}

static void counter_nonce(uint8_t nonce[12], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

void wg_aead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  uint64_t counter, const uint8_t key[static WG_KEY_LEN])
{
	uint8_t nonce[12];

	counter_nonce(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, adlen, NULL, nonce, key);
}

bool wg_aead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
		  uint64_t counter, const uint8_t key[static WG_KEY_LEN])
{
	uint8_t nonce[12];

	counter_nonce(nonce, counter);
	return crypto_aead_chacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, srclen, ad, adlen,
							 nonce, key) == 0;
}

void wg_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[static WG_COOKIE_NONCE_LEN], const uint8_t key[static WG_KEY_LEN])
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, adlen, NULL, nonce, key);
}

bool wg_xaead_open(uint8_t *dst, const uint8_t *src, size_t srclen, const uint8_t *ad, size_t adlen,
		   const uint8_t nonce[static WG_COOKIE_NONCE_LEN], const uint8_t key[static WG_KEY_LEN])
{
	return crypto_aead_xchacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, srclen, ad, adlen,
							  nonce, key) == 0;
}

int wg_aead_key_init(struct wg_aead_key *k, const uint8_t key[static WG_KEY_LEN], bool encrypt)
{
	k->ctx = NULL;
	memcpy(k->key, key, WG_KEY_LEN);
	k->encrypt = encrypt;
	k->ready = true;
	return 0;
}

void wg_aead_key_wipe(struct wg_aead_key *k)
{
	EVP_CIPHER_CTX_free(k->ctx);
	k->ctx = NULL;
	k->ready = false;
	sodium_memzero(k->key, sizeof(k->key));
}

/* The key's EVP context, made on first use; NULL when OpenSSL cannot. */
static EVP_CIPHER_CTX *evp_ctx(struct wg_aead_key *k)
{
	EVP_CIPHER_CTX *ctx = k->ctx;

	if (ctx)
		return ctx;
	if (!(ctx = EVP_CIPHER_CTX_new()))
		return NULL;
	if (!EVP_CipherInit_ex2(ctx, chacha, k->key, NULL, k->encrypt ? 1 : 0, NULL)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return k->ctx = ctx;
}

/*
 * Which library seals a packet depends on its length. Measured here in
 * CPU time per packet (tests/bench/aead): EVP about 950 ns at 64 bytes
 * and 2000 ns at 1424; libsodium 450 ns and 2400 ns. EVP's per-byte cost
 * is half of libsodium's, its fixed cost (the provider's dispatch, tag
 * get/set) twice; they cross near 750 bytes. Same cipher, same bytes out:
 * the known-answer tests pass through both.
 */
static bool use_sodium(size_t len)
{
	return len < WG_AEAD_SHORT;
}

bool wg_aead_encrypt(struct wg_aead_key *k, uint64_t counter, uint8_t *dst, const uint8_t *src,
		     size_t len, const uint8_t *ad, size_t adlen)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t nonce[12];
	int n;

	if (!k->ready || len > INT_MAX)
		return false;
	counter_nonce(nonce, counter);
	/* Without a context (out of memory), libsodium seals any length. */
	if (use_sodium(len) || !(ctx = evp_ctx(k)))
		return crypto_aead_chacha20poly1305_ietf_encrypt_detached(dst, dst + len, NULL, src, len, ad,
									  adlen, NULL, nonce, k->key) == 0;
	/* A new nonce with the key kept: the context is reused, nothing allocated. */
	if (!EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, 1, NULL))
		return false;
	if (adlen && !EVP_CipherUpdate(ctx, NULL, &n, ad, (int)adlen))
		return false;
	if (!EVP_CipherUpdate(ctx, dst, &n, src, (int)len) || !EVP_CipherFinal_ex(ctx, dst + n, &n))
		return false;
	return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, WG_AUTHTAG_LEN, dst + len) > 0;
}

bool wg_aead_decrypt(struct wg_aead_key *k, uint64_t counter, uint8_t *dst, const uint8_t *src,
		     size_t len, const uint8_t *ad, size_t adlen)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t nonce[12], tag[WG_AUTHTAG_LEN];
	int n;

	if (!k->ready || len < WG_AUTHTAG_LEN || len > INT_MAX)
		return false;
	len -= WG_AUTHTAG_LEN;
	/* SET_TAG wants a writable buffer; src may be const. */
	memcpy(tag, src + len, WG_AUTHTAG_LEN);
	counter_nonce(nonce, counter);
	if (use_sodium(len) || !(ctx = evp_ctx(k)))
		return crypto_aead_chacha20poly1305_ietf_decrypt_detached(dst, NULL, src, len, tag, ad, adlen,
									  nonce, k->key) == 0;
	if (!EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, 0, NULL) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, WG_AUTHTAG_LEN, tag) <= 0)
		return false;
	if (adlen && !EVP_CipherUpdate(ctx, NULL, &n, ad, (int)adlen))
		return false;
	if (!EVP_CipherUpdate(ctx, dst, &n, src, (int)len))
		return false;
	return EVP_CipherFinal_ex(ctx, dst + n, &n) > 0;
}
