/* SPDX-License-Identifier: MIT */
/*
 * The per-peer timers of the WireGuard paper (6.1 - 6.5) and the kernel's
 * timers.c, as pure state: events record the time, wg_timers_expire()
 * says which deadlines have passed and what to do about them, and
 * wg_timers_next_deadline() tells the driver when to call again.
 */
#ifndef KGW_WG_TIMERS_H
#define KGW_WG_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

enum wg_timer_id {
	WG_T_RETRANSMIT_HANDSHAKE,
	WG_T_SEND_KEEPALIVE,
	WG_T_NEW_HANDSHAKE,
	WG_T_ZERO_KEY_MATERIAL,
	WG_T_PERSISTENT_KEEPALIVE,
	WG_T_COUNT,
};

/* What wg_timers_expire() asks the caller to do (a bit mask). */
enum wg_timer_action {
	WG_TIMER_SEND_HANDSHAKE_INITIATION = 1 << 0,	/* a retry */
	WG_TIMER_GIVE_UP_HANDSHAKE = 1 << 1,		/* drop staged packets */
	WG_TIMER_SEND_KEEPALIVE = 1 << 2,
	WG_TIMER_NEW_HANDSHAKE = 1 << 3,		/* we sent data and heard nothing */
	WG_TIMER_ZERO_KEYS = 1 << 4,
	WG_TIMER_SEND_PERSISTENT_KEEPALIVE = 1 << 5,
};

struct wg_timers {
	uint64_t deadline[WG_T_COUNT];		/* UINT64_MAX: not armed */
	unsigned int handshake_attempts;
	bool need_another_keepalive;
	uint16_t persistent_keepalive;		/* seconds; 0 = off */
	uint32_t jitter_ms;			/* fresh at each expiry and initiation */
};

void wg_timers_init(struct wg_timers *t);
/* Draw a new jitter for REKEY_TIMEOUT (from a random 32-bit value). */
void wg_timers_reseed(struct wg_timers *t, uint32_t random);
uint64_t wg_timers_next_deadline(const struct wg_timers *t);
unsigned int wg_timers_expire(struct wg_timers *t, uint64_t now_ms, uint32_t random);

/* Events, named as in the kernel. */
void wg_timers_data_sent(struct wg_timers *t, uint64_t now_ms);
void wg_timers_data_received(struct wg_timers *t, uint64_t now_ms);
void wg_timers_any_authenticated_packet_sent(struct wg_timers *t, uint64_t now_ms);
void wg_timers_any_authenticated_packet_received(struct wg_timers *t, uint64_t now_ms);
void wg_timers_any_authenticated_packet_traversal(struct wg_timers *t, uint64_t now_ms);
void wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now_ms, bool is_retry);
void wg_timers_handshake_complete(struct wg_timers *t, uint64_t now_ms);
void wg_timers_session_derived(struct wg_timers *t, uint64_t now_ms);
void wg_timers_persistent_keepalive_changed(struct wg_timers *t, uint16_t interval, uint64_t now_ms);

/* Keypair age rules. */
bool wg_timers_keypair_expired(uint64_t created_ms, uint64_t now_ms);
bool wg_timers_should_rekey(bool initiator, uint64_t created_ms, uint64_t now_ms, uint64_t send_counter);
bool wg_timers_should_rekey_on_receive(bool initiator, uint64_t created_ms, uint64_t now_ms);

#endif
