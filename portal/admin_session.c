/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin_session.h"

struct admin_sessions {
	size_t capacity;
	unsigned int idle, lifetime;
	struct admin_session *s;
};

struct admin_sessions *admin_sessions_new(size_t capacity, unsigned int idle,
					  unsigned int lifetime)
{
	struct admin_sessions *t = calloc(1, sizeof(*t));

	if (!t || !capacity || !(t->s = calloc(capacity, sizeof(*t->s)))) {
		free(t);
		return NULL;
	}
	t->capacity = capacity;
	t->idle = idle;
	t->lifetime = lifetime;
	return t;
}

void admin_sessions_free(struct admin_sessions *t)
{
	if (!t)
		return;
	sodium_memzero(t->s, t->capacity * sizeof(*t->s));
	free(t->s);
	free(t);
}

static void drop(struct admin_session *s)
{
	sodium_memzero(s, sizeof(*s));
}

static bool expired(const struct admin_sessions *t, const struct admin_session *s, uint64_t now)
{
	return now >= s->last_seen + t->idle || now >= s->created + t->lifetime;
}

static void random_token(char out[static ADMIN_SESSION_TOKEN_MAX])
{
	uint8_t raw[ADMIN_SESSION_ID_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, ADMIN_SESSION_TOKEN_MAX, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

const struct admin_session *admin_session_create(struct admin_sessions *t, const char *user,
						 uint64_t now)
{
	struct admin_session *slot = NULL;

	if (!user[0] || strlen(user) > KGW_USER_NAME_MAX)
		return NULL;
	for (size_t i = 0; i < t->capacity; i++) {
		struct admin_session *s = &t->s[i];

		if (s->used && expired(t, s, now))
			drop(s);
		if (!s->used) {
			slot = s;
			break;
		}
		if (!slot || s->last_seen < slot->last_seen)
			slot = s;
	}
	if (!slot)
		return NULL;
	drop(slot);
	slot->used = true;
	random_token(slot->id);
	random_token(slot->csrf);
	strcpy(slot->user, user);
	slot->created = slot->last_seen = now;
	return slot;
}

bool admin_token_equal(const char *expected, const char *given)
{
	size_t n;

	if (!expected || !given)
		return false;
	n = strlen(expected);
	/* The length of our own tokens is no secret; their bytes are. */
	return n && strlen(given) == n && !sodium_memcmp(expected, given, n);
}

/* Every slot is compared, found or not, so the time says nothing. */
static struct admin_session *lookup(struct admin_sessions *t, const char *id)
{
	struct admin_session *found = NULL;

	for (size_t i = 0; i < t->capacity; i++) {
		if (admin_token_equal(t->s[i].id, id) && t->s[i].used)
			found = &t->s[i];
	}
	return found;
}

const struct admin_session *admin_session_find(struct admin_sessions *t, const char *id,
					       uint64_t now)
{
	struct admin_session *s = lookup(t, id);

	if (!s)
		return NULL;
	if (expired(t, s, now)) {
		drop(s);
		return NULL;
	}
	s->last_seen = now;
	return s;
}

bool admin_session_end(struct admin_sessions *t, const char *id)
{
	struct admin_session *s = lookup(t, id);

	if (s)
		drop(s);
	return s != NULL;
}

unsigned int admin_session_end_user(struct admin_sessions *t, const char *user)
{
	unsigned int n = 0;

	for (size_t i = 0; i < t->capacity; i++) {
		if (t->s[i].used && !strcmp(t->s[i].user, user)) {
			drop(&t->s[i]);
			n++;
		}
	}
	return n;
}

size_t admin_sessions_count(struct admin_sessions *t, uint64_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < t->capacity; i++) {
		if (t->s[i].used && expired(t, &t->s[i], now))
			drop(&t->s[i]);
		n += t->s[i].used;
	}
	return n;
}
