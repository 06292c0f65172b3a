/* SPDX-License-Identifier: MIT */
/*
 * Cutting TUN super-packets, as the kernel's tcp_gso_segment() and
 * __udp_gso_segment() would: every segment gets a copy of the headers;
 * IPv4 IDs count up from the first; TCP sequence numbers advance by the
 * payload before; FIN and PSH stay on the last segment only, CWR on the
 * first only. The transport checksum is computed afresh per segment rather
 * than adjusted from the one the kernel left (a pseudo-header sum whose
 * length is the super-packet's): one rule for TCP and UDP, nothing to trust.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "tun_gso.h"

#define IPV4_MIN_HEADER 20
#define IPV6_HEADER 40
#define TCP_MIN_HEADER 20
#define UDP_HEADER 8
#define TCP_CHECK_OFFSET 16
#define UDP_CHECK_OFFSET 6
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

/* The IP header of a super-packet: its length and the transport protocol, or -EINVAL. */
static int parse_ip(struct kgw_tun_gso *g, int version)
{
	const uint8_t *p = g->pkt;

	if (g->len < IPV4_MIN_HEADER || (p[0] >> 4) != version)
		return -EINVAL;
	if (version == 4) {
		g->l3_len = (size_t)(p[0] & 0x0f) * 4;
		/* Fragments are never offloaded: one would be cut twice. */
		if (g->l3_len < IPV4_MIN_HEADER || g->l3_len > g->len || kgw_be16(p + 2) != g->len ||
		    (kgw_be16(p + 6) & (IPV4_MF | IPV4_OFFSET_MASK)))
			return -EINVAL;
		g->proto = p[9];
		g->ip_id = kgw_be16(p + 4);
		return 0;
	}
	/* Extension headers would each need their own rules: none are taken. */
	if (g->len < IPV6_HEADER || (size_t)kgw_be16(p + 4) + IPV6_HEADER != g->len)
		return -EINVAL;
	g->l3_len = IPV6_HEADER;
	g->proto = p[6];
	return 0;
}

static int begin_segmented(struct kgw_tun_gso *g, const struct virtio_net_hdr *vh)
{
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	uint8_t want = type == VIRTIO_NET_HDR_GSO_UDP_L4 ? IPPROTO_UDP : IPPROTO_TCP;
	size_t l4_len, payload;
	int version;

	if (type == VIRTIO_NET_HDR_GSO_UDP_L4) {
		/* One type for both families; ECN is a TCP matter. */
		if (!g->len || (vh->gso_type & VIRTIO_NET_HDR_GSO_ECN))
			return -EINVAL;
		version = g->pkt[0] >> 4;
	} else {
		version = type == VIRTIO_NET_HDR_GSO_TCPV4 ? 4 : 6;
	}
	if ((version != 4 && version != 6) || parse_ip(g, version))
		return -EINVAL;
	if (g->proto != want || !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || vh->csum_start != g->l3_len ||
	    vh->csum_offset != (want == IPPROTO_TCP ? TCP_CHECK_OFFSET : UDP_CHECK_OFFSET))
		return -EINVAL;
	if (want == IPPROTO_TCP) {
		if (g->len < g->l3_len + TCP_MIN_HEADER)
			return -EINVAL;
		l4_len = (size_t)(g->pkt[g->l3_len + 12] >> 4) * 4;
		if (l4_len < TCP_MIN_HEADER)
			return -EINVAL;
		g->seq = kgw_be32(g->pkt + g->l3_len + 4);
	} else {
		l4_len = UDP_HEADER;
		if (g->len < g->l3_len + l4_len || kgw_be16(g->pkt + g->l3_len + 4) != g->len - g->l3_len)
			return -EINVAL;
	}
	g->hdr_len = g->l3_len + l4_len;
	if (g->hdr_len >= g->len || !vh->gso_size)
		return -EINVAL;
	g->mss = vh->gso_size;
	payload = g->len - g->hdr_len;
	if (g->hdr_len + (payload < g->mss ? payload : g->mss) > KGW_TUN_GSO_SEGMENT_MAX)
		return -EINVAL;
	g->off = g->hdr_len;
	return 0;
}

int kgw_tun_gso_begin(struct kgw_tun_gso *g, const struct virtio_net_hdr *vh,
		      const uint8_t *pkt, size_t len)
{
	memset(g, 0, sizeof(*g));
	g->pkt = pkt;
	g->len = len;
	if (vh->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return -EINVAL;
	switch (vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE || !len || len > KGW_TUN_GSO_SEGMENT_MAX)
			return -EINVAL;
		g->needs_csum = vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
		if (g->needs_csum && (size_t)vh->csum_start + vh->csum_offset + 2 > len)
			return -EINVAL;
		g->csum_start = vh->csum_start;
		g->csum_offset = vh->csum_offset;
		return 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return begin_segmented(g, vh);
	default:
		/* VIRTIO_NET_HDR_GSO_UDP (UFO) cuts IP fragments; we never enable it. */
		return -EINVAL;
	}
}

/* The partial checksum: the field holds the pseudo-header sum; sum from csum_start on. */
static void complete_csum(uint8_t *p, size_t len, size_t start, size_t offset)
{
	uint16_t c = (uint16_t)~kgw_csum_fold(kgw_csum_add(0, p + start, len - start));

	kgw_put_be16(p + start + offset, c ? c : 0xffff);
}

/* Lengths, ID, sequence number and flags of segment `seg' (len bytes), then its checksums. */
static void fix_segment(struct kgw_tun_gso *g, uint8_t *seg, size_t len, bool last)
{
	uint8_t *l4 = seg + g->l3_len;
	size_t l4_len = len - g->l3_len, check_off;
	uint16_t c;

	if ((seg[0] >> 4) == 4) {
		kgw_put_be16(seg + 2, (uint16_t)len);
		kgw_put_be16(seg + 4, (uint16_t)(g->ip_id + g->index));
		kgw_csum_ipv4_header(seg, g->l3_len);
	} else {
		kgw_put_be16(seg + 4, (uint16_t)(len - IPV6_HEADER));
	}
	if (g->proto == IPPROTO_TCP) {
		kgw_put_be32(l4 + 4, g->seq + (uint32_t)(g->off - g->hdr_len));
		if (!last)
			l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (g->index)
			l4[13] &= (uint8_t)~TCP_CWR;
		check_off = TCP_CHECK_OFFSET;
	} else {
		kgw_put_be16(l4 + 4, (uint16_t)l4_len);
		check_off = UDP_CHECK_OFFSET;
	}
	l4[check_off] = l4[check_off + 1] = 0;
	c = (uint16_t)~kgw_csum_fold(kgw_csum_add(kgw_csum_pseudo(seg, g->proto, (uint32_t)l4_len), l4, l4_len));
	/* UDP sends a computed zero as all ones (zero means "no checksum"); TCP may too. */
	kgw_put_be16(l4 + check_off, c ? c : 0xffff);
}

size_t kgw_tun_gso_next(struct kgw_tun_gso *g, uint8_t *out, size_t cap)
{
	size_t n, len;
	bool last;

	if (g->done)
		return 0;
	if (!g->proto || !g->mss) {
		g->done = true;
		if (g->len > cap)
			return 0;
		memcpy(out, g->pkt, g->len);
		if (g->needs_csum)
			complete_csum(out, g->len, g->csum_start, g->csum_offset);
		return g->len;
	}
	n = g->len - g->off < g->mss ? g->len - g->off : g->mss;
	len = g->hdr_len + n;
	if (len > cap) {
		g->done = true;
		return 0;
	}
	last = g->off + n == g->len;
	memcpy(out, g->pkt, g->hdr_len);
	memcpy(out + g->hdr_len, g->pkt + g->off, n);
	fix_segment(g, out, len, last);
	g->off += n;
	g->index++;
	g->done = last;
	return len;
}
