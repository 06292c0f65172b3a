/* SPDX-License-Identifier: MIT */
/*
 * The gateway's nftables policy as text, in nft's own syntax (nft.c applies it).
 * Pure: configuration and live sessions in, ruleset out.
 *
 * Everything lives in kgw's own table, `inet kgw'; the host's other tables
 * are never touched. The full ruleset declares the table, deletes it and
 * declares it again with its contents, which nft runs as one transaction:
 * the old policy is replaced atomically, and applying it twice is the same
 * as applying it once.
 *
 * Sessions are grouped by their destinations (sessions of users in the
 * same groups share them). Each destination group G has two chains,
 * in_G (what its sessions may reach) and out_G (the replies they may
 * get), and two plain hash sets of its sessions' addresses, m4_G and m6_G.
 * Adding or removing a session is therefore adding or deleting elements of
 * hash sets, O(1) for the kernel and for libnftables whatever the number of
 * sessions: no interval set (deleting from one made libnftables read the
 * whole set back), no verdict map (a jump element makes the kernel
 * validate every element of the table). A new destination group adds its
 * chains and sets once.
 *   peers4/peers6: every session's address (related ICMP errors)
 * Forwarding from the tunnel goes through the from_tunnel chain for every
 * packet, before any conntrack shortcut, so a session given an address
 * that an older session had cannot ride that session's connections: the
 * packet must come from a member of a group whose in_G accepts it. The
 * cost per packet grows with the number of groups in use (one hash lookup
 * each), not with the number of sessions. Replies to the tunnel pass only
 * as established connections that out_G still permits.
 */
#ifndef KGW_POLICY_H
#define KGW_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "addr.h"
#include "conf.h"

#define KGW_POLICY_TABLE "kgw"
#define KGW_POLICY_SSH_PORT 22
#define KGW_POLICY_ERR_MAX 256

struct kgw_policy_config {
	char tunnel_if[IFNAMSIZ];	/* required */
	char public_if[IFNAMSIZ];	/* "": any interface but the tunnel */
	char private_if[IFNAMSIZ];	/* "": masquerade on any but the tunnel */
	char mgmt_if[IFNAMSIZ];		/* "": any interface but the tunnel */
	uint16_t wg_port;		/* required */
	uint16_t auth_port;		/* 0: closed */
	uint16_t portal_port;		/* 0: closed (a loopback-only portal needs nothing) */
	uint16_t ssh_port;		/* 0: closed */
	int nat;			/* enum kgw_nat */
	struct kgw_cidr pool4, pool6;
};

/* One allowed destination: a prefix and an inclusive TCP port range (1..65535). */
struct kgw_policy_dest {
	struct kgw_cidr net;
	uint16_t port_min, port_max;
};

struct kgw_policy_session {
	struct kgw_cidr addr4;		/* the peer's /32 in pool4 (family 0: none) */
	struct kgw_cidr addr6;		/* the peer's /128 in pool6 (family 0: none) */
	uint32_t group;			/* its destination group: the same dests, the same group */
	const struct kgw_policy_dest *dests;
	size_t n_dests;
};

/* Ports from the listeners, interfaces and pools from the config; SSH on 22. */
void kgw_policy_from_config(const struct kgw_config *cfg, struct kgw_policy_config *out);

/*
 * The whole policy with these sessions; sessions of one group must have
 * the same dests (-EINVAL otherwise). Returns 0 and a malloc'd string in
 * *out, or -EINVAL with the reason in err (naming the bad value), or
 * -ENOMEM. Every interface name is checked (kgw_nl_ifname_valid), every
 * number is formatted here: nothing reaches the text unvalidated.
 */
int kgw_policy_ruleset(const struct kgw_policy_config *cfg,
		       const struct kgw_policy_session *sessions, size_t n, char **out,
		       char err[static KGW_POLICY_ERR_MAX]) __attribute__((warn_unused_result));

/* The same destinations, in the same order: what may share a group. */
bool kgw_policy_same_dests(const struct kgw_policy_session *a, const struct kgw_policy_session *b);

/*
 * The chains and sets of the destination group of `s' (its group number
 * and its dests), for a live table that does not have them yet; a
 * transaction of its own or the start of kgw_policy_sessions_add()'s.
 */
int kgw_policy_group_add(const struct kgw_policy_config *cfg, const struct kgw_policy_session *s,
			 char **out, char err[static KGW_POLICY_ERR_MAX]) __attribute__((warn_unused_result));

/*
 * Transactions that add or delete sessions (their addresses in their
 * group's sets) in the live table, validated as above against cfg. Adding
 * an address that is there, or deleting one that is not, fails the whole
 * transaction: the caller's idea of the table was wrong. Nothing to do
 * gives an empty string.
 */
int kgw_policy_sessions_add(const struct kgw_policy_config *cfg,
			    const struct kgw_policy_session *sessions, size_t n, char **out,
			    char err[static KGW_POLICY_ERR_MAX]) __attribute__((warn_unused_result));
int kgw_policy_sessions_del(const struct kgw_policy_config *cfg,
			    const struct kgw_policy_session *sessions, size_t n, char **out,
			    char err[static KGW_POLICY_ERR_MAX]) __attribute__((warn_unused_result));

#endif
