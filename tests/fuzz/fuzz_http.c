/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the request parser. The first byte picks the chunk
 * size, so the same input is also cut the ways a network cuts it; after
 * each complete request the parser is reset and fed the rest, as a
 * keep-alive connection does with pipelined requests.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kgw_http_parser p;
	size_t chunk, off = 0;

	if (size < 1 || kgw_http_parser_init(&p, &kgw_http_api_limits))
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk, used;
		enum kgw_http_state st = kgw_http_feed(&p, (const char *)data + off, n, &used);

		if (used > n)
			abort();
		off += used;
		if (st == KGW_HTTP_ERROR) {
			const struct kgw_http_error *e = kgw_http_error(&p);

			if (!e || e->status < 400 || e->status > 599 || !e->code || !e->message)
				abort();
			break;
		}
		if (st == KGW_HTTP_DONE) {
			const struct kgw_http_request *r = kgw_http_request(&p);

			if (!r || !r->path || r->path[0] != '/' || strlen(r->body) > r->body_len)
				abort();
			kgw_http_reset(&p);
		} else if (used != n) {
			abort();
		}
	}
	kgw_http_parser_free(&p);
	return 0;
}
