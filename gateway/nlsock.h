/* SPDX-License-Identifier: MIT */
/*
 * One netlink socket (libmnl) and the request/answer exchange that every
 * rtnetlink and generic netlink operation of kgwd goes through: send one
 * request, read until its ack (or the end of its dump), check sequence
 * number and port id, and turn an error into -errno with a log line that
 * names the operation and carries the kernel's extended-ack text.
 *
 * Message building lives elsewhere (nl.c, wg_genl.c) and is pure; this
 * file is the only one that does netlink I/O.
 */
#ifndef KGW_NLSOCK_H
#define KGW_NLSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define KGW_NLSOCK_EXTACK_MAX 128

struct kgw_nlsock {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	size_t buf_len;		/* MNL_SOCKET_BUFFER_SIZE */
	char *buf;		/* one request is built here, answers read here */
	/* The kernel's extended-ack message of the last failed request ("" if none). */
	char extack[KGW_NLSOCK_EXTACK_MAX];
};

/* bus: NETLINK_ROUTE or NETLINK_GENERIC. */
int kgw_nlsock_open(struct kgw_nlsock *s, int bus) __attribute__((warn_unused_result));
void kgw_nlsock_close(struct kgw_nlsock *s);

/* The next sequence number for a request being built. */
uint32_t kgw_nlsock_next_seq(struct kgw_nlsock *s);

/*
 * Sends the request at nlh (built anywhere, usually in s->buf, its
 * nlmsg_seq from kgw_nlsock_next_seq()) and runs cb on each answer until
 * the ack (NLM_F_ACK is set here for non-dump requests) or NLMSG_DONE.
 * Returns 0 or -errno; on failure logs "WHAT: strerror[: kernel text]"
 * unless what is NULL (a probe whose failure the caller reports itself).
 * Answers are read into s->buf, so nlh may point into it.
 */
int kgw_nlsock_talk(struct kgw_nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		    const char *what) __attribute__((warn_unused_result));

/*
 * The pure part of the exchange, for tests: feeds received bytes to cb and
 * handles NLMSG_ERROR/DONE. Returns MNL_CB_OK to keep reading, MNL_CB_STOP
 * at the end, or -errno (the kernel's, or -EPROTO for a malformed answer).
 */
int kgw_nlsock_process(struct kgw_nlsock *s, const void *buf, size_t len, uint32_t seq,
		       mnl_cb_t cb, void *data);

#endif
