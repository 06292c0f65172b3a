/* SPDX-License-Identifier: MIT */
/*
 * kgw-client disconnect: end the session at the gateway first (so the
 * peer is gone there whatever happens here), then stop the tunnel process,
 * which removes the interface, its routes and the state.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "ended.h"
#include "log.h"
#include "profile.h"
#include "state.h"
#include "tunnel.h"

static const char usage[] =
"Usage: kgw-client disconnect [--profile NAME|PATH]\n"
"\n"
"Ends the session at the gateway, then removes the tunnel, its routes and the\n"
"session's state. The tunnel comes down even when the gateway cannot be\n"
"reached (the gateway then ends the session at its expiry).\n"
"\n"
"Options:\n"
"  -p, --profile NAME|PATH  which profile (default `" KGWC_DEFAULT_PROFILE "')\n"
"  -h, --help\n"
"\n"
"Exit status: 0 disconnected, 1 error, 2 usage error, 5 the tunnel is down\n"
"but the gateway could not be told, 7 not connected.\n";

static int parse(int argc, char **argv, const char **profile)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': *profile = optarg; break;
		case 'h': fputs(usage, stdout); return 1;
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kgw-client disconnect: unexpected argument `%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* SIGTERM, and wait for the process to clean up after itself. */
static bool stop_process(const struct kgwc_state *st)
{
	if (kill(st->pid, SIGTERM) < 0)
		return errno == ESRCH;
	for (long waited = 0; waited < KGWC_STOP_WAIT_MS; waited += 50) {
		if (!kgwc_state_alive(st))
			return true;
		sleep_ms(50);
	}
	return false;
}

/* What the tunnel process would have removed, had it been there to do it. */
static int remove_leftovers(const struct kgwc_state *st)
{
	int ret;

	if (st->backend == KGWC_BACKEND_KERNEL && (ret = kgwc_tunnel_remove_link(st->interface)) &&
	    ret != -ENODEV) {
		kgw_err("%s: cannot remove the interface: %s", st->interface, strerror(-ret));
		return KGWC_EXIT_ERROR;
	}
	if ((ret = kgwc_state_remove(st->profile))) {
		kgw_err("cannot remove the session state: %s", strerror(-ret));
		return KGWC_EXIT_ERROR;
	}
	return KGWC_EXIT_OK;
}

int kgwc_cmd_disconnect(int argc, char **argv)
{
	const char *profile = NULL;
	struct kgwc_profile_ref ref;
	struct kgwc_state st;
	char err[KGWC_ERR_MAX];
	int ret = parse(argc, argv, &profile), gw, local;

	if (ret)
		return ret > 0 ? KGWC_EXIT_OK : kgwc_usage_error("disconnect");
	if (kgwc_profile_resolve(profile, &ref, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_USAGE;
	}
	ret = kgwc_state_load(ref.name, &st, err);
	if (ret == -ENOENT) {
		/* The user has seen that the last session expired: forget it. */
		kgwc_ended_clear(ref.name);
		kgw_err("not connected");
		return KGWC_EXIT_NOT_CONNECTED;
	}
	if (ret) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	gw = kgwc_api_close(&st.gw, st.session.token, err);
	if (gw == KGWC_EXIT_NOT_CONNECTED)
		kgw_notice("the gateway had ended the session already");
	else if (gw)
		kgw_err("could not end the session at the gateway (it ends at its expiry): %s", err);
	local = KGWC_EXIT_OK;
	if (kgwc_state_alive(&st) && !stop_process(&st)) {
		kgw_err("the tunnel process %d does not stop", (int)st.pid);
		local = KGWC_EXIT_ERROR;
	}
	if (!local)
		local = remove_leftovers(&st);
	kgwc_state_wipe(&st);
	if (local)
		return local;
	printf("Disconnected.\n");
	return gw == KGWC_EXIT_NOT_CONNECTED ? KGWC_EXIT_OK : gw;
}
