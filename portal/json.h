/* SPDX-License-Identifier: MIT */
/*
 * JSON for the API, with jansson: the error body every failure carries,
 * and strict readers for request bodies (an object, known keys only, each
 * of the right type and length).
 */
#ifndef KGW_JSON_H
#define KGW_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Room for a reason sent to the client ("`user' must be a string"). */
#define KGW_JSON_ERR_MAX 160

/*
 * Makes jansson wipe every block it frees: parsed request bodies hold
 * passwords and codes, and jansson copies them into its own strings. Call
 * once, before any other jansson use.
 */
void kgw_json_init(void);

/* {"error":{"code":CODE,"message":MESSAGE}}, malloc'd; NULL when out of memory. */
char *kgw_json_error_body(const char *code, const char *message, size_t *len)
	__attribute__((warn_unused_result));

/* Compact text of `v', malloc'd; NULL when out of memory. */
char *kgw_json_dump(const json_t *v, size_t *len) __attribute__((warn_unused_result));

/*
 * A body that must be one JSON object: duplicate keys, trailing bytes,
 * NUL characters and any other top-level type are errors. The reason in
 * `err' never quotes the input (it may hold a password).
 */
json_t *kgw_json_parse_object(const char *buf, size_t len, char err[static KGW_JSON_ERR_MAX])
	__attribute__((warn_unused_result));

/* Every key of `obj' is in the NULL-terminated `allowed'. */
int kgw_json_check_keys(const json_t *obj, const char *const allowed[],
			char err[static KGW_JSON_ERR_MAX]) __attribute__((warn_unused_result));

/* obj[key] is a string of min_len..max_len bytes; *out points into obj. */
int kgw_json_get_string(const json_t *obj, const char *key, size_t min_len, size_t max_len,
			const char **out, char err[static KGW_JSON_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
