/* SPDX-License-Identifier: MIT */
/* The tunnel interface's addresses, through rtnetlink; forwarding. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "kgwd.h"
#include "log.h"
#include "nl.h"
#include "nlsock.h"

/* The gateway's address with the pool's prefix: the kernel adds the pool route. */
static int add_addr(struct kgw_nlsock *s, unsigned int ifindex, struct kgw_cidr a, uint8_t prefix)
{
	char buf[KGW_ADDR_STR_MAX];
	int ret;

	a.prefix = prefix;
	ret = kgw_nl_addr_add(s, ifindex, &a);
	if (ret == -EEXIST)
		return 0;
	if (ret)
		kgw_err("cannot add %s to the tunnel: %s", kgw_cidr_format(&a, buf), strerror(-ret));
	return ret;
}

int kgwd_net_setup(struct kgwd *d)
{
	struct kgw_cidr g4, g6;
	struct kgw_nlsock s;
	unsigned int ifindex;
	int ret;

	if ((ret = kgw_nlsock_open(&s, NETLINK_ROUTE)))
		return ret;
	kgw_pool_gateway(&d->pool, &g4, &g6);
	if ((ret = kgw_nl_link_index(&s, d->backend->ifname, &ifindex)) ||
	    (ret = add_addr(&s, ifindex, g4, d->cfg.tunnel_pool.prefix)) ||
	    (ret = add_addr(&s, ifindex, g6, d->cfg.tunnel_pool6.prefix)) ||
	    (ret = kgw_nl_link_set_up(&s, ifindex, true)))
		goto out;
out:
	kgw_nlsock_close(&s);
	return ret;
}

/* Only once the firewall is in place. */
int kgwd_net_forwarding(void)
{
	int ret = kgw_nl_forwarding_enable("/proc/sys/net");

	if (ret)
		kgw_err("cannot turn on IP forwarding: %s", strerror(-ret));
	return ret;
}
