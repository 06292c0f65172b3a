/* SPDX-License-Identifier: MIT */
/* kgwctl group: add, del, list, show, allow, deny. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kgwctl.h"
#include "store_groups.h"

static const char usage[] =
"Usage: kgwctl group COMMAND [OPTION]... [ARG]...\n"
"\n"
"Manages groups and what each may reach through the tunnel. A session may\n"
"reach the union of the destinations of its user's groups, and nothing else.\n"
"\n"
"Commands:\n"
"  add GROUP                 create a group\n"
"  del GROUP                 delete a group, its memberships and destinations\n"
"  list                      list groups with member and destination counts\n"
"  show GROUP                show a group's members and destinations\n"
"  allow GROUP CIDR PORTS    let the group reach TCP PORTS on CIDR\n"
"  deny GROUP CIDR [PORTS]   take that back (without PORTS: every port list\n"
"                            allowed for that CIDR)\n"
"\n"
"CIDR is a prefix such as 10.0.0.10/32, 10.0.0.0/24 or fd00::/64 (a bare\n"
"address means the host); host bits below the prefix are an error. PORTS is\n"
"a comma-separated list of ports and ranges: 443, 443,6443, 8000-8100,\n"
"1-65535. Both are stored in canonical form.\n"
"\n"
"Members are managed with `kgwctl user add-group|del-group USER GROUP'.\n"
"\n"
KGWCTL_COMMON_HELP;

static int parse(struct kgwctl *ctl, int argc, char **argv, const char *sub, int min, int max)
{
	char cmd[64], what[64];
	int n;

	snprintf(cmd, sizeof(cmd), "kgwctl group %s", sub);
	snprintf(what, sizeof(what), "group %s", sub);
	n = kgwctl_parse(ctl, argc, argv, cmd, usage, NULL, NULL, NULL);
	if (n < 0 || !kgwctl_nargs(what, n, min, max))
		return -1;
	return kgwctl_open(ctl, false) ? n : -2;
}

#define PARSE(sub, min, max) do { \
	int n_ = parse(ctl, argc, argv, sub, min, max); \
	if (n_ < 0) \
		return n_ == -1 ? KGWCTL_USAGE : KGWCTL_FAIL; \
	nargs = n_; \
} while (0)

static int cmd_add(struct kgwctl *ctl, int argc, char **argv)
{
	int nargs, ret;

	PARSE("add", 1, 1);
	ret = kgw_store_group_add(ctl->store, argv[optind], (int64_t)time(NULL));
	if (ret)
		return kgwctl_store_err(ctl, ret, "group add");
	kgwctl_audit(ctl, "group.add", NULL, argv[optind]);
	(void)nargs;
	return KGWCTL_OK;
}

static int cmd_del(struct kgwctl *ctl, int argc, char **argv)
{
	int nargs, ret;

	PARSE("del", 1, 1);
	ret = kgw_store_group_del(ctl->store, argv[optind]);
	if (ret)
		return kgwctl_store_err(ctl, ret, "group del");
	kgwctl_audit(ctl, "group.del", NULL, argv[optind]);
	(void)nargs;
	return KGWCTL_OK;
}

static int list_one(const struct kgw_group *g, void *ctx)
{
	json_t *array = ctx;
	char t[32];

	if (array)
		return json_array_append_new(array, json_pack("{s:s, s:s, s:i, s:i}",
			"name", g->name, "created", kgwctl_time(g->created, t),
			"members", (json_int_t)g->members,
			"destinations", (json_int_t)g->destinations));
	printf("%-32s %7u %12u\n", g->name, g->members, g->destinations);
	return 0;
}

static int cmd_list(struct kgwctl *ctl, int argc, char **argv)
{
	json_t *array = NULL;
	int nargs, ret;

	PARSE("list", 0, 0);
	(void)nargs;
	if (ctl->json && !(array = json_array()))
		return KGWCTL_FAIL;
	if (!array)
		printf("%-32s %7s %12s\n", "GROUP", "MEMBERS", "DESTINATIONS");
	ret = kgw_store_group_list(ctl->store, list_one, array);
	if (ret) {
		json_decref(array);
		return kgwctl_store_err(ctl, ret, "group list");
	}
	return array ? kgwctl_json_print(array) : KGWCTL_OK;
}

static int member_json(const char *user, void *ctx)
{
	return json_array_append_new(ctx, json_string(user));
}

static int member_text(const char *user, void *ctx)
{
	(void)ctx;
	printf("  member       %s\n", user);
	return 0;
}

static int dest_json(const char *cidr, const char *ports, void *ctx)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:s}", "cidr", cidr, "ports", ports));
}

static int dest_text(const char *cidr, const char *ports, void *ctx)
{
	(void)ctx;
	printf("  destination  %s ports %s\n", cidr, ports);
	return 0;
}

static int cmd_show(struct kgwctl *ctl, int argc, char **argv)
{
	const char *g;
	json_t *members = NULL, *dests = NULL;
	int nargs, ret;

	PARSE("show", 1, 1);
	(void)nargs;
	g = argv[optind];
	if (ctl->json) {
		members = json_array();
		dests = json_array();
		ret = !members || !dests ? -ENOMEM
			: kgw_store_group_members(ctl->store, g, member_json, members);
		if (!ret)
			ret = kgw_store_group_destinations(ctl->store, g, dest_json, dests);
		if (ret) {
			json_decref(members);
			json_decref(dests);
			return kgwctl_store_err(ctl, ret, "group show");
		}
		return kgwctl_json_print(json_pack("{s:s, s:o, s:o}", "name", g, "members", members,
						   "destinations", dests));
	}
	ret = kgw_store_group_exists(ctl->store, g);
	if (!ret) {
		printf("group %s\n", g);
		ret = kgw_store_group_members(ctl->store, g, member_text, NULL);
	}
	if (!ret)
		ret = kgw_store_group_destinations(ctl->store, g, dest_text, NULL);
	return ret ? kgwctl_store_err(ctl, ret, "group show") : KGWCTL_OK;
}

static int allow_deny(struct kgwctl *ctl, int argc, char **argv, bool allow)
{
	char detail[256], ports[KGW_PORTS_STR_MAX] = "";
	const char *g, *cidr, *p;
	int nargs, ret;

	PARSE(allow ? "allow" : "deny", allow ? 3 : 2, 3);
	g = argv[optind];
	cidr = argv[optind + 1];
	p = nargs > 2 ? argv[optind + 2] : NULL;
	/* Check the arguments here too, for an error that names the argument. */
	if (p && kgw_ports_normalize(p, ports)) {
		kgwctl_err("group %s: not a port list (like 443,6443 or 1-65535): `%.64s'",
			   allow ? "allow" : "deny", p);
		return KGWCTL_USAGE;
	}
	ret = allow ? kgw_store_group_allow(ctl->store, g, cidr, p)
		    : kgw_store_group_deny(ctl->store, g, cidr, p);
	if (ret == -EINVAL) {
		kgwctl_err("group %s: %s", allow ? "allow" : "deny", kgw_store_error(ctl->store));
		return KGWCTL_USAGE;
	}
	if (ret)
		return kgwctl_store_err(ctl, ret, allow ? "group allow" : "group deny");
	snprintf(detail, sizeof(detail), "%s %s%s%s", g, cidr, p ? " ports " : "", p ? ports : "");
	kgwctl_audit(ctl, allow ? "group.allow" : "group.deny", NULL, detail);
	return KGWCTL_OK;
}

static int cmd_allow(struct kgwctl *c, int n, char **v) { return allow_deny(c, n, v, true); }
static int cmd_deny(struct kgwctl *c, int n, char **v) { return allow_deny(c, n, v, false); }

static const struct kgwctl_command commands[] = {
	{ "add", "create a group", cmd_add },
	{ "del", "delete a group", cmd_del },
	{ "list", "list groups", cmd_list },
	{ "show", "show a group", cmd_show },
	{ "allow", "allow a destination", cmd_allow },
	{ "deny", "remove a destination", cmd_deny },
};

int kgwctl_group(struct kgwctl *ctl, int argc, char **argv)
{
	return kgwctl_dispatch(ctl, "kgwctl group", commands,
			       sizeof(commands) / sizeof(commands[0]), usage, argc, argv);
}
