/* SPDX-License-Identifier: MIT */
/*
 * The engine's configuration socket, DIR/IFACE.sock, speaking the
 * cross-platform userspace protocol (wg_uapi.h) so `wg' and `wg-quick'
 * manage kgw-wg as they manage wireguard-go. The socket is made under
 * umask 077, so only root may connect, as with wireguard-go.
 */
#ifndef KGW_WG_ENGINE_UAPI_H
#define KGW_WG_ENGINE_UAPI_H

#include <ev.h>

struct wg_engine;
struct wg_engine_uapi;

struct wg_engine_uapi *wg_engine_uapi_new(struct wg_engine *eng, struct ev_loop *loop, const char *dir,
					  const char *ifname, int *err);
/* Closes every client and removes the socket file. */
void wg_engine_uapi_free(struct wg_engine_uapi *u);

#endif
