/* tests/unit/node/test_blob.c: the blob store (node/service/blob.h, PROTOCOL.md §6). */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"
#include "node/service/blob.h"
#include "proto/error.h"
#include "tests/fixture/tmpdir.h"

static char dir_[FIXTURE_TMPDIR_CAP];

/* Writes n bytes (byte i is (i * seed) mod 251) to DIR/name; returns its path. */
static const char *source(const char *name, size_t n, unsigned seed)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir_, name);
	FILE *f = fopen(path, "wb");
	for (size_t i = 0; i < n; i++)
		fputc((int)((i * seed) % 251), f);
	fclose(f);
	return path;
}

static size_t tmp_files(void)
{
	char path[256];
	snprintf(path, sizeof path, "%s/blobs/tmp", dir_);
	DIR *d = opendir(path);
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_put_get(void)
{
	blob_info a, again;
	size_t n = PROTO_BLOB_CHUNK * 2 + 100;
	CHECK_EQ_INT(blob_put_file(dir_, source("guide.pdf", n, 7), UINT64_MAX, UINT64_MAX, &a), 0);
	CHECK_EQ_INT(a.size, n);
	CHECK(blob_has(dir_, a.digest));
	CHECK_EQ_INT(tmp_files(), 0);
	/* the digest is the whole content's BLAKE2b-256 */
	uint8_t *buf = malloc(n), want[32];
	FILE *f = fopen(source("guide.pdf", n, 7), "rb");
	CHECK_EQ_INT(fread(buf, 1, n, f), n);
	fclose(f);
	crypto_generichash(want, 32, buf, n, NULL, 0);
	CHECK(memcmp(want, a.digest, 32) == 0);
	/* stored where blob_path says, and read back whole */
	char path[BLOB_PATH_MAX];
	CHECK_EQ_INT(blob_path(dir_, a.digest, path, sizeof path), 0);
	char h[3];
	snprintf(h, sizeof h, "%02x", a.digest[0]);
	CHECK(strstr(path, "/blobs/") && strstr(path, h));
	int fd = -1;
	uint64_t size = 0;
	CHECK_EQ_INT(blob_open(dir_, a.digest, a.tree, &fd, &size), 0);
	CHECK_EQ_INT(size, n);
	uint8_t *back = malloc(n + 1);
	CHECK_EQ_INT(read(fd, back, n + 1), (ssize_t)n);
	CHECK(memcmp(back, buf, n) == 0);
	close(fd);
	/* the same content again is the same blob */
	CHECK_EQ_INT(blob_put_file(dir_, source("copie.pdf", n, 7), UINT64_MAX, UINT64_MAX, &again), 0);
	CHECK(memcmp(again.digest, a.digest, 32) == 0 && memcmp(again.tree, a.tree, 32) == 0);
	uint64_t bytes = 0;
	size_t count = 0;
	CHECK_EQ_INT(blob_usage(dir_, &bytes, &count), 0);
	CHECK_EQ_INT(count, 1);
	CHECK_EQ_INT(bytes, n);

	/* one byte changed on disk: opening and verifying refuse it */
	fd = open(path, O_WRONLY);
	CHECK(pwrite(fd, "X", 1, PROTO_BLOB_CHUNK + 3) == 1);
	close(fd);
	CHECK(blob_has(dir_, a.digest));
	CHECK_EQ_INT(blob_verify(dir_, a.digest, NULL, NULL), MAILLE_ECORRUPT);
	fd = -1;
	CHECK_EQ_INT(blob_open(dir_, a.digest, a.tree, &fd, &size), MAILLE_ECORRUPT);
	CHECK_EQ_INT(fd, -1);
	/* a wrong tree is refused even when the digest holds */
	CHECK_EQ_INT(blob_remove(dir_, a.digest), 0);
	CHECK_EQ_INT(blob_put_file(dir_, source("guide.pdf", n, 7), UINT64_MAX, UINT64_MAX, &a), 0);
	CHECK_EQ_INT(blob_verify(dir_, a.digest, a.tree, &size), 0);
	proto_blob_hash bad;
	memcpy(bad, a.tree, 32);
	bad[0] ^= 1;
	CHECK_EQ_INT(blob_verify(dir_, a.digest, bad, NULL), MAILLE_ECORRUPT);
	CHECK_EQ_INT(blob_remove(dir_, a.digest), 0);
	CHECK_EQ_INT(blob_remove(dir_, a.digest), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(blob_verify(dir_, a.digest, NULL, NULL), MAILLE_ENOTFOUND);
	CHECK(!blob_has(dir_, a.digest));
	free(buf);
	free(back);
}

static void test_limits(void)
{
	blob_info a, b;
	uint64_t bytes = 0;
	size_t count = 0;
	CHECK_EQ_INT(blob_usage(dir_, &bytes, &count), 0);
	CHECK_EQ_INT(count, 0);
	/* max_size: refused, nothing stays */
	CHECK_EQ_INT(blob_put_file(dir_, source("gros.zip", 5000, 3), 4999, UINT64_MAX, &a),
	             MAILLE_ETOOBIG);
	CHECK_EQ_INT(blob_put_file(dir_, source("gros.zip", 5000, 3), 5000, 10000, &a), 0);
	/* the budget counts what is stored: 5000 + 5001 > 10000 */
	CHECK_EQ_INT(blob_put_file(dir_, source("grille.csv", 5001, 5), UINT64_MAX, 10000, &b),
	             MAILLE_EQUOTA);
	CHECK_EQ_INT(blob_put_file(dir_, source("grille.csv", 5000, 5), UINT64_MAX, 10000, &b), 0);
	/* a blob already there costs nothing */
	CHECK_EQ_INT(blob_put_file(dir_, source("gros.zip", 5000, 3), UINT64_MAX, 10000, &a), 0);
	CHECK_EQ_INT(blob_usage(dir_, &bytes, &count), 0);
	CHECK_EQ_INT(count, 2);
	CHECK_EQ_INT(bytes, 10000);
	CHECK_EQ_INT(tmp_files(), 0);
	CHECK_EQ_INT(blob_put_file(dir_, "/nonexistent/file", UINT64_MAX, UINT64_MAX, &a),
	             MAILLE_ENOTFOUND);
	CHECK_EQ_INT(blob_put_file(dir_, dir_, UINT64_MAX, UINT64_MAX, &a), MAILLE_EINVAL);
}

struct keep_one {
	proto_blob_hash digest;
	size_t told;
};

static bool keep(void *ctx, const proto_blob_hash digest)
{
	return memcmp(((struct keep_one *)ctx)->digest, digest, 32) == 0;
}

static int told(void *ctx, const proto_blob_hash digest, const char *path, uint64_t size)
{
	(void)digest;
	(void)path;
	(void)size;
	((struct keep_one *)ctx)->told++;
	return 0;
}

static void test_gc(void)
{
	blob_info a, b, c;
	CHECK_EQ_INT(blob_put_file(dir_, source("a.pdf", 100, 11), UINT64_MAX, UINT64_MAX, &a), 0);
	CHECK_EQ_INT(blob_put_file(dir_, source("b.pdf", 200, 13), UINT64_MAX, UINT64_MAX, &b), 0);
	CHECK_EQ_INT(blob_put_file(dir_, source("c.pdf", 300, 17), UINT64_MAX, UINT64_MAX, &c), 0);
	/* a left-over temporary file of a put that never finished */
	char path[256];
	snprintf(path, sizeof path, "%s/blobs/tmp/put.abcdef", dir_);
	FILE *f = fopen(path, "wb");
	fputs("moitié", f);
	fclose(f);
	struct keep_one k;
	memcpy(k.digest, b.digest, 32);
	k.told = 0;
	uint64_t bytes = 0;
	size_t count = 0, before = 0;
	uint64_t total = 0;
	CHECK_EQ_INT(blob_usage(dir_, &total, &before), 0);
	CHECK_EQ_INT(blob_gc(dir_, keep, &k, told, &k, &bytes, &count), 0);
	CHECK(blob_has(dir_, b.digest));
	CHECK(!blob_has(dir_, a.digest));
	CHECK(!blob_has(dir_, c.digest));
	CHECK_EQ_INT(tmp_files(), 0);
	CHECK_EQ_INT(k.told, before - 1);
	CHECK_EQ_INT(count, before - 1 + 1);
	CHECK_EQ_INT(bytes, total - 200 + strlen("moitié"));
	CHECK_EQ_INT(blob_verify(dir_, b.digest, b.tree, NULL), 0);
}

static void run(void (*t)(void))
{
	fixture_tmpdir_make(dir_, "blob");
	t();
	fixture_tmpdir_remove(dir_);
}

static void test_all(void)
{
	run(test_put_get);
	run(test_limits);
	run(test_gc);
}

CHECK_MAIN(test_all)
