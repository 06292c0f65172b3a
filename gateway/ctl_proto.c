/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "ctl_proto.h"

static const struct {
	const char *name;
	enum kgw_ctl_op op;
} ops[] = {
	{ "authorize", KGW_CTL_AUTHORIZE },
	{ "revoke", KGW_CTL_REVOKE },
	{ "list", KGW_CTL_LIST },
	{ "stats", KGW_CTL_STATS },
	{ "info", KGW_CTL_INFO },
};

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Request text quoted in an error goes back as a JSON string and into
 * kgwd's log: printable ASCII only, so no cut can split a UTF-8 sequence
 * (jansson refuses to encode that: the caller would get no answer at
 * all) and no newline can forge a log line.
 */
static const char *printable(const char *in, char *out, size_t out_len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < out_len; i++)
		out[i] = (unsigned char)in[i] < 0x20 || (unsigned char)in[i] >= 0x7f ? '?' : in[i];
	out[i] = '\0';
	return out;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

bool kgw_ctl_valid_user(const char *user)
{
	size_t n = strlen(user);

	if (!n || n > KGW_USER_MAX || user[0] == '-' || user[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = user[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '@'))
			return false;
	}
	return true;
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int parse_key(const char *b64, uint8_t out[WG_KEY_LEN])
{
	size_t n;

	if (strlen(b64) != 44 ||
	    sodium_base642bin(out, WG_KEY_LEN, b64, 44, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    n != WG_KEY_LEN) {
		sodium_memzero(out, WG_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

static int parse_dests(json_t *arr, struct kgw_ctl_request *req, char *err, size_t errlen)
{
	size_t i;
	json_t *d;

	if (!json_is_array(arr) || !json_array_size(arr))
		return fail(err, errlen, "`destinations' must be a non-empty array");
	json_array_foreach(arr, i, d) {
		const char *cidr = json_string_value(json_object_get(d, "cidr"));
		const char *ports = json_string_value(json_object_get(d, "ports"));
		int ret;

		if (!json_is_object(d) || !cidr || !ports || json_object_size(d) != 2)
			return fail(err, errlen, "destination %zu must be {\"cidr\":..., \"ports\":...}", i);
		ret = kgw_dest_parse(cidr, ports, req->dests, KGW_DEST_MAX, &req->n_dests);
		if (ret == -E2BIG)
			return fail(err, errlen, "more than %d destinations", KGW_DEST_MAX);
		if (ret) {
			char qc[48], qp[48];

			return fail(err, errlen, "bad destination `%s' ports `%s'",
				    printable(cidr, qc, sizeof(qc)),
				    printable(ports, qp, sizeof(qp)));
		}
	}
	return 0;
}

static int parse_authorize(json_t *o, struct kgw_ctl_request *req, char *err, size_t errlen)
{
	const char *user = json_string_value(json_object_get(o, "user"));
	const char *key = json_string_value(json_object_get(o, "public_key"));
	const char *th = json_string_value(json_object_get(o, "token_hash"));
	json_t *ttl = json_object_get(o, "ttl");

	if (!user || !kgw_ctl_valid_user(user))
		return fail(err, errlen, "`user' missing or not a valid user name");
	snprintf(req->user, sizeof(req->user), "%s", user);
	if (!key || parse_key(key, req->public_key))
		return fail(err, errlen, "`public_key' missing or not a base64 WireGuard key");
	req->has_public_key = true;
	if (!th || !is_hex(th, KGW_TOKEN_HASH_LEN))
		return fail(err, errlen, "`token_hash' missing or not %d lowercase hex digits", KGW_TOKEN_HASH_LEN);
	memcpy(req->token_hash, th, KGW_TOKEN_HASH_LEN + 1);
	if (!json_is_integer(ttl) || json_integer_value(ttl) < 1 ||
	    json_integer_value(ttl) > KGW_SESSION_TTL_MAX)
		return fail(err, errlen, "`ttl' must be an integer of seconds, 1..%d", KGW_SESSION_TTL_MAX);
	req->ttl = (uint32_t)json_integer_value(ttl);
	return parse_dests(json_object_get(o, "destinations"), req, err, errlen);
}

static int parse_revoke(json_t *o, struct kgw_ctl_request *req, char *err, size_t errlen)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	const char *key = json_string_value(json_object_get(o, "public_key"));

	if (!!id == !!key)
		return fail(err, errlen, "revoke takes exactly one of `id' and `public_key'");
	if (id) {
		if (!is_hex(id, KGW_SESSION_ID_LEN))
			return fail(err, errlen, "`id' is not a session id");
		memcpy(req->id, id, KGW_SESSION_ID_LEN + 1);
		req->has_id = true;
		return 0;
	}
	if (parse_key(key, req->public_key))
		return fail(err, errlen, "`public_key' is not a base64 WireGuard key");
	req->has_public_key = true;
	return 0;
}

/* Every member must be one this op knows: a typo is an error, not ignored. */
static int check_members(json_t *o, const char *const *allowed, char *err, size_t errlen)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		size_t i;

		for (i = 0; allowed[i] && strcmp(allowed[i], k); i++)
			;
		if (!allowed[i]) {
			char q[44];

			return fail(err, errlen, "unknown member `%s'", printable(k, q, sizeof(q)));
		}
	}
	return 0;
}

int kgw_ctl_parse(const char *line, size_t len, struct kgw_ctl_request *req, char *err, size_t errlen)
{
	static const char *const auth_keys[] = { "op", "user", "public_key", "ttl", "token_hash",
						 "destinations", NULL };
	static const char *const revoke_keys[] = { "op", "id", "public_key", NULL };
	static const char *const plain_keys[] = { "op", NULL };
	char quoted[sizeof(((json_error_t *)0)->text)];
	json_error_t jerr;
	const char *op;
	json_t *o;
	int ret = -EINVAL;
	size_t i;

	memset(req, 0, sizeof(*req));
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o)
		return fail(err, errlen, "not JSON: %s", printable(jerr.text, quoted, sizeof(quoted)));
	if (!json_is_object(o)) {
		fail(err, errlen, "a request is a JSON object");
		goto out;
	}
	op = json_string_value(json_object_get(o, "op"));
	for (i = 0; op && i < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[i].name, op); i++)
		;
	if (!op || i == sizeof(ops) / sizeof(ops[0])) {
		fail(err, errlen, "unknown or missing `op'");
		goto out;
	}
	req->op = ops[i].op;
	switch (req->op) {
	case KGW_CTL_AUTHORIZE:
		if (!(ret = check_members(o, auth_keys, err, errlen)))
			ret = parse_authorize(o, req, err, errlen);
		break;
	case KGW_CTL_REVOKE:
		if (!(ret = check_members(o, revoke_keys, err, errlen)))
			ret = parse_revoke(o, req, err, errlen);
		break;
	default:
		ret = check_members(o, plain_keys, err, errlen);
		break;
	}
out:
	json_decref(o);
	if (ret)
		memset(req, 0, sizeof(*req));
	return ret;
}

char *kgw_ctl_reply(json_t *reply)
{
	char *s;

	if (!reply)
		return NULL;
	s = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	return s;
}

char *kgw_ctl_error(const char *code, const char *message)
{
	return kgw_ctl_reply(json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code", code,
				       "message", message));
}
