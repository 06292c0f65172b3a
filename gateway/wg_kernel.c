/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "log.h"
#include "nl.h"
#include "wg_kernel.h"

#define WG_KERNEL_MISSING "the kernel has no WireGuard (wireguard module not built or not loaded)"

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (kgw_wg_parse_family(nlh, data) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int kgw_wg_kernel_open(struct kgw_wg_kernel *k, bool quiet)
{
	struct nlmsghdr *nlh;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = kgw_nlsock_open(&k->genl, NETLINK_GENERIC);
	if (ret < 0)
		return ret;
	nlh = kgw_wg_msg_get_family(k->genl.buf, k->genl.buf_len, kgw_nlsock_next_seq(&k->genl));
	ret = kgw_nlsock_talk(&k->genl, nlh, family_cb, &k->family, NULL);
	if (ret == 0 && k->family == 0)
		ret = -EPROTO;
	if (ret == -ENOENT && !quiet)
		kgw_err("kernel WireGuard: no generic netlink family `wireguard': " WG_KERNEL_MISSING);
	else if (ret < 0 && !quiet)
		kgw_err("kernel WireGuard: resolving generic netlink family `wireguard': %s",
			strerror(-ret));
	if (ret < 0)
		kgw_wg_kernel_close(k);
	return ret;
}

void kgw_wg_kernel_close(struct kgw_wg_kernel *k)
{
	if (!k)
		return;
	kgw_nlsock_close(&k->genl);
	k->family = 0;
}

bool kgw_wg_kernel_available(void)
{
	struct kgw_wg_kernel k;

	if (kgw_wg_kernel_open(&k, true) < 0)
		return false;
	kgw_wg_kernel_close(&k);
	return true;
}

int kgw_wg_kernel_link_create(struct kgw_nlsock *rtnl, const char *ifname)
{
	char q[IFNAMSIZ + 4];
	struct nlmsghdr *nlh;
	int ret;

	kgw_log_quote(ifname, q, sizeof(q));
	nlh = kgw_nl_msg_newlink(rtnl->buf, rtnl->buf_len, kgw_nlsock_next_seq(rtnl), ifname,
				 KGW_WG_KERNEL_KIND);
	if (!nlh) {
		kgw_err("kernel WireGuard: create link `%s': not an interface name", q);
		return -EINVAL;
	}
	ret = kgw_nlsock_talk(rtnl, nlh, NULL, NULL, NULL);
	/* "Unknown device type": the wireguard link kind is not registered. */
	if (ret == -EOPNOTSUPP)
		kgw_err("kernel WireGuard: create link `%s': " WG_KERNEL_MISSING " (%s%s%s)", q,
			strerror(-ret), rtnl->extack[0] ? ": " : "", rtnl->extack);
	else if (ret < 0)
		kgw_err("kernel WireGuard: create link `%s': %s%s%s", q, strerror(-ret),
			rtnl->extack[0] ? ": " : "", rtnl->extack);
	return ret;
}

int kgw_wg_kernel_set(struct kgw_wg_kernel *k, const struct kgw_wg_device *dev)
{
	struct kgw_wg_set_cursor cur;
	struct nlmsghdr *nlh;
	char what[96], q[IFNAMSIZ + 4];
	unsigned int n = 0;
	int ret;

	memset(&cur, 0, sizeof(cur));
	kgw_log_quote(dev->ifname, q, sizeof(q));
	for (;;) {
		ret = kgw_wg_msg_set_device(k->genl.buf, k->genl.buf_len,
					    kgw_nlsock_next_seq(&k->genl), k->family, dev, &cur, &nlh);
		if (ret <= 0)
			break;
		n++;
		snprintf(what, sizeof(what), "kernel WireGuard: set device `%s' (message %u)", q, n);
		ret = kgw_nlsock_talk(&k->genl, nlh, NULL, NULL, what);
		/* The request held the private and preshared keys. */
		sodium_memzero(k->genl.buf, k->genl.buf_len);
		if (ret < 0)
			return ret;
	}
	if (ret < 0)
		kgw_err("kernel WireGuard: set device `%s': %s", q,
			ret == -EINVAL ? "invalid device, endpoint or allowed IP" : strerror(-ret));
	return ret;
}

static int device_cb(const struct nlmsghdr *nlh, void *data)
{
	int ret = kgw_wg_parse_device(nlh, data);

	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int kgw_wg_kernel_get(struct kgw_wg_kernel *k, const char *ifname, struct kgw_wg_device *out)
{
	struct nlmsghdr *nlh;
	char what[64], q[IFNAMSIZ + 4];
	int ret;

	memset(out, 0, sizeof(*out));
	kgw_log_quote(ifname, q, sizeof(q));
	nlh = kgw_wg_msg_get_device(k->genl.buf, k->genl.buf_len, kgw_nlsock_next_seq(&k->genl),
				    k->family, ifname);
	if (!nlh) {
		kgw_err("kernel WireGuard: get device `%s': not an interface name", q);
		return -EINVAL;
	}
	snprintf(what, sizeof(what), "kernel WireGuard: get device `%s'", q);
	ret = kgw_nlsock_talk(&k->genl, nlh, device_cb, out, what);
	/* The answers held the private key. */
	sodium_memzero(k->genl.buf, k->genl.buf_len);
	if (ret < 0)
		kgw_wg_device_clear(out);
	return ret;
}
