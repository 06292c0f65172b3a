/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"

int kgw_portal_drop_privileges(const char *user, char err[static KGW_PRIVS_ERR_MAX])
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		int e = errno ? errno : ENOENT;

		snprintf(err, KGW_PRIVS_ERR_MAX, "no user `%s' to run as: %s", user, strerror(e));
		return -e;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, KGW_PRIVS_ERR_MAX,
			 "user `%s' is root; kgw-portal must not run as root", user);
		return -EPERM;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		int e = errno;

		snprintf(err, KGW_PRIVS_ERR_MAX, "cannot become user `%s': %s", user, strerror(e));
		return -e;
	}
	/* The drop must be for good. */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, KGW_PRIVS_ERR_MAX, "could regain root after dropping to `%s'", user);
		return -EPERM;
	}
	/*
	 * No PR_SET_NO_NEW_PRIVS here: it would quietly break PAM modules
	 * that rely on set-id helpers (pam_unix's unix_chkpwd). The seccomp
	 * filter installed next does set it (and forbids exec); a site that
	 * needs such a helper runs with --seccomp=off (see SECURITY.md).
	 */
	return 0;
}
