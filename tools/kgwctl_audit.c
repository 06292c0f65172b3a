/* SPDX-License-Identifier: MIT */
/* kgwctl audit: the audit log, newest first, filtered. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kgwctl.h"
#include "log.h"
#include "store_audit.h"

static const char usage[] =
"Usage: kgwctl audit [--user=USER] [--event=EVENT] [--limit=N] [--offset=N] [--json]\n"
"\n"
"Shows the audit log, newest first: time, actor (an admin, or pam, portal,\n"
"kgwd), event, user, source address and detail. The log is append-only.\n"
"\n"
"Events include auth.ok, auth.fail, auth.locked, auth.lockout, otp.replay,\n"
"account.denied (from pam_kgw), user.*, group.*, otp.* (from kgwctl) and\n"
"session.* (from the portal and kgwd).\n"
"\n"
"Options:\n"
"      --user=USER     only entries about USER\n"
"      --event=EVENT   only this event; with a trailing dot (`auth.') every\n"
"                      event that starts so\n"
"      --limit=N       at most N entries (default 50; 0: all)\n"
"      --offset=N      skip the N newest matching entries first\n"
"\n"
KGWCTL_COMMON_HELP;

enum { OPT_USER = OPT_FIRST_COMMAND_OPT, OPT_EVENT, OPT_LIMIT, OPT_OFFSET };

struct audit_opts {
	struct kgw_audit_filter f;
};

static int audit_opt(int c, const char *arg, void *ctx)
{
	struct audit_opts *o = ctx;
	unsigned int *n = c == OPT_LIMIT ? &o->f.limit : &o->f.offset;

	if (c == OPT_USER) {
		o->f.user = arg;
	} else if (c == OPT_EVENT) {
		o->f.event = arg;
	} else if (kgwctl_parse_uint(arg, 1000000000, n)) {
		kgwctl_err("audit: --%s: not a number: `%.32s'",
			   c == OPT_LIMIT ? "limit" : "offset", arg);
		return -1;
	}
	return 0;
}

/* Text from the network (user names tried, sources) is quoted so it cannot forge lines. */
static int print_one(const struct kgw_audit_entry *e, void *ctx)
{
	char t[32], actor[KGW_AUDIT_FIELD_MAX + 4], user[KGW_AUDIT_FIELD_MAX + 4];
	char source[KGW_AUDIT_FIELD_MAX + 4], detail[KGW_AUDIT_DETAIL_MAX + 4];
	json_t *array = ctx;

	kgwctl_time(e->time, t);
	if (array)
		return json_array_append_new(array, json_pack(
			"{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "time", t,
			"actor", e->actor, "event", e->event, "user", e->user, "source", e->source,
			"detail", e->detail));
	printf("%s %-10s %-16s %-16s %-16s %s\n", t, kgw_log_quote(e->actor, actor, sizeof(actor)),
	       e->event, e->user[0] ? kgw_log_quote(e->user, user, sizeof(user)) : "-",
	       e->source[0] ? kgw_log_quote(e->source, source, sizeof(source)) : "-",
	       kgw_log_quote(e->detail, detail, sizeof(detail)));
	return 0;
}

int kgwctl_audit_cmd(struct kgwctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, OPT_USER },
		{ "event", required_argument, NULL, OPT_EVENT },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_opts o = { .f.limit = 50 };
	json_t *array = NULL;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl audit", usage, opts, audit_opt, &o);
	if (n < 0 || !kgwctl_nargs("audit", n, 0, 0))
		return KGWCTL_USAGE;
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	if (ctl->json && !(array = json_array()))
		return KGWCTL_FAIL;
	if (!array)
		printf("%-20s %-10s %-16s %-16s %-16s %s\n", "TIME", "ACTOR", "EVENT", "USER",
		       "SOURCE", "DETAIL");
	ret = kgw_store_audit_query(ctl->store, &o.f, print_one, array);
	if (ret) {
		json_decref(array);
		return kgwctl_store_err(ctl, ret, "audit");
	}
	return array ? kgwctl_json_print(array) : KGWCTL_OK;
}
