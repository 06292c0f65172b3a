/* SPDX-License-Identifier: MIT */
/*
 * The nftables half of the policy: kgw's own table, rebuilt from the
 * configuration and the live sessions and applied in one transaction after
 * every change (one netlink batch: the table is replaced whole or not at
 * all). The host's other tables are never touched.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kgwd.h"
#include "log.h"
#include "nft.h"
#include "policy.h"

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
		const struct kgw_dest *dst = kgwd_session_dests(s, &m);

		ps[k].addr4 = *kgwd_session_addr(s, 0);
		ps[k].addr6 = *kgwd_session_addr(s, 1);
		ps[k].dests = pd + nd;
		ps[k].n_dests = m;
		for (size_t i = 0; i < m; i++, nd++) {
			pd[nd].net = dst[i].cidr;
			pd[nd].port_min = dst[i].port_lo;
			pd[nd].port_max = dst[i].port_hi;
		}
	}
	*out = ps;
	*dout = pd;
	*n = ns;
	return 0;
}

int kgwd_policy_apply(struct kgwd *d)
{
	struct kgw_policy_config pc;
	struct kgw_policy_session *ps = NULL;
	struct kgw_policy_dest *pd = NULL;
	char err[KGW_NFT_ERR_MAX], *text = NULL;
	size_t n = 0;
	int ret;

	kgw_policy_from_config(&d->cfg, &pc);
	snprintf(pc.tunnel_if, sizeof(pc.tunnel_if), "%s", d->backend->ifname);
	pc.wg_port = d->backend->listen_port;
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

/* After every session change; a failure keeps the previous ruleset, and says so. */
void kgwd_policy_changed(void *ctx)
{
	struct kgwd *d = ctx;

	if (kgwd_policy_apply(d))
		kgw_err("nftables: the firewall still has the sessions of before the last change");
}
