/* SPDX-License-Identifier: MIT */
/*
 * The cross-platform userspace configuration protocol of WireGuard (what
 * `wg' speaks to /var/run/wireguard/IFACE.sock): text key=value lines,
 * an operation `get=1' or `set=1' first, a blank line last. This file is
 * pure text <-> structs; the socket is wg_engine_uapi.c and applying a set
 * is wg_device_apply().
 */
#ifndef KGW_WG_UAPI_H
#define KGW_WG_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "wg_messages.h"

/* A transaction may name at most this many peers and allowed IPs (memory bound). */
#define WG_UAPI_MAX_PEERS 65536
#define WG_UAPI_MAX_ALLOWED_IPS (1 << 20)

struct wg_uapi_peer {
	uint8_t public_key[WG_KEY_LEN];
	bool remove, update_only, replace_allowed_ips;
	bool has_psk, has_endpoint, has_keepalive;
	uint8_t psk[WG_KEY_LEN];
	union kgw_sockaddr endpoint;
	uint16_t keepalive;
	struct kgw_cidr *allowed_ips;
	size_t n_allowed_ips, cap_allowed_ips;
};

struct wg_uapi_set {
	bool has_private_key, has_listen_port, has_fwmark, replace_peers;
	uint8_t private_key[WG_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	struct wg_uapi_peer *peers;
	size_t n_peers, cap_peers;
	size_t n_allowed_ips;	/* over all peers */
};

struct wg_uapi_peer_info {
	uint8_t public_key[WG_KEY_LEN];
	bool has_psk;
	uint8_t psk[WG_KEY_LEN];
	union kgw_sockaddr endpoint;	/* sa_family 0: none */
	struct timespec last_handshake;
	uint64_t rx_bytes, tx_bytes;
	uint16_t keepalive;
	struct kgw_cidr *allowed_ips;
	size_t n_allowed_ips, cap_allowed_ips;
};

struct wg_uapi_device_info {
	bool has_private_key;
	uint8_t private_key[WG_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	struct wg_uapi_peer_info *peers;
	size_t n_peers;
};

enum wg_uapi_op { WG_UAPI_GET = 1, WG_UAPI_SET = 2 };

/*
 * Parses one request: `text' holds its lines without the final blank
 * line. Returns the operation, or a negative errno with a message in
 * `err' (EINVAL for anything malformed, EPROTONOSUPPORT for an unknown
 * protocol_version). For a set, `set' is filled; free it with
 * wg_uapi_set_free() in either case.
 */
int wg_uapi_parse(const char *text, size_t len, struct wg_uapi_set *set, char *err, size_t errlen);
void wg_uapi_set_free(struct wg_uapi_set *set);

/* The reply to `get=1' without the trailing "errno=0\n\n"; malloc'd, or NULL. */
char *wg_uapi_format_get(const struct wg_uapi_device_info *info, size_t *len);
void wg_uapi_device_info_free(struct wg_uapi_device_info *info);
/* Appends one allowed IP to a peer of a snapshot. */
int wg_uapi_peer_info_add_allowed_ip(struct wg_uapi_peer_info *p, const struct kgw_cidr *cidr);

#endif
