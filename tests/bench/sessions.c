/* SPDX-License-Identifier: MIT */
/*
 * kgwd's session table at scale (default 10,000 sessions): the path of an
 * authorize and a revoke through gateway/sessions.c down to the engine
 * (peer, /32 and /128, the session's destinations, its two expiry
 * watchers), without the store and without nftables. Prints the resident
 * memory per session beyond the empty table, the median and worst
 * authorize and revoke (wall clock, so the worst includes being
 * preempted), and separately the time to build the nftables ruleset text
 * for that many sessions, which kgwd does after every change. kgwd's one
 * log line per authorize and revoke is left out (level: warnings).
 * A second argument is a file to write that ruleset to, for timing
 * `nft -f' on it (in a namespace of one's own).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "policy.h"
#include "sessions.h"
#include "bench_util.h"
#include "wg_crypto.h"
#include "wg_device.h"

/* A backend with the engine's device and no TUN: what backend_userspace does per peer. */
struct bench_backend {
	struct kgwd_backend b;
	struct wg_device *dev;
};

static int bb_add_peer(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
		       const struct kgw_cidr *ips, size_t n_ips, const struct kgwd_peer_policy *policy)
{
	struct bench_backend *bb = (struct bench_backend *)b;
	struct wg_peer *peer;

	if (wg_device_peer_by_key(bb->dev, key))
		return -EEXIST;
	if (!(peer = wg_device_add_peer(bb->dev, key)))
		return -ENOMEM;
	wg_peer_set_user(peer, (void *)policy);
	for (size_t i = 0; i < n_ips; i++) {
		if (wg_device_peer_allow(bb->dev, peer, &ips[i])) {
			wg_device_remove_peer(bb->dev, peer);
			return -ENOMEM;
		}
	}
	return 0;
}

static void bb_remove_peer(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN])
{
	struct bench_backend *bb = (struct bench_backend *)b;
	struct wg_peer *peer = wg_device_peer_by_key(bb->dev, key);

	if (peer)
		wg_device_remove_peer(bb->dev, peer);
}

static int bb_peer_stats(struct kgwd_backend *b, const uint8_t key[static WG_KEY_LEN],
			 struct kgwd_peer_stats *st)
{
	(void)b, (void)key;
	memset(st, 0, sizeof(*st));
	return 0;
}

static const struct kgwd_backend_ops bench_ops = {
	.name = "bench",
	.add_peer = bb_add_peer,
	.remove_peer = bb_remove_peer,
	.peer_stats = bb_peer_stats,
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The ruleset kgwd would hand to nft after a change, built from the live sessions. */
static void time_ruleset(const struct kgwd_sessions *t, size_t n, const struct kgw_pool *pool,
			 const char *save)
{
	struct kgw_policy_session *ps = calloc(n, sizeof(*ps));
	struct kgw_policy_dest *pd = calloc(n, sizeof(*pd));
	struct kgw_policy_config pc = { .tunnel_if = "kgw0", .wg_port = 51820, .auth_port = 8443 };
	char err[KGW_POLICY_ERR_MAX], *text = NULL;
	const struct kgwd_session *s;
	size_t k = 0, nd;
	double t0;

	if (!ps || !pd)
		goto out;
	pc.pool4 = pool->net4;
	pc.pool6 = pool->net6;
	for (s = kgwd_sessions_first(t); s && k < n; s = kgwd_session_next(s), k++) {
		const struct kgw_dest *d = kgwd_session_dests(s, &nd);

		ps[k].addr4 = *kgwd_session_addr(s, 0);
		ps[k].addr6 = *kgwd_session_addr(s, 1);
		pd[k].net = d[0].cidr;
		pd[k].port_min = d[0].port_lo;
		pd[k].port_max = d[0].port_hi;
		ps[k].dests = &pd[k];
		ps[k].n_dests = 1;
	}
	t0 = now_ns();
	if (kgw_policy_ruleset(&pc, ps, k, &text, err))
		fprintf(stderr, "sessions: ruleset: %s\n", err);
	else
		printf("sessions nftables ruleset text for %zu: %.1f ms, %zu KiB (then nft -f)\n", k,
		       (now_ns() - t0) / 1e6, strlen(text) / 1024);
	if (text && save) {
		FILE *f = fopen(save, "w");

		if (!f || fputs(text, f) < 0 || fclose(f))
			fprintf(stderr, "sessions: cannot write %s\n", save);
	}
out:
	free(text);
	free(ps);
	free(pd);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	struct bench_backend bb = { .b = { .ops = &bench_ops, .ifname = "kgw0" } };
	struct kgw_cidr net4, net6;
	struct kgw_ctl_request req;
	struct kgwd_sessions t;
	struct kgw_pool pool;
	struct ev_loop *loop = NULL;
	char (*ids)[KGW_SESSION_ID_LEN + 1] = NULL;
	uint8_t priv[WG_KEY_LEN];
	const char *code = "";
	double *ns = NULL, t0;
	long base;
	int ret = 1;

	memset(&t, 0, sizeof(t));
	kgw_log_set_level(KGW_LOG_WARNING);
	if (n < 2 || n > 60000 || sodium_init() < 0 || wg_crypto_init())
		return 1;
	ns = calloc(n, sizeof(*ns));
	ids = calloc(n, sizeof(*ids));
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!ns || !ids || !loop || !(bb.dev = wg_device_new(&bench_quiet_ops, NULL)) ||
	    kgw_cidr_parse("100.64.0.0/16", false, &net4) || kgw_cidr_parse("fd00:6b67::/64", false, &net6) ||
	    kgw_pool_init(&pool, &net4, &net6))
		goto out;
	randombytes_buf(priv, sizeof(priv));
	wg_crypto_clamp(priv);
	wg_device_set_private_key(bb.dev, priv);
	kgwd_sessions_init(&t, loop, &bb.b, &pool, NULL);
	memset(&req, 0, sizeof(req));
	req.op = KGW_CTL_AUTHORIZE;
	req.ttl = 3600;
	req.n_dests = 1;
	snprintf(req.user, sizeof(req.user), "operator");
	if (kgw_cidr_parse("10.0.0.10/32", false, &req.dests[0].cidr))
		goto out;
	req.dests[0].port_lo = req.dests[0].port_hi = 6443;
	base = bench_resident_kib();
	for (size_t i = 0; i < n; i++) {
		const struct kgwd_session *s;
		json_t *o;

		randombytes_buf(req.public_key, sizeof(req.public_key));
		t0 = now_ns();
		s = kgwd_sessions_authorize(&t, &req, (int64_t)time(NULL), &code);
		ns[i] = now_ns() - t0;
		if (!s) {
			fprintf(stderr, "sessions: authorize %zu: %s\n", i, code);
			goto out;
		}
		/* The JSON reply is what the caller gets; its id is what a revoke names. */
		o = kgwd_session_json(&t, s, false);

		snprintf(ids[i], sizeof(ids[i]), "%s", json_string_value(json_object_get(o, "id")));
		json_decref(o);
	}
	printf("sessions %zu: %.0f bytes resident per session beyond the empty table (%ld KiB in all)\n",
	       n, (double)(bench_resident_kib() - base) * 1024 / (double)n, bench_resident_kib() - base);
	bench_report("sessions", "authorize one session", ns, n);
	time_ruleset(&t, n, &pool, argc > 2 ? argv[2] : NULL);
	/* Revoke every other session by its id, at close to full size. */
	memset(&req, 0, sizeof(req));
	req.op = KGW_CTL_REVOKE;
	req.has_id = true;
	for (size_t i = 0; i < n / 2; i++) {
		memcpy(req.id, ids[2 * i], sizeof(req.id));
		t0 = now_ns();
		if (kgwd_sessions_revoke(&t, &req, (int64_t)time(NULL))) {
			fprintf(stderr, "sessions: revoke %s failed\n", req.id);
			goto out;
		}
		ns[i] = now_ns() - t0;
	}
	bench_report("sessions", "revoke one session (by id)", ns, n / 2);
	ret = 0;
out:
	kgwd_sessions_free(&t);
	wg_device_free(bb.dev);
	if (t.pool)
		kgw_pool_free(&pool);
	if (loop)
		ev_loop_destroy(loop);
	sodium_memzero(priv, sizeof(priv));
	free(ns);
	free(ids);
	wg_crypto_exit();
	return ret;
}
