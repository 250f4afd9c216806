/* tools/bench/bench_util.h: what the maille-bench programs share (defined in bench.c), and the
 * entry points of the subcommands that live in their own files. */
#ifndef MAILLE_TOOLS_BENCH_UTIL_H
#define MAILLE_TOOLS_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "store/store.h"

/* CLOCK_MONOTONIC in seconds. */
double bench_now_s(void);
/* qsort comparator for doubles, and the p-quantile (0..1) of n sorted values (n > 0). */
int bench_cmp_double(const void *a, const void *b);
double bench_pct(double *sorted, size_t n, double p);
/* The CPU's model name from /proc/cpuinfo ("unknown CPU" if none). */
void bench_cpu_model(char *ret, size_t cap);
/* "maille-bench [MODE] VERSION — CPU, N cores online" (mode may be NULL). */
void bench_print_header(const char *mode);

/* Generated record `index` of `seed` (tools/bench/gen.h), signed as (pk, sk) with timestamp ts,
 * encoded into a malloc'd buffer. 0 or a maille code. */
int bench_make_entry(uint64_t seed, uint64_t index, const uint8_t pk[32], const uint8_t *sk,
                     uint64_t ts, uint8_t **ret, size_t *ret_len);

/* Signs and stores the records first .. first+n-1 of seed through store_entry_put, in
 * transactions of 1000 (distinct past timestamps). Prints progress on a terminal and errors
 * on stderr. Returns 0 or EXIT_FAIL; *ret_secs and *ret_bytes (signed bytes) on success. */
int bench_publish(store *st, const uint8_t pk[32], const uint8_t *sk, uint64_t seed, uint64_t first,
                  uint64_t n, double *ret_secs, uint64_t *ret_bytes);

/* Ed25519 on one core over a typical generated entry's signed bytes, each measured for about
 * a second: sign rate (skipped when ret_sign is NULL) and verify rate, per second. Returns 0,
 * or -1 if a signature did not verify. *ret_entry_len: the sample entry's size. */
int bench_ed25519_rates(double *ret_sign, double *ret_verify, size_t *ret_entry_len);

/* The number option name of opts into *ret, def when it is
 * absent: 0, or EXIT_USAGE with a usage error for cmd printed when it is not a number from min
 * to max ("--NAME wants a number from MIN to MAX", or why when not NULL). */
int bench_opt_num(const char *cmd, const cli_opt *opts, const char *name, unsigned long long def,
                  unsigned long long min, unsigned long long max, const char *why,
                  unsigned long long *ret);

/* Finds the `maille` next to this program and makes the working directory (dir, which must
 * be empty, or a new temporary /tmp/maille-bench-WHAT-XXXXXX: *ret_temp); bench_maille() and
 * bench_root() give them (bench_sync.c). Prints the error; -1. */
int bench_workspace(const char *dir, const char *what, bool *ret_temp);
const char *bench_maille(void);
const char *bench_root(void);

/* Runs maille with argv (NULL-terminated, argv[0] the binary) under LANG=lang, standard input
 * and output on /dev/null, stderr into err_path. Its exit code, or -1; *ret_cpu_ms its CPU
 * time (user + system), which a loaded machine changes less than the wall time; *ret_rss_kb
 * (may be NULL) its peak resident memory (bench_write.c). */
int bench_run(char *const *argv, const char *lang, const char *err_path, double *ret_cpu_ms,
              long *ret_rss_kb);

/* Removes a directory tree this run created (bench_sync.c). */
void bench_rm_tree(const char *path);

/* `maille-bench sync` (bench_sync.c): argv after "sync"; returns the exit code. */
int bench_sync_main(int argc, char **argv);
int bench_federation_main(int argc, char **argv); /* bench_sync.c */
int bench_write_main(int argc, char **argv);      /* bench_write.c */
int bench_import_main(int argc, char **argv);     /* bench_import.c */

#endif
