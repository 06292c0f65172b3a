/* SPDX-License-Identifier: MIT */
/*
 * kgw-portal parses untrusted HTTP and runs PAM modules: it holds no
 * privilege at all. Started as root (to read the TLS key, bind a low
 * port), it becomes the kgw user for good once those are done.
 */
#ifndef KGW_PORTAL_PRIVS_H
#define KGW_PORTAL_PRIVS_H

#define KGW_PRIVS_ERR_MAX 256

/*
 * When running as root: the user's uid, gid and supplementary groups, and
 * a check that root cannot be regained. Otherwise nothing. 0 or -errno.
 */
int kgw_portal_drop_privileges(const char *user, char err[static KGW_PRIVS_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
