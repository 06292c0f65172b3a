/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "nl.h"
#include "tun.h"
#include "tunnel.h"
#include "wg_device.h"
#include "wg_engine.h"
#include "wg_kernel.h"
#include "wg_uapi.h"

struct kgwc_tunnel {
	enum kgwc_backend backend;
	char ifname[IFNAMSIZ];
	struct kgw_nlsock rtnl;
	bool rtnl_open;
	struct wg_engine *eng;		/* userspace */
	bool link_created;		/* kernel */
};

__attribute__((format(printf, 2, 3)))
static int fail(char err[static KGWC_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, KGWC_ERR_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

static int up_userspace(struct kgwc_tunnel *t, struct ev_loop *loop, const struct kgwc_tunnel_config *cfg,
			char err[static KGWC_ERR_MAX])
{
	struct wg_engine_config ec = { .uapi_dir = KGW_WG_UAPI_DIR };
	char actual[IFNAMSIZ];
	int fd, ret;

	fd = kgw_tun_open(cfg->ifname, true, actual, &ec.tun_features);
	if (fd < 0)
		return fail(err, "%s: cannot create the TUN device: %s", cfg->ifname, kgw_tun_strerror(fd));
	if ((ret = kgw_tun_set_mtu(actual, KGWC_TUN_MTU)))
		kgw_warn("%s: cannot set the MTU: %s", actual, strerror(-ret));
	ec.ifname = actual;
	ec.tun_fd = fd;
	t->eng = wg_engine_new(loop, &ec, &ret);
	if (!t->eng)
		return fail(err, "%s: cannot start the WireGuard engine: %s", actual, strerror(-ret));
	return 0;
}

/* Key and peer into the userspace engine, as one `set' transaction. */
static int configure_userspace(struct kgwc_tunnel *t, const struct kgwc_tunnel_config *cfg,
			       char err[static KGWC_ERR_MAX])
{
	const struct kgwc_session *s = cfg->session;
	struct wg_uapi_peer peer = {
		.replace_allowed_ips = true, .has_endpoint = true, .endpoint = cfg->endpoint,
		.has_keepalive = true, .keepalive = s->keepalive,
		.allowed_ips = (struct kgw_cidr *)s->routes, .n_allowed_ips = s->n_routes,
	};
	struct wg_uapi_set set = { .has_private_key = true, .replace_peers = true,
				   .peers = &peer, .n_peers = 1, .n_allowed_ips = s->n_routes };
	int ret;

	memcpy(set.private_key, cfg->private_key, WG_KEY_LEN);
	memcpy(peer.public_key, s->gateway_public_key, WG_KEY_LEN);
	ret = wg_device_apply(wg_engine_device(t->eng), &set, wg_engine_now_ms());
	sodium_memzero(set.private_key, WG_KEY_LEN);
	if (!ret)
		ret = wg_engine_sync_sockets(t->eng);
	return ret ? fail(err, "%s: cannot configure the engine: %s", t->ifname, strerror(-ret)) : 0;
}

static int up_kernel(struct kgwc_tunnel *t, const struct kgwc_tunnel_config *cfg,
		     char err[static KGWC_ERR_MAX])
{
	const struct kgwc_session *s = cfg->session;
	struct kgw_wg_peer peer = {
		.flags = KGW_WG_PEER_REPLACE_ALLOWEDIPS | KGW_WG_PEER_HAS_KEEPALIVE,
		.endpoint = cfg->endpoint, .keepalive = s->keepalive,
		.allowedips = (struct kgw_cidr *)s->routes, .n_allowedips = s->n_routes,
	};
	struct kgw_wg_device dev = { .flags = KGW_WG_DEVICE_HAS_PRIVATE_KEY | KGW_WG_DEVICE_REPLACE_PEERS,
				     .peers = &peer, .n_peers = 1 };
	struct kgw_wg_kernel k;
	unsigned int ifindex;
	int ret;

	ret = kgw_wg_kernel_link_create(&t->rtnl, t->ifname);
	if (ret == -EEXIST)
		return fail(err, "%s: the interface exists already", t->ifname);
	if (ret)
		return fail(err, "%s: cannot create the WireGuard link: %s", t->ifname, strerror(-ret));
	t->link_created = true;
	if (!kgw_nl_link_index(&t->rtnl, t->ifname, &ifindex) &&
	    (ret = kgw_nl_link_set_mtu(&t->rtnl, ifindex, KGWC_TUN_MTU)))
		kgw_warn("%s: cannot set the MTU: %s", t->ifname, strerror(-ret));
	if ((ret = kgw_wg_kernel_open(&k, false)))
		return fail(err, "%s: cannot reach kernel WireGuard: %s", t->ifname, strerror(-ret));
	snprintf(dev.ifname, sizeof(dev.ifname), "%s", t->ifname);
	memcpy(dev.private_key, cfg->private_key, WG_KEY_LEN);
	memcpy(peer.public_key, s->gateway_public_key, WG_KEY_LEN);
	ret = kgw_wg_kernel_set(&k, &dev);
	sodium_memzero(dev.private_key, WG_KEY_LEN);
	kgw_wg_kernel_close(&k);
	return ret ? fail(err, "%s: cannot configure WireGuard: %s", t->ifname, strerror(-ret)) : 0;
}

/* Would traffic to the gateway itself be routed into the tunnel? */
static bool covers_endpoint(const struct kgw_cidr *route, const union kgw_sockaddr *ep)
{
	if (ep->sa.sa_family == AF_INET)
		return kgw_cidr_contains(route, AF_INET, (const uint8_t *)&ep->in.sin_addr);
	if (ep->sa.sa_family == AF_INET6)
		return kgw_cidr_contains(route, AF_INET6, ep->in6.sin6_addr.s6_addr);
	return false;
}

static bool has_v6_route(const struct kgwc_session *s)
{
	for (size_t i = 0; i < s->n_routes; i++)
		if (s->routes[i].family == AF_INET6)
			return true;
	return false;
}

/* Addresses, link up, routes: the same for both backends. */
static int configure_ip(struct kgwc_tunnel *t, const struct kgwc_tunnel_config *cfg,
			char err[static KGWC_ERR_MAX])
{
	const struct kgwc_session *s = cfg->session;
	char a[KGW_ADDR_STR_MAX];
	unsigned int ifindex;
	int ret;

	if ((ret = kgw_nl_link_index(&t->rtnl, t->ifname, &ifindex)))
		return fail(err, "%s: the interface vanished: %s", t->ifname, strerror(-ret));
	if ((ret = kgw_nl_addr_add(&t->rtnl, ifindex, &s->address)))
		return fail(err, "%s: cannot add address %s: %s", t->ifname,
			    kgw_cidr_format(&s->address, a), strerror(-ret));
	/* A host without IPv6 still gets its IPv4 API routes. */
	if (s->has_address6 && (ret = kgw_nl_addr_add(&t->rtnl, ifindex, &s->address6))) {
		if (has_v6_route(s))
			return fail(err, "%s: cannot add address %s: %s", t->ifname,
				    kgw_cidr_format(&s->address6, a), strerror(-ret));
		kgw_warn("%s: cannot add address %s: %s", t->ifname, kgw_cidr_format(&s->address6, a),
			 strerror(-ret));
	}
	if ((ret = kgw_nl_link_set_up(&t->rtnl, ifindex, true)))
		return fail(err, "%s: cannot bring the interface up: %s", t->ifname, strerror(-ret));
	for (size_t i = 0; i < s->n_routes; i++) {
		kgw_cidr_format(&s->routes[i], a);
		if (covers_endpoint(&s->routes[i], &cfg->endpoint)) {
			kgw_warn("%s: not routing %s: it holds the gateway's own endpoint", t->ifname, a);
			continue;
		}
		ret = kgw_nl_route_add(&t->rtnl, ifindex, &s->routes[i]);
		if (ret == -EEXIST)
			return fail(err, "%s: a route to %s exists already (another VPN?)", t->ifname, a);
		if (ret)
			return fail(err, "%s: cannot add the route to %s: %s", t->ifname, a, strerror(-ret));
	}
	return 0;
}

int kgwc_tunnel_up(struct ev_loop *loop, const struct kgwc_tunnel_config *cfg,
		   struct kgwc_tunnel **out, char err[static KGWC_ERR_MAX])
{
	struct kgwc_tunnel *t = calloc(1, sizeof(*t));
	int ret;

	*out = NULL;
	if (!t)
		return fail(err, "out of memory");
	if (!kgw_nl_ifname_valid(cfg->ifname)) {
		free(t);
		return fail(err, "`%s' is not an interface name", cfg->ifname);
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", cfg->ifname);
	t->backend = cfg->backend;
	if (t->backend == KGWC_BACKEND_AUTO)
		t->backend = kgw_wg_kernel_available() ? KGWC_BACKEND_KERNEL : KGWC_BACKEND_USERSPACE;
	if ((ret = kgw_nlsock_open(&t->rtnl, NETLINK_ROUTE))) {
		fail(err, "cannot open an rtnetlink socket: %s", strerror(-ret));
		goto bad;
	}
	t->rtnl_open = true;
	if (kgwc_tunnel_link_exists(t->ifname)) {
		fail(err, "%s: the interface exists already (another session, or pick another "
		     "`interface' in the profile)", t->ifname);
		goto bad;
	}
	ret = t->backend == KGWC_BACKEND_KERNEL ? up_kernel(t, cfg, err)
		: up_userspace(t, loop, cfg, err) ? -1 : configure_userspace(t, cfg, err);
	if (ret || configure_ip(t, cfg, err))
		goto bad;
	*out = t;
	return 0;
bad:
	kgwc_tunnel_down(t);
	return -1;
}

void kgwc_tunnel_down(struct kgwc_tunnel *t)
{
	unsigned int ifindex;
	int ret;

	if (!t)
		return;
	/* Closing the TUN device removes the interface, its addresses and routes. */
	wg_engine_free(t->eng);
	if (t->link_created && !kgw_nl_link_index(&t->rtnl, t->ifname, &ifindex) &&
	    (ret = kgw_nl_link_delete(&t->rtnl, ifindex)))
		kgw_warn("%s: cannot delete the interface: %s", t->ifname, strerror(-ret));
	if (t->rtnl_open)
		kgw_nlsock_close(&t->rtnl);
	free(t);
}

enum kgwc_backend kgwc_tunnel_backend(const struct kgwc_tunnel *t)
{
	return t->backend;
}

bool kgwc_tunnel_link_exists(const char *ifname)
{
	return if_nametoindex(ifname) != 0;
}

int kgwc_tunnel_remove_link(const char *ifname)
{
	struct kgw_nlsock rtnl;
	struct kgw_nl_link link;
	int ret;

	if ((ret = kgw_nlsock_open(&rtnl, NETLINK_ROUTE)))
		return ret;
	ret = kgw_nl_link_get(&rtnl, ifname, &link);
	/* Only ever a WireGuard link: never delete someone else's interface of that name. */
	if (!ret && strcmp(link.kind, KGW_WG_KERNEL_KIND))
		ret = -EPERM;
	if (!ret)
		ret = kgw_nl_link_delete(&rtnl, link.ifindex);
	kgw_nlsock_close(&rtnl);
	return ret;
}
