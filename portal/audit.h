/* SPDX-License-Identifier: MIT */
/*
 * The audit trail: one record per outcome of every session request (and,
 * later, every admin action). Records go to the log at notice level, one
 * line each, and to a sink (the store's audit table, once it exists).
 * Like every log line, a record never carries a secret.
 */
#ifndef KGW_AUDIT_H
#define KGW_AUDIT_H

struct kgw_audit_record {
	const char *action;		/* "session.create", "session.read", "session.delete" */
	const char *outcome;		/* "ok", "denied", "throttled", "invalid", "busy", ... */
	const char *source;		/* the client's address */
	const char *user;		/* NULL when there is none */
	const char *detail;		/* NULL, or why (a PAM error, a bad field) */
	const char *actor;		/* NULL: the portal itself; else the admin acting */
};

typedef void (*kgw_audit_sink)(void *ctx, const struct kgw_audit_record *rec);

/* One sink for the process; NULL for the log only. `ctx' is the caller's. */
void kgw_audit_set_sink(kgw_audit_sink sink, void *ctx);
void kgw_audit(const struct kgw_audit_record *rec);

#endif
