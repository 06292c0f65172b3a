/* SPDX-License-Identifier: MIT */
/*
 * Applying configuration to the device: a parsed and fully validated UAPI
 * `set' transaction (wg_uapi.c), and the snapshot `get' answers with.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "wg_crypto.h"
#include "wg_peer.h"
#include "wg_uapi.h"

static const uint8_t zero_key[WG_KEY_LEN];

void wg_device_set_private_key(struct wg_device *dev, const uint8_t key[static WG_KEY_LEN])
{
	uint8_t pub[WG_KEY_LEN];
	struct wg_peer *p, *next;

	if (dev->identity.has_identity && !sodium_memcmp(dev->identity.static_private, key, WG_KEY_LEN))
		return;
	if (!sodium_memcmp(key, zero_key, WG_KEY_LEN)) {
		wg_noise_static_identity_clear(&dev->identity);
	} else {
		wg_crypto_public_key(pub, key);
		/* A peer with our own public key would be us: drop it, as the kernel does. */
		p = wg_device_peer_by_key(dev, pub);
		if (p)
			wg_device_remove_peer(dev, p);
		wg_noise_static_identity_set(&dev->identity, key);
		wg_cookie_checker_init(&dev->cookie_checker, pub);
		sodium_memzero(pub, sizeof(pub));
	}
	/* Every session was made with the old key: start over. */
	for (p = dev->peer_list; p; p = next) {
		next = p->next;
		wg_peer_keypairs_clear(p);
		wg_noise_handshake_clear(p->handshake);
		wg_noise_precompute_static_static(p->handshake);
		wg_index_del(dev, &p->handshake_entry);
		p->initiation_sent = false;
	}
}

static int apply_peer(struct wg_device *dev, const struct wg_uapi_peer *op, uint64_t now_ms)
{
	struct wg_peer *peer = wg_device_peer_by_key(dev, op->public_key);
	uint8_t own[WG_KEY_LEN];

	if (op->remove) {
		if (peer)
			wg_device_remove_peer(dev, peer);
		return 0;
	}
	if (!peer) {
		if (op->update_only)
			return 0;
		if (dev->identity.has_identity) {
			wg_crypto_public_key(own, dev->identity.static_private);
			if (!sodium_memcmp(own, op->public_key, WG_KEY_LEN))
				return 0;	/* ourselves: ignored, as the kernel does */
		}
		peer = wg_device_add_peer(dev, op->public_key);
		if (!peer)
			return -ENOMEM;
	}
	if (op->has_psk)
		wg_peer_set_preshared_key(peer, op->psk);
	if (op->has_endpoint)
		wg_peer_set_endpoint(peer, &op->endpoint);
	if (op->replace_allowed_ips)
		wg_allowedips_remove_by_peer(&dev->allowedips, peer);
	for (size_t i = 0; i < op->n_allowed_ips; i++) {
		int ret = wg_device_peer_allow(dev, peer, &op->allowed_ips[i]);

		if (ret)
			return ret;
	}
	if (op->has_keepalive)
		wg_peer_set_keepalive(peer, op->keepalive, now_ms);
	return 0;
}

int wg_device_peer_allow(struct wg_device *dev, struct wg_peer *peer, const struct kgw_cidr *cidr)
{
	return wg_allowedips_insert(&dev->allowedips, cidr, peer);
}

void wg_peer_set_preshared_key(struct wg_peer *peer, const uint8_t psk[static WG_KEY_LEN])
{
	wg_noise_handshake_set_preshared_key(peer->handshake, psk);
}

void wg_peer_set_keepalive(struct wg_peer *peer, uint16_t interval, uint64_t now_ms)
{
	if (interval == peer->persistent_keepalive)
		return;
	peer->persistent_keepalive = interval;
	wg_timers_persistent_keepalive_changed(&peer->timers, interval, now_ms);
	/* A new interval takes effect now: send one right away (kernel behaviour). */
	if (interval && peer->endpoint.sa.sa_family)
		wg_send_keepalive(peer, now_ms);
	wg_peer_timers_changed(peer);
}

/*
 * The transaction was validated whole by the parser, so the only failure
 * left here is running out of memory part-way.
 */
int wg_device_apply(struct wg_device *dev, const struct wg_uapi_set *set, uint64_t now_ms)
{
	int ret;

	if (set->has_private_key)
		wg_device_set_private_key(dev, set->private_key);
	if (set->has_listen_port)
		dev->listen_port = set->listen_port;
	if (set->has_fwmark)
		dev->fwmark = set->fwmark;
	if (set->replace_peers) {
		while (dev->peer_list)
			wg_device_remove_peer(dev, dev->peer_list);
	}
	for (size_t i = 0; i < set->n_peers; i++) {
		if ((ret = apply_peer(dev, &set->peers[i], now_ms)))
			return ret;
	}
	return 0;
}

static int add_allowed(void *ctx, const struct kgw_cidr *cidr)
{
	return wg_uapi_peer_info_add_allowed_ip(ctx, cidr);
}

int wg_device_info(struct wg_device *dev, struct wg_uapi_device_info *info)
{
	struct wg_uapi_peer_info *pi;
	struct wg_peer *p;
	size_t i = 0;

	memset(info, 0, sizeof(*info));
	info->has_private_key = dev->identity.has_identity;
	if (info->has_private_key)
		memcpy(info->private_key, dev->identity.static_private, WG_KEY_LEN);
	info->listen_port = dev->bound_port ? dev->bound_port : dev->listen_port;
	info->fwmark = dev->fwmark;
	if (dev->npeers && !(info->peers = calloc(dev->npeers, sizeof(*info->peers))))
		goto nomem;
	/* Oldest first, as `wg show' lists them. */
	for (p = dev->peer_list; p && p->next; p = p->next)
		;
	for (; p; p = p->prev, i++) {
		pi = &info->peers[i];
		info->n_peers = i + 1;
		memcpy(pi->public_key, p->public_key, WG_KEY_LEN);
		pi->has_psk = !!sodium_memcmp(p->handshake->preshared_key, zero_key, WG_KEY_LEN);
		if (pi->has_psk)
			memcpy(pi->psk, p->handshake->preshared_key, WG_KEY_LEN);
		pi->endpoint = p->endpoint;
		pi->last_handshake = p->last_handshake;
		pi->rx_bytes = p->rx_bytes;
		pi->tx_bytes = p->tx_bytes;
		pi->keepalive = p->persistent_keepalive;
		if (wg_allowedips_for_each(&dev->allowedips, p, add_allowed, pi))
			goto nomem;
	}
	return 0;
nomem:
	wg_uapi_device_info_free(info);
	return -ENOMEM;
}
