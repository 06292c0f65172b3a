/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for what kgw-client reads from outside: the portal's
 * HTTP response (client/http_resp.c, in chunks as TLS hands them over,
 * then the end of the stream), its profile files (client/profile.c) and
 * the `get=1' answer of the tunnel's configuration socket (tunnel_info.c).
 * The first byte picks which: 0x00-0x7f a response cut into chunks of
 * that many bytes plus one, 0x80-0xbf a profile, 0xc0-0xff a UAPI answer.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_resp.h"
#include "profile.h"
#include "tunnel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void response(const char *buf, size_t len, size_t chunk)
{
	struct kgwc_http_response r;
	size_t off = 0;
	int ret = 0;

	kgwc_http_response_init(&r);
	while (off < len && ret == 0) {
		size_t n = len - off < chunk ? len - off : chunk;

		ret = kgwc_http_response_feed(&r, buf + off, n);
		off += n;
	}
	if (ret == 0)
		ret = kgwc_http_response_feed(&r, NULL, 0);
	if (ret == 1) {
		if (!r.complete || r.status < 100 || r.status > 999 ||
		    (r.body && strlen(r.body) > r.body_len) || (!r.body && r.body_len))
			abort();
		(void)kgwc_http_response_header(&r, "Retry-After");
		(void)kgwc_http_response_header(&r, "content-type");
	} else if (ret != -EBADMSG && ret != -EMSGSIZE && ret != -ENOMEM) {
		abort();
	}
	/* Once finished, it stays finished. */
	if (kgwc_http_response_feed(&r, "x", 1) != ret)
		abort();
	kgwc_http_response_free(&r);
}

static void profile(const char *buf, size_t len)
{
	char err[KGWC_ERR_MAX], *text = malloc(len + 1);
	struct kgwc_profile p;
	char *again = NULL;
	size_t again_len;
	FILE *f;

	if (!text)
		return;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (kgwc_profile_parse(text, "fuzz.conf", &p, err) == 0) {
		/* A profile that parses writes back as one that parses the same. */
		struct kgwc_profile q;

		f = open_memstream(&again, &again_len);
		if (f) {
			kgwc_profile_write(&p, f);
			if (!fclose(f) && (kgwc_profile_parse(again, "again", &q, err) ||
					   memcmp(&p, &q, sizeof(p))))
				abort();
			free(again);
		}
	} else if (!err[0]) {
		abort();
	}
	free(text);
}

/* The peer the seed answers name: 32 bytes of 0x11. */
static void uapi_answer(const char *buf, size_t len)
{
	struct kgwc_tunnel_info ti;
	uint8_t peer[WG_KEY_LEN];
	int ret;

	memset(peer, 0x11, sizeof(peer));
	memset(&ti, 0, sizeof(ti));
	ret = kgwc_uapi_reply_parse(buf, len, peer, &ti);
	if (ret > 0)
		abort();
	kgwc_tunnel_info_wipe(&ti);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if ((data[0] & 0xc0) == 0xc0)
		uapi_answer((const char *)data + 1, size - 1);
	else if (data[0] & 0x80)
		profile((const char *)data + 1, size - 1);
	else
		response((const char *)data + 1, size - 1, (size_t)(data[0] & 0x7f) + 1);
	return 0;
}
