/* SPDX-License-Identifier: MIT */
/*
 * What may join a flow follows the kernel's tcp_gro_receive(): same
 * addresses and ports, the next sequence number, the same ACK number,
 * window, options and IP header fields; only ACK and PSH set (a PSH
 * packet is the last); no payload longer than the first's, and a shorter
 * one is the last. Each packet's checksums are verified before it joins:
 * the super-packet goes up with a partial checksum, which the kernel does
 * not check again, so a corrupt segment must not hide in one.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "tun_gro.h"

#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define TCP_MIN_HEADER 20
#define TCP_CHECK_OFFSET 16
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* What one packet is to the coalescer. */
enum gro_kind {
	GRO_OTHER,	/* not TCP (or not parseable): written alone */
	GRO_FRAGMENT,	/* an IPv4 fragment, of no flow we can tell: after all flows */
	GRO_TCP_ALONE,	/* TCP that cannot join (flags, no payload, options in IP): after its flow */
	GRO_TCP,	/* may join a flow */
};

struct gro_pkt {
	uint8_t *p;
	size_t len, l3_len, hdr_len, payload;
	uint32_t seq;
	bool psh;
};

static const struct virtio_net_hdr zero_vh;

void kgw_tun_gro_init(struct kgw_tun_gro *g, kgw_tun_gro_write_fn write, void *ctx)
{
	memset(g, 0, sizeof(*g));
	g->write = write;
	g->ctx = ctx;
}

static void write_alone(struct kgw_tun_gro *g, uint8_t *pkt, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)&zero_vh, .iov_len = sizeof(zero_vh) },
		{ .iov_base = pkt, .iov_len = len },
	};

	g->write(g->ctx, iov, 2);
}

/* Only the IP header: is this TCP over IPv4 without options or IPv6 without extensions? */
static enum gro_kind parse_ip(struct gro_pkt *k)
{
	const uint8_t *p = k->p;

	if (k->len >= IPV4_HEADER && (p[0] >> 4) == 4) {
		k->l3_len = (size_t)(p[0] & 0x0f) * 4;
		if (kgw_be16(p + 6) & (IPV4_MF | IPV4_OFFSET_MASK))
			return GRO_FRAGMENT;
		if (p[9] != IPPROTO_TCP || kgw_be16(p + 2) != k->len || k->l3_len < IPV4_HEADER)
			return GRO_OTHER;
		/* Options would have to match too: rare enough to leave alone. */
		if (k->l3_len != IPV4_HEADER || kgw_csum_fold(kgw_csum_add(0, p, IPV4_HEADER)) != 0xffff)
			return GRO_TCP_ALONE;
		return GRO_TCP;
	}
	if (k->len >= IPV6_HEADER && (p[0] >> 4) == 6) {
		if (p[6] != IPPROTO_TCP || (size_t)kgw_be16(p + 4) + IPV6_HEADER != k->len)
			return GRO_OTHER;
		k->l3_len = IPV6_HEADER;
		return GRO_TCP;
	}
	return GRO_OTHER;
}

static enum gro_kind classify(struct gro_pkt *k)
{
	enum gro_kind kind = parse_ip(k);
	const uint8_t *th = k->p + k->l3_len;
	uint32_t sum;

	if (kind == GRO_OTHER || kind == GRO_FRAGMENT || k->len < k->l3_len + TCP_MIN_HEADER)
		return kind == GRO_FRAGMENT ? kind : GRO_OTHER;
	k->hdr_len = k->l3_len + (size_t)(th[12] >> 4) * 4;
	if (k->hdr_len < k->l3_len + TCP_MIN_HEADER || k->hdr_len > k->len)
		return GRO_OTHER;
	if (kind == GRO_TCP_ALONE)
		return kind;
	k->payload = k->len - k->hdr_len;
	k->seq = kgw_be32(th + 4);
	k->psh = th[13] & TCP_PSH;
	if (!k->payload || (th[13] & (uint8_t)~TCP_PSH) != TCP_ACK)
		return GRO_TCP_ALONE;
	sum = kgw_csum_pseudo(k->p, IPPROTO_TCP, (uint32_t)(k->len - k->l3_len));
	if (kgw_csum_fold(kgw_csum_add(sum, th, k->len - k->l3_len)) != 0xffff)
		return GRO_TCP_ALONE;
	return GRO_TCP;
}

/* Same addresses and ports (both packets parsed as TCP over the same IP version)? */
static bool same_flow(const struct kgw_tun_gro_flow *f, const struct gro_pkt *k)
{
	const uint8_t *a = f->first, *b = k->p;

	if ((a[0] >> 4) != (b[0] >> 4) || f->l3_len != k->l3_len)
		return false;
	if ((a[0] >> 4) == 4 ? memcmp(a + 12, b + 12, 8) : memcmp(a + 8, b + 8, 32))
		return false;
	return !memcmp(a + f->l3_len, b + k->l3_len, 4);
}

/* Everything the super-packet's one header says must be true of this packet too. */
static bool can_join(const struct kgw_tun_gro_flow *f, const struct gro_pkt *k)
{
	const uint8_t *a = f->first, *b = k->p;
	const uint8_t *ta = a + f->l3_len, *tb = b + k->l3_len;

	if (f->closed || f->count == KGW_TUN_GRO_SEGMENTS || k->seq != f->next_seq ||
	    k->payload > f->mss || f->total + k->payload > KGW_TUN_GRO_MAX || k->hdr_len != f->hdr_len)
		return false;
	if ((a[0] >> 4) == 4) {
		/* Version, TOS (ECN marks too); DF; TTL. */
		if (a[1] != b[1] || a[6] != b[6] || a[8] != b[8])
			return false;
	} else if (memcmp(a, b, 4) || a[7] != b[7]) {
		/* Traffic class, flow label; hop limit. */
		return false;
	}
	/* ACK number; data offset; window; options. PSH is the only flag that may differ. */
	return !memcmp(ta + 8, tb + 8, 5) && (ta[13] | TCP_PSH) == (tb[13] | TCP_PSH) &&
	       !memcmp(ta + 14, tb + 14, 2) &&
	       !memcmp(ta + TCP_MIN_HEADER, tb + TCP_MIN_HEADER, f->hdr_len - f->l3_len - TCP_MIN_HEADER);
}

static void flow_start(struct kgw_tun_gro_flow *f, const struct gro_pkt *k)
{
	f->first = k->p;
	f->l3_len = k->l3_len;
	f->hdr_len = k->hdr_len;
	f->total = k->len;
	f->mss = k->payload;
	f->next_seq = k->seq + (uint32_t)k->payload;
	f->count = 1;
	f->closed = f->psh = k->psh;
	f->iov[1].iov_base = k->p;
	f->iov[1].iov_len = k->len;
}

static void flow_join(struct kgw_tun_gro_flow *f, const struct gro_pkt *k)
{
	f->iov[f->count + 1].iov_base = k->p + k->hdr_len;
	f->iov[f->count + 1].iov_len = k->payload;
	f->count++;
	f->total += k->payload;
	f->next_seq += (uint32_t)k->payload;
	f->psh = k->psh;
	f->closed = k->psh || k->payload < f->mss;
}

/* The first packet's headers, rewritten to describe the whole super-packet. */
static void flow_write(struct kgw_tun_gro *g, struct kgw_tun_gro_flow *f)
{
	uint8_t *p = f->first, *th = p + f->l3_len;
	uint32_t l4_len = (uint32_t)(f->total - f->l3_len);

	if (f->count == 1) {
		write_alone(g, p, f->total);
		return;
	}
	if ((p[0] >> 4) == 4) {
		kgw_put_be16(p + 2, (uint16_t)f->total);
		kgw_csum_ipv4_header(p, f->l3_len);
		f->vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	} else {
		kgw_put_be16(p + 4, (uint16_t)(f->total - IPV6_HEADER));
		f->vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	}
	if (f->psh)
		th[13] |= TCP_PSH;
	/* A partial checksum: the pseudo-header's sum, not complemented; the kernel adds the rest. */
	kgw_put_be16(th + TCP_CHECK_OFFSET, kgw_csum_fold(kgw_csum_pseudo(p, IPPROTO_TCP, l4_len)));
	f->vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	f->vh.hdr_len = (uint16_t)f->hdr_len;
	f->vh.gso_size = (uint16_t)f->mss;
	f->vh.csum_start = (uint16_t)f->l3_len;
	f->vh.csum_offset = TCP_CHECK_OFFSET;
	f->iov[0].iov_base = &f->vh;
	f->iov[0].iov_len = sizeof(f->vh);
	g->write(g->ctx, f->iov, (int)f->count + 1);
}

/* Writes out flow i and closes the gap. */
static void flow_drop(struct kgw_tun_gro *g, unsigned int i)
{
	flow_write(g, &g->flow[i]);
	g->n--;
	if (i != g->n)
		g->flow[i] = g->flow[g->n];
}

void kgw_tun_gro_add(struct kgw_tun_gro *g, uint8_t *pkt, size_t len)
{
	struct gro_pkt k = { .p = pkt, .len = len };
	enum gro_kind kind = classify(&k);
	struct kgw_tun_gro_flow *f;
	unsigned int i;

	if (kind == GRO_FRAGMENT)
		kgw_tun_gro_flush(g);
	if (kind == GRO_OTHER || kind == GRO_FRAGMENT) {
		write_alone(g, pkt, len);
		return;
	}
	for (i = 0; i < g->n && !same_flow(&g->flow[i], &k); i++)
		;
	if (kind == GRO_TCP_ALONE) {
		if (i < g->n)
			flow_drop(g, i);
		write_alone(g, pkt, len);
		return;
	}
	if (i < g->n) {
		f = &g->flow[i];
		if (can_join(f, &k)) {
			flow_join(f, &k);
			return;
		}
		flow_write(g, f);
	} else if (g->n < KGW_TUN_GRO_FLOWS) {
		f = &g->flow[g->n++];
	} else {
		f = &g->flow[g->evict];
		g->evict = (g->evict + 1) % KGW_TUN_GRO_FLOWS;
		flow_write(g, f);
	}
	memset(&f->vh, 0, sizeof(f->vh));
	flow_start(f, &k);
}

void kgw_tun_gro_flush(struct kgw_tun_gro *g)
{
	for (unsigned int i = 0; i < g->n; i++)
		flow_write(g, &g->flow[i]);
	g->n = 0;
	g->evict = 0;
}
