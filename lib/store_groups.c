/* SPDX-License-Identifier: MIT */
/* Groups and memberships. Destinations are in store_dest.c. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "store_groups.h"
#include "store_internal.h"

int kgw_store_group_exists(struct kgw_store *store, const char *group)
{
	sqlite3_stmt *stmt;
	int ret, rc;

	if (!kgw_store_name_valid(group))
		return kgw_store_failf(store, -EINVAL, "not a valid group name");
	ret = kgw_store_prepare(store, "SELECT 1 FROM groups WHERE name = ?", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, group, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		ret = kgw_store_failf(store, -ENOENT, "no group `%s'", group);
	else if (rc != SQLITE_ROW)
		ret = kgw_store_fail(store, rc, "reading a group");
	sqlite3_finalize(stmt);
	return ret;
}

static int check_names(struct kgw_store *store, const char *user, const char *group)
{
	if (user && !kgw_store_name_valid(user))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	if (group && !kgw_store_name_valid(group))
		return kgw_store_failf(store, -EINVAL, "not a valid group name");
	return 0;
}

int kgw_store_group_add(struct kgw_store *store, const char *name, int64_t now)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = check_names(store, NULL, name);
	if (!ret)
		ret = kgw_store_prepare(store, "INSERT INTO groups (name, created) VALUES (?, ?)",
					&stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	ret = kgw_store_step_done(store, stmt, "adding a group");
	if (ret == -EEXIST)
		kgw_store_failf(store, ret, "group `%s' already exists", name);
	return ret;
}

int kgw_store_group_del(struct kgw_store *store, const char *name)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = check_names(store, NULL, name);
	if (!ret)
		ret = kgw_store_prepare(store, "DELETE FROM groups WHERE name = ?", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "deleting a group");
	if (!ret && sqlite3_changes(store->db) != 1)
		ret = kgw_store_failf(store, -ENOENT, "no group `%s'", name);
	return ret;
}

int kgw_store_group_list(struct kgw_store *store,
			 int (*fn)(const struct kgw_group *group, void *ctx), void *ctx)
{
	struct kgw_group g;
	sqlite3_stmt *stmt;
	int ret, rc;

	ret = kgw_store_prepare(store, "SELECT g.name, g.created,"
		" (SELECT count(*) FROM members m WHERE m.grp = g.name),"
		" (SELECT count(*) FROM destinations d WHERE d.grp = g.name)"
		" FROM groups g ORDER BY g.name", &stmt);
	if (ret)
		return ret;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&g, 0, sizeof(g));
		kgw_store_column_text(stmt, 0, g.name, sizeof(g.name));
		g.created = sqlite3_column_int64(stmt, 1);
		g.members = (unsigned int)sqlite3_column_int(stmt, 2);
		g.destinations = (unsigned int)sqlite3_column_int(stmt, 3);
		ret = fn(&g, ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = kgw_store_fail(store, rc, "listing groups");
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_member_add(struct kgw_store *store, const char *user, const char *group)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = check_names(store, user, group);
	if (!ret)
		ret = kgw_store_begin(store);
	if (ret)
		return ret;
	/* Named errors rather than a bare foreign-key failure. */
	ret = kgw_store_user_exists(store, user);
	if (!ret)
		ret = kgw_store_group_exists(store, group);
	if (!ret)
		ret = kgw_store_prepare(store, "INSERT INTO members (user, grp) VALUES (?, ?)",
					&stmt);
	if (ret)
		return kgw_store_rollback(store, ret);
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, group, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "adding a member");
	if (ret == -EEXIST)
		kgw_store_failf(store, ret, "`%s' is already in group `%s'", user, group);
	if (ret)
		return kgw_store_rollback(store, ret);
	return kgw_store_commit(store);
}

int kgw_store_member_del(struct kgw_store *store, const char *user, const char *group)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = check_names(store, user, group);
	if (!ret)
		ret = kgw_store_prepare(store, "DELETE FROM members WHERE user = ? AND grp = ?",
					&stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, group, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "removing a member");
	if (!ret && sqlite3_changes(store->db) != 1)
		ret = kgw_store_failf(store, -ENOENT, "`%s' is not in group `%s'", user, group);
	return ret;
}

/* Runs a one-parameter query and hands column 0 of each row to fn. */
static int each_name(struct kgw_store *store, const char *sql, const char *param,
		     int (*fn)(const char *name, void *ctx), void *ctx)
{
	sqlite3_stmt *stmt;
	int ret, rc;

	ret = kgw_store_prepare(store, sql, &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(stmt, 0);

		ret = fn(name ? (const char *)name : "", ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = kgw_store_fail(store, rc, "listing memberships");
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_user_groups(struct kgw_store *store, const char *user,
			  int (*fn)(const char *group, void *ctx), void *ctx)
{
	int ret = check_names(store, user, NULL);

	if (!ret)
		ret = kgw_store_user_exists(store, user);
	if (ret)
		return ret;
	return each_name(store, "SELECT grp FROM members WHERE user = ? ORDER BY grp", user,
			 fn, ctx);
}

int kgw_store_group_members(struct kgw_store *store, const char *group,
			    int (*fn)(const char *user, void *ctx), void *ctx)
{
	int ret = check_names(store, NULL, group);

	if (!ret)
		ret = kgw_store_group_exists(store, group);
	if (ret)
		return ret;
	return each_name(store, "SELECT user FROM members WHERE grp = ? ORDER BY user", group,
			 fn, ctx);
}
