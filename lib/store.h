/* SPDX-License-Identifier: MIT */
/*
 * The kgw store: one SQLite database in WAL mode (/var/lib/kgw/kgw.db) that
 * kgwctl (root), kgw-portal (user kgw) and kgwd share. Each concern has its
 * own header: store_users.h, store_otp.h, store_groups.h, store_sessions.h,
 * store_audit.h. This one opens the database and runs the migrations.
 *
 * Concurrency: every connection waits up to KGW_STORE_BUSY_TIMEOUT_MS for a
 * lock rather than fail, and every read-modify-write runs in a BEGIN
 * IMMEDIATE transaction, so several processes may write at once and no
 * update is lost.
 *
 * Ownership: the file holds password hashes and TOTP secrets, so it is
 * created 0600 and opening one that other users may read is refused. When
 * root creates it for the portal, kgwctl init gives the file (and the
 * directory) to the user `kgw' (kgw_store_chown()); SQLite itself gives the
 * -wal and -shm files it makes as root to the database file's owner.
 *
 * Functions return 0 or a negative errno: -ENOENT (no such row), -EEXIST,
 * -EINVAL (bad input, nothing changed), -EBUSY (lock wait timed out),
 * -EIO (anything else; kgw_store_error() says what).
 */
#ifndef KGW_STORE_H
#define KGW_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define KGW_STORE_DEFAULT_PATH "/var/lib/kgw/kgw.db"
#define KGW_STORE_BUSY_TIMEOUT_MS 10000
#define KGW_STORE_ERR_MAX 256
/* User and group names: 1..32 of [A-Za-z0-9_.@-], not starting with . or -. */
#define KGW_NAME_MAX 32

struct kgw_store;

enum {
	KGW_STORE_CREATE = 1 << 0,	/* create a missing database (0600) */
};

/*
 * Opens (or with KGW_STORE_CREATE creates) the database and migrates it to
 * the current schema. A schema newer than this program knows is refused
 * (-EPROTO), as is a file other users may read or write (-EPERM). On error
 * *out is NULL and err says why, naming the path.
 */
int kgw_store_open(const char *path, unsigned int flags, struct kgw_store **out,
		   char err[static KGW_STORE_ERR_MAX]) __attribute__((warn_unused_result));
void kgw_store_close(struct kgw_store *store);

/*
 * 0 if the database file may be written, else the OS's reason (EROFS: a
 * read-only file system). The store still opens and reads without it;
 * daemons say so at start rather than at the first failed login.
 */
int kgw_store_unwritable(const struct kgw_store *store);

/* The last error's text (SQLite's message and what was being done). */
const char *kgw_store_error(const struct kgw_store *store);

/* The schema version this program writes, and the one the database has. */
int kgw_store_schema_latest(void);
int kgw_store_schema_version(struct kgw_store *store);

/*
 * Transactions. Each call below that reads and then writes runs in its own
 * BEGIN IMMEDIATE transaction (the write lock is taken first, so no
 * read-then-write can race). A caller groups several calls into one with
 * these: written together, in one commit, or not at all; they nest, and a
 * failed inner part makes the outer commit roll back (-ECANCELED). Every
 * successful begin needs one commit or rollback.
 */
int kgw_store_begin(struct kgw_store *store) __attribute__((warn_unused_result));
int kgw_store_commit(struct kgw_store *store) __attribute__((warn_unused_result));
/* Rolls back (or dooms the outer transaction) and returns `ret', for error paths. */
int kgw_store_rollback(struct kgw_store *store, int ret);

/* Gives the database file to uid:gid (kgwctl init, for the portal). */
int kgw_store_chown(struct kgw_store *store, uid_t uid, gid_t gid)
	__attribute__((warn_unused_result));

/* Is this a valid user or group name (see KGW_NAME_MAX)? */
bool kgw_store_name_valid(const char *name);

#endif
