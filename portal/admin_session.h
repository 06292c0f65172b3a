/* SPDX-License-Identifier: MIT */
/*
 * Admin login sessions: a fixed table of {random id, CSRF token, user,
 * created, last seen}. A session ends after `idle' seconds without a
 * request or `lifetime' seconds after login, whichever comes first. Pure:
 * the caller passes the time (monotonic seconds), so tests drive it.
 *
 * The id is the cookie; it is found by comparing every slot in constant
 * time, so a lookup reveals nothing through timing. When the table is
 * full, the least recently used session goes: a flood of logins can log
 * out an admin, but never grow memory.
 */
#ifndef KGW_ADMIN_SESSION_H
#define KGW_ADMIN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portal_limits.h"

#define ADMIN_SESSION_ID_BYTES 32
/* URL-safe base64 without padding, and its NUL. */
#define ADMIN_SESSION_TOKEN_MAX 44

struct admin_session {
	bool used;
	char id[ADMIN_SESSION_TOKEN_MAX];
	char csrf[ADMIN_SESSION_TOKEN_MAX];
	char user[KGW_USER_NAME_MAX + 1];
	uint64_t created, last_seen;
};

struct admin_sessions;

struct admin_sessions *admin_sessions_new(size_t capacity, unsigned int idle,
					  unsigned int lifetime) __attribute__((warn_unused_result));
/* Wipes every session. */
void admin_sessions_free(struct admin_sessions *t);

/* A new session for `user'; NULL only for a bad name. Valid until the next call. */
const struct admin_session *admin_session_create(struct admin_sessions *t, const char *user,
						 uint64_t now) __attribute__((warn_unused_result));
/* The live session with this id, its idle clock restarted; NULL if none or expired. */
const struct admin_session *admin_session_find(struct admin_sessions *t, const char *id,
					       uint64_t now) __attribute__((warn_unused_result));
/* Ends the session with this id (logout); false if there was none. */
bool admin_session_end(struct admin_sessions *t, const char *id);
/* Ends every session of `user' (deleted or disabled); how many. */
unsigned int admin_session_end_user(struct admin_sessions *t, const char *user);
/* Live sessions (expired ones are dropped first). */
size_t admin_sessions_count(struct admin_sessions *t, uint64_t now);

/* Constant-time equality of two tokens (the CSRF check). NULL is never equal. */
bool admin_token_equal(const char *expected, const char *given) __attribute__((warn_unused_result));

#endif
