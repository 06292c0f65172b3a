/* SPDX-License-Identifier: MIT */
/*
 * kgwd gives up root once the tunnel, sockets and forwarding are set up:
 * it becomes `user' and keeps only CAP_NET_ADMIN (peers, routes, nftables).
 * The capability is also ambient, so the `nft' it executes can load the
 * ruleset; nothing else survives exec.
 */
#ifndef KGW_PRIVS_H
#define KGW_PRIVS_H

#include <sys/types.h>

/* Looks up `user'; -ENOENT with a message naming it when it does not exist. */
int kgw_privs_lookup(const char *user, uid_t *uid, gid_t *gid) __attribute__((warn_unused_result));
/*
 * Drops to uid/gid with only CAP_NET_ADMIN, and checks the result: that
 * root cannot be regained and the capability is there. 0 or -errno.
 */
int kgw_privs_drop(uid_t uid, gid_t gid) __attribute__((warn_unused_result));

#endif
