/* SPDX-License-Identifier: MIT */
/*
 * The sliding replay window on data message counters: 8192 bits, as in
 * the kernel's counter.c (RFC 6479's scheme): a ring of 64-bit words, of
 * which the one being entered is cleared, so the window really holds
 * COUNTER_WINDOW_SIZE counters behind the newest.
 */
#ifndef KGW_WG_REPLAY_H
#define KGW_WG_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

struct wg_replay {
	uint64_t counter;	/* the greatest counter seen, plus one */
	uint64_t backtrack[COUNTER_BITS_TOTAL / 64];
};

void wg_replay_init(struct wg_replay *r);
/* true when `counter' is new and may be accepted; it is then marked seen. */
bool wg_replay_check(struct wg_replay *r, uint64_t counter);

#endif
