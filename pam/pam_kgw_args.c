/* SPDX-License-Identifier: MIT */
/* Module options, as pam.d lines give them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pam_kgw.h"

/* "name=N" with N in min..max; false if the option is another one. */
static bool number_opt(const char *arg, const char *name, unsigned long min, unsigned long max,
		       unsigned int *out, int *ret)
{
	size_t len = strlen(name);
	unsigned long v;
	char *end;

	if (strncmp(arg, name, len) || arg[len] != '=')
		return false;
	arg += len + 1;
	*ret = -EINVAL;
	if (*arg < '0' || *arg > '9')
		return true;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		return true;
	*out = (unsigned int)v;
	*ret = 0;
	return true;
}

int kgw_pam_args_parse(int argc, const char **argv, struct kgw_pam_args *args, const char **bad)
{
	static const char *const passed_on[] = {
		"try_first_pass", "use_first_pass", "use_authtok",
	};
	int ret = 0;

	memset(args, 0, sizeof(*args));
	args->db = KGW_STORE_DEFAULT_PATH;
	kgw_totp_params_default(&args->totp);
	kgw_lockout_policy_default(&args->lockout);
	*bad = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool known = false;

		for (size_t j = 0; j < sizeof(passed_on) / sizeof(passed_on[0]); j++)
			known |= !strcmp(a, passed_on[j]);
		if (known)
			continue;
		if (!strcmp(a, "password"))
			args->password = true;
		else if (!strcmp(a, "otp"))
			args->otp = true;
		else if (!strncmp(a, "db=", 3) && a[3] == '/')
			args->db = a + 3;
		else if (!number_opt(a, "digits", KGW_TOTP_DIGITS_MIN, KGW_TOTP_DIGITS_MAX,
				     &args->totp.digits, &ret) &&
			 !number_opt(a, "step", KGW_TOTP_STEP_MIN, KGW_TOTP_STEP_MAX,
				     &args->totp.step, &ret) &&
			 !number_opt(a, "window", 0, KGW_TOTP_WINDOW_MAX, &args->totp.window,
				     &ret) &&
			 !number_opt(a, "max_failures", 1, 1000, &args->lockout.max_failures,
				     &ret) &&
			 !number_opt(a, "lockout", 1, 7 * 24 * 3600, &args->lockout.lockout, &ret))
			ret = -EINVAL;
		if (ret) {
			*bad = a;
			return ret;
		}
	}
	if (!args->password && !args->otp)
		args->password = args->otp = true;
	return 0;
}
