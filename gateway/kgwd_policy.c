/* SPDX-License-Identifier: MIT */
/*
 * The nftables half of the policy: kgw's own table, built from the
 * configuration and the live sessions and applied in one transaction (one
 * netlink batch through libnftables: the table is replaced whole or not at
 * all) at start and after a restore. One session coming or going changes
 * only its own set elements: at 10,000 sessions the whole table is ~900 KiB
 * of text, the elements of one session a line. If that fails the whole
 * table is built again. The host's other tables are never touched.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kgwd.h"
#include "log.h"
#include "nft.h"
#include "policy.h"

/* One session as policy.c wants it; its destinations go to pd[0 .. n_dests). */
static void fill(const struct kgwd_session *s, struct kgw_policy_session *ps, struct kgw_policy_dest *pd)
{
	size_t m;
	const struct kgw_dest *dst = kgwd_session_dests(s, &m);

	ps->addr4 = *kgwd_session_addr(s, 0);
	ps->addr6 = *kgwd_session_addr(s, 1);
	ps->dests = pd;
	ps->n_dests = m;
	for (size_t i = 0; i < m; i++) {
		pd[i].net = dst[i].cidr;
		pd[i].port_min = dst[i].port_lo;
		pd[i].port_max = dst[i].port_hi;
	}
}

/* The sessions as policy.c wants them; one allocation for all. */
static int collect(struct kgwd *d, struct kgw_policy_session **out, struct kgw_policy_dest **dout, size_t *n)
{
	const struct kgwd_session *s;
	struct kgw_policy_session *ps;
	struct kgw_policy_dest *pd;
	size_t ns = 0, nd = 0, k, m;

	for (s = kgwd_sessions_first(&d->sessions); s; s = kgwd_session_next(s)) {
		kgwd_session_dests(s, &m);
		ns++;
		nd += m;
	}
	ps = calloc(ns ? ns : 1, sizeof(*ps));
	pd = calloc(nd ? nd : 1, sizeof(*pd));
	if (!ps || !pd) {
		free(ps);
		free(pd);
		return -ENOMEM;
	}
	nd = 0;
	for (s = kgwd_sessions_first(&d->sessions), k = 0; s; s = kgwd_session_next(s), k++) {
		fill(s, &ps[k], pd + nd);
		nd += ps[k].n_dests;
	}
	*out = ps;
	*dout = pd;
	*n = ns;
	return 0;
}

static void policy_config(const struct kgwd *d, struct kgw_policy_config *pc)
{
	kgw_policy_from_config(&d->cfg, pc);
	snprintf(pc->tunnel_if, sizeof(pc->tunnel_if), "%s", d->backend->ifname);
	pc->wg_port = d->backend->listen_port;
}

int kgwd_policy_apply(struct kgwd *d)
{
	struct kgw_policy_config pc;
	struct kgw_policy_session *ps = NULL;
	struct kgw_policy_dest *pd = NULL;
	char err[KGW_NFT_ERR_MAX], *text = NULL;
	size_t n = 0;
	int ret;

	policy_config(d, &pc);
	if ((ret = collect(d, &ps, &pd, &n)))
		return ret;
	ret = kgw_policy_ruleset(&pc, ps, n, &text, err);
	/* kgw_nft_apply() logs libnftables' message itself, quoted. */
	if (!ret && (ret = kgw_nft_apply(text, err)))
		kgw_err("nftables: the policy was not applied");
	else if (ret)
		kgw_err("nftables: cannot build the policy: %s", err);
	free(text);
	free(ps);
	free(pd);
	return ret;
}

/* Adds or deletes one session's elements in the live table. */
static int update_one(struct kgwd *d, const struct kgwd_session *s, bool added)
{
	struct kgw_policy_dest pd[KGW_DEST_MAX];
	struct kgw_policy_config pc;
	struct kgw_policy_session ps;
	char err[KGW_NFT_ERR_MAX], *text = NULL;
	size_t m;
	int ret;

	kgwd_session_dests(s, &m);
	if (m > KGW_DEST_MAX)
		return -E2BIG;
	policy_config(d, &pc);
	fill(s, &ps, pd);
	ret = added ? kgw_policy_sessions_add(&pc, &ps, 1, &text, err)
		    : kgw_policy_sessions_del(&pc, &ps, 1, &text, err);
	if (ret)
		kgw_err("nftables: cannot build the change: %s", err);
	else if (*text && (ret = kgw_nft_apply(text, err)))
		kgw_err("nftables: the change was not applied");
	free(text);
	return ret;
}

/*
 * After every session change. One session: its elements only; should
 * that fail (an element already there or already gone), the whole table
 * again. A failure of that keeps the previous ruleset, and says so.
 */
void kgwd_policy_changed(void *ctx, const struct kgwd_session *s, bool added)
{
	struct kgwd *d = ctx;

	if (s && !update_one(d, s, added))
		return;
	if (s)
		kgw_warn("nftables: building the whole table again");
	if (kgwd_policy_apply(d))
		kgw_err("nftables: the firewall still has the sessions of before the last change");
}
