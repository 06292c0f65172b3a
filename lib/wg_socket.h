/* SPDX-License-Identifier: MIT */
/* The engine's UDP sockets: one IPv4 and one IPv6, on the same port. */
#ifndef KGW_WG_SOCKET_H
#define KGW_WG_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

struct wg_socket {
	int fd4, fd6;		/* -1 when closed or unavailable */
	uint16_t port;
};

void wg_socket_init(struct wg_socket *s);
/*
 * Binds both families to `port' (0: one the kernel picks, the same for
 * both). A host without IPv6 gets an IPv4 socket only. Non-blocking,
 * close-on-exec; fwmark 0 means none.
 */
int wg_socket_open(struct wg_socket *s, uint16_t port, uint32_t fwmark) __attribute__((warn_unused_result));
void wg_socket_close(struct wg_socket *s);
int wg_socket_set_fwmark(struct wg_socket *s, uint32_t fwmark);
/* Returns 0 or a negative errno; -EAGAIN means the socket buffer is full (the packet is dropped). */
int wg_socket_send(const struct wg_socket *s, const union kgw_sockaddr *to, const void *buf, size_t len);

#endif
