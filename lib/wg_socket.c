/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wg_socket.h"

/* Tries to bind the v6 socket to the v4 socket's kernel-chosen port. */
#define WG_SOCKET_BIND_TRIES 16
/*
 * Socket buffers: a GSO send or a burst between two recvmmsg() calls is
 * 64 KiB at a time, and the default (about 208 KiB) overflows under TCP
 * bursts, losing datagrams the tunnelled TCP then has to retransmit.
 */
#define WG_SOCKET_BUFFER (4 << 20)
/* One GSO send: at most this many bytes of payload (an IPv4 datagram's limit, rounded down). */
#define WG_SOCKET_GSO_BYTES 65000
/* ... and at most this many segments (the kernel's UDP_MAX_SEGMENTS). */
#define WG_SOCKET_GSO_SEGMENTS 64


void wg_socket_init(struct wg_socket *s)
{
	s->fd4 = s->fd6 = -1;
	s->port = 0;
	s->gso = false;
}

/* Past the sysctl limits when we may (CAP_NET_ADMIN), else as far as they allow. */
static void set_buffers(int fd)
{
	int size = WG_SOCKET_BUFFER;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static int open_one(int family, uint16_t port, uint32_t fwmark, uint16_t *bound)
{
	union kgw_sockaddr sa = { 0 };
	socklen_t len;
	int fd, one = 1, ret;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	if (fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
		goto fail;
	/*
	 * Coalesced receives save a trip through the stack per datagram; an
	 * older kernel without UDP_GRO just gives them one by one.
	 */
	(void)setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one));
	set_buffers(fd);
	if (family == AF_INET) {
		sa.in.sin_family = AF_INET;
		sa.in.sin_port = htons(port);
		sa.in.sin_addr.s_addr = htonl(INADDR_ANY);
	} else {
		sa.in6.sin6_family = AF_INET6;
		sa.in6.sin6_port = htons(port);
		sa.in6.sin6_addr = in6addr_any;
	}
	if (bind(fd, &sa.sa, kgw_sockaddr_len(&sa)) < 0)
		goto fail;
	len = sizeof(sa);
	if (getsockname(fd, &sa.sa, &len) < 0)
		goto fail;
	*bound = ntohs(family == AF_INET ? sa.in.sin_port : sa.in6.sin6_port);
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

/* Setting a default segment size succeeds only where UDP_SEGMENT exists; then unset it. */
static bool gso_supported(int fd)
{
	int size = 1280, none = 0;

	if (setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &size, sizeof(size)) < 0)
		return false;
	return setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &none, sizeof(none)) == 0;
}

int wg_socket_open(struct wg_socket *s, uint16_t port, uint32_t fwmark)
{
	uint16_t bound = 0;
	int ret;

	for (int tries = 0; tries < WG_SOCKET_BIND_TRIES; tries++) {
		wg_socket_close(s);
		ret = open_one(AF_INET, port, fwmark, &bound);
		if (ret < 0)
			return ret;
		s->fd4 = ret;
		ret = open_one(AF_INET6, bound, fwmark, &bound);
		if (ret >= 0 || ret == -EAFNOSUPPORT) {
			s->fd6 = ret >= 0 ? ret : -1;
			s->port = bound;
			s->gso = gso_supported(s->fd4);
			return 0;
		}
		/* A random port free for v4 but taken for v6: pick another. */
		if (ret != -EADDRINUSE || port)
			break;
	}
	wg_socket_close(s);
	return ret;
}

void wg_socket_close(struct wg_socket *s)
{
	if (s->fd4 >= 0)
		close(s->fd4);
	if (s->fd6 >= 0)
		close(s->fd6);
	wg_socket_init(s);
}

int wg_socket_set_fwmark(struct wg_socket *s, uint32_t fwmark)
{
	int fds[2] = { s->fd4, s->fd6 };

	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
			return -errno;
	}
	return 0;
}

int wg_socket_send(const struct wg_socket *s, const union kgw_sockaddr *to, const void *buf, size_t len)
{
	int fd = to->sa.sa_family == AF_INET ? s->fd4 : to->sa.sa_family == AF_INET6 ? s->fd6 : -1;

	if (fd < 0)
		return -EAFNOSUPPORT;
	if (sendto(fd, buf, len, 0, &to->sa, kgw_sockaddr_len(to)) < 0)
		return -errno;
	return 0;
}

bool wg_socket_txq_add(struct wg_socket_txq *q, const union kgw_sockaddr *to, const void *buf, size_t len)
{
	if (q->count == WG_SOCKET_BATCH)
		return false;
	q->to[q->count] = *to;
	q->iov[q->count].iov_base = (void *)buf;
	q->iov[q->count].iov_len = len;
	q->count++;
	return true;
}

static int family_fd(const struct wg_socket *s, sa_family_t family)
{
	return family == AF_INET ? s->fd4 : family == AF_INET6 ? s->fd6 : -1;
}

/* How many datagrams from `i' on can go as one GSO send: same address, same size (the last may be shorter). */
static size_t gso_run(const struct wg_socket *s, const struct wg_socket_txq *q, size_t i)
{
	size_t n = 1, seg = q->iov[i].iov_len, total = seg;
	socklen_t alen = kgw_sockaddr_len(&q->to[i]);

	if (!s->gso)
		return 1;
	while (i + n < q->count && n < WG_SOCKET_GSO_SEGMENTS) {
		size_t len = q->iov[i + n].iov_len;

		if (len > seg || total + len > WG_SOCKET_GSO_BYTES || memcmp(&q->to[i], &q->to[i + n], alen))
			break;
		total += len;
		n++;
		if (len < seg)
			break;	/* a shorter one ends the run */
	}
	return n;
}

/*
 * A GSO send the kernel refused (EINVAL: a segment larger than the path
 * MTU, which plain sends would fragment; EIO: no segmentation on this
 * path): its datagrams go one by one. Returns how many were dropped.
 */
static size_t send_unsegmented(int fd, const struct msghdr *gso)
{
	size_t dropped = 0;

	for (size_t i = 0; i < gso->msg_iovlen; i++) {
		struct msghdr h = {
			.msg_name = gso->msg_name,
			.msg_namelen = gso->msg_namelen,
			.msg_iov = &gso->msg_iov[i],
			.msg_iovlen = 1,
		};

		if (sendmsg(fd, &h, 0) < 0)
			dropped++;
	}
	return dropped;
}

/* Sends msgs[0..n) on fd; returns how many datagrams (not messages) were dropped. */
static size_t send_messages(struct wg_socket *s, int fd, struct mmsghdr *msgs, size_t n)
{
	size_t sent = 0, dropped = 0;

	while (sent < n) {
		const struct msghdr *h;
		int r = sendmmsg(fd, msgs + sent, (unsigned int)(n - sent), 0);

		if (r > 0) {
			sent += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		/* The first message failed; a full queue or an unreachable peer loses it. */
		h = &msgs[sent].msg_hdr;
		if (r < 0 && h->msg_controllen && (errno == EINVAL || errno == EIO)) {
			if (errno == EIO)
				s->gso = false;
			dropped += send_unsegmented(fd, h);
		} else {
			dropped += h->msg_iovlen;
		}
		sent++;
	}
	return dropped;
}

size_t wg_socket_flush(struct wg_socket *s, struct wg_socket_txq *q)
{
	struct mmsghdr msgs[WG_SOCKET_BATCH];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(uint16_t))];
	} ctrl[WG_SOCKET_BATCH];
	size_t i = 0, n = 0, dropped = 0;
	sa_family_t family = 0;

	while (i < q->count) {
		size_t run = gso_run(s, q, i);
		struct msghdr *h = &msgs[n].msg_hdr;

		/* One sendmmsg() per family: flush what the other family queued. */
		if (n && q->to[i].sa.sa_family != family) {
			int fd = family_fd(s, family);

			dropped += fd < 0 ? n : send_messages(s, fd, msgs, n);
			n = 0;
			h = &msgs[0].msg_hdr;
		}
		family = q->to[i].sa.sa_family;
		memset(h, 0, sizeof(*h));
		h->msg_name = &q->to[i];
		h->msg_namelen = kgw_sockaddr_len(&q->to[i]);
		h->msg_iov = &q->iov[i];
		h->msg_iovlen = run;
		if (run > 1) {
			struct cmsghdr *c;
			uint16_t seg = (uint16_t)q->iov[i].iov_len;

			/* The padding after the 2-byte value goes to the kernel too. */
			memset(ctrl[n].buf, 0, sizeof(ctrl[n].buf));
			h->msg_control = ctrl[n].buf;
			h->msg_controllen = sizeof(ctrl[n].buf);
			c = CMSG_FIRSTHDR(h);
			c->cmsg_level = IPPROTO_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		}
		n++;
		i += run;
	}
	if (n) {
		int fd = family_fd(s, family);

		dropped += fd < 0 ? n : send_messages(s, fd, msgs, n);
	}
	q->count = 0;
	return dropped;
}

int wg_socket_recv(int fd, struct wg_socket_rxq *q)
{
	int n;

	for (size_t i = 0; i < WG_SOCKET_BATCH; i++) {
		struct msghdr *h = &q->msg[i].msg_hdr;

		q->iov[i].iov_base = q->buf[i];
		q->iov[i].iov_len = WG_SOCKET_RX_LEN;
		memset(h, 0, sizeof(*h));
		h->msg_name = &q->from[i];
		h->msg_namelen = sizeof(q->from[i]);
		h->msg_iov = &q->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = q->ctrl[i];
		h->msg_controllen = sizeof(q->ctrl[i]);
	}
	q->count = 0;
	do
		n = recvmmsg(fd, q->msg, WG_SOCKET_BATCH, 0, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &q->msg[i].msg_hdr;
		struct cmsghdr *c;

		/*
		 * An IPv4 source fills only part of the union; peers compare
		 * whole endpoints (roaming), so the rest must not be stale or
		 * uninitialised bytes (valgrind found it).
		 */
		if (h->msg_namelen < sizeof(q->from[i]))
			memset((char *)&q->from[i] + h->msg_namelen, 0,
			       sizeof(q->from[i]) - h->msg_namelen);
		q->len[i] = q->msg[i].msg_len;
		q->seg[i] = q->len[i];
		/* A truncated datagram is not one we could have sent: drop it whole. */
		if (h->msg_flags & MSG_TRUNC)
			q->len[i] = q->seg[i] = 0;
		for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
			int seg;

			if (c->cmsg_level != IPPROTO_UDP || c->cmsg_type != UDP_GRO ||
			    c->cmsg_len < CMSG_LEN(sizeof(seg)))
				continue;
			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			if (seg > 0 && (size_t)seg < q->seg[i])
				q->seg[i] = (size_t)seg;
		}
	}
	q->count = (size_t)n;
	return 0;
}
