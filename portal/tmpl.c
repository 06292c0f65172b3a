/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tmpl.h"

#define TMPL_NAME_MAX 64
#define TMPL_FILE_MAX (256 * 1024)

struct entry {
	struct entry *next;
	char *key;
	char *value;			/* NULL for a list */
	struct tmpl_data **items;
	size_t nitems;
};

struct tmpl_data {
	struct tmpl_data *parent;	/* NULL for the root */
	struct entry *entries;
	bool failed;			/* on the root: some allocation below failed */
};

struct template {
	struct template *next;
	char *name;
	char *text;
};

struct tmpl_set {
	struct template *list;
};

/* ---- output ---- */

int tmpl_buf_add(struct tmpl_buf *b, const char *s, size_t len)
{
	if (b->cap - b->len <= len) {
		size_t cap = b->cap ? b->cap : 4096;
		char *n;

		while (cap - b->len <= len)
			cap *= 2;
		if (!(n = realloc(b->s, cap)))
			return -ENOMEM;
		b->s = n;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

int tmpl_buf_escape(struct tmpl_buf *b, const char *s)
{
	const char *run = s;
	const char *ent;
	int ret;

	for (; *s; s++) {
		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		if ((ret = tmpl_buf_add(b, run, (size_t)(s - run))) ||
		    (ret = tmpl_buf_add(b, ent, strlen(ent))))
			return ret;
		run = s + 1;
	}
	return tmpl_buf_add(b, run, (size_t)(s - run));
}

void tmpl_buf_free(struct tmpl_buf *b)
{
	if (b->s)
		sodium_memzero(b->s, b->cap);
	free(b->s);
	*b = (struct tmpl_buf){ 0 };
}

/* ---- values ---- */

struct tmpl_data *tmpl_data_new(void)
{
	return calloc(1, sizeof(struct tmpl_data));
}

void tmpl_data_free(struct tmpl_data *d)
{
	struct entry *e, *next;

	if (!d)
		return;
	for (e = d->entries; e; e = next) {
		next = e->next;
		for (size_t i = 0; i < e->nitems; i++)
			tmpl_data_free(e->items[i]);
		free(e->items);
		free(e->key);
		/* Values may be secrets (a new one-time-code secret). */
		if (e->value)
			sodium_memzero(e->value, strlen(e->value));
		free(e->value);
		free(e);
	}
	free(d);
}

static void mark_failed(struct tmpl_data *d)
{
	while (d->parent)
		d = d->parent;
	d->failed = true;
}

bool tmpl_data_failed(const struct tmpl_data *d)
{
	return d->failed;
}

static struct entry *entry_get(struct tmpl_data *d, const char *key)
{
	struct entry *e;

	for (e = d->entries; e; e = e->next) {
		if (!strcmp(e->key, key))
			return e;
	}
	if (!(e = calloc(1, sizeof(*e))) || !(e->key = strdup(key))) {
		free(e);
		return NULL;
	}
	e->next = d->entries;
	d->entries = e;
	return e;
}

int tmpl_set(struct tmpl_data *d, const char *key, const char *fmt, ...)
{
	struct entry *e = entry_get(d, key);
	char *v = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (!e || n < 0) {
		mark_failed(d);
		return -ENOMEM;
	}
	if (e->value)
		sodium_memzero(e->value, strlen(e->value));
	free(e->value);
	e->value = v;
	return 0;
}

struct tmpl_data *tmpl_add(struct tmpl_data *d, const char *key)
{
	struct entry *e = entry_get(d, key);
	struct tmpl_data **items, *item = NULL;

	if (e && !e->value && (item = tmpl_data_new()) &&
	    (items = realloc(e->items, (e->nitems + 1) * sizeof(*items)))) {
		e->items = items;
		e->items[e->nitems++] = item;
		item->parent = d;
		return item;
	}
	free(item);
	mark_failed(d);
	return NULL;
}

static const struct entry *lookup(const struct tmpl_data *d, const char *key)
{
	for (; d; d = d->parent) {
		for (const struct entry *e = d->entries; e; e = e->next) {
			if (!strcmp(e->key, key))
				return e;
		}
	}
	return NULL;
}

/* ---- parsing ---- */

struct tag {
	char kind;			/* '#', '^', '/', '>', '&' or 0 for a value */
	char name[TMPL_NAME_MAX + 1];
	const char *start, *end;	/* the whole "{{...}}" */
};

/* The next tag at or after `p'; 0 when there is none, -EINVAL when it is malformed. */
static int next_tag(const char *p, const char *end, struct tag *t)
{
	const char *open = NULL, *close, *n;
	size_t len;

	for (const char *q = p; q + 1 < end; q++) {
		if (q[0] == '{' && q[1] == '{') {
			open = q;
			break;
		}
	}
	if (!open)
		return 0;
	for (close = open + 2; close + 1 < end && !(close[0] == '}' && close[1] == '}'); close++)
		;
	if (close + 1 >= end)
		return -EINVAL;
	n = open + 2;
	t->kind = strchr("#^/>&", *n) && *n ? *n++ : 0;
	len = (size_t)(close - n);
	if (!len || len > TMPL_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return -EINVAL;
	}
	memcpy(t->name, n, len);
	t->name[len] = '\0';
	t->start = open;
	t->end = close + 2;
	return 1;
}

/* Finds the {{/name}} closing the section opened just before `p'. */
static int section_end(const char *p, const char *end, const char *name, struct tag *close)
{
	unsigned int depth = 0;
	int ret;

	while ((ret = next_tag(p, end, close)) > 0) {
		p = close->end;
		if (close->kind == '#' || close->kind == '^') {
			if (++depth > KGW_TMPL_DEPTH_MAX)
				return -EINVAL;
		} else if (close->kind == '/') {
			if (!depth)
				return strcmp(close->name, name) ? -EINVAL : 1;
			depth--;
		}
	}
	return -EINVAL;
}

static const struct template *find(const struct tmpl_set *s, const char *name)
{
	for (const struct template *t = s->list; t; t = t->next) {
		if (!strcmp(t->name, name))
			return t;
	}
	return NULL;
}

static int render(const struct tmpl_set *s, const char *p, const char *end,
		  const struct tmpl_data *d, struct tmpl_buf *out, unsigned int depth);

static bool truthy(const struct entry *e)
{
	return e && (e->value ? e->value[0] != '\0' : e->nitems > 0);
}

static int section(const struct tmpl_set *s, const struct tag *t, const char *body,
		   const char *body_end, const struct tmpl_data *d, struct tmpl_buf *out,
		   unsigned int depth)
{
	const struct entry *e = lookup(d, t->name);
	int ret = 0;

	if (t->kind == '^')
		return truthy(e) ? 0 : render(s, body, body_end, d, out, depth + 1);
	if (!truthy(e))
		return 0;
	if (e->value)
		return render(s, body, body_end, d, out, depth + 1);
	for (size_t i = 0; i < e->nitems && !ret; i++)
		ret = render(s, body, body_end, e->items[i], out, depth + 1);
	return ret;
}

static int render(const struct tmpl_set *s, const char *p, const char *end,
		  const struct tmpl_data *d, struct tmpl_buf *out, unsigned int depth)
{
	const struct template *inc;
	const struct entry *e;
	struct tag t, close;
	int ret;

	if (depth > KGW_TMPL_DEPTH_MAX)
		return -EINVAL;
	while ((ret = next_tag(p, end, &t)) > 0) {
		if ((ret = tmpl_buf_add(out, p, (size_t)(t.start - p))))
			return ret;
		p = t.end;
		switch (t.kind) {
		case '#':
		case '^':
			if ((ret = section_end(p, end, t.name, &close)) < 0 ||
			    (ret = section(s, &t, p, close.start, d, out, depth)))
				return ret;
			p = close.end;
			break;
		case '/':
			return -EINVAL;
		case '>':
			if (!(inc = find(s, t.name)))
				return -ENOENT;
			ret = render(s, inc->text, inc->text + strlen(inc->text), d, out, depth + 1);
			if (ret)
				return ret;
			break;
		default:
			e = lookup(d, t.name);
			if (e && e->value && (ret = t.kind == '&'
					      ? tmpl_buf_add(out, e->value, strlen(e->value))
					      : tmpl_buf_escape(out, e->value)))
				return ret;
			break;
		}
	}
	return ret < 0 ? ret : tmpl_buf_add(out, p, (size_t)(end - p));
}

/* Every tag well formed and every section closed, in the right order. */
static int check(const char *text, char err[static KGW_TMPL_ERR_MAX])
{
	const char *p = text, *end = text + strlen(text);
	char open[KGW_TMPL_DEPTH_MAX][TMPL_NAME_MAX + 1];
	unsigned int depth = 0;
	struct tag t;
	int ret;

	while ((ret = next_tag(p, end, &t)) > 0) {
		p = t.end;
		if (t.kind == '#' || t.kind == '^') {
			if (depth == KGW_TMPL_DEPTH_MAX) {
				snprintf(err, KGW_TMPL_ERR_MAX, "sections nested too deep at `%s'", t.name);
				return -EINVAL;
			}
			strcpy(open[depth++], t.name);
		} else if (t.kind == '/') {
			if (!depth || strcmp(open[depth - 1], t.name)) {
				snprintf(err, KGW_TMPL_ERR_MAX, "`{{/%s}}' closes no open section", t.name);
				return -EINVAL;
			}
			depth--;
		}
	}
	if (ret < 0) {
		snprintf(err, KGW_TMPL_ERR_MAX, "malformed tag after byte %zu", (size_t)(p - text));
		return ret;
	}
	if (depth) {
		snprintf(err, KGW_TMPL_ERR_MAX, "section `%s' is not closed", open[depth - 1]);
		return -EINVAL;
	}
	return 0;
}

/* ---- sets ---- */

struct tmpl_set *tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

void tmpl_set_free(struct tmpl_set *s)
{
	struct template *t, *next;

	if (!s)
		return;
	for (t = s->list; t; t = next) {
		next = t->next;
		free(t->name);
		free(t->text);
		free(t);
	}
	free(s);
}

int tmpl_set_add(struct tmpl_set *s, const char *name, const char *text,
		 char err[static KGW_TMPL_ERR_MAX])
{
	struct template *t;
	int ret;

	if ((ret = check(text, err)))
		return ret;
	if (!(t = calloc(1, sizeof(*t))) || !(t->name = strdup(name)) || !(t->text = strdup(text))) {
		if (t)
			free(t->name);
		free(t);
		snprintf(err, KGW_TMPL_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	t->next = s->list;
	s->list = t;
	return 0;
}

int tmpl_set_load(struct tmpl_set *s, const char *dir, const char *name,
		  char err[static KGW_TMPL_ERR_MAX])
{
	char path[4096], why[KGW_TMPL_ERR_MAX], *text = NULL;
	FILE *f;
	size_t n;
	int ret = -EINVAL;

	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	if (!(f = fopen(path, "re"))) {
		ret = -errno;
		snprintf(err, KGW_TMPL_ERR_MAX, "%.160s: %s", path, strerror(errno));
		return ret;
	}
	if (!(text = malloc(TMPL_FILE_MAX + 1))) {
		ret = -ENOMEM;
		snprintf(err, KGW_TMPL_ERR_MAX, "out of memory");
		goto out;
	}
	n = fread(text, 1, TMPL_FILE_MAX + 1, f);
	if (ferror(f) || n > TMPL_FILE_MAX || memchr(text, '\0', n)) {
		snprintf(err, KGW_TMPL_ERR_MAX, "%.160s: unreadable, too long or binary", path);
		goto out;
	}
	text[n] = '\0';
	if ((ret = tmpl_set_add(s, name, text, why)))
		snprintf(err, KGW_TMPL_ERR_MAX, "%.100s: %.150s", path, why);
out:
	free(text);
	fclose(f);
	return ret;
}

int tmpl_render(const struct tmpl_set *s, const char *name, const struct tmpl_data *d,
		struct tmpl_buf *out)
{
	const struct template *t = find(s, name);

	if (!t)
		return -ENOENT;
	if (d->failed)
		return -ENOMEM;
	return render(s, t->text, t->text + strlen(t->text), d, out, 0);
}
