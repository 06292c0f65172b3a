/* SPDX-License-Identifier: MIT */
/* Files kgwctl init makes: keys and certificates, with their modes from the start. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kgwctl.h"

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return fsync(fd) ? -errno : 0;
}

/*
 * Without force: O_EXCL, so an existing file is never touched. With force:
 * a temporary file renamed over it, so a crash leaves the old or the new
 * file and never half of one. Either way the mode is set at creation, so
 * a key is never readable by others, not even for a moment.
 */
int kgwctl_write_file(const char *path, const void *data, size_t len, unsigned int mode,
		      bool force)
{
	char tmp[PATH_MAX];
	const char *target = path;
	int fd, ret;

	if (force) {
		if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
			return -ENAMETOOLONG;
		fd = mkstemp(tmp);
		if (fd >= 0 && fchmod(fd, mode)) {
			ret = -errno;
			close(fd);
			unlink(tmp);
			return ret;
		}
		target = tmp;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	}
	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, len);
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && force && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(target);
	return ret;
}

int kgwctl_make_parent(const char *path, bool *made)
{
	char dir[PATH_MAX];
	char *slash;

	*made = false;
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	/* The last directory holds the keys and the database: not for everyone. */
	if (mkdir(dir, 0750)) {
		if (errno != EEXIST)
			return -errno;
	} else {
		*made = true;
	}
	return 0;
}
