/* SPDX-License-Identifier: MIT */
/* kgwctl sessions: list them, revoke one. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kgwctl.h"
#include "log.h"
#include "store_sessions.h"

static const char usage[] =
"Usage: kgwctl sessions [list] [--all] [--user=USER] [--json]\n"
"       kgwctl sessions revoke ID\n"
"\n"
"Lists the live sessions (authorized WireGuard peers), newest first; with\n"
"--all also those that ended, expired or were revoked. `revoke' ends a\n"
"session at once: kgwd removes the peer and its traffic stops.\n"
"\n"
"Options:\n"
"      --all           include sessions that are over\n"
"      --user=USER     only USER's sessions\n"
"\n"
KGWCTL_COMMON_HELP;

enum { OPT_ALL = OPT_FIRST_COMMAND_OPT, OPT_USER };

struct list_opts {
	bool all;
	const char *user;
};

static int list_opt(int c, const char *arg, void *ctx)
{
	struct list_opts *o = ctx;

	if (c == OPT_ALL)
		o->all = true;
	else if (c == OPT_USER)
		o->user = arg;
	return 0;
}

static const char *state(const struct kgw_session *s, int64_t now)
{
	if (s->revoked)
		return "revoked";
	if (s->ended)
		return "ended";
	return now < s->expires ? "live" : "expired";
}

struct list_ctx {
	json_t *array;
	int64_t now;
};

static int list_one(const struct kgw_session *s, void *data)
{
	struct list_ctx *lc = data;
	char created[32], expires[32], ended[32];

	kgwctl_time(s->created, created);
	kgwctl_time(s->expires, expires);
	kgwctl_time(s->ended, ended);
	if (lc->array)
		return json_array_append_new(lc->array, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"id", s->id, "user", s->user, "public_key", s->public_key,
			"address4", s->address4, "address6", s->address6,
			"created", created, "expires", expires, "ended", s->ended ? ended : "",
			"state", state(s, lc->now)));
	/* The whole key: an admin matches it against `wg show'; public keys are not secret. */
	printf("%s  %-16s %-7s %-44s %-18s %s\n", s->id, s->user, state(s, lc->now),
	       s->public_key, s->address4[0] ? s->address4 : "-", expires);
	return 0;
}

static int cmd_list(struct kgwctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "user", required_argument, NULL, OPT_USER },
		{ NULL, 0, NULL, 0 },
	};
	struct list_opts o = { 0 };
	struct list_ctx lc = { NULL, (int64_t)time(NULL) };
	struct kgw_session_filter f;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl sessions", usage, opts, list_opt, &o);
	if (n < 0 || !kgwctl_nargs("sessions", n, 0, 0))
		return KGWCTL_USAGE;
	if (o.user && !kgw_store_name_valid(o.user)) {
		kgwctl_err("sessions: --user: not a valid user name: `%.64s'", o.user);
		return KGWCTL_USAGE;
	}
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	f = (struct kgw_session_filter){ .user = o.user, .live_only = !o.all, .now = lc.now };
	if (ctl->json && !(lc.array = json_array()))
		return KGWCTL_FAIL;
	if (!lc.array)
		printf("%-32s  %-16s %-7s %-44s %-18s %s\n", "ID", "USER", "STATE", "PUBLIC KEY",
		       "ADDRESS", "EXPIRES");
	ret = kgw_store_session_list(ctl->store, &f, list_one, &lc);
	if (ret) {
		json_decref(lc.array);
		return kgwctl_store_err(ctl, ret, "sessions");
	}
	return lc.array ? kgwctl_json_print(lc.array) : KGWCTL_OK;
}

static int cmd_revoke(struct kgwctl *ctl, int argc, char **argv)
{
	struct kgw_session s;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl sessions revoke", usage, NULL, NULL, NULL);
	if (n < 0 || !kgwctl_nargs("sessions revoke", n, 1, 1))
		return KGWCTL_USAGE;
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	ret = kgw_store_session_get(ctl->store, argv[optind], &s);
	if (!ret)
		ret = kgw_store_session_revoke(ctl->store, argv[optind], (int64_t)time(NULL));
	if (ret)
		return kgwctl_store_err(ctl, ret, "sessions revoke");
	kgwctl_audit(ctl, "session.revoke", s.user, s.id);
	return KGWCTL_OK;
}

int kgwctl_sessions(struct kgwctl *ctl, int argc, char **argv)
{
	static const struct kgwctl_command commands[] = {
		{ "list", "list sessions", cmd_list },
		{ "revoke", "end a session", cmd_revoke },
	};

	/* Bare `kgwctl sessions [OPTION]...' lists. */
	if (argc < 2 || argv[1][0] == '-')
		return cmd_list(ctl, argc, argv);
	return kgwctl_dispatch(ctl, "kgwctl sessions", commands,
			       sizeof(commands) / sizeof(commands[0]), usage, argc, argv);
}
