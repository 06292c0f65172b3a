/* SPDX-License-Identifier: MIT */
/*
 * One blocking HTTPS request to the gateway's session API: TLS 1.3 only,
 * and the server is trusted by exactly one thing, the SHA-256 pin of its
 * certificate (the gateway's certificate is self-signed; no CA is asked).
 * The pin is checked after the handshake and before a single byte of the
 * request is written, so a wrong server never sees the credentials.
 */
#ifndef KGWC_HTTPS_H
#define KGWC_HTTPS_H

#include "client.h"
#include "http_resp.h"

struct kgwc_https_request {
	const char *method;		/* "GET", "POST", "DELETE" */
	const char *path;		/* "/api/v1/sessions" */
	const char *token;		/* bearer token, or NULL (secret) */
	const char *body;		/* JSON, or NULL (may hold a password) */
	size_t body_len;
};

/*
 * Sends the request and reads the whole response into resp (initialised
 * here; free it with kgwc_http_response_free() whatever the result).
 * Returns 0, or with a message in err: -EHOSTUNREACH (name does not
 * resolve, no address answers), -ETIMEDOUT, -EPROTO (TLS failed, or not
 * TLS 1.3), -EKEYREJECTED (the certificate does not match the pin; err
 * names both fingerprints), -EBADMSG (not an HTTP response), -EMSGSIZE,
 * -ENOMEM.
 */
int kgwc_https(const struct kgwc_gateway *gw, const struct kgwc_https_request *req,
	       struct kgwc_http_response *resp, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
