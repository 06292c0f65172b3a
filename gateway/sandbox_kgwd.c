/* SPDX-License-Identifier: MIT */
/*
 * kgwd's steady state: the control socket, the sessions store (SQLite),
 * netlink to the kernel (routes, kernel WireGuard), the userspace engine's
 * UDP sockets and TUN, and the nftables policy, applied in process through
 * libnftables (netlink): kgwd starts no program, so neither fork nor exec
 * is allowed, nor a new executable mapping.
 */
#include "config.h"

#include <stddef.h>
#include <sys/socket.h>

#include "sandbox_gw.h"

static const char *const kgwd_calls[] = {
	/* Control socket and netlink. */
	"accept4", "recvfrom", "recvmsg", "sendmsg", "bind", "getsockname",
	"getsockopt", "setsockopt", "shutdown", "poll", "ppoll",
	/* The userspace engine's batches. */
	"recvmmsg", "sendmmsg",
	/* The store. */
	"openat", "pread64", "pwrite64", "fsync", "fdatasync", "ftruncate",
	"unlink", "unlinkat", "access", "faccessat", "faccessat2", "getcwd",
	"stat", "lstat", "statx", "fchown", "fchmod", "geteuid", "getuid",
	/* Going to the background (kgw_daemon_ready) and sodium's locked memory. */
	"setsid", "dup2", "dup3", "mlock", "munlock",
	/* libnftables. */
	"getgid", "getegid",
	/* libnftables waits for the kernel's answers with select(). */
	"pselect6", "select",
	NULL
};

/* Netlink for the network, Unix for the control socket and syslog, UDP for the engine. */
static int kgwd_rules(scmp_filter_ctx ctx)
{
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };
	int ret;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct scmp_arg_cmp c = KGW_ARG_EQ(0, families[i]);

		if ((ret = kgw_sandbox_allow_if(ctx, "socket", 1, &c)))
			return ret;
	}
	return 0;
}

const struct kgw_sandbox_policy kgwd_sandbox_policy = {
	.name = "kgwd",
	.allow = kgwd_calls,
	.add_rules = kgwd_rules,
	.no_exec_mappings = true,
};
