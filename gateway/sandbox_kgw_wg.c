/* SPDX-License-Identifier: MIT */
/*
 * kgw-wg's steady state: the TUN descriptor, the UDP sockets (re-bound when
 * `wg set listen-port' changes them), and the UAPI socket `wg' talks to.
 * Nothing is loaded or executed after start-up, so no executable mappings.
 */
#include "config.h"

#include <stddef.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "sandbox_gw.h"
#include "wg_socket.h"


static const char *const kgw_wg_calls[] = {
	"accept4", "recvfrom", "sendto", "recvmsg", "sendmsg", "bind", "getsockname",
	"recvmmsg", "sendmmsg",
	"shutdown", "poll", "ppoll", "unlink", "unlinkat",
	/* kgw_daemon_ready(): a new session, stdio to /dev/null. */
	"setsid", "openat", "dup2",
	/* sodium_malloc'd keys. */
	"mlock", "munlock",
	NULL
};

/*
 * Sockets: UDP for the tunnel, Unix for UAPI and syslog. Options: only
 * those wg_socket.c sets (v6-only, the fwmark `wg set fwmark' asks for,
 * socket buffers, UDP GSO and GRO).
 */
static int kgw_wg_rules(scmp_filter_ctx ctx)
{
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6 };
	struct scmp_arg_cmp v6only[2] = {
		KGW_ARG_EQ(1, IPPROTO_IPV6), KGW_ARG_EQ(2, IPV6_V6ONLY),
	};
	struct scmp_arg_cmp mark[2] = {
		KGW_ARG_EQ(1, SOL_SOCKET), KGW_ARG_EQ(2, SO_MARK),
	};
	int ret;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct scmp_arg_cmp c = KGW_ARG_EQ(0, families[i]);

		if ((ret = kgw_sandbox_allow_if(ctx, "socket", 1, &c)))
			return ret;
	}
	static const int sol_socket[] = { SO_RCVBUF, SO_RCVBUFFORCE, SO_SNDBUF, SO_SNDBUFFORCE };
	static const int sol_udp[] = { UDP_GRO, UDP_SEGMENT };

	for (size_t i = 0; i < sizeof(sol_socket) / sizeof(sol_socket[0]); i++) {
		struct scmp_arg_cmp c[2] = {
			KGW_ARG_EQ(1, SOL_SOCKET), KGW_ARG_EQ(2, sol_socket[i]),
		};

		if ((ret = kgw_sandbox_allow_if(ctx, "setsockopt", 2, c)))
			return ret;
	}
	for (size_t i = 0; i < sizeof(sol_udp) / sizeof(sol_udp[0]); i++) {
		struct scmp_arg_cmp c[2] = {
			KGW_ARG_EQ(1, IPPROTO_UDP), KGW_ARG_EQ(2, sol_udp[i]),
		};

		if ((ret = kgw_sandbox_allow_if(ctx, "setsockopt", 2, c)))
			return ret;
	}
	if ((ret = kgw_sandbox_allow_if(ctx, "setsockopt", 2, v6only)))
		return ret;
	return kgw_sandbox_allow_if(ctx, "setsockopt", 2, mark);
}

const struct kgw_sandbox_policy kgw_wg_sandbox_policy = {
	.name = "kgw-wg",
	.allow = kgw_wg_calls,
	.add_rules = kgw_wg_rules,
	.no_exec_mappings = true,
};
