/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <endian.h>
#include <string.h>

#include <sodium.h>

#include "wg_cookie.h"
#include "wg_crypto.h"

static void label_key(uint8_t out[WG_HASH_LEN], const char *label, const uint8_t pub[WG_KEY_LEN])
{
	wg_blake2s(out, label, strlen(label), pub, WG_KEY_LEN);
}

void wg_cookie_checker_setup(struct wg_cookie_checker *c, wg_cookie_random_fn random, void *ctx)
{
	sodium_memzero(c, sizeof(*c));
	c->random = random;
	c->random_ctx = ctx;
}

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[static WG_KEY_LEN])
{
	label_key(c->mac1_key, WG_LABEL_MAC1, our_public);
	label_key(c->cookie_key, WG_LABEL_COOKIE, our_public);
}

void wg_cookie_checker_wipe(struct wg_cookie_checker *c)
{
	sodium_memzero(c, sizeof(*c));
}

void wg_cookie_init(struct wg_cookie *cookie, const uint8_t peer_public[static WG_KEY_LEN])
{
	sodium_memzero(cookie, sizeof(*cookie));
	label_key(cookie->mac1_key, WG_LABEL_MAC1, peer_public);
	label_key(cookie->cookie_key, WG_LABEL_COOKIE, peer_public);
}

static bool older_than(uint64_t birth_ms, uint64_t now_ms, uint64_t age_s)
{
	return now_ms >= birth_ms + age_s * 1000;
}

/* tau = MAC(R_m, A_m): the source address and port, as they are in the sockaddr. */
static void make_cookie(struct wg_cookie_checker *c, uint8_t out[WG_COOKIE_LEN],
			const union kgw_sockaddr *src, uint64_t now_ms)
{
	uint8_t a[18];
	size_t alen;

	if (!c->secret_valid || older_than(c->secret_birth_ms, now_ms, COOKIE_SECRET_MAX_AGE)) {
		c->random(c->random_ctx, c->secret, sizeof(c->secret));
		c->secret_birth_ms = now_ms;
		c->secret_valid = true;
	}
	if (src->sa.sa_family == AF_INET6) {
		memcpy(a, &src->in6.sin6_addr, 16);
		memcpy(a + 16, &src->in6.sin6_port, 2);
		alen = 18;
	} else {
		memcpy(a, &src->in.sin_addr, 4);
		memcpy(a + 4, &src->in.sin_port, 2);
		alen = 6;
	}
	wg_blake2s_mac(out, c->secret, sizeof(c->secret), a, alen);
}

enum wg_cookie_mac_state wg_cookie_validate_packet(struct wg_cookie_checker *c, const void *msg,
						   size_t len, const union kgw_sockaddr *src,
						   bool check_cookie, uint64_t now_ms)
{
	const struct wg_message_macs *macs = (const void *)((const uint8_t *)msg + len - sizeof(*macs));
	uint8_t computed[WG_COOKIE_LEN], cookie[WG_COOKIE_LEN];
	enum wg_cookie_mac_state ret = WG_COOKIE_INVALID_MAC;

	wg_blake2s_mac(computed, c->mac1_key, sizeof(c->mac1_key), msg, len - sizeof(*macs));
	if (sodium_memcmp(computed, macs->mac1, WG_COOKIE_LEN))
		goto out;
	ret = WG_COOKIE_VALID_MAC_BUT_NO_COOKIE;
	if (!check_cookie)
		goto out;
	make_cookie(c, cookie, src, now_ms);
	wg_blake2s_mac(computed, cookie, sizeof(cookie), msg, len - sizeof(macs->mac2));
	if (!sodium_memcmp(computed, macs->mac2, WG_COOKIE_LEN))
		ret = WG_COOKIE_VALID_MAC_WITH_COOKIE;
out:
	sodium_memzero(cookie, sizeof(cookie));
	return ret;
}

void wg_cookie_message_create(struct wg_cookie_checker *c, struct wg_message_handshake_cookie *reply,
			      const void *msg, size_t len, uint32_t sender_index,
			      const union kgw_sockaddr *src, const uint8_t nonce[static WG_COOKIE_NONCE_LEN],
			      uint64_t now_ms)
{
	const struct wg_message_macs *macs = (const void *)((const uint8_t *)msg + len - sizeof(*macs));
	uint8_t cookie[WG_COOKIE_LEN];

	memset(reply, 0, sizeof(*reply));
	reply->header.type = htole32(MESSAGE_HANDSHAKE_COOKIE);
	reply->receiver_index = htole32(sender_index);
	memcpy(reply->nonce, nonce, WG_COOKIE_NONCE_LEN);
	make_cookie(c, cookie, src, now_ms);
	wg_xaead_seal(reply->encrypted_cookie, cookie, sizeof(cookie), macs->mac1, WG_COOKIE_LEN,
		      reply->nonce, c->cookie_key);
	sodium_memzero(cookie, sizeof(cookie));
}

int wg_cookie_message_consume(struct wg_cookie *cookie, const struct wg_message_handshake_cookie *reply,
			      uint64_t now_ms)
{
	uint8_t value[WG_COOKIE_LEN];

	if (!cookie->have_sent_mac1)
		return -1;
	if (!wg_xaead_open(value, reply->encrypted_cookie, sizeof(reply->encrypted_cookie),
			   cookie->last_mac1, WG_COOKIE_LEN, reply->nonce, cookie->cookie_key))
		return -1;
	memcpy(cookie->cookie, value, sizeof(value));
	cookie->cookie_birth_ms = now_ms;
	cookie->cookie_valid = true;
	/* One reply per message we sent: a second copy would be a replay. */
	cookie->have_sent_mac1 = false;
	sodium_memzero(value, sizeof(value));
	return 0;
}

void wg_cookie_add_mac_to_packet(struct wg_cookie *cookie, void *msg, size_t len, uint64_t now_ms)
{
	struct wg_message_macs *macs = (void *)((uint8_t *)msg + len - sizeof(*macs));

	wg_blake2s_mac(macs->mac1, cookie->mac1_key, sizeof(cookie->mac1_key), msg, len - sizeof(*macs));
	memcpy(cookie->last_mac1, macs->mac1, WG_COOKIE_LEN);
	cookie->have_sent_mac1 = true;
	/* A cookie is good for its secret's lifetime, less the time it took to reach us. */
	if (cookie->cookie_valid &&
	    !older_than(cookie->cookie_birth_ms, now_ms, COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY))
		wg_blake2s_mac(macs->mac2, cookie->cookie, WG_COOKIE_LEN, msg, len - sizeof(macs->mac2));
	else
		memset(macs->mac2, 0, WG_COOKIE_LEN);
}
