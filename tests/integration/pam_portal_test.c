/* SPDX-License-Identifier: MIT */
/*
 * A PAM module for kgw-portal's tests, loaded by real libpam from a test
 * confdir: it asks the prompts pam_kgw asks and checks the answers against
 * its arguments. Not installed anywhere.
 *
 *   password=P        the password every user has
 *   otp=C             also ask "Verification code: " and expect C
 *   prompt=TEXT       ask TEXT instead of "Password: " (an unknown prompt)
 *   deny_account=U    account management refuses U (PAM_ACCT_EXPIRED)
 *   rename=U          set PAM_USER to U after authenticating
 *   unavailable=U     after the prompts, U gets PAM_AUTHINFO_UNAVAIL, as from
 *                     pam_kgw when its store cannot be written
 *   hang=U            authentication of U never returns (a stuck module);
 *                     for anyone else the module asks nothing and is ignored
 *   hang_flag=PATH    made when the hang begins, for the test to wait on
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

static const char *arg(int argc, const char **argv, const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], name, len) && argv[i][len] == '=')
			return argv[i] + len + 1;
	}
	return NULL;
}

static int ask(pam_handle_t *pamh, const char *prompt, const char *expect)
{
	char *resp = NULL;
	int ok;

	if (pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", prompt) != PAM_SUCCESS || !resp)
		return PAM_AUTH_ERR;
	ok = expect && !strcmp(resp, expect);
	memset(resp, 0, strlen(resp));
	free(resp);
	return ok ? PAM_SUCCESS : PAM_AUTH_ERR;
}

/* Sleeps in the calling thread only: the portal's seccomp list allows
 * that, unlike the fork and exec of a pam_exec script. */
static int hang(pam_handle_t *pamh, const char *who, const char *flag)
{
	const char *user = NULL;
	struct timespec ts = { 3600, 0 };
	int fd;

	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user)
		return PAM_USER_UNKNOWN;
	if (strcmp(user, who))
		return PAM_IGNORE;
	if (flag && (fd = open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
	for (;;)
		nanosleep(&ts, NULL);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *prompt = arg(argc, argv, "prompt"), *otp = arg(argc, argv, "otp");
	const char *rename = arg(argc, argv, "rename"), *user = NULL;
	int rc;

	(void)flags;
	if (arg(argc, argv, "hang"))
		return hang(pamh, arg(argc, argv, "hang"), arg(argc, argv, "hang_flag"));
	pam_info(pamh, "kgw test module");
	rc = ask(pamh, prompt ? prompt : "Password: ", arg(argc, argv, "password"));
	if (rc == PAM_SUCCESS && otp)
		rc = ask(pamh, "Verification code: ", otp);
	if (arg(argc, argv, "unavailable") && pam_get_user(pamh, &user, NULL) == PAM_SUCCESS &&
	    user && !strcmp(user, arg(argc, argv, "unavailable")))
		return PAM_AUTHINFO_UNAVAIL;
	if (rc == PAM_SUCCESS && rename)
		rc = pam_set_item(pamh, PAM_USER, rename);
	return rc;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *deny = arg(argc, argv, "deny_account");
	const char *user = NULL;

	(void)flags;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user)
		return PAM_USER_UNKNOWN;
	return deny && !strcmp(user, deny) ? PAM_ACCT_EXPIRED : PAM_SUCCESS;
}
