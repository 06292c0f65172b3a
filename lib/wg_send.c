/* SPDX-License-Identifier: MIT */
/*
 * The send path: IP packets from the TUN device are routed to a peer by
 * their destination (cryptokey routing), padded, encrypted in place and
 * sent; without a usable session they are staged while a handshake runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wg_peer.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

bool wg_keypair_usable_for_send(const struct wg_keypair *kp, uint64_t now_ms)
{
	return kp && !wg_timers_keypair_expired(kp->kp->created_ms, now_ms) &&
	       kp->send_counter < REJECT_AFTER_MESSAGES;
}

void wg_send_handshake_initiation(struct wg_peer *peer, uint64_t now_ms, bool is_retry)
{
	struct wg_device *dev = peer->dev;
	struct wg_message_handshake_initiation msg;
	uint8_t eph[WG_KEY_LEN], tai[WG_TIMESTAMP_LEN];
	struct timespec now_real;
	uint32_t jitter;

	if (!dev->identity.has_identity || !peer->endpoint.sa.sa_family)
		return;
	/* At most one initiation per REKEY_TIMEOUT, except the timer's own retries. */
	if (!is_retry && peer->initiation_sent &&
	    now_ms < peer->last_initiation_sent_ms + REKEY_TIMEOUT * 1000ULL)
		return;
	if (wg_index_add(dev, &peer->handshake_entry, WG_INDEX_HANDSHAKE, peer, NULL))
		return;
	dev->ops->random(dev->ctx, eph, sizeof(eph));
	dev->ops->realtime(dev->ctx, &now_real);
	wg_noise_tai64n(tai, now_real.tv_sec, now_real.tv_nsec);
	if (wg_noise_create_initiation(peer->handshake, &msg, peer->handshake_entry.index, eph, tai)) {
		sodium_memzero(eph, sizeof(eph));
		wg_index_del(dev, &peer->handshake_entry);
		return;
	}
	sodium_memzero(eph, sizeof(eph));
	wg_cookie_add_mac_to_packet(&peer->cookie, &msg, sizeof(msg), now_ms);
	peer->initiation_sent = true;
	peer->last_initiation_sent_ms = now_ms;
	dev->ops->send_udp(dev->ctx, &peer->endpoint, (const uint8_t *)&msg, sizeof(msg));
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now_ms);
	wg_timers_any_authenticated_packet_sent(&peer->timers, now_ms);
	dev->ops->random(dev->ctx, (uint8_t *)&jitter, sizeof(jitter));
	wg_timers_reseed(&peer->timers, jitter);
	wg_timers_handshake_initiated(&peer->timers, now_ms, is_retry);
	wg_peer_timers_changed(peer);
}

/*
 * Encrypts the packet at buf + WG_DEVICE_HEADROOM (len bytes, tailroom
 * free after it) in place and sends it. len 0 is a keepalive.
 */
static void encrypt_and_send(struct wg_peer *peer, struct wg_keypair *kp, uint8_t *buf,
			     size_t len, uint64_t now_ms)
{
	struct wg_device *dev = peer->dev;
	uint8_t *plain = buf + WG_DEVICE_HEADROOM;
	size_t padded = (len + WG_MESSAGE_PADDING_MULTIPLE - 1) & ~(size_t)(WG_MESSAGE_PADDING_MULTIPLE - 1);
	uint64_t counter = kp->send_counter++;

	/* Pad to 16, but never past the MTU (the paper, 5.4.6; the kernel does the same). */
	if (len <= (size_t)dev->mtu && padded > (size_t)dev->mtu)
		padded = (size_t)dev->mtu;
	if (padded < len)
		padded = len;
	memset(plain + len, 0, padded - len);
	put_le32(buf, MESSAGE_DATA);
	put_le32(buf + 4, kp->kp->remote_index);
	put_le64(buf + 8, counter);
	if (!wg_aead_encrypt(&kp->kp->send, counter, plain, plain, padded, NULL, 0))
		return;
	dev->ops->send_udp(dev->ctx, &peer->endpoint, buf, WG_DEVICE_HEADROOM + padded + WG_AUTHTAG_LEN);
	peer->tx_bytes += WG_DEVICE_HEADROOM + padded + WG_AUTHTAG_LEN;
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now_ms);
	wg_timers_any_authenticated_packet_sent(&peer->timers, now_ms);
	if (len)
		wg_timers_data_sent(&peer->timers, now_ms);
}

/* After sending: start a new handshake when this session is getting old. */
static void keep_key_fresh(struct wg_peer *peer, const struct wg_keypair *kp, uint64_t now_ms)
{
	if (kp && wg_timers_should_rekey(kp->kp->initiator, kp->kp->created_ms, now_ms, kp->send_counter))
		wg_send_handshake_initiation(peer, now_ms, false);
}

static void stage(struct wg_peer *peer, const uint8_t *pkt, size_t len)
{
	struct wg_staged *q = peer->staged;
	unsigned int slot;
	uint8_t *copy;

	/* Staging allocates, but only while no session exists: not the hot path. */
	copy = malloc(WG_DEVICE_HEADROOM + len + WG_DEVICE_TAILROOM);
	if (!copy)
		return;
	/* The queue (1.3 KiB) exists only while packets wait, not for every idle peer. */
	if (!q && !(q = peer->staged = calloc(1, sizeof(*q)))) {
		free(copy);
		return;
	}
	memcpy(copy + WG_DEVICE_HEADROOM, pkt, len);
	if (q->count == WG_MAX_STAGED_PACKETS) {
		/* Full: the oldest packet makes room, as the kernel does. */
		free(q->buf[q->head]);
		q->head = (q->head + 1) % WG_MAX_STAGED_PACKETS;
		q->count--;
	}
	slot = (q->head + q->count) % WG_MAX_STAGED_PACKETS;
	q->buf[slot] = copy;
	q->len[slot] = (uint16_t)len;
	q->count++;
}

void wg_send_staged(struct wg_peer *peer, uint64_t now_ms)
{
	struct wg_staged *q = peer->staged;
	struct wg_keypair *kp = peer->kp_current;

	if (!wg_keypair_usable_for_send(kp, now_ms) || !peer->endpoint.sa.sa_family) {
		wg_send_handshake_initiation(peer, now_ms, false);
		return;
	}
	while (q && q->count) {
		uint8_t *b = q->buf[q->head];

		encrypt_and_send(peer, kp, b, q->len[q->head], now_ms);
		free(b);
		q->buf[q->head] = NULL;
		q->head = (q->head + 1) % WG_MAX_STAGED_PACKETS;
		q->count--;
	}
	wg_peer_staged_clear(peer);
	keep_key_fresh(peer, kp, now_ms);
	wg_peer_timers_changed(peer);
}

void wg_send_keepalive(struct wg_peer *peer, uint64_t now_ms)
{
	uint8_t buf[WG_DEVICE_HEADROOM + WG_DEVICE_TAILROOM];
	struct wg_keypair *kp = peer->kp_current;

	/* Staged data goes first and counts as the keepalive. */
	if (peer->staged) {
		wg_send_staged(peer, now_ms);
		return;
	}
	if (!wg_keypair_usable_for_send(kp, now_ms) || !peer->endpoint.sa.sa_family) {
		wg_send_handshake_initiation(peer, now_ms, false);
		return;
	}
	encrypt_and_send(peer, kp, buf, 0, now_ms);
	wg_peer_timers_changed(peer);
}

/* Where an IP packet is going: family and destination address. */
static bool ip_destination(const uint8_t *pkt, size_t len, sa_family_t *family, const uint8_t **dst)
{
	if (len >= 20 && (pkt[0] >> 4) == 4) {
		*family = AF_INET;
		*dst = pkt + 16;
		return true;
	}
	if (len >= 40 && (pkt[0] >> 4) == 6) {
		*family = AF_INET6;
		*dst = pkt + 24;
		return true;
	}
	return false;
}

void wg_device_send(struct wg_device *dev, uint8_t *buf, size_t len, uint64_t now_ms)
{
	const uint8_t *pkt = buf + WG_DEVICE_HEADROOM, *dst;
	struct wg_keypair *kp;
	struct wg_peer *peer;
	sa_family_t family;

	if (!ip_destination(pkt, len, &family, &dst) || len > 65535) {
		dev->stats.tx_no_route++;
		return;
	}
	peer = wg_allowedips_lookup(&dev->allowedips, family, dst);
	if (!peer) {
		dev->stats.tx_no_route++;
		return;
	}
	if (!peer->endpoint.sa.sa_family) {
		dev->stats.tx_no_endpoint++;
		return;
	}
	kp = peer->kp_current;
	if (!wg_keypair_usable_for_send(kp, now_ms) || peer->staged) {
		stage(peer, pkt, len);
		wg_send_staged(peer, now_ms);
		return;
	}
	encrypt_and_send(peer, kp, buf, len, now_ms);
	keep_key_fresh(peer, kp, now_ms);
	wg_peer_timers_changed(peer);
}
