/* SPDX-License-Identifier: MIT */
/* The engine's UDP sockets: one IPv4 and one IPv6, on the same port. */
#ifndef KGW_WG_SOCKET_H
#define KGW_WG_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "addr.h"

/* Older headers lack them; the kernel has them since 4.18 and 5.0. */
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

struct wg_socket {
	int fd4, fd6;		/* -1 when closed or unavailable */
	uint16_t port;
	bool gso;		/* the kernel takes UDP_SEGMENT (Linux 4.18) */
};

/*
 * Datagrams per sendmmsg()/recvmmsg(). Sixty-four 1452-byte datagrams are
 * about what one GSO send or GRO receive can carry (64 KiB).
 */
#define WG_SOCKET_BATCH 64

/*
 * Datagrams waiting for one wg_socket_flush(). Every buffer queued must
 * stay valid and unchanged until the flush: the queue holds pointers, so
 * sending costs no copy.
 */
struct wg_socket_txq {
	size_t count;
	union kgw_sockaddr to[WG_SOCKET_BATCH];
	struct iovec iov[WG_SOCKET_BATCH];
};

/*
 * What one wg_socket_recv() got: `count' datagrams, each at iov[i] with
 * len[i] bytes from from[i]. With UDP GRO one of them may be several
 * datagrams of seg[i] bytes each back to back (the last may be shorter);
 * seg[i] is len[i] otherwise. The caller provides buf[i], each
 * WG_SOCKET_RX_LEN bytes.
 */
#define WG_SOCKET_RX_LEN 65536
struct wg_socket_rxq {
	size_t count;
	uint8_t *buf[WG_SOCKET_BATCH];
	size_t len[WG_SOCKET_BATCH], seg[WG_SOCKET_BATCH];
	union kgw_sockaddr from[WG_SOCKET_BATCH];
	struct mmsghdr msg[WG_SOCKET_BATCH];
	struct iovec iov[WG_SOCKET_BATCH];
	uint8_t ctrl[WG_SOCKET_BATCH][64];
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
/* Queues one datagram; false when the queue is full (flush, then retry). */
bool wg_socket_txq_add(struct wg_socket_txq *q, const union kgw_sockaddr *to, const void *buf, size_t len);
/*
 * Sends everything queued and empties the queue: runs of equal-sized
 * datagrams to one address go as one UDP GSO send, and all of it in as
 * few sendmmsg() calls as the address families allow. Returns how many
 * datagrams were dropped (full socket buffer, unreachable).
 */
size_t wg_socket_flush(struct wg_socket *s, struct wg_socket_txq *q);
/* Up to WG_SOCKET_BATCH datagrams from `fd' (fd4 or fd6); 0 or -errno. */
int wg_socket_recv(int fd, struct wg_socket_rxq *q);

#endif
