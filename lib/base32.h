/* SPDX-License-Identifier: MIT */
/*
 * Base32 (RFC 4648 section 6), the alphabet authenticator apps use for TOTP
 * secrets. Pure: no allocation, no I/O.
 */
#ifndef KGW_BASE32_H
#define KGW_BASE32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters kgw_base32_encode() writes for `n' bytes, padded, with the NUL. */
#define KGW_BASE32_ENCODED_LEN(n) ((((n) + 4) / 5) * 8 + 1)

/*
 * Encodes `len' bytes as upper-case base32, with `=' padding when `pad'
 * (otpauth:// URIs want none). Returns the length written without the NUL,
 * or 0 (and writes nothing but an empty string) when out_size is too small.
 */
size_t kgw_base32_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t out_size);

/*
 * Decodes base32 as people type it: either case, optional `=' padding,
 * spaces ignored (apps show secrets in groups of four). Returns 0 and the
 * byte count in *out_len; -EINVAL for a character outside the alphabet,
 * padding in the middle, an impossible length or non-zero trailing bits;
 * -ENOSPC when out is too small. On error `out' is wiped.
 */
int kgw_base32_decode(const char *in, uint8_t *out, size_t out_size, size_t *out_len)
	__attribute__((warn_unused_result));

#endif
