/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the admin UI's input parsers: the input is a form
 * body (and a query string), and also a Cookie header. Every decoded value
 * must be NUL-terminated inside the arena and no longer than its source.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kgw_form f;
	char *header, value[64];

	if (!kgw_form_parse(&f, (const char *)data, size)) {
		if (f.n > KGW_FORM_FIELDS_MAX)
			abort();
		for (unsigned int i = 0; i < f.n; i++) {
			if (f.name[i] < f.arena || f.value[i] >= f.arena + f.arena_len ||
			    strlen(f.value[i]) > size || kgw_form_get(&f, f.name[i]) == NULL)
				abort();
		}
		kgw_form_free(&f);
	}
	if (!(header = malloc(size + 1)))
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	if (kgw_cookie_get(header, "kgw_admin", value, sizeof(value)) &&
	    (!value[0] || strlen(value) >= sizeof(value) || !strstr(header, value)))
		abort();
	free(header);
	return 0;
}
