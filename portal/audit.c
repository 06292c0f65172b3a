/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stddef.h>

#include "audit.h"
#include "log.h"

static kgw_audit_sink audit_sink;
static void *audit_ctx;

void kgw_audit_set_sink(kgw_audit_sink sink, void *ctx)
{
	audit_sink = sink;
	audit_ctx = ctx;
}

void kgw_audit(const struct kgw_audit_record *rec)
{
	char user[80], detail[160], actor[80];

	/* User names and details may come from the client: quoted, so they cannot forge a line. */
	kgw_notice("audit: action=%s outcome=%s source=%s user=\"%s\" detail=\"%s\"%s%s%s",
		   rec->action, rec->outcome, rec->source,
		   rec->user ? kgw_log_quote(rec->user, user, sizeof(user)) : "",
		   rec->detail ? kgw_log_quote(rec->detail, detail, sizeof(detail)) : "",
		   rec->actor ? " admin=\"" : "",
		   rec->actor ? kgw_log_quote(rec->actor, actor, sizeof(actor)) : "",
		   rec->actor ? "\"" : "");
	if (audit_sink)
		audit_sink(audit_ctx, rec);
}
