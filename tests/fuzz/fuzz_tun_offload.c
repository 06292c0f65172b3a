/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the TUN offloads (lib/tun_gso.c, lib/tun_gro.c).
 * The input is what a TUN read gives: a struct virtio_net_hdr, then the
 * packet. Whatever segmentation accepts must come out as packets with
 * valid checksums, none longer than the input; those packets, and the
 * input itself, go through the coalescer, which must write each exactly
 * once, and every super-packet it writes must be one segmentation accepts
 * and cuts back into as many packets as went in.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "tun_gro.h"
#include "tun_gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SLOTS KGW_TUN_GRO_SEGMENTS
#define SLOT_LEN 8192

static uint8_t slot[SLOTS + 1][SLOT_LEN];
static uint8_t super[KGW_TUN_GRO_MAX], cut[KGW_TUN_GRO_MAX];
static size_t written;

static void check_written(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct virtio_net_hdr vh;
	struct kgw_tun_gso g;
	size_t len = 0;
	int n = 0;

	(void)ctx;
	if (iovcnt < 2 || iov[0].iov_len != sizeof(vh))
		abort();
	memcpy(&vh, iov[0].iov_base, sizeof(vh));
	for (int i = 1; i < iovcnt; i++) {
		if (len + iov[i].iov_len > sizeof(super))
			abort();
		memcpy(super + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (iovcnt != 2 || vh.flags)
			abort();
		written++;
		return;
	}
	if (kgw_tun_gso_begin(&g, &vh, super, len))
		abort();
	while (kgw_tun_gso_next(&g, cut, sizeof(cut)))
		n++;
	if (n != iovcnt - 1)
		abort();
	written += (size_t)n;
}

/* A segment's checksums must verify, as the receiving stack will check them. */
static void check_segment(const uint8_t *p, size_t len, const struct kgw_tun_gso *g)
{
	uint32_t sum;

	if (len > g->len || len < g->hdr_len)
		abort();
	if ((p[0] >> 4) == 4 && kgw_csum_fold(kgw_csum_add(0, p, g->l3_len)) != 0xffff)
		abort();
	sum = kgw_csum_pseudo(p, g->proto, (uint32_t)(len - g->l3_len));
	if (kgw_csum_fold(kgw_csum_add(sum, p + g->l3_len, len - g->l3_len)) != 0xffff)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh;
	struct kgw_tun_gro gro;
	struct kgw_tun_gso g;
	size_t n, added = 0, segs = 0;

	if (size < sizeof(vh) || size - sizeof(vh) > SLOT_LEN)
		return 0;
	memcpy(&vh, data, sizeof(vh));
	data += sizeof(vh);
	size -= sizeof(vh);
	written = 0;
	kgw_tun_gro_init(&gro, check_written, NULL);
	if (!kgw_tun_gso_begin(&g, &vh, data, size)) {
		while ((n = kgw_tun_gso_next(&g, slot[added], SLOT_LEN))) {
			if (g.proto && g.mss)
				check_segment(slot[added], n, &g);
			else if (n != size)
				abort();
			if (++segs > size)
				abort();	/* every segment carries at least one payload byte */
			kgw_tun_gro_add(&gro, slot[added], n);
			if (++added == SLOTS) {
				kgw_tun_gro_flush(&gro);
				if (written != added)
					abort();
				added = written = 0;
			}
		}
	}
	memcpy(slot[SLOTS], data, size);
	kgw_tun_gro_add(&gro, slot[SLOTS], size);
	kgw_tun_gro_flush(&gro);
	if (written != added + 1)
		abort();
	return 0;
}
