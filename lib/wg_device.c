/* SPDX-License-Identifier: MIT */
/*
 * The device: its identity, peers, the index table and configuration.
 * The packet paths are in wg_receive.c and wg_send.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "wg_peer.h"
#include "wg_uapi.h"

#define WG_DEFAULT_MTU 1420
#define WG_RATELIMITER_ENTRIES 8192

uint64_t wg_device_key_hash(const struct wg_device *dev, const uint8_t *key, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, key, len, dev->hash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}

/* ---- index table ---- */

static uint64_t index_hash(const struct wg_device *dev, uint32_t index)
{
	return wg_device_key_hash(dev, (const uint8_t *)&index, sizeof(index));
}

struct wg_index_entry *wg_index_find(struct wg_device *dev, uint32_t index, unsigned int types)
{
	uint64_t h = index_hash(dev, index);
	struct kgw_hnode *pos;

	kgw_htable_for_each_hash(&dev->indices, pos, h) {
		struct wg_index_entry *e = kgw_container_of(pos, struct wg_index_entry, node);

		if (e->index == index && (e->type & types))
			return e;
	}
	return NULL;
}

/* Hands out a fresh random local index, unique among the live ones. */
int wg_index_add(struct wg_device *dev, struct wg_index_entry *e, enum wg_index_type type,
		 struct wg_peer *peer, struct wg_keypair *kp)
{
	uint32_t index;

	wg_index_del(dev, e);
	for (int i = 0; i < WG_INDEX_TRIES; i++) {
		dev->ops->random(dev->ctx, (uint8_t *)&index, sizeof(index));
		if (wg_index_find(dev, index, WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR))
			continue;
		e->index = index;
		e->type = type;
		e->peer = peer;
		e->keypair = kp;
		e->live = true;
		kgw_htable_insert(&dev->indices, &e->node, index_hash(dev, index));
		return 0;
	}
	return -EAGAIN;
}

void wg_index_del(struct wg_device *dev, struct wg_index_entry *e)
{
	if (!e->live)
		return;
	kgw_htable_remove(&dev->indices, &e->node);
	e->live = false;
}

/* ---- peers ---- */

struct wg_peer *wg_device_peer_by_key(struct wg_device *dev, const uint8_t key[static WG_KEY_LEN])
{
	uint64_t h = wg_device_key_hash(dev, key, WG_KEY_LEN);
	struct kgw_hnode *pos;

	kgw_htable_for_each_hash(&dev->peers, pos, h) {
		struct wg_peer *p = kgw_container_of(pos, struct wg_peer, key_node);

		if (!sodium_memcmp(p->public_key, key, WG_KEY_LEN))
			return p;
	}
	return NULL;
}

/* The peer's earliest deadline may have moved: tell the driver if so. */
void wg_peer_timers_changed(struct wg_peer *peer)
{
	uint64_t d = wg_timers_next_deadline(&peer->timers);

	if (d == peer->last_deadline)
		return;
	peer->last_deadline = d;
	peer->dev->ops->peer_timer(peer->dev->ctx, peer, d);
}

void wg_keypair_free(struct wg_device *dev, struct wg_keypair *kp)
{
	if (!kp)
		return;
	wg_index_del(dev, &kp->entry);
	wg_noise_keypair_wipe(kp->kp);
	kgw_secmem_free(&dev->keypair_secrets, kp->kp);
	free(kp);
}

static void keypair_free(struct wg_device *dev, struct wg_keypair **kp)
{
	wg_keypair_free(dev, *kp);
	*kp = NULL;
}

void wg_peer_keypairs_clear(struct wg_peer *peer)
{
	keypair_free(peer->dev, &peer->kp_next);
	keypair_free(peer->dev, &peer->kp_current);
	keypair_free(peer->dev, &peer->kp_previous);
}

void wg_peer_staged_clear(struct wg_peer *peer)
{
	struct wg_staged *q = peer->staged;

	if (!q)
		return;
	for (unsigned int i = 0; i < q->count; i++)
		free(q->buf[(q->head + i) % WG_MAX_STAGED_PACKETS]);
	free(q);
	peer->staged = NULL;
}

void wg_peer_set_endpoint(struct wg_peer *peer, const union kgw_sockaddr *src)
{
	/* Roaming: the endpoint follows the latest authenticated packet. */
	if (memcmp(&peer->endpoint, src, sizeof(*src)))
		peer->endpoint = *src;
}

struct wg_peer *wg_device_add_peer(struct wg_device *dev, const uint8_t key[static WG_KEY_LEN])
{
	struct wg_peer_secret *sec = NULL;
	struct wg_peer *p = NULL;

	if (dev->npeers >= WG_MAX_PEERS || !(p = calloc(1, sizeof(*p))) ||
	    !(sec = kgw_secmem_alloc(&dev->peer_secrets))) {
		free(p);
		return NULL;
	}
	sec->peer = p;
	p->handshake = &sec->handshake;
	p->dev = dev;
	memcpy(p->public_key, key, WG_KEY_LEN);
	p->last_deadline = UINT64_MAX;
	wg_noise_handshake_init(p->handshake, &dev->identity, key, NULL);
	wg_cookie_init(&p->cookie, key);
	wg_timers_init(&p->timers);
	kgw_htable_insert(&dev->peers, &p->key_node, wg_device_key_hash(dev, key, WG_KEY_LEN));
	p->next = dev->peer_list;
	if (dev->peer_list)
		dev->peer_list->prev = p;
	dev->peer_list = p;
	dev->npeers++;
	return p;
}

void wg_device_remove_peer(struct wg_device *dev, struct wg_peer *p)
{
	if (dev->ops->peer_removed)
		dev->ops->peer_removed(dev->ctx, p);
	wg_allowedips_remove_by_peer(&dev->allowedips, p);
	wg_index_del(dev, &p->handshake_entry);
	wg_peer_keypairs_clear(p);
	wg_peer_staged_clear(p);
	kgw_secmem_free(&dev->peer_secrets, kgw_container_of(p->handshake, struct wg_peer_secret, handshake));
	kgw_htable_remove(&dev->peers, &p->key_node);
	if (p->prev)
		p->prev->next = p->next;
	else
		dev->peer_list = p->next;
	if (p->next)
		p->next->prev = p->prev;
	dev->npeers--;
	/* The cookie and the endpoint are no keys, but no reason to leave them either. */
	sodium_memzero(p, sizeof(*p));
	free(p);
}

/* ---- the device ---- */

struct wg_device *wg_device_new(const struct wg_device_ops *ops, void *ctx)
{
	struct wg_device *dev = calloc(1, sizeof(*dev));
	uint8_t rl_key[32];

	if (!dev)
		return NULL;
	dev->ops = ops;
	dev->ctx = ctx;
	dev->mtu = WG_DEFAULT_MTU;
	ops->random(ctx, dev->hash_key, sizeof(dev->hash_key));
	ops->random(ctx, rl_key, sizeof(rl_key));
	wg_noise_static_identity_init(&dev->identity);
	wg_cookie_checker_setup(&dev->cookie_checker, ops->random, ctx);
	wg_allowedips_init(&dev->allowedips);
	if (kgw_secmem_init(&dev->peer_secrets, "peers", sizeof(struct wg_peer_secret), WG_MAX_PEERS) ||
	    kgw_secmem_init(&dev->keypair_secrets, "keypairs", sizeof(struct wg_noise_keypair),
			    3 * (size_t)WG_MAX_PEERS) ||
	    kgw_htable_init(&dev->peers, 64) || kgw_htable_init(&dev->indices, 128) ||
	    wg_ratelimiter_init(&dev->ratelimiter, WG_RATELIMITER_ENTRIES, rl_key)) {
		sodium_memzero(rl_key, sizeof(rl_key));
		wg_device_free(dev);
		return NULL;
	}
	sodium_memzero(rl_key, sizeof(rl_key));
	return dev;
}

void wg_device_free(struct wg_device *dev)
{
	if (!dev)
		return;
	while (dev->peer_list)
		wg_device_remove_peer(dev, dev->peer_list);
	wg_allowedips_free(&dev->allowedips);
	wg_ratelimiter_free(&dev->ratelimiter);
	wg_noise_static_identity_clear(&dev->identity);
	wg_cookie_checker_wipe(&dev->cookie_checker);
	kgw_htable_free(&dev->peers);
	kgw_htable_free(&dev->indices);
	kgw_secmem_destroy(&dev->peer_secrets);
	kgw_secmem_destroy(&dev->keypair_secrets);
	sodium_memzero(dev, sizeof(*dev));
	free(dev);
}

uint16_t wg_device_listen_port(const struct wg_device *dev)
{
	return dev->listen_port;
}

uint32_t wg_device_fwmark(const struct wg_device *dev)
{
	return dev->fwmark;
}

void wg_device_set_bound_port(struct wg_device *dev, uint16_t port)
{
	dev->bound_port = port;
}

const struct wg_device_stats *wg_device_stats(const struct wg_device *dev)
{
	return &dev->stats;
}

void wg_device_set_mtu(struct wg_device *dev, int mtu)
{
	dev->mtu = mtu;
}

void wg_device_housekeeping(struct wg_device *dev, uint64_t now_ms)
{
	wg_ratelimiter_gc(&dev->ratelimiter, now_ms * 1000000ULL);
	if (dev->under_load && now_ms >= dev->under_load_until && dev->under_load_until)
		dev->under_load = false;
}

void wg_device_set_handshake_backlog(struct wg_device *dev, size_t queued, uint64_t now_ms)
{
	/* The kernel's rule: a queue an eighth full means we are under load. */
	if (queued >= MAX_QUEUED_INCOMING_HANDSHAKES / 8) {
		dev->under_load = true;
		dev->under_load_until = now_ms + UNDER_LOAD_AFTER_MS;
	} else if (dev->under_load && now_ms >= dev->under_load_until) {
		dev->under_load = false;
	}
}

void wg_device_peer_timers(struct wg_device *dev, struct wg_peer *peer, uint64_t now_ms)
{
	uint32_t jitter;
	unsigned int due;

	(void)dev;
	dev->ops->random(dev->ctx, (uint8_t *)&jitter, sizeof(jitter));
	due = wg_timers_expire(&peer->timers, now_ms, jitter);
	if (due & WG_TIMER_ZERO_KEYS) {
		wg_peer_keypairs_clear(peer);
		wg_noise_handshake_clear(peer->handshake);
		wg_index_del(dev, &peer->handshake_entry);
	}
	if (due & WG_TIMER_GIVE_UP_HANDSHAKE)
		wg_peer_staged_clear(peer);
	if (due & (WG_TIMER_SEND_HANDSHAKE_INITIATION | WG_TIMER_NEW_HANDSHAKE))
		wg_send_handshake_initiation(peer, now_ms, due & WG_TIMER_SEND_HANDSHAKE_INITIATION);
	if (due & (WG_TIMER_SEND_KEEPALIVE | WG_TIMER_SEND_PERSISTENT_KEEPALIVE))
		wg_send_keepalive(peer, now_ms);
	wg_peer_timers_changed(peer);
}

/* ---- peer accessors ---- */

const uint8_t *wg_peer_public_key(const struct wg_peer *peer) { return peer->public_key; }
void wg_peer_set_user(struct wg_peer *peer, void *user) { peer->user = user; }
void *wg_peer_user(const struct wg_peer *peer) { return peer->user; }
void wg_peer_set_driver(struct wg_peer *peer, void *driver) { peer->driver = driver; }
void *wg_peer_driver(const struct wg_peer *peer) { return peer->driver; }
uint64_t wg_peer_rx_bytes(const struct wg_peer *peer) { return peer->rx_bytes; }
uint64_t wg_peer_tx_bytes(const struct wg_peer *peer) { return peer->tx_bytes; }
uint64_t wg_peer_policy_drops(const struct wg_peer *peer) { return peer->policy_drops; }
struct timespec wg_peer_last_handshake(const struct wg_peer *peer) { return peer->last_handshake; }
