/* SPDX-License-Identifier: MIT */
/*
 * sandbox-probe POLICY CALL: installs a daemon's real seccomp filter (the
 * same kgw_sandbox_policy the daemon links) and then makes one system
 * call. It prints what the call returned and exits 0 when the filter let
 * it through (or refused it with an error); when the filter kills, the
 * shell sees SIGSYS. tests/integration/sandbox.sh reads both.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>

#include "sandbox_gw.h"
#include "sandbox_portal.h"

static long call(const char *what)
{
	int one = 1;

	if (!strcmp(what, "tcp"))
		return socket(AF_INET, SOCK_STREAM, 0);
	if (!strcmp(what, "unix"))
		return socket(AF_UNIX, SOCK_STREAM, 0);
	if (!strcmp(what, "netlink-route"))
		return socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (!strcmp(what, "netlink-audit"))
		return socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (!strcmp(what, "netlink-netfilter"))
		return socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
	if (!strcmp(what, "netlink-generic"))
		return socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (!strcmp(what, "packet"))
		return socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (!strcmp(what, "siocsifmtu")) {
		struct ifreq ifr = { .ifr_mtu = 1280 };

		strcpy(ifr.ifr_name, "lo");
		return ioctl(STDIN_FILENO, SIOCSIFMTU, &ifr);
	}
	if (!strcmp(what, "tcgets")) {
		char buf[64];

		return ioctl(STDIN_FILENO, TCGETS, buf);
	}
	if (!strcmp(what, "nodelay"))
		return setsockopt(STDIN_FILENO, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!strcmp(what, "so-mark"))
		return setsockopt(STDIN_FILENO, SOL_SOCKET, SO_MARK, &one, sizeof(one));
	if (!strcmp(what, "setuid"))
		return setuid(0);
	if (!strcmp(what, "fork"))
		return fork();
	if (!strcmp(what, "exec")) {
		char *const argv[] = { "true", NULL };

		return execve("/bin/true", argv, NULL);
	}
	fprintf(stderr, "sandbox-probe: unknown call `%s'\n", what);
	_exit(2);
}

int main(int argc, char **argv)
{
	const struct kgw_sandbox_policy *p;
	char err[KGW_SANDBOX_ERR_MAX];
	long r;

	if (argc != 3) {
		fputs("usage: sandbox-probe kgwd|kgw-wg|kgw-portal CALL\n", stderr);
		return 2;
	}
	if (!strcmp(argv[1], "kgwd"))
		p = &kgwd_sandbox_policy;
	else if (!strcmp(argv[1], "kgw-wg"))
		p = &kgw_wg_sandbox_policy;
	else if (!strcmp(argv[1], "kgw-portal"))
		p = &kgw_portal_sandbox_policy;
	else
		return 2;
	if (kgw_sandbox_apply(p, KGW_SANDBOX_KILL, err)) {
		fprintf(stderr, "sandbox-probe: %s\n", err);
		return 1;
	}
	errno = 0;
	r = call(argv[2]);
	printf("%s %s: %ld %s\n", argv[1], argv[2], r, r < 0 ? strerror(errno) : "ok");
	fflush(stdout);
	_exit(0);
}
