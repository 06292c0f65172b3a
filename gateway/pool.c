/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define POOL_MAX_PREFIX_BITS 24	/* a /8 at most */
#define POOL_FIRST_CLIENT 2

int kgw_pool_init(struct kgw_pool *p, const struct kgw_cidr *net4, const struct kgw_cidr *net6)
{
	unsigned int host_bits = 32 - net4->prefix;

	memset(p, 0, sizeof(*p));
	if (net4->family != AF_INET || net6->family != AF_INET6 || host_bits < 2 ||
	    host_bits > POOL_MAX_PREFIX_BITS || 128u - net6->prefix < host_bits)
		return -EINVAL;
	p->net4 = *net4;
	p->net6 = *net6;
	/* The top address is the IPv4 broadcast: not handed out. */
	p->size = (1u << host_bits) - 1;
	p->cursor = POOL_FIRST_CLIENT;
	p->bits = calloc((p->size + 63) / 64, sizeof(uint64_t));
	return p->bits ? 0 : -ENOMEM;
}

void kgw_pool_free(struct kgw_pool *p)
{
	if (!p)
		return;
	free(p->bits);
	p->bits = NULL;
}

static void put_host(uint8_t *addr, int len, uint32_t host)
{
	for (int i = 0; i < 4; i++)
		addr[len - 1 - i] |= (uint8_t)(host >> (8 * i));
}

void kgw_pool_addr(const struct kgw_pool *p, uint32_t host, struct kgw_cidr *a4, struct kgw_cidr *a6)
{
	*a4 = p->net4;
	a4->prefix = 32;
	put_host(a4->addr, 4, host);
	*a6 = p->net6;
	a6->prefix = 128;
	put_host(a6->addr, 16, host);
}

void kgw_pool_gateway(const struct kgw_pool *p, struct kgw_cidr *a4, struct kgw_cidr *a6)
{
	kgw_pool_addr(p, 1, a4, a6);
	a4->prefix = p->net4.prefix;
	a6->prefix = p->net6.prefix;
}

static bool is_used(const struct kgw_pool *p, uint32_t h)
{
	return p->bits[h / 64] >> (h % 64) & 1;
}

int kgw_pool_alloc(struct kgw_pool *p, uint32_t *host)
{
	uint32_t span = p->size - POOL_FIRST_CLIENT;

	for (uint32_t i = 0; i < span; i++) {
		uint32_t h = POOL_FIRST_CLIENT + (p->cursor - POOL_FIRST_CLIENT + i) % span;

		/* Skip whole full words quickly. */
		if (h % 64 == 0 && p->bits[h / 64] == UINT64_MAX && i + 63 < span) {
			i += 63;
			continue;
		}
		if (!is_used(p, h)) {
			p->bits[h / 64] |= 1ULL << (h % 64);
			p->used++;
			p->cursor = h + 1 < p->size ? h + 1 : POOL_FIRST_CLIENT;
			*host = h;
			return 0;
		}
	}
	return -ENOSPC;
}

int kgw_pool_take(struct kgw_pool *p, const struct kgw_cidr *a4, uint32_t *host)
{
	uint32_t h = 0;

	if (a4->family != AF_INET || !kgw_cidr_contains(&p->net4, AF_INET, a4->addr))
		return -ERANGE;
	for (int i = 0; i < 4; i++)
		h = h << 8 | a4->addr[i];
	h &= (1u << (32 - p->net4.prefix)) - 1;
	if (h < POOL_FIRST_CLIENT || h >= p->size)
		return -ERANGE;
	if (is_used(p, h))
		return -EEXIST;
	p->bits[h / 64] |= 1ULL << (h % 64);
	p->used++;
	*host = h;
	return 0;
}

void kgw_pool_release(struct kgw_pool *p, uint32_t host)
{
	if (host < POOL_FIRST_CLIENT || host >= p->size || !is_used(p, host))
		return;
	p->bits[host / 64] &= ~(1ULL << (host % 64));
	p->used--;
}

uint32_t kgw_pool_available(const struct kgw_pool *p)
{
	return p->size - POOL_FIRST_CLIENT - p->used;
}
