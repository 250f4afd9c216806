/* tools/bench/bench_sync.c: `maille-bench sync` — what synchronisation costs on the path a user
 * runs.
 *
 * Every figure comes from real `maille` processes (the binary next to maille-bench), real
 * stores with their full-text index, and real TCP on 127.0.0.1 with ephemeral ports:
 *   1. ingest: `maille sync` of an empty node B with a daemon A holding N entries, against
 *      the single-core Ed25519 verify rate measured in the same run;
 *   2. reconcile: A and B with the same N entries plus 0, 10 and 1000 differences, by a real
 *      sync and by the Negentropy state machine alone, in memory; 2b. upload (with ingest):
 *      `maille sync` of B holding N (at most 40 000) entries A lacks, and the bytes it
 *      receives;
 *   3. propagation: K daemons linked at random, 50 entries written one at a time at random
 *      nodes, time until the last node has each.
 * Figures are printed, never asserted. Progress goes to stderr, results to stdout.
 *
 * Setup that is not timed (publishing the N entries, creating nodes, adding peers) runs in
 * this process through the store API or as `maille` commands. What is timed runs in the
 * `maille` processes, except the in-memory reconciliation, which measures the Negentropy
 * state machine alone on purpose, and the propagation's publishes, written into a node's
 * store from here as `maille publish` would (the daemon sees them the same way). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "cli.h"
#include "gen.h"
#include "maille_config.h"
#include "node/daemon/node.h"
#include "node/service/addr.h"
#include "node/service/state.h"
#include "node/service/trust.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/invite.h"
#include "proto/member.h"
/* PROTO_SESSION_FRAME_LIMIT: the in-memory reconciliation uses the very frame limit a
 * session uses, and follows it if it changes. */
#include "proto/session.h"
/* the entry fixture the tests share: the benchmarks' one use of tests/ */
#include "tests/fixture/entry_fixture.h"

#define N_PUBLISH 50u       /* entries of the propagation measurement */
#define PROP_ENTRIES 20u    /* each propagation node's own catalogue */
#define PROP_DEGREE 4u      /* peers each propagation node adds */
#define POLL_MS 2u          /* store polling period of the propagation measurement */
#define PROP_TIMEOUT_S 10.0 /* an entry not everywhere after this long is counted lost */
#define CONVERGE_TIMEOUT_S 60.0
#define RECON_REPS 5            /* in-memory reconciliations per case (median printed) */
#define SEARCH_WORD "perigueux" /* a place of the generator (~1 record in 120), unaccented */
#define ARGV_MAX 24

static char g_maille[4200]; /* the `maille` binary next to maille-bench */
static char g_root[4096];   /* the working directory */

/* ---- small helpers -------------------------------------------------------------------------- */

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("maille-bench sync: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static double cpu_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int path_join(char *ret, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(ret, cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= cap) {
		fprintf(stderr, "maille-bench: path too long: %s/%s\n", dir, name);
		return -1;
	}
	return 0;
}

/* A whole small file into a malloc'd NUL-terminated buffer; NULL if unreadable. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
		if (cap - len - 1 == 0) {
			char *p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Removes a directory tree (only what this run created: the node directories). */
void bench_rm_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[4600];
			if (path_join(p, sizeof p, path, e->d_name))
				continue;
			struct stat sb;
			if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
				bench_rm_tree(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* ---- running `maille` ------------------------------------------------------------------------ */

typedef struct argv_t {
	const char *v[ARGV_MAX + 1];
	size_t n;
} argv_t;

static void argv_start(argv_t *a, const char *dir)
{
	a->n = 0;
	a->v[a->n++] = g_maille;
	if (dir) {
		a->v[a->n++] = "--dir";
		a->v[a->n++] = dir;
	}
	a->v[a->n] = NULL;
}

static void argv_add(argv_t *a, const char *s)
{
	if (a->n < ARGV_MAX) {
		a->v[a->n++] = s;
		a->v[a->n] = NULL;
	}
}

static void argv_print(FILE *f, const argv_t *a)
{
	for (size_t i = 0; i < a->n; i++)
		fprintf(f, "%s%s", i ? " " : "", a->v[i]);
}

/* Forks and runs a: stdout to out_path (NULL: /dev/null), stderr appended to err_path.
 * The child gets SIGTERM if this process dies, so that an interrupted benchmark leaves no
 * daemon behind. */
static pid_t spawn(const argv_t *a, const char *out_path, const char *err_path)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "maille-bench: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int null = open("/dev/null", O_RDWR);
		int out = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : null;
		int err = err_path ? open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0600) : null;
		if (null < 0 || out < 0 || err < 0)
			_exit(126);
		dup2(null, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(g_maille, (char *const *)a->v);
		_exit(127);
	}
	return pid;
}

/* The exit code of a status, or -(signal number) when a signal ended the process. */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? -WTERMSIG(status) : -1000;
}

/* "exit 1", or "killed by SIGSEGV" */
static const char *exit_text(int code, char *buf, size_t cap)
{
	if (code >= 0)
		snprintf(buf, cap, "exit %d", code);
	else
		snprintf(buf, cap, "killed by signal %d (%s)", -code, strsignal(-code));
	return buf;
}

static void print_failure(const argv_t *a, int code, const char *err_path)
{
	char why[96];
	fprintf(stderr, "maille-bench: command failed (%s): ", exit_text(code, why, sizeof why));
	argv_print(stderr, a);
	fputc('\n', stderr);
	char *e = slurp(err_path);
	if (e && *e)
		fprintf(stderr, "%s", e);
	free(e);
}

/* Runs a to completion. Returns its exit code (printing the command and its stderr when it
 * is not 0), or -1. *ret_out (may be NULL): its stdout, malloc'd. */
static int run(const argv_t *a, char **ret_out)
{
	char out[4200], err[4200];
	if (path_join(out, sizeof out, g_root, ".cmd.out") ||
	    path_join(err, sizeof err, g_root, ".cmd.err"))
		return -1;
	unlink(err);
	pid_t pid = spawn(a, out, err);
	if (pid < 0)
		return -1;
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	int code = exit_code(status);
	if (code != 0)
		print_failure(a, code, err);
	if (ret_out)
		*ret_out = slurp(out);
	return code;
}

/* Runs `maille --dir DIR args... --json` and parses its output; NULL on failure (printed). */
static json_t *run_json(const char *dir, ...)
{
	argv_t a;
	argv_start(&a, dir);
	va_list ap;
	va_start(ap, dir);
	const char *s;
	while ((s = va_arg(ap, const char *)))
		argv_add(&a, s);
	va_end(ap);
	argv_add(&a, "--json");
	char *out = NULL;
	int code = run(&a, &out);
	json_t *j = NULL;
	if (code == 0 && out) {
		json_error_t je;
		j = json_loads(out, 0, &je);
		if (!j) {
			fprintf(stderr, "maille-bench: cannot parse the JSON of ");
			argv_print(stderr, &a);
			fprintf(stderr, ": %s\n", je.text);
		}
	}
	free(out);
	return j;
}

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static double jnum(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* ---- CPU of a running process, from /proc ------------------------------------------------- */

typedef struct cpu_split {
	double total;     /* utime + stime of the whole process, seconds */
	double main;      /* of its main thread (the event loop) */
	double others;    /* of every other thread (libuv's thread pool) */
	unsigned threads; /* threads seen */
} cpu_split;

/* utime + stime of /proc/.../stat in seconds; -1 if unreadable. */
static double stat_cpu(const char *path)
{
	char *s = slurp(path);
	if (!s)
		return -1;
	/* the command name may hold spaces and parentheses: the fields start after the last ')' */
	char *c = strrchr(s, ')');
	unsigned long ut = 0, st = 0;
	int n =
	    c ? sscanf(c + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) : 0;
	free(s);
	if (n != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Per-thread CPU of a process, sampled: the greatest value seen for each thread, so that a
 * thread that ended before the last sample still counts with its last reading. */
#define TIDS_MAX 64
typedef struct tid_cpu {
	long tid[TIDS_MAX];
	double cpu[TIDS_MAX];
	unsigned n;
} tid_cpu;

/* One sample of every thread of pid into t. */
static void tid_sample(pid_t pid, tid_cpu *t)
{
	char p[128];
	snprintf(p, sizeof p, "/proc/%ld/task", (long)pid);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char tp[400];
		snprintf(tp, sizeof tp, "/proc/%ld/task/%.64s/stat", (long)pid, e->d_name);
		double c = stat_cpu(tp);
		long tid = strtol(e->d_name, NULL, 10);
		if (c < 0)
			continue;
		unsigned i = 0;
		while (i < t->n && t->tid[i] != tid)
			i++;
		if (i == t->n) {
			if (t->n == TIDS_MAX)
				continue;
			t->tid[t->n] = tid;
			t->cpu[t->n++] = 0;
		}
		if (c > t->cpu[i])
			t->cpu[i] = c;
	}
	closedir(d);
}

static cpu_split tid_split(pid_t pid, const tid_cpu *t)
{
	cpu_split s;
	memset(&s, 0, sizeof s);
	for (unsigned i = 0; i < t->n; i++) {
		s.total += t->cpu[i];
		if (t->tid[i] == (long)pid)
			s.main += t->cpu[i];
		else
			s.others += t->cpu[i];
	}
	s.threads = t->n;
	return s;
}

/* The process's CPU, and its split between the main thread and the others (threads that
 * ended are in total but not in the split). */
/* VmHWM of a running process (its peak resident set), kB; -1 if unknown. */
static long proc_hwm_kb(pid_t pid)
{
	char p[64], line[256];
	snprintf(p, sizeof p, "/proc/%ld/status", (long)pid);
	FILE *f = fopen(p, "r");
	long kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static int proc_cpu(pid_t pid, cpu_split *ret)
{
	char p[128];
	snprintf(p, sizeof p, "/proc/%ld/stat", (long)pid);
	double total = stat_cpu(p);
	if (total < 0) {
		memset(ret, 0, sizeof *ret);
		return -1;
	}
	tid_cpu t = { { 0 }, { 0 }, 0 };
	tid_sample(pid, &t);
	*ret = tid_split(pid, &t);
	ret->total = total;
	return 0;
}

/* The whole machine's CPU time from /proc/stat, in seconds: busy (every process, kernel
 * included), iowait and steal (taken by the hypervisor). Other work on a shared machine and
 * a busy hypervisor show in these, not in our processes' figures. */
typedef struct sys_cpu {
	double busy, iowait, steal;
} sys_cpu;

static void sys_cpu_read(sys_cpu *ret)
{
	memset(ret, 0, sizeof *ret);
	char *s = slurp("/proc/stat");
	unsigned long long v[8] = { 0 };
	if (s && sscanf(s, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
	                &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		double tck = (double)sysconf(_SC_CLK_TCK);
		ret->busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / tck;
		ret->iowait = (double)v[4] / tck;
		ret->steal = (double)v[7] / tck;
	}
	free(s);
}

/* ---- nodes and daemons --------------------------------------------------------------------- */

typedef struct daemon_t {
	pid_t pid; /* 0 when not running */
	char dir[4096];
	char addr[NODE_ADDR_STR_MAX];
	int exit_code; /* after daemon_stop: as exit_code() (negative: a signal) */
	bool killed;   /* it had to be sent SIGKILL */
} daemon_t;

/* Every daemon started, so that a failure stops them all. */
static daemon_t *g_daemons[256];
static size_t g_n_daemons;

/* Creates a node in dir; fed_file: the federation file to import, or to create (fed_new). */
static int node_create(const char *dir, const char *name, const char *fed_file, bool fed_new)
{
	argv_t a;
	argv_start(&a, dir);
	argv_add(&a, "init");
	argv_add(&a, "--name");
	argv_add(&a, name);
	if (run(&a, NULL))
		return -1;
	argv_start(&a, dir);
	argv_add(&a, "federation");
	if (fed_new) {
		argv_add(&a, "new");
		argv_add(&a, "--name");
		argv_add(&a, "maille-bench");
		if (run(&a, NULL))
			return -1;
		argv_start(&a, dir);
		argv_add(&a, "federation");
		argv_add(&a, "export");
		argv_add(&a, fed_file);
	} else {
		argv_add(&a, "import");
		argv_add(&a, fed_file);
	}
	return run(&a, NULL) ? -1 : 0;
}

/* `maille --dir DIR node --listen 127.0.0.1:0`, its log in DIR/daemon.log; returns once it
 * listens (DIR/node.addr) and has opened its store (DIR/node.state). */
static int daemon_start(daemon_t *d, const char *dir)
{
	memset(d, 0, sizeof *d);
	snprintf(d->dir, sizeof d->dir, "%s", dir);
	char log[4200], addr_path[4200], state_path[4200];
	if (path_join(log, sizeof log, dir, "daemon.log") ||
	    path_join(addr_path, sizeof addr_path, dir, NODE_ADDR_FILE) ||
	    path_join(state_path, sizeof state_path, dir, NODE_STATE_FILE))
		return -1;
	argv_t a;
	argv_start(&a, dir);
	argv_add(&a, "node");
	argv_add(&a, "--listen");
	argv_add(&a, "127.0.0.1:0");
	argv_add(&a, "--no-web"); /* measured: sync; 20 web servers would only take memory */
	pid_t pid = spawn(&a, NULL, log);
	if (pid < 0)
		return -1;
	d->pid = pid;
	if (g_n_daemons < sizeof g_daemons / sizeof g_daemons[0])
		g_daemons[g_n_daemons++] = d;
	double t0 = bench_now_s();
	while (bench_now_s() - t0 < 20.0) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			d->pid = 0;
			print_failure(&a, exit_code(status), log);
			return -1;
		}
		struct stat sb;
		char *s = stat(state_path, &sb) == 0 ? slurp(addr_path) : NULL;
		if (s && *s) {
			s[strcspn(s, "\r\n")] = '\0';
			snprintf(d->addr, sizeof d->addr, "%s", s);
			free(s);
			return 0;
		}
		free(s);
		sleep_ms(10);
	}
	fprintf(stderr, "maille-bench: the daemon of %s did not start within 20 s (see %s)\n", dir,
	        log);
	return -1;
}

/* Sends SIGTERM to every daemon of v that runs, then waits for each (SIGKILL after
 * timeout_s): d->exit_code as exit_code(), d->killed when SIGKILL was needed. */
static void daemons_stop(daemon_t *v, size_t n, double timeout_s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid > 0)
			kill(v[i].pid, SIGTERM);
	double t0 = bench_now_s();
	for (size_t i = 0; i < n; i++) {
		if (v[i].pid <= 0)
			continue;
		int status = 0;
		pid_t r;
		while ((r = waitpid(v[i].pid, &status, WNOHANG)) == 0 &&
		       bench_now_s() - t0 < timeout_s)
			sleep_ms(5);
		if (r == 0) {
			fprintf(stderr,
			        "maille-bench: daemon %ld (%s) still runs %.0f s after SIGTERM: "
			        "killing it\n",
			        (long)v[i].pid, v[i].dir, timeout_s);
			kill(v[i].pid, SIGKILL);
			waitpid(v[i].pid, &status, 0);
			v[i].killed = true;
		}
		v[i].exit_code = exit_code(status);
		v[i].pid = 0;
	}
}

/* On a failure: no daemon may outlive the benchmark. */
static void daemons_stop_all(void)
{
	for (size_t i = 0; i < g_n_daemons; i++)
		if (g_daemons[i]->pid > 0)
			daemons_stop(g_daemons[i], 1, 5.0);
	g_n_daemons = 0;
}

/* Generates n records (seed, indexes first..) signed by the node at dir into its store. */
static int node_fill(const char *dir, uint64_t seed, uint64_t first, uint64_t n, double *ret_secs)
{
	node_dir nd;
	if (cli_node_open(&nd, dir))
		return -1;
	double secs = 0;
	uint64_t bytes;
	int r = n ? bench_publish(nd.st, nd.pk, nd.sk, seed, first, n, &secs, &bytes) : 0;
	node_dir_close(&nd);
	if (ret_secs)
		*ret_secs = secs;
	return r ? -1 : 0;
}

typedef struct set_state {
	json_int_t count;
	char fp[2 * RBSR_FP_LEN + 1];
} set_state;

static int node_status(const char *dir, set_state *ret)
{
	json_t *j = run_json(dir, "status", (const char *)NULL);
	if (!j)
		return -1;
	ret->count = jint(j, "count");
	snprintf(ret->fp, sizeof ret->fp, "%s", jstr(j, "fingerprint"));
	json_decref(j);
	return 0;
}

/* ---- the results, for the summary ---------------------------------------------------------- */

/* Ids found by an in-memory reconciliation: in B only ("have"), in A only ("need"). */
typedef struct diff_ctx {
	size_t haves, needs;
} diff_ctx;

typedef struct recon_case {
	unsigned diffs;
	bool ran;
	/* real sync */
	bool equal;
	json_int_t rounds, bytes, received, sent;
	double wall_s, total_ms, handshake_ms;
	/* in memory */
	double items_ms, set_ms, cpu_ms, cpu_ms_min;
	size_t msg_bytes, round_trips;
	diff_ctx diff;
	/* in memory, the same number of differences scattered through the set */
	double sc_cpu_ms;
	size_t sc_bytes, sc_rounds;
	diff_ctx sc_diff;
	bool converged;
} recon_case;

typedef struct results {
	unsigned long long n;
	unsigned k;
	char cpu[256];
	long cores;
	/* ingest */
	bool ingest_ran;
	double verify_rate, ingest_wall, ingest_rate, sync_cpu_user, sync_cpu_sys, daemon_cpu;
	double index_s; /* indexing for search after the sync, before the command exits */
	long daemon_hwm_kb, sync_rss_kb; /* peak resident memory: daemon A, the sync process */
	cpu_split sync_split, daemon_d;
	double wire_mb;
	json_int_t received;
	bool ingest_equal, search_equal;
	size_t search_a, search_b;
	/* upload: a one-shot sync sending its own entries to the daemon */
	bool upload_ran;
	unsigned long long up_n;
	json_int_t up_sent, up_received, up_dups, up_bytes_rx, up_bytes_tx;
	double up_wall;
	/* reconcile */
	recon_case rc[3];
	/* propagation */
	bool prop_ran;
	size_t edges, sessions, lost;
	unsigned deg_min, deg_max;
	double deg_mean, conv_s, p50, p90, p99, max, first_p50, put_p50, copies;
	size_t clean_exits, daemons;
} results;

/* ---- 1. ingest ----------------------------------------------------------------------------- */

typedef struct ab {
	char a[4200], b[4200], fed[4200];
	daemon_t da;
} ab;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids of `maille --dir DIR search WORD --json --limit 10000`, sorted, as one string. */
static char *search_ids(const char *dir, size_t *ret_n)
{
	/* --all: B holds A's records without trusting A (no vouch between them) */
	json_t *j = run_json(dir, "search", SEARCH_WORD, "--all", "--limit", "10000",
	                     (const char *)NULL);
	if (!j || !json_is_array(j)) {
		json_decref(j);
		return NULL;
	}
	size_t n = json_array_size(j);
	char **ids = calloc(n ? n : 1, sizeof *ids);
	for (size_t i = 0; ids && i < n; i++)
		ids[i] = (char *)jstr(json_array_get(j, i), "id");
	if (ids)
		qsort(ids, n, sizeof *ids, cmp_str);
	size_t cap = n * 66 + 1, len = 0;
	char *s = ids ? malloc(cap) : NULL;
	if (s) {
		s[0] = '\0';
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(s + len, cap - len, "%s\n", ids[i]);
	}
	free(ids);
	json_decref(j);
	*ret_n = n;
	return s;
}

/* Nodes A (N entries, daemon) and B (empty), same federation. */
static int ab_setup(ab *x, unsigned long long n)
{
	if (path_join(x->a, sizeof x->a, g_root, "a") ||
	    path_join(x->b, sizeof x->b, g_root, "b") ||
	    path_join(x->fed, sizeof x->fed, g_root, "federation"))
		return -1;
	progress("creating nodes A and B (same federation)");
	if (node_create(x->a, "Bench A", x->fed, true) ||
	    node_create(x->b, "Bench B", x->fed, false))
		return -1;
	/* B trusts A, as after an invitation: an untrusted territory's entries beyond the
	 * quarantine quota (50 000 by default, PROTOCOL.md §4.6) would be refused */
	{
		json_t *who = run_json(x->a, "whoami", (const char *)NULL);
		const char *key = who ? jstr(who, "key") : NULL;
		argv_t t;
		argv_start(&t, x->b);
		argv_add(&t, "trust");
		argv_add(&t, key ? key : "");
		int tr = key ? run(&t, NULL) : -1;
		json_decref(who);
		if (tr)
			return -1;
	}
	progress("publishing %llu generated entries into A (store API, not timed)...", n);
	double secs;
	if (node_fill(x->a, 1, 0, n, &secs))
		return -1;
	progress("  done in %.1f s (%.0f entries/s)", secs, (double)n / secs);
	progress("starting daemon A");
	if (daemon_start(&x->da, x->a))
		return -1;
	progress("  daemon A (pid %ld) listens on %s", (long)x->da.pid, x->da.addr);
	return 0;
}

/* `maille --dir B sync ADDR --json`, timed; the process's CPU from the kernel's accounting
 * of reaped children (nothing else is reaped meanwhile), and its threads' split sampled
 * from /proc every 20 ms while it runs (so the split misses up to 20 ms of each thread). */
typedef struct sync_run {
	json_t *j;
	double wall, user, sys;
	long maxrss_kb; /* the largest reaped child's peak resident set (this one: the largest) */
	cpu_split split;
	sys_cpu machine; /* the machine's CPU during the run (deltas) */
} sync_run;

static int timed_sync(const char *dir, const char *addr, sync_run *ret)
{
	memset(ret, 0, sizeof *ret);
	char out[4200], err[4200];
	if (path_join(out, sizeof out, g_root, ".sync.out") ||
	    path_join(err, sizeof err, g_root, ".sync.err"))
		return -1;
	unlink(err);
	argv_t a;
	argv_start(&a, dir);
	argv_add(&a, "sync");
	argv_add(&a, addr);
	argv_add(&a, "--json");
	struct rusage r0, r1;
	sys_cpu m0, m1;
	sys_cpu_read(&m0);
	getrusage(RUSAGE_CHILDREN, &r0);
	double t0 = bench_now_s();
	pid_t pid = spawn(&a, out, err);
	if (pid < 0)
		return -1;
	int status = 0;
	tid_cpu tids = { { 0 }, { 0 }, 0 };
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "maille-bench: waitpid: %s\n", strerror(errno));
			return -1;
		}
		tid_sample(pid, &tids);
		sleep_ms(20);
	}
	ret->split = tid_split(pid, &tids);
	ret->wall = bench_now_s() - t0;
	getrusage(RUSAGE_CHILDREN, &r1);
	sys_cpu_read(&m1);
	ret->machine.busy = m1.busy - m0.busy;
	ret->machine.iowait = m1.iowait - m0.iowait;
	ret->machine.steal = m1.steal - m0.steal;
	ret->user = tv_s(r1.ru_utime) - tv_s(r0.ru_utime);
	ret->sys = tv_s(r1.ru_stime) - tv_s(r0.ru_stime);
	ret->maxrss_kb = r1.ru_maxrss;
	int code = exit_code(status);
	if (code != 0) {
		print_failure(&a, code, err);
		return -1;
	}
	char *s = slurp(out);
	json_error_t je;
	ret->j = s ? json_loads(s, 0, &je) : NULL;
	free(s);
	if (!ret->j) {
		fprintf(stderr, "maille-bench: cannot parse the output of maille sync\n");
		return -1;
	}
	return 0;
}

static int phase_ingest(ab *x, results *res, bool print)
{
	double verify = 0;
	size_t entry_len = 0;
	if (print) {
		progress("measuring the single-core Ed25519 verify rate (1 s)");
		if (bench_ed25519_rates(NULL, &verify, &entry_len)) {
			fprintf(stderr, "maille-bench: Ed25519 self-test failed\n");
			return -1;
		}
	}
	set_state sa, sb, sa0;
	if (node_status(x->a, &sa0))
		return -1;
	cpu_split d0, d1;
	proc_cpu(x->da.pid, &d0);
	progress("syncing B from A: %lld entries (maille --dir B sync %s --json)...",
	         (long long)sa0.count, x->da.addr);
	sync_run sr;
	if (timed_sync(x->b, x->da.addr, &sr))
		return -1;
	proc_cpu(x->da.pid, &d1);
	res->daemon_hwm_kb = proc_hwm_kb(x->da.pid);
	res->sync_rss_kb = sr.maxrss_kb;
	progress("  done in %.1f s", sr.wall);
	if (node_status(x->b, &sb))
		return -1;
	/* the sync sent B's own entries to A: compare with A as it is now */
	if (node_status(x->a, &sa))
		return -1;
	json_t *j = sr.j;
	res->ingest_ran = print;
	res->verify_rate = verify;
	/* the ingest ends when both sides hold the union (the sync's total_ms: entries verified
	 * and stored, the peer's MARK_ACK in); the command then indexes them for search before it
	 * exits (index_ms): that is the search index's lag, reported apart */
	res->ingest_wall = jnum(j, "total_ms") / 1000.0;
	res->index_s = jnum(j, "index_ms") / 1000.0;
	res->received = jint(j, "received");
	res->ingest_rate = (double)res->received / res->ingest_wall;
	res->sync_cpu_user = sr.user;
	res->sync_cpu_sys = sr.sys;
	res->sync_split = sr.split;
	res->daemon_cpu = d1.total - d0.total;
	res->daemon_d.main = d1.main - d0.main;
	res->daemon_d.others = d1.others - d0.others;
	double in = (double)jint(j, "bytes_received"), out = (double)jint(j, "bytes_sent");
	res->wire_mb = (in + out) / 1e6;
	res->ingest_equal = sa.count == sb.count && strcmp(sa.fp, sb.fp) == 0;
	if (!print) {
		json_decref(j);
		return 0;
	}
	progress("searching \"%s\" in A and B", SEARCH_WORD);
	size_t na = 0, nb = 0;
	char *ia = search_ids(x->a, &na), *ib = search_ids(x->b, &nb);
	res->search_a = na;
	res->search_b = nb;
	res->search_equal = ia && ib && strcmp(ia, ib) == 0;
	free(ia);
	free(ib);

	printf("\n1. Ingest: `maille --dir B sync A --json`, B empty, A's daemon serving %lld "
	       "entries\n   (the %llu generated ones, A's territory and node records)\n",
	       (long long)sa0.count, res->n);
	printf("   received %lld entries in %.2f s (connect to both sides holding the union: every\n"
	       "     entry verified and stored; handshake %.1f ms, %lld round%s), then indexed\n"
	       "     %lld for search in %.2f s before the command exited (%.2f s wall in all)\n",
	       (long long)res->received, res->ingest_wall, jnum(j, "handshake_ms"),
	       (long long)jint(j, "rounds"), jint(j, "rounds") == 1 ? "" : "s",
	       (long long)jint(j, "indexed"), res->index_s, sr.wall);
	printf("   %.0f entries/s; single-core Ed25519 verify in this run: %.0f/s (%zu-byte "
	       "entry)\n",
	       res->ingest_rate, verify, entry_len);
	printf("   ratio to the verify rate: %.2f (target >= 1.0)\n", res->ingest_rate / verify);
	printf("   CPU (the whole command, indexing included), sync process: %.2f s (user %.2f, "
	       "sys %.2f) = %.0f%% of one core; threads: "
	       "event loop %.2f s,\n     other threads (libuv pool: verification, commits) %.2f s "
	       "(%u threads; sampled every 20 ms)\n",
	       sr.user + sr.sys, sr.user, sr.sys, 100.0 * (sr.user + sr.sys) / sr.wall,
	       sr.split.main, sr.split.others, sr.split.threads);
	printf("   CPU, daemon A: %.2f s (event loop %.2f s, other threads %.2f s)\n",
	       res->daemon_cpu, res->daemon_d.main, res->daemon_d.others);
	double cpu_all = sr.user + sr.sys + res->daemon_cpu;
	printf(
	    "   together %.2f CPU-s over %.2f s wall, both processes on this machine's %ld cores "
	    "(%.0f%% busy);\n     one verification per entry is %.2f CPU-s of it; with "
	    "every core busy, this CPU\n     alone would allow %.0f entries/s (ratio %.2f)\n",
	    cpu_all, sr.wall, res->cores, 100.0 * cpu_all / (sr.wall * (double)res->cores),
	    (double)res->received / verify, (double)res->received * (double)res->cores / cpu_all,
	    (double)res->received * (double)res->cores / cpu_all / verify);
	printf("   the whole machine meanwhile: %.2f CPU-s busy, so %.2f CPU-s for other "
	       "processes (this\n     benchmark's sampling included); iowait %.2f s, steal %.2f "
	       "s\n",
	       sr.machine.busy, sr.machine.busy - cpu_all, sr.machine.iowait, sr.machine.steal);
	printf("   peak memory (resident): daemon A serving %lld entries %.1f MB; the sync process "
	       "storing them %.1f MB\n",
	       (long long)sa0.count, (double)res->daemon_hwm_kb / 1024.0,
	       (double)res->sync_rss_kb / 1024.0);
	printf("   on the wire: %.1f MB from A, %.1f MB to A (handshake and framing included), "
	       "%.0f bytes/entry\n",
	       in / 1e6, out / 1e6, (in + out) / (double)(res->received ? res->received : 1));
	printf("   B's status: count %lld, fingerprint %s; A's: %lld, %s: %s\n",
	       (long long)sb.count, sb.fp, (long long)sa.count, sa.fp,
	       res->ingest_equal ? "EQUAL" : "DIFFERENT");
	printf("   full-text index: a bulk sync stores first and indexes right after (search lags\n"
	       "     by the %.2f s above); once the command exited, `search %s` finds %zu records\n"
	       "     in B and %zu in A: %s\n",
	       res->index_s, SEARCH_WORD, nb, na, res->search_equal ? "the same ids" : "DIFFERENT ids");
	json_decref(j);
	return 0;
}

/* ---- 2. reconcile -------------------------------------------------------------------------- */

static int on_have(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	(void)id;
	((diff_ctx *)ctx)->haves++;
	return 0;
}

static int on_need(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	(void)id;
	((diff_ctx *)ctx)->needs++;
	return 0;
}

/* One in-memory reconciliation: B initiates (as `maille --dir B sync A` does), A responds.
 * The CPU time covers the sessions' set-up and every message of both sides; the sets are
 * built beforehand (the daemon keeps its snapshot between reconciliations). Needs may be
 * reported again after a message cut by the frame limit (rbsr.h): counted as reported. */
static int recon_once(const rbsr_set *sa, const rbsr_set *sb, double *ret_cpu_ms, size_t *ret_bytes,
                      size_t *ret_rounds, diff_ctx *ret_diff)
{
	uint8_t *m1 = malloc(PROTO_SESSION_FRAME_LIMIT), *m2 = malloc(PROTO_SESSION_FRAME_LIMIT);
	if (!m1 || !m2) {
		free(m1);
		free(m2);
		return MAILLE_ENOMEM;
	}
	rbsr_session ini, rsp;
	memset(&ini, 0, sizeof ini);
	memset(&rsp, 0, sizeof rsp);
	diff_ctx diff = { 0, 0 };
	size_t bytes = 0, rounds = 0, len = 0, len2 = 0;
	double c0 = cpu_now_s();
	int r = rbsr_session_init(&ini, sb, RBSR_INITIATOR, PROTO_SESSION_FRAME_LIMIT);
	if (!r)
		r = rbsr_session_init(&rsp, sa, RBSR_RESPONDER, PROTO_SESSION_FRAME_LIMIT);
	if (!r)
		r = rbsr_initiate(&ini, m1, PROTO_SESSION_FRAME_LIMIT, &len);
	while (!r) {
		bytes += len;
		rounds++;
		r = rbsr_reconcile(&rsp, m1, len, NULL, NULL, NULL, m2, PROTO_SESSION_FRAME_LIMIT, &len2);
		if (r)
			break;
		bytes += len2;
		r = rbsr_reconcile(&ini, m2, len2, on_have, on_need, &diff, m1, PROTO_SESSION_FRAME_LIMIT,
		                   &len);
		if (r || len == 0)
			break;
	}
	rbsr_session_done(&ini);
	rbsr_session_done(&rsp);
	double c1 = cpu_now_s();
	free(m1);
	free(m2);
	*ret_cpu_ms = (c1 - c0) * 1000.0;
	*ret_bytes = bytes;
	*ret_rounds = rounds;
	*ret_diff = diff;
	return r;
}

static int load_set(store *st, rbsr_item **items, rbsr_set *set, double *items_ms, double *set_ms)
{
	size_t n = 0;
	double t0 = bench_now_s();
	int r = store_items(st, items, &n);
	double t1 = bench_now_s();
	if (!r)
		r = rbsr_set_init(set, *items, n);
	*items_ms += (t1 - t0) * 1000.0;
	*set_ms += (bench_now_s() - t1) * 1000.0;
	return r;
}

/* The same reconciliation over differences scattered through the whole set, in memory only:
 * from A's items, one copy loses d/2 random items and another copy d/2 others (the store
 * cannot lose entries without tombstones, and new entries all sort last by timestamp).
 * Median CPU of RECON_REPS runs into *ret_cpu_ms. */
static int recon_scattered(const rbsr_item *items, size_t n, unsigned d, double *ret_cpu_ms,
                           size_t *ret_bytes, size_t *ret_rounds, diff_ctx *ret_diff)
{
	uint8_t *mark = calloc(n ? n : 1, 1); /* 1: not in A', 2: not in B' */
	rbsr_item *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
	int r = mark && a && b && n > d ? 0 : MAILLE_ENOMEM;
	for (unsigned k = 0; !r && k < d; k++) {
		size_t i;
		do
			i = (size_t)randombytes_uniform((uint32_t)n);
		while (mark[i]);
		mark[i] = k < d / 2 ? 1 : 2;
	}
	size_t na = 0, nb = 0;
	for (size_t i = 0; !r && i < n; i++) {
		if (mark[i] != 1)
			a[na++] = items[i];
		if (mark[i] != 2)
			b[nb++] = items[i];
	}
	rbsr_set sa = { 0 }, sb = { 0 };
	if (!r)
		r = rbsr_set_init(&sa, a, na);
	if (!r)
		r = rbsr_set_init(&sb, b, nb);
	double cpu[RECON_REPS];
	for (int k = 0; !r && k < RECON_REPS; k++)
		r = recon_once(&sa, &sb, &cpu[k], ret_bytes, ret_rounds, ret_diff);
	if (!r) {
		qsort(cpu, RECON_REPS, sizeof cpu[0], bench_cmp_double);
		*ret_cpu_ms = cpu[RECON_REPS / 2];
	}
	rbsr_set_done(&sa);
	rbsr_set_done(&sb);
	free(mark);
	free(a);
	free(b);
	return r;
}

static int phase_reconcile(ab *x, results *res)
{
	static const unsigned diffs[3] = { 0, 10, 1000 };
	uint64_t next_a = res->n, next_b = 0; /* indexes not used yet in each territory */
	printf("\n2. Reconcile: A and B with the same %llu entries plus d differences: d/2 new "
	       "entries on each\n   side, in each side's own territory, so they are recent and "
	       "sort after the common ones.\n   B initiates, as `maille --dir B sync A` does.\n",
	       res->n);
	for (int c = 0; c < 3; c++) {
		recon_case *rc = &res->rc[c];
		rc->diffs = diffs[c];
		unsigned half = diffs[c] / 2;
		if (half) {
			progress("reconcile d=%u: %u new entries into A, %u into B", diffs[c], half,
			         half);
			if (node_fill(x->a, 100 + (uint64_t)c, next_a, half, NULL) ||
			    node_fill(x->b, 200 + (uint64_t)c, next_b, half, NULL))
				return -1;
			next_a += half;
			next_b += half;
		}
		/* (b) in memory, before the real sync makes the sets equal */
		progress("reconcile d=%u: in-memory Negentropy (%d runs)", diffs[c], RECON_REPS);
		node_dir na, nb;
		if (cli_node_open(&na, x->a))
			return -1;
		if (cli_node_open(&nb, x->b)) {
			node_dir_close(&na);
			return -1;
		}
		rbsr_item *ia = NULL, *ib = NULL;
		rbsr_set sa = { 0 }, sb = { 0 };
		int r = load_set(na.st, &ia, &sa, &rc->items_ms, &rc->set_ms);
		if (!r)
			r = load_set(nb.st, &ib, &sb, &rc->items_ms, &rc->set_ms);
		double cpu[RECON_REPS];
		for (int k = 0; !r && k < RECON_REPS; k++)
			r = recon_once(&sa, &sb, &cpu[k], &rc->msg_bytes, &rc->round_trips,
			               &rc->diff);
		size_t count_a = sa.n, count_b = sb.n;
		if (!r && diffs[c])
			r = recon_scattered(ia, sa.n, diffs[c], &rc->sc_cpu_ms, &rc->sc_bytes,
			                    &rc->sc_rounds, &rc->sc_diff);
		rbsr_set_done(&sa);
		rbsr_set_done(&sb);
		free(ia);
		free(ib);
		node_dir_close(&na);
		node_dir_close(&nb);
		if (r) {
			fprintf(stderr, "maille-bench: in-memory reconciliation failed: %s\n",
			        maille_strerror(r));
			return -1;
		}
		qsort(cpu, RECON_REPS, sizeof cpu[0], bench_cmp_double);
		rc->cpu_ms = cpu[RECON_REPS / 2];
		rc->cpu_ms_min = cpu[0];
		/* (a) the real sync */
		progress("reconcile d=%u: maille --dir B sync %s", diffs[c], x->da.addr);
		sync_run sr;
		if (timed_sync(x->b, x->da.addr, &sr))
			return -1;
		json_t *j = sr.j;
		rc->ran = true;
		rc->equal = json_is_true(json_object_get(j, "equal"));
		rc->rounds = jint(j, "rounds");
		rc->bytes = jint(j, "bytes_sent") + jint(j, "bytes_received");
		rc->received = jint(j, "received");
		rc->sent = jint(j, "sent");
		rc->wall_s = sr.wall;
		rc->total_ms = jnum(j, "total_ms");
		rc->handshake_ms = jnum(j, "handshake_ms");
		json_decref(j);
		set_state ssa, ssb;
		if (node_status(x->a, &ssa) || node_status(x->b, &ssb))
			return -1;
		rc->converged = ssa.count == ssb.count && strcmp(ssa.fp, ssb.fp) == 0;

		printf("\n   d = %u (A %zu items, B %zu items)\n", diffs[c], count_a, count_b);
		if (rc->equal)
			printf(
			    "   real sync: the HELLO fingerprints are equal, so no reconciliation "
			    "runs "
			    "at all:\n     %lld bytes on the wire in all (handshake + final MARK/"
			    "MARK_ACK + BYE), %.2f s wall\n     for the process (sync reports %.1f "
			    "ms, "
			    "handshake %.1f ms)\n",
			    (long long)rc->bytes, rc->wall_s, rc->total_ms, rc->handshake_ms);
		else
			printf("   real sync: %lld round%s, %lld bytes on the wire (handshake "
			       "included), "
			       "%.2f s wall for the\n     process (sync reports %.1f ms, handshake "
			       "%.1f ms);"
			       " received %lld, sent %lld\n",
			       (long long)rc->rounds, rc->rounds == 1 ? "" : "s",
			       (long long)rc->bytes, rc->wall_s, rc->total_ms, rc->handshake_ms,
			       (long long)rc->received, (long long)rc->sent);
		printf("   after it: A and B %s\n", rc->converged
		                                        ? "have the same count and fingerprint"
		                                        : "DIFFER (count or fingerprint)");
		printf(
		    "   in memory%s:\n     store_items of A and B %.1f ms, building the rbsr sets "
		    "%.1f ms (not counted below);\n",
		    rc->equal ? " (what it would cost without the HELLO short cut)" : "",
		    rc->items_ms, rc->set_ms);
		printf("     reconciliation, frame limit %u: %.2f ms CPU (median of %d, min %.2f), "
		       "%zu "
		       "round trip%s,\n     %zu bytes of Negentropy messages; found %zu ids only "
		       "in B, "
		       "%zu only in A\n",
		       PROTO_SESSION_FRAME_LIMIT, rc->cpu_ms, RECON_REPS, rc->cpu_ms_min, rc->round_trips,
		       rc->round_trips == 1 ? "" : "s", rc->msg_bytes, rc->diff.haves,
		       rc->diff.needs);
		if (diffs[c])
			printf(
			    "     the same %u differences scattered through the set instead of all "
			    "recent (in memory\n     only): %.2f ms CPU, %zu round trip%s, %zu "
			    "bytes; "
			    "found %zu + %zu\n",
			    diffs[c], rc->sc_cpu_ms, rc->sc_rounds, rc->sc_rounds == 1 ? "" : "s",
			    rc->sc_bytes, rc->sc_diff.haves, rc->sc_diff.needs);
	}
	return 0;
}

/* 2b. Upload: B, holding everything A has, gets entries of its own that A lacks and syncs
 * once with A's daemon. What the one-shot sync receives is then the reconciliation and the
 * MARK_ACKs only: not B's own entries back (A's live push skips the peer an entry came from,
 * PROTOCOL.md §3.5). At most 40 000 entries, within the quota of an untrusted territory
 * (§4.6: A does not trust B). */
#define UPLOAD_MAX 40000ull

static int phase_upload(ab *x, results *res)
{
	unsigned long long n = res->n < UPLOAD_MAX ? res->n : UPLOAD_MAX;
	progress("upload: %llu new entries into B (not timed)", n);
	/* indexes far above those of the reconciliation's differences */
	if (node_fill(x->b, 7, 1000000, n, NULL))
		return -1;
	progress("syncing B to A: %llu entries (maille --dir B sync %s --json)...", n, x->da.addr);
	sync_run sr;
	if (timed_sync(x->b, x->da.addr, &sr))
		return -1;
	json_t *j = sr.j;
	res->upload_ran = true;
	res->up_n = n;
	res->up_sent = jint(j, "sent");
	res->up_received = jint(j, "received");
	res->up_dups = jint(j, "duplicates");
	res->up_bytes_rx = jint(j, "bytes_received");
	res->up_bytes_tx = jint(j, "bytes_sent");
	res->up_wall = jnum(j, "total_ms") / 1000.0;
	printf("\n2b. Upload: `maille --dir B sync A --json`, B holding everything A has and %llu "
	       "new entries\n   of its own\n",
	       n);
	printf("   sent %lld entries, %.1f MB, in %.2f s\n", (long long)res->up_sent,
	       (double)res->up_bytes_tx / 1e6, res->up_wall);
	printf("   bytes received by the one-shot sync: %lld (%.1f kB); entries received: %lld new, "
	       "%lld\n     already held (B's own, pushed back by A)\n",
	       (long long)res->up_bytes_rx, (double)res->up_bytes_rx / 1e3,
	       (long long)res->up_received, (long long)res->up_dups);
	json_decref(j);
	return 0;
}

/* ---- 3. propagation ------------------------------------------------------------------------ */

typedef struct pnode {
	daemon_t d;
	node_dir nd;
	bool open;
	char name[32];
} pnode;

/* A random directed graph where every node adds `deg` peers, no pair linked twice (in
 * either direction): edges[i * k + j] = 1 when i adds j. */
static int random_topology(unsigned k, unsigned deg, uint8_t *edges)
{
	for (int attempt = 0; attempt < 1000; attempt++) {
		memset(edges, 0, (size_t)k * k);
		bool ok = true;
		for (unsigned i = 0; ok && i < k; i++) {
			unsigned cand[256], nc = 0;
			for (unsigned j = 0; j < k; j++)
				if (j != i && !edges[j * k + i])
					cand[nc++] = j;
			if (nc < deg) {
				ok = false;
				break;
			}
			for (unsigned t = 0; t < deg; t++) {
				unsigned p = t + randombytes_uniform(nc - t);
				unsigned tmp = cand[t];
				cand[t] = cand[p];
				cand[p] = tmp;
				edges[i * k + cand[t]] = 1;
			}
		}
		if (ok)
			return 0;
	}
	return -1;
}

/* From DIR/node.state, read in process (cheap enough to poll): whether every configured peer
 * has a session with this node, and the number of sessions. A configured peer that dialed us
 * first is connected through its inbound session (the daemon does not dial a key it already
 * has a session with), so its own record stays "idle": the key decides. why (may be NULL):
 * the first configured peer without a session. */
static bool state_connected(const char *dir, unsigned *ret_sessions, char *why, size_t why_cap)
{
	char p[4200];
	*ret_sessions = 0;
	if (why)
		snprintf(why, why_cap, "no %s", NODE_STATE_FILE);
	if (path_join(p, sizeof p, dir, NODE_STATE_FILE))
		return false;
	json_error_t je;
	json_t *st = json_load_file(p, 0, &je);
	if (!st)
		return false;
	json_t *peers = json_object_get(st, "peers");
	size_t i;
	json_t *pr;
	json_array_foreach(peers, i, pr) *ret_sessions +=
	    strcmp(jstr(pr, "state"), "connected") == 0;
	bool all = true;
	json_array_foreach(peers, i, pr)
	{
		if (!json_is_true(json_object_get(pr, "configured")) ||
		    strcmp(jstr(pr, "state"), "connected") == 0)
			continue;
		bool found = false;
		const char *key = jstr(pr, "key");
		size_t k;
		json_t *o;
		json_array_foreach(peers, k, o) found =
		    found || (*key && strcmp(jstr(o, "key"), key) == 0 &&
		              strcmp(jstr(o, "state"), "connected") == 0);
		if (!found) {
			if (all && why)
				snprintf(why, why_cap, "configured peer %s is %s",
				         jstr(pr, "address"), jstr(pr, "state"));
			all = false;
		}
	}
	json_decref(st);
	if (all && why)
		snprintf(why, why_cap, "every configured peer connected");
	return all;
}

/* Sum over every peer of `maille peers --json` of received + duplicates; -1 on failure. */
static long long copies_counter(const char *dir, unsigned *ret_connected)
{
	json_t *j = run_json(dir, "peers", (const char *)NULL);
	if (!j)
		return -1;
	long long sum = 0;
	unsigned conn = 0;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(j, "peers"), i, p)
	{
		sum += (long long)jint(p, "received") + (long long)jint(p, "duplicates");
		conn += strcmp(jstr(p, "state"), "connected") == 0;
	}
	json_decref(j);
	if (ret_connected)
		*ret_connected = conn;
	return sum;
}

static int phase_propagation(results *res)
{
	unsigned k = res->k;
	pnode *v = calloc(k, sizeof *v);
	uint8_t *edges = calloc((size_t)k * k, 1);
	double *lat = calloc(N_PUBLISH, sizeof *lat), *first = calloc(N_PUBLISH, sizeof *first),
	       *put = calloc(N_PUBLISH, sizeof *put);
	bool *seen = calloc(k, sizeof *seen);
	int ret = -1;
	if (!v || !edges || !lat || !first || !put || !seen)
		goto out;
	char fed[4200], pdir[4200];
	if (path_join(fed, sizeof fed, g_root, "federation") ||
	    path_join(pdir, sizeof pdir, g_root, "prop"))
		goto out;
	mkdir(pdir, 0700);
	struct stat sb;
	bool fed_new = stat(fed, &sb) != 0;
	progress("propagation: creating %u nodes, %u entries each", k, PROP_ENTRIES);
	for (unsigned i = 0; i < k; i++) {
		char name[32];
		snprintf(v[i].name, sizeof v[i].name, "p%02u", i);
		snprintf(name, sizeof name, "Bench %s", v[i].name);
		if (path_join(v[i].d.dir, sizeof v[i].d.dir, pdir, v[i].name) ||
		    node_create(v[i].d.dir, name, fed, fed_new && i == 0) ||
		    node_fill(v[i].d.dir, 300 + i, 0, PROP_ENTRIES, NULL))
			goto out;
	}
	progress("propagation: starting %u daemons", k);
	for (unsigned i = 0; i < k; i++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", v[i].d.dir);
		if (daemon_start(&v[i].d, dir))
			goto out;
	}
	unsigned deg = PROP_DEGREE;
	if (deg > (k - 1) / 2)
		deg = (k - 1) / 2 ? (k - 1) / 2 : 1;
	if (random_topology(k, deg, edges)) {
		fprintf(stderr, "maille-bench: cannot draw a topology\n");
		goto out;
	}
	for (unsigned i = 0; i < k; i++) {
		if (cli_node_open(&v[i].nd, v[i].d.dir))
			goto out;
		v[i].open = true;
	}
	/* What `maille peer add` does (store_peer_add of the normalised address), but all of a
	 * node's peers at once: one command at a time, a daemon sees its first peers on one
	 * tick, learns the others' addresses from their node entries, and dials discovered
	 * peers to reach its minimum of outbound connections before the rest are added. */
	res->edges = 0;
	double t0 = bench_now_s();
	for (unsigned i = 0; i < k; i++)
		for (unsigned j = 0; j < k; j++) {
			if (!edges[i * k + j])
				continue;
			struct sockaddr_storage ss;
			char addr[NODE_ADDR_STR_MAX];
			int r = node_addr_parse(v[j].d.addr, &ss);
			if (!r) {
				node_addr_format((struct sockaddr *)&ss, addr);
				r = store_peer_add(v[i].nd.st, addr, cli_now_us());
			}
			if (r) {
				fprintf(stderr, "maille-bench: %s: cannot add peer %s: %s\n",
				        v[i].name, v[j].d.addr, maille_strerror(r));
				goto out;
			}
			res->edges++;
		}
	progress("propagation: %zu links added (store_peer_add, as `maille peer add`); waiting "
	         "for every node to be connected to its peers and to hold the same set...",
	         res->edges);
	bool converged = false;
	while (!converged && bench_now_s() - t0 < CONVERGE_TIMEOUT_S) {
		sleep_ms(50);
		converged = true;
		uint8_t fp0[RBSR_FP_LEN];
		uint64_t n0 = 0;
		for (unsigned i = 0; converged && i < k; i++) {
			unsigned s;
			uint8_t fp[RBSR_FP_LEN];
			uint64_t n;
			if (!state_connected(v[i].d.dir, &s, NULL, 0) ||
			    store_fingerprint(v[i].nd.st, fp, &n))
				converged = false;
			else if (i == 0) {
				memcpy(fp0, fp, sizeof fp);
				n0 = n;
			} else if (n != n0 || memcmp(fp, fp0, sizeof fp) != 0)
				converged = false;
		}
	}
	res->conv_s = bench_now_s() - t0;
	if (!converged) {
		fprintf(stderr, "maille-bench: the %u nodes did not converge within %.0f s\n", k,
		        CONVERGE_TIMEOUT_S);
		for (unsigned i = 0; i < k; i++) {
			unsigned s;
			uint8_t fp[RBSR_FP_LEN];
			uint64_t n = 0;
			char why[200];
			state_connected(v[i].d.dir, &s, why, sizeof why);
			store_fingerprint(v[i].nd.st, fp, &n);
			char hex[2 * RBSR_FP_LEN + 1];
			proto_hex(fp, RBSR_FP_LEN, hex);
			int status;
			bool alive = waitpid(v[i].d.pid, &status, WNOHANG) == 0;
			fprintf(stderr,
			        "  %s (pid %ld, %s): %s; %u sessions; %llu entries, fingerprint "
			        "%s\n",
			        v[i].name, (long)v[i].d.pid, alive ? "running" : "EXITED", why, s,
			        (unsigned long long)n, hex);
			if (!alive)
				v[i].d.pid = 0;
		}
		goto out;
	}
	progress("  converged in %.1f s", res->conv_s);
	/* the state file is rewritten every second: let the counters settle, then confirm with
	 * the commands a user runs */
	sleep_ms(2500);
	set_state s0;
	long long before = 0;
	res->deg_min = ~0u;
	res->deg_max = 0;
	res->sessions = 0;
	for (unsigned i = 0; i < k; i++) {
		set_state s;
		unsigned conn = 0;
		long long c = copies_counter(v[i].d.dir, &conn);
		if (c < 0 || node_status(v[i].d.dir, &s))
			goto out;
		if (i == 0)
			s0 = s;
		else if (s.count != s0.count || strcmp(s.fp, s0.fp) != 0) {
			fprintf(stderr, "maille-bench: %s: status differs after convergence\n",
			        v[i].name);
			goto out;
		}
		before += c;
		res->sessions += conn;
		if (conn < res->deg_min)
			res->deg_min = conn;
		if (conn > res->deg_max)
			res->deg_max = conn;
	}
	res->deg_mean = (double)res->sessions / k;
	res->sessions /= 2; /* each session is seen from both ends */

	progress("propagation: publishing %u entries one at a time at random nodes", N_PUBLISH);
	uint64_t base = (uint64_t)cli_now_us();
	for (unsigned e = 0; e < N_PUBLISH; e++) {
		unsigned at = randombytes_uniform(k);
		uint8_t *raw;
		size_t len;
		if (bench_make_entry(400, PROP_ENTRIES + e, v[at].nd.pk, v[at].nd.sk, base + e,
		                     &raw, &len)) {
			fprintf(stderr, "maille-bench: cannot build an entry\n");
			goto out;
		}
		uint8_t id[PROTO_ID_LEN];
		proto_entry_id(raw, len, id);
		double p0 = bench_now_s();
		int r = store_entry_put(v[at].nd.st, raw, len, cli_now_us(), NULL);
		double p1 = bench_now_s();
		free(raw);
		if (r) {
			fprintf(stderr, "maille-bench: cannot store an entry at %s: %s\n",
			        v[at].name, maille_strerror(r));
			goto out;
		}
		put[e] = (p1 - p0) * 1000.0;
		memset(seen, 0, k * sizeof *seen);
		seen[at] = true;
		unsigned have = 1;
		first[e] = lat[e] = -1;
		while (have < k && bench_now_s() - p0 < PROP_TIMEOUT_S) {
			sleep_ms(POLL_MS);
			for (unsigned i = 0; i < k; i++) {
				if (seen[i] || store_has(v[i].nd.st, id) != 0)
					continue;
				seen[i] = true;
				have++;
				if (first[e] < 0)
					first[e] = (bench_now_s() - p0) * 1000.0;
			}
		}
		if (have < k) {
			res->lost++;
			fprintf(stderr,
			        "maille-bench: entry %u (published at %s) reached %u of %u nodes "
			        "in %.0f s\n",
			        e, v[at].name, have, k, PROP_TIMEOUT_S);
			lat[e] = PROP_TIMEOUT_S * 1000.0;
		} else {
			lat[e] = (bench_now_s() - p0) * 1000.0;
		}
		if (first[e] < 0)
			first[e] = lat[e];
		/* a random pause, so that publishes fall anywhere in the daemons' 100 ms tick */
		sleep_ms(50 + randombytes_uniform(150));
	}
	sleep_ms(2500); /* node.state is rewritten every second */
	long long after = 0;
	for (unsigned i = 0; i < k; i++) {
		long long c = copies_counter(v[i].d.dir, NULL);
		if (c < 0)
			goto out;
		after += c;
	}
	res->copies = (double)(after - before) / (double)(N_PUBLISH * (k - 1));
	qsort(lat, N_PUBLISH, sizeof *lat, bench_cmp_double);
	qsort(first, N_PUBLISH, sizeof *first, bench_cmp_double);
	qsort(put, N_PUBLISH, sizeof *put, bench_cmp_double);
	res->p50 = bench_pct(lat, N_PUBLISH, 0.5);
	res->p90 = bench_pct(lat, N_PUBLISH, 0.90);
	res->p99 = bench_pct(lat, N_PUBLISH, 0.99);
	res->max = lat[N_PUBLISH - 1];
	res->first_p50 = bench_pct(first, N_PUBLISH, 0.5);
	res->put_p50 = bench_pct(put, N_PUBLISH, 0.5);

	progress("propagation: stopping the %u daemons (SIGTERM)", k);
	for (unsigned i = 0; i < k; i++) {
		node_dir_close(&v[i].nd);
		v[i].open = false;
	}
	daemon_t *ds = calloc(k, sizeof *ds);
	if (!ds)
		goto out;
	for (unsigned i = 0; i < k; i++)
		ds[i] = v[i].d;
	daemons_stop(ds, k, 15.0);
	res->daemons = k;
	res->clean_exits = 0;
	for (unsigned i = 0; i < k; i++) {
		v[i].d.pid = 0;
		res->clean_exits += ds[i].exit_code == 0;
	}
	res->prop_ran = true;

	printf("\n3. Propagation: %u daemons (own node directories, one federation, %u entries "
	       "each at start)\n",
	       k, PROP_ENTRIES);
	printf("   topology: each node adds %u random others as peers (the daemon's minimum of "
	       "outbound\n     connections), no pair twice: %zu links; sessions once converged: "
	       "%zu (per node, in + out:\n     min %u, mean %.1f, max %u)\n",
	       deg, res->edges, res->sessions, res->deg_min, res->deg_mean, res->deg_max);
	printf(
	    "   from the peers' addition to every node connected and holding the same set: %.1f s"
	    "\n     (node.state is rewritten every second: +-1 s)\n",
	    res->conv_s);
	printf("   %u entries, each written at a random node through the store API (store_open on\n"
	       "     its directory + store_entry_put, %.1f ms p50): the daemon notices another "
	       "process's\n     write on its %u ms tick, as with `maille publish`; every node's "
	       "store polled every %u ms\n",
	       N_PUBLISH, res->put_p50, SYNC_TICK_MS, POLL_MS);
	printf("   time to the LAST node: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms (of %u: the "
	       "largest)\n     (target < 1 s); to the first other node: p50 %.0f ms\n",
	       res->p50, res->p90, res->p99, N_PUBLISH, res->first_p50);
	if (res->lost)
		printf("   LOST: %zu entries did not reach every node within %.0f s\n", res->lost,
		       PROP_TIMEOUT_S);
	printf("   copies received per entry and node (received + duplicates of `maille peers`,\n"
	       "     over %u x %u): %.2f\n",
	       N_PUBLISH, k - 1, res->copies);
	printf("   SIGTERM: %zu of %zu daemons exited 0\n", res->clean_exits, res->daemons);
	for (unsigned i = 0; i < k; i++) {
		char why[96];
		if (ds[i].exit_code != 0)
			printf("     daemon %s: %s%s (see %s/daemon.log)\n", v[i].name,
			       exit_text(ds[i].exit_code, why, sizeof why),
			       ds[i].killed ? " after SIGKILL" : "", v[i].d.dir);
	}
	free(ds);
	ret = 0;
out:
	if (v) {
		for (unsigned i = 0; i < k; i++)
			if (v[i].open)
				node_dir_close(&v[i].nd);
		daemons_stop_all();
	}
	free(v);
	free(edges);
	free(lat);
	free(first);
	free(put);
	free(seen);
	return ret;
}

/* A Markdown table for the README. */
static void print_summary(const results *res, double secs, const char *failed_ab,
                          const char *failed_prop)
{
	printf(
	    "\nSummary (maille-bench sync, N = %llu, K = %u, %.0f s in all), for the README:\n\n",
	    res->n, res->k, secs);
	printf("| `maille-bench sync`, %s, %ld cores, loopback | |\n|---|---|\n", res->cpu,
	       res->cores);
	if (res->ingest_ran)
		printf(
		    "| ingest: %llu entries into an empty node | %.1f s, %.0f entries/s = %.2f x "
		    "the single-core verify rate (%.0f/s); then %.1f s of search indexing (the lag); "
		    "CPU: sync %.1f s, serving daemon %.1f s; %.0f MB on the wire; fingerprints %s; "
		    "search results %s |\n",
		    res->n, res->ingest_wall, res->ingest_rate, res->ingest_rate / res->verify_rate,
		    res->verify_rate, res->index_s, res->sync_cpu_user + res->sync_cpu_sys,
		    res->daemon_cpu, res->wire_mb, res->ingest_equal ? "equal" : "DIFFERENT",
		    res->search_equal ? "the same on both" : "DIFFERENT");
	for (int c = 0; c < 3; c++) {
		const recon_case *rc = &res->rc[c];
		if (!rc->ran)
			continue;
		if (rc->equal)
			printf(
			    "| reconcile: identical sets of %llu | no reconciliation (equal HELLO "
			    "fingerprints): %lld bytes in all, %.0f ms; Negentropy alone would "
			    "take "
			    "%.2f ms CPU, %zu bytes |\n",
			    res->n, (long long)rc->bytes, rc->total_ms, rc->cpu_ms, rc->msg_bytes);
		else
			printf(
			    "| reconcile: %u differences (recent) | %lld round%s, %.1f kB with the "
			    "entries, %.0f ms; Negentropy alone %.2f ms CPU, %zu bytes (scattered "
			    "differences: %.2f ms, %zu bytes, %zu round trips) |\n",
			    rc->diffs, (long long)rc->rounds, rc->rounds == 1 ? "" : "s",
			    (double)rc->bytes / 1e3, rc->total_ms, rc->cpu_ms, rc->msg_bytes,
			    rc->sc_cpu_ms, rc->sc_bytes, rc->sc_rounds);
	}
	if (res->upload_ran)
		printf("| upload: a one-shot sync sending %llu entries of its own | %.1f s; bytes "
		       "received by the one-shot sync: %lld (%lld of its own entries pushed back) |\n",
		       res->up_n, res->up_wall, (long long)res->up_bytes_rx, (long long)res->up_dups);
	if (res->prop_ran)
		printf(
		    "| propagation: %u daemons, %zu sessions | to the last node p50 %.0f ms, p99 "
		    "%.0f ms; %.1f copies received per entry and node; %zu/%zu daemons exit 0 "
		    "on SIGTERM |\n",
		    res->k, res->sessions, res->p50, res->p99, res->copies, res->clean_exits,
		    res->daemons);
	if (failed_ab)
		printf("| FAILED | %s |\n", failed_ab);
	if (failed_prop)
		printf("| FAILED | %s |\n", failed_prop);
}

/* ---- main ---------------------------------------------------------------------------------- */

static const char sync_help[] =
    "usage: maille-bench sync [--n N] [--nodes K] [--only ingest|reconcile|propagation]\n"
    "                         [--dir DIR]\n"
    "\n"
    "Measures synchronisation between real `maille` processes (the binary next to\n"
    "maille-bench) over TCP on 127.0.0.1 with ephemeral ports, with real stores and their\n"
    "full-text index:\n"
    "  ingest       `maille sync` of an empty node with a daemon holding N generated entries\n"
    "               (default 100000): entries/s against the single-core Ed25519 verify rate,\n"
    "               CPU of both processes, bytes on the wire, equal fingerprints, search;\n"
    "               then (after reconcile, if it runs) the upload: `maille sync` of that\n"
    "               node once it holds N (at most 40000) more entries the daemon lacks, and\n"
    "               the bytes that one-shot sync receives\n"
    "  reconcile    the same N entries on both sides plus 0, 10 and 1000 differences: a real\n"
    "               sync (rounds, bytes, time) and the Negentropy exchange alone in memory\n"
    "               (CPU, bytes, round trips)\n"
    "  propagation  K daemons (default 20) linked at random, 50 entries written at random\n"
    "               nodes: time until the last node has each, copies received per entry\n"
    "Figures are printed, not checked. --dir keeps the nodes in DIR (which must not exist or\n"
    "be empty); by default a temporary directory is used and removed.\n";

const char *bench_maille(void)
{
	return g_maille;
}

const char *bench_root(void)
{
	return g_root;
}

int bench_workspace(const char *dir, const char *what, bool *ret_temp)
{
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl <= 0) {
		fprintf(stderr, "maille-bench: cannot find this program (/proc/self/exe): %s\n",
		        strerror(errno));
		return -1;
	}
	self[sl] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(g_maille, sizeof g_maille, "%s/maille", self);
	if (access(g_maille, X_OK) != 0) {
		fprintf(stderr,
		        "maille-bench: %s: %s (maille-bench runs the `maille` next to it)\n",
		        g_maille, strerror(errno));
		return -1;
	}

	bool temp = !dir;
	*ret_temp = temp;
	if (temp) {
		char tmpl[64];
		snprintf(tmpl, sizeof tmpl, "/tmp/maille-bench-%s-XXXXXX", what);
		if (!mkdtemp(tmpl)) {
			fprintf(stderr, "maille-bench: mkdtemp: %s\n", strerror(errno));
			return -1;
		}
		snprintf(g_root, sizeof g_root, "%s", tmpl);
	} else {
		snprintf(g_root, sizeof g_root, "%s", dir);
		if (mkdir(g_root, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "maille-bench: %s: %s\n", g_root, strerror(errno));
			return -1;
		}
		DIR *d = opendir(g_root);
		bool empty = d != NULL;
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				empty = false;
		if (d)
			closedir(d);
		if (!empty) {
			fprintf(stderr, "maille-bench: %s is not an empty directory\n", g_root);
			return -1;
		}
	}

	return 0;
}

int bench_sync_main(int argc, char **argv)
{
	cli_opt opts[] = { { "n", true, NULL },
		           { "nodes", true, NULL },
		           { "only", true, NULL },
		           { NULL, false, NULL } };
	cli_args a;
	int r = cli_start("bench sync", sync_help, argc, argv, opts, 0, &a);
	if (r != CLI_GO)
		return r;
	const char *only = cli_opt_get(opts, "only");
	unsigned long long n, k;
	if ((r = bench_opt_num("bench sync", opts, "n", 100000, 1, 10000000ull, NULL, &n)) ||
	    (r = bench_opt_num("bench sync", opts, "nodes", 20, 2, 100, NULL, &k)))
		return r;
	bool do_ingest = true, do_recon = true, do_prop = true;
	if (only) {
		do_ingest = strcmp(only, "ingest") == 0;
		do_recon = strcmp(only, "reconcile") == 0;
		do_prop = strcmp(only, "propagation") == 0;
		if (!do_ingest && !do_recon && !do_prop)
			return cli_usage_error("bench sync",
			                       "--only is ingest, reconcile or propagation");
	}

	bool temp;
	if (bench_workspace(a.dir, "sync", &temp))
		return EXIT_FAIL;

	/* results on stdout and progress on stderr stay in order when both go to one file */
	setvbuf(stdout, NULL, _IOLBF, 0);
	results res;
	memset(&res, 0, sizeof res);
	res.n = n;
	res.k = (unsigned)k;
	bench_cpu_model(res.cpu, sizeof res.cpu);
	res.cores = sysconf(_SC_NPROCESSORS_ONLN);
	printf("maille-bench sync %s — %s, %ld cores online\n", MAILLE_VERSION, res.cpu, res.cores);
	printf("inputs: N = %llu generated entries (4 types, French text), K = %llu daemons; "
	       "%s\n",
	       n, k, g_maille);
	char *la = slurp("/proc/loadavg");
	if (la)
		la[strcspn(la, "\n")] = '\0';
	printf("load average at the start: %s\n", la ? la : "unknown");
	free(la);
	printf("all processes on this machine over 127.0.0.1 (no network latency or bandwidth "
	       "limit);\nnot measured: edits and tombstones (every entry is new), disks other than "
	       "this one\n");
	fflush(stdout);

	double t_start = bench_now_s();
	/* a phase that fails says why and the others still run: propagation does not depend on
	 * ingest and reconcile */
	bool failed = false;
	const char *failed_ab = NULL;
	ab x;
	memset(&x, 0, sizeof x);
	if (do_ingest || do_recon) {
		if (ab_setup(&x, n))
			failed_ab = "setting up nodes A and B failed";
		else if (phase_ingest(&x, &res, do_ingest))
			failed_ab = "the ingest sync failed";
		else if (!do_ingest)
			progress("B synced from A (not measured: --only reconcile)");
		if (!failed_ab && do_recon && phase_reconcile(&x, &res))
			failed_ab = "a reconciliation failed";
		if (!failed_ab && do_ingest && phase_upload(&x, &res))
			failed_ab = "the upload sync failed";
		if (failed_ab)
			printf("\n   FAILED: %s (see the messages above)\n", failed_ab);
		if (x.da.pid > 0) {
			progress("stopping daemon A (SIGTERM)");
			daemons_stop(&x.da, 1, 15.0);
			char why[96];
			printf("\n   daemon A: SIGTERM, %s%s\n",
			       exit_text(x.da.exit_code, why, sizeof why),
			       x.da.exit_code == 0 ? " (clean)"
			                           : " (NOT CLEAN: see its daemon.log)");
		}
		failed = failed_ab != NULL || x.da.exit_code != 0;
	}
	const char *failed_prop = NULL;
	if (do_prop && phase_propagation(&res)) {
		failed_prop = "propagation failed";
		printf("\n3. Propagation: FAILED (see the messages above)\n");
	}
	failed = failed || failed_prop || res.clean_exits != res.daemons;

	print_summary(&res, bench_now_s() - t_start, failed_ab, failed_prop);
	daemons_stop_all();
	if (temp) {
		bench_rm_tree(g_root);
	} else {
		static const char *const scratch[] = { ".cmd.out", ".cmd.err", ".sync.out",
			                               ".sync.err" };
		for (size_t i = 0; i < sizeof scratch / sizeof scratch[0]; i++) {
			char p[4200];
			if (path_join(p, sizeof p, g_root, scratch[i]) == 0)
				unlink(p);
		}
		printf("(nodes kept in %s)\n", g_root);
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}

/* ---- maille-bench federation ------------------------------------------------------------------
 * 1. trust: the trust view (node/service/trust.c) of a node whose store holds T territories and V
 *    vouches, computed in this process on the real store (the work of every `list`, `search`
 *    and of the daemon's quarantine), and `maille territories --json` end to end;
 * 2. join: a federation of 5 nodes built by invitation, holding 20 000 entries in all, synced
 *    by their daemons; then a new node's `maille join TOKEN` (redemption, the whole catalogue,
 *    its indexing) until its fingerprint equals the inviter's. */

#define FED_NODES 5u
#define FED_TERRITORIES 1000u
#define FED_VOUCHES 5000u

static const char fed_help[] =
	"usage: maille-bench federation [--entries N] [--territories T] [--vouches V] [--dir DIR]\n"
	"\n"
	"Measures, with real processes and stores: the trust view for T territories (default\n"
	"1000) and V vouches (default 5000); and the time from `maille join` to a complete\n"
	"catalogue for a newcomer joining a federation of 5 nodes that hold N entries in all\n"
	"(default 20000), over 127.0.0.1. DIR (empty or new) keeps the nodes; by default a\n"
	"temporary directory is removed at the end.\n";

/* A vouch signed by voucher for vouchee, put into st (a batch is open). */
static int put_vouch(store *st, const uint8_t *vpk, const uint8_t *vsk, const uint8_t *tpk,
                     uint64_t ts)
{
	char path[80] = PROTO_VOUCHES_PREFIX;
	proto_hex(tpk, PROTO_KEY_LEN, path + sizeof PROTO_VOUCHES_PREFIX - 1);
	static const uint8_t body[] = {0x81, 0xa4, 't', 'y', 'p', 'e', 0xa5, 'v', 'o', 'u', 'c', 'h'};
	fixture_entry f = {.path = path, .timestamp = ts, .body = body, .body_len = sizeof body};
	uint8_t *raw = NULL;
	size_t len = 0;
	int r = fixture_entry_sign(&f, vpk, vsk, &raw, &len);
	if (!r)
		r = store_entry_put(st, raw, len, ts + 1, NULL);
	free(raw);
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int phase_trust(unsigned nt, unsigned nv)
{
	char dir[4200];
	if (path_join(dir, sizeof dir, g_root, "trust"))
		return -1;
	argv_t a;
	argv_start(&a, dir);
	argv_add(&a, "init");
	argv_add(&a, "--name");
	argv_add(&a, "Territoire mesuré");
	if (run(&a, NULL))
		return -1;
	progress("writing %u territories' %u vouches into one store (not timed)...", nt, nv);
	node_dir nd;
	if (cli_node_open(&nd, dir))
		return -1;
	uint8_t(*pk)[PROTO_KEY_LEN] = malloc((size_t)nt * PROTO_KEY_LEN);
	uint8_t(*sk)[PROTO_SECRET_KEY_LEN] = malloc((size_t)nt * PROTO_SECRET_KEY_LEN);
	int r = pk && sk ? 0 : MAILLE_ENOMEM;
	/* key 0 is this node; the first nt - 1 vouches make a random tree from it (everyone is
	 * reachable, at some depth), the rest are random pairs: vouchers vouch for several */
	memcpy(pk[0], nd.pk, PROTO_KEY_LEN);
	memcpy(sk[0], nd.sk, PROTO_SECRET_KEY_LEN);
	for (unsigned i = 1; !r && i < nt; i++)
		proto_key_generate(pk[i], sk[i]);
	uint64_t ts = cli_now_us() - 3600000000u;
	unsigned done = 0;
	if (!r)
		r = store_begin(nd.st);
	for (unsigned i = 1; !r && i < nt && done < nv; i++, done++) {
		uint32_t from = randombytes_uniform(i);
		r = put_vouch(nd.st, pk[from], sk[from], pk[i], ts + done);
	}
	while (!r && done < nv) {
		uint32_t from = randombytes_uniform(nt), to = randombytes_uniform(nt);
		if (from == to)
			continue;
		r = put_vouch(nd.st, pk[from], sk[from], pk[to], ts + done);
		done++; /* a pair drawn twice is a new version of the same vouch */
	}
	if (!r)
		r = store_commit(nd.st);
	free(sk);
	if (r) {
		fprintf(stderr, "maille-bench: cannot write the vouches: %s\n", maille_strerror(r));
		free(pk);
		node_dir_close(&nd);
		return -1;
	}
	printf("\n1. Trust view: %u territories, %u vouch entries (a random tree from this node, "
	       "then random pairs)\n", nt, done);
	static const unsigned hops[] = {3, 10};
	for (size_t h = 0; h < 2; h++) {
		double t[15];
		size_t trusted = 0;
		for (int k = 0; k < 15; k++) {
			trust_view tv;
			double t0 = bench_now_s();
			r = trust_compute(nd.st, nd.pk, hops[h], &tv);
			t[k] = (bench_now_s() - t0) * 1e3;
			if (r) {
				fprintf(stderr, "maille-bench: trust_compute: %s\n", maille_strerror(r));
				free(pk);
				node_dir_close(&nd);
				return -1;
			}
			trusted = tv.n;
			trust_view_done(&tv);
		}
		qsort(t, 15, sizeof t[0], cmp_double);
		printf("   trust_compute, %2u hops: median %.2f ms, max %.2f ms over 15 runs; "
		       "%zu territories trusted\n",
		       hops[h], t[7], t[14], trusted);
	}
	free(pk);
	node_dir_close(&nd);
	double w[5];
	for (int k = 0; k < 5; k++) {
		double t0 = bench_now_s();
		json_t *j = run_json(dir, "territories", (const char *)NULL);
		w[k] = (bench_now_s() - t0) * 1e3;
		if (!j)
			return -1;
		json_decref(j);
	}
	qsort(w, 5, sizeof w[0], cmp_double);
	printf("   maille territories --json (a whole process: open, compute, %u rows of JSON): "
	       "median %.0f ms\n", nt, w[2]);
	return 0;
}

static int phase_join(unsigned long long total)
{
	char dirs[FED_NODES + 1][4200], fed[4200];
	daemon_t d[FED_NODES];
	memset(d, 0, sizeof d);
	static const char *const names[FED_NODES + 1] = {
		"Métropole de Lyon", "Ville de Grenoble", "Département de l'Isère",
		"Commune de Vénissieux", "Syndicat des eaux du Rhône", "Commune de Bron"};
	for (unsigned i = 0; i <= FED_NODES; i++) {
		char sub[8];
		snprintf(sub, sizeof sub, "j%u", i);
		if (path_join(dirs[i], sizeof dirs[i], g_root, sub))
			return -1;
	}
	if (path_join(fed, sizeof fed, g_root, "jfederation"))
		return -1;
	progress("creating %u nodes, each joining the first by invitation", FED_NODES);
	if (node_create(dirs[0], names[0], fed, true))
		return -1;
	if (daemon_start(&d[0], dirs[0]))
		return -1;
	int ret = -1;
	for (unsigned i = 1; i < FED_NODES; i++) {
		argv_t a;
		argv_start(&a, dirs[i]);
		argv_add(&a, "init");
		argv_add(&a, "--name");
		argv_add(&a, names[i]);
		if (run(&a, NULL))
			goto out;
		json_t *inv = run_json(dirs[0], "invite", (const char *)NULL);
		json_t *j = inv ? run_json(dirs[i], "join", jstr(inv, "token"), (const char *)NULL)
		                : NULL;
		json_decref(inv);
		json_decref(j);
		if (!j)
			goto out;
	}
	unsigned long long per = total / FED_NODES;
	progress("publishing %llu generated entries into each (store API, not timed)", per);
	for (unsigned i = 0; i < FED_NODES; i++)
		if (node_fill(dirs[i], 100 + i, 0, per, NULL))
			goto out;
	for (unsigned i = 1; i < FED_NODES; i++)
		if (daemon_start(&d[i], dirs[i]))
			goto out;
	progress("waiting until the %u daemons hold the same set", FED_NODES);
	double t0 = bench_now_s();
	set_state s0, si;
	for (;;) {
		bool same = node_status(dirs[0], &s0) == 0;
		for (unsigned i = 1; same && i < FED_NODES; i++)
			same = node_status(dirs[i], &si) == 0 && si.count == s0.count &&
			       strcmp(si.fp, s0.fp) == 0;
		if (same && (unsigned long long)s0.count >= per * FED_NODES)
			break;
		if (bench_now_s() - t0 > 300) {
			fprintf(stderr, "maille-bench: the federation did not converge in 300 s\n");
			goto out;
		}
		sleep_ms(200);
	}
	progress("  converged in %.1f s: %lld entries on every node", bench_now_s() - t0,
	         (long long)s0.count);
	argv_t a;
	argv_start(&a, dirs[FED_NODES]);
	argv_add(&a, "init");
	argv_add(&a, "--name");
	argv_add(&a, names[FED_NODES]);
	if (run(&a, NULL))
		goto out;
	json_t *inv = run_json(dirs[0], "invite", (const char *)NULL);
	if (!inv)
		goto out;
	char token[PROTO_INVITE_TOKEN_MAX + 1];
	snprintf(token, sizeof token, "%s", jstr(inv, "token"));
	json_decref(inv);
	progress("the newcomer joins: maille join TOKEN (inviter: %s)", names[0]);
	double j0 = bench_now_s();
	json_t *j = run_json(dirs[FED_NODES], "join", token, (const char *)NULL);
	double joined = bench_now_s() - j0;
	if (!j)
		goto out;
	set_state sf;
	double complete = 0;
	for (;;) {
		if (node_status(dirs[FED_NODES], &sf) == 0 && node_status(dirs[0], &s0) == 0 &&
		    sf.count >= s0.count - 1 /* its own node entry is not in A's yet */) {
			complete = bench_now_s() - j0;
			break;
		}
		if (bench_now_s() - j0 > 300) {
			fprintf(stderr, "maille-bench: the newcomer did not catch up in 300 s\n");
			json_decref(j);
			goto out;
		}
		sleep_ms(20);
	}
	printf("\n2. Join: a newcomer joins a federation of %u nodes holding %lld entries\n",
	       FED_NODES, (long long)s0.count);
	printf("   maille join: %.2f s (redemption, %lld entries received, verified, stored and "
	       "indexed: %.0f entries/s)\n",
	       joined, (long long)jint(j, "received"), (double)jint(j, "received") / joined);
	printf("   complete catalogue (its count equals the inviter's): %.2f s after the start of "
	       "maille join\n", complete);
	json_decref(j);
	ret = 0;
out:
	daemons_stop(d, FED_NODES, 15.0);
	for (unsigned i = 0; i < FED_NODES; i++)
		if (d[i].exit_code != 0) {
			printf("   daemon %u: NOT CLEAN on SIGTERM (exit %d)\n", i, d[i].exit_code);
			ret = -1;
		}
	return ret;
}

int bench_federation_main(int argc, char **argv)
{
	cli_opt opts[] = {{"entries", true, NULL},
	                  {"territories", true, NULL},
	                  {"vouches", true, NULL},
	                  {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("bench federation", fed_help, argc, argv, opts, 0, &a);
	if (r != CLI_GO)
		return r;
	unsigned long long n, nt, nv;
	if ((r = bench_opt_num("bench federation", opts, "entries", 20000, FED_NODES, 1000000,
	                       "--entries wants 5 to 1000000", &n)) ||
	    (r = bench_opt_num("bench federation", opts, "territories", FED_TERRITORIES, 2, 100000,
	                       "--territories wants 2 to 100000", &nt)) ||
	    (r = bench_opt_num("bench federation", opts, "vouches", FED_VOUCHES, nt - 1, 1000000,
	                       "--vouches wants at least territories - 1, at most 1000000", &nv)))
		return r;
	bool temp;
	if (bench_workspace(a.dir, "federation", &temp))
		return EXIT_FAIL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	char cpu[128];
	bench_cpu_model(cpu, sizeof cpu);
	printf("maille-bench federation %s — %s, %ld cores online\n", MAILLE_VERSION, cpu,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("inputs: %llu territories and %llu vouches; %u nodes holding %llu generated entries; "
	       "%s\n", nt, nv, FED_NODES, n, g_maille);
	bool failed = phase_trust((unsigned)nt, (unsigned)nv) != 0;
	failed |= phase_join(n) != 0;
	daemons_stop_all();
	if (temp)
		bench_rm_tree(g_root);
	else
		printf("(nodes kept in %s)\n", g_root);
	if (failed)
		printf("\nFAILED (see the messages above)\n");
	return failed ? EXIT_FAIL : EXIT_OK;
}
