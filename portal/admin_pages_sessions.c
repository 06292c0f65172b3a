/* SPDX-License-Identifier: MIT */
/*
 * Live sessions, as kgwd has them (user, tunnel address, since, expires,
 * last handshake, bytes), each with a revoke button: kgwd removes the peer
 * at once, so the user's traffic stops with the next packet.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_internal.h"

static const char *json_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void human_bytes(json_int_t n, char out[static 32])
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	snprintf(out, 32, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static void one_session(struct tmpl_data *item, json_t *s)
{
	char when[32], bytes[32];

	tmpl_set(item, "id", "%s", json_str(s, "id"));
	tmpl_set(item, "user", "%s", json_str(s, "user"));
	tmpl_set(item, "address", "%s", json_str(s, "address"));
	admin_format_time(json_integer_value(json_object_get(s, "created")), when);
	tmpl_set(item, "since", "%s", when);
	admin_format_time(json_integer_value(json_object_get(s, "expires")), when);
	tmpl_set(item, "expires", "%s", when);
	admin_format_time(json_integer_value(json_object_get(s, "last_handshake")), when);
	tmpl_set(item, "handshake", "%s", when);
	human_bytes(json_integer_value(json_object_get(s, "rx_bytes")), bytes);
	tmpl_set(item, "rx", "%s", bytes);
	human_bytes(json_integer_value(json_object_get(s, "tx_bytes")), bytes);
	tmpl_set(item, "tx", "%s", bytes);
}

static void listed(struct admin_req *r, json_t *reply)
{
	json_t *list = json_object_get(reply, "sessions"), *s;
	size_t i;

	if (!json_is_true(json_object_get(reply, "ok"))) {
		admin_notice(r, true, "kgwd did not answer: the gateway may be down.");
		admin_page(r, 503, "sessions", "Sessions");
		return;
	}
	json_array_foreach(list, i, s) {
		struct tmpl_data *item = tmpl_add(r->d, "session_list");

		if (item)
			one_session(item, s);
	}
	tmpl_set(r->d, "count", "%zu", json_array_size(list));
	admin_page(r, 200, "sessions", "Sessions");
}

void admin_sessions_get(struct admin_req *r)
{
	admin_kgwd(r, json_pack("{s:s}", "op", "list"), listed);
}

static void revoked(struct admin_req *r, json_t *reply)
{
	const char *id = admin_arg(r, "id");
	bool ok = json_is_true(json_object_get(reply, "ok"));

	admin_audit(r, "admin.session.revoke", ok ? "ok" : "failed",
		    r->login_user[0] ? r->login_user : NULL, id);
	if (ok)
		admin_notice(r, false, "Session revoked: its traffic has stopped.");
	else
		admin_notice(r, true, "The session was not revoked: %s.",
			     reply ? "kgwd has no such live session" : "kgwd did not answer");
	admin_kgwd(r, json_pack("{s:s}", "op", "list"), listed);
}

/* Whose session it is comes from kgwd, not from the form, for the audit record. */
static void found_owner(struct admin_req *r, json_t *reply)
{
	const char *id = admin_arg(r, "id");
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(reply, "sessions"), i, s) {
		if (!strcmp(json_str(s, "id"), id))
			snprintf(r->login_user, sizeof(r->login_user), "%s", json_str(s, "user"));
	}
	admin_kgwd(r, json_pack("{s:s, s:s}", "op", "revoke", "id", id), revoked);
}

void admin_sessions_revoke_post(struct admin_req *r)
{
	const char *id = admin_arg(r, "id");

	if (!id || strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32) {
		admin_fail(r, 400, "That is not a session id.");
		return;
	}
	admin_kgwd(r, json_pack("{s:s}", "op", "list"), found_owner);
}
