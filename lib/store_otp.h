/* SPDX-License-Identifier: MIT */
/*
 * TOTP secrets. Enrolment stores a pending secret; the first code verified
 * against it makes it the active one (replacing any older active secret),
 * so a user is never left with a secret their app does not have. Logins
 * use the active secret only. The last accepted time step is kept with it
 * so a code is accepted once.
 */
#ifndef KGW_STORE_OTP_H
#define KGW_STORE_OTP_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "totp.h"

struct kgw_otp_secret {
	uint8_t key[KGW_TOTP_SECRET_MAX];
	size_t len;
	uint64_t last_counter;	/* last accepted time step; 0: none */
};

/* Stores a pending secret for the user, replacing any earlier pending one. */
int kgw_store_otp_set_pending(struct kgw_store *store, const char *user, const uint8_t *key,
			      size_t len, int64_t now) __attribute__((warn_unused_result));
/* -ENOENT: no such user or none active / pending. The caller wipes *out. */
int kgw_store_otp_get_active(struct kgw_store *store, const char *user,
			     struct kgw_otp_secret *out) __attribute__((warn_unused_result));
int kgw_store_otp_get_pending(struct kgw_store *store, const char *user,
			      struct kgw_otp_secret *out) __attribute__((warn_unused_result));
/*
 * Makes the pending secret active, with `counter' (the step of the code
 * that proved it) as the last accepted step. -ENOENT when none is pending.
 */
int kgw_store_otp_activate(struct kgw_store *store, const char *user, uint64_t counter)
	__attribute__((warn_unused_result));
/*
 * Records an accepted step for the active secret, atomically: 0 when
 * `counter' is newer than the last accepted one, -EALREADY when it is not
 * (a replay, possibly by a concurrent login with the same code).
 */
int kgw_store_otp_accept(struct kgw_store *store, const char *user, uint64_t counter)
	__attribute__((warn_unused_result));
/* Forgets both secrets. -ENOENT when the user had none. */
int kgw_store_otp_reset(struct kgw_store *store, const char *user)
	__attribute__((warn_unused_result));

#endif
