/* SPDX-License-Identifier: MIT */
/*
 * The receive path: every datagram from the UDP sockets comes here.
 * Anything malformed, unauthenticated, replayed or not allowed is dropped
 * silently (the protocol gives no error messages) and counted; nothing is
 * changed by a packet that fails authentication.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "wg_peer.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The exact size of each message type; data has a minimum instead. */
static bool size_ok(uint32_t type, size_t len)
{
	switch (type) {
	case MESSAGE_HANDSHAKE_INITIATION:
		return len == sizeof(struct wg_message_handshake_initiation);
	case MESSAGE_HANDSHAKE_RESPONSE:
		return len == sizeof(struct wg_message_handshake_response);
	case MESSAGE_HANDSHAKE_COOKIE:
		return len == sizeof(struct wg_message_handshake_cookie);
	case MESSAGE_DATA:
		return len >= WG_DATA_OVERHEAD;
	default:
		return false;
	}
}

static void send_cookie(struct wg_device *dev, const union kgw_sockaddr *src,
			const uint8_t *msg, size_t len, uint32_t sender_index, uint64_t now_ms)
{
	struct wg_message_handshake_cookie reply;
	uint8_t nonce[WG_COOKIE_NONCE_LEN];

	dev->ops->random(dev->ctx, nonce, sizeof(nonce));
	wg_cookie_message_create(&dev->cookie_checker, &reply, msg, len, sender_index, src, nonce, now_ms);
	dev->ops->send_udp(dev->ctx, src, (const uint8_t *)&reply, sizeof(reply));
	dev->stats.rx_cookie_sent++;
}

/*
 * mac1 always; under load also mac2 (else we answer with a cookie, unless
 * the source has grace: wg_ratelimiter.h) and the per-source rate limit,
 * which cookie replies count against too: a flood's sources get their
 * burst of cookies, then silence, and the time a reply would take goes
 * to reading the socket, where a peer's initiation waits among the
 * flood's (the kernel likewise drops over-rate sources before any
 * crypto once its handshake queue is half full).
 * Returns true when the message may be processed.
 */
static bool handshake_admitted(struct wg_device *dev, const union kgw_sockaddr *src,
			       const uint8_t *msg, size_t len, uint32_t sender_index, uint64_t now_ms)
{
	enum wg_cookie_mac_state state;
	const uint8_t *addr = src->sa.sa_family == AF_INET ? (const uint8_t *)&src->in.sin_addr
							   : (const uint8_t *)&src->in6.sin6_addr;

	state = wg_cookie_validate_packet(&dev->cookie_checker, msg, len, src, dev->under_load, now_ms);
	if (state == WG_COOKIE_INVALID_MAC) {
		dev->stats.rx_bad_mac++;
		return false;
	}
	if (!dev->under_load)
		return true;
	if (state == WG_COOKIE_VALID_MAC_BUT_NO_COOKIE) {
		if (wg_ratelimiter_grace(&dev->ratelimiter, src->sa.sa_family, addr,
					 now_ms * 1000000ULL)) {
			dev->stats.rx_graced++;
			return true;
		}
		if (wg_ratelimiter_allow(&dev->ratelimiter, src->sa.sa_family, addr, now_ms * 1000000ULL))
			send_cookie(dev, src, msg, len, sender_index, now_ms);
		else
			dev->stats.rx_ratelimited++;
		return false;
	}
	if (!wg_ratelimiter_allow(&dev->ratelimiter, src->sa.sa_family, addr, now_ms * 1000000ULL)) {
		dev->stats.rx_ratelimited++;
		return false;
	}
	return true;
}

/* Noise asks us for the handshake state of the peer with this static key. */
static struct wg_noise_handshake *lookup_handshake(void *ctx, const uint8_t key[WG_KEY_LEN])
{
	struct wg_peer *peer = wg_device_peer_by_key(ctx, key);

	return peer ? peer->handshake : NULL;
}

static struct wg_keypair *keypair_new(struct wg_device *dev)
{
	struct wg_keypair *kp = calloc(1, sizeof(*kp));

	if (!kp || !(kp->kp = kgw_secmem_alloc(&dev->keypair_secrets))) {
		free(kp);
		return NULL;
	}
	wg_replay_init(&kp->replay);
	return kp;
}

/* The derived session's keys go into a fresh keypair, indexed by our index. */
static struct wg_keypair *derive_keypair(struct wg_peer *peer, uint64_t now_ms)
{
	struct wg_device *dev = peer->dev;
	struct wg_keypair *kp = keypair_new(dev);

	if (!kp)
		return NULL;
	if (wg_noise_begin_session(peer->handshake, kp->kp, now_ms)) {
		wg_keypair_free(dev, kp);
		return NULL;
	}
	/* The keypair takes over the handshake's index. */
	wg_index_del(dev, &peer->handshake_entry);
	kp->entry.index = kp->kp->local_index;
	kp->entry.type = WG_INDEX_KEYPAIR;
	kp->entry.peer = peer;
	kp->entry.keypair = kp;
	kp->entry.live = true;
	kgw_htable_insert(&dev->indices, &kp->entry.node,
			  wg_device_key_hash(dev, (const uint8_t *)&kp->entry.index, sizeof(uint32_t)));
	peer->dev->ops->realtime(peer->dev->ctx, &peer->last_handshake);
	dev->stats.handshakes_completed++;
	return kp;
}

static void receive_initiation(struct wg_device *dev, const union kgw_sockaddr *src,
			       uint8_t *buf, size_t len, uint64_t now_ms)
{
	const struct wg_message_handshake_initiation *msg = (const void *)buf;
	struct wg_message_handshake_response resp;
	struct wg_noise_handshake *hs;
	struct wg_keypair *kp;
	struct wg_peer *peer;
	uint8_t eph[WG_KEY_LEN];

	if (!handshake_admitted(dev, src, buf, len, le32((const uint8_t *)&msg->sender_index), now_ms))
		return;
	hs = wg_noise_consume_initiation(msg, &dev->identity, lookup_handshake, dev, now_ms);
	if (!hs) {
		dev->stats.rx_bad_handshake++;
		return;
	}
	peer = kgw_container_of(hs, struct wg_peer_secret, handshake)->peer;
	wg_peer_set_endpoint(peer, src);
	if (wg_index_add(dev, &peer->handshake_entry, WG_INDEX_HANDSHAKE, peer, NULL))
		return;
	dev->ops->random(dev->ctx, eph, sizeof(eph));
	if (wg_noise_create_response(peer->handshake, &resp, peer->handshake_entry.index, eph)) {
		sodium_memzero(eph, sizeof(eph));
		return;
	}
	sodium_memzero(eph, sizeof(eph));
	wg_cookie_add_mac_to_packet(&peer->cookie, &resp, sizeof(resp), now_ms);
	/* The responder's keypair waits in `next' until the initiator's first data confirms it. */
	kp = derive_keypair(peer, now_ms);
	if (kp) {
		wg_keypair_free(dev, peer->kp_next);
		peer->kp_next = kp;
		wg_timers_session_derived(&peer->timers, now_ms);
	}
	dev->ops->send_udp(dev->ctx, &peer->endpoint, (const uint8_t *)&resp, sizeof(resp));
	wg_timers_any_authenticated_packet_received(&peer->timers, now_ms);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now_ms);
	wg_timers_any_authenticated_packet_sent(&peer->timers, now_ms);
	wg_peer_timers_changed(peer);
}

static void receive_response(struct wg_device *dev, const union kgw_sockaddr *src,
			     uint8_t *buf, size_t len, uint64_t now_ms)
{
	const struct wg_message_handshake_response *msg = (const void *)buf;
	struct wg_index_entry *e;
	struct wg_keypair *kp;
	struct wg_peer *peer;

	if (!handshake_admitted(dev, src, buf, len, le32((const uint8_t *)&msg->sender_index), now_ms))
		return;
	e = wg_index_find(dev, le32((const uint8_t *)&msg->receiver_index), WG_INDEX_HANDSHAKE);
	if (!e) {
		dev->stats.rx_unknown_index++;
		return;
	}
	peer = e->peer;
	if (wg_noise_consume_response(peer->handshake, msg, &dev->identity, now_ms)) {
		dev->stats.rx_bad_handshake++;
		return;
	}
	wg_peer_set_endpoint(peer, src);
	kp = derive_keypair(peer, now_ms);
	if (!kp)
		return;
	/* Initiator: the new keypair is confirmed; rotate previous <- current <- new. */
	wg_keypair_free(dev, peer->kp_previous);
	peer->kp_previous = peer->kp_current;
	wg_keypair_free(dev, peer->kp_next);
	peer->kp_next = NULL;
	peer->kp_current = kp;
	wg_timers_handshake_complete(&peer->timers, now_ms);
	wg_timers_session_derived(&peer->timers, now_ms);
	wg_timers_any_authenticated_packet_received(&peer->timers, now_ms);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now_ms);
	peer->initiation_sent = false;
	/* Staged packets go now; with none, a keepalive confirms the session at once. */
	if (peer->staged)
		wg_send_staged(peer, now_ms);
	else
		wg_send_keepalive(peer, now_ms);
	wg_peer_timers_changed(peer);
}

static void receive_cookie(struct wg_device *dev, uint8_t *buf, uint64_t now_ms)
{
	const struct wg_message_handshake_cookie *msg = (const void *)buf;
	struct wg_index_entry *e;

	e = wg_index_find(dev, le32((const uint8_t *)&msg->receiver_index),
			  WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
	if (!e) {
		dev->stats.rx_unknown_index++;
		return;
	}
	if (wg_cookie_message_consume(&e->peer->cookie, msg, now_ms))
		dev->stats.rx_bad_auth++;
}

/* Is this the peer's `next' keypair? Then the initiator has confirmed it. */
static void confirm_keypair(struct wg_peer *peer, struct wg_keypair *kp, uint64_t now_ms)
{
	if (kp != peer->kp_next)
		return;
	wg_keypair_free(peer->dev, peer->kp_previous);
	peer->kp_previous = peer->kp_current;
	peer->kp_current = kp;
	peer->kp_next = NULL;
	wg_timers_handshake_complete(&peer->timers, now_ms);
	/* The responder's wait ends: anything staged can go now. */
	if (peer->staged)
		wg_send_staged(peer, now_ms);
}

/*
 * The IP header's own length (the rest is padding) and its source address.
 * Returns 0 when the packet is not a well-formed IPv4/IPv6 packet.
 */
static size_t ip_packet(const uint8_t *pkt, size_t len, sa_family_t *family, const uint8_t **src)
{
	size_t total;

	if (len >= 20 && (pkt[0] >> 4) == 4) {
		total = (size_t)pkt[2] << 8 | pkt[3];
		*family = AF_INET;
		*src = pkt + 12;
	} else if (len >= 40 && (pkt[0] >> 4) == 6) {
		total = 40 + ((size_t)pkt[4] << 8 | pkt[5]);
		*family = AF_INET6;
		*src = pkt + 8;
	} else {
		return 0;
	}
	return total <= len && total >= (*family == AF_INET ? 20u : 40u) ? total : 0;
}

static void receive_data(struct wg_device *dev, const union kgw_sockaddr *src,
			 uint8_t *buf, size_t len, uint64_t now_ms)
{
	struct wg_index_entry *e = wg_index_find(dev, le32(buf + 4), WG_INDEX_KEYPAIR);
	uint64_t counter = le64(buf + 8);
	size_t plen = len - WG_DATA_OVERHEAD, ip_len;
	uint8_t *plain = buf + sizeof(struct wg_message_data);
	const uint8_t *ip_src;
	struct wg_keypair *kp;
	struct wg_peer *peer;
	sa_family_t family;

	if (!e) {
		dev->stats.rx_unknown_index++;
		return;
	}
	kp = e->keypair;
	peer = e->peer;
	if (wg_timers_keypair_expired(kp->kp->created_ms, now_ms) || counter >= REJECT_AFTER_MESSAGES ||
	    !wg_aead_decrypt(&kp->kp->recv, counter, plain, plain, plen + WG_AUTHTAG_LEN, NULL, 0)) {
		dev->stats.rx_bad_auth++;
		return;
	}
	/* Only after authentication: an attacker cannot move the window. */
	if (!wg_replay_check(&kp->replay, counter)) {
		dev->stats.rx_replay++;
		return;
	}
	confirm_keypair(peer, kp, now_ms);
	wg_peer_set_endpoint(peer, src);
	peer->rx_bytes += len;
	wg_timers_any_authenticated_packet_received(&peer->timers, now_ms);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now_ms);
	/* Keep the session fresh from the receiving side too (kernel: keep_key_fresh on rx). */
	if (peer->kp_current == kp && kp->kp->initiator &&
	    wg_timers_should_rekey_on_receive(kp->kp->initiator, kp->kp->created_ms, now_ms) &&
	    !peer->initiation_sent)
		wg_send_handshake_initiation(peer, now_ms, false);
	if (plen == 0)
		goto out;	/* a keepalive */
	wg_timers_data_received(&peer->timers, now_ms);
	ip_len = ip_packet(plain, plen, &family, &ip_src);
	if (!ip_len) {
		dev->stats.rx_bad_length++;
		goto out;
	}
	/* Cryptokey routing: the source must be one of this peer's allowed IPs. */
	if (wg_allowedips_lookup(&dev->allowedips, family, ip_src) != peer) {
		dev->stats.rx_bad_source++;
		goto out;
	}
	if (dev->ops->allow_rx && !dev->ops->allow_rx(dev->ctx, peer, plain, ip_len)) {
		dev->stats.rx_policy++;
		peer->policy_drops++;
		goto out;
	}
	dev->ops->write_tun(dev->ctx, plain, ip_len);
out:
	wg_peer_timers_changed(peer);
}

void wg_device_receive(struct wg_device *dev, const union kgw_sockaddr *src,
		       uint8_t *buf, size_t len, uint64_t now_ms)
{
	uint32_t type;

	if (len < sizeof(struct wg_message_header)) {
		dev->stats.rx_bad_length++;
		return;
	}
	/* The type is one byte followed by three zero bytes: read it whole. */
	type = le32(buf);
	if (!size_ok(type, len)) {
		if (type >= MESSAGE_HANDSHAKE_INITIATION && type <= MESSAGE_DATA)
			dev->stats.rx_bad_length++;
		else
			dev->stats.rx_bad_type++;
		return;
	}
	if (!dev->identity.has_identity)
		return;
	switch (type) {
	case MESSAGE_HANDSHAKE_INITIATION:
		receive_initiation(dev, src, buf, len, now_ms);
		break;
	case MESSAGE_HANDSHAKE_RESPONSE:
		receive_response(dev, src, buf, len, now_ms);
		break;
	case MESSAGE_HANDSHAKE_COOKIE:
		receive_cookie(dev, buf, now_ms);
		break;
	case MESSAGE_DATA:
		receive_data(dev, src, buf, len, now_ms);
		break;
	}
}
