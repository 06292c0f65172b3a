/* SPDX-License-Identifier: MIT */
/* The nftables policy text for given inputs, and nft.c through libnftables. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nft.h"
#include "policy.h"
#include "unit.h"

static struct kgw_policy_config cfg;
static char err[KGW_POLICY_ERR_MAX];

static struct kgw_cidr cidr(const char *text)
{
	struct kgw_cidr c;

	ck_assert_int_eq(kgw_cidr_parse(text, true, &c), 0);
	return c;
}

static void setup(void)
{
	struct kgw_config defaults;

	kgw_config_defaults(&defaults);
	kgw_policy_from_config(&defaults, &cfg);
	strcpy(cfg.public_if, "eth0");
	strcpy(cfg.private_if, "eth1");
	strcpy(cfg.mgmt_if, "mgmt0");
	cfg.portal_port = 8443;
}

static char *full(const struct kgw_policy_session *s, size_t n)
{
	char *text = NULL;

	ck_assert_msg(kgw_policy_ruleset(&cfg, s, n, &text, err) == 0, "%s", err);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* Where line occurs in text as a whole line (tabs stripped), or -1. */
static long line_at(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		const char *q = p;

		while (*q == '\t')
			q++;
		if (!strncmp(q, line, n) && (q[n] == '\n' || q[n] == '\0'))
			return p - text;
	}
	return -1;
}

START_TEST(test_from_config)
{
	struct kgw_config c;
	struct kgw_policy_config p;

	kgw_config_defaults(&c);
	kgw_policy_from_config(&c, &p);
	ck_assert_str_eq(p.tunnel_if, "kgw0");
	ck_assert_str_eq(p.public_if, "");
	ck_assert_uint_eq(p.wg_port, 51820);
	ck_assert_uint_eq(p.auth_port, 4443);
	ck_assert_uint_eq(p.portal_port, 0);	/* 127.0.0.1:8443 */
	ck_assert_uint_eq(p.ssh_port, 22);
	ck_assert_int_eq(p.nat, KGW_NAT_MASQUERADE);
	ck_assert_uint_eq(p.pool4.prefix, 16);
	ck_assert_uint_eq(p.pool6.prefix, 64);
	ck_assert_int_eq(kgw_sockaddr_parse("10.9.9.9:9443", &c.admin_listen), 0);
	ck_assert_int_eq(kgw_sockaddr_parse("[::1]:4443", &c.auth_listen), 0);
	strcpy(c.management_interface, "mgmt0");
	c.nat = KGW_NAT_ROUTED;
	kgw_policy_from_config(&c, &p);
	ck_assert_uint_eq(p.portal_port, 9443);
	ck_assert_uint_eq(p.auth_port, 4443);
	ck_assert_str_eq(p.mgmt_if, "mgmt0");
	ck_assert_int_eq(p.nat, KGW_NAT_ROUTED);
	ck_assert_int_eq(kgw_sockaddr_parse("[::1]:8443", &c.admin_listen), 0);
	kgw_policy_from_config(&c, &p);
	ck_assert_uint_eq(p.portal_port, 0);
}
END_TEST

/* The shape: own table only, replaced in one transaction, default drop. */
START_TEST(test_structure)
{
	char *t = full(NULL, 0);

	ck_assert_msg(!strncmp(t, "# ", 2), "starts with a comment");
	ck_assert_ptr_nonnull(strstr(t, "\ntable inet kgw\ndelete table inet kgw\ntable inet kgw {\n"));
	ck_assert_ptr_null(strstr(t, "flush"));
	ck_assert_ptr_null(strstr(t, "table ip "));
	ck_assert_ptr_null(strstr(t, "elements"));	/* no sessions: empty sets */
	ck_assert_int_ge(line_at(t, "type filter hook input priority filter; policy drop;"), 0);
	ck_assert_int_ge(line_at(t, "type filter hook forward priority filter; policy drop;"), 0);
	ck_assert_int_ge(line_at(t, "iif \"lo\" accept"), 0);
	ck_assert_int_ge(line_at(t, "iifname \"eth0\" udp dport 51820 accept"), 0);
	ck_assert_int_ge(line_at(t, "iifname \"eth0\" tcp dport 4443 accept"), 0);
	ck_assert_int_ge(line_at(t, "iifname \"mgmt0\" tcp dport 8443 accept"), 0);
	ck_assert_int_ge(line_at(t, "iifname \"mgmt0\" tcp dport 22 accept"), 0);
	ck_assert_int_ge(line_at(t, "oifname \"eth1\" ip saddr 100.64.0.0/16 masquerade"), 0);
	ck_assert_int_ge(line_at(t, "oifname \"eth1\" ip6 saddr fd6b:6777::/64 masquerade"), 0);
	/* Tunnel clients never reach the gateway itself, even its open ports. */
	ck_assert_int_lt(line_at(t, "iifname \"kgw0\" drop"),
			 line_at(t, "ct state established,related accept"));
	ck_assert_int_lt(line_at(t, "iifname \"kgw0\" drop"),
			 line_at(t, "iifname \"eth0\" tcp dport 4443 accept"));
	ck_assert_uint_eq(t[strlen(t) - 1], '\n');
	free(t);
}
END_TEST

/*
 * The ordering the whole policy rests on: in forward, every packet from
 * the tunnel meets the session rules and then a drop before any rule that
 * trusts conntrack state.
 */
START_TEST(test_forward_order)
{
	char *t = full(NULL, 0);
	const char *fwd = strstr(t, "chain forward {");
	long from, drop, est;

	ck_assert_ptr_nonnull(fwd);
	from = line_at(fwd, "iifname \"kgw0\" jump from_tunnel");
	drop = line_at(fwd, "iifname \"kgw0\" drop");
	est = strstr(fwd, "ct state established") - fwd;
	ck_assert_int_ge(from, 0);
	ck_assert_int_gt(drop, from);
	ck_assert_int_gt(est, drop);
	ck_assert_int_ge(line_at(fwd, "oifname \"kgw0\" ct state established jump to_tunnel"), 0);
	ck_assert_int_ge(line_at(fwd, "oifname \"kgw0\" ct state related ct original ip saddr"
				 " @peers4 accept"), 0);
	/* No blanket conntrack accept anywhere in forward. */
	ck_assert_ptr_null(strstr(fwd, "\t\tct state established,related accept"));
	/* Nothing but group dispatch in the chains forward jumps to. */
	ck_assert_ptr_nonnull(strstr(t, "\tchain from_tunnel {\n\t}\n\tchain to_tunnel {\n\t}\n"));
	free(t);
}
END_TEST

START_TEST(test_unrestricted_interfaces)
{
	char *t;

	cfg.public_if[0] = cfg.private_if[0] = cfg.mgmt_if[0] = '\0';
	t = full(NULL, 0);
	ck_assert_ptr_null(strstr(t, "\"\""));
	ck_assert_int_ge(line_at(t, "udp dport 51820 accept"), 0);
	ck_assert_int_ge(line_at(t, "tcp dport 22 accept"), 0);
	ck_assert_int_ge(line_at(t, "oifname != \"kgw0\" ip saddr 100.64.0.0/16 masquerade"), 0);
	free(t);
}
END_TEST

START_TEST(test_routed_and_closed_ports)
{
	char *t;

	cfg.nat = KGW_NAT_ROUTED;
	cfg.auth_port = cfg.portal_port = cfg.ssh_port = 0;
	t = full(NULL, 0);
	ck_assert_ptr_null(strstr(t, "masquerade"));
	ck_assert_ptr_null(strstr(t, "postrouting"));
	ck_assert_ptr_null(strstr(t, " 0 accept"));
	*strstr(t, "chain forward") = '\0';
	ck_assert_ptr_null(strstr(strstr(t, "chain input"), "tcp dport"));
	ck_assert_int_ge(line_at(t, "iifname \"eth0\" udp dport 51820 accept"), 0);
	free(t);
}
END_TEST

/* Nothing but a plain interface name reaches the text. */
static const struct {
	int which;		/* 0 tunnel, 1 public, 2 private, 3 management */
	const char *name;
	const char *msg;
} bad_ifnames[] = {
	/* 1 */ { 0, "", "tunnel interface `'" },
	/* 2 */ { 0, "kgw\"0", "tunnel interface" },
	/* 3 */ { 1, "eth0\" accept", "public interface" },
	/* 4 */ { 1, "eth0;", "public interface" },
	/* 5 */ { 2, "eth1 }", "private interface" },
	/* 6 */ { 2, "eth\n1", "private interface `eth?1'" },
	/* 7 */ { 3, "mg*", "management interface" },
	/* 8 */ { 3, "..", "management interface" },
	/* 9 */ { 3, "a/b", "management interface" },
	/* 10 */ { 1, "{eth0}", "public interface" },
	/* 11 */ { 2, "$x", "private interface" },
	/* 12 */ { 0, "\xff", "tunnel interface `?'" },
};

START_TEST(test_bad_ifnames)
{
	char *fields[] = { cfg.tunnel_if, cfg.public_if, cfg.private_if, cfg.mgmt_if };
	char *t = (char *)1;

	strcpy(fields[bad_ifnames[_i].which], bad_ifnames[_i].name);
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, NULL, 0, &t, err), -EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, bad_ifnames[_i].msg), "case %d: %s", _i + 1, err);
	ck_assert_int_eq(kgw_policy_sessions_add(&cfg, NULL, 0, &t, err), -EINVAL);
}
END_TEST

/* A name of exactly IFNAMSIZ bytes, with no room for its NUL, is refused too. */
START_TEST(test_unterminated_ifname)
{
	char *t;

	memset(cfg.public_if, 'a', sizeof(cfg.public_if));
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, NULL, 0, &t, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "public interface"));
}
END_TEST

START_TEST(test_bad_config)
{
	char *t;

	cfg.wg_port = 0;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, NULL, 0, &t, err), -EINVAL);
	ck_assert_str_eq(err, "the WireGuard port is 0");
	cfg.wg_port = 51820;
	cfg.nat = 7;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, NULL, 0, &t, err), -EINVAL);
	cfg.nat = KGW_NAT_ROUTED;
	cfg.pool6.family = AF_INET;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, NULL, 0, &t, err), -EINVAL);
}
END_TEST

/*
 * A group's destinations to its chains: one rule each way per destination,
 * in order; overlaps are harmless in a chain (the first match accepts).
 */
START_TEST(test_group_chains)
{
	struct kgw_policy_dest d[] = {
		{ cidr("10.0.0.10/32"), 6443, 6443 },
		{ cidr("10.0.0.0/24"), 1, 65535 },
		{ cidr("fd00:10::/64"), 443, 450 },
	};
	struct kgw_policy_session s = { cidr("100.64.0.2"), cidr("fd6b:6777::2"), 7, d, 3 };
	char *t = full(&s, 1);

	ck_assert_ptr_nonnull(strstr(t, "\tchain in_7 {\n"
				     "\t\tip daddr 10.0.0.10/32 tcp dport 6443 accept\n"
				     "\t\tip daddr 10.0.0.0/24 tcp dport 1-65535 accept\n"
				     "\t\tip6 daddr fd00:10::/64 tcp dport 443-450 accept\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(t, "\tchain out_7 {\n"
				     "\t\tip saddr 10.0.0.10/32 tcp sport 6443 accept\n"
				     "\t\tip saddr 10.0.0.0/24 tcp sport 1-65535 accept\n"
				     "\t\tip6 saddr fd00:10::/64 tcp sport 443-450 accept\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(t, "\tchain from_tunnel {\n"
				     "\t\tip saddr @m4_7 jump in_7\n"
				     "\t\tip6 saddr @m6_7 jump in_7\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(t, "\tchain to_tunnel {\n"
				     "\t\tip daddr @m4_7 jump out_7\n"
				     "\t\tip6 daddr @m6_7 jump out_7\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(t, "\tset m4_7 {\n\t\ttype ipv4_addr\n"
				     "\t\telements = { 100.64.0.2 }\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(t, "\tset m6_7 {\n\t\ttype ipv6_addr\n"
				     "\t\telements = { fd6b:6777::2 }\n\t}\n"));
	/* No interval set, no verdict map: changes stay O(1) (policy.h). */
	ck_assert_ptr_null(strstr(t, "interval"));
	ck_assert_ptr_null(strstr(t, "vmap"));
	free(t);
}
END_TEST

/* Sessions in two groups: each group once, its members in its sets only. */
START_TEST(test_groups)
{
	struct kgw_policy_dest a = { cidr("10.0.0.10/32"), 6443, 6443 };
	struct kgw_policy_dest b = { cidr("10.0.0.20/32"), 6443, 6443 };
	struct kgw_policy_session s[] = {
		{ cidr("100.64.0.2"), { 0 }, 1, &a, 1 },
		{ cidr("100.64.0.3"), { 0 }, 0, &b, 1 },
		{ cidr("100.64.0.4"), { 0 }, 1, &a, 1 },
	};
	char *t = full(s, 3);
	const char *first;

	ck_assert_ptr_nonnull(strstr(t, "\tset m4_1 {\n\t\ttype ipv4_addr\n"
				     "\t\telements = { 100.64.0.2,\n\t\t\t     100.64.0.4 }\n\t}\n"));
	ck_assert_ptr_nonnull(strstr(t, "\tset m4_0 {\n\t\ttype ipv4_addr\n"
				     "\t\telements = { 100.64.0.3 }\n\t}\n"));
	ck_assert_ptr_nonnull(first = strstr(t, "\tchain in_1 {\n\t\tip daddr 10.0.0.10/32 tcp"));
	ck_assert_ptr_null(strstr(first + 1, "\tchain in_1 {"));
	ck_assert_ptr_nonnull(strstr(t, "\tchain in_0 {\n\t\tip daddr 10.0.0.20/32 tcp"));
	ck_assert_ptr_nonnull(strstr(t, "\t\telements = { 100.64.0.2,\n\t\t\t     100.64.0.3,\n"
				     "\t\t\t     100.64.0.4 }\n"));	/* peers4 */
	free(t);
	/* One group, two different destination lists: refused. */
	s[1].group = 1;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, s, 3, &t, err), -EINVAL);
	ck_assert_str_eq(err, "sessions 1 and 2 are in group 1 but have different destinations");
}
END_TEST

START_TEST(test_group_add)
{
	struct kgw_policy_dest d = { cidr("fd00:10::/64"), 443, 443 };
	struct kgw_policy_session s = { cidr("100.64.0.2"), cidr("fd6b:6777::2"), 3, &d, 1 };
	char *t;

	ck_assert_msg(kgw_policy_group_add(&cfg, &s, &t, err) == 0, "%s", err);
	ck_assert_str_eq(t,
		"create set inet kgw m4_3 { type ipv4_addr; }\n"
		"create set inet kgw m6_3 { type ipv6_addr; }\n"
		"create chain inet kgw in_3\n"
		"create chain inet kgw out_3\n"
		"table inet kgw {\n"
		"\tchain in_3 {\n\t\tip6 daddr fd00:10::/64 tcp dport 443 accept\n\t}\n"
		"\tchain out_3 {\n\t\tip6 saddr fd00:10::/64 tcp sport 443 accept\n\t}\n"
		"}\n"
		"add rule inet kgw from_tunnel ip saddr @m4_3 jump in_3\n"
		"add rule inet kgw from_tunnel ip6 saddr @m6_3 jump in_3\n"
		"add rule inet kgw to_tunnel ip daddr @m4_3 jump out_3\n"
		"add rule inet kgw to_tunnel ip6 daddr @m6_3 jump out_3\n");
	free(t);
	/* Validated like a session of the full ruleset. */
	d.port_min = 0;
	ck_assert_int_eq(kgw_policy_group_add(&cfg, &s, &t, err), -EINVAL);
	ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_add_del)
{
	struct kgw_policy_dest d[] = {
		{ cidr("10.0.0.10/32"), 6443, 6443 },
		{ cidr("fd00:10::/64"), 443, 443 },
	};
	struct kgw_policy_session s[] = {
		{ cidr("100.64.0.2"), cidr("fd6b:6777::2"), 0, d, 2 },
		{ cidr("100.64.0.3"), { 0 }, 5, d, 1 },
	};
	char *add, *del, *t;

	ck_assert_int_eq(kgw_policy_sessions_add(&cfg, s, 2, &add, err), 0);
	ck_assert_int_eq(kgw_policy_sessions_del(&cfg, s, 2, &del, err), 0);
	/* `create': an address already there fails the transaction. */
	ck_assert_str_eq(add,
		"create element inet kgw m4_0 { 100.64.0.2 }\n"
		"create element inet kgw peers4 { 100.64.0.2 }\n"
		"create element inet kgw m6_0 { fd6b:6777::2 }\n"
		"create element inet kgw peers6 { fd6b:6777::2 }\n"
		"create element inet kgw m4_5 { 100.64.0.3 }\n"
		"create element inet kgw peers4 { 100.64.0.3 }\n");
	/* Deleting names exactly what adding added: the same lines but the verb. */
	{
		char *back = calloc(1, strlen(del) + 16), *o = back;

		for (const char *p = del; *p;) {
			if (!strncmp(p, "delete element ", 15) && (p == del || p[-1] == '\n')) {
				o += sprintf(o, "create element ");
				p += 15;
			} else {
				*o++ = *p++;
			}
		}
		ck_assert_str_eq(back, add);
		free(back);
	}
	free(add);
	free(del);
	/* Nothing to change: an empty transaction. */
	ck_assert_int_eq(kgw_policy_sessions_add(&cfg, NULL, 0, &t, err), 0);
	ck_assert_str_eq(t, "");
	free(t);
}
END_TEST

static const struct {
	const char *addr4, *addr6, *dest;
	uint16_t lo, hi;
	const char *msg;
} bad_sessions[] = {
	/* 1 */ { "100.65.0.2", NULL, "10.0.0.0/24", 1, 2, "100.65.0.2/32 is not in the tunnel pool" },
	/* 2 */ { "100.64.0.0/24", NULL, "10.0.0.0/24", 1, 2, "the IPv4 address is not a /32" },
	/* 3 */ { NULL, NULL, "10.0.0.0/24", 1, 2, "session 1 has no address" },
	/* 4 */ { "100.64.0.2", NULL, "fd00::/64", 1, 2, "destination fd00::/64 but no IPv6 address" },
	/* 5 */ { NULL, "fd6b:6777::2", "10.0.0.0/8", 1, 2, "destination 10.0.0.0/8 but no IPv4" },
	/* 6 */ { "100.64.0.2", NULL, "10.0.0.0/24", 0, 2, "bad port range 0-2" },
	/* 7 */ { "100.64.0.2", NULL, "10.0.0.0/24", 9, 2, "bad port range 9-2" },
	/* 8 */ { "100.64.0.2", "fd00::2", "10.0.0.0/24", 1, 2, "fd00::2/128 is not in the tunnel pool" },
	/* 9 */ { "100.64.0.2", "fd6b:6777::/120", "10.0.0.0/24", 1, 2, "IPv6 address is not a /128" },
};

START_TEST(test_bad_sessions)
{
	struct kgw_policy_dest d = { cidr(bad_sessions[_i].dest), bad_sessions[_i].lo,
				     bad_sessions[_i].hi };
	struct kgw_policy_session s = { .dests = &d, .n_dests = 1 };
	char *t = (char *)1;

	if (bad_sessions[_i].addr4)
		s.addr4 = cidr(bad_sessions[_i].addr4);
	if (bad_sessions[_i].addr6)
		s.addr6 = cidr(bad_sessions[_i].addr6);
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, &s, 1, &t, err), -EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, bad_sessions[_i].msg), "case %d: %s", _i + 1, err);
	ck_assert_int_eq(kgw_policy_sessions_del(&cfg, &s, 1, &t, err), -EINVAL);
}
END_TEST

/*
 * Two sessions with one address, found by sorting: the first session
 * that repeats an earlier one's address is named, with the earliest such
 * session, as the pairwise check named them. Numbered cases of three
 * sessions; NULL: no such address.
 */
static const struct {
	const char *a4[3], *a6[3];
	const char *msg;	/* NULL: no error */
} twin_cases[] = {
	/* 0 */ { { "100.64.0.2", "100.64.0.3", "100.64.0.4" }, { NULL, NULL, NULL }, NULL },
	/* 1 */ { { "100.64.0.2", "100.64.0.3", "100.64.0.2" }, { NULL, NULL, NULL },
		  "sessions 1 and 3 share the address 100.64.0.2/32" },
	/* 2 */ { { "100.64.0.2", "100.64.0.3", "100.64.0.4" }, { "fd6b:6777::2", "fd6b:6777::3", "fd6b:6777::3" },
		  "sessions 2 and 3 share the address fd6b:6777::3/128" },
	/* 3 */ { { "100.64.0.2", "100.64.0.3", "100.64.0.3" }, { "fd6b:6777::2", "fd6b:6777::3", "fd6b:6777::2" },
		  "sessions 1 and 3 share the address fd6b:6777::2/128" },
	/* 4 */ { { "100.64.0.2", "100.64.0.2", "100.64.0.2" }, { "fd6b:6777::2", "fd6b:6777::2", "fd6b:6777::3" },
		  "sessions 1 and 2 share the address 100.64.0.2/32" },
	/* 5 */ { { NULL, "100.64.0.2", NULL }, { "fd6b:6777::2", "fd6b:6777::3", "fd6b:6777::3" },
		  "sessions 2 and 3 share the address fd6b:6777::3/128" },
	/* 6 */ { { NULL, NULL, "100.64.0.9" }, { "fd6b:6777::2", "fd6b:6777::4", "fd6b:6777::3" }, NULL },
};

START_TEST(test_twin_addresses)
{
	struct kgw_policy_dest d = { cidr("10.0.0.0/24"), 443, 443 };
	struct kgw_policy_session s[3];
	char *t = NULL;

	memset(s, 0, sizeof(s));
	for (int i = 0; i < 3; i++) {
		if (twin_cases[_i].a4[i])
			s[i].addr4 = cidr(twin_cases[_i].a4[i]);
		if (twin_cases[_i].a6[i])
			s[i].addr6 = cidr(twin_cases[_i].a6[i]);
		s[i].dests = &d;
		s[i].n_dests = s[i].addr4.family ? 1 : 0;
		s[i].group = (uint32_t)s[i].n_dests;	/* the same dests, the same group */
	}
	if (!twin_cases[_i].msg) {
		free(full(s, 3));
		return;
	}
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, s, 3, &t, err), -EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(err, twin_cases[_i].msg);
}
END_TEST

/* 20,000 sessions pass; one repeated address at the far end is found. */
START_TEST(test_twin_addresses_many)
{
	enum { N = 20000 };
	struct kgw_policy_dest d = { cidr("10.0.0.0/24"), 443, 443 };
	struct kgw_policy_session *s = calloc(N, sizeof(*s));
	char *t = NULL;

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < N; i++) {
		s[i].addr4 = cidr("100.64.0.0");
		s[i].addr4.addr[2] = (uint8_t)((i + 2) >> 8);
		s[i].addr4.addr[3] = (uint8_t)(i + 2);
		s[i].dests = &d;
		s[i].n_dests = 1;
	}
	free(full(s, N));
	s[N - 1].addr4 = s[7].addr4;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, s, N, &t, err), -EINVAL);
	ck_assert_str_eq(err, "sessions 8 and 20000 share the address 100.64.0.9/32");
	free(s);
}
END_TEST

START_TEST(test_bad_dests)
{
	struct kgw_policy_dest d = { cidr("10.0.0.0/24"), 443, 443 };
	struct kgw_policy_session s[2] = {
		{ .addr4 = cidr("100.64.0.2"), .dests = &d, .n_dests = 1 },
		{ .addr4 = cidr("100.64.0.2"), .dests = &d, .n_dests = 1 },
	};
	char *t;

	ck_assert_int_eq(kgw_policy_ruleset(&cfg, s, 2, &t, err), -EINVAL);
	ck_assert_str_eq(err, "sessions 1 and 2 share the address 100.64.0.2/32");
	d.net.addr[3] = 5;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, s, 1, &t, err), -EINVAL);
	ck_assert_str_eq(err, "session 1: destination 10.0.0.5/24 has host bits set");
	d.net.addr[3] = 0;
	d.net.family = AF_UNIX;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, s, 1, &t, err), -EINVAL);
	ck_assert_str_eq(err, "session 1: a destination is not an IP prefix");
	d.net.family = AF_INET;
	d.net.prefix = 33;
	ck_assert_int_eq(kgw_policy_ruleset(&cfg, s, 1, &t, err), -EINVAL);
}
END_TEST

/* Many sessions: every one present, each address in peers4 and in its group's set. */
START_TEST(test_many_sessions)
{
	enum { N = 500 };
	struct kgw_policy_dest d[2] = { { cidr("10.0.0.10/32"), 6443, 6443 },
					{ cidr("10.0.0.20/32"), 6443, 6443 } };
	struct kgw_policy_session *s = calloc(N, sizeof(*s));
	char *t, want[64];
	const char *m4_0, *m4_1, *peers;

	for (int i = 0; i < N; i++) {
		s[i].addr4 = cidr("100.64.0.0");
		s[i].addr4.addr[2] = (uint8_t)((i + 2) >> 8);
		s[i].addr4.addr[3] = (uint8_t)(i + 2);
		s[i].group = (uint32_t)(i % 2);
		s[i].dests = &d[i % 2];
		s[i].n_dests = 1;
	}
	t = full(s, N);
	ck_assert_ptr_nonnull(peers = strstr(t, "\tset peers4 {"));
	ck_assert_ptr_nonnull(m4_0 = strstr(t, "\tset m4_0 {"));
	ck_assert_ptr_nonnull(m4_1 = strstr(t, "\tset m4_1 {"));
	ck_assert(peers < m4_0 && m4_0 < m4_1);
	for (int i = 0; i < N; i++) {
		const char *in_peers, *in_group;

		snprintf(want, sizeof(want), "100.64.%d.%d", (i + 2) >> 8, (i + 2) & 255);
		in_peers = strstr(peers, want);
		in_group = strstr(i % 2 ? m4_1 : m4_0, want);
		ck_assert_msg(in_peers && in_peers < m4_0, "session %d not in peers4", i);
		ck_assert_msg(in_group && (i % 2 || in_group < m4_1), "session %d not in its group", i);
	}
	free(t);
	free(s);
}
END_TEST

/*
 * nft.c's error path through real libnftables, with nothing sent to the
 * kernel: a ruleset it cannot parse is refused before any netlink request
 * (policy-netns.sh applies real ones in a namespace of its own).
 */
START_TEST(test_nft_syntax_error)
{
	char e[KGW_NFT_ERR_MAX];

	ck_assert_int_eq(kgw_nft_apply("table inet kgw {\n\tchain input { bogus; }\n}\n", e), -EIO);
	ck_assert_msg(strstr(e, "Error: syntax error"), "libnftables said: %s", e);
}
END_TEST

/* A kept context: each run's error is that run's own, none piles up. */
START_TEST(test_nft_kept_context)
{
	struct kgw_nft *nft = kgw_nft_new();
	char e[KGW_NFT_ERR_MAX];

	ck_assert_ptr_nonnull(nft);
	ck_assert_int_eq(kgw_nft_run(nft, "table inet first { chain input { bogus; } }\n", e), -EIO);
	ck_assert_msg(strstr(e, "first"), "libnftables said: %s", e);
	ck_assert_int_eq(kgw_nft_run(nft, "table inet second { chain input { wrong; } }\n", e), -EIO);
	ck_assert_msg(strstr(e, "second") && !strstr(e, "first"), "libnftables said: %s", e);
	kgw_nft_free(nft);
	kgw_nft_free(NULL);
}
END_TEST

/* A long message is cut to the buffer, never past it. */
START_TEST(test_nft_long_error)
{
	size_t n = 1 << 16;
	char *big = malloc(n + 16), e[KGW_NFT_ERR_MAX];

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', n);
	strcpy(big + n, " {\n");
	ck_assert_int_eq(kgw_nft_apply(big, e), -EIO);
	ck_assert_uint_eq(strlen(e), KGW_NFT_ERR_MAX - 1);
	free(big);
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
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("ruleset");
	TCase *nft = tcase_create("nft");

	kgw_log_set_sink(quiet, NULL);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_from_config);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_forward_order);
	tcase_add_test(tc, test_unrestricted_interfaces);
	tcase_add_test(tc, test_routed_and_closed_ports);
	tcase_add_loop_test(tc, test_bad_ifnames, 0, (int)ARRAY_SIZE(bad_ifnames));
	tcase_add_test(tc, test_unterminated_ifname);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_group_chains);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_group_add);
	tcase_add_test(tc, test_add_del);
	tcase_add_loop_test(tc, test_bad_sessions, 0, (int)ARRAY_SIZE(bad_sessions));
	tcase_add_test(tc, test_bad_dests);
	tcase_add_loop_test(tc, test_twin_addresses, 0, (int)ARRAY_SIZE(twin_cases));
	tcase_add_test(tc, test_twin_addresses_many);
	tcase_add_test(tc, test_many_sessions);
	suite_add_tcase(s, tc);
	tcase_add_test(nft, test_nft_syntax_error);
	tcase_add_test(nft, test_nft_long_error);
	tcase_add_test(nft, test_nft_kept_context);
	suite_add_tcase(s, nft);
	return unit_run(s);
}
