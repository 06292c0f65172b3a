/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <unistd.h>
#include <linux/capability.h>

#include <cap-ng.h>

#include "log.h"
#include "privs.h"

int kgw_privs_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (!pw)
		return errno ? -errno : -ENOENT;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int kgw_privs_drop(uid_t uid, gid_t gid)
{
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE,
			  CAP_NET_ADMIN, -1) ||
	    capng_update(CAPNG_ADD, CAPNG_AMBIENT, CAP_NET_ADMIN))
		return -EINVAL;
	/* Changes uid/gid keeping the capabilities, drops supplementary groups, clears the bounding set. */
	if (capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING))
		return -EPERM;
	/* Check rather than trust: no way back to root, and NET_ADMIN is there. */
	if (getuid() != uid || geteuid() != uid || getgid() != gid || (uid != 0 && setuid(0) == 0))
		return -EPERM;
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN) ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_DAC_OVERRIDE))
		return -EPERM;
	return 0;
}
