/* SPDX-License-Identifier: MIT */
/*
 * The WireGuard device as a pure state machine: peers, their keypairs and
 * timers, the index table, cryptokey routing. Packets and the time come
 * in; what must happen goes out through `struct wg_device_ops' (send a UDP
 * datagram, write to the TUN device, re-arm a peer's timer). It owns no
 * sockets and reads no clocks, so the tests drive it with a fake clock and
 * two devices wired back to back; the libev driver (wg_engine.c) gives it
 * real I/O.
 */
#ifndef KGW_WG_DEVICE_H
#define KGW_WG_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "wg_messages.h"

struct wg_device;
struct wg_peer;
struct wg_uapi_set;
struct wg_uapi_device_info;

struct wg_device_ops {
	/* Send one datagram; `buf' is only valid during the call. */
	void (*send_udp)(void *ctx, const union kgw_sockaddr *to, const uint8_t *buf, size_t len);
	/*
	 * Deliver one decrypted IP packet to the host. The packet lies in the
	 * buffer given to wg_device_receive(): the driver may keep it, and
	 * change it, for as long as it keeps that buffer (to coalesce).
	 */
	void (*write_tun)(void *ctx, uint8_t *pkt, size_t len);
	/* The peer's next timer deadline is now `deadline_ms' (UINT64_MAX: none). */
	void (*peer_timer)(void *ctx, struct wg_peer *peer, uint64_t deadline_ms);
	/* Fill `out' with `len' random bytes. */
	void (*random)(void *ctx, uint8_t *out, size_t len);
	/* The wall clock, for handshake timestamps and `latest handshake'. */
	void (*realtime)(void *ctx, struct timespec *ts);
	/*
	 * Optional: a second policy on decrypted packets, after cryptokey
	 * routing has checked the source (kgwd checks destination and port).
	 * Return false to drop; the drop is counted on the peer.
	 */
	bool (*allow_rx)(void *ctx, struct wg_peer *peer, const uint8_t *pkt, size_t len);
	/* Optional: the peer is about to be freed (the driver drops its timer). */
	void (*peer_removed)(void *ctx, struct wg_peer *peer);
};

/* Counters of what was dropped and why, device-wide (`kgwd stats'). */
struct wg_device_stats {
	uint64_t rx_bad_type, rx_bad_length, rx_bad_mac, rx_bad_handshake;
	uint64_t rx_unknown_index, rx_bad_auth, rx_replay, rx_bad_source;
	uint64_t rx_policy, rx_ratelimited, rx_cookie_sent, tx_no_route, tx_no_endpoint;
	uint64_t rx_graced;	/* handled under load without a cookie (first from a quiet source) */
	uint64_t handshakes_completed;
};

/*
 * Buffers handed to wg_device_send() must have this much room before the
 * packet (for the message header) and after it (padding and tag), so
 * encryption happens in place without a copy.
 */
#define WG_DEVICE_HEADROOM sizeof(struct wg_message_data)
#define WG_DEVICE_TAILROOM (WG_MESSAGE_PADDING_MULTIPLE + WG_AUTHTAG_LEN)

struct wg_device *wg_device_new(const struct wg_device_ops *ops, void *ctx);
void wg_device_free(struct wg_device *dev);

/* Configuration, applied whole: a bad transaction changes nothing. */
int wg_device_apply(struct wg_device *dev, const struct wg_uapi_set *set, uint64_t now_ms)
	__attribute__((warn_unused_result));
/* Snapshot for `wg show' (free it with wg_uapi_device_info_free()). */
int wg_device_info(struct wg_device *dev, struct wg_uapi_device_info *info);
uint16_t wg_device_listen_port(const struct wg_device *dev);
uint32_t wg_device_fwmark(const struct wg_device *dev);
/* The TUN device's MTU: padding never goes past it. */
void wg_device_set_mtu(struct wg_device *dev, int mtu);
/* The driver tells the device which port its sockets actually bound. */
void wg_device_set_bound_port(struct wg_device *dev, uint16_t port);
const struct wg_device_stats *wg_device_stats(const struct wg_device *dev);

/*
 * A datagram arrived from `src'. `buf' is decrypted in place and may be
 * handed to write_tun; it needs no extra room.
 */
void wg_device_receive(struct wg_device *dev, const union kgw_sockaddr *src,
		       uint8_t *buf, size_t len, uint64_t now_ms);
/*
 * An IP packet from the TUN device, at `buf + WG_DEVICE_HEADROOM', `len'
 * bytes long, with WG_DEVICE_TAILROOM free after it.
 */
void wg_device_send(struct wg_device *dev, uint8_t *buf, size_t len, uint64_t now_ms);
/* The peer's timer fired (or may have): act on every deadline <= now. */
void wg_device_peer_timers(struct wg_device *dev, struct wg_peer *peer, uint64_t now_ms);
/* Periodic housekeeping (ratelimiter GC, under-load decay); call every second. */
void wg_device_housekeeping(struct wg_device *dev, uint64_t now_ms);
/* Handshakes waiting in the driver's queue: above a bound we are under load. */
void wg_device_set_handshake_backlog(struct wg_device *dev, size_t queued, uint64_t now_ms);

/* Peers. kgwd adds and removes them directly; `wg' goes through wg_device_apply(). */
struct wg_peer *wg_device_add_peer(struct wg_device *dev, const uint8_t key[static WG_KEY_LEN]);
void wg_device_remove_peer(struct wg_device *dev, struct wg_peer *peer);
struct wg_peer *wg_device_peer_by_key(struct wg_device *dev, const uint8_t key[static WG_KEY_LEN]);
/* An all-zero key removes the identity. Every session starts over. */
void wg_device_set_private_key(struct wg_device *dev, const uint8_t key[static WG_KEY_LEN]);
int wg_device_peer_allow(struct wg_device *dev, struct wg_peer *peer, const struct kgw_cidr *cidr)
	__attribute__((warn_unused_result));
void wg_peer_set_endpoint(struct wg_peer *peer, const union kgw_sockaddr *endpoint);
void wg_peer_set_preshared_key(struct wg_peer *peer, const uint8_t psk[static WG_KEY_LEN]);
void wg_peer_set_keepalive(struct wg_peer *peer, uint16_t interval, uint64_t now_ms);
const uint8_t *wg_peer_public_key(const struct wg_peer *peer);
/* One pointer for the owner of the device (kgwd: the session) ... */
void wg_peer_set_user(struct wg_peer *peer, void *user);
void *wg_peer_user(const struct wg_peer *peer);
/* ... and one for the driver (wg_engine: the peer's libev timer). */
void wg_peer_set_driver(struct wg_peer *peer, void *driver);
void *wg_peer_driver(const struct wg_peer *peer);
uint64_t wg_peer_rx_bytes(const struct wg_peer *peer);
uint64_t wg_peer_tx_bytes(const struct wg_peer *peer);
uint64_t wg_peer_policy_drops(const struct wg_peer *peer);
/* Wall-clock time of the latest completed handshake; {0, 0} if none. */
struct timespec wg_peer_last_handshake(const struct wg_peer *peer);

#endif
