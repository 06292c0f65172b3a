/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "source.h"

void kgw_source_key(const union kgw_sockaddr *sa, struct kgw_source_key *key)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *a6 = sa->in6.sin6_addr.s6_addr;

	memset(key, 0, sizeof(*key));
	if (sa->sa.sa_family == AF_INET6 && !memcmp(a6, mapped, sizeof(mapped))) {
		key->b[0] = 4;
		memcpy(key->b + 1, a6 + 12, 4);
		key->len = 5;
	} else if (sa->sa.sa_family == AF_INET6) {
		key->b[0] = 6;
		memcpy(key->b + 1, a6, 8);
		key->len = 9;
	} else {
		key->b[0] = 4;
		memcpy(key->b + 1, &sa->in.sin_addr, 4);
		key->len = 5;
	}
}

bool kgw_source_same(const union kgw_sockaddr *a, const union kgw_sockaddr *b)
{
	struct kgw_source_key ka, kb;

	kgw_source_key(a, &ka);
	kgw_source_key(b, &kb);
	return ka.len == kb.len && !memcmp(ka.b, kb.b, ka.len);
}

const char *kgw_source_format(const union kgw_sockaddr *sa, char out[static KGW_ADDR_STR_MAX])
{
	const void *a = sa->sa.sa_family == AF_INET6 ? (const void *)&sa->in6.sin6_addr
						      : (const void *)&sa->in.sin_addr;

	if ((sa->sa.sa_family != AF_INET && sa->sa.sa_family != AF_INET6) ||
	    !inet_ntop(sa->sa.sa_family, a, out, KGW_ADDR_STR_MAX))
		snprintf(out, KGW_ADDR_STR_MAX, "(unknown)");
	return out;
}
