/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "store_schema.h"

/*
 * Append only: a released migration is never edited, as databases in the
 * field have already run it. Times are Unix seconds; 0 means "never".
 */
const char *const kgw_store_migrations[] = {
	/* 0 -> 1: users, groups, their destinations, OTP secrets, sessions, audit. */
	"CREATE TABLE users ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  password_hash TEXT,"			/* NULL: cannot log in with a password */
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE groups ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE members ("
	"  user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
	"  grp TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,"
	"  PRIMARY KEY (user, grp)"
	");"
	"CREATE TABLE destinations ("
	"  grp TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,"
	"  cidr TEXT NOT NULL,"
	"  ports TEXT NOT NULL,"
	"  PRIMARY KEY (grp, cidr, ports)"
	");"
	"CREATE TABLE otp ("
	"  user TEXT PRIMARY KEY NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
	"  secret BLOB,"			/* the active secret, NULL until verified */
	"  pending BLOB,"			/* enrolled, not yet verified */
	"  last_counter INTEGER NOT NULL DEFAULT 0,"	/* last accepted time step */
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE sessions ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  user TEXT NOT NULL,"
	"  public_key TEXT NOT NULL,"
	"  address4 TEXT,"
	"  address6 TEXT,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  token_hash TEXT UNIQUE,"
	"  revoked INTEGER NOT NULL DEFAULT 0,"
	"  ended INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  event TEXT NOT NULL,"
	"  user TEXT,"
	"  source TEXT,"
	"  detail TEXT"
	");"
	/* The audit log is append-only for everyone who uses SQL, not just us. */
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",

	/* 1 -> 2: lockout state and account expiry; indexes for the portal's queries. */
	"ALTER TABLE users ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX sessions_live ON sessions (ended, expires);"
	"CREATE INDEX sessions_user ON sessions (user);"
	"CREATE INDEX audit_user ON audit (user, id);"
	"CREATE INDEX audit_event ON audit (event, id);",
};

const size_t kgw_store_migration_count =
	sizeof(kgw_store_migrations) / sizeof(kgw_store_migrations[0]);
