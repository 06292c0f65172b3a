/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dest.h"

/* "443" or "8000-8080"; no zero, no reversed ranges, no junk. */
static int parse_range(const char *s, size_t len, uint16_t *lo, uint16_t *hi)
{
	char buf[12], *dash;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (kgw_port_parse(buf, lo))
		return -EINVAL;
	*hi = *lo;
	if (dash && (kgw_port_parse(dash + 1, hi) || *hi < *lo))
		return -EINVAL;
	return 0;
}

int kgw_dest_parse(const char *cidr, const char *ports, struct kgw_dest *out, size_t max, size_t *n)
{
	struct kgw_cidr c;
	size_t count = *n;
	const char *p = ports, *comma;
	int ret;

	if (kgw_cidr_parse(cidr, true, &c))
		return -EINVAL;
	if (!*ports)
		return -EINVAL;
	for (;;) {
		comma = strchr(p, ',');
		if (count == max)
			return -E2BIG;
		out[count].cidr = c;
		ret = parse_range(p, comma ? (size_t)(comma - p) : strlen(p), &out[count].port_lo,
				  &out[count].port_hi);
		if (ret)
			return ret;
		count++;
		if (!comma)
			break;
		p = comma + 1;
	}
	*n = count;
	return 0;
}

void kgw_dest_format_ports(const struct kgw_dest *d, char out[static 12])
{
	if (d->port_lo == d->port_hi)
		snprintf(out, 12, "%u", d->port_lo);
	else
		snprintf(out, 12, "%u-%u", d->port_lo, d->port_hi);
}

bool kgw_dest_match(const struct kgw_dest *d, size_t n, sa_family_t family, const uint8_t *addr,
		    uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		if (port >= d[i].port_lo && port <= d[i].port_hi &&
		    kgw_cidr_contains(&d[i].cidr, family, addr))
			return true;
	return false;
}
