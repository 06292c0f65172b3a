/* SPDX-License-Identifier: MIT */
/*
 * The libev driver of a wg_device.
 *
 * Single-threaded: one loop reads the TUN device and the UDP sockets and
 * runs the timers. Data messages are handled as they arrive; handshake
 * messages go into a bounded queue processed in rounds after each read
 * batch, so a handshake flood costs a bounded share of the loop, and the
 * queue depth tells the device when it is under load (then it answers with
 * cookies instead of doing Diffie-Hellman).
 *
 * Every buffer is allocated once in wg_engine_new(); nothing is allocated
 * per packet.
 *
 * System calls are what a userspace tunnel pays for most, so both
 * directions work in batches. UDP: one recvmmsg() brings up to
 * WG_SOCKET_BATCH datagrams (each possibly several, coalesced by UDP GRO).
 * TUN: packets are read into ENGINE_BATCH separate buffers, encrypted in
 * place, and their datagrams queued by pointer (no copy), then sent by one
 * wg_socket_flush() (sendmmsg, with UDP GSO for runs to the same peer).
 * Anything else the device sends (handshakes, keepalives, staged packets)
 * first flushes the queue, so datagrams leave in the order they were made.
 *
 * TUN offloads (when kgw_tun_open() got them): the kernel hands us TCP
 * (and UDP) super-packets of up to 64 KiB with a virtio_net_hdr, which
 * tun_gso.c cuts into MTU-sized packets in the send arena, one after the
 * other; on the way in, tun_gro.c coalesces the decrypted TCP segments of
 * one receive round into super-packets before they are written. The
 * kernel's stack then handles one packet where it handled forty.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "tun.h"
#include "tun_gro.h"
#include "tun_gso.h"
#include "wg_device.h"
#include "wg_engine.h"
#include "wg_engine_uapi.h"
#include "wg_socket.h"

/* TUN packets read per wake-up before yielding to others. */
#define ENGINE_BATCH WG_SOCKET_BATCH
/* recvmmsg() calls per wake-up of a UDP socket. */
#define ENGINE_UDP_ROUNDS 4
/* Handshake messages processed per round. */
#define ENGINE_HANDSHAKES_PER_ROUND 32
/* The largest handshake message: an initiation. */
#define ENGINE_HANDSHAKE_MAX sizeof(struct wg_message_handshake_initiation)

struct queued_handshake {
	union kgw_sockaddr src;
	uint16_t len;
	uint8_t buf[ENGINE_HANDSHAKE_MAX];
};

struct engine_peer_timer {
	ev_timer w;
	struct wg_engine *eng;
	struct wg_peer *peer;
	/*
	 * The device moves a deadline later on nearly every packet. Rather
	 * than re-arm the libev timer each time, it stays armed for the
	 * earlier `armed' and, on firing early, re-arms for `want'.
	 */
	uint64_t armed, want;
};

struct wg_engine {
	struct ev_loop *loop;
	struct wg_device *dev;
	char ifname[IFNAMSIZ];
	int tun_fd;
	struct wg_socket sock;
	uint16_t sock_port;
	uint32_t sock_fwmark;
	bool sock_open;
	ev_io tun_w, udp4_w, udp6_w;
	ev_timer housekeeping_w;
	ev_idle handshake_w;
	struct queued_handshake *hsq;	/* ring of MAX_QUEUED_INCOMING_HANDSHAKES */
	size_t hsq_head, hsq_len;
	unsigned int tun_features;	/* KGW_TUN_* */
	struct wg_socket_rxq *rxq;	/* with WG_SOCKET_BATCH buffers */
	struct kgw_tun_gro *gro;	/* with KGW_TUN_TSO: what goes to the TUN device */
	uint8_t *rbuf;			/* one TUN read, ENGINE_READ_LEN */
	uint8_t *txbufs;		/* the send arena, ENGINE_ARENA_LEN */
	size_t tx_used;			/* bytes of the arena holding queued packets */
	const uint8_t *tx_current;	/* the TUN packet's buffer being sent, or NULL */
	struct wg_socket_txq txq;
	struct wg_engine_uapi *uapi;
	wg_engine_rx_filter rx_filter;
	void *rx_filter_ctx;
	void (*tun_gone)(void *owner);
	void *owner;
};

/* Rounded up to a cache line, so every buffer of the batch starts on one. */
#define ENGINE_TX_ROUND(n) (((n) + 63) & ~(size_t)63)
/* The largest packet with its room for the message header and tag. */
#define ENGINE_TX_LEN ENGINE_TX_ROUND(WG_DEVICE_HEADROOM + KGW_TUN_GSO_SEGMENT_MAX + WG_DEVICE_TAILROOM)
/*
 * Packets are laid out one after the other, each in ENGINE_TX_ROUND of its
 * length with head- and tailroom; the queue holds WG_SOCKET_BATCH at most,
 * so this much always has room for the next (before a flush empties it).
 */
#define ENGINE_ARENA_LEN ((size_t)WG_SOCKET_BATCH * ENGINE_TX_LEN)
/* One TUN read: a virtio_net_hdr and a super-packet (the kernel's limit is 64 KiB). */
#define ENGINE_READ_LEN (sizeof(struct virtio_net_hdr) + 65536 + 64)

uint64_t wg_engine_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- device operations ---- */

static void flush_tx(struct wg_engine *eng)
{
	size_t dropped;

	if (!eng->txq.count)
		return;
	dropped = wg_socket_flush(&eng->sock, &eng->txq);
	if (dropped)
		kgw_debug("%s: %zu datagrams dropped on send", eng->ifname, dropped);
}

static void op_send_udp(void *ctx, const union kgw_sockaddr *to, const uint8_t *buf, size_t len)
{
	struct wg_engine *eng = ctx;
	int ret;

	/* The encrypted TUN packet stays in its own buffer until the flush. */
	if (buf == eng->tx_current) {
		if (!wg_socket_txq_add(&eng->txq, to, buf, len)) {
			flush_tx(eng);
			(void)wg_socket_txq_add(&eng->txq, to, buf, len);
		}
		return;
	}
	/* Any other buffer is valid only now: send it at once, after what is queued. */
	flush_tx(eng);
	ret = wg_socket_send(&eng->sock, to, buf, len);
	if (ret && ret != -EAGAIN && ret != -ENETUNREACH && ret != -EHOSTUNREACH)
		kgw_debug("%s: send: %s", eng->ifname, strerror(-ret));
}

/* A full TUN queue drops the packet, as a full NIC ring would. */
static void tun_write_failed(struct wg_engine *eng)
{
	if (errno != EAGAIN)
		kgw_debug("%s: tun write: %s", eng->ifname, strerror(errno));
}

static void gro_write(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct wg_engine *eng = ctx;

	if (writev(eng->tun_fd, iov, iovcnt) < 0)
		tun_write_failed(eng);
}

static void op_write_tun(void *ctx, uint8_t *pkt, size_t len)
{
	struct wg_engine *eng = ctx;

	/* The receive buffer stays ours until udp_cb()'s next round, so coalescing is by pointer. */
	if (eng->gro) {
		kgw_tun_gro_add(eng->gro, pkt, len);
		return;
	}
	if (write(eng->tun_fd, pkt, len) < 0)
		tun_write_failed(eng);
}

static void arm_timer(struct wg_engine *eng, struct engine_peer_timer *t, uint64_t deadline_ms, uint64_t now)
{
	ev_timer_stop(eng->loop, &t->w);
	ev_timer_set(&t->w, deadline_ms > now ? (double)(deadline_ms - now) / 1000.0 : 0.0, 0.0);
	ev_timer_start(eng->loop, &t->w);
	t->armed = deadline_ms;
}

static void peer_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct engine_peer_timer *t = w->data;
	uint64_t now = wg_engine_now_ms();

	(void)loop;
	(void)revents;
	if (now < t->want) {
		arm_timer(t->eng, t, t->want, now);
		return;
	}
	wg_device_peer_timers(t->eng->dev, t->peer, now);
}

static void op_peer_timer(void *ctx, struct wg_peer *peer, uint64_t deadline_ms)
{
	struct wg_engine *eng = ctx;
	struct engine_peer_timer *t = wg_peer_driver(peer);
	uint64_t now = wg_engine_now_ms();

	if (!t) {
		if (deadline_ms == UINT64_MAX)
			return;
		/* Once per peer, not per packet. */
		t = calloc(1, sizeof(*t));
		if (!t) {
			kgw_err("%s: out of memory for a peer timer", eng->ifname);
			return;
		}
		t->eng = eng;
		t->peer = peer;
		ev_init(&t->w, peer_timer_cb);
		t->w.data = t;
		wg_peer_set_driver(peer, t);
	}
	t->want = deadline_ms;
	if (deadline_ms == UINT64_MAX) {
		ev_timer_stop(eng->loop, &t->w);
		return;
	}
	/* Armed for no later than this: it fires, finds it early, re-arms. */
	if (ev_is_active(&t->w) && t->armed <= deadline_ms)
		return;
	arm_timer(eng, t, deadline_ms, now);
}

static void op_peer_removed(void *ctx, struct wg_peer *peer)
{
	struct wg_engine *eng = ctx;
	struct engine_peer_timer *t = wg_peer_driver(peer);

	if (!t)
		return;
	ev_timer_stop(eng->loop, &t->w);
	wg_peer_set_driver(peer, NULL);
	free(t);
}

static void op_random(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	randombytes_buf(out, len);
}

static void op_realtime(void *ctx, struct timespec *ts)
{
	(void)ctx;
	clock_gettime(CLOCK_REALTIME, ts);
}

static bool op_allow_rx(void *ctx, struct wg_peer *peer, const uint8_t *pkt, size_t len)
{
	struct wg_engine *eng = ctx;

	return !eng->rx_filter || eng->rx_filter(eng->rx_filter_ctx, peer, pkt, len);
}

void wg_engine_set_rx_filter(struct wg_engine *eng, wg_engine_rx_filter fn, void *ctx)
{
	eng->rx_filter = fn;
	eng->rx_filter_ctx = ctx;
}

static const struct wg_device_ops engine_ops = {
	.allow_rx = op_allow_rx,
	.send_udp = op_send_udp,
	.write_tun = op_write_tun,
	.peer_timer = op_peer_timer,
	.random = op_random,
	.realtime = op_realtime,
	.peer_removed = op_peer_removed,
};

/* ---- handshake queue ---- */

static void handshake_round(struct wg_engine *eng)
{
	uint64_t now = wg_engine_now_ms();

	wg_device_set_handshake_backlog(eng->dev, eng->hsq_len, now);
	for (int i = 0; i < ENGINE_HANDSHAKES_PER_ROUND && eng->hsq_len; i++) {
		struct queued_handshake *q = &eng->hsq[eng->hsq_head];

		wg_device_receive(eng->dev, &q->src, q->buf, q->len, now);
		eng->hsq_head = (eng->hsq_head + 1) % MAX_QUEUED_INCOMING_HANDSHAKES;
		eng->hsq_len--;
	}
	if (eng->hsq_len)
		ev_idle_start(eng->loop, &eng->handshake_w);
	else
		ev_idle_stop(eng->loop, &eng->handshake_w);
}

static void handshake_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)loop;
	(void)revents;
	handshake_round(w->data);
}

/* Returns false when the queue is full and the message was dropped. */
static bool enqueue_handshake(struct wg_engine *eng, const union kgw_sockaddr *src,
			      const uint8_t *buf, size_t len)
{
	struct queued_handshake *q;

	if (eng->hsq_len == MAX_QUEUED_INCOMING_HANDSHAKES || len > ENGINE_HANDSHAKE_MAX)
		return false;
	q = &eng->hsq[(eng->hsq_head + eng->hsq_len) % MAX_QUEUED_INCOMING_HANDSHAKES];
	q->src = *src;
	q->len = (uint16_t)len;
	memcpy(q->buf, buf, len);
	eng->hsq_len++;
	return true;
}

/* ---- I/O watchers ---- */

/* One datagram: handshake messages wait in the queue; data is handled now. */
static bool receive_one(struct wg_engine *eng, const union kgw_sockaddr *src, uint8_t *buf,
			size_t n, uint64_t now)
{
	if (n >= 4 && buf[0] >= MESSAGE_HANDSHAKE_INITIATION && buf[0] <= MESSAGE_HANDSHAKE_COOKIE)
		return enqueue_handshake(eng, src, buf, n);
	wg_device_receive(eng->dev, src, buf, n, now);
	return false;
}

static void udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct wg_engine *eng = w->data;
	struct wg_socket_rxq *q = eng->rxq;
	bool queued = false;

	(void)loop;
	(void)revents;
	for (int round = 0; round < ENGINE_UDP_ROUNDS; round++) {
		uint64_t now;

		if (wg_socket_recv(w->fd, q) || !q->count)
			break;
		now = wg_engine_now_ms();
		for (size_t i = 0; i < q->count; i++) {
			/* A GRO receive: datagrams of seg[i] bytes back to back, each decrypted in place. */
			for (size_t off = 0; off < q->len[i]; off += q->seg[i]) {
				size_t n = q->len[i] - off < q->seg[i] ? q->len[i] - off : q->seg[i];

				queued |= receive_one(eng, &q->from[i], q->buf[i] + off, n, now);
			}
		}
		/* Before the next recvmmsg() reuses the buffers the packets are in. */
		if (eng->gro)
			kgw_tun_gro_flush(eng->gro);
		if (q->count < WG_SOCKET_BATCH)
			break;
	}
	if (queued || eng->hsq_len)
		handshake_round(eng);
}

/*
 * A deleted TUN device leaves the descriptor readable for ever with reads
 * failing (EBADFD): stop watching it, or the loop spins, and tell the owner.
 */
static void tun_failed(struct wg_engine *eng, int err)
{
	ev_io_stop(eng->loop, &eng->tun_w);
	if (err == EBADFD)
		kgw_notice("%s: the interface was removed", eng->ifname);
	else
		kgw_err("%s: cannot read the TUN device: %s", eng->ifname, strerror(err));
	if (eng->tun_gone)
		eng->tun_gone(eng->owner);
}

/*
 * Room in the arena for one more packet of any size, and in the queue
 * for its datagram: when either is short, send what is queued.
 */
static uint8_t *arena_slot(struct wg_engine *eng)
{
	if (eng->txq.count == WG_SOCKET_BATCH || eng->tx_used + ENGINE_TX_LEN > ENGINE_ARENA_LEN) {
		eng->tx_current = NULL;
		flush_tx(eng);
		eng->tx_used = 0;
	}
	return eng->txbufs + eng->tx_used;
}

/* One TUN read of `n' bytes in rbuf: its packets, cut from a super-packet if it is one, go to the device. */
static void send_read(struct wg_engine *eng, size_t n, uint64_t now)
{
	struct virtio_net_hdr vh = { 0 };
	const uint8_t *pkt = eng->rbuf;
	struct kgw_tun_gso gso;
	size_t len;

	if (eng->tun_features & KGW_TUN_VNET) {
		if (n < sizeof(vh))
			return;
		memcpy(&vh, pkt, sizeof(vh));
		pkt += sizeof(vh);
		n -= sizeof(vh);
	}
	/* Malformed: dropped silently, as the device drops what it cannot route. */
	if (kgw_tun_gso_begin(&gso, &vh, pkt, n))
		return;
	for (;;) {
		uint8_t *slot = arena_slot(eng);

		len = kgw_tun_gso_next(&gso, slot + WG_DEVICE_HEADROOM, KGW_TUN_GSO_SEGMENT_MAX);
		if (!len)
			break;
		eng->tx_used += ENGINE_TX_ROUND(WG_DEVICE_HEADROOM + len + WG_DEVICE_TAILROOM);
		eng->tx_current = slot;
		wg_device_send(eng->dev, slot, len, now);
	}
}

static void tun_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct wg_engine *eng = w->data;

	(void)loop;
	(void)revents;
	uint64_t now = wg_engine_now_ms();

	for (int i = 0; i < ENGINE_BATCH; i++) {
		ssize_t n = read(eng->tun_fd, eng->rbuf, ENGINE_READ_LEN);

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			eng->tx_current = NULL;
			flush_tx(eng);
			tun_failed(eng, errno);
			return;
		}
		if (n <= 0)
			break;
		send_read(eng, (size_t)n, now);
	}
	eng->tx_current = NULL;
	flush_tx(eng);
	eng->tx_used = 0;
}

static void housekeeping_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	wg_device_housekeeping(((struct wg_engine *)w->data)->dev, wg_engine_now_ms());
}

/* ---- sockets follow the configuration ---- */

static void stop_sockets(struct wg_engine *eng)
{
	ev_io_stop(eng->loop, &eng->udp4_w);
	ev_io_stop(eng->loop, &eng->udp6_w);
	wg_socket_close(&eng->sock);
	eng->sock_open = false;
}

/* Called after every configuration change: rebinds when the port changed. */
int wg_engine_sync_sockets(struct wg_engine *eng)
{
	uint16_t port = wg_device_listen_port(eng->dev);
	uint32_t fwmark = wg_device_fwmark(eng->dev);
	int ret;

	if (eng->sock_open && (port == eng->sock_port || port == 0)) {
		if (fwmark != eng->sock_fwmark && (ret = wg_socket_set_fwmark(&eng->sock, fwmark)))
			return ret;
		eng->sock_fwmark = fwmark;
		return 0;
	}
	stop_sockets(eng);
	ret = wg_socket_open(&eng->sock, port, fwmark);
	if (ret)
		return ret;
	eng->sock_open = true;
	eng->sock_port = eng->sock.port;
	eng->sock_fwmark = fwmark;
	wg_device_set_bound_port(eng->dev, eng->sock.port);
	ev_io_set(&eng->udp4_w, eng->sock.fd4, EV_READ);
	ev_io_start(eng->loop, &eng->udp4_w);
	if (eng->sock.fd6 >= 0) {
		ev_io_set(&eng->udp6_w, eng->sock.fd6, EV_READ);
		ev_io_start(eng->loop, &eng->udp6_w);
	}
	return 0;
}

struct wg_engine *wg_engine_new(struct ev_loop *loop, const struct wg_engine_config *cfg, int *err)
{
	struct wg_engine *eng = calloc(1, sizeof(*eng));
	int ret = -ENOMEM;

	if (!eng) {
		close(cfg->tun_fd);
		goto fail;
	}
	eng->loop = loop;
	eng->tun_fd = cfg->tun_fd;
	eng->tun_features = cfg->tun_features;
	eng->tun_gone = cfg->tun_gone;
	eng->owner = cfg->owner;
	snprintf(eng->ifname, sizeof(eng->ifname), "%s", cfg->ifname);
	wg_socket_init(&eng->sock);
	eng->hsq = calloc(MAX_QUEUED_INCOMING_HANDSHAKES, sizeof(*eng->hsq));
	/* Virtual size: only the bytes packets touch become resident. */
	eng->rxq = calloc(1, sizeof(*eng->rxq));
	eng->txbufs = malloc(ENGINE_ARENA_LEN);
	eng->rbuf = malloc(ENGINE_READ_LEN);
	if (eng->tun_features & KGW_TUN_TSO && (eng->gro = malloc(sizeof(*eng->gro))))
		kgw_tun_gro_init(eng->gro, gro_write, eng);
	eng->dev = wg_device_new(&engine_ops, eng);
	if (!eng->hsq || !eng->rxq || !eng->txbufs || !eng->rbuf || !eng->dev ||
	    (eng->tun_features & KGW_TUN_TSO && !eng->gro))
		goto fail;
	for (size_t i = 0; i < WG_SOCKET_BATCH; i++) {
		if (!(eng->rxq->buf[i] = malloc(WG_SOCKET_RX_LEN)))
			goto fail;
	}
	ev_io_init(&eng->tun_w, tun_cb, eng->tun_fd, EV_READ);
	ev_init(&eng->udp4_w, udp_cb);
	ev_init(&eng->udp6_w, udp_cb);
	ev_timer_init(&eng->housekeeping_w, housekeeping_cb, 1.0, 1.0);
	ev_idle_init(&eng->handshake_w, handshake_idle_cb);
	eng->tun_w.data = eng->udp4_w.data = eng->udp6_w.data = eng;
	eng->housekeeping_w.data = eng->handshake_w.data = eng;
	if ((ret = wg_engine_sync_sockets(eng)))
		goto fail;
	if (cfg->uapi_dir && !(eng->uapi = wg_engine_uapi_new(eng, loop, cfg->uapi_dir, cfg->ifname, &ret)))
		goto fail;
	ev_io_start(loop, &eng->tun_w);
	ev_timer_start(loop, &eng->housekeeping_w);
	return eng;
fail:
	wg_engine_free(eng);
	*err = ret;
	return NULL;
}

void wg_engine_free(struct wg_engine *eng)
{
	if (!eng)
		return;
	wg_engine_uapi_free(eng->uapi);
	ev_io_stop(eng->loop, &eng->tun_w);
	ev_timer_stop(eng->loop, &eng->housekeeping_w);
	ev_idle_stop(eng->loop, &eng->handshake_w);
	stop_sockets(eng);
	/* Frees every peer; op_peer_removed drops their timers. */
	wg_device_free(eng->dev);
	if (eng->tun_fd >= 0)
		close(eng->tun_fd);
	free(eng->hsq);
	if (eng->rxq) {
		for (size_t i = 0; i < WG_SOCKET_BATCH; i++)
			free(eng->rxq->buf[i]);
	}
	free(eng->rxq);
	free(eng->txbufs);
	free(eng->rbuf);
	free(eng->gro);
	free(eng);
}

struct wg_device *wg_engine_device(struct wg_engine *eng)
{
	return eng->dev;
}
