/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nl.h"
#include "policy.h"

#define PORT_WORDS (65536 / 64)

/* ---- a growing string ---- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	size_t room, cap;
	va_list ap;
	char *s;
	int n;

	if (b->oom)
		return;
	for (;;) {
		room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		cap = b->cap ? b->cap * 2 : 4096;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static void sb_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Hands the text to the caller (an empty string if nothing was written). */
static int sb_take(struct sbuf *b, char **out)
{
	*out = NULL;
	if (!b->oom && !b->s)
		sb_printf(b, "%s", "");
	if (b->oom) {
		sb_free(b);
		return -ENOMEM;
	}
	*out = b->s;
	memset(b, 0, sizeof(*b));
	return 0;
}

/* ---- validation: nothing reaches the text unchecked ---- */

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, KGW_POLICY_ERR_MAX, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int check_ifname(const char *what, const char *name, bool required, char *err)
{
	char q[2 * IFNAMSIZ];

	if (!required && name[0] == '\0')
		return 0;
	if (kgw_nl_ifname_valid(name))
		return 0;
	kgw_log_quote(name, q, sizeof(q));
	return fail(err, "%s interface `%s' is not a valid interface name", what, q);
}

static bool pool_ok(const struct kgw_cidr *c, sa_family_t family)
{
	return c->family == family && c->prefix <= (family == AF_INET ? 32 : 128);
}

static int check_config(const struct kgw_policy_config *cfg, char *err)
{
	int ret;

	if ((ret = check_ifname("tunnel", cfg->tunnel_if, true, err)) < 0 ||
	    (ret = check_ifname("public", cfg->public_if, false, err)) < 0 ||
	    (ret = check_ifname("private", cfg->private_if, false, err)) < 0 ||
	    (ret = check_ifname("management", cfg->mgmt_if, false, err)) < 0)
		return ret;
	if (cfg->wg_port == 0)
		return fail(err, "the WireGuard port is 0");
	if (cfg->nat != KGW_NAT_MASQUERADE && cfg->nat != KGW_NAT_ROUTED)
		return fail(err, "unknown NAT mode %d", cfg->nat);
	if (!pool_ok(&cfg->pool4, AF_INET) || !pool_ok(&cfg->pool6, AF_INET6))
		return fail(err, "the tunnel pools must be an IPv4 and an IPv6 prefix");
	return 0;
}

static int check_addr(size_t i, const char *what, const struct kgw_cidr *a,
		      const struct kgw_cidr *pool, char *err)
{
	char t[KGW_ADDR_STR_MAX], p[KGW_ADDR_STR_MAX];
	int bits = pool->family == AF_INET ? 32 : 128;

	if (a->family == 0)
		return 0;
	if (a->family != pool->family || a->prefix != bits)
		return fail(err, "session %zu: the %s address is not a /%d", i + 1, what, bits);
	if (!kgw_cidr_contains(pool, a->family, a->addr))
		return fail(err, "session %zu: %s is not in the tunnel pool %s", i + 1,
			    kgw_cidr_format(a, t), kgw_cidr_format(pool, p));
	return 0;
}

static bool host_bits_clear(const struct kgw_cidr *c)
{
	int len = kgw_addr_len(c->family);

	for (int i = 0; i < len; i++) {
		int keep = c->prefix - 8 * i;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

		if (c->addr[i] & ~mask)
			return false;
	}
	return true;
}

static int check_dest(size_t i, const struct kgw_policy_session *s,
		      const struct kgw_policy_dest *d, char *err)
{
	char t[KGW_ADDR_STR_MAX];

	if (!pool_ok(&d->net, d->net.family) ||
	    (d->net.family != AF_INET && d->net.family != AF_INET6))
		return fail(err, "session %zu: a destination is not an IP prefix", i + 1);
	if ((d->net.family == AF_INET ? s->addr4.family : s->addr6.family) == 0)
		return fail(err, "session %zu: destination %s but no IPv%d address", i + 1,
			    kgw_cidr_format(&d->net, t), d->net.family == AF_INET ? 4 : 6);
	if (!host_bits_clear(&d->net))
		return fail(err, "session %zu: destination %s has host bits set", i + 1,
			    kgw_cidr_format(&d->net, t));
	if (d->port_min == 0 || d->port_min > d->port_max)
		return fail(err, "session %zu: destination %s: bad port range %u-%u", i + 1,
			    kgw_cidr_format(&d->net, t), d->port_min, d->port_max);
	return 0;
}

static bool same_addr(const struct kgw_cidr *a, const struct kgw_cidr *b)
{
	return a->family && a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

struct addr_ref {
	const struct kgw_cidr *a;
	size_t i;
};

static int addr_ref_cmp(const void *x, const void *y)
{
	const struct addr_ref *p = x, *q = y;
	int c = p->a->family != q->a->family ? (p->a->family < q->a->family ? -1 : 1)
					     : memcmp(p->a->addr, q->a->addr, sizeof(p->a->addr));

	return c ? c : (p->i > q->i) - (p->i < q->i);
}

/*
 * twin[i]: the first session before i with the same IPv4 (v6: IPv6)
 * address, or SIZE_MAX. Sorted, not pairwise: at 10,000 sessions the
 * pairwise check took most of a second per change.
 */
static int find_twins(const struct kgw_policy_session *ss, size_t n, bool v6, size_t *twin)
{
	struct addr_ref *r = calloc(n ? n : 1, sizeof(*r));
	size_t m = 0, first = 0;

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct kgw_cidr *a = v6 ? &ss[i].addr6 : &ss[i].addr4;

		twin[i] = SIZE_MAX;
		if (a->family)
			r[m++] = (struct addr_ref){ a, i };
	}
	qsort(r, m, sizeof(*r), addr_ref_cmp);
	for (size_t k = 1; k < m; k++) {
		if (same_addr(r[k].a, r[first].a))
			twin[r[k].i] = r[first].i;
		else
			first = k;
	}
	free(r);
	return 0;
}

static int check_sessions(const struct kgw_policy_config *cfg,
			  const struct kgw_policy_session *ss, size_t n, char *err)
{
	size_t *twin4 = calloc(n ? n : 1, sizeof(*twin4)), *twin6 = calloc(n ? n : 1, sizeof(*twin6));
	char t[KGW_ADDR_STR_MAX];
	int ret = 0;

	if (!twin4 || !twin6 || find_twins(ss, n, false, twin4) || find_twins(ss, n, true, twin6)) {
		fail(err, "out of memory checking %zu sessions", n);
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct kgw_policy_session *s = &ss[i];

		size_t j = twin4[i] < twin6[i] ? twin4[i] : twin6[i];

		if (!s->addr4.family && !s->addr6.family) {
			ret = fail(err, "session %zu has no address", i + 1);
			goto out;
		}
		if ((ret = check_addr(i, "IPv4", &s->addr4, &cfg->pool4, err)) < 0 ||
		    (ret = check_addr(i, "IPv6", &s->addr6, &cfg->pool6, err)) < 0)
			goto out;
		for (size_t k = 0; k < s->n_dests; k++)
			if ((ret = check_dest(i, s, &s->dests[k], err)) < 0)
				goto out;
		if (j != SIZE_MAX) {
			ret = fail(err, "sessions %zu and %zu share the address %s", j + 1, i + 1,
				   kgw_cidr_format(j == twin4[i] ? &s->addr4 : &s->addr6, t));
			goto out;
		}
	}
	ret = 0;
out:
	free(twin4);
	free(twin6);
	return ret;
}

/* ---- session elements ---- */

/*
 * An interval set rejects overlapping elements, and destinations from
 * several groups overlap easily (10.0.0.0/24 port 6443 and 10.0.0.10 ports
 * 1-65535). Each session's destinations are therefore rewritten into
 * disjoint elements with the same union: for each distinct prefix, its
 * ports minus the ports of every prefix that strictly contains it. Any
 * (address, port) covered before is still covered by its widest covering
 * prefix, and no two elements share a point. Ports are a 64 Kib bitmap.
 */
static void ports_mark(uint64_t *bits, unsigned int lo, unsigned int hi, bool on)
{
	unsigned int p = lo, n, b;
	uint64_t mask;

	while (p <= hi) {
		b = p % 64;
		n = 64 - b < hi - p + 1 ? 64 - b : hi - p + 1;
		mask = n == 64 ? UINT64_MAX : ((1ULL << n) - 1) << b;
		if (on)
			bits[p / 64] |= mask;
		else
			bits[p / 64] &= ~mask;
		p += n;
	}
}

/* The first port >= from whose bit is `set'; 65536 when none. */
static unsigned int ports_next(const uint64_t *bits, unsigned int from, bool set)
{
	uint64_t w;

	while (from < 65536) {
		w = set ? bits[from / 64] : ~bits[from / 64];
		w &= UINT64_MAX << (from % 64);
		if (w)
			return from / 64 * 64 + (unsigned int)__builtin_ctzll(w);
		from = (from / 64 + 1) * 64;
	}
	return 65536;
}

static bool same_prefix(const struct kgw_cidr *a, const struct kgw_cidr *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static bool wider_prefix(const struct kgw_cidr *wide, const struct kgw_cidr *narrow)
{
	return wide->family == narrow->family && wide->prefix < narrow->prefix &&
	       kgw_cidr_contains(wide, narrow->family, narrow->addr);
}

/* The ports this session may reach on dests[i]'s prefix and nowhere wider. */
static void prefix_ports(const struct kgw_policy_session *s, size_t i, uint64_t *bits)
{
	const struct kgw_cidr *net = &s->dests[i].net;

	memset(bits, 0, PORT_WORDS * sizeof(*bits));
	for (size_t j = 0; j < s->n_dests; j++)
		if (same_prefix(&s->dests[j].net, net))
			ports_mark(bits, s->dests[j].port_min, s->dests[j].port_max, true);
	for (size_t j = 0; j < s->n_dests; j++)
		if (wider_prefix(&s->dests[j].net, net))
			ports_mark(bits, s->dests[j].port_min, s->dests[j].port_max, false);
}

static bool first_of_prefix(const struct kgw_policy_session *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_prefix(&s->dests[j].net, &s->dests[i].net))
			return false;
	return true;
}

#define ELEM_SEP ",\n\t\t\t     "

/* "PEER . PREFIX . PORTS" for each of the session's elements of this family. */
static void emit_allow(struct sbuf *b, const struct kgw_policy_session *s, sa_family_t family,
		       uint64_t *bits)
{
	const struct kgw_cidr *peer = family == AF_INET ? &s->addr4 : &s->addr6;
	char pa[INET6_ADDRSTRLEN], net[KGW_ADDR_STR_MAX];
	unsigned int lo, hi;

	if (!peer->family || !inet_ntop(family, peer->addr, pa, sizeof(pa)))
		return;
	for (size_t i = 0; i < s->n_dests; i++) {
		if (s->dests[i].net.family != family || !first_of_prefix(s, i))
			continue;
		kgw_cidr_format(&s->dests[i].net, net);
		prefix_ports(s, i, bits);
		for (lo = ports_next(bits, 1, true); lo < 65536; lo = ports_next(bits, hi, true)) {
			hi = ports_next(bits, lo, false);
			sb_printf(b, "%s%s . %s . %u", b->len ? ELEM_SEP : "", pa, net, lo);
			if (hi - 1 > lo)
				sb_printf(b, "-%u", hi - 1);
		}
	}
}

static void emit_peer(struct sbuf *b, const struct kgw_policy_session *s, sa_family_t family)
{
	const struct kgw_cidr *peer = family == AF_INET ? &s->addr4 : &s->addr6;
	char pa[INET6_ADDRSTRLEN];

	if (peer->family && inet_ntop(family, peer->addr, pa, sizeof(pa)))
		sb_printf(b, "%s%s", b->len ? ELEM_SEP : "", pa);
}

enum { SET_ALLOW4, SET_ALLOW6, SET_PEERS4, SET_PEERS6, SET_COUNT };

static const struct {
	const char *name, *type;
	bool interval;
	sa_family_t family;
} sets[SET_COUNT] = {
	[SET_ALLOW4] = { "allow4", "ipv4_addr . ipv4_addr . inet_service", true, AF_INET },
	[SET_ALLOW6] = { "allow6", "ipv6_addr . ipv6_addr . inet_service", true, AF_INET6 },
	[SET_PEERS4] = { "peers4", "ipv4_addr", false, AF_INET },
	[SET_PEERS6] = { "peers6", "ipv6_addr", false, AF_INET6 },
};

/* Every set's elements for these sessions, one string per set. */
static int collect(const struct kgw_policy_session *ss, size_t n, struct sbuf elems[SET_COUNT])
{
	uint64_t *bits = malloc(PORT_WORDS * sizeof(*bits));
	int ret = 0;

	memset(elems, 0, SET_COUNT * sizeof(*elems));
	if (!bits)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		emit_allow(&elems[SET_ALLOW4], &ss[i], AF_INET, bits);
		emit_allow(&elems[SET_ALLOW6], &ss[i], AF_INET6, bits);
		emit_peer(&elems[SET_PEERS4], &ss[i], AF_INET);
		emit_peer(&elems[SET_PEERS6], &ss[i], AF_INET6);
	}
	free(bits);
	for (int k = 0; k < SET_COUNT; k++)
		if (elems[k].oom)
			ret = -ENOMEM;
	return ret;
}

static void free_elems(struct sbuf elems[SET_COUNT])
{
	for (int k = 0; k < SET_COUNT; k++)
		sb_free(&elems[k]);
}

/* ---- the ruleset ---- */

/* `iifname "eth0" ' or nothing, for a rule limited to an interface when one is set. */
static const char *on_if(const char *dir, const char *ifname, char out[static IFNAMSIZ + 16])
{
	if (ifname[0] == '\0')
		return "";
	snprintf(out, IFNAMSIZ + 16, "%s \"%s\" ", dir, ifname);
	return out;
}

static void emit_input(struct sbuf *b, const struct kgw_policy_config *c)
{
	char pub_buf[IFNAMSIZ + 16], mgmt_buf[IFNAMSIZ + 16];
	const char *pub = on_if("iifname", c->public_if, pub_buf);
	const char *mgmt = on_if("iifname", c->mgmt_if, mgmt_buf);

	/* Tunnel clients reach the API endpoints, never the gateway itself. */
	sb_printf(b, "\tchain input {\n"
		  "\t\ttype filter hook input priority filter; policy drop;\n"
		  "\t\tiif \"lo\" accept\n"
		  "\t\tiifname \"%s\" drop\n"
		  "\t\tct state invalid drop\n"
		  "\t\tct state established,related accept\n"
		  "\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert }"
		  " ip6 hoplimit 255 accept\n", c->tunnel_if);
	sb_printf(b, "\t\t%sudp dport %u accept\n", pub, c->wg_port);
	if (c->auth_port)
		sb_printf(b, "\t\t%stcp dport %u accept\n", pub, c->auth_port);
	if (c->portal_port)
		sb_printf(b, "\t\t%stcp dport %u accept\n", mgmt, c->portal_port);
	if (c->ssh_port)
		sb_printf(b, "\t\t%stcp dport %u accept\n", mgmt, c->ssh_port);
	sb_printf(b, "\t}\n");
}

/*
 * From the tunnel, every packet must match its session's elements; this
 * comes before anything that looks at conntrack state (see policy.h).
 */
static void emit_forward(struct sbuf *b, const struct kgw_policy_config *c)
{
	const char *t = c->tunnel_if;

	sb_printf(b, "\tchain forward {\n"
		  "\t\ttype filter hook forward priority filter; policy drop;\n"
		  "\t\tct state invalid drop\n"
		  "\t\tiifname \"%s\" ip saddr . ip daddr . tcp dport @allow4 accept\n"
		  "\t\tiifname \"%s\" ip6 saddr . ip6 daddr . tcp dport @allow6 accept\n"
		  "\t\tiifname \"%s\" drop\n", t, t, t);
	sb_printf(b, "\t\toifname \"%s\" ct state established"
		  " ip daddr . ip saddr . tcp sport @allow4 accept\n"
		  "\t\toifname \"%s\" ct state established"
		  " ip6 daddr . ip6 saddr . tcp sport @allow6 accept\n"
		  "\t\toifname \"%s\" ct state related ct original ip saddr @peers4 accept\n"
		  "\t\toifname \"%s\" ct state related ct original ip6 saddr @peers6 accept\n"
		  "\t}\n", t, t, t, t);
}

static void emit_nat(struct sbuf *b, const struct kgw_policy_config *c)
{
	char out[IFNAMSIZ + 16], p4[KGW_ADDR_STR_MAX], p6[KGW_ADDR_STR_MAX];

	if (c->nat != KGW_NAT_MASQUERADE)
		return;
	/* No private interface named: anything leaving other than back into the tunnel. */
	if (c->private_if[0])
		snprintf(out, sizeof(out), "oifname \"%s\" ", c->private_if);
	else
		snprintf(out, sizeof(out), "oifname != \"%s\" ", c->tunnel_if);
	kgw_cidr_format(&c->pool4, p4);
	kgw_cidr_format(&c->pool6, p6);
	sb_printf(b, "\tchain postrouting {\n"
		  "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		  "\t\t%sip saddr %s masquerade\n"
		  "\t\t%sip6 saddr %s masquerade\n"
		  "\t}\n", out, p4, out, p6);
}

int kgw_policy_ruleset(const struct kgw_policy_config *cfg,
		       const struct kgw_policy_session *sessions, size_t n, char **out,
		       char err[static KGW_POLICY_ERR_MAX])
{
	struct sbuf b = { 0 }, elems[SET_COUNT];
	int ret;

	*out = NULL;
	err[0] = '\0';
	if ((ret = check_config(cfg, err)) < 0 || (ret = check_sessions(cfg, sessions, n, err)) < 0)
		return ret;
	ret = collect(sessions, n, elems);
	if (ret < 0)
		goto out;
	/* Declare, delete, declare: one transaction whether or not the table existed. */
	sb_printf(&b, "# The kgw gateway policy, generated by kgwd: replaced whole on change.\n"
		  "table inet " KGW_POLICY_TABLE "\n"
		  "delete table inet " KGW_POLICY_TABLE "\n"
		  "table inet " KGW_POLICY_TABLE " {\n");
	for (int k = 0; k < SET_COUNT; k++) {
		sb_printf(&b, "\tset %s {\n\t\ttype %s\n%s", sets[k].name, sets[k].type,
			  sets[k].interval ? "\t\tflags interval\n" : "");
		if (elems[k].len)
			sb_printf(&b, "\t\telements = { %s }\n", elems[k].s);
		sb_printf(&b, "\t}\n");
	}
	emit_input(&b, cfg);
	emit_forward(&b, cfg);
	emit_nat(&b, cfg);
	sb_printf(&b, "}\n");
	ret = sb_take(&b, out);
out:
	free_elems(elems);
	sb_free(&b);
	return ret;
}

static int sessions_change(const char *verb, const struct kgw_policy_config *cfg,
			   const struct kgw_policy_session *sessions, size_t n, char **out,
			   char *err)
{
	struct sbuf b = { 0 }, elems[SET_COUNT];
	int ret;

	*out = NULL;
	err[0] = '\0';
	if ((ret = check_config(cfg, err)) < 0 || (ret = check_sessions(cfg, sessions, n, err)) < 0)
		return ret;
	ret = collect(sessions, n, elems);
	if (ret < 0)
		goto out;
	for (int k = 0; k < SET_COUNT; k++)
		if (elems[k].len)
			sb_printf(&b, "%s element inet " KGW_POLICY_TABLE " %s { %s }\n", verb,
				  sets[k].name, elems[k].s);
	ret = sb_take(&b, out);
out:
	free_elems(elems);
	sb_free(&b);
	return ret;
}

int kgw_policy_sessions_add(const struct kgw_policy_config *cfg,
			    const struct kgw_policy_session *sessions, size_t n, char **out,
			    char err[static KGW_POLICY_ERR_MAX])
{
	return sessions_change("add", cfg, sessions, n, out, err);
}

int kgw_policy_sessions_del(const struct kgw_policy_config *cfg,
			    const struct kgw_policy_session *sessions, size_t n, char **out,
			    char err[static KGW_POLICY_ERR_MAX])
{
	return sessions_change("delete", cfg, sessions, n, out, err);
}

static bool is_loopback(const union kgw_sockaddr *sa)
{
	if (sa->sa.sa_family == AF_INET)
		return (ntohl(sa->in.sin_addr.s_addr) >> 24) == 127;
	return sa->sa.sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&sa->in6.sin6_addr);
}

static uint16_t port_of(const union kgw_sockaddr *sa)
{
	if (sa->sa.sa_family == AF_INET)
		return ntohs(sa->in.sin_port);
	return sa->sa.sa_family == AF_INET6 ? ntohs(sa->in6.sin6_port) : 0;
}

void kgw_policy_from_config(const struct kgw_config *cfg, struct kgw_policy_config *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->tunnel_if, sizeof(out->tunnel_if), "%s", cfg->interface);
	snprintf(out->public_if, sizeof(out->public_if), "%s", cfg->public_interface);
	snprintf(out->private_if, sizeof(out->private_if), "%s", cfg->private_interface);
	snprintf(out->mgmt_if, sizeof(out->mgmt_if), "%s", cfg->management_interface);
	out->wg_port = cfg->listen_port;
	out->auth_port = port_of(&cfg->auth_listen);
	/* A portal on loopback is reached through SSH forwarding: no port to open. */
	out->portal_port = is_loopback(&cfg->admin_listen) ? 0 : port_of(&cfg->admin_listen);
	out->ssh_port = KGW_POLICY_SSH_PORT;
	out->nat = cfg->nat;
	out->pool4 = cfg->tunnel_pool;
	out->pool6 = cfg->tunnel_pool6;
}
