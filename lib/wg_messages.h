/* SPDX-License-Identifier: MIT */
/*
 * WireGuard protocol numbers and wire formats, all in one place (the
 * WireGuard paper, section 5 and 6; the kernel's messages.h). Every
 * protocol and security constant of the engine lives here.
 */
#ifndef KGW_WG_MESSAGES_H
#define KGW_WG_MESSAGES_H

#include <stdint.h>

enum wg_limits {
	WG_KEY_LEN = 32,
	WG_HASH_LEN = 32,
	WG_COOKIE_LEN = 16,
	WG_COOKIE_NONCE_LEN = 24,	/* XChaCha20-Poly1305 */
	WG_TIMESTAMP_LEN = 12,		/* TAI64N */
	WG_AUTHTAG_LEN = 16,
	WG_MESSAGE_PADDING_MULTIPLE = 16,
	WG_MAX_PEERS = 1 << 20,
	WG_MAX_ALLOWEDIPS_BITS = 128,
};

/* Timers and message counts (seconds unless named otherwise). */
enum wg_timing {
	REKEY_AFTER_TIME = 120,
	REJECT_AFTER_TIME = 180,
	REKEY_ATTEMPT_TIME = 90,
	REKEY_TIMEOUT = 5,
	REKEY_TIMEOUT_JITTER_MAX_MS = 333,
	KEEPALIVE_TIMEOUT = 10,
	COOKIE_SECRET_MAX_AGE = 2 * 60,
	COOKIE_SECRET_LATENCY = 5,
	/* How often a peer may send an initiation we act on (kernel: 50/s). */
	INITIATIONS_PER_SECOND = 50,
	MAX_TIMER_HANDSHAKES = REKEY_ATTEMPT_TIME / REKEY_TIMEOUT,
	MAX_QUEUED_PACKETS = 1024,
};

#define REKEY_AFTER_MESSAGES (1ULL << 60)
#define REJECT_AFTER_MESSAGES (UINT64_MAX - 8192 - 1)	/* kernel: U64_MAX - COUNTER_WINDOW_SIZE - 1 */

/* Handshakes received per second per source above which we are "under load". */
enum wg_ratelimit {
	RATELIMIT_PACKETS_PER_SECOND = 20,
	RATELIMIT_PACKETS_BURSTABLE = 5,
	RATELIMIT_IPV6_PREFIX = 64,
	RATELIMIT_GRACE_PER_SECOND = 32,	/* cookie-less handshakes under load (kgw's) */
	/* Queued handshakes that switch the responder to cookie replies. */
	MAX_QUEUED_INCOMING_HANDSHAKES = 4096,
	UNDER_LOAD_AFTER_MS = 1000,	/* stay under load this long after the queue drains */
};

/* The replay window: 8192 bits, as in today's kernel (counter.c). */
enum wg_counter {
	COUNTER_BITS_TOTAL = 8192,
	COUNTER_REDUNDANT_BITS = 64,	/* bits per word */
	COUNTER_WINDOW_SIZE = COUNTER_BITS_TOTAL - COUNTER_REDUNDANT_BITS,
};

enum wg_message_type {
	MESSAGE_INVALID = 0,
	MESSAGE_HANDSHAKE_INITIATION = 1,
	MESSAGE_HANDSHAKE_RESPONSE = 2,
	MESSAGE_HANDSHAKE_COOKIE = 3,
	MESSAGE_DATA = 4,
};

/* On the wire everything is little-endian; `type' is a u8 followed by 3 zero bytes. */
struct wg_message_header {
	uint32_t type;
} __attribute__((packed));

struct wg_message_macs {
	uint8_t mac1[WG_COOKIE_LEN];
	uint8_t mac2[WG_COOKIE_LEN];
} __attribute__((packed));

struct wg_message_handshake_initiation {
	struct wg_message_header header;
	uint32_t sender_index;
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_static[WG_KEY_LEN + WG_AUTHTAG_LEN];
	uint8_t encrypted_timestamp[WG_TIMESTAMP_LEN + WG_AUTHTAG_LEN];
	struct wg_message_macs macs;
} __attribute__((packed));

struct wg_message_handshake_response {
	struct wg_message_header header;
	uint32_t sender_index;
	uint32_t receiver_index;
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_nothing[WG_AUTHTAG_LEN];
	struct wg_message_macs macs;
} __attribute__((packed));

struct wg_message_handshake_cookie {
	struct wg_message_header header;
	uint32_t receiver_index;
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_COOKIE_LEN + WG_AUTHTAG_LEN];
} __attribute__((packed));

struct wg_message_data {
	struct wg_message_header header;
	uint32_t key_idx;
	uint64_t counter;
	uint8_t encrypted_data[];
} __attribute__((packed));

#define WG_DATA_OVERHEAD (sizeof(struct wg_message_data) + WG_AUTHTAG_LEN)
#define WG_KEEPALIVE_LEN WG_DATA_OVERHEAD
/* Largest UDP payload we accept or build: a 64 KiB IP packet plus overhead. */
#define WG_MAX_MESSAGE_LEN (65535 + WG_DATA_OVERHEAD + WG_MESSAGE_PADDING_MULTIPLE)

_Static_assert(sizeof(struct wg_message_handshake_initiation) == 148, "initiation is 148 bytes");
_Static_assert(sizeof(struct wg_message_handshake_response) == 92, "response is 92 bytes");
_Static_assert(sizeof(struct wg_message_handshake_cookie) == 64, "cookie reply is 64 bytes");
_Static_assert(sizeof(struct wg_message_data) == 16, "data header is 16 bytes");

/* Noise protocol names (the paper, 5.4). */
#define WG_NOISE_CONSTRUCTION "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
#define WG_NOISE_IDENTIFIER "WireGuard v1 zx2c4 Jason@zx2c4.com"
#define WG_LABEL_MAC1 "mac1----"
#define WG_LABEL_COOKIE "cookie--"

#endif
