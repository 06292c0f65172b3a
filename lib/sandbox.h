/* SPDX-License-Identifier: MIT */
/*
 * Seccomp allow-lists for the daemons. Each daemon names the system calls
 * it makes once it is set up (gateway/sandbox_kgwd.c, ...); anything else
 * kills the whole process (or, for debugging, is only logged by the
 * kernel's audit, see dmesg). The filter is installed last, after the
 * privileges are dropped, so the list covers only the steady state.
 */
#ifndef KGW_SANDBOX_H
#define KGW_SANDBOX_H

#include <stdbool.h>

#include <seccomp.h>

#define KGW_SANDBOX_ENV "KGW_SECCOMP"
#define KGW_SANDBOX_ERR_MAX 256

enum kgw_sandbox_mode {
	KGW_SANDBOX_KILL,	/* the default: a call off the list kills the process */
	KGW_SANDBOX_LOG,	/* off-list calls run and the kernel logs them */
	KGW_SANDBOX_OFF,	/* no filter (valgrind, or set-id PAM helpers) */
};

struct kgw_sandbox_policy {
	const char *name;		/* for messages: "kgwd" */
	const char *const *allow;	/* NULL-terminated system call names */
	/* Calls allowed only with some arguments (socket families, ioctls). */
	int (*add_rules)(scmp_filter_ctx ctx);
	/* mmap/mprotect may not ask for PROT_EXEC: nothing is loaded later. */
	bool no_exec_mappings;
};

/* "kill", "log" or "off"; -EINVAL for anything else. */
int kgw_sandbox_mode_parse(const char *s, enum kgw_sandbox_mode *mode);
/* From $KGW_SECCOMP when set, else kill. -EINVAL when it is bad. */
int kgw_sandbox_mode_env(enum kgw_sandbox_mode *mode);
/*
 * Installs the policy's filter on every thread of the process. 0 on
 * success; a negative errno and a message in err otherwise. Under
 * --enable-sanitizers the calls the ASan/UBSan/LSan runtime makes are
 * allowed as well (see sandbox.c).
 */
int kgw_sandbox_apply(const struct kgw_sandbox_policy *p, enum kgw_sandbox_mode mode,
		      char err[static KGW_SANDBOX_ERR_MAX]) __attribute__((warn_unused_result));
/*
 * Argument `arg' equals `v'. libseccomp's SCMP_A0()..SCMP_A5() leave the
 * second datum out, which clang's -Wmissing-field-initializers refuses.
 */
#define KGW_ARG_EQ(arg, v) ((struct scmp_arg_cmp){ (arg), SCMP_CMP_EQ, (scmp_datum_t)(v), 0 })

/* Adds one rule allowing `name' when its arguments match; for add_rules. */
int kgw_sandbox_allow_if(scmp_filter_ctx ctx, const char *name, unsigned int n,
			 const struct scmp_arg_cmp *cmp);

/* The help text the daemons share for --seccomp. */
#define KGW_SANDBOX_HELP \
"      --seccomp=MODE   the system call filter: `kill' (default) ends the\n" \
"                       process on a call off its list, `log' lets the call\n" \
"                       run and logs it to the kernel audit log (dmesg), for\n" \
"                       debugging; `off' installs none (valgrind). The\n" \
"                       environment variable " KGW_SANDBOX_ENV " sets the default\n"

#endif
