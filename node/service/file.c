/* node/service/file.c: whole small files read and written (file.h). */
#define _GNU_SOURCE /* syncfs(2) */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/error.h"

int node_file_read_fd(int fd, uint8_t *buf, size_t max, size_t *ret_len)
{
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return MAILLE_EIO;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return MAILLE_ETOOBIG;
	}
	*ret_len = len;
	return 0;
}

static int file_create(const char *path, mode_t mode, const void *data, size_t len, bool sync)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return errno == EEXIST ? MAILLE_EEXIST : MAILLE_EIO;
	const uint8_t *p = data;
	int r = 0;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = MAILLE_EIO;
			break;
		}
		off += (size_t)w;
	}
	if (!r && sync && fsync(fd) != 0)
		r = MAILLE_EIO;
	int saved = errno;
	if (close(fd) != 0 && !r) {
		r = MAILLE_EIO;
		saved = errno;
	}
	if (r) {
		unlink(path);
		errno = saved;
	}
	return r;
}

int node_file_create(const char *path, mode_t mode, const void *data, size_t len)
{
	return file_create(path, mode, data, len, true);
}

int node_file_create_many(const char *path, mode_t mode, const void *data, size_t len)
{
	return file_create(path, mode, data, len, false);
}

int node_file_sync_fs(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return MAILLE_EIO;
	int r = syncfs(fd) == 0 ? 0 : MAILLE_EIO;
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* Whether fd holds exactly expect[0..len). */
static bool file_holds(int fd, const uint8_t *expect, size_t len)
{
	uint8_t chunk[4096];
	size_t off = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			return off == len;
		if ((size_t)n > len - off || memcmp(chunk, expect + off, (size_t)n) != 0)
			return false;
		off += (size_t)n;
	}
}

static int file_write_all(int fd, const uint8_t *p, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return MAILLE_EIO;
		off += (size_t)w;
	}
	return 0;
}

int node_file_replace(const char *path, const void *expect, size_t expect_len, const void *data,
                      size_t len)
{
	char *real = realpath(path, NULL);
	if (!real)
		return MAILLE_EIO;
	int r = MAILLE_EIO;
	char *tmp = NULL;
	int tfd = -1;
	/* a file its owner made read-only is left so, though its directory would allow the rename
	 * (and root's access() allows anything: the mode bits are checked below too) */
	if (access(real, W_OK) != 0)
		goto out_real;
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0)
		goto out;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	/* even for root, whom access() lets write anything */
	if (!(sb.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH))) {
		errno = EACCES;
		goto out;
	}
	if (!file_holds(fd, expect, expect_len)) {
		r = MAILLE_ESTATE;
		goto out;
	}
	/* the temporary file's name: the directory, a dot, the name, a random suffix */
	const char *slash = strrchr(real, '/');
	size_t dlen = slash ? (size_t)(slash - real) + 1 : 0;
	size_t cap = strlen(real) + sizeof ".maille-XXXXXX" + 1;
	if (!(tmp = malloc(cap))) {
		errno = ENOMEM;
		goto out;
	}
	snprintf(tmp, cap, "%.*s.%s.maille-XXXXXX", (int)dlen, real, real + dlen);
	if ((tfd = mkstemp(tmp)) < 0) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(tfd, sb.st_mode & 07777) != 0 || file_write_all(tfd, data, len) != 0 ||
	    fsync(tfd) != 0)
		goto out;
	if (close(tfd) != 0) {
		tfd = -1;
		goto out;
	}
	tfd = -1;
	if (rename(tmp, real) != 0)
		goto out;
	free(tmp);
	tmp = NULL;
	r = 0;
out:;
	int saved = errno;
	if (tfd >= 0)
		close(tfd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	if (fd >= 0)
		close(fd);
	errno = saved;
out_real:
	free(real);
	return r;
}
