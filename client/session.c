/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "profile.h"
#include "session.h"

#define B64_KEY_LEN 44	/* base64 of 32 bytes */

__attribute__((format(printf, 2, 3)))
static int bad(char err[static KGWC_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, KGWC_ERR_MAX, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Printable ASCII only: these strings reach terminals, files and logs. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if (!isascii((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	return true;
}

static int get_string(const json_t *o, const char *key, bool required, size_t max, char *out,
		      char err[static KGWC_ERR_MAX])
{
	const json_t *v = json_object_get(o, key);
	const char *s;

	out[0] = '\0';
	if (!v && !required)
		return 0;
	if (!json_is_string(v))
		return bad(err, "the session has no string `%s'", key);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || strlen(s) > max || !printable(s))
		return bad(err, "the session's `%s' is not %zu printable characters at most", key, max);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int get_int(const json_t *o, const char *key, bool required, json_int_t min, json_int_t max,
		   json_int_t *out, char err[static KGWC_ERR_MAX])
{
	const json_t *v = json_object_get(o, key);

	*out = 0;
	if (!v && !required)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return bad(err, "the session's `%s' is not an integer in %lld..%lld", key,
			   (long long)min, (long long)max);
	*out = json_integer_value(v);
	return 0;
}

static int get_key(const json_t *o, const char *key, uint8_t out[static WG_KEY_LEN],
		   char err[static KGWC_ERR_MAX])
{
	char b64[B64_KEY_LEN + 1];
	size_t len = 0;

	if (get_string(o, key, true, B64_KEY_LEN, b64, err))
		return -EINVAL;
	if (strlen(b64) != B64_KEY_LEN ||
	    sodium_base642bin(out, WG_KEY_LEN, b64, B64_KEY_LEN, NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) || len != WG_KEY_LEN) {
		sodium_memzero(out, WG_KEY_LEN);
		return bad(err, "the session's `%s' is not a base64 WireGuard key", key);
	}
	return 0;
}

static int get_cidr(const json_t *o, const char *key, bool required, sa_family_t family,
		    struct kgw_cidr *out, bool *present, char err[static KGWC_ERR_MAX])
{
	char text[KGW_ADDR_STR_MAX];

	*present = false;
	if (get_string(o, key, required, sizeof(text) - 1, text, err))
		return -EINVAL;
	if (!text[0] && !required)
		return 0;
	if (kgw_cidr_parse(text, true, out) || out->family != family)
		return bad(err, "the session's `%s' is not an IPv%c address with a prefix: `%s'", key,
			   family == AF_INET ? '4' : '6', text);
	*present = true;
	return 0;
}

static int get_routes(const json_t *o, struct kgwc_session *s, char err[static KGWC_ERR_MAX])
{
	const json_t *a = json_object_get(o, "routes"), *v;
	size_t i;

	if (!json_is_array(a))
		return bad(err, "the session has no `routes' list");
	if (json_array_size(a) > KGWC_SESSION_ROUTES_MAX)
		return bad(err, "the session has more than %d routes", KGWC_SESSION_ROUTES_MAX);
	json_array_foreach(a, i, v) {
		const char *t = json_string_value(v);
		char q[64];

		if (!t || kgw_cidr_parse(t, true, &s->routes[i]))
			return bad(err, "route %zu of the session is not a prefix: `%s'", i + 1,
				   t ? kgw_log_quote(t, q, sizeof(q)) : "(not a string)");
		/* A default route would send everything through the gateway: not ours to take. */
		if (s->routes[i].prefix == 0)
			return bad(err, "route %zu of the session is a default route", i + 1);
	}
	s->n_routes = json_array_size(a);
	return 0;
}

/* Optional: only `kubeconfig' needs the ports. */
static int get_dests(const json_t *o, struct kgwc_session *s, char err[static KGWC_ERR_MAX])
{
	const json_t *a = json_object_get(o, "destinations"), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return bad(err, "the session's `destinations' is not a list");
	json_array_foreach(a, i, v) {
		const char *cidr = json_string_value(json_object_get(v, "cidr"));
		const char *ports = json_string_value(json_object_get(v, "ports"));

		if (!cidr || !ports || kgw_dest_parse(cidr, ports, s->dests, KGW_DEST_MAX, &s->n_dests))
			return bad(err, "destination %zu of the session is not {cidr, ports}", i + 1);
	}
	return 0;
}

static int parse(const json_t *o, struct kgwc_session *s, char err[static KGWC_ERR_MAX])
{
	json_int_t v;
	bool present;

	if (!json_is_object(o))
		return bad(err, "the session is not a JSON object");
	if (get_string(o, "id", true, KGWC_SESSION_ID_MAX, s->id, err) ||
	    get_string(o, "user", true, KGWC_USER_MAX, s->user, err) ||
	    get_key(o, "public_key", s->public_key, err) ||
	    get_key(o, "gateway_public_key", s->gateway_public_key, err) ||
	    get_cidr(o, "address", true, AF_INET, &s->address, &present, err) ||
	    get_cidr(o, "address6", false, AF_INET6, &s->address6, &s->has_address6, err))
		return -EINVAL;
	if (get_int(o, "created", true, 0, INT64_MAX, &v, err))
		return -EINVAL;
	s->created = v;
	if (get_int(o, "expires", true, 0, INT64_MAX, &v, err))
		return -EINVAL;
	s->expires = v;
	if (get_string(o, "endpoint", false, KGWC_ADDRESS_MAX, s->endpoint, err) ||
	    get_int(o, "listen_port", !s->endpoint[0], s->endpoint[0] ? 0 : 1, 65535, &v, err))
		return -EINVAL;
	s->listen_port = (uint16_t)v;
	if (get_int(o, "keepalive", false, 0, 65535, &v, err))
		return -EINVAL;
	s->keepalive = (uint16_t)v;
	if (get_routes(o, s, err) || get_dests(o, s, err))
		return -EINVAL;
	return get_string(o, "token", false, KGWC_TOKEN_MAX, s->token, err);
}

int kgwc_session_parse(const json_t *o, struct kgwc_session *s, char err[static KGWC_ERR_MAX])
{
	int ret;

	memset(s, 0, sizeof(*s));
	err[0] = '\0';
	ret = parse(o, s, err);
	if (ret)
		kgwc_session_wipe(s);
	return ret;
}

void kgwc_session_wipe(struct kgwc_session *s)
{
	sodium_memzero(s, sizeof(*s));
}

int kgwc_session_endpoint(const struct kgwc_session *s, const struct kgwc_gateway *gw,
			  char out[static KGWC_ADDRESS_MAX + 1])
{
	char host[KGWC_HOST_MAX + 1];
	uint16_t port;
	int n;

	if (s->endpoint[0]) {
		/* Must name a port: kgwc_address_parse() would default it to the API's. */
		if (kgwc_address_parse(s->endpoint, host, &port) || !strrchr(s->endpoint, ':'))
			return -EINVAL;
		snprintf(out, KGWC_ADDRESS_MAX + 1, "%s", s->endpoint);
		return 0;
	}
	if (!s->listen_port)
		return -EINVAL;
	n = snprintf(out, KGWC_ADDRESS_MAX + 1, strchr(gw->host, ':') ? "[%s]:%u" : "%s:%u",
		     gw->host, s->listen_port);
	return n > 0 && n <= KGWC_ADDRESS_MAX ? 0 : -EINVAL;
}

void kgwc_session_write_wg_quick(const struct kgwc_session *s, const char *endpoint,
				 const uint8_t private_key[static WG_KEY_LEN], FILE *out)
{
	char key[B64_KEY_LEN + 1], a[KGW_ADDR_STR_MAX], when[64];
	time_t exp = (time_t)s->expires;
	struct tm tm;

	if (!gmtime_r(&exp, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)s->expires);
	fprintf(out, "# kgw session %s of %s; the gateway ends it at %s.\n", s->id, s->user, when);
	fputs("# It is a live key: keep this file private.\n[Interface]\n", out);
	sodium_bin2base64(key, sizeof(key), private_key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
	fprintf(out, "PrivateKey = %s\n", key);
	sodium_memzero(key, sizeof(key));
	fprintf(out, "Address = %s", kgw_cidr_format(&s->address, a));
	if (s->has_address6)
		fprintf(out, ", %s", kgw_cidr_format(&s->address6, a));
	sodium_bin2base64(key, sizeof(key), s->gateway_public_key, WG_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
	fprintf(out, "\n\n[Peer]\nPublicKey = %s\nEndpoint = %s\nAllowedIPs = ", key, endpoint);
	for (size_t i = 0; i < s->n_routes; i++)
		fprintf(out, "%s%s", i ? ", " : "", kgw_cidr_format(&s->routes[i], a));
	fputc('\n', out);
	if (s->keepalive)
		fprintf(out, "PersistentKeepalive = %u\n", s->keepalive);
}
