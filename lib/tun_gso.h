/* SPDX-License-Identifier: MIT */
/*
 * Segmentation of what a TUN device with offloads hands us: one packet
 * with a struct virtio_net_hdr in front, possibly a TCP or UDP
 * super-packet (up to 64 KiB) to be cut into packets of gso_size payload
 * bytes each, possibly with a checksum left for us to complete. Pure code:
 * bytes in, packets out; nothing here touches a descriptor.
 */
#ifndef KGW_TUN_GSO_H
#define KGW_TUN_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/* UDP segmentation offload (Linux 6.2); older headers lack it. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* No segment is longer than an IPv4 packet may be. */
#define KGW_TUN_GSO_SEGMENT_MAX 65535

/* An iterator over the packets one TUN read becomes. */
struct kgw_tun_gso {
	const uint8_t *pkt;
	size_t len;		/* the whole packet */
	size_t l3_len;		/* IP header */
	size_t hdr_len;		/* IP and transport headers, copied into every segment */
	size_t off;		/* the next payload byte to send */
	size_t mss;		/* payload bytes per segment */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP; 0: one packet, as it is */
	bool needs_csum;	/* (proto 0) a partial checksum to complete */
	bool done;
	uint16_t csum_start, csum_offset;
	uint16_t ip_id;		/* (IPv4) the first segment's; the others count up */
	uint32_t seq;		/* (TCP) the first segment's */
	unsigned int index;	/* segments produced so far */
};

/*
 * Starts on `pkt' (`len' bytes, after the header `vh'). Returns 0, or
 * -EINVAL for anything malformed or not a kind we segment (the caller
 * drops it): UFO, IP fragments, IPv6 extension headers before TCP/UDP,
 * checksum positions that do not match the headers, lengths that do not
 * match the packet.
 */
int kgw_tun_gso_begin(struct kgw_tun_gso *g, const struct virtio_net_hdr *vh,
		      const uint8_t *pkt, size_t len) __attribute__((warn_unused_result));
/*
 * Writes the next packet into `out' (`cap' bytes) with its lengths, IPv4
 * ID and header checksum, TCP sequence number and flags and transport
 * checksum complete. Returns its length; 0 when there are no more (or
 * the next does not fit in `cap').
 */
size_t kgw_tun_gso_next(struct kgw_tun_gso *g, uint8_t *out, size_t cap);

#endif
