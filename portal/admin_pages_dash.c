/* SPDX-License-Identifier: MIT */
/* The dashboard: what kgwd says about itself (info, stats), and the store's counts. */
#include "config.h"

#include <stdio.h>

#include "admin_internal.h"
#include "store_groups.h"
#include "store_users.h"

static int count_user(const struct kgw_user *u, void *ctx)
{
	(void)u;
	(*(unsigned int *)ctx)++;
	return 0;
}

static int count_group(const struct kgw_group *g, void *ctx)
{
	(void)g;
	(*(unsigned int *)ctx)++;
	return 0;
}

/* Copies kgwd's scalar fields into the page as "PREFIX_key". */
static void copy_fields(struct admin_req *r, const char *prefix, json_t *o)
{
	const char *key;
	json_t *v;
	char name[64];

	json_object_foreach(o, key, v) {
		snprintf(name, sizeof(name), "%s_%s", prefix, key);
		if (json_is_string(v))
			tmpl_set(r->d, name, "%s", json_string_value(v));
		else if (json_is_integer(v))
			tmpl_set(r->d, name, "%lld", (long long)json_integer_value(v));
	}
}

static void stats_answered(struct admin_req *r, json_t *reply)
{
	/* Without kgwd the page says so in its gateway box. */
	if (json_is_true(json_object_get(reply, "ok")))
		copy_fields(r, "stats", json_object_get(reply, "stats"));
	admin_page(r, 200, "dashboard", "Dashboard");
}

static void info_answered(struct admin_req *r, json_t *reply)
{
	if (!json_is_true(json_object_get(reply, "ok"))) {
		stats_answered(r, NULL);
		return;
	}
	tmpl_set(r->d, "kgwd_up", "1");
	copy_fields(r, "info", json_object_get(reply, "info"));
	admin_kgwd(r, json_pack("{s:s}", "op", "stats"), stats_answered);
}

void admin_dash_get(struct admin_req *r)
{
	const struct kgw_config *cfg = r->a->cfg.cfg;
	char addr[KGW_ADDR_STR_MAX];
	unsigned int users = 0, groups = 0;

	tmpl_set(r->d, "auth_listen", "%s", kgw_sockaddr_format(&cfg->auth_listen, addr));
	tmpl_set(r->d, "admin_listen", "%s", kgw_sockaddr_format(&cfg->admin_listen, addr));
	if (!kgw_store_user_list(r->a->cfg.store, count_user, &users))
		tmpl_set(r->d, "users", "%u", users);
	if (!kgw_store_group_list(r->a->cfg.store, count_group, &groups))
		tmpl_set(r->d, "groups", "%u", groups);
	admin_kgwd(r, json_pack("{s:s}", "op", "info"), info_answered);
}
