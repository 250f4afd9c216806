/* tools/bench/bench.c: maille-bench, the benchmark programs. Figures are printed, never asserted.
 *
 *   maille-bench [--n N] [--dir DIR]        sign/verify rates, bulk publish, search, size
 *   maille-bench gen --dir DIR --n N        write N generated records into an existing node
 *   maille-bench channel                    handshakes/s, secure channel throughput
 *   maille-bench sync [--n N] [--nodes K]   ingest, reconciliation and propagation between
 *                                           real `maille` processes (bench_sync.c)
 *   maille-bench write [--runs N]           new + publish --dry-run of a record with ten
 *                                           faults, in English and French (bench_write.c)
 *
 * Everything runs on the paths a user runs: real signing, the real store with its full-text
 * index, real files. */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_channel.h"
#include "bench_util.h"
#include "bench_web.h"
#include "cli.h"
#include "gen.h"
#include "maille_config.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "proto/value.h"
/* the entry fixture the tests share: the benchmarks' one use of tests/ */
#include "tests/fixture/entry_fixture.h"

#define BATCH 1000

int bench_opt_num(const char *cmd, const cli_opt *opts, const char *name, unsigned long long def,
                  unsigned long long min, unsigned long long max, const char *why,
                  unsigned long long *ret)
{
	const char *s = cli_opt_get(opts, name);
	if (!s) {
		*ret = def;
		return 0;
	}
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v < min || v > max) {
		if (why)
			return cli_usage_error(cmd, "%s", why);
		return cli_usage_error(cmd, "--%s wants a number from %llu to %llu", name, min,
		                       max);
	}
	*ret = v;
	return 0;
}

double bench_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double bench_pct(double *sorted, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

void bench_cpu_model(char *ret, size_t cap)
{
	snprintf(ret, cap, "unknown CPU");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "model name", 10) == 0) {
			char *c = strchr(line, ':');
			if (c) {
				c += 2;
				c[strcspn(c, "\n")] = '\0';
				snprintf(ret, cap, "%s", c);
			}
			break;
		}
	}
	fclose(f);
}

/* Generates record i, signs it as (pk, sk) and returns its encoding. */
int bench_make_entry(uint64_t seed, uint64_t i, const uint8_t pk[32], const uint8_t *sk,
                     uint64_t ts, uint8_t **ret, size_t *ret_len)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	char path[160];
	proto_value *body = gen_record(&a, seed, i, path, sizeof path);
	uint8_t *enc = NULL;
	size_t enc_len;
	int r = body ? proto_value_encode(body, PROTO_ENTRY_MAX, &enc, &enc_len) : MAILLE_ENOMEM;
	if (!r) {
		fixture_entry f = {.path = path, .timestamp = ts, .body = enc, .body_len = enc_len};
		r = fixture_entry_sign(&f, pk, sk, ret, ret_len);
	}
	free(enc);
	proto_arena_done(&a);
	return r;
}

/* Signs and stores n records in batched transactions; prints progress on a terminal. */
static double t_make, t_put, t_commit; /* seconds in each phase of the last bench_publish */

int bench_publish(store *st, const uint8_t pk[32], const uint8_t *sk, uint64_t seed,
                  uint64_t first, uint64_t n, double *ret_secs, uint64_t *ret_bytes)
{
	double t0 = bench_now_s();
	t_make = t_put = t_commit = 0;
	uint64_t base = cli_now_us() - n; /* distinct, past timestamps */
	uint64_t bytes = 0;
	bool tty = isatty(2);
	for (uint64_t i = 0; i < n; i += BATCH) {
		int r = store_begin(st);
		for (uint64_t k = i; !r && k < i + BATCH && k < n; k++) {
			uint8_t *raw;
			size_t len;
			double p0 = bench_now_s();
			r = bench_make_entry(seed, first + k, pk, sk, base + k, &raw, &len);
			double p1 = bench_now_s();
			t_make += p1 - p0;
			if (!r) {
				bytes += len;
				r = store_entry_put(st, raw, len, cli_now_us(), NULL);
				free(raw);
			}
			t_put += bench_now_s() - p1;
		}
		if (r) {
			store_rollback(st);
			fprintf(stderr, "maille-bench: publish failed: %s\n", maille_strerror(r));
			return EXIT_FAIL;
		}
		double c0 = bench_now_s();
		r = store_commit(st);
		t_commit += bench_now_s() - c0;
		if (r) {
			fprintf(stderr, "maille-bench: commit failed: %s\n", maille_strerror(r));
			return EXIT_FAIL;
		}
		if (tty)
			fprintf(stderr, "\r  published %llu / %llu", (unsigned long long)(i + BATCH < n ? i + BATCH : n),
			        (unsigned long long)n);
	}
	if (tty)
		fputc('\n', stderr);
	*ret_secs = bench_now_s() - t0;
	*ret_bytes = bytes;
	return 0;
}

int bench_ed25519_rates(double *ret_sign, double *ret_verify, size_t *ret_entry_len)
{
	uint8_t pk[32], *sk = sodium_malloc(64);
	*ret_entry_len = 0;
	if (!sk)
		return -1;
	crypto_sign_keypair(pk, sk);
	uint8_t *raw;
	size_t raw_len;
	if (bench_make_entry(7, 0, pk, sk, cli_now_us(), &raw, &raw_len)) {
		sodium_free(sk);
		return -1;
	}
	/* the signed bytes: the entry without its trailing signature (bin 8 header + 64 bytes) */
	size_t signed_len = raw_len - 66;
	uint8_t sig[64];
	crypto_sign_detached(sig, NULL, raw, signed_len, sk);
	size_t iters = 0;
	double t0, t;
	if (ret_sign) {
		t0 = bench_now_s();
		while ((t = bench_now_s() - t0) < 1.0) {
			for (int k = 0; k < 200; k++)
				crypto_sign_detached(sig, NULL, raw, signed_len, sk);
			iters += 200;
		}
		*ret_sign = (double)iters / t;
	}
	iters = 0;
	t0 = bench_now_s();
	int bad = 0;
	while ((t = bench_now_s() - t0) < 1.0) {
		for (int k = 0; k < 200; k++)
			bad |= crypto_sign_verify_detached(sig, raw, signed_len, pk);
		iters += 200;
	}
	*ret_verify = (double)iters / t;
	*ret_entry_len = raw_len;
	free(raw);
	sodium_free(sk);
	return bad ? -1 : 0;
}

void bench_print_header(const char *mode)
{
	char cpu[256];
	bench_cpu_model(cpu, sizeof cpu);
	printf("maille-bench%s%s %s — %s, %ld cores online\n", mode ? " " : "", mode ? mode : "",
	       MAILLE_VERSION, cpu, sysconf(_SC_NPROCESSORS_ONLN));
}

static const char gen_help[] =
	"usage: maille-bench gen --dir DIR --n N [--seed S]\n"
	"\n"
	"Writes N signed, realistic, varied catalogue records with distinct paths across the four\n"
	"types (no edits, no tombstones) into the initialised node at DIR, signed by its key.\n"
	"The same seed gives the same records.\n";

static int cmd_gen(int argc, char **argv)
{
	cli_opt opts[] = {{"n", true, NULL}, {"seed", true, NULL}, {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("gen", gen_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	unsigned long long n, seed;
	if ((r = bench_opt_num("gen", opts, "n", 0, 1, 10000000ull, NULL, &n)))
		return r;
	if (n == 0) /* --n is required */
		return cli_usage_error("gen", "--n wants a number from 1 to 10000000");
	if ((r = bench_opt_num("gen", opts, "seed", 1, 0, ULLONG_MAX, "--seed wants a number",
	                       &seed)))
		return r;
	node_dir nd;
	if (cli_node_open(&nd, a.dir))
		return EXIT_FAIL;
	double secs;
	uint64_t bytes;
	r = bench_publish(nd.st, nd.pk, nd.sk, seed, 0, n, &secs, &bytes);
	node_dir_close(&nd);
	if (r)
		return EXIT_FAIL;
	fprintf(stderr, "generated %llu records in %.1f s\n", n, secs);
	return EXIT_OK;
}

typedef struct count_ctx {
	size_t n;
} count_ctx;

static int count_cb(const store_row *row, void *ctx)
{
	(void)row;
	((count_ctx *)ctx)->n++;
	return 0;
}

static const char bench_help[] =
	"usage: maille-bench [--n N] [--dir DIR]\n"
	"       maille-bench gen --dir DIR --n N [--seed S]\n"
	"       maille-bench channel\n"
	"       maille-bench sync [--n N] [--nodes K] [--only ingest|reconcile|propagation]\n"
	"                         [--dir DIR]\n"
	"       maille-bench web [--n N] [--requests R] [--seconds S] [--clients C] [--dir DIR]\n"
	"       maille-bench federation [--entries N] [--territories T] [--vouches V] [--dir DIR]\n"
	"       maille-bench write [--runs N]\n"
	"       maille-bench import [--n N] [--rows R] [--dir DIR]\n"
	"\n"
	"Prints: single-core Ed25519 sign and verify rates; bulk publish of N generated records\n"
	"(default 100000) through the store API in batched transactions (generate + sign + verify\n"
	"+ store + full-text index), with the ratio to the sign rate; search latency p50/p99 for\n"
	"100 varied queries; the store's size on disk. --dir keeps the store there (default: a\n"
	"temporary directory, removed at the end).\n"
	"'channel' prints handshakes per second on one core and the secure channel's throughput\n"
	"between two processes over loopback, next to the raw ChaCha20-Poly1305 rate.\n"
	"'sync' runs real `maille` processes over 127.0.0.1: a one-shot sync of N entries into\n"
	"an empty node (entries/s against the verify rate), reconciliation of N entries with 0,\n"
	"10 and 1000 differences, and propagation of 50 entries through K daemons (see\n"
	"'maille-bench sync --help').\n"
	"'federation' times the trust view for 1000 territories and 5000 vouches, and a\n"
	"newcomer's `maille join` into 5 nodes holding 20000 entries (see 'maille-bench\n"
	"federation --help').\n"
	"'write' times 'maille new' and 'maille publish --dry-run' reporting every fault of a\n"
	"record with ten (see 'maille-bench write --help').\n"
	"'import' times 'maille import markdown' of N generated records into a fresh node\n"
	"against the sign rate, and 'maille import inventaire-csv' of R rows (see\n"
	"'maille-bench import --help').\n";

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "C");
	if (proto_init()) {
		fprintf(stderr, "maille-bench: cannot initialise libsodium\n");
		return EXIT_FAIL;
	}
	if (argc > 1 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "channel") == 0)
		return bench_channel_run();
	if (argc > 1 && strcmp(argv[1], "sync") == 0)
		return bench_sync_main(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "web") == 0)
		return bench_web_main(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "federation") == 0)
		return bench_federation_main(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "write") == 0)
		return bench_write_main(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "import") == 0)
		return bench_import_main(argc - 2, argv + 2);
	cli_opt opts[] = {{"n", true, NULL}, {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("bench", bench_help, argc - 1, argv + 1, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	unsigned long long n;
	if ((r = bench_opt_num("bench", opts, "n", 100000, 1, 10000000ull, NULL, &n)))
		return r;

	bench_print_header(NULL);

	/* 1. Ed25519 on one core, over a typical entry's signed bytes */
	double sign_rate, verify_rate;
	size_t raw_len;
	int bad = bench_ed25519_rates(&sign_rate, &verify_rate, &raw_len);
	if (bad && raw_len == 0) {
		fprintf(stderr, "maille-bench: cannot build a sample entry\n");
		return EXIT_FAIL;
	}
	printf("\nEd25519, one core, %zu-byte entry: sign %.0f/s, verify %.0f/s%s\n", raw_len,
	       sign_rate, verify_rate, bad ? " (VERIFY FAILED)" : "");
	uint8_t pk[32], *sk = sodium_malloc(64);
	crypto_sign_keypair(pk, sk);

	/* 2. bulk publish through the store API */
	char tmpl[] = "/tmp/maille-bench-XXXXXX";
	char dir[4096];
	bool temp = !a.dir;
	if (temp) {
		if (!mkdtemp(tmpl)) {
			fprintf(stderr, "maille-bench: mkdtemp: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		snprintf(dir, sizeof dir, "%s", tmpl);
	} else {
		snprintf(dir, sizeof dir, "%s", a.dir);
		mkdir(dir, 0700);
	}
	char sp[4200];
	snprintf(sp, sizeof sp, "%s/bench.sqlite", dir);
	store *st;
	if ((r = store_open(sp, STORE_OPEN_CREATE, &st))) {
		fprintf(stderr, "maille-bench: %s: %s\n", sp, maille_strerror(r));
		return EXIT_FAIL;
	}
	double secs;
	uint64_t bytes;
	printf("\nBulk publish: %llu generated records (4 types, French text), %d per transaction,\n"
	       "each generated, signed, then put (decode + verify + live-set rule + FTS5 index)\n",
	       n, BATCH);
	if (bench_publish(st, pk, sk, 1, 0, n, &secs, &bytes))
		return EXIT_FAIL;
	double rate = (double)n / secs;
	printf("  %.1f s, %.0f entries/s, mean entry %.0f bytes\n", secs, rate,
	       (double)bytes / (double)n);
	printf("  time: generate + encode + sign %.1f s, put (decode + verify + store + index) %.1f s,\n"
	       "  commits %.1f s\n",
	       t_make, t_put, t_commit);
	printf("  ratio to the single-core sign rate: %.2f (each entry is signed AND verified here,\n"
	       "  on one thread, so 1 / (1/sign + 1/verify) = %.0f/s bounds it)\n",
	       rate / sign_rate, 1.0 / (1.0 / sign_rate + 1.0 / verify_rate));

	/* 3. search latency: a long tail of rare words (code names, ~7 records each at 100k),
	 * places (~1/120 of the records, typed with and without accents), topic words (~1/20),
	 * pairs, prefixes, and words present in most records. */
	const char *queries[100];
	char qbuf[100][64];
	size_t nq = 0, nb = 0;
	for (uint64_t k = 0; nq < 35; k++) {
		gen_codename(k * 397u % 13824u, qbuf[nb], sizeof qbuf[nb]);
		queries[nq++] = qbuf[nb++];
	}
	for (size_t i = 0; nq < 55; i += 6)
		queries[nq++] = gen_communes[i];
	static const char *const unaccented[] = {"besancon", "perigueux", "saint-etienne",
	                                         "orleans", "nimes", "chateauroux", "epinal",
	                                         "evry", "sete", "beziers"};
	for (size_t i = 0; i < 10; i++)
		queries[nq++] = unaccented[i];
	for (size_t i = 0; gen_words_rare[i] && nq < 80; i++)
		queries[nq++] = gen_words_rare[i];
	static const char *const tail[] = {"crèche tri", "fuites eau", "piscines fréquentation",
	                                   "logements sociaux", "îlots chaleur", "ilots",
	                                   "délib", "pisc", "trans", "agents"};
	for (size_t i = 0; i < 10; i++)
		queries[nq++] = tail[i];
	for (size_t i = 0; gen_words_common[i] && nq < 100; i++)
		queries[nq++] = gen_words_common[i];
	while (nq < 100)
		queries[nq++] = "intelligence artificielle";
	double lat_small[100], lat_big[100], lat_all[100];
	size_t n_small = 0, n_big = 0;
	for (size_t i = 0; i < nq; i++) {
		count_ctx cc = {0};
		store_filter f = {0};
		store_search(st, queries[i], &f, MAILLE_SEARCH_LIMIT_MAX, count_cb, &cc); /* warm, count */
		count_ctx c2 = {0};
		double q0 = bench_now_s();
		store_search(st, queries[i], &f, 20, count_cb, &c2);
		double ms = (bench_now_s() - q0) * 1000.0;
		lat_all[i] = ms;
		if (cc.n <= 1000)
			lat_small[n_small++] = ms;
		else
			lat_big[n_big++] = ms;
	}
	qsort(lat_all, nq, sizeof(double), bench_cmp_double);
	qsort(lat_small, n_small, sizeof(double), bench_cmp_double);
	qsort(lat_big, n_big, sizeof(double), bench_cmp_double);
	printf("\nSearch, %zu queries (words, accented and not, prefixes, pairs), top 20 by bm25\n"
	       "with snippets, warm cache:\n",
	       nq);
	printf("  all:                   p50 %.2f ms, p99 %.2f ms\n", bench_pct(lat_all, nq, 0.5),
	       bench_pct(lat_all, nq, 0.99));
	if (n_small)
		printf("  %3zu matching <= 1000:  p50 %.2f ms, p99 %.2f ms (target p99 < 10 ms)\n",
		       n_small, bench_pct(lat_small, n_small, 0.5), bench_pct(lat_small, n_small, 0.99));
	if (n_big)
		printf("  %3zu matching > 1000:   p50 %.2f ms, p99 %.2f ms (target < 50 ms)\n", n_big,
		       bench_pct(lat_big, n_big, 0.5), bench_pct(lat_big, n_big, 0.99));

	/* 4. size on disk, after the WAL is folded back by close */
	store_close(st);
	struct stat sb;
	double mb = stat(sp, &sb) == 0 ? (double)sb.st_size / 1048576.0 : 0;
	printf("\nStore on disk: %.1f MiB for %llu entries (%.0f bytes/entry, %.1f MiB of signed "
	       "entries)\n",
	       mb, n, mb * 1048576.0 / (double)n, (double)bytes / 1048576.0);
	if (temp) {
		char p2[4200];
		const char *files[] = {"bench.sqlite", "bench.sqlite-wal", "bench.sqlite-shm"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(p2, sizeof p2, "%s/%s", dir, files[i]);
			unlink(p2);
		}
		rmdir(dir);
	}
	sodium_free(sk);
	return EXIT_OK;
}
