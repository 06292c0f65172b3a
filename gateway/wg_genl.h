/* SPDX-License-Identifier: MIT */
/*
 * The kernel WireGuard's generic netlink messages (include/uapi/linux/
 * wireguard.h), built and parsed on buffers. No I/O here: wg_kernel.c
 * sends what these functions build.
 *
 * A device change that does not fit one netlink message (many peers, or a
 * peer with many allowed IPs) is split over several WG_CMD_SET_DEVICE
 * messages by kgw_wg_msg_set_device(), called until it returns 0. The
 * split keeps the meaning of the whole: device attributes and the
 * replace-peers flag go only in the first message, a peer cut in the
 * middle of its allowed IPs is continued in the next message by its public
 * key alone, so its flags (replace-allowed-ips above all) act only once.
 * A WG_CMD_GET_DEVICE dump is split the same way by the kernel, and
 * kgw_wg_parse_device() joins it back.
 */
#ifndef KGW_WG_GENL_H
#define KGW_WG_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>
#include <linux/netlink.h>

#include "addr.h"
#include "wg_messages.h"

enum kgw_wg_device_flag {
	KGW_WG_DEVICE_HAS_PRIVATE_KEY = 1U << 0,
	KGW_WG_DEVICE_HAS_PUBLIC_KEY = 1U << 1,	/* dumps only */
	KGW_WG_DEVICE_HAS_LISTEN_PORT = 1U << 2,
	KGW_WG_DEVICE_HAS_FWMARK = 1U << 3,
	KGW_WG_DEVICE_REPLACE_PEERS = 1U << 4,
};

enum kgw_wg_peer_flag {
	KGW_WG_PEER_HAS_PRESHARED_KEY = 1U << 0,
	KGW_WG_PEER_HAS_KEEPALIVE = 1U << 1,
	KGW_WG_PEER_REMOVE = 1U << 2,
	KGW_WG_PEER_UPDATE_ONLY = 1U << 3,
	KGW_WG_PEER_REPLACE_ALLOWEDIPS = 1U << 4,
};

struct kgw_wg_peer {
	unsigned int flags;		/* enum kgw_wg_peer_flag */
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];	/* secret; all zero removes it */
	union kgw_sockaddr endpoint;	/* sa_family 0: none */
	uint16_t keepalive;		/* seconds; 0 turns it off */
	/* Read from dumps, ignored when setting: */
	struct timespec last_handshake;	/* 0: never */
	uint64_t rx_bytes, tx_bytes;
	uint32_t protocol_version;
	struct kgw_cidr *allowedips;
	size_t n_allowedips;
	size_t allowedips_cap;		/* parser's bookkeeping */
};

struct kgw_wg_device {
	char ifname[IFNAMSIZ];
	uint32_t ifindex;		/* dumps only */
	unsigned int flags;		/* enum kgw_wg_device_flag */
	uint8_t private_key[WG_KEY_LEN];	/* secret */
	uint8_t public_key[WG_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	struct kgw_wg_peer *peers;
	size_t n_peers;
	size_t peers_cap;		/* parser's bookkeeping */
};

/*
 * Frees what kgw_wg_parse_device() allocated and wipes every key; the
 * struct is zeroed and may be reused. Safe on NULL and on a zeroed device.
 * Not for a device whose arrays the caller owns (as when building).
 */
void kgw_wg_device_clear(struct kgw_wg_device *dev);

/* Resolving the "wireguard" family: CTRL_CMD_GETFAMILY and its answer. */
struct nlmsghdr *kgw_wg_msg_get_family(void *buf, size_t len, uint32_t seq);
int kgw_wg_parse_family(const struct nlmsghdr *nlh, uint16_t *family)
	__attribute__((warn_unused_result));

/* A WG_CMD_GET_DEVICE dump request for one interface. */
struct nlmsghdr *kgw_wg_msg_get_device(void *buf, size_t len, uint32_t seq, uint16_t family,
				       const char *ifname);

/* Where the next SET_DEVICE message starts; zero it before the first call. */
struct kgw_wg_set_cursor {
	bool started;		/* the first message (device attributes) is out */
	bool peer_begun;	/* peers[peer]'s own attributes are out */
	size_t peer;
	size_t aip;
};

/*
 * Builds the next WG_CMD_SET_DEVICE message for dev->ifname into buf.
 * Returns 1 and sets *out when a message was built, 0 when everything has
 * been (at least one message is always built), -EINVAL for a device that
 * cannot be expressed (bad name, endpoint or allowed IP), -EMSGSIZE when
 * len cannot hold even one peer.
 */
int kgw_wg_msg_set_device(void *buf, size_t len, uint32_t seq, uint16_t family,
			  const struct kgw_wg_device *dev, struct kgw_wg_set_cursor *cur,
			  struct nlmsghdr **out) __attribute__((warn_unused_result));

/*
 * Adds one message of a GET_DEVICE dump (or a SET_DEVICE message, which
 * has the same layout) to dev: device attributes overwrite, peers are
 * appended, and a peer continued from the previous message (same public
 * key) gets the rest of its allowed IPs. Unknown attributes are skipped;
 * a malformed one is -EINVAL; -ENOMEM. On error dev holds what was
 * parsed up to it (each peer whole or not at all) and must still be
 * cleared; the caller drops the whole dump.
 */
int kgw_wg_parse_device(const struct nlmsghdr *nlh, struct kgw_wg_device *dev)
	__attribute__((warn_unused_result));

#endif
