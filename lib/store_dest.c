/* SPDX-License-Identifier: MIT */
/* Group destinations: port lists, allow/deny, and a user's union for the policy. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_groups.h"
#include "store_internal.h"

static int parse_range(const char *item, size_t len, struct kgw_port_range *r)
{
	char buf[16];
	char *dash;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, item, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (kgw_port_parse(buf, &r->lo))
		return -EINVAL;
	r->hi = r->lo;
	if (dash && (kgw_port_parse(dash + 1, &r->hi) || r->hi < r->lo))
		return -EINVAL;
	return 0;
}

int kgw_ports_parse(const char *text, struct kgw_port_range *out, size_t max, size_t *n)
{
	const char *p = text;

	*n = 0;
	if (!text || !text[0])
		return -EINVAL;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (*n == max)
			return -E2BIG;
		if (parse_range(p, len, &out[*n]))
			return -EINVAL;
		(*n)++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int cmp_range(const void *a, const void *b)
{
	const struct kgw_port_range *x = a, *y = b;

	return x->lo != y->lo ? (x->lo < y->lo ? -1 : 1) : (x->hi > y->hi) - (x->hi < y->hi);
}

/* Sorts and merges overlapping or adjacent ranges in place; returns the new count. */
static size_t merge_ranges(struct kgw_port_range *r, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (out && (unsigned int)r[i].lo <= (unsigned int)r[out - 1].hi + 1) {
			if (r[i].hi > r[out - 1].hi)
				r[out - 1].hi = r[i].hi;
		} else {
			r[out++] = r[i];
		}
	}
	return out;
}

int kgw_ports_normalize(const char *text, char out[static KGW_PORTS_STR_MAX])
{
	struct kgw_port_range r[KGW_PORT_RANGES_MAX];
	size_t n, len = 0;
	int ret;

	out[0] = '\0';
	ret = kgw_ports_parse(text, r, KGW_PORT_RANGES_MAX, &n);
	if (ret)
		return ret;
	n = merge_ranges(r, n);
	for (size_t i = 0; i < n; i++) {
		const char *sep = i ? "," : "";

		if (r[i].lo == r[i].hi)
			len += (size_t)snprintf(out + len, KGW_PORTS_STR_MAX - len, "%s%u", sep,
						r[i].lo);
		else
			len += (size_t)snprintf(out + len, KGW_PORTS_STR_MAX - len, "%s%u-%u", sep,
						r[i].lo, r[i].hi);
	}
	return 0;
}

/* Canonical CIDR and port texts, with errors that quote nothing secret. */
static int canonical(struct kgw_store *store, const char *cidr, const char *ports,
		     char c_out[static KGW_ADDR_STR_MAX], char p_out[static KGW_PORTS_STR_MAX])
{
	struct kgw_cidr c;

	if (!cidr || kgw_cidr_parse(cidr, true, &c))
		return kgw_store_failf(store, -EINVAL,
				       "not a CIDR prefix (no host bits set): `%.64s'",
				       cidr ? cidr : "");
	kgw_cidr_format(&c, c_out);
	p_out[0] = '\0';
	if (ports && kgw_ports_normalize(ports, p_out))
		return kgw_store_failf(store, -EINVAL,
			"not a port list (like 443,6443 or 1-65535): `%.64s'", ports);
	return 0;
}

int kgw_store_group_allow(struct kgw_store *store, const char *group, const char *cidr,
			  const char *ports)
{
	char c[KGW_ADDR_STR_MAX], p[KGW_PORTS_STR_MAX];
	sqlite3_stmt *stmt;
	int ret;

	if (!kgw_store_name_valid(group))
		return kgw_store_failf(store, -EINVAL, "not a valid group name");
	if (!ports)
		return kgw_store_failf(store, -EINVAL, "no port list");
	ret = canonical(store, cidr, ports, c, p);
	if (!ret)
		ret = kgw_store_begin(store);
	if (ret)
		return ret;
	ret = kgw_store_group_exists(store, group);
	if (!ret)
		ret = kgw_store_prepare(store, "INSERT INTO destinations (grp, cidr, ports)"
					" VALUES (?, ?, ?)", &stmt);
	if (ret)
		return kgw_store_rollback(store, ret);
	sqlite3_bind_text(stmt, 1, group, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, c, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, p, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "adding a destination");
	if (ret == -EEXIST)
		kgw_store_failf(store, ret, "group `%s' already allows %s ports %s", group, c, p);
	if (ret)
		return kgw_store_rollback(store, ret);
	return kgw_store_commit(store);
}

int kgw_store_group_deny(struct kgw_store *store, const char *group, const char *cidr,
			 const char *ports)
{
	char c[KGW_ADDR_STR_MAX], p[KGW_PORTS_STR_MAX];
	sqlite3_stmt *stmt;
	int ret;

	if (!kgw_store_name_valid(group))
		return kgw_store_failf(store, -EINVAL, "not a valid group name");
	ret = canonical(store, cidr, ports, c, p);
	if (!ret)
		ret = kgw_store_group_exists(store, group);
	if (!ret)
		ret = kgw_store_prepare(store, "DELETE FROM destinations WHERE grp = ?1"
					" AND cidr = ?2 AND (?3 IS NULL OR ports = ?3)", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, group, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, c, -1, SQLITE_STATIC);
	kgw_store_bind_text(stmt, 3, p);
	ret = kgw_store_step_done(store, stmt, "removing a destination");
	if (!ret && !sqlite3_changes(store->db))
		ret = kgw_store_failf(store, -ENOENT, "group `%s' has no destination %s%s%s", group,
				      c, p[0] ? " ports " : "", p);
	return ret;
}

int kgw_store_group_destinations(struct kgw_store *store, const char *group,
				 int (*fn)(const char *cidr, const char *ports, void *ctx),
				 void *ctx)
{
	sqlite3_stmt *stmt;
	int ret, rc;

	if (!kgw_store_name_valid(group))
		return kgw_store_failf(store, -EINVAL, "not a valid group name");
	ret = kgw_store_group_exists(store, group);
	if (!ret)
		ret = kgw_store_prepare(store, "SELECT cidr, ports FROM destinations WHERE grp = ?"
					" ORDER BY cidr, ports", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, group, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		ret = fn((const char *)sqlite3_column_text(stmt, 0),
			 (const char *)sqlite3_column_text(stmt, 1), ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = kgw_store_fail(store, rc, "listing destinations");
	sqlite3_finalize(stmt);
	return ret;
}

static int cmp_dest(const void *a, const void *b)
{
	const struct kgw_dest *x = a, *y = b;
	int c;

	if (x->cidr.family != y->cidr.family)
		return x->cidr.family < y->cidr.family ? -1 : 1;
	c = memcmp(x->cidr.addr, y->cidr.addr, sizeof(x->cidr.addr));
	if (c)
		return c;
	if (x->cidr.prefix != y->cidr.prefix)
		return x->cidr.prefix < y->cidr.prefix ? -1 : 1;
	return x->port_lo != y->port_lo ? (x->port_lo < y->port_lo ? -1 : 1)
					: (x->port_hi > y->port_hi) - (x->port_hi < y->port_hi);
}

static bool same_prefix(const struct kgw_dest *x, const struct kgw_dest *y)
{
	return kgw_cidr_equal(&x->cidr, &y->cidr);
}

static size_t merge_dests(struct kgw_dest *d, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(d, n, sizeof(*d), cmp_dest);
	for (size_t i = 0; i < n; i++) {
		if (out && same_prefix(&d[out - 1], &d[i]) &&
		    (unsigned int)d[i].port_lo <= (unsigned int)d[out - 1].port_hi + 1) {
			if (d[i].port_hi > d[out - 1].port_hi)
				d[out - 1].port_hi = d[i].port_hi;
		} else {
			d[out++] = d[i];
		}
	}
	return out;
}

/* Appends one stored row's ranges to the growing array. */
static int append_row(struct kgw_store *store, const char *cidr, const char *ports,
		      struct kgw_dest **d, size_t *n, size_t *cap)
{
	struct kgw_port_range r[KGW_PORT_RANGES_MAX];
	struct kgw_cidr c;
	size_t nr;

	/* Rows were validated on the way in; a bad one was written by hand. */
	if (!cidr || !ports || kgw_cidr_parse(cidr, false, &c) ||
	    kgw_ports_parse(ports, r, KGW_PORT_RANGES_MAX, &nr))
		return kgw_store_failf(store, -EIO, "%s: corrupt destination row", store->path);
	if (*n + nr > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 16) + nr;
		struct kgw_dest *nd = reallocarray(*d, ncap, sizeof(**d));

		if (!nd)
			return kgw_store_failf(store, -ENOMEM, "out of memory");
		*d = nd;
		*cap = ncap;
	}
	for (size_t i = 0; i < nr; i++) {
		(*d)[*n].cidr = c;
		(*d)[*n].port_lo = r[i].lo;
		(*d)[*n].port_hi = r[i].hi;
		(*n)++;
	}
	return 0;
}

int kgw_store_user_destinations(struct kgw_store *store, const char *user,
				struct kgw_dest **out, size_t *n)
{
	struct kgw_dest *d = NULL;
	size_t cap = 0, count = 0;
	sqlite3_stmt *stmt;
	int ret, rc;

	*out = NULL;
	*n = 0;
	if (!kgw_store_name_valid(user))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	ret = kgw_store_user_exists(store, user);
	if (!ret)
		ret = kgw_store_prepare(store, "SELECT DISTINCT d.cidr, d.ports FROM destinations d"
					" JOIN members m ON m.grp = d.grp WHERE m.user = ?", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		ret = append_row(store, (const char *)sqlite3_column_text(stmt, 0),
				 (const char *)sqlite3_column_text(stmt, 1), &d, &count, &cap);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = kgw_store_fail(store, rc, "listing a user's destinations");
	sqlite3_finalize(stmt);
	if (ret) {
		free(d);
		return ret;
	}
	*n = merge_dests(d, count);
	*out = *n ? d : NULL;
	if (!*n)
		free(d);
	return 0;
}
