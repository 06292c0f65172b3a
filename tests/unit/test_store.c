/* SPDX-License-Identifier: MIT */
/* The SQLite store: schema and migrations, every table's calls, concurrency. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_audit.h"
#include "store_groups.h"
#include "store_otp.h"
#include "store_schema.h"
#include "store_sessions.h"
#include "store_users.h"
#include "unit.h"

static char dir[PATH_MAX - 64], db[PATH_MAX];
static struct kgw_store *st;
static char err[KGW_STORE_ERR_MAX];

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/kgw-store-XXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/kgw.db", dir);
	st = NULL;
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	kgw_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void open_store(void)
{
	ck_assert_msg(kgw_store_open(db, KGW_STORE_CREATE, &st, err) == 0, "open: %s", err);
}

/* Runs SQL on its own connection, outside the store API; returns SQLite's code. */
static int raw_sql(const char *sql)
{
	sqlite3 *h;
	int rc;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}

START_TEST(test_open_create)
{
	struct stat sb;
	char wal[PATH_MAX + 8];

	ck_assert_int_eq(kgw_store_open(db, 0, &st, err), -ENOENT);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err, "kgwctl init"));
	open_store();
	ck_assert_int_eq(stat(db, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(kgw_store_schema_version(st), kgw_store_schema_latest());
	ck_assert_int_ge(kgw_store_schema_latest(), 2);
	/* WAL mode: the -wal file exists while the store is open, with the same mode. */
	snprintf(wal, sizeof(wal), "%s-wal", db);
	ck_assert_int_eq(stat(wal, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	kgw_store_close(st);
	st = NULL;
	/* Reopening runs no migration and keeps the version. */
	ck_assert_int_eq(kgw_store_open(db, 0, &st, err), 0);
	ck_assert_int_eq(kgw_store_schema_version(st), kgw_store_schema_latest());
}
END_TEST

START_TEST(test_open_refuses)
{
	ck_assert_int_eq(kgw_store_open("", KGW_STORE_CREATE, &st, err), -EINVAL);
	ck_assert_int_eq(kgw_store_open(dir, KGW_STORE_CREATE, &st, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	open_store();
	kgw_store_close(st);
	st = NULL;
	/* Readable by others: it holds hashes and secrets. */
	ck_assert_int_eq(chmod(db, 0644), 0);
	ck_assert_int_eq(kgw_store_open(db, 0, &st, err), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	/* Group kgw may read it. */
	ck_assert_int_eq(chmod(db, 0640), 0);
	ck_assert_int_eq(kgw_store_open(db, 0, &st, err), 0);
	kgw_store_close(st);
	st = NULL;
	/* A schema from the future is not touched. */
	ck_assert_int_eq(raw_sql("PRAGMA user_version = 99"), SQLITE_OK);
	ck_assert_int_eq(kgw_store_open(db, 0, &st, err), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "newer"));
	/* Not a database at all. */
	ck_assert_int_eq(unlink(db), 0);
	{
		FILE *f = fopen(db, "w");

		ck_assert_ptr_nonnull(f);
		fputs("this is not an SQLite database, though long enough to look like one\n", f);
		fclose(f);
		ck_assert_int_eq(chmod(db, 0600), 0);
	}
	ck_assert_int_lt(kgw_store_open(db, 0, &st, err), 0);
	ck_assert_ptr_null(st);
}
END_TEST

/* A version-1 database with data in it is migrated, and keeps the data. */
START_TEST(test_migration_keeps_data)
{
	struct kgw_otp_secret sec;
	struct kgw_user u;
	char sql[4096], hash[KGW_PASSWORD_HASH_MAX];
	struct kgw_dest *d;
	size_t n;

	ck_assert_int_eq(close(open(db, O_CREAT | O_WRONLY, 0600)), 0);
	ck_assert_int_eq(raw_sql(kgw_store_migrations[0]), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "PRAGMA user_version = 1;"
		 "INSERT INTO users (name, password_hash, enabled, created) VALUES"
		 " ('alice', '%s', 1, 100), ('bob', NULL, 0, 200);"
		 "INSERT INTO groups VALUES ('ops', 100);"
		 "INSERT INTO members VALUES ('alice', 'ops');"
		 "INSERT INTO destinations VALUES ('ops', '10.0.0.10/32', '6443');"
		 "INSERT INTO otp (user, secret, last_counter, created) VALUES"
		 " ('alice', X'3132333435363738393031323334353637383930', 41152263, 100);"
		 "INSERT INTO audit (time, actor, event, user)"
		 " VALUES (100, 'root', 'user.add', 'alice');",
		 kgw_password_dummy_hash);
	ck_assert_int_eq(raw_sql(sql), SQLITE_OK);
	open_store();
	ck_assert_int_eq(kgw_store_schema_version(st), kgw_store_schema_latest());
	ck_assert_int_eq(kgw_store_user_get(st, "alice", &u), 0);
	ck_assert(u.enabled && u.has_password && u.otp_active && !u.otp_pending);
	ck_assert_int_eq(u.created, 100);
	/* New columns start at their defaults. */
	ck_assert_int_eq(u.expires, 0);
	ck_assert_uint_eq(u.failures, 0);
	ck_assert_int_eq(u.locked_until, 0);
	ck_assert_int_eq(kgw_store_user_hash(st, "alice", hash), 0);
	ck_assert_str_eq(hash, kgw_password_dummy_hash);
	ck_assert_int_eq(kgw_store_user_get(st, "bob", &u), 0);
	ck_assert(!u.enabled && !u.has_password);
	ck_assert_int_eq(kgw_store_otp_get_active(st, "alice", &sec), 0);
	ck_assert_uint_eq(sec.len, 20);
	ck_assert_mem_eq(sec.key, "12345678901234567890", 20);
	ck_assert_uint_eq(sec.last_counter, 41152263);
	ck_assert_int_eq(kgw_store_user_destinations(st, "alice", &d, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(d[0].port_lo, 6443);
	free(d);
	/* The append-only triggers came through too. */
	ck_assert_int_ne(raw_sql("DELETE FROM audit"), SQLITE_OK);
}
END_TEST

static const struct {
	const char *name;
	bool valid;
} names[] = {
	/* 0 */ { "alice", true },
	/* 1 */ { "Alice.Smith-2", true },
	/* 2 */ { "a@example.com", true },
	/* 3 */ { "_svc", true },
	/* 4 */ { "abcdefghijklmnopqrstuvwxyz012345", true },	/* 32 */
	/* 5 */ { "abcdefghijklmnopqrstuvwxyz0123456", false },	/* 33 */
	/* 6 */ { "", false },
	/* 7 */ { "-rf", false },
	/* 8 */ { ".hidden", false },
	/* 9 */ { "a b", false },
	/* 10 */ { "a/b", false },
	/* 11 */ { "a'b", false },
	/* 12 */ { "é", false },
	/* 13 */ { "a\nb", false },
};

START_TEST(test_user_names)
{
	ck_assert_int_eq(kgw_store_name_valid(names[_i].name), names[_i].valid);
	open_store();
	ck_assert_int_eq(kgw_store_user_add(st, names[_i].name, NULL, 1),
			 names[_i].valid ? 0 : -EINVAL);
	ck_assert_int_eq(kgw_store_group_add(st, names[_i].name, 1), names[_i].valid ? 0 : -EINVAL);
}
END_TEST

static int collect_names(const struct kgw_user *u, void *ctx)
{
	char *out = ctx;

	strcat(out, u->name);
	strcat(out, " ");
	return 0;
}

static int stop_at_first(const struct kgw_user *u, void *ctx)
{
	(void)u;
	(*(int *)ctx)++;
	return 42;
}

START_TEST(test_users)
{
	char hash[KGW_PASSWORD_HASH_MAX], list[256] = "";
	struct kgw_user u;
	int calls = 0;

	open_store();
	ck_assert_int_eq(kgw_password_hash("secret pw", hash), 0);
	ck_assert_int_eq(kgw_store_user_add(st, "carol", hash, 1000), 0);
	ck_assert_int_eq(kgw_store_user_add(st, "alice", NULL, 1001), 0);
	ck_assert_int_eq(kgw_store_user_add(st, "alice", NULL, 1001), -EEXIST);
	ck_assert_ptr_nonnull(strstr(kgw_store_error(st), "already exists"));
	ck_assert_int_eq(kgw_store_user_add(st, "bob", "not a hash", 1), -EINVAL);
	ck_assert_int_eq(kgw_store_user_get(st, "bob", &u), -ENOENT);
	ck_assert_int_eq(kgw_store_user_list(st, collect_names, list), 0);
	ck_assert_str_eq(list, "alice carol ");
	ck_assert_int_eq(kgw_store_user_list(st, stop_at_first, &calls), 42);
	ck_assert_int_eq(calls, 1);

	ck_assert_int_eq(kgw_store_user_get(st, "carol", &u), 0);
	ck_assert_str_eq(u.name, "carol");
	ck_assert(u.enabled && u.has_password && !u.otp_active);
	ck_assert_int_eq(u.created, 1000);
	ck_assert_int_eq(kgw_store_user_hash(st, "carol", hash), 0);
	ck_assert(kgw_password_verify(hash, "secret pw"));
	ck_assert_int_eq(kgw_store_user_hash(st, "alice", hash), -ENODATA);
	ck_assert_int_eq(kgw_store_user_hash(st, "nobody", hash), -ENOENT);

	ck_assert_int_eq(kgw_password_hash("new pw", hash), 0);
	ck_assert_int_eq(kgw_store_user_set_hash(st, "alice", hash), 0);
	ck_assert_int_eq(kgw_store_user_set_hash(st, "nobody", hash), -ENOENT);
	ck_assert_int_eq(kgw_store_user_set_hash(st, "alice", NULL), -EINVAL);
	ck_assert_int_eq(kgw_store_user_hash(st, "alice", hash), 0);
	ck_assert(kgw_password_verify(hash, "new pw"));

	ck_assert_int_eq(kgw_store_user_set_enabled(st, "alice", false), 0);
	ck_assert_int_eq(kgw_store_user_get(st, "alice", &u), 0);
	ck_assert(!u.enabled && !kgw_user_usable(&u, 5000));
	ck_assert_int_eq(kgw_store_user_set_enabled(st, "alice", true), 0);
	ck_assert_int_eq(kgw_store_user_set_expires(st, "alice", 5000), 0);
	ck_assert_int_eq(kgw_store_user_get(st, "alice", &u), 0);
	ck_assert(kgw_user_usable(&u, 4999));
	ck_assert(!kgw_user_usable(&u, 5000));
	ck_assert_int_eq(kgw_store_user_set_expires(st, "alice", -1), -EINVAL);
	ck_assert_int_eq(kgw_store_user_set_enabled(st, "nobody", true), -ENOENT);
}
END_TEST

static const char test_pub[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

/* Deleting a user takes memberships and OTP with it and revokes live sessions. */
START_TEST(test_user_del)
{
	struct kgw_session s = { .created = 100, .expires = 1000 }, got;
	static const uint8_t key[20] = "abcdefghijabcdefghij";
	struct kgw_otp_secret sec;

	open_store();
	ck_assert_int_eq(kgw_store_user_add(st, "dave", NULL, 1), 0);
	ck_assert_int_eq(kgw_store_group_add(st, "ops", 1), 0);
	ck_assert_int_eq(kgw_store_member_add(st, "dave", "ops"), 0);
	ck_assert_int_eq(kgw_store_otp_set_pending(st, "dave", key, sizeof(key), 1), 0);
	ck_assert_int_eq(kgw_store_otp_activate(st, "dave", 5), 0);
	strcpy(s.user, "dave");
	strcpy(s.public_key, test_pub);
	ck_assert_int_eq(kgw_store_session_add(st, &s), 0);
	ck_assert_int_eq(kgw_store_user_del(st, "dave", 500), 0);
	ck_assert_int_eq(kgw_store_user_del(st, "dave", 500), -ENOENT);
	ck_assert_int_eq(kgw_store_otp_get_active(st, "dave", &sec), -ENOENT);
	ck_assert_int_eq(kgw_store_session_get(st, s.id, &got), 0);
	ck_assert(got.revoked);
	ck_assert_int_eq(got.ended, 500);
	/* A new user of the same name starts clean: no group, no secret. */
	ck_assert_int_eq(kgw_store_user_add(st, "dave", NULL, 2), 0);
	ck_assert_int_eq(kgw_store_member_del(st, "dave", "ops"), -ENOENT);
	ck_assert_int_eq(kgw_store_otp_get_active(st, "dave", &sec), -ENOENT);
}
END_TEST

static const struct {
	unsigned int base, n, want;
} durations[] = {
	/* 0 */ { 300, 1, 300 },
	/* 1 */ { 300, 2, 600 },
	/* 2 */ { 300, 3, 1200 },
	/* 3 */ { 300, 4, 2400 },
	/* 4 */ { 300, 5, 3600 },	/* capped at an hour */
	/* 5 */ { 300, 1000, 3600 },
	/* 6 */ { 1, 1, 1 },
	/* 7 */ { 1, 12, 2048 },
	/* 8 */ { 1, 13, 3600 },
	/* 9 */ { 7200, 1, 7200 },	/* a base over the cap is its own cap */
	/* 10 */ { 7200, 5, 7200 },
	/* 11 */ { 300, 0, 300 },
};

START_TEST(test_lockout_duration)
{
	ck_assert_uint_eq(kgw_lockout_duration(durations[_i].base, durations[_i].n),
			  durations[_i].want);
}
END_TEST

START_TEST(test_lockout)
{
	struct kgw_lockout_policy p;
	struct kgw_user u;
	int64_t until, now = 10000;

	kgw_lockout_policy_default(&p);
	ck_assert_uint_eq(p.max_failures, 5);
	ck_assert_uint_eq(p.lockout, 300);
	open_store();
	ck_assert_int_eq(kgw_store_user_add(st, "erin", NULL, 1), 0);
	for (int i = 1; i < 5; i++) {
		ck_assert_int_eq(kgw_store_auth_failed(st, "erin", now, &p, &until), 0);
		ck_assert_int_eq(kgw_store_user_get(st, "erin", &u), 0);
		ck_assert_uint_eq(u.failures, (unsigned int)i);
		ck_assert(!kgw_user_locked(&u, now, NULL));
	}
	/* The fifth locks for 300 s. */
	ck_assert_int_eq(kgw_store_auth_failed(st, "erin", now, &p, &until), 1);
	ck_assert_int_eq(until, now + 300);
	ck_assert_int_eq(kgw_store_user_get(st, "erin", &u), 0);
	ck_assert(kgw_user_locked(&u, now + 299, &until));
	ck_assert_int_eq(until, now + 300);
	ck_assert(!kgw_user_locked(&u, now + 300, NULL));
	ck_assert_uint_eq(u.failures, 0);
	ck_assert_uint_eq(u.lockouts, 1);
	/* Attempts while locked are not counted and do not extend the lock. */
	ck_assert_int_eq(kgw_store_auth_failed(st, "erin", now + 100, &p, &until), 1);
	ck_assert_int_eq(until, now + 300);
	ck_assert_int_eq(kgw_store_user_get(st, "erin", &u), 0);
	ck_assert_uint_eq(u.failures, 0);
	/* After it: five more failures lock for twice as long. */
	now += 300;
	for (int i = 1; i < 5; i++)
		ck_assert_int_eq(kgw_store_auth_failed(st, "erin", now, &p, &until), 0);
	ck_assert_int_eq(kgw_store_auth_failed(st, "erin", now, &p, &until), 1);
	ck_assert_int_eq(until, now + 600);
	/* A success clears everything. */
	ck_assert_int_eq(kgw_store_auth_succeeded(st, "erin"), 0);
	ck_assert_int_eq(kgw_store_user_get(st, "erin", &u), 0);
	ck_assert(!kgw_user_locked(&u, now, NULL));
	ck_assert_uint_eq(u.failures + u.lockouts, 0);
	ck_assert_int_eq(kgw_store_auth_failed(st, "nobody", now, &p, &until), -ENOENT);
	p.max_failures = 0;
	ck_assert_int_eq(kgw_store_auth_failed(st, "erin", now, &p, &until), -EINVAL);
}
END_TEST

START_TEST(test_otp)
{
	static const uint8_t k1[20] = "11111111111111111111", k2[20] = "22222222222222222222";
	struct kgw_otp_secret sec;
	struct kgw_user u;

	open_store();
	ck_assert_int_eq(kgw_store_user_add(st, "fay", NULL, 1), 0);
	ck_assert_int_eq(kgw_store_otp_set_pending(st, "nobody", k1, 20, 1), -ENOENT);
	ck_assert_int_eq(kgw_store_otp_set_pending(st, "fay", k1, 4, 1), -EINVAL);
	ck_assert_int_eq(kgw_store_otp_set_pending(st, "fay", k1, KGW_TOTP_SECRET_MAX + 1, 1),
			 -EINVAL);
	ck_assert_int_eq(kgw_store_otp_activate(st, "fay", 10), -ENOENT);
	ck_assert_int_eq(kgw_store_otp_set_pending(st, "fay", k1, 20, 1), 0);
	ck_assert_int_eq(kgw_store_user_get(st, "fay", &u), 0);
	ck_assert(u.otp_pending && !u.otp_active);
	/* Pending is not usable for logins. */
	ck_assert_int_eq(kgw_store_otp_get_active(st, "fay", &sec), -ENOENT);
	ck_assert_int_eq(kgw_store_otp_accept(st, "fay", 11), -EALREADY);
	ck_assert_int_eq(kgw_store_otp_get_pending(st, "fay", &sec), 0);
	ck_assert_mem_eq(sec.key, k1, 20);
	ck_assert_int_eq(kgw_store_otp_activate(st, "fay", 10), 0);
	ck_assert_int_eq(kgw_store_otp_get_active(st, "fay", &sec), 0);
	ck_assert_mem_eq(sec.key, k1, 20);
	ck_assert_uint_eq(sec.last_counter, 10);
	/* The activating code's step is spent: replay refused, a later one taken once. */
	ck_assert_int_eq(kgw_store_otp_accept(st, "fay", 10), -EALREADY);
	ck_assert_int_eq(kgw_store_otp_accept(st, "fay", 9), -EALREADY);
	ck_assert_int_eq(kgw_store_otp_accept(st, "fay", 11), 0);
	ck_assert_int_eq(kgw_store_otp_accept(st, "fay", 11), -EALREADY);
	/* Re-enrolment leaves the active secret working until the new one is verified. */
	ck_assert_int_eq(kgw_store_otp_set_pending(st, "fay", k2, 20, 2), 0);
	ck_assert_int_eq(kgw_store_otp_get_active(st, "fay", &sec), 0);
	ck_assert_mem_eq(sec.key, k1, 20);
	ck_assert_int_eq(kgw_store_otp_activate(st, "fay", 20), 0);
	ck_assert_int_eq(kgw_store_otp_get_active(st, "fay", &sec), 0);
	ck_assert_mem_eq(sec.key, k2, 20);
	ck_assert_int_eq(kgw_store_otp_get_pending(st, "fay", &sec), -ENOENT);
	ck_assert_int_eq(kgw_store_otp_reset(st, "fay"), 0);
	ck_assert_int_eq(kgw_store_otp_reset(st, "fay"), -ENOENT);
	ck_assert_int_eq(kgw_store_user_get(st, "fay", &u), 0);
	ck_assert(!u.otp_pending && !u.otp_active);
}
END_TEST

static const struct {
	const char *in;
	int ret;
	const char *norm;
} ports[] = {
	/* 0 */ { "443", 0, "443" },
	/* 1 */ { "443,6443", 0, "443,6443" },
	/* 2 */ { "1-65535", 0, "1-65535" },
	/* 3 */ { "6443,443,444", 0, "443-444,6443" },	/* sorted, adjacent merged */
	/* 4 */ { "80,70-90,85", 0, "70-90" },
	/* 5 */ { "22,22", 0, "22" },
	/* 6 */ { "", -EINVAL, NULL },
	/* 7 */ { "0", -EINVAL, NULL },
	/* 8 */ { "65536", -EINVAL, NULL },
	/* 9 */ { "443,", -EINVAL, NULL },
	/* 10 */ { ",443", -EINVAL, NULL },
	/* 11 */ { "90-80", -EINVAL, NULL },
	/* 12 */ { "80-", -EINVAL, NULL },
	/* 13 */ { "-80", -EINVAL, NULL },
	/* 14 */ { "443, 6443", -EINVAL, NULL },
	/* 15 */ { "https", -EINVAL, NULL },
	/* 16 */ { "1-2-3", -EINVAL, NULL },
	/* 17 */ { "+443", -EINVAL, NULL },
	/* 18 */ { "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,"
		   "28,29,30,31,32,33", -E2BIG, NULL },
};

START_TEST(test_ports)
{
	char out[KGW_PORTS_STR_MAX];

	ck_assert_int_eq(kgw_ports_normalize(ports[_i].in, out), ports[_i].ret);
	if (!ports[_i].ret)
		ck_assert_str_eq(out, ports[_i].norm);
}
END_TEST

static int collect_dest(const char *cidr, const char *p, void *ctx)
{
	char *out = ctx;

	strcat(out, cidr);
	strcat(out, ":");
	strcat(out, p);
	strcat(out, " ");
	return 0;
}

static int collect_str(const char *name, void *ctx)
{
	strcat(ctx, name);
	strcat(ctx, " ");
	return 0;
}

START_TEST(test_groups_and_destinations)
{
	char list[512] = "", buf[KGW_ADDR_STR_MAX];
	struct kgw_dest *d;
	size_t n;

	open_store();
	ck_assert_int_eq(kgw_store_user_add(st, "gus", NULL, 1), 0);
	ck_assert_int_eq(kgw_store_group_add(st, "dev", 1), 0);
	ck_assert_int_eq(kgw_store_group_add(st, "ops", 1), 0);
	ck_assert_int_eq(kgw_store_group_add(st, "ops", 1), -EEXIST);
	ck_assert_int_eq(kgw_store_member_add(st, "gus", "dev"), 0);
	ck_assert_int_eq(kgw_store_member_add(st, "gus", "dev"), -EEXIST);
	ck_assert_int_eq(kgw_store_member_add(st, "gus", "nope"), -ENOENT);
	ck_assert_int_eq(kgw_store_member_add(st, "nope", "dev"), -ENOENT);
	ck_assert_int_eq(kgw_store_member_add(st, "gus", "ops"), 0);
	ck_assert_int_eq(kgw_store_user_groups(st, "gus", collect_str, list), 0);
	ck_assert_str_eq(list, "dev ops ");
	list[0] = '\0';
	ck_assert_int_eq(kgw_store_group_members(st, "ops", collect_str, list), 0);
	ck_assert_str_eq(list, "gus ");

	ck_assert_int_eq(kgw_store_group_allow(st, "dev", "10.0.0.10/32", "6443"), 0);
	ck_assert_int_eq(kgw_store_group_allow(st, "dev", "10.0.0.10", "6443"), -EEXIST);
	ck_assert_int_eq(kgw_store_group_allow(st, "dev", "10.0.0.0/8", "443,6443"), 0);
	ck_assert_int_eq(kgw_store_group_allow(st, "ops", "10.0.0.10/32", "6444,22"), 0);
	ck_assert_int_eq(kgw_store_group_allow(st, "ops", "fd00::/64", "1-65535"), 0);
	/* Host bits below the prefix, junk, and bad ports change nothing. */
	ck_assert_int_eq(kgw_store_group_allow(st, "dev", "10.0.0.1/8", "443"), -EINVAL);
	ck_assert_int_eq(kgw_store_group_allow(st, "dev", "10.0.0.300", "443"), -EINVAL);
	ck_assert_int_eq(kgw_store_group_allow(st, "dev", "10.0.0.0/8", "0"), -EINVAL);
	ck_assert_int_eq(kgw_store_group_allow(st, "dev", "10.0.0.0/8", NULL), -EINVAL);
	ck_assert_int_eq(kgw_store_group_allow(st, "nope", "10.0.0.0/8", "443"), -ENOENT);
	list[0] = '\0';
	ck_assert_int_eq(kgw_store_group_destinations(st, "dev", collect_dest, list), 0);
	ck_assert_str_eq(list, "10.0.0.0/8:443,6443 10.0.0.10/32:6443 ");

	/* The union: 10.0.0.10/32 gets 6443 (dev) and 22, 6444 (ops), 6443-6444 merged. */
	ck_assert_int_eq(kgw_store_user_destinations(st, "gus", &d, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(kgw_cidr_format(&d[0].cidr, buf), "10.0.0.0/8");
	ck_assert_uint_eq(d[0].port_lo, 443);
	ck_assert_uint_eq(d[1].port_lo, 6443);
	ck_assert_str_eq(kgw_cidr_format(&d[2].cidr, buf), "10.0.0.10/32");
	ck_assert_uint_eq(d[2].port_lo, 22);
	ck_assert_uint_eq(d[2].port_hi, 22);
	ck_assert_uint_eq(d[3].port_lo, 6443);
	ck_assert_uint_eq(d[3].port_hi, 6444);
	ck_assert_str_eq(kgw_cidr_format(&d[4].cidr, buf), "fd00::/64");
	ck_assert_uint_eq(d[4].port_lo, 1);
	ck_assert_uint_eq(d[4].port_hi, 65535);
	free(d);

	ck_assert_int_eq(kgw_store_group_deny(st, "dev", "10.0.0.0/8", "6443"), -ENOENT);
	ck_assert_int_eq(kgw_store_group_deny(st, "dev", "10.0.0.0/8", "6443,443"), 0);
	ck_assert_int_eq(kgw_store_group_deny(st, "ops", "10.0.0.10/32", NULL), 0);
	ck_assert_int_eq(kgw_store_member_del(st, "gus", "ops"), 0);
	ck_assert_int_eq(kgw_store_user_destinations(st, "gus", &d, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(d[0].port_lo, 6443);
	free(d);
	/* Deleting the group takes its destinations with it. */
	ck_assert_int_eq(kgw_store_group_del(st, "dev"), 0);
	ck_assert_int_eq(kgw_store_group_del(st, "dev"), -ENOENT);
	ck_assert_int_eq(kgw_store_user_destinations(st, "gus", &d, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(kgw_store_user_destinations(st, "nobody", &d, &n), -ENOENT);
}
END_TEST

static int count_sessions(const struct kgw_session *s, void *ctx)
{
	(void)s;
	(*(int *)ctx)++;
	return 0;
}

static int list_count(const char *user, bool live, int64_t now)
{
	struct kgw_session_filter f = { .user = user, .live_only = live, .now = now };
	int n = 0;

	ck_assert_int_eq(kgw_store_session_list(st, &f, count_sessions, &n), 0);
	return n;
}

START_TEST(test_sessions)
{
	struct kgw_session a = { .created = 1000, .expires = 2000 }, b, got;
	char th[KGW_TOKEN_HASH_LEN + 1];

	open_store();
	strcpy(a.user, "hal");
	strcpy(a.public_key, test_pub);
	strcpy(a.address4, "100.64.0.2/32");
	strcpy(a.address6, "fd6b:6777::2/128");
	kgw_token_hash("bearer-token-1", th);
	ck_assert_uint_eq(strlen(th), 64);
	strcpy(a.token_hash, th);
	b = a;
	ck_assert_int_eq(kgw_store_session_add(st, &a), 0);
	ck_assert_uint_eq(strlen(a.id), KGW_SESSION_ID_LEN);
	/* The same token twice is refused (its hash is unique). */
	ck_assert_int_eq(kgw_store_session_add(st, &b), -EEXIST);
	b.token_hash[0] = '\0';
	b.created = 1500;
	b.expires = 1600;
	ck_assert_int_eq(kgw_store_session_add(st, &b), 0);
	ck_assert_str_ne(a.id, b.id);

	ck_assert_int_eq(kgw_store_session_get(st, a.id, &got), 0);
	ck_assert_str_eq(got.user, "hal");
	ck_assert_str_eq(got.public_key, test_pub);
	ck_assert_str_eq(got.address4, "100.64.0.2/32");
	ck_assert_str_eq(got.address6, "fd6b:6777::2/128");
	ck_assert_int_eq(got.expires, 2000);
	ck_assert(kgw_session_live(&got, 1999) && !kgw_session_live(&got, 2000));
	ck_assert_int_eq(kgw_store_session_by_token(st, th, &got), 0);
	ck_assert_str_eq(got.id, a.id);
	kgw_token_hash("bearer-token-2", th);
	ck_assert_int_eq(kgw_store_session_by_token(st, th, &got), -ENOENT);

	ck_assert_int_eq(list_count(NULL, false, 0), 2);
	ck_assert_int_eq(list_count("hal", true, 1550), 2);
	ck_assert_int_eq(list_count("hal", true, 1700), 1);
	ck_assert_int_eq(list_count("other", false, 0), 0);
	/* Expiry ends b at its expiry time, once. */
	ck_assert_int_eq(kgw_store_session_expire(st, 1700), 1);
	ck_assert_int_eq(kgw_store_session_expire(st, 1700), 0);
	ck_assert_int_eq(kgw_store_session_get(st, b.id, &got), 0);
	ck_assert_int_eq(got.ended, 1600);
	ck_assert(!got.revoked);
	ck_assert_int_eq(kgw_store_session_end(st, b.id, 1800), -EALREADY);
	ck_assert_int_eq(kgw_store_session_revoke(st, a.id, 1800), 0);
	ck_assert_int_eq(kgw_store_session_revoke(st, a.id, 1800), -EALREADY);
	ck_assert_int_eq(kgw_store_session_get(st, a.id, &got), 0);
	ck_assert(got.revoked);
	ck_assert_int_eq(got.ended, 1800);
	ck_assert_int_eq(list_count(NULL, true, 1000), 0);
	ck_assert_int_eq(kgw_store_session_revoke(st, "0123456789abcdef0123456789abcdef", 1),
			 -ENOENT);
	ck_assert_int_eq(kgw_store_session_get(st, "' OR 1=1 --", &got), -EINVAL);
}
END_TEST

static const struct {
	const char *field, *value;
} bad_sessions[] = {
	/* 0 */ { "public_key", "not a key" },
	/* 1 */ { "public_key", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8D=" },
	/* 2 */ { "address4", "100.64.0.2/33" },
	/* 3 */ { "address4", "fd00::2/128" },
	/* 4 */ { "address6", "100.64.0.2/32" },
	/* 5 */ { "token_hash", "abc" },
	/* 6 */ { "token_hash",
		  "ZZ23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	/* 7 */ { "user", "bad user" },
	/* 8 */ { "id", "short" },
	/* 9 */ { "expires", "1000" },	/* = created */
};

START_TEST(test_session_bad_input)
{
	struct kgw_session s = { .created = 1000, .expires = 2000 };
	const char *f = bad_sessions[_i].field, *v = bad_sessions[_i].value;
	int n = 0;

	open_store();
	strcpy(s.user, "ivy");
	strcpy(s.public_key, test_pub);
	if (!strcmp(f, "public_key"))
		snprintf(s.public_key, sizeof(s.public_key), "%s", v);
	else if (!strcmp(f, "address4"))
		snprintf(s.address4, sizeof(s.address4), "%s", v);
	else if (!strcmp(f, "address6"))
		snprintf(s.address6, sizeof(s.address6), "%s", v);
	else if (!strcmp(f, "token_hash"))
		snprintf(s.token_hash, sizeof(s.token_hash), "%s", v);
	else if (!strcmp(f, "user"))
		snprintf(s.user, sizeof(s.user), "%s", v);
	else if (!strcmp(f, "id"))
		snprintf(s.id, sizeof(s.id), "%s", v);
	else
		s.expires = atoll(v);
	ck_assert_int_eq(kgw_store_session_add(st, &s), -EINVAL);
	n = list_count(NULL, false, 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

struct audit_seen {
	char text[1024];
	int count;
};

static int collect_audit(const struct kgw_audit_entry *e, void *ctx)
{
	struct audit_seen *s = ctx;
	char line[256];

	snprintf(line, sizeof(line), "%lld %s %s %s %s %s|", (long long)e->time, e->actor, e->event,
		 e->user, e->source, e->detail);
	/* Only the first few are compared as text; all are counted. */
	if (strlen(s->text) + strlen(line) < sizeof(s->text))
		strcat(s->text, line);
	s->count++;
	return 0;
}

static struct audit_seen query(const char *user, const char *event, unsigned int limit,
			       unsigned int offset)
{
	struct kgw_audit_filter f = { user, event, limit, offset };
	struct audit_seen s = { "", 0 };

	ck_assert_int_eq(kgw_store_audit_query(st, &f, collect_audit, &s), 0);
	return s;
}

START_TEST(test_audit)
{
	struct audit_seen s;
	char big[2000];

	open_store();
	ck_assert_int_eq(kgw_store_audit(st, 1, "pam", "auth.fail", "jo", "192.0.2.1",
					 "password"), 0);
	ck_assert_int_eq(kgw_store_audit(st, 2, "pam", "auth.ok", "jo", "192.0.2.1", NULL), 0);
	ck_assert_int_eq(kgw_store_audit(st, 3, "root", "user.add", "kim", NULL, ""), 0);
	ck_assert_int_eq(kgw_store_audit(st, 4, "pam", "otp.replay", "kim", "::1", NULL), 0);
	ck_assert_int_eq(kgw_store_audit(st, 5, "pam", "Auth.OK", "jo", NULL, NULL), -EINVAL);
	ck_assert_int_eq(kgw_store_audit(st, 5, "pam", "auth.", "jo", NULL, NULL), -EINVAL);
	ck_assert_int_eq(kgw_store_audit(st, 5, "", "auth.ok", "jo", NULL, NULL), -EINVAL);
	ck_assert_int_eq(kgw_store_audit(st, 5, "pam", NULL, "jo", NULL, NULL), -EINVAL);

	s = query(NULL, NULL, 0, 0);
	ck_assert_int_eq(s.count, 4);
	ck_assert_str_eq(s.text, "4 pam otp.replay kim ::1 |3 root user.add kim  |"
			 "2 pam auth.ok jo 192.0.2.1 |1 pam auth.fail jo 192.0.2.1 password|");
	ck_assert_int_eq(query("jo", NULL, 0, 0).count, 2);
	ck_assert_int_eq(query(NULL, "auth.ok", 0, 0).count, 1);
	ck_assert_int_eq(query(NULL, "auth.", 0, 0).count, 2);
	ck_assert_int_eq(query(NULL, "auth", 0, 0).count, 0);
	ck_assert_int_eq(query("kim", "auth.", 0, 0).count, 0);
	s = query(NULL, NULL, 2, 1);
	ck_assert_str_eq(s.text, "3 root user.add kim  |2 pam auth.ok jo 192.0.2.1 |");
	/* Long details are cut, not refused: the event is still recorded. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(kgw_store_audit(st, 6, "pam", "auth.fail", "jo", NULL, big), 0);
	/* Append-only, even to someone with SQL. */
	ck_assert_int_ne(raw_sql("UPDATE audit SET user = 'x'"), SQLITE_OK);
	ck_assert_int_ne(raw_sql("DELETE FROM audit WHERE id = 1"), SQLITE_OK);
	ck_assert_int_eq(query(NULL, NULL, 0, 0).count, 5);
	ck_assert_int_eq(query("jo", NULL, 0, 0).count, 3);
}
END_TEST

/* Grouped calls: all or nothing, and a failed inner part dooms the whole. */
START_TEST(test_transactions)
{
	struct kgw_user u;

	open_store();
	ck_assert_int_eq(kgw_store_begin(st), 0);
	ck_assert_int_eq(kgw_store_user_add(st, "kai", NULL, 1), 0);
	ck_assert_int_eq(kgw_store_group_add(st, "ops", 1), 0);
	ck_assert_int_eq(kgw_store_member_add(st, "kai", "ops"), 0);	/* nested */
	ck_assert_int_eq(kgw_store_commit(st), 0);
	ck_assert_int_eq(kgw_store_user_get(st, "kai", &u), 0);

	ck_assert_int_eq(kgw_store_begin(st), 0);
	ck_assert_int_eq(kgw_store_user_add(st, "lee", NULL, 1), 0);
	ck_assert_int_eq(kgw_store_rollback(st, 0), 0);
	ck_assert_int_eq(kgw_store_user_get(st, "lee", &u), -ENOENT);

	ck_assert_int_eq(kgw_store_begin(st), 0);
	ck_assert_int_eq(kgw_store_user_add(st, "lee", NULL, 1), 0);
	ck_assert_int_eq(kgw_store_member_add(st, "lee", "nope"), -ENOENT);
	ck_assert_int_eq(kgw_store_commit(st), -ECANCELED);
	ck_assert_int_eq(kgw_store_user_get(st, "lee", &u), -ENOENT);
	/* And the handle is usable afterwards. */
	ck_assert_int_eq(kgw_store_user_add(st, "lee", NULL, 1), 0);
	ck_assert_int_eq(kgw_store_user_get(st, "lee", &u), 0);
}
END_TEST

#define WRITERS 2
#define ROUNDS 150

/* One process's share of the hammering: its own users, shared counters, audit rows. */
static void writer(int id)
{
	struct kgw_lockout_policy p = { .max_failures = 1000000, .lockout = 1 };
	struct kgw_store *s;
	char e[KGW_STORE_ERR_MAX], name[32];
	int64_t until;

	if (kgw_store_open(db, 0, &s, e))
		_exit(10);
	for (int i = 0; i < ROUNDS; i++) {
		snprintf(name, sizeof(name), "w%d-%d", id, i);
		if (kgw_store_user_add(s, name, NULL, i) ||
		    kgw_store_audit(s, i, "test", "hammer", name, NULL, NULL) ||
		    kgw_store_auth_failed(s, "shared", i, &p, &until) ||
		    kgw_store_member_add(s, name, "crowd"))
			_exit(20);
	}
	kgw_store_close(s);
	_exit(0);
}

static int collect_count(const char *name, void *ctx)
{
	(void)name;
	(*(int *)ctx)++;
	return 0;
}

START_TEST(test_two_writers)
{
	pid_t pids[WRITERS];
	struct kgw_user u;
	int status, members = 0;

	open_store();
	ck_assert_int_eq(kgw_store_user_add(st, "shared", NULL, 0), 0);
	ck_assert_int_eq(kgw_store_group_add(st, "crowd", 0), 0);
	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (!pids[i])
			writer(i);
	}
	for (int i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "writer %d failed (status %d)", i, status);
	}
	/* Nothing lost: every row, and every increment of the shared counter. */
	ck_assert_int_eq(kgw_store_user_get(st, "shared", &u), 0);
	ck_assert_uint_eq(u.failures, WRITERS * ROUNDS);
	ck_assert_int_eq(query(NULL, "hammer", 0, 0).count, WRITERS * ROUNDS);
	ck_assert_int_eq(kgw_store_group_members(st, "crowd", collect_count, &members), 0);
	ck_assert_int_eq(members, WRITERS * ROUNDS);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("schema");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_create);
	tcase_add_test(tc, test_open_refuses);
	tcase_add_test(tc, test_migration_keeps_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("users");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_user_names, 0, ARRAY_SIZE(names));
	tcase_add_test(tc, test_users);
	tcase_add_test(tc, test_user_del);
	tcase_add_loop_test(tc, test_lockout_duration, 0, ARRAY_SIZE(durations));
	tcase_add_test(tc, test_lockout);
	tcase_add_test(tc, test_otp);
	suite_add_tcase(s, tc);

	tc = tcase_create("groups");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_ports, 0, ARRAY_SIZE(ports));
	tcase_add_test(tc, test_groups_and_destinations);
	suite_add_tcase(s, tc);

	tc = tcase_create("sessions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sessions);
	tcase_add_loop_test(tc, test_session_bad_input, 0, ARRAY_SIZE(bad_sessions));
	suite_add_tcase(s, tc);

	tc = tcase_create("audit");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_audit);
	suite_add_tcase(s, tc);

	tc = tcase_create("transactions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_transactions);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_two_writers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(store_suite());
}
