/* SPDX-License-Identifier: MIT */
/*
 * Applies an nftables ruleset through libnftables, in process: no fork, no
 * exec, so kgwd's seccomp filter needs neither. A ruleset is applied as one
 * netlink transaction: either all in or not at all.
 */
#ifndef KGW_NFT_H
#define KGW_NFT_H

#define KGW_NFT_ERR_MAX 2048

struct kgw_nft;

/*
 * A libnftables context kept for many changes: it keeps its netlink socket
 * and its cache of the ruleset (refreshed whenever the kernel's ruleset
 * generation moved), which makes a one-element change ~0.1 ms instead of
 * several. NULL when libnftables cannot be set up.
 */
struct kgw_nft *kgw_nft_new(void);
void kgw_nft_free(struct kgw_nft *nft);

/*
 * Returns 0 when the ruleset is in; -EIO when libnftables refused it (a
 * syntax error, or the kernel said no), with its message in err (cut to
 * KGW_NFT_ERR_MAX - 1 bytes), which is also logged.
 */
int kgw_nft_run(struct kgw_nft *nft, const char *ruleset, char err[static KGW_NFT_ERR_MAX])
	__attribute__((warn_unused_result));

/* The same with a context of its own; -ENOMEM when libnftables could not be set up. */
int kgw_nft_apply(const char *ruleset, char err[static KGW_NFT_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
