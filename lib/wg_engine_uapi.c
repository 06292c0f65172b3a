/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "wg_device.h"
#include "wg_engine.h"
#include "wg_engine_uapi.h"
#include "wg_uapi.h"

#define UAPI_MAX_CLIENTS 16
/* A request bigger than this is refused: `wg setconf' of ~50k peers fits. */
#define UAPI_MAX_REQUEST (16u << 20)

struct uapi_client {
	struct wg_engine_uapi *u;
	ev_io w;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off;
	struct uapi_client *next;
};

struct wg_engine_uapi {
	struct wg_engine *eng;
	struct ev_loop *loop;
	ev_io listen_w;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct uapi_client *clients;
	unsigned int nclients;
};

/* Buffers hold keys: wipe before freeing. */
static void wipe_free(char *p, size_t len)
{
	if (p)
		sodium_memzero(p, len);
	free(p);
}

static void client_close(struct uapi_client *c)
{
	struct wg_engine_uapi *u = c->u;
	struct uapi_client **pp;

	for (pp = &u->clients; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	u->nclients--;
	ev_io_stop(u->loop, &c->w);
	close(c->w.fd);
	wipe_free(c->in, c->in_cap);
	wipe_free(c->out, c->out_len);
	free(c);
}

static char *reply_errno(int err, size_t *len)
{
	char *s = malloc(32);

	if (s)
		*len = (size_t)snprintf(s, 32, "errno=%d\n\n", err);
	return s;
}

static char *handle_get(struct wg_engine_uapi *u, size_t *len)
{
	struct wg_uapi_device_info info;
	char *body, *s;
	size_t blen;

	if (wg_device_info(wg_engine_device(u->eng), &info))
		return reply_errno(ENOMEM, len);
	body = wg_uapi_format_get(&info, &blen);
	wg_uapi_device_info_free(&info);
	if (!body)
		return reply_errno(ENOMEM, len);
	s = malloc(blen + 32);
	if (s) {
		memcpy(s, body, blen);
		*len = blen + (size_t)snprintf(s + blen, 32, "errno=0\n\n");
	}
	wipe_free(body, blen);
	return s ? s : reply_errno(ENOMEM, len);
}

static char *handle(struct wg_engine_uapi *u, const char *req, size_t reqlen, size_t *len)
{
	struct wg_uapi_set set;
	char err[160];
	int op, ret;

	op = wg_uapi_parse(req, reqlen, &set, err, sizeof(err));
	if (op == WG_UAPI_GET) {
		wg_uapi_set_free(&set);
		return handle_get(u, len);
	}
	if (op < 0) {
		kgw_info("uapi: refused a request: %s", err);
		wg_uapi_set_free(&set);
		return reply_errno(-op, len);
	}
	ret = wg_device_apply(wg_engine_device(u->eng), &set, wg_engine_now_ms());
	wg_uapi_set_free(&set);
	if (!ret)
		ret = wg_engine_sync_sockets(u->eng);
	if (ret)
		kgw_warn("uapi: set failed: %s", strerror(-ret));
	return reply_errno(-ret, len);
}

static void client_process(struct uapi_client *c);

static void client_write(struct uapi_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->w.fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	wipe_free(c->out, c->out_len);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	ev_io_stop(c->u->loop, &c->w);
	ev_io_set(&c->w, c->w.fd, EV_READ);
	ev_io_start(c->u->loop, &c->w);
	/* `wg' sends one request, but a client may have pipelined more. */
	if (c->in_len)
		client_process(c);
}

/* A whole request ends in a blank line; handle it and keep what follows. */
static void client_process(struct uapi_client *c)
{
	char *end = NULL;
	size_t reqlen;

	for (size_t i = 0; i + 1 < c->in_len; i++) {
		if (c->in[i] == '\n' && c->in[i + 1] == '\n') {
			end = c->in + i;
			break;
		}
	}
	if (!end)
		return;
	reqlen = (size_t)(end - c->in) + 1;	/* keep the last line's newline */
	c->out = handle(c->u, c->in, reqlen, &c->out_len);
	if (!c->out) {
		client_close(c);
		return;
	}
	memmove(c->in, end + 2, c->in_len - reqlen - 1);
	c->in_len -= reqlen + 1;
	sodium_memzero(c->in + c->in_len, c->in_cap - c->in_len);
	ev_io_stop(c->u->loop, &c->w);
	ev_io_set(&c->w, c->w.fd, EV_WRITE);
	ev_io_start(c->u->loop, &c->w);
	client_write(c);
}

static int client_read(struct uapi_client *c)
{
	char *grown;
	size_t cap;
	ssize_t n;

	if (c->in_cap - c->in_len < 4096) {
		cap = c->in_cap ? c->in_cap * 2 : 8192;
		if (cap > UAPI_MAX_REQUEST)
			return -E2BIG;
		if (!(grown = malloc(cap)))
			return -ENOMEM;
		if (c->in)
			memcpy(grown, c->in, c->in_len);
		wipe_free(c->in, c->in_cap);
		c->in = grown;
		c->in_cap = cap;
	}
	n = read(c->w.fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return -EPIPE;
	c->in_len += (size_t)n;
	return 1;
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct uapi_client *c = w->data;
	int ret;

	(void)loop;
	if (revents & EV_WRITE) {
		client_write(c);
		return;
	}
	ret = client_read(c);
	if (ret < 0) {
		if (ret == -E2BIG)
			kgw_warn("uapi: request larger than %u bytes, closing", UAPI_MAX_REQUEST);
		client_close(c);
		return;
	}
	if (ret > 0)
		client_process(c);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct wg_engine_uapi *u = w->data;
	struct uapi_client *c;
	int fd;

	(void)revents;
	fd = accept4(u->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (u->nclients >= UAPI_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
		close(fd);
		return;
	}
	c->u = u;
	ev_io_init(&c->w, client_cb, fd, EV_READ);
	c->w.data = c;
	c->next = u->clients;
	u->clients = c;
	u->nclients++;
	ev_io_start(loop, &c->w);
}

/* A live socket belongs to another instance; a dead one is left over. */
static int claim_path(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (!connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		ret = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(path);
	close(fd);
	return ret;
}

struct wg_engine_uapi *wg_engine_uapi_new(struct wg_engine *eng, struct ev_loop *loop, const char *dir,
					  const char *ifname, int *err)
{
	struct wg_engine_uapi *u = calloc(1, sizeof(*u));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int ret;

	if (!u) {
		*err = -ENOMEM;
		return NULL;
	}
	u->eng = eng;
	u->loop = loop;
	u->fd = -1;
	if ((size_t)snprintf(u->path, sizeof(u->path), "%s/%s.sock", dir, ifname) >= sizeof(u->path)) {
		ret = -ENAMETOOLONG;
		goto fail;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		ret = -errno;
		kgw_err("uapi: cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((ret = claim_path(u->path))) {
		kgw_err("uapi: %s is in use by another process", u->path);
		goto fail;
	}
	u->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		ret = -errno;
		goto fail;
	}
	memcpy(sun.sun_path, u->path, sizeof(u->path));
	old = umask(0077);
	ret = bind(u->fd, (struct sockaddr *)&sun, sizeof(sun)) ? -errno : 0;
	umask(old);
	if (ret || listen(u->fd, 16)) {
		ret = ret ? ret : -errno;
		kgw_err("uapi: cannot listen on %s: %s", u->path, strerror(-ret));
		goto fail;
	}
	ev_io_init(&u->listen_w, accept_cb, u->fd, EV_READ);
	u->listen_w.data = u;
	ev_io_start(loop, &u->listen_w);
	return u;
fail:
	if (u->fd >= 0)
		close(u->fd);
	free(u);
	*err = ret;
	return NULL;
}

void wg_engine_uapi_free(struct wg_engine_uapi *u)
{
	if (!u)
		return;
	while (u->clients)
		client_close(u->clients);
	ev_io_stop(u->loop, &u->listen_w);
	close(u->fd);
	unlink(u->path);
	free(u);
}
