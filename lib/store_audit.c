/* SPDX-License-Identifier: MIT */
/* The append-only audit log. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "store_audit.h"
#include "store_internal.h"

static bool event_valid(const char *e, bool prefix_ok)
{
	size_t i;

	if (!e || !e[0])
		return false;
	for (i = 0; e[i]; i++) {
		if (i >= KGW_AUDIT_EVENT_MAX)
			return false;
		if (!((e[i] >= 'a' && e[i] <= 'z') || (e[i] >= '0' && e[i] <= '9') ||
		      e[i] == '.' || e[i] == '_' || e[i] == '-'))
			return false;
	}
	return prefix_ok || e[i - 1] != '.';
}

/* Binds text cut to `max' bytes (and never in the middle of a UTF-8 sequence). */
static void bind_cut(sqlite3_stmt *stmt, int idx, const char *text, size_t max)
{
	size_t len;

	if (!text || !text[0]) {
		sqlite3_bind_null(stmt, idx);
		return;
	}
	len = strnlen(text, max);
	while (len && len < strlen(text) && ((unsigned char)text[len] & 0xc0) == 0x80)
		len--;
	sqlite3_bind_text(stmt, idx, text, (int)len, SQLITE_TRANSIENT);
}

int kgw_store_audit(struct kgw_store *store, int64_t now, const char *actor, const char *event,
		    const char *user, const char *source, const char *detail)
{
	sqlite3_stmt *stmt;
	int ret;

	if (!actor || !actor[0])
		return kgw_store_failf(store, -EINVAL, "audit entry without an actor");
	if (!event_valid(event, false))
		return kgw_store_failf(store, -EINVAL, "not an audit event name");
	ret = kgw_store_prepare(store, "INSERT INTO audit (time, actor, event, user, source,"
				" detail) VALUES (?, ?, ?, ?, ?, ?)", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_int64(stmt, 1, now);
	bind_cut(stmt, 2, actor, KGW_AUDIT_FIELD_MAX);
	sqlite3_bind_text(stmt, 3, event, -1, SQLITE_STATIC);
	bind_cut(stmt, 4, user, KGW_AUDIT_FIELD_MAX);
	bind_cut(stmt, 5, source, KGW_AUDIT_FIELD_MAX);
	bind_cut(stmt, 6, detail, KGW_AUDIT_DETAIL_MAX);
	return kgw_store_step_done(store, stmt, "writing the audit log");
}

static const char *text_or_empty(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t ? (const char *)t : "";
}

int kgw_store_audit_query(struct kgw_store *store, const struct kgw_audit_filter *filter,
			  int (*fn)(const struct kgw_audit_entry *e, void *ctx), void *ctx)
{
	struct kgw_audit_entry e;
	sqlite3_stmt *stmt;
	int ret, rc;

	if (filter->event && !event_valid(filter->event, true))
		return kgw_store_failf(store, -EINVAL, "not an audit event name");
	/* A trailing dot asks for a prefix match (substr, not LIKE: `_' is a LIKE wildcard). */
	ret = kgw_store_prepare(store, "SELECT id, time, actor, event, user, source, detail"
				" FROM audit WHERE (?1 IS NULL OR user = ?1)"
				" AND (?2 IS NULL OR event = ?2 OR"
				"  (substr(?2, -1) = '.' AND substr(event, 1, length(?2)) = ?2))"
				" ORDER BY id DESC LIMIT ?3 OFFSET ?4", &stmt);
	if (ret)
		return ret;
	kgw_store_bind_text(stmt, 1, filter->user);
	kgw_store_bind_text(stmt, 2, filter->event);
	sqlite3_bind_int64(stmt, 3, filter->limit ? (int64_t)filter->limit : -1);
	sqlite3_bind_int64(stmt, 4, filter->offset);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		e.id = sqlite3_column_int64(stmt, 0);
		e.time = sqlite3_column_int64(stmt, 1);
		e.actor = text_or_empty(stmt, 2);
		e.event = text_or_empty(stmt, 3);
		e.user = text_or_empty(stmt, 4);
		e.source = text_or_empty(stmt, 5);
		e.detail = text_or_empty(stmt, 6);
		ret = fn(&e, ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = kgw_store_fail(store, rc, "reading the audit log");
	sqlite3_finalize(stmt);
	return ret;
}
