/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "otpauth.h"

struct buf {
	char *p;
	size_t size, len;
	bool full;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len)
		b->full = true;
	else
		b->len += (size_t)n;
}

/* RFC 3986 percent-encoding of everything but the unreserved characters. */
static void put_escaped(struct buf *b, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~", *c))
			put(b, "%c", *c);
		else
			put(b, "%%%02X", *c);
	}
}

int kgw_otpauth_uri(char *out, size_t out_size, const char *issuer, const char *user,
		    const char *secret_b32, unsigned int digits, unsigned int period)
{
	struct buf b = { out, out_size, 0, out_size == 0 };

	put(&b, "otpauth://totp/");
	put_escaped(&b, issuer);
	put(&b, ":");
	put_escaped(&b, user);
	put(&b, "?secret=%s&issuer=", secret_b32);
	put_escaped(&b, issuer);
	put(&b, "&algorithm=SHA1&digits=%u&period=%u", digits, period);
	if (b.full) {
		if (out_size)
			memset(out, 0, out_size);
		return -ENOSPC;
	}
	return 0;
}
