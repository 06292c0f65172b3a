/* SPDX-License-Identifier: MIT */
/*
 * The otpauth:// URI authenticator apps scan (Google's Key URI format):
 * label "issuer:user", the issuer repeated as a parameter, every text part
 * percent-encoded. Pure: no allocation, no I/O.
 */
#ifndef KGW_OTPAUTH_H
#define KGW_OTPAUTH_H

#include <stddef.h>

/*
 * Room for any URI kgw makes: an issuer under KGW_CONF_STR_MAX (256) bytes
 * twice and a user name under KGW_NAME_MAX (32), each up to three times as
 * long escaped, a secret of up to 64 bytes in base32, and the parameters.
 */
#define KGW_OTPAUTH_URI_MAX 2048

/*
 * Writes the URI of a TOTP (HMAC-SHA-1) secret given in unpadded base32.
 * Returns 0, or -ENOSPC (and an empty string) when out_size is too small:
 * a URI cut short would enrol the wrong secret or issuer.
 */
int kgw_otpauth_uri(char *out, size_t out_size, const char *issuer, const char *user,
		    const char *secret_b32, unsigned int digits, unsigned int period)
	__attribute__((warn_unused_result));

#endif
