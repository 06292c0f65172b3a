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
	long allow4, allow6, drop, est;

	ck_assert_ptr_nonnull(fwd);
	allow4 = line_at(fwd, "iifname \"kgw0\" ip saddr . ip daddr . tcp dport @allow4 accept");
	allow6 = line_at(fwd, "iifname \"kgw0\" ip6 saddr . ip6 daddr . tcp dport @allow6 accept");
	drop = line_at(fwd, "iifname \"kgw0\" drop");
	est = strstr(fwd, "ct state established") - fwd;
	ck_assert_int_ge(allow4, 0);
	ck_assert_int_gt(allow6, allow4);
	ck_assert_int_gt(drop, allow6);
	ck_assert_int_gt(est, drop);
	ck_assert_int_ge(line_at(fwd, "oifname \"kgw0\" ct state established ip daddr . ip saddr"
				 " . tcp sport @allow4 accept"), 0);
	ck_assert_int_ge(line_at(fwd, "oifname \"kgw0\" ct state related ct original ip saddr"
				 " @peers4 accept"), 0);
	/* No blanket conntrack accept anywhere in forward. */
	ck_assert_ptr_null(strstr(fwd, "\t\tct state established,related accept"));
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
 * Destinations to elements: overlaps removed (the interval set refuses
 * them), the union kept. Each case: one session's destinations, then the
 * allow4 elements expected, in order.
 */
#define D(net, lo, hi) { #net, lo, hi }
static const struct {
	struct {
		const char *net;
		uint16_t lo, hi;
	} d[4];
	const char *want;
} elems[] = {
	/* 1 */ { { D(10.0.0.10/32, 6443, 6443) }, "100.64.0.2 . 10.0.0.10/32 . 6443" },
	/* 2 */ { { D(10.0.0.0/24, 1, 1024) }, "100.64.0.2 . 10.0.0.0/24 . 1-1024" },
	/* 3: the same destination twice */
	{ { D(10.0.0.0/24, 443, 443), D(10.0.0.0/24, 443, 443) }, "100.64.0.2 . 10.0.0.0/24 . 443" },
	/* 4: a narrower prefix with the same port adds nothing */
	{ { D(10.0.0.10/32, 6443, 6443), D(10.0.0.0/24, 6443, 6443) },
	  "100.64.0.2 . 10.0.0.0/24 . 6443" },
	/* 5: a narrower prefix with more ports keeps only its own */
	{ { D(10.0.0.0/24, 6443, 6443), D(10.0.0.10/32, 6000, 7000) },
	  "100.64.0.2 . 10.0.0.0/24 . 6443, 100.64.0.2 . 10.0.0.10/32 . 6000-6442, "
	  "100.64.0.2 . 10.0.0.10/32 . 6444-7000" },
	/* 6: adjacent ranges merge */
	{ { D(10.0.0.0/24, 100, 200), D(10.0.0.0/24, 201, 300) }, "100.64.0.2 . 10.0.0.0/24 . 100-300" },
	/* 7: overlapping ranges merge */
	{ { D(10.0.0.0/24, 150, 300), D(10.0.0.0/24, 100, 200) }, "100.64.0.2 . 10.0.0.0/24 . 100-300" },
	/* 8: every port, and the last one */
	{ { D(10.0.0.0/24, 1, 65535), D(10.9.0.0/16, 65535, 65535) },
	  "100.64.0.2 . 10.0.0.0/24 . 1-65535, 100.64.0.2 . 10.9.0.0/16 . 65535" },
	/* 9: disjoint prefixes stay apart */
	{ { D(10.0.0.0/24, 443, 443), D(10.0.1.0/24, 443, 443) },
	  "100.64.0.2 . 10.0.0.0/24 . 443, 100.64.0.2 . 10.0.1.0/24 . 443" },
	/* 10: everything, which swallows a narrower rule entirely */
	{ { D(10.0.0.0/8, 6443, 6443), D(0.0.0.0/0, 1, 65535) }, "100.64.0.2 . 0.0.0.0/0 . 1-65535" },
	/* 11: three levels */
	{ { D(10.0.0.0/8, 443, 443), D(10.1.0.0/16, 443, 444), D(10.1.2.3/32, 440, 450) },
	  "100.64.0.2 . 10.0.0.0/8 . 443, 100.64.0.2 . 10.1.0.0/16 . 444, "
	  "100.64.0.2 . 10.1.2.3/32 . 440-442, 100.64.0.2 . 10.1.2.3/32 . 445-450" },
	/* 12: port 1 and a hole */
	{ { D(10.0.0.1/32, 1, 3), D(10.0.0.1/32, 5, 5) },
	  "100.64.0.2 . 10.0.0.1/32 . 1-3, 100.64.0.2 . 10.0.0.1/32 . 5" },
};

static size_t make_dests(int i, struct kgw_policy_dest *out)
{
	size_t n = 0;

	for (; n < 4 && elems[i].d[n].net; n++) {
		out[n].net = cidr(elems[i].d[n].net);
		out[n].port_min = elems[i].d[n].lo;
		out[n].port_max = elems[i].d[n].hi;
	}
	return n;
}

/* The add transaction's allow4 elements, separators flattened to ", ". */
static char *allow4_of(const char *text)
{
	const char *p = strstr(text, "add element inet kgw allow4 { ");
	char *out = calloc(1, strlen(text) + 1), *o = out;

	ck_assert_ptr_nonnull(p);
	for (p += strlen("add element inet kgw allow4 { "); *p && *p != '}'; p++) {
		if (*p == '\n' || *p == '\t' || (*p == ' ' && o > out && o[-1] == ' '))
			continue;
		*o++ = *p;
	}
	while (o > out && o[-1] == ' ')
		*--o = '\0';
	return out;
}

START_TEST(test_elements)
{
	struct kgw_policy_dest d[4];
	struct kgw_policy_session s = { .addr4 = cidr("100.64.0.2"), .dests = d };
	char *t, *got;

	s.n_dests = make_dests(_i, d);
	ck_assert_msg(kgw_policy_sessions_add(&cfg, &s, 1, &t, err) == 0, "%s", err);
	got = allow4_of(t);
	ck_assert_msg(!strcmp(got, elems[_i].want), "case %d: got `%s'", _i + 1, got);
	ck_assert_ptr_nonnull(strstr(t, "add element inet kgw peers4 { 100.64.0.2 }\n"));
	ck_assert_ptr_null(strstr(t, "allow6"));
	free(got);
	free(t);
	/* The full ruleset carries the same elements. */
	t = full(&s, 1);
	ck_assert_ptr_nonnull(strstr(t, "elements = { 100.64.0.2 . "));
	free(t);
}
END_TEST

START_TEST(test_add_del)
{
	struct kgw_policy_dest d[] = {
		{ cidr("10.0.0.10/32"), 6443, 6443 },
		{ cidr("fd00:10::/64"), 443, 443 },
	};
	struct kgw_policy_session s[] = {
		{ cidr("100.64.0.2"), cidr("fd6b:6777::2"), d, 2 },
		{ cidr("100.64.0.3"), cidr("fd6b:6777::3"), d, 1 },
	};
	char *add, *del, *t;

	ck_assert_int_eq(kgw_policy_sessions_add(&cfg, s, 2, &add, err), 0);
	ck_assert_int_eq(kgw_policy_sessions_del(&cfg, s, 2, &del, err), 0);
	ck_assert_str_eq(add,
		"add element inet kgw allow4 { 100.64.0.2 . 10.0.0.10/32 . 6443,\n"
		"\t\t\t     100.64.0.3 . 10.0.0.10/32 . 6443 }\n"
		"add element inet kgw allow6 { fd6b:6777::2 . fd00:10::/64 . 443 }\n"
		"add element inet kgw peers4 { 100.64.0.2,\n\t\t\t     100.64.0.3 }\n"
		"add element inet kgw peers6 { fd6b:6777::2,\n\t\t\t     fd6b:6777::3 }\n");
	/* Deleting names exactly what adding added: the same lines but the verb. */
	{
		char *back = calloc(1, strlen(del) + 1), *o = back;

		for (const char *p = del; *p;) {
			if (!strncmp(p, "delete element ", 15) && (p == del || p[-1] == '\n')) {
				o += sprintf(o, "add element ");
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

/* Many sessions: every one present, each address once in peers4. */
START_TEST(test_many_sessions)
{
	enum { N = 500 };
	struct kgw_policy_dest d = { cidr("10.0.0.10/32"), 6443, 6443 };
	struct kgw_policy_session *s = calloc(N, sizeof(*s));
	char *t, want[64];

	for (int i = 0; i < N; i++) {
		s[i].addr4 = cidr("100.64.0.0");
		s[i].addr4.addr[2] = (uint8_t)((i + 2) >> 8);
		s[i].addr4.addr[3] = (uint8_t)(i + 2);
		s[i].dests = &d;
		s[i].n_dests = 1;
	}
	t = full(s, N);
	for (int i = 0; i < N; i++) {
		snprintf(want, sizeof(want), "100.64.%d.%d . 10.0.0.10/32 . 6443", (i + 2) >> 8,
			 (i + 2) & 255);
		ck_assert_msg(strstr(t, want), "session %d missing", i);
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
	tcase_add_loop_test(tc, test_elements, 0, (int)ARRAY_SIZE(elems));
	tcase_add_test(tc, test_add_del);
	tcase_add_loop_test(tc, test_bad_sessions, 0, (int)ARRAY_SIZE(bad_sessions));
	tcase_add_test(tc, test_bad_dests);
	tcase_add_loop_test(tc, test_twin_addresses, 0, (int)ARRAY_SIZE(twin_cases));
	tcase_add_test(tc, test_twin_addresses_many);
	tcase_add_test(tc, test_many_sessions);
	suite_add_tcase(s, tc);
	tcase_add_test(nft, test_nft_syntax_error);
	tcase_add_test(nft, test_nft_long_error);
	suite_add_tcase(s, nft);
	return unit_run(s);
}
