/* SPDX-License-Identifier: MIT */
/* rtnetlink message building and parsing, and the answer loop, on buffers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nl.h"
#include "unit.h"

#define BUF_LEN 8192

static uint8_t buf[BUF_LEN] __attribute__((aligned(4)));

static struct kgw_cidr cidr(const char *text)
{
	struct kgw_cidr c;

	ck_assert_int_eq(kgw_cidr_parse(text, true, &c), 0);
	return c;
}

/* An interface address: host bits set under the prefix, which a CIDR may not have. */
static struct kgw_cidr ifaddr(const char *addr, uint8_t prefix)
{
	struct kgw_cidr c = cidr(addr);

	c.prefix = prefix;
	return c;
}

/* Every attribute of a message (after `extra' bytes of family header), by type. */
struct attrs {
	const struct nlattr *tb[64];
	int count;
};

static int collect(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	ck_assert_int_lt(mnl_attr_get_type(attr), 64);
	a->tb[mnl_attr_get_type(attr)] = attr;
	a->count++;
	return MNL_CB_OK;
}

static struct attrs parse(const struct nlmsghdr *nlh, size_t extra)
{
	struct attrs a;

	memset(&a, 0, sizeof(a));
	ck_assert_int_ge(mnl_attr_parse(nlh, (unsigned int)extra, collect, &a), 0);
	return a;
}

static const struct {
	const char *name;
	bool valid;
} ifnames[] = {
	/* 1 */ { "eth0", true },
	/* 2 */ { "kgw0", true },
	/* 3 */ { "br-lan.10", true },
	/* 4 */ { "a_b-c.d", true },
	/* 5 */ { "123456789012345", true },	/* IFNAMSIZ - 1 */
	/* 6 */ { "1234567890123456", false },
	/* 7 */ { "", false },
	/* 8 */ { ".", false },
	/* 9 */ { "..", false },
	/* 10 */ { "eth 0", false },
	/* 11 */ { "eth\"0", false },
	/* 12 */ { "eth0;", false },
	/* 13 */ { "eth/0", false },
	/* 14 */ { "eth:0", false },
	/* 15 */ { "eth*", false },
	/* 16 */ { "eth0\n", false },
	/* 17 */ { "\xc3\xa9th0", false },
	/* 18 */ { "{eth0}", false },
};

START_TEST(test_ifname_valid)
{
	ck_assert_msg(kgw_nl_ifname_valid(ifnames[_i].name) == ifnames[_i].valid,
		      "case %d: `%s'", _i + 1, ifnames[_i].name);
}
END_TEST

START_TEST(test_getlink)
{
	struct nlmsghdr *nlh = kgw_nl_msg_getlink(buf, sizeof(buf), 77, "kgw0");
	const struct ifinfomsg *ifm;
	struct attrs a;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_GETLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST);
	ck_assert_uint_eq(nlh->nlmsg_seq, 77);
	ifm = mnl_nlmsg_get_payload(nlh);
	ck_assert_int_eq(ifm->ifi_index, 0);
	a = parse(nlh, sizeof(*ifm));
	ck_assert_int_eq(a.count, 1);
	ck_assert_str_eq(mnl_attr_get_str(a.tb[IFLA_IFNAME]), "kgw0");
	ck_assert_ptr_null(kgw_nl_msg_getlink(buf, sizeof(buf), 1, "bad name"));
	ck_assert_ptr_null(kgw_nl_msg_getlink(buf, sizeof(buf), 1, ""));
	/* Too small a buffer: NULL, not an overrun. */
	ck_assert_ptr_null(kgw_nl_msg_getlink(buf, 20, 1, "kgw0"));
	ck_assert_ptr_null(kgw_nl_msg_getlink(buf, 36, 1, "kgw0"));
}
END_TEST

/* A NEWLINK request is also what the kernel answers with: parse our own. */
START_TEST(test_newlink_roundtrip)
{
	struct nlmsghdr *nlh = kgw_nl_msg_newlink(buf, sizeof(buf), 5, "kgw0", "wireguard");
	struct kgw_nl_link link;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), 0);
	ck_assert_str_eq(link.ifname, "kgw0");
	ck_assert_str_eq(link.kind, "wireguard");
	ck_assert_uint_eq(link.ifindex, 0);
	ck_assert_ptr_null(kgw_nl_msg_newlink(buf, sizeof(buf), 5, "kgw0", ""));
	ck_assert_ptr_null(kgw_nl_msg_newlink(buf, sizeof(buf), 5, "kgw0", "averyveryverylongkind"));
	ck_assert_ptr_null(kgw_nl_msg_newlink(buf, sizeof(buf), 5, "x y", "dummy"));
	/* Fits the name but not the nest: NULL. */
	ck_assert_ptr_null(kgw_nl_msg_newlink(buf, 44, 5, "kgw0", "wireguard"));
}
END_TEST

START_TEST(test_parse_link_answer)
{
	struct nlmsghdr *nlh = kgw_nl_msg_setlink_mtu(buf, sizeof(buf), 9, 42, 1420);
	struct kgw_nl_link link;
	struct ifinfomsg *ifm;

	ck_assert_ptr_nonnull(nlh);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = IFF_UP | IFF_RUNNING;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth7");
	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), 0);
	ck_assert_uint_eq(link.ifindex, 42);
	ck_assert_uint_eq(link.mtu, 1420);
	ck_assert_uint_eq(link.flags, IFF_UP | IFF_RUNNING);
	ck_assert_str_eq(link.ifname, "eth7");
	ck_assert_str_eq(link.kind, "");
	/* An MTU attribute of the wrong size is malformed: rejected, struct zeroed. */
	nlh = kgw_nl_msg_setlink_up(buf, sizeof(buf), 9, 42, true);
	mnl_attr_put_u16(nlh, IFLA_MTU, 1420);
	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), -EINVAL);
	ck_assert_uint_eq(link.ifindex, 0);
	/* An unterminated name is malformed. */
	nlh = kgw_nl_msg_setlink_up(buf, sizeof(buf), 9, 42, true);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth7");
	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), -EINVAL);
	/* Not a link message at all. */
	nlh->nlmsg_type = RTM_NEWADDR;
	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), -EINVAL);
	/* Too short for its header. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), -EINVAL);
	/* Unknown attributes are skipped. */
	nlh = kgw_nl_msg_setlink_up(buf, sizeof(buf), 9, 3, true);
	mnl_attr_put_u32(nlh, 60, 12345);
	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), 0);
	ck_assert_uint_eq(link.ifindex, 3);
}
END_TEST

START_TEST(test_setlink)
{
	struct nlmsghdr *nlh = kgw_nl_msg_setlink_up(buf, sizeof(buf), 1, 7, true);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct attrs a;

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST);
	ck_assert_int_eq(ifm->ifi_index, 7);
	ck_assert_uint_eq(ifm->ifi_change, IFF_UP);
	ck_assert_uint_eq(ifm->ifi_flags, IFF_UP);
	ck_assert_int_eq(parse(nlh, sizeof(*ifm)).count, 0);
	nlh = kgw_nl_msg_setlink_up(buf, sizeof(buf), 1, 7, false);
	ifm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(ifm->ifi_change, IFF_UP);
	ck_assert_uint_eq(ifm->ifi_flags, 0);
	nlh = kgw_nl_msg_setlink_mtu(buf, sizeof(buf), 1, 7, 1280);
	a = parse(nlh, sizeof(*ifm));
	ck_assert_int_eq(a.count, 1);
	ck_assert_uint_eq(mnl_attr_get_u32(a.tb[IFLA_MTU]), 1280);
	ck_assert_ptr_null(kgw_nl_msg_setlink_mtu(buf, sizeof(buf), 1, 7, 0));
	ck_assert_ptr_null(kgw_nl_msg_setlink_mtu(buf, sizeof(buf), 1, 0, 1280));
	ck_assert_ptr_null(kgw_nl_msg_setlink_up(buf, sizeof(buf), 1, 0, true));
	ck_assert_ptr_null(kgw_nl_msg_dellink(buf, sizeof(buf), 1, 0));
	nlh = kgw_nl_msg_dellink(buf, sizeof(buf), 1, 9);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELLINK);
	ck_assert_int_eq(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 9);
}
END_TEST

START_TEST(test_addr)
{
	struct kgw_cidr c = ifaddr("100.64.0.1", 16);
	struct nlmsghdr *nlh = kgw_nl_msg_addr(buf, sizeof(buf), 3, true, 5, &c);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const uint8_t v4[4] = { 100, 64, 0, 1 };
	struct attrs a;

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWADDR);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
	ck_assert_uint_eq(ifa->ifa_family, AF_INET);
	ck_assert_uint_eq(ifa->ifa_prefixlen, 16);
	ck_assert_uint_eq(ifa->ifa_index, 5);
	ck_assert_uint_eq(ifa->ifa_flags, 0);
	a = parse(nlh, sizeof(*ifa));
	ck_assert_int_eq(a.count, 2);
	ck_assert_uint_eq(mnl_attr_get_payload_len(a.tb[IFA_LOCAL]), 4);
	ck_assert_mem_eq(mnl_attr_get_payload(a.tb[IFA_LOCAL]), v4, 4);
	ck_assert_mem_eq(mnl_attr_get_payload(a.tb[IFA_ADDRESS]), v4, 4);

	c = ifaddr("fd6b:6777::1", 64);
	nlh = kgw_nl_msg_addr(buf, sizeof(buf), 3, false, 5, &c);
	ifa = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELADDR);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST);
	ck_assert_uint_eq(ifa->ifa_family, AF_INET6);
	ck_assert_uint_eq(ifa->ifa_prefixlen, 64);
	ck_assert_uint_eq(ifa->ifa_flags, IFA_F_NODAD);
	a = parse(nlh, sizeof(*ifa));
	ck_assert_uint_eq(mnl_attr_get_payload_len(a.tb[IFA_LOCAL]), 16);
	ck_assert_mem_eq(mnl_attr_get_payload(a.tb[IFA_LOCAL]), c.addr, 16);

	ck_assert_ptr_null(kgw_nl_msg_addr(buf, sizeof(buf), 3, true, 0, &c));
	c.family = AF_UNIX;
	ck_assert_ptr_null(kgw_nl_msg_addr(buf, sizeof(buf), 3, true, 5, &c));
	c.family = AF_INET;
	c.prefix = 33;
	ck_assert_ptr_null(kgw_nl_msg_addr(buf, sizeof(buf), 3, true, 5, &c));
}
END_TEST

START_TEST(test_route)
{
	struct kgw_cidr c = cidr("100.64.0.0/16");
	struct nlmsghdr *nlh = kgw_nl_msg_route(buf, sizeof(buf), 3, true, 5, &c);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct attrs a;

	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWROUTE);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET);
	ck_assert_uint_eq(rtm->rtm_dst_len, 16);
	ck_assert_uint_eq(rtm->rtm_table, RT_TABLE_MAIN);
	ck_assert_uint_eq(rtm->rtm_scope, RT_SCOPE_LINK);
	ck_assert_uint_eq(rtm->rtm_type, RTN_UNICAST);
	ck_assert_uint_eq(rtm->rtm_protocol, RTPROT_STATIC);
	a = parse(nlh, sizeof(*rtm));
	ck_assert_int_eq(a.count, 2);
	ck_assert_mem_eq(mnl_attr_get_payload(a.tb[RTA_DST]), c.addr, 4);
	ck_assert_uint_eq(mnl_attr_get_u32(a.tb[RTA_OIF]), 5);

	/* A default route has no destination attribute. */
	c = cidr("::/0");
	nlh = kgw_nl_msg_route(buf, sizeof(buf), 3, false, 5, &c);
	rtm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELROUTE);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET6);
	a = parse(nlh, sizeof(*rtm));
	ck_assert_int_eq(a.count, 1);
	ck_assert_ptr_null(a.tb[RTA_DST]);
	ck_assert_ptr_null(kgw_nl_msg_route(buf, 30, 3, true, 5, &c));
}
END_TEST

/* The answer loop, fed with messages as the kernel would send them. */
static struct kgw_nlsock fake = { .portid = 4242 };

static size_t put_ack(uint8_t *at, uint32_t seq, int error, const char *extack)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct nlmsgerr *err;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = fake.portid;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg.nlmsg_seq = seq;
	err->msg.nlmsg_len = 64;
	if (extack) {
		nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	}
	return nlh->nlmsg_len;
}

static size_t put_link(uint8_t *at, uint32_t seq, uint32_t pid, int ifindex)
{
	struct nlmsghdr *nlh = kgw_nl_msg_setlink_mtu(at, 512, seq, (unsigned int)ifindex, 1500);

	nlh->nlmsg_pid = pid;
	return nlh->nlmsg_len;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kgw_nl_link link;

	ck_assert_int_eq(kgw_nl_parse_link(nlh, &link), 0);
	*(int *)data += (int)link.ifindex;
	return MNL_CB_OK;
}

static int fail_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOMEM;
	return MNL_CB_ERROR;
}

START_TEST(test_process)
{
	size_t n = 0;
	int sum = 0;

	/* 1: answer then ack: the callback sees the answer, the loop stops. */
	n = put_link(buf, 10, 4242, 3);
	n += put_ack(buf + n, 10, 0, NULL);
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n, 10, count_cb, &sum), MNL_CB_STOP);
	ck_assert_int_eq(sum, 3);
	/* 2: a stale answer of an earlier request is skipped, then ours. */
	sum = 0;
	n = put_link(buf, 9, 4242, 100);
	n += put_link(buf + n, 10, 4242, 4);
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n, 10, count_cb, &sum), MNL_CB_OK);
	ck_assert_int_eq(sum, 4);
	/* 3: a message for another socket is skipped too. */
	sum = 0;
	n = put_link(buf, 10, 1, 100);
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n, 10, count_cb, &sum), MNL_CB_OK);
	ck_assert_int_eq(sum, 0);
	/* 4: an error with the kernel's reason. */
	n = put_ack(buf, 10, -EOPNOTSUPP, "Unknown device type");
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n, 10, NULL, NULL), -EOPNOTSUPP);
	ck_assert_str_eq(fake.extack, "Unknown device type");
	/* 5: an error with no text. */
	fake.extack[0] = '\0';
	n = put_ack(buf, 10, -EEXIST, NULL);
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n, 10, NULL, NULL), -EEXIST);
	ck_assert_str_eq(fake.extack, "");
	/* 6: a positive error is nonsense. */
	n = put_ack(buf, 10, 5, NULL);
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n, 10, NULL, NULL), -EPROTO);
	/* 7: a truncated message. */
	n = put_link(buf, 10, 4242, 3);
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n - 4, 10, count_cb, &sum), -EPROTO);
	/* 8: the callback's error is returned. */
	n = put_link(buf, 10, 4242, 3);
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n, 10, fail_cb, NULL), -ENOMEM);
	/* 9: DONE ends a dump; DONE with an error reports it. */
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		int *e;

		nlh->nlmsg_type = NLMSG_DONE;
		nlh->nlmsg_seq = 10;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
		*e = 0;
		ck_assert_int_eq(kgw_nlsock_process(&fake, buf, nlh->nlmsg_len, 10, NULL, NULL),
				 MNL_CB_STOP);
		*e = -ENODEV;
		ck_assert_int_eq(kgw_nlsock_process(&fake, buf, nlh->nlmsg_len, 10, NULL, NULL),
				 -ENODEV);
	}
	/* 11: a length of 2 GiB and more (libmnl's own check takes it as negative). */
	{
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		memset(buf, 0xd5, 16);
		nlh->nlmsg_seq = 10;
		sum = 0;
		ck_assert_int_eq(kgw_nlsock_process(&fake, buf, 16, 10, count_cb, &sum), -EPROTO);
		ck_assert_int_eq(sum, 0);
	}
	/* 12: a last message whose padding is missing is not read past the buffer. */
	n = put_link(buf, 10, 4242, 3);
	((struct nlmsghdr *)buf)->nlmsg_len -= 2;
	ck_assert_int_eq(kgw_nlsock_process(&fake, buf, n - 2, 10, count_cb, &sum), -EPROTO);
	/* 10: an error too short for its header. */
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_seq = 10;
		mnl_nlmsg_put_extra_header(nlh, 4);
		ck_assert_int_eq(kgw_nlsock_process(&fake, buf, nlh->nlmsg_len, 10, NULL, NULL),
				 -EPROTO);
	}
}
END_TEST

static char tmpdir[64];

static int read_file_int(const char *name)
{
	char path[256], text[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	return atoi(text);
}

static void make_file(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("0\n", f);
	fclose(f);
}

static void rm_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_forwarding)
{
	char path[256];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kgw-test-nl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	/* Nothing there: the IPv4 file is missing, and that is an error. */
	ck_assert_int_eq(kgw_nl_forwarding_enable(tmpdir), -ENOENT);
	snprintf(path, sizeof(path), "%s/ipv4", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/ipv6", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/ipv6/conf", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/ipv6/conf/all", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	make_file("ipv4/ip_forward");
	/* IPv6 missing: an error, after IPv4 was turned on. */
	ck_assert_int_eq(kgw_nl_forwarding_enable(tmpdir), -ENOENT);
	ck_assert_int_eq(read_file_int("ipv4/ip_forward"), 1);
	make_file("ipv4/ip_forward");
	make_file("ipv6/conf/all/forwarding");
	ck_assert_int_eq(kgw_nl_forwarding_enable(tmpdir), 0);
	ck_assert_int_eq(read_file_int("ipv4/ip_forward"), 1);
	ck_assert_int_eq(read_file_int("ipv6/conf/all/forwarding"), 1);
	rm_tree();
}
END_TEST

static void quiet(enum kgw_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

int main(void)
{
	Suite *s = suite_create("nl");
	TCase *tc = tcase_create("rtnetlink");

	kgw_log_set_sink(quiet, NULL);
	tcase_add_loop_test(tc, test_ifname_valid, 0, (int)ARRAY_SIZE(ifnames));
	tcase_add_test(tc, test_getlink);
	tcase_add_test(tc, test_newlink_roundtrip);
	tcase_add_test(tc, test_parse_link_answer);
	tcase_add_test(tc, test_setlink);
	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_route);
	tcase_add_test(tc, test_process);
	tcase_add_test(tc, test_forwarding);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
