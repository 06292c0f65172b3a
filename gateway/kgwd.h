/* SPDX-License-Identifier: MIT */
/* kgwd's pieces, wired together by kgwd.c. */
#ifndef KGW_KGWD_H
#define KGW_KGWD_H

#include <ev.h>

#include "backend.h"
#include "conf.h"
#include "control.h"
#include "pool.h"
#include "sessions.h"

struct kgw_store;
struct kgw_nft;
struct kgwd_pgroup;

/* kgwd_policy.c's view of kgw's nftables table. */
struct kgwd_policy {
	struct kgw_nft *nft;		/* kept: its cache makes a change ~0.1 ms */
	struct kgwd_pgroup *groups;	/* the destination groups in the table */
	uint32_t next_group;
	bool stale;			/* groups may not be the table's: build it whole */
};

struct kgwd {
	struct ev_loop *loop;
	struct kgw_config cfg;
	struct kgw_pool pool;
	struct kgw_store *store;
	struct kgwd_backend *backend;
	struct kgwd_sessions sessions;
	struct kgw_control *control;
	struct kgwd_policy policy;
};

/* kgwd_ctl.c: the control socket's table of requests. */
char *kgwd_ctl_handle(void *ctx, const struct kgw_control_peer *peer, const char *line, size_t len);
/* kgwd_net.c: the tunnel's addresses and link up; then forwarding on. */
int kgwd_net_setup(struct kgwd *d) __attribute__((warn_unused_result));
int kgwd_net_forwarding(void) __attribute__((warn_unused_result));

/* kgwd_policy.c: kgw's nftables table from the config and the sessions. */
int kgwd_policy_apply(struct kgwd *d) __attribute__((warn_unused_result));
void kgwd_policy_changed(void *ctx, const struct kgwd_session *s, bool added);
void kgwd_policy_free(struct kgwd *d);

#endif
