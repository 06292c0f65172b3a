/* SPDX-License-Identifier: MIT */
/*
 * kgw-client export --wg-quick: the live session for a stock WireGuard
 * client. The private key is read back from the running tunnel: it is on
 * no disk until the operator redirects this output to one.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "profile.h"
#include "session.h"
#include "state.h"
#include "tunnel.h"

static const char usage[] =
"Usage: kgw-client export --wg-quick [--profile NAME|PATH]\n"
"\n"
"Prints the live session as a wg-quick(8) configuration, private key\n"
"included, for stock WireGuard clients. The gateway still ends the session at\n"
"its expiry; the key works for nothing else. Keep the output private.\n"
"\n"
"Options:\n"
"  -w, --wg-quick           wg-quick format (the only one)\n"
"  -p, --profile NAME|PATH  which profile (default `" KGWC_DEFAULT_PROFILE "')\n"
"  -h, --help\n"
"\n"
"Exit status: 0 printed, 1 error, 2 usage error, 7 not connected.\n";

static int parse(int argc, char **argv, const char **profile)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "wg-quick", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool wg_quick = false;
	int c;

	while ((c = getopt_long(argc, argv, "p:wh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': *profile = optarg; break;
		case 'w': wg_quick = true; break;
		case 'h': fputs(usage, stdout); return 1;
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kgw-client export: unexpected argument `%s'\n", argv[optind]);
		return -1;
	}
	if (!wg_quick) {
		fprintf(stderr, "kgw-client export: say which format: --wg-quick\n");
		return -1;
	}
	return 0;
}

int kgwc_cmd_export(int argc, char **argv)
{
	const char *profile = NULL;
	struct kgwc_profile_ref ref;
	struct kgwc_state st;
	struct kgwc_tunnel_info ti = { 0 };
	char err[KGWC_ERR_MAX], ep[KGWC_ADDRESS_MAX + 1];
	int ret = parse(argc, argv, &profile);

	if (ret)
		return ret > 0 ? KGWC_EXIT_OK : kgwc_usage_error("export");
	if (kgwc_profile_resolve(profile, &ref, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_USAGE;
	}
	ret = kgwc_state_load(ref.name, &st, err);
	if (ret == -ENOENT || (!ret && !kgwc_state_alive(&st))) {
		kgwc_state_wipe(&st);
		kgw_err("not connected");
		return KGWC_EXIT_NOT_CONNECTED;
	}
	if (ret) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	ret = KGWC_EXIT_ERROR;
	if (kgwc_tunnel_read(st.interface, st.backend, st.session.gateway_public_key, &ti, err)) {
		kgw_err("%s", err);
		goto out;
	}
	if (!ti.has_private_key) {
		kgw_err("%s: the tunnel has no private key", st.interface);
		goto out;
	}
	/* The gateway's name as the profile gives it travels better than the address we resolved. */
	if (kgwc_session_endpoint(&st.session, &st.gw, ep))
		snprintf(ep, sizeof(ep), "%s", st.endpoint);
	kgwc_session_write_wg_quick(&st.session, ep, ti.private_key, stdout);
	ret = fflush(stdout) ? KGWC_EXIT_ERROR : KGWC_EXIT_OK;
out:
	kgwc_tunnel_info_wipe(&ti);
	kgwc_state_wipe(&st);
	return ret;
}
