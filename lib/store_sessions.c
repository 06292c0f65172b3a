/* SPDX-License-Identifier: MIT */
/* Sessions: add, look up, list, and end them. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "store_internal.h"
#include "store_sessions.h"

#define SESSION_COLUMNS "id, user, public_key, address4, address6, created, expires," \
	" token_hash, revoked, ended"

void kgw_token_hash(const char *token, char out[static KGW_TOKEN_HASH_LEN + 1])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const uint8_t *)token, strlen(token));
	sodium_bin2hex(out, KGW_TOKEN_HASH_LEN + 1, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

bool kgw_session_live(const struct kgw_session *s, int64_t now)
{
	return !s->ended && !s->revoked && now < s->expires;
}

static bool hex_of_len(const char *s, size_t len)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == len;
}

static bool wg_key_valid(const char *b64)
{
	uint8_t key[32];
	size_t len = 0;
	int ok;

	ok = strlen(b64) == KGW_WG_KEY_B64_LEN &&
	     !sodium_base642bin(key, sizeof(key), b64, KGW_WG_KEY_B64_LEN, NULL, &len, NULL,
				sodium_base64_VARIANT_ORIGINAL) && len == sizeof(key);
	sodium_memzero(key, sizeof(key));
	return ok;
}

static bool address_valid(const char *a, sa_family_t family)
{
	struct kgw_cidr c;

	return !a[0] || (!kgw_cidr_parse(a, true, &c) && c.family == family);
}

static int check_session(struct kgw_store *store, const struct kgw_session *s)
{
	if (s->id[0] && !hex_of_len(s->id, KGW_SESSION_ID_LEN))
		return kgw_store_failf(store, -EINVAL, "session id is not %d hex digits",
				       KGW_SESSION_ID_LEN);
	if (!kgw_store_name_valid(s->user))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	if (!wg_key_valid(s->public_key))
		return kgw_store_failf(store, -EINVAL, "not a WireGuard public key");
	if (!address_valid(s->address4, AF_INET) || !address_valid(s->address6, AF_INET6))
		return kgw_store_failf(store, -EINVAL, "not a tunnel address");
	if (s->token_hash[0] && !hex_of_len(s->token_hash, KGW_TOKEN_HASH_LEN))
		return kgw_store_failf(store, -EINVAL, "token hash is not SHA-256 hex");
	if (s->created < 0 || s->expires <= s->created)
		return kgw_store_failf(store, -EINVAL, "session expires before it starts");
	return 0;
}

int kgw_store_session_add(struct kgw_store *store, struct kgw_session *s)
{
	uint8_t rnd[KGW_SESSION_ID_LEN / 2];
	sqlite3_stmt *stmt;
	int ret;

	ret = check_session(store, s);
	if (ret)
		return ret;
	if (!s->id[0]) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(s->id, sizeof(s->id), rnd, sizeof(rnd));
	}
	ret = kgw_store_prepare(store, "INSERT INTO sessions (" SESSION_COLUMNS ")"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, s->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, s->public_key, -1, SQLITE_STATIC);
	kgw_store_bind_text(stmt, 4, s->address4);
	kgw_store_bind_text(stmt, 5, s->address6);
	sqlite3_bind_int64(stmt, 6, s->created);
	sqlite3_bind_int64(stmt, 7, s->expires);
	kgw_store_bind_text(stmt, 8, s->token_hash);
	sqlite3_bind_int(stmt, 9, s->revoked);
	sqlite3_bind_int64(stmt, 10, s->ended);
	ret = kgw_store_step_done(store, stmt, "adding a session");
	if (ret == -EEXIST)
		kgw_store_failf(store, ret, "a session with that id or token exists");
	return ret;
}

static void session_from_row(sqlite3_stmt *stmt, struct kgw_session *s)
{
	memset(s, 0, sizeof(*s));
	kgw_store_column_text(stmt, 0, s->id, sizeof(s->id));
	kgw_store_column_text(stmt, 1, s->user, sizeof(s->user));
	kgw_store_column_text(stmt, 2, s->public_key, sizeof(s->public_key));
	kgw_store_column_text(stmt, 3, s->address4, sizeof(s->address4));
	kgw_store_column_text(stmt, 4, s->address6, sizeof(s->address6));
	s->created = sqlite3_column_int64(stmt, 5);
	s->expires = sqlite3_column_int64(stmt, 6);
	kgw_store_column_text(stmt, 7, s->token_hash, sizeof(s->token_hash));
	s->revoked = sqlite3_column_int(stmt, 8);
	s->ended = sqlite3_column_int64(stmt, 9);
}

static int get_one(struct kgw_store *store, const char *sql, const char *key,
		   struct kgw_session *out)
{
	sqlite3_stmt *stmt;
	int ret, rc;

	memset(out, 0, sizeof(*out));
	ret = kgw_store_prepare(store, sql, &stmt);
	if (ret)
		return ret;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		session_from_row(stmt, out);
	else if (rc == SQLITE_DONE)
		ret = kgw_store_failf(store, -ENOENT, "no such session");
	else
		ret = kgw_store_fail(store, rc, "reading a session");
	sqlite3_finalize(stmt);
	return ret;
}

int kgw_store_session_get(struct kgw_store *store, const char *id, struct kgw_session *out)
{
	if (!id || !hex_of_len(id, KGW_SESSION_ID_LEN))
		return kgw_store_failf(store, -EINVAL, "session id is not %d hex digits",
				       KGW_SESSION_ID_LEN);
	return get_one(store, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = ?", id, out);
}

int kgw_store_session_by_token(struct kgw_store *store, const char *token_hash,
			       struct kgw_session *out)
{
	if (!token_hash || !hex_of_len(token_hash, KGW_TOKEN_HASH_LEN))
		return kgw_store_failf(store, -EINVAL, "token hash is not SHA-256 hex");
	return get_one(store, "SELECT " SESSION_COLUMNS " FROM sessions WHERE token_hash = ?",
		       token_hash, out);
}

int kgw_store_session_list(struct kgw_store *store, const struct kgw_session_filter *filter,
			   int (*fn)(const struct kgw_session *s, void *ctx), void *ctx)
{
	struct kgw_session s;
	sqlite3_stmt *stmt;
	int ret, rc;

	if (filter->user && !kgw_store_name_valid(filter->user))
		return kgw_store_failf(store, -EINVAL, "not a valid user name");
	ret = kgw_store_prepare(store, "SELECT " SESSION_COLUMNS " FROM sessions"
				" WHERE (?1 IS NULL OR user = ?1)"
				" AND (?2 = 0 OR (ended = 0 AND revoked = 0 AND expires > ?3))"
				" ORDER BY created DESC, id", &stmt);
	if (ret)
		return ret;
	kgw_store_bind_text(stmt, 1, filter->user);
	sqlite3_bind_int(stmt, 2, filter->live_only);
	sqlite3_bind_int64(stmt, 3, filter->now);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		session_from_row(stmt, &s);
		ret = fn(&s, ctx);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = kgw_store_fail(store, rc, "listing sessions");
	sqlite3_finalize(stmt);
	return ret;
}

static int finish(struct kgw_store *store, const char *id, int64_t now, bool revoke)
{
	struct kgw_session s;
	sqlite3_stmt *stmt;
	int ret;

	ret = kgw_store_begin(store);
	if (ret)
		return ret;
	ret = kgw_store_session_get(store, id, &s);
	if (!ret && (s.ended || s.revoked))
		ret = kgw_store_failf(store, -EALREADY, "session %s has already ended", id);
	if (!ret)
		ret = kgw_store_prepare(store, "UPDATE sessions SET ended = ?, revoked = ?"
					" WHERE id = ?", &stmt);
	if (ret)
		return kgw_store_rollback(store, ret);
	/* A session past its expiry still gets its real end time recorded here. */
	sqlite3_bind_int64(stmt, 1, now > 0 ? now : 1);
	sqlite3_bind_int(stmt, 2, revoke);
	sqlite3_bind_text(stmt, 3, id, -1, SQLITE_STATIC);
	ret = kgw_store_step_done(store, stmt, "ending a session");
	if (ret)
		return kgw_store_rollback(store, ret);
	return kgw_store_commit(store);
}

int kgw_store_session_revoke(struct kgw_store *store, const char *id, int64_t now)
{
	return finish(store, id, now, true);
}

int kgw_store_session_end(struct kgw_store *store, const char *id, int64_t now)
{
	return finish(store, id, now, false);
}

int kgw_store_session_expire(struct kgw_store *store, int64_t now)
{
	sqlite3_stmt *stmt;
	int ret;

	ret = kgw_store_prepare(store, "UPDATE sessions SET ended = expires"
				" WHERE ended = 0 AND revoked = 0 AND expires <= ?", &stmt);
	if (ret)
		return ret;
	sqlite3_bind_int64(stmt, 1, now);
	ret = kgw_store_step_done(store, stmt, "expiring sessions");
	return ret ? ret : sqlite3_changes(store->db);
}
