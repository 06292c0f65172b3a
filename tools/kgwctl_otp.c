/* SPDX-License-Identifier: MIT */
/* kgwctl otp: enrol (otpauth:// URI and a terminal QR code), verify, reset. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <qrencode.h>
#include <sodium.h>

#include "base32.h"
#include "kgwctl.h"
#include "otpauth.h"
#include "store_otp.h"
#include "store_users.h"

static const char usage[] =
"Usage: kgwctl otp COMMAND [OPTION]... USER [CODE]\n"
"\n"
"Manages users' one-time-code (TOTP, RFC 6238) secrets.\n"
"\n"
"Commands:\n"
"  enroll USER         make a new secret and show it as an otpauth:// URI and\n"
"                      a QR code to scan with an authenticator app. It stays\n"
"                      pending (logins keep using the old one, if any) until\n"
"                      a code from it is verified with `otp verify'.\n"
"  verify USER [CODE]  check a code (read from standard input when not given);\n"
"                      a code from a pending secret makes it the active one\n"
"  reset USER          forget the user's secrets: no code works until a new\n"
"                      enrolment is verified\n"
"\n"
"Options of enroll:\n"
"      --issuer=NAME   the issuer shown in the app (default: [auth] otp_issuer)\n"
"      --no-qr         print the URI only\n"
"      --json          print user, secret (base32), uri, digits and period\n"
"\n"
"Digits, time step and window come from the [auth] section of the\n"
"configuration; pam_kgw.so must be given the same (digits=, step=, window=).\n"
"\n"
KGWCTL_COMMON_HELP;

enum { OPT_ISSUER = OPT_FIRST_COMMAND_OPT, OPT_NO_QR };

struct enroll_opts {
	const char *issuer;
	bool no_qr;
};

static int enroll_opt(int c, const char *arg, void *ctx)
{
	struct enroll_opts *o = ctx;

	if (c == OPT_ISSUER)
		o->issuer = arg;
	else if (c == OPT_NO_QR)
		o->no_qr = true;
	return 0;
}

/*
 * The QR code in half blocks, two modules per character cell, light modules
 * drawn (terminals are mostly light-on-dark), with a quiet zone of two.
 */
static int print_qr(const char *text)
{
	static const char *const cells[4] = { " ", "\u2584", "\u2580", "\u2588" };
	const int quiet = 2;
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int w;

	if (!qr) {
		kgwctl_err("otp enroll: cannot make a QR code: %s", strerror(errno));
		return -1;
	}
	w = qr->width;
	for (int y = -quiet; y < w + quiet; y += 2) {
		for (int x = -quiet; x < w + quiet; x++) {
			bool top = y < 0 || y >= w || x < 0 || x >= w || !(qr->data[y * w + x] & 1);
			bool bottom = y + 1 < 0 || y + 1 >= w || x < 0 || x >= w ||
				      !(qr->data[(y + 1) * w + x] & 1);

			fputs(cells[(top ? 2 : 0) | (bottom ? 1 : 0)], stdout);
		}
		putchar('\n');
	}
	QRcode_free(qr);
	return 0;
}

static int cmd_enroll(struct kgwctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "issuer", required_argument, NULL, OPT_ISSUER },
		{ "no-qr", no_argument, NULL, OPT_NO_QR },
		{ NULL, 0, NULL, 0 },
	};
	char b32[KGW_BASE32_ENCODED_LEN(KGW_TOTP_SECRET_LEN)], uri[KGW_OTPAUTH_URI_MAX];
	uint8_t key[KGW_TOTP_SECRET_LEN];
	struct enroll_opts o = { 0 };
	const char *user;
	int n, ret = KGWCTL_FAIL;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl otp enroll", usage, opts, enroll_opt, &o);
	if (n < 0 || !kgwctl_nargs("otp enroll", n, 1, 1))
		return KGWCTL_USAGE;
	user = argv[optind];
	if (o.issuer && (!o.issuer[0] || strlen(o.issuer) >= KGW_CONF_STR_MAX)) {
		kgwctl_err("otp enroll: --issuer must be 1 to %d bytes", KGW_CONF_STR_MAX - 1);
		return KGWCTL_USAGE;
	}
	if (!kgwctl_load_config(ctl) || !kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	randombytes_buf(key, sizeof(key));
	n = kgw_store_otp_set_pending(ctl->store, user, key, sizeof(key), (int64_t)time(NULL));
	if (n) {
		ret = kgwctl_store_err(ctl, n, "otp enroll");
		goto out;
	}
	kgwctl_audit(ctl, "otp.enroll", user, NULL);
	kgw_base32_encode(key, sizeof(key), false, b32, sizeof(b32));
	if (kgw_otpauth_uri(uri, sizeof(uri), o.issuer ? o.issuer : ctl->cfg.otp_issuer, user, b32,
			    ctl->cfg.otp_digits, ctl->cfg.otp_step)) {
		kgwctl_err("otp enroll: the otpauth URI does not fit in %d bytes",
			   KGW_OTPAUTH_URI_MAX);
		goto out;
	}
	if (ctl->json) {
		ret = kgwctl_json_print(json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "user", user,
			"secret", b32, "uri", uri, "algorithm", "SHA1",
			"digits", (json_int_t)ctl->cfg.otp_digits,
			"period", (json_int_t)ctl->cfg.otp_step));
		goto out;
	}
	printf("Scan this with the authenticator app of `%s', or enter the secret\n"
	       "%s by hand (time-based, %u digits, %u s). Then confirm with\n"
	       "`kgwctl otp verify %s CODE'.\n\n%s\n\n", user, b32, ctl->cfg.otp_digits,
	       ctl->cfg.otp_step, user, uri);
	ret = !o.no_qr && print_qr(uri) ? KGWCTL_FAIL : KGWCTL_OK;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(uri, sizeof(uri));
	return ret;
}

/* Checks code against the pending secret (activating it) or else the active one. */
static int verify(struct kgwctl *ctl, const char *user, const char *code, bool *activated)
{
	struct kgw_totp_params p = {
		ctl->cfg.otp_digits, ctl->cfg.otp_step, ctl->cfg.otp_window,
	};
	struct kgw_otp_secret sec;
	enum kgw_totp_result res;
	bool had_pending;
	uint64_t matched;
	int ret;

	*activated = false;
	ret = kgw_store_otp_get_pending(ctl->store, user, &sec);
	had_pending = !ret;
	if (!ret) {
		res = kgw_totp_verify(sec.key, sec.len, code, (uint64_t)time(NULL), &p, 0,
				      &matched);
		if (res == KGW_TOTP_OK) {
			*activated = true;
			ret = kgw_store_otp_activate(ctl->store, user, matched);
			goto out;
		}
	}
	if (ret && ret != -ENOENT)
		goto out;
	ret = kgw_store_otp_get_active(ctl->store, user, &sec);
	if (ret == -ENOENT)
		ret = had_pending ? -EACCES : -ENODATA;
	if (ret)
		goto out;
	res = kgw_totp_verify(sec.key, sec.len, code, (uint64_t)time(NULL), &p, sec.last_counter,
			      &matched);
	if (res == KGW_TOTP_OK)
		ret = kgw_store_otp_accept(ctl->store, user, matched);
	else
		ret = res == KGW_TOTP_REPLAY ? -EALREADY : -EACCES;
out:
	sodium_memzero(&sec, sizeof(sec));
	return ret;
}

static int cmd_verify(struct kgwctl *ctl, int argc, char **argv)
{
	char code[32];
	const char *user;
	bool activated = false;
	struct kgw_user u;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl otp verify", usage, NULL, NULL, NULL);
	if (n < 0 || !kgwctl_nargs("otp verify", n, 1, 2))
		return KGWCTL_USAGE;
	user = argv[optind];
	if (n == 2) {
		snprintf(code, sizeof(code), "%s", argv[optind + 1]);
	} else if (!kgwctl_read_line(code, sizeof(code))) {
		kgwctl_err("otp verify: no code on standard input");
		return KGWCTL_USAGE;
	}
	if (!kgwctl_load_config(ctl) || !kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	ret = kgw_store_user_get(ctl->store, user, &u);
	if (!ret)
		ret = verify(ctl, user, code, &activated);
	sodium_memzero(code, sizeof(code));
	if (ret == -ENODATA) {
		kgwctl_err("otp verify: `%s' has no secret: enrol with `kgwctl otp enroll %s'",
			   user, user);
	} else if (ret == -EACCES || ret == -EALREADY) {
		kgwctl_err("otp verify: the code does not match%s",
			   ret == -EALREADY ? " (it was already used)" : "");
		kgwctl_audit(ctl, ret == -EALREADY ? "otp.replay" : "otp.verify.fail", user, NULL);
	} else if (ret) {
		return kgwctl_store_err(ctl, ret, "otp verify");
	}
	if (ret)
		return KGWCTL_FAIL;
	kgwctl_audit(ctl, activated ? "otp.activate" : "otp.verify", user, NULL);
	if (!ctl->json)
		printf(activated ? "the code matches: the new secret of `%s' is now active\n"
				 : "the code matches the active secret of `%s'\n", user);
	else
		return kgwctl_json_print(json_pack("{s:s, s:b, s:b}", "user", user,
						   "valid", 1, "activated", activated));
	return KGWCTL_OK;
}

static int cmd_reset(struct kgwctl *ctl, int argc, char **argv)
{
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl otp reset", usage, NULL, NULL, NULL);
	if (n < 0 || !kgwctl_nargs("otp reset", n, 1, 1))
		return KGWCTL_USAGE;
	if (!kgwctl_open(ctl, false))
		return KGWCTL_FAIL;
	ret = kgw_store_otp_reset(ctl->store, argv[optind]);
	if (ret)
		return kgwctl_store_err(ctl, ret, "otp reset");
	kgwctl_audit(ctl, "otp.reset", argv[optind], NULL);
	return KGWCTL_OK;
}

static const struct kgwctl_command commands[] = {
	{ "enroll", "make a pending secret", cmd_enroll },
	{ "verify", "check a code", cmd_verify },
	{ "reset", "forget the secrets", cmd_reset },
};

int kgwctl_otp(struct kgwctl *ctl, int argc, char **argv)
{
	return kgwctl_dispatch(ctl, "kgwctl otp", commands, sizeof(commands) / sizeof(commands[0]),
			       usage, argc, argv);
}
