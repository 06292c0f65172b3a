/* SPDX-License-Identifier: MIT */
/*
 * The audit log: append-only (triggers refuse UPDATE and DELETE on it), one
 * row per security event. Never put a secret in any field: log who, from
 * where, and what happened.
 */
#ifndef KGW_STORE_AUDIT_H
#define KGW_STORE_AUDIT_H

#include <stdint.h>

#include "store.h"

/* Event tokens: 1..32 of [a-z0-9._-] ("auth.ok", "user.add", "session.start"). */
#define KGW_AUDIT_EVENT_MAX 32
/* Longer actor, source and detail texts are cut to fit. */
#define KGW_AUDIT_FIELD_MAX 64
#define KGW_AUDIT_DETAIL_MAX 512

struct kgw_audit_entry {
	int64_t id;
	int64_t time;
	const char *actor;	/* "pam", "portal", "kgwd", or the admin's name */
	const char *event;
	const char *user;	/* empty when none */
	const char *source;	/* an address; empty when none */
	const char *detail;
};

struct kgw_audit_filter {
	const char *user;	/* NULL: any */
	const char *event;	/* NULL: any; "auth." matches every event starting so */
	unsigned int limit;	/* 0: no limit */
	unsigned int offset;
};

/* Appends an entry; actor and event are required. */
int kgw_store_audit(struct kgw_store *store, int64_t now, const char *actor, const char *event,
		    const char *user, const char *source, const char *detail)
	__attribute__((warn_unused_result));
/*
 * Entries matching the filter, newest first. The strings in an entry live
 * until fn returns. A non-zero return from fn stops and is returned.
 */
int kgw_store_audit_query(struct kgw_store *store, const struct kgw_audit_filter *filter,
			  int (*fn)(const struct kgw_audit_entry *e, void *ctx), void *ctx)
	__attribute__((warn_unused_result));

#endif
