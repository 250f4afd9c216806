/* tests/fuzz/replay.c: runs a fuzz target on every file of its corpus, as an ordinary test.
 *
 *   replay_<target> DIR|FILE...
 *
 * Files of a directory run in name order so that a failure is reproducible; a property that
 * does not hold aborts the process, which fails the test. Prints how many inputs ran. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			fprintf(stderr, "replay: out of memory\n");
			return 1;
		}
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		uint8_t *bigger = realloc(buf, cap * 2);
		if (!bigger)
			free(buf);
		buf = bigger;
		cap *= 2;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		return 1;
	}
	/* A copy of exactly len bytes, so the sanitizers see any read past the input. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		fprintf(stderr, "replay: out of memory\n");
		return 1;
	}
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir; adds the number run to *n_run. */
static int run_dir(const char *dir, size_t *n_run)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 1;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ".", ".." and hidden files such as editor leftovers */
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **bigger = realloc(names, ncap * sizeof *names);
			if (!bigger)
				goto out;
			names = bigger;
			cap = ncap;
		}
		size_t plen = strlen(dir) + 1 + strlen(de->d_name) + 1;
		names[n] = malloc(plen);
		if (!names[n])
			goto out;
		snprintf(names[n], plen, "%s/%s", dir, de->d_name);
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	ret = 0;
	for (size_t i = 0; i < n && !ret; i++) {
		struct stat st;
		if (stat(names[i], &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		ret = run_file(names[i]);
		if (!ret)
			(*n_run)++;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	if (ret)
		fprintf(stderr, "replay: %s: failed\n", dir);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	size_t n_run = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		int r;
		if (S_ISDIR(st.st_mode)) {
			r = run_dir(argv[i], &n_run);
		} else {
			r = run_file(argv[i]);
			n_run += r == 0;
		}
		if (r)
			return 1;
	}
	printf("replayed %zu inputs\n", n_run);
	/* an empty corpus means a wrong path, not a pass */
	return n_run ? 0 : 1;
}
