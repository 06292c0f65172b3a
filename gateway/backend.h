/* SPDX-License-Identifier: MIT */
/*
 * Where kgwd's tunnel lives: the userspace engine on a TUN device, or the
 * kernel's WireGuard through generic netlink. Sessions see only this
 * interface, so the peer/session model is the same for both.
 */
#ifndef KGW_BACKEND_H
#define KGW_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ev.h>
#include <jansson.h>

#include "addr.h"
#include "conf.h"
#include "dest.h"
#include "wg_messages.h"

struct kgwd_peer_stats {
	struct timespec last_handshake;
	uint64_t rx_bytes, tx_bytes, policy_drops;
};

/* What a peer may send: its tunnel addresses (source) and its destinations. */
struct kgwd_peer_policy {
	const struct kgw_dest *dests;
	size_t n_dests;
};

struct kgwd_backend;

struct kgwd_backend_ops {
	const char *name;
	int (*add_peer)(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
			const struct kgw_cidr *ips, size_t n_ips, const struct kgwd_peer_policy *policy);
	void (*remove_peer)(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN]);
	int (*peer_stats)(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
			  struct kgwd_peer_stats *st);
	/*
	 * Optional: the data plane's own counters (drops by reason, cookie
	 * replies under load) as a new JSON object, or NULL. The kernel keeps
	 * no such counters where kgwd can read them.
	 */
	json_t *(*device_stats)(struct kgwd_backend *b);
	void (*free)(struct kgwd_backend *b);
};

struct kgwd_backend {
	const struct kgwd_backend_ops *ops;
	char ifname[IFNAMSIZ];
	uint8_t public_key[WG_KEY_LEN];
	uint16_t listen_port;
};

/*
 * Creates the tunnel interface named in the config with the gateway's
 * key (read from private_key_file) and listen port. Logs why on failure.
 */
struct kgwd_backend *kgwd_backend_userspace_new(struct ev_loop *loop, const struct kgw_config *cfg,
						const uint8_t private_key[static WG_KEY_LEN]);
struct kgwd_backend *kgwd_backend_kernel_new(const struct kgw_config *cfg,
					     const uint8_t private_key[static WG_KEY_LEN]);
/* Reads a wg-format (base64) private key file; 0 or negative errno, logged. */
int kgwd_read_private_key(const char *path, uint8_t key[static WG_KEY_LEN]) __attribute__((warn_unused_result));

#endif
