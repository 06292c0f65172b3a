/* SPDX-License-Identifier: MIT */
/*
 * The nftables half of the policy: kgw's own table, built from the
 * configuration and the live sessions and applied in one transaction (one
 * netlink batch through libnftables: the table is replaced whole or not at
 * all) at start and after a restore. One session coming or going changes
 * only its address in its destination group's sets (see policy.h); a
 * session whose destinations no live group has brings its group along.
 * Should a change fail, or the groups kgwd knows not be the table's, the
 * whole table is built again. The host's other tables are never touched.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kgwd.h"
#include "log.h"
#include "nft.h"
#include "policy.h"

/* Unused groups kept before the table is built again without them. */
#define KGWD_POLICY_UNUSED_MAX 16

/* A destination group in the table: its number, its live sessions, its dests. */
struct kgwd_pgroup {
	struct kgwd_pgroup *next;
	uint32_t id;
	size_t sessions;
	size_t n;
	struct kgw_dest dests[];
};

static bool same_dests(const struct kgwd_pgroup *g, const struct kgw_dest *d, size_t n)
{
	if (g->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!kgw_cidr_equal(&g->dests[i].cidr, &d[i].cidr) ||
		    g->dests[i].port_lo != d[i].port_lo || g->dests[i].port_hi != d[i].port_hi)
			return false;
	return true;
}

/* The group with these dests (a linear walk: groups are few, sessions many). */
static struct kgwd_pgroup *group_find(struct kgwd_policy *p, const struct kgw_dest *d, size_t n)
{
	struct kgwd_pgroup *g;

	for (g = p->groups; g && !same_dests(g, d, n); g = g->next)
		;
	return g;
}

static struct kgwd_pgroup *group_new(struct kgwd_policy *p, const struct kgw_dest *d, size_t n)
{
	struct kgwd_pgroup *g = calloc(1, sizeof(*g) + n * sizeof(*d));

	if (!g)
		return NULL;
	g->id = p->next_group++;
	g->n = n;
	memcpy(g->dests, d, n * sizeof(*d));
	g->next = p->groups;
	p->groups = g;
	return g;
}

static void groups_free(struct kgwd_policy *p)
{
	struct kgwd_pgroup *g, *next;

	for (g = p->groups; g; g = next) {
		next = g->next;
		free(g);
	}
	p->groups = NULL;
	p->next_group = 0;
}

void kgwd_policy_free(struct kgwd *d)
{
	groups_free(&d->policy);
	kgw_nft_free(d->policy.nft);
	d->policy.nft = NULL;
}

/* One session as policy.c wants it; its destinations go to pd[0 .. n_dests). */
static void fill(const struct kgwd_session *s, uint32_t group, struct kgw_policy_session *ps,
		 struct kgw_policy_dest *pd)
{
	size_t m;
	const struct kgw_dest *dst = kgwd_session_dests(s, &m);

	ps->addr4 = *kgwd_session_addr(s, 0);
	ps->addr6 = *kgwd_session_addr(s, 1);
	ps->group = group;
	ps->dests = pd;
	ps->n_dests = m;
	for (size_t i = 0; i < m; i++) {
		pd[i].net = dst[i].cidr;
		pd[i].port_min = dst[i].port_lo;
		pd[i].port_max = dst[i].port_hi;
	}
}

/* The sessions as policy.c wants them, in groups made afresh; one allocation for all. */
static int collect(struct kgwd *d, struct kgw_policy_session **out, struct kgw_policy_dest **dout, size_t *n)
{
	const struct kgwd_session *s;
	struct kgw_policy_session *ps;
	struct kgw_policy_dest *pd;
	struct kgwd_pgroup *g;
	size_t ns = 0, nd = 0, k, m;
	const struct kgw_dest *dst;

	for (s = kgwd_sessions_first(&d->sessions); s; s = kgwd_session_next(s)) {
		kgwd_session_dests(s, &m);
		ns++;
		nd += m;
	}
	ps = calloc(ns ? ns : 1, sizeof(*ps));
	pd = calloc(nd ? nd : 1, sizeof(*pd));
	if (!ps || !pd)
		goto oom;
	groups_free(&d->policy);
	nd = 0;
	for (s = kgwd_sessions_first(&d->sessions), k = 0; s; s = kgwd_session_next(s), k++) {
		dst = kgwd_session_dests(s, &m);
		if (!(g = group_find(&d->policy, dst, m)) && !(g = group_new(&d->policy, dst, m)))
			goto oom;
		g->sessions++;
		fill(s, g->id, &ps[k], pd + nd);
		nd += ps[k].n_dests;
	}
	*out = ps;
	*dout = pd;
	*n = ns;
	return 0;
oom:
	free(ps);
	free(pd);
	return -ENOMEM;
}

static void policy_config(const struct kgwd *d, struct kgw_policy_config *pc)
{
	kgw_policy_from_config(&d->cfg, pc);
	snprintf(pc->tunnel_if, sizeof(pc->tunnel_if), "%s", d->backend->ifname);
	pc->wg_port = d->backend->listen_port;
}

/* Through the kept libnftables context (made on first use). */
static int run(struct kgwd *d, const char *text)
{
	char err[KGW_NFT_ERR_MAX];

	if (!d->policy.nft && !(d->policy.nft = kgw_nft_new())) {
		kgw_err("nftables: cannot set up libnftables");
		return -ENOMEM;
	}
	/* kgw_nft_run() logs libnftables' message itself, quoted. */
	return kgw_nft_run(d->policy.nft, text, err);
}

int kgwd_policy_apply(struct kgwd *d)
{
	struct kgw_policy_config pc;
	struct kgw_policy_session *ps = NULL;
	struct kgw_policy_dest *pd = NULL;
	char err[KGW_POLICY_ERR_MAX], *text = NULL;
	size_t n = 0;
	int ret;

	/* Until this succeeds, the groups may not be the table's. */
	d->policy.stale = true;
	policy_config(d, &pc);
	if ((ret = collect(d, &ps, &pd, &n)))
		return ret;
	ret = kgw_policy_ruleset(&pc, ps, n, &text, err);
	if (!ret && (ret = run(d, text)))
		kgw_err("nftables: the policy was not applied");
	else if (ret)
		kgw_err("nftables: cannot build the policy: %s", err);
	d->policy.stale = ret != 0;
	free(text);
	free(ps);
	free(pd);
	return ret;
}

/* a then b, in a; b freed. */
static int join(char **a, char *b)
{
	size_t la = strlen(*a), lb = strlen(b);
	char *s = realloc(*a, la + lb + 1);

	if (s) {
		memcpy(s + la, b, lb + 1);
		*a = s;
	}
	free(b);
	return s ? 0 : -ENOMEM;
}

/* The transaction that adds or deletes one session in the live table, in *text. */
static int change_text(struct kgwd *d, const struct kgwd_session *s, bool added, char **text,
		       struct kgwd_pgroup **group)
{
	struct kgw_policy_dest pd[KGW_DEST_MAX];
	struct kgw_policy_config pc;
	struct kgw_policy_session ps;
	char err[KGW_POLICY_ERR_MAX], *more = NULL;
	const struct kgw_dest *dst;
	struct kgwd_pgroup *g;
	bool created = false;
	size_t m;
	int ret;

	dst = kgwd_session_dests(s, &m);
	if (m > KGW_DEST_MAX)
		return -E2BIG;
	g = group_find(&d->policy, dst, m);
	if (!g && !added)
		return -ENOENT;
	if (!g) {
		if (!(g = group_new(&d->policy, dst, m)))
			return -ENOMEM;
		created = true;
	}
	policy_config(d, &pc);
	fill(s, g->id, &ps, pd);
	ret = added ? kgw_policy_sessions_add(&pc, &ps, 1, &more, err)
		    : kgw_policy_sessions_del(&pc, &ps, 1, &more, err);
	if (!ret && created && !(ret = kgw_policy_group_add(&pc, &ps, text, err)))
		ret = join(text, more);
	else if (!ret)
		*text = more;
	if (ret == -EINVAL)
		kgw_err("nftables: cannot build the change: %s", err);
	*group = g;
	return ret;
}

/* Adds or deletes one session's addresses in the live table. */
static int update_one(struct kgwd *d, const struct kgwd_session *s, bool added)
{
	struct kgwd_pgroup *g;
	char *text = NULL;
	int ret;

	if (d->policy.stale)
		return -ESTALE;
	if (!(ret = change_text(d, s, added, &text, &g)) && *text && (ret = run(d, text)))
		kgw_err("nftables: the change was not applied");
	free(text);
	if (!ret)
		g->sessions += added ? 1 : (size_t)-1;
	return ret;
}

static size_t unused_groups(const struct kgwd_policy *p)
{
	size_t n = 0;

	for (const struct kgwd_pgroup *g = p->groups; g; g = g->next)
		n += g->sessions == 0;
	return n;
}

/*
 * After every session change. One session: its elements only; should
 * that fail (an element already there or already gone), the whole table
 * again. A failure of that keeps the previous ruleset, and says so.
 */
void kgwd_policy_changed(void *ctx, const struct kgwd_session *s, bool added)
{
	struct kgwd *d = ctx;
	int ret = s ? update_one(d, s, added) : -ESTALE;

	if (!ret && unused_groups(&d->policy) <= KGWD_POLICY_UNUSED_MAX)
		return;
	if (!ret)
		kgw_info("nftables: building the table again without its unused destination groups");
	else if (ret != -ESTALE)
		kgw_warn("nftables: building the whole table again");
	if (kgwd_policy_apply(d))
		kgw_err("nftables: the firewall still has the sessions of before the last change");
}
