/* SPDX-License-Identifier: MIT */
/* What every kgwctl command shares: options, the store, errors, input, time. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "kgwctl.h"
#include "password.h"
#include "store_audit.h"

void kgwctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kgwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int kgwctl_store_err(struct kgwctl *ctl, int ret, const char *what)
{
	if (ret == -ENOENT || ret == -EEXIST || ret == -EINVAL || ret == -EALREADY ||
	    ret == -ENODATA)
		kgwctl_err("%s: %s", what, kgw_store_error(ctl->store));
	else
		kgwctl_err("%s: %s (%s)", what, kgw_store_error(ctl->store), strerror(-ret));
	/* The store refuses bad input before touching anything: a usage error. */
	return ret == -EINVAL ? KGWCTL_USAGE : KGWCTL_FAIL;
}

int kgwctl_dispatch(struct kgwctl *ctl, const char *group, const struct kgwctl_command *cmds,
		    size_t n, const char *usage, int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name) {
		kgwctl_err("%s: which command?", group);
		fputs(usage, stderr);
		return KGWCTL_USAGE;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		fputs(usage, stdout);
		exit(KGWCTL_OK);
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, cmds[i].name))
			return cmds[i].run(ctl, argc - 1, argv + 1);
	kgwctl_err("%s: unknown command `%s'\nTry `%s --help' for the list.", group, name, group);
	return KGWCTL_USAGE;
}

int kgwctl_common_opt(struct kgwctl *ctl, int c, const char *arg, const char *cmd,
		      const char *usage)
{
	switch (c) {
	case OPT_DB:
		if (!arg[0]) {
			kgwctl_err("%s: --db needs a path", cmd);
			return -1;
		}
		ctl->db_path = arg;
		return 1;
	case 'c':
		ctl->config_path = arg;
		ctl->config_given = true;
		return 1;
	case OPT_JSON:
		ctl->json = true;
		return 1;
	case 'h':
		fputs(usage, stdout);
		exit(KGWCTL_OK);
	default:
		/* getopt has said what was wrong, naming cmd (our argv[0]). */
		fprintf(stderr, "Try `%s --help' for more information.\n", cmd);
		return -1;
	}
}

int kgwctl_parse(struct kgwctl *ctl, int argc, char **argv, const char *cmd, const char *usage,
		 const struct option *extra, int (*fn)(int c, const char *arg, void *ctx),
		 void *ctx)
{
	static const struct option common[] = { KGWCTL_COMMON_LONGOPTS };
	struct option all[32];
	size_t n = 0;
	int c;

	for (; extra && extra[n].name && n < 32 - 5; n++)
		all[n] = extra[n];
	memcpy(all + n, common, sizeof(common));
	n += sizeof(common) / sizeof(common[0]);
	memset(&all[n], 0, sizeof(all[n]));
	argv[0] = (char *)cmd;	/* so getopt's messages name the command */
	optind = 0;
	while ((c = getopt_long(argc, argv, KGWCTL_COMMON_SHORTOPTS, all, NULL)) != -1) {
		int r;

		if (c >= OPT_FIRST_COMMAND_OPT && fn)
			r = fn(c, optarg, ctx);
		else
			r = kgwctl_common_opt(ctl, c, optarg, cmd, usage);

		if (r < 0) {
			if (c >= OPT_FIRST_COMMAND_OPT)
				fprintf(stderr, "Try `%s --help' for more information.\n", cmd);
			return -1;
		}
	}
	return argc - optind;
}

bool kgwctl_nargs(const char *cmd, int have, int min, int max)
{
	if (have < min) {
		kgwctl_err("%s: missing argument\nTry `kgwctl %s --help'.", cmd, cmd);
		return false;
	}
	if (have > max) {
		kgwctl_err("%s: too many arguments\nTry `kgwctl %s --help'.", cmd, cmd);
		return false;
	}
	return true;
}

bool kgwctl_load_config(struct kgwctl *ctl)
{
	char err[KGW_CONF_ERR_MAX];
	int ret;

	if (ctl->cfg_loaded)
		return true;
	ret = kgw_config_load(&ctl->cfg, ctl->config_path, ctl->config_given, err);
	if (ret && !(ret == -ENOENT && !ctl->config_given)) {
		kgwctl_err("%s", err);
		return false;
	}
	ctl->cfg_loaded = true;
	return true;
}

/* The admin's name: the sudo caller if there is one, else the login. */
static void find_actor(struct kgwctl *ctl)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(getuid());
	const char *name = getuid() == 0 && sudo && sudo[0] ? sudo : pw ? pw->pw_name : NULL;

	snprintf(ctl->actor, sizeof(ctl->actor), "%s",
		 name && kgw_store_name_valid(name) ? name : "kgwctl");
}

bool kgwctl_open(struct kgwctl *ctl, bool create)
{
	char err[KGW_STORE_ERR_MAX];
	const char *path;

	if (ctl->store)
		return true;
	if (!ctl->db_path && !kgwctl_load_config(ctl))
		return false;
	path = ctl->db_path ? ctl->db_path : ctl->cfg.database;
	if (kgw_store_open(path, create ? KGW_STORE_CREATE : 0, &ctl->store, err)) {
		kgwctl_err("%s", err);
		return false;
	}
	find_actor(ctl);
	return true;
}

void kgwctl_audit(struct kgwctl *ctl, const char *event, const char *user, const char *detail)
{
	if (kgw_store_audit(ctl->store, (int64_t)time(NULL), ctl->actor, event, user, NULL, detail))
		kgwctl_err("warning: cannot write the audit log: %s", kgw_store_error(ctl->store));
}

bool kgwctl_read_line(char *buf, size_t max)
{
	size_t len;

	if (!fgets(buf, (int)max, stdin))
		return false;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == max - 1 && !feof(stdin))
		return false;	/* no newline within max: too long */
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return true;
}

/* One line from the terminal, without echo. */
static bool read_hidden(const char *prompt, char *buf, size_t max)
{
	struct termios old, quiet;
	bool ok;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old))
		return false;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	ok = kgwctl_read_line(buf, max);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return ok;
}

char *kgwctl_read_password(bool from_stdin)
{
	const size_t max = KGW_PASSWORD_MAX + 2;
	char *pw = sodium_malloc(max), *again = NULL;
	bool ok;

	if (!pw) {
		kgwctl_err("out of memory");
		return NULL;
	}
	if (from_stdin) {
		ok = kgwctl_read_line(pw, max);
		if (!ok)
			kgwctl_err("no password on standard input (or longer than %d bytes)",
				   KGW_PASSWORD_MAX);
	} else if (!isatty(STDIN_FILENO)) {
		kgwctl_err("standard input is not a terminal: use --password-stdin");
		ok = false;
	} else {
		again = sodium_malloc(max);
		ok = again && read_hidden("New password: ", pw, max) &&
		     read_hidden("Again: ", again, max);
		if (ok && strcmp(pw, again)) {
			kgwctl_err("the passwords differ");
			ok = false;
		}
		sodium_free(again);
	}
	if (ok && strlen(pw) < KGW_PASSWORD_MIN) {
		kgwctl_err("a password needs at least %d characters", KGW_PASSWORD_MIN);
		ok = false;
	} else if (ok && strlen(pw) > KGW_PASSWORD_MAX) {
		kgwctl_err("a password may have at most %d characters", KGW_PASSWORD_MAX);
		ok = false;
	}
	if (!ok) {
		sodium_free(pw);
		return NULL;
	}
	return pw;
}

void kgwctl_password_free(char *pw)
{
	sodium_free(pw);	/* wipes it */
}

const char *kgwctl_time(int64_t t, char out[static 32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%s", t ? "?" : "never");
	return out;
}

int kgwctl_parse_uint(const char *text, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!text || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int kgwctl_parse_time(const char *text, int64_t *out)
{
	static const char *const formats[] = { "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d" };
	unsigned long long v;
	struct tm tm;
	char *end;

	if (!strcmp(text, "never")) {
		*out = 0;
		return 0;
	}
	if (text[0] == '@') {
		if (text[1] < '0' || text[1] > '9')
			return -EINVAL;
		errno = 0;
		v = strtoull(text + 1, &end, 10);
		if (errno || *end || v == 0 || v > INT64_MAX / 2)
			return -EINVAL;
		*out = (int64_t)v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, formats[i], &tm);
		if (end && !*end) {
			*out = (int64_t)timegm(&tm);
			return *out > 0 ? 0 : -EINVAL;
		}
	}
	return -EINVAL;
}

int kgwctl_json_print(json_t *v)
{
	int ret;

	if (!v) {
		kgwctl_err("out of memory");
		return KGWCTL_FAIL;
	}
	ret = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (ret) {
		kgwctl_err("cannot write JSON");
		return KGWCTL_FAIL;
	}
	putchar('\n');
	return KGWCTL_OK;
}
