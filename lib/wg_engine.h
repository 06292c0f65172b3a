/* SPDX-License-Identifier: MIT */
/*
 * The userspace WireGuard engine: a wg_device driven by libev, with a TUN
 * device, UDP sockets, per-peer timers and the standard userspace
 * configuration socket (so `wg' and `wg-quick' manage it).
 */
#ifndef KGW_WG_ENGINE_H
#define KGW_WG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ev.h>

/* Where wireguard-go and `wg' keep the configuration sockets. */
#define KGW_WG_UAPI_DIR "/var/run/wireguard"

struct wg_engine;
struct wg_device;
struct wg_peer;

/* Decides on every decrypted packet after cryptokey routing; false drops it. */
typedef bool (*wg_engine_rx_filter)(void *ctx, struct wg_peer *peer, const uint8_t *pkt, size_t len);

struct wg_engine_config {
	const char *ifname;	/* the TUN device, created already */
	int tun_fd;		/* owned by the engine from here on */
	unsigned int tun_features;	/* KGW_TUN_* that kgw_tun_open() reported */
	const char *uapi_dir;	/* "/var/run/wireguard"; NULL: no UAPI socket */
	/*
	 * Optional: the TUN device is gone (`ip link delete', as `wg-quick
	 * down' does). The engine has stopped reading it; the owner decides
	 * what follows (kgw-wg stops, as wireguard-go does). Called once.
	 */
	void (*tun_gone)(void *owner);
	void *owner;
};

/*
 * The engine runs on `loop' until wg_engine_free(). On failure returns NULL
 * with *err a negative errno (and the TUN descriptor closed).
 */
struct wg_engine *wg_engine_new(struct ev_loop *loop, const struct wg_engine_config *cfg, int *err);
void wg_engine_free(struct wg_engine *eng);
struct wg_device *wg_engine_device(struct wg_engine *eng);
/* Call after changing the device's listen port or fwmark: rebinds the sockets. */
int wg_engine_sync_sockets(struct wg_engine *eng) __attribute__((warn_unused_result));

/* kgwd's data-plane policy. NULL: every packet cryptokey routing allows. */
void wg_engine_set_rx_filter(struct wg_engine *eng, wg_engine_rx_filter fn, void *ctx);

/* Monotonic milliseconds (CLOCK_BOOTTIME, so a suspend counts as time passed). */
uint64_t wg_engine_now_ms(void);

#endif
