/* SPDX-License-Identifier: MIT */
/*
 * Coalescing of decrypted packets before they go to a TUN device with
 * offloads: in-order TCP segments of one flow become one super-packet
 * with a struct virtio_net_hdr (gso_type TCPV4/TCPV6), so the kernel's
 * stack sees one packet where it would have seen dozens, as the kernel's
 * own GRO does for a NIC. Anything else goes out alone with a zero
 * header. Pure code: packets in, writes out through a callback.
 *
 * Packets are held by pointer, not copied: each must stay valid and
 * unchanged until the next kgw_tun_gro_flush(); the first packet of each
 * super-packet has its headers rewritten in place.
 */
#ifndef KGW_TUN_GRO_H
#define KGW_TUN_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

/* Flows held at once; a new flow past this writes out the oldest. */
#define KGW_TUN_GRO_FLOWS 8
/* Packets per super-packet. */
#define KGW_TUN_GRO_SEGMENTS 64
/* Bytes per super-packet: what an IPv4 total length can say. */
#define KGW_TUN_GRO_MAX 65535

/* Writes one packet: iov[0] is its virtio_net_hdr, the rest the packet. */
typedef void (*kgw_tun_gro_write_fn)(void *ctx, const struct iovec *iov, int iovcnt);

struct kgw_tun_gro_flow {
	uint8_t *first;		/* its headers become the super-packet's */
	size_t l3_len, hdr_len;	/* of the first packet */
	size_t total;		/* the super-packet's length so far */
	size_t mss;		/* the first packet's payload: none after may be longer */
	uint32_t next_seq;
	unsigned int count;
	bool closed;		/* a shorter or PSH packet came: it was the last */
	bool psh;
	struct virtio_net_hdr vh;
	/* iov[0]: vh; iov[1]: the first packet whole; then the others' payloads. */
	struct iovec iov[KGW_TUN_GRO_SEGMENTS + 1];
};

struct kgw_tun_gro {
	kgw_tun_gro_write_fn write;
	void *ctx;
	unsigned int n;		/* flows in use: flow[0..n) */
	unsigned int evict;	/* the next to write out when all are in use */
	struct kgw_tun_gro_flow flow[KGW_TUN_GRO_FLOWS];
};

void kgw_tun_gro_init(struct kgw_tun_gro *g, kgw_tun_gro_write_fn write, void *ctx);
/*
 * One IP packet (`len' bytes, no padding). It joins a held flow, starts
 * one, or is written at once (after its own flow, if held, so a flow's
 * order never changes).
 */
void kgw_tun_gro_add(struct kgw_tun_gro *g, uint8_t *pkt, size_t len);
/* Writes everything held. */
void kgw_tun_gro_flush(struct kgw_tun_gro *g);

#endif
