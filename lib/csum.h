/* SPDX-License-Identifier: MIT */
/*
 * The Internet checksum (RFC 1071) for the TUN offloads: completing the
 * partial checksums the kernel leaves to us, checking TCP checksums before
 * coalescing, and the IPv4 header checksum.
 */
#ifndef KGW_CSUM_H
#define KGW_CSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Adds the ones' complement sum of p[0..len), read as big-endian 16-bit
 * words, to `sum' (unfolded). Regions summed one after the other must
 * each have an even length, except the last.
 */
uint32_t kgw_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* Folds to 16 bits, not complemented. */
uint16_t kgw_csum_fold(uint32_t sum);
/*
 * The unfolded sum of the TCP/UDP pseudo-header for the IPv4 or IPv6
 * packet `ip' (the version is read from it), protocol `proto', `l4_len'
 * bytes of transport header and payload.
 */
uint32_t kgw_csum_pseudo(const uint8_t *ip, uint8_t proto, uint32_t l4_len);
/* Writes the IPv4 header checksum of the `ihl'-byte header at `ip'. */
void kgw_csum_ipv4_header(uint8_t *ip, size_t ihl);

/* Header fields in network byte order, wherever they are aligned. */
static inline uint16_t kgw_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void kgw_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t kgw_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void kgw_put_be32(uint8_t *p, uint32_t v)
{
	kgw_put_be16(p, (uint16_t)(v >> 16));
	kgw_put_be16(p + 2, (uint16_t)v);
}

#endif
