/* SPDX-License-Identifier: MIT */
/*
 * kgwd's session table at scale (default 10,000 sessions): the path of an
 * authorize and a revoke through gateway/sessions.c down to the engine
 * (peer, /32 and /128, the session's destinations, its two expiry
 * watchers), without the store. Prints the resident memory per session
 * beyond the empty table, the median and worst authorize and revoke (wall
 * clock, so the worst includes being preempted). Then, as root, in a
 * network namespace of its own, the same with kgwd's nftables policy
 * (gateway/kgwd_policy.c through libnftables, as kgwd runs it): the whole
 * table for all the sessions once, then half of them revoked and as many
 * authorized again, each with its change to the live table. The sessions
 * have 8 different destination sets (8 groups in the policy). kgwd's one
 * log line per authorize and revoke is left out (level: warnings).
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "kgwd.h"
#include "log.h"
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

#define BENCH_GROUPS 8

/* Session i's destinations: one of 8 API endpoints. */
static int request(struct kgw_ctl_request *req, size_t i)
{
	char ep[32];

	memset(req, 0, sizeof(*req));
	req->op = KGW_CTL_AUTHORIZE;
	req->ttl = 3600;
	req->n_dests = 1;
	snprintf(req->user, sizeof(req->user), "operator");
	snprintf(ep, sizeof(ep), "10.0.%zu.10/32", i % BENCH_GROUPS);
	if (kgw_cidr_parse(ep, false, &req->dests[0].cidr))
		return -EINVAL;
	req->dests[0].port_lo = req->dests[0].port_hi = 6443;
	randombytes_buf(req->public_key, sizeof(req->public_key));
	return 0;
}

/* Authorizes sessions first .. first + n - 1, ids to ids[0], ids[step], ..., times to ns. */
static int authorize(struct kgwd_sessions *t, size_t first, size_t n, double *ns,
		     char (*ids)[KGW_SESSION_ID_LEN + 1], size_t step)
{
	struct kgw_ctl_request req;
	const char *code = "";

	for (size_t i = 0; i < n; i++) {
		const struct kgwd_session *s;
		double t0;
		json_t *o;

		if (request(&req, first + i))
			return -EINVAL;
		t0 = now_ns();
		s = kgwd_sessions_authorize(t, &req, (int64_t)time(NULL), &code);
		ns[i] = now_ns() - t0;
		if (!s) {
			fprintf(stderr, "sessions: authorize %zu: %s\n", first + i, code);
			return -EIO;
		}
		/* The JSON reply is what the caller gets; its id is what a revoke names. */
		o = kgwd_session_json(t, s, false);
		snprintf(ids[i * step], sizeof(ids[0]), "%s",
			 json_string_value(json_object_get(o, "id")));
		json_decref(o);
	}
	return 0;
}

/* Revokes the sessions ids[0], ids[step], ...: n of them. */
static int revoke_every(struct kgwd_sessions *t, char (*ids)[KGW_SESSION_ID_LEN + 1], size_t step,
		  size_t n, double *ns)
{
	struct kgw_ctl_request req;

	memset(&req, 0, sizeof(req));
	req.op = KGW_CTL_REVOKE;
	req.has_id = true;
	for (size_t i = 0; i < n; i++) {
		double t0 = now_ns();

		memcpy(req.id, ids[i * step], sizeof(req.id));
		if (kgwd_sessions_revoke(t, &req, (int64_t)time(NULL))) {
			fprintf(stderr, "sessions: revoke %s failed\n", req.id);
			return -EIO;
		}
		ns[i] = now_ns() - t0;
	}
	return 0;
}

/*
 * kgwd's nftables policy over the n live sessions: the whole table, then a
 * quarter of them revoked and as many authorized, each with its change.
 */
static int with_policy(struct kgwd *d, size_t n, double *ns, char (*ids)[KGW_SESSION_ID_LEN + 1])
{
	double t0;
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		printf("sessions: nftables part skipped: no network namespace of its own (%s; run as root)\n",
		       strerror(errno));
		return 0;
	}
	t0 = now_ns();
	if ((ret = kgwd_policy_apply(d)))
		return ret;
	printf("sessions nftables: the whole table for %zu sessions in %d groups: %.1f ms\n",
	       n, BENCH_GROUPS, (now_ns() - t0) / 1e6);
	d->sessions.changed = kgwd_policy_changed;
	d->sessions.changed_ctx = d;
	if ((ret = revoke_every(&d->sessions, ids + 1, 4, n / 4, ns)))
		return ret;
	bench_report("sessions", "revoke one session, with its nftables change", ns, n / 4);
	if ((ret = authorize(&d->sessions, 2 * n, n / 4, ns, ids + 1, 4)))
		return ret;
	bench_report("sessions", "authorize one session, with its nftables change", ns, n / 4);
	return d->policy.stale ? -EIO : 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	struct bench_backend bb = { .b = { .ops = &bench_ops, .ifname = "kgw0", .listen_port = 51820 } };
	struct kgw_cidr net4, net6;
	struct kgwd d;
	struct ev_loop *loop = NULL;
	char (*ids)[KGW_SESSION_ID_LEN + 1] = NULL;
	uint8_t priv[WG_KEY_LEN];
	double *ns = NULL;
	long base;
	int ret = 1;

	memset(&d, 0, sizeof(d));
	kgw_log_set_level(KGW_LOG_WARNING);
	if (n < 4 || n > 60000 || sodium_init() < 0 || wg_crypto_init())
		return 1;
	ns = calloc(n, sizeof(*ns));
	ids = calloc(n, sizeof(*ids));
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!ns || !ids || !loop || !(bb.dev = wg_device_new(&bench_quiet_ops, NULL)) ||
	    kgw_cidr_parse("100.64.0.0/16", false, &net4) || kgw_cidr_parse("fd00:6b67::/64", false, &net6) ||
	    kgw_pool_init(&d.pool, &net4, &net6))
		goto out;
	randombytes_buf(priv, sizeof(priv));
	wg_crypto_clamp(priv);
	wg_device_set_private_key(bb.dev, priv);
	kgw_config_defaults(&d.cfg);
	d.cfg.tunnel_pool = net4;
	d.cfg.tunnel_pool6 = net6;
	d.backend = &bb.b;
	kgwd_sessions_init(&d.sessions, loop, &bb.b, &d.pool, NULL);
	base = bench_resident_kib();
	if (authorize(&d.sessions, 0, n, ns, ids, 1))
		goto out;
	printf("sessions %zu: %.0f bytes resident per session beyond the empty table (%ld KiB in all)\n",
	       n, (double)(bench_resident_kib() - base) * 1024 / (double)n, bench_resident_kib() - base);
	bench_report("sessions", "authorize one session", ns, n);
	/* Revoke every other session by its id, at close to full size. */
	if (revoke_every(&d.sessions, ids, 2, n / 2, ns))
		goto out;
	bench_report("sessions", "revoke one session (by id)", ns, n / 2);
	/* As many again, in the revoked ones' places: n live sessions. */
	if (authorize(&d.sessions, n, n / 2, ns, ids, 2))
		goto out;
	if (with_policy(&d, n, ns, ids)) {
		fprintf(stderr, "sessions: the nftables policy failed\n");
		goto out;
	}
	ret = 0;
out:
	kgwd_sessions_free(&d.sessions);
	kgwd_policy_free(&d);
	wg_device_free(bb.dev);
	if (d.sessions.pool)
		kgw_pool_free(&d.pool);
	if (loop)
		ev_loop_destroy(loop);
	sodium_memzero(priv, sizeof(priv));
	free(ns);
	free(ids);
	wg_crypto_exit();
	return ret;
}
