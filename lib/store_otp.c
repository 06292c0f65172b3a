/* SPDX-License-Identifier: MIT */
/* TOTP secrets: pending, active, and the replay counter. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "store_internal.h"
#include "store_otp.h"

static int check_user(struct kgw_store *store, const char *user)
{
	if (!kgw_store_name_valid(user))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	return kgw_store_user_exists(store, user);
}

int kgw_store_otp_set_pending(struct kgw_store *store, const char *user, const uint8_t *key,
			      size_t len, int64_t now)
{
	sqlite3_stmt *stmt;
	int ret;

	if (len < KGW_TOTP_SECRET_LEN / 2 || len > KGW_TOTP_SECRET_MAX)
		return kgw_store_failf(store, -EINVAL, "TOTP secret of %zu bytes", len);
	ret = kgw_store_begin(store);
	if (ret)
		return ret;
	ret = check_user(store, user);
	if (!ret)
		ret = kgw_store_prepare(store,
			"INSERT INTO otp (user, pending, created) VALUES (?1, ?2, ?3)"
			" ON CONFLICT (user) DO UPDATE SET pending = ?2, created = ?3", &stmt);
	if (ret)
		return kgw_store_rollback(store, ret);
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, key, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	ret = kgw_store_step_done(store, stmt, "storing a TOTP secret");
	if (ret)
		return kgw_store_rollback(store, ret);
	return kgw_store_commit(store);
}

static int get_secret(struct kgw_store *store, const char *user, const char *sql,
		      struct kgw_otp_secret *out)
{
	sqlite3_stmt *stmt;
	int ret, rc, len;

	sodium_memzero(out, sizeof(*out));
	if (!kgw_store_name_valid(user))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	ret = kgw_store_prepare(store, sql, &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_BLOB) {
		len = sqlite3_column_bytes(stmt, 0);
		if (len <= 0 || len > KGW_TOTP_SECRET_MAX) {
			ret = kgw_store_failf(store, -EIO, "TOTP secret of `%s' is corrupt", user);
		} else {
			memcpy(out->key, sqlite3_column_blob(stmt, 0), (size_t)len);
			out->len = (size_t)len;
			out->last_counter = (uint64_t)sqlite3_column_int64(stmt, 1);
		}
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		ret = kgw_store_failf(store, -ENOENT, "no such TOTP secret for `%s'", user);
	} else {
		ret = kgw_store_fail(store, rc, "reading a TOTP secret");
	}
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_otp_get_active(struct kgw_store *store, const char *user, struct kgw_otp_secret *out)
{
	return get_secret(store, user, "SELECT secret, last_counter FROM otp WHERE user = ?", out);
}

int kgw_store_otp_get_pending(struct kgw_store *store, const char *user,
			      struct kgw_otp_secret *out)
{
	return get_secret(store, user, "SELECT pending, 0 FROM otp WHERE user = ?", out);
}

/* Runs one UPDATE on the user's otp row; -ENOENT when it matched no row. */
static int update_otp(struct kgw_store *store, const char *user, const char *sql,
		      int64_t value, int none)
{
	sqlite3_stmt *stmt;
	int ret;

	if (!kgw_store_name_valid(user))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	ret = kgw_store_prepare(store, sql, &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int64(stmt, 2, value);
	ret = kgw_store_step_done(store, stmt, "updating a TOTP secret");
	if (!ret && sqlite3_changes(store->db) != 1)
		ret = none;
	return ret;
}

int kgw_store_otp_activate(struct kgw_store *store, const char *user, uint64_t counter)
{
	int ret = update_otp(store, user, "UPDATE otp SET secret = pending, pending = NULL,"
			     " last_counter = ?2 WHERE user = ?1 AND pending IS NOT NULL",
			     (int64_t)counter, -ENOENT);

	if (ret == -ENOENT)
		kgw_store_failf(store, ret, "no pending TOTP secret for `%s'", user);
	return ret;
}

int kgw_store_otp_accept(struct kgw_store *store, const char *user, uint64_t counter)
{
	/* One statement: of two logins racing with the same code, only one gets the row. */
	int ret = update_otp(store, user, "UPDATE otp SET last_counter = ?2 WHERE user = ?1"
			     " AND secret IS NOT NULL AND last_counter < ?2",
			     (int64_t)counter, -EALREADY);

	if (ret == -EALREADY)
		kgw_store_failf(store, ret, "TOTP code of `%s' already used", user);
	return ret;
}

int kgw_store_otp_reset(struct kgw_store *store, const char *user)
{
	int ret = update_otp(store, user, "DELETE FROM otp WHERE user = ?1", 0, -ENOENT);

	if (ret == -ENOENT)
		kgw_store_failf(store, ret, "user `%s' has no TOTP secret", user);
	return ret;
}
