/* SPDX-License-Identifier: MIT */
/*
 * WireGuard generic netlink on buffers: requests, the split of a big
 * SET_DEVICE over several messages (joined back by the dump parser, which
 * reads the same layout), and dumps, well-formed and not.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "log.h"
#include "wg_genl.h"
#include "unit.h"
#include <linux/wireguard.h>

#define FAMILY 0x1b
#define BIG 8192

static uint8_t buf[BIG] __attribute__((aligned(4)));

static struct kgw_cidr cidr(const char *text)
{
	struct kgw_cidr c;

	ck_assert_int_eq(kgw_cidr_parse(text, true, &c), 0);
	return c;
}

static void key(uint8_t k[static WG_KEY_LEN], unsigned int seed)
{
	for (int i = 0; i < WG_KEY_LEN; i++)
		k[i] = (uint8_t)(seed * 131 + (unsigned int)i * 7 + 1);
}

/* A device of n peers with m allowed IPs each; free with free_built(). */
static struct kgw_wg_device build(size_t n, size_t m)
{
	struct kgw_wg_device dev;

	memset(&dev, 0, sizeof(dev));
	strcpy(dev.ifname, "kgw0");
	dev.flags = KGW_WG_DEVICE_HAS_PRIVATE_KEY | KGW_WG_DEVICE_HAS_LISTEN_PORT |
		    KGW_WG_DEVICE_HAS_FWMARK | KGW_WG_DEVICE_REPLACE_PEERS;
	key(dev.private_key, 999);
	dev.listen_port = 51820;
	dev.fwmark = 0xca6c;
	dev.peers = calloc(n ? n : 1, sizeof(*dev.peers));
	dev.n_peers = n;
	for (size_t i = 0; i < n; i++) {
		struct kgw_wg_peer *p = &dev.peers[i];

		key(p->public_key, (unsigned int)i);
		p->flags = KGW_WG_PEER_REPLACE_ALLOWEDIPS | KGW_WG_PEER_HAS_KEEPALIVE;
		p->keepalive = (uint16_t)(i % 60);
		if (i % 2) {
			p->flags |= KGW_WG_PEER_HAS_PRESHARED_KEY;
			key(p->preshared_key, 5000 + (unsigned int)i);
		}
		if (i % 3 == 0)
			ck_assert_int_eq(kgw_sockaddr_parse("198.51.100.10:40000", &p->endpoint), 0);
		else if (i % 3 == 1)
			ck_assert_int_eq(kgw_sockaddr_parse("[2001:db8::7]:51820", &p->endpoint), 0);
		p->allowedips = calloc(m ? m : 1, sizeof(*p->allowedips));
		p->n_allowedips = m;
		for (size_t j = 0; j < m; j++) {
			struct kgw_cidr *c = &p->allowedips[j];

			if (j % 2 == 0) {
				*c = cidr("100.64.0.0/32");
				c->addr[2] = (uint8_t)(i >> 8);
				c->addr[3] = (uint8_t)i;
				c->addr[1] = (uint8_t)(64 + j);
			} else {
				*c = cidr("fd6b:6777::/128");
				c->addr[13] = (uint8_t)j;
				c->addr[14] = (uint8_t)(i >> 8);
				c->addr[15] = (uint8_t)i;
			}
		}
	}
	return dev;
}

static void free_built(struct kgw_wg_device *dev)
{
	for (size_t i = 0; i < dev->n_peers; i++)
		free(dev->peers[i].allowedips);
	free(dev->peers);
}

static void assert_same(const struct kgw_wg_device *a, const struct kgw_wg_device *b)
{
	ck_assert_str_eq(a->ifname, b->ifname);
	ck_assert_uint_eq(a->flags, b->flags);
	if (a->flags & KGW_WG_DEVICE_HAS_PRIVATE_KEY)
		ck_assert_mem_eq(a->private_key, b->private_key, WG_KEY_LEN);
	if (a->flags & KGW_WG_DEVICE_HAS_LISTEN_PORT)
		ck_assert_uint_eq(a->listen_port, b->listen_port);
	if (a->flags & KGW_WG_DEVICE_HAS_FWMARK)
		ck_assert_uint_eq(a->fwmark, b->fwmark);
	ck_assert_uint_eq(a->n_peers, b->n_peers);
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct kgw_wg_peer *p = &a->peers[i], *q = &b->peers[i];

		ck_assert_mem_eq(p->public_key, q->public_key, WG_KEY_LEN);
		ck_assert_uint_eq(p->flags, q->flags);
		if (p->flags & KGW_WG_PEER_HAS_PRESHARED_KEY)
			ck_assert_mem_eq(p->preshared_key, q->preshared_key, WG_KEY_LEN);
		ck_assert_uint_eq(p->endpoint.sa.sa_family, q->endpoint.sa.sa_family);
		if (p->endpoint.sa.sa_family)
			ck_assert_mem_eq(&p->endpoint, &q->endpoint, kgw_sockaddr_len(&p->endpoint));
		ck_assert_uint_eq(p->keepalive, q->keepalive);
		ck_assert_uint_eq(p->n_allowedips, q->n_allowedips);
		for (size_t j = 0; j < p->n_allowedips; j++)
			ck_assert_mem_eq(&p->allowedips[j], &q->allowedips[j], sizeof(struct kgw_cidr));
	}
}

static int continuations;

/* Builds every message of dev with buffers of len; joins them; returns the count. */
static int split_join(const struct kgw_wg_device *dev, size_t len, struct kgw_wg_device *out)
{
	struct kgw_wg_set_cursor cur;
	struct nlmsghdr *nlh;
	bool cont = false;
	int ret, n = 0;

	memset(&cur, 0, sizeof(cur));
	memset(out, 0, sizeof(*out));
	continuations = 0;
	while ((ret = kgw_wg_msg_set_device(buf, len, (uint32_t)n, FAMILY, dev, &cur, &nlh)) == 1) {
		struct kgw_wg_device one;

		ck_assert_uint_le(nlh->nlmsg_len, len);
		ck_assert_uint_eq(nlh->nlmsg_type, FAMILY);
		ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST);
		ck_assert_int_eq(kgw_wg_parse_device(nlh, out), 0);
		/* Alone, every message names the device; only the first has its attributes. */
		memset(&one, 0, sizeof(one));
		ck_assert_int_eq(kgw_wg_parse_device(nlh, &one), 0);
		ck_assert_str_eq(one.ifname, dev->ifname);
		if (n > 0)
			ck_assert_uint_eq(one.flags, 0);
		/*
		 * A peer continued from the last message carries only its key
		 * and more allowed IPs: its flags (replace-allowed-ips) and
		 * other attributes were sent once, with its first part.
		 */
		if (cont) {
			ck_assert_uint_ge(one.n_peers, 1);
			ck_assert_uint_eq(one.peers[0].flags, 0);
			ck_assert_uint_eq(one.peers[0].endpoint.sa.sa_family, 0);
			ck_assert_uint_gt(one.peers[0].n_allowedips, 0);
			continuations++;
		}
		cont = cur.peer_begun;
		kgw_wg_device_clear(&one);
		n++;
		ck_assert_int_lt(n, 100000);
	}
	ck_assert_int_eq(ret, 0);
	/* Done stays done. */
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, len, 0, FAMILY, dev, &cur, &nlh), 0);
	ck_assert_ptr_null(nlh);
	return n;
}

START_TEST(test_get_family)
{
	struct nlmsghdr *nlh = kgw_wg_msg_get_family(buf, sizeof(buf), 4);
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr = NULL;
	uint16_t family;

	ck_assert_uint_eq(nlh->nlmsg_type, GENL_ID_CTRL);
	ck_assert_uint_eq(genl->cmd, CTRL_CMD_GETFAMILY);
	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		ck_assert_uint_eq(mnl_attr_get_type(attr), CTRL_ATTR_FAMILY_NAME);
		ck_assert_str_eq(mnl_attr_get_str(attr), "wireguard");
	}
	/* The answer: the family's id among other attributes. */
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x22);
	ck_assert_int_eq(kgw_wg_parse_family(nlh, &family), 0);
	ck_assert_uint_eq(family, 0x22);
	/* No id, or an id of the wrong size: an error. */
	nlh = kgw_wg_msg_get_family(buf, sizeof(buf), 4);
	ck_assert_int_eq(kgw_wg_parse_family(nlh, &family), -EINVAL);
	mnl_attr_put_u32(nlh, CTRL_ATTR_FAMILY_ID, 0x22);
	ck_assert_int_eq(kgw_wg_parse_family(nlh, &family), -EINVAL);
	ck_assert_uint_eq(family, 0);
	ck_assert_ptr_null(kgw_wg_msg_get_family(buf, 24, 4));
}
END_TEST

START_TEST(test_get_device)
{
	struct nlmsghdr *nlh = kgw_wg_msg_get_device(buf, sizeof(buf), 4, FAMILY, "kgw0");
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	int n = 0;

	ck_assert_uint_eq(nlh->nlmsg_type, FAMILY);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ck_assert_uint_eq(genl->cmd, WG_CMD_GET_DEVICE);
	ck_assert_uint_eq(genl->version, WG_GENL_VERSION);
	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		ck_assert_uint_eq(mnl_attr_get_type(attr), WGDEVICE_A_IFNAME);
		ck_assert_str_eq(mnl_attr_get_str(attr), "kgw0");
		n++;
	}
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_null(kgw_wg_msg_get_device(buf, sizeof(buf), 4, FAMILY, "kgw 0"));
	ck_assert_ptr_null(kgw_wg_msg_get_device(buf, sizeof(buf), 4, 0, "kgw0"));
}
END_TEST

/* One small change is one message, attribute by attribute as the kernel expects. */
START_TEST(test_set_one_message)
{
	struct kgw_wg_device dev = build(2, 2), back;
	struct kgw_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;
	const struct nlattr *attr, *peer, *pa;
	int seen = 0, peers = 0;

	ck_assert_int_eq(kgw_wg_msg_set_device(buf, sizeof(buf), 8, FAMILY, &dev, &cur, &nlh), 1);
	ck_assert_uint_eq(((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd,
			  WG_CMD_SET_DEVICE);
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case WGDEVICE_A_PRIVATE_KEY:
			ck_assert_uint_eq(mnl_attr_get_payload_len(attr), WG_KEY_LEN);
			seen |= 1;
			break;
		case WGDEVICE_A_LISTEN_PORT:
			ck_assert_uint_eq(mnl_attr_get_u16(attr), 51820);
			seen |= 2;
			break;
		case WGDEVICE_A_FWMARK:
			ck_assert_uint_eq(mnl_attr_get_u32(attr), 0xca6c);
			seen |= 4;
			break;
		case WGDEVICE_A_FLAGS:
			ck_assert_uint_eq(mnl_attr_get_u32(attr), WGDEVICE_F_REPLACE_PEERS);
			seen |= 8;
			break;
		case WGDEVICE_A_PEERS:
			ck_assert(mnl_attr_get_type(attr) == WGDEVICE_A_PEERS);
			mnl_attr_for_each_nested(peer, attr) {
				mnl_attr_for_each_nested(pa, peer) {
					if (mnl_attr_get_type(pa) == WGPEER_A_FLAGS)
						ck_assert_uint_eq(mnl_attr_get_u32(pa),
								  WGPEER_F_REPLACE_ALLOWEDIPS);
					if (mnl_attr_get_type(pa) == WGPEER_A_ENDPOINT)
						ck_assert_uint_eq(mnl_attr_get_payload_len(pa),
								  peers ? 28 : 16);
				}
				peers++;
			}
			seen |= 16;
			break;
		}
	}
	ck_assert_int_eq(seen, 31);
	ck_assert_int_eq(peers, 2);
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, sizeof(buf), 9, FAMILY, &dev, &cur, &nlh), 0);
	ck_assert_int_eq(split_join(&dev, sizeof(buf), &back), 1);
	assert_same(&dev, &back);
	kgw_wg_device_clear(&back);
	/* Nothing to change is still one message, naming the device. */
	free_built(&dev);
	dev = build(0, 0);
	dev.flags = 0;
	ck_assert_int_eq(split_join(&dev, sizeof(buf), &back), 1);
	assert_same(&dev, &back);
	kgw_wg_device_clear(&back);
	free_built(&dev);
}
END_TEST

/* Removing a peer: its key and the flag, nothing else. */
START_TEST(test_set_remove_peer)
{
	struct kgw_wg_device dev = build(1, 0), back;

	dev.flags = 0;
	dev.peers[0].flags = KGW_WG_PEER_REMOVE;
	dev.peers[0].endpoint.sa.sa_family = 0;
	ck_assert_int_eq(split_join(&dev, sizeof(buf), &back), 1);
	ck_assert_uint_eq(back.n_peers, 1);
	ck_assert_uint_eq(back.peers[0].flags, KGW_WG_PEER_REMOVE);
	ck_assert_uint_eq(back.peers[0].endpoint.sa.sa_family, 0);
	assert_same(&dev, &back);
	kgw_wg_device_clear(&back);
	dev.peers[0].flags = KGW_WG_PEER_UPDATE_ONLY | KGW_WG_PEER_HAS_KEEPALIVE;
	dev.peers[0].keepalive = 0;
	ck_assert_int_eq(split_join(&dev, sizeof(buf), &back), 1);
	assert_same(&dev, &back);
	kgw_wg_device_clear(&back);
	free_built(&dev);
}
END_TEST

/* The split, for many buffer sizes: never over the size, and joins back whole. */
static const struct {
	size_t peers, aips, len;
	int min_messages;
	bool continued;		/* some peer must be cut in two */
} splits[] = {
	/* 1 */ { 300, 4, 8192, 4, false },	/* many peers */
	/* 2 */ { 1, 2000, 8192, 5, true },	/* one peer with many allowed IPs */
	/* 3 */ { 40, 40, 8192, 6, true },
	/* 4 */ { 40, 40, 4096, 12, true },
	/* 5 */ { 10, 3, 300, 10, false },	/* about one peer a message */
	/* 6 */ { 5, 20, 200, 20, true },	/* each peer over several messages */
	/* 7 */ { 3, 1, 170, 3, false },
	/* 8 */ { 0, 0, 100, 1, false },
	/* 9 */ { 7, 0, 8192, 1, false },	/* peers without allowed IPs */
	/* 10 */ { 7, 0, 160, 4, false },
};

START_TEST(test_split)
{
	struct kgw_wg_device dev = build(splits[_i].peers, splits[_i].aips), back;
	int n = split_join(&dev, splits[_i].len, &back);

	ck_assert_msg(n >= splits[_i].min_messages, "case %d: %d messages", _i + 1, n);
	if (splits[_i].continued)
		ck_assert_msg(continuations > 0, "case %d: no peer was continued", _i + 1);
	assert_same(&dev, &back);
	kgw_wg_device_clear(&back);
	free_built(&dev);
}
END_TEST

START_TEST(test_split_too_small)
{
	struct kgw_wg_device dev = build(2, 2);
	struct kgw_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;

	/* The device attributes go alone, then no peer fits an empty message. */
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, 100, 1, FAMILY, &dev, &cur, &nlh), 1);
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, 100, 1, FAMILY, &dev, &cur, &nlh), -EMSGSIZE);
	memset(&cur, 0, sizeof(cur));
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, 40, 1, FAMILY, &dev, &cur, &nlh), -EMSGSIZE);
	ck_assert_ptr_null(nlh);
	free_built(&dev);
}
END_TEST

START_TEST(test_set_invalid)
{
	struct kgw_wg_device dev = build(1, 1);
	struct kgw_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;

	strcpy(dev.ifname, "kgw;0");
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, sizeof(buf), 1, FAMILY, &dev, &cur, &nlh),
			 -EINVAL);
	strcpy(dev.ifname, "kgw0");
	dev.peers[0].endpoint.sa.sa_family = AF_UNIX;
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, sizeof(buf), 1, FAMILY, &dev, &cur, &nlh),
			 -EINVAL);
	dev.peers[0].endpoint.sa.sa_family = 0;
	dev.peers[0].allowedips[0].prefix = 33;
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, sizeof(buf), 1, FAMILY, &dev, &cur, &nlh),
			 -EINVAL);
	dev.peers[0].allowedips[0].prefix = 32;
	dev.peers[0].allowedips[0].family = 0;
	ck_assert_int_eq(kgw_wg_msg_set_device(buf, sizeof(buf), 1, FAMILY, &dev, &cur, &nlh),
			 -EINVAL);
	ck_assert(!cur.started);
	free_built(&dev);
}
END_TEST

/* ---- dumps, as the kernel writes them ---- */

static struct nlmsghdr *dump_start(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));

	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	genl->cmd = WG_CMD_GET_DEVICE;
	genl->version = WG_GENL_VERSION;
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 12);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "kgw0");
	return nlh;
}

static void put_aip(struct nlmsghdr *nlh, uint16_t family, const void *addr, size_t alen,
		    uint8_t mask)
{
	struct nlattr *a = mnl_attr_nest_start(nlh, 0);

	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, family);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, alen, addr);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, mask);
	mnl_attr_nest_end(nlh, a);
}

START_TEST(test_dump)
{
	struct nlmsghdr *nlh = dump_start();
	struct nlattr *peers, *peer, *aips;
	struct kgw_wg_device dev = { 0 };
	union kgw_sockaddr ep;
	uint8_t k[WG_KEY_LEN], zero[WG_KEY_LEN] = { 0 };
	int64_t ts[2] = { 1790000000, 123456789 };
	const uint8_t a4[4] = { 100, 64, 0, 2 }, a4b[4] = { 100, 64, 0, 3 };

	key(k, 1);
	mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, k);
	key(k, 2);
	mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, WG_KEY_LEN, k);
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
	mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0);
	mnl_attr_put_u32(nlh, 99, 7);	/* unknown: skipped */
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	key(k, 3);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, zero);
	ck_assert_int_eq(kgw_sockaddr_parse("[2001:db8::1]:4500", &ep), 0);
	mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(struct sockaddr_in6), &ep);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), ts);
	mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 1ULL << 40);
	mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 4242);
	mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET, a4, 4, 32);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	ck_assert_int_eq(kgw_wg_parse_device(nlh, &dev), 0);

	/* The next part of the dump continues the peer with one more allowed IP. */
	nlh = dump_start();
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET, a4b, 4, 32);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	peer = mnl_attr_nest_start(nlh, 0);
	key(k, 4);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	ck_assert_int_eq(kgw_wg_parse_device(nlh, &dev), 0);

	ck_assert_str_eq(dev.ifname, "kgw0");
	ck_assert_uint_eq(dev.ifindex, 12);
	ck_assert_uint_eq(dev.flags, KGW_WG_DEVICE_HAS_PRIVATE_KEY | KGW_WG_DEVICE_HAS_PUBLIC_KEY |
			  KGW_WG_DEVICE_HAS_LISTEN_PORT | KGW_WG_DEVICE_HAS_FWMARK);
	key(k, 2);
	ck_assert_mem_eq(dev.public_key, k, WG_KEY_LEN);
	ck_assert_uint_eq(dev.listen_port, 51820);
	ck_assert_uint_eq(dev.n_peers, 2);
	key(k, 3);
	ck_assert_mem_eq(dev.peers[0].public_key, k, WG_KEY_LEN);
	ck_assert_uint_eq(dev.peers[0].flags, KGW_WG_PEER_HAS_PRESHARED_KEY |
			  KGW_WG_PEER_HAS_KEEPALIVE);
	ck_assert_uint_eq(dev.peers[0].keepalive, 25);
	ck_assert_mem_eq(&dev.peers[0].endpoint, &ep, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(dev.peers[0].last_handshake.tv_sec, 1790000000);
	ck_assert_int_eq(dev.peers[0].last_handshake.tv_nsec, 123456789);
	ck_assert_uint_eq(dev.peers[0].rx_bytes, 1ULL << 40);
	ck_assert_uint_eq(dev.peers[0].tx_bytes, 4242);
	ck_assert_uint_eq(dev.peers[0].protocol_version, 1);
	ck_assert_uint_eq(dev.peers[0].n_allowedips, 2);
	ck_assert_mem_eq(dev.peers[0].allowedips[1].addr, a4b, 4);
	ck_assert_uint_eq(dev.peers[1].n_allowedips, 0);
	ck_assert_uint_eq(dev.peers[1].last_handshake.tv_sec, 0);
	kgw_wg_device_clear(&dev);
	ck_assert_ptr_null(dev.peers);
	ck_assert_uint_eq(dev.n_peers, 0);
	kgw_wg_device_clear(NULL);
}
END_TEST

/* Malformed dumps: each rejected, nothing leaked, the device still clearable. */
enum bad_kind {
	BAD_KEY_LEN, BAD_PSK_LEN, BAD_ENDPOINT_LEN, BAD_ENDPOINT_FAMILY, BAD_AIP_NO_MASK,
	BAD_AIP_V4_LEN, BAD_AIP_MASK, BAD_AIP_FAMILY, BAD_HANDSHAKE_LEN, BAD_HANDSHAKE_NSEC,
	BAD_NO_PUBKEY, BAD_IFNAME, BAD_PORT_LEN, BAD_PEERS_NOT_NESTED, BAD_RX_LEN,
	BAD_COUNT
};

static void put_bad_peer(struct nlmsghdr *nlh, int kind)
{
	struct nlattr *peer, *aips;
	uint8_t k[WG_KEY_LEN], a16[16] = { 0xfd }, long_key[WG_KEY_LEN + 1] = { 0 };
	int64_t ts[2] = { 1, 1000000000 };

	key(k, 77);
	peer = mnl_attr_nest_start(nlh, 0);
	if (kind != BAD_NO_PUBKEY)
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, kind == BAD_KEY_LEN ? 31 : WG_KEY_LEN, k);
	if (kind == BAD_PSK_LEN)
		mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, sizeof(long_key), long_key);
	if (kind == BAD_ENDPOINT_LEN || kind == BAD_ENDPOINT_FAMILY) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

		if (kind == BAD_ENDPOINT_FAMILY)
			sin6.sin6_family = AF_UNIX;
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, kind == BAD_ENDPOINT_LEN ? 16 : sizeof(sin6),
			     &sin6);
	}
	if (kind == BAD_HANDSHAKE_LEN)
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, 8, ts);
	if (kind == BAD_HANDSHAKE_NSEC)
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), ts);
	if (kind == BAD_RX_LEN)
		mnl_attr_put_u32(nlh, WGPEER_A_RX_BYTES, 5);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET6, a16, 16, 128);	/* a good one first: freed on error */
	if (kind == BAD_AIP_NO_MASK) {
		struct nlattr *a = mnl_attr_nest_start(nlh, 0);

		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, 4, a16);
		mnl_attr_nest_end(nlh, a);
	}
	if (kind == BAD_AIP_V4_LEN)
		put_aip(nlh, AF_INET, a16, 16, 32);
	if (kind == BAD_AIP_MASK)
		put_aip(nlh, AF_INET, a16, 4, 33);
	if (kind == BAD_AIP_FAMILY)
		put_aip(nlh, AF_UNIX, a16, 4, 8);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
}

START_TEST(test_dump_malformed)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	struct kgw_wg_device dev = { 0 };
	struct nlattr *peers;

	genl->cmd = WG_CMD_GET_DEVICE;
	if (_i == BAD_IFNAME)
		mnl_attr_put(nlh, WGDEVICE_A_IFNAME, 4, "kgw0");
	if (_i == BAD_PORT_LEN)
		mnl_attr_put_u32(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
	if (_i == BAD_PEERS_NOT_NESTED) {
		mnl_attr_put_u16(nlh, WGDEVICE_A_PEERS, 1);
	} else {
		peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		put_bad_peer(nlh, _i);
		mnl_attr_nest_end(nlh, peers);
	}
	ck_assert_msg(kgw_wg_parse_device(nlh, &dev) == -EINVAL, "case %d", _i);
	ck_assert_uint_eq(dev.n_peers, 0);
	kgw_wg_device_clear(&dev);
}
END_TEST

START_TEST(test_dump_wrong_command)
{
	struct nlmsghdr *nlh = dump_start();
	struct kgw_wg_device dev = { 0 };

	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = 7;
	ck_assert_int_eq(kgw_wg_parse_device(nlh, &dev), -EINVAL);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	ck_assert_int_eq(kgw_wg_parse_device(nlh, &dev), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wg_genl");
	TCase *tc = tcase_create("messages");

	tcase_add_test(tc, test_get_family);
	tcase_add_test(tc, test_get_device);
	tcase_add_test(tc, test_set_one_message);
	tcase_add_test(tc, test_set_remove_peer);
	tcase_add_loop_test(tc, test_split, 0, (int)ARRAY_SIZE(splits));
	tcase_add_test(tc, test_split_too_small);
	tcase_add_test(tc, test_set_invalid);
	tcase_add_test(tc, test_dump);
	tcase_add_loop_test(tc, test_dump_malformed, 0, BAD_COUNT);
	tcase_add_test(tc, test_dump_wrong_command);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
