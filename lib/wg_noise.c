/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <endian.h>
#include <string.h>

#include <sodium.h>

#include "wg_noise.h"

static const uint8_t zero_key[WG_KEY_LEN];

/* HASH(CONSTRUCTION) and HASH(ck || IDENTIFIER), the same for everyone. */
static uint8_t initial_ck[WG_HASH_LEN], initial_hash[WG_HASH_LEN];
static bool initial_done;

static void initial_state(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			  const uint8_t responder_static[WG_KEY_LEN])
{
	if (!initial_done) {
		wg_blake2s(initial_ck, WG_NOISE_CONSTRUCTION, strlen(WG_NOISE_CONSTRUCTION), NULL, 0);
		wg_blake2s(initial_hash, initial_ck, WG_HASH_LEN,
			   WG_NOISE_IDENTIFIER, strlen(WG_NOISE_IDENTIFIER));
		initial_done = true;
	}
	memcpy(ck, initial_ck, WG_HASH_LEN);
	wg_blake2s(h, initial_hash, WG_HASH_LEN, responder_static, WG_KEY_LEN);
}

static void mix_hash(uint8_t h[WG_HASH_LEN], const void *in, size_t len)
{
	wg_blake2s(h, h, WG_HASH_LEN, in, len);
}

/* ck = KDF1(ck, e); h = HASH(h || e) */
static void mix_ephemeral(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], const uint8_t e[WG_KEY_LEN])
{
	wg_kdf(ck, NULL, NULL, ck, e, WG_KEY_LEN);
	mix_hash(h, e, WG_KEY_LEN);
}

/* (ck, k) = KDF2(ck, DH(priv, pub)); -1 on a low-order point. */
static int mix_dh(uint8_t ck[WG_HASH_LEN], uint8_t *key, const uint8_t priv[WG_KEY_LEN],
		  const uint8_t pub[WG_KEY_LEN])
{
	uint8_t dh[WG_KEY_LEN];
	int ret = wg_crypto_dh(dh, priv, pub);

	if (!ret)
		wg_kdf(ck, key, NULL, ck, dh, sizeof(dh));
	sodium_memzero(dh, sizeof(dh));
	return ret;
}

static int mix_precomputed(uint8_t ck[WG_HASH_LEN], uint8_t key[WG_KEY_LEN], const uint8_t ss[WG_KEY_LEN])
{
	if (!sodium_memcmp(ss, zero_key, WG_KEY_LEN))
		return -1;
	wg_kdf(ck, key, NULL, ck, ss, WG_KEY_LEN);
	return 0;
}

/* (ck, tau, k) = KDF3(ck, psk); h = HASH(h || tau) */
static void mix_psk(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], uint8_t key[WG_KEY_LEN],
		    const uint8_t psk[WG_KEY_LEN])
{
	uint8_t tau[WG_HASH_LEN];

	wg_kdf(ck, tau, key, ck, psk, WG_KEY_LEN);
	mix_hash(h, tau, sizeof(tau));
	sodium_memzero(tau, sizeof(tau));
}

void wg_noise_static_identity_init(struct wg_noise_static_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}

void wg_noise_static_identity_set(struct wg_noise_static_identity *id, const uint8_t priv[static WG_KEY_LEN])
{
	memcpy(id->static_private, priv, WG_KEY_LEN);
	wg_crypto_clamp(id->static_private);
	wg_crypto_public_key(id->static_public, id->static_private);
	id->has_identity = true;
}

void wg_noise_static_identity_clear(struct wg_noise_static_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}

void wg_noise_precompute_static_static(struct wg_noise_handshake *hs)
{
	if (!hs->identity->has_identity ||
	    wg_crypto_dh(hs->precomputed_static_static, hs->identity->static_private, hs->remote_static))
		sodium_memzero(hs->precomputed_static_static, WG_KEY_LEN);
}

void wg_noise_handshake_init(struct wg_noise_handshake *hs, const struct wg_noise_static_identity *id,
			     const uint8_t remote_static[static WG_KEY_LEN], const uint8_t *psk)
{
	sodium_memzero(hs, sizeof(*hs));
	hs->identity = id;
	memcpy(hs->remote_static, remote_static, WG_KEY_LEN);
	if (psk)
		memcpy(hs->preshared_key, psk, WG_KEY_LEN);
	wg_noise_precompute_static_static(hs);
}

void wg_noise_handshake_clear(struct wg_noise_handshake *hs)
{
	sodium_memzero(hs->remote_ephemeral, WG_KEY_LEN);
	sodium_memzero(hs->ephemeral_private, WG_KEY_LEN);
	sodium_memzero(hs->hash, WG_HASH_LEN);
	sodium_memzero(hs->chaining_key, WG_HASH_LEN);
	hs->remote_index = 0;
	hs->state = HANDSHAKE_ZEROED;
}

void wg_noise_handshake_wipe(struct wg_noise_handshake *hs)
{
	sodium_memzero(hs, sizeof(*hs));
}

void wg_noise_handshake_set_preshared_key(struct wg_noise_handshake *hs, const uint8_t psk[static WG_KEY_LEN])
{
	memcpy(hs->preshared_key, psk, WG_KEY_LEN);
}

void wg_noise_tai64n(uint8_t out[static WG_TIMESTAMP_LEN], int64_t sec, long nsec)
{
	/* TAI64 label 2^62 plus the TAI-UTC offset of 1972 (10 s), as every implementation. */
	uint64_t s = htobe64(0x400000000000000aULL + (uint64_t)sec);
	/* Rounded down to 2^24 ns (~16.8 ms), less than 1/INITIATIONS_PER_SECOND. */
	uint32_t n = htobe32((uint32_t)nsec & ~((1u << 24) - 1));

	memcpy(out, &s, 8);
	memcpy(out + 8, &n, 4);
}

int wg_noise_create_initiation(struct wg_noise_handshake *hs, struct wg_message_handshake_initiation *msg,
			       uint32_t local_index, const uint8_t eph[static WG_KEY_LEN],
			       const uint8_t timestamp[static WG_TIMESTAMP_LEN])
{
	const struct wg_noise_static_identity *id = hs->identity;
	uint8_t key[WG_KEY_LEN];
	int ret = -1;

	if (!id->has_identity)
		return -1;
	memset(msg, 0, sizeof(*msg));
	msg->header.type = htole32(MESSAGE_HANDSHAKE_INITIATION);
	msg->sender_index = htole32(local_index);
	initial_state(hs->chaining_key, hs->hash, hs->remote_static);

	memcpy(hs->ephemeral_private, eph, WG_KEY_LEN);
	wg_crypto_clamp(hs->ephemeral_private);
	wg_crypto_public_key(msg->unencrypted_ephemeral, hs->ephemeral_private);
	mix_ephemeral(hs->chaining_key, hs->hash, msg->unencrypted_ephemeral);
	/* es */
	if (mix_dh(hs->chaining_key, key, hs->ephemeral_private, hs->remote_static))
		goto out;
	wg_aead_seal(msg->encrypted_static, id->static_public, WG_KEY_LEN, hs->hash, WG_HASH_LEN, 0, key);
	mix_hash(hs->hash, msg->encrypted_static, sizeof(msg->encrypted_static));
	/* ss */
	if (mix_precomputed(hs->chaining_key, key, hs->precomputed_static_static))
		goto out;
	wg_aead_seal(msg->encrypted_timestamp, timestamp, WG_TIMESTAMP_LEN, hs->hash, WG_HASH_LEN, 0, key);
	mix_hash(hs->hash, msg->encrypted_timestamp, sizeof(msg->encrypted_timestamp));
	hs->local_index = local_index;
	hs->state = HANDSHAKE_CREATED_INITIATION;
	ret = 0;
out:
	if (ret)
		wg_noise_handshake_clear(hs);
	sodium_memzero(key, sizeof(key));
	return ret;
}

/* Everything of an initiation that checks out, before anything is stored. */
struct consumed {
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	uint8_t s[WG_KEY_LEN], t[WG_TIMESTAMP_LEN];
};

struct wg_noise_handshake *wg_noise_consume_initiation(const struct wg_message_handshake_initiation *msg,
							const struct wg_noise_static_identity *id,
							wg_noise_lookup_fn lookup, void *ctx, uint64_t now_ms)
{
	struct wg_noise_handshake *hs = NULL, *found;
	struct consumed c;
	bool replay, flood;

	if (!id->has_identity)
		return NULL;
	initial_state(c.ck, c.h, id->static_public);
	mix_ephemeral(c.ck, c.h, msg->unencrypted_ephemeral);
	/* es */
	if (mix_dh(c.ck, c.key, id->static_private, msg->unencrypted_ephemeral) ||
	    !wg_aead_open(c.s, msg->encrypted_static, sizeof(msg->encrypted_static), c.h, WG_HASH_LEN, 0, c.key))
		goto out;
	mix_hash(c.h, msg->encrypted_static, sizeof(msg->encrypted_static));
	found = lookup(ctx, c.s);
	if (!found)
		goto out;
	/* ss */
	if (mix_precomputed(c.ck, c.key, found->precomputed_static_static) ||
	    !wg_aead_open(c.t, msg->encrypted_timestamp, sizeof(msg->encrypted_timestamp),
			  c.h, WG_HASH_LEN, 0, c.key))
		goto out;
	mix_hash(c.h, msg->encrypted_timestamp, sizeof(msg->encrypted_timestamp));
	/* TAI64N is big-endian: byte order is time order. */
	replay = memcmp(c.t, found->latest_timestamp, WG_TIMESTAMP_LEN) <= 0;
	flood = found->consumed_initiation &&
		now_ms < found->last_initiation_consumption_ms + 1000 / INITIATIONS_PER_SECOND;
	if (replay || flood)
		goto out;

	hs = found;
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(hs->latest_timestamp, c.t, WG_TIMESTAMP_LEN);
	memcpy(hs->hash, c.h, WG_HASH_LEN);
	memcpy(hs->chaining_key, c.ck, WG_HASH_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->last_initiation_consumption_ms = now_ms;
	hs->consumed_initiation = true;
	hs->state = HANDSHAKE_CONSUMED_INITIATION;
out:
	sodium_memzero(&c, sizeof(c));
	return hs;
}

int wg_noise_create_response(struct wg_noise_handshake *hs, struct wg_message_handshake_response *msg,
			     uint32_t local_index, const uint8_t eph[static WG_KEY_LEN])
{
	uint8_t key[WG_KEY_LEN];
	int ret = -1;

	if (hs->state != HANDSHAKE_CONSUMED_INITIATION || !hs->identity->has_identity)
		return -1;
	memset(msg, 0, sizeof(*msg));
	msg->header.type = htole32(MESSAGE_HANDSHAKE_RESPONSE);
	msg->sender_index = htole32(local_index);
	msg->receiver_index = htole32(hs->remote_index);

	memcpy(hs->ephemeral_private, eph, WG_KEY_LEN);
	wg_crypto_clamp(hs->ephemeral_private);
	wg_crypto_public_key(msg->unencrypted_ephemeral, hs->ephemeral_private);
	mix_ephemeral(hs->chaining_key, hs->hash, msg->unencrypted_ephemeral);
	/* ee, se */
	if (mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_ephemeral) ||
	    mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_static))
		goto out;
	mix_psk(hs->chaining_key, hs->hash, key, hs->preshared_key);
	wg_aead_seal(msg->encrypted_nothing, NULL, 0, hs->hash, WG_HASH_LEN, 0, key);
	mix_hash(hs->hash, msg->encrypted_nothing, sizeof(msg->encrypted_nothing));
	hs->local_index = local_index;
	hs->state = HANDSHAKE_CREATED_RESPONSE;
	ret = 0;
out:
	if (ret)
		wg_noise_handshake_clear(hs);
	sodium_memzero(key, sizeof(key));
	return ret;
}

int wg_noise_consume_response(struct wg_noise_handshake *hs, const struct wg_message_handshake_response *msg,
			      const struct wg_noise_static_identity *id, uint64_t now_ms)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	int ret = -1;

	(void)now_ms;
	if (hs->state != HANDSHAKE_CREATED_INITIATION || !id->has_identity ||
	    le32toh(msg->receiver_index) != hs->local_index)
		return -1;
	memcpy(ck, hs->chaining_key, sizeof(ck));
	memcpy(h, hs->hash, sizeof(h));
	mix_ephemeral(ck, h, msg->unencrypted_ephemeral);
	/* ee, se */
	if (mix_dh(ck, NULL, hs->ephemeral_private, msg->unencrypted_ephemeral) ||
	    mix_dh(ck, NULL, id->static_private, msg->unencrypted_ephemeral))
		goto out;
	mix_psk(ck, h, key, hs->preshared_key);
	if (!wg_aead_open(NULL, msg->encrypted_nothing, sizeof(msg->encrypted_nothing), h, WG_HASH_LEN, 0, key))
		goto out;
	mix_hash(h, msg->encrypted_nothing, sizeof(msg->encrypted_nothing));

	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(hs->chaining_key, ck, sizeof(ck));
	memcpy(hs->hash, h, sizeof(h));
	hs->remote_index = le32toh(msg->sender_index);
	hs->state = HANDSHAKE_CONSUMED_RESPONSE;
	ret = 0;
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	return ret;
}

int wg_noise_begin_session(struct wg_noise_handshake *hs, struct wg_noise_keypair *kp, uint64_t now_ms)
{
	uint8_t t1[WG_HASH_LEN], t2[WG_HASH_LEN];
	bool initiator;
	int ret = -1;

	if (hs->state == HANDSHAKE_CONSUMED_RESPONSE)
		initiator = true;
	else if (hs->state == HANDSHAKE_CREATED_RESPONSE)
		initiator = false;
	else
		return -1;
	memset(kp, 0, sizeof(*kp));
	wg_kdf(t1, t2, NULL, hs->chaining_key, NULL, 0);
	if (wg_aead_key_init(&kp->send, initiator ? t1 : t2, true) ||
	    wg_aead_key_init(&kp->recv, initiator ? t2 : t1, false)) {
		wg_noise_keypair_wipe(kp);
		goto out;
	}
	kp->created_ms = now_ms;
	kp->initiator = initiator;
	kp->local_index = hs->local_index;
	kp->remote_index = hs->remote_index;
	ret = 0;
out:
	wg_noise_handshake_clear(hs);
	sodium_memzero(t1, sizeof(t1));
	sodium_memzero(t2, sizeof(t2));
	return ret;
}

void wg_noise_keypair_wipe(struct wg_noise_keypair *kp)
{
	wg_aead_key_wipe(&kp->send);
	wg_aead_key_wipe(&kp->recv);
	sodium_memzero(kp, sizeof(*kp));
}
