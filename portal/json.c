/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json.h"
#include "log.h"

/* Each block remembers its size so the free can wipe it. */
struct wipe_header {
	alignas(max_align_t) size_t size;
};

static void *wiping_malloc(size_t size)
{
	struct wipe_header *h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

static void wiping_free(void *ptr)
{
	struct wipe_header *h;

	if (!ptr)
		return;
	h = (struct wipe_header *)ptr - 1;
	sodium_memzero(h, sizeof(*h) + h->size);
	free(h);
}

void kgw_json_init(void)
{
	json_set_alloc_funcs(wiping_malloc, wiping_free);
}

/*
 * json_dumps() allocates with jansson's functions, which may be ours: hand
 * the caller a plain malloc'd copy, so free() is always right for it.
 */
char *kgw_json_dump(const json_t *v, size_t *len)
{
	char *text = json_dumps(v, JSON_COMPACT), *copy = NULL;
	json_free_t jfree;
	size_t n;

	if (!text)
		return NULL;
	n = strlen(text);
	copy = malloc(n + 1);
	if (copy) {
		memcpy(copy, text, n + 1);
		if (len)
			*len = n;
	}
	json_get_alloc_funcs(NULL, &jfree);
	sodium_memzero(text, n);
	jfree(text);
	return copy;
}

char *kgw_json_error_body(const char *code, const char *message, size_t *len)
{
	json_t *v = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
	char *text;

	if (!v)
		return NULL;
	text = kgw_json_dump(v, len);
	json_decref(v);
	return text;
}

json_t *kgw_json_parse_object(const char *buf, size_t len, char err[static KGW_JSON_ERR_MAX])
{
	json_error_t jerr;
	json_t *v;

	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		/* jerr.text may quote the input; only its position goes back. */
		snprintf(err, KGW_JSON_ERR_MAX, "the body is not valid JSON (line %d, column %d)",
			 jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(err, KGW_JSON_ERR_MAX, "the body must be a JSON object");
		return NULL;
	}
	return v;
}

static bool allowed_key(const char *key, const char *const allowed[])
{
	for (size_t i = 0; allowed[i]; i++) {
		if (!strcmp(key, allowed[i]))
			return true;
	}
	return false;
}

int kgw_json_check_keys(const json_t *obj, const char *const allowed[],
			char err[static KGW_JSON_ERR_MAX])
{
	const char *key;
	json_t *value;
	char quoted[48];

	json_object_foreach((json_t *)obj, key, value) {
		(void)value;
		if (!allowed_key(key, allowed)) {
			snprintf(err, KGW_JSON_ERR_MAX, "unknown field `%s'",
				 kgw_log_quote(key, quoted, sizeof(quoted)));
			return -EINVAL;
		}
	}
	return 0;
}

int kgw_json_get_string(const json_t *obj, const char *key, size_t min_len, size_t max_len,
			const char **out, char err[static KGW_JSON_ERR_MAX])
{
	const json_t *v = json_object_get(obj, key);
	size_t len;

	*out = NULL;
	if (!v) {
		snprintf(err, KGW_JSON_ERR_MAX, "missing field `%s'", key);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		snprintf(err, KGW_JSON_ERR_MAX, "`%s' must be a string", key);
		return -EINVAL;
	}
	len = json_string_length(v);
	if (len < min_len || len > max_len) {
		snprintf(err, KGW_JSON_ERR_MAX, "`%s' must be %zu to %zu bytes long", key, min_len,
			 max_len);
		return -EINVAL;
	}
	*out = json_string_value(v);
	return 0;
}
