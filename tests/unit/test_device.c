/* SPDX-License-Identifier: MIT */
/*
 * Two wg_devices back to back through a simulated network, with a fake
 * clock and a deterministic random source: handshakes, data both ways,
 * the timers (rekey, reject, retries, give-up, keepalive), roaming, replay,
 * and malformed or tampered messages dropped without any change.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include <sodium.h>

#include "unit.h"
#include "wg_crypto.h"
#include "wg_device.h"

#define NET_MAX 512
#define PKT_MAX 2048

struct datagram {
	int from;		/* 0 = A, 1 = B */
	union kgw_sockaddr to;
	size_t len;
	uint8_t buf[PKT_MAX];
};

struct node {
	int id;
	struct wg_device *dev;
	union kgw_sockaddr addr;	/* where this node sends from */
	uint8_t priv[32], pub[32];
	uint8_t tun[8][PKT_MAX];
	size_t tun_len[8];
	int tun_count;
	uint64_t deadline;
	struct wg_peer *timer_peer;
	uint64_t seed_counter;
	bool deny_rx;
};

static struct node nodes[2];
static struct datagram net[NET_MAX];
static int net_count;
static uint64_t now_ms;
static struct timespec wall;

static void op_send_udp(void *ctx, const union kgw_sockaddr *to, const uint8_t *buf, size_t len)
{
	struct node *n = ctx;

	ck_assert_int_lt(net_count, NET_MAX);
	ck_assert_uint_le(len, PKT_MAX);
	net[net_count].from = n->id;
	net[net_count].to = *to;
	net[net_count].len = len;
	memcpy(net[net_count].buf, buf, len);
	net_count++;
}

static void op_write_tun(void *ctx, uint8_t *pkt, size_t len)
{
	struct node *n = ctx;

	ck_assert_int_lt(n->tun_count, 8);
	memcpy(n->tun[n->tun_count], pkt, len);
	n->tun_len[n->tun_count++] = len;
}

static void op_peer_timer(void *ctx, struct wg_peer *peer, uint64_t deadline)
{
	struct node *n = ctx;

	n->deadline = deadline;
	n->timer_peer = peer;
}

/* Deterministic: each node has its own seeded stream. */
static void op_random(void *ctx, uint8_t *out, size_t len)
{
	struct node *n = ctx;
	uint8_t seed[randombytes_SEEDBYTES] = { (uint8_t)n->id + 1 };

	memcpy(seed + 8, &n->seed_counter, sizeof(n->seed_counter));
	n->seed_counter++;
	randombytes_buf_deterministic(out, len, seed);
}

static void op_realtime(void *ctx, struct timespec *ts)
{
	(void)ctx;
	ts->tv_sec = wall.tv_sec + (time_t)(now_ms / 1000);
	ts->tv_nsec = (long)(now_ms % 1000) * 1000000;
}

static bool op_allow_rx(void *ctx, struct wg_peer *peer, const uint8_t *pkt, size_t len)
{
	(void)peer;
	(void)pkt;
	(void)len;
	return !((struct node *)ctx)->deny_rx;
}

static const struct wg_device_ops ops = {
	.send_udp = op_send_udp,
	.write_tun = op_write_tun,
	.peer_timer = op_peer_timer,
	.random = op_random,
	.realtime = op_realtime,
	.allow_rx = op_allow_rx,
};

static void sockaddr4(union kgw_sockaddr *sa, const char *ip, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->in.sin_family = AF_INET;
	sa->in.sin_port = htons(port);
	inet_pton(AF_INET, ip, &sa->in.sin_addr);
}

static struct wg_peer *peer_of(int i)
{
	return wg_device_peer_by_key(nodes[i].dev, nodes[!i].pub);
}

/* A gets 10.0.0.1, B 10.0.0.2; each routes the other's /32 to it. */
static void setup(void)
{
	struct kgw_cidr c;

	now_ms = 1000000;
	wall.tv_sec = 1700000000;
	net_count = 0;
	ck_assert_int_eq(wg_crypto_init(), 0);
	for (int i = 0; i < 2; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].id = i;
		nodes[i].deadline = UINT64_MAX;
		op_random(&nodes[i], nodes[i].priv, 32);
		wg_crypto_clamp(nodes[i].priv);
		wg_crypto_public_key(nodes[i].pub, nodes[i].priv);
		nodes[i].dev = wg_device_new(&ops, &nodes[i]);
		ck_assert_ptr_nonnull(nodes[i].dev);
		wg_device_set_private_key(nodes[i].dev, nodes[i].priv);
	}
	sockaddr4(&nodes[0].addr, "192.0.2.1", 51820);
	sockaddr4(&nodes[1].addr, "192.0.2.2", 51821);
	for (int i = 0; i < 2; i++) {
		struct wg_peer *p = wg_device_add_peer(nodes[i].dev, nodes[!i].pub);

		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(kgw_cidr_parse(i ? "10.0.0.1/32" : "10.0.0.2/32", true, &c), 0);
		ck_assert_int_eq(wg_device_peer_allow(nodes[i].dev, p, &c), 0);
	}
	/* Only A knows where B is; B learns A's endpoint from the handshake. */
	wg_peer_set_endpoint(peer_of(0), &nodes[1].addr);
}

static void teardown(void)
{
	for (int i = 0; i < 2; i++)
		wg_device_free(nodes[i].dev);
	wg_crypto_exit();
}

/* Delivers everything queued (and what that causes), up to `max' datagrams. */
static int pump(int max)
{
	int delivered = 0;

	while (net_count && delivered < max) {
		struct datagram d = net[0];

		memmove(net, net + 1, (size_t)(net_count - 1) * sizeof(net[0]));
		net_count--;
		wg_device_receive(nodes[!d.from].dev, &nodes[d.from].addr, d.buf, d.len, now_ms);
		delivered++;
	}
	return delivered;
}

static void drop_all(void)
{
	net_count = 0;
}

/* A minimal IPv4/UDP packet from `src' to `dst' with `n' payload bytes. */
static size_t ip4_packet(uint8_t *buf, const char *src, const char *dst, size_t n, uint8_t fill)
{
	size_t total = 28 + n;

	memset(buf, 0, total);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[8] = 64;
	buf[9] = 17;
	inet_pton(AF_INET, src, buf + 12);
	inet_pton(AF_INET, dst, buf + 16);
	memset(buf + 28, fill, n);
	return total;
}

/* Sends from node i to the other through wg_device_send, using the headroom. */
static size_t send_ip(int i, size_t n, uint8_t fill, uint8_t *copy)
{
	uint8_t buf[WG_DEVICE_HEADROOM + PKT_MAX + WG_DEVICE_TAILROOM];
	size_t len = ip4_packet(buf + WG_DEVICE_HEADROOM, i ? "10.0.0.2" : "10.0.0.1",
				i ? "10.0.0.1" : "10.0.0.2", n, fill);

	if (copy)
		memcpy(copy, buf + WG_DEVICE_HEADROOM, len);
	wg_device_send(nodes[i].dev, buf, len, now_ms);
	return len;
}

static int count_type(uint8_t type)
{
	int c = 0;

	for (int i = 0; i < net_count; i++)
		c += net[i].buf[0] == type;
	return c;
}

/* Runs node i's timers at its deadline if that is due by `now_ms'. */
static void run_timers(int i)
{
	while (nodes[i].deadline <= now_ms && nodes[i].timer_peer) {
		uint64_t d = nodes[i].deadline;

		wg_device_peer_timers(nodes[i].dev, nodes[i].timer_peer, now_ms);
		if (nodes[i].deadline == d)
			break;
	}
}

/* Advances the clock in 100 ms steps, running both nodes' timers. */
static void advance(uint64_t ms, bool deliver)
{
	for (uint64_t t = 0; t < ms; t += 100) {
		now_ms += 100;
		run_timers(0);
		run_timers(1);
		if (deliver)
			pump(NET_MAX);
		else
			drop_all();
	}
}

static void establish(void)
{
	uint8_t sent[PKT_MAX];
	size_t len = send_ip(0, 100, 0xab, sent);

	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_INITIATION), 1);
	pump(NET_MAX);
	ck_assert_int_eq(nodes[1].tun_count, 1);
	ck_assert_uint_eq(nodes[1].tun_len[0], len);
	ck_assert_mem_eq(nodes[1].tun[0], sent, len);
	nodes[1].tun_count = 0;
}

START_TEST(test_handshake_and_data_both_ways)
{
	uint8_t sent[PKT_MAX];
	size_t len;

	establish();
	ck_assert_uint_eq(wg_device_stats(nodes[0].dev)->handshakes_completed, 1);
	/* B answers: it learned A's endpoint from the initiation. */
	len = send_ip(1, 1000, 0xcd, sent);
	ck_assert_int_eq(count_type(MESSAGE_DATA), 1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_INITIATION), 0);
	pump(NET_MAX);
	ck_assert_int_eq(nodes[0].tun_count, 1);
	ck_assert_mem_eq(nodes[0].tun[0], sent, len);
	ck_assert_uint_gt(wg_peer_rx_bytes(peer_of(0)), 0);
	ck_assert_uint_gt(wg_peer_tx_bytes(peer_of(0)), 0);
	ck_assert_int_ne(wg_peer_last_handshake(peer_of(0)).tv_sec, 0);
}
END_TEST

/* Data on the wire is padded to 16 bytes (the paper, 5.4.6). */
START_TEST(test_padding)
{
	establish();
	for (size_t n = 0; n < 40; n++) {
		send_ip(0, n, 1, NULL);
		ck_assert_int_eq(net_count, 1);
		ck_assert_uint_eq((net[0].len - WG_DATA_OVERHEAD) % 16, 0);
		ck_assert_uint_ge(net[0].len - WG_DATA_OVERHEAD, 28 + n);
		pump(1);
		ck_assert_int_eq(nodes[1].tun_count, 1);
		ck_assert_uint_eq(nodes[1].tun_len[0], 28 + n); /* padding stripped */
		nodes[1].tun_count = 0;
	}
}
END_TEST

START_TEST(test_rekey_after_time)
{
	establish();
	now_ms += REKEY_AFTER_TIME * 1000 - 1;
	send_ip(0, 10, 1, NULL);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_INITIATION), 0);
	drop_all();
	now_ms += 1;
	send_ip(0, 10, 1, NULL);
	/* The data still goes with the old keypair, and a new handshake starts. */
	ck_assert_int_eq(count_type(MESSAGE_DATA), 1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_INITIATION), 1);
}
END_TEST

START_TEST(test_reject_after_time)
{
	establish();
	now_ms += REJECT_AFTER_TIME * 1000;
	send_ip(0, 10, 1, NULL);
	/* The old keypair may not be used any more: the packet waits for a handshake. */
	ck_assert_int_eq(count_type(MESSAGE_DATA), 0);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_INITIATION), 1);
	pump(NET_MAX);
	ck_assert_int_eq(nodes[1].tun_count, 1);
}
END_TEST

/*
 * Packets sent while no session exists wait, and leave in order once the
 * handshake completes; twice, since the queue is made for the first
 * packet that waits and let go when it empties.
 */
START_TEST(test_staged_in_order_twice)
{
	uint8_t sent[5][PKT_MAX];
	size_t len[5];

	for (int round = 0; round < 2; round++) {
		if (round)
			now_ms += REJECT_AFTER_TIME * 1000;
		for (int i = 0; i < 5; i++)
			len[i] = send_ip(0, 40 + (size_t)i, (uint8_t)(0x10 * round + i), sent[i]);
		ck_assert_int_eq(count_type(MESSAGE_DATA), 0);
		ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_INITIATION), 1);
		pump(NET_MAX);
		ck_assert_int_eq(nodes[1].tun_count, 5);
		for (int i = 0; i < 5; i++) {
			ck_assert_uint_eq(nodes[1].tun_len[i], len[i]);
			ck_assert_mem_eq(nodes[1].tun[i], sent[i], len[i]);
		}
		nodes[1].tun_count = 0;
		/* Nothing waits any more: the next packet goes at once. */
		send_ip(0, 10, 1, NULL);
		ck_assert_int_eq(count_type(MESSAGE_DATA), 1);
		pump(NET_MAX);
		nodes[1].tun_count = 0;
	}
}
END_TEST

/* B's data received after 180 s on the old keypair is refused too. */
START_TEST(test_reject_after_time_receive)
{
	struct datagram d;

	establish();
	send_ip(0, 10, 1, NULL);
	d = net[0];
	drop_all();
	now_ms += REJECT_AFTER_TIME * 1000;
	wg_device_receive(nodes[1].dev, &nodes[0].addr, d.buf, d.len, now_ms);
	ck_assert_int_eq(nodes[1].tun_count, 0);
}
END_TEST

START_TEST(test_retries_and_give_up)
{
	uint64_t start = now_ms, last = now_ms;
	int initiations = 0;

	send_ip(0, 10, 1, NULL);
	for (uint64_t t = 0; t < 120000; t += 100) {
		initiations += count_type(MESSAGE_HANDSHAKE_INITIATION);
		if (count_type(MESSAGE_HANDSHAKE_INITIATION)) {
			if (initiations > 1) {
				/* Every REKEY_TIMEOUT, plus up to a third of a second of jitter. */
				ck_assert_uint_ge(now_ms - last, REKEY_TIMEOUT * 1000);
				ck_assert_uint_le(now_ms - last, REKEY_TIMEOUT * 1000 + REKEY_TIMEOUT_JITTER_MAX_MS + 100);
			}
			last = now_ms;
		}
		drop_all();
		now_ms += 100;
		run_timers(0);
	}
	/*
	 * As the kernel and wireguard-go count (they log "did not complete
	 * after MAX_TIMER_HANDSHAKES + 2 attempts"): the first try and
	 * MAX_TIMER_HANDSHAKES + 1 retries, spanning REKEY_ATTEMPT_TIME plus
	 * one REKEY_TIMEOUT, then nothing more.
	 */
	ck_assert_int_eq(initiations, MAX_TIMER_HANDSHAKES + 2);
	ck_assert_uint_ge(last - start, (REKEY_ATTEMPT_TIME + REKEY_TIMEOUT) * 1000);
	ck_assert_uint_le(last - start, (MAX_TIMER_HANDSHAKES + 1) *
					(REKEY_TIMEOUT * 1000 + REKEY_TIMEOUT_JITTER_MAX_MS + 100));
}
END_TEST

START_TEST(test_keepalive_is_sent)
{
	int keepalives = 0;

	establish();
	for (uint64_t t = 0; t < (KEEPALIVE_TIMEOUT + 1) * 1000; t += 100) {
		now_ms += 100;
		run_timers(1);
		for (int i = 0; i < net_count; i++)
			keepalives += net[i].from == 1 && net[i].len == WG_KEEPALIVE_LEN;
		drop_all();
	}
	ck_assert_int_eq(keepalives, 1);
}
END_TEST

START_TEST(test_replay_dropped)
{
	struct datagram d;

	establish();
	send_ip(0, 10, 1, NULL);
	d = net[0];
	pump(1);
	ck_assert_int_eq(nodes[1].tun_count, 1);
	wg_device_receive(nodes[1].dev, &nodes[0].addr, d.buf, d.len, now_ms);
	ck_assert_int_eq(nodes[1].tun_count, 1);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_replay, 1);
}
END_TEST

START_TEST(test_roaming)
{
	union kgw_sockaddr moved;
	struct datagram d;

	establish();
	sockaddr4(&moved, "192.0.2.99", 40000);
	send_ip(0, 10, 1, NULL);
	d = net[0];
	drop_all();
	wg_device_receive(nodes[1].dev, &moved, d.buf, d.len, now_ms);
	send_ip(1, 10, 1, NULL);
	ck_assert_int_eq(net_count, 1);
	ck_assert_mem_eq(&net[0].to, &moved, sizeof(moved));
}
END_TEST

/* A tampered data message changes nothing: no output, no endpoint move, no counter. */
START_TEST(test_tampered_data)
{
	union kgw_sockaddr moved;
	struct datagram d;
	uint64_t rx;

	establish();
	sockaddr4(&moved, "192.0.2.99", 40000);
	send_ip(0, 10, 1, NULL);
	d = net[0];
	drop_all();
	rx = wg_peer_rx_bytes(peer_of(1));
	for (size_t i = 4; i < d.len; i += 7) {
		struct datagram t = d;

		t.buf[i] ^= 0x01;
		wg_device_receive(nodes[1].dev, &moved, t.buf, t.len, now_ms);
	}
	ck_assert_int_eq(nodes[1].tun_count, 0);
	ck_assert_uint_eq(wg_peer_rx_bytes(peer_of(1)), rx);
	send_ip(1, 10, 1, NULL);
	ck_assert_mem_eq(&net[0].to, &nodes[0].addr, sizeof(moved)); /* no roaming */
	drop_all();
	/* The untouched original is still accepted: the window did not move. */
	wg_device_receive(nodes[1].dev, &nodes[0].addr, d.buf, d.len, now_ms);
	ck_assert_int_eq(nodes[1].tun_count, 1);
}
END_TEST

static const struct {
	uint8_t type;
	size_t len;
} malformed[] = {
	/* 0 */ { 1, 0 }, /* 1 */ { 1, 3 }, /* 2 */ { 1, 147 }, /* 3 */ { 1, 149 },
	/* 4 */ { 2, 91 }, /* 5 */ { 2, 93 }, /* 6 */ { 3, 63 }, /* 7 */ { 3, 65 },
	/* 8 */ { 4, 31 }, /* 9 */ { 4, 16 }, /* 10 */ { 0, 148 }, /* 11 */ { 5, 148 },
	/* 12 */ { 255, 64 }, /* 13 */ { 1, 148 }, /* 14 */ { 2, 92 }, /* 15 */ { 3, 64 },
	/* 16 */ { 4, 32 }, /* 17 */ { 4, 1500 },
};

/* Garbage of every size and type: dropped, counted, nothing sent or written. */
START_TEST(test_malformed)
{
	uint8_t buf[PKT_MAX];
	const struct wg_device_stats *st = wg_device_stats(nodes[1].dev);
	uint64_t before = st->rx_bad_length + st->rx_bad_type + st->rx_bad_mac +
			  st->rx_unknown_index + st->rx_bad_handshake;

	memset(buf, 0x5a, sizeof(buf));
	buf[0] = malformed[_i].type;
	buf[1] = buf[2] = buf[3] = 0;
	wg_device_receive(nodes[1].dev, &nodes[0].addr, buf, malformed[_i].len, now_ms);
	ck_assert_int_eq(net_count, 0);
	ck_assert_int_eq(nodes[1].tun_count, 0);
	ck_assert_uint_eq(st->rx_bad_length + st->rx_bad_type + st->rx_bad_mac +
			  st->rx_unknown_index + st->rx_bad_handshake, before + 1);
	/* And the pair still works afterwards. */
	establish();
}
END_TEST

/* A type byte followed by non-zero bytes is not that type. */
START_TEST(test_type_high_bytes)
{
	uint8_t buf[148] = { 1, 0, 0, 1 };

	wg_device_receive(nodes[1].dev, &nodes[0].addr, buf, sizeof(buf), now_ms);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_bad_type, 1);
}
END_TEST

/* An initiation from a key the device does not know gets no answer at all. */
START_TEST(test_unknown_peer_no_answer)
{
	wg_device_remove_peer(nodes[1].dev, peer_of(1));
	send_ip(0, 10, 1, NULL);
	pump(1);
	ck_assert_int_eq(net_count, 0);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_bad_handshake, 1);
}
END_TEST

/* Cryptokey routing: a packet whose source is not the peer's allowed IP is dropped. */
START_TEST(test_bad_source_dropped)
{
	uint8_t buf[WG_DEVICE_HEADROOM + PKT_MAX + WG_DEVICE_TAILROOM];
	size_t len;

	establish();
	len = ip4_packet(buf + WG_DEVICE_HEADROOM, "10.0.0.77", "10.0.0.2", 10, 1);
	wg_device_send(nodes[0].dev, buf, len, now_ms);
	pump(NET_MAX);
	ck_assert_int_eq(nodes[1].tun_count, 0);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_bad_source, 1);
}
END_TEST

START_TEST(test_policy_hook)
{
	establish();
	nodes[1].deny_rx = true;
	send_ip(0, 10, 1, NULL);
	pump(NET_MAX);
	ck_assert_int_eq(nodes[1].tun_count, 0);
	ck_assert_uint_eq(wg_peer_policy_drops(peer_of(1)), 1);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_policy, 1);
}
END_TEST

START_TEST(test_no_route)
{
	uint8_t buf[WG_DEVICE_HEADROOM + PKT_MAX + WG_DEVICE_TAILROOM];
	size_t len = ip4_packet(buf + WG_DEVICE_HEADROOM, "10.0.0.1", "10.9.9.9", 10, 1);

	wg_device_send(nodes[0].dev, buf, len, now_ms);
	ck_assert_int_eq(net_count, 0);
	ck_assert_uint_eq(wg_device_stats(nodes[0].dev)->tx_no_route, 1);
}
END_TEST

/* Under load, the first initiation of a quiet source is answered at once (grace). */
START_TEST(test_under_load_grace)
{
	send_ip(0, 10, 1, NULL);
	wg_device_set_handshake_backlog(nodes[1].dev, MAX_QUEUED_INCOMING_HANDSHAKES, now_ms);
	pump(1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_RESPONSE), 1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_COOKIE), 0);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_graced, 1);
	pump(NET_MAX);
	ck_assert_int_eq(nodes[1].tun_count, 1);
}
END_TEST

/*
 * Under load, a source that had its grace within REKEY_TIMEOUT gets a cookie;
 * the retry with mac2 gets through. The source's grace is spent by a copy of
 * the initiation delivered first (its response is lost).
 */
START_TEST(test_under_load_cookie)
{
	send_ip(0, 10, 1, NULL);
	wg_device_set_handshake_backlog(nodes[1].dev, MAX_QUEUED_INCOMING_HANDSHAKES, now_ms);
	ck_assert_int_eq(net_count, 1);
	net[1] = net[0];
	net_count = 2;
	pump(1);
	ck_assert_int_eq(net[1].buf[0], MESSAGE_HANDSHAKE_RESPONSE);
	net_count = 1;		/* lose that response */
	pump(1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_COOKIE), 1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_RESPONSE), 0);
	pump(1);	/* A takes the cookie */
	ck_assert_int_eq(net_count, 0);
	/* A's retry after REKEY_TIMEOUT carries mac2 and is answered. */
	advance((REKEY_TIMEOUT + 1) * 1000, true);
	ck_assert_int_eq(nodes[1].tun_count, 1);
}
END_TEST

/* Under load, one source gets its burst of cookie replies, then nothing. */
START_TEST(test_under_load_cookie_burst)
{
	enum { COPIES = 12 };
	static struct datagram init;

	send_ip(0, 10, 1, NULL);
	wg_device_set_handshake_backlog(nodes[1].dev, MAX_QUEUED_INCOMING_HANDSHAKES, now_ms);
	ck_assert_int_eq(net_count, 1);
	init = net[0];
	for (int i = 1; i < COPIES; i++)
		net[i] = init;
	net_count = COPIES;
	pump(COPIES);	/* the first has grace; the rest would each want a cookie */
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_RESPONSE), 1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_COOKIE), RATELIMIT_PACKETS_BURSTABLE);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_cookie_sent, RATELIMIT_PACKETS_BURSTABLE);
	ck_assert_uint_eq(wg_device_stats(nodes[1].dev)->rx_ratelimited,
			  COPIES - 1 - RATELIMIT_PACKETS_BURSTABLE);
	/* A second later the source has a token again: one more cookie. */
	now_ms += 1000;
	net[0] = init;
	net_count = 1;
	pump(1);
	ck_assert_int_eq(count_type(MESSAGE_HANDSHAKE_COOKIE), 1);
}
END_TEST

/* Removing the peer stops traffic at once. */
START_TEST(test_remove_peer_stops)
{
	establish();
	wg_device_remove_peer(nodes[1].dev, peer_of(1));
	send_ip(0, 10, 1, NULL);
	pump(NET_MAX);
	ck_assert_int_eq(nodes[1].tun_count, 0);
}
END_TEST

/* A rekey under traffic: both sides move to the new keypair without loss. */
START_TEST(test_rekey_no_loss)
{
	int got = 0;

	establish();
	for (int i = 0; i < 400; i++) {
		now_ms += 1000;
		send_ip(0, 10, (uint8_t)i, NULL);
		pump(NET_MAX);
		run_timers(0);
		run_timers(1);
		pump(NET_MAX);
		got += nodes[1].tun_count;
		nodes[1].tun_count = 0;
		nodes[0].tun_count = 0;
	}
	/* 400 s of traffic crosses three rekeys; at most the packets sent
	 * while a handshake was in flight were staged, and none lost. */
	ck_assert_int_eq(got, 400);
	ck_assert_uint_ge(wg_device_stats(nodes[0].dev)->handshakes_completed, 3);
}
END_TEST

static Suite *device_suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc = tcase_create("device");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_handshake_and_data_both_ways);
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_rekey_after_time);
	tcase_add_test(tc, test_reject_after_time);
	tcase_add_test(tc, test_staged_in_order_twice);
	tcase_add_test(tc, test_reject_after_time_receive);
	tcase_add_test(tc, test_retries_and_give_up);
	tcase_add_test(tc, test_keepalive_is_sent);
	tcase_add_test(tc, test_replay_dropped);
	tcase_add_test(tc, test_roaming);
	tcase_add_test(tc, test_tampered_data);
	tcase_add_loop_test(tc, test_malformed, 0, ARRAY_SIZE(malformed));
	tcase_add_test(tc, test_type_high_bytes);
	tcase_add_test(tc, test_unknown_peer_no_answer);
	tcase_add_test(tc, test_bad_source_dropped);
	tcase_add_test(tc, test_policy_hook);
	tcase_add_test(tc, test_no_route);
	tcase_add_test(tc, test_under_load_grace);
	tcase_add_test(tc, test_under_load_cookie);
	tcase_add_test(tc, test_under_load_cookie_burst);
	tcase_add_test(tc, test_remove_peer_stops);
	tcase_add_test(tc, test_rekey_no_loss);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	return unit_run(device_suite());
}
