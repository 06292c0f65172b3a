/* SPDX-License-Identifier: MIT */
/* Opening the store: file checks, connection settings, migrations. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"
#include "store_schema.h"

/*
 * The OS's reason behind an I/O failure, or 0. SQLite says "disk I/O
 * error" or "unable to open database file" whether the disk is full, the
 * file system read-only or the file gone; the admin needs to know which.
 * Only asked for those codes: the errno SQLite keeps may be stale.
 */
static int os_reason(struct kgw_store *store, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		/* Its errno is often of a fallback that came after; ask the file. */
		if (access(store->path, W_OK) < 0)
			return errno;
		return (rc & 0xff) == SQLITE_CANTOPEN ? sqlite3_system_errno(store->db) : 0;
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return sqlite3_system_errno(store->db);
	default:
		return 0;
	}
}

int kgw_store_fail(struct kgw_store *store, int rc, const char *what)
{
	int os = os_reason(store, rc);

	if (os)
		kgw_store_failf(store, 0, "%s: %s: %s (%s)", store->path, what,
				sqlite3_errmsg(store->db), strerror(os));
	else
		kgw_store_failf(store, 0, "%s: %s: %s", store->path, what, sqlite3_errmsg(store->db));
	if (os == ENOSPC || os == EDQUOT)
		return -ENOSPC;
	if (os == EROFS)
		return -EROFS;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

int kgw_store_failf(struct kgw_store *store, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(store->err, sizeof(store->err), fmt, ap);
	va_end(ap);
	return ret;
}

int kgw_store_unwritable(const struct kgw_store *store)
{
	return access(store->path, W_OK) < 0 ? errno : 0;
}

const char *kgw_store_error(const struct kgw_store *store)
{
	return store->err;
}

int kgw_store_prepare(struct kgw_store *store, const char *sql, sqlite3_stmt **stmt)
{
	int rc = sqlite3_prepare_v2(store->db, sql, -1, stmt, NULL);

	if (rc != SQLITE_OK) {
		*stmt = NULL;
		return kgw_store_fail(store, rc, "prepare");
	}
	return 0;
}

int kgw_store_step_done(struct kgw_store *store, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);
	int ret = rc == SQLITE_DONE ? 0 : kgw_store_fail(store, rc, what);

	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_exec(struct kgw_store *store, const char *sql)
{
	int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : kgw_store_fail(store, rc, sql);
}

static void rollback_now(struct kgw_store *store)
{
	store->doomed = false;
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * Nesting: only the outermost begin and commit reach SQLite, so a caller
 * can group calls that open their own transactions. An inner rollback
 * dooms the whole: the outer commit then rolls back instead.
 */
int kgw_store_begin(struct kgw_store *store)
{
	int ret;

	if (store->depth) {
		store->depth++;
		return 0;
	}
	ret = kgw_store_exec(store, "BEGIN IMMEDIATE");
	if (!ret)
		store->depth = 1;
	return ret;
}

int kgw_store_commit(struct kgw_store *store)
{
	int ret;

	if (store->depth > 1) {
		store->depth--;
		return 0;
	}
	store->depth = 0;
	if (store->doomed) {
		rollback_now(store);
		return kgw_store_failf(store, -ECANCELED,
				       "%s: part of a transaction failed; nothing was written",
				       store->path);
	}
	ret = kgw_store_exec(store, "COMMIT");
	if (ret)
		rollback_now(store);
	return ret;
}

int kgw_store_rollback(struct kgw_store *store, int ret)
{
	if (store->depth > 1) {
		store->depth--;
		store->doomed = true;
		return ret;
	}
	store->depth = 0;
	rollback_now(store);
	return ret;
}

int kgw_store_bind_text(sqlite3_stmt *stmt, int idx, const char *text)
{
	if (!text || !text[0])
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT);
}

void kgw_store_column_text(sqlite3_stmt *stmt, int col, char *out, size_t out_size)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	snprintf(out, out_size, "%s", t ? (const char *)t : "");
}

bool kgw_store_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0] || name[0] == '.' || name[0] == '-')
		return false;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= KGW_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

int kgw_store_schema_latest(void)
{
	return (int)kgw_store_migration_count;
}

static int user_version(struct kgw_store *store, int *version)
{
	sqlite3_stmt *stmt;
	int ret, rc;

	ret = kgw_store_prepare(store, "PRAGMA user_version", &stmt);
	if (ret)
		return ret;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(stmt, 0);
	else
		ret = kgw_store_fail(store, rc, "reading the schema version");
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_schema_version(struct kgw_store *store)
{
	int v = -1;

	return user_version(store, &v) ? -1 : v;
}

/* One transaction for all steps: a failed migration leaves the old schema whole. */
static int migrate(struct kgw_store *store)
{
	int ret, version = 0, latest = kgw_store_schema_latest();
	char sql[64];

	ret = kgw_store_begin(store);
	if (ret)
		return ret;
	ret = user_version(store, &version);
	if (ret)
		return kgw_store_rollback(store, ret);
	if (version > latest)
		return kgw_store_rollback(store, kgw_store_failf(store, -EPROTO,
			"%s: schema version %d is newer than this program's (%d); upgrade kgw",
			store->path, version, latest));
	for (int v = version; v < latest; v++) {
		ret = kgw_store_exec(store, kgw_store_migrations[v]);
		if (ret)
			return kgw_store_rollback(store, ret);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		ret = kgw_store_exec(store, sql);
		if (ret)
			return kgw_store_rollback(store, ret);
	}
	return kgw_store_commit(store);
}

/* The file exists (made here 0600 when allowed) and no other user may touch it. */
static int check_file(struct kgw_store *store, unsigned int flags)
{
	struct stat st;
	int fd;

	if (lstat(store->path, &st)) {
		if (errno != ENOENT)
			return kgw_store_failf(store, -errno, "%s: %s", store->path,
					       strerror(errno));
		if (!(flags & KGW_STORE_CREATE))
			return kgw_store_failf(store, -ENOENT,
				"%s: no database (create one with `kgwctl init')", store->path);
		fd = open(store->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return kgw_store_failf(store, -errno, "%s: cannot create: %s", store->path,
					       strerror(errno));
		if (fd >= 0)
			close(fd);
		if (lstat(store->path, &st))
			return kgw_store_failf(store, -errno, "%s: %s", store->path,
					       strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return kgw_store_failf(store, -EINVAL, "%s: not a regular file", store->path);
	if (st.st_mode & S_IRWXO)
		return kgw_store_failf(store, -EPERM,
			"%s: other users may access it (mode %04o); it holds password hashes "
			"and OTP secrets: chmod 600 it", store->path,
			(unsigned int)(st.st_mode & 07777));
	return 0;
}

static int configure(struct kgw_store *store)
{
	sqlite3_stmt *stmt;
	const unsigned char *mode;
	int ret, rc;

	sqlite3_busy_timeout(store->db, KGW_STORE_BUSY_TIMEOUT_MS);
	/*
	 * secure_delete: a reset OTP secret or an old hash is overwritten on
	 * disk, not left in a free page. trusted_schema off: the schema's SQL
	 * cannot call functions with side effects.
	 */
	ret = kgw_store_exec(store, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
			     "PRAGMA trusted_schema = OFF");
	if (ret)
		return ret;
	ret = kgw_store_prepare(store, "PRAGMA journal_mode = WAL", &stmt);
	if (ret)
		return ret;
	rc = sqlite3_step(stmt);
	mode = rc == SQLITE_ROW ? sqlite3_column_text(stmt, 0) : NULL;
	if (rc != SQLITE_ROW)
		ret = kgw_store_fail(store, rc, "setting WAL mode");
	else if (!mode || strcmp((const char *)mode, "wal"))
		ret = kgw_store_failf(store, -EIO, "%s: cannot use WAL mode", store->path);
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_open(const char *path, unsigned int flags, struct kgw_store **out,
		   char err[static KGW_STORE_ERR_MAX])
{
	struct kgw_store *store;
	int ret, rc;

	*out = NULL;
	err[0] = '\0';
	if (!path || !path[0]) {
		snprintf(err, KGW_STORE_ERR_MAX, "no database path given");
		return -EINVAL;
	}
	store = calloc(1, sizeof(*store));
	if (!store) {
		snprintf(err, KGW_STORE_ERR_MAX, "%s: out of memory", path);
		return -ENOMEM;
	}
	if (strlen(path) >= sizeof(store->path)) {
		snprintf(err, KGW_STORE_ERR_MAX, "database path too long");
		ret = -ENAMETOOLONG;
		goto out;
	}
	strcpy(store->path, path);
	ret = check_file(store, flags);
	if (ret)
		goto out;
	rc = sqlite3_open_v2(path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		ret = store->db ? kgw_store_fail(store, rc, "open")
				: kgw_store_failf(store, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	ret = configure(store);
	if (!ret)
		ret = migrate(store);
out:
	if (ret) {
		snprintf(err, KGW_STORE_ERR_MAX, "%s", store->err);
		kgw_store_close(store);
		return ret;
	}
	*out = store;
	return 0;
}

void kgw_store_close(struct kgw_store *store)
{
	if (!store)
		return;
	sqlite3_close_v2(store->db);
	free(store);
}

int kgw_store_chown(struct kgw_store *store, uid_t uid, gid_t gid)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[sizeof(store->path) + 8];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", store->path, suffixes[i]);
		if (lchown(p, uid, gid) && !(i && errno == ENOENT))
			return kgw_store_failf(store, -errno, "%s: chown: %s", p, strerror(errno));
		if (chmod(p, 0600) && !(i && errno == ENOENT))
			return kgw_store_failf(store, -errno, "%s: chmod: %s", p, strerror(errno));
	}
	return 0;
}
