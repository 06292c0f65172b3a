/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <ini.h>

#include "addr.h"
#include "log.h"
#include "profile.h"

#define LABEL_MAX 63

static bool label_char(char c)
{
	return isascii((unsigned char)c) && (isalnum((unsigned char)c) || c == '-');
}

/* RFC 1123 host names; an all-numeric last label is no name (RFC 3696 2). */
static bool dns_name_valid(const char *h)
{
	size_t len = strlen(h), label = 0;
	bool numeric_label = true;

	if (len == 0 || len > KGWC_HOST_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = h[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > LABEL_MAX || h[i - 1] == '-')
				return false;
			if (c == '\0')
				break;
			label = 0;
			numeric_label = true;
			continue;
		}
		if (!label_char(c) || (label == 0 && c == '-'))
			return false;
		numeric_label &= isdigit((unsigned char)c) != 0;
		label++;
	}
	return !numeric_label;
}

static bool ip_literal(const char *h, int family)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(family, h, buf) == 1;
}

int kgwc_address_parse(const char *text, char host[static KGWC_HOST_MAX + 1], uint16_t *port)
{
	const char *colon, *end;
	size_t hlen;
	bool v6 = false;

	host[0] = '\0';
	*port = KGWC_DEFAULT_PORT;
	if (!text || !*text || strlen(text) > KGWC_ADDRESS_MAX)
		return -EINVAL;
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end)
			return -EINVAL;
		text++;
		hlen = (size_t)(end - text);
		colon = end[1] ? end + 1 : NULL;
		if (colon && *colon != ':')
			return -EINVAL;
		v6 = true;
	} else if (strchr(text, ':') != strrchr(text, ':')) {
		/* Two colons or more and no brackets: a bare IPv6 address. */
		hlen = strlen(text);
		colon = NULL;
		v6 = true;
	} else {
		colon = strchr(text, ':');
		hlen = colon ? (size_t)(colon - text) : strlen(text);
	}
	if (hlen == 0 || hlen > KGWC_HOST_MAX)
		return -EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (colon && kgw_port_parse(colon + 1, port))
		goto bad;
	if (v6 ? !ip_literal(host, AF_INET6) : !(ip_literal(host, AF_INET) || dns_name_valid(host)))
		goto bad;
	return 0;
bad:
	host[0] = '\0';
	*port = KGWC_DEFAULT_PORT;
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int kgwc_pin_parse(const char *text, uint8_t pin[static KGWC_PIN_LEN])
{
	size_t n = 0;
	int hi, lo;

	if (!text)
		goto bad;
	if (!strncasecmp(text, "sha256:", 7))
		text += 7;
	else if (!strncasecmp(text, "sha256 fingerprint=", 19))
		text += 19;
	/* Each byte is two digits; a colon may follow any byte but the last. */
	while (*text) {
		if (n == KGWC_PIN_LEN)
			goto bad;
		hi = hexval(text[0]);
		lo = hi < 0 ? -1 : hexval(text[1]);
		if (lo < 0)
			goto bad;
		pin[n++] = (uint8_t)(hi << 4 | lo);
		text += 2;
		if (*text == ':') {
			text++;
			if (!*text)
				goto bad;
		}
	}
	if (n == KGWC_PIN_LEN)
		return 0;
bad:
	memset(pin, 0, KGWC_PIN_LEN);
	return -EINVAL;
}

const char *kgwc_pin_format(const uint8_t pin[static KGWC_PIN_LEN], char out[static KGWC_PIN_HEX_MAX])
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < KGWC_PIN_LEN; i++) {
		out[3 * i] = hex[pin[i] >> 4];
		out[3 * i + 1] = hex[pin[i] & 15];
		out[3 * i + 2] = i + 1 < KGWC_PIN_LEN ? ':' : '\0';
	}
	return out;
}

bool kgwc_user_valid(const char *user)
{
	size_t len = strlen(user);

	if (len == 0 || len > KGWC_USER_MAX || !isalnum((unsigned char)user[0]))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)user[i];

		if (!isascii(c) || !(isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@'))
			return false;
	}
	return true;
}

bool kgwc_profile_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > KGWC_PROFILE_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isascii(c) || !(isalnum(c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

enum pkey { K_ADDRESS, K_PIN, K_USER, K_INTERFACE, NKEYS };

static const char *const key_names[NKEYS] = {
	[K_ADDRESS] = "address", [K_PIN] = "pin", [K_USER] = "user", [K_INTERFACE] = "interface",
};

struct parse_ctx {
	struct kgwc_profile *p;
	bool seen[NKEYS];
	char why[KGWC_ERR_MAX];
	bool failed;
	int fail_line;
	/* The reader's position: inih calls on_key right after reading the key's line. */
	const char *next;
	int line;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parse_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->failed) {
		ctx->failed = true;
		ctx->fail_line = ctx->line;
		va_start(ap, fmt);
		vsnprintf(ctx->why, sizeof(ctx->why), fmt, ap);
		va_end(ap);
	}
	return 0;
}

static bool ifname_valid(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len >= IFNAMSIZ || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)n[i];

		if (!isascii(c) || !(isalnum(c) || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* Why `value' is no good for key k, or NULL once stored. */
static const char *set_value(struct kgwc_profile *p, enum pkey k, const char *value)
{
	switch (k) {
	case K_ADDRESS:
		if (kgwc_address_parse(value, p->gw.host, &p->gw.port))
			return "is not HOST, HOST:PORT or [IPv6]:PORT";
		snprintf(p->gw.address, sizeof(p->gw.address), "%s", value);
		return NULL;
	case K_PIN:
		if (kgwc_pin_parse(value, p->gw.pin))
			return "is not a SHA-256 fingerprint (64 hex digits, colons optional)";
		return NULL;
	case K_USER:
		if (!kgwc_user_valid(value))
			return "is not a user name (letters, digits, `.', `_', `-', `@'; at most 64)";
		snprintf(p->user, sizeof(p->user), "%s", value);
		return NULL;
	case K_INTERFACE:
		if (!ifname_valid(value))
			return "is not an interface name (1-15 of letters, digits, `_', `.', `-')";
		snprintf(p->interface, sizeof(p->interface), "%s", value);
		return NULL;
	case NKEYS:
		break;
	}
	return "is unknown";
}

int kgwc_profile_set(struct kgwc_profile *p, const char *key, const char *value,
		     char err[static KGWC_ERR_MAX])
{
	char qv[72];
	const char *why;

	for (size_t k = 0; k < NKEYS; k++) {
		if (strcmp(key_names[k], key))
			continue;
		why = set_value(p, (enum pkey)k, value);
		if (!why)
			return 0;
		snprintf(err, KGWC_ERR_MAX, "`%s' %s: `%s'", key, why, kgw_log_quote(value, qv, sizeof(qv)));
		return -EINVAL;
	}
	snprintf(err, KGWC_ERR_MAX, "unknown profile key `%s'", kgw_log_quote(key, qv, sizeof(qv)));
	return -EINVAL;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *ctx = user;
	char qv[72];
	const char *why;

	if (strcmp(section, "gateway"))
		return section[0] ? fail(ctx, "unknown section [%s] (only [gateway])",
					 kgw_log_quote(section, qv, sizeof(qv)))
				  : fail(ctx, "`%s' is outside the [gateway] section",
					 kgw_log_quote(name, qv, sizeof(qv)));
	for (size_t k = 0; k < NKEYS; k++) {
		if (strcmp(key_names[k], name))
			continue;
		if (ctx->seen[k])
			return fail(ctx, "`%s' is set twice", name);
		ctx->seen[k] = true;
		why = set_value(ctx->p, (enum pkey)k, value);
		if (why)
			return fail(ctx, "`%s' %s: `%s'", name, why, kgw_log_quote(value, qv, sizeof(qv)));
		return 1;
	}
	return fail(ctx, "unknown key `%s' in [gateway]", kgw_log_quote(name, qv, sizeof(qv)));
}

/* inih's reader over a string, counting lines so errors name the right one. */
static char *read_line(char *out, int size, void *stream)
{
	struct parse_ctx *ctx = stream;
	const char *nl;
	size_t len;

	if (!*ctx->next || size < 2)
		return NULL;
	nl = strchr(ctx->next, '\n');
	len = nl ? (size_t)(nl - ctx->next) + 1 : strlen(ctx->next);
	if (len > (size_t)size - 1)
		len = (size_t)size - 1;	/* inih reads the rest as the next line */
	else
		ctx->line++;
	memcpy(out, ctx->next, len);
	out[len] = '\0';
	ctx->next += len;
	return out;
}

int kgwc_profile_parse(const char *text, const char *origin, struct kgwc_profile *p,
		       char err[static KGWC_ERR_MAX])
{
	struct parse_ctx ctx = { .p = p, .next = text };
	int line;

	memset(p, 0, sizeof(*p));
	err[0] = '\0';
	line = ini_parse_stream(read_line, &ctx, on_key, &ctx);
	if (line) {
		/* inih's own error comes first when it is on an earlier line than ours. */
		if (!ctx.failed || line < ctx.fail_line)
			snprintf(ctx.why, sizeof(ctx.why), "syntax error (expected `[gateway]' or `key = value')");
		else
			line = ctx.fail_line;
		snprintf(err, KGWC_ERR_MAX, "%.160s:%d: %.320s", origin, line, ctx.why);
		goto bad;
	}
	for (size_t k = 0; k < K_INTERFACE; k++) {
		if (!ctx.seen[k]) {
			snprintf(err, KGWC_ERR_MAX, "%.160s: `%s' is missing from [gateway]", origin,
				 key_names[k]);
			goto bad;
		}
	}
	if (!ctx.seen[K_INTERFACE])
		snprintf(p->interface, sizeof(p->interface), "%s", KGWC_DEFAULT_IFNAME);
	return 0;
bad:
	memset(p, 0, sizeof(*p));
	return -EINVAL;
}

void kgwc_profile_write(const struct kgwc_profile *p, FILE *out)
{
	char pin[KGWC_PIN_HEX_MAX];

	fprintf(out, "# kgw-client profile\n[gateway]\naddress = %s\npin = %s\nuser = %s\n"
		"interface = %s\n", p->gw.address, kgwc_pin_format(p->gw.pin, pin), p->user, p->interface);
}

static int config_dir(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	/* The XDG spec says a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, len, "%s/kgw", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, len, "%s/.config/kgw", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int kgwc_profile_resolve(const char *name_or_path, struct kgwc_profile_ref *ref,
			 char err[static KGWC_ERR_MAX])
{
	const char *arg = name_or_path ? name_or_path : KGWC_DEFAULT_PROFILE;
	char dir[PATH_MAX], qv[72];
	const char *base;
	size_t blen;
	int n;

	memset(ref, 0, sizeof(*ref));
	if (strchr(arg, '/')) {
		if (strlen(arg) >= sizeof(ref->path))
			goto toolong;
		snprintf(ref->path, sizeof(ref->path), "%s", arg);
		base = strrchr(arg, '/') + 1;
		blen = strlen(base);
		if (blen > 5 && !strcmp(base + blen - 5, ".conf"))
			blen -= 5;
		if (blen <= KGWC_PROFILE_NAME_MAX)
			snprintf(ref->name, sizeof(ref->name), "%.*s", (int)blen, base);
		if (!kgwc_profile_name_valid(ref->name)) {
			snprintf(err, KGWC_ERR_MAX, "profile file `%s' does not make a profile name "
				 "(name it NAME.conf, NAME of letters, digits, `_', `.', `-')",
				 kgw_log_quote(arg, qv, sizeof(qv)));
			return -EINVAL;
		}
		return 0;
	}
	if (!kgwc_profile_name_valid(arg)) {
		snprintf(err, KGWC_ERR_MAX, "`%s' is not a profile name (letters, digits, `_', `.', "
			 "`-'; or give a path with a `/')", kgw_log_quote(arg, qv, sizeof(qv)));
		return -EINVAL;
	}
	if (config_dir(dir, sizeof(dir))) {
		snprintf(err, KGWC_ERR_MAX, "neither XDG_CONFIG_HOME nor HOME is an absolute path: "
			 "give the profile as a path");
		return -ENOENT;
	}
	snprintf(ref->name, sizeof(ref->name), "%s", arg);
	n = snprintf(ref->path, sizeof(ref->path), "%s/%s.conf", dir, arg);
	if (n < 0 || (size_t)n >= sizeof(ref->path))
		goto toolong;
	return 0;
toolong:
	snprintf(err, KGWC_ERR_MAX, "the profile path is too long");
	return -ENAMETOOLONG;
}

/* A profile is a few hundred bytes; anything past this is not one. */
#define PROFILE_FILE_MAX 8192

int kgwc_profile_load(const char *path, struct kgwc_profile *p, char err[static KGWC_ERR_MAX])
{
	char *text = NULL;
	size_t len;
	FILE *f;
	int ret;

	memset(p, 0, sizeof(*p));
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (ret == -ENOENT)
			snprintf(err, KGWC_ERR_MAX, "%.300s: no such profile (make one with "
				 "`kgw-client init')", path);
		else
			snprintf(err, KGWC_ERR_MAX, "%.300s: %s", path, strerror(-ret));
		return ret;
	}
	text = malloc(PROFILE_FILE_MAX + 1);
	if (!text) {
		ret = -ENOMEM;
		snprintf(err, KGWC_ERR_MAX, "%.300s: out of memory", path);
		goto out;
	}
	len = fread(text, 1, PROFILE_FILE_MAX + 1, f);
	if (ferror(f) || len > PROFILE_FILE_MAX || memchr(text, '\0', len)) {
		ret = -EINVAL;
		snprintf(err, KGWC_ERR_MAX, "%.300s: %s", path, ferror(f) ? "read error"
			 : len > PROFILE_FILE_MAX ? "too large to be a profile" : "not a text file");
		goto out;
	}
	text[len] = '\0';
	ret = kgwc_profile_parse(text, path, p, err);
out:
	free(text);
	fclose(f);
	return ret;
}

/* mkdir -p, the directories we make private. */
static int make_dirs(char *path)
{
	for (char *s = strchr(path + 1, '/'); ; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			int ret = -errno;

			if (s)
				*s = '/';
			return ret;
		}
		if (!s)
			return 0;
		*s = '/';
	}
}

int kgwc_profile_save(const char *path, const struct kgwc_profile *p, char err[static KGWC_ERR_MAX])
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	char *slash;
	FILE *f = NULL;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, KGWC_ERR_MAX, "the profile path is too long");
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if ((ret = make_dirs(dir))) {
			snprintf(err, KGWC_ERR_MAX, "%.300s: cannot make the directory: %s", dir,
				 strerror(-ret));
			return ret;
		}
	}
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		ret = -errno;
		snprintf(err, KGWC_ERR_MAX, "%.300s: %s", path, strerror(-ret));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return ret;
	}
	kgwc_profile_write(p, f);
	ret = fflush(f) || fsync(fd) ? -errno : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret) {
		unlink(tmp);
		snprintf(err, KGWC_ERR_MAX, "%.300s: cannot write: %s", path, strerror(-ret));
	}
	return ret;
}
