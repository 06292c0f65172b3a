/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "format.h"

const char *kgwc_format_duration(uint64_t seconds, char out[static KGWC_FORMAT_MAX])
{
	static const struct { uint64_t len; const char *name; } units[] = {
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" },
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t n = seconds / units[i].len;

		if (!n)
			continue;
		seconds %= units[i].len;
		len += (size_t)snprintf(out + len, KGWC_FORMAT_MAX - len, "%s%llu %s%s", len ? ", " : "",
					(unsigned long long)n, units[i].name, n == 1 ? "" : "s");
		if (len >= KGWC_FORMAT_MAX)
			break;
	}
	if (!out[0])
		snprintf(out, KGWC_FORMAT_MAX, "0 seconds");
	return out;
}

const char *kgwc_format_bytes(uint64_t bytes, char out[static KGWC_FORMAT_MAX])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(out, KGWC_FORMAT_MAX, "%llu B", (unsigned long long)bytes);
		return out;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(out, KGWC_FORMAT_MAX, "%.2f %s", v, units[u]);
	return out;
}
