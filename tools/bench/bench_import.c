/* tools/bench/bench_import.c: maille-bench import — `maille import` as a territory runs it, real
 * `maille` processes (the one next to maille-bench) on a fresh node: a folder of N generated
 * Markdown records published at once (signed on every core, stored in batches, indexed for
 * search), against the single-core Ed25519 sign rate measured in the same run; then an
 * inventory of public algorithms of R rows imported as drafts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_util.h"
#include "gen.h"
#include "maille_config.h"
#include "node/service/fmwrite.h"
#include "proto/error.h"
#include "proto/schema.h"

#define IMPORT_BENCH_MAX 1000000ull

/* bench_run timed: its exit code; *ret_s the wall time, *ret_cpu_s user + system time,
 * *ret_rss_kb peak RSS. */
static int import_run(char *const *argv, double *ret_s, double *ret_cpu_s, long *ret_rss_kb)
{
	double t0 = bench_now_s(), cpu_ms = 0;
	int r = bench_run(argv, "C", "/dev/null", &cpu_ms, ret_rss_kb);
	*ret_s = bench_now_s() - t0;
	*ret_cpu_s = cpu_ms / 1e3;
	return r;
}

static int import_put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int r = fwrite(text, 1, len, f) != len;
	return fclose(f) || r ? -1 : 0;
}

/* N generated records as Markdown files into dir (what `maille export --format markdown`
 * writes). 0 or -1 (printed). */
static int import_gen_markdown(const char *dir, unsigned long long n)
{
	for (unsigned long long i = 0; i < n; i++) {
		proto_arena a;
		proto_arena_init(&a, 0);
		char path[256], file[4400];
		proto_value *body = gen_record(&a, 7, i, path, sizeof path);
		char *text = NULL;
		size_t len = 0;
		int r = body ? fm_write(body, path, &text, &len) : MAILLE_ENOMEM;
		snprintf(file, sizeof file, "%s/%06llu.md", dir, i);
		if (!r && import_put(file, text, len))
			r = MAILLE_EIO;
		free(text);
		proto_arena_done(&a);
		if (r) {
			fprintf(stderr, "maille-bench: record %llu: %s\n", i, maille_strerror(r));
			return -1;
		}
	}
	return 0;
}

/* An inventory of R rows with every Etalab column, ';'-separated. 0 or -1. */
static int import_gen_inventory(const char *file, unsigned long long rows)
{
	FILE *f = fopen(file, "w");
	if (!f)
		return -1;
	fputs("Nom;Administration;Direction ou service;Contact;Date de mise à jour;Contexte;"
	      "Finalité;Place dans la décision;Niveau d'automatisation;Bases légales;"
	      "Nombre de décisions par an;Périmètre;Public concerné;Données traitées;"
	      "Source des données;Mode de collecte;Type d'algorithme;Ressources liées;"
	      "Contrôle humain;Risques;Recours;Décisions individuelles;Données personnelles\r\n",
	      f);
	static const char *const levels[] = { "Aide à la décision", "aide a la decision",
		                              "Décision entièrement automatisée",
		                              "Pas de décision individuelle" };
	static const char *const kinds[] = { "Règles", "Apprentissage automatique", "Hybride",
		                             "IA générative" };
	size_t nc = 0;
	while (gen_communes[nc])
		nc++;
	for (unsigned long long i = 0; i < rows; i++) {
		char code[32];
		gen_codename(i % 13824, code, sizeof code);
		const char *commune = gen_communes[i % nc];
		fprintf(f,
		        "Algorithme %s %llu de %s;Ville de %s;Direction du numérique;"
		        "numerique@exemple-%llu.fr;2025-%02llu-%02llu;"
		        "\"Le service recevait trop de demandes pour les traiter à la main.\";"
		        "Classer les demandes de %s selon les critères votés;"
		        "Un agent examine chaque proposition avant la décision;%s;"
		        "\"Code des relations entre le public et l'administration, article L311-3-1\n"
		        "Délibération du conseil municipal\";%llu;Commune de %s;Habitants de %s;"
		        "\"Dossiers des demandeurs\nQuotient familial\";\"Service instructeur\n"
		        "Caisse d'allocations familiales\";Formulaire en ligne;%s;"
		        "https://www.exemple-%llu.fr/algorithmes/%s;"
		        "Un agent valide chaque proposition;"
		        "\"Erreur de saisie : relecture par un second agent\nBiais : revue annuelle\";"
		        "Recours gracieux auprès du maire;Oui;Identifiées\r\n",
		        code, i, commune, commune, i % 500, 1 + i % 12, 1 + i % 28, code,
		        levels[i % 4], 100 + i % 9000, commune, commune, kinds[i % 4], i % 500, code);
	}
	return fclose(f) ? -1 : 0;
}

static const char import_help[] =
	"usage: maille-bench import [--n N] [--rows R] [--dir DIR]\n"
	"\n"
	"Generates N realistic catalogue records (default 10000) as Markdown files, then times\n"
	"'maille import markdown' of the folder into a fresh node (a real process: read, check,\n"
	"sign on every core, store in batches, index for search), and prints records/s next to\n"
	"the single-core Ed25519 sign rate measured in the same run, and their ratio. Then times\n"
	"'maille import inventaire-csv' of an inventory of R rows (default 10000) into drafts.\n"
	"--dir keeps the files and the node there (an empty directory; default: a temporary\n"
	"one, removed).\n";

int bench_import_main(int argc, char **argv)
{
	cli_opt opts[] = { { "n", true, NULL }, { "rows", true, NULL }, { NULL, false, NULL } };
	cli_args a;
	int r = cli_start("import", import_help, argc, argv, opts, 0, &a);
	if (r != CLI_GO)
		return r;
	unsigned long long n, rows;
	if ((r = bench_opt_num("import", opts, "n", 10000, 1, IMPORT_BENCH_MAX, NULL, &n)) ||
	    (r = bench_opt_num("import", opts, "rows", 10000, 1, IMPORT_BENCH_MAX, NULL, &rows)))
		return r;
	bool temp;
	if (bench_workspace(a.dir, "import", &temp))
		return EXIT_FAIL;
	char maille[4200];
	snprintf(maille, sizeof maille, "%s", bench_maille());
	const char *dir = bench_root();
	/* the node, the Markdown records, the inventory and its drafts */
	static const char *const names[] = { "node", "records", "inventaire.csv", "drafts" };
	char paths[4][4300];
	for (size_t i = 0; i < 4; i++)
		snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]);
	char *node = paths[0], *md = paths[1], *csv = paths[2], *drafts = paths[3];
	bench_print_header("import");
	double sign_rate, verify_rate;
	size_t raw_len;
	if (bench_ed25519_rates(&sign_rate, &verify_rate, &raw_len) < 0 || raw_len == 0) {
		fprintf(stderr, "maille-bench: cannot build a sample entry\n");
		return EXIT_FAIL;
	}
	printf("Ed25519 sign, one core, %zu-byte entry: %.0f/s\n", raw_len, sign_rate);

	int ret = EXIT_FAIL;
	double t, cpu_s;
	long rss;
	char *init_argv[] = { maille, "--dir", node, "init", "--name", "Ville de Saint-Aubin",
		              "--kind", "commune", NULL };
	if (mkdir(md, 0700) != 0 || import_gen_markdown(md, n) ||
	    import_run(init_argv, &t, &cpu_s, &rss) != 0) {
		fprintf(stderr, "maille-bench: cannot prepare %s\n", dir);
		goto out;
	}
	char *md_argv[] = { maille, "--dir", node, "import", "markdown", md, NULL };
	int rc = import_run(md_argv, &t, &cpu_s, &rss);
	if (rc != 0) {
		fprintf(stderr, "maille-bench: maille import markdown: exit %d\n", rc);
		goto out;
	}
	printf("maille import markdown, %llu records into a fresh node: %.2f s, %.0f records/s = "
	       "%.2f x the sign rate (CPU %.2f s, peak RSS %.0f MB)\n",
	       n, t, (double)n / t, (double)n / t / sign_rate, cpu_s, (double)rss / 1024.0);
	/* the same folder again: every record unchanged, nothing signed */
	rc = import_run(md_argv, &t, &cpu_s, &rss);
	if (rc != 0) {
		fprintf(stderr, "maille-bench: maille import markdown again: exit %d\n", rc);
		goto out;
	}
	printf("the same folder again (every record unchanged): %.2f s, %.0f records/s\n", t,
	       (double)n / t);
	char *csv_argv[] = { maille, "--dir", node, "import", "inventaire-csv", csv, "--out", drafts,
		             NULL };
	if (import_gen_inventory(csv, rows)) {
		fprintf(stderr, "maille-bench: cannot write %s\n", csv);
		goto out;
	}
	struct stat sb;
	rc = stat(csv, &sb) == 0 ? import_run(csv_argv, &t, &cpu_s, &rss) : -1;
	if (rc != 0) {
		fprintf(stderr, "maille-bench: maille import inventaire-csv: exit %d\n", rc);
		goto out;
	}
	printf("maille import inventaire-csv, %llu rows (%.1f MB) into drafts: %.2f s, %.0f rows/s "
	       "(CPU %.2f s, peak RSS %.0f MB)\n",
	       rows, (double)sb.st_size / 1e6, t, (double)rows / t, cpu_s, (double)rss / 1024.0);
	ret = EXIT_OK;
out:
	if (temp)
		bench_rm_tree(dir);
	return ret;
}
