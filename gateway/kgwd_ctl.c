/* SPDX-License-Identifier: MIT */
/*
 * The control socket's requests (ctl_proto.h). The transport checked the
 * caller is root or in group kgw; every request is parsed and validated
 * again here whoever sent it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

#include "ctl_proto.h"
#include "kgwd.h"
#include "log.h"

static char *ok(json_t *o)
{
	if (!o)
		return kgw_ctl_error("internal", "out of memory");
	json_object_set_new(o, "ok", json_true());
	return kgw_ctl_reply(o);
}

static char *do_authorize(struct kgwd *d, const struct kgw_ctl_request *req)
{
	struct kgwd_session *s;
	const char *code = "internal";

	s = kgwd_sessions_authorize(&d->sessions, req, (int64_t)time(NULL), &code);
	if (!s)
		return kgw_ctl_error(code, !strcmp(code, "conflict") ? "that public key has a session already"
					 : !strcmp(code, "pool_exhausted") ? "no tunnel address is free"
					 : "the session could not be set up");
	return ok(json_pack("{s:o}", "session", kgwd_session_json(&d->sessions, s, false)));
}

static char *do_revoke(struct kgwd *d, const struct kgw_ctl_request *req)
{
	if (kgwd_sessions_revoke(&d->sessions, req, (int64_t)time(NULL)))
		return kgw_ctl_error("not_found", "no such live session");
	return ok(json_object());
}

static char *do_list(struct kgwd *d, const struct kgw_ctl_request *req)
{
	(void)req;
	return ok(json_pack("{s:o}", "sessions", kgwd_sessions_json(&d->sessions)));
}

static char *do_stats(struct kgwd *d, const struct kgw_ctl_request *req)
{
	const struct kgwd_sessions *t = &d->sessions;
	json_t *dev = d->backend->ops->device_stats ? d->backend->ops->device_stats(d->backend) : NULL;

	(void)req;
	/* "o*": the engine's counters when there are any, the key left out otherwise. */
	return ok(json_pack("{s:{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o*}}", "stats",
			    "backend", d->backend->ops->name, "interface", d->backend->ifname,
			    "sessions", (json_int_t)t->count, "authorized", (json_int_t)t->authorized,
			    "revoked", (json_int_t)t->revoked, "expired", (json_int_t)t->expired,
			    "restored", (json_int_t)t->restored,
			    "pool_free", (json_int_t)kgw_pool_available(&d->pool), "device", dev));
}

static char *do_info(struct kgwd *d, const struct kgw_ctl_request *req)
{
	char key[48];

	(void)req;
	sodium_bin2base64(key, sizeof(key), d->backend->public_key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
	return ok(json_pack("{s:{s:s, s:s, s:i, s:s, s:s}}", "info", "public_key", key,
			    "endpoint", d->cfg.endpoint, "listen_port", (int)d->backend->listen_port,
			    "backend", d->backend->ops->name, "interface", d->backend->ifname));
}

static const struct {
	enum kgw_ctl_op op;
	char *(*fn)(struct kgwd *d, const struct kgw_ctl_request *req);
} handlers[] = {
	{ KGW_CTL_AUTHORIZE, do_authorize },
	{ KGW_CTL_REVOKE, do_revoke },
	{ KGW_CTL_LIST, do_list },
	{ KGW_CTL_STATS, do_stats },
	{ KGW_CTL_INFO, do_info },
};

char *kgwd_ctl_handle(void *ctx, const struct kgw_control_peer *peer, const char *line, size_t len)
{
	struct kgw_ctl_request *req = malloc(sizeof(*req));	/* ~10 KiB of destinations */
	char err[200], *reply = NULL;

	if (!req)
		return NULL;
	if (kgw_ctl_parse(line, len, req, err, sizeof(err))) {
		kgw_info("control: bad request from pid %d uid %u: %s", (int)peer->pid, peer->uid, err);
		reply = kgw_ctl_error("bad_request", err);
		goto out;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].op == req->op)
			reply = handlers[i].fn(ctx, req);
out:
	free(req);
	return reply;
}
