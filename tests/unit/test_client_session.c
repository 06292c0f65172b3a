/* SPDX-License-Identifier: MIT */
/* kgw-client: the gateway's session, its state file, wg-quick export, kubeconfig. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "kubecfg.h"
#include "profile.h"
#include "session.h"
#include "state.h"
#include "unit.h"

/* Keys of RFC 7748's test vectors, in base64: the content does not matter here. */
#define CLIENT_PUB "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define GW_PUB "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define TOKEN "tok_5e3c9a0f1d2b4c6e8a7f"

static const char session_text[] =
	"{\"id\":\"s-0001\",\"user\":\"alice\",\"public_key\":\"" CLIENT_PUB "\","
	"\"address\":\"100.64.0.2/32\",\"address6\":\"fd6b:6777::2/128\",\"created\":1700000000,"
	"\"expires\":1700028800,\"gateway_public_key\":\"" GW_PUB "\",\"endpoint\":\"203.0.113.10:51820\","
	"\"listen_port\":51820,\"keepalive\":25,\"routes\":[\"10.0.0.10/32\",\"10.0.1.0/24\"],"
	"\"destinations\":[{\"cidr\":\"10.0.1.0/24\",\"ports\":\"443\"},{\"cidr\":\"10.0.0.10/32\","
	"\"ports\":\"6443\"}],\"token\":\"" TOKEN "\",\"future_field\":true}";

static json_t *session_json(void)
{
	json_t *o = json_loads(session_text, 0, NULL);

	ck_assert_ptr_nonnull(o);
	return o;
}

START_TEST(test_session_parse)
{
	struct kgwc_session s;
	char err[KGWC_ERR_MAX], a[KGW_ADDR_STR_MAX];
	json_t *o = session_json();

	ck_assert_int_eq(kgwc_session_parse(o, &s, err), 0);
	ck_assert_str_eq(s.id, "s-0001");
	ck_assert_str_eq(s.user, "alice");
	ck_assert_str_eq(kgw_cidr_format(&s.address, a), "100.64.0.2/32");
	ck_assert(s.has_address6);
	ck_assert_str_eq(kgw_cidr_format(&s.address6, a), "fd6b:6777::2/128");
	ck_assert_int_eq(s.created, 1700000000);
	ck_assert_int_eq(s.expires, 1700028800);
	ck_assert_str_eq(s.endpoint, "203.0.113.10:51820");
	ck_assert_uint_eq(s.keepalive, 25);
	ck_assert_uint_eq(s.n_routes, 2);
	ck_assert_str_eq(kgw_cidr_format(&s.routes[1], a), "10.0.1.0/24");
	ck_assert_uint_eq(s.n_dests, 2);
	ck_assert_uint_eq(s.dests[1].port_lo, 6443);
	ck_assert_str_eq(s.token, TOKEN);
	kgwc_session_wipe(&s);
	json_decref(o);
}
END_TEST

/* Each case changes one field of the good session: set to a JSON value, or removed (NULL). */
static const struct {
	const char *field;
	const char *value;
	const char *err;
} bad_sessions[] = {
	/* 1 */ { "id", NULL, "no string `id'" },
	/* 2 */ { "id", "42", "no string `id'" },
	/* 3 */ { "id", "\"a\\nb\"", "`id' is not" },
	/* 4 */ { "user", "\"\\u00e9\"", "`user' is not" },
	/* 5 */ { "public_key", "\"AAAA\"", "`public_key' is not a base64" },
	/* 6 */ { "gateway_public_key", NULL, "no string `gateway_public_key'" },
	/* 7 */ { "gateway_public_key", "\"" CLIENT_PUB "x\"", "`gateway_public_key' is not" },
	/* 8 */ { "address", "\"fd00::1/128\"", "`address' is not an IPv4" },
	/* 9 */ { "address", "\"100.64.0.2/33\"", "`address' is not" },
	/* 10 */ { "address6", "\"100.64.0.2/32\"", "`address6' is not an IPv6" },
	/* 11 */ { "created", "\"now\"", "`created' is not an integer" },
	/* 12 */ { "expires", "-1", "`expires' is not an integer" },
	/* 13 */ { "keepalive", "70000", "`keepalive' is not an integer" },
	/* 14 */ { "routes", NULL, "no `routes' list" },
	/* 15 */ { "routes", "[\"10.0.0.10/8\"]", "route 1 of the session is not a prefix" },
	/* 16 */ { "routes", "[\"10.0.0.10/32\", 7]", "route 2 of the session is not a prefix" },
	/* 17 */ { "routes", "[\"0.0.0.0/0\"]", "route 1 of the session is a default route" },
	/* 18 */ { "routes", "[\"::/0\"]", "default route" },
	/* 19 */ { "destinations", "[{\"cidr\":\"10.0.0.10/32\"}]", "destination 1 of the session" },
	/* 20 */ { "destinations", "{}", "`destinations' is not a list" },
	/* 21 */ { "token", "\"" "0123456789012345678901234567890123456789012345678901234567890123"
		   "01234567890123456789012345678901234567890123456789012345678901234" "\"", "`token' is not" },
	/* 22: no endpoint and no port to make one */
	{ "endpoint", "\"\"", "`listen_port'" },
};

START_TEST(test_session_bad)
{
	static const struct kgwc_session zero;
	struct kgwc_session s;
	char err[KGWC_ERR_MAX];
	json_t *o = session_json();

	if (!strcmp(bad_sessions[_i].field, "endpoint"))
		json_object_del(o, "listen_port");
	if (bad_sessions[_i].value)
		json_object_set_new(o, bad_sessions[_i].field,
				    json_loads(bad_sessions[_i].value, JSON_DECODE_ANY, NULL));
	else
		json_object_del(o, bad_sessions[_i].field);
	memset(&s, 0x55, sizeof(s));
	ck_assert_int_eq(kgwc_session_parse(o, &s, err), -EINVAL);
	ck_assert_msg(strstr(err, bad_sessions[_i].err), "case %d: `%s'", _i + 1, err);
	ck_assert(!memcmp(&s, &zero, sizeof(s)));
	json_decref(o);
}
END_TEST

START_TEST(test_session_not_object)
{
	struct kgwc_session s;
	char err[KGWC_ERR_MAX];
	json_t *a = json_array();

	ck_assert_int_eq(kgwc_session_parse(a, &s, err), -EINVAL);
	ck_assert_int_eq(kgwc_session_parse(NULL, &s, err), -EINVAL);
	json_decref(a);
}
END_TEST

START_TEST(test_session_endpoint)
{
	struct kgwc_session s;
	struct kgwc_gateway gw = { 0 };
	char err[KGWC_ERR_MAX], ep[KGWC_ADDRESS_MAX + 1];
	json_t *o = session_json();

	ck_assert_int_eq(kgwc_session_parse(o, &s, err), 0);
	ck_assert_int_eq(kgwc_session_endpoint(&s, &gw, ep), 0);
	ck_assert_str_eq(ep, "203.0.113.10:51820");
	/* Empty: the profile's host at listen_port. */
	s.endpoint[0] = '\0';
	ck_assert_int_eq(kgwc_address_parse("gw.example.com:4443", gw.host, &gw.port), 0);
	ck_assert_int_eq(kgwc_session_endpoint(&s, &gw, ep), 0);
	ck_assert_str_eq(ep, "gw.example.com:51820");
	ck_assert_int_eq(kgwc_address_parse("[2001:db8::1]:4443", gw.host, &gw.port), 0);
	ck_assert_int_eq(kgwc_session_endpoint(&s, &gw, ep), 0);
	ck_assert_str_eq(ep, "[2001:db8::1]:51820");
	/* An endpoint without a port is no endpoint. */
	snprintf(s.endpoint, sizeof(s.endpoint), "gw.example.com");
	ck_assert_int_eq(kgwc_session_endpoint(&s, &gw, ep), -EINVAL);
	kgwc_session_wipe(&s);
	json_decref(o);
}
END_TEST

START_TEST(test_wg_quick)
{
	static const char want[] =
		"# kgw session s-0001 of alice; the gateway ends it at 2023-11-15 06:13:20 UTC.\n"
		"# It is a live key: keep this file private.\n"
		"[Interface]\n"
		"PrivateKey = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"
		"Address = 100.64.0.2/32, fd6b:6777::2/128\n"
		"\n"
		"[Peer]\n"
		"PublicKey = " GW_PUB "\n"
		"Endpoint = gw.example.com:51820\n"
		"AllowedIPs = 10.0.0.10/32, 10.0.1.0/24\n"
		"PersistentKeepalive = 25\n";
	uint8_t priv[WG_KEY_LEN];
	struct kgwc_session s;
	char err[KGWC_ERR_MAX], *text = NULL;
	size_t len = 0;
	json_t *o = session_json();
	FILE *f;

	for (int i = 0; i < WG_KEY_LEN; i++)
		priv[i] = (uint8_t)(i + 1);
	ck_assert_int_eq(kgwc_session_parse(o, &s, err), 0);
	f = open_memstream(&text, &len);
	kgwc_session_write_wg_quick(&s, "gw.example.com:51820", priv, f);
	fclose(f);
	ck_assert_str_eq(text, want);
	/* No keepalive, no IPv6: neither line. */
	s.keepalive = 0;
	s.has_address6 = false;
	free(text);
	f = open_memstream(&text, &len);
	kgwc_session_write_wg_quick(&s, "gw.example.com:51820", priv, f);
	fclose(f);
	ck_assert_ptr_null(strstr(text, "PersistentKeepalive"));
	ck_assert(strstr(text, "Address = 100.64.0.2/32\n"));
	free(text);
	kgwc_session_wipe(&s);
	json_decref(o);
}
END_TEST

static void fill_state(struct kgwc_state *st, json_t *o)
{
	char err[KGWC_ERR_MAX];

	memset(st, 0, sizeof(*st));
	snprintf(st->profile, sizeof(st->profile), "prod");
	snprintf(st->gw.address, sizeof(st->gw.address), "gw.example.com:4443");
	ck_assert_int_eq(kgwc_address_parse(st->gw.address, st->gw.host, &st->gw.port), 0);
	for (int i = 0; i < KGWC_PIN_LEN; i++)
		st->gw.pin[i] = (uint8_t)(0xa0 + i);
	snprintf(st->interface, sizeof(st->interface), "kgw7");
	st->backend = KGWC_BACKEND_USERSPACE;
	st->pid = 4242;
	snprintf(st->endpoint, sizeof(st->endpoint), "203.0.113.10:51820");
	ck_assert_int_eq(kgwc_session_parse(o, &st->session, err), 0);
}

START_TEST(test_state_json)
{
	struct kgwc_state st, back;
	char err[KGWC_ERR_MAX];
	json_t *o = session_json(), *j;
	char *text;

	fill_state(&st, o);
	j = kgwc_state_to_json(&st, o);
	ck_assert_ptr_nonnull(j);
	text = json_dumps(j, 0);
	/* The token is there (disconnect needs it), and nothing else secret is. */
	ck_assert(strstr(text, TOKEN));
	ck_assert_ptr_null(strstr(text, "private"));
	free(text);
	ck_assert_int_eq(kgwc_state_from_json(j, &back, err), 0);
	ck_assert(!memcmp(&st, &back, sizeof(st)));
	/* Each damaged field is refused whole. */
	json_object_set_new(j, "backend", json_string("auto"));
	ck_assert_int_eq(kgwc_state_from_json(j, &back, err), -EINVAL);
	ck_assert(strstr(err, "`backend'"));
	json_object_set_new(j, "backend", json_string("kernel"));
	json_object_set_new(j, "pid", json_integer(0));
	ck_assert_int_eq(kgwc_state_from_json(j, &back, err), -EINVAL);
	json_object_set_new(j, "pid", json_integer(1));
	json_object_set_new(j, "version", json_integer(2));
	ck_assert_int_eq(kgwc_state_from_json(j, &back, err), -EINVAL);
	ck_assert(strstr(err, "version"));
	json_object_set_new(j, "version", json_integer(KGWC_STATE_VERSION));
	json_object_set_new(j, "pin", json_string("00"));
	ck_assert_int_eq(kgwc_state_from_json(j, &back, err), -EINVAL);
	json_decref(j);
	json_decref(o);
}
END_TEST

START_TEST(test_state_files)
{
	char dir[] = "/tmp/kgw-test-state.XXXXXX", path[PATH_MAX], err[KGWC_ERR_MAX], cmd[64];
	struct kgwc_state st, back;
	struct stat sb;
	json_t *o = session_json();
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run", dir);
	setenv("KGW_CLIENT_STATE_DIR", path, 1);
	ck_assert_str_eq(kgwc_state_dir(), path);
	fill_state(&st, o);
	ck_assert_int_eq(kgwc_state_load("prod", &back, err), -ENOENT);
	ck_assert_int_eq(kgwc_state_save(&st, o, err), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_eq(kgwc_state_path("prod", path), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(kgwc_state_load("prod", &back, err), 0);
	ck_assert(!memcmp(&st, &back, sizeof(st)));
	/* Not our process: pid 4242 is not a kgw-client (or does not exist). */
	ck_assert(!kgwc_state_alive(&back));
	/* Damaged file. */
	f = fopen(path, "w");
	fputs("{\"version\":", f);
	fclose(f);
	ck_assert_int_eq(kgwc_state_load("prod", &back, err), -EINVAL);
	ck_assert(strstr(err, path));
	ck_assert_int_eq(kgwc_state_remove("prod"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(kgwc_state_remove("prod"), 0);
	ck_assert_int_eq(kgwc_state_path("../etc", path), -EINVAL);
	unsetenv("KGW_CLIENT_STATE_DIR");
	ck_assert_str_eq(kgwc_state_dir(), KGWC_STATE_DIR);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	json_decref(o);
}
END_TEST

static struct kgwc_kube_cluster cluster(const char *name, const char *server)
{
	struct kgwc_kube_cluster c = { 0 };

	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.server, sizeof(c.server), "%s", server);
	return c;
}

START_TEST(test_kube_server)
{
	struct kgwc_session s;
	char err[KGWC_ERR_MAX], url[KGWC_KUBE_SERVER_MAX + 1];
	json_t *o = session_json();

	ck_assert_int_eq(kgwc_session_parse(o, &s, err), 0);
	/* The /24 is skipped: one host and one port only. */
	ck_assert_int_eq(kgwc_kube_server(&s, url), 0);
	ck_assert_str_eq(url, "https://10.0.0.10:6443");
	ck_assert_int_eq(kgw_dest_parse("fd00::10/128", "6443", s.dests, KGW_DEST_MAX, &(size_t){ 0 }), 0);
	ck_assert_int_eq(kgwc_kube_server(&s, url), 0);
	ck_assert_str_eq(url, "https://[fd00::10]:6443");
	s.n_dests = 1;
	ck_assert_int_eq(kgw_dest_parse("10.0.0.10/32", "6443-6444", s.dests, KGW_DEST_MAX,
					&(size_t){ 0 }), 0);
	ck_assert_int_eq(kgwc_kube_server(&s, url), -ENOENT);
	kgwc_session_wipe(&s);
	json_decref(o);
}
END_TEST

static char *merge_ok(const char *in, const struct kgwc_kube_cluster *c)
{
	char err[KGWC_ERR_MAX], *out;
	size_t len;

	ck_assert_int_eq(kgwc_kube_merge(in, in ? strlen(in) : 0, c, &out, &len, err), 0);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

START_TEST(test_kube_new)
{
	struct kgwc_kube_cluster c = cluster("kgw-default", "https://10.0.0.10:6443");
	char *out;

	c.insecure = true;
	out = merge_ok(NULL, &c);
	ck_assert_str_eq(out, "apiVersion: v1\nkind: Config\nclusters:\n- name: kgw-default\n  cluster:\n"
			      "    server: https://10.0.0.10:6443\n    insecure-skip-tls-verify: true\n");
	free(out);
	c.insecure = false;
	c.ca_data = "TFMwdExTMUNSVWRKVGk=";
	out = merge_ok("", &c);
	ck_assert(strstr(out, "    certificate-authority-data: TFMwdExTMUNSVWRKVGk=\n"));
	free(out);
}
END_TEST

static const char existing[] =
	"# my clusters\n"
	"apiVersion: v1\nkind: Config\ncurrent-context: prod\n"
	"clusters:\n"
	"- name: prod\n  cluster:\n    server: https://prod.example.com\n    certificate-authority-data: QUJD\n"
	"- name: kgw-default\n  cluster:\n    server: https://10.9.9.9:443\n"
	"contexts:\n- name: prod\n  context: {cluster: prod, user: admin}\n"
	"users:\n- name: admin\n  user:\n    token: \"secret: with colon\"\n";

START_TEST(test_kube_merge)
{
	struct kgwc_kube_cluster c = cluster("kgw-default", "https://10.0.0.10:6443");
	struct kgwc_kube_cluster other = cluster("kgw-staging", "https://10.1.0.10:6443");
	char *out, *again;

	/* Replaces ours, keeps everything else. */
	out = merge_ok(existing, &c);
	ck_assert(strstr(out, "server: https://10.0.0.10:6443"));
	ck_assert_ptr_null(strstr(out, "10.9.9.9"));
	ck_assert(strstr(out, "server: https://prod.example.com"));
	ck_assert(strstr(out, "certificate-authority-data: QUJD"));
	ck_assert(strstr(out, "current-context: prod"));
	ck_assert(strstr(out, "token: \"secret: with colon\""));
	ck_assert(strstr(out, "cluster: prod"));
	/* Merging again changes nothing. */
	again = merge_ok(out, &c);
	ck_assert_str_eq(again, out);
	free(again);
	/* Another name is appended. */
	again = merge_ok(out, &other);
	ck_assert(strstr(again, "https://10.0.0.10:6443") && strstr(again, "https://10.1.0.10:6443"));
	ck_assert(strstr(again, "name: kgw-staging"));
	free(again);
	free(out);
	/* No clusters at all, or an empty `clusters:'. */
	out = merge_ok("apiVersion: v1\nkind: Config\n", &c);
	ck_assert(strstr(out, "clusters:\n- name: kgw-default\n  cluster:\n    server: https://10.0.0.10:6443\n"));
	free(out);
	out = merge_ok("apiVersion: v1\nclusters:\nkind: Config\n", &c);
	ck_assert(strstr(out, "name: kgw-default"));
	free(out);
}
END_TEST

static const struct {
	const char *text;
	const char *err;
} bad_kubeconfigs[] = {
	/* 1 */ { "- just\n- a list\n", "not a kubeconfig" },
	/* 2 */ { "clusters: 42\n", "`clusters' is not a list" },
	/* 3 */ { "clusters: {a: b}\n", "`clusters' is not a list" },
	/* 4 */ { "a: [unclosed\n", "not YAML" },
	/* 5 */ { "a: 1\n---\nb: 2\n", "more than one YAML document" },
	/* 6 */ { "just a string\n", "not a kubeconfig" },
	/* 7 */ { "a: *nowhere\n", "not YAML" },
};

START_TEST(test_kube_bad)
{
	struct kgwc_kube_cluster c = cluster("kgw-default", "https://10.0.0.10:6443");
	char err[KGWC_ERR_MAX], *out = (char *)1;
	size_t len;

	ck_assert_int_eq(kgwc_kube_merge(bad_kubeconfigs[_i].text, strlen(bad_kubeconfigs[_i].text), &c,
					 &out, &len, err), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_msg(strstr(err, bad_kubeconfigs[_i].err), "case %d: `%s'", _i + 1, err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("client-session");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_session_parse);
	tcase_add_loop_test(tc, test_session_bad, 0, ARRAY_SIZE(bad_sessions));
	tcase_add_test(tc, test_session_not_object);
	tcase_add_test(tc, test_session_endpoint);
	tcase_add_test(tc, test_wg_quick);
	tcase_add_test(tc, test_state_json);
	tcase_add_test(tc, test_state_files);
	tcase_add_test(tc, test_kube_server);
	tcase_add_test(tc, test_kube_new);
	tcase_add_test(tc, test_kube_merge);
	tcase_add_loop_test(tc, test_kube_bad, 0, ARRAY_SIZE(bad_kubeconfigs));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	return unit_run(suite());
}
