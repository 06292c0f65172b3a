/* SPDX-License-Identifier: MIT */
/*
 * The handshake layer on its own: the primitives against known answers,
 * Noise_IKpsk2 between two identities through the pure API (keys agree,
 * tampering and low-order points are refused and change nothing, replay
 * and flood rules), and mac1/mac2/cookie replies with a driven clock.
 *
 * Interoperability with another implementation is wg-interop.sh's job
 * (kgw-wg against wireguard-go); here only the spec and our own API.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include <sodium.h>

#include "unit.h"
#include "wg_cookie.h"
#include "wg_crypto.h"
#include "wg_noise.h"

static void unhex(uint8_t *out, size_t len, const char *hex)
{
	size_t n;

	ck_assert_uint_eq(strlen(hex), 2 * len);
	ck_assert_int_eq(sodium_hex2bin(out, len, hex, 2 * len, NULL, &n, NULL), 0);
	ck_assert_uint_eq(n, len);
}

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	char hex[2 * 64 + 1];

	ck_assert_uint_le(len, 64);
	sodium_bin2hex(hex, sizeof(hex), got, len);
	ck_assert_str_eq(hex, want);
}

/* A deterministic 32-byte value per label: keys the test can rebuild. */
static void det(uint8_t out[32], uint8_t label)
{
	uint8_t seed[randombytes_SEEDBYTES] = { label, 0x5a };

	randombytes_buf_deterministic(out, 32, seed);
}

static void setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_int_eq(wg_crypto_init(), 0);
}

static void teardown(void)
{
	wg_crypto_exit();
}

/* ---- primitives ---- */

START_TEST(test_blake2s_kat)
{
	uint8_t out[WG_HASH_LEN];

	/* RFC 7693, appendix B. */
	wg_blake2s(out, "abc", 3, NULL, 0);
	assert_hex(out, sizeof(out), "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	/* HASH(a || b) is one hash over the concatenation, wherever it is cut. */
	wg_blake2s(out, "a", 1, "bc", 2);
	assert_hex(out, sizeof(out), "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wg_blake2s(out, NULL, 0, "abc", 3);
	assert_hex(out, sizeof(out), "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	/* The empty message (the BLAKE2 reference's KAT). */
	wg_blake2s(out, NULL, 0, NULL, 0);
	assert_hex(out, sizeof(out), "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
	/* The paper's initial chaining key and hash: HASH(CONSTRUCTION), HASH(Ci || IDENTIFIER). */
	wg_blake2s(out, WG_NOISE_CONSTRUCTION, strlen(WG_NOISE_CONSTRUCTION), NULL, 0);
	assert_hex(out, sizeof(out), "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	wg_blake2s(out, out, sizeof(out), WG_NOISE_IDENTIFIER, strlen(WG_NOISE_IDENTIFIER));
	assert_hex(out, sizeof(out), "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
}
END_TEST

/*
 * HMAC-BLAKE2s answers computed once with two independent implementations
 * that agree: OpenSSL's
 *   printf 'Hi There' | openssl dgst -mac HMAC -macopt hexkey:0b0b...0b -blake2s256
 * and CPython's own BLAKE2 code (hmac.new(key, msg, hashlib.blake2s)).
 * The keys are 32 bytes because WireGuard's HMAC keys always are.
 */
static const struct {
	uint8_t key_byte;	/* 0xff: the key is 00 01 02 ... 1f */
	const char *msg, *mac;
} hmac_kat[] = {
	/* 0 */ { 0x0b, "Hi There", "0a22725a2d3d42c8f0515617bf249fcd1aaec274c7e94a5058549a5691941426" },
	/* 1 */ { 0xff, "what do ya want for nothing?",
		  "14229dde9cdbd4dd31b1a703ac36832ecc9177e0ba0d4632568515aaec7e401f" },
};

static void kat_key(uint8_t key[32], uint8_t byte)
{
	for (int i = 0; i < 32; i++)
		key[i] = byte == 0xff ? (uint8_t)i : byte;
}

START_TEST(test_hmac_kat)
{
	uint8_t key[32], out[WG_HASH_LEN];

	kat_key(key, hmac_kat[_i].key_byte);
	wg_hmac(out, key, hmac_kat[_i].msg, strlen(hmac_kat[_i].msg));
	assert_hex(out, sizeof(out), hmac_kat[_i].mac);
}
END_TEST

/* HMAC by its definition (RFC 2104, BLAKE2s block of 64 bytes) over wg_blake2s. */
static void hmac_by_definition(uint8_t out[32], const uint8_t key[32], const uint8_t *msg, size_t len)
{
	uint8_t ipad[64], opad[64], inner[32];

	memset(ipad, 0x36, sizeof(ipad));
	memset(opad, 0x5c, sizeof(opad));
	for (int i = 0; i < 32; i++) {
		ipad[i] ^= key[i];
		opad[i] ^= key[i];
	}
	wg_blake2s(inner, ipad, sizeof(ipad), msg, len);
	wg_blake2s(out, opad, sizeof(opad), inner, sizeof(inner));
}

START_TEST(test_hmac_definition)
{
	uint8_t key[32], msg[200], a[32], b[32];

	for (size_t len = 0; len <= sizeof(msg); len += 25) {
		det(key, (uint8_t)len);
		randombytes_buf_deterministic(msg, len, key);
		wg_hmac(a, key, msg, len);
		hmac_by_definition(b, key, msg, len);
		ck_assert_mem_eq(a, b, 32);
	}
}
END_TEST

/*
 * Keyed BLAKE2s with a 16-byte output (mac1, mac2, the cookie): the
 * output length is a parameter of the hash, not a truncation. Answers
 * from CPython: hashlib.blake2s(msg, key=key, digest_size=16).
 */
START_TEST(test_blake2s_mac_kat)
{
	uint8_t key[32], msg[64], out[WG_COOKIE_LEN], full[32];

	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	kat_key(key, 0xff);
	wg_blake2s_mac(out, key, 32, msg, sizeof(msg));
	assert_hex(out, sizeof(out), "f1efa90d2547036841ecd3627fafbc36");
	wg_blake2s_mac(out, key, 16, "cookie mac2 input", 17);
	assert_hex(out, sizeof(out), "2e491c75913c70e32d677d32194c42d1");
	/* Not the first half of an unkeyed or a 32-byte hash. */
	wg_blake2s(full, msg, sizeof(msg), NULL, 0);
	ck_assert_mem_ne(out, full, WG_COOKIE_LEN);
}
END_TEST

/* KDF_n (the paper, 5.4): T0 = HMAC(ck, in), Ti = HMAC(T0, T(i-1) || i). */
START_TEST(test_kdf)
{
	uint8_t ck[32], t1[32], t2[32], t3[32], u1[32], u2[32], t0[32], buf[33];

	kat_key(ck, 0xff);
	/* From CPython's hmac + hashlib.blake2s, as above. */
	wg_kdf(t1, t2, t3, ck, "abc", 3);
	assert_hex(t1, 32, "c67e0b211ebf48c12c6d41da8fcee207d4c325a8c30f054d97401b14ed212f9f");
	assert_hex(t2, 32, "923b032867c597d1df124053325e553b104bf3b76180a46e0c21b44001ec50f6");
	assert_hex(t3, 32, "73e5eae9c5d230ea6becb29ab8a49f627aff1eb27586b938a71ae090d4c7a184");
	/* KDF1 and KDF2 are prefixes of KDF3. */
	wg_kdf(u1, NULL, NULL, ck, "abc", 3);
	ck_assert_mem_eq(u1, t1, 32);
	wg_kdf(u1, u2, NULL, ck, "abc", 3);
	ck_assert_mem_eq(u1, t1, 32);
	ck_assert_mem_eq(u2, t2, 32);
	/* By the definition, over wg_hmac; output may alias the chaining key. */
	wg_hmac(t0, ck, NULL, 0);
	buf[0] = 1;
	wg_hmac(u1, t0, buf, 1);
	memcpy(buf, u1, 32);
	buf[32] = 2;
	wg_hmac(u2, t0, buf, 33);
	wg_kdf(ck, t2, NULL, ck, NULL, 0);
	ck_assert_mem_eq(ck, u1, 32);
	ck_assert_mem_eq(t2, u2, 32);
}
END_TEST

/*
 * The handshake's AEAD (libsodium) and the data path's (libsodium below
 * WG_AEAD_SHORT bytes, OpenSSL EVP from there on) are one cipher: lengths
 * on both sides of the switch.
 */
START_TEST(test_aead_both_implementations)
{
	uint8_t key[32], ad[13], msg[1500], sealed[1500 + 16], opened[1500], again[1500 + 16];
	struct wg_aead_key enc, dec;
	const uint64_t counters[] = { 0, 1, 0x1234567890abcdefULL, REJECT_AFTER_MESSAGES - 1 };

	det(key, 1);
	randombytes_buf_deterministic(msg, sizeof(msg), key);
	memset(ad, 0xad, sizeof(ad));
	ck_assert_int_eq(wg_aead_key_init(&enc, key, true), 0);
	ck_assert_int_eq(wg_aead_key_init(&dec, key, false), 0);
	/* The EVP contexts are made with the first long packet, not before. */
	ck_assert(wg_aead_encrypt(&enc, 0, sealed, msg, WG_AEAD_SHORT - 1, NULL, 0));
	ck_assert(wg_aead_decrypt(&dec, 0, opened, sealed, WG_AEAD_SHORT - 1 + 16, NULL, 0));
	ck_assert_ptr_null(enc.ctx);
	ck_assert_ptr_null(dec.ctx);
	ck_assert(wg_aead_encrypt(&enc, 1, sealed, msg, WG_AEAD_SHORT, NULL, 0));
	ck_assert_ptr_nonnull(enc.ctx);
	ck_assert(wg_aead_decrypt(&dec, 1, opened, sealed, WG_AEAD_SHORT + 16, NULL, 0));
	ck_assert_ptr_nonnull(dec.ctx);
	ck_assert_mem_eq(opened, msg, WG_AEAD_SHORT);
	for (size_t c = 0; c < ARRAY_SIZE(counters); c++) {
		for (size_t len = 0; len <= sizeof(msg); len += 60) {
			wg_aead_seal(sealed, msg, len, NULL, 0, counters[c], key);
			ck_assert(wg_aead_encrypt(&enc, counters[c], again, msg, len, NULL, 0));
			ck_assert_mem_eq(sealed, again, len + 16);
			ck_assert(wg_aead_decrypt(&dec, counters[c], opened, sealed, len + 16, NULL, 0));
			ck_assert_mem_eq(opened, msg, len);
			ck_assert(wg_aead_open(opened, again, len + 16, NULL, 0, counters[c], key));
			/* Another counter, a flipped tag bit or a cut tag: refused. */
			ck_assert(!wg_aead_decrypt(&dec, counters[c] + 1, opened, sealed, len + 16, NULL, 0));
			sealed[len] ^= 1;
			ck_assert(!wg_aead_decrypt(&dec, counters[c], opened, sealed, len + 16, NULL, 0));
			ck_assert(!wg_aead_open(opened, sealed, len + 16, NULL, 0, counters[c], key));
			ck_assert(!wg_aead_decrypt(&dec, counters[c], opened, sealed, 15, NULL, 0));
		}
		/* With associated data, as the handshake uses it. */
		wg_aead_seal(sealed, msg, 32, ad, sizeof(ad), counters[c], key);
		ck_assert(wg_aead_decrypt(&dec, counters[c], opened, sealed, 48, ad, sizeof(ad)));
		ck_assert(!wg_aead_decrypt(&dec, counters[c], opened, sealed, 48, ad, sizeof(ad) - 1));
	}
	/* In place, as the data path does. */
	memcpy(again, msg, 100);
	ck_assert(wg_aead_encrypt(&enc, 7, again, again, 100, NULL, 0));
	ck_assert(wg_aead_decrypt(&dec, 7, again, again, 116, NULL, 0));
	ck_assert_mem_eq(again, msg, 100);
	memcpy(again, msg, 1400);
	ck_assert(wg_aead_encrypt(&enc, 8, again, again, 1400, NULL, 0));
	ck_assert(wg_aead_decrypt(&dec, 8, again, again, 1416, NULL, 0));
	ck_assert_mem_eq(again, msg, 1400);
	wg_aead_key_wipe(&enc);
	wg_aead_key_wipe(&dec);
	ck_assert_ptr_null(enc.ctx);
	/* A wiped key encrypts nothing. */
	ck_assert(!wg_aead_encrypt(&enc, 0, again, msg, 16, NULL, 0));
}
END_TEST

START_TEST(test_xaead)
{
	uint8_t key[32], nonce[WG_COOKIE_NONCE_LEN], ad[16], in[16], sealed[32], out[16];

	det(key, 3);
	memset(nonce, 7, sizeof(nonce));
	memset(ad, 1, sizeof(ad));
	memset(in, 0xc0, sizeof(in));
	wg_xaead_seal(sealed, in, 16, ad, 16, nonce, key);
	ck_assert(wg_xaead_open(out, sealed, 32, ad, 16, nonce, key));
	ck_assert_mem_eq(out, in, 16);
	ad[0] ^= 1;
	ck_assert(!wg_xaead_open(out, sealed, 32, ad, 16, nonce, key));
	ad[0] ^= 1;
	nonce[23] ^= 1;
	ck_assert(!wg_xaead_open(out, sealed, 32, ad, 16, nonce, key));
}
END_TEST

/*
 * Curve25519 points of small order (orders 1, 2, 4 and 8) and their
 * non-canonical encodings (adding p, or setting bit 255, which X25519
 * ignores): DH with any clamped scalar gives the all-zero output.
 */
static const char *const low_order[] = {
	/* 0 */ "0000000000000000000000000000000000000000000000000000000000000000",
	/* 1 */ "0100000000000000000000000000000000000000000000000000000000000000",
	/* 2 */ "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	/* 3 */ "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	/* 4 */ "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",	/* p - 1 */
	/* 5 */ "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",	/* p */
	/* 6 */ "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",	/* p + 1 */
	/* 7 */ "0000000000000000000000000000000000000000000000000000000000000080",
	/* 8 */ "0100000000000000000000000000000000000000000000000000000000000080",
	/* 9 */ "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
	/* 10 */ "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
	/* 11 */ "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* 12 */ "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* 13 */ "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
};

START_TEST(test_dh_low_order)
{
	uint8_t priv[32], point[32], out[32];

	unhex(point, 32, low_order[_i]);
	for (uint8_t k = 10; k < 14; k++) {
		det(priv, k);
		wg_crypto_clamp(priv);
		memset(out, 0xaa, sizeof(out));
		ck_assert_msg(wg_crypto_dh(out, priv, point) == -1, "point %d accepted", _i);
	}
}
END_TEST

START_TEST(test_dh_agrees)
{
	uint8_t a[32], b[32], pa[32], pb[32], s1[32], s2[32];

	det(a, 20);
	det(b, 21);
	wg_crypto_clamp(a);
	wg_crypto_clamp(b);
	wg_crypto_public_key(pa, a);
	wg_crypto_public_key(pb, b);
	ck_assert_int_eq(wg_crypto_dh(s1, a, pb), 0);
	ck_assert_int_eq(wg_crypto_dh(s2, b, pa), 0);
	ck_assert_mem_eq(s1, s2, 32);
	/* Clamping: the low three bits clear, bit 254 set, bit 255 clear. */
	memset(a, 0xff, 32);
	wg_crypto_clamp(a);
	ck_assert_uint_eq(a[0], 0xf8);
	ck_assert_uint_eq(a[31], 0x7f);
	memset(a, 0, 32);
	wg_crypto_clamp(a);
	ck_assert_uint_eq(a[31], 0x40);
}
END_TEST

/* ---- Noise_IKpsk2 ---- */

#define MAX_PEERS 4

/* One side of the handshake: an identity and the handshakes of its peers. */
struct side {
	struct wg_noise_static_identity id;
	struct wg_noise_handshake peer[MAX_PEERS];
	int npeers;
};

static struct side ini, resp;
static const uint64_t T0 = 1000000;
/* Each handshake() a second after the last, with a newer timestamp. */
static int64_t hs_sec;

static struct wg_noise_handshake *lookup(void *ctx, const uint8_t key[WG_KEY_LEN])
{
	struct side *s = ctx;

	for (int i = 0; i < s->npeers; i++)
		if (!memcmp(s->peer[i].remote_static, key, WG_KEY_LEN))
			return &s->peer[i];
	return NULL;
}

static void identity(struct side *s, uint8_t label)
{
	uint8_t priv[32];

	memset(s, 0, sizeof(*s));
	wg_noise_static_identity_init(&s->id);
	det(priv, label);
	wg_noise_static_identity_set(&s->id, priv);
}

static struct wg_noise_handshake *add_peer(struct side *s, const uint8_t pub[32], const uint8_t *psk)
{
	struct wg_noise_handshake *hs = &s->peer[s->npeers++];

	ck_assert_int_le(s->npeers, MAX_PEERS);
	wg_noise_handshake_init(hs, &s->id, pub, psk);
	return hs;
}

/* `ini' knows `resp' and the other way round, each with the given PSK (NULL: none). */
static void pair(const uint8_t *psk_i, const uint8_t *psk_r)
{
	identity(&ini, 1);
	identity(&resp, 2);
	add_peer(&ini, resp.id.static_public, psk_i);
	add_peer(&resp, ini.id.static_public, psk_r);
	hs_sec = 1000;
}

static void timestamp(uint8_t ts[WG_TIMESTAMP_LEN], int64_t sec)
{
	wg_noise_tai64n(ts, sec, 0);
}

static void make_initiation(struct wg_message_handshake_initiation *m, int64_t sec, uint8_t eph_label)
{
	uint8_t eph[32], ts[WG_TIMESTAMP_LEN];

	det(eph, eph_label);
	timestamp(ts, sec);
	ck_assert_int_eq(wg_noise_create_initiation(&ini.peer[0], m, 0x11111111, eph, ts), 0);
	ck_assert_int_eq(ini.peer[0].state, HANDSHAKE_CREATED_INITIATION);
}

static struct wg_noise_handshake *consume(const struct wg_message_handshake_initiation *m, uint64_t now)
{
	return wg_noise_consume_initiation(m, &resp.id, lookup, &resp, now);
}

static void make_response(struct wg_message_handshake_response *m)
{
	uint8_t eph[32];

	det(eph, 99);
	ck_assert_int_eq(wg_noise_create_response(&resp.peer[0], m, 0x22222222, eph), 0);
	ck_assert_int_eq(resp.peer[0].state, HANDSHAKE_CREATED_RESPONSE);
}

/* Both sides' keypairs: each side's send must open with the other's recv. */
static void assert_keys_match(struct wg_noise_keypair *a, struct wg_noise_keypair *b)
{
	uint8_t msg[64], box[64 + 16], out[64];

	det(msg, 77);
	for (int dir = 0; dir < 2; dir++) {
		struct wg_noise_keypair *s = dir ? b : a, *r = dir ? a : b;

		ck_assert(wg_aead_encrypt(&s->send, 5, box, msg, 64, NULL, 0));
		ck_assert(wg_aead_decrypt(&r->recv, 5, out, box, 80, NULL, 0));
		ck_assert_mem_eq(out, msg, 64);
		/* The two directions have different keys. */
		ck_assert(!wg_aead_decrypt(&s->recv, 5, out, box, 80, NULL, 0));
	}
	ck_assert_uint_eq(a->local_index, b->remote_index);
	ck_assert_uint_eq(a->remote_index, b->local_index);
	ck_assert(a->initiator != b->initiator);
}

/* Runs a whole handshake; returns the initiator's consume_response result. */
static int handshake(struct wg_noise_keypair *kpi, struct wg_noise_keypair *kpr)
{
	struct wg_message_handshake_initiation init;
	struct wg_message_handshake_response r;
	int ret;

	hs_sec++;
	make_initiation(&init, hs_sec, 50);
	ck_assert_ptr_eq(consume(&init, T0 + (uint64_t)hs_sec * 1000), &resp.peer[0]);
	ck_assert_int_eq(resp.peer[0].state, HANDSHAKE_CONSUMED_INITIATION);
	ck_assert_uint_eq(resp.peer[0].remote_index, 0x11111111);
	make_response(&r);
	ret = wg_noise_consume_response(&ini.peer[0], &r, &ini.id, T0);
	if (ret)
		return ret;
	ck_assert_int_eq(ini.peer[0].state, HANDSHAKE_CONSUMED_RESPONSE);
	ck_assert_int_eq(wg_noise_begin_session(&ini.peer[0], kpi, T0 + (uint64_t)hs_sec * 1000), 0);
	ck_assert_int_eq(wg_noise_begin_session(&resp.peer[0], kpr, T0 + (uint64_t)hs_sec * 1000), 0);
	/* Beginning a session clears the handshake. */
	ck_assert_int_eq(ini.peer[0].state, HANDSHAKE_ZEROED);
	ck_assert_int_eq(resp.peer[0].state, HANDSHAKE_ZEROED);
	return 0;
}

START_TEST(test_handshake_no_psk)
{
	struct wg_noise_keypair kpi, kpr;

	pair(NULL, NULL);
	ck_assert_int_eq(handshake(&kpi, &kpr), 0);
	ck_assert(kpi.initiator);
	ck_assert_uint_eq(kpi.local_index, 0x11111111);
	ck_assert_uint_eq(kpr.local_index, 0x22222222);
	ck_assert_uint_eq(kpi.created_ms, T0 + 1001 * 1000);
	assert_keys_match(&kpi, &kpr);
	wg_noise_keypair_wipe(&kpi);
	wg_noise_keypair_wipe(&kpr);
}
END_TEST

START_TEST(test_handshake_psk)
{
	struct wg_noise_keypair kpi, kpr, kpi0, kpr0;
	uint8_t psk[32];

	pair(NULL, NULL);
	ck_assert_int_eq(handshake(&kpi0, &kpr0), 0);
	det(psk, 40);
	pair(psk, psk);
	ck_assert_int_eq(handshake(&kpi, &kpr), 0);
	assert_keys_match(&kpi, &kpr);
	/* Same identities and ephemerals: only the PSK differs, and so do the keys. */
	{
		uint8_t msg[16] = { 0 }, box[32], out[16];

		ck_assert(wg_aead_encrypt(&kpi.send, 0, box, msg, 16, NULL, 0));
		ck_assert(!wg_aead_decrypt(&kpr0.recv, 0, out, box, 32, NULL, 0));
	}
	wg_noise_keypair_wipe(&kpi);
	wg_noise_keypair_wipe(&kpr);
	wg_noise_keypair_wipe(&kpi0);
	wg_noise_keypair_wipe(&kpr0);
}
END_TEST

/* 0: initiator has a PSK, responder none; 1: the reverse; 2: two different PSKs. */
START_TEST(test_psk_mismatch)
{
	struct wg_noise_keypair kpi, kpr;
	uint8_t a[32], b[32];

	det(a, 41);
	det(b, 42);
	pair(_i == 1 ? NULL : a, _i == 0 ? NULL : _i == 1 ? a : b);
	ck_assert_int_eq(handshake(&kpi, &kpr), -1);
	/* The initiator refuses the response and still waits for a good one. */
	ck_assert_int_eq(ini.peer[0].state, HANDSHAKE_CREATED_INITIATION);
}
END_TEST

/* Setting a PSK after the fact (what `wg set ... preshared-key' does). */
START_TEST(test_psk_set_later)
{
	struct wg_noise_keypair kpi, kpr;
	uint8_t psk[32];

	det(psk, 43);
	pair(NULL, NULL);
	wg_noise_handshake_set_preshared_key(&ini.peer[0], psk);
	ck_assert_int_eq(handshake(&kpi, &kpr), -1);
	wg_noise_handshake_set_preshared_key(&resp.peer[0], psk);
	ck_assert_int_eq(handshake(&kpi, &kpr), 0);
	assert_keys_match(&kpi, &kpr);
	wg_noise_keypair_wipe(&kpi);
	wg_noise_keypair_wipe(&kpr);
}
END_TEST

/*
 * The initiation, recomputed from the paper's steps with the primitives:
 * the constants, the token order (e, es, s, ss) and the AD chain are the
 * spec's. (wg-interop.sh shows the same against wireguard-go end to end.)
 */
START_TEST(test_initiation_follows_the_paper)
{
	struct wg_message_handshake_initiation m;
	uint8_t ck[32], h[32], key[32], dh[32], eph[32], s[32], ts[12], want_ts[12];

	pair(NULL, NULL);
	make_initiation(&m, 1234, 51);
	det(eph, 51);
	wg_crypto_clamp(eph);
	unhex(ck, 32, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	unhex(h, 32, "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
	wg_blake2s(h, h, 32, resp.id.static_public, 32);
	/* e */
	wg_crypto_public_key(dh, eph);
	ck_assert_mem_eq(m.unencrypted_ephemeral, dh, 32);
	wg_kdf(ck, NULL, NULL, ck, m.unencrypted_ephemeral, 32);
	wg_blake2s(h, h, 32, m.unencrypted_ephemeral, 32);
	/* es */
	ck_assert_int_eq(wg_crypto_dh(dh, eph, resp.id.static_public), 0);
	wg_kdf(ck, key, NULL, ck, dh, 32);
	/* s */
	ck_assert(wg_aead_open(s, m.encrypted_static, sizeof(m.encrypted_static), h, 32, 0, key));
	ck_assert_mem_eq(s, ini.id.static_public, 32);
	wg_blake2s(h, h, 32, m.encrypted_static, sizeof(m.encrypted_static));
	/* ss */
	ck_assert_int_eq(wg_crypto_dh(dh, resp.id.static_private, ini.id.static_public), 0);
	wg_kdf(ck, key, NULL, ck, dh, 32);
	ck_assert(wg_aead_open(ts, m.encrypted_timestamp, sizeof(m.encrypted_timestamp), h, 32, 0, key));
	timestamp(want_ts, 1234);
	ck_assert_mem_eq(ts, want_ts, 12);
	wg_blake2s(h, h, 32, m.encrypted_timestamp, sizeof(m.encrypted_timestamp));
	ck_assert_mem_eq(h, ini.peer[0].hash, 32);
	ck_assert_mem_eq(ck, ini.peer[0].chaining_key, 32);
	/* The wire header: type 1 little-endian, our index, macs left for wg_cookie. */
	ck_assert_mem_eq(&m, "\x01\x00\x00\x00\x11\x11\x11\x11", 8);
	ck_assert_mem_eq(m.macs.mac1, (uint8_t[16]){ 0 }, 16);
}
END_TEST

/*
 * Every bit of the initiation that Noise authenticates (the ephemeral,
 * the encrypted static and timestamp: bytes 8..115), flipped one at a
 * time: refused, and the responder's handshake does not change. The type
 * and the sender index are mac1's to protect (test_mac1_covers_every_byte).
 */
START_TEST(test_initiation_tampered)
{
	struct wg_message_handshake_initiation m, bad;
	struct wg_noise_handshake copy;
	const size_t from = offsetof(struct wg_message_handshake_initiation, unencrypted_ephemeral);
	const size_t to = offsetof(struct wg_message_handshake_initiation, macs);

	pair(NULL, NULL);
	make_initiation(&m, 1000, 52);
	memcpy(&copy, &resp.peer[0], sizeof(copy));
	for (size_t i = from; i < to; i++) {
		for (int bit = 0; bit < 8; bit++) {
			bad = m;
			((uint8_t *)&bad)[i] ^= (uint8_t)(1 << bit);
			ck_assert_msg(!consume(&bad, T0), "byte %zu bit %d accepted", i, bit);
			ck_assert_msg(!memcmp(&copy, &resp.peer[0], sizeof(copy)), "byte %zu changed state", i);
		}
	}
	/* The untouched message still goes through: nothing was half-consumed. */
	ck_assert_ptr_eq(consume(&m, T0), &resp.peer[0]);
}
END_TEST

/* Likewise for the response: receiver index, ephemeral, empty payload (bytes 8..59). */
START_TEST(test_response_tampered)
{
	struct wg_message_handshake_initiation init;
	struct wg_message_handshake_response r, bad;
	struct wg_noise_handshake copy;
	struct wg_noise_keypair kpi;
	const size_t from = offsetof(struct wg_message_handshake_response, receiver_index);
	const size_t to = offsetof(struct wg_message_handshake_response, macs);

	pair(NULL, NULL);
	make_initiation(&init, 1000, 53);
	ck_assert_ptr_nonnull(consume(&init, T0));
	make_response(&r);
	memcpy(&copy, &ini.peer[0], sizeof(copy));
	for (size_t i = from; i < to; i++) {
		for (int bit = 0; bit < 8; bit++) {
			bad = r;
			((uint8_t *)&bad)[i] ^= (uint8_t)(1 << bit);
			ck_assert_msg(wg_noise_consume_response(&ini.peer[0], &bad, &ini.id, T0) == -1,
				      "byte %zu bit %d accepted", i, bit);
			ck_assert_msg(!memcmp(&copy, &ini.peer[0], sizeof(copy)), "byte %zu changed state", i);
		}
	}
	ck_assert_int_eq(wg_noise_consume_response(&ini.peer[0], &r, &ini.id, T0), 0);
	/* A second copy of the response finds the handshake already consumed. */
	ck_assert_int_eq(wg_noise_consume_response(&ini.peer[0], &r, &ini.id, T0), -1);
	ck_assert_int_eq(wg_noise_begin_session(&ini.peer[0], &kpi, T0), 0);
	ck_assert_int_eq(wg_noise_consume_response(&ini.peer[0], &r, &ini.id, T0), -1);
	wg_noise_keypair_wipe(&kpi);
}
END_TEST

START_TEST(test_low_order_ephemeral_initiation)
{
	struct wg_message_handshake_initiation m;
	struct wg_noise_handshake copy;

	pair(NULL, NULL);
	make_initiation(&m, 1000, 54);
	unhex(m.unencrypted_ephemeral, 32, low_order[_i]);
	memcpy(&copy, &resp.peer[0], sizeof(copy));
	ck_assert_ptr_null(consume(&m, T0));
	ck_assert_mem_eq(&copy, &resp.peer[0], sizeof(copy));
}
END_TEST

START_TEST(test_low_order_ephemeral_response)
{
	struct wg_message_handshake_initiation init;
	struct wg_message_handshake_response r;
	struct wg_noise_handshake copy;

	pair(NULL, NULL);
	make_initiation(&init, 1000, 55);
	ck_assert_ptr_nonnull(consume(&init, T0));
	make_response(&r);
	unhex(r.unencrypted_ephemeral, 32, low_order[_i]);
	memcpy(&copy, &ini.peer[0], sizeof(copy));
	ck_assert_int_eq(wg_noise_consume_response(&ini.peer[0], &r, &ini.id, T0), -1);
	ck_assert_mem_eq(&copy, &ini.peer[0], sizeof(copy));
}
END_TEST

/*
 * A peer whose public key is of low order never completes a handshake:
 * we cannot initiate to it, and an initiation claiming it as sender
 * (which its sender can build, knowing the ephemeral) is refused.
 */
START_TEST(test_low_order_peer_key)
{
	struct wg_message_handshake_initiation m;
	struct wg_noise_static_identity forged;
	struct wg_noise_handshake to_resp, copy;
	uint8_t bad[32], eph[32], ts[12];

	unhex(bad, 32, low_order[_i]);
	/* We as initiator towards a low-order key. */
	identity(&ini, 1);
	add_peer(&ini, bad, NULL);
	ck_assert_mem_eq(ini.peer[0].precomputed_static_static, (uint8_t[32]){ 0 }, 32);
	det(eph, 56);
	timestamp(ts, 1000);
	ck_assert_int_eq(wg_noise_create_initiation(&ini.peer[0], &m, 1, eph, ts), -1);
	ck_assert_int_eq(ini.peer[0].state, HANDSHAKE_ZEROED);

	/* We as responder, with the low-order key configured as a peer. */
	identity(&resp, 2);
	add_peer(&resp, bad, NULL);
	memcpy(&copy, &resp.peer[0], sizeof(copy));
	wg_noise_static_identity_init(&forged);
	det(forged.static_private, 57);
	wg_crypto_clamp(forged.static_private);
	memcpy(forged.static_public, bad, 32);
	forged.has_identity = true;
	wg_noise_handshake_init(&to_resp, &forged, resp.id.static_public, NULL);
	ck_assert_int_eq(wg_noise_create_initiation(&to_resp, &m, 1, eph, ts), 0);
	ck_assert_ptr_null(consume(&m, T0));
	ck_assert_mem_eq(&copy, &resp.peer[0], sizeof(copy));
	wg_noise_handshake_wipe(&to_resp);
}
END_TEST

/* Initiations must carry a strictly newer TAI64N than any accepted before. */
START_TEST(test_timestamp_replay)
{
	struct wg_message_handshake_initiation at1000, at999, at1001, same_bucket;
	uint8_t eph[32], ts[12];

	pair(NULL, NULL);
	make_initiation(&at1000, 1000, 60);
	make_initiation(&at999, 999, 61);
	make_initiation(&at1001, 1001, 62);
	det(eph, 63);
	/* 1 ns later than at1000, but the same 2^24 ns bucket: the same timestamp. */
	wg_noise_tai64n(ts, 1000, 1);
	ck_assert_int_eq(wg_noise_create_initiation(&ini.peer[0], &same_bucket, 1, eph, ts), 0);

	ck_assert_ptr_nonnull(consume(&at1000, T0));
	ck_assert_ptr_null(consume(&at1000, T0 + 1000));	/* the same message again */
	ck_assert_ptr_null(consume(&same_bucket, T0 + 2000));
	ck_assert_ptr_null(consume(&at999, T0 + 3000));	/* older */
	ck_assert_ptr_nonnull(consume(&at1001, T0 + 4000));	/* newer */
	ck_assert_ptr_null(consume(&at1000, T0 + 5000));	/* now older */
	ck_assert_ptr_null(consume(&at1001, T0 + 6000));
	/* Clearing the handshake (after a session began) keeps the timestamp. */
	wg_noise_handshake_clear(&resp.peer[0]);
	ck_assert_ptr_null(consume(&at1001, T0 + 7000));
}
END_TEST

/* At most INITIATIONS_PER_SECOND initiations are acted on per peer. */
START_TEST(test_initiation_flood)
{
	struct wg_message_handshake_initiation a, b, c;
	const uint64_t gap = 1000 / INITIATIONS_PER_SECOND;
	uint8_t eph[32], ts[12];

	ck_assert_uint_eq(gap, 20);
	pair(NULL, NULL);
	make_initiation(&a, 1000, 70);
	det(eph, 71);
	/* Newer timestamps that are no replays: only the timing refuses them. */
	wg_noise_tai64n(ts, 1000, 1 << 24);
	ck_assert_int_eq(wg_noise_create_initiation(&ini.peer[0], &b, 2, eph, ts), 0);
	wg_noise_tai64n(ts, 1000, 2 << 24);
	ck_assert_int_eq(wg_noise_create_initiation(&ini.peer[0], &c, 3, eph, ts), 0);

	ck_assert_ptr_nonnull(consume(&a, T0));
	ck_assert_ptr_null(consume(&b, T0));
	ck_assert_ptr_null(consume(&b, T0 + gap - 1));
	ck_assert_uint_eq(resp.peer[0].remote_index, 0x11111111);
	ck_assert_ptr_nonnull(consume(&b, T0 + gap));
	ck_assert_uint_eq(resp.peer[0].remote_index, 2);
	/* The window runs from the last accepted one, not the last attempt. */
	ck_assert_ptr_null(consume(&c, T0 + 2 * gap - 1));
	ck_assert_ptr_nonnull(consume(&c, T0 + 2 * gap));
}
END_TEST

START_TEST(test_state_machine)
{
	struct wg_message_handshake_initiation init;
	struct wg_message_handshake_response r;
	struct wg_noise_static_identity none;
	struct wg_noise_keypair kp;
	uint8_t eph[32], ts[12];

	pair(NULL, NULL);
	det(eph, 80);
	timestamp(ts, 1000);
	/* Nothing to respond to, no session to begin. */
	ck_assert_int_eq(wg_noise_create_response(&resp.peer[0], &r, 1, eph), -1);
	ck_assert_int_eq(wg_noise_begin_session(&resp.peer[0], &kp, T0), -1);
	ck_assert_int_eq(wg_noise_begin_session(&ini.peer[0], &kp, T0), -1);
	/* A response to an index we did not use. */
	make_initiation(&init, 1000, 81);
	ck_assert_ptr_nonnull(consume(&init, T0));
	make_response(&r);
	r.receiver_index ^= 1;
	ck_assert_int_eq(wg_noise_consume_response(&ini.peer[0], &r, &ini.id, T0), -1);
	/* The initiator cannot begin before the response. */
	ck_assert_int_eq(wg_noise_begin_session(&ini.peer[0], &kp, T0), -1);
	/* Without an identity nothing is made or accepted. */
	wg_noise_static_identity_init(&none);
	ini.peer[0].identity = &none;
	ck_assert_int_eq(wg_noise_create_initiation(&ini.peer[0], &init, 1, eph, ts), -1);
	ck_assert_ptr_null(wg_noise_consume_initiation(&init, &none, lookup, &resp, T0));
	/* An initiation from a key the responder does not know. */
	identity(&ini, 9);
	add_peer(&ini, resp.id.static_public, NULL);
	make_initiation(&init, 2000, 82);
	ck_assert_ptr_null(consume(&init, T0 + 10000));
}
END_TEST

START_TEST(test_tai64n)
{
	static const struct {
		int64_t sec;
		long nsec;
		const char *hex;
	} cases[] = {
		/* 0 */ { 0, 0, "400000000000000a00000000" },
		/* 1 */ { 1, 16777215, "400000000000000b00000000" },
		/* 2 */ { 1, 16777216, "400000000000000b01000000" },
		/* 3 */ { 1700000000, 999999999, "400000006553f10a3b000000" },
		/* 4 */ { 0x123456789, 500000000, "40000001234567931d000000" },
	};
	uint8_t prev[12], cur[12];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		wg_noise_tai64n(cur, cases[i].sec, cases[i].nsec);
		assert_hex(cur, 12, cases[i].hex);
	}
	/* Monotonic: byte order is time order, over a second in 1 ms steps and across seconds. */
	wg_noise_tai64n(prev, 1700000000, 0);
	for (long ms = 1; ms < 3000; ms++) {
		wg_noise_tai64n(cur, 1700000000 + ms / 1000, (ms % 1000) * 1000000);
		ck_assert_int_le(memcmp(prev, cur, 12), 0);
		memcpy(prev, cur, 12);
	}
	/* Coarse enough to hide fine timing, fine enough for INITIATIONS_PER_SECOND. */
	wg_noise_tai64n(prev, 5, 0);
	wg_noise_tai64n(cur, 5, 1000000000 / INITIATIONS_PER_SECOND);
	ck_assert_int_lt(memcmp(prev, cur, 12), 0);
	wg_noise_tai64n(cur, 5, 16000000);
	ck_assert_int_eq(memcmp(prev, cur, 12), 0);
}
END_TEST

/* ---- mac1, mac2, cookies ---- */

static struct wg_cookie_checker checker;
static struct wg_cookie sender;
static uint8_t responder_pub[32];
static unsigned int random_calls;

/* A new value each call, so a renewed secret differs from the old one. */
static void test_random(void *ctx, uint8_t *out, size_t len)
{
	uint8_t seed[randombytes_SEEDBYTES] = { 0xc0 };

	(void)ctx;
	memcpy(seed + 1, &random_calls, sizeof(random_calls));
	random_calls++;
	randombytes_buf_deterministic(out, len, seed);
}

static void cookie_setup(void)
{
	uint8_t priv[32];

	setup();
	random_calls = 0;
	det(priv, 2);
	wg_crypto_clamp(priv);
	wg_crypto_public_key(responder_pub, priv);
	wg_cookie_checker_setup(&checker, test_random, NULL);
	wg_cookie_checker_init(&checker, responder_pub);
	wg_cookie_init(&sender, responder_pub);
}

static void addr4(union kgw_sockaddr *sa, const char *ip, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->in.sin_family = AF_INET;
	sa->in.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sa->in.sin_addr), 1);
}

static void addr6(union kgw_sockaddr *sa, const char *ip, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->in6.sin6_family = AF_INET6;
	sa->in6.sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &sa->in6.sin6_addr), 1);
}

/* A handshake-sized message with arbitrary content, macs added by `sender'. */
static void message(struct wg_message_handshake_initiation *m, uint8_t fill, uint64_t now)
{
	memset(m, fill, sizeof(*m));
	wg_cookie_add_mac_to_packet(&sender, m, sizeof(*m), now);
}

static enum wg_cookie_mac_state validate(const void *m, size_t len, const union kgw_sockaddr *src,
					 bool under_load, uint64_t now)
{
	return wg_cookie_validate_packet(&checker, m, len, src, under_load, now);
}

START_TEST(test_mac1)
{
	struct wg_message_handshake_initiation m;
	struct wg_message_handshake_response r;
	struct wg_cookie_checker other;
	union kgw_sockaddr src;
	uint8_t other_pub[32];

	addr4(&src, "192.0.2.1", 1000);
	message(&m, 0x42, T0);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, false, T0), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	/* No cookie yet: mac2 is zero. */
	ck_assert_mem_eq(m.macs.mac2, (uint8_t[16]){ 0 }, 16);
	/* mac1 is keyed by the receiver's public key. */
	det(other_pub, 3);
	wg_cookie_checker_setup(&other, test_random, NULL);
	wg_cookie_checker_init(&other, other_pub);
	ck_assert_int_eq(wg_cookie_validate_packet(&other, &m, sizeof(m), &src, false, T0),
			 WG_COOKIE_INVALID_MAC);
	m.macs.mac1[15] ^= 0x80;
	ck_assert_int_eq(validate(&m, sizeof(m), &src, false, T0), WG_COOKIE_INVALID_MAC);
	/* A response-sized message: the macs sit at its end. */
	memset(&r, 0x24, sizeof(r));
	wg_cookie_add_mac_to_packet(&sender, &r, sizeof(r), T0);
	ck_assert_int_eq(validate(&r, sizeof(r), &src, false, T0), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	ck_assert_int_eq(validate(&r, sizeof(r) - 1, &src, false, T0), WG_COOKIE_INVALID_MAC);
	/* mac2 is not looked at when we are not under load. */
	r.macs.mac2[0] ^= 1;
	ck_assert_int_eq(validate(&r, sizeof(r), &src, false, T0), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	wg_cookie_checker_wipe(&other);
}
END_TEST

/* mac1 covers every byte before it, the type and sender index included. */
START_TEST(test_mac1_covers_every_byte)
{
	struct wg_message_handshake_initiation m, bad;
	union kgw_sockaddr src;

	addr4(&src, "192.0.2.1", 1000);
	message(&m, 0x17, T0);
	for (size_t i = 0; i < offsetof(struct wg_message_handshake_initiation, macs.mac2); i++) {
		bad = m;
		((uint8_t *)&bad)[i] ^= 0x01;
		ck_assert_msg(validate(&bad, sizeof(bad), &src, false, T0) == WG_COOKIE_INVALID_MAC,
			      "byte %zu not covered", i);
	}
}
END_TEST

START_TEST(test_under_load_without_cookie)
{
	struct wg_message_handshake_initiation m;
	union kgw_sockaddr src;

	addr4(&src, "192.0.2.1", 1000);
	message(&m, 0x42, T0);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	/* A made-up mac2 is no cookie either. */
	memset(m.macs.mac2, 0x5a, 16);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	/* An invalid mac1 stays invalid under load. */
	m.macs.mac1[0] ^= 1;
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0), WG_COOKIE_INVALID_MAC);
}
END_TEST

/* The responder's reply to `m' from `src', consumed by the sender. */
static void get_cookie(const struct wg_message_handshake_initiation *m, const union kgw_sockaddr *src,
		       uint64_t now)
{
	struct wg_message_handshake_cookie reply;
	uint8_t nonce[WG_COOKIE_NONCE_LEN];

	memset(nonce, 0x33, sizeof(nonce));
	wg_cookie_message_create(&checker, &reply, m, sizeof(*m), 0xabcdef01, src, nonce, now);
	ck_assert_mem_eq(&reply, "\x03\x00\x00\x00\x01\xef\xcd\xab", 8);
	ck_assert_mem_eq(reply.nonce, nonce, sizeof(nonce));
	ck_assert_int_eq(wg_cookie_message_consume(&sender, &reply, now), 0);
	ck_assert(sender.cookie_valid);
}

/* _i = 0: IPv4, 1: IPv6. The cookie binds the source address and port. */
START_TEST(test_cookie_binds_source)
{
	struct wg_message_handshake_initiation m;
	union kgw_sockaddr src, other_addr, other_port;

	if (_i == 0) {
		addr4(&src, "192.0.2.1", 1000);
		addr4(&other_addr, "192.0.2.2", 1000);
		addr4(&other_port, "192.0.2.1", 1001);
	} else {
		addr6(&src, "2001:db8::1", 1000);
		addr6(&other_addr, "2001:db8::2", 1000);
		addr6(&other_port, "2001:db8::1", 1001);
	}
	message(&m, 0x42, T0);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	get_cookie(&m, &src, T0);
	/* The next message carries mac2 made with the cookie. */
	message(&m, 0x43, T0 + 10);
	ck_assert_mem_ne(m.macs.mac2, (uint8_t[16]){ 0 }, 16);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0 + 10), WG_COOKIE_VALID_MAC_WITH_COOKIE);
	ck_assert_int_eq(validate(&m, sizeof(m), &other_addr, true, T0 + 10),
			 WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	ck_assert_int_eq(validate(&m, sizeof(m), &other_port, true, T0 + 10),
			 WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	/* mac2 covers mac1 and everything before it. */
	m.sender_index ^= 1;
	wg_blake2s_mac(m.macs.mac1, sender.mac1_key, 32, &m, offsetof(struct wg_message_handshake_initiation, macs));
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0 + 10), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	/* One secret for the checker, drawn once. */
	ck_assert_uint_eq(random_calls, 1);
}
END_TEST

/* A reply is accepted only for the latest message we sent, and only once. */
START_TEST(test_cookie_reply_rules)
{
	struct wg_message_handshake_initiation m1, m2;
	struct wg_message_handshake_cookie reply, bad;
	union kgw_sockaddr src;
	uint8_t nonce[WG_COOKIE_NONCE_LEN] = { 1 };
	struct wg_cookie fresh;

	addr4(&src, "192.0.2.1", 1000);
	/* Nothing sent yet: nothing to accept. */
	message(&m1, 0x01, T0);
	wg_cookie_message_create(&checker, &reply, &m1, sizeof(m1), 7, &src, nonce, T0);
	wg_cookie_init(&fresh, responder_pub);
	ck_assert_int_eq(wg_cookie_message_consume(&fresh, &reply, T0), -1);
	/* A reply to m1 after we sent m2: its AD (m1's mac1) does not match. */
	message(&m2, 0x02, T0);
	ck_assert_int_eq(wg_cookie_message_consume(&sender, &reply, T0), -1);
	ck_assert(!sender.cookie_valid);
	/* Tampered replies. */
	wg_cookie_message_create(&checker, &reply, &m2, sizeof(m2), 7, &src, nonce, T0);
	for (size_t i = offsetof(struct wg_message_handshake_cookie, nonce); i < sizeof(reply); i++) {
		bad = reply;
		((uint8_t *)&bad)[i] ^= 0x04;
		ck_assert_msg(wg_cookie_message_consume(&sender, &bad, T0) == -1, "byte %zu", i);
	}
	ck_assert(!sender.cookie_valid);
	/* The right one, once; a second copy is refused. */
	ck_assert_int_eq(wg_cookie_message_consume(&sender, &reply, T0), 0);
	ck_assert_int_eq(wg_cookie_message_consume(&sender, &reply, T0), -1);
	/* A reply made with another responder's cookie key. */
	{
		struct wg_cookie_checker other;
		uint8_t other_pub[32];

		det(other_pub, 4);
		wg_cookie_checker_setup(&other, test_random, NULL);
		wg_cookie_checker_init(&other, other_pub);
		message(&m1, 0x03, T0);
		wg_cookie_message_create(&other, &reply, &m1, sizeof(m1), 7, &src, nonce, T0);
		ck_assert_int_eq(wg_cookie_message_consume(&sender, &reply, T0), -1);
		wg_cookie_checker_wipe(&other);
	}
}
END_TEST

/* The sender stops using a cookie COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY after getting it. */
START_TEST(test_cookie_expires_at_sender)
{
	struct wg_message_handshake_initiation m;
	union kgw_sockaddr src;
	const uint64_t life = (COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY) * 1000ULL;

	addr4(&src, "192.0.2.1", 1000);
	message(&m, 0x01, T0);
	get_cookie(&m, &src, T0);
	message(&m, 0x02, T0 + life - 1);
	ck_assert_mem_ne(m.macs.mac2, (uint8_t[16]){ 0 }, 16);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0 + life - 1), WG_COOKIE_VALID_MAC_WITH_COOKIE);
	message(&m, 0x03, T0 + life);
	ck_assert_mem_eq(m.macs.mac2, (uint8_t[16]){ 0 }, 16);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0 + life), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
}
END_TEST

/* The checker renews its secret after COOKIE_SECRET_MAX_AGE: old cookies then fail. */
START_TEST(test_cookie_secret_rotates)
{
	struct wg_message_handshake_initiation m;
	union kgw_sockaddr src;
	const uint64_t age = COOKIE_SECRET_MAX_AGE * 1000ULL;

	addr4(&src, "192.0.2.1", 1000);
	message(&m, 0x01, T0);
	get_cookie(&m, &src, T0);	/* the secret is born at T0 */
	ck_assert_uint_eq(random_calls, 1);
	message(&m, 0x02, T0 + 1000);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0 + age - 1), WG_COOKIE_VALID_MAC_WITH_COOKIE);
	ck_assert_uint_eq(random_calls, 1);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0 + age), WG_COOKIE_VALID_MAC_BUT_NO_COOKIE);
	ck_assert_uint_eq(random_calls, 2);
	/* A fresh cookie under the new secret works again. */
	get_cookie(&m, &src, T0 + age);
	message(&m, 0x03, T0 + age + 1);
	ck_assert_int_eq(validate(&m, sizeof(m), &src, true, T0 + age + 1), WG_COOKIE_VALID_MAC_WITH_COOKIE);
}
END_TEST

static Suite *noise_suite(void)
{
	Suite *s = suite_create("noise");
	TCase *tc = tcase_create("crypto");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_blake2s_kat);
	tcase_add_loop_test(tc, test_hmac_kat, 0, ARRAY_SIZE(hmac_kat));
	tcase_add_test(tc, test_hmac_definition);
	tcase_add_test(tc, test_blake2s_mac_kat);
	tcase_add_test(tc, test_kdf);
	tcase_add_test(tc, test_aead_both_implementations);
	tcase_add_test(tc, test_xaead);
	tcase_add_loop_test(tc, test_dh_low_order, 0, ARRAY_SIZE(low_order));
	tcase_add_test(tc, test_dh_agrees);
	suite_add_tcase(s, tc);

	tc = tcase_create("handshake");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_handshake_no_psk);
	tcase_add_test(tc, test_handshake_psk);
	tcase_add_loop_test(tc, test_psk_mismatch, 0, 3);
	tcase_add_test(tc, test_psk_set_later);
	tcase_add_test(tc, test_initiation_follows_the_paper);
	tcase_add_test(tc, test_initiation_tampered);
	tcase_add_test(tc, test_response_tampered);
	tcase_add_loop_test(tc, test_low_order_ephemeral_initiation, 0, ARRAY_SIZE(low_order));
	tcase_add_loop_test(tc, test_low_order_ephemeral_response, 0, ARRAY_SIZE(low_order));
	tcase_add_loop_test(tc, test_low_order_peer_key, 0, ARRAY_SIZE(low_order));
	tcase_add_test(tc, test_timestamp_replay);
	tcase_add_test(tc, test_initiation_flood);
	tcase_add_test(tc, test_state_machine);
	tcase_add_test(tc, test_tai64n);
	suite_add_tcase(s, tc);

	tc = tcase_create("cookie");
	tcase_add_checked_fixture(tc, cookie_setup, teardown);
	tcase_add_test(tc, test_mac1);
	tcase_add_test(tc, test_mac1_covers_every_byte);
	tcase_add_test(tc, test_under_load_without_cookie);
	tcase_add_loop_test(tc, test_cookie_binds_source, 0, 2);
	tcase_add_test(tc, test_cookie_reply_rules);
	tcase_add_test(tc, test_cookie_expires_at_sender);
	tcase_add_test(tc, test_cookie_secret_rotates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(noise_suite());
}
