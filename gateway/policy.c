/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nl.h"
#include "policy.h"

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

/* ---- destination groups ---- */

#define ELEM_SEP ",\n\t\t\t     "

static bool same_dest(const struct kgw_policy_dest *x, const struct kgw_policy_dest *y)
{
	return kgw_cidr_equal(&x->net, &y->net) && x->port_min == y->port_min &&
	       x->port_max == y->port_max;
}

bool kgw_policy_same_dests(const struct kgw_policy_session *a, const struct kgw_policy_session *b)
{
	if (a->n_dests != b->n_dests)
		return false;
	for (size_t i = 0; i < a->n_dests; i++)
		if (!same_dest(&a->dests[i], &b->dests[i]))
			return false;
	return true;
}

/* `ip daddr 10.0.0.0/24 tcp dport 6443': `end' is 'd' (to the API) or 's' (from it). */
static void emit_match(struct sbuf *b, const struct kgw_policy_dest *d, char end)
{
	char net[KGW_ADDR_STR_MAX];

	kgw_cidr_format(&d->net, net);
	sb_printf(b, "%s %caddr %s tcp %cport %u", d->net.family == AF_INET ? "ip" : "ip6", end, net,
		  end, d->port_min);
	if (d->port_max > d->port_min)
		sb_printf(b, "-%u", d->port_max);
}

/* The chains in_G and out_G of s's group, inside a table block. */
static void emit_group_chains(struct sbuf *b, const struct kgw_policy_session *s)
{
	static const struct {
		const char *name;
		char end;
	} dir[] = { { "in", 'd' }, { "out", 's' } };

	for (size_t k = 0; k < 2; k++) {
		sb_printf(b, "\tchain %s_%" PRIu32 " {\n", dir[k].name, s->group);
		for (size_t i = 0; i < s->n_dests; i++) {
			sb_printf(b, "\t\t");
			emit_match(b, &s->dests[i], dir[k].end);
			sb_printf(b, " accept\n");
		}
		sb_printf(b, "\t}\n");
	}
}

/*
 * Group G's lines in from_tunnel (`in' true) or to_tunnel, each led by
 * `lead' (a tab inside a table block, or an `add rule' command).
 */
static void emit_dispatch(struct sbuf *b, uint32_t g, bool in, const char *lead)
{
	const char *end = in ? "s" : "d", *chain = in ? "in" : "out";

	sb_printf(b, "%sip %saddr @m4_%" PRIu32 " jump %s_%" PRIu32 "\n"
		  "%sip6 %saddr @m6_%" PRIu32 " jump %s_%" PRIu32 "\n",
		  lead, end, g, chain, g, lead, end, g, chain, g);
}

/* A session's address of this family as text; false when it has none. */
static bool addr_text(const struct kgw_policy_session *s, sa_family_t family, char out[INET6_ADDRSTRLEN])
{
	const struct kgw_cidr *a = family == AF_INET ? &s->addr4 : &s->addr6;

	return a->family && inet_ntop(family, a->addr, out, INET6_ADDRSTRLEN);
}

/* A set of addresses of one family: its type, then its elements, if any. */
static void emit_set(struct sbuf *b, const char *name, sa_family_t family,
		     const struct kgw_policy_session *ss, const size_t *idx, size_t n)
{
	char a[INET6_ADDRSTRLEN];
	bool first = true;

	sb_printf(b, "\tset %s {\n\t\ttype %s\n", name, family == AF_INET ? "ipv4_addr" : "ipv6_addr");
	for (size_t k = 0; k < n; k++) {
		if (!addr_text(&ss[idx ? idx[k] : k], family, a))
			continue;
		sb_printf(b, "%s%s", first ? "\t\telements = { " : ELEM_SEP, a);
		first = false;
	}
	sb_printf(b, "%s\t}\n", first ? "" : " }\n");
}

struct member {
	uint32_t group;
	size_t i;
};

static int member_cmp(const void *x, const void *y)
{
	const struct member *p = x, *q = y;

	if (p->group != q->group)
		return p->group < q->group ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

/*
 * The sessions' indices ordered by group (then by index), in idx; every
 * session must have its group's dests.
 */
static int group_order(const struct kgw_policy_session *ss, size_t n, size_t *idx, char *err)
{
	struct member *m = calloc(n ? n : 1, sizeof(*m));
	int ret = 0;

	if (!m) {
		fail(err, "out of memory grouping %zu sessions", n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		m[i] = (struct member){ ss[i].group, i };
	qsort(m, n, sizeof(*m), member_cmp);
	for (size_t k = 0; k < n && !ret; k++) {
		idx[k] = m[k].i;
		if (k && m[k].group == m[k - 1].group && !kgw_policy_same_dests(&ss[m[k].i], &ss[m[k - 1].i]))
			ret = fail(err, "sessions %zu and %zu are in group %" PRIu32
				   " but have different destinations", m[k - 1].i + 1, m[k].i + 1,
				   m[k].group);
	}
	free(m);
	return ret;
}

/* Every group's sets and chains, and the dispatch chains over them. */
static void emit_groups(struct sbuf *b, const struct kgw_policy_session *ss, const size_t *idx,
			size_t n)
{
	struct sbuf from = { 0 }, to = { 0 };
	char name[16];
	size_t k, end;

	for (k = 0; k < n; k = end) {
		const struct kgw_policy_session *s = &ss[idx[k]];

		for (end = k + 1; end < n && ss[idx[end]].group == s->group; end++)
			;
		snprintf(name, sizeof(name), "m4_%" PRIu32, s->group);
		emit_set(b, name, AF_INET, ss, idx + k, end - k);
		snprintf(name, sizeof(name), "m6_%" PRIu32, s->group);
		emit_set(b, name, AF_INET6, ss, idx + k, end - k);
		emit_group_chains(b, s);
		emit_dispatch(&from, s->group, true, "\t\t");
		emit_dispatch(&to, s->group, false, "\t\t");
	}
	if (from.oom || to.oom)
		b->oom = true;
	sb_printf(b, "\tchain from_tunnel {\n%s\t}\n\tchain to_tunnel {\n%s\t}\n",
		  from.s ? from.s : "", to.s ? to.s : "");
	sb_free(&from);
	sb_free(&to);
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
 * From the tunnel, every packet must be accepted by its session's group;
 * this comes before anything that looks at conntrack state (see policy.h).
 */
static void emit_forward(struct sbuf *b, const struct kgw_policy_config *c)
{
	const char *t = c->tunnel_if;

	sb_printf(b, "\tchain forward {\n"
		  "\t\ttype filter hook forward priority filter; policy drop;\n"
		  "\t\tct state invalid drop\n"
		  "\t\tiifname \"%s\" jump from_tunnel\n"
		  "\t\tiifname \"%s\" drop\n"
		  "\t\toifname \"%s\" ct state established jump to_tunnel\n", t, t, t);
	sb_printf(b, "\t\toifname \"%s\" ct state related ct original ip saddr @peers4 accept\n"
		  "\t\toifname \"%s\" ct state related ct original ip6 saddr @peers6 accept\n"
		  "\t}\n", t, t);
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
	size_t *idx = NULL;
	struct sbuf b = { 0 };
	int ret;

	*out = NULL;
	err[0] = '\0';
	if ((ret = check_config(cfg, err)) < 0 || (ret = check_sessions(cfg, sessions, n, err)) < 0)
		return ret;
	if (!(idx = calloc(n ? n : 1, sizeof(*idx))))
		return -ENOMEM;
	if ((ret = group_order(sessions, n, idx, err)) < 0)
		goto out;
	/* Declare, delete, declare: one transaction whether or not the table existed. */
	sb_printf(&b, "# The kgw gateway policy, generated by kgwd: replaced whole on change.\n"
		  "table inet " KGW_POLICY_TABLE "\n"
		  "delete table inet " KGW_POLICY_TABLE "\n"
		  "table inet " KGW_POLICY_TABLE " {\n");
	emit_set(&b, "peers4", AF_INET, sessions, NULL, n);
	emit_set(&b, "peers6", AF_INET6, sessions, NULL, n);
	emit_groups(&b, sessions, idx, n);
	emit_input(&b, cfg);
	emit_forward(&b, cfg);
	emit_nat(&b, cfg);
	sb_printf(&b, "}\n");
	ret = sb_take(&b, out);
out:
	free(idx);
	sb_free(&b);
	return ret;
}

int kgw_policy_group_add(const struct kgw_policy_config *cfg, const struct kgw_policy_session *s,
			 char **out, char err[static KGW_POLICY_ERR_MAX])
{
	static const char lead_from[] = "add rule inet " KGW_POLICY_TABLE " from_tunnel ";
	static const char lead_to[] = "add rule inet " KGW_POLICY_TABLE " to_tunnel ";
	const uint32_t g = s->group;
	struct sbuf b = { 0 };
	int ret;

	*out = NULL;
	err[0] = '\0';
	if ((ret = check_config(cfg, err)) < 0 || (ret = check_sessions(cfg, s, 1, err)) < 0)
		return ret;
	/* `create': a group already there fails the transaction, as it should. */
	sb_printf(&b, "create set inet " KGW_POLICY_TABLE " m4_%" PRIu32 " { type ipv4_addr; }\n"
		  "create set inet " KGW_POLICY_TABLE " m6_%" PRIu32 " { type ipv6_addr; }\n"
		  "create chain inet " KGW_POLICY_TABLE " in_%" PRIu32 "\n"
		  "create chain inet " KGW_POLICY_TABLE " out_%" PRIu32 "\n"
		  "table inet " KGW_POLICY_TABLE " {\n", g, g, g, g);
	emit_group_chains(&b, s);
	sb_printf(&b, "}\n");
	emit_dispatch(&b, g, true, lead_from);
	emit_dispatch(&b, g, false, lead_to);
	return sb_take(&b, out);
}

/* `verb element' lines for each session's addresses: its group's set, and peers. */
static int sessions_change(const char *verb, const struct kgw_policy_config *cfg,
			   const struct kgw_policy_session *sessions, size_t n, char **out,
			   char *err)
{
	char a[INET6_ADDRSTRLEN];
	struct sbuf b = { 0 };
	int ret;

	*out = NULL;
	err[0] = '\0';
	if ((ret = check_config(cfg, err)) < 0 || (ret = check_sessions(cfg, sessions, n, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		for (int v = 4; v <= 6; v += 2) {
			if (!addr_text(&sessions[i], v == 4 ? AF_INET : AF_INET6, a))
				continue;
			sb_printf(&b, "%s element inet " KGW_POLICY_TABLE " m%d_%" PRIu32 " { %s }\n"
				  "%s element inet " KGW_POLICY_TABLE " peers%d { %s }\n",
				  verb, v, sessions[i].group, a, verb, v, a);
		}
	}
	return sb_take(&b, out);
}

int kgw_policy_sessions_add(const struct kgw_policy_config *cfg,
			    const struct kgw_policy_session *sessions, size_t n, char **out,
			    char err[static KGW_POLICY_ERR_MAX])
{
	/* `create': an address already there fails the transaction. */
	return sessions_change("create", cfg, sessions, n, out, err);
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
