/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "log.h"
#include "nft.h"

/* libnftables' own message (several lines: the error, the input, a caret), or `fallback'. */
static void keep_error(const char *msg, const char *fallback, char err[static KGW_NFT_ERR_MAX])
{
	snprintf(err, KGW_NFT_ERR_MAX, "%s", msg && msg[0] ? msg : fallback);
}

int kgw_nft_apply(const char *ruleset, char err[static KGW_NFT_ERR_MAX])
{
	char quoted[KGW_NFT_ERR_MAX];
	struct nft_ctx *ctx;
	int ret = 0;

	err[0] = '\0';
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx || nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		keep_error(NULL, "cannot set up libnftables", err);
		ret = -ENOMEM;
	} else if (nft_run_cmd_from_buffer(ctx, ruleset)) {
		keep_error(nft_ctx_get_error_buffer(ctx), "libnftables refused the ruleset and said nothing",
			   err);
		ret = -EIO;
	}
	if (ctx)
		nft_ctx_free(ctx);
	if (ret < 0)
		kgw_err("nftables: %s", kgw_log_quote(err, quoted, sizeof(quoted)));
	return ret;
}
