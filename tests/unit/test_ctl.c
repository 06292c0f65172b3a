/* SPDX-License-Identifier: MIT */
/*
 * kgwd's untrusted inputs: control requests, destinations, and the
 * data-plane check on decrypted packets.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"
#include "dest.h"
#include "dpolicy.h"
#include "unit.h"

#define KEY "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int parse(const char *line, struct kgw_ctl_request *req)
{
	char err[200];

	return kgw_ctl_parse(line, strlen(line), req, err, sizeof(err));
}

START_TEST(test_authorize_ok)
{
	struct kgw_ctl_request req;
	const char *line = "{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\","
			   "\"ttl\":3600,\"token_hash\":\"" HASH "\",\"destinations\":["
			   "{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"},"
			   "{\"cidr\":\"fd00::/64\",\"ports\":\"443,8000-8080\"}]}";

	ck_assert_int_eq(parse(line, &req), 0);
	ck_assert_int_eq(req.op, KGW_CTL_AUTHORIZE);
	ck_assert_str_eq(req.user, "alice");
	ck_assert_uint_eq(req.ttl, 3600);
	ck_assert_uint_eq(req.n_dests, 3);
	ck_assert_uint_eq(req.dests[0].port_lo, 6443);
	ck_assert_uint_eq(req.dests[2].port_lo, 8000);
	ck_assert_uint_eq(req.dests[2].port_hi, 8080);
	ck_assert_int_eq(req.dests[1].cidr.family, AF_INET6);
}
END_TEST

/* Each is one field wrong of an otherwise good request. */
static const char *const bad[] = {
	"",
	"[]",
	"{\"op\":\"fly\"}",
	"{\"op\":\"list\",\"extra\":1}",
	"{\"op\":\"list\",\"op\":\"list\"}",
	"{\"op\":\"authorize\",\"user\":\"-alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"AAAA\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":0,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":86401,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":\"60\",\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"ABC\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"6443\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/24\",\"ports\":\"6443\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"0\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"90-80\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"443,\"}]}",
	"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"10.0.0.10/32\",\"ports\":\"443\",\"x\":1}]}",
	"{\"op\":\"revoke\"}",
	"{\"op\":\"revoke\",\"id\":\"0123\"}",
	"{\"op\":\"revoke\",\"id\":\"0123456789abcdef0123456789abcdef\",\"public_key\":\"" KEY "\"}",
};

START_TEST(test_bad_requests)
{
	struct kgw_ctl_request req;

	ck_assert_msg(parse(bad[_i], &req) == -EINVAL, "accepted: %s", bad[_i]);
	/* A refused request leaves nothing half-filled. */
	ck_assert_int_eq(req.op, 0);
	ck_assert_uint_eq(req.n_dests, 0);
}
END_TEST

START_TEST(test_too_many_destinations)
{
	struct kgw_dest d[KGW_DEST_MAX];
	size_t n = KGW_DEST_MAX - 1;

	ck_assert_int_eq(kgw_dest_parse("10.0.0.0/8", "1,2", d, KGW_DEST_MAX, &n), -E2BIG);
	ck_assert_uint_eq(n, KGW_DEST_MAX - 1);
	ck_assert_int_eq(kgw_dest_parse("10.0.0.0/8", "1", d, KGW_DEST_MAX, &n), 0);
	ck_assert_uint_eq(n, KGW_DEST_MAX);
}
END_TEST

static size_t tcp4(uint8_t *p, const char *dst, uint16_t port, uint16_t frag)
{
	memset(p, 0, 40);
	p[0] = 0x45;
	p[3] = 40;
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[9] = 6;
	inet_pton(AF_INET, "100.64.0.2", p + 12);
	inet_pton(AF_INET, dst, p + 16);
	p[22] = (uint8_t)(port >> 8);
	p[23] = (uint8_t)port;
	return 40;
}

static size_t tcp6(uint8_t *p, const char *dst, uint16_t port, uint8_t next)
{
	memset(p, 0, 60);
	p[0] = 0x60;
	p[5] = 20;
	p[6] = next;
	inet_pton(AF_INET6, "fd6b:6777::2", p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	p[42] = (uint8_t)(port >> 8);
	p[43] = (uint8_t)port;
	return 60;
}

/*
 * Found by fuzz_ctl: an error quoting request text cut inside a UTF-8
 * sequence, which jansson would not encode, so kgwd closed the connection
 * with no answer; a "\n" in a member name went into kgwd's log as a line.
 */
START_TEST(test_error_reply_always)
{
	static const char *const lines[] = {
		"{\"op\":\"list\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u00e9\":1}",
		"{\"op\":\"list\",\"x\\ny\":1}",
		"{\"op\":\"authorize\",\"user\":\"alice\",\"public_key\":\"" KEY "\",\"ttl\":60,"
		"\"token_hash\":\"" HASH "\",\"destinations\":[{\"cidr\":\"\u00e9\u00e9\u00e9\u00e9"
		"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\",\"ports\":\"1\\n\"}]}",
		"{\"op\":\"list\"} \xc3",
	};

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		struct kgw_ctl_request req;
		char err[200], *reply;

		ck_assert_int_eq(kgw_ctl_parse(lines[i], strlen(lines[i]), &req, err, sizeof(err)),
				 -EINVAL);
		for (const char *c = err; *c; c++)
			ck_assert_msg((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f,
				      "line %zu: %s", i, err);
		reply = kgw_ctl_error("bad_request", err);
		ck_assert_ptr_nonnull(reply);
		ck_assert_ptr_nonnull(strstr(reply, "\"bad_request\""));
		free(reply);
	}
}
END_TEST

START_TEST(test_dpolicy)
{
	struct kgw_dest d[4];
	uint8_t p[64];
	size_t n = 0, len;

	ck_assert_int_eq(kgw_dest_parse("10.0.0.10/32", "6443", d, 4, &n), 0);
	ck_assert_int_eq(kgw_dest_parse("fd00::/64", "443-444", d, 4, &n), 0);
	len = tcp4(p, "10.0.0.10", 6443, 0);
	ck_assert(kgw_dpolicy_allow(d, n, p, len));
	ck_assert(!kgw_dpolicy_allow(d, n, p, len - 1));	/* TCP header cut short */
	ck_assert(!kgw_dpolicy_allow(d, n, p, tcp4(p, "10.0.0.10", 22, 0)));
	ck_assert(!kgw_dpolicy_allow(d, n, p, tcp4(p, "10.0.0.20", 6443, 0)));
	ck_assert(kgw_dpolicy_allow(d, n, p, tcp4(p, "10.0.0.10", 6443, 0x2000)));	/* MF, offset 0: the first fragment */
	ck_assert(!kgw_dpolicy_allow(d, n, p, tcp4(p, "10.0.0.10", 6443, 0x0010)));	/* a later fragment */
	len = tcp4(p, "10.0.0.10", 6443, 0);
	p[9] = 17;	/* UDP to the same port */
	ck_assert(!kgw_dpolicy_allow(d, n, p, len));
	ck_assert(kgw_dpolicy_allow(d, n, p, tcp6(p, "fd00::1", 444, 6)));
	ck_assert(!kgw_dpolicy_allow(d, n, p, tcp6(p, "fd00::1", 445, 6)));
	ck_assert(!kgw_dpolicy_allow(d, n, p, tcp6(p, "fd00:1::1", 443, 6)));
	ck_assert(!kgw_dpolicy_allow(d, n, p, tcp6(p, "fd00::1", 443, 44)));	/* fragment header */
	ck_assert(!kgw_dpolicy_allow(d, n, p, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("ctl");

	tcase_add_test(tc, test_authorize_ok);
	tcase_add_loop_test(tc, test_bad_requests, 0, ARRAY_SIZE(bad));
	tcase_add_test(tc, test_too_many_destinations);
	tcase_add_test(tc, test_error_reply_always);
	tcase_add_test(tc, test_dpolicy);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
