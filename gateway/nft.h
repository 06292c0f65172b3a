/* SPDX-License-Identifier: MIT */
/*
 * Runs `nft -f -' with a ruleset on its standard input: fork and exec, no
 * shell, a fixed path and environment. nft applies a file as one
 * transaction, so a ruleset is either all in or not at all.
 */
#ifndef KGW_NFT_H
#define KGW_NFT_H

#define KGW_NFT_PATH "/usr/sbin/nft"
#define KGW_NFT_ERR_MAX 2048
#define KGW_NFT_TIMEOUT_MS 30000

/*
 * nft_path NULL: KGW_NFT_PATH. Returns 0 when nft succeeded; otherwise
 * -ENOENT (nft could not be run), -ETIMEDOUT (killed after
 * KGW_NFT_TIMEOUT_MS) or -EIO (nft refused the ruleset), with nft's own
 * output (or the reason) in err, which is also logged.
 */
int kgw_nft_apply(const char *nft_path, const char *ruleset, char err[static KGW_NFT_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
