/* SPDX-License-Identifier: MIT */
/*
 * rtnetlink through libmnl: links, addresses, routes, and the forwarding
 * sysctls. kgwd configures the network itself rather than running `ip',
 * so every step is checked and reported with the kernel's own reason.
 *
 * The kgw_nl_msg_* builders are pure: they fill a caller's buffer and
 * return the message, or NULL when the input is invalid or does not fit.
 * The other functions send one such message on an rtnetlink socket
 * (kgw_nlsock_open(s, NETLINK_ROUTE)) and wait for its ack.
 */
#ifndef KGW_NL_H
#define KGW_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "addr.h"
#include "nlsock.h"

/* Longest link kind we send ("wireguard", "veth", "dummy"). */
#define KGW_NL_KIND_MAX 16

struct kgw_nl_link {
	unsigned int ifindex;
	char ifname[IFNAMSIZ];
	char kind[KGW_NL_KIND_MAX];	/* "" when the kernel did not say */
	unsigned int flags;		/* IFF_UP ... */
	uint32_t mtu;
};

/* 1..IFNAMSIZ-1 bytes of [A-Za-z0-9_.-], not "." or "..". */
bool kgw_nl_ifname_valid(const char *ifname);

struct nlmsghdr *kgw_nl_msg_getlink(void *buf, size_t len, uint32_t seq, const char *ifname);
struct nlmsghdr *kgw_nl_msg_newlink(void *buf, size_t len, uint32_t seq, const char *ifname,
				    const char *kind);
struct nlmsghdr *kgw_nl_msg_dellink(void *buf, size_t len, uint32_t seq, unsigned int ifindex);
struct nlmsghdr *kgw_nl_msg_setlink_up(void *buf, size_t len, uint32_t seq, unsigned int ifindex,
				       bool up);
struct nlmsghdr *kgw_nl_msg_setlink_mtu(void *buf, size_t len, uint32_t seq, unsigned int ifindex,
					uint32_t mtu);
/* add: RTM_NEWADDR (replacing an equal address), else RTM_DELADDR. */
struct nlmsghdr *kgw_nl_msg_addr(void *buf, size_t len, uint32_t seq, bool add,
				 unsigned int ifindex, const struct kgw_cidr *addr);
/* A direct route (scope link) to dst through the link, in the main table. */
struct nlmsghdr *kgw_nl_msg_route(void *buf, size_t len, uint32_t seq, bool add,
				  unsigned int ifindex, const struct kgw_cidr *dst);

/* RTM_NEWLINK -> struct; -EINVAL for a message that is not one, or malformed. */
int kgw_nl_parse_link(const struct nlmsghdr *nlh, struct kgw_nl_link *out)
	__attribute__((warn_unused_result));

/* -ENODEV when there is no such link. */
int kgw_nl_link_get(struct kgw_nlsock *s, const char *ifname, struct kgw_nl_link *out)
	__attribute__((warn_unused_result));
int kgw_nl_link_index(struct kgw_nlsock *s, const char *ifname, unsigned int *ifindex)
	__attribute__((warn_unused_result));
/* -EEXIST when a link of that name exists; -EOPNOTSUPP for an unknown kind. */
int kgw_nl_link_create(struct kgw_nlsock *s, const char *ifname, const char *kind)
	__attribute__((warn_unused_result));
int kgw_nl_link_delete(struct kgw_nlsock *s, unsigned int ifindex)
	__attribute__((warn_unused_result));
int kgw_nl_link_set_up(struct kgw_nlsock *s, unsigned int ifindex, bool up)
	__attribute__((warn_unused_result));
int kgw_nl_link_set_mtu(struct kgw_nlsock *s, unsigned int ifindex, uint32_t mtu)
	__attribute__((warn_unused_result));
int kgw_nl_addr_add(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *addr)
	__attribute__((warn_unused_result));
int kgw_nl_addr_del(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *addr)
	__attribute__((warn_unused_result));
int kgw_nl_route_add(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *dst)
	__attribute__((warn_unused_result));
int kgw_nl_route_del(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *dst)
	__attribute__((warn_unused_result));

/*
 * Turns on IPv4 and IPv6 forwarding by writing "1" to
 * PROC_SYS_NET/ipv4/ip_forward and PROC_SYS_NET/ipv6/conf/all/forwarding
 * (proc_sys_net NULL: /proc/sys/net, of the caller's network namespace).
 */
int kgw_nl_forwarding_enable(const char *proc_sys_net) __attribute__((warn_unused_result));

#endif
