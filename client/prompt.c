/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "prompt.h"

bool kgwc_otp_valid(const char *otp)
{
	size_t len = strlen(otp);

	if (len < KGWC_OTP_MIN_DIGITS || len > KGWC_OTP_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < len; i++)
		if (otp[i] < '0' || otp[i] > '9')
			return false;
	return true;
}

/*
 * Byte by byte, so nothing past the newline is consumed (the code may be
 * the next line) and no stdio buffer keeps a copy of the password.
 */
int kgwc_read_line(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	bool over = false;
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 && len == 0 && !over)
			return -ENODATA;
		if (n == 0 || c == '\n')
			break;
		if (len + 1 < cap)
			buf[len++] = c;
		else
			over = true;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	c = 0;
	if (over) {
		sodium_memzero(buf, cap);
		return -EMSGSIZE;
	}
	return 0;
}

/* Prompts on the terminal; echo off for the password. */
static int ask(int tty, const char *prompt, bool echo, char *buf, size_t cap)
{
	struct termios old, quiet;
	bool restore = false;
	int ret;

	if (write(tty, prompt, strlen(prompt)) < 0)
		return -errno;
	if (!echo && tcgetattr(tty, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		restore = tcsetattr(tty, TCSAFLUSH, &quiet) == 0;
	}
	ret = kgwc_read_line(tty, buf, cap);
	if (restore) {
		tcsetattr(tty, TCSAFLUSH, &old);
		if (write(tty, "\n", 1) < 0)
			ret = ret ? ret : -errno;
	}
	return ret;
}

static int check(const struct kgwc_secrets *s, int ret, const char *what, char err[static KGWC_ERR_MAX])
{
	if (ret == -EMSGSIZE)
		snprintf(err, KGWC_ERR_MAX, "the %s is too long", what);
	else if (ret == -ENODATA)
		snprintf(err, KGWC_ERR_MAX, "no %s given (end of input)", what);
	else if (ret)
		snprintf(err, KGWC_ERR_MAX, "cannot read the %s: %s", what, strerror(-ret));
	else if (what[0] == 'p' && !s->password[0])
		snprintf(err, KGWC_ERR_MAX, "the password is empty");
	else if (what[0] == 'v' && !kgwc_otp_valid(s->otp))
		snprintf(err, KGWC_ERR_MAX, "the verification code must be %d to %d digits",
			 KGWC_OTP_MIN_DIGITS, KGWC_OTP_MAX_DIGITS);
	else
		return 0;
	return ret ? ret : -EINVAL;
}

int kgwc_secrets_read(struct kgwc_secrets *s, const char *user, const char *gateway, bool from_stdin,
		      const char *otp, char err[static KGWC_ERR_MAX])
{
	char prompt[KGWC_USER_MAX + KGWC_ADDRESS_MAX + 32];
	int tty = -1, ret;

	s->password = sodium_malloc(KGWC_PASSWORD_MAX + 1);
	s->otp = sodium_malloc(KGWC_OTP_MAX_DIGITS + 2);
	if (!s->password || !s->otp) {
		snprintf(err, KGWC_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	s->otp[0] = '\0';
	if (otp) {
		if (!kgwc_otp_valid(otp)) {
			snprintf(err, KGWC_ERR_MAX, "the verification code must be %d to %d digits",
				 KGWC_OTP_MIN_DIGITS, KGWC_OTP_MAX_DIGITS);
			return -EINVAL;
		}
		memcpy(s->otp, otp, strlen(otp) + 1);
	}
	if (from_stdin) {
		ret = check(s, kgwc_read_line(STDIN_FILENO, s->password, KGWC_PASSWORD_MAX + 1), "password", err);
		if (!ret && !otp)
			ret = check(s, kgwc_read_line(STDIN_FILENO, s->otp, KGWC_OTP_MAX_DIGITS + 2),
				    "verification code", err);
		return ret;
	}
	tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0) {
		snprintf(err, KGWC_ERR_MAX, "no terminal to ask for the password on: use "
			 "--password-stdin (and --otp)");
		return -ENOTTY;
	}
	snprintf(prompt, sizeof(prompt), "Password for %s at %s: ", user, gateway);
	ret = check(s, ask(tty, prompt, false, s->password, KGWC_PASSWORD_MAX + 1), "password", err);
	if (!ret && !otp)
		ret = check(s, ask(tty, "Verification code: ", true, s->otp, KGWC_OTP_MAX_DIGITS + 2),
			    "verification code", err);
	close(tty);
	return ret;
}

void kgwc_secrets_free(struct kgwc_secrets *s)
{
	/* sodium_free wipes before it frees. */
	sodium_free(s->password);
	sodium_free(s->otp);
	s->password = s->otp = NULL;
}
