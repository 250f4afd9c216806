/* node/formats/export.h: records given back out in the formats others read.
 *
 * An export takes the live catalogue records a filter keeps (a type, a territory, the trusted
 * ones: export_set_load), with the territory records of their publishers, and a format's
 * writer turns them into files: one (a DCAT catalogue, a CSV) or one a record (publiccode.yml
 * files, a site's pages). Writers print nothing and touch no file: they hand each file's bytes
 * to the sink (the CLI writes them, the web catalogue serves them). A record a format cannot
 * express whole (a component without what publiccode requires) is not exported invalid: it is
 * listed in the sink's skips with the keys it lacks.
 *
 * Memory stays small whatever the catalogue's size: the set keeps each record's identity, not
 * its body; export_each decodes one body at a time, and writers hand their output to the sink
 * in pieces (a record's worth), which the sink writes as they come.
 *
 * Performs no I/O but the store's reads. */
#ifndef MAILLE_NODE_EXPORT_H
#define MAILLE_NODE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/entry.h"
#include "proto/record.h"
#include "proto/value.h"
#include "store/store.h"

#define EXPORT_PROGRESS_STEP 1000u

typedef struct export_record {
	const char *type; /* its `type` */
	const char *path;
	uint8_t territory[PROTO_KEY_LEN];
	uint8_t id[PROTO_ID_LEN];
	uint64_t timestamp_us; /* the live version's */
} export_record;

/* A publishing territory: its key and its territory record's body (NULL when not known). */
typedef struct export_territory {
	uint8_t key[PROTO_KEY_LEN];
	const proto_value *body;
	const char *name; /* its `name`, or the key's first hex digits */
} export_territory;

typedef struct export_set {
	store *st; /* where the bodies are read (export_each) */
	proto_arena arena;
	export_record *v; /* malloc'd, in the store's listing order */
	size_t n, cap;
	export_territory *terr; /* malloc'd, one per territory of v */
	size_t n_terr, cap_terr;
	/* the catalogue's own description, set by the caller before writing */
	const char *base_url;   /* the web catalogue's address ("http://host:port"), NULL: none */
	const char *title;      /* the catalogue's name (the node's territory, a federation) */
	uint8_t node_key[PROTO_KEY_LEN];
	uint64_t now_us;
	bool trusted_only; /* the filter kept the trusted territories only (export_set_load) */
	/* called as export_each goes (every EXPORT_PROGRESS_STEP records and at the end), NULL:
	 * not; a terminal shows it */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
	/* one page of a catalogue served in pieces (the web's /catalog.ttl?page=N), as the
	 * harvesters page (Hydra: data.gouv.fr's and CKAN's DCAT harvesters follow its next
	 * link); per_page 0: the whole catalogue, no page. The addresses are absolute, NULL when
	 * there is none (no previous page on the first). */
	struct {
		size_t total, per_page, number;
		const char *self, *first, *prev, *next, *last;
	} page;
} export_set;

void export_set_init(export_set *s);
void export_set_done(export_set *s);
/* The live catalogue records (class PROTO_RC_CATALOGUE) of st that f keeps, and their
 * territories. A record whose body does not decode is left out. 0, or the store's error,
 * MAILLE_ENOMEM. */
int export_set_load(export_set *s, store *st, const store_filter *f);
/* Keeps the n records of s from the off-th (fewer at the end; none past it) and the
 * territories they name, and sets s->page's total to the number before. */
void export_set_slice(export_set *s, size_t off, size_t n);
/* fn for each record of s in order with its body (valid during the call only), read again
 * from the store; a record gone since export_set_load (deleted meanwhile) is skipped. Stops
 * at fn's first non-zero value, which it returns; else 0, or the store's error. */
int export_each(const export_set *s,
                int (*fn)(void *ctx, const export_record *r, const proto_value *body), void *ctx);
/* The territory of key in s (never NULL for a record's territory). */
const export_territory *export_territory_of(const export_set *s, const uint8_t key[PROTO_KEY_LEN]);

/* A record left out of an export, and why (French and English). */
typedef struct export_skip {
	char path[PROTO_PATH_MAX + 1];
	char fr[320], en[320];
} export_skip;

/* Where a writer's files go: begin a file by its name relative to the export (a one-file
 * export names its file too: "catalog.ttl"), write its bytes in pieces, end it (ok false:
 * the writer failed, the file is dropped). Each returns 0 or an error code, which stops the
 * writer. */
typedef struct export_sink {
	int (*begin)(void *ctx, const char *name);
	int (*write)(void *ctx, const char *data, size_t len);
	int (*end)(void *ctx, bool ok);
	void *ctx;
	export_skip *skips; /* malloc'd by export_skip_add; the caller frees */
	size_t n_skips, cap_skips;
	size_t n_files;
	size_t n_records; /* records written (a writer counts them) */
} export_sink;

/* Records a skip (same arguments for both formats, as import.h). MAILLE_ENOMEM or 0. */
int export_skip_add(export_sink *o, const export_record *r, const char *fr, const char *en, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 5), format(printf, 4, 5)))
#endif
    ;
/* Ends the file begun in o, kept when r (the writer's result so far) is 0 and then counted,
 * else dropped; r, or the end's error. */
int export_end(export_sink *o, int r);
/* A whole file at once: begin, write, end. */
int export_put(export_sink *o, const char *name, const char *data, size_t len);

typedef struct export_format {
	const char *name;   /* as on the command line */
	bool one_file;      /* always one file: --out names it (else a flavour's, or a folder) */
	/* its flavours, by the extension of the file --out names ("ttl", "jsonld" for dcat), the
	 * first on standard output; NULL-ended, none for a format of one kind of file */
	const char *variants[4];
	const char *type;   /* the one record type it holds (the others are not loaded), or NULL */
	proto_fr_en help;   /* one line */
	/* Writes s into o; variant: one of variants[] (NULL: every flavour, the export being a
	 * folder; a format without flavours ignores it). */
	int (*write)(const export_set *s, export_sink *o, const char *variant);
} export_format;

/* The formats written here (json and markdown are the CLI's own), NULL-name-terminated. */
extern const export_format export_formats[];
const export_format *export_format_find(const char *name);
/* The flavour of f that the file name out chooses by its extension ("catalog.ttl": "ttl"),
 * or NULL (a folder, or a format without flavours). */
const char *export_format_variant(const export_format *f, const char *out);

/* ---- helpers for writers ------------------------------------------------------------- */

/* The text of field key of body in lang (a language map's lang, else fr, else any; a plain
 * string as is; a list of strings joined by sep), or NULL. The returned string is a's
 * when joined. */
const char *export_text(proto_arena *a, const proto_value *body, const char *key, const char *lang,
                        const char *sep);
/* The record's page on the web catalogue (base_url/entry/<path>?territory=<hex>) into ret, or
 * "" without base_url. */
void export_record_url(const export_set *s, const export_record *r, char *ret, size_t cap);
/* One CSV cell of s[0..len) into f as the CSV readers of import.h read it (RFC 4180, ';'
 * between cells): quoted when it holds ';', '"', a line break or spaces at its ends, its
 * quotes doubled. */
void export_csv_cell(FILE *f, const char *s, size_t len);
/* What fill prints into a memory stream (a CSV row, a JSON record), handed to o as one
 * piece: fill's error, MAILLE_ENOMEM, or the sink's. */
int export_print(export_sink *o, int (*fill)(FILE *f, void *ctx), void *ctx);
/* An RFC 3339 UTC timestamp ("2026-12-07T10:29:00Z") of us into ret (21 bytes). */
void export_rfc3339(uint64_t us, char ret[21]);

/* The writers. */
int export_write_dcat(const export_set *s, export_sink *o, const char *variant);
/* inventaire.csv: the use cases of s (the other records are left out) as Maille's CSV of the
 * French algorithm inventory (node/formats/inventaire.h's columns). */
int export_write_inventaire_csv(const export_set *s, export_sink *o, const char *variant);
/* The use cases of s as an algorithm register of the Eurocities / Dutch standard 0.3.1: variant
 * "csv" (algorithm-register.csv) or "json" (algorithm-register.json), NULL both. */
int export_write_algorithm_register(const export_set *s, export_sink *o, const char *variant);
/* publiccode.yml (version 0.7 of the standard): one file a software component,
 * "<slug>.publiccode.yml"; a component the standard cannot describe whole is a skip listing
 * what it lacks; the other records are left out. */
int export_write_publiccode(const export_set *s, export_sink *o, const char *variant);

#endif
