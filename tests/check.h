/* tests/check.h: the minimal test harness of the unit suites.
 *
 * A test file defines functions `static void test_x(void)` and lists them in
 * CHECK_MAIN(test_a, test_b, ...). CHECK(cond) records a failure with file and line and goes
 * on; the executable exits 1 if any check failed, so meson counts the test as failed. */
#ifndef MAILLE_TESTS_CHECK_H
#define MAILLE_TESTS_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures_;
static int check_count_;

#define CHECK(cond)                                                                               \
	do {                                                                                          \
		check_count_++;                                                                           \
		if (!(cond)) {                                                                            \
			check_failures_++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
		}                                                                                         \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                        \
	do {                                                                                          \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                           \
		check_count_++;                                                                           \
		if (check_a_ != check_b_) {                                                               \
			check_failures_++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__,          \
			        __LINE__, #a, #b, check_a_, check_b_);                                        \
		}                                                                                         \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                                        \
	do {                                                                                          \
		const char *check_a_ = (a), *check_b_ = (b);                                              \
		check_count_++;                                                                           \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                          \
			check_failures_++;                                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__,      \
			        __LINE__, #a, #b, check_a_ ? check_a_ : "(null)",                             \
			        check_b_ ? check_b_ : "(null)");                                              \
		}                                                                                         \
	} while (0)

/* Writes the bytes of the hex digits s (two a byte, up to the end or the first pair that is
 * not hex) into out; returns their count. */
static inline size_t check_unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; s[0] && s[1]; s += 2) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

typedef void (*check_fn_)(void);

static inline int check_run_(const char *const *names, const check_fn_ *fns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int before = check_failures_;
		fns[i]();
		fprintf(stderr, "%s %s\n", check_failures_ == before ? "ok  " : "FAIL", names[i]);
	}
	fprintf(stderr, "%d checks, %d failed\n", check_count_, check_failures_);
	return check_failures_ ? 1 : 0;
}

#define CHECK_STR_(x) #x

/* For a test that needs its command line (for instance a data directory that meson passes):
 * CHECK_MAIN_ARGS(test_a, ...) builds main(argc, argv), and the tests read CHECK_ARGC and
 * CHECK_ARGV. The arguments live in a static inside an inline function so that test files
 * which do not use them get no unused-variable warning. */
typedef struct {
	int argc;
	char **argv;
} check_args_t_;

static inline check_args_t_ *check_args_(void)
{
	static check_args_t_ args;
	return &args;
}

#define CHECK_ARGC (check_args_()->argc)
#define CHECK_ARGV (check_args_()->argv)

/* The main() of CHECK_MAIN and CHECK_MAIN_ARGS: each test named from the list as written
 * ("test_a, test_b"), then run. */
static inline int check_main_(const char *list, const check_fn_ *fns, size_t n, int argc,
                              char **argv)
{
	check_args_()->argc = argc;
	check_args_()->argv = argv;
	size_t len = strlen(list) + 1, k = 0;
	char *buf = malloc(len);
	const char **ns = malloc(n * sizeof *ns);
	if (!buf || !ns) {
		fprintf(stderr, "check: out of memory\n");
		return 1;
	}
	memcpy(buf, list, len);
	for (char *p = strtok(buf, ", "); p && k < n; p = strtok(NULL, ", "))
		ns[k++] = p;
	while (k < n)
		ns[k++] = "?";
	int r = check_run_(ns, fns, n);
	free(ns);
	free(buf);
	return r;
}

#define CHECK_MAIN(...)                                                                           \
	int main(void)                                                                                \
	{                                                                                             \
		static const check_fn_ fns[] = {__VA_ARGS__};                                             \
		return check_main_(#__VA_ARGS__, fns, sizeof fns / sizeof fns[0], 0, NULL);               \
	}

#define CHECK_MAIN_ARGS(...)                                                                      \
	int main(int argc, char **argv)                                                               \
	{                                                                                             \
		static const check_fn_ fns[] = {__VA_ARGS__};                                             \
		return check_main_(#__VA_ARGS__, fns, sizeof fns / sizeof fns[0], argc, argv);            \
	}

#endif
