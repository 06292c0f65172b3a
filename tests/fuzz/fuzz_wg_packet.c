/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the WireGuard receive path: a real device (A, the
 * target) with one peer (B, a second real device), wired back to back on
 * a simulated network with a fake clock and seeded randomness, as in
 * test_device.c. The input is a program of steps:
 *
 *   0 raw      a message of the chosen type (initiation, response, cookie
 *              reply, data) with fuzzed body, sent to A; on request with
 *              a valid mac1 (and mac2 when B holds a cookie) computed over
 *              the fuzzed bytes, and with the receiver index A handed out
 *              last, so the parser gets past the checks a random packet
 *              never passes
 *   1 B -> A   B sends an IP packet (a handshake first if needed)
 *   2 A -> B   A sends an IP packet
 *   3 pump     deliver what is in flight, the datagrams for A possibly
 *              bit-flipped (and re-MACed), duplicated (replays) or dropped
 *   4 time     the clock moves on
 *   5 load     A and/or B under load (cookie replies, mac2, rate limits)
 *   6 timers   both devices' peer timers and housekeeping
 *   7 data     B sends a fuzzed IP packet (A's cryptokey routing sees it)
 *
 * Everything is built from nothing for each input and freed after it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "wg_crypto.h"
#include "wg_device.h"
#include "wg_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NET_MAX 32
#define PKT_MAX 1600

struct datagram {
	int from;
	size_t len;
	uint8_t buf[PKT_MAX];
};

struct node {
	int id;
	struct wg_device *dev;
	union kgw_sockaddr addr;
	uint8_t pub[WG_KEY_LEN];
	uint64_t seed_counter;
	uint64_t deadline;
	struct wg_peer *timer_peer;
};

static struct node nodes[2];
static struct datagram net[NET_MAX];
static int net_count;
static uint64_t now_ms;
/* The latest sender index A put on the wire: what B would answer to. */
static uint32_t a_index;

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t next_byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* Up to `len' bytes of input; what is missing is zero. */
static void next_bytes(struct input *in, uint8_t *out, size_t len)
{
	size_t n = len < in->left ? len : in->left;

	memcpy(out, in->p, n);
	memset(out + n, 0, len - n);
	in->p += n;
	in->left -= n;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void op_send_udp(void *ctx, const union kgw_sockaddr *to, const uint8_t *buf, size_t len)
{
	struct node *n = ctx;

	(void)to;
	if (n->id == 0 && len >= 8 && (buf[0] == MESSAGE_HANDSHAKE_INITIATION ||
				       buf[0] == MESSAGE_HANDSHAKE_RESPONSE))
		a_index = le32(buf + 4);
	if (net_count == NET_MAX || len > PKT_MAX)
		return;		/* the network drops it */
	net[net_count].from = n->id;
	net[net_count].len = len;
	memcpy(net[net_count].buf, buf, len);
	net_count++;
}

static void op_write_tun(void *ctx, uint8_t *pkt, size_t len)
{
	volatile uint8_t sink = 0;

	(void)ctx;
	/* Touch every byte: ASan checks the device hands out what it owns. */
	for (size_t i = 0; i < len; i++)
		sink ^= pkt[i];
	(void)sink;
}

static void op_peer_timer(void *ctx, struct wg_peer *peer, uint64_t deadline)
{
	struct node *n = ctx;

	n->deadline = deadline;
	n->timer_peer = peer;
}

static void op_random(void *ctx, uint8_t *out, size_t len)
{
	struct node *n = ctx;
	uint8_t seed[randombytes_SEEDBYTES] = { (uint8_t)(n->id + 1) };

	memcpy(seed + 8, &n->seed_counter, sizeof(n->seed_counter));
	n->seed_counter++;
	randombytes_buf_deterministic(out, len, seed);
}

static void op_realtime(void *ctx, struct timespec *ts)
{
	(void)ctx;
	ts->tv_sec = 1700000000 + (time_t)(now_ms / 1000);
	ts->tv_nsec = (long)(now_ms % 1000) * 1000000;
}

static void op_peer_removed(void *ctx, struct wg_peer *peer)
{
	struct node *n = ctx;

	if (n->timer_peer == peer)
		n->timer_peer = NULL;
}

static const struct wg_device_ops ops = {
	.send_udp = op_send_udp,
	.write_tun = op_write_tun,
	.peer_timer = op_peer_timer,
	.random = op_random,
	.realtime = op_realtime,
	.peer_removed = op_peer_removed,
};

static void quiet(enum kgw_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

static struct wg_peer *peer_of(int i)
{
	return wg_device_peer_by_key(nodes[i].dev, nodes[!i].pub);
}

/* A is 10.0.0.1 at 192.0.2.1, B 10.0.0.2 at 192.0.2.2; each knows where the other is. */
static int setup(void)
{
	static const char *const inner[2] = { "10.0.0.2/32", "10.0.0.1/32" };
	static const char *const outer[2] = { "192.0.2.1", "192.0.2.2" };
	uint8_t priv[WG_KEY_LEN];
	struct kgw_cidr c;

	net_count = 0;
	now_ms = 1000000;
	a_index = 0;
	for (int i = 0; i < 2; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].id = i;
		nodes[i].deadline = UINT64_MAX;
		nodes[i].addr.in.sin_family = AF_INET;
		nodes[i].addr.in.sin_port = htons((uint16_t)(51820 + i));
		inet_pton(AF_INET, outer[i], &nodes[i].addr.in.sin_addr);
		op_random(&nodes[i], priv, sizeof(priv));
		wg_crypto_clamp(priv);
		wg_crypto_public_key(nodes[i].pub, priv);
		nodes[i].dev = wg_device_new(&ops, &nodes[i]);
		if (!nodes[i].dev)
			return -1;
		wg_device_set_private_key(nodes[i].dev, priv);
	}
	sodium_memzero(priv, sizeof(priv));
	for (int i = 0; i < 2; i++) {
		struct wg_peer *p = wg_device_add_peer(nodes[i].dev, nodes[!i].pub);

		if (!p || kgw_cidr_parse(inner[i], true, &c) ||
		    wg_device_peer_allow(nodes[i].dev, p, &c))
			return -1;
	}
	wg_peer_set_endpoint(peer_of(0), &nodes[1].addr);
	wg_peer_set_endpoint(peer_of(1), &nodes[0].addr);
	return 0;
}

static void teardown(void)
{
	for (int i = 0; i < 2; i++) {
		wg_device_free(nodes[i].dev);
		nodes[i].dev = NULL;
	}
}

/* Where a datagram for A claims to come from: B, B roamed, or IPv6. */
static void source(uint8_t sel, union kgw_sockaddr *src)
{
	switch (sel % 3) {
	case 0:
		*src = nodes[1].addr;
		break;
	case 1:
		*src = nodes[1].addr;
		src->in.sin_port = htons(40000);
		src->in.sin_addr.s_addr = htonl(0xc6336401);	/* 198.51.100.1 */
		break;
	default:
		memset(src, 0, sizeof(*src));
		src->in6.sin6_family = AF_INET6;
		src->in6.sin6_port = htons(51821);
		inet_pton(AF_INET6, "2001:db8::2", &src->in6.sin6_addr);
		break;
	}
}

/* mac1 (and mac2 when B has a cookie) as B would compute them for A. */
static void remac(uint8_t *buf, size_t len)
{
	struct wg_peer *pb = peer_of(1);

	if (pb && (len == sizeof(struct wg_message_handshake_initiation) ||
		   len == sizeof(struct wg_message_handshake_response)))
		wg_cookie_add_mac_to_packet(&pb->cookie, buf, len, now_ms);
}

static void step_raw(struct input *in)
{
	static const size_t sizes[4] = {
		sizeof(struct wg_message_handshake_initiation),
		sizeof(struct wg_message_handshake_response),
		sizeof(struct wg_message_handshake_cookie),
		0,
	};
	uint8_t buf[PKT_MAX];
	uint8_t sel = next_byte(in);
	uint32_t type = (uint32_t)(sel & 3) + 1;
	union kgw_sockaddr src;
	size_t len = sizes[sel & 3];

	if (!len)
		len = WG_DATA_OVERHEAD + (size_t)next_byte(in) * 4;
	if (sel & 0x40)
		len = next_byte(in);	/* a length the type does not have */
	next_bytes(in, buf, len);
	if (!(sel & 0x80))
		put_le32(buf, type);
	/* The receiver index sits at offset 8 in a response, 4 in the others. */
	if (sel & 0x10 && len >= 12)
		put_le32(buf + (type == MESSAGE_HANDSHAKE_RESPONSE ? 8 : 4), a_index);
	if (sel & 0x20)
		remac(buf, len);
	source(sel >> 2, &src);
	wg_device_receive(nodes[0].dev, &src, buf, len, now_ms);
}

/* An IPv4 packet from node i to the other, `n' payload bytes from the input. */
static void send_ip(int i, struct input *in, bool fuzzed)
{
	uint8_t buf[WG_DEVICE_HEADROOM + 1200 + WG_DEVICE_TAILROOM];
	uint8_t *ip = buf + WG_DEVICE_HEADROOM;
	size_t len;

	if (fuzzed) {
		len = 1 + (size_t)next_byte(in) * 4;
		next_bytes(in, ip, len);
	} else {
		len = 28 + next_byte(in) % 64;
		memset(ip, 0, len);
		ip[0] = 0x45;
		ip[2] = (uint8_t)(len >> 8);
		ip[3] = (uint8_t)len;
		ip[8] = 64;
		ip[9] = 17;
		ip[12] = 10, ip[13] = 0, ip[14] = 0, ip[15] = (uint8_t)(i + 1);
		ip[16] = 10, ip[17] = 0, ip[18] = 0, ip[19] = (uint8_t)(2 - i);
	}
	wg_device_send(nodes[i].dev, buf, len, now_ms);
}

/* Delivers what is in flight, and what that causes, within a bound. */
static void step_pump(struct input *in)
{
	uint8_t how = next_byte(in), flip = next_byte(in), at = next_byte(in);

	for (int budget = 16; net_count && budget; budget--) {
		struct datagram d = net[0];
		union kgw_sockaddr src;

		memmove(net, net + 1, (size_t)(net_count - 1) * sizeof(net[0]));
		net_count--;
		if (d.from == 0) {
			if (!(how & 4))
				wg_device_receive(nodes[1].dev, &nodes[0].addr, d.buf, d.len, now_ms);
			continue;
		}
		if (how & 1 && d.len)
			d.buf[at % d.len] ^= flip ? flip : 1;
		if (how & 2)
			remac(d.buf, d.len);
		source(how >> 4, &src);
		if (how & 8) {
			struct datagram copy = d;

			wg_device_receive(nodes[0].dev, &src, copy.buf, copy.len, now_ms);
		}
		wg_device_receive(nodes[0].dev, &src, d.buf, d.len, now_ms);
	}
}

static void step_timers(void)
{
	for (int i = 0; i < 2; i++) {
		if (nodes[i].timer_peer && nodes[i].deadline <= now_ms)
			wg_device_peer_timers(nodes[i].dev, nodes[i].timer_peer, now_ms);
		wg_device_housekeeping(nodes[i].dev, now_ms);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct input in = { data, size };

	if (!ready) {
		if (sodium_init() < 0 || wg_crypto_init())
			abort();
		kgw_log_set_sink(quiet, NULL);
		ready = true;
	}
	if (setup()) {
		teardown();
		return 0;
	}
	for (int steps = 0; in.left && steps < 64; steps++) {
		uint8_t op = next_byte(&in);

		switch (op & 7) {
		case 0:
			step_raw(&in);
			break;
		case 1:
		case 2:
			send_ip((op & 7) == 2 ? 0 : 1, &in, false);
			break;
		case 3:
			step_pump(&in);
			break;
		case 4:
			/* Up to a few minutes in steps of 5 s: every timer boundary. */
			now_ms += (uint64_t)(op >> 3) * 5000 + next_byte(&in) * 10;
			break;
		case 5:
			wg_device_set_handshake_backlog(nodes[0].dev, op & 8 ? 100000 : 0, now_ms);
			wg_device_set_handshake_backlog(nodes[1].dev, op & 16 ? 100000 : 0, now_ms);
			break;
		case 6:
			step_timers();
			break;
		case 7:
			send_ip(1, &in, true);
			break;
		}
	}
	teardown();
	return 0;
}
