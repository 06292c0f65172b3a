/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "conf.h"

enum key_type {
	T_STRING,	/* free text up to `max' bytes */
	T_IFNAME,	/* empty or a valid interface name */
	T_PATH,		/* empty or absolute */
	T_PORT,
	T_UINT,		/* min..max */
	T_DURATION,	/* seconds, or with s/m/h/d; min..max seconds */
	T_BOOL,
	T_ENUM,		/* one of `names' */
	T_CIDR4,
	T_CIDR6,
	T_SOCKADDR,
};

struct key {
	const char *section, *key;
	enum key_type type;
	size_t offset, size;
	const char *def;
	unsigned long min, max;
	const char *const *names;
};

static const char *const backend_names[] = { "auto", "userspace", "kernel", NULL };
static const char *const nat_names[] = { "masquerade", "routed", NULL };
static const char *const level_names[] = { "err", "warning", "notice", "info", "debug", NULL };

#define F(field) offsetof(struct kgw_config, field), sizeof(((struct kgw_config *)0)->field)
#define DAY (24UL * 3600)

/* The order here is the order of the sample config and of --dump. */
static const struct key keys[] = {
	{ "gateway", "interface", T_IFNAME, F(interface), "kgw0", 1, 0, NULL },
	{ "gateway", "backend", T_ENUM, F(backend), "auto", 0, 0, backend_names },
	{ "gateway", "listen_port", T_PORT, F(listen_port), "51820", 0, 0, NULL },
	{ "gateway", "endpoint", T_STRING, F(endpoint), "", 0, 0, NULL },
	{ "gateway", "private_key_file", T_PATH, F(private_key_file), "/var/lib/kgw/wg.key", 1, 0, NULL },
	{ "gateway", "tunnel_pool", T_CIDR4, F(tunnel_pool), "100.64.0.0/16", 0, 0, NULL },
	{ "gateway", "tunnel_pool6", T_CIDR6, F(tunnel_pool6), "fd6b:6777::/64", 0, 0, NULL },
	{ "gateway", "keepalive", T_DURATION, F(keepalive), "25s", 0, 3600, NULL },
	{ "gateway", "session_ttl", T_DURATION, F(session_ttl), "8h", 60, 7 * DAY, NULL },
	{ "gateway", "control_socket", T_PATH, F(control_socket), "/run/kgw/kgwd.sock", 1, 0, NULL },
	{ "gateway", "user", T_STRING, F(user), "kgw", 1, 0, NULL },
	{ "gateway", "public_interface", T_IFNAME, F(public_interface), "", 0, 0, NULL },
	{ "gateway", "private_interface", T_IFNAME, F(private_interface), "", 0, 0, NULL },
	{ "gateway", "management_interface", T_IFNAME, F(management_interface), "", 0, 0, NULL },
	{ "gateway", "nat", T_ENUM, F(nat), "masquerade", 0, 0, nat_names },
	{ "portal", "auth_listen", T_SOCKADDR, F(auth_listen), "0.0.0.0:4443", 0, 0, NULL },
	{ "portal", "admin_listen", T_SOCKADDR, F(admin_listen), "127.0.0.1:8443", 0, 0, NULL },
	{ "portal", "tls_certificate", T_PATH, F(tls_certificate), "/var/lib/kgw/tls.crt", 1, 0, NULL },
	{ "portal", "tls_key", T_PATH, F(tls_key), "/var/lib/kgw/tls.key", 1, 0, NULL },
	{ "portal", "workers", T_UINT, F(workers), "4", 1, 64, NULL },
	{ "portal", "pam_service", T_STRING, F(pam_service), "kgw", 1, 0, NULL },
	{ "portal", "admin_pam_service", T_STRING, F(admin_pam_service), "kgw-admin", 1, 0, NULL },
	{ "portal", "source_max_failures", T_UINT, F(source_max_failures), "10", 1, 100000, NULL },
	{ "portal", "source_window", T_DURATION, F(source_window), "5m", 1, DAY, NULL },
	{ "portal", "auth_timeout", T_DURATION, F(auth_timeout), "30s", 1, 300, NULL },
	{ "portal", "admin_idle_timeout", T_DURATION, F(admin_idle_timeout), "15m", 60, DAY, NULL },
	{ "portal", "admin_session_lifetime", T_DURATION, F(admin_session_lifetime), "8h", 60, 7 * DAY, NULL },
	{ "portal", "admin_data_dir", T_STRING, F(admin_data_dir), "", 0, 0, NULL },
	{ "auth", "otp_issuer", T_STRING, F(otp_issuer), "kgw", 1, 0, NULL },
	{ "auth", "otp_digits", T_UINT, F(otp_digits), "6", 6, 8, NULL },
	{ "auth", "otp_step", T_DURATION, F(otp_step), "30s", 15, 300, NULL },
	{ "auth", "otp_window", T_UINT, F(otp_window), "1", 0, 10, NULL },
	{ "auth", "max_failures", T_UINT, F(max_failures), "5", 1, 1000, NULL },
	{ "auth", "lockout", T_DURATION, F(lockout), "5m", 1, 7 * DAY, NULL },
	{ "store", "database", T_PATH, F(database), "/var/lib/kgw/kgw.db", 1, 0, NULL },
	{ "log", "level", T_ENUM, F(log_level), "info", 0, 0, level_names },
	{ "log", "syslog", T_BOOL, F(syslog), "yes", 0, 0, NULL },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Each parser returns NULL or the reason the value is bad. */
static const char *parse_uint(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (v[0] < '0' || v[0] > '9')
		return "is not a number";
	errno = 0;
	*out = strtoul(v, &end, 10);
	if (errno || *end)
		return "is not a number";
	if (*out < min || *out > max)
		return "is out of range";
	return NULL;
}

const char *kgw_parse_duration(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	static const struct { char suffix; unsigned long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', DAY },
	};
	char num[32];
	size_t len = strlen(v);
	unsigned long mult = 1, n;

	if (!len || len >= sizeof(num))
		return "is not a duration (seconds, or a number with s, m, h or d)";
	memcpy(num, v, len + 1);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (num[len - 1] == units[i].suffix) {
			mult = units[i].mult;
			num[--len] = '\0';
			break;
		}
	}
	if (parse_uint(num, 0, ULONG_MAX / mult, &n))
		return "is not a duration (seconds, or a number with s, m, h or d)";
	*out = n * mult;
	if (*out < min || *out > max)
		return "is out of range";
	return NULL;
}

static const char *parse_value(const struct key *k, const char *v, struct kgw_config *cfg)
{
	void *field = (char *)cfg + k->offset;
	unsigned long n;
	const char *why;

	switch (k->type) {
	case T_IFNAME:
		if (strchr(v, '/') || strchr(v, ' ') || !strcmp(v, ".") || !strcmp(v, ".."))
			return "is not an interface name";
		__attribute__((fallthrough));
	case T_PATH:
		if (k->type == T_PATH && v[0] && v[0] != '/')
			return "is not an absolute path";
		__attribute__((fallthrough));
	case T_STRING:
		if (strlen(v) >= k->size)
			return "is too long";
		if (k->min && !v[0])
			return "must not be empty";
		memcpy(field, v, strlen(v) + 1);
		return NULL;
	case T_PORT:
		if (kgw_port_parse(v, field))
			return "is not a port (1-65535)";
		return NULL;
	case T_UINT:
	case T_DURATION:
		why = k->type == T_UINT ? parse_uint(v, k->min, k->max, &n)
					: kgw_parse_duration(v, k->min, k->max, &n);
		if (!why)
			*(unsigned int *)field = (unsigned int)n;
		return why;
	case T_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
			*(bool *)field = true;
		else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
			*(bool *)field = false;
		else
			return "is not a boolean (yes or no)";
		return NULL;
	case T_ENUM:
		for (int i = 0; k->names[i]; i++) {
			if (!strcmp(v, k->names[i])) {
				*(int *)field = i;
				return NULL;
			}
		}
		return "is not one of the allowed values";
	case T_CIDR4:
	case T_CIDR6: {
		struct kgw_cidr c;
		int want = k->type == T_CIDR4 ? AF_INET : AF_INET6;

		if (kgw_cidr_parse(v, true, &c) || c.family != want)
			return want == AF_INET ? "is not an IPv4 prefix (a.b.c.d/len, host bits clear)"
					       : "is not an IPv6 prefix (x::/len, host bits clear)";
		/* The pool must leave room for the gateway and at least one client. */
		if (c.prefix > (want == AF_INET ? 30 : 126))
			return "is too small a pool";
		*(struct kgw_cidr *)field = c;
		return NULL;
	}
	case T_SOCKADDR:
		if (kgw_sockaddr_parse(v, field))
			return "is not ADDRESS:PORT (numeric; IPv6 as [ADDRESS]:PORT)";
		return NULL;
	}
	return "has an unknown type";
}

void kgw_config_defaults(struct kgw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++) {
		const char *why = parse_value(&keys[i], keys[i].def, cfg);

		/* A bad default is a programming error, caught by the unit tests. */
		if (why)
			abort();
	}
}

struct load_ctx {
	struct kgw_config *cfg;
	bool seen[NKEYS];
	char *err;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void fail(struct load_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->failed)
		return;
	ctx->failed = true;
	va_start(ap, fmt);
	vsnprintf(ctx->err, KGW_CONF_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* inih calls this per key; returning 0 makes ini_parse report the line. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	char qv[64];
	const char *why;

	if (!section[0]) {
		fail(ctx, "`%s' is outside any section", name);
		return 0;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) || strcmp(keys[i].key, name))
			continue;
		if (ctx->seen[i]) {
			fail(ctx, "`%s' is set twice in [%s]", name, section);
			return 0;
		}
		ctx->seen[i] = true;
		why = parse_value(&keys[i], value, ctx->cfg);
		if (why) {
			fail(ctx, "`%s' %s: `%s'", name, why, kgw_log_quote(value, qv, sizeof(qv)));
			return 0;
		}
		return 1;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		if (!strcmp(keys[i].section, section)) {
			fail(ctx, "unknown key `%s' in [%s]", name, section);
			return 0;
		}
	}
	fail(ctx, "unknown section [%s] (key `%s')", section, name);
	return 0;
}

int kgw_config_load(struct kgw_config *cfg, const char *path, bool must_exist,
		    char err[static KGW_CONF_ERR_MAX])
{
	struct load_ctx ctx = { .cfg = cfg, .err = err };
	char detail[KGW_CONF_ERR_MAX];
	FILE *f;
	int line, ret = 0;

	err[0] = '\0';
	kgw_config_defaults(cfg);
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (ret != -ENOENT || must_exist)
			snprintf(err, KGW_CONF_ERR_MAX, "%.300s: %s", path, strerror(-ret));
		return ret;
	}
	line = ini_parse_file(f, on_key, &ctx);
	fclose(f);
	if (line) {
		memcpy(detail, err, sizeof(detail));
		if (!ctx.failed)
			snprintf(detail, sizeof(detail), "syntax error (expected `[section]' or `key = value')");
		/* Bounded so the file name and the reason both survive. */
		snprintf(err, KGW_CONF_ERR_MAX, "%.160s:%d: %.320s", path, line, detail);
		kgw_config_defaults(cfg);
		ret = -EINVAL;
	}
	return ret;
}

static void write_value(const struct key *k, const struct kgw_config *cfg, FILE *out)
{
	const void *field = (const char *)cfg + k->offset;
	char buf[KGW_ADDR_STR_MAX];
	unsigned int n;

	switch (k->type) {
	case T_STRING:
	case T_IFNAME:
	case T_PATH:
		fputs(field, out);
		break;
	case T_PORT:
		fprintf(out, "%u", *(const uint16_t *)field);
		break;
	case T_UINT:
		fprintf(out, "%u", *(const unsigned int *)field);
		break;
	case T_DURATION:
		n = *(const unsigned int *)field;
		if (n && n % DAY == 0)
			fprintf(out, "%lud", n / DAY);
		else if (n && n % 3600 == 0)
			fprintf(out, "%uh", n / 3600);
		else if (n && n % 60 == 0)
			fprintf(out, "%um", n / 60);
		else
			fprintf(out, "%us", n);
		break;
	case T_BOOL:
		fputs(*(const bool *)field ? "yes" : "no", out);
		break;
	case T_ENUM:
		fputs(k->names[*(const int *)field], out);
		break;
	case T_CIDR4:
	case T_CIDR6:
		fputs(kgw_cidr_format(field, buf), out);
		break;
	case T_SOCKADDR:
		fputs(kgw_sockaddr_format(field, buf), out);
		break;
	}
}

void kgw_config_write(const struct kgw_config *cfg, FILE *out)
{
	const char *section = NULL;

	for (size_t i = 0; i < NKEYS; i++) {
		if (!section || strcmp(section, keys[i].section)) {
			section = keys[i].section;
			fprintf(out, "%s[%s]\n", i ? "\n" : "", section);
		}
		fprintf(out, "%s = ", keys[i].key);
		write_value(&keys[i], cfg, out);
		fputc('\n', out);
	}
}

size_t kgw_config_key_count(void)
{
	return NKEYS;
}

const struct kgw_config_key_info *kgw_config_key(size_t i)
{
	static struct kgw_config_key_info info;

	if (i >= NKEYS)
		return NULL;
	info.section = keys[i].section;
	info.key = keys[i].key;
	info.default_value = keys[i].def;
	return &info;
}
