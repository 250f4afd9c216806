/* tools/bench/bench_web.c: `maille-bench web`, the web catalogue under load while the node syncs.
 *
 *   maille-bench web [--n N] [--requests R] [--seconds S] [--clients C] [--dir DIR]
 *
 * Node A holds N generated records (default 100000) and runs `maille node` with its web
 * catalogue; node B, in the same federation, starts with 5000 records of its own, catches up
 * with A (`maille sync`), then runs its daemon with A as its peer and gets 100 new records
 * every second from this program for the whole run, which its daemon pushes to A: A verifies,
 * stores and indexes entries during every measurement. A trusts B, so those entries are in the
 * catalogue the pages show. Catalogue requests: pages 1 to 10, unfiltered or by type, theme,
 * status. Measured: the latency of R requests (default 500) of each of the catalogue (pages and
 * facets), search (rare, common, unaccented words) and entry pages, one at a time on a keep-alive
 * connection, p50/p99; then requests per second on the search API with C concurrent clients
 * (default 50) for S seconds (default 10) by wrk (Debian's `wrk`). Figures are printed, not
 * checked. --dir keeps the nodes (reused when they exist). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "bench_web.h"
#include "cli.h"
#include "gen.h"
#include "node/web/web_form.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/value.h"

static char g_maille[4200];

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* Forks and runs argv (g_maille first) with nothing on its standard input, its standard error
 * (and its standard output when out_to_log) appended to log. The child's pid, or -1. */
static pid_t maille_spawn(const char *const *argv, const char *log, bool out_to_log)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	int null = open("/dev/null", O_RDWR);
	if (fd < 0 || null < 0)
		_exit(126);
	dup2(null, 0);
	dup2(out_to_log ? fd : null, 1);
	dup2(fd, 2);
	execv(g_maille, (char *const *)argv);
	_exit(127);
}

/* Runs maille --dir dir args... (NULL-terminated) to completion, its output to log. */
static int maille_run(const char *dir, const char *log, ...)
{
	const char *argv[16] = { g_maille, "--dir", dir };
	size_t n = 3;
	va_list ap;
	va_start(ap, log);
	const char *s;
	while ((s = va_arg(ap, const char *)) && n < 15)
		argv[n++] = s;
	va_end(ap);
	argv[n] = NULL;
	pid_t pid = maille_spawn(argv, log, true);
	if (pid < 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "maille-bench web: maille --dir %s %s failed (see %s)\n", dir,
		        argv[3], log);
		return -1;
	}
	return 0;
}

/* Starts a daemon (web: "--web 127.0.0.1:0" or "--no-web") and waits for its address file. */
static pid_t daemon_start(const char *dir, bool web, char *ret_addr, size_t cap)
{
	char log[4300], file[4300];
	snprintf(log, sizeof log, "%s/daemon.log", dir);
	snprintf(file, sizeof file, "%s/%s", dir, web ? "web.addr" : "node.addr");
	const char *argv[] = { g_maille,
		               "--dir",
		               dir,
		               "node",
		               "--listen",
		               "127.0.0.1:0",
		               web ? "--web" : "--no-web",
		               web ? "127.0.0.1:0" : NULL,
		               NULL };
	pid_t pid = maille_spawn(argv, log, false);
	if (pid < 0)
		return -1;
	double t0 = bench_now_s();
	while (bench_now_s() - t0 < 60) {
		FILE *f = fopen(file, "r");
		if (f) {
			bool ok = fgets(ret_addr, (int)cap, f) && strchr(ret_addr, '\n');
			fclose(f);
			if (ok) {
				ret_addr[strcspn(ret_addr, "\n")] = '\0';
				return pid;
			}
		}
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "maille-bench web: the daemon of %s exited (see %s)\n", dir,
			        log);
			return -1;
		}
		sleep_ms(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static int daemon_stop(pid_t pid)
{
	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- a keep-alive HTTP/1.1 client, one request at a time ------------------------------------ */

typedef struct client {
	struct sockaddr_in sa;
	int fd;
	char *buf;
	size_t cap, len; /* len: the last response's bytes */
} client;

static int client_connect(client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return connect(c->fd, (struct sockaddr *)&c->sa, sizeof c->sa);
}

/* The first occurrence of the NUL-terminated needle in h[0..len), or NULL (memmem is a GNU
 * extension). */
static char *find(char *h, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(h + i, needle, n) == 0)
			return h + i;
	return NULL;
}

/* GET path; the status, or -1. The whole response is read (Content-Length). */
static int client_get(client *c, const char *path)
{
	char req[4096];
	/* the Host must name the server (its allow-list refuses any other with 421) */
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", path,
	                 (unsigned)ntohs(c->sa.sin_port));
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((c->fd < 0 || attempt) && client_connect(c) != 0)
			return -1;
		if (send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
			continue;
		size_t len = 0, head = 0, want = 0;
		int status = -1;
		for (;;) {
			if (len == c->cap)
				return -1;
			ssize_t r = recv(c->fd, c->buf + len, c->cap - len, 0);
			if (r <= 0)
				break;
			len += (size_t)r;
			if (!head) {
				char *e = find(c->buf, len, "\r\n\r\n");
				if (!e)
					continue;
				head = (size_t)(e - c->buf) + 4;
				status = atoi(c->buf + 9);
				char *cl = find(c->buf, head, "Content-Length: ");
				want = cl ? strtoul(cl + 16, NULL, 10) : 0;
			}
			if (head && len >= head + want) {
				c->len = len;
				return status;
			}
		}
	}
	return -1;
}

/* ---- the sync load: node B gets new records, its daemon pushes them to A ----------------- */

typedef struct writer {
	node_dir nd;
	volatile bool stop;
	uint64_t written, errors;
} writer;

static void *writer_main(void *arg)
{
	writer *w = arg;
	/* new paths on every run: a path used before would make each record an edit, and the
	 * full-text index is rewritten when an edit commits (store.h), another benchmark */
	uint64_t i = 10000000u + (uint64_t)time(NULL) % 1000000u * 1000u;
	while (!w->stop) {
		/* one transaction per 10 records, as a `maille publish` of a few files would be */
		bool batch = store_begin(w->nd.st) == 0;
		for (int k = 0; k < 10; k++) {
			uint8_t *raw;
			size_t len;
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			uint64_t now =
			    (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
			if (bench_make_entry(7, i++, w->nd.pk, w->nd.sk, now, &raw, &len) == 0) {
				int e = store_entry_put(w->nd.st, raw, len, now, NULL);
				if (e == 0)
					w->written++;
				else if (w->errors++ == 0)
					fprintf(stderr, "maille-bench web: B's writer: %s\n",
					        maille_strerror(e));
				free(raw);
			}
		}
		if (batch && store_commit(w->nd.st) != 0)
			w->errors++;
		sleep_ms(100); /* 100 records a second */
	}
	return NULL;
}

/* A's entry count, from its own /api/status: opening its store from here would checkpoint
 * the WAL when closing it, a write this benchmark must not add. */
static uint64_t a_entries(client *c)
{
	if (client_get(c, "/api/status") != 200)
		return 0;
	char *k = find(c->buf, c->len, "\"count\": ");
	return k ? strtoull(k + 9, NULL, 10) : 0;
}

/* ---- measurements -------------------------------------------------------------------------------
 */

typedef struct lat {
	const char *name;
	double p50, p99, max;
	unsigned errors;
} lat;

static void measure(client *c, const char *name, char **paths, size_t n, lat *ret)
{
	double *ms = malloc(n * sizeof *ms);
	ret->name = name;
	ret->errors = 0;
	if (!ms)
		return;
	for (size_t i = 0; i < n; i++) {
		double t0 = bench_now_s();
		int st = client_get(c, paths[i]);
		ms[i] = (bench_now_s() - t0) * 1000.0;
		if (st != 200)
			ret->errors++;
	}
	qsort(ms, n, sizeof *ms, bench_cmp_double);
	ret->p50 = bench_pct(ms, n, 0.5);
	ret->p99 = bench_pct(ms, n, 0.99);
	ret->max = ms[n - 1];
	free(ms);
}

static char *xstrdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xstrdup_printf(const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return strdup(tmp);
}

/* The search queries: rare code names, places typed without accents, topic and common words. */
static size_t queries(char q[][96], size_t max)
{
	size_t n = 0;
	for (uint64_t k = 0; n < max && k < 20; k++)
		gen_codename(k * 397u % 13824u, q[n++], 96);
	static const char *const unaccented[] = { "besancon",
		                                  "perigueux",
		                                  "saint-etienne",
		                                  "orleans",
		                                  "nimes",
		                                  "chateauroux",
		                                  "epinal",
		                                  "evaluation impact",
		                                  "experience agents",
		                                  "deliberations" };
	for (size_t i = 0; n < max && i < 10; i++)
		snprintf(q[n++], 96, "%s", unaccented[i]);
	for (size_t i = 0; n < max && gen_words_rare[i] && i < 12; i++)
		snprintf(q[n++], 96, "%s", gen_words_rare[i]);
	for (size_t i = 0; n < max && gen_words_common[i] && i < 8; i++)
		snprintf(q[n++], 96, "%s", gen_words_common[i]);
	return n;
}

static const char web_help[] =
    "usage: maille-bench web [--n N] [--requests R] [--seconds S] [--clients C] [--dir DIR]\n"
    "\n"
    "Node A (N generated records, default 100000) serves its web catalogue while node B's\n"
    "daemon pushes it new records (5000, then 100 a second). Prints the latency (p50, p99) of\n"
    "R requests (default 500) of each of the catalogue, search and entry pages, one at a time,\n"
    "then the requests per second of the search API under C concurrent clients (default 50)\n"
    "for S seconds (default 10), measured by wrk. --dir keeps the nodes there and reuses\n"
    "them when they exist.\n";

int bench_web_main(int argc, char **argv)
{
	cli_opt opts[] = { { "n", true, NULL },
		           { "requests", true, NULL },
		           { "seconds", true, NULL },
		           { "clients", true, NULL },
		           { NULL, false, NULL } };
	cli_args a;
	int r = cli_start("web", web_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	const char *ns = cli_opt_get(opts, "n"), *rs = cli_opt_get(opts, "requests");
	const char *ss = cli_opt_get(opts, "seconds"), *cs = cli_opt_get(opts, "clients");
	unsigned long n = ns ? strtoul(ns, NULL, 10) : 100000;
	unsigned long nreq = rs ? strtoul(rs, NULL, 10) : 500;
	unsigned long secs = ss ? strtoul(ss, NULL, 10) : 10;
	unsigned long clients = cs ? strtoul(cs, NULL, 10) : 50;
	if (n == 0 || n > 10000000 || nreq == 0 || nreq > 100000 || secs == 0 || secs > 600 ||
	    clients == 0 || clients > 1000)
		return cli_usage_error("web",
		                       "--n 1..10000000, --requests 1..100000, --seconds 1..600, "
		                       "--clients 1..1000");
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl <= 0)
		return EXIT_FAIL;
	self[sl] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(g_maille, sizeof g_maille, "%s/maille", self);
	char root[4096];
	if (a.dir) {
		snprintf(root, sizeof root, "%s", a.dir);
		mkdir(root, 0700);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(root, sizeof root, "%s/maille-bench-web-XXXXXX",
		         tmp && *tmp ? tmp : P_tmpdir);
		if (!mkdtemp(root))
			return EXIT_FAIL;
	}
	char da[4200], db[4200], fed[4200], log[4200];
	snprintf(da, sizeof da, "%s/a", root);
	snprintf(db, sizeof db, "%s/b", root);
	snprintf(fed, sizeof fed, "%s/federation.export", root);
	snprintf(log, sizeof log, "%s/commands.log", root);
	char cpu[256];
	bench_cpu_model(cpu, sizeof cpu);
	printf("maille-bench web: %lu entries, %s, %ld cores\n", n, cpu,
	       sysconf(_SC_NPROCESSORS_ONLN));
	struct stat sb;
	if (stat(da, &sb) != 0) {
		printf("creating node A with %lu generated records...\n", n);
		fflush(stdout);
		if (maille_run(da, log, "init", "--name", "Métropole de Lyon", (char *)NULL) ||
		    maille_run(da, log, "federation", "new", "--name", "maille-bench",
		               (char *)NULL) ||
		    maille_run(da, log, "federation", "export", fed, (char *)NULL) ||
		    maille_run(db, log, "init", "--name", "Département du Rhône", (char *)NULL) ||
		    maille_run(db, log, "federation", "import", fed, (char *)NULL))
			return EXIT_FAIL;
		node_dir nd;
		double s;
		uint64_t bytes;
		if (cli_node_open(&nd, da))
			return EXIT_FAIL;
		r = bench_publish(nd.st, nd.pk, nd.sk, 1, 0, n, &s, &bytes);
		node_dir_close(&nd);
		if (r || cli_node_open(&nd, db))
			return EXIT_FAIL;
		r = bench_publish(nd.st, nd.pk, nd.sk, 2, 0, 5000, &s, &bytes);
		node_dir_close(&nd);
		if (r)
			return EXIT_FAIL;
	}
	/* A's territory key, for the entry pages' links; A trusts B (a member of the federation
	 * it works with), so what B pushes is part of A's catalogue while it is measured */
	node_dir nda, ndb;
	if (cli_node_open(&nda, da))
		return EXIT_FAIL;
	char akey[65], bkey[65];
	proto_hex(nda.pk, PROTO_KEY_LEN, akey);
	node_dir_close(&nda);
	if (cli_node_open(&ndb, db))
		return EXIT_FAIL;
	proto_hex(ndb.pk, PROTO_KEY_LEN, bkey);
	node_dir_close(&ndb);
	/* both fail harmlessly when already done */
	maille_run(da, log, "trust", bkey, (char *)NULL);
	maille_run(db, log, "trust", akey, (char *)NULL);

	int ret = EXIT_FAIL;
	char web[128], baddr[128], aaddr[128];
	pid_t pa = daemon_start(da, true, web, sizeof web), pb = -1;
	FILE *af = NULL;
	char af_path[4300];
	snprintf(af_path, sizeof af_path, "%s/node.addr", da);
	if (pa < 0)
		return EXIT_FAIL;
	af = fopen(af_path, "r");
	if (!af || !fgets(aaddr, sizeof aaddr, af)) {
		if (af)
			fclose(af);
		goto out;
	}
	fclose(af);
	aaddr[strcspn(aaddr, "\n")] = '\0';
	/* B first catches up with A (a one-shot sync: what a member that joined earlier holds),
	 * then its daemon keeps A as its peer: everything B stores is pushed to A */
	printf("node B catches up with A (maille sync)...\n");
	fflush(stdout);
	maille_run(db, log, "sync", aaddr, "--timeout", "600", (char *)NULL);
	maille_run(db, log, "peer", "add", aaddr, (char *)NULL); /* fails when already there */
	pb = daemon_start(db, false, baddr, sizeof baddr);
	writer *w = calloc(1, sizeof *w);
	pthread_t wt;
	bool wt_started = false;
	if (w && cli_node_open(&w->nd, db) == 0)
		wt_started = pthread_create(&wt, NULL, writer_main, w) == 0;
	printf("node A serves %s; node B (%s) pushes to it: 5000 records, then 100 a second\n", web,
	       pb > 0 ? "running" : "NOT running");

	client c = { .fd = -1, .cap = 16u * 1024u * 1024u };
	c.buf = malloc(c.cap);
	c.sa.sin_family = AF_INET;
	char host[128];
	snprintf(host, sizeof host, "%s", web);
	char *colon = strrchr(host, ':');
	*colon = '\0';
	c.sa.sin_port = htons((uint16_t)atoi(colon + 1));
	inet_pton(AF_INET, host, &c.sa.sin_addr);
	uint64_t a0 = a_entries(&c);
	char **paths = calloc(nreq, sizeof *paths);
	char q[64][96];
	size_t nq = queries(q, 64);
	static const char *const types[] = { "",
		                             "&type=rex",
		                             "&type=use_case",
		                             "&theme=donnees",
		                             "&status=production",
		                             "&type=component&theme=logiciel-libre" };
	srand(42);
	lat res[3];
	/* warm-up: the first pages read the file into the page cache */
	for (int i = 0; i < 50; i++)
		client_get(&c, "/catalogue");
	for (size_t i = 0; i < nreq; i++)
		paths[i] =
		    xstrdup_printf("/catalogue?page=%d%s", 1 + rand() % 10, types[rand() % 6]);
	measure(&c, "catalogue", paths, nreq, &res[0]);
	for (size_t i = 0; i < nreq; i++) {
		free(paths[i]);
		char enc[300];
		const char *s = q[(size_t)rand() % nq];
		web_pct_encode(s, strlen(s), false, enc, sizeof enc);
		paths[i] = xstrdup_printf("/search?q=%s", enc);
	}
	measure(&c, "search", paths, nreq, &res[1]);
	for (size_t i = 0; i < nreq; i++) {
		free(paths[i]);
		proto_arena ar;
		proto_arena_init(&ar, 0);
		char p[160];
		gen_record(&ar, 1, (uint64_t)rand() % n, p, sizeof p);
		proto_arena_done(&ar);
		paths[i] = xstrdup_printf("/entry/%s?territory=%s", p, akey);
	}
	measure(&c, "entry", paths, nreq, &res[2]);
	uint64_t a1 = a_entries(&c);
	printf("\npage latency, %lu requests each, one at a time (keep-alive), while A syncs:\n",
	       nreq);
	for (int i = 0; i < 3; i++)
		printf("  %-10s p50 %6.2f ms   p99 %6.2f ms   max %7.2f ms   errors %u\n",
		       res[i].name, res[i].p50, res[i].p99, res[i].max, res[i].errors);
	printf("  A received %llu entries from B meanwhile (%llu then %llu)\n",
	       (unsigned long long)(a1 - a0), (unsigned long long)a0, (unsigned long long)a1);

	/* throughput: wrk, 2 threads, C connections, on the search API with varied queries */
	char lua[4300];
	snprintf(lua, sizeof lua, "%s/search.lua", root);
	FILE *lf = fopen(lua, "w");
	if (lf) {
		fputs("local paths = {\n", lf);
		for (size_t i = 0; i < nq; i++) {
			char enc[300];
			web_pct_encode(q[i], strlen(q[i]), false, enc, sizeof enc);
			fprintf(lf, "  \"/api/entries?q=%s\",\n", enc);
		}
		fputs("}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
		      "  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n",
		      lf);
		fclose(lf);
	}
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "wrk -t2 -c%lu -d%lus --latency -s %s http://%s/ 2>&1", clients,
	         secs, lua, web);
	printf("\nsearch API under load: %s\n", cmd);
	fflush(stdout);
	uint64_t a2 = a_entries(&c);
	FILE *p = popen(cmd, "r");
	if (p) {
		char line[512];
		while (fgets(line, sizeof line, p))
			printf("  | %s", line);
		int st = pclose(p);
		if (st != 0)
			printf("  (wrk failed or is not installed: apt-get install wrk)\n");
	}
	uint64_t a3 = a_entries(&c);
	printf("  A received %llu entries from B meanwhile\n", (unsigned long long)(a3 - a2));
	ret = EXIT_OK;
	for (size_t i = 0; i < nreq; i++)
		free(paths[i]);
	free(paths);
	free(c.buf);
	if (c.fd >= 0)
		close(c.fd);
	if (wt_started) {
		w->stop = true;
		pthread_join(wt, NULL);
		printf("  B's writer stored %llu new records during the run\n",
		       (unsigned long long)w->written);
	}
	if (w) {
		node_dir_close(&w->nd);
		free(w);
	}
out:;
	int ea = daemon_stop(pa), eb = pb > 0 ? daemon_stop(pb) : 0;
	printf("\ndaemons stopped: A exit %d, B exit %d\n", ea, eb);
	if (ea != 0 || eb != 0)
		ret = EXIT_FAIL;
	if (!a.dir) {
		char rm[4200];
		snprintf(rm, sizeof rm, "rm -rf '%s'", root);
		if (system(rm) != 0)
			fprintf(stderr, "maille-bench web: cannot remove %s\n", root);
	}
	return ret;
}
