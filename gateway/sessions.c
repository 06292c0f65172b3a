/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "sessions.h"
#include "store.h"
#include "store_groups.h"
#include "store_sessions.h"

struct kgwd_session {
	struct kgwd_sessions *t;
	struct kgwd_session *next, *prev;	/* t->list */
	struct kgw_hnode by_key, by_id;
	char id[KGW_SESSION_ID_LEN + 1];
	char user[KGW_USER_MAX + 1];
	char token_hash[KGW_TOKEN_HASH_LEN + 1];
	uint8_t public_key[WG_KEY_LEN];
	uint32_t host;
	struct kgw_cidr addr[2];
	int64_t created, expires;
	struct kgw_dest *dests;
	struct kgwd_peer_policy policy;
	/*
	 * Two clocks end a session, whichever fires first: the timer runs on
	 * the monotonic clock for the session's length (a wall clock set back
	 * does not make it live longer), the periodic at `expires' on the wall
	 * clock (set forward past it, the session ends at once, as the store,
	 * the client and a restarted kgwd all read `expires' as wall time).
	 */
	ev_timer expiry;
	ev_periodic expiry_wall;
};

void kgwd_sessions_init(struct kgwd_sessions *t, struct ev_loop *loop, struct kgwd_backend *backend,
			struct kgw_pool *pool, struct kgw_store *store)
{
	memset(t, 0, sizeof(*t));
	t->loop = loop;
	t->backend = backend;
	t->pool = pool;
	t->store = store;
	t->endpoint = "";
	randombytes_buf(t->hash_key, sizeof(t->hash_key));
}

static uint64_t hash(const struct kgwd_sessions *t, const void *p, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, p, len, t->hash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}

static void changed(struct kgwd_sessions *t, const struct kgwd_session *s, bool added)
{
	if (t->changed)
		t->changed(t->changed_ctx, s, added);
}

/*
 * Takes the session out of the table and its peer off the tunnel; with
 * `notify', the policy hears of it in between.
 */
static void session_drop(struct kgwd_session *s, bool notify)
{
	struct kgwd_sessions *t = s->t;

	if (s->prev)
		s->prev->next = s->next;
	else
		t->list = s->next;
	if (s->next)
		s->next->prev = s->prev;
	kgw_htable_remove(&t->by_key, &s->by_key);
	kgw_htable_remove(&t->by_id, &s->by_id);
	t->count--;
	if (notify)
		changed(t, s, false);
	ev_timer_stop(t->loop, &s->expiry);
	ev_periodic_stop(t->loop, &s->expiry_wall);
	t->backend->ops->remove_peer(t->backend, s->public_key);
	kgw_pool_release(t->pool, s->host);
	free(s->dests);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* Called when either clock says the session is over. */
static void session_expire(struct kgwd_session *s)
{
	struct kgwd_sessions *t = s->t;
	int64_t now = (int64_t)time(NULL);
	char id[sizeof(s->id)];
	int ret;

	kgw_info("session %s of %s expired", s->id, s->user);
	memcpy(id, s->id, sizeof(id));
	t->expired++;
	session_drop(s, true);
	/*
	 * Ended by its id, not by `expires <= now': after the wall clock was
	 * set back the monotonic timer fires while `expires' is still ahead,
	 * and a row left live would be restored by the next kgwd.
	 */
	if (t->store && (ret = kgw_store_session_end(t->store, id, now)) && ret != -EALREADY)
		kgw_err("store: cannot mark session %s expired: %s", id, kgw_store_error(t->store));
	if (t->store && kgw_store_session_expire(t->store, now) < 0)
		kgw_err("store: cannot mark sessions expired: %s", kgw_store_error(t->store));
}

static void expiry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	session_expire(w->data);
}

static void expiry_wall_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	(void)loop;
	(void)revents;
	session_expire(w->data);
}

static struct kgwd_session *find_key(struct kgwd_sessions *t, const uint8_t key[WG_KEY_LEN])
{
	uint64_t h = hash(t, key, WG_KEY_LEN);
	struct kgw_hnode *pos;

	if (!t->by_key.buckets)
		return NULL;
	kgw_htable_for_each_hash(&t->by_key, pos, h) {
		struct kgwd_session *s = kgw_container_of(pos, struct kgwd_session, by_key);

		if (!sodium_memcmp(s->public_key, key, WG_KEY_LEN))
			return s;
	}
	return NULL;
}

static struct kgwd_session *find_id(struct kgwd_sessions *t, const char *id)
{
	uint64_t h = hash(t, id, strlen(id));
	struct kgw_hnode *pos;

	if (!t->by_id.buckets)
		return NULL;
	kgw_htable_for_each_hash(&t->by_id, pos, h) {
		struct kgwd_session *s = kgw_container_of(pos, struct kgwd_session, by_id);

		if (!strcmp(s->id, id))
			return s;
	}
	return NULL;
}

/* Puts a prepared session on the tunnel and arms its expiry. */
static int session_start(struct kgwd_sessions *t, struct kgwd_session *s, int64_t now)
{
	int ret;

	s->t = t;
	s->policy.dests = s->dests;
	if ((!t->by_key.buckets && kgw_htable_init(&t->by_key, 64)) ||
	    (!t->by_id.buckets && kgw_htable_init(&t->by_id, 64)))
		return -ENOMEM;
	ret = t->backend->ops->add_peer(t->backend, s->public_key, s->addr, 2, &s->policy);
	if (ret)
		return ret;
	ev_timer_init(&s->expiry, expiry_cb, (double)(s->expires > now ? s->expires - now : 0), 0.0);
	s->expiry.data = s;
	ev_timer_start(t->loop, &s->expiry);
	ev_periodic_init(&s->expiry_wall, expiry_wall_cb, (double)s->expires, 0.0, NULL);
	s->expiry_wall.data = s;
	ev_periodic_start(t->loop, &s->expiry_wall);
	s->prev = NULL;
	s->next = t->list;
	if (t->list)
		t->list->prev = s;
	t->list = s;
	kgw_htable_insert(&t->by_key, &s->by_key, hash(t, s->public_key, WG_KEY_LEN));
	kgw_htable_insert(&t->by_id, &s->by_id, hash(t, s->id, strlen(s->id)));
	t->count++;
	return 0;
}

static int persist(struct kgwd_sessions *t, const struct kgwd_session *s)
{
	struct kgw_session row = { .created = s->created, .expires = s->expires };
	size_t n;

	if (!t->store)
		return 0;
	memcpy(row.id, s->id, sizeof(row.id));
	snprintf(row.user, sizeof(row.user), "%s", s->user);
	sodium_bin2base64(row.public_key, sizeof(row.public_key), s->public_key, WG_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
	kgw_cidr_format(&s->addr[0], row.address4);
	kgw_cidr_format(&s->addr[1], row.address6);
	n = strlen(s->token_hash);
	memcpy(row.token_hash, s->token_hash, n + 1);
	return kgw_store_session_add(t->store, &row);
}

struct kgwd_session *kgwd_sessions_authorize(struct kgwd_sessions *t, const struct kgw_ctl_request *req,
					     int64_t now, const char **code)
{
	struct kgwd_session *s;
	uint8_t rnd[KGW_SESSION_ID_LEN / 2];
	bool stored;
	int ret;

	if (find_key(t, req->public_key)) {
		*code = "conflict";
		return NULL;
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->dests = calloc(req->n_dests, sizeof(*s->dests)))) {
		free(s);
		*code = "internal";
		return NULL;
	}
	if (kgw_pool_alloc(t->pool, &s->host)) {
		free(s->dests);
		free(s);
		*code = "pool_exhausted";
		return NULL;
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(s->id, sizeof(s->id), rnd, sizeof(rnd));
	memcpy(s->user, req->user, sizeof(s->user));
	memcpy(s->token_hash, req->token_hash, sizeof(s->token_hash));
	memcpy(s->public_key, req->public_key, WG_KEY_LEN);
	kgw_pool_addr(t->pool, s->host, &s->addr[0], &s->addr[1]);
	memcpy(s->dests, req->dests, req->n_dests * sizeof(*s->dests));
	s->policy.n_dests = req->n_dests;
	s->created = now;
	s->expires = now + req->ttl;
	/* Stored first: a session kgwd cannot restore must not exist. */
	ret = persist(t, s);
	stored = !ret && t->store;
	if (ret || (ret = session_start(t, s, now))) {
		kgw_err("authorize %s: %s", req->user, stored || !t->store ? strerror(-ret)
									 : kgw_store_error(t->store));
		if (stored && kgw_store_session_end(t->store, s->id, now))
			kgw_err("store: cannot end session %s", s->id);
		kgw_pool_release(t->pool, s->host);
		free(s->dests);
		free(s);
		*code = "internal";
		return NULL;
	}
	t->authorized++;
	kgw_info("session %s: %s authorized until %lld", s->id, s->user, (long long)s->expires);
	changed(t, s, true);
	return s;
}

int kgwd_sessions_revoke(struct kgwd_sessions *t, const struct kgw_ctl_request *req, int64_t now)
{
	struct kgwd_session *s = req->has_id ? find_id(t, req->id) : find_key(t, req->public_key);
	int ret;

	if (!s)
		return -ENOENT;
	kgw_info("session %s of %s revoked", s->id, s->user);
	if (t->store && (ret = kgw_store_session_revoke(t->store, s->id, now)) && ret != -EALREADY)
		kgw_err("store: cannot record the revocation of %s: %s", s->id, kgw_store_error(t->store));
	t->revoked++;
	session_drop(s, true);
	return 0;
}

void kgwd_sessions_free(struct kgwd_sessions *t)
{
	while (t->list)
		session_drop(t->list, false);
	kgw_htable_free(&t->by_key);
	kgw_htable_free(&t->by_id);
	sodium_memzero(t->hash_key, sizeof(t->hash_key));
}

struct restore_ctx {
	struct kgwd_sessions *t;
	int64_t now;
	int restored;
};

/* One stored session back on the tunnel, with its user's current access. */
static int restore_one(const struct kgw_session *row, void *ctx)
{
	struct restore_ctx *rc = ctx;
	struct kgwd_sessions *t = rc->t;
	struct kgwd_session *s = calloc(1, sizeof(*s));
	struct kgw_cidr a4;
	size_t n = 0, klen;
	int ret = -EINVAL;

	if (!s)
		return -ENOMEM;
	if (sodium_base642bin(s->public_key, WG_KEY_LEN, row->public_key, strlen(row->public_key), NULL,
			      &klen, NULL, sodium_base64_VARIANT_ORIGINAL) || klen != WG_KEY_LEN ||
	    kgw_cidr_parse(row->address4, true, &a4) || kgw_pool_take(t->pool, &a4, &s->host))
		goto skip;
	if (kgw_store_user_destinations(t->store, row->user, &s->dests, &n) || !n)
		goto release;
	memcpy(s->id, row->id, sizeof(s->id));
	snprintf(s->user, sizeof(s->user), "%s", row->user);
	snprintf(s->token_hash, sizeof(s->token_hash), "%s", row->token_hash);
	kgw_pool_addr(t->pool, s->host, &s->addr[0], &s->addr[1]);
	s->policy.n_dests = n;
	s->created = row->created;
	s->expires = row->expires;
	if ((ret = session_start(t, s, rc->now)))
		goto release;
	rc->restored++;
	return 0;
release:
	kgw_pool_release(t->pool, s->host);
skip:
	/* A session that cannot come back is ended, not left half-alive. */
	kgw_warn("session %s of %s cannot be restored; ending it", row->id, row->user);
	if (kgw_store_session_end(t->store, row->id, rc->now))
		kgw_err("store: cannot end session %s", row->id);
	free(s->dests);
	free(s);
	return 0;
}

int kgwd_sessions_restore(struct kgwd_sessions *t, int64_t now)
{
	struct kgw_session_filter f = { .live_only = true, .now = now };
	struct restore_ctx rc = { .t = t, .now = now };
	int ret;

	if (!t->store)
		return 0;
	if (kgw_store_session_expire(t->store, now) < 0)
		kgw_warn("store: cannot end expired sessions: %s", kgw_store_error(t->store));
	ret = kgw_store_session_list(t->store, &f, restore_one, &rc);
	if (ret < 0)
		return ret;
	t->restored += (uint64_t)rc.restored;
	if (rc.restored)
		changed(t, NULL, false);
	return rc.restored;
}

static json_t *dests_json(const struct kgw_dest *d, size_t n, bool routes_only)
{
	json_t *a = json_array();
	char cidr[KGW_ADDR_STR_MAX], ports[12];

	for (size_t i = 0; a && i < n; i++) {
		kgw_cidr_format(&d[i].cidr, cidr);
		if (routes_only) {
			bool seen = false;

			for (size_t j = 0; j < i; j++)
				seen |= !memcmp(&d[j].cidr, &d[i].cidr, sizeof(d[i].cidr));
			if (!seen)
				json_array_append_new(a, json_string(cidr));
			continue;
		}
		kgw_dest_format_ports(&d[i], ports);
		json_array_append_new(a, json_pack("{s:s, s:s}", "cidr", cidr, "ports", ports));
	}
	return a;
}

json_t *kgwd_session_json(struct kgwd_sessions *t, const struct kgwd_session *s, bool with_stats)
{
	char a4[KGW_ADDR_STR_MAX], a6[KGW_ADDR_STR_MAX], key[48], gwkey[48];
	struct kgwd_peer_stats st;
	json_t *o;

	kgw_cidr_format(&s->addr[0], a4);
	kgw_cidr_format(&s->addr[1], a6);
	sodium_bin2base64(key, sizeof(key), s->public_key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(gwkey, sizeof(gwkey), t->backend->public_key, WG_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:i, s:i, s:o, s:o}",
		      "id", s->id, "user", s->user, "public_key", key, "address", a4, "address6", a6,
		      "created", (json_int_t)s->created, "expires", (json_int_t)s->expires,
		      "gateway_public_key", gwkey, "endpoint", t->endpoint,
		      "listen_port", (int)t->backend->listen_port, "keepalive", (int)t->keepalive,
		      "routes", dests_json(s->dests, s->policy.n_dests, true),
		      "destinations", dests_json(s->dests, s->policy.n_dests, false));
	if (o && with_stats && !t->backend->ops->peer_stats(t->backend, s->public_key, &st)) {
		json_object_set_new(o, "last_handshake", json_integer((json_int_t)st.last_handshake.tv_sec));
		json_object_set_new(o, "rx_bytes", json_integer((json_int_t)st.rx_bytes));
		json_object_set_new(o, "tx_bytes", json_integer((json_int_t)st.tx_bytes));
		json_object_set_new(o, "policy_drops", json_integer((json_int_t)st.policy_drops));
	}
	return o;
}

json_t *kgwd_sessions_json(struct kgwd_sessions *t)
{
	json_t *a = json_array();

	for (const struct kgwd_session *s = t->list; a && s; s = s->next)
		json_array_append_new(a, kgwd_session_json(t, s, true));
	return a;
}

const struct kgwd_session *kgwd_sessions_first(const struct kgwd_sessions *t) { return t->list; }
const struct kgwd_session *kgwd_session_next(const struct kgwd_session *s) { return s->next; }
const struct kgw_cidr *kgwd_session_addr(const struct kgwd_session *s, int i) { return &s->addr[i]; }

const struct kgw_dest *kgwd_session_dests(const struct kgwd_session *s, size_t *n)
{
	*n = s->policy.n_dests;
	return s->dests;
}
