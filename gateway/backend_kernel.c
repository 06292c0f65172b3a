/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend: a `wireguard' link made with rtnetlink and
 * programmed with generic netlink. The kernel's WireGuard has no hook for
 * kgwd's per-packet check, so here nftables' forward chain is the data
 * plane's policy.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "backend.h"
#include "log.h"
#include "nl.h"
#include "wg_crypto.h"
#include "wg_kernel.h"

struct kernel {
	struct kgwd_backend b;
	struct kgw_nlsock rtnl;
	struct kgw_wg_kernel wg;
	bool created;
};

static int set_peer(struct kernel *k, struct kgw_wg_peer *peer)
{
	struct kgw_wg_device dev = { .peers = peer, .n_peers = 1 };

	snprintf(dev.ifname, sizeof(dev.ifname), "%s", k->b.ifname);
	return kgw_wg_kernel_set(&k->wg, &dev);
}

static int k_add_peer(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
		      const struct kgw_cidr *ips, size_t n_ips, const struct kgwd_peer_policy *policy)
{
	struct kgw_wg_peer peer = { .flags = KGW_WG_PEER_REPLACE_ALLOWEDIPS,
				    .allowedips = (struct kgw_cidr *)ips, .n_allowedips = n_ips };

	(void)policy;
	memcpy(peer.public_key, key, WG_KEY_LEN);
	return set_peer((struct kernel *)b, &peer);
}

static void k_remove_peer(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN])
{
	struct kgw_wg_peer peer = { .flags = KGW_WG_PEER_REMOVE };
	int ret;

	memcpy(peer.public_key, key, WG_KEY_LEN);
	if ((ret = set_peer((struct kernel *)b, &peer)))
		kgw_err("%s: cannot remove a peer: %s", b->ifname, strerror(-ret));
}

static int k_peer_stats(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
			struct kgwd_peer_stats *st)
{
	struct kernel *k = (struct kernel *)b;
	struct kgw_wg_device dev;
	int ret = -ENOENT;

	if (kgw_wg_kernel_get(&k->wg, b->ifname, &dev))
		return -EIO;
	for (size_t i = 0; i < dev.n_peers; i++) {
		if (sodium_memcmp(dev.peers[i].public_key, key, WG_KEY_LEN))
			continue;
		memset(st, 0, sizeof(*st));
		st->last_handshake = dev.peers[i].last_handshake;
		st->rx_bytes = dev.peers[i].rx_bytes;
		st->tx_bytes = dev.peers[i].tx_bytes;
		ret = 0;
		break;
	}
	kgw_wg_device_clear(&dev);
	return ret;
}

static void k_free(struct kgwd_backend *b)
{
	struct kernel *k = (struct kernel *)b;
	unsigned int ifindex;

	if (k->created && !kgw_nl_link_index(&k->rtnl, b->ifname, &ifindex) &&
	    kgw_nl_link_delete(&k->rtnl, ifindex))
		kgw_warn("%s: cannot delete the link", b->ifname);
	kgw_wg_kernel_close(&k->wg);
	kgw_nlsock_close(&k->rtnl);
	free(k);
}

static const struct kgwd_backend_ops kernel_ops = {
	.name = "kernel",
	.add_peer = k_add_peer,
	.remove_peer = k_remove_peer,
	.peer_stats = k_peer_stats,
	.free = k_free,
};

struct kgwd_backend *kgwd_backend_kernel_new(const struct kgw_config *cfg,
					     const uint8_t private_key[static WG_KEY_LEN])
{
	struct kernel *k = calloc(1, sizeof(*k));
	struct kgw_wg_device dev = { .flags = KGW_WG_DEVICE_HAS_PRIVATE_KEY | KGW_WG_DEVICE_HAS_LISTEN_PORT |
					      KGW_WG_DEVICE_REPLACE_PEERS,
				     .listen_port = cfg->listen_port };
	int ret;

	if (!k)
		return NULL;
	k->b.ops = &kernel_ops;
	snprintf(k->b.ifname, sizeof(k->b.ifname), "%s", cfg->interface);
	if ((ret = kgw_nlsock_open(&k->rtnl, NETLINK_ROUTE)))
		goto fail;
	ret = kgw_wg_kernel_link_create(&k->rtnl, k->b.ifname);
	if (ret == -EOPNOTSUPP) {
		kgw_err("%s: this kernel has no WireGuard (modprobe wireguard, or set backend = userspace)",
			k->b.ifname);
		goto fail;
	}
	if (ret && ret != -EEXIST) {
		kgw_err("%s: cannot create the WireGuard link: %s", k->b.ifname, strerror(-ret));
		goto fail;
	}
	k->created = !ret;
	if ((ret = kgw_wg_kernel_open(&k->wg, false)))
		goto fail;
	snprintf(dev.ifname, sizeof(dev.ifname), "%s", k->b.ifname);
	memcpy(dev.private_key, private_key, WG_KEY_LEN);
	ret = kgw_wg_kernel_set(&k->wg, &dev);
	sodium_memzero(dev.private_key, WG_KEY_LEN);
	if (ret) {
		kgw_err("%s: cannot configure WireGuard: %s", k->b.ifname, strerror(-ret));
		goto fail;
	}
	wg_crypto_public_key(k->b.public_key, private_key);
	k->b.listen_port = cfg->listen_port;
	return &k->b;
fail:
	k_free(&k->b);
	return NULL;
}
