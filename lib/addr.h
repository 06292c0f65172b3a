/* SPDX-License-Identifier: MIT */
/* IP prefixes, endpoints and port ranges as text: parse and format. */
#ifndef KGW_ADDR_H
#define KGW_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct kgw_cidr {
	sa_family_t family;	/* AF_INET or AF_INET6 */
	uint8_t prefix;		/* 0..32 or 0..128 */
	uint8_t addr[16];	/* network byte order; v4 uses the first 4 */
};

union kgw_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Longest text kgw_cidr_format() or kgw_sockaddr_format() writes, with NUL. */
#define KGW_ADDR_STR_MAX (INET6_ADDRSTRLEN + 8)

/*
 * "10.0.0.0/8", "fd00::/64"; a bare address is a host prefix (/32, /128).
 * Host bits set below the prefix are an error (-EINVAL), as a typo in an
 * allow rule should not silently widen or narrow it; with `strict' false
 * they are cleared instead (what `wg' accepts for allowed-ips).
 */
int kgw_cidr_parse(const char *text, bool strict, struct kgw_cidr *out)
	__attribute__((warn_unused_result));
const char *kgw_cidr_format(const struct kgw_cidr *cidr, char out[static KGW_ADDR_STR_MAX]);
/* Does the prefix contain this address (family-matched, 4 or 16 bytes)? */
bool kgw_cidr_contains(const struct kgw_cidr *cidr, sa_family_t family, const uint8_t *addr);
/* The same family, prefix length and address bytes. */
bool kgw_cidr_equal(const struct kgw_cidr *a, const struct kgw_cidr *b);
int kgw_addr_len(sa_family_t family);

/* "1.2.3.4:51820", "[fd00::1]:51820". Numeric only: no DNS from daemons. */
int kgw_sockaddr_parse(const char *text, union kgw_sockaddr *out)
	__attribute__((warn_unused_result));
const char *kgw_sockaddr_format(const union kgw_sockaddr *sa, char out[static KGW_ADDR_STR_MAX]);
socklen_t kgw_sockaddr_len(const union kgw_sockaddr *sa);

/* 1..65535 exactly: no sign, no spaces, no trailing junk. */
int kgw_port_parse(const char *text, uint16_t *out) __attribute__((warn_unused_result));

#endif
