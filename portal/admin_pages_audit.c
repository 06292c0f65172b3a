/* SPDX-License-Identifier: MIT */
/* The audit log, newest first, filtered by user and event (a prefix: "admin." works), by pages. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_internal.h"
#include "store_audit.h"

static int one_entry(const struct kgw_audit_entry *e, void *arg)
{
	struct tmpl_data *item = tmpl_add(arg, "entries");
	char when[32];

	if (!item)
		return -ENOMEM;
	admin_format_time(e->time, when);
	tmpl_set(item, "time", "%s", when);
	tmpl_set(item, "actor", "%s", e->actor);
	tmpl_set(item, "event", "%s", e->event);
	tmpl_set(item, "user", "%s", e->user);
	tmpl_set(item, "source", "%s", e->source);
	return tmpl_set(item, "detail", "%s", e->detail);
}

/* Counts the entries past this page (at most one), so "next" shows only when there are some. */
static int count_more(const struct kgw_audit_entry *e, void *arg)
{
	(void)e;
	(*(unsigned int *)arg)++;
	return 0;
}

void admin_audit_get(struct admin_req *r)
{
	const char *user = admin_arg(r, "user"), *event = admin_arg(r, "event");
	const char *page_s = admin_arg(r, "page");
	unsigned long page = page_s && *page_s ? strtoul(page_s, NULL, 10) : 1;
	struct kgw_audit_filter f = { 0 };
	unsigned int more = 0;

	if (page < 1 || page > 100000)
		page = 1;
	f.user = user && *user ? user : NULL;
	f.event = event && *event ? event : NULL;
	f.limit = ADMIN_AUDIT_PAGE;
	f.offset = (unsigned int)(page - 1) * ADMIN_AUDIT_PAGE;
	if ((f.user && strlen(f.user) > KGW_AUDIT_FIELD_MAX) ||
	    (f.event && strlen(f.event) > KGW_AUDIT_EVENT_MAX)) {
		admin_fail(r, 400, "The filter is too long.");
		return;
	}
	if (kgw_store_audit_query(r->a->cfg.store, &f, one_entry, r->d)) {
		admin_fail(r, 500, "The audit log could not be read.");
		return;
	}
	f.offset += ADMIN_AUDIT_PAGE;
	f.limit = 1;
	if (kgw_store_audit_query(r->a->cfg.store, &f, count_more, &more))
		more = 0;
	tmpl_set(r->d, "f_user", "%s", f.user ? f.user : "");
	tmpl_set(r->d, "f_event", "%s", f.event ? f.event : "");
	tmpl_set(r->d, "page", "%lu", page);
	if (page > 1)
		tmpl_set(r->d, "prev", "%lu", page - 1);
	if (more)
		tmpl_set(r->d, "next", "%lu", page + 1);
	admin_page(r, 200, "audit", "Audit log");
}
