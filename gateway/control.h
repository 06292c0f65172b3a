/* SPDX-License-Identifier: MIT */
/*
 * kgwd's control socket: a Unix stream socket carrying one request line
 * and one reply line at a time (the protocol is doc/control-protocol.md).
 * This file is the transport: who may connect (SO_PEERCRED: root, or a
 * member of the kgw group), line framing with a hard length limit, and an
 * idle time-out. What a line means is the handler's business.
 */
#ifndef KGW_CONTROL_H
#define KGW_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <ev.h>

#define KGW_CONTROL_LINE_MAX (64 * 1024)
#define KGW_CONTROL_IDLE_TIMEOUT 60.0
#define KGW_CONTROL_MAX_CLIENTS 64

struct kgw_control;

struct kgw_control_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/*
 * Called with one request line (without the newline, NUL-terminated).
 * Returns a malloc'd reply line without newline; the transport sends it
 * and frees it. NULL means "no memory": the client is dropped.
 * `ctx' is the pointer given to kgw_control_new(), owned by its caller.
 */
typedef char *(*kgw_control_handler)(void *ctx, const struct kgw_control_peer *peer,
				     const char *line, size_t len);

/*
 * Listens on `path' (replacing a stale socket, refusing a live one),
 * mode 0660 and group `gid' so the kgw group can connect. Only uid 0 and
 * processes whose gid is `gid' get through SO_PEERCRED.
 */
struct kgw_control *kgw_control_new(struct ev_loop *loop, const char *path, gid_t gid,
				    kgw_control_handler handler, void *ctx, int *err);
void kgw_control_free(struct kgw_control *ctl);

#endif
