/* SPDX-License-Identifier: MIT */
/*
 * Failed-login throttling, per source address (IPv6 by /64) and per user
 * name. Pure: the caller passes the time (monotonic seconds). Memory is
 * fixed at creation: when a table is full the least recently seen entry
 * that is not blocking anyone goes, so an attacker cannot grow it.
 *
 * Source: at most source_max_failures failures in a window of source_window
 * seconds from the first; then blocked until the window ends.
 * User (ASCII case folded): after user_max_failures consecutive failures,
 * locked for user_lockout seconds, doubled for each further failure; a
 * success clears it, and a day without failures forgets it.
 *
 * An attempt counts as a failure from the moment it begins, so a burst of
 * parallel guesses is cut off before any of them has finished; a success
 * (or an attempt that never ran) takes it back.
 */
#ifndef KGW_THROTTLE_H
#define KGW_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct kgw_throttle_config {
	unsigned int source_max_failures;
	unsigned int source_window;
	unsigned int user_max_failures;
	unsigned int user_lockout;
};

struct kgw_throttle;

/* `hash_key' (16 bytes) seeds the tables' hashing; NULL picks a random one. */
struct kgw_throttle *kgw_throttle_new(const struct kgw_throttle_config *cfg, size_t capacity,
				      const uint8_t *hash_key) __attribute__((warn_unused_result));
void kgw_throttle_free(struct kgw_throttle *t);

/*
 * Before a login attempt by `user' (NULL: none) from `src'. Returns 0 and
 * counts the attempt as a failure, or returns the seconds to wait
 * (Retry-After, at least 1) and counts nothing. A failed attempt needs no
 * further call.
 */
unsigned int kgw_throttle_begin(struct kgw_throttle *t, const union kgw_sockaddr *src,
				const char *user, uint64_t now) __attribute__((warn_unused_result));
/* The attempt succeeded: the user's failures are cleared, the source's taken back. */
void kgw_throttle_success(struct kgw_throttle *t, const union kgw_sockaddr *src,
			  const char *user, uint64_t now);
/* The attempt never ran (no worker free): as if it had not begun. */
void kgw_throttle_cancel(struct kgw_throttle *t, const union kgw_sockaddr *src,
			 const char *user, uint64_t now);

/* Entries in use, sources plus users (for tests). */
size_t kgw_throttle_size(const struct kgw_throttle *t);

#endif
