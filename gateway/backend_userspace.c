/* SPDX-License-Identifier: MIT */
/* The userspace backend: kgw's own engine on a TUN device. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backend.h"
#include "dpolicy.h"
#include "log.h"
#include "tun.h"
#include "wg_crypto.h"
#include "wg_device.h"
#include "wg_engine.h"
#include "wg_uapi.h"

#define KGWD_TUN_MTU 1420

struct userspace {
	struct kgwd_backend b;
	struct wg_engine *eng;
	struct wg_device *dev;
};

/* Every decrypted packet: the session's destinations decide. */
static bool rx_filter(void *ctx, struct wg_peer *peer, const uint8_t *pkt, size_t len)
{
	const struct kgwd_peer_policy *p = wg_peer_user(peer);

	(void)ctx;
	return p && kgw_dpolicy_allow(p->dests, p->n_dests, pkt, len);
}

static int us_add_peer(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
		       const struct kgw_cidr *ips, size_t n_ips, const struct kgwd_peer_policy *policy)
{
	struct userspace *u = (struct userspace *)b;
	struct wg_peer *peer;

	if (wg_device_peer_by_key(u->dev, key))
		return -EEXIST;
	peer = wg_device_add_peer(u->dev, key);
	if (!peer)
		return -ENOMEM;
	wg_peer_set_user(peer, (void *)policy);
	for (size_t i = 0; i < n_ips; i++) {
		if (wg_device_peer_allow(u->dev, peer, &ips[i])) {
			wg_device_remove_peer(u->dev, peer);
			return -ENOMEM;
		}
	}
	return 0;
}

static void us_remove_peer(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN])
{
	struct userspace *u = (struct userspace *)b;
	struct wg_peer *peer = wg_device_peer_by_key(u->dev, key);

	if (peer)
		wg_device_remove_peer(u->dev, peer);
}

static int us_peer_stats(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
			 struct kgwd_peer_stats *st)
{
	struct userspace *u = (struct userspace *)b;
	struct wg_peer *peer = wg_device_peer_by_key(u->dev, key);

	if (!peer)
		return -ENOENT;
	st->last_handshake = wg_peer_last_handshake(peer);
	st->rx_bytes = wg_peer_rx_bytes(peer);
	st->tx_bytes = wg_peer_tx_bytes(peer);
	st->policy_drops = wg_peer_policy_drops(peer);
	return 0;
}

static void us_free(struct kgwd_backend *b)
{
	struct userspace *u = (struct userspace *)b;

	wg_engine_free(u->eng);	/* closing the TUN removes the interface */
	free(u);
}

static json_t *us_device_stats(struct kgwd_backend *b)
{
	struct userspace *u = (struct userspace *)b;
	const struct wg_device_stats *s = wg_device_stats(u->dev);

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "rx_bad_type", (json_int_t)s->rx_bad_type,
			 "rx_bad_length", (json_int_t)s->rx_bad_length,
			 "rx_bad_mac", (json_int_t)s->rx_bad_mac,
			 "rx_bad_handshake", (json_int_t)s->rx_bad_handshake,
			 "rx_unknown_index", (json_int_t)s->rx_unknown_index,
			 "rx_bad_auth", (json_int_t)s->rx_bad_auth,
			 "rx_replay", (json_int_t)s->rx_replay,
			 "rx_bad_source", (json_int_t)s->rx_bad_source,
			 "rx_policy", (json_int_t)s->rx_policy,
			 "rx_ratelimited", (json_int_t)s->rx_ratelimited,
			 "rx_cookie_sent", (json_int_t)s->rx_cookie_sent,
			 "rx_graced", (json_int_t)s->rx_graced,
			 "handshakes_completed", (json_int_t)s->handshakes_completed);
}

static const struct kgwd_backend_ops userspace_ops = {
	.name = "userspace",
	.add_peer = us_add_peer,
	.remove_peer = us_remove_peer,
	.peer_stats = us_peer_stats,
	.device_stats = us_device_stats,
	.free = us_free,
};

static int configure(struct userspace *u, const struct kgw_config *cfg, const uint8_t key[static WG_KEY_LEN])
{
	struct wg_uapi_set set = { .has_private_key = true, .has_listen_port = true,
				   .listen_port = cfg->listen_port };
	int ret;

	memcpy(set.private_key, key, WG_KEY_LEN);
	ret = wg_device_apply(u->dev, &set, wg_engine_now_ms());
	sodium_memzero(&set, sizeof(set));
	if (!ret)
		ret = wg_engine_sync_sockets(u->eng);
	if (ret)
		kgw_err("%s: cannot listen on UDP port %u: %s", u->b.ifname, cfg->listen_port, strerror(-ret));
	return ret;
}

struct kgwd_backend *kgwd_backend_userspace_new(struct ev_loop *loop, const struct kgw_config *cfg,
						const uint8_t private_key[static WG_KEY_LEN])
{
	struct userspace *u = calloc(1, sizeof(*u));
	/*
	 * No UAPI socket: once kgwd has dropped to the kgw user it could not
	 * remove it from /var/run/wireguard, and the control socket's `list'
	 * shows the same (and more) to whoever may see it.
	 */
	struct wg_engine_config ec = { .uapi_dir = NULL };
	int fd, ret;

	if (!u)
		return NULL;
	u->b.ops = &userspace_ops;
	fd = kgw_tun_open(cfg->interface, true, u->b.ifname, &ec.tun_features);
	if (fd < 0) {
		kgw_err("%s: cannot create the TUN device: %s", cfg->interface, kgw_tun_strerror(fd));
		free(u);
		return NULL;
	}
	if ((ret = kgw_tun_set_mtu(u->b.ifname, KGWD_TUN_MTU)))
		kgw_warn("%s: cannot set the MTU: %s", u->b.ifname, strerror(-ret));
	ec.ifname = u->b.ifname;
	ec.tun_fd = fd;
	u->eng = wg_engine_new(loop, &ec, &ret);
	if (!u->eng) {
		kgw_err("%s: cannot start the WireGuard engine: %s", u->b.ifname, strerror(-ret));
		free(u);
		return NULL;
	}
	u->dev = wg_engine_device(u->eng);
	wg_engine_set_rx_filter(u->eng, rx_filter, u);
	if (configure(u, cfg, private_key)) {
		us_free(&u->b);
		return NULL;
	}
	wg_crypto_public_key(u->b.public_key, private_key);
	u->b.listen_port = wg_device_listen_port(u->dev);
	return &u->b;
}
