/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sandbox.h"

/*
 * What every daemon's event loop, allocator, logging and clean exit need.
 * A daemon's own file lists the rest.
 */
static const char *const common_calls[] = {
	"read", "write", "readv", "writev", "close", "exit", "exit_group",
	"brk", "munmap", "mremap", "madvise",
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction",
	"epoll_wait", "epoll_pwait", "epoll_ctl",
	/* libev watches for wall-clock jumps with a timerfd once an ev_periodic runs. */
	"timerfd_create", "timerfd_settime",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"getpid", "gettid", "getrandom", "futex", "restart_syscall",
	"fstat", "newfstatat", "lseek", "fcntl",
	/* syslog(3) reconnects to /dev/log when journald restarts. */
	"connect", "sendto",
	NULL
};

#ifdef KGW_SANITIZERS
/*
 * ASan/UBSan report and LeakSanitizer's exit check: LSan stops the world
 * with a ptrace()ing clone and reads /proc/self/maps; the reports write to
 * stderr after reading symbols. Sanitizer builds are for tests, never
 * shipped, so the filter is widened for them rather than turned off.
 */
static const char *const sanitizer_calls[] = {
	"clone", "clone3", "ptrace", "wait4", "waitid", "prctl", "sched_yield",
	"sigaltstack", "openat", "open", "readlink", "readlinkat", "getdents", "getdents64",
	"getppid", "tgkill", "kill", "pipe", "pipe2", "dup", "dup2", "dup3",
	"prlimit64", "getrlimit", "setrlimit", "personality", "process_vm_readv",
	"pread64", "sched_getaffinity", "stat", "lstat", "uname", "execve",
	NULL
};
#endif

int kgw_sandbox_mode_parse(const char *s, enum kgw_sandbox_mode *mode)
{
	if (!strcmp(s, "kill"))
		*mode = KGW_SANDBOX_KILL;
	else if (!strcmp(s, "log"))
		*mode = KGW_SANDBOX_LOG;
	else if (!strcmp(s, "off"))
		*mode = KGW_SANDBOX_OFF;
	else
		return -EINVAL;
	return 0;
}

int kgw_sandbox_mode_env(enum kgw_sandbox_mode *mode)
{
	const char *s = getenv(KGW_SANDBOX_ENV);

	*mode = KGW_SANDBOX_KILL;
	if (!s || !*s)
		return 0;
	return kgw_sandbox_mode_parse(s, mode);
}

int kgw_sandbox_allow_if(scmp_filter_ctx ctx, const char *name, unsigned int n,
			 const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A call this architecture does not have cannot be made either. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

static int allow_list(scmp_filter_ctx ctx, const char *const *names, const char **bad)
{
	int ret;

	for (; *names; names++) {
		if ((ret = kgw_sandbox_allow_if(ctx, *names, 0, NULL))) {
			*bad = *names;
			return ret;
		}
	}
	return 0;
}

/* mmap and mprotect with anything but PROT_EXEC; W^X as systemd's MemoryDenyWriteExecute. */
static int allow_mappings(scmp_filter_ctx ctx, bool no_exec)
{
	struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	int ret;

	if ((ret = kgw_sandbox_allow_if(ctx, "mmap", no_exec, &noexec)))
		return ret;
	return kgw_sandbox_allow_if(ctx, "mprotect", no_exec, &noexec);
}

int kgw_sandbox_apply(const struct kgw_sandbox_policy *p, enum kgw_sandbox_mode mode,
		      char err[static KGW_SANDBOX_ERR_MAX])
{
	scmp_filter_ctx ctx;
	const char *bad = "";
	int ret;

	if (mode == KGW_SANDBOX_OFF)
		return 0;
	ctx = seccomp_init(mode == KGW_SANDBOX_LOG ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, KGW_SANDBOX_ERR_MAX, "%s: cannot set up the seccomp filter", p->name);
		return -ENOMEM;
	}
	/* Every thread (the portal's PAM workers): one left out would be a way around. */
	if ((ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) ||
	    (ret = allow_list(ctx, common_calls, &bad)) ||
	    (ret = allow_list(ctx, p->allow, &bad)) ||
#ifdef KGW_SANITIZERS
	    (ret = allow_list(ctx, sanitizer_calls, &bad)) ||
#endif
	    (ret = allow_mappings(ctx, p->no_exec_mappings)) ||
	    (p->add_rules && (ret = p->add_rules(ctx)))) {
		snprintf(err, KGW_SANDBOX_ERR_MAX, "%s: seccomp rule%s%s: %s", p->name,
			 *bad ? " for " : "", bad, strerror(-ret));
		goto out;
	}
	if ((ret = seccomp_load(ctx)))
		snprintf(err, KGW_SANDBOX_ERR_MAX, "%s: cannot load the seccomp filter: %s",
			 p->name, strerror(-ret));
out:
	seccomp_release(ctx);
	return ret;
}
