/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "log.h"
#include "nft.h"

struct kgw_nft {
	struct nft_ctx *ctx;
};

/* libnftables' own message (several lines: the error, the input, a caret), or `fallback'. */
static void keep_error(const char *msg, const char *fallback, char err[static KGW_NFT_ERR_MAX])
{
	snprintf(err, KGW_NFT_ERR_MAX, "%s", msg && msg[0] ? msg : fallback);
}

/* Output and errors go to buffers, never to kgwd's own stdout or stderr. */
struct kgw_nft *kgw_nft_new(void)
{
	struct kgw_nft *nft = calloc(1, sizeof(*nft));

	if (!nft || !(nft->ctx = nft_ctx_new(NFT_CTX_DEFAULT)) || nft_ctx_buffer_output(nft->ctx) ||
	    nft_ctx_buffer_error(nft->ctx)) {
		kgw_nft_free(nft);
		return NULL;
	}
	return nft;
}

void kgw_nft_free(struct kgw_nft *nft)
{
	if (!nft)
		return;
	if (nft->ctx)
		nft_ctx_free(nft->ctx);
	free(nft);
}

int kgw_nft_run(struct kgw_nft *nft, const char *ruleset, char err[static KGW_NFT_ERR_MAX])
{
	struct nft_ctx *ctx = nft->ctx;
	char quoted[KGW_NFT_ERR_MAX];
	int failed = nft_run_cmd_from_buffer(ctx, ruleset);
	/* Reading a buffer rewinds it: a kept context does not grow. */
	const char *msg = nft_ctx_get_error_buffer(ctx);

	nft_ctx_get_output_buffer(ctx);
	err[0] = '\0';
	if (!failed)
		return 0;
	keep_error(msg, "libnftables refused the ruleset and said nothing", err);
	kgw_err("nftables: %s", kgw_log_quote(err, quoted, sizeof(quoted)));
	return -EIO;
}

int kgw_nft_apply(const char *ruleset, char err[static KGW_NFT_ERR_MAX])
{
	struct kgw_nft *nft = kgw_nft_new();
	int ret;

	if (!nft) {
		keep_error(NULL, "cannot set up libnftables", err);
		kgw_err("nftables: %s", err);
		return -ENOMEM;
	}
	ret = kgw_nft_run(nft, ruleset, err);
	kgw_nft_free(nft);
	return ret;
}
