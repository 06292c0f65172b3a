/* SPDX-License-Identifier: MIT */
/*
 * The TUN offloads' pure code: cutting super-packets (tun_gso.c) and
 * coalescing segments (tun_gro.c), on hand-built IPv4/IPv6 TCP and UDP
 * packets. Every checksum is checked with a byte-at-a-time RFC 1071 sum
 * written here, not with lib/csum.c; and what the coalescer writes is cut
 * again and must give back the packets that went in.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "tun_gro.h"
#include "tun_gso.h"
#include "unit.h"

#define TEST_PKT_MAX 70000
#define TCP_ACK 0x10
#define TCP_PSH 0x08
#define TCP_FIN 0x01
#define TCP_CWR 0x80
#define TCP_SYN 0x02

/* ---- an independent checksum ---- */

static uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The pseudo-header as bytes (RFC 793 / RFC 8200 8.1), summed. */
static uint32_t ref_pseudo(const uint8_t *ip, uint8_t proto, size_t l4_len)
{
	uint8_t ph[40];
	size_t n;

	memset(ph, 0, sizeof(ph));
	if ((ip[0] >> 4) == 4) {
		memcpy(ph, ip + 12, 8);
		ph[9] = proto;
		ph[10] = (uint8_t)(l4_len >> 8);
		ph[11] = (uint8_t)l4_len;
		n = 12;
	} else {
		memcpy(ph, ip + 8, 32);
		ph[34] = (uint8_t)(l4_len >> 8);
		ph[35] = (uint8_t)l4_len;
		ph[39] = proto;
		n = 40;
	}
	return ref_sum(0, ph, n);
}

static size_t l3_len_of(const uint8_t *ip)
{
	return (ip[0] >> 4) == 4 ? (size_t)(ip[0] & 0x0f) * 4 : 40;
}

static bool ref_l4_ok(const uint8_t *ip, size_t len, uint8_t proto)
{
	size_t l3 = l3_len_of(ip);

	return ref_fold(ref_sum(ref_pseudo(ip, proto, len - l3), ip + l3, len - l3)) == 0xffff;
}

static bool ref_ipv4_header_ok(const uint8_t *ip)
{
	return ref_fold(ref_sum(0, ip, l3_len_of(ip))) == 0xffff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void set32(uint8_t *p, uint32_t v)
{
	set16(p, (uint16_t)(v >> 16));
	set16(p + 2, (uint16_t)v);
}

/* ---- packets built by hand ---- */

struct spec {
	int version;		/* 4 or 6 */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	size_t payload;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t id, window;
	size_t opt_len;		/* TCP options (a multiple of 4) */
	uint16_t sport;
	uint8_t pattern;	/* payload byte i is pattern + offset + i */
	size_t offset;		/* where this payload starts in the stream */
};

/* Builds the packet with valid checksums (unless `partial': then the pseudo-header sum, as the kernel leaves it). */
static size_t build(uint8_t *p, const struct spec *s, bool partial)
{
	size_t l3 = s->version == 4 ? 20 : 40;
	size_t l4h = s->proto == IPPROTO_TCP ? 20 + s->opt_len : 8;
	size_t len = l3 + l4h + s->payload;
	uint8_t *l4 = p + l3;
	uint16_t c;

	memset(p, 0, l3 + l4h);
	if (s->version == 4) {
		p[0] = 0x45;
		p[1] = 0x02;	/* ECT(0) */
		set16(p + 2, (uint16_t)len);
		set16(p + 4, s->id);
		p[6] = 0x40;	/* DF */
		p[8] = 64;
		p[9] = s->proto;
		memcpy(p + 12, "\x0a\xc9\x00\x01\x0a\xc9\x00\x02", 8);
		set16(p + 10, (uint16_t)~ref_fold(ref_sum(0, p, 20)));
	} else {
		p[0] = 0x60;
		p[1] = 0x01;	/* flow label */
		p[2] = 0x23;
		p[3] = 0x45;
		set16(p + 4, (uint16_t)(len - 40));
		p[6] = s->proto;
		p[7] = 64;
		memcpy(p + 8, "\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
		memcpy(p + 24, "\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02", 16);
	}
	set16(l4, s->sport ? s->sport : 40000);
	set16(l4 + 2, 5201);
	if (s->proto == IPPROTO_TCP) {
		set32(l4 + 4, s->seq);
		set32(l4 + 8, s->ack);
		l4[12] = (uint8_t)((l4h / 4) << 4);
		l4[13] = s->flags;
		set16(l4 + 14, s->window ? s->window : 502);
		for (size_t i = 0; i < s->opt_len; i++)
			l4[20 + i] = i < 2 ? 1 : (uint8_t)(0x30 + i);	/* NOP NOP, then "timestamps" */
	} else {
		set16(l4 + 4, (uint16_t)(l4h + s->payload));
	}
	for (size_t i = 0; i < s->payload; i++)
		p[l3 + l4h + i] = (uint8_t)(s->pattern + s->offset + i);
	if (partial)
		c = ref_fold(ref_pseudo(p, s->proto, len - l3));
	else
		c = (uint16_t)~ref_fold(ref_sum(ref_pseudo(p, s->proto, len - l3), l4, len - l3));
	set16(l4 + (s->proto == IPPROTO_TCP ? 16 : 6), c);
	return len;
}

static struct virtio_net_hdr gso_hdr(const struct spec *s, uint16_t gso_size)
{
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_size = gso_size,
		.csum_start = s->version == 4 ? 20 : 40,
		.csum_offset = s->proto == IPPROTO_TCP ? 16 : 6,
	};

	if (s->proto == IPPROTO_UDP)
		vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	else
		vh.gso_type = s->version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	vh.hdr_len = (uint16_t)(vh.csum_start + (s->proto == IPPROTO_TCP ? 20 + s->opt_len : 8));
	return vh;
}

static uint8_t super[TEST_PKT_MAX], seg[TEST_PKT_MAX];

/* ---- segmentation ---- */

/* Cuts `s' (a super-packet) at mss and checks every segment against what it must be. */
static void check_segments(const struct spec *s, uint16_t mss, bool ecn)
{
	size_t len = build(super, s, true), l3 = s->version == 4 ? 20 : 40;
	size_t hdr = l3 + (s->proto == IPPROTO_TCP ? 20 + s->opt_len : 8);
	size_t nseg = (s->payload + mss - 1) / mss, i = 0, n, done = 0;
	struct virtio_net_hdr vh = gso_hdr(s, mss);
	struct kgw_tun_gso g;

	if (ecn)
		vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	/* The kernel leaves a pseudo-header sum of the super-packet's length; junk must not matter either. */
	super[l3 + (s->proto == IPPROTO_TCP ? 16 : 6)] ^= 0x5a;
	ck_assert_int_eq(kgw_tun_gso_begin(&g, &vh, super, len), 0);
	while ((n = kgw_tun_gso_next(&g, seg, sizeof(seg)))) {
		size_t want = s->payload - done < mss ? s->payload - done : mss;
		bool last = i == nseg - 1;
		struct spec e = *s;

		ck_assert_uint_lt(i, nseg);
		ck_assert_uint_eq(n, hdr + want);
		/* The segment must be byte for byte the packet built directly. */
		e.payload = want;
		e.offset = done;
		e.seq = s->seq + (uint32_t)done;
		e.id = (uint16_t)(s->id + i);
		e.flags = s->flags;
		if (!last)
			e.flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i)
			e.flags &= (uint8_t)~TCP_CWR;
		ck_assert_uint_eq(build(super + len + 64, &e, false), n);
		ck_assert_mem_eq(seg, super + len + 64, n);
		/* And its checksums verify independently. */
		ck_assert(ref_l4_ok(seg, n, s->proto));
		if (s->version == 4)
			ck_assert(ref_ipv4_header_ok(seg));
		done += want;
		i++;
	}
	ck_assert_uint_eq(i, nseg);
	ck_assert_uint_eq(done, s->payload);
	ck_assert_uint_eq(kgw_tun_gso_next(&g, seg, sizeof(seg)), 0);
}

/* build() writes the expected packet after the super-packet: keep room. */
START_TEST(test_gso_tcp4)
{
	struct spec s = { .version = 4, .proto = IPPROTO_TCP, .payload = 5000, .seq = 0xfffff000,
			  .ack = 77, .flags = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, .id = 0xfffe };

	/* Sequence numbers and IDs wrap; the last segment is shorter. */
	check_segments(&s, 1400, true);
}
END_TEST

START_TEST(test_gso_tcp6_options)
{
	struct spec s = { .version = 6, .proto = IPPROTO_TCP, .payload = 30001, .seq = 1,
			  .ack = 5, .flags = TCP_ACK | TCP_PSH, .opt_len = 12, .pattern = 7 };

	check_segments(&s, 1368, false);
}
END_TEST

START_TEST(test_gso_exact_multiple_and_single)
{
	struct spec s = { .version = 4, .proto = IPPROTO_TCP, .payload = 2800, .seq = 9,
			  .ack = 1, .flags = TCP_ACK | TCP_PSH };

	check_segments(&s, 1400, false);
	s.payload = 100;	/* smaller than gso_size: one segment */
	check_segments(&s, 1400, false);
}
END_TEST

START_TEST(test_gso_udp4_udp6)
{
	struct spec s = { .version = 4, .proto = IPPROTO_UDP, .payload = 3001, .id = 10, .pattern = 3 };

	check_segments(&s, 1000, false);
	s.version = 6;
	check_segments(&s, 1200, false);
}
END_TEST

/* No GSO: copied, and a partial checksum completed. */
START_TEST(test_gso_none)
{
	struct spec s = { .version = 4, .proto = IPPROTO_UDP, .payload = 333, .pattern = 1 };
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 6 };
	struct kgw_tun_gso g;
	size_t len = build(super, &s, true);

	ck_assert(!ref_l4_ok(super, len, IPPROTO_UDP));
	ck_assert_int_eq(kgw_tun_gso_begin(&g, &vh, super, len), 0);
	ck_assert_uint_eq(kgw_tun_gso_next(&g, seg, sizeof(seg)), len);
	ck_assert(ref_l4_ok(seg, len, IPPROTO_UDP));
	ck_assert_uint_eq(kgw_tun_gso_next(&g, seg, sizeof(seg)), 0);

	s.version = 6;
	s.proto = IPPROTO_TCP;
	s.flags = TCP_ACK;
	len = build(super, &s, true);
	vh.csum_start = 40;
	vh.csum_offset = 16;
	ck_assert_int_eq(kgw_tun_gso_begin(&g, &vh, super, len), 0);
	ck_assert_uint_eq(kgw_tun_gso_next(&g, seg, sizeof(seg)), len);
	ck_assert(ref_l4_ok(seg, len, IPPROTO_TCP));

	/* Without NEEDS_CSUM: byte for byte as it came. */
	memset(&vh, 0, sizeof(vh));
	len = build(super, &s, false);
	ck_assert_int_eq(kgw_tun_gso_begin(&g, &vh, super, len), 0);
	ck_assert_uint_eq(kgw_tun_gso_next(&g, seg, sizeof(seg)), len);
	ck_assert_mem_eq(seg, super, len);
	/* A segment that does not fit ends the packet. */
	ck_assert_int_eq(kgw_tun_gso_begin(&g, &vh, super, len), 0);
	ck_assert_uint_eq(kgw_tun_gso_next(&g, seg, len - 1), 0);
	ck_assert_uint_eq(kgw_tun_gso_next(&g, seg, sizeof(seg)), 0);
}
END_TEST

/* Malformed headers or packets, each refused. */
static const struct bad_gso {
	const char *what;
	int version;
	uint8_t proto;
} bad_gso[] = {
	{ "flags other than NEEDS_CSUM and DATA_VALID", 4, IPPROTO_TCP },
	{ "UFO", 4, IPPROTO_UDP },
	{ "TCPV4 on an IPv6 packet", 6, IPPROTO_TCP },
	{ "TCPV6 on an IPv4 packet", 4, IPPROTO_TCP },
	{ "total length past the read", 4, IPPROTO_TCP },
	{ "IPv6 payload length short of the read", 6, IPPROTO_TCP },
	{ "a fragment (MF)", 4, IPPROTO_TCP },
	{ "a fragment (offset)", 4, IPPROTO_TCP },
	{ "csum_start not the transport header", 4, IPPROTO_TCP },
	{ "csum_offset not TCP's", 4, IPPROTO_TCP },
	{ "no NEEDS_CSUM", 4, IPPROTO_TCP },
	{ "gso_size 0", 4, IPPROTO_TCP },
	{ "TCP data offset below 5", 4, IPPROTO_TCP },
	{ "TCP header past the end", 4, IPPROTO_TCP },
	{ "headers only, no payload", 4, IPPROTO_TCP },
	{ "IPv6 extension header", 6, IPPROTO_TCP },
	{ "TCPV4 on a UDP packet", 4, IPPROTO_UDP },
	{ "UDP_L4 with ECN", 4, IPPROTO_UDP },
	{ "UDP length wrong", 4, IPPROTO_UDP },
	{ "IPv4 header length below 20", 4, IPPROTO_TCP },
	{ "IP version 5", 4, IPPROTO_UDP },
	{ "no GSO, partial checksum past the end", 4, IPPROTO_TCP },
	{ "no GSO, empty", 4, IPPROTO_TCP },
	{ "shorter than an IPv4 header", 4, IPPROTO_TCP },
	{ "unknown gso_type 2", 4, IPPROTO_TCP },
};

START_TEST(test_gso_bad)
{
	const struct bad_gso *b = &bad_gso[_i];
	struct spec s = { .version = b->version, .proto = b->proto, .payload = 3000, .flags = TCP_ACK };
	struct virtio_net_hdr vh;
	size_t len, l3 = b->version == 4 ? 20 : 40;
	struct kgw_tun_gso g;

	len = build(super, &s, true);
	vh = gso_hdr(&s, 1000);
	/* The unchanged packet is good: the one change below is what makes it bad. */
	ck_assert_int_eq(kgw_tun_gso_begin(&g, &vh, super, len), 0);
	switch (_i) {
	case 0: vh.flags |= VIRTIO_NET_HDR_F_RSC_INFO; break;
	case 1: vh.gso_type = VIRTIO_NET_HDR_GSO_UDP; break;
	case 2: vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4; break;
	case 3: vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6; break;
	case 4: len -= 1; break;
	case 5: set16(super + 4, (uint16_t)(len - 41)); break;
	case 6: super[6] |= 0x20; break;
	case 7: super[7] = 1; break;
	case 8: vh.csum_start = 24; break;
	case 9: vh.csum_offset = 6; break;
	case 10: vh.flags = 0; break;
	case 11: vh.gso_size = 0; break;
	case 12: super[l3 + 12] = 0x40; break;
	case 13: len = l3 + 19; set16(super + 2, (uint16_t)len); break;
	case 14: len = l3 + 20; set16(super + 2, (uint16_t)len); break;
	case 15: super[6] = 0; break;	/* hop-by-hop options */
	case 16: vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4; vh.csum_offset = 16; break;
	case 17: vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN; break;
	case 18: set16(super + l3 + 4, 100); break;
	case 19: super[0] = 0x44; break;
	case 20: super[0] = 0x55; break;
	case 21: vh.gso_type = 0; vh.csum_start = (uint16_t)(len - 10); vh.csum_offset = 9; break;
	case 22: vh.gso_type = 0; vh.flags = 0; len = 0; break;
	case 23: len = 19; break;
	case 24: vh.gso_type = 2; break;
	}
	ck_assert_msg(kgw_tun_gso_begin(&g, &vh, super, len) == -EINVAL, "case %d (%s) accepted", _i, b->what);
}
END_TEST

/* ---- coalescing ---- */

#define WRITES_MAX 64
static struct write_rec {
	struct virtio_net_hdr vh;
	size_t len;
	uint8_t pkt[TEST_PKT_MAX];
} writes[WRITES_MAX];
static int nwrites;

static void capture(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct write_rec *w = &writes[nwrites++];

	(void)ctx;
	ck_assert_int_lt(nwrites, WRITES_MAX);
	ck_assert_uint_eq(iov[0].iov_len, sizeof(w->vh));
	memcpy(&w->vh, iov[0].iov_base, sizeof(w->vh));
	w->len = 0;
	for (int i = 1; i < iovcnt; i++) {
		ck_assert_uint_le(w->len + iov[i].iov_len, sizeof(w->pkt));
		memcpy(w->pkt + w->len, iov[i].iov_base, iov[i].iov_len);
		w->len += iov[i].iov_len;
	}
}

/* Packets handed to the coalescer stay in place until the flush, so each has its own buffer. */
#define IN_MAX 64
static uint8_t in[IN_MAX][2048];
static uint8_t orig[IN_MAX][2048];
static size_t in_len[IN_MAX];
static struct kgw_tun_gro gro;

static void gro_setup(void)
{
	nwrites = 0;
	kgw_tun_gro_init(&gro, capture, NULL);
}

/* A stream of n segments of `mss' (the last `last_len'), with PSH on the last. */
static void make_stream(int first, int n, const struct spec *base, size_t mss, size_t last_len)
{
	for (int i = 0; i < n; i++) {
		struct spec s = *base;

		s.offset = (size_t)i * mss;
		s.seq = base->seq + (uint32_t)s.offset;
		s.payload = i == n - 1 ? last_len : mss;
		s.id = (uint16_t)(base->id + i);
		s.flags = TCP_ACK | (i == n - 1 ? TCP_PSH : 0);
		in_len[first + i] = build(in[first + i], &s, false);
		memcpy(orig[first + i], in[first + i], in_len[first + i]);
	}
}

/* Write w must be a super-packet that cuts back into orig[first..first+n). */
static void check_super(const struct write_rec *w, int first, int n)
{
	const uint8_t *p = w->pkt;
	size_t l3 = l3_len_of(p);
	struct kgw_tun_gso g;
	size_t len;
	int i = 0;

	ck_assert_int_eq(w->vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_int_eq(w->vh.gso_type, (p[0] >> 4) == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6);
	ck_assert_uint_eq(w->vh.csum_start, l3);
	ck_assert_uint_eq(w->vh.csum_offset, 16);
	ck_assert_uint_eq(w->vh.hdr_len, l3 + (size_t)(p[l3 + 12] >> 4) * 4);
	ck_assert_uint_eq(w->vh.gso_size, in_len[first] - w->vh.hdr_len);
	if ((p[0] >> 4) == 4) {
		ck_assert_uint_eq(get16(p + 2), w->len);
		ck_assert(ref_ipv4_header_ok(p));
	} else {
		ck_assert_uint_eq(get16(p + 4) + 40u, w->len);
	}
	/* The partial checksum: the pseudo-header over the whole length, not complemented. */
	ck_assert_uint_eq(get16(p + l3 + 16), ref_fold(ref_pseudo(p, IPPROTO_TCP, w->len - l3)));
	ck_assert_int_eq(kgw_tun_gso_begin(&g, &w->vh, p, w->len), 0);
	while ((len = kgw_tun_gso_next(&g, seg, sizeof(seg)))) {
		ck_assert_int_lt(i, n);
		ck_assert_uint_eq(len, in_len[first + i]);
		ck_assert_mem_eq(seg, orig[first + i], len);
		i++;
	}
	ck_assert_int_eq(i, n);
}

static void check_alone(const struct write_rec *w, int idx)
{
	static const struct virtio_net_hdr zero;

	ck_assert_mem_eq(&w->vh, &zero, sizeof(zero));
	ck_assert_uint_eq(w->len, in_len[idx]);
	ck_assert_mem_eq(w->pkt, orig[idx], w->len);
}

static void add(int i)
{
	kgw_tun_gro_add(&gro, in[i], in_len[i]);
}

START_TEST(test_gro_tcp4_roundtrip)
{
	struct spec base = { .version = 4, .proto = IPPROTO_TCP, .seq = 0xffffff00, .ack = 99, .id = 0xfff0 };

	gro_setup();
	make_stream(0, 4, &base, 1400, 800);
	for (int i = 0; i < 4; i++)
		add(i);
	ck_assert_int_eq(nwrites, 0);
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 1);
	check_super(&writes[0], 0, 4);
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 1);
}
END_TEST

START_TEST(test_gro_tcp6_options_roundtrip)
{
	struct spec base = { .version = 6, .proto = IPPROTO_TCP, .seq = 1000, .ack = 5, .opt_len = 12, .pattern = 9 };

	gro_setup();
	make_stream(0, 40, &base, 1388, 1388);
	for (int i = 0; i < 40; i++)
		add(i);
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 1);
	check_super(&writes[0], 0, 40);
}
END_TEST

/* A packet that cannot join writes the flow out first, then waits or goes alone. */
START_TEST(test_gro_gap_and_single)
{
	struct spec base = { .version = 4, .proto = IPPROTO_TCP, .seq = 1, .ack = 1 };

	gro_setup();
	make_stream(0, 5, &base, 1000, 1000);
	add(0);
	add(1);
	add(3);		/* a gap: 0+1 go out, 3 starts over */
	ck_assert_int_eq(nwrites, 1);
	check_super(&writes[0], 0, 2);
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 2);
	check_alone(&writes[1], 3);	/* a flow of one goes out as it came */
}
END_TEST

START_TEST(test_gro_bad_checksum_not_coalesced)
{
	struct spec base = { .version = 6, .proto = IPPROTO_TCP, .seq = 1, .ack = 1 };

	gro_setup();
	make_stream(0, 3, &base, 1000, 1000);
	in[1][100] ^= 1;	/* payload corrupt: its checksum fails */
	orig[1][100] ^= 1;
	add(0);
	add(1);
	ck_assert_int_eq(nwrites, 2);
	check_alone(&writes[0], 0);
	check_alone(&writes[1], 1);	/* the kernel sees it, and drops it */
	add(2);				/* 2 cannot join: 1 never became part of a flow */
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 3);
	check_alone(&writes[2], 2);
}
END_TEST

/* Packets that never coalesce; the flow's order holds, other flows may pass. */
START_TEST(test_gro_not_coalesced)
{
	struct spec base = { .version = 4, .proto = IPPROTO_TCP, .seq = 1, .ack = 1 };
	struct spec udp = { .version = 4, .proto = IPPROTO_UDP, .payload = 100 };
	struct spec ack = { .version = 4, .proto = IPPROTO_TCP, .seq = 3001, .ack = 1, .flags = TCP_ACK };
	struct spec syn = { .version = 4, .proto = IPPROTO_TCP, .seq = 1, .flags = TCP_SYN, .sport = 1234 };

	gro_setup();
	make_stream(0, 3, &base, 1000, 1000);
	in_len[3] = build(in[3], &udp, false);
	in_len[4] = build(in[4], &ack, false);	/* no payload, same flow */
	in_len[5] = build(in[5], &syn, false);	/* another flow */
	for (int i = 3; i < 6; i++)
		memcpy(orig[i], in[i], in_len[i]);
	add(0);
	add(3);
	ck_assert_int_eq(nwrites, 1);
	check_alone(&writes[0], 3);
	add(1);
	add(5);
	ck_assert_int_eq(nwrites, 2);
	check_alone(&writes[1], 5);
	add(4);
	ck_assert_int_eq(nwrites, 4);
	check_super(&writes[2], 0, 2);
	check_alone(&writes[3], 4);
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 4);
}
END_TEST

/* Fields that must match: each change below keeps packet 1 out of packet 0's flow. */
START_TEST(test_gro_mismatch)
{
	struct spec base = { .version = 4, .proto = IPPROTO_TCP, .seq = 1, .ack = 1, .opt_len = 12 };
	size_t l4 = 20;

	gro_setup();
	make_stream(0, 2, &base, 1000, 1000);
	switch (_i) {
	case 0: set32(in[1] + l4 + 8, 2); break;		/* ACK number */
	case 1: set16(in[1] + l4 + 14, 1); break;		/* window */
	case 2: in[1][l4 + 30] ^= 1; break;			/* options */
	case 3: in[1][1] = 0x03; break;				/* ECN CE */
	case 4: in[1][8] = 63; break;				/* TTL */
	case 5: in[1][6] = 0; break;				/* DF */
	case 6: in[1][l4 + 13] |= TCP_CWR; break;		/* CWR */
	case 7: set32(in[1] + l4 + 4, 1002); break;		/* sequence */
	}
	/* Recompute both checksums after the change. */
	set16(in[1] + 10, 0);
	set16(in[1] + 10, (uint16_t)~ref_fold(ref_sum(0, in[1], 20)));
	set16(in[1] + l4 + 16, 0);
	set16(in[1] + l4 + 16, (uint16_t)~ref_fold(ref_sum(ref_pseudo(in[1], IPPROTO_TCP, in_len[1] - 20),
							    in[1] + 20, in_len[1] - 20)));
	memcpy(orig[1], in[1], in_len[1]);
	add(0);
	add(1);
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 2);
	check_alone(&writes[0], 0);
	check_alone(&writes[1], 1);
}
END_TEST

/* A segment longer than the first, a PSH, the 64 KiB limit: each ends a super-packet. */
START_TEST(test_gro_limits)
{
	struct spec base = { .version = 4, .proto = IPPROTO_TCP, .seq = 1, .ack = 1 };
	int n = 50;

	gro_setup();
	make_stream(0, n, &base, 1400, 1400);
	for (int i = 0; i < n; i++)
		add(i);
	kgw_tun_gro_flush(&gro);
	/* 46 * 1400 + 40 fits in 65535, 47 does not. */
	ck_assert_int_eq(nwrites, 2);
	check_super(&writes[0], 0, 46);
	check_super(&writes[1], 46, 4);

	gro_setup();
	make_stream(0, 3, &base, 1000, 1000);
	in[0][20 + 13] |= TCP_PSH;	/* PSH on the first: it stands alone */
	set16(in[0] + 36, 0);
	set16(in[0] + 36, (uint16_t)~ref_fold(ref_sum(ref_pseudo(in[0], IPPROTO_TCP, in_len[0] - 20),
						       in[0] + 20, in_len[0] - 20)));
	memcpy(orig[0], in[0], in_len[0]);
	for (int i = 0; i < 3; i++)
		add(i);
	kgw_tun_gro_flush(&gro);
	ck_assert_int_eq(nwrites, 2);
	check_alone(&writes[0], 0);
	check_super(&writes[1], 1, 2);
}
END_TEST

/* More flows than the table holds: every packet still goes out once, in its flow's order. */
START_TEST(test_gro_many_flows)
{
	int flows = KGW_TUN_GRO_FLOWS + 3, total = 0;

	gro_setup();
	for (int f = 0; f < flows; f++) {
		struct spec base = { .version = 6, .proto = IPPROTO_TCP, .seq = 1, .ack = 1,
				     .sport = (uint16_t)(1000 + f) };

		make_stream(f * 2, 2, &base, 500, 500);
	}
	for (int i = 0; i < 2; i++)
		for (int f = 0; f < flows; f++)
			add(f * 2 + i);
	kgw_tun_gro_flush(&gro);
	for (int w = 0; w < nwrites; w++) {
		const uint8_t *p = writes[w].pkt;
		int f = get16(p + 40) - 1000;

		ck_assert_int_ge(f, 0);
		ck_assert_int_lt(f, flows);
		if (writes[w].vh.gso_type) {
			check_super(&writes[w], f * 2, 2);
			total += 2;
		} else {
			total++;
		}
	}
	ck_assert_int_eq(total, flows * 2);
}
END_TEST

/* An IPv4 fragment belongs to no flow we can see: everything held goes first. */
START_TEST(test_gro_fragment_flushes)
{
	struct spec base = { .version = 4, .proto = IPPROTO_TCP, .seq = 1, .ack = 1 };

	gro_setup();
	make_stream(0, 2, &base, 1000, 1000);
	make_stream(2, 1, &base, 1000, 1000);
	in[2][6] = 0x20;	/* MF */
	memcpy(orig[2], in[2], in_len[2]);
	add(0);
	add(1);
	add(2);
	ck_assert_int_eq(nwrites, 2);
	check_super(&writes[0], 0, 2);
	check_alone(&writes[1], 2);
}
END_TEST

/* lib/csum.c against the reference, at every length and alignment up to 64. */
START_TEST(test_csum_matches_reference)
{
	uint8_t buf[80];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 64; len++)
			ck_assert_uint_eq(kgw_csum_fold(kgw_csum_add(0, buf + off, len)),
					  ref_fold(ref_sum(0, buf + off, len)));
	memset(buf, 0xff, sizeof(buf));
	ck_assert_uint_eq(kgw_csum_fold(kgw_csum_add(0, buf, 64)), 0xffff);
}
END_TEST

static Suite *offload_suite(void)
{
	Suite *s = suite_create("tun_offload");
	TCase *tc = tcase_create("gso");

	tcase_add_test(tc, test_csum_matches_reference);
	tcase_add_test(tc, test_gso_tcp4);
	tcase_add_test(tc, test_gso_tcp6_options);
	tcase_add_test(tc, test_gso_exact_multiple_and_single);
	tcase_add_test(tc, test_gso_udp4_udp6);
	tcase_add_test(tc, test_gso_none);
	tcase_add_loop_test(tc, test_gso_bad, 0, ARRAY_SIZE(bad_gso));
	suite_add_tcase(s, tc);
	tc = tcase_create("gro");
	tcase_add_test(tc, test_gro_tcp4_roundtrip);
	tcase_add_test(tc, test_gro_tcp6_options_roundtrip);
	tcase_add_test(tc, test_gro_gap_and_single);
	tcase_add_test(tc, test_gro_bad_checksum_not_coalesced);
	tcase_add_test(tc, test_gro_not_coalesced);
	tcase_add_loop_test(tc, test_gro_mismatch, 0, 8);
	tcase_add_test(tc, test_gro_limits);
	tcase_add_test(tc, test_gro_many_flows);
	tcase_add_test(tc, test_gro_fragment_flushes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(offload_suite());
}
