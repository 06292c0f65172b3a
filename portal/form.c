/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "form.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes [s, end) onto `out'; returns the bytes written or -EINVAL. */
static long decode(const char *s, const char *end, char *out)
{
	char *o = out;

	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (end - s < 3)
				return -EINVAL;
			hi = hexval(s[1]);
			lo = hexval(s[2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = (unsigned char)(hi << 4 | lo);
			s += 2;
		}
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return -EINVAL;
		*o++ = (char)c;
	}
	return o - out;
}

/* Well-formed UTF-8, no overlong forms or surrogates (RFC 3629). */
static bool utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned int cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static int add_pair(struct kgw_form *f, const char *p, const char *end, size_t *off)
{
	const char *eq = memchr(p, '=', (size_t)(end - p));
	const char *nend = eq ? eq : end;
	char *name = f->arena + *off;
	long n, v;

	if (p == end)
		return 0;
	if (f->n == KGW_FORM_FIELDS_MAX)
		return -EINVAL;
	if ((n = decode(p, nend, name)) < 0 || !utf8_ok((unsigned char *)name, (size_t)n))
		return -EINVAL;
	name[n] = '\0';
	*off += (size_t)n + 1;
	if ((v = eq ? decode(eq + 1, end, f->arena + *off) : 0) < 0 ||
	    !utf8_ok((unsigned char *)f->arena + *off, (size_t)v))
		return -EINVAL;
	f->arena[*off + (size_t)v] = '\0';
	f->name[f->n] = name;
	f->value[f->n++] = f->arena + *off;
	*off += (size_t)v + 1;
	return 0;
}

int kgw_form_parse(struct kgw_form *f, const char *text, size_t len)
{
	const char *p, *end, *amp;
	size_t off = 0;
	int ret;

	*f = (struct kgw_form){ 0 };
	if (!text)
		return 0;
	if (len > KGW_FORM_BYTES_MAX || memchr(text, '\0', len))
		return -EINVAL;
	/* Decoding never grows; each field adds two NULs. */
	f->arena_len = len + 2 * KGW_FORM_FIELDS_MAX + 1;
	if (!(f->arena = malloc(f->arena_len)))
		return -ENOMEM;
	for (p = text, end = text + len; p <= end; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		if ((ret = add_pair(f, p, amp, &off))) {
			kgw_form_free(f);
			return ret;
		}
	}
	return 0;
}

const char *kgw_form_get(const struct kgw_form *f, const char *name)
{
	for (unsigned int i = 0; i < f->n; i++) {
		if (!strcmp(f->name[i], name))
			return f->value[i];
	}
	return NULL;
}

void kgw_form_free(struct kgw_form *f)
{
	if (f->arena)
		sodium_memzero(f->arena, f->arena_len);
	free(f->arena);
	*f = (struct kgw_form){ 0 };
}

bool kgw_cookie_get(const char *header, const char *name, char *out, size_t out_size)
{
	size_t nlen = strlen(name);
	const char *p = header;

	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && !strncmp(p, name, nlen) && p[nlen] == '=') {
			p += nlen + 1;
			len = (size_t)(end - p);
			while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--;
			if (!len || len >= out_size)
				return false;
			memcpy(out, p, len);
			out[len] = '\0';
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}
