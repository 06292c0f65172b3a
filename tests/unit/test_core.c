/* SPDX-License-Identifier: MIT */
/* libkgw-core: address parsing, the config loader, logging helpers. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "log.h"
#include "unit.h"

/* ---- addresses ---- */

static const struct {
	const char *in;
	bool strict;
	int ret;
	const char *out;
} cidr_cases[] = {
	/*  0 */ { "10.0.0.0/8", true, 0, "10.0.0.0/8" },
	/*  1 */ { "10.0.0.10", true, 0, "10.0.0.10/32" },
	/*  2 */ { "10.0.0.1/8", true, -EINVAL, NULL },
	/*  3 */ { "10.0.0.1/8", false, 0, "10.0.0.0/8" },
	/*  4 */ { "0.0.0.0/0", true, 0, "0.0.0.0/0" },
	/*  5 */ { "10.0.0.0/33", true, -EINVAL, NULL },
	/*  6 */ { "10.0.0.0/-1", true, -EINVAL, NULL },
	/*  7 */ { "10.0.0.0/", true, -EINVAL, NULL },
	/*  8 */ { "/8", true, -EINVAL, NULL },
	/*  9 */ { "fd00::/64", true, 0, "fd00::/64" },
	/* 10 */ { "fd00::1", true, 0, "fd00::1/128" },
	/* 11 */ { "fd00::1/129", true, -EINVAL, NULL },
	/* 12 */ { "::/0", true, 0, "::/0" },
	/* 13 */ { "fd00::1/64", false, 0, "fd00::/64" },
	/* 14 */ { "10.0.0.0/8x", true, -EINVAL, NULL },
	/* 15 */ { "kubernetes.local/32", true, -EINVAL, NULL },
	/* 16 */ { "", true, -EINVAL, NULL },
	/* 17 */ { "10.0.0.0/+8", true, -EINVAL, NULL },
	/* 18 */ { "10.1.2.3/31", false, 0, "10.1.2.2/31" },
	/* 19 */ { "1.2.3.4/ 8", true, -EINVAL, NULL },
};

START_TEST(test_cidr_parse)
{
	struct kgw_cidr c;
	char buf[KGW_ADDR_STR_MAX];
	int ret = kgw_cidr_parse(cidr_cases[_i].in, cidr_cases[_i].strict, &c);

	ck_assert_msg(ret == cidr_cases[_i].ret, "case %d `%s': %d", _i, cidr_cases[_i].in, ret);
	if (!ret)
		ck_assert_str_eq(kgw_cidr_format(&c, buf), cidr_cases[_i].out);
	else
		ck_assert_int_eq(c.family, 0); /* a failed parse leaves nothing half-filled */
}
END_TEST

START_TEST(test_cidr_contains)
{
	struct kgw_cidr c;
	uint8_t a[16] = { 10, 0, 0, 10 };

	ck_assert_int_eq(kgw_cidr_parse("10.0.0.0/28", true, &c), 0);
	ck_assert(kgw_cidr_contains(&c, AF_INET, a));
	a[3] = 15;
	ck_assert(kgw_cidr_contains(&c, AF_INET, a));
	a[3] = 16;
	ck_assert(!kgw_cidr_contains(&c, AF_INET, a));
	ck_assert(!kgw_cidr_contains(&c, AF_INET6, a));
	ck_assert_int_eq(kgw_cidr_parse("0.0.0.0/0", true, &c), 0);
	ck_assert(kgw_cidr_contains(&c, AF_INET, a));
}
END_TEST

static const struct {
	const char *in;
	int ret;
	const char *out;
} sockaddr_cases[] = {
	/* 0 */ { "203.0.113.10:51820", 0, "203.0.113.10:51820" },
	/* 1 */ { "[fd00::1]:443", 0, "[fd00::1]:443" },
	/* 2 */ { "fd00::1:443", -EINVAL, NULL },	/* v6 must be bracketed */
	/* 3 */ { "203.0.113.10", -EINVAL, NULL },
	/* 4 */ { "203.0.113.10:0", -EINVAL, NULL },
	/* 5 */ { "203.0.113.10:65536", -EINVAL, NULL },
	/* 6 */ { "gw.example:443", -EINVAL, NULL },	/* no DNS */
	/* 7 */ { "[fd00::1]443", -EINVAL, NULL },
	/* 8 */ { "[::]:1", 0, "[::]:1" },
	/* 9 */ { ":443", -EINVAL, NULL },
};

START_TEST(test_sockaddr_parse)
{
	union kgw_sockaddr sa;
	char buf[KGW_ADDR_STR_MAX];
	int ret = kgw_sockaddr_parse(sockaddr_cases[_i].in, &sa);

	ck_assert_msg(ret == sockaddr_cases[_i].ret, "case %d `%s'", _i, sockaddr_cases[_i].in);
	if (!ret)
		ck_assert_str_eq(kgw_sockaddr_format(&sa, buf), sockaddr_cases[_i].out);
}
END_TEST

/* ---- config ---- */

static char tmpdir[] = "/tmp/kgw-test-core-XXXXXX";

static const char *write_conf(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kgw.conf", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void setup_tmp(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_tmp(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/kgw.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}

static const struct {
	const char *text;
	int ret;
	const char *err;	/* substring of the message after "FILE:" */
} conf_cases[] = {
	/*  0 */ { "", 0, NULL },
	/*  1 */ { "[gateway]\nlisten_port = 70000\n", -EINVAL,
		   ":2: `listen_port' is not a port (1-65535): `70000'" },
	/*  2 */ { "[gateway]\nlisten_prot = 1\n", -EINVAL, ":2: unknown key `listen_prot' in [gateway]" },
	/*  3 */ { "[gatway]\nlisten_port = 1\n", -EINVAL, ":2: unknown section [gatway]" },
	/*  4 */ { "listen_port = 1\n", -EINVAL, ":1: `listen_port' is outside any section" },
	/*  5 */ { "[gateway]\nbackend = kernel\n", 0, NULL },
	/*  6 */ { "[gateway]\nbackend = bpf\n", -EINVAL, ":2: `backend' is not one of the allowed values: `bpf'" },
	/*  7 */ { "[gateway]\ntunnel_pool = 100.64.0.1/16\n", -EINVAL, ":2: `tunnel_pool' is not an IPv4 prefix" },
	/*  8 */ { "[gateway]\ntunnel_pool = fd00::/64\n", -EINVAL, ":2: `tunnel_pool' is not an IPv4 prefix" },
	/*  9 */ { "[gateway]\ntunnel_pool = 10.1.1.0/31\n", -EINVAL, ":2: `tunnel_pool' is too small a pool" },
	/* 10 */ { "[gateway]\nsession_ttl = 30\n", -EINVAL, ":2: `session_ttl' is out of range: `30'" },
	/* 11 */ { "[gateway]\nsession_ttl = 2h\n", 0, NULL },
	/* 12 */ { "[gateway]\nsession_ttl = 2x\n", -EINVAL, ":2: `session_ttl' is not a duration" },
	/* 13 */ { "[gateway]\ninterface = averyveryverylongname\n", -EINVAL, ":2: `interface' is too long" },
	/* 14 */ { "[gateway]\nlisten_port = 1\nlisten_port = 2\n", -EINVAL, ":3: `listen_port' is set twice in [gateway]" },
	/* 15 */ { "[store]\ndatabase = kgw.db\n", -EINVAL, ":2: `database' is not an absolute path" },
	/* 16 */ { "[log]\nsyslog = maybe\n", -EINVAL, ":2: `syslog' is not a boolean (yes or no): `maybe'" },
	/* 17 */ { "[portal]\nauth_listen = 0.0.0.0\n", -EINVAL, ":2: `auth_listen' is not ADDRESS:PORT" },
	/* 18 */ { "[gateway\n", -EINVAL, ":1: syntax error" },
	/* 19 */ { "[auth]\notp_digits = 9\n", -EINVAL, ":2: `otp_digits' is out of range: `9'" },
	/* 20 */ { "[gateway]\nlisten_port = -1\n", -EINVAL, ":2: `listen_port' is not a port" },
	/* 21 */ { "[gateway]\nendpoint = \"a\nb\n", -EINVAL, ":3: syntax error" },
	/* 22 */ { "[gateway]\nuser =\n", -EINVAL, ":2: `user' must not be empty" },
	/* 23 */ { "[log]\nlevel = \x1b[31m\n", -EINVAL, ":2: `level' is not one of the allowed values: `?[31m'" },
	/* 24 */ { "[portal]\nworkers = 0\n", -EINVAL, ":2: `workers' is out of range" },
	/* 25 */ { "; comment\n# comment\n\n[portal]\nworkers = 8 ; inline\n", 0, NULL },
};

START_TEST(test_config_cases)
{
	struct kgw_config cfg;
	char err[KGW_CONF_ERR_MAX];
	const char *path = write_conf(conf_cases[_i].text);
	int ret = kgw_config_load(&cfg, path, true, err);

	ck_assert_msg(ret == conf_cases[_i].ret, "case %d: %d (%s)", _i, ret, err);
	if (conf_cases[_i].err) {
		ck_assert_msg(!strncmp(err, path, strlen(path)), "case %d: no file name: %s", _i, err);
		ck_assert_msg(strstr(err, conf_cases[_i].err), "case %d: `%s'", _i, err);
	}
}
END_TEST

START_TEST(test_config_values)
{
	struct kgw_config cfg;
	char err[KGW_CONF_ERR_MAX];
	const char *path = write_conf("[gateway]\nsession_ttl = 2h\nbackend = kernel\n"
				      "[portal]\nworkers = 8\n[log]\nsyslog = no\n");

	ck_assert_int_eq(kgw_config_load(&cfg, path, true, err), 0);
	ck_assert_uint_eq(cfg.session_ttl, 7200);
	ck_assert_int_eq(cfg.backend, KGW_BACKEND_KERNEL);
	ck_assert_uint_eq(cfg.workers, 8);
	ck_assert(!cfg.syslog);
	ck_assert_uint_eq(cfg.listen_port, 51820); /* untouched keys keep defaults */
}
END_TEST

START_TEST(test_config_missing)
{
	struct kgw_config cfg;
	char err[KGW_CONF_ERR_MAX];

	ck_assert_int_eq(kgw_config_load(&cfg, "/nonexistent/kgw.conf", false, err), -ENOENT);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(cfg.listen_port, 51820);
	ck_assert_int_eq(kgw_config_load(&cfg, "/nonexistent/kgw.conf", true, err), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/kgw.conf: No such file or directory");
}
END_TEST

/* What kgw_config_write prints must load back to the same configuration. */
START_TEST(test_config_roundtrip)
{
	struct kgw_config a, b;
	char err[KGW_CONF_ERR_MAX], path[64];
	FILE *f;

	kgw_config_defaults(&a);
	a.session_ttl = 5400;
	a.keepalive = 0;
	snprintf(path, sizeof(path), "%s/kgw.conf", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	kgw_config_write(&a, f);
	fclose(f);
	ck_assert_msg(kgw_config_load(&b, path, true, err) == 0, "%s", err);
	ck_assert_mem_eq(&a, &b, sizeof(a));
}
END_TEST

/* The shipped sample documents every key with its default, in its section. */
START_TEST(test_config_sample_complete)
{
	char path[4096], line[512], section[64] = "", want[512];
	struct kgw_config cfg;
	char err[KGW_CONF_ERR_MAX];

	snprintf(path, sizeof(path), "%s/doc/kgw.conf.sample", unit_srcdir());
	ck_assert_msg(kgw_config_load(&cfg, path, true, err) == 0, "%s", err);
	for (size_t i = 0; i < kgw_config_key_count(); i++) {
		const struct kgw_config_key_info *k = kgw_config_key(i);
		FILE *f = fopen(path, "r");
		bool found = false;

		ck_assert_ptr_nonnull(f);
		snprintf(want, sizeof(want), "#%s = %s\n", k->key, k->default_value);
		if (!k->default_value[0])
			snprintf(want, sizeof(want), "#%s =\n", k->key);
		while (fgets(line, sizeof(line), f)) {
			if (line[0] == '[')
				sscanf(line, "[%63[^]]", section);
			else if (!strcmp(section, k->section) && !strcmp(line, want))
				found = true;
		}
		fclose(f);
		ck_assert_msg(found, "sample lacks `%s' in [%s]", want, k->section);
	}
}
END_TEST

/* ---- logging ---- */

static char last_msg[1024];

static void sink(enum kgw_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)ctx;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

START_TEST(test_log_levels)
{
	enum kgw_log_level l;

	kgw_log_set_sink(sink, NULL);
	kgw_log_set_level(KGW_LOG_NOTICE);
	last_msg[0] = '\0';
	kgw_info("hidden");
	ck_assert_str_eq(last_msg, "");
	kgw_warn("shown %d", 1);
	ck_assert_str_eq(last_msg, "shown 1");
	kgw_log_set_sink(NULL, NULL);
	ck_assert_int_eq(kgw_log_level_parse("debug", &l), 0);
	ck_assert_int_eq(l, KGW_LOG_DEBUG);
	ck_assert_int_eq(kgw_log_level_parse("verbose", &l), -EINVAL);
}
END_TEST

START_TEST(test_log_quote)
{
	char out[12];

	ck_assert_str_eq(kgw_log_quote("alice", out, sizeof(out)), "alice");
	ck_assert_str_eq(kgw_log_quote("a\nb\"c'\\d", out, sizeof(out)), "a?b?c??d");
	ck_assert_str_eq(kgw_log_quote("0123456789abcdef", out, sizeof(out)), "01234567...");
	ck_assert_str_eq(kgw_log_quote("\xc3\xa9", out, sizeof(out)), "??");
	ck_assert_str_eq(kgw_log_quote(NULL, out, sizeof(out)), "(null)");
}
END_TEST

START_TEST(test_log_key_tag)
{
	uint8_t key[32] = { 0 };
	char tag[KGW_LOG_KEY_TAG_LEN];

	ck_assert_str_eq(kgw_log_key_tag(key, tag), "AAAAAAAA…");
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("addr");

	tcase_add_loop_test(tc, test_cidr_parse, 0, ARRAY_SIZE(cidr_cases));
	tcase_add_test(tc, test_cidr_contains);
	tcase_add_loop_test(tc, test_sockaddr_parse, 0, ARRAY_SIZE(sockaddr_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
	tcase_add_loop_test(tc, test_config_cases, 0, ARRAY_SIZE(conf_cases));
	tcase_add_test(tc, test_config_values);
	tcase_add_test(tc, test_config_missing);
	tcase_add_test(tc, test_config_roundtrip);
	tcase_add_test(tc, test_config_sample_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_test(tc, test_log_levels);
	tcase_add_test(tc, test_log_quote);
	tcase_add_test(tc, test_log_key_tag);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(core_suite());
}
