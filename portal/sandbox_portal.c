/* SPDX-License-Identifier: MIT */
/*
 * kgw-portal's steady state: TLS over accepted TCP connections, the kgwd
 * control socket, the store, and PAM on worker threads (PAM loads its
 * modules for each login, hence executable mappings). The portal parses
 * untrusted HTTP, so what it must never do is change the network: no
 * netlink or packet sockets, no interface ioctls, no socket options but
 * the one it sets, no set*id, no exec, no fork.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "sandbox_portal.h"

static const char *const portal_calls[] = {
	/* Connections and the control socket. */
	"accept4", "recvfrom", "recvmsg", "sendmsg", "shutdown", "getsockname",
	"getpeername", "getsockopt", "poll", "ppoll", "eventfd2", "pipe2",
	/* The store and PAM's modules and configuration. */
	"openat", "pread64", "pwrite64", "fsync", "fdatasync", "ftruncate",
	"unlink", "access", "faccessat", "faccessat2", "stat", "lstat", "statx",
	"getcwd", "mmap", "mprotect", "geteuid", "getuid", "getegid", "getgid",
	"fchown", "fchmod", "uname", "sched_yield", "mlock", "munlock",
	/* libpam's audit and SELinux probes, which only read. */
	"capget", "statfs", "readlink",
	NULL
};

/*
 * libpam opens a NETLINK_AUDIT socket for every login, and glibc's
 * getaddrinfo() asks NETLINK_ROUTE for the local addresses; both carry on
 * without (the unit's RestrictAddressFamilies refuses them the same way).
 * So those two are refused with EAFNOSUPPORT; any other netlink protocol
 * (netfilter, generic netlink: WireGuard) is off the list and kills.
 */
static int refuse_netlink_probes(scmp_filter_ctx ctx)
{
	static const int protocols[] = { NETLINK_AUDIT, NETLINK_ROUTE };
	int nr = seccomp_syscall_resolve_name("socket"), ret;

	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++) {
		struct scmp_arg_cmp c[2] = {
			KGW_ARG_EQ(0, AF_NETLINK),
			KGW_ARG_EQ(2, protocols[i]),
		};

		if ((ret = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 2, c)))
			return ret;
	}
	return 0;
}

/*
 * Sockets: Unix (kgwd, syslog, nscd) and, for a site's PAM modules (LDAP,
 * RADIUS), IP. Options: TCP_NODELAY on connections only. ioctl: only the
 * terminal query isatty() makes (libaudit asks for the login's tty).
 */
static int portal_rules(scmp_filter_ctx ctx)
{
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6 };
	struct scmp_arg_cmp nodelay[2] = {
		KGW_ARG_EQ(1, IPPROTO_TCP), KGW_ARG_EQ(2, TCP_NODELAY),
	};
	struct scmp_arg_cmp tcgets = KGW_ARG_EQ(1, TCGETS);
	int ret;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct scmp_arg_cmp c = KGW_ARG_EQ(0, families[i]);

		if ((ret = kgw_sandbox_allow_if(ctx, "socket", 1, &c)))
			return ret;
	}
	if ((ret = refuse_netlink_probes(ctx)) ||
	    (ret = kgw_sandbox_allow_if(ctx, "ioctl", 1, &tcgets)))
		return ret;
	return kgw_sandbox_allow_if(ctx, "setsockopt", 2, nodelay);
}

const struct kgw_sandbox_policy kgw_portal_sandbox_policy = {
	.name = "kgw-portal",
	.allow = portal_calls,
	.add_rules = portal_rules,
	.no_exec_mappings = false,
};
