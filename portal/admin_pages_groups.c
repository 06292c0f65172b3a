/* SPDX-License-Identifier: MIT */
/* Groups: their members, the API endpoints (CIDR and ports) each may reach, and changes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin_internal.h"
#include "store_groups.h"

static int one_member(const char *user, void *arg)
{
	struct tmpl_data *m = tmpl_add(arg, "members");

	return m ? tmpl_set(m, "member", "%s", user) : -ENOMEM;
}

static int one_dest(const char *cidr, const char *ports, void *arg)
{
	struct tmpl_data *d = tmpl_add(arg, "dests");

	if (!d)
		return -ENOMEM;
	tmpl_set(d, "cidr", "%s", cidr);
	return tmpl_set(d, "ports", "%s", ports);
}

#define GROUPS_SHOWN_MAX 256

struct group_names {
	char name[GROUPS_SHOWN_MAX][KGW_NAME_MAX + 1];
	int64_t created[GROUPS_SHOWN_MAX];
	size_t n;
};

static int one_group(const struct kgw_group *g, void *arg)
{
	struct group_names *gn = arg;

	if (gn->n < GROUPS_SHOWN_MAX) {
		snprintf(gn->name[gn->n], sizeof(gn->name[0]), "%s", g->name);
		gn->created[gn->n++] = g->created;
	}
	return 0;
}

/* Members and destinations come from their own queries, after the list's has ended. */
static void groups_page(struct admin_req *r, int status)
{
	struct kgw_store *st = r->a->cfg.store;
	static struct group_names gn;	/* the loop thread's only; too big for the stack */
	struct tmpl_data *item;
	char when[32];
	int ret;

	gn.n = 0;
	ret = kgw_store_group_list(st, one_group, &gn);
	for (size_t i = 0; !ret && i < gn.n; i++) {
		if (!(item = tmpl_add(r->d, "group_list"))) {
			ret = -ENOMEM;
			break;
		}
		admin_format_time(gn.created[i], when);
		tmpl_set(item, "group", "%s", gn.name[i]);
		tmpl_set(item, "created", "%s", when);
		ret = kgw_store_group_members(st, gn.name[i], one_member, item);
		if (!ret)
			ret = kgw_store_group_destinations(st, gn.name[i], one_dest, item);
	}
	if (ret) {
		admin_fail(r, 500, "The group database could not be read.");
		return;
	}
	admin_page(r, status, "groups", "Groups");
}

void admin_groups_get(struct admin_req *r)
{
	groups_page(r, 200);
}

void admin_groups_post(struct admin_req *r)
{
	struct kgw_store *st = r->a->cfg.store;
	const char *action = admin_arg(r, "action"), *group = admin_arg(r, "group");
	const char *cidr = admin_arg(r, "cidr"), *ports = admin_arg(r, "ports");
	char event[64], detail[160];
	int ret;

	if (!action || !group || !admin_valid_name(group)) {
		admin_notice(r, true, "Give a valid group name.");
		groups_page(r, 400);
		return;
	}
	if (!ports || !*ports)
		ports = "1-65535";
	if (!strcmp(action, "add"))
		ret = kgw_store_group_add(st, group, (int64_t)time(NULL));
	else if (!strcmp(action, "delete"))
		ret = kgw_store_group_del(st, group);
	else if (!strcmp(action, "allow") && cidr)
		ret = kgw_store_group_allow(st, group, cidr, ports);
	else if (!strcmp(action, "deny") && cidr)
		ret = kgw_store_group_deny(st, group, cidr, ports);
	else
		ret = -EINVAL;
	snprintf(event, sizeof(event), "admin.group.%s", action);
	snprintf(detail, sizeof(detail), "group %s%s%s%s%s", group, cidr ? " " : "", cidr ? cidr : "",
		 cidr ? " ports " : "", cidr ? ports : "");
	admin_audit(r, strlen(action) < 10 ? event : "admin.group", ret ? "failed" : "ok", NULL, detail);
	if (ret)
		admin_notice(r, true, "Not done (%s): %s.", detail,
			     ret == -EEXIST ? "it exists already" : ret == -ENOENT ? "not found"
			     : "a name, address or port list is not valid");
	else
		admin_notice(r, false, "Done: %s %s.", action, detail);
	groups_page(r, ret ? 400 : 200);
}
