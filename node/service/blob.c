/* node/service/blob.c: the attachments' blob store (blob.h, PROTOCOL.md §6). */
#include "node/service/blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/array.h"
#include "proto/entry.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/value.h"
#include "store/store.h"

#define PIECE (64u * 1024u) /* bytes read at once: memory stays bounded whatever the size */

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int unhex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 2 + 62 lower-case hex digits into a digest; false for anything else. */
static bool digest_from_names(const char *a, const char *b, proto_blob_hash out)
{
	char all[65];
	if (strlen(a) != 2 || strlen(b) != 62)
		return false;
	memcpy(all, a, 2);
	memcpy(all + 2, b, 63);
	for (size_t i = 0; i < 32; i++) {
		int hi = unhex_nibble(all[2 * i]), lo = unhex_nibble(all[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* a/b into ret. */
static int join(char *ret, size_t cap, const char *a, const char *b)
{
	int n = snprintf(ret, cap, "%s/%s", a, b);
	return n < 0 || (size_t)n >= cap ? MAILLE_ETOOBIG : MAILLE_OK;
}

int blob_path(const char *dir, const proto_blob_hash digest, char *ret, size_t cap)
{
	char h[65];
	hex(digest, 32, h);
	char sub[3] = { h[0], h[1], '\0' };
	char tmp[BLOB_PATH_MAX];
	int rc = join(tmp, sizeof tmp, dir, "blobs");
	if (rc == MAILLE_OK)
		rc = join(tmp + strlen(tmp), sizeof tmp - strlen(tmp), "", sub);
	if (rc)
		return rc;
	return join(ret, cap, tmp, h + 2);
}

static int mkdir_p(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return MAILLE_OK;
	return MAILLE_EIO;
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return MAILLE_EIO;
	int rc = fsync(fd) == 0 ? MAILLE_OK : MAILLE_EIO;
	close(fd);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return MAILLE_EIO;
		p += w;
		n -= (size_t)w;
	}
	return MAILLE_OK;
}

/* Hashes fd from its current offset to its end, copying to out when out >= 0. */
static int hash_fd(int fd, int out, uint64_t max_size, blob_info *ret_info)
{
	uint8_t *buf = malloc(PIECE);
	if (!buf)
		return MAILLE_ENOMEM;
	proto_blobtree t;
	proto_blobtree_init(&t);
	int rc = MAILLE_OK;
	for (;;) {
		ssize_t r = read(fd, buf, PIECE);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = MAILLE_EIO;
			break;
		}
		if (r == 0)
			break;
		if (t.size + (uint64_t)r > max_size) {
			rc = MAILLE_ETOOBIG;
			break;
		}
		if ((rc = proto_blobtree_update(&t, buf, (size_t)r)) != 0 ||
		    (out >= 0 && (rc = write_all(out, buf, (size_t)r)) != 0))
			break;
	}
	if (rc == MAILLE_OK) {
		blob_info info;
		info.size = t.size;
		rc = proto_blobtree_final(&t, info.digest, info.tree);
		if (rc == MAILLE_OK)
			*ret_info = info;
	}
	proto_blobtree_free(&t);
	free(buf);
	return rc;
}

int blob_put_file(const char *dir, const char *src, uint64_t max_size, uint64_t budget,
                  blob_info *ret_info)
{
	char base[BLOB_PATH_MAX], tmpdir[BLOB_PATH_MAX], tmp[BLOB_PATH_MAX], path[BLOB_PATH_MAX];
	int rc;
	if ((rc = join(base, sizeof base, dir, "blobs")) ||
	    (rc = join(tmpdir, sizeof tmpdir, base, "tmp")) ||
	    (rc = join(tmp, sizeof tmp, tmpdir, "put.XXXXXX")))
		return rc;
	if ((rc = mkdir_p(base)) || (rc = mkdir_p(tmpdir)))
		return rc;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno == ENOENT ? MAILLE_ENOTFOUND : MAILLE_EIO;
	struct stat st;
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return MAILLE_EINVAL;
	}
	int out = mkstemp(tmp);
	if (out < 0) {
		close(in);
		return MAILLE_EIO;
	}
	blob_info info;
	rc = hash_fd(in, out, max_size, &info);
	close(in);
	if (rc == MAILLE_OK && fsync(out) != 0)
		rc = MAILLE_EIO;
	if (close(out) != 0 && rc == MAILLE_OK)
		rc = MAILLE_EIO;
	bool renamed = false;
	if (rc == MAILLE_OK && !blob_has(dir, info.digest)) {
		uint64_t used = 0;
		size_t count = 0;
		if ((rc = blob_usage(dir, &used, &count)) == MAILLE_OK &&
		    (info.size > budget || used > budget - info.size))
			rc = MAILLE_EQUOTA;
		char sub[BLOB_PATH_MAX];
		if (rc == MAILLE_OK && (rc = blob_path(dir, info.digest, path, sizeof path)) == 0) {
			memcpy(sub, path, strlen(path) - 63);
			sub[strlen(path) - 63] = '\0';
			if ((rc = mkdir_p(sub)) == 0) {
				if (rename(tmp, path) != 0) {
					rc = MAILLE_EIO;
				} else {
					renamed = true;
					if ((rc = sync_dir(sub)) == 0)
						rc = sync_dir(base);
				}
			}
		}
	}
	/* only our own temporary file: once renamed, its name may be another writer's mkstemp's */
	if (!renamed)
		unlink(tmp);
	if (rc == MAILLE_OK)
		*ret_info = info;
	return rc;
}

bool blob_has(const char *dir, const proto_blob_hash digest)
{
	char path[BLOB_PATH_MAX];
	struct stat st;
	return blob_path(dir, digest, path, sizeof path) == 0 && stat(path, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

static int verify_fd(int fd, const proto_blob_hash digest, const proto_blob_hash tree,
                     uint64_t *ret_size)
{
	blob_info info;
	int rc = hash_fd(fd, -1, UINT64_MAX, &info);
	if (rc)
		return rc;
	if (sodium_memcmp(info.digest, digest, 32) != 0 ||
	    (tree && sodium_memcmp(info.tree, tree, 32) != 0))
		return MAILLE_ECORRUPT;
	if (ret_size)
		*ret_size = info.size;
	return MAILLE_OK;
}

static int open_blob(const char *dir, const proto_blob_hash digest, int *ret_fd)
{
	char path[BLOB_PATH_MAX];
	int rc = blob_path(dir, digest, path, sizeof path);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? MAILLE_ENOTFOUND : MAILLE_EIO;
	*ret_fd = fd;
	return MAILLE_OK;
}

int blob_verify(const char *dir, const proto_blob_hash digest, const proto_blob_hash tree,
                uint64_t *ret_size)
{
	int fd, rc = open_blob(dir, digest, &fd);
	if (rc)
		return rc;
	rc = verify_fd(fd, digest, tree, ret_size);
	close(fd);
	return rc;
}

int blob_open(const char *dir, const proto_blob_hash digest, const proto_blob_hash tree,
              int *ret_fd, uint64_t *ret_size)
{
	int fd, rc = open_blob(dir, digest, &fd);
	if (rc)
		return rc;
	uint64_t size;
	rc = verify_fd(fd, digest, tree, &size);
	if (rc == MAILLE_OK && lseek(fd, 0, SEEK_SET) != 0)
		rc = MAILLE_EIO;
	if (rc) {
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	if (ret_size)
		*ret_size = size;
	return MAILLE_OK;
}

int blob_remove(const char *dir, const proto_blob_hash digest)
{
	char path[BLOB_PATH_MAX];
	int rc = blob_path(dir, digest, path, sizeof path);
	if (rc)
		return rc;
	if (unlink(path) != 0)
		return errno == ENOENT ? MAILLE_ENOTFOUND : MAILLE_EIO;
	return MAILLE_OK;
}

int blob_each(const char *dir, blob_each_fn fn, void *ctx)
{
	char base[BLOB_PATH_MAX];
	int rc = join(base, sizeof base, dir, "blobs");
	if (rc)
		return rc;
	DIR *top = opendir(base);
	if (!top)
		return errno == ENOENT ? MAILLE_OK : MAILLE_EIO;
	struct dirent *d;
	while (rc == MAILLE_OK && (d = readdir(top)) != NULL) {
		if (strlen(d->d_name) != 2 || unhex_nibble(d->d_name[0]) < 0 ||
		    unhex_nibble(d->d_name[1]) < 0)
			continue;
		char sub[BLOB_PATH_MAX];
		if ((rc = join(sub, sizeof sub, base, d->d_name)))
			break;
		DIR *in = opendir(sub);
		if (!in)
			continue;
		struct dirent *e;
		while (rc == MAILLE_OK && (e = readdir(in)) != NULL) {
			proto_blob_hash digest;
			char path[BLOB_PATH_MAX];
			struct stat st;
			if (!digest_from_names(d->d_name, e->d_name, digest) ||
			    join(path, sizeof path, sub, e->d_name) || stat(path, &st) != 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			rc = fn(ctx, digest, path, (uint64_t)st.st_size);
		}
		closedir(in);
	}
	closedir(top);
	return rc;
}

struct usage {
	uint64_t bytes;
	size_t count;
};

static int usage_add(void *ctx, const proto_blob_hash digest, const char *path, uint64_t size)
{
	(void)digest;
	(void)path;
	struct usage *u = ctx;
	u->bytes += size;
	u->count++;
	return 0;
}

int blob_usage(const char *dir, uint64_t *ret_bytes, size_t *ret_count)
{
	struct usage u = { 0, 0 };
	int rc = blob_each(dir, usage_add, &u);
	if (rc)
		return rc;
	*ret_bytes = u.bytes;
	*ret_count = u.count;
	return MAILLE_OK;
}

struct gc {
	blob_keep_fn keep;
	void *keep_ctx;
	blob_each_fn removed;
	void *removed_ctx;
	uint64_t bytes;
	size_t count;
};

static int gc_one(void *ctx, const proto_blob_hash digest, const char *path, uint64_t size)
{
	struct gc *g = ctx;
	if (g->keep(g->keep_ctx, digest))
		return 0;
	if (unlink(path) != 0)
		return errno == ENOENT ? 0 : MAILLE_EIO;
	g->bytes += size;
	g->count++;
	return g->removed ? g->removed(g->removed_ctx, digest, path, size) : 0;
}

int blob_gc(const char *dir, blob_keep_fn keep, void *keep_ctx, blob_each_fn removed,
            void *removed_ctx, uint64_t *ret_bytes, size_t *ret_count)
{
	struct gc g = { keep, keep_ctx, removed, removed_ctx, 0, 0 };
	int rc = blob_each(dir, gc_one, &g);
	/* Temporary files of a put that never finished (a crash between create and rename). */
	char tmpdir[BLOB_PATH_MAX];
	if (rc == MAILLE_OK && join(tmpdir, sizeof tmpdir, dir, "blobs/tmp") == 0) {
		DIR *td = opendir(tmpdir);
		struct dirent *e;
		while (td && (e = readdir(td)) != NULL) {
			char path[BLOB_PATH_MAX];
			struct stat st;
			if (e->d_name[0] == '.' || join(path, sizeof path, tmpdir, e->d_name) ||
			    lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || unlink(path) != 0)
				continue;
			g.bytes += (uint64_t)st.st_size;
			g.count++;
		}
		if (td)
			closedir(td);
	}
	*ret_bytes += g.bytes;
	*ret_count += g.count;
	return rc;
}

static int refs_add(blob_refs *r, const proto_blob_hash d)
{
	if (r->n == r->cap) {
		proto_blob_hash *p = proto_array_grow(r->digests, &r->cap, 64, sizeof *p);
		if (!p)
			return MAILLE_ENOMEM;
		r->digests = p;
	}
	memcpy(r->digests[r->n++], d, 32);
	return MAILLE_OK;
}

static int refs_row(const store_row *row, void *ctx)
{
	proto_arena a;
	proto_value *body;
	int rc = MAILLE_OK;
	proto_arena_init(&a, 0);
	if (proto_value_decode(row->entry.body, row->entry.body_len, &a, &body) == 0 &&
	    body->type == PROTO_V_MAP) {
		const proto_value *list = proto_map_get(body, PROTO_F_ATTACHMENTS);
		for (size_t i = 0; list && list->type == PROTO_V_ARRAY && i < list->u.arr.n && !rc;
		     i++) {
			const proto_value *item = &list->u.arr.items[i];
			const proto_value *d =
			    item->type == PROTO_V_MAP ? proto_map_get(item, PROTO_F_DIGEST) : NULL;
			proto_blob_hash h;
			if (d && d->type == PROTO_V_STR && proto_unhex(d->u.str.ptr, h, 32) == 0)
				rc = refs_add(ctx, h);
		}
	}
	proto_arena_done(&a);
	return rc;
}

static int hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, PROTO_BLOB_HASH_LEN);
}

int blob_referenced(struct store *st, blob_refs *ret)
{
	blob_refs r = { NULL, 0, 0 };
	int rc = store_since(st, 0, 0, refs_row, &r);
	if (rc) {
		free(r.digests);
		return rc;
	}
	if (r.n)
		qsort(r.digests, r.n, sizeof *r.digests, hash_cmp);
	size_t k = 0;
	for (size_t i = 0; i < r.n; i++)
		if (k == 0 || memcmp(r.digests[k - 1], r.digests[i], 32) != 0)
			memmove(r.digests[k++], r.digests[i], 32);
	r.n = k;
	*ret = r;
	return MAILLE_OK;
}

bool blob_referenced_has(void *refs, const proto_blob_hash digest)
{
	const blob_refs *r = refs;
	return r->n && bsearch(digest, r->digests, r->n, sizeof *r->digests, hash_cmp) != NULL;
}

void blob_refs_free(blob_refs *r)
{
	free(r->digests);
	r->digests = NULL;
	r->n = r->cap = 0;
}
