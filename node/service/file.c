/* node/service/file.c: whole small files read and written (file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
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

int node_file_create(const char *path, mode_t mode, const void *data, size_t len)
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
	if (!r && fsync(fd) != 0)
		r = MAILLE_EIO;
	int saved = errno;
	close(fd);
	if (r) {
		unlink(path);
		errno = saved;
	}
	return r;
}
