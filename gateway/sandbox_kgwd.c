/* SPDX-License-Identifier: MIT */
/*
 * kgwd's steady state: the control socket, the sessions store (SQLite),
 * netlink to the kernel (routes, kernel WireGuard), the userspace engine's
 * UDP sockets and TUN, and nft, which it forks and executes for every
 * policy change. nft inherits the filter, so its start-up calls (the
 * dynamic loader's executable mappings among them) are here too; that is
 * the price of not linking libnftables, and why kgwd's list is the longest.
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
	/* Running nft: kgwd's side. */
	"clone", "clone3", "vfork", "execve", "wait4", "pipe2", "dup2", "dup3",
	"close_range", "kill", "rt_sigtimedwait", "pselect6",
	/* Going to the background (kgw_daemon_ready) and sodium's locked memory. */
	"setsid", "mlock", "munlock",
	/* nft's own start-up and run. */
	"arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
	"mmap", "mprotect", "getgid", "getegid", "uname", "sysinfo",
	"sched_getaffinity", "ioctl", "readlink", "newfstatat", "getdents64",
	"open", "statfs", "fstatfs",
	NULL
};

/* Netlink for the network, Unix for the control socket and syslog, UDP for the engine. */
static int kgwd_rules(scmp_filter_ctx ctx)
{
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };
	int ret;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]);

		if ((ret = kgw_sandbox_allow_if(ctx, "socket", 1, &c)))
			return ret;
	}
	return 0;
}

const struct kgw_sandbox_policy kgwd_sandbox_policy = {
	.name = "kgwd",
	.allow = kgwd_calls,
	.add_rules = kgwd_rules,
	.no_exec_mappings = false,
};
