/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <sodium.h>

#include "nl.h"
#include "wg_genl.h"
/* After wg_messages.h: its WG_KEY_LEN macro (also 32) then shadows our enum harmlessly. */
#include <linux/wireguard.h>

/* The kernel's dump timestamp: struct __kernel_timespec, two s64. */
#define WG_GENL_TIMESPEC_LEN 16

static struct nlmsghdr *genl_start(void *buf, size_t len, uint32_t seq, uint16_t type,
				   uint16_t flags, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*genl)))
		return NULL;
	/* As in nl.c: libmnl 1.0.4 leaves attribute padding uninitialised. */
	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *kgw_wg_msg_get_family(void *buf, size_t len, uint32_t seq)
{
	struct nlmsghdr *nlh = genl_start(buf, len, seq, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);

	if (!nlh || !mnl_attr_put_strz_check(nlh, len, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME))
		return NULL;
	return nlh;
}

static int family_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != CTRL_ATTR_FAMILY_ID)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

int kgw_wg_parse_family(const struct nlmsghdr *nlh, uint16_t *family)
{
	uint16_t id = 0;

	*family = 0;
	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, &id) < 0 || id == 0)
		return -EINVAL;
	*family = id;
	return 0;
}

struct nlmsghdr *kgw_wg_msg_get_device(void *buf, size_t len, uint32_t seq, uint16_t family,
				       const char *ifname)
{
	struct nlmsghdr *nlh;

	if (!kgw_nl_ifname_valid(ifname) || family == 0)
		return NULL;
	nlh = genl_start(buf, len, seq, family, NLM_F_DUMP, WG_CMD_GET_DEVICE, WG_GENL_VERSION);
	if (!nlh || !mnl_attr_put_strz_check(nlh, len, WGDEVICE_A_IFNAME, ifname))
		return NULL;
	return nlh;
}

/* ---- SET_DEVICE, split over as many messages as it takes ---- */

static bool put_device_attrs(struct nlmsghdr *nlh, size_t len, const struct kgw_wg_device *dev)
{
	uint32_t flags = 0;

	if (dev->flags & KGW_WG_DEVICE_HAS_PRIVATE_KEY &&
	    !mnl_attr_put_check(nlh, len, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, dev->private_key))
		return false;
	if (dev->flags & KGW_WG_DEVICE_HAS_LISTEN_PORT &&
	    !mnl_attr_put_u16_check(nlh, len, WGDEVICE_A_LISTEN_PORT, dev->listen_port))
		return false;
	if (dev->flags & KGW_WG_DEVICE_HAS_FWMARK &&
	    !mnl_attr_put_u32_check(nlh, len, WGDEVICE_A_FWMARK, dev->fwmark))
		return false;
	if (dev->flags & KGW_WG_DEVICE_REPLACE_PEERS)
		flags |= WGDEVICE_F_REPLACE_PEERS;
	return !flags || mnl_attr_put_u32_check(nlh, len, WGDEVICE_A_FLAGS, flags);
}

static bool endpoint_ok(const union kgw_sockaddr *ep)
{
	return ep->sa.sa_family == 0 || ep->sa.sa_family == AF_INET ||
	       ep->sa.sa_family == AF_INET6;
}

static bool allowedip_ok(const struct kgw_cidr *c)
{
	return (c->family == AF_INET && c->prefix <= 32) ||
	       (c->family == AF_INET6 && c->prefix <= 128);
}

/* The peer's own attributes, sent once, with its first allowed IPs. */
static bool put_peer_attrs(struct nlmsghdr *nlh, size_t len, const struct kgw_wg_peer *p)
{
	uint32_t flags = 0;

	if (p->flags & KGW_WG_PEER_REMOVE)
		flags |= WGPEER_F_REMOVE_ME;
	if (p->flags & KGW_WG_PEER_UPDATE_ONLY)
		flags |= WGPEER_F_UPDATE_ONLY;
	if (p->flags & KGW_WG_PEER_REPLACE_ALLOWEDIPS)
		flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	if (flags && !mnl_attr_put_u32_check(nlh, len, WGPEER_A_FLAGS, flags))
		return false;
	if (p->flags & KGW_WG_PEER_HAS_PRESHARED_KEY &&
	    !mnl_attr_put_check(nlh, len, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, p->preshared_key))
		return false;
	if (p->endpoint.sa.sa_family &&
	    !mnl_attr_put_check(nlh, len, WGPEER_A_ENDPOINT, kgw_sockaddr_len(&p->endpoint),
				&p->endpoint))
		return false;
	if (p->flags & KGW_WG_PEER_HAS_KEEPALIVE &&
	    !mnl_attr_put_u16_check(nlh, len, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				    p->keepalive))
		return false;
	return true;
}

static bool put_allowedip(struct nlmsghdr *nlh, size_t len, const struct kgw_cidr *c)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, len, 0);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, len, WGALLOWEDIP_A_FAMILY, c->family) ||
	    !mnl_attr_put_check(nlh, len, WGALLOWEDIP_A_IPADDR, (size_t)kgw_addr_len(c->family),
				c->addr) ||
	    !mnl_attr_put_u8_check(nlh, len, WGALLOWEDIP_A_CIDR_MASK, c->prefix)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/*
 * Puts as much of peers[cur->peer] as fits. Returns true when the peer is
 * complete, false when the message is full (cur says where to go on).
 * *progress tells whether anything of the peer went in.
 */
static bool put_peer(struct nlmsghdr *nlh, size_t len, const struct kgw_wg_peer *p,
		     struct kgw_wg_set_cursor *cur, bool *progress)
{
	struct nlattr *peer, *aips = NULL;

	*progress = false;
	peer = mnl_attr_nest_start_check(nlh, len, 0);
	if (!peer)
		return false;
	if (!mnl_attr_put_check(nlh, len, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key) ||
	    (!cur->peer_begun && !put_peer_attrs(nlh, len, p))) {
		mnl_attr_nest_cancel(nlh, peer);
		return false;
	}
	*progress = !cur->peer_begun;
	cur->peer_begun = true;
	if (cur->aip < p->n_allowedips) {
		aips = mnl_attr_nest_start_check(nlh, len, WGPEER_A_ALLOWEDIPS);
		if (!aips)
			goto full;
	}
	for (; cur->aip < p->n_allowedips; cur->aip++) {
		if (!put_allowedip(nlh, len, &p->allowedips[cur->aip]))
			goto full;
		*progress = true;
	}
	if (aips)
		mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	return true;
full:
	if (aips)
		mnl_attr_nest_end(nlh, aips);
	/* A continuation holding only the public key would say nothing: drop it. */
	if (*progress)
		mnl_attr_nest_end(nlh, peer);
	else
		mnl_attr_nest_cancel(nlh, peer);
	return false;
}

static int check_device(const struct kgw_wg_device *dev)
{
	if (!kgw_nl_ifname_valid(dev->ifname))
		return -EINVAL;
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct kgw_wg_peer *p = &dev->peers[i];

		if (!endpoint_ok(&p->endpoint))
			return -EINVAL;
		for (size_t j = 0; j < p->n_allowedips; j++)
			if (!allowedip_ok(&p->allowedips[j]))
				return -EINVAL;
	}
	return 0;
}

int kgw_wg_msg_set_device(void *buf, size_t len, uint32_t seq, uint16_t family,
			  const struct kgw_wg_device *dev, struct kgw_wg_set_cursor *cur,
			  struct nlmsghdr **out)
{
	bool first = !cur->started, progress = false, any = false;
	struct nlmsghdr *nlh;
	struct nlattr *peers = NULL;
	int ret;

	*out = NULL;
	if (!first && cur->peer >= dev->n_peers)
		return 0;
	if (first && (ret = check_device(dev)) < 0)
		return ret;
	nlh = genl_start(buf, len, seq, family, 0, WG_CMD_SET_DEVICE, WG_GENL_VERSION);
	if (!nlh || !mnl_attr_put_strz_check(nlh, len, WGDEVICE_A_IFNAME, dev->ifname) ||
	    (first && !put_device_attrs(nlh, len, dev)))
		return -EMSGSIZE;
	if (cur->peer < dev->n_peers)
		peers = mnl_attr_nest_start_check(nlh, len, WGDEVICE_A_PEERS);
	while (peers && cur->peer < dev->n_peers) {
		if (!put_peer(nlh, len, &dev->peers[cur->peer], cur, &progress)) {
			any |= progress;
			break;
		}
		any = true;
		cur->peer++;
		cur->aip = 0;
		cur->peer_begun = false;
	}
	if (peers && any)
		mnl_attr_nest_end(nlh, peers);
	else if (peers)
		mnl_attr_nest_cancel(nlh, peers);
	/* The first message carries the device attributes even if no peer fits beside them. */
	if (!any && !first && cur->peer < dev->n_peers)
		return -EMSGSIZE;
	cur->started = true;
	*out = nlh;
	return 1;
}

/* ---- GET_DEVICE dumps ---- */

void kgw_wg_device_clear(struct kgw_wg_device *dev)
{
	if (!dev)
		return;
	for (size_t i = 0; i < dev->n_peers; i++)
		free(dev->peers[i].allowedips);
	if (dev->peers)
		sodium_memzero(dev->peers, dev->peers_cap * sizeof(*dev->peers));
	free(dev->peers);
	sodium_memzero(dev, sizeof(*dev));
}

static int put_cidr(struct kgw_wg_peer *p, const struct kgw_cidr *c)
{
	if (p->n_allowedips == p->allowedips_cap) {
		size_t cap = p->allowedips_cap ? 2 * p->allowedips_cap : 4;
		struct kgw_cidr *a;

		if (cap > SIZE_MAX / sizeof(*a))
			return -ENOMEM;
		a = realloc(p->allowedips, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		p->allowedips = a;
		p->allowedips_cap = cap;
	}
	p->allowedips[p->n_allowedips++] = *c;
	return 0;
}

/*
 * Peers hold preshared keys, so the array never goes through realloc():
 * it would leave a copy of them behind in freed memory.
 */
static int grow_peers(struct kgw_wg_device *dev)
{
	size_t cap = dev->peers_cap ? 2 * dev->peers_cap : 8;
	struct kgw_wg_peer *peers;

	if (cap > SIZE_MAX / sizeof(*peers))
		return -ENOMEM;
	peers = calloc(cap, sizeof(*peers));
	if (!peers)
		return -ENOMEM;
	if (dev->peers) {
		memcpy(peers, dev->peers, dev->n_peers * sizeof(*peers));
		sodium_memzero(dev->peers, dev->peers_cap * sizeof(*peers));
		free(dev->peers);
	}
	dev->peers = peers;
	dev->peers_cap = cap;
	return 0;
}

struct aip_parse {
	struct kgw_cidr cidr;
	bool has_family, has_addr, has_mask;
	const struct nlattr *addr;
};

static int allowedip_attr(const struct nlattr *attr, void *data)
{
	struct aip_parse *a = data;

	switch (mnl_attr_get_type(attr)) {
	case WGALLOWEDIP_A_FAMILY:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		a->cidr.family = mnl_attr_get_u16(attr);
		a->has_family = true;
		break;
	case WGALLOWEDIP_A_IPADDR:
		a->addr = attr;
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		a->cidr.prefix = mnl_attr_get_u8(attr);
		a->has_mask = true;
		break;
	}
	return MNL_CB_OK;
}

/* One allowed IP: all three attributes, a known family, a matching length. */
static int allowedips_attr(const struct nlattr *attr, void *data)
{
	struct kgw_wg_peer *p = data;
	struct aip_parse a;
	int alen;

	memset(&a, 0, sizeof(a));
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, allowedip_attr, &a) < 0)
		return MNL_CB_ERROR;
	if (!a.has_family || !a.has_mask || !a.addr)
		return MNL_CB_ERROR;
	alen = kgw_addr_len(a.cidr.family);
	if (alen <= 0 || mnl_attr_get_payload_len(a.addr) != (uint16_t)alen ||
	    !allowedip_ok(&a.cidr))
		return MNL_CB_ERROR;
	memcpy(a.cidr.addr, mnl_attr_get_payload(a.addr), (size_t)alen);
	if (put_cidr(p, &a.cidr) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int peer_endpoint(const struct nlattr *attr, struct kgw_wg_peer *p)
{
	size_t n = mnl_attr_get_payload_len(attr);
	sa_family_t family;

	if (n < sizeof(family))
		return MNL_CB_ERROR;
	memcpy(&family, mnl_attr_get_payload(attr), sizeof(family));
	if (!((family == AF_INET && n == sizeof(struct sockaddr_in)) ||
	      (family == AF_INET6 && n == sizeof(struct sockaddr_in6))))
		return MNL_CB_ERROR;
	memcpy(&p->endpoint, mnl_attr_get_payload(attr), n);
	return MNL_CB_OK;
}

static int peer_timespec(const struct nlattr *attr, struct kgw_wg_peer *p)
{
	int64_t t[2];

	if (mnl_attr_get_payload_len(attr) != WG_GENL_TIMESPEC_LEN)
		return MNL_CB_ERROR;
	memcpy(t, mnl_attr_get_payload(attr), sizeof(t));
	if (t[0] < 0 || t[1] < 0 || t[1] >= 1000000000)
		return MNL_CB_ERROR;
	p->last_handshake.tv_sec = (time_t)t[0];
	p->last_handshake.tv_nsec = (long)t[1];
	return MNL_CB_OK;
}

static int key_attr(const struct nlattr *attr, uint8_t key[static WG_KEY_LEN])
{
	if (mnl_attr_get_payload_len(attr) != WG_KEY_LEN)
		return MNL_CB_ERROR;
	memcpy(key, mnl_attr_get_payload(attr), WG_KEY_LEN);
	return MNL_CB_OK;
}

static int peer_number_attr(const struct nlattr *attr, struct kgw_wg_peer *p)
{
	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		p->keepalive = mnl_attr_get_u16(attr);
		p->flags |= KGW_WG_PEER_HAS_KEEPALIVE;
		break;
	case WGPEER_A_RX_BYTES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		p->rx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_TX_BYTES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		p->tx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_PROTOCOL_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->protocol_version = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

struct peer_parse {
	struct kgw_wg_peer peer;	/* first: peer_attr() gets either */
	bool has_key;
};

/* Every peer attribute: the key and flag ones, then the numbers. */
static int peer_attr(const struct nlattr *attr, void *data)
{
	struct kgw_wg_peer *p = data;
	uint32_t flags;

	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PUBLIC_KEY:
		((struct peer_parse *)data)->has_key = true;
		return key_attr(attr, p->public_key);
	case WGPEER_A_PRESHARED_KEY:
		p->flags |= KGW_WG_PEER_HAS_PRESHARED_KEY;
		return key_attr(attr, p->preshared_key);
	case WGPEER_A_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		flags = mnl_attr_get_u32(attr);
		if (flags & WGPEER_F_REMOVE_ME)
			p->flags |= KGW_WG_PEER_REMOVE;
		if (flags & WGPEER_F_UPDATE_ONLY)
			p->flags |= KGW_WG_PEER_UPDATE_ONLY;
		if (flags & WGPEER_F_REPLACE_ALLOWEDIPS)
			p->flags |= KGW_WG_PEER_REPLACE_ALLOWEDIPS;
		return MNL_CB_OK;
	case WGPEER_A_ENDPOINT:
		return peer_endpoint(attr, p);
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		return peer_timespec(attr, p);
	case WGPEER_A_ALLOWEDIPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mnl_attr_parse_nested(attr, allowedips_attr, p) < 0 ? MNL_CB_ERROR
									   : MNL_CB_OK;
	}
	return peer_number_attr(attr, p);
}

static void peer_wipe(struct kgw_wg_peer *p)
{
	free(p->allowedips);
	sodium_memzero(p, sizeof(*p));
}

/* Joins a peer continued from the previous message, else appends it. */
static int add_peer(struct kgw_wg_device *dev, struct kgw_wg_peer *p)
{
	struct kgw_wg_peer *last = dev->n_peers ? &dev->peers[dev->n_peers - 1] : NULL;

	if (last && !memcmp(last->public_key, p->public_key, WG_KEY_LEN)) {
		for (size_t i = 0; i < p->n_allowedips; i++)
			if (put_cidr(last, &p->allowedips[i]) < 0)
				return -ENOMEM;
		peer_wipe(p);
		return 0;
	}
	if (dev->n_peers == dev->peers_cap && grow_peers(dev) < 0)
		return -ENOMEM;
	dev->peers[dev->n_peers++] = *p;
	sodium_memzero(p, sizeof(*p));
	return 0;
}

static int peers_attr(const struct nlattr *attr, void *data)
{
	struct kgw_wg_device *dev = data;
	struct peer_parse pp;
	int ret = MNL_CB_ERROR;

	memset(&pp, 0, sizeof(pp));
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, peer_attr, &pp) < 0 || !pp.has_key)
		goto out;
	if (add_peer(dev, &pp.peer) < 0) {
		errno = ENOMEM;
		goto out;
	}
	ret = MNL_CB_OK;
out:
	peer_wipe(&pp.peer);
	return ret;
}

static int device_attr(const struct nlattr *attr, void *data)
{
	struct kgw_wg_device *dev = data;

	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		dev->ifindex = mnl_attr_get_u32(attr);
		break;
	case WGDEVICE_A_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
			return MNL_CB_ERROR;
		memcpy(dev->ifname, mnl_attr_get_str(attr), mnl_attr_get_payload_len(attr));
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		dev->flags |= KGW_WG_DEVICE_HAS_PRIVATE_KEY;
		return key_attr(attr, dev->private_key);
	case WGDEVICE_A_PUBLIC_KEY:
		dev->flags |= KGW_WG_DEVICE_HAS_PUBLIC_KEY;
		return key_attr(attr, dev->public_key);
	case WGDEVICE_A_LISTEN_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		dev->listen_port = mnl_attr_get_u16(attr);
		dev->flags |= KGW_WG_DEVICE_HAS_LISTEN_PORT;
		break;
	case WGDEVICE_A_FWMARK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		dev->fwmark = mnl_attr_get_u32(attr);
		dev->flags |= KGW_WG_DEVICE_HAS_FWMARK;
		break;
	case WGDEVICE_A_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		if (mnl_attr_get_u32(attr) & WGDEVICE_F_REPLACE_PEERS)
			dev->flags |= KGW_WG_DEVICE_REPLACE_PEERS;
		break;
	case WGDEVICE_A_PEERS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, peers_attr, dev) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

int kgw_wg_parse_device(const struct nlmsghdr *nlh, struct kgw_wg_device *dev)
{
	const struct genlmsghdr *genl;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EINVAL;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != WG_CMD_GET_DEVICE && genl->cmd != WG_CMD_SET_DEVICE)
		return -EINVAL;
	errno = 0;
	if (mnl_attr_parse(nlh, sizeof(*genl), device_attr, dev) < 0)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	return 0;
}
