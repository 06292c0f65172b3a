/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nl.h"

#define NL_WHAT_MAX 160
#define PROC_SYS_NET "/proc/sys/net"

bool kgw_nl_ifname_valid(const char *ifname)
{
	size_t n = strnlen(ifname, IFNAMSIZ);

	if (n == 0 || n == IFNAMSIZ || !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = ifname[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static struct nlmsghdr *msg_start(void *buf, size_t len, uint32_t seq, uint16_t type,
				  uint16_t flags, size_t extra)
{
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(extra))
		return NULL;
	/*
	 * libmnl 1.0.4 (Debian 12) leaves attribute padding as it finds it,
	 * so the kernel would get stale heap bytes (valgrind found it).
	 */
	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

static struct nlmsghdr *link_start(void *buf, size_t len, uint32_t seq, uint16_t type,
				   uint16_t flags, unsigned int ifindex)
{
	struct nlmsghdr *nlh = msg_start(buf, len, seq, type, flags, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifm;

	if (!nlh)
		return NULL;
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifindex;
	return nlh;
}

struct nlmsghdr *kgw_nl_msg_getlink(void *buf, size_t len, uint32_t seq, const char *ifname)
{
	struct nlmsghdr *nlh;

	if (!kgw_nl_ifname_valid(ifname))
		return NULL;
	nlh = link_start(buf, len, seq, RTM_GETLINK, 0, 0);
	if (!nlh || !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, ifname))
		return NULL;
	return nlh;
}

struct nlmsghdr *kgw_nl_msg_newlink(void *buf, size_t len, uint32_t seq, const char *ifname,
				    const char *kind)
{
	struct nlmsghdr *nlh;
	struct nlattr *info;
	size_t klen = strnlen(kind, KGW_NL_KIND_MAX);

	if (!kgw_nl_ifname_valid(ifname) || klen == 0 || klen == KGW_NL_KIND_MAX)
		return NULL;
	nlh = link_start(buf, len, seq, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	if (!nlh || !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, ifname))
		return NULL;
	info = mnl_attr_nest_start_check(nlh, len, IFLA_LINKINFO);
	if (!info || !mnl_attr_put_strz_check(nlh, len, IFLA_INFO_KIND, kind))
		return NULL;
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

struct nlmsghdr *kgw_nl_msg_dellink(void *buf, size_t len, uint32_t seq, unsigned int ifindex)
{
	if (ifindex == 0)
		return NULL;
	return link_start(buf, len, seq, RTM_DELLINK, 0, ifindex);
}

struct nlmsghdr *kgw_nl_msg_setlink_up(void *buf, size_t len, uint32_t seq, unsigned int ifindex,
				       bool up)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	if (ifindex == 0)
		return NULL;
	nlh = link_start(buf, len, seq, RTM_NEWLINK, 0, ifindex);
	if (!nlh)
		return NULL;
	/* ifi_change says which flag bits ifi_flags sets: only IFF_UP. */
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	return nlh;
}

struct nlmsghdr *kgw_nl_msg_setlink_mtu(void *buf, size_t len, uint32_t seq, unsigned int ifindex,
					uint32_t mtu)
{
	struct nlmsghdr *nlh;

	if (ifindex == 0 || mtu == 0)
		return NULL;
	nlh = link_start(buf, len, seq, RTM_NEWLINK, 0, ifindex);
	if (!nlh || !mnl_attr_put_check(nlh, len, IFLA_MTU, sizeof(mtu), &mtu))
		return NULL;
	return nlh;
}

static bool cidr_ok(const struct kgw_cidr *c)
{
	return (c->family == AF_INET && c->prefix <= 32) ||
	       (c->family == AF_INET6 && c->prefix <= 128);
}

struct nlmsghdr *kgw_nl_msg_addr(void *buf, size_t len, uint32_t seq, bool add,
				 unsigned int ifindex, const struct kgw_cidr *addr)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t alen;

	if (ifindex == 0 || !cidr_ok(addr))
		return NULL;
	alen = (size_t)kgw_addr_len(addr->family);
	nlh = msg_start(buf, len, seq, add ? RTM_NEWADDR : RTM_DELADDR,
			add ? NLM_F_CREATE | NLM_F_REPLACE : 0, sizeof(*ifa));
	if (!nlh)
		return NULL;
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = (uint8_t)addr->family;
	ifa->ifa_prefixlen = addr->prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	/*
	 * Tunnel addresses are handed out by kgwd from its own pool: there is
	 * nobody to detect a duplicate against, and DAD would leave the v6
	 * address unusable ("tentative") for the first second.
	 */
	if (addr->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	if (!mnl_attr_put_check(nlh, len, IFA_LOCAL, alen, addr->addr) ||
	    !mnl_attr_put_check(nlh, len, IFA_ADDRESS, alen, addr->addr))
		return NULL;
	return nlh;
}

struct nlmsghdr *kgw_nl_msg_route(void *buf, size_t len, uint32_t seq, bool add,
				  unsigned int ifindex, const struct kgw_cidr *dst)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t oif = ifindex;

	if (ifindex == 0 || !cidr_ok(dst))
		return NULL;
	nlh = msg_start(buf, len, seq, add ? RTM_NEWROUTE : RTM_DELROUTE,
			add ? NLM_F_CREATE | NLM_F_REPLACE : 0, sizeof(*rtm));
	if (!nlh)
		return NULL;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = dst->prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst->prefix > 0 &&
	    !mnl_attr_put_check(nlh, len, RTA_DST, (size_t)kgw_addr_len(dst->family), dst->addr))
		return NULL;
	if (!mnl_attr_put_check(nlh, len, RTA_OIF, sizeof(oif), &oif))
		return NULL;
	return nlh;
}

static int linkinfo_attr(const struct nlattr *attr, void *data)
{
	struct kgw_nl_link *out = data;

	if (mnl_attr_get_type(attr) != IFLA_INFO_KIND)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
		return MNL_CB_ERROR;
	snprintf(out->kind, sizeof(out->kind), "%.*s", (int)strnlen(mnl_attr_get_str(attr),
		 mnl_attr_get_payload_len(attr)), mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *attr, void *data)
{
	struct kgw_nl_link *out = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
			return MNL_CB_ERROR;
		snprintf(out->ifname, sizeof(out->ifname), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		out->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, linkinfo_attr, out) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

int kgw_nl_parse_link(const struct nlmsghdr *nlh, struct kgw_nl_link *out)
{
	const struct ifinfomsg *ifm;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < MNL_NLMSG_HDRLEN ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -EINVAL;
	ifm = mnl_nlmsg_get_payload(nlh);
	out->ifindex = (unsigned int)ifm->ifi_index;
	out->flags = ifm->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr, out) < 0) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	return 0;
}

/* Sends nlh from s->buf; logs "rtnetlink: <what>: <reason>" on failure. */
static int nl_talk(struct kgw_nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int nl_talk(struct kgw_nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		   const char *fmt, ...)
{
	char what[NL_WHAT_MAX];
	va_list ap;
	int n;

	n = snprintf(what, sizeof(what), "rtnetlink: ");
	va_start(ap, fmt);
	vsnprintf(what + n, sizeof(what) - (size_t)n, fmt, ap);
	va_end(ap);
	if (!nlh) {
		kgw_err("%s: invalid argument", what);
		return -EINVAL;
	}
	return kgw_nlsock_talk(s, nlh, cb, data, what);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	if (kgw_nl_parse_link(nlh, data) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int kgw_nl_link_get(struct kgw_nlsock *s, const char *ifname, struct kgw_nl_link *out)
{
	struct nlmsghdr *nlh;
	char q[IFNAMSIZ + 4];
	int ret;

	memset(out, 0, sizeof(*out));
	kgw_log_quote(ifname, q, sizeof(q));
	nlh = kgw_nl_msg_getlink(s->buf, s->buf_len, kgw_nlsock_next_seq(s), ifname);
	if (!nlh) {
		kgw_err("rtnetlink: get link `%s': not an interface name", q);
		return -EINVAL;
	}
	/* A missing link is an answer, not a failure: the caller decides. */
	ret = kgw_nlsock_talk(s, nlh, link_cb, out, NULL);
	if (ret == -ENODEV)
		return ret;
	if (ret < 0)
		kgw_err("rtnetlink: get link `%s': %s", q, strerror(-ret));
	else if (out->ifindex == 0)
		ret = -EPROTO;
	return ret;
}

int kgw_nl_link_index(struct kgw_nlsock *s, const char *ifname, unsigned int *ifindex)
{
	struct kgw_nl_link link;
	int ret = kgw_nl_link_get(s, ifname, &link);

	*ifindex = ret < 0 ? 0 : link.ifindex;
	return ret;
}

int kgw_nl_link_create(struct kgw_nlsock *s, const char *ifname, const char *kind)
{
	char q[IFNAMSIZ + 4], k[KGW_NL_KIND_MAX + 4];

	kgw_log_quote(ifname, q, sizeof(q));
	kgw_log_quote(kind, k, sizeof(k));
	return nl_talk(s, kgw_nl_msg_newlink(s->buf, s->buf_len, kgw_nlsock_next_seq(s), ifname,
					     kind),
		       NULL, NULL, "create link `%s' of kind `%s'", q, k);
}

int kgw_nl_link_delete(struct kgw_nlsock *s, unsigned int ifindex)
{
	return nl_talk(s, kgw_nl_msg_dellink(s->buf, s->buf_len, kgw_nlsock_next_seq(s), ifindex),
		       NULL, NULL, "delete link %u", ifindex);
}

int kgw_nl_link_set_up(struct kgw_nlsock *s, unsigned int ifindex, bool up)
{
	return nl_talk(s, kgw_nl_msg_setlink_up(s->buf, s->buf_len, kgw_nlsock_next_seq(s),
						ifindex, up),
		       NULL, NULL, "set link %u %s", ifindex, up ? "up" : "down");
}

int kgw_nl_link_set_mtu(struct kgw_nlsock *s, unsigned int ifindex, uint32_t mtu)
{
	return nl_talk(s, kgw_nl_msg_setlink_mtu(s->buf, s->buf_len, kgw_nlsock_next_seq(s),
						 ifindex, mtu),
		       NULL, NULL, "set link %u mtu %u", ifindex, mtu);
}

static int addr_op(struct kgw_nlsock *s, bool add, unsigned int ifindex,
		   const struct kgw_cidr *addr)
{
	char a[KGW_ADDR_STR_MAX] = "?";

	if (cidr_ok(addr))
		kgw_cidr_format(addr, a);
	return nl_talk(s, kgw_nl_msg_addr(s->buf, s->buf_len, kgw_nlsock_next_seq(s), add,
					  ifindex, addr),
		       NULL, NULL, "%s address %s on link %u", add ? "add" : "delete", a, ifindex);
}

int kgw_nl_addr_add(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *addr)
{
	return addr_op(s, true, ifindex, addr);
}

int kgw_nl_addr_del(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *addr)
{
	return addr_op(s, false, ifindex, addr);
}

static int route_op(struct kgw_nlsock *s, bool add, unsigned int ifindex,
		    const struct kgw_cidr *dst)
{
	char a[KGW_ADDR_STR_MAX] = "?";

	if (cidr_ok(dst))
		kgw_cidr_format(dst, a);
	return nl_talk(s, kgw_nl_msg_route(s->buf, s->buf_len, kgw_nlsock_next_seq(s), add,
					   ifindex, dst),
		       NULL, NULL, "%s route %s via link %u", add ? "add" : "delete", a, ifindex);
}

int kgw_nl_route_add(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *dst)
{
	return route_op(s, true, ifindex, dst);
}

int kgw_nl_route_del(struct kgw_nlsock *s, unsigned int ifindex, const struct kgw_cidr *dst)
{
	return route_op(s, false, ifindex, dst);
}

static int write_sysctl(const char *dir, const char *name)
{
	char path[256];
	ssize_t n;
	int fd, ret = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		kgw_err("forwarding: path too long under `%s'", dir);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		kgw_err("forwarding: cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	n = write(fd, "1\n", 2);
	if (n != 2) {
		ret = n < 0 ? -errno : -EIO;
		kgw_err("forwarding: cannot write %s: %s", path, strerror(-ret));
	}
	if (close(fd) < 0 && ret == 0) {
		ret = -errno;
		kgw_err("forwarding: cannot write %s: %s", path, strerror(errno));
	}
	return ret;
}

int kgw_nl_forwarding_enable(const char *proc_sys_net)
{
	const char *dir = proc_sys_net ? proc_sys_net : PROC_SYS_NET;
	int ret;

	ret = write_sysctl(dir, "ipv4/ip_forward");
	if (ret < 0)
		return ret;
	return write_sysctl(dir, "ipv6/conf/all/forwarding");
}
