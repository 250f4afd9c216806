/* tools/cli/cmd_import.c: maille import FORMAT FILE|DIR|- — records brought in from the
 * formats territories already hold (node/formats/import.h), written as Markdown drafts to
 * complete, or published at once when complete (--publish; always for Maille's own Markdown).
 *
 * Order of work: every file is read first; a file that cannot be read (syntax, encoding,
 * limits) stops the import before anything is written or published, so that a fixed file
 * imports whole. Then every draft is normalised and validated as `maille publish` does; with
 * --publish the complete ones are signed and stored together (node/service/bulk.h) and the
 * incomplete ones listed (exit 1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "node/formats/import.h"
#include "node/service/bulk.h"
#include "node/service/file.h"
#include "node/service/own_territory.h"
#include "node/service/publish.h"
#include "nodecli.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/schema.h"

static const char import_help[] = N_(
	"usage: maille import FORMAT FILE|DIR|- [--out DIR] [--publish] [--dry-run] [--json]\n"
	"                     [--dir DIR]\n"
	"\n"
	"Brings records in from a format your territory already has. FORMAT is one of:\n"
	"  markdown            Maille's own records (.md with front matter), published at once\n"
	"  publiccode          publiccode.yml 0.2 to 0.7 -> software component\n"
	"  algorithm-register  Eurocities / Dutch algorithm register, JSON or CSV -> use case\n"
	"  inventaire-csv      inventory of public algorithms, CSV with Etalab's columns -> use case\n"
	"  dcat                DCAT-AP catalogue (RDF/XML, Turtle, JSON-LD, DCAT-US JSON) ->\n"
	"                      dataset and API components\n"
	"\n"
	"A DIR is read with every file below it whose name fits the format; - reads the standard\n"
	"input. Outside formats lack fields Maille requires (themes, risks...): by default every\n"
	"record becomes a Markdown draft in --out DIR (default: a new ./maille-import-FORMAT),\n"
	"every field the format gives filled in, every missing required field present and empty\n"
	"with a comment saying what to write, every other key of the source kept under\n"
	"extensions.FORMAT. Complete the drafts, then 'maille import markdown DIR' publishes them.\n"
	"Values that cannot be kept as they are (an e-mail that is not one, HTML in a text, an\n"
	"unknown spelling of a value) are reported per record and field.\n"
	"\n"
	"A file that cannot be read stops the import: nothing is written or published.\n"
	"\n"
	"Options:\n"
	"  --out DIR    where the drafts go (created if needed; files there are not overwritten)\n"
	"  --publish    sign and publish the complete records, list the incomplete ones (exit 1\n"
	"               if any); implied for markdown\n"
	"  --dry-run    read and check everything, write and publish nothing\n"
	"  --json       one JSON report on standard output\n"
	"  --dir DIR    the node directory (default: $MAILLE_HOME, else ~/.maille)\n");

/* Folders a walk descends into, and files it takes. */
#define IMPORT_WALK_DEPTH 16
#define IMPORT_FILES_MAX 100000u

typedef struct file_list {
	char **v;
	size_t n, cap;
} file_list;

static int list_add(file_list *l, const char *path)
{
	if (l->n >= IMPORT_FILES_MAX)
		return MAILLE_ETOOBIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(path)))
		return MAILLE_ENOMEM;
	l->n++;
	return 0;
}

static void list_free(file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static bool name_fits(const char *name, const char *const *exts)
{
	size_t n = strlen(name);
	for (const char *const *e = exts; *e; e++) {
		size_t k = strlen(*e);
		if (n >= k && strcasecmp(name + n - k, *e) == 0)
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files below dir whose names fit exts, hidden ones, README.md and symbolic links left
 * out. 0, or EXIT_FAIL (printed). */
static int walk(const char *dir, const char *const *exts, unsigned depth, file_list *out)
{
	if (depth > IMPORT_WALK_DEPTH) {
		cli_error(_("%s: folders nested deeper than %d levels"), dir, IMPORT_WALK_DEPTH);
		return EXIT_FAIL;
	}
	DIR *d = opendir(dir);
	if (!d) {
		cli_error("%s: %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	file_list here = { 0 }, dirs = { 0 };
	int ret = 0;
	struct dirent *de;
	while (!ret && (de = readdir(d))) {
		/* a folder's README.md says what the folder holds: it is not a record */
		if (de->d_name[0] == '.' || strcasecmp(de->d_name, "README.md") == 0)
			continue;
		char path[4096];
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
			continue;
		/* the entry's type as the folder gives it (lstat when it does not): a folder of ten
		 * thousand records is not twenty thousand more system calls */
		bool is_dir, is_reg;
		if (de->d_type != DT_UNKNOWN) {
			is_dir = de->d_type == DT_DIR;
			is_reg = de->d_type == DT_REG;
		} else {
			struct stat sb;
			if (lstat(path, &sb) != 0)
				continue;
			is_dir = S_ISDIR(sb.st_mode);
			is_reg = S_ISREG(sb.st_mode);
		}
		if (is_dir || (is_reg && name_fits(de->d_name, exts)))
			if (list_add(is_dir ? &dirs : &here, path)) {
				cli_error(_("%s: too many files (at most %u)"), dir, IMPORT_FILES_MAX);
				ret = EXIT_FAIL;
			}
	}
	closedir(d);
	/* qsort wants an array, even of nothing */
	if (here.n)
		qsort(here.v, here.n, sizeof *here.v, cmp_str);
	if (dirs.n)
		qsort(dirs.v, dirs.n, sizeof *dirs.v, cmp_str);
	/* files and folders in one order, the names' */
	for (size_t i = 0, j = 0; (i < here.n || j < dirs.n) && !ret;) {
		if (j < dirs.n && (i == here.n || strcmp(dirs.v[j], here.v[i]) < 0))
			ret = walk(dirs.v[j++], exts, depth + 1, out);
		else if (list_add(out, here.v[i++])) {
			cli_error(_("%s: too many files (at most %u)"), dir, IMPORT_FILES_MAX);
			ret = EXIT_FAIL;
		}
	}
	list_free(&here);
	list_free(&dirs);
	return ret;
}

/* ---- what each draft becomes ---------------------------------------------------------- */

typedef struct draft_state {
	char path[PROTO_PATH_MAX + 1];
	bool complete;
	proto_schema_issue *errors; /* malloc'd when incomplete (the report's errors only: a whole
	                             * report a draft would hold 70 KB each); NULL when complete */
	size_t n_errors, n_errors_total;
	char path_error_fr[200], path_error_en[200];
	bool valid;    /* its own checks passed (draft_check_record), its path's uniqueness aside;
	                * errors holds theirs meanwhile */
	uint8_t *body; /* valid and to be published: its encoding (check_all), malloc'd */
	size_t body_len;
	int body_r;    /* or publish_encode_body's error */
} draft_state;

static const char *draft_title(const import_draft *d)
{
	const char *t = proto_langmap_pick(proto_map_get(d->body, PROTO_F_TITLE), "fr");
	return t ? t : "";
}

/* The catalogue types an import publishes: the federation's own records are written by maille
 * itself, the cooperation acts by their commands. */
static bool importable_type(const import_draft *d)
{
	const proto_value *tv = proto_map_get(d->body, PROTO_F_TYPE);
	const proto_record_type *t =
	    tv && tv->type == PROTO_V_STR ? proto_record_type_find(tv->u.str.ptr, tv->u.str.len) : NULL;
	return !t || t->cls == PROTO_RC_CATALOGUE;
}

/* The paths an import has taken so far: an open-addressing set over draft_state paths, so
 * that ten thousand records do not compare each path with every other. */
typedef struct path_set {
	const draft_state *st; /* the paths: st[i].path */
	size_t *slots;         /* index + 1, 0 when free; cap a power of two over twice n */
	size_t cap;
} path_set;

static size_t path_hash(const char *p)
{
	size_t h = 14695981039346656037ull & SIZE_MAX;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * (1099511628211ull & SIZE_MAX);
	return h;
}

static bool path_set_has(const path_set *ps, const char *path)
{
	for (size_t i = path_hash(path) & (ps->cap - 1); ps->slots[i]; i = (i + 1) & (ps->cap - 1))
		if (strcmp(ps->st[ps->slots[i] - 1].path, path) == 0)
			return true;
	return false;
}

static void path_set_add(path_set *ps, size_t k)
{
	size_t i = path_hash(ps->st[k].path) & (ps->cap - 1);
	while (ps->slots[i])
		i = (i + 1) & (ps->cap - 1);
	ps->slots[i] = k + 1;
}

/* A draft's own checks, the first half of its check: d normalised and validated as publish
 * does (its territory filled from terr, the node's territory record: NULL fills nothing), its
 * path taken from the source or made from its title into s->path. rep: the errors; *ret_valid.
 * Touches nothing but d, s, a and rep, so that the drafts of an import are checked on every
 * core (check_all). */
static int draft_check_record(proto_arena *a, import_draft *d, draft_state *s,
                              const proto_value *terr, int year, proto_schema_report *rep,
                              bool *ret_valid)
{
	if (terr && own_territory_fill(d->body, a, terr, year))
		return MAILLE_ENOMEM;
	proto_schema_normalize(d->body, a);
	bool valid = proto_schema_validate(d->body, rep) == 0;
	if (valid && !importable_type(d)) {
		const char *type = proto_map_get(d->body, PROTO_F_TYPE)->u.str.ptr;
		proto_schema_error_add(rep, PROTO_F_TYPE,
		                       "les fiches « %s » ne s'importent pas : elles sont écrites par "
		                       "maille ou par leur commande",
		                       "\"%s\" records are not imported: maille or their own command "
		                       "writes them",
		                       type);
		valid = false;
	}
	s->path[0] = '\0';
	if (d->path && !proto_path_valid(d->path, strlen(d->path))) {
		proto_schema_error_add(rep, PROTO_F_PATH,
		                       "le chemin « %s » n'est pas valide (lettres minuscules, chiffres, "
		                       "« . _ ~ - », segments séparés par « / »)",
		                       "path \"%s\" is not valid (lower-case letters, digits, '.', '_', "
		                       "'~', '-' in '/'-separated segments)",
		                       d->path);
		valid = false;
	} else if (d->path) {
		snprintf(s->path, sizeof s->path, "%s", d->path);
	} else {
		const proto_value *tv = proto_map_get(d->body, PROTO_F_TYPE);
		char slug[100];
		const char *title = draft_title(d);
		size_t sl = proto_slugify(title, strlen(title), slug, sizeof slug);
		if (sl && tv && tv->type == PROTO_V_STR)
			snprintf(s->path, sizeof s->path, "%s/%s", tv->u.str.ptr, slug);
	}
	*ret_valid = valid;
	return 0;
}

/* The second half, in the drafts' order: the path made unique in this import (taken: the
 * earlier drafts'), then the outcome into s, rep's errors copied when incomplete. */
static int draft_check_path(const import_draft *d, draft_state *s, const path_set *taken,
                            proto_schema_report *rep, bool valid)
{
	/* the same path twice in one import: the later ones get -2, -3... when the path was
	 * made from the title; a path the source gives is the source's and stays an error */
	for (unsigned k = 2; s->path[0] && k < 1000; k++) {
		if (!path_set_has(taken, s->path))
			break;
		if (d->path) {
			proto_schema_error_add(rep, PROTO_F_PATH,
			                       "le chemin « %s » est déjà celui d'une autre fiche de cet import",
			                       "path \"%s\" is already another record's in this import",
			                       d->path);
			valid = false;
			break;
		}
		char *dash = strrchr(s->path, '-');
		size_t base = strlen(s->path);
		if (k > 2 && dash)
			base = (size_t)(dash - s->path);
		if (base + 6 > PROTO_PATH_MAX)
			base = PROTO_PATH_MAX - 6;
		snprintf(s->path + base, sizeof s->path - base, "-%u", k);
	}
	if (!s->path[0] && valid) {
		proto_schema_error_add(rep, PROTO_F_PATH,
		                       "le titre ne donne pas de chemin : ajoutez « path: » à l'en-tête",
		                       "the title gives no path: add `path:` to the front matter");
		valid = false;
	}
	s->complete = valid;
	s->errors = NULL;
	s->n_errors = s->n_errors_total = 0;
	if (!valid && rep->n_errors) {
		if (!(s->errors = malloc(rep->n_errors * sizeof *s->errors)))
			return MAILLE_ENOMEM;
		memcpy(s->errors, rep->errors, rep->n_errors * sizeof *s->errors);
		s->n_errors = rep->n_errors;
		s->n_errors_total = rep->n_errors_total;
	}
	return 0;
}

/* ---- reading and checking on every core --------------------------------------------------
 * A folder of Maille's own records is thousands of small files, and reading, parsing and
 * checking them was most of an import's time on one thread (the signing is on every core
 * already, node/service/bulk.h): the files are read and parsed by one worker per core, a chunk
 * of files at a time, the drafts then put back in the files' order; the drafts' own checks and
 * their encoding are shared out the same way. Only the choice of unique paths, in order, stays
 * on one thread. A file that cannot be read, or an import past its limits, makes the command
 * read everything again on one thread, whose messages say which file and why (the failing
 * import is not the one worth speeding up). */

/* Files or drafts a worker takes at a time; below PAR_MIN, one thread. */
#define PAR_CHUNK 32u
#define PAR_MIN 64u
#define PAR_THREADS_MAX 64u

typedef struct par_job par_job;

typedef struct par_worker {
	pthread_t th;
	par_job *job;
	void (*fn)(par_job *job, unsigned k);
	import_set set;            /* reading: the drafts of the chunks it read */
	proto_arena arena;         /* checking: what normalising adds to its drafts */
	proto_schema_report *rep;  /* checking */
	uint8_t *buf;              /* reading: a file */
	int r;
} par_worker;

typedef struct par_chunk {
	unsigned w;      /* the worker that read it */
	size_t first, n; /* its drafts in that worker's set */
} par_chunk;

struct par_job {
	par_worker *w; /* n_w of them, malloc'd */
	unsigned n_w;
	size_t n_items, n_chunks;
	atomic_size_t next, done;
	atomic_bool fail;
	/* reading */
	const file_list *files;
	par_chunk *chunks;
	/* checking */
	import_set *set;
	draft_state *st;
	const proto_value *terr;
	int year;
	bool encode;
	bool show; /* reading: progress on the terminal, by worker 0 */
};

static unsigned par_threads(size_t n)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < PAR_MIN || cores < 2)
		return 1;
	return cores > (long)PAR_THREADS_MAX ? PAR_THREADS_MAX : (unsigned)cores;
}

/* The next chunk no worker took, items [*from, *to): false when none is left or a worker
 * failed. */
static bool par_next(par_job *job, size_t *ret_c, size_t *from, size_t *to)
{
	size_t c = atomic_fetch_add(&job->next, 1);
	if (c >= job->n_chunks || atomic_load(&job->fail))
		return false;
	*ret_c = c;
	*from = c * PAR_CHUNK;
	*to = *from + PAR_CHUNK < job->n_items ? *from + PAR_CHUNK : job->n_items;
	return true;
}

/* Worker k's part of reading: whole chunks of files into its own set. */
static void par_read_chunks(par_job *job, unsigned k)
{
	par_worker *w = &job->w[k];
	size_t c, from, to;
	while (par_next(job, &c, &from, &to)) {
		job->chunks[c] = (par_chunk){ k, w->set.n, 0 };
		for (size_t i = from; i < to && !w->r; i++) {
			int fd = open(job->files->v[i], O_RDONLY | O_CLOEXEC);
			size_t len = 0;
			w->r = fd < 0 ? MAILLE_EIO : node_file_read_fd(fd, w->buf, IMPORT_FILE_MAX, &len);
			if (fd >= 0)
				close(fd);
			import_src src = { job->files->v[i], w->buf, len };
			if (!w->r)
				w->r = import_set_read(&w->set, &src);
		}
		if (w->r) {
			atomic_store(&job->fail, true);
			return;
		}
		job->chunks[c].n = w->set.n - job->chunks[c].first;
		size_t done = atomic_fetch_add(&job->done, to - from) + (to - from);
		if (k == 0 && job->show) {
			fputc('\r', stderr);
			fprintf(stderr, _("reading: %zu / %zu files"), done, job->n_items);
		}
	}
}

/* Worker k's part of checking: whole chunks of drafts (draft_check_record, then the encoding
 * of a valid one). */
static void par_check_chunks(par_job *job, unsigned k)
{
	par_worker *w = &job->w[k];
	size_t c, from, to;
	while (par_next(job, &c, &from, &to)) {
		for (size_t i = from; i < to && !w->r; i++) {
			draft_state *s = &job->st[i];
			w->r = draft_check_record(&w->arena, &job->set->drafts[i], s, job->terr,
			                          job->year, w->rep, &s->valid);
			if (!w->r && !s->valid && w->rep->n_errors) {
				if (!(s->errors = malloc(w->rep->n_errors * sizeof *s->errors))) {
					w->r = MAILLE_ENOMEM;
					break;
				}
				memcpy(s->errors, w->rep->errors, w->rep->n_errors * sizeof *s->errors);
				s->n_errors = w->rep->n_errors;
				s->n_errors_total = w->rep->n_errors_total;
			}
			if (!w->r && s->valid && job->encode)
				s->body_r = publish_encode_body(job->set->drafts[i].body, &s->body,
				                                &s->body_len);
		}
		if (w->r) {
			atomic_store(&job->fail, true);
			return;
		}
	}
}

static void *par_thread(void *arg)
{
	par_worker *w = arg;
	w->fn(w->job, (unsigned)(w - w->job->w));
	return NULL;
}

/* fn on job's n_w workers over n items in chunks: worker 0 on the calling thread, the others
 * on threads of their own (those that cannot start leave their share to the rest). Returns
 * whether every chunk succeeded. */
static bool par_run(par_job *job, void (*fn)(par_job *, unsigned), size_t n)
{
	job->n_items = n;
	job->n_chunks = (n + PAR_CHUNK - 1) / PAR_CHUNK;
	atomic_init(&job->next, 0);
	atomic_init(&job->done, 0);
	atomic_init(&job->fail, false);
	bool started[PAR_THREADS_MAX] = { false };
	for (unsigned k = 0; k < job->n_w; k++) {
		job->w[k].job = job;
		job->w[k].fn = fn;
		job->w[k].r = 0;
		if (k > 0)
			started[k] = pthread_create(&job->w[k].th, NULL, par_thread, &job->w[k]) == 0;
	}
	fn(job, 0);
	for (unsigned k = 1; k < job->n_w; k++)
		if (started[k])
			pthread_join(job->w[k].th, NULL);
	return !atomic_load(&job->fail);
}

static void par_done(par_job *job)
{
	for (unsigned k = 0; job->w && k < job->n_w; k++) {
		import_set_done(&job->w[k].set);
		proto_arena_done(&job->w[k].arena);
		free(job->w[k].rep);
		free(job->w[k].buf);
	}
	free(job->w);
	free(job->chunks);
	memset(job, 0, sizeof *job);
}

static bool par_init(par_job *job, const import_format *f, unsigned n_w)
{
	memset(job, 0, sizeof *job);
	if (!(job->w = calloc(n_w, sizeof *job->w)))
		return false;
	job->n_w = n_w;
	bool ok = true;
	for (unsigned k = 0; k < n_w; k++) {
		import_set_init(&job->w[k].set, f);
		proto_arena_init(&job->w[k].arena, IMPORT_ARENA_MAX);
		job->w[k].rep = malloc(sizeof *job->w[k].rep);
		ok = ok && job->w[k].rep;
	}
	if (!ok)
		par_done(job);
	return ok;
}
/* The files of a folder of Markdown records read into set on every core (the other formats'
 * readers, and their libraries, are read on one thread). false: not done (too few files, one
 * core, a file that cannot be read, a limit), set untouched: the caller reads on one thread. */
static bool read_par(import_set *set, const file_list *files, bool show, par_job *job)
{
	unsigned n_w = strcmp(set->format->name, "markdown") == 0 ? par_threads(files->n) : 1;
	if (n_w < 2 || set->n || !par_init(job, set->format, n_w))
		return false;
	job->files = files;
	job->show = show;
	bool ok = (job->chunks = calloc((files->n + PAR_CHUNK - 1) / PAR_CHUNK,
	                                sizeof *job->chunks)) != NULL;
	for (unsigned k = 0; ok && k < n_w; k++)
		ok = (job->w[k].buf = malloc((size_t)IMPORT_FILE_MAX + 1)) != NULL;
	ok = ok && par_run(job, par_read_chunks, files->n);
	if (ok && show) { /* the last chunk may have been another worker's */
		fputc('\r', stderr);
		fprintf(stderr, _("reading: %zu / %zu files"), files->n, files->n);
	}
	/* one import's limits, as one set would have met them */
	size_t total = 0, bytes = 0;
	for (unsigned k = 0; ok && k < n_w; k++) {
		total += job->w[k].set.n;
		bytes += job->w[k].set.arena.total;
	}
	ok = ok && total <= IMPORT_RECORDS_MAX && bytes <= IMPORT_ARENA_MAX;
	import_draft *v = ok ? malloc((total ? total : 1) * sizeof *v) : NULL;
	if (!v) {
		par_done(job);
		return false;
	}
	size_t n = 0;
	for (size_t c = 0; c < job->n_chunks; c++) {
		const par_chunk *ch = &job->chunks[c];
		memcpy(v + n, job->w[ch->w].set.drafts + ch->first, ch->n * sizeof *v);
		n += ch->n;
	}
	/* the drafts' memory stays in the workers' arenas until par_done */
	free(set->drafts);
	set->drafts = v;
	set->n = set->cap = n;
	for (unsigned k = 0; k < n_w; k++) {
		free(job->w[k].set.drafts);
		job->w[k].set.drafts = NULL;
		job->w[k].set.n = job->w[k].set.cap = 0;
		free(job->w[k].buf);
		job->w[k].buf = NULL;
	}
	free(job->chunks);
	job->chunks = NULL;
	return true;
}

/* Every draft of set checked into st (calloc'd): its own checks on every core when there are
 * many (par_check_chunks: terr and year fill its territory, encode also encodes the valid
 * ones for publishing), then, in order, its path made unique (draft_check_path). *ret_complete:
 * how many are complete. 0, or MAILLE_ENOMEM. */
static int check_all(import_set *set, draft_state *st, const proto_value *terr, int year,
                     bool encode, par_job *job, size_t *ret_complete)
{
	if (!job->w && !par_init(job, set->format, par_threads(set->n)))
		return MAILLE_ENOMEM;
	job->set = set;
	job->st = st;
	job->terr = terr;
	job->year = year;
	job->encode = encode;
	if (!par_run(job, par_check_chunks, set->n))
		return MAILLE_ENOMEM;
	path_set taken = { st, NULL, 16 };
	while (taken.cap < 2 * set->n + 2)
		taken.cap *= 2;
	if (!(taken.slots = calloc(taken.cap, sizeof *taken.slots)))
		return MAILLE_ENOMEM;
	proto_schema_report *rep = job->w[0].rep;
	size_t complete = 0;
	int r = 0;
	for (size_t i = 0; !r && i < set->n; i++) {
		draft_state *s = &st[i];
		if (s->valid && s->path[0] && !path_set_has(&taken, s->path)) {
			s->complete = true; /* what draft_check_path concludes, without a report */
		} else {
			/* the errors of its own checks back into a report, which the path's may
			 * lengthen */
			rep->n_errors = s->n_errors;
			rep->n_errors_total = s->n_errors_total;
			rep->n_warnings = rep->n_warnings_total = 0;
			if (s->n_errors)
				memcpy(rep->errors, s->errors, s->n_errors * sizeof *s->errors);
			free(s->errors);
			s->errors = NULL;
			r = draft_check_path(&set->drafts[i], s, &taken, rep, s->valid);
		}
		if (s->path[0])
			path_set_add(&taken, i);
		if (!s->complete) {
			free(s->body);
			s->body = NULL;
		}
		complete += s->complete;
	}
	free(taken.slots);
	*ret_complete = complete;
	return r;
}

/* ---- reporting ------------------------------------------------------------------------ */

static void say_where(const import_draft *d, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", d->file, d->where[0] ? ", " : "", d->where);
}

static const char *sev_name(import_severity s)
{
	return s == IMPORT_DROPPED ? "dropped" : s == IMPORT_CLEANED ? "cleaned" : "note";
}

static void print_issues(const import_draft *d)
{
	bool en = !cli_french();
	char where[512];
	say_where(d, where, sizeof where);
	for (size_t i = 0; i < d->n_issues; i++) {
		const import_issue *is = &d->issues[i];
		cli_warn("%s: %s: %s", where, is->field[0] ? is->field : _("(record)"),
		         en ? is->en : is->fr);
	}
	if (d->n_issues_total > d->n_issues)
		cli_warn(_("%s: %zu more remarks not shown"), where, d->n_issues_total - d->n_issues);
}

static void print_incomplete(const import_draft *d, const draft_state *s)
{
	bool en = !cli_french();
	char where[512];
	say_where(d, where, sizeof where);
	for (size_t i = 0; i < s->n_errors; i++) {
		const proto_schema_issue *is = &s->errors[i];
		cli_error("%s: %s: %s", where, is->field[0] ? is->field : _("(record)"),
		          proto_schema_text(is, en));
	}
	if (s->n_errors_total > s->n_errors)
		cli_error(_("%s: %zu more errors not shown"), where,
		          s->n_errors_total - s->n_errors);
}

static void print_file_errors(const import_set *set)
{
	bool en = !cli_french();
	for (size_t i = 0; i < set->n_errors; i++) {
		const import_file_error *e = &set->errors[i];
		const char *msg = en ? e->en : e->fr;
		if (e->line && e->field[0])
			cli_error("%s:%u: %s: %s", e->file, e->line, e->field, msg);
		else if (e->line)
			cli_error("%s:%u: %s", e->file, e->line, msg);
		else if (e->field[0])
			cli_error("%s: %s: %s", e->file, e->field, msg);
		else
			cli_error("%s: %s", e->file, msg);
	}
	if (set->n_errors_total > set->n_errors)
		cli_error(_("%zu more files could not be read"), set->n_errors_total - set->n_errors);
}

static json_t *draft_json(const import_draft *d, const draft_state *s, const char *file)
{
	bool en = !cli_french();
	json_t *o = json_object();
	json_object_set_new(o, "source", json_string(d->file));
	json_object_set_new(o, "where", json_string(d->where));
	json_object_set_new(o, "path", s->path[0] ? json_string(s->path) : json_null());
	json_object_set_new(o, "title", json_string(draft_title(d)));
	json_object_set_new(o, "complete", json_boolean(s->complete));
	json_object_set_new(o, "file", file ? json_string(file) : json_null());
	json_t *issues = json_array();
	for (size_t i = 0; i < d->n_issues; i++) {
		json_t *is = json_object();
		json_object_set_new(is, "field", json_string(d->issues[i].field));
		json_object_set_new(is, "kind", json_string(sev_name(d->issues[i].sev)));
		json_object_set_new(is, "message", json_string(en ? d->issues[i].en : d->issues[i].fr));
		json_array_append_new(issues, is);
	}
	json_object_set_new(o, "issues", issues);
	json_t *errors = json_array();
	for (size_t i = 0; i < s->n_errors; i++) {
		json_t *is = json_object();
		json_object_set_new(is, "field", json_string(s->errors[i].field));
		json_object_set_new(is, "message",
		                    json_string(proto_schema_text(&s->errors[i], en)));
		json_array_append_new(errors, is);
	}
	json_object_set_new(o, "errors", errors);
	return o;
}

static json_t *file_errors_json(const import_set *set)
{
	bool en = !cli_french();
	json_t *a = json_array();
	for (size_t i = 0; i < set->n_errors; i++) {
		const import_file_error *e = &set->errors[i];
		json_t *o = json_object();
		json_object_set_new(o, "file", json_string(e->file));
		json_object_set_new(o, "line", e->line ? json_integer(e->line) : json_null());
		json_object_set_new(o, "field", json_string(e->field));
		json_object_set_new(o, "message", json_string(en ? e->en : e->fr));
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- writing drafts ------------------------------------------------------------------- */

/* The folder for drafts: out, else ./maille-import-FORMAT (then -2, -3... when it exists),
 * created. 0, or EXIT_FAIL (printed). */
static int out_dir(const char *out, const char *format, bool dry, char *ret, size_t cap)
{
	if (out) {
		snprintf(ret, cap, "%s", out);
		if (dry || mkdir(out, 0755) == 0 || errno == EEXIST) {
			struct stat sb;
			if (dry || (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)))
				return 0;
			cli_error(_("%s: not a folder"), out);
			return EXIT_FAIL;
		}
		cli_error("%s: %s", out, strerror(errno));
		return EXIT_FAIL;
	}
	for (unsigned k = 1; k < 1000; k++) {
		if (k == 1)
			snprintf(ret, cap, "maille-import-%s", format);
		else
			snprintf(ret, cap, "maille-import-%s-%u", format, k);
		if (dry) {
			struct stat sb;
			if (stat(ret, &sb) != 0)
				return 0;
			continue;
		}
		if (mkdir(ret, 0755) == 0)
			return 0;
		if (errno != EEXIST) {
			cli_error("%s: %s", ret, strerror(errno));
			return EXIT_FAIL;
		}
	}
	cli_error(_("too many maille-import-%s folders here: give --out DIR"), format);
	return EXIT_FAIL;
}

/* d's draft into dir as <last segment of its path>.md (then -2.md... when taken), written
 * whole or not at all; ret: the file's name. 0, or EXIT_FAIL (printed). */
static int write_draft(const import_set *set, import_draft *d, const draft_state *s,
                       const char *dir, char *ret, size_t cap)
{
	const char *base = strrchr(s->path, '/');
	base = base ? base + 1 : s->path[0] ? s->path : "fiche";
	char *text = NULL;
	size_t len = 0;
	const char *keep = d->path;
	d->path = s->path[0] ? s->path : NULL;
	int r = import_draft_markdown(d, set->format->name, &text, &len);
	d->path = keep;
	if (r) {
		cli_error(_("%s: cannot write the draft: %s"), d->file, cli_strerror(r));
		return EXIT_FAIL;
	}
	for (unsigned k = 1; k < 1000; k++) {
		if (k == 1)
			snprintf(ret, cap, "%s/%s.md", dir, base);
		else
			snprintf(ret, cap, "%s/%s-%u.md", dir, base, k);
		r = node_file_create_many(ret, 0644, text, len);
		if (r != MAILLE_EEXIST)
			break;
	}
	free(text);
	if (r) {
		cli_error(_("%s: cannot write: %s"), ret, cli_strerror(r));
		return EXIT_FAIL;
	}
	return 0;
}

/* ---- publishing ----------------------------------------------------------------------- */

static void progress(void *ctx, size_t done, size_t total)
{
	(void)ctx;
	fputc('\r', stderr);
	fprintf(stderr, _("publishing: %zu / %zu records"), done, total);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* The complete drafts signed and stored. *ret_published: how many are live as given, of which
 * *ret_updated replaced a live version and *ret_unchanged were already live byte for byte
 * (nothing signed). 0, or EXIT_FAIL (printed). */
static int publish_complete(import_set *set, draft_state *st, node_dir *nd, bool show,
                            size_t *ret_published, size_t *ret_updated, size_t *ret_unchanged)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		n += st[i].complete;
	*ret_published = 0;
	*ret_updated = 0;
	*ret_unchanged = 0;
	if (n == 0)
		return 0;
	bulk_item *items = calloc(n, sizeof *items);
	uint8_t **bodies = calloc(n, sizeof *bodies);
	size_t *owner = calloc(n, sizeof *owner);
	int ret = EXIT_FAIL;
	if (!items || !bodies || !owner) {
		cli_error(_("out of memory"));
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < set->n; i++) {
		if (!st[i].complete)
			continue;
		/* encoded by check_all's workers */
		size_t len = st[i].body_len;
		int r = st[i].body_r;
		bodies[k] = st[i].body;
		st[i].body = NULL;
		if (!r && !bodies[k])
			r = publish_encode_body(set->drafts[i].body, &bodies[k], &len);
		if (r) {
			char where[512];
			say_where(&set->drafts[i], where, sizeof where);
			if (r == MAILLE_ETOOBIG)
				cli_error(_("%s: the record is over the %u KiB limit of a version"), where,
				          PROTO_ENTRY_MAX / 1024);
			else
				cli_error(_("%s: cannot encode the record: %s"), where, cli_strerror(r));
			goto out;
		}
		items[k] = (bulk_item){ .path = st[i].path, .body = bodies[k], .body_len = len };
		owner[k++] = i;
	}
	int r = bulk_publish(nd, items, n, 0, cli_now_us(), show ? progress : NULL, NULL);
	for (size_t j = 0; j < n; j++) {
		if (items[j].result == 0) {
			++*ret_published;
			*ret_updated += items[j].updated;
			*ret_unchanged += items[j].unchanged;
			continue;
		}
		char where[512];
		say_where(&set->drafts[owner[j]], where, sizeof where);
		if (items[j].result == MAILLE_EDENIED)
			cli_error(_("%s: your capability does not cover %s (its prefix, or its window "
			            "that has ended): see maille whoami"),
			          where, items[j].path);
		else if (!r)
			cli_error(_("%s: cannot store the record: %s"), where,
			          cli_strerror(items[j].result));
		st[owner[j]].complete = false;
	}
	if (r) {
		cli_store_error(nd, r, _("cannot store the records: %s"), cli_strerror(r));
		goto out;
	}
	ret = 0;
out:
	for (size_t j = 0; bodies && j < n; j++)
		free(bodies[j]);
	free(bodies);
	free(items);
	free(owner);
	return ret;
}

/* ---- the command ---------------------------------------------------------------------- */

/* What an import did, for its last line or its JSON report. */
typedef struct import_counts {
	size_t n, complete, incomplete, published, updated, unchanged, written;
} import_counts;

static void report_counts(json_t *report, const import_counts *c)
{
	json_object_set_new(report, "complete", json_integer((json_int_t)c->complete));
	json_object_set_new(report, "incomplete", json_integer((json_int_t)c->incomplete));
	json_object_set_new(report, "published", json_integer((json_int_t)c->published));
	json_object_set_new(report, "updated", json_integer((json_int_t)c->updated));
	json_object_set_new(report, "unchanged", json_integer((json_int_t)c->unchanged));
	json_object_set_new(report, "file_errors", json_array());
}

static void print_summary(const import_counts *c, bool publish, bool dry, const char *dir)
{
	if (publish && dry)
		printf(ngettext("%zu record read: %zu complete would be published, %zu incomplete "
		                "(dry run: nothing was published)\n",
		                "%zu records read: %zu complete would be published, %zu incomplete "
		                "(dry run: nothing was published)\n",
		                c->n),
		       c->n, c->complete, c->incomplete);
	else if (publish)
		printf(ngettext("%zu record published (%zu updated, %zu unchanged), %zu not published\n",
		                "%zu records published (%zu updated, %zu unchanged), %zu not published\n",
		                c->published),
		       c->published, c->updated, c->unchanged, c->n - c->published);
	else if (dry)
		printf(ngettext("%zu record read: %zu complete, %zu to complete (dry run: nothing was "
		                "written)\n",
		                "%zu records read: %zu complete, %zu to complete (dry run: nothing was "
		                "written)\n",
		                c->n),
		       c->n, c->complete, c->incomplete);
	else
		printf(ngettext("%zu draft written in %s: %zu complete, %zu to complete (look for \"À "
		                "compléter\"); then: maille import markdown %s\n",
		                "%zu drafts written in %s: %zu complete, %zu to complete (look for \"À "
		                "compléter\"); then: maille import markdown %s\n",
		                c->written),
		       c->written, dir, c->complete, c->incomplete, dir);
}

/* Every file of what into set (a large folder of Markdown records on every core: read_par,
 * which leaves its drafts' memory in par). 0, or EXIT_FAIL (printed: a file that cannot be
 * opened). */
static int read_all(import_set *set, const char *what, bool json, par_job *par)
{
	file_list files = { 0 };
	struct stat sb;
	int ret = 0;
	if (strcmp(what, "-") != 0 && stat(what, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		ret = walk(what, set->format->exts, 0, &files);
		if (!ret && files.n == 0)
			cli_warn(_("%s: no file here fits the format %s"), what, set->format->name);
	} else if (list_add(&files, what)) {
		cli_error(_("out of memory"));
		ret = EXIT_FAIL;
	}
	bool show = !json && files.n > 50 && isatty(2);
	bool done = !ret && read_par(set, &files, show, par);
	uint8_t *buf = ret || done ? NULL : malloc((size_t)IMPORT_FILE_MAX + 1);
	if (!ret && !done && !buf) {
		cli_error(_("out of memory"));
		ret = EXIT_FAIL;
	}
	for (size_t i = 0; !ret && !done && i < files.n; i++) {
		size_t len = 0;
		int r = cli_read_file(files.v[i], true, buf, IMPORT_FILE_MAX, &len);
		if (r == MAILLE_ETOOBIG) {
			import_src src = { files.v[i], NULL, 0 };
			import_file_fail(set, &src, r, 0, 0, "", "fichier de plus de %u Mio",
			                 "file over %u MiB", IMPORT_FILE_MAX / (1024u * 1024u));
			continue;
		}
		if (r) {
			ret = EXIT_FAIL;
			break;
		}
		/* "-" means nothing to a reader of the messages and drafts */
		bool dash = strcmp(files.v[i], "-") == 0;
		import_src src = { dash ? _("(standard input)") : files.v[i], buf, len };
		r = import_set_read(set, &src);
		if (r == MAILLE_ENOMEM) {
			cli_error(_("%s: out of memory"), files.v[i]);
			ret = EXIT_FAIL;
		}
		if (show && (i + 1) % 100 == 0)
		{
			fputc('\r', stderr);
			fprintf(stderr, _("reading: %zu / %zu files"), i + 1, files.n);
		}
	}
	if (show)
		fputc('\n', stderr);
	free(buf);
	list_free(&files);
	return ret;
}

int cmd_import(int argc, char **argv)
{
	cli_opt opts[] = { { "out", true, NULL },
		           { "publish", false, NULL },
		           { "dry-run", false, NULL },
		           { NULL, false, NULL } };
	cli_args a = { 0 };
	int r = cli_start("import", import_help, argc, argv, opts, 2, &a);
	if (r != CLI_GO)
		return r;
	char formats[200];
	import_format_list(formats, sizeof formats);
	if (a.n_pos < 1)
		return cli_usage_error("import", _("FORMAT is required (%s)"), formats);
	const import_format *f = import_format_find(a.pos[0]);
	if (!f)
		return cli_usage_error("import", _("unknown format \"%s\" (formats: %s)"), a.pos[0],
		                       formats);
	if (a.n_pos < 2)
		return cli_usage_error("import", "%s", _("FILE, DIR or - is required"));
	bool dry = cli_opt_get(opts, "dry-run") != NULL;
	bool publish = cli_opt_get(opts, "publish") != NULL || strcmp(f->name, "markdown") == 0;
	const char *out = cli_opt_get(opts, "out");
	if (publish && out)
		return cli_usage_error("import", "%s",
		                       _("--out writes drafts; --publish (and markdown) publishes"));

	import_set set;
	import_set_init(&set, f);
	par_job par;
	memset(&par, 0, sizeof par);
	node_dir nd;
	memset(&nd, 0, sizeof nd);
	draft_state *st = NULL;
	json_t *report = json_object(), *drafts = json_array();
	int ret = EXIT_FAIL;

	if (read_all(&set, a.pos[1], a.json, &par))
		goto out;
	if (set.n == 0 && set.n_errors_total == 0) {
		/* an empty folder, or files with no record: nothing is created */
		cli_error(_("%s: no record to import"), a.pos[1]);
		goto out;
	}
	if (set.n_errors_total) {
		print_file_errors(&set);
		cli_error(ngettext("%zu file could not be read: nothing was written or published",
		                   "%zu files could not be read: nothing was written or published",
		                   set.n_errors_total),
		          set.n_errors_total);
		if (a.json) {
			json_object_set_new(report, "format", json_string(f->name));
			json_object_set_new(report, "file_errors", file_errors_json(&set));
			json_object_set_new(report, "records", drafts);
			drafts = NULL;
			json_dumpf(report, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
		}
		goto out;
	}
	if (publish && !dry) {
		if (cli_node_open_write(&nd, a.dir) || cli_member_can_write(&nd, "import"))
			goto out;
	} else {
		node_env quiet = { .say = NULL, .now_us = cli_now_us() };
		if (node_dir_open(&nd, a.dir, NODE_OPEN_READ, &quiet))
			memset(&nd, 0, sizeof nd);
	}
	st = calloc(set.n ? set.n : 1, sizeof *st);
	/* the node's territory record, read once for every draft's `territories` */
	const proto_value *terr = NULL;
	int year = 0;
	if (nd.st && nd.has_territory)
		own_territory_read(nd.st, nd.territory, &set.arena, cli_now_us(), &terr, &year);
	size_t complete = 0;
	if (!st || check_all(&set, st, terr, year, publish && !dry, &par, &complete)) {
		cli_error(_("out of memory"));
		goto out;
	}
	char dir[4096] = "";
	size_t published = 0, updated = 0, unchanged = 0, written = 0;
	if (!publish && out_dir(out, f->name, dry, dir, sizeof dir))
		goto out;
	for (size_t i = 0; i < set.n; i++) {
		char file[4600] = "";
		if (!a.json)
			print_issues(&set.drafts[i]);
		if (!publish && !dry) {
			if (write_draft(&set, &set.drafts[i], &st[i], dir, file, sizeof file))
				goto out;
			written++;
		}
		if (publish && !st[i].complete && !a.json)
			print_incomplete(&set.drafts[i], &st[i]);
		if (a.json)
			json_array_append_new(drafts,
			                      draft_json(&set.drafts[i], &st[i], file[0] ? file : NULL));
	}
	/* the drafts were not synced one by one (node_file_create_many): all of them at once */
	if (written && node_file_sync_fs(dir) != 0) {
		cli_error("%s: %s", dir, strerror(errno));
		goto out;
	}
	int pr = 0;
	if (publish && !dry)
		pr = publish_complete(&set, st, &nd, !a.json && isatty(2), &published, &updated,
		                      &unchanged);
	size_t incomplete = set.n - complete;
	import_counts counts = { set.n, complete, incomplete, published, updated, unchanged, written };
	if (a.json) {
		json_object_set_new(report, "format", json_string(f->name));
		json_object_set_new(report, "dry_run", json_boolean(dry));
		json_object_set_new(report, "records", drafts);
		drafts = NULL;
		json_object_set_new(report, "out", dir[0] && !publish ? json_string(dir) : json_null());
		report_counts(report, &counts);
		json_dumpf(report, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		print_summary(&counts, publish, dry, dir);
	}
	/* a record left out, incomplete or refused by the store (a member's capability), fails */
	ret = pr ? EXIT_FAIL : publish && (incomplete || (!dry && published < complete)) ? EXIT_FAIL
	                                                                              : EXIT_OK;
out:
	for (size_t i = 0; st && i < set.n; i++) {
		free(st[i].errors);
		free(st[i].body);
	}
	free(st);
	json_decref(drafts);
	json_decref(report);
	node_dir_close(&nd);
	import_set_done(&set);
	par_done(&par);
	return ret;
}
