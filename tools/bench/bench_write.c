/* tools/bench/bench_write.c: maille-bench write — how long a person waits to learn every fault
 * of a record they wrote: `maille new rex --out r.md`, then the record filled in with ten
 * faults, then `maille publish --dry-run r.md`, which reports them all at once. Real `maille`
 * processes (the one next to maille-bench), in English and in French. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "maille_config.h"

#define WRITE_RUNS_MAX 10000u

/* A REX as a person fills in the template the first time, with ten faults: a misspelt field
 * (which also leaves lessons_learned missing: two errors), a wrong theme, a wrong status, no
 * title, an impossible date, a rating off its scale, a URL without its scheme, a licence that
 * is not SPDX, an unknown member of a contact, a territory without its COG year. */
static const char write_faulty_rex[] =
	"---\n"
	"type: rex\n"
	"summary: \"Un an d'assistant conversationnel RH : ce qui marche, ce qui coince, nos "
	"conditions.\"\n"
	"themes: [ia-monde-incertain, ia-democracie]\n"
	"keywords: [ressources humaines, chatbot]\n"
	"lang: fr\n"
	"content_licence: Licence Ouverte / Etalab 2.0\n"
	"status: en_production\n"
	"about:\n"
	"  - use_case/assistant-conversationnel-rh-pour-les-agents\n"
	"declaration: user\n"
	"period:\n"
	"  start: 2024-03-01\n"
	"  end: 2025-02-30\n"
	"context: Les gestionnaires RH étaient submergés de questions répétitives.\n"
	"objectives: Répondre en moins d'une minute aux questions courantes des agents.\n"
	"what_was_done: Expérimentation de trois mois avec 300 agents volontaires, puis "
	"généralisation.\n"
	"difficulties: Un tiers des documents RH se contredisaient ou étaient périmés.\n"
	"lesons_learned: La qualité de la documentation compte plus que le choix du modèle.\n"
	"results: Les courriels simples adressés aux gestionnaires ont baissé de 38 %.\n"
	"recommendation: recommend_with_conditions\n"
	"rating: 7\n"
	"deployment:\n"
	"  url: intranet.exemple-metropole.fr/assistant-rh\n"
	"  audience: Agents de la collectivité\n"
	"  public: false\n"
	"contacts:\n"
	"  - name: Direction des ressources humaines, pôle innovation\n"
	"    email: rh-innovation@exemple-metropole.fr\n"
	"    telephone: 04 72 00 00 00\n"
	"    public: true\n"
	"territories:\n"
	"  - level: epci\n"
	"    code: \"200046977\"\n"
	"    label: Métropole de Lyon\n"
	"---\n"
	"Après un an, l'assistant RH est devenu un outil du quotidien pour une majorité d'agents.\n";
#define WRITE_FAULTS 10
#define WRITE_ERRORS 11

int bench_run(char *const *argv, const char *lang, const char *err_path, double *ret_cpu_ms,
              long *ret_rss_kb)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (null < 0 || err < 0)
			_exit(126);
		dup2(null, 0);
		dup2(null, 1);
		dup2(err, 2);
		unsetenv("LC_ALL");
		unsetenv("LC_MESSAGES");
		setenv("LANG", lang, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
	}
	*ret_cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	              (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (ret_rss_kb)
		*ret_rss_kb = ru.ru_maxrss;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* How many lines of the file name "error" (in either language) and the count line. */
static int write_count_errors(const char *err_path, char *last, size_t cap)
{
	FILE *f = fopen(err_path, "r");
	if (!f)
		return -1;
	char line[4096];
	int n = 0;
	last[0] = '\0';
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "error") || strstr(line, "erreur")) {
			n++;
			snprintf(last, cap, "%s", line);
		}
	}
	fclose(f);
	return n - 1; /* the last one is the count */
}

static int write_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int r = fputs(text, f) < 0;
	return fclose(f) || r ? -1 : 0;
}

static const char write_help[] =
	"usage: maille-bench write [--runs N]\n"
	"\n"
	"Times what a person waits for: 'maille new rex --out r.md', then the record filled in\n"
	"with ten faults (a misspelt field, a wrong theme, a wrong status, no title, an\n"
	"impossible date, a rating off its scale, a URL without its scheme, a licence that is\n"
	"not SPDX, an unknown member of a contact, a territory without its COG year), then\n"
	"'maille publish --dry-run r.md', which reports all of them at once (eleven errors: the\n"
	"misspelt field also leaves a required field missing). N runs (default 20) in English\n"
	"(LANG=C) and in French (LANG=fr_FR.UTF-8); prints the median and the maximum of the\n"
	"two commands together, and of each, and their CPU time (user + system).\n";

int bench_write_main(int argc, char **argv)
{
	cli_opt opts[] = {{"runs", true, NULL}, {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("write", write_help, argc, argv, opts, 0, &a);
	if (r != CLI_GO)
		return r;
	unsigned long long runs;
	if ((r = bench_opt_num("write", opts, "runs", 20, 1, WRITE_RUNS_MAX, NULL, &runs)))
		return r;

	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl <= 0) {
		fprintf(stderr, "maille-bench: cannot find this program: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	self[sl] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	char maille[4200], dir[] = "/tmp/maille-bench-write-XXXXXX";
	snprintf(maille, sizeof maille, "%s/maille", self);
	if (access(maille, X_OK) != 0 || !mkdtemp(dir)) {
		fprintf(stderr, "maille-bench: %s: %s\n", maille, strerror(errno));
		return EXIT_FAIL;
	}
	char rec[4300], err[4300];
	snprintf(rec, sizeof rec, "%s/r.md", dir);
	snprintf(err, sizeof err, "%s/err", dir);
	char *new_argv[] = {maille, "new", "rex", "--out", rec, "--force", NULL};
	char *pub_argv[] = {maille, "publish", "--dry-run", rec, NULL};

	double *t = malloc(4 * runs * sizeof *t);
	if (!t) {
		rmdir(dir);
		return EXIT_FAIL;
	}
	char cpu[256];
	bench_cpu_model(cpu, sizeof cpu);
	printf("maille-bench write %s — %s, %llu runs per language\n", MAILLE_VERSION, cpu, runs);
	printf("a REX with %d faults (%d errors): maille new rex --out r.md, then maille publish "
	       "--dry-run r.md\n",
	       WRITE_FAULTS, WRITE_ERRORS);
	static const char *const langs[] = {"C", "fr_FR.UTF-8"};
	int ret = EXIT_OK;
	for (size_t l = 0; l < 2 && ret == EXIT_OK; l++) {
		double *total = t, *tnew = t + runs, *tpub = t + 2 * runs, *tcpu = t + 3 * runs;
		for (unsigned long long i = 0; i < runs; i++) {
			double t0 = bench_now_s();
			double cn, cp;
			int rn = bench_run(new_argv, langs[l], err, &cn, NULL);
			double t1 = bench_now_s();
			/* the person's filling in is not timed */
			if (rn != 0 || write_put(rec, write_faulty_rex)) {
				fprintf(stderr, "maille-bench: maille new rex failed (exit %d)\n", rn);
				ret = EXIT_FAIL;
				break;
			}
			double t2 = bench_now_s();
			int rp = bench_run(pub_argv, langs[l], err, &cp, NULL);
			double t3 = bench_now_s();
			char last[4096];
			int n = write_count_errors(err, last, sizeof last);
			if (rp != 1 || n != WRITE_ERRORS) {
				fprintf(stderr,
				        "maille-bench: publish --dry-run: exit %d, %d errors reported "
				        "(expected exit 1 and %d errors); last line: %s",
				        rp, n, WRITE_ERRORS, last);
				ret = EXIT_FAIL;
				break;
			}
			tnew[i] = (t1 - t0) * 1e3;
			tpub[i] = (t3 - t2) * 1e3;
			total[i] = tnew[i] + tpub[i];
			tcpu[i] = cn + cp;
		}
		if (ret != EXIT_OK)
			break;
		qsort(total, runs, sizeof *total, bench_cmp_double);
		qsort(tnew, runs, sizeof *tnew, bench_cmp_double);
		qsort(tpub, runs, sizeof *tpub, bench_cmp_double);
		qsort(tcpu, runs, sizeof *tcpu, bench_cmp_double);
		printf("  LANG=%-12s new + publish --dry-run: median %.1f ms, max %.1f ms "
		       "(new %.1f / %.1f, publish --dry-run %.1f / %.1f); CPU median %.1f ms, "
		       "max %.1f ms\n",
		       langs[l], bench_pct(total, runs, 0.5), total[runs - 1],
		       bench_pct(tnew, runs, 0.5), tnew[runs - 1], bench_pct(tpub, runs, 0.5),
		       tpub[runs - 1], bench_pct(tcpu, runs, 0.5), tcpu[runs - 1]);
	}
	free(t);
	unlink(rec);
	unlink(err);
	rmdir(dir);
	return ret;
}
