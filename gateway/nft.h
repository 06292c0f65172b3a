/* SPDX-License-Identifier: MIT */
/*
 * Applies an nftables ruleset through libnftables, in process: no fork, no
 * exec, so kgwd's seccomp filter needs neither. A ruleset is applied as one
 * netlink transaction: either all in or not at all.
 */
#ifndef KGW_NFT_H
#define KGW_NFT_H

#define KGW_NFT_ERR_MAX 2048

/*
 * Returns 0 when the ruleset is in; -ENOMEM when libnftables could not be
 * set up; -EIO when it refused the ruleset (a syntax error, or the kernel
 * said no), with its message in err (cut to KGW_NFT_ERR_MAX - 1 bytes),
 * which is also logged.
 */
int kgw_nft_apply(const char *ruleset, char err[static KGW_NFT_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
