/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "wg_replay.h"

enum { WORDS = COUNTER_BITS_TOTAL / 64 };

void wg_replay_init(struct wg_replay *r)
{
	memset(r, 0, sizeof(*r));
}

bool wg_replay_check(struct wg_replay *r, uint64_t counter)
{
	uint64_t index, current, top, bit;

	if (r->counter >= REJECT_AFTER_MESSAGES + 1 || counter >= REJECT_AFTER_MESSAGES)
		return false;
	/* Shifted by one so that counter 0 is distinct from "nothing seen". */
	counter++;
	if (counter + COUNTER_WINDOW_SIZE < r->counter)
		return false;	/* too old: behind the window */
	index = counter >> 6;
	if (counter > r->counter) {
		/* Moving forward: clear the words we pass over (all of them at most). */
		current = r->counter >> 6;
		top = index - current < WORDS ? index - current : WORDS;
		for (uint64_t i = 1; i <= top; i++)
			r->backtrack[(current + i) & (WORDS - 1)] = 0;
		r->counter = counter;
	}
	bit = 1ULL << (counter & 63);
	index &= WORDS - 1;
	if (r->backtrack[index] & bit)
		return false;
	r->backtrack[index] |= bit;
	return true;
}
