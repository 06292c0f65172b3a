/* SPDX-License-Identifier: MIT */
/* Shared by the store_*.c files only: the handle and SQLite helpers. */
#ifndef KGW_STORE_INTERNAL_H
#define KGW_STORE_INTERNAL_H

#include <stdbool.h>

#include <sqlite3.h>

#include "store.h"

struct kgw_store {
	sqlite3 *db;
	char path[4096];
	char err[KGW_STORE_ERR_MAX];
	unsigned int depth;	/* nested kgw_store_begin() calls */
	bool doomed;		/* an inner transaction rolled back */
};

/* Records SQLite's error for `what' and maps rc to a negative errno. */
int kgw_store_fail(struct kgw_store *store, int rc, const char *what);
/* Records an error of ours (not SQLite's) and returns `ret'. */
int kgw_store_failf(struct kgw_store *store, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int kgw_store_prepare(struct kgw_store *store, const char *sql, sqlite3_stmt **stmt)
	__attribute__((warn_unused_result));
/* Steps a statement that returns no rows; finalizes it either way. */
int kgw_store_step_done(struct kgw_store *store, sqlite3_stmt *stmt, const char *what)
	__attribute__((warn_unused_result));
int kgw_store_exec(struct kgw_store *store, const char *sql) __attribute__((warn_unused_result));


/* Binds text, or NULL for a NULL or empty string. */
int kgw_store_bind_text(sqlite3_stmt *stmt, int idx, const char *text);
/* Copies a text column (NULL: empty) into a fixed buffer, cut to fit. */
void kgw_store_column_text(sqlite3_stmt *stmt, int col, char *out, size_t out_size);

/* -ENOENT unless the row exists. */
int kgw_store_user_exists(struct kgw_store *store, const char *user)
	__attribute__((warn_unused_result));

#endif
