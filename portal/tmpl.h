/* SPDX-License-Identifier: MIT */
/*
 * The admin UI's template engine, kept minimal on purpose:
 *
 *   {{name}}            the value, HTML-escaped
 *   {{&name}}           the value as is (only for markup we made, the QR SVG)
 *   {{#name}}...{{/name}}  once per item of the list `name', or once if
 *                       `name' is a non-empty value
 *   {{^name}}...{{/name}}  once if `name' is absent, empty or an empty list
 *   {{>name}}           another template of the set (header, footer)
 *
 * Names are looked up in the current item, then outwards to the root, so a
 * loop body sees the page's values too. A missing value renders as nothing;
 * a malformed template is an error at load time, not at render time.
 */
#ifndef KGW_TMPL_H
#define KGW_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#define KGW_TMPL_ERR_MAX 256
#define KGW_TMPL_DEPTH_MAX 8		/* nested sections and includes */

struct tmpl_data;
struct tmpl_set;

/* A growing output buffer. */
struct tmpl_buf {
	char *s;
	size_t len, cap;
};

int tmpl_buf_add(struct tmpl_buf *b, const char *s, size_t len) __attribute__((warn_unused_result));
/* Appends `s' with & < > " ' as entities. */
int tmpl_buf_escape(struct tmpl_buf *b, const char *s) __attribute__((warn_unused_result));
void tmpl_buf_free(struct tmpl_buf *b);

/* ---- values ---- */

struct tmpl_data *tmpl_data_new(void);
void tmpl_data_free(struct tmpl_data *d);
/* Sets (or replaces) a value; -ENOMEM. */
int tmpl_set(struct tmpl_data *d, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends an item to the list `key' and returns it (owned by `d'); NULL: out of memory. */
struct tmpl_data *tmpl_add(struct tmpl_data *d, const char *key);
/* Has an allocation failed on `d' or an item of it? Then render nothing. */
bool tmpl_data_failed(const struct tmpl_data *d);

/* ---- templates ---- */

struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *s);
/* Adds a template from memory, checking its syntax. */
int tmpl_set_add(struct tmpl_set *s, const char *name, const char *text,
		 char err[static KGW_TMPL_ERR_MAX]) __attribute__((warn_unused_result));
/* Loads DIR/NAME.html. */
int tmpl_set_load(struct tmpl_set *s, const char *dir, const char *name,
		  char err[static KGW_TMPL_ERR_MAX]) __attribute__((warn_unused_result));

/* Renders template `name' into `out' (appended). -ENOENT, -EINVAL, -ENOMEM. */
int tmpl_render(const struct tmpl_set *s, const char *name, const struct tmpl_data *d,
		struct tmpl_buf *out) __attribute__((warn_unused_result));

#endif
