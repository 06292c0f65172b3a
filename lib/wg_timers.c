/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "wg_timers.h"

#define SEC 1000ULL
#define OFF UINT64_MAX

static void arm(struct wg_timers *t, enum wg_timer_id id, uint64_t at)
{
	t->deadline[id] = at;
}

static bool armed(const struct wg_timers *t, enum wg_timer_id id)
{
	return t->deadline[id] != OFF;
}

void wg_timers_init(struct wg_timers *t)
{
	for (int i = 0; i < WG_T_COUNT; i++)
		t->deadline[i] = OFF;
	t->handshake_attempts = 0;
	t->need_another_keepalive = false;
	t->persistent_keepalive = 0;
	t->jitter_ms = 0;
}

void wg_timers_reseed(struct wg_timers *t, uint32_t random)
{
	t->jitter_ms = random % REKEY_TIMEOUT_JITTER_MAX_MS;
}

uint64_t wg_timers_next_deadline(const struct wg_timers *t)
{
	uint64_t d = OFF;

	for (int i = 0; i < WG_T_COUNT; i++)
		if (t->deadline[i] < d)
			d = t->deadline[i];
	return d;
}

static bool due(struct wg_timers *t, enum wg_timer_id id, uint64_t now_ms)
{
	if (t->deadline[id] > now_ms)
		return false;
	t->deadline[id] = OFF;
	return true;
}

unsigned int wg_timers_expire(struct wg_timers *t, uint64_t now_ms, uint32_t random)
{
	unsigned int act = 0;

	wg_timers_reseed(t, random);
	if (due(t, WG_T_RETRANSMIT_HANDSHAKE, now_ms)) {
		if (t->handshake_attempts > MAX_TIMER_HANDSHAKES) {
			/* Give up; keys go after a while unless something new happens. */
			act |= WG_TIMER_GIVE_UP_HANDSHAKE;
			t->deadline[WG_T_SEND_KEEPALIVE] = OFF;
			if (!armed(t, WG_T_ZERO_KEY_MATERIAL))
				arm(t, WG_T_ZERO_KEY_MATERIAL, now_ms + REJECT_AFTER_TIME * 3 * SEC);
		} else {
			t->handshake_attempts++;
			act |= WG_TIMER_SEND_HANDSHAKE_INITIATION;
		}
	}
	if (due(t, WG_T_SEND_KEEPALIVE, now_ms)) {
		act |= WG_TIMER_SEND_KEEPALIVE;
		if (t->need_another_keepalive) {
			t->need_another_keepalive = false;
			arm(t, WG_T_SEND_KEEPALIVE, now_ms + KEEPALIVE_TIMEOUT * SEC);
		}
	}
	if (due(t, WG_T_NEW_HANDSHAKE, now_ms))
		act |= WG_TIMER_NEW_HANDSHAKE;
	if (due(t, WG_T_ZERO_KEY_MATERIAL, now_ms))
		act |= WG_TIMER_ZERO_KEYS;
	if (due(t, WG_T_PERSISTENT_KEEPALIVE, now_ms) && t->persistent_keepalive)
		act |= WG_TIMER_SEND_PERSISTENT_KEEPALIVE;
	return act;
}

/* We sent data: if we hear nothing back in time, start a new handshake. */
void wg_timers_data_sent(struct wg_timers *t, uint64_t now_ms)
{
	if (!armed(t, WG_T_NEW_HANDSHAKE))
		arm(t, WG_T_NEW_HANDSHAKE, now_ms + (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT) * SEC + t->jitter_ms);
}

/* We received data: answer with a keepalive unless we send something anyway. */
void wg_timers_data_received(struct wg_timers *t, uint64_t now_ms)
{
	if (!armed(t, WG_T_SEND_KEEPALIVE))
		arm(t, WG_T_SEND_KEEPALIVE, now_ms + KEEPALIVE_TIMEOUT * SEC);
	else
		t->need_another_keepalive = true;
}

void wg_timers_any_authenticated_packet_sent(struct wg_timers *t, uint64_t now_ms)
{
	(void)now_ms;
	t->deadline[WG_T_SEND_KEEPALIVE] = OFF;
}

void wg_timers_any_authenticated_packet_received(struct wg_timers *t, uint64_t now_ms)
{
	(void)now_ms;
	t->deadline[WG_T_NEW_HANDSHAKE] = OFF;
}

void wg_timers_any_authenticated_packet_traversal(struct wg_timers *t, uint64_t now_ms)
{
	if (t->persistent_keepalive)
		arm(t, WG_T_PERSISTENT_KEEPALIVE, now_ms + t->persistent_keepalive * SEC);
}

void wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now_ms, bool is_retry)
{
	if (!is_retry)
		t->handshake_attempts = 0;
	arm(t, WG_T_RETRANSMIT_HANDSHAKE, now_ms + REKEY_TIMEOUT * SEC + t->jitter_ms);
}

void wg_timers_handshake_complete(struct wg_timers *t, uint64_t now_ms)
{
	(void)now_ms;
	t->deadline[WG_T_RETRANSMIT_HANDSHAKE] = OFF;
	t->handshake_attempts = 0;
}

/* Keys die at 3 x REJECT_AFTER_TIME unless a new session replaces them. */
void wg_timers_session_derived(struct wg_timers *t, uint64_t now_ms)
{
	arm(t, WG_T_ZERO_KEY_MATERIAL, now_ms + REJECT_AFTER_TIME * 3 * SEC);
}

void wg_timers_persistent_keepalive_changed(struct wg_timers *t, uint16_t interval, uint64_t now_ms)
{
	t->persistent_keepalive = interval;
	if (!interval)
		t->deadline[WG_T_PERSISTENT_KEEPALIVE] = OFF;
	else
		arm(t, WG_T_PERSISTENT_KEEPALIVE, now_ms + interval * SEC);
}

bool wg_timers_keypair_expired(uint64_t created_ms, uint64_t now_ms)
{
	return now_ms >= created_ms + REJECT_AFTER_TIME * SEC;
}

bool wg_timers_should_rekey(bool initiator, uint64_t created_ms, uint64_t now_ms, uint64_t send_counter)
{
	return send_counter > REKEY_AFTER_MESSAGES ||
	       (initiator && now_ms >= created_ms + REKEY_AFTER_TIME * SEC);
}

/* The initiator renews before the responder's keys would be refused. */
bool wg_timers_should_rekey_on_receive(bool initiator, uint64_t created_ms, uint64_t now_ms)
{
	return initiator &&
	       now_ms >= created_ms + (REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) * SEC;
}
