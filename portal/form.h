/* SPDX-License-Identifier: MIT */
/*
 * The admin UI's request inputs: application/x-www-form-urlencoded bodies
 * and query strings, and the Cookie header. Pure, with hard limits; a
 * malformed input is -EINVAL, never a half-read one. Forms carry passwords
 * and codes, so a form is wiped when freed.
 */
#ifndef KGW_FORM_H
#define KGW_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define KGW_FORM_FIELDS_MAX 32
#define KGW_FORM_BYTES_MAX 16384

struct kgw_form {
	char *arena;			/* decoded names and values, NUL-separated */
	size_t arena_len;
	unsigned int n;
	const char *name[KGW_FORM_FIELDS_MAX];
	const char *value[KGW_FORM_FIELDS_MAX];
};

/*
 * Decodes "a=1&b=x%20y" ('+' is a space). Empty pairs are skipped; a bad
 * escape, a NUL or a control character other than tab, CR and LF, bytes
 * that are not UTF-8, or more than KGW_FORM_FIELDS_MAX fields: -EINVAL.
 * NULL `text' is an empty form.
 */
int kgw_form_parse(struct kgw_form *f, const char *text, size_t len)
	__attribute__((warn_unused_result));
/* The first value of `name', or NULL. */
const char *kgw_form_get(const struct kgw_form *f, const char *name);
/* Wipes and frees; the struct may be parsed into again. */
void kgw_form_free(struct kgw_form *f);

/*
 * Copies the value of cookie `name' from a Cookie header ("a=1; b=2") into
 * `out'. false when absent, empty or longer than out_size - 1.
 */
bool kgw_cookie_get(const char *header, const char *name, char *out, size_t out_size);

#endif
