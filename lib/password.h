/* SPDX-License-Identifier: MIT */
/*
 * Password hashes: argon2id through libsodium's crypto_pwhash_str, whose
 * output carries its own salt and parameters ("$argon2id$v=19$m=...").
 */
#ifndef KGW_PASSWORD_H
#define KGW_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium.h>

/* Room for a hash string, with the NUL. */
#define KGW_PASSWORD_HASH_MAX crypto_pwhash_STRBYTES
/* Longer passwords are refused rather than hashed: bounded work per attempt. */
#define KGW_PASSWORD_MAX 1024
/* What kgwctl asks of a new password; verification accepts any length. */
#define KGW_PASSWORD_MIN 8
/*
 * libsodium's "interactive" limits (2 passes, 64 MiB): about 0.1 s here,
 * and four concurrent logins in the portal's workers stay under 256 MiB.
 */
#define KGW_PASSWORD_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define KGW_PASSWORD_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* 0, -EINVAL (empty or longer than KGW_PASSWORD_MAX), or -ENOMEM. */
int kgw_password_hash(const char *password, char out[static KGW_PASSWORD_HASH_MAX])
	__attribute__((warn_unused_result));

/* True only when `hash' is a valid argon2id string for `password'. */
bool kgw_password_verify(const char *hash, const char *password)
	__attribute__((warn_unused_result));

/*
 * The same work as kgw_password_verify() against a hash nobody knows the
 * password of, and always false: unknown users cost what known ones do.
 */
bool kgw_password_verify_dummy(const char *password);

/* The hash made with other limits than today's (rehash at the next login). */
bool kgw_password_needs_rehash(const char *hash);

/* The hash kgw_password_verify_dummy() checks against (for its tests). */
extern const char kgw_password_dummy_hash[];

#endif
