/* tests/fuzz/fuzz_import.h: what every importer's fuzz target checks (node/formats/import.h),
 * one target a format (fuzz_import_<format>.c: FUZZ_IMPORT("<format>")).
 *
 * Properties, whatever the bytes: never a crash, a leak, an over-read or an allocation beyond
 * the set's budget; a file either fails whole (no draft kept, one file error whose texts are
 * clean) or gives drafts whose bodies are maps with a `type`, whose issues' texts are clean, and
 * whose Markdown draft (import_draft_markdown) reads back through fm_parse (what `maille
 * publish` reads) to the same canonical body once both are normalised, the required fields
 * the draft lacks (present and empty in its Markdown, so null when read back) set aside. */
#ifndef MAILLE_TESTS_FUZZ_IMPORT_H
#define MAILLE_TESTS_FUZZ_IMPORT_H

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/formats/import.h"
#include "node/service/frontmatter.h"
#include "proto/error.h"
#include "proto/schema.h"

static inline uint8_t *fuzz_import_canonical(proto_value *v, proto_arena *a, size_t *ret_len)
{
	uint8_t *enc = NULL;
	proto_schema_normalize(v, a);
	if (proto_value_encode(v, SIZE_MAX, &enc, ret_len) != 0)
		abort();
	return enc;
}

/* The required fields a draft lacks: its Markdown holds them present and empty, so they read
 * back as nulls. */
typedef struct fuzz_import_missing {
	const char *names[128];
	size_t n;
} fuzz_import_missing;

static inline void fuzz_import_missing_add(void *ctx, const proto_record_field *f)
{
	fuzz_import_missing *m = ctx;
	if (m->n < sizeof m->names / sizeof m->names[0])
		m->names[m->n++] = f->name;
}

/* The top-level nulls of back, each of which must be a field the draft lacks (or a null the
 * draft has itself), removed from both bodies before they are compared. */
static inline void fuzz_import_drop_empty(const import_draft *d, proto_value *copy,
                                          proto_value *back)
{
	fuzz_import_missing m = { { NULL }, 0 };
	import_draft_missing(d, fuzz_import_missing_add, &m);
	for (size_t i = back->u.map.n; i-- > 0;) {
		const char *k = back->u.map.items[i].key;
		if (back->u.map.items[i].val.type != PROTO_V_NIL)
			continue;
		const proto_value *was = proto_map_get(copy, k);
		bool missing = false;
		for (size_t j = 0; j < m.n && !missing; j++)
			missing = strcmp(m.names[j], k) == 0;
		if (!missing && !(was && was->type == PROTO_V_NIL))
			abort();
		proto_value_map_del(copy, k);
		proto_value_map_del(back, k);
	}
}

static inline void fuzz_import_draft(const import_draft *d, const char *format)
{
	/* an outside format's reader names the type it maps to; Maille's own Markdown gives the
	 * body as written, whose missing or wrong `type` validation reports */
	const proto_value *tv = proto_map_get(d->body, PROTO_F_TYPE);
	if (d->body->type != PROTO_V_MAP ||
	    (strcmp(format, "markdown") != 0 && (!tv || tv->type != PROTO_V_STR)))
		abort();
	for (size_t i = 0; i < d->n_issues; i++) {
		fuzz_check_text(d->issues[i].fr, sizeof d->issues[i].fr, true);
		fuzz_check_text(d->issues[i].en, sizeof d->issues[i].en, true);
	}
	char *text = NULL;
	size_t len = 0;
	int r = import_draft_markdown(d, format, &text, &len);
	if (r == MAILLE_EINVAL) /* a path or a value the front matter cannot hold */
		return;
	if (r)
		abort();
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *back = NULL;
	const char *path = NULL;
	fm_error fe;
	if (fm_parse((const uint8_t *)text, len, &a, &back, &path, &fe) != 0)
		abort();
	if ((d->path == NULL) != (path == NULL) || (path && strcmp(path, d->path) != 0))
		abort();
	/* the draft's body, copied so that normalising it leaves the set alone */
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	proto_value *copy = NULL;
	if (proto_value_encode(d->body, SIZE_MAX, &enc, &enc_len) != 0 ||
	    proto_value_decode(enc, enc_len, &a, &copy) != 0)
		abort();
	free(enc);
	fuzz_import_drop_empty(d, copy, back);
	size_t n1, n2;
	uint8_t *e1 = fuzz_import_canonical(copy, &a, &n1);
	uint8_t *e2 = fuzz_import_canonical(back, &a, &n2);
	if (n1 != n2 || memcmp(e1, e2, n1) != 0)
		abort();
	free(e1);
	free(e2);
	free(text);
	proto_arena_done(&a);
}

static inline int fuzz_import(const char *format, const uint8_t *data, size_t size)
{
	const import_format *f = import_format_find(format);
	if (!f)
		abort();
	import_set set;
	import_set_init(&set, f);
	import_src src = { "fuzz", data, size };
	int r = import_set_read(&set, &src);
	if (r) {
		if (set.n != 0 || set.n_errors != 1)
			abort();
		fuzz_check_text(set.errors[0].fr, sizeof set.errors[0].fr, true);
		fuzz_check_text(set.errors[0].en, sizeof set.errors[0].en, true);
	}
	for (size_t i = 0; i < set.n; i++)
		fuzz_import_draft(&set.drafts[i], format);
	import_set_done(&set);
	return 0;
}

#define FUZZ_IMPORT(format)                                                                        \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                               \
	{                                                                                          \
		return fuzz_import(format, data, size);                                            \
	}

#endif
