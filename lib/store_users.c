/* SPDX-License-Identifier: MIT */
/* Users and their lockout state. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "store_internal.h"
#include "store_users.h"

#define USER_COLUMNS \
	"u.name, u.password_hash IS NOT NULL, u.enabled, u.created, u.expires, u.failures," \
	" u.lockouts, u.locked_until, o.secret IS NOT NULL, o.pending IS NOT NULL"
#define USER_FROM " FROM users u LEFT JOIN otp o ON o.user = u.name"

static void user_from_row(sqlite3_stmt *stmt, struct kgw_user *u)
{
	memset(u, 0, sizeof(*u));
	kgw_store_column_text(stmt, 0, u->name, sizeof(u->name));
	u->has_password = sqlite3_column_int(stmt, 1);
	u->enabled = sqlite3_column_int(stmt, 2);
	u->created = sqlite3_column_int64(stmt, 3);
	u->expires = sqlite3_column_int64(stmt, 4);
	u->failures = (unsigned int)sqlite3_column_int(stmt, 5);
	u->lockouts = (unsigned int)sqlite3_column_int(stmt, 6);
	u->locked_until = sqlite3_column_int64(stmt, 7);
	u->otp_active = sqlite3_column_int(stmt, 8);
	u->otp_pending = sqlite3_column_int(stmt, 9);
}

int kgw_store_user_exists(struct kgw_store *store, const char *user)
{
	struct kgw_user u;

	return kgw_store_user_get(store, user, &u);
}

static int check_name(struct kgw_store *store, const char *name)
{
	if (!kgw_store_name_valid(name))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	return 0;
}

/* A hash must at least be one libsodium made; garbage would lock the user out silently. */
static int check_hash(struct kgw_store *store, const char *hash)
{
	if (hash && (strncmp(hash, "$argon2id$", 10) ||
		     strnlen(hash, KGW_PASSWORD_HASH_MAX) >= KGW_PASSWORD_HASH_MAX))
		return kgw_store_failf(store, -EINVAL, "not an argon2id hash");
	return 0;
}

int kgw_store_user_add(struct kgw_store *store, const char *name, const char *password_hash,
		       int64_t now)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = check_name(store, name);
	if (!ret)
		ret = check_hash(store, password_hash);
	if (!ret)
		ret = kgw_store_prepare(store,
			"INSERT INTO users (name, password_hash, created) VALUES (?, ?, ?)", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	kgw_store_bind_text(stmt, 2, password_hash);
	sqlite3_bind_int64(stmt, 3, now);
	ret = kgw_store_step_done(store, stmt, "adding a user");
	if (ret == -EEXIST)
		kgw_store_failf(store, ret, "user `%s' already exists", name);
	return ret;
}

int kgw_store_user_del(struct kgw_store *store, const char *name, int64_t now)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = check_name(store, name);
	if (!ret)
		ret = kgw_store_begin(store);
	if (ret)
		return ret;
	ret = kgw_store_prepare(store, "DELETE FROM users WHERE name = ?", &stmt);
	if (ret)
		return kgw_store_rollback(store, ret);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "deleting a user");
	if (!ret && sqlite3_changes(store->db) != 1)
		ret = kgw_store_failf(store, -ENOENT, "no user `%s'", name);
	if (!ret)
		ret = kgw_store_prepare(store, "UPDATE sessions SET revoked = 1, ended = ?"
					" WHERE user = ? AND ended = 0", &stmt);
	if (ret)
		return kgw_store_rollback(store, ret);
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "revoking sessions");
	if (ret)
		return kgw_store_rollback(store, ret);
	return kgw_store_commit(store);
}

int kgw_store_user_get(struct kgw_store *store, const char *name, struct kgw_user *out)
{
	sqlite3_stmt *stmt;
	int ret, rc;

	memset(out, 0, sizeof(*out));
	ret = check_name(store, name);
	if (!ret)
		ret = kgw_store_prepare(store, "SELECT " USER_COLUMNS USER_FROM " WHERE u.name = ?",
					&stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		user_from_row(stmt, out);
	else if (rc == SQLITE_DONE)
		ret = kgw_store_failf(store, -ENOENT, "no user `%s'", name);
	else
		ret = kgw_store_fail(store, rc, "reading a user");
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_user_list(struct kgw_store *store,
			int (*fn)(const struct kgw_user *user, void *ctx), void *ctx)
{
	struct kgw_user u;
	sqlite3_stmt *stmt;
	int ret, rc;

	ret = kgw_store_prepare(store, "SELECT " USER_COLUMNS USER_FROM " ORDER BY u.name", &stmt);
	if (ret)
		return ret;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		user_from_row(stmt, &u);
		ret = fn(&u, ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = kgw_store_fail(store, rc, "listing users");
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_user_hash(struct kgw_store *store, const char *name,
			char out[static KGW_PASSWORD_HASH_MAX])
{
	sqlite3_stmt *stmt;
	int ret, rc;

	memset(out, 0, KGW_PASSWORD_HASH_MAX);
	ret = check_name(store, name);
	if (!ret)
		ret = kgw_store_prepare(store, "SELECT password_hash FROM users WHERE name = ?",
					&stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_NULL)
		ret = kgw_store_failf(store, -ENODATA, "user `%s' has no password", name);
	else if (rc == SQLITE_ROW)
		kgw_store_column_text(stmt, 0, out, KGW_PASSWORD_HASH_MAX);
	else if (rc == SQLITE_DONE)
		ret = kgw_store_failf(store, -ENOENT, "no user `%s'", name);
	else
		ret = kgw_store_fail(store, rc, "reading a password hash");
	sqlite3_finalize(stmt);
	return ret;
}

/* UPDATE users SET <assignment> WHERE name = ?1, with ?2 bound to `value'. */
static int update_user(struct kgw_store *store, const char *name, const char *sql,
		       int64_t value, const char *text)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = check_name(store, name);
	if (!ret)
		ret = kgw_store_prepare(store, sql, &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 2, value);
	ret = kgw_store_step_done(store, stmt, "updating a user");
	if (!ret && sqlite3_changes(store->db) != 1)
		ret = kgw_store_failf(store, -ENOENT, "no user `%s'", name);
	return ret;
}

int kgw_store_user_set_hash(struct kgw_store *store, const char *name, const char *password_hash)
{
	int ret = password_hash ? check_hash(store, password_hash)
				: kgw_store_failf(store, -EINVAL, "no password hash");

	if (ret)
		return ret;
	return update_user(store, name, "UPDATE users SET password_hash = ?2 WHERE name = ?1", 0,
			   password_hash);
}

int kgw_store_user_set_enabled(struct kgw_store *store, const char *name, bool enabled)
{
	return update_user(store, name, "UPDATE users SET enabled = ?2 WHERE name = ?1", enabled,
			   NULL);
}

int kgw_store_user_set_expires(struct kgw_store *store, const char *name, int64_t expires)
{
	if (expires < 0)
		return kgw_store_failf(store, -EINVAL, "expiry before 1970");
	return update_user(store, name, "UPDATE users SET expires = ?2 WHERE name = ?1", expires,
			   NULL);
}

bool kgw_user_usable(const struct kgw_user *user, int64_t now)
{
	return user->enabled && (!user->expires || now < user->expires);
}

void kgw_lockout_policy_default(struct kgw_lockout_policy *p)
{
	p->max_failures = KGW_LOCKOUT_MAX_FAILURES_DEFAULT;
	p->lockout = KGW_LOCKOUT_SECONDS_DEFAULT;
}

unsigned int kgw_lockout_duration(unsigned int base, unsigned int n)
{
	unsigned int cap = base > KGW_LOCKOUT_CAP_SECONDS ? base : KGW_LOCKOUT_CAP_SECONDS;
	unsigned int d = base;

	for (unsigned int i = 1; i < n && d < cap; i++)
		d = d > cap / 2 ? cap : d * 2;
	return d < cap ? d : cap;
}

bool kgw_user_locked(const struct kgw_user *user, int64_t now, int64_t *until)
{
	if (user->locked_until > now) {
		if (until)
			*until = user->locked_until;
		return true;
	}
	return false;
}

int kgw_store_auth_failed(struct kgw_store *store, const char *name, int64_t now,
			  const struct kgw_lockout_policy *policy, int64_t *until)
{
	struct kgw_user u;
	sqlite3_stmt *stmt;
	int ret, locked = 0;

	*until = 0;
	if (!policy->max_failures || !policy->lockout)
		return kgw_store_failf(store, -EINVAL, "lockout policy with a zero limit");
	ret = kgw_store_begin(store);
	if (ret)
		return ret;
	/* Read and write in one write transaction: two failures at once count twice. */
	ret = kgw_store_user_get(store, name, &u);
	if (ret)
		return kgw_store_rollback(store, ret);
	if (kgw_user_locked(&u, now, until)) {
		/* Nothing written, and not an error: the caller's transaction goes on. */
		ret = kgw_store_commit(store);
		return ret ? ret : 1;
	}
	if (++u.failures >= policy->max_failures) {
		u.failures = 0;
		u.lockouts++;
		u.locked_until = now + kgw_lockout_duration(policy->lockout, u.lockouts);
		*until = u.locked_until;
		locked = 1;
	}
	ret = kgw_store_prepare(store, "UPDATE users SET failures = ?, lockouts = ?,"
				" locked_until = ? WHERE name = ?", &stmt);
	if (ret)
		return kgw_store_rollback(store, ret);
	sqlite3_bind_int(stmt, 1, (int)u.failures);
	sqlite3_bind_int(stmt, 2, (int)u.lockouts);
	sqlite3_bind_int64(stmt, 3, u.locked_until);
	sqlite3_bind_text(stmt, 4, name, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "counting a failure");
	if (ret)
		return kgw_store_rollback(store, ret);
	ret = kgw_store_commit(store);
	return ret ? ret : locked;
}

int kgw_store_auth_succeeded(struct kgw_store *store, const char *name)
{
	return update_user(store, name, "UPDATE users SET failures = 0, lockouts = 0,"
			   " locked_until = ?2 WHERE name = ?1", 0, NULL);
}

int kgw_store_user_unlock(struct kgw_store *store, const char *name)
{
	return kgw_store_auth_succeeded(store, name);
}
