/* SPDX-License-Identifier: MIT */
/*
 * The login secrets: from the terminal (the password without echo), or
 * for automation from standard input (password on the first line, the
 * code on the second unless --otp gave it). Kept in sodium_malloc'd
 * memory and wiped by kgwc_secrets_free().
 */
#ifndef KGWC_PROMPT_H
#define KGWC_PROMPT_H

#include <stdbool.h>

#include "client.h"

struct kgwc_secrets {
	char *password;		/* KGWC_PASSWORD_MAX + 1 */
	char *otp;		/* KGWC_OTP_MAX_DIGITS + 1 */
};

/* 6 to 8 ASCII digits. */
bool kgwc_otp_valid(const char *otp);

/*
 * from_stdin: read standard input instead of prompting. otp: the code
 * from the command line, or NULL. -EINVAL with a reason in err for an
 * empty or overlong password or a code that is not 6-8 digits; -ENOTTY
 * when there is no terminal to prompt on.
 */
int kgwc_secrets_read(struct kgwc_secrets *s, const char *user, const char *gateway, bool from_stdin,
		      const char *otp, char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));
void kgwc_secrets_free(struct kgwc_secrets *s);

/* Pure, for the tests: one line from fd into buf (no newline); -EMSGSIZE past cap - 1. */
int kgwc_read_line(int fd, char *buf, size_t cap) __attribute__((warn_unused_result));

#endif
