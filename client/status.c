/* SPDX-License-Identifier: MIT */
/* kgw-client status: the live session, from the state file and the tunnel itself. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ended.h"
#include "format.h"
#include "log.h"
#include "profile.h"
#include "state.h"
#include "tunnel.h"

static const char usage[] =
"Usage: kgw-client status [--profile NAME|PATH] [--json]\n"
"\n"
"Shows the live session of the profile: user, tunnel address, routes, how\n"
"long until the gateway ends it, the latest handshake and the bytes moved.\n"
"\n"
"Options:\n"
"  -p, --profile NAME|PATH  which profile (default `" KGWC_DEFAULT_PROFILE "')\n"
"  -j, --json               one JSON object instead of text\n"
"  -h, --help\n"
"\n"
"Exit status: 0 connected, 1 error, 2 usage error, 7 not connected.\n";

static int parse(int argc, char **argv, const char **profile, bool *json)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': *profile = optarg; break;
		case 'j': *json = true; break;
		case 'h': fputs(usage, stdout); return 1;
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kgw-client status: unexpected argument `%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static json_t *routes_json(const struct kgwc_session *s)
{
	char a[KGW_ADDR_STR_MAX];
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < s->n_routes; i++)
		json_array_append_new(arr, json_string(kgw_cidr_format(&s->routes[i], a)));
	return arr;
}

static int print_json(const struct kgwc_state *st, const struct kgwc_tunnel_info *ti, time_t now)
{
	const struct kgwc_session *s = &st->session;
	char a4[KGW_ADDR_STR_MAX], a6[KGW_ADDR_STR_MAX];
	json_t *o;

	kgw_cidr_format(&s->address, a4);
	if (s->has_address6)
		kgw_cidr_format(&s->address6, a6);
	else
		a6[0] = '\0';
	o = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:s, s:I, s:I, s:I,"
		      " s:I, s:I, s:I}",
		      "connected", 1, "profile", st->profile, "gateway", st->gw.address, "user", s->user,
		      "session", s->id, "interface", st->interface, "backend", kgwc_backend_name(st->backend),
		      "pid", (json_int_t)st->pid, "address", a4, "address6", a6, "routes", routes_json(s),
		      "endpoint", st->endpoint, "created", (json_int_t)s->created,
		      "expires", (json_int_t)s->expires,
		      "expires_in", (json_int_t)(s->expires > now ? s->expires - now : 0),
		      "latest_handshake", (json_int_t)ti->last_handshake.tv_sec,
		      "rx_bytes", (json_int_t)ti->rx_bytes, "tx_bytes", (json_int_t)ti->tx_bytes);
	if (!o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
		json_decref(o);
		kgw_err("cannot write JSON");
		return KGWC_EXIT_ERROR;
	}
	putchar('\n');
	json_decref(o);
	return KGWC_EXIT_OK;
}

static void print_text(const struct kgwc_state *st, const struct kgwc_tunnel_info *ti, time_t now)
{
	const struct kgwc_session *s = &st->session;
	char a[KGW_ADDR_STR_MAX], d[KGWC_FORMAT_MAX], b1[KGWC_FORMAT_MAX], b2[KGWC_FORMAT_MAX];
	char when[64];
	time_t exp = (time_t)s->expires;
	struct tm tm;

	if (!localtime_r(&exp, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)s->expires);
	printf("profile:          %s (%s)\n", st->profile, st->gw.address);
	printf("user:             %s\n", s->user);
	printf("session:          %s\n", s->id);
	printf("interface:        %s (%s)\n", st->interface, kgwc_backend_name(st->backend));
	printf("address:          %s", kgw_cidr_format(&s->address, a));
	if (s->has_address6)
		printf(", %s", kgw_cidr_format(&s->address6, a));
	printf("\nroutes:           ");
	for (size_t i = 0; i < s->n_routes; i++)
		printf("%s%s", i ? ", " : "", kgw_cidr_format(&s->routes[i], a));
	printf("%s\nendpoint:         %s\n", s->n_routes ? "" : "(none)", st->endpoint);
	if (s->expires > now)
		printf("expires:          in %s (%s)\n",
		       kgwc_format_duration((uint64_t)(s->expires - now), d), when);
	else
		printf("expires:          now (%s)\n", when);
	if (ti->last_handshake.tv_sec)
		printf("latest handshake: %s ago\n", kgwc_format_duration(
			now > ti->last_handshake.tv_sec ? (uint64_t)(now - ti->last_handshake.tv_sec) : 0, d));
	else
		printf("latest handshake: none yet\n");
	printf("transfer:         %s received, %s sent\n", kgwc_format_bytes(ti->rx_bytes, b1),
	       kgwc_format_bytes(ti->tx_bytes, b2));
}

static int not_connected(bool json, const char *why)
{
	if (json)
		printf("{\"connected\": false}\n");
	kgw_err("%s", why);
	return KGWC_EXIT_NOT_CONNECTED;
}

/* No live session, but the last one expired under a running tunnel: say so. */
static int expired(bool json, const struct kgwc_ended *e)
{
	char when[64];
	time_t t = (time_t)e->expired;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)e->expired);
	if (json) {
		json_t *o = json_pack("{s:b, s:s, s:s, s:s, s:I}", "connected", 0, "ended", "expired",
				      "user", e->user, "session", e->session, "expired",
				      (json_int_t)e->expired);

		if (o)
			json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	}
	kgw_err("not connected: the session of %s expired at %s (`kgw-client connect' starts a new one)",
		e->user, when);
	return KGWC_EXIT_NOT_CONNECTED;
}

int kgwc_cmd_status(int argc, char **argv)
{
	const char *profile = NULL;
	bool json = false;
	struct kgwc_profile_ref ref;
	struct kgwc_state st;
	struct kgwc_tunnel_info ti;
	char err[KGWC_ERR_MAX];
	int ret = parse(argc, argv, &profile, &json);

	if (ret)
		return ret > 0 ? KGWC_EXIT_OK : kgwc_usage_error("status");
	if (kgwc_profile_resolve(profile, &ref, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_USAGE;
	}
	ret = kgwc_state_load(ref.name, &st, err);
	if (ret == -ENOENT) {
		struct kgwc_ended e;

		if (!kgwc_ended_load(ref.name, &e))
			return expired(json, &e);
		return not_connected(json, "not connected");
	}
	if (ret) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	if (!kgwc_state_alive(&st)) {
		kgwc_state_wipe(&st);
		return not_connected(json, "not connected: the tunnel process is gone "
				     "(`kgw-client disconnect' ends the session at the gateway)");
	}
	if (kgwc_tunnel_read(st.interface, st.backend, st.session.gateway_public_key, &ti, err)) {
		kgw_warn("%s", err);
		memset(&ti, 0, sizeof(ti));
	}
	ret = KGWC_EXIT_OK;
	if (json)
		ret = print_json(&st, &ti, time(NULL));
	else
		print_text(&st, &ti, time(NULL));
	kgwc_tunnel_info_wipe(&ti);
	kgwc_state_wipe(&st);
	return ret;
}
