/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int kgw_addr_len(sa_family_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static int parse_uint(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	/* strtoul takes "-1", " 1" and "+1"; a config value should not. */
	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

int kgw_port_parse(const char *text, uint16_t *out)
{
	unsigned long v;

	if (parse_uint(text, 65535, &v) || v == 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int kgw_cidr_parse(const char *text, bool strict, struct kgw_cidr *out)
{
	char buf[KGW_ADDR_STR_MAX];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long prefix;
	int len;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	len = kgw_addr_len(out->family);
	prefix = (unsigned long)len * 8;
	if (slash && parse_uint(slash + 1, (unsigned long)len * 8, &prefix))
		goto bad;
	out->prefix = (uint8_t)prefix;
	for (int bit = out->prefix; bit < len * 8; bit++) {
		uint8_t mask = (uint8_t)(0x80 >> (bit % 8));

		if (out->addr[bit / 8] & mask) {
			if (strict)
				goto bad;
			out->addr[bit / 8] &= (uint8_t)~mask;
		}
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

const char *kgw_cidr_format(const struct kgw_cidr *cidr, char out[static KGW_ADDR_STR_MAX])
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(cidr->family, cidr->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(out, KGW_ADDR_STR_MAX, "%s/%u", a, cidr->prefix);
	return out;
}

bool kgw_cidr_equal(const struct kgw_cidr *a, const struct kgw_cidr *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       !memcmp(a->addr, b->addr, (size_t)kgw_addr_len(a->family));
}

bool kgw_cidr_contains(const struct kgw_cidr *cidr, sa_family_t family, const uint8_t *addr)
{
	unsigned int full = cidr->prefix / 8, rest = cidr->prefix % 8;

	if (family != cidr->family)
		return false;
	if (memcmp(cidr->addr, addr, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (cidr->addr[full] & mask) == (addr[full] & mask);
	}
	return true;
}

int kgw_sockaddr_parse(const char *text, union kgw_sockaddr *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *port, *hend;
	bool bracketed = false;
	uint16_t p;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		hend = strchr(text, ']');
		bracketed = true;
		if (!hend || hend[1] != ':')
			return -EINVAL;
		port = hend + 2;
		text++;
	} else {
		hend = strrchr(text, ':');
		if (!hend)
			return -EINVAL;
		port = hend + 1;
	}
	if ((size_t)(hend - text) >= sizeof(host) || kgw_port_parse(port, &p))
		return -EINVAL;
	memcpy(host, text, (size_t)(hend - text));
	host[hend - text] = '\0';
	/* "fd00::1:443" could be either; IPv6 with a port must be bracketed. */
	if (!bracketed && strchr(host, ':'))
		return -EINVAL;
	if (inet_pton(AF_INET, host, &out->in.sin_addr) == 1) {
		out->in.sin_family = AF_INET;
		out->in.sin_port = htons(p);
	} else if (inet_pton(AF_INET6, host, &out->in6.sin6_addr) == 1) {
		out->in6.sin6_family = AF_INET6;
		out->in6.sin6_port = htons(p);
	} else {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	return 0;
}

const char *kgw_sockaddr_format(const union kgw_sockaddr *sa, char out[static KGW_ADDR_STR_MAX])
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa.sa_family == AF_INET && inet_ntop(AF_INET, &sa->in.sin_addr, a, sizeof(a)))
		snprintf(out, KGW_ADDR_STR_MAX, "%s:%u", a, ntohs(sa->in.sin_port));
	else if (sa->sa.sa_family == AF_INET6 && inet_ntop(AF_INET6, &sa->in6.sin6_addr, a, sizeof(a)))
		snprintf(out, KGW_ADDR_STR_MAX, "[%s]:%u", a, ntohs(sa->in6.sin6_port));
	else
		snprintf(out, KGW_ADDR_STR_MAX, "(none)");
	return out;
}

socklen_t kgw_sockaddr_len(const union kgw_sockaddr *sa)
{
	return sa->sa.sa_family == AF_INET ? sizeof(sa->in)
		: sa->sa.sa_family == AF_INET6 ? sizeof(sa->in6) : 0;
}
