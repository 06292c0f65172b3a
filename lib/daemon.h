/* SPDX-License-Identifier: MIT */
/*
 * Backgrounding as wireguard-go does it: the parent waits until the child
 * says it is ready (or dies), so the exit status of the command tells
 * whether the service came up.
 */
#ifndef KGW_DAEMON_H
#define KGW_DAEMON_H

/*
 * Forks. The parent waits and exits (0 when the child got ready, 1 if
 * not); the child returns a descriptor for kgw_daemon_ready(), or -1 with
 * errno when fork or pipe failed (then no child exists).
 */
int kgw_daemon_start(void);
/* In the child: tell the parent, start a new session, stdio to /dev/null. */
void kgw_daemon_ready(int fd);

#endif
