/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "backend.h"
#include "log.h"

int kgwd_read_private_key(const char *path, uint8_t key[static WG_KEY_LEN])
{
	char text[64];
	struct stat st;
	size_t n = 0, len;
	FILE *f = fopen(path, "re");
	int ret = -EINVAL;

	if (!f) {
		ret = -errno;
		kgw_err("cannot open the private key %s: %s", path, strerror(errno));
		return ret;
	}
	if (!fstat(fileno(f), &st) && (st.st_mode & 0077))
		kgw_warn("%s is readable by others than its owner (mode %03o)", path, st.st_mode & 0777);
	if (!fgets(text, sizeof(text), f)) {
		kgw_err("%s is empty", path);
		goto out;
	}
	len = strcspn(text, "\r\n");
	text[len] = '\0';
	if (len != 44 || sodium_base642bin(key, WG_KEY_LEN, text, len, NULL, &n, NULL,
					   sodium_base64_VARIANT_ORIGINAL) || n != WG_KEY_LEN) {
		sodium_memzero(key, WG_KEY_LEN);
		kgw_err("%s does not hold a WireGuard private key (base64, as `wg genkey' writes)", path);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(text, sizeof(text));
	fclose(f);
	return ret;
}
