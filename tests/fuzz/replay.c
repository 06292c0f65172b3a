/* SPDX-License-Identifier: MIT */
/*
 * A main() for the libFuzzer harnesses in builds without libFuzzer: runs
 * every file of the target's seed corpus and its regression inputs
 * (tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME) through
 * LLVMFuzzerTestOneInput once, so `make check' with gcc, and the
 * sanitizer build, replay every input the fuzzers ever found. NAME is the
 * program's own name less "-replay"; file or directory arguments replace
 * the default directories (to replay a crash by hand).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	/* An exact-size copy, so ASan sees a read past the input's end. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in `dir', in name order; a missing directory has none. */
static int run_dir(const char *dir, int *count)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!nn) {
				ret = -1;
				break;
			}
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
			ret = -1;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		if (!ret && run_file(names[i]))
			ret = -1;
		else if (!ret)
			(*count)++;
		free(names[i]);
	}
	free(names);
	return ret;
}

static int run_path(const char *path, int *count)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return run_dir(path, count);
	if (run_file(path))
		return -1;
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *src = getenv("KGW_SRCDIR") ? getenv("KGW_SRCDIR") : ".";
	const char *end = strstr(self, "-replay");
	int count = 0, ret = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			ret |= run_path(argv[i], &count);
	} else if (!end) {
		fprintf(stderr, "%s: cannot tell the target from the program name\n", self);
		return 2;
	} else {
		static const char *const kinds[] = { "corpus", "regress" };

		for (size_t i = 0; i < 2; i++) {
			char *dir;

			if (asprintf(&dir, "%s/tests/fuzz/%s/%.*s", src, kinds[i], (int)(end - self),
				     self) < 0)
				return 1;
			ret |= run_dir(dir, &count);
			free(dir);
		}
		if (!count) {
			fprintf(stderr, "%s: no inputs found under %s/tests/fuzz\n", self, src);
			return 1;
		}
	}
	printf("%s: %d inputs replayed%s\n", self, count, ret ? ", some unreadable" : "");
	return ret ? 1 : 0;
}
