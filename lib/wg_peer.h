/* SPDX-License-Identifier: MIT */
/*
 * The device's internal objects: peers, keypairs and the index table.
 * Only wg_device.c, wg_receive.c and wg_send.c include this.
 */
#ifndef KGW_WG_PEER_H
#define KGW_WG_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "htable.h"
#include "secmem.h"
#include "wg_allowedips.h"
#include "wg_cookie.h"
#include "wg_device.h"
#include "wg_noise.h"
#include "wg_ratelimiter.h"
#include "wg_replay.h"
#include "wg_timers.h"

/* Packets held while a handshake is under way (kernel: MAX_STAGED_PACKETS). */
#define WG_MAX_STAGED_PACKETS 128
/* A keypair we received on last is still used for this long after a new one. */
#define WG_INDEX_TRIES 64

enum wg_index_type { WG_INDEX_HANDSHAKE = 1, WG_INDEX_KEYPAIR = 2 };

/* An entry of the index table: a local index we handed out. */
struct wg_index_entry {
	struct kgw_hnode node;	/* hashed by the index itself */
	uint32_t index;
	enum wg_index_type type;
	struct wg_peer *peer;
	struct wg_keypair *keypair;	/* for WG_INDEX_KEYPAIR */
	bool live;
};

/*
 * The transport keys are in a slot of dev->keypair_secrets; the replay
 * window (1 KiB, no secret) stays on the ordinary heap, so the locked
 * memory per session is 112 bytes, not 1.2 KiB.
 */
struct wg_keypair {
	struct wg_noise_keypair *kp;
	struct wg_replay replay;
	uint64_t send_counter;
	struct wg_index_entry entry;
};

/* Allocated with the first packet staged and freed once it is empty. */
struct wg_staged {
	uint8_t *buf[WG_MAX_STAGED_PACKETS];	/* each WG_DEVICE_HEADROOM + len + tailroom */
	uint16_t len[WG_MAX_STAGED_PACKETS];
	unsigned int head, count;
};

/*
 * What of a peer is secret (the static-static DH, the preshared key, the
 * handshake's ephemeral and chaining keys) lives in a slot of
 * dev->peer_secrets, locked and wiped on free; the rest of the peer is
 * ordinary heap. sodium_malloc'ing the whole peer cost two resident pages
 * per peer (8 KiB) for under 300 bytes of secrets.
 */
struct wg_peer_secret {
	struct wg_noise_handshake handshake;
	struct wg_peer *peer;	/* the responder finds the handshake before the peer */
};

struct wg_peer {
	struct kgw_hnode key_node;	/* in dev->peers, hashed by public key */
	struct wg_peer *next, *prev;	/* dev->peer_list, in creation order */
	struct wg_device *dev;
	uint8_t public_key[WG_KEY_LEN];
	struct wg_noise_handshake *handshake;	/* in our wg_peer_secret */
	struct wg_index_entry handshake_entry;
	/*
	 * Not in the locked slot: its mac1 and cookie keys derive from the
	 * peer's public key, and the cookie is a MAC good for two minutes
	 * from our own address only.
	 */
	struct wg_cookie cookie;
	/* Kernel naming: next is a responder's unconfirmed keypair. */
	struct wg_keypair *kp_next, *kp_current, *kp_previous;
	struct wg_timers timers;
	uint64_t last_deadline;
	uint64_t last_initiation_sent_ms;
	bool initiation_sent;
	union kgw_sockaddr endpoint;
	uint16_t persistent_keepalive;
	uint64_t rx_bytes, tx_bytes, policy_drops;
	struct timespec last_handshake;
	struct wg_staged *staged;	/* NULL while nothing waits */
	void *user, *driver;
};

struct wg_device {
	const struct wg_device_ops *ops;
	void *ctx;
	struct wg_noise_static_identity identity;
	struct wg_cookie_checker cookie_checker;
	struct wg_ratelimiter ratelimiter;
	struct wg_allowedips allowedips;
	struct kgw_secmem peer_secrets;		/* struct wg_peer_secret */
	struct kgw_secmem keypair_secrets;	/* struct wg_noise_keypair */
	struct kgw_htable peers;	/* by public key */
	struct kgw_htable indices;	/* by local index */
	struct wg_peer *peer_list;
	size_t npeers;
	uint8_t hash_key[16];		/* siphash key for both tables */
	uint16_t listen_port, bound_port;
	uint32_t fwmark;
	int mtu;
	bool under_load;
	uint64_t under_load_until;
	struct wg_device_stats stats;
};

/* wg_device.c */
uint64_t wg_device_key_hash(const struct wg_device *dev, const uint8_t *key, size_t len);
int wg_index_add(struct wg_device *dev, struct wg_index_entry *e, enum wg_index_type type,
		 struct wg_peer *peer, struct wg_keypair *kp);
void wg_index_del(struct wg_device *dev, struct wg_index_entry *e);
struct wg_index_entry *wg_index_find(struct wg_device *dev, uint32_t index, unsigned int types);
void wg_peer_timers_changed(struct wg_peer *peer);
void wg_peer_keypairs_clear(struct wg_peer *peer);
/* Unindexes, wipes and frees one keypair (NULL: nothing). */
void wg_keypair_free(struct wg_device *dev, struct wg_keypair *kp);
void wg_peer_staged_clear(struct wg_peer *peer);

/* wg_send.c */
void wg_send_handshake_initiation(struct wg_peer *peer, uint64_t now_ms, bool is_retry);
void wg_send_keepalive(struct wg_peer *peer, uint64_t now_ms);
void wg_send_staged(struct wg_peer *peer, uint64_t now_ms);
bool wg_keypair_usable_for_send(const struct wg_keypair *kp, uint64_t now_ms);

#endif
