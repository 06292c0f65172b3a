/* SPDX-License-Identifier: MIT */
/*
 * The userspace configuration protocol as text: what the stock `wg' sends
 * parses to the right structs; every key's bad values, unknown keys, keys
 * in the wrong section, bad operations and NUL bytes are refused with the
 * errno `wg' will print; and the `get' reply is exactly the text `wg'
 * reads, and reads back as the same configuration.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "unit.h"
#include "wg_uapi.h"

/*
 * Requests captured from wireguard-tools v1.0.20210914 (Debian 12's `wg')
 * by pointing it at a UNIX socket listener standing in for
 * /var/run/wireguard/kgwcap0.sock, with throwaway keys:
 *
 *   0: wg set kgwcap0 private-key k listen-port 51820 fwmark 0x1234 peer PUB
 *        preshared-key psk endpoint 192.0.2.7:51821 persistent-keepalive 25
 *        allowed-ips 10.0.0.0/8,fd00::/64,10.1.2.3/32
 *   1: wg set kgwcap0 listen-port 0 fwmark off peer PUB remove
 *   2: wg set kgwcap0 peer PUB endpoint [fd00::1]:51820 persistent-keepalive off
 *        allowed-ips "" preshared-key /dev/null
 *   3: wg set kgwcap0 peer PUB allowed-ips 10.9.8.7/24
 *   4: wg setconf kgwcap0 c.conf  (ListenPort 51000, one [Peer] with
 *        Endpoint 192.0.2.9:7, AllowedIPs 0.0.0.0/0, ::/0)
 *   5: wg addconf kgwcap0 c.conf
 *   6: wg show kgwcap0
 *   7: wg setconf kgwcap0 c7.conf  (one [Peer] with Endpoint [fe80::1%lo]:7)
 *
 * The final blank line that ends each request on the socket is not part
 * of what wg_uapi_parse() gets.
 */
#define PRIV "b80b14ce338206d003d607473f7e4415621c5ad98ed176058207226666fc9c77"
#define PUB "e2df1b8deb04aa4c962e9a5cfc0bbf42824750cbf08c7247e5caaa24c64d0550"
#define PSK "4e1e2cb4a1a9bb4ff6bc2964d696651fbeaca23166494927b16ff8e5e37d72a5"
#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"

static const char *const captured[] = {
	/* 0 */ "set=1\nprivate_key=" PRIV "\nlisten_port=51820\nfwmark=4660\npublic_key=" PUB
		"\npreshared_key=" PSK "\nendpoint=192.0.2.7:51821\npersistent_keepalive_interval=25\n"
		"replace_allowed_ips=true\nallowed_ip=10.0.0.0/8\nallowed_ip=fd00::/64\n"
		"allowed_ip=10.1.2.3/32\n",
	/* 1 */ "set=1\nlisten_port=0\nfwmark=0\npublic_key=" PUB "\nremove=true\n",
	/* 2 */ "set=1\npublic_key=" PUB "\npreshared_key=" ZERO "\nendpoint=[fd00::1]:51820\n"
		"persistent_keepalive_interval=0\nreplace_allowed_ips=true\n",
	/* 3 */ "set=1\npublic_key=" PUB "\nreplace_allowed_ips=true\nallowed_ip=10.9.8.7/24\n",
	/* 4 */ "set=1\nprivate_key=" PRIV "\nlisten_port=51000\nfwmark=0\nreplace_peers=true\npublic_key=" PUB
		"\nendpoint=192.0.2.9:7\nreplace_allowed_ips=true\nallowed_ip=0.0.0.0/0\nallowed_ip=::/0\n",
	/* 5 */ "set=1\nprivate_key=" PRIV "\nlisten_port=51000\npublic_key=" PUB
		"\nendpoint=192.0.2.9:7\nreplace_allowed_ips=true\nallowed_ip=0.0.0.0/0\nallowed_ip=::/0\n",
	/* 6 */ "get=1\n",
	/* 7 */ "set=1\nprivate_key=" PRIV "\nlisten_port=0\nfwmark=0\nreplace_peers=true\npublic_key=" PUB
		"\nendpoint=[fe80::1%lo]:7\nreplace_allowed_ips=true\n",
};

/* A request's start with one peer section open. */
#define P "set=1\npublic_key=" PUB "\n"

static struct wg_uapi_set set;
static char err[256];

static int parse(const char *text)
{
	return wg_uapi_parse(text, strlen(text), &set, err, sizeof(err));
}

static void unhex(uint8_t out[32], const char *hex)
{
	size_t n;

	ck_assert_int_eq(sodium_hex2bin(out, 32, hex, 64, NULL, &n, NULL), 0);
	ck_assert_uint_eq(n, 32);
}

static void assert_key(const uint8_t key[32], const char *hex)
{
	uint8_t want[32];

	unhex(want, hex);
	ck_assert_mem_eq(key, want, 32);
}

static void assert_cidr(const struct kgw_cidr *c, const char *text)
{
	char buf[KGW_ADDR_STR_MAX];

	ck_assert_str_eq(kgw_cidr_format(c, buf), text);
}

static void assert_endpoint(const union kgw_sockaddr *sa, const char *text)
{
	char buf[KGW_ADDR_STR_MAX];

	ck_assert_str_eq(kgw_sockaddr_format(sa, buf), text);
}

static void setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	memset(err, 'x', sizeof(err));
}

static void teardown(void)
{
	wg_uapi_set_free(&set);
	/* Freeing wipes: no key stays behind in the struct. */
	ck_assert_uint_eq(set.n_peers, 0);
	ck_assert_ptr_null(set.peers);
	ck_assert(!set.has_private_key);
}

START_TEST(test_wg_set_everything)
{
	const struct wg_uapi_peer *p;

	ck_assert_int_eq(parse(captured[0]), WG_UAPI_SET);
	ck_assert_str_eq(err, "");
	ck_assert(set.has_private_key);
	assert_key(set.private_key, PRIV);
	ck_assert(set.has_listen_port);
	ck_assert_uint_eq(set.listen_port, 51820);
	ck_assert(set.has_fwmark);
	ck_assert_uint_eq(set.fwmark, 0x1234);
	ck_assert(!set.replace_peers);
	ck_assert_uint_eq(set.n_peers, 1);
	p = &set.peers[0];
	assert_key(p->public_key, PUB);
	ck_assert(!p->remove && !p->update_only);
	ck_assert(p->has_psk);
	assert_key(p->psk, PSK);
	ck_assert(p->has_endpoint);
	assert_endpoint(&p->endpoint, "192.0.2.7:51821");
	ck_assert(p->has_keepalive);
	ck_assert_uint_eq(p->keepalive, 25);
	ck_assert(p->replace_allowed_ips);
	ck_assert_uint_eq(p->n_allowed_ips, 3);
	assert_cidr(&p->allowed_ips[0], "10.0.0.0/8");
	assert_cidr(&p->allowed_ips[1], "fd00::/64");
	assert_cidr(&p->allowed_ips[2], "10.1.2.3/32");
	ck_assert_uint_eq(set.n_allowed_ips, 3);
}
END_TEST

START_TEST(test_wg_set_remove)
{
	ck_assert_int_eq(parse(captured[1]), WG_UAPI_SET);
	ck_assert(set.has_listen_port);
	ck_assert_uint_eq(set.listen_port, 0);
	ck_assert(set.has_fwmark);
	ck_assert_uint_eq(set.fwmark, 0);
	ck_assert(!set.has_private_key);
	ck_assert_uint_eq(set.n_peers, 1);
	ck_assert(set.peers[0].remove);
	ck_assert(!set.peers[0].has_endpoint);
}
END_TEST

/* Clearing things: a zero PSK, keepalive off, no allowed IPs left; an IPv6 endpoint. */
START_TEST(test_wg_set_clear)
{
	const struct wg_uapi_peer *p;

	ck_assert_int_eq(parse(captured[2]), WG_UAPI_SET);
	ck_assert(!set.has_listen_port && !set.has_fwmark && !set.has_private_key);
	p = &set.peers[0];
	ck_assert(p->has_psk);
	assert_key(p->psk, ZERO);
	assert_endpoint(&p->endpoint, "[fd00::1]:51820");
	ck_assert_uint_eq(ntohs(p->endpoint.in6.sin6_port), 51820);
	ck_assert(p->has_keepalive);
	ck_assert_uint_eq(p->keepalive, 0);
	ck_assert(p->replace_allowed_ips);
	ck_assert_uint_eq(p->n_allowed_ips, 0);
}
END_TEST

/* `wg' warns about host bits and sends them anyway; they are cleared, as the kernel does. */
START_TEST(test_wg_set_host_bits)
{
	ck_assert_int_eq(parse(captured[3]), WG_UAPI_SET);
	ck_assert_uint_eq(set.peers[0].n_allowed_ips, 1);
	assert_cidr(&set.peers[0].allowed_ips[0], "10.9.8.0/24");
}
END_TEST

/* setconf replaces the peers; addconf does not. */
START_TEST(test_wg_setconf_addconf)
{
	ck_assert_int_eq(parse(captured[4]), WG_UAPI_SET);
	ck_assert(set.replace_peers);
	ck_assert_uint_eq(set.listen_port, 51000);
	ck_assert_uint_eq(set.peers[0].n_allowed_ips, 2);
	assert_cidr(&set.peers[0].allowed_ips[0], "0.0.0.0/0");
	assert_cidr(&set.peers[0].allowed_ips[1], "::/0");
	wg_uapi_set_free(&set);
	ck_assert_int_eq(parse(captured[5]), WG_UAPI_SET);
	ck_assert(!set.replace_peers);
	ck_assert(!set.has_fwmark);
	ck_assert_uint_eq(set.n_allowed_ips, 2);
}
END_TEST

START_TEST(test_wg_get)
{
	ck_assert_int_eq(parse(captured[6]), WG_UAPI_GET);
	ck_assert_int_eq(parse("get=1"), WG_UAPI_GET);
	ck_assert_uint_eq(set.n_peers, 0);
}
END_TEST

/* A link-local endpoint comes with its scope, by name; `lo' is index 1 in every namespace. */
START_TEST(test_wg_setconf_link_local)
{
	char buf[INET6_ADDRSTRLEN];

	ck_assert_msg(parse(captured[7]) == WG_UAPI_SET, "%s", err);
	ck_assert(set.peers[0].has_endpoint);
	ck_assert_int_eq(set.peers[0].endpoint.sa.sa_family, AF_INET6);
	ck_assert_str_eq(inet_ntop(AF_INET6, &set.peers[0].endpoint.in6.sin6_addr, buf, sizeof(buf)), "fe80::1");
	ck_assert_uint_eq(ntohs(set.peers[0].endpoint.in6.sin6_port), 7);
	ck_assert_uint_eq(set.peers[0].endpoint.in6.sin6_scope_id, 1);
	wg_uapi_set_free(&set);
	/* By number, as the get reply gives it. */
	ck_assert_int_eq(parse(P "endpoint=[fe80::1%4294967295]:51820\n"), WG_UAPI_SET);
	ck_assert_uint_eq(set.peers[0].endpoint.in6.sin6_scope_id, UINT32_MAX);
}
END_TEST

/* Values at the edge of what is valid, and forms `wg' does not send but other clients may. */
static const char *const accepted[] = {
	/*  0 */ "set=1\n",
	/*  1 */ "set=1\nlisten_port=65535\n",
	/*  2 */ "set=1\nlisten_port=00080\n",
	/*  3 */ "set=1\nfwmark=4294967295\n",
	/*  4 */ "set=1\nprivate_key=" ZERO "\n",
	/*  5 */ "set=1\nprivate_key=B80B14CE338206D003D607473F7E4415621C5AD98ED176058207226666FC9C77\n",
	/*  6 */ "set=1\npublic_key=" PUB "\npersistent_keepalive_interval=65535\n",
	/*  7 */ "set=1\npublic_key=" PUB "\nprotocol_version=1\n",
	/*  8 */ "set=1\npublic_key=" PUB "\nupdate_only=true\n",
	/*  9 */ "set=1\npublic_key=" PUB "\nendpoint=[::ffff:192.0.2.1]:1\n",
	/* 10 */ "set=1\npublic_key=" PUB "\nallowed_ip=10.0.0.1\n",	/* a bare address: a host route */
	/* 11 */ "set=1\npublic_key=" PUB "\npublic_key=" PSK "\npublic_key=" PUB "\n",
};

START_TEST(test_accepted)
{
	ck_assert_msg(parse(accepted[_i]) == WG_UAPI_SET, "case %d: %s", _i, err);
	switch (_i) {
	case 1:
		ck_assert_uint_eq(set.listen_port, 65535);
		break;
	case 2:
		ck_assert_uint_eq(set.listen_port, 80);
		break;
	case 3:
		ck_assert_uint_eq(set.fwmark, UINT32_MAX);
		break;
	case 4:
		ck_assert(set.has_private_key);
		assert_key(set.private_key, ZERO);
		break;
	case 5:
		assert_key(set.private_key, PRIV);
		break;
	case 6:
		ck_assert_uint_eq(set.peers[0].keepalive, 65535);
		break;
	case 8:
		ck_assert(set.peers[0].update_only);
		break;
	case 10:
		assert_cidr(&set.peers[0].allowed_ips[0], "10.0.0.1/32");
		break;
	case 11:
		/* Each public_key starts a peer section; merging is wg_device_apply()'s job. */
		ck_assert_uint_eq(set.n_peers, 3);
		assert_key(set.peers[1].public_key, PSK);
		break;
	default:
		break;
	}
}
END_TEST

static const struct {
	const char *text;
	int ret;
} refused[] = {
	/* operations */
	/*  0 */ { "", -EINVAL },
	/*  1 */ { "\n", -EINVAL },
	/*  2 */ { "get=2\n", -EINVAL },
	/*  3 */ { "set=0\n", -EINVAL },
	/*  4 */ { "GET=1\n", -EINVAL },
	/*  5 */ { " get=1\n", -EINVAL },
	/*  6 */ { "get=1 \n", -EINVAL },
	/*  7 */ { "get=1\r\n", -EINVAL },
	/*  8 */ { "set=1\r\nlisten_port=1\r\n", -EINVAL },
	/*  9 */ { "delete=1\n", -EINVAL },
	/* get takes nothing after it */
	/* 10 */ { "get=1\nlisten_port=1\n", -EINVAL },
	/* 11 */ { "get=1\n\n", -EINVAL },
	/* 12 */ { "get=1\nget=1\n", -EINVAL },
	/* malformed lines */
	/* 13 */ { "set=1\nlisten_port\n", -EINVAL },
	/* 14 */ { "set=1\n=51820\n", -EINVAL },
	/* 15 */ { "set=1\n\nlisten_port=1\n", -EINVAL },
	/* 16 */ { "set=1\nlisten_port =1\n", -EINVAL },
	/* private_key */
	/* 17 */ { "set=1\nprivate_key=\n", -EINVAL },
	/* 18 */ { "set=1\nprivate_key=b80b14ce338206d003d607473f7e4415621c5ad98ed176058207226666fc9c7\n", -EINVAL },
	/* 19 */ { "set=1\nprivate_key=" PRIV "7\n", -EINVAL },
	/* 20 */ { "set=1\nprivate_key=g80b14ce338206d003d607473f7e4415621c5ad98ed176058207226666fc9c77\n", -EINVAL },
	/* 21 */ { "set=1\nprivate_key=uAsUzjOCBtAD1gdHP35EFWIcWtmO0XYFggciZmb8nHc=\n", -EINVAL },
	/* 22 */ { "set=1\nprivate_key= " PRIV "\n", -EINVAL },
	/* listen_port */
	/* 23 */ { "set=1\nlisten_port=65536\n", -EINVAL },
	/* 24 */ { "set=1\nlisten_port=-1\n", -EINVAL },
	/* 25 */ { "set=1\nlisten_port=+1\n", -EINVAL },
	/* 26 */ { "set=1\nlisten_port= 1\n", -EINVAL },
	/* 27 */ { "set=1\nlisten_port=1 \n", -EINVAL },
	/* 28 */ { "set=1\nlisten_port=0x10\n", -EINVAL },
	/* 29 */ { "set=1\nlisten_port=\n", -EINVAL },
	/* 30 */ { "set=1\nlisten_port=99999999999999999999999\n", -EINVAL },
	/* 31 */ { "set=1\nlisten_port=18446744073709551617\n", -EINVAL },
	/* fwmark */
	/* 32 */ { "set=1\nfwmark=4294967296\n", -EINVAL },
	/* 33 */ { "set=1\nfwmark=0x1234\n", -EINVAL },
	/* 34 */ { "set=1\nfwmark=off\n", -EINVAL },
	/* 35 */ { "set=1\nfwmark=-1\n", -EINVAL },
	/* 36 */ { "set=1\nfwmark=\n", -EINVAL },
	/* replace_peers */
	/* 37 */ { "set=1\nreplace_peers=false\n", -EINVAL },
	/* 38 */ { "set=1\nreplace_peers=1\n", -EINVAL },
	/* 39 */ { "set=1\nreplace_peers=TRUE\n", -EINVAL },
	/* 40 */ { "set=1\nreplace_peers=\n", -EINVAL },
	/* public_key */
	/* 41 */ { "set=1\npublic_key=\n", -EINVAL },
	/* 42 */ { "set=1\npublic_key=4t8bjesEqkyWLppc/Au/QoJHUMvwjHJH5cqqJMZNBVA=\n", -EINVAL },
	/* 43 */ { "set=1\npublic_key=" PUB "00\n", -EINVAL },
	/* preshared_key */
	/* 44 */ { P "preshared_key=\n", -EINVAL },
	/* 45 */ { P "preshared_key=4e1e2cb4\n", -EINVAL },
	/* 46 */ { P "preshared_key=Th4stKGpu0/2vClk1pZlH76sojFmSUknsW/45eN9cqU=\n", -EINVAL },
	/* endpoint */
	/* 47 */ { P "endpoint=192.0.2.1\n", -EINVAL },
	/* 48 */ { P "endpoint=192.0.2.1:0\n", -EINVAL },
	/* 49 */ { P "endpoint=192.0.2.1:65536\n", -EINVAL },
	/* 50 */ { P "endpoint=192.0.2.256:1\n", -EINVAL },
	/* 51 */ { P "endpoint=[fd00::1]51820\n", -EINVAL },
	/* 52 */ { P "endpoint=[fd00::1]:\n", -EINVAL },
	/* 53 */ { P "endpoint=fd00::1:51820\n", -EINVAL },
	/* 54 */ { P "endpoint=gateway.example:51820\n", -EINVAL },
	/* 55 */ { P "endpoint=\n", -EINVAL },
	/* 56 */ { P "endpoint=192.0.2.1:51820x\n", -EINVAL },
	/* 57 */ { P "endpoint=[fd00::1:51820\n", -EINVAL },
	/* persistent_keepalive_interval */
	/* 58 */ { P "persistent_keepalive_interval=65536\n", -EINVAL },
	/* 59 */ { P "persistent_keepalive_interval=-1\n", -EINVAL },
	/* 60 */ { P "persistent_keepalive_interval=off\n", -EINVAL },
	/* 61 */ { P "persistent_keepalive_interval=\n", -EINVAL },
	/* 62 */ { P "persistent_keepalive_interval=1.5\n", -EINVAL },
	/* allowed_ip */
	/* 63 */ { P "allowed_ip=10.0.0.0/33\n", -EINVAL },
	/* 64 */ { P "allowed_ip=::/129\n", -EINVAL },
	/* 65 */ { P "allowed_ip=\n", -EINVAL },
	/* 66 */ { P "allowed_ip=10.0.0.0/\n", -EINVAL },
	/* 67 */ { P "allowed_ip=10.0.0.0/8/8\n", -EINVAL },
	/* 68 */ { P "allowed_ip=kubernetes/8\n", -EINVAL },
	/* 69 */ { P "allowed_ip=10.0.0.0/-1\n", -EINVAL },
	/* 70 */ { P "allowed_ip=10.0.0.0 /8\n", -EINVAL },
	/* 71 */ { P "allowed_ip=10.0.0.0/8,10.1.0.0/16\n", -EINVAL },
	/* the flags take only `true' */
	/* 72 */ { P "remove=false\n", -EINVAL },
	/* 73 */ { P "remove=\n", -EINVAL },
	/* 74 */ { P "remove=1\n", -EINVAL },
	/* 75 */ { P "update_only=false\n", -EINVAL },
	/* 76 */ { P "replace_allowed_ips=false\n", -EINVAL },
	/* 77 */ { P "replace_allowed_ips=\n", -EINVAL },
	/* protocol_version */
	/* 78 */ { P "protocol_version=2\n", -EPROTONOSUPPORT },
	/* 79 */ { P "protocol_version=0\n", -EPROTONOSUPPORT },
	/* unknown keys, and keys of `get' replies */
	/* 80 */ { "set=1\nfoo=bar\n", -EINVAL },
	/* 81 */ { P "foo=bar\n", -EINVAL },
	/* 82 */ { P "tx_bytes=0\n", -EINVAL },
	/* 83 */ { P "rx_bytes=0\n", -EINVAL },
	/* 84 */ { P "last_handshake_time_sec=0\n", -EINVAL },
	/* 85 */ { P "last_handshake_time_nsec=0\n", -EINVAL },
	/* 86 */ { P "Endpoint=192.0.2.1:1\n", -EINVAL },
	/* 87 */ { "set=1\nerrno=0\n", -EINVAL },
	/* device keys after a peer */
	/* 88 */ { P "listen_port=1\n", -EINVAL },
	/* 89 */ { P "fwmark=1\n", -EINVAL },
	/* 90 */ { P "replace_peers=true\n", -EINVAL },
	/* peer keys before any peer */
	/* 91 */ { "set=1\nendpoint=192.0.2.1:1\n", -EINVAL },
	/* 92 */ { "set=1\nallowed_ip=10.0.0.0/8\n", -EINVAL },
	/* 93 */ { "set=1\nremove=true\n", -EINVAL },
	/* 94 */ { "set=1\nprotocol_version=1\n", -EINVAL },
	/* 95 */ { "set=1\npreshared_key=" PSK "\n", -EINVAL },
	/* a bad line after good ones still refuses the whole request */
	/* 96 */ { "set=1\nlisten_port=1\nprivate_key=" PRIV "\nfwmark=x\n", -EINVAL },
	/* device keys after a peer: refused without quoting the key in the message */
	/* 97 */ { P "private_key=" PRIV "\n", -EINVAL },
	/* 98 */ { P "preshared_key=" PSK "\npublic_key=" PUB "\nprivate_key=" PRIV "\n", -EINVAL },
	/* scoped endpoints */
	/*  99 */ { P "endpoint=[fe80::1%]:7\n", -EINVAL },
	/* 100 */ { P "endpoint=[fe80::1%kgwnosuchif0]:7\n", -EINVAL },
	/* 101 */ { P "endpoint=192.0.2.1%lo:7\n", -EINVAL },
	/* 102 */ { P "endpoint=[192.0.2.1%1]:7\n", -EINVAL },
	/* 103 */ { P "endpoint=[fe80::1%lo:7\n", -EINVAL },
	/* 104 */ { P "endpoint=fe80::1%lo]:7\n", -EINVAL },
	/* 105 */ { P "endpoint=[fe80::1%thisnameistoolong]:7\n", -EINVAL },
	/* 106 */ { P "endpoint=[fe80::1%lo]:0\n", -EINVAL },
	/* 107 */ { P "endpoint=[fe80::1%4294967296]:7\n", -EINVAL },
};

START_TEST(test_refused)
{
	int ret = parse(refused[_i].text);

	ck_assert_msg(ret == refused[_i].ret, "case %d: got %d (%s)", _i, ret, err);
	/* Always a message, never one that quotes a key. */
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_uint_lt(strlen(err), sizeof(err));
	ck_assert_ptr_null(strstr(err, PRIV));
	ck_assert_ptr_null(strstr(err, "b80b14ce"));
	ck_assert_ptr_null(strstr(err, "4e1e2cb4"));
	ck_assert_ptr_null(strstr(err, "uAsUzjOC"));
	ck_assert_ptr_null(strstr(err, "Th4stKGp"));
}
END_TEST

/* NUL bytes anywhere are refused: C string handling must not cut a request short. */
START_TEST(test_nul_bytes)
{
	static const char req[] = "set=1\nlisten_port=1\nfwmark=2\n";
	char buf[sizeof(req)];

	for (size_t i = 0; i < sizeof(req) - 1; i++) {
		memcpy(buf, req, sizeof(req));
		buf[i] = '\0';
		ck_assert_msg(wg_uapi_parse(buf, sizeof(req) - 1, &set, err, sizeof(err)) == -EINVAL,
			      "NUL at %zu accepted", i);
		wg_uapi_set_free(&set);
	}
	ck_assert_int_eq(wg_uapi_parse("get=1\n\0", 7, &set, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(wg_uapi_parse("\0", 1, &set, err, sizeof(err)), -EINVAL);
	/* Only `len' bytes count: what follows is not part of the request. */
	ck_assert_int_eq(wg_uapi_parse("get=1\nfoo", 6, &set, err, sizeof(err)), WG_UAPI_GET);
}
END_TEST

/* A tiny error buffer is never overrun, and none at all is fine. */
START_TEST(test_small_error_buffer)
{
	char small[8];

	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(wg_uapi_parse("set=1\nlisten_port=99999\n", 24, &set, small, 5), -EINVAL);
	ck_assert_uint_eq(strlen(small), 4);
	ck_assert_int_eq(small[5], 'x');
	wg_uapi_set_free(&set);
	ck_assert_int_eq(wg_uapi_parse("set=1\nlisten_port=99999\n", 24, &set, NULL, 0), -EINVAL);
}
END_TEST

/* One transaction may not name more than WG_UAPI_MAX_PEERS peers. */
START_TEST(test_too_many_peers)
{
	const size_t line = strlen("public_key=" PUB "\n");
	size_t cap = 6 + (WG_UAPI_MAX_PEERS + 1) * line + 1, len = 6;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	memcpy(text, "set=1\n", 6);
	for (size_t i = 0; i < WG_UAPI_MAX_PEERS; i++, len += line)
		memcpy(text + len, "public_key=" PUB "\n", line);
	ck_assert_int_eq(wg_uapi_parse(text, len, &set, err, sizeof(err)), WG_UAPI_SET);
	ck_assert_uint_eq(set.n_peers, WG_UAPI_MAX_PEERS);
	wg_uapi_set_free(&set);
	memcpy(text + len, "public_key=" PUB "\n", line);
	len += line;
	ck_assert_int_eq(wg_uapi_parse(text, len, &set, err, sizeof(err)), -EINVAL);
	free(text);
}
END_TEST

/* ---- the get reply ---- */

static void sockaddr4(union kgw_sockaddr *sa, const char *ip, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->in.sin_family = AF_INET;
	sa->in.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sa->in.sin_addr), 1);
}

static void sockaddr6(union kgw_sockaddr *sa, const char *ip, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->in6.sin6_family = AF_INET6;
	sa->in6.sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &sa->in6.sin6_addr), 1);
}

static void add_aip(struct wg_uapi_peer_info *p, const char *text)
{
	struct kgw_cidr c;

	ck_assert_int_eq(kgw_cidr_parse(text, true, &c), 0);
	ck_assert_int_eq(wg_uapi_peer_info_add_allowed_ip(p, &c), 0);
}

/* A device with four peers: everything set; nothing set; an IPv6 endpoint; a scoped one. */
static void known_device(struct wg_uapi_device_info *info)
{
	struct wg_uapi_peer_info *p;

	memset(info, 0, sizeof(*info));
	info->has_private_key = true;
	unhex(info->private_key, PRIV);
	info->listen_port = 51820;
	info->fwmark = 0x1234;
	info->n_peers = 4;
	info->peers = calloc(4, sizeof(*info->peers));
	ck_assert_ptr_nonnull(info->peers);
	p = &info->peers[0];
	unhex(p->public_key, PUB);
	p->has_psk = true;
	unhex(p->psk, PSK);
	sockaddr4(&p->endpoint, "192.0.2.7", 51821);
	p->last_handshake.tv_sec = 1700000000;
	p->last_handshake.tv_nsec = 123456789;
	p->rx_bytes = 18446744073709551615ULL;
	p->tx_bytes = 4096;
	p->keepalive = 25;
	add_aip(p, "10.0.0.0/8");
	add_aip(p, "fd00::/64");
	add_aip(p, "10.1.2.3/32");
	add_aip(p, "0.0.0.0/0");
	add_aip(p, "::/0");
	p = &info->peers[1];
	unhex(p->public_key, PSK);
	p = &info->peers[2];
	unhex(p->public_key, ZERO);
	sockaddr6(&p->endpoint, "2001:db8::1", 7);
	add_aip(p, "2001:db8::/32");
	p = &info->peers[3];
	memset(p->public_key, 0xff, 32);
	sockaddr6(&p->endpoint, "fe80::1", 51820);
	p->endpoint.in6.sin6_scope_id = 2;
}

static const char known_text[] =
	"private_key=" PRIV "\n"
	"listen_port=51820\n"
	"fwmark=4660\n"
	"public_key=" PUB "\n"
	"preshared_key=" PSK "\n"
	"protocol_version=1\n"
	"endpoint=192.0.2.7:51821\n"
	"last_handshake_time_sec=1700000000\n"
	"last_handshake_time_nsec=123456789\n"
	"tx_bytes=4096\n"
	"rx_bytes=18446744073709551615\n"
	"persistent_keepalive_interval=25\n"
	"allowed_ip=10.0.0.0/8\n"
	"allowed_ip=fd00::/64\n"
	"allowed_ip=10.1.2.3/32\n"
	"allowed_ip=0.0.0.0/0\n"
	"allowed_ip=::/0\n"
	"public_key=" PSK "\n"
	"protocol_version=1\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=0\n"
	"public_key=" ZERO "\n"
	"protocol_version=1\n"
	"endpoint=[2001:db8::1]:7\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=0\n"
	"allowed_ip=2001:db8::/32\n"
	"public_key=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
	"protocol_version=1\n"
	"endpoint=[fe80::1%2]:51820\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=0\n";

START_TEST(test_format_get_exact)
{
	struct wg_uapi_device_info info;
	size_t len = 0;
	char *text;

	known_device(&info);
	text = wg_uapi_format_get(&info, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_str_eq(text, known_text);
	free(text);
	wg_uapi_device_info_free(&info);
	ck_assert_ptr_null(info.peers);

	/* No key, no fwmark, no peers: just the port. */
	memset(&info, 0, sizeof(info));
	text = wg_uapi_format_get(&info, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "listen_port=0\n");
	free(text);
}
END_TEST

/*
 * What `wg showconf' does with the reply: keep the configuration keys
 * and drop the statistics. That text, sent back as a set, must describe
 * the same device.
 */
START_TEST(test_format_get_reads_back)
{
	static const char *const stats[] = {
		"protocol_version=", "last_handshake_time_sec=", "last_handshake_time_nsec=",
		"tx_bytes=", "rx_bytes=",
	};
	struct wg_uapi_device_info info;
	char *text, *conf, *line, *save = NULL;
	size_t len, n = 0;

	known_device(&info);
	text = wg_uapi_format_get(&info, &len);
	ck_assert_ptr_nonnull(text);
	conf = calloc(1, len + 8);
	ck_assert_ptr_nonnull(conf);
	n = (size_t)sprintf(conf, "set=1\n");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool skip = false;

		for (size_t i = 0; i < ARRAY_SIZE(stats); i++)
			skip |= !strncmp(line, stats[i], strlen(stats[i]));
		if (!skip)
			n += (size_t)sprintf(conf + n, "%s\n", line);
	}
	ck_assert_int_eq(parse(conf), WG_UAPI_SET);
	ck_assert(set.has_private_key);
	ck_assert_mem_eq(set.private_key, info.private_key, 32);
	ck_assert_uint_eq(set.listen_port, info.listen_port);
	ck_assert_uint_eq(set.fwmark, info.fwmark);
	ck_assert_uint_eq(set.n_peers, info.n_peers);
	for (size_t i = 0; i < info.n_peers; i++) {
		const struct wg_uapi_peer *sp = &set.peers[i];
		const struct wg_uapi_peer_info *ip = &info.peers[i];

		ck_assert_mem_eq(sp->public_key, ip->public_key, 32);
		ck_assert(sp->has_psk == ip->has_psk);
		if (ip->has_psk)
			ck_assert_mem_eq(sp->psk, ip->psk, 32);
		ck_assert(sp->has_endpoint == (ip->endpoint.sa.sa_family != 0));
		if (sp->has_endpoint)
			ck_assert_mem_eq(&sp->endpoint, &ip->endpoint, sizeof(sp->endpoint));
		ck_assert_uint_eq(sp->keepalive, ip->keepalive);
		ck_assert_uint_eq(sp->n_allowed_ips, ip->n_allowed_ips);
		for (size_t j = 0; j < ip->n_allowed_ips; j++)
			ck_assert_mem_eq(&sp->allowed_ips[j], &ip->allowed_ips[j], sizeof(struct kgw_cidr));
	}
	sodium_memzero(text, len);
	sodium_memzero(conf, n);
	free(text);
	free(conf);
	wg_uapi_device_info_free(&info);
}
END_TEST

/* A reply larger than the first buffer grows without losing anything. */
START_TEST(test_format_get_large)
{
	struct wg_uapi_device_info info;
	char *text, prefix[64];
	size_t len;

	memset(&info, 0, sizeof(info));
	info.n_peers = 1;
	info.peers = calloc(1, sizeof(*info.peers));
	ck_assert_ptr_nonnull(info.peers);
	for (int i = 0; i < 5000; i++) {
		struct kgw_cidr c = { .family = AF_INET, .prefix = 32, .addr = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i } };

		ck_assert_int_eq(wg_uapi_peer_info_add_allowed_ip(&info.peers[0], &c), 0);
	}
	text = wg_uapi_format_get(&info, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_ptr_nonnull(strstr(text, "\nallowed_ip=10.0.0.0/32\n"));
	snprintf(prefix, sizeof(prefix), "\nallowed_ip=10.0.%d.%d/32\n", 4999 >> 8, 4999 & 0xff);
	ck_assert_ptr_nonnull(strstr(text, prefix));
	ck_assert_str_eq(text + len - strlen(prefix) + 1, prefix + 1);
	free(text);
	wg_uapi_device_info_free(&info);
}
END_TEST

static Suite *uapi_suite(void)
{
	Suite *s = suite_create("uapi");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_wg_set_everything);
	tcase_add_test(tc, test_wg_set_remove);
	tcase_add_test(tc, test_wg_set_clear);
	tcase_add_test(tc, test_wg_set_host_bits);
	tcase_add_test(tc, test_wg_setconf_addconf);
	tcase_add_test(tc, test_wg_get);
	tcase_add_test(tc, test_wg_setconf_link_local);
	tcase_add_loop_test(tc, test_accepted, 0, ARRAY_SIZE(accepted));
	tcase_add_loop_test(tc, test_refused, 0, ARRAY_SIZE(refused));
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_small_error_buffer);
	tcase_add_test(tc, test_too_many_peers);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_format_get_exact);
	tcase_add_test(tc, test_format_get_reads_back);
	tcase_add_test(tc, test_format_get_large);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(uapi_suite());
}
