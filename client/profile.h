/* SPDX-License-Identifier: MIT */
/*
 * Profiles: which gateway, its certificate pin, which user. One INI file
 * per profile, in $XDG_CONFIG_HOME/kgw/NAME.conf (else ~/.config/kgw/):
 *
 *	[gateway]
 *	address = gw.example.com:4443
 *	pin = <SHA-256 of the gateway certificate, hex, colons optional>
 *	user = alice
 *	interface = kgw0	(optional)
 *
 * Parsing and formatting are pure; load and save do the file I/O.
 */
#ifndef KGWC_PROFILE_H
#define KGWC_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <net/if.h>

#include "client.h"

#define KGWC_DEFAULT_PROFILE "default"

struct kgwc_profile {
	struct kgwc_gateway gw;
	char user[KGWC_USER_MAX + 1];
	char interface[IFNAMSIZ];
};

/* Where a profile lives, and the name its live session's state goes by. */
struct kgwc_profile_ref {
	char name[KGWC_PROFILE_NAME_MAX + 1];
	char path[PATH_MAX];
};

/*
 * "host", "host:port", "1.2.3.4:port", "[v6]:port" (a bare IPv6 address
 * also works). The host is a DNS name or an IP address; the port defaults
 * to KGWC_DEFAULT_PORT. -EINVAL for anything else.
 */
int kgwc_address_parse(const char *text, char host[static KGWC_HOST_MAX + 1], uint16_t *port)
	__attribute__((warn_unused_result));

/*
 * A SHA-256 fingerprint as `openssl x509 -fingerprint -sha256' prints it
 * ("AB:CD:..."), or 64 hex digits; any case, optional "sha256:" prefix.
 * On error the pin is zeroed.
 */
int kgwc_pin_parse(const char *text, uint8_t pin[static KGWC_PIN_LEN])
	__attribute__((warn_unused_result));
/* Uppercase with colons, as openssl prints it. */
const char *kgwc_pin_format(const uint8_t pin[static KGWC_PIN_LEN], char out[static KGWC_PIN_HEX_MAX]);

/* Letters, digits, ".", "_", "-", "@", starting with a letter or digit (the portal's rule). */
bool kgwc_user_valid(const char *user);
/* [A-Za-z0-9_.-], not starting with "."; at most KGWC_PROFILE_NAME_MAX bytes. */
bool kgwc_profile_name_valid(const char *name);

/*
 * Parses profile text. `origin' names it in errors ("FILE:LINE: ...").
 * On error returns -EINVAL with the reason in err and p zeroed.
 */
int kgwc_profile_parse(const char *text, const char *origin, struct kgwc_profile *p,
		       char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));
/* One key ("address", "pin", "user", "interface"), checked as in a file. */
int kgwc_profile_set(struct kgwc_profile *p, const char *key, const char *value,
		     char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));
/* The profile as INI text, what kgwc_profile_parse() reads back. */
void kgwc_profile_write(const struct kgwc_profile *p, FILE *out);

/*
 * NAME or PATH (anything with a "/") to a file and a name; NULL means
 * KGWC_DEFAULT_PROFILE. For a path the name is its file name less ".conf".
 */
int kgwc_profile_resolve(const char *name_or_path, struct kgwc_profile_ref *ref,
			 char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));

/* -ENOENT when there is no such profile; the message says how to make one. */
int kgwc_profile_load(const char *path, struct kgwc_profile *p, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));
/* Writes atomically (temporary file and rename), making the directory (0700). */
int kgwc_profile_save(const char *path, const struct kgwc_profile *p, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
