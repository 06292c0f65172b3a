/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the configuration loader (lib/conf.c, inih
 * underneath): the input is /etc/kgw/kgw.conf. It goes through a memory
 * file so the loader opens a path as it does in production. A file that
 * loads must write back as INI that loads to the same configuration.
 */
#include "config.h"

#define _GNU_SOURCE 1
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

static int put(const void *buf, size_t len)
{
	if (ftruncate(fd, 0) || pwrite(fd, buf, len, 0) != (ssize_t)len)
		return -1;
	return 0;
}

/* The effective configuration as text: malloc'd, or NULL. */
static char *written(const struct kgw_config *cfg, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	kgw_config_write(cfg, f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kgw_config cfg, again;
	char err[KGW_CONF_ERR_MAX];
	char *text, *text2;
	size_t len, len2;
	int ret;

	if (fd < 0) {
		fd = memfd_create("kgw.conf", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (put(data, size))
		return 0;
	ret = kgw_config_load(&cfg, path, true, err);
	if (ret) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			abort();	/* every refusal says why */
		return 0;
	}
	text = written(&cfg, &len);
	if (!text)
		return 0;
	if (!put(text, len)) {
		if (kgw_config_load(&again, path, true, err))
			abort();	/* what we wrote, we cannot read */
		text2 = written(&again, &len2);
		if (text2 && (len != len2 || memcmp(text, text2, len)))
			abort();	/* ... or it reads as something else */
		free(text2);
	}
	free(text);
	return 0;
}
