/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the control protocol kgwd reads from kgw-portal
 * and kgwctl (gateway/ctl_proto.c): the input is a stream, cut into lines
 * as the control socket cuts it; each line is parsed, and a refusal is
 * turned into the error reply kgwd sends, which must always exist, with
 * a reason fit for kgwd's log.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(const char *line, size_t len)
{
	struct kgw_ctl_request *req = malloc(sizeof(*req));
	char err[200];
	char *reply;

	if (!req)
		return;
	err[0] = '\0';
	if (kgw_ctl_parse(line, len, req, err, sizeof(err))) {
		/* The reason goes to the log: no control characters. */
		for (const char *c = err; *c; c++)
			if ((unsigned char)*c < 0x20)
				abort();
		reply = kgw_ctl_error("bad_request", err);
		/* NULL means out of memory: a bad request must still get its answer. */
		if (!reply || !err[0])
			abort();
		free(reply);
	} else {
		if (req->op < KGW_CTL_AUTHORIZE || req->op > KGW_CTL_INFO || req->n_dests > KGW_DEST_MAX)
			abort();
		if (req->op == KGW_CTL_AUTHORIZE &&
		    (!kgw_ctl_valid_user(req->user) || req->ttl > KGW_SESSION_TTL_MAX))
			abort();
	}
	free(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		one_line(p, len);
		p += len + 1;
	}
	return 0;
}
