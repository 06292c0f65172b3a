/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wg_uapi.h"

struct parser {
	struct wg_uapi_set *set;
	struct wg_uapi_peer *peer;	/* the peer lines now apply to */
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int parse_key(const char *v, uint8_t out[WG_KEY_LEN])
{
	size_t n;

	if (strlen(v) != 2 * WG_KEY_LEN ||
	    sodium_hex2bin(out, WG_KEY_LEN, v, 2 * WG_KEY_LEN, NULL, &n, NULL) || n != WG_KEY_LEN)
		return -EINVAL;
	return 0;
}

/* Decimal, no sign, no leading junk, at most `max'. */
static int parse_uint(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (!*v || strlen(v) > 20)
		return -EINVAL;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || n > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	if (n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

/*
 * "[fe80::1%eth0]:51820": `wg' sends a link-local endpoint with its
 * scope, by interface name (as getnameinfo() gives it) or number. The name
 * is looked up here, as wireguard-go does: the one lookup this text needs.
 */
static int parse_endpoint(const char *v, union kgw_sockaddr *out)
{
	const char *pct = strchr(v, '%'), *end;
	char plain[KGW_ADDR_STR_MAX + 1], zone[IF_NAMESIZE];
	uint64_t n;

	if (!pct)
		return kgw_sockaddr_parse(v, out);
	end = strchr(pct, ']');
	if (v[0] != '[' || !end || end == pct + 1 || (size_t)(end - pct - 1) >= sizeof(zone) ||
	    (size_t)(pct - v) + strlen(end) >= sizeof(plain))
		return -EINVAL;
	memcpy(zone, pct + 1, (size_t)(end - pct - 1));
	zone[end - pct - 1] = '\0';
	memcpy(plain, v, (size_t)(pct - v));
	strcpy(plain + (pct - v), end);
	if (kgw_sockaddr_parse(plain, out) || out->sa.sa_family != AF_INET6)
		goto bad;
	if (!parse_uint(zone, UINT32_MAX, &n))
		out->in6.sin6_scope_id = (uint32_t)n;
	else if (!(out->in6.sin6_scope_id = if_nametoindex(zone)))
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

static bool is_true(const char *v)
{
	return !strcmp(v, "true");
}

static int device_line(struct parser *p, const char *k, const char *v)
{
	struct wg_uapi_set *s = p->set;
	uint64_t n;

	if (!strcmp(k, "private_key")) {
		if (parse_key(v, s->private_key))
			return fail(p, -EINVAL, "invalid private_key");
		s->has_private_key = true;
	} else if (!strcmp(k, "listen_port")) {
		if (parse_uint(v, UINT16_MAX, &n))
			return fail(p, -EINVAL, "invalid listen_port `%s'", v);
		s->listen_port = (uint16_t)n;
		s->has_listen_port = true;
	} else if (!strcmp(k, "fwmark")) {
		if (parse_uint(v, UINT32_MAX, &n))
			return fail(p, -EINVAL, "invalid fwmark `%s'", v);
		s->fwmark = (uint32_t)n;
		s->has_fwmark = true;
	} else if (!strcmp(k, "replace_peers")) {
		if (!is_true(v))
			return fail(p, -EINVAL, "replace_peers must be `true'");
		s->replace_peers = true;
	} else {
		return fail(p, -EINVAL, "unknown device key `%s'", k);
	}
	return 0;
}

static int new_peer(struct parser *p, const char *v)
{
	struct wg_uapi_set *s = p->set;
	struct wg_uapi_peer *grown;
	size_t cap;

	if (s->n_peers == WG_UAPI_MAX_PEERS)
		return fail(p, -EINVAL, "too many peers in one transaction");
	if (s->n_peers == s->cap_peers) {
		/* Grown by hand: realloc would leave preshared keys in freed memory. */
		cap = s->cap_peers ? s->cap_peers * 2 : 4;
		grown = calloc(cap, sizeof(*grown));
		if (!grown)
			return fail(p, -ENOMEM, "out of memory");
		if (s->peers) {
			memcpy(grown, s->peers, s->n_peers * sizeof(*grown));
			sodium_memzero(s->peers, s->cap_peers * sizeof(*grown));
			free(s->peers);
		}
		s->peers = grown;
		s->cap_peers = cap;
	}
	p->peer = &s->peers[s->n_peers];
	memset(p->peer, 0, sizeof(*p->peer));
	s->n_peers++;
	if (parse_key(v, p->peer->public_key))
		return fail(p, -EINVAL, "invalid public_key");
	return 0;
}

static int add_allowed_ip(struct parser *p, const char *v)
{
	struct wg_uapi_peer *peer = p->peer;
	struct kgw_cidr c, *grown;
	size_t cap;

	/* Host bits are cleared, not refused: what the kernel does for `wg'. */
	if (kgw_cidr_parse(v, false, &c))
		return fail(p, -EINVAL, "invalid allowed_ip `%s'", v);
	if (p->set->n_allowed_ips == WG_UAPI_MAX_ALLOWED_IPS)
		return fail(p, -EINVAL, "too many allowed IPs in one transaction");
	if (peer->n_allowed_ips == peer->cap_allowed_ips) {
		cap = peer->cap_allowed_ips ? peer->cap_allowed_ips * 2 : 4;
		grown = realloc(peer->allowed_ips, cap * sizeof(*grown));
		if (!grown)
			return fail(p, -ENOMEM, "out of memory");
		peer->allowed_ips = grown;
		peer->cap_allowed_ips = cap;
	}
	peer->allowed_ips[peer->n_allowed_ips++] = c;
	p->set->n_allowed_ips++;
	return 0;
}

static int peer_line(struct parser *p, const char *k, const char *v)
{
	struct wg_uapi_peer *peer = p->peer;
	uint64_t n;

	if (!strcmp(k, "remove") && is_true(v)) {
		peer->remove = true;
	} else if (!strcmp(k, "update_only") && is_true(v)) {
		peer->update_only = true;
	} else if (!strcmp(k, "replace_allowed_ips") && is_true(v)) {
		peer->replace_allowed_ips = true;
	} else if (!strcmp(k, "preshared_key")) {
		if (parse_key(v, peer->psk))
			return fail(p, -EINVAL, "invalid preshared_key");
		peer->has_psk = true;
	} else if (!strcmp(k, "endpoint")) {
		if (parse_endpoint(v, &peer->endpoint))
			return fail(p, -EINVAL, "invalid endpoint `%s'", v);
		peer->has_endpoint = true;
	} else if (!strcmp(k, "persistent_keepalive_interval")) {
		if (parse_uint(v, UINT16_MAX, &n))
			return fail(p, -EINVAL, "invalid persistent_keepalive_interval `%s'", v);
		peer->keepalive = (uint16_t)n;
		peer->has_keepalive = true;
	} else if (!strcmp(k, "allowed_ip")) {
		return add_allowed_ip(p, v);
	} else if (!strcmp(k, "protocol_version")) {
		if (strcmp(v, "1"))
			return fail(p, -EPROTONOSUPPORT, "unsupported protocol_version `%s'", v);
	} else if (!strcmp(k, "remove") || !strcmp(k, "update_only") || !strcmp(k, "replace_allowed_ips")) {
		return fail(p, -EINVAL, "`%s' takes only `true'", k);
	} else {
		/* Not the value: a misplaced private_key=... would put the key in the log. */
		return fail(p, -EINVAL, "unknown peer key `%s'", k);
	}
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *eq = strchr(line, '=');

	if (!eq || eq == line)
		return fail(p, -EINVAL, "malformed line");
	*eq = '\0';
	if (!strcmp(line, "public_key"))
		return new_peer(p, eq + 1);
	return p->peer ? peer_line(p, line, eq + 1) : device_line(p, line, eq + 1);
}

int wg_uapi_parse(const char *text, size_t len, struct wg_uapi_set *set, char *err, size_t errlen)
{
	struct parser p = { .set = set, .err = err, .errlen = errlen };
	char *copy, *line, *next;
	int ret, op;

	memset(set, 0, sizeof(*set));
	if (errlen)
		err[0] = '\0';
	if (memchr(text, '\0', len))
		return fail(&p, -EINVAL, "NUL byte in request");
	/* sodium_malloc: the text may hold private and preshared keys. */
	copy = sodium_malloc(len + 1);
	if (!copy)
		return fail(&p, -ENOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	next = strchr(copy, '\n');
	if (next)
		*next++ = '\0';
	if (!strcmp(copy, "get=1"))
		op = WG_UAPI_GET;
	else if (!strcmp(copy, "set=1"))
		op = WG_UAPI_SET;
	else {
		ret = fail(&p, -EINVAL, "unknown operation");
		goto out;
	}
	ret = op;
	for (line = next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (op == WG_UAPI_GET) {
			ret = fail(&p, -EINVAL, "get takes no arguments");
			break;
		}
		if ((ret = parse_line(&p, line)) < 0)
			break;
		ret = op;
	}
	if (ret > 0 && line && (size_t)(line - copy) < len)
		ret = fail(&p, -EINVAL, "blank line inside a request");
out:
	sodium_free(copy);
	return ret;
}

void wg_uapi_set_free(struct wg_uapi_set *set)
{
	for (size_t i = 0; i < set->n_peers; i++)
		free(set->peers[i].allowed_ips);
	if (set->peers)
		sodium_memzero(set->peers, set->cap_peers * sizeof(*set->peers));
	free(set->peers);
	sodium_memzero(set, sizeof(*set));
}

/*
 * The reply holds the private key: a growing buffer that wipes what it
 * leaves behind (realloc would leave copies in freed memory).
 */
struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *grown;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = true;
		return;
	}
	if ((size_t)n < o->cap - o->len) {
		o->len += (size_t)n;
		return;
	}
	cap = (o->cap + (size_t)n + 1) * 2;
	grown = malloc(cap);
	if (!grown) {
		o->failed = true;
		return;
	}
	memcpy(grown, o->buf, o->len);
	sodium_memzero(o->buf, o->cap);
	free(o->buf);
	o->buf = grown;
	o->cap = cap;
	va_start(ap, fmt);
	vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

static void put_key(struct out *o, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[2 * WG_KEY_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), key, WG_KEY_LEN);
	put(o, "%s=%s\n", name, hex);
	sodium_memzero(hex, sizeof(hex));
}

static void put_peer(struct out *o, const struct wg_uapi_peer_info *p)
{
	char buf[KGW_ADDR_STR_MAX];

	put_key(o, "public_key", p->public_key);
	if (p->has_psk)
		put_key(o, "preshared_key", p->psk);
	put(o, "protocol_version=1\n");
	if (p->endpoint.sa.sa_family == AF_INET6 && p->endpoint.in6.sin6_scope_id &&
	    inet_ntop(AF_INET6, &p->endpoint.in6.sin6_addr, buf, sizeof(buf)))
		put(o, "endpoint=[%s%%%" PRIu32 "]:%u\n", buf, p->endpoint.in6.sin6_scope_id,
		    ntohs(p->endpoint.in6.sin6_port));
	else if (p->endpoint.sa.sa_family)
		put(o, "endpoint=%s\n", kgw_sockaddr_format(&p->endpoint, buf));
	put(o, "last_handshake_time_sec=%" PRId64 "\nlast_handshake_time_nsec=%ld\n",
	    (int64_t)p->last_handshake.tv_sec, (long)p->last_handshake.tv_nsec);
	put(o, "tx_bytes=%" PRIu64 "\nrx_bytes=%" PRIu64 "\n", p->tx_bytes, p->rx_bytes);
	put(o, "persistent_keepalive_interval=%u\n", p->keepalive);
	for (size_t i = 0; i < p->n_allowed_ips; i++)
		put(o, "allowed_ip=%s\n", kgw_cidr_format(&p->allowed_ips[i], buf));
}

char *wg_uapi_format_get(const struct wg_uapi_device_info *info, size_t *len)
{
	struct out o = { .cap = 256 };

	if (!(o.buf = malloc(o.cap)))
		return NULL;
	o.buf[0] = '\0';
	if (info->has_private_key)
		put_key(&o, "private_key", info->private_key);
	put(&o, "listen_port=%u\n", info->listen_port);
	if (info->fwmark)
		put(&o, "fwmark=%" PRIu32 "\n", info->fwmark);
	for (size_t i = 0; i < info->n_peers; i++)
		put_peer(&o, &info->peers[i]);
	if (o.failed) {
		sodium_memzero(o.buf, o.cap);
		free(o.buf);
		return NULL;
	}
	*len = o.len;
	return o.buf;
}

int wg_uapi_peer_info_add_allowed_ip(struct wg_uapi_peer_info *p, const struct kgw_cidr *cidr)
{
	struct kgw_cidr *grown;
	size_t cap;

	if (p->n_allowed_ips == p->cap_allowed_ips) {
		cap = p->cap_allowed_ips ? p->cap_allowed_ips * 2 : 4;
		grown = realloc(p->allowed_ips, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		p->allowed_ips = grown;
		p->cap_allowed_ips = cap;
	}
	p->allowed_ips[p->n_allowed_ips++] = *cidr;
	return 0;
}

void wg_uapi_device_info_free(struct wg_uapi_device_info *info)
{
	for (size_t i = 0; i < info->n_peers; i++)
		free(info->peers[i].allowed_ips);
	if (info->peers)
		sodium_memzero(info->peers, info->n_peers * sizeof(*info->peers));
	free(info->peers);
	sodium_memzero(info, sizeof(*info));
}
