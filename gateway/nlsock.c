/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>

#include "log.h"
#include "nlsock.h"

int kgw_nlsock_open(struct kgw_nlsock *s, int bus)
{
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->buf_len = MNL_SOCKET_BUFFER_SIZE;
	s->buf = malloc(s->buf_len);
	if (!s->buf)
		return -ENOMEM;
	s->sock = mnl_socket_open(bus);
	if (!s->sock || mnl_socket_bind(s->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int ret = -errno;

		kgw_err("netlink: cannot open socket for bus %d: %s", bus, strerror(errno));
		kgw_nlsock_close(s);
		return ret;
	}
	/*
	 * Extended acks give the kernel's reason ("Unknown device type") and
	 * capped acks keep it from echoing our whole request back. Both are
	 * only nicer errors, so older kernels without them are fine.
	 */
	mnl_socket_setsockopt(s->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->sock);
	/* Start somewhere a stale answer from another process's socket would not match. */
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void kgw_nlsock_close(struct kgw_nlsock *s)
{
	if (!s)
		return;
	if (s->sock)
		mnl_socket_close(s->sock);
	free(s->buf);
	s->sock = NULL;
	s->buf = NULL;
}

uint32_t kgw_nlsock_next_seq(struct kgw_nlsock *s)
{
	return ++s->seq;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct kgw_nlsock *s = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		kgw_log_quote(mnl_attr_get_str(attr), s->extack, sizeof(s->extack));
	return MNL_CB_OK;
}

/* An NLMSG_ERROR: 0 for an ack, else the kernel's -errno (and its text, if any). */
static int handle_error(struct kgw_nlsock *s, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	size_t off;

	if (plen < sizeof(*err) || err->error > 0)
		return -EPROTO;
	if (err->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* The TLVs follow the echoed request, or only its header when capped. */
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off = sizeof(err->error) + MNL_ALIGN(err->msg.nlmsg_len);
		if (off < plen)
			mnl_attr_parse_payload((const char *)err + off, plen - off, extack_attr, s);
	}
	return err->error;
}

/*
 * libmnl 1.0.4's mnl_nlmsg_ok() compares the length as an int, so a
 * message claiming 2 GiB or more passes it: check lengths ourselves. The
 * aligned length must fit too, as libmnl's attribute walk reads up to it;
 * the kernel always pads its messages.
 */
static bool msg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       MNL_ALIGN((size_t)nlh->nlmsg_len) <= left;
}

static int process_one(struct kgw_nlsock *s, const struct nlmsghdr *nlh, mnl_cb_t cb,
		       void *data)
{
	int err, ret;

	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return MNL_CB_OK;
	case NLMSG_ERROR:
		ret = handle_error(s, nlh);
		return ret == 0 ? MNL_CB_STOP : ret;
	case NLMSG_DONE:
		/* A dump that failed part-way says why in DONE's payload. */
		if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
			memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
			if (err < 0)
				return err;
		}
		return MNL_CB_STOP;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE || !cb)
		return MNL_CB_OK;
	errno = 0;
	ret = cb(nlh, data);
	if (ret == MNL_CB_ERROR)
		return errno > 0 ? -errno : -EPROTO;
	return ret == MNL_CB_STOP ? MNL_CB_STOP : MNL_CB_OK;
}

int kgw_nlsock_process(struct kgw_nlsock *s, const void *buf, size_t len, uint32_t seq,
		       mnl_cb_t cb, void *data)
{
	const char *p = buf;
	size_t left = len, step;
	int ret;

	for (; msg_ok((const struct nlmsghdr *)p, left); p += step, left -= step) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;

		step = MNL_ALIGN((size_t)nlh->nlmsg_len);
		/*
		 * Answers to an earlier request that we gave up on (a dump
		 * whose callback failed) may still arrive: skip them rather
		 * than fail every later request on this socket.
		 */
		if (nlh->nlmsg_seq != seq || !mnl_nlmsg_portid_ok(nlh, s->portid))
			continue;
		ret = process_one(s, nlh, cb, data);
		if (ret != MNL_CB_OK)
			return ret;
	}
	/* Bytes left over that are not a whole message mean a truncated read. */
	return left == 0 ? MNL_CB_OK : -EPROTO;
}

int kgw_nlsock_talk(struct kgw_nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		    const char *what)
{
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	s->extack[0] = '\0';
	/* A dump ends with NLMSG_DONE and gets no ack; everything else is acked. */
	if (!dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(s->sock, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto fail;
	}
	for (;;) {
		n = mnl_socket_recvfrom(s->sock, s->buf, s->buf_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto fail;
		}
		ret = kgw_nlsock_process(s, s->buf, (size_t)n, seq, cb, data);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			goto fail;
	}
fail:
	if (!what)
		return ret;
	if (s->extack[0])
		kgw_err("%s: %s: %s", what, strerror(-ret), s->extack);
	else
		kgw_err("%s: %s", what, strerror(-ret));
	return ret;
}
