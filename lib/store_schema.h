/* SPDX-License-Identifier: MIT */
/*
 * The schema as a list of migrations: migration i takes a database from
 * version i to i + 1 (PRAGMA user_version). Exposed for the migration test,
 * which builds an old database with the first migrations only.
 */
#ifndef KGW_STORE_SCHEMA_H
#define KGW_STORE_SCHEMA_H

#include <stddef.h>

extern const char *const kgw_store_migrations[];
extern const size_t kgw_store_migration_count;

#endif
