/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "password.h"

/*
 * A hash of 32 random characters that were thrown away, made with the
 * limits above. A constant rather than one made at first use, so the first
 * unknown user does not take twice as long as the rest.
 */
const char kgw_password_dummy_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$cchlykxiTCsGpCSEphss8w$"
	"KFhRUxpIOKZzTaNespl0JjHiSs2Z0mazKVgndpRJf5s";

static bool usable(const char *password)
{
	return password && password[0] &&
	       strnlen(password, KGW_PASSWORD_MAX + 1) <= KGW_PASSWORD_MAX;
}

int kgw_password_hash(const char *password, char out[static KGW_PASSWORD_HASH_MAX])
{
	memset(out, 0, KGW_PASSWORD_HASH_MAX);
	if (!usable(password))
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOMEM;
	if (crypto_pwhash_str(out, password, strlen(password), KGW_PASSWORD_OPSLIMIT,
			      KGW_PASSWORD_MEMLIMIT))
		return -ENOMEM;
	return 0;
}

static bool verify(const char *hash, const char *password)
{
	const char *pw = usable(password) ? password : "";

	if (sodium_init() < 0 || !hash ||
	    strnlen(hash, KGW_PASSWORD_HASH_MAX) >= KGW_PASSWORD_HASH_MAX)
		return false;
	/* An unusable password is still run through argon2: same cost, then refused. */
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 && pw == password;
}

bool kgw_password_verify(const char *hash, const char *password)
{
	return verify(hash, password);
}

bool kgw_password_verify_dummy(const char *password)
{
	(void)verify(kgw_password_dummy_hash, password);
	return false;
}

bool kgw_password_needs_rehash(const char *hash)
{
	if (!hash || strnlen(hash, KGW_PASSWORD_HASH_MAX) >= KGW_PASSWORD_HASH_MAX)
		return true;
	return crypto_pwhash_str_needs_rehash(hash, KGW_PASSWORD_OPSLIMIT,
					      KGW_PASSWORD_MEMLIMIT) != 0;
}
