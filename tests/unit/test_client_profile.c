/* SPDX-License-Identifier: MIT */
/* kgw-client: profiles, pins, addresses, names, prompts' line reading, formatting. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "format.h"
#include "profile.h"
#include "prompt.h"
#include "unit.h"

#define PIN_HEX "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef"
#define PIN_COLONS "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:" \
		   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"

static const struct {
	const char *text;
	int ret;
	const char *host;
	uint16_t port;
} address_cases[] = {
	/* 1 */ { "gw.example.com", 0, "gw.example.com", KGWC_DEFAULT_PORT },
	/* 2 */ { "gw.example.com:443", 0, "gw.example.com", 443 },
	/* 3 */ { "203.0.113.10:4443", 0, "203.0.113.10", 4443 },
	/* 4 */ { "[2001:db8::1]:8443", 0, "2001:db8::1", 8443 },
	/* 5 */ { "[2001:db8::1]", 0, "2001:db8::1", KGWC_DEFAULT_PORT },
	/* 6 */ { "2001:db8::1", 0, "2001:db8::1", KGWC_DEFAULT_PORT },
	/* 7 */ { "localhost", 0, "localhost", KGWC_DEFAULT_PORT },
	/* 8 */ { "gw-1.example.com.", -EINVAL, NULL, 0 },	/* empty last label */
	/* 9 */ { "", -EINVAL, NULL, 0 },
	/* 10 */ { "gw.example.com:0", -EINVAL, NULL, 0 },
	/* 11 */ { "gw.example.com:65536", -EINVAL, NULL, 0 },
	/* 12 */ { "gw.example.com:", -EINVAL, NULL, 0 },
	/* 13 */ { "gw.example.com:44x", -EINVAL, NULL, 0 },
	/* 14 */ { "-gw.example.com", -EINVAL, NULL, 0 },
	/* 15 */ { "gw-.example.com", -EINVAL, NULL, 0 },
	/* 16 */ { "gw..example.com", -EINVAL, NULL, 0 },
	/* 17 */ { "gw_1.example.com", -EINVAL, NULL, 0 },
	/* 18 */ { "1.2.3.999", -EINVAL, NULL, 0 },	/* numeric, not an address */
	/* 19 */ { "[2001:db8::1", -EINVAL, NULL, 0 },
	/* 20 */ { "[2001:db8::1]x", -EINVAL, NULL, 0 },
	/* 21 */ { "[gw.example.com]:443", -EINVAL, NULL, 0 },
	/* 22 */ { "gw example.com", -EINVAL, NULL, 0 },
	/* 23 */ { "https://gw.example.com", -EINVAL, NULL, 0 },
	/* 24 */ { "[]:443", -EINVAL, NULL, 0 },
	/* 25 */ { "a23456789012345678901234567890123456789012345678901234567890123.com", 0,
		   "a23456789012345678901234567890123456789012345678901234567890123.com", KGWC_DEFAULT_PORT },
	/* 26 */ { "a234567890123456789012345678901234567890123456789012345678901234.com", -EINVAL, NULL, 0 },
	/* 27 */ { "gw.example.com:+443", -EINVAL, NULL, 0 },
};

START_TEST(test_address)
{
	char host[KGWC_HOST_MAX + 1];
	uint16_t port;
	int ret = kgwc_address_parse(address_cases[_i].text, host, &port);

	ck_assert_msg(ret == address_cases[_i].ret, "case %d: `%s' -> %d", _i + 1, address_cases[_i].text, ret);
	if (!ret) {
		ck_assert_str_eq(host, address_cases[_i].host);
		ck_assert_uint_eq(port, address_cases[_i].port);
	} else {
		ck_assert_str_eq(host, "");
	}
}
END_TEST

static const struct {
	const char *text;
	int ret;
} pin_cases[] = {
	/* 1 */ { PIN_HEX, 0 },
	/* 2 */ { PIN_COLONS, 0 },
	/* 3 */ { "sha256:" PIN_HEX, 0 },
	/* 4 */ { "SHA256 Fingerprint=" PIN_COLONS, 0 },	/* openssl's whole line */
	/* 5 */ { "", -EINVAL },
	/* 6 */ { PIN_HEX "00", -EINVAL },		/* 33 bytes */
	/* 7 */ { PIN_HEX + 2, -EINVAL },		/* 31 bytes */
	/* 8 */ { PIN_HEX + 1, -EINVAL },		/* odd digits */
	/* 9 */ { PIN_COLONS ":", -EINVAL },		/* trailing colon */
	/* 10 */ { ":" PIN_COLONS, -EINVAL },		/* leading colon */
	/* 11 */ { "01::23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
		   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF", -EINVAL },
	/* 12 */ { "g123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef", -EINVAL },
	/* 13 */ { " " PIN_HEX, -EINVAL },
	/* 14 */ { PIN_HEX " ", -EINVAL },
	/* 15 */ { "sha1:" PIN_HEX, -EINVAL },
	/* 16 */ { "0:123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef", -EINVAL },
};

START_TEST(test_pin)
{
	static const uint8_t want[KGWC_PIN_LEN] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	};
	static const uint8_t zero[KGWC_PIN_LEN];
	uint8_t pin[KGWC_PIN_LEN];
	int ret;

	memset(pin, 0x55, sizeof(pin));
	ret = kgwc_pin_parse(pin_cases[_i].text, pin);
	ck_assert_msg(ret == pin_cases[_i].ret, "case %d: %d", _i + 1, ret);
	ck_assert(!memcmp(pin, ret ? zero : want, KGWC_PIN_LEN));
}
END_TEST

START_TEST(test_pin_format)
{
	uint8_t pin[KGWC_PIN_LEN], again[KGWC_PIN_LEN];
	char text[KGWC_PIN_HEX_MAX];

	ck_assert_int_eq(kgwc_pin_parse(PIN_HEX, pin), 0);
	ck_assert_str_eq(kgwc_pin_format(pin, text), PIN_COLONS);
	ck_assert_int_eq(kgwc_pin_parse(text, again), 0);
	ck_assert(!memcmp(pin, again, sizeof(pin)));
}
END_TEST

START_TEST(test_names)
{
	ck_assert(kgwc_user_valid("alice"));
	ck_assert(kgwc_user_valid("alice.b_c-d@example.com"));
	ck_assert(kgwc_user_valid("0ps"));
	ck_assert(!kgwc_user_valid(""));
	ck_assert(!kgwc_user_valid(".alice"));
	ck_assert(!kgwc_user_valid("al ice"));
	ck_assert(!kgwc_user_valid("alice\n"));
	ck_assert(!kgwc_user_valid("al\xc3\xa9"));
	ck_assert(kgwc_user_valid("a234567890123456789012345678901234567890123456789012345678901234"));
	ck_assert(!kgwc_user_valid("a2345678901234567890123456789012345678901234567890123456789012345"));
	ck_assert(kgwc_profile_name_valid("default"));
	ck_assert(kgwc_profile_name_valid("prod-eu_1.b"));
	ck_assert(!kgwc_profile_name_valid(""));
	ck_assert(!kgwc_profile_name_valid(".hidden"));
	ck_assert(!kgwc_profile_name_valid("a/b"));
	ck_assert(!kgwc_profile_name_valid("a b"));
}
END_TEST

static const char good_profile[] =
	"# handed out by the admin\n[gateway]\naddress = gw.example.com:4443\npin = " PIN_COLONS "\n"
	"user = alice\ninterface = kgw9\n";

START_TEST(test_profile_round_trip)
{
	struct kgwc_profile p, q;
	char err[KGWC_ERR_MAX], *text = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(kgwc_profile_parse(good_profile, "t.conf", &p, err), 0);
	ck_assert_str_eq(p.gw.address, "gw.example.com:4443");
	ck_assert_str_eq(p.gw.host, "gw.example.com");
	ck_assert_uint_eq(p.gw.port, 4443);
	ck_assert_str_eq(p.user, "alice");
	ck_assert_str_eq(p.interface, "kgw9");
	f = open_memstream(&text, &len);
	kgwc_profile_write(&p, f);
	fclose(f);
	ck_assert_int_eq(kgwc_profile_parse(text, "again", &q, err), 0);
	ck_assert(!memcmp(&p, &q, sizeof(p)));
	free(text);
}
END_TEST

START_TEST(test_profile_default_interface)
{
	struct kgwc_profile p;
	char err[KGWC_ERR_MAX];

	ck_assert_int_eq(kgwc_profile_parse("[gateway]\naddress=[::1]\npin=" PIN_HEX "\nuser=bob\n", "t",
					    &p, err), 0);
	ck_assert_str_eq(p.interface, KGWC_DEFAULT_IFNAME);
	ck_assert_str_eq(p.gw.host, "::1");
	ck_assert_uint_eq(p.gw.port, KGWC_DEFAULT_PORT);
}
END_TEST

#define BASE_ADDR "address = gw.example.com\n"
#define BASE_PIN "pin = " PIN_HEX "\n"
#define BASE_USER "user = alice\n"

static const struct {
	const char *text;
	const char *err;	/* what the message must contain */
} bad_profiles[] = {
	/* 1 */ { "[gateway]\naddress = gw..example.com\n" BASE_PIN BASE_USER, "t.conf:2: `address' is not" },
	/* 2 */ { "[gateway]\n" BASE_ADDR "pin = 12:34\n" BASE_USER, "t.conf:3: `pin' is not a SHA-256" },
	/* 3 */ { "[gateway]\n" BASE_ADDR BASE_PIN "user = al ice\n", "t.conf:4: `user' is not a user name" },
	/* 4 */ { "[gateway]\n" BASE_ADDR BASE_PIN BASE_USER "interface = much-too-long-name\n",
		  "t.conf:5: `interface' is not an interface name" },
	/* 5 */ { "[gateway]\n" BASE_ADDR BASE_PIN BASE_USER "interface = a/b\n", "`interface' is not" },
	/* 6 */ { "[gateway]\n" BASE_ADDR BASE_PIN BASE_USER "colour = blue\n", "t.conf:5: unknown key `colour'" },
	/* 7 */ { "[portal]\n" BASE_ADDR, "t.conf:2: unknown section [portal]" },
	/* 8 */ { BASE_ADDR "[gateway]\n", "t.conf:1: `address' is outside the [gateway] section" },
	/* 9 */ { "[gateway]\n" BASE_ADDR BASE_ADDR BASE_PIN BASE_USER, "t.conf:3: `address' is set twice" },
	/* 10 */ { "[gateway]\n" BASE_PIN BASE_USER, "t.conf: `address' is missing" },
	/* 11 */ { "[gateway]\n" BASE_ADDR BASE_USER, "t.conf: `pin' is missing" },
	/* 12 */ { "[gateway]\n" BASE_ADDR BASE_PIN, "t.conf: `user' is missing" },
	/* 13 */ { "[gateway]\nthis is not ini\n", "t.conf:2: syntax error" },
	/* 14 */ { "", "t.conf: `address' is missing" },
	/* 15 */ { "[gateway]\n" BASE_ADDR BASE_PIN "user = \x1b[31mred\n", "`user' is not a user name" },
	/* 16 */ { "[gateway]\naddress =\n" BASE_PIN BASE_USER, "t.conf:2: `address' is not" },
	/* 17 */ { "[gateway\n" BASE_ADDR, "t.conf:1: syntax error" },
};

START_TEST(test_profile_bad)
{
	static const struct kgwc_profile zero;
	struct kgwc_profile p;
	char err[KGWC_ERR_MAX];

	memset(&p, 0x55, sizeof(p));
	ck_assert_int_eq(kgwc_profile_parse(bad_profiles[_i].text, "t.conf", &p, err), -EINVAL);
	ck_assert_msg(strstr(err, bad_profiles[_i].err), "case %d: `%s'", _i + 1, err);
	/* No control character of the input reaches the message. */
	ck_assert(!strchr(err, '\x1b'));
	ck_assert(!memcmp(&p, &zero, sizeof(p)));
}
END_TEST

START_TEST(test_profile_set)
{
	struct kgwc_profile p = { 0 };
	char err[KGWC_ERR_MAX];

	ck_assert_int_eq(kgwc_profile_set(&p, "address", "gw:1", err), 0);
	ck_assert_uint_eq(p.gw.port, 1);
	ck_assert_int_eq(kgwc_profile_set(&p, "user", "-x", err), -EINVAL);
	ck_assert(strstr(err, "`user' is not a user name") && strstr(err, ": `-x'"));
	ck_assert_int_eq(kgwc_profile_set(&p, "nope", "x", err), -EINVAL);
	ck_assert(strstr(err, "unknown profile key `nope'"));
}
END_TEST

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kgw-test-client.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_profile_files)
{
	struct kgwc_profile p, q;
	struct kgwc_profile_ref ref;
	char err[KGWC_ERR_MAX], path[PATH_MAX + 32];
	struct stat sb;
	FILE *f;

	make_tmpdir();
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	ck_assert_int_eq(kgwc_profile_resolve(NULL, &ref, err), 0);
	ck_assert_str_eq(ref.name, KGWC_DEFAULT_PROFILE);
	snprintf(path, sizeof(path), "%s/kgw/default.conf", tmpdir);
	ck_assert_str_eq(ref.path, path);
	/* Missing: a hint how to make one. */
	ck_assert_int_eq(kgwc_profile_load(ref.path, &p, err), -ENOENT);
	ck_assert(strstr(err, "kgw-client init"));
	ck_assert_int_eq(kgwc_profile_parse(good_profile, "t", &p, err), 0);
	ck_assert_int_eq(kgwc_profile_save(ref.path, &p, err), 0);
	ck_assert_int_eq(stat(ref.path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/kgw", tmpdir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_eq(kgwc_profile_load(ref.path, &q, err), 0);
	ck_assert(!memcmp(&p, &q, sizeof(p)));

	/* A path is used as it is, named after its file. */
	snprintf(path, sizeof(path), "%s/prod-eu.conf", tmpdir);
	ck_assert_int_eq(kgwc_profile_resolve(path, &ref, err), 0);
	ck_assert_str_eq(ref.name, "prod-eu");
	ck_assert_str_eq(ref.path, path);
	ck_assert_int_eq(kgwc_profile_resolve("./ .conf", &ref, err), -EINVAL);
	ck_assert_int_eq(kgwc_profile_resolve("bad name", &ref, err), -EINVAL);
	ck_assert(strstr(err, "`bad name' is not a profile name"));
	ck_assert_int_eq(kgwc_profile_resolve(".hidden", &ref, err), -EINVAL);

	/* Not a profile: too large, binary. */
	f = fopen(path, "w");
	for (int i = 0; i < 1000; i++)
		fputs("# padding padding\n", f);
	fclose(f);
	ck_assert_int_eq(kgwc_profile_load(path, &p, err), -EINVAL);
	ck_assert(strstr(err, "too large"));
	f = fopen(path, "w");
	fwrite("[gateway]\0\n", 1, 11, f);
	fclose(f);
	ck_assert_int_eq(kgwc_profile_load(path, &p, err), -EINVAL);
	ck_assert(strstr(err, "not a text file"));

	/* HOME when XDG_CONFIG_HOME is unset or relative. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", "/home/op", 1);
	ck_assert_int_eq(kgwc_profile_resolve("x", &ref, err), 0);
	ck_assert_str_eq(ref.path, "/home/op/.config/kgw/x.conf");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(kgwc_profile_resolve("x", &ref, err), -ENOENT);
	remove_tmpdir();
}
END_TEST

static int pipe_with(const char *text, size_t len)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], text, len), (ssize_t)len);
	close(fds[1]);
	return fds[0];
}

START_TEST(test_read_line)
{
	char buf[16];
	int fd = pipe_with("secret\r\n123456\nlast", 20);

	ck_assert_int_eq(kgwc_read_line(fd, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "secret");
	ck_assert_int_eq(kgwc_read_line(fd, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "123456");
	ck_assert_int_eq(kgwc_read_line(fd, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "last");
	ck_assert_int_eq(kgwc_read_line(fd, buf, sizeof(buf)), -ENODATA);
	close(fd);

	fd = pipe_with("0123456789abcdefXYZ\nnext\n", 25);
	ck_assert_int_eq(kgwc_read_line(fd, buf, sizeof(buf)), -EMSGSIZE);
	ck_assert_str_eq(buf, "");	/* wiped */
	ck_assert_int_eq(kgwc_read_line(fd, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "next");	/* nothing past the long line was eaten */
	close(fd);

	fd = pipe_with("\n", 1);
	ck_assert_int_eq(kgwc_read_line(fd, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	close(fd);
}
END_TEST

START_TEST(test_secrets_stdin)
{
	struct kgwc_secrets s = { 0 };
	char err[KGWC_ERR_MAX];
	int saved = dup(STDIN_FILENO), fd;

	fd = pipe_with("pass word\n654321\n", 17);
	dup2(fd, STDIN_FILENO);
	close(fd);
	ck_assert_int_eq(kgwc_secrets_read(&s, "alice", "gw", true, NULL, err), 0);
	ck_assert_str_eq(s.password, "pass word");
	ck_assert_str_eq(s.otp, "654321");
	kgwc_secrets_free(&s);

	/* --otp given: only the password is read. */
	fd = pipe_with("pw\n", 3);
	dup2(fd, STDIN_FILENO);
	close(fd);
	ck_assert_int_eq(kgwc_secrets_read(&s, "alice", "gw", true, "12345678", err), 0);
	ck_assert_str_eq(s.otp, "12345678");
	kgwc_secrets_free(&s);

	fd = pipe_with("pw\n12345\n", 9);
	dup2(fd, STDIN_FILENO);
	close(fd);
	ck_assert_int_eq(kgwc_secrets_read(&s, "alice", "gw", true, NULL, err), -EINVAL);
	ck_assert(strstr(err, "6 to 8 digits"));
	kgwc_secrets_free(&s);

	fd = pipe_with("\n123456\n", 8);
	dup2(fd, STDIN_FILENO);
	close(fd);
	ck_assert_int_eq(kgwc_secrets_read(&s, "alice", "gw", true, NULL, err), -EINVAL);
	ck_assert(strstr(err, "password is empty"));
	kgwc_secrets_free(&s);

	fd = pipe_with("", 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	ck_assert_int_eq(kgwc_secrets_read(&s, "alice", "gw", true, NULL, err), -ENODATA);
	kgwc_secrets_free(&s);

	ck_assert_int_eq(kgwc_secrets_read(&s, "alice", "gw", true, "12a456", err), -EINVAL);
	kgwc_secrets_free(&s);
	dup2(saved, STDIN_FILENO);
	close(saved);
	ck_assert(kgwc_otp_valid("000000"));
	ck_assert(!kgwc_otp_valid("123456789"));
	ck_assert(!kgwc_otp_valid(""));
}
END_TEST

START_TEST(test_format)
{
	char b[KGWC_FORMAT_MAX];

	ck_assert_str_eq(kgwc_format_duration(0, b), "0 seconds");
	ck_assert_str_eq(kgwc_format_duration(1, b), "1 second");
	ck_assert_str_eq(kgwc_format_duration(3661, b), "1 hour, 1 minute, 1 second");
	ck_assert_str_eq(kgwc_format_duration(8 * 3600, b), "8 hours");
	ck_assert_str_eq(kgwc_format_duration(2 * 86400 + 120, b), "2 days, 2 minutes");
	ck_assert_str_eq(kgwc_format_bytes(0, b), "0 B");
	ck_assert_str_eq(kgwc_format_bytes(1023, b), "1023 B");
	ck_assert_str_eq(kgwc_format_bytes(1024, b), "1.00 KiB");
	ck_assert_str_eq(kgwc_format_bytes(1536 * 1024, b), "1.50 MiB");
	ck_assert_str_eq(kgwc_format_bytes(UINT64_MAX, b), "16.00 EiB");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("client-profile");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_address, 0, ARRAY_SIZE(address_cases));
	tcase_add_loop_test(tc, test_pin, 0, ARRAY_SIZE(pin_cases));
	tcase_add_test(tc, test_pin_format);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_profile_round_trip);
	tcase_add_test(tc, test_profile_default_interface);
	tcase_add_loop_test(tc, test_profile_bad, 0, ARRAY_SIZE(bad_profiles));
	tcase_add_test(tc, test_profile_set);
	tcase_add_test(tc, test_profile_files);
	tcase_add_test(tc, test_read_line);
	tcase_add_test(tc, test_secrets_stdin);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	return unit_run(suite());
}
