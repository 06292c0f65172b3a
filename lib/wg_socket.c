/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wg_socket.h"

/* Tries to bind the v6 socket to the v4 socket's kernel-chosen port. */
#define WG_SOCKET_BIND_TRIES 16

void wg_socket_init(struct wg_socket *s)
{
	s->fd4 = s->fd6 = -1;
	s->port = 0;
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
