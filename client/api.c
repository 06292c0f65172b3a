/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "https.h"
#include "log.h"

/* The gateway's error body {"error": {"code", "message"}}, quoted for a terminal. */
static void error_text(const char *body, size_t len, char *out, size_t outlen)
{
	json_t *o = body ? json_loadb(body, len, 0, NULL) : NULL;
	json_t *e = json_object_get(o, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	char qc[64], qm[200];

	if (msg && code)
		snprintf(out, outlen, "%s (%s)", kgw_log_quote(msg, qm, sizeof(qm)),
			 kgw_log_quote(code, qc, sizeof(qc)));
	else
		snprintf(out, outlen, "no reason given");
	json_decref(o);
}

int kgwc_api_status(int status, const char *body, size_t body_len, const char *retry_after,
		    char err[static KGWC_ERR_MAX])
{
	char why[300], q[32];

	err[0] = '\0';
	if (status >= 200 && status < 300)
		return KGWC_EXIT_OK;
	error_text(body, body_len, why, sizeof(why));
	switch (status) {
	case 401:
	case 403:
		snprintf(err, KGWC_ERR_MAX, "the gateway refused: %s", why);
		return KGWC_EXIT_AUTH;
	case 429:
		snprintf(err, KGWC_ERR_MAX, "too many failed attempts: %s; retry after %s seconds", why,
			 retry_after ? kgw_log_quote(retry_after, q, sizeof(q)) : "some");
		return KGWC_EXIT_THROTTLED;
	case 502:
	case 503:
	case 504:
		snprintf(err, KGWC_ERR_MAX, "the gateway is unavailable (HTTP %d): %s%s%s%s", status,
			 why, retry_after ? "; retry after " : "",
			 retry_after ? kgw_log_quote(retry_after, q, sizeof(q)) : "",
			 retry_after ? " seconds" : "");
		return KGWC_EXIT_UNREACHABLE;
	default:
		snprintf(err, KGWC_ERR_MAX, "the gateway answered HTTP %d: %s", status, why);
		return KGWC_EXIT_ERROR;
	}
}

/* One call: transport failures are exit 5, HTTP failures by status. */
static int call(const struct kgwc_gateway *gw, const struct kgwc_https_request *req,
		json_t **session, char err[static KGWC_ERR_MAX])
{
	struct kgwc_http_response resp;
	json_error_t jerr;
	int ret;

	if (session)
		*session = NULL;
	if (kgwc_https(gw, req, &resp, err)) {
		kgwc_http_response_free(&resp);
		return KGWC_EXIT_UNREACHABLE;
	}
	ret = kgwc_api_status(resp.status, resp.body, resp.body_len,
			      kgwc_http_response_header(&resp, "Retry-After"), err);
	if (ret == KGWC_EXIT_OK && session) {
		*session = resp.body ? json_loadb(resp.body, resp.body_len, JSON_REJECT_DUPLICATES, &jerr)
				     : NULL;
		if (!json_is_object(*session)) {
			json_decref(*session);
			*session = NULL;
			snprintf(err, KGWC_ERR_MAX, "the gateway answered HTTP %d without a session",
				 resp.status);
			ret = KGWC_EXIT_ERROR;
		}
	}
	/* The body holds the bearer token. */
	if (resp.body)
		sodium_memzero(resp.body, resp.body_len);
	kgwc_http_response_free(&resp);
	return ret;
}

int kgwc_api_open(const struct kgwc_gateway *gw, const struct kgwc_login *login, json_t **session,
		  char err[static KGWC_ERR_MAX])
{
	struct kgwc_https_request req = { .method = "POST", .path = KGWC_API_SESSIONS };
	char key[48];
	json_t *o;
	char *body;
	int ret;

	sodium_bin2base64(key, sizeof(key), login->public_key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
	/* o*: no "ttl" key unless one was asked for. */
	o = json_pack("{s:s, s:s, s:s, s:s, s:o*}", "user", login->user, "password", login->password,
		      "otp", login->otp, "public_key", key,
		      "ttl", login->ttl ? json_integer((json_int_t)login->ttl) : NULL);
	body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (o) {
		/* jansson keeps copies of the strings: wipe them before they are freed. */
		sodium_memzero((char *)json_string_value(json_object_get(o, "password")),
			       strlen(login->password));
		sodium_memzero((char *)json_string_value(json_object_get(o, "otp")), strlen(login->otp));
	}
	json_decref(o);
	if (!body) {
		snprintf(err, KGWC_ERR_MAX, "out of memory");
		return KGWC_EXIT_ERROR;
	}
	req.body = body;
	req.body_len = strlen(body);
	ret = call(gw, &req, session, err);
	sodium_memzero(body, req.body_len);
	free(body);
	return ret;
}

int kgwc_api_read(const struct kgwc_gateway *gw, const char *token, json_t **session,
		  char err[static KGWC_ERR_MAX])
{
	struct kgwc_https_request req = { .method = "GET", .path = KGWC_API_CURRENT, .token = token };

	return call(gw, &req, session, err);
}

int kgwc_api_close(const struct kgwc_gateway *gw, const char *token, char err[static KGWC_ERR_MAX])
{
	struct kgwc_https_request req = { .method = "DELETE", .path = KGWC_API_CURRENT, .token = token };
	int ret = call(gw, &req, NULL, err);

	/* The token is unknown: the session has ended already (expired or revoked). */
	if (ret == KGWC_EXIT_AUTH)
		ret = KGWC_EXIT_NOT_CONNECTED;
	return ret;
}
