/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "login.h"

/* Letters, digits, ".", "_", "-" and "@", starting with a letter or digit. */
static bool valid_user(const char *u)
{
	static const char extra[] = "._-@";

	if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9')))
		return false;
	for (; *u; u++) {
		if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		      (*u >= '0' && *u <= '9') || strchr(extra, *u)))
			return false;
	}
	return true;
}

static bool all_digits(const char *s)
{
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/* Standard base64 of 32 bytes, padded; all-zero is no key. */
static bool parse_key(const char *b64, uint8_t key[static KGW_WG_KEY_LEN])
{
	size_t len = 0;

	if (strlen(b64) != KGW_WG_KEY_B64_LEN ||
	    sodium_base642bin(key, KGW_WG_KEY_LEN, b64, KGW_WG_KEY_B64_LEN, NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) || len != KGW_WG_KEY_LEN ||
	    sodium_is_zero(key, KGW_WG_KEY_LEN)) {
		sodium_memzero(key, KGW_WG_KEY_LEN);
		return false;
	}
	return true;
}

int kgw_login_read(const json_t *body, struct kgw_login *l, char err[static KGW_JSON_ERR_MAX])
{
	static const char *const fields[] = { "user", "password", "otp", "public_key", "ttl", NULL };
	const json_t *ttl = json_object_get(body, "ttl");
	const char *user, *public_key;

	memset(l, 0, sizeof(*l));
	if (kgw_json_check_keys(body, fields, err) ||
	    kgw_json_get_string(body, "user", 1, KGW_USER_NAME_MAX, &user, err))
		return -EINVAL;
	if (!valid_user(user)) {
		snprintf(err, KGW_JSON_ERR_MAX, "`user' is not a valid user name");
		return -EINVAL;
	}
	l->user = user;
	if (kgw_json_get_string(body, "password", 1, KGW_PASSWORD_MAX, &l->password, err) ||
	    kgw_json_get_string(body, "otp", KGW_OTP_MIN_DIGITS, KGW_OTP_MAX_DIGITS, &l->otp,
				err) ||
	    kgw_json_get_string(body, "public_key", 1, KGW_WG_KEY_B64_LEN, &public_key, err))
		goto bad;
	if (!all_digits(l->otp)) {
		snprintf(err, KGW_JSON_ERR_MAX, "`otp' must be digits only");
		goto bad;
	}
	if (!parse_key(public_key, l->public_key)) {
		snprintf(err, KGW_JSON_ERR_MAX, "`public_key' is not a WireGuard public key");
		goto bad;
	}
	/* Optional: a shorter session than the gateway's maximum; longer is capped. */
	if (ttl && (!json_is_integer(ttl) || json_integer_value(ttl) < KGW_SESSION_TTL_MIN ||
		    json_integer_value(ttl) > UINT_MAX / 2)) {
		snprintf(err, KGW_JSON_ERR_MAX, "`ttl' must be a whole number of seconds, at least %d",
			 KGW_SESSION_TTL_MIN);
		goto bad;
	}
	l->ttl = ttl ? (unsigned int)json_integer_value(ttl) : 0;
	return 0;
bad:
	l->password = l->otp = NULL;
	return -EINVAL;
}
