/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

struct control_client {
	ev_io io;
	ev_timer idle;
	struct kgw_control *ctl;
	struct control_client *next, **pprev;
	struct kgw_control_peer peer;
	char *in;		/* KGW_CONTROL_LINE_MAX + 1 */
	size_t in_len;
	char *out;		/* pending reply, with its newline */
	size_t out_len, out_off;
};

struct kgw_control {
	struct ev_loop *loop;
	ev_io accept_w;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gid_t gid;
	kgw_control_handler handler;
	void *ctx;
	struct control_client *clients;
	unsigned int nclients;
};

static void client_free(struct control_client *c)
{
	ev_io_stop(c->ctl->loop, &c->io);
	ev_timer_stop(c->ctl->loop, &c->idle);
	close(c->io.fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	c->ctl->nclients--;
	free(c->in);
	free(c->out);
	free(c);
}

/* Sends what is pending; returns false when the client must go. */
static bool client_flush(struct control_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->io.fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN;
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return true;
}

static void client_want(struct control_client *c, int events)
{
	ev_io_stop(c->ctl->loop, &c->io);
	ev_io_set(&c->io, c->io.fd, events);
	ev_io_start(c->ctl->loop, &c->io);
}

/* Answers every complete line in the buffer, one at a time. */
static bool client_process(struct control_client *c)
{
	char *nl;

	while (!c->out && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t len = (size_t)(nl - c->in), rlen;
		char *reply;

		*nl = '\0';
		reply = c->ctl->handler(c->ctl->ctx, &c->peer, c->in, len);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		if (!reply)
			return false;
		rlen = strlen(reply);
		c->out = realloc(reply, rlen + 1);
		if (!c->out) {
			free(reply);
			return false;
		}
		c->out[rlen] = '\n';
		c->out_len = rlen + 1;
		if (!client_flush(c))
			return false;
	}
	if (c->in_len == KGW_CONTROL_LINE_MAX) {
		kgw_warn("control: pid %d sent a line over %d bytes; dropped", (int)c->peer.pid,
			 KGW_CONTROL_LINE_MAX);
		return false;
	}
	client_want(c, c->out ? EV_WRITE : EV_READ);
	return true;
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct control_client *c = w->data;
	ssize_t n;

	(void)loop;
	ev_timer_again(c->ctl->loop, &c->idle);
	if (revents & EV_WRITE) {
		if (!client_flush(c) || !client_process(c))
			goto drop;
		return;
	}
	n = recv(w->fd, c->in + c->in_len, KGW_CONTROL_LINE_MAX - c->in_len, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		goto drop;
	if (n > 0)
		c->in_len += (size_t)n;
	if (!client_process(c))
		goto drop;
	return;
drop:
	client_free(c);
}

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	client_free(w->data);
}

static bool peer_allowed(const struct kgw_control *ctl, const struct kgw_control_peer *p)
{
	return p->uid == 0 || p->gid == ctl->gid;
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct kgw_control *ctl = w->data;
	struct control_client *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd;

	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		close(fd);
		return;
	}
	if (!peer_allowed(ctl, &(struct kgw_control_peer){ cred.pid, cred.uid, cred.gid })) {
		kgw_warn("control: refused pid %d uid %u gid %u (needs root or group kgw)",
			 (int)cred.pid, cred.uid, cred.gid);
		close(fd);
		return;
	}
	if (ctl->nclients >= KGW_CONTROL_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
		close(fd);
		return;
	}
	c->in = malloc(KGW_CONTROL_LINE_MAX + 1);
	if (!c->in) {
		free(c);
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->peer = (struct kgw_control_peer){ cred.pid, cred.uid, cred.gid };
	ev_io_init(&c->io, client_cb, fd, EV_READ);
	ev_init(&c->idle, idle_cb);
	c->idle.repeat = KGW_CONTROL_IDLE_TIMEOUT;
	c->io.data = c->idle.data = c;
	c->next = ctl->clients;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &ctl->clients;
	ctl->clients = c;
	ctl->nclients++;
	ev_io_start(loop, &c->io);
	ev_timer_again(loop, &c->idle);
}

/* A live server answers connect(); a stale socket file does not. */
static int claim_path(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		ret = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(sun->sun_path);
	close(fd);
	return ret;
}

struct kgw_control *kgw_control_new(struct ev_loop *loop, const char *path, gid_t gid,
				    kgw_control_handler handler, void *ctx, int *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct kgw_control *ctl;
	mode_t old;
	int ret;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		*err = -ENOMEM;
		return NULL;
	}
	ctl->fd = -1;
	ctl->loop = loop;
	ctl->gid = gid;
	ctl->handler = handler;
	ctl->ctx = ctx;
	memcpy(ctl->path, sun.sun_path, sizeof(ctl->path));
	if ((ret = claim_path(&sun)))
		goto fail;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto fail_errno;
	/* Created 0660 from the start: no window where others could connect. */
	old = umask(0117);
	ret = bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret < 0)
		goto fail_errno;
	if (chown(path, (uid_t)-1, gid) < 0 && geteuid() == 0)
		goto fail_errno;
	if (listen(ctl->fd, 16) < 0)
		goto fail_errno;
	ev_io_init(&ctl->accept_w, accept_cb, ctl->fd, EV_READ);
	ctl->accept_w.data = ctl;
	ev_io_start(loop, &ctl->accept_w);
	return ctl;
fail_errno:
	ret = -errno;
fail:
	if (ctl->fd >= 0) {
		close(ctl->fd);
		unlink(path);
	}
	free(ctl);
	*err = ret;
	return NULL;
}

void kgw_control_free(struct kgw_control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	ev_io_stop(ctl->loop, &ctl->accept_w);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
}
