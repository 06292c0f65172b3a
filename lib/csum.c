/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "csum.h"

/*
 * The ones' complement sum does not depend on byte order (RFC 1071, 2.B):
 * sum native 64-bit words, fold, and swap the result to big-endian once.
 */
static uint16_t sum_native(const uint8_t *p, size_t len)
{
	uint64_t acc = 0, w;
	uint16_t half = 0;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		acc += w;
		acc += acc < w;	/* end-around carry */
	}
	for (; len >= 2; p += 2, len -= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		acc += h;
		acc += acc < h;
	}
	/* An odd last byte is the high byte of a big-endian word padded with zero. */
	if (len) {
		memcpy(&half, p, 1);
		acc += half;
		acc += acc < half;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

uint32_t kgw_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint16_t s = sum_native(p, len);
	uint8_t be[2];

	/* The native sum's bytes in memory are the big-endian sum's bytes. */
	memcpy(be, &s, 2);
	return sum + (uint32_t)(be[0] << 8 | be[1]);
}

uint16_t kgw_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t kgw_csum_pseudo(const uint8_t *ip, uint8_t proto, uint32_t l4_len)
{
	uint32_t sum = proto + (l4_len >> 16) + (l4_len & 0xffff);

	if ((ip[0] >> 4) == 4)
		return kgw_csum_add(sum, ip + 12, 8);
	return kgw_csum_add(sum, ip + 8, 32);
}

void kgw_csum_ipv4_header(uint8_t *ip, size_t ihl)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = (uint16_t)~kgw_csum_fold(kgw_csum_add(0, ip, ihl));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}
