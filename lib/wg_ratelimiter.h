/* SPDX-License-Identifier: MIT */
/*
 * Under load, handshake messages are admitted per source address through a
 * token bucket (the kernel's ratelimiter.c): RATELIMIT_PACKETS_PER_SECOND
 * with a burst of RATELIMIT_PACKETS_BURSTABLE; IPv6 sources count by /64,
 * since one host may own all of one. The table has a fixed size, so a
 * flood from many sources cannot grow it: when full, new sources wait.
 *
 * Grace: under load, an initiation without a cookie normally gets only a
 * cookie reply, and a real initiator uses the cookie when it retries, after
 * REKEY_TIMEOUT (5 s). A source silent for a second before it (a new one,
 * or a peer retrying) is instead served without a cookie, at most once per
 * REKEY_TIMEOUT and within a device-wide budget of
 * RATELIMIT_GRACE_PER_SECOND. A flood's sources are never silent, so a peer
 * that connects during a flood from busy sources gets its session at once;
 * a flood from ever-new (spoofed) sources costs at most that budget in DH
 * operations a second, and beyond it everyone gets a cookie, as without
 * grace.
 */
#ifndef KGW_WG_RATELIMITER_H
#define KGW_WG_RATELIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "htable.h"

struct wg_ratelimiter_entry;

struct wg_ratelimiter {
	struct wg_ratelimiter_entry *pool, *free_list;
	struct kgw_htable table;
	size_t size;
	uint64_t grace_last_ns, grace_tokens;	/* the device-wide grace budget */
	uint8_t key[16];	/* siphash key: sources cannot aim at a bucket */
};

int wg_ratelimiter_init(struct wg_ratelimiter *rl, size_t entries, const uint8_t key[static 16])
	__attribute__((warn_unused_result));
void wg_ratelimiter_free(struct wg_ratelimiter *rl);
bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, sa_family_t family, const uint8_t *addr, uint64_t now_ns);
/* Whether this cookie-less handshake message may be handled (see above). */
bool wg_ratelimiter_grace(struct wg_ratelimiter *rl, sa_family_t family, const uint8_t *addr, uint64_t now_ns);
/* Forget sources idle for a second; call about once a second. */
void wg_ratelimiter_gc(struct wg_ratelimiter *rl, uint64_t now_ns);

#endif
