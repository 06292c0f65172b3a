/* SPDX-License-Identifier: MIT */
/* Users: password hashes, enabled/expiry, and the lockout after failed logins. */
#ifndef KGW_STORE_USERS_H
#define KGW_STORE_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "password.h"
#include "store.h"

/* Consecutive failures before a lockout, and the first lockout's length. */
#define KGW_LOCKOUT_MAX_FAILURES_DEFAULT 5
#define KGW_LOCKOUT_SECONDS_DEFAULT 300
/* Each further lockout doubles, up to this (or the base, if longer). */
#define KGW_LOCKOUT_CAP_SECONDS 3600

struct kgw_user {
	char name[KGW_NAME_MAX + 1];
	bool enabled;
	bool has_password;
	bool otp_active;	/* a verified TOTP secret */
	bool otp_pending;	/* enrolled, waiting for its first code */
	int64_t created;
	int64_t expires;	/* 0: never */
	unsigned int failures;	/* consecutive, since the last success or lockout */
	unsigned int lockouts;	/* consecutive lockouts, since the last success */
	int64_t locked_until;	/* 0: not locked */
};

struct kgw_lockout_policy {
	unsigned int max_failures;
	unsigned int lockout;	/* seconds, the first time */
};

/* `password_hash' may be NULL: the user cannot log in until one is set. */
int kgw_store_user_add(struct kgw_store *store, const char *name, const char *password_hash,
		       int64_t now) __attribute__((warn_unused_result));
/* Deletes the user, their memberships and OTP secret; their live sessions are revoked. */
int kgw_store_user_del(struct kgw_store *store, const char *name, int64_t now)
	__attribute__((warn_unused_result));
int kgw_store_user_get(struct kgw_store *store, const char *name, struct kgw_user *out)
	__attribute__((warn_unused_result));
/* Calls fn for each user by name; a non-zero return from fn stops and is returned. */
int kgw_store_user_list(struct kgw_store *store,
			int (*fn)(const struct kgw_user *user, void *ctx), void *ctx)
	__attribute__((warn_unused_result));

/* -ENOENT for no such user, -ENODATA for a user without a password. */
int kgw_store_user_hash(struct kgw_store *store, const char *name,
			char out[static KGW_PASSWORD_HASH_MAX]) __attribute__((warn_unused_result));
int kgw_store_user_set_hash(struct kgw_store *store, const char *name, const char *password_hash)
	__attribute__((warn_unused_result));
int kgw_store_user_set_enabled(struct kgw_store *store, const char *name, bool enabled)
	__attribute__((warn_unused_result));
/* 0: never expires. */
int kgw_store_user_set_expires(struct kgw_store *store, const char *name, int64_t expires)
	__attribute__((warn_unused_result));

/* Enabled, and not past its expiry at `now'. */
bool kgw_user_usable(const struct kgw_user *user, int64_t now);

void kgw_lockout_policy_default(struct kgw_lockout_policy *p);
/* Length of the n-th consecutive lockout (n >= 1): base doubled n - 1 times, capped. */
unsigned int kgw_lockout_duration(unsigned int base, unsigned int n);
/* Is the user locked at `now'? When so, *until is the time it ends. */
bool kgw_user_locked(const struct kgw_user *user, int64_t now, int64_t *until);

/*
 * A failed login. Counts it and, at the policy's limit, locks the user
 * (returns 1, *until set); otherwise returns 0. A locked user's attempts
 * are not counted (the caller refuses them without checking anything).
 */
int kgw_store_auth_failed(struct kgw_store *store, const char *name, int64_t now,
			  const struct kgw_lockout_policy *policy, int64_t *until)
	__attribute__((warn_unused_result));
/* A login that passed every factor: clears the failure and lockout counts. */
int kgw_store_auth_succeeded(struct kgw_store *store, const char *name)
	__attribute__((warn_unused_result));
/* What an admin does: the same as a success. */
int kgw_store_user_unlock(struct kgw_store *store, const char *name)
	__attribute__((warn_unused_result));

#endif
