/* SPDX-License-Identifier: MIT */
/* kgwctl user: add, del, list, show, passwd, disable, enable, expire, unlock, groups. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kgwctl.h"
#include "password.h"
#include "store_groups.h"
#include "store_users.h"

static const char usage[] =
"Usage: kgwctl user COMMAND [OPTION]... [ARG]...\n"
"\n"
"Manages the users who may log in to the gateway.\n"
"\n"
"Commands:\n"
"  add NAME            create a user (see `kgwctl user add --help')\n"
"  del NAME            delete a user, their group memberships and OTP secret;\n"
"                      their live sessions are revoked\n"
"  list                list users\n"
"  show NAME           show one user, their groups and lockout state\n"
"  passwd NAME         set a user's password\n"
"  disable NAME        refuse the user's logins (the account step fails)\n"
"  enable NAME         allow them again\n"
"  expire NAME WHEN    refuse logins from WHEN on: YYYY-MM-DD (UTC midnight),\n"
"                      YYYY-MM-DDTHH:MM:SSZ, @UNIXTIME, or `never'\n"
"  unlock NAME         end a lockout after failed logins and clear the count\n"
"  add-group NAME GROUP    put the user in a group\n"
"  del-group NAME GROUP    take the user out of a group\n"
"\n"
"User names are 1 to 32 of A-Z a-z 0-9 _ . @ -, not starting with . or -.\n"
"\n"
KGWCTL_COMMON_HELP;

static const char add_usage[] =
"Usage: kgwctl user add NAME [--password-stdin | --no-password] [--expires WHEN]\n"
"\n"
"Creates the user NAME. The password (at least 8 characters) is read twice\n"
"from the terminal without echo, or with --password-stdin from the first\n"
"line of standard input, for scripts: never put it on the command line.\n"
"\n"
"Options:\n"
"      --password-stdin   read the password from standard input\n"
"      --no-password      no password: the user cannot pass the password step\n"
"                         (for stacks where another module checks passwords)\n"
"      --expires=WHEN     refuse logins from WHEN on (see `kgwctl user --help')\n"
"\n"
"The user still needs a one-time-code secret: `kgwctl otp enroll NAME'.\n"
"\n"
KGWCTL_COMMON_HELP;

static const char passwd_usage[] =
"Usage: kgwctl user passwd NAME [--password-stdin]\n"
"\n"
"Sets the password of NAME: read twice from the terminal without echo, or\n"
"with --password-stdin from the first line of standard input.\n"
"\n"
KGWCTL_COMMON_HELP;

static const char one_usage[] =
"Usage: kgwctl user del|show|disable|enable|unlock NAME\n"
"       kgwctl user expire NAME WHEN\n"
"       kgwctl user add-group|del-group NAME GROUP\n"
"       kgwctl user list\n"
"\n"
"See `kgwctl user --help' for what each does.\n"
"\n"
KGWCTL_COMMON_HELP;

enum { OPT_PASSWORD_STDIN = OPT_FIRST_COMMAND_OPT, OPT_NO_PASSWORD, OPT_EXPIRES };

struct add_opts {
	bool password_stdin, no_password;
	const char *expires;
};

static int add_opt(int c, const char *arg, void *ctx)
{
	struct add_opts *o = ctx;

	if (c == OPT_PASSWORD_STDIN)
		o->password_stdin = true;
	else if (c == OPT_NO_PASSWORD)
		o->no_password = true;
	else if (c == OPT_EXPIRES)
		o->expires = arg;
	return 0;
}

/* Hashes a password read as the options say; false after printing why. */
static bool new_hash(bool from_stdin, char hash[static KGW_PASSWORD_HASH_MAX])
{
	char *pw = kgwctl_read_password(from_stdin);
	int ret;

	if (!pw)
		return false;
	ret = kgw_password_hash(pw, hash);
	kgwctl_password_free(pw);
	if (ret) {
		kgwctl_err("cannot hash the password: %s", strerror(-ret));
		return false;
	}
	return true;
}

static int cmd_add(struct kgwctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
		{ "no-password", no_argument, NULL, OPT_NO_PASSWORD },
		{ "expires", required_argument, NULL, OPT_EXPIRES },
		{ NULL, 0, NULL, 0 },
	};
	char hash[KGW_PASSWORD_HASH_MAX] = "";
	struct add_opts o = { 0 };
	int64_t expires = 0;
	const char *name;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl user add", add_usage, opts, add_opt, &o);
	if (n < 0 || !kgwctl_nargs("user add", n, 1, 1))
		return KGWCTL_USAGE;
	name = argv[optind];
	if (!kgw_store_name_valid(name)) {
		kgwctl_err("user add: not a valid user name: `%.64s'", name);
		return KGWCTL_USAGE;
	}
	if (o.password_stdin && o.no_password) {
		kgwctl_err("user add: --password-stdin and --no-password exclude each other");
		return KGWCTL_USAGE;
	}
	if (o.expires && kgwctl_parse_time(o.expires, &expires)) {
		kgwctl_err("user add: --expires: not a time: `%.64s'", o.expires);
		return KGWCTL_USAGE;
	}
	/* Open first: a missing database should not cost the user a password prompt. */
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	if (!o.no_password && !new_hash(o.password_stdin, hash))
		return KGWCTL_FAIL;
	ret = kgw_store_user_add(ctl->store, name, hash[0] ? hash : NULL, (int64_t)time(NULL));
	if (!ret && expires)
		ret = kgw_store_user_set_expires(ctl->store, name, expires);
	if (ret)
		return kgwctl_store_err(ctl, ret, "user add");
	kgwctl_audit(ctl, "user.add", name, o.no_password ? "no password" : NULL);
	if (!ctl->json)
		printf("user `%s' added; enrol a one-time code with `kgwctl otp enroll %s'\n",
		       name, name);
	return KGWCTL_OK;
}

static int cmd_passwd(struct kgwctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
		{ NULL, 0, NULL, 0 },
	};
	char hash[KGW_PASSWORD_HASH_MAX];
	struct add_opts o = { 0 };
	struct kgw_user u;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl user passwd", passwd_usage, opts, add_opt, &o);
	if (n < 0 || !kgwctl_nargs("user passwd", n, 1, 1))
		return KGWCTL_USAGE;
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	ret = kgw_store_user_get(ctl->store, argv[optind], &u);
	if (ret)
		return kgwctl_store_err(ctl, ret, "user passwd");
	if (!new_hash(o.password_stdin, hash))
		return KGWCTL_FAIL;
	ret = kgw_store_user_set_hash(ctl->store, argv[optind], hash);
	if (ret)
		return kgwctl_store_err(ctl, ret, "user passwd");
	kgwctl_audit(ctl, "user.passwd", argv[optind], NULL);
	return KGWCTL_OK;
}

static const char *otp_state(const struct kgw_user *u)
{
	return u->otp_active ? (u->otp_pending ? "active+pending" : "active")
			     : (u->otp_pending ? "pending" : "none");
}

static int add_group_json(const char *group, void *ctx)
{
	return json_array_append_new(ctx, json_string(group));
}

static int add_group_text(const char *group, void *ctx)
{
	char *out = ctx;
	size_t len = strlen(out);

	snprintf(out + len, 1024 - len, "%s%s", len ? "," : "", group);
	return 0;
}

static json_t *user_json(struct kgwctl *ctl, const struct kgw_user *u)
{
	json_t *groups = json_array();
	char created[32], expires[32], locked[32] = "";

	if (groups && kgw_store_user_groups(ctl->store, u->name, add_group_json, groups)) {
		json_decref(groups);
		return NULL;
	}
	return json_pack("{s:s, s:b, s:b, s:s, s:s, s:s, s:i, s:s, s:o}",
			 "name", u->name, "enabled", u->enabled, "password", u->has_password,
			 "otp", otp_state(u), "created", kgwctl_time(u->created, created),
			 "expires", kgwctl_time(u->expires, expires),
			 "failures", (json_int_t)u->failures,
			 "locked_until", u->locked_until > time(NULL)
					 ? kgwctl_time(u->locked_until, locked) : locked,
			 "groups", groups);
}

struct list_ctx {
	struct kgwctl *ctl;
	json_t *array;
};

static int list_one(const struct kgw_user *u, void *data)
{
	struct list_ctx *lc = data;
	char groups[1024] = "";

	if (lc->array)
		return json_array_append_new(lc->array, user_json(lc->ctl, u)) ? -ENOMEM : 0;
	if (kgw_store_user_groups(lc->ctl->store, u->name, add_group_text, groups))
		return -EIO;
	printf("%-32s %-8s %-14s %-6s %s\n", u->name, u->enabled ? "yes" : "no", otp_state(u),
	       u->locked_until > time(NULL) ? "yes" : "no", groups[0] ? groups : "-");
	return 0;
}

static int cmd_list(struct kgwctl *ctl, int argc, char **argv)
{
	struct list_ctx lc = { ctl, NULL };
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl user list", one_usage, NULL, NULL, NULL);
	if (n < 0 || !kgwctl_nargs("user list", n, 0, 0))
		return KGWCTL_USAGE;
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	if (ctl->json) {
		lc.array = json_array();
		if (!lc.array)
			return KGWCTL_FAIL;
	} else {
		printf("%-32s %-8s %-14s %-6s %s\n", "NAME", "ENABLED", "OTP", "LOCKED", "GROUPS");
	}
	ret = kgw_store_user_list(ctl->store, list_one, &lc);
	if (ret) {
		json_decref(lc.array);
		return kgwctl_store_err(ctl, ret, "user list");
	}
	return lc.array ? kgwctl_json_print(lc.array) : KGWCTL_OK;
}

static int cmd_show(struct kgwctl *ctl, int argc, char **argv)
{
	char groups[1024] = "", t[32];
	struct kgw_user u;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl user show", one_usage, NULL, NULL, NULL);
	if (n < 0 || !kgwctl_nargs("user show", n, 1, 1))
		return KGWCTL_USAGE;
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	ret = kgw_store_user_get(ctl->store, argv[optind], &u);
	if (ret)
		return kgwctl_store_err(ctl, ret, "user show");
	if (ctl->json)
		return kgwctl_json_print(user_json(ctl, &u));
	ret = kgw_store_user_groups(ctl->store, u.name, add_group_text, groups);
	if (ret)
		return kgwctl_store_err(ctl, ret, "user show");
	printf("name:      %s\n", u.name);
	printf("enabled:   %s\n", u.enabled ? "yes" : "no");
	printf("password:  %s\n", u.has_password ? "set" : "none");
	printf("otp:       %s\n", otp_state(&u));
	printf("created:   %s\n", kgwctl_time(u.created, t));
	printf("expires:   %s\n", kgwctl_time(u.expires, t));
	printf("failures:  %u\n", u.failures);
	if (u.locked_until > time(NULL))
		printf("locked:    until %s\n", kgwctl_time(u.locked_until, t));
	printf("groups:    %s\n", groups[0] ? groups : "-");
	return KGWCTL_OK;
}

/* The commands that take NAME (and perhaps one more argument) and change one thing. */
static int simple(struct kgwctl *ctl, int argc, char **argv, const char *sub, int nargs)
{
	char cmd[64], what[64];
	const char *name, *arg;
	int64_t when = 0;
	int n, ret;

	snprintf(cmd, sizeof(cmd), "kgwctl user %s", sub);
	snprintf(what, sizeof(what), "user %s", sub);
	n = kgwctl_parse(ctl, argc, argv, cmd, one_usage, NULL, NULL, NULL);
	if (n < 0 || !kgwctl_nargs(what, n, nargs, nargs))
		return KGWCTL_USAGE;
	name = argv[optind];
	arg = nargs > 1 ? argv[optind + 1] : NULL;
	if (!strcmp(sub, "expire") && kgwctl_parse_time(arg, &when)) {
		kgwctl_err("user expire: not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, @UNIXTIME "
			   "or never): `%.64s'", arg);
		return KGWCTL_USAGE;
	}
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	if (!strcmp(sub, "del"))
		ret = kgw_store_user_del(ctl->store, name, (int64_t)time(NULL));
	else if (!strcmp(sub, "disable") || !strcmp(sub, "enable"))
		ret = kgw_store_user_set_enabled(ctl->store, name, !strcmp(sub, "enable"));
	else if (!strcmp(sub, "expire"))
		ret = kgw_store_user_set_expires(ctl->store, name, when);
	else if (!strcmp(sub, "unlock"))
		ret = kgw_store_user_unlock(ctl->store, name);
	else if (!strcmp(sub, "add-group"))
		ret = kgw_store_member_add(ctl->store, name, arg);
	else
		ret = kgw_store_member_del(ctl->store, name, arg);
	if (ret)
		return kgwctl_store_err(ctl, ret, what);
	snprintf(cmd, sizeof(cmd), "user.%s", sub);
	kgwctl_audit(ctl, cmd, name, arg);
	return KGWCTL_OK;
}

static int cmd_del(struct kgwctl *c, int n, char **v) { return simple(c, n, v, "del", 1); }
static int cmd_disable(struct kgwctl *c, int n, char **v) { return simple(c, n, v, "disable", 1); }
static int cmd_enable(struct kgwctl *c, int n, char **v) { return simple(c, n, v, "enable", 1); }
static int cmd_expire(struct kgwctl *c, int n, char **v) { return simple(c, n, v, "expire", 2); }
static int cmd_unlock(struct kgwctl *c, int n, char **v) { return simple(c, n, v, "unlock", 1); }
static int cmd_add_group(struct kgwctl *c, int n, char **v)
{
	return simple(c, n, v, "add-group", 2);
}

static int cmd_del_group(struct kgwctl *c, int n, char **v)
{
	return simple(c, n, v, "del-group", 2);
}

static const struct kgwctl_command commands[] = {
	{ "add", "create a user", cmd_add },
	{ "del", "delete a user", cmd_del },
	{ "list", "list users", cmd_list },
	{ "show", "show a user", cmd_show },
	{ "passwd", "set a password", cmd_passwd },
	{ "disable", "refuse logins", cmd_disable },
	{ "enable", "allow logins", cmd_enable },
	{ "expire", "set an expiry", cmd_expire },
	{ "unlock", "end a lockout", cmd_unlock },
	{ "add-group", "join a group", cmd_add_group },
	{ "del-group", "leave a group", cmd_del_group },
};

int kgwctl_user(struct kgwctl *ctl, int argc, char **argv)
{
	return kgwctl_dispatch(ctl, "kgwctl user", commands, sizeof(commands) / sizeof(commands[0]),
			       usage, argc, argv);
}
