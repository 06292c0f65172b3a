/* SPDX-License-Identifier: MIT */
/*
 * Users: the list with a search, one user's page, and the changes an admin
 * makes (add, enable, disable, delete, new password, group membership),
 * all through the store and all audited.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "admin_internal.h"
#include "password.h"
#include "store_groups.h"
#include "store_users.h"

struct list_ctx {
	struct admin_req *r;
	const char *q;
	unsigned int shown, total;
};

static void user_fields(struct tmpl_data *d, const struct kgw_user *u)
{
	char when[32];

	tmpl_set(d, "name", "%s", u->name);
	if (u->enabled)
		tmpl_set(d, "enabled", "1");
	tmpl_set(d, "otp", "%s", u->otp_active ? (u->otp_pending ? "active (new one pending)" : "active")
					       : u->otp_pending ? "pending" : "none");
	admin_format_time(u->created, when);
	tmpl_set(d, "created", "%s", when);
	admin_format_time(u->expires, when);
	tmpl_set(d, "expires", "%s", u->expires ? when : "never");
	if (u->locked_until > (int64_t)time(NULL)) {
		admin_format_time(u->locked_until, when);
		tmpl_set(d, "locked_until", "%s", when);
	}
}

static int list_one(const struct kgw_user *u, void *arg)
{
	struct list_ctx *c = arg;
	struct tmpl_data *item;

	c->total++;
	if (c->q && *c->q && !strcasestr(u->name, c->q))
		return 0;
	if (!(item = tmpl_add(c->r->d, "user_list")))
		return -ENOMEM;
	user_fields(item, u);
	c->shown++;
	return 0;
}

static void users_page(struct admin_req *r, int status)
{
	struct list_ctx c = { .r = r, .q = admin_arg(r, "q") };

	if (c.q && *c.q)
		tmpl_set(r->d, "q", "%s", c.q);
	if (kgw_store_user_list(r->a->cfg.store, list_one, &c)) {
		admin_fail(r, 500, "The user database could not be read.");
		return;
	}
	tmpl_set(r->d, "shown", "%u", c.shown);
	tmpl_set(r->d, "total", "%u", c.total);
	admin_page(r, status, "users", "Users");
}

void admin_users_get(struct admin_req *r)
{
	users_page(r, 200);
}

static int member_of(const char *group, void *arg)
{
	struct tmpl_data *item = tmpl_add(arg, "member_of");

	return item ? tmpl_set(item, "group", "%s", group) : -ENOMEM;
}

static int any_group(const struct kgw_group *g, void *arg)
{
	struct tmpl_data *item = tmpl_add(arg, "all_groups");

	return item ? tmpl_set(item, "group", "%s", g->name) : -ENOMEM;
}

/* One user's page; `status' 200, or 4xx after a refused change. */
static void user_page(struct admin_req *r, const char *name, int status)
{
	struct kgw_user u;

	if (!name || !admin_valid_name(name) || kgw_store_user_get(r->a->cfg.store, name, &u)) {
		admin_fail(r, 404, "There is no such user.");
		return;
	}
	user_fields(r->d, &u);
	if (kgw_store_user_groups(r->a->cfg.store, name, member_of, r->d) ||
	    kgw_store_group_list(r->a->cfg.store, any_group, r->d)) {
		admin_fail(r, 500, "The user database could not be read.");
		return;
	}
	admin_page(r, status, "user", u.name);
}

void admin_user_get(struct admin_req *r)
{
	user_page(r, admin_arg(r, "name"), 200);
}

/* The password from the form, hashed; false (and a notice) when it is no good. */
static bool new_password(struct admin_req *r, char hash[static KGW_PASSWORD_HASH_MAX])
{
	const char *pw = admin_arg(r, "password");
	size_t n = pw ? strlen(pw) : 0;

	if (n < KGW_PASSWORD_MIN || n > KGW_PASSWORD_MAX) {
		admin_notice(r, true, "A password must have %d to %d characters.", KGW_PASSWORD_MIN,
			     KGW_PASSWORD_MAX);
		return false;
	}
	if (kgw_password_hash(pw, hash)) {
		admin_notice(r, true, "The password could not be hashed.");
		return false;
	}
	return true;
}

static const char *store_reason(int ret)
{
	switch (ret) {
	case -EEXIST: return "it exists already";
	case -ENOENT: return "there is no such user or group";
	case -EINVAL: return "a name or value is not valid";
	default: return "the database refused the change";
	}
}

static void add_user(struct admin_req *r, const char *name)
{
	char hash[KGW_PASSWORD_HASH_MAX];
	int ret;

	if (!admin_valid_name(name)) {
		admin_notice(r, true, "%s is not a valid user name (letters, digits, . _ @ -, "
			     "up to %d).", name, KGW_NAME_MAX);
		users_page(r, 400);
		return;
	}
	if (!new_password(r, hash)) {
		users_page(r, 400);
		return;
	}
	ret = kgw_store_user_add(r->a->cfg.store, name, hash, (int64_t)time(NULL));
	sodium_memzero(hash, sizeof(hash));
	admin_audit(r, "admin.user.add", ret ? "failed" : "ok", name, ret ? store_reason(ret) : NULL);
	if (ret) {
		admin_notice(r, true, "User %s was not added: %s.", name, store_reason(ret));
		users_page(r, 409);
		return;
	}
	admin_notice(r, false, "User %s added. Enrol a one-time code and add groups below.", name);
	user_page(r, name, 200);
}

static void cut_next(struct admin_req *r, json_t *reply);

static void cut_done(struct admin_req *r)
{
	if (r->revoked)
		admin_notice(r, false, "User %s %s; %u live session(s) revoked.", r->login_user,
			     r->deleted ? "deleted" : "disabled", r->revoked);
	if (r->deleted)
		users_page(r, 200);
	else
		user_page(r, r->login_user, 200);
}

static void cut_one(struct admin_req *r, json_t *reply)
{
	if (!json_is_true(json_object_get(reply, "ok"))) {
		admin_audit(r, "admin.session.revoke", "failed", r->login_user, "kgwd refused");
		cut_done(r);
		return;
	}
	r->revoked++;
	admin_audit(r, "admin.session.revoke", "ok", r->login_user, "the user was disabled or deleted");
	admin_kgwd(r, json_pack("{s:s}", "op", "list"), cut_next);
}

/* One revoke at a time, each after a fresh list, until none of the user's is left. */
static void cut_next(struct admin_req *r, json_t *reply)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(reply, "sessions"), i, s) {
		const char *user = json_string_value(json_object_get(s, "user"));
		const char *id = json_string_value(json_object_get(s, "id"));

		if (user && id && !strcmp(user, r->login_user) && r->revoked < ADMIN_CUT_SESSIONS_MAX) {
			admin_kgwd(r, json_pack("{s:s, s:s}", "op", "revoke", "id", id), cut_one);
			return;
		}
	}
	cut_done(r);
}

/* A disabled or deleted user keeps no access: their live sessions go too. */
static void cut_sessions(struct admin_req *r, const char *name, bool deleted)
{
	snprintf(r->login_user, sizeof(r->login_user), "%s", name);
	r->deleted = deleted;
	admin_session_end_user(r->a->sessions, name);
	admin_kgwd(r, json_pack("{s:s}", "op", "list"), cut_next);
}

static void delete_user(struct admin_req *r, const char *name)
{
	int ret = kgw_store_user_del(r->a->cfg.store, name, (int64_t)time(NULL));

	admin_audit(r, "admin.user.delete", ret ? "failed" : "ok", name, ret ? store_reason(ret) : NULL);
	if (ret) {
		admin_notice(r, true, "User %s was not deleted: %s.", name, store_reason(ret));
		users_page(r, 409);
		return;
	}
	admin_notice(r, false, "User %s deleted.", name);
	cut_sessions(r, name, true);
}

/* The changes made on a user's own page. */
static void change_user(struct admin_req *r, const char *action, const char *name)
{
	struct kgw_store *st = r->a->cfg.store;
	const char *group = admin_arg(r, "group");
	char hash[KGW_PASSWORD_HASH_MAX], event[64];
	int ret;

	if (!strcmp(action, "enable") || !strcmp(action, "disable")) {
		ret = kgw_store_user_set_enabled(st, name, action[0] == 'e');
	} else if (!strcmp(action, "password")) {
		if (!new_password(r, hash)) {
			user_page(r, name, 400);
			return;
		}
		ret = kgw_store_user_set_hash(st, name, hash);
		sodium_memzero(hash, sizeof(hash));
	} else if (!strcmp(action, "group-add") || !strcmp(action, "group-remove")) {
		if (!group || !admin_valid_name(group))
			ret = -EINVAL;
		else if (action[6] == 'a')
			ret = kgw_store_member_add(st, name, group);
		else
			ret = kgw_store_member_del(st, name, group);
	} else {
		admin_fail(r, 400, "Unknown action.");
		return;
	}
	snprintf(event, sizeof(event), "admin.user.%s", action);
	admin_audit(r, event, ret ? "failed" : "ok", name, group);
	if (ret)
		admin_notice(r, true, "The change (%s) was not made: %s.", action, store_reason(ret));
	else
		admin_notice(r, false, "Done: %s%s%s.", action, group ? " " : "", group ? group : "");
	if (!ret && !strcmp(action, "disable"))
		cut_sessions(r, name, false);
	else
		user_page(r, name, ret ? 409 : 200);
}

void admin_users_post(struct admin_req *r)
{
	const char *action = admin_arg(r, "action"), *name = admin_arg(r, "name");

	if (!action || !name) {
		admin_fail(r, 400, "The form is incomplete.");
		return;
	}
	if (!strcmp(action, "add"))
		add_user(r, name);
	else if (!admin_valid_name(name))
		admin_fail(r, 404, "There is no such user.");
	else if (!strcmp(action, "delete"))
		delete_user(r, name);
	else
		change_user(r, action, name);
}
