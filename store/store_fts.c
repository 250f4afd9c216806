/* store/store_fts.c: the full-text index: the columns and text decoded from a document,
 * maille_text() (the index's external content), the index changes queued by the puts and
 * written when the transaction ends, and documents indexed later (store_index_pending). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "proto/record.h"

/* ------------------------------------------------------------------------------------------ */
/* Queued index changes */

/* Full-text changes are queued by each put and replayed here, outside any savepoint: FTS5
 * writes its pending in-memory index to disk at every SAVEPOINT, so indexing inside the
 * per-put savepoint would write one tiny segment per entry and merge them forever (a bulk
 * load ran several times slower). The ops replay in order, so a row inserted and superseded
 * in the same batch is inserted then deleted, which is correct if wasteful. A deletion carries
 * the text the row was indexed with (an external-content index cannot read it back: the
 * entry's row is already gone). *ret_deleted is set when a deletion was replayed. */
int store__fts_flush(store *st, bool *ret_deleted)
{
	sqlite3_stmt *ins = NULL, *del = NULL;
	int rc = store__stmt(st, STMT_FTS_INS, &ins);
	if (!rc)
		rc = store__stmt(st, STMT_FTS_DEL, &del);
	if (rc)
		return rc;
	for (size_t i = 0; i < st->n_ops; i++) {
		const store_fts_op *op = &st->ops[i];
		sqlite3_stmt *s = op->insert ? ins : del;
		size_t off = op->off;
		st->fts_mode = op->insert ? STORE_FTS_ADDING : STORE_FTS_REMOVING;
		st->fts_pre = op->insert && op->pre ? op : NULL;
		sqlite3_bind_int64(s, 1, op->rid);
		for (int k = 0; k < TEXT_N_; k++) {
			sqlite3_bind_text(s, 2 + k, st->fts_buf + off, (int)op->len[k], SQLITE_STATIC);
			off += op->len[k] + 1;
		}
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		st->fts_mode = STORE_FTS_IDLE;
		st->fts_pre = NULL;
		if (rc != SQLITE_DONE)
			return store__err(rc);
		if (!op->insert)
			*ret_deleted = true;
	}
	st->n_ops = 0;
	st->fts_len = 0;
	/* the words the insertions met, in the same transaction */
	return store__vocab_flush(st);
}

void store__fts_discard(store *st)
{
	st->n_ops = 0;
	st->fts_len = 0;
}

/* Inside a batch, makes the full-text index reflect every put so far (for search and check).
 * A failure breaks the batch: its rows and the index could disagree. */
int store__fts_sync(store *st)
{
	bool deleted = false;
	int rc;
	if (!st->in_batch || st->n_ops == 0 || st->batch_err)
		return 0; /* nothing queued (a broken batch has discarded its queue) */
	rc = store__fts_flush(st, &deleted);
	if (deleted)
		st->batch_deleted_text = true;
	if (rc) {
		st->batch_err = rc;
		if (!sqlite3_get_autocommit(st->db))
			store__stmt_run(st, STMT_ROLLBACK);
		store__fts_discard(st);
		store__vocab_forget(st);
		st->n_evicted = st->n_evicted_done;
	}
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Decoded columns and full-text */

static int store_text_add(store_text *t, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	size_t need = t->len + 1 + n + 1;
	if (need > t->cap) {
		char *p = proto_array_grow_to(t->p, &t->cap, need, 256);
		if (!p)
			return MAILLE_ENOMEM;
		t->p = p;
	}
	if (t->len)
		t->p[t->len++] = ' ';
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
	return 0;
}

/* Every string of v (a plain string, every language of a language map, every item of a list),
 * space-separated. Depth is bounded by the decoder (PROTO_VALUE_DEPTH_MAX). */
static int store_text_value(store_text *t, const proto_value *v)
{
	int rc = 0;
	if (!v)
		return 0;
	switch (v->type) {
	case PROTO_V_STR:
		return store_text_add(t, v->u.str.ptr, v->u.str.len);
	case PROTO_V_ARRAY:
		for (size_t i = 0; i < v->u.arr.n && !rc; i++)
			rc = store_text_value(t, &v->u.arr.items[i]);
		return rc;
	case PROTO_V_MAP:
		for (size_t i = 0; i < v->u.map.n && !rc; i++)
			rc = store_text_value(t, &v->u.map.items[i].val);
		return rc;
	default:
		return 0;
	}
}

static const char *store_map_str(const proto_value *map, const char *key)
{
	const proto_value *v = proto_map_get(map, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

_Static_assert(TEXT_TITLE == PROTO_SEARCH_TITLE - 1 && TEXT_SUMMARY == PROTO_SEARCH_SUMMARY - 1 &&
                   TEXT_DESCRIPTION == PROTO_SEARCH_DESCRIPTION - 1 &&
                   TEXT_KEYWORDS == PROTO_SEARCH_KEYWORDS - 1 &&
                   TEXT_DETAILS == PROTO_SEARCH_DETAILS - 1 && TEXT_N_ == PROTO_SEARCH_N_ - 1,
               "the index's columns are the record tables' search columns, in order");

/* The text of a searched field's value v: a nested object (a use case's risks, a REX's
 * indicators) gives the texts of its members that its table marks as searched, a list of
 * them those of every item; any other value every string it holds (store_text_value). */
static int store_text_field(store_text *t, const proto_record_field *f, const proto_value *v)
{
	int rc = 0;
	if ((f->kind != PROTO_FK_OBJ && f->kind != PROTO_FK_OBJLIST) || !f->obj)
		return store_text_value(t, v);
	if (v->type == PROTO_V_ARRAY) {
		for (size_t i = 0; i < v->u.arr.n && !rc; i++)
			if (v->u.arr.items[i].type == PROTO_V_MAP)
				rc = store_text_field(t, f, &v->u.arr.items[i]);
		return rc;
	}
	if (v->type != PROTO_V_MAP)
		return 0;
	for (const proto_record_field *m = f->obj->fields; m->name && !rc; m++) {
		const proto_value *mv;
		if (m->search != PROTO_SEARCH_NONE && (mv = proto_map_get(v, m->name)) != NULL)
			rc = store_text_field(t, m, mv);
	}
	return rc;
}

/* Column col's text: every field of the body searched in col, the common fields first, then
 * the type's own, in table order. */
static int store_text_column(store_text *t, const proto_value *body, const proto_record_type *rt,
                             proto_search_col col)
{
	const proto_record_field *tables[2] = {rt ? proto_record_type_common(rt) : proto_record_common,
	                                       rt ? rt->fields : NULL};
	int rc = 0;
	for (size_t k = 0; k < 2 && !rc; k++)
		for (const proto_record_field *f = tables[k]; f && f->name && !rc; f++) {
			const proto_value *v;
			if (f->search == col && (v = proto_map_get(body, f->name)) != NULL)
				rc = store_text_field(t, f, v);
		}
	return rc;
}

/* The value that feeds the heading's title or summary: the first field searched in col that
 * the body has, among the common fields then the type's own (a territory's name is its title
 * when it has none). */
static const proto_value *store_search_value(const proto_value *body, const proto_record_type *t,
                                             proto_search_col col)
{
	const proto_record_field *tables[2] = {t ? proto_record_type_common(t) : proto_record_common,
	                                       t ? t->fields : NULL};
	for (size_t k = 0; k < 2; k++)
		for (const proto_record_field *f = tables[k]; f && f->name; f++) {
			const proto_value *v;
			if (f->search == col && (v = proto_map_get(body, f->name)) != NULL)
				return v;
		}
	return NULL;
}

/* Fills doc from a document's body (a map) and text with its full-text columns, as the record
 * tables say (proto/record.h: search, filter). maille_text() computes the text of the index
 * with this same function, so what a put indexes and what a deletion or a snippet later reads
 * back are the same strings. */
int store__doc_extract(store_text text[TEXT_N_], const proto_value *body, store_doc *doc)
{
	const proto_value *title, *summary;
	const proto_record_type *t;
	int rc = 0;

	memset(doc, 0, sizeof *doc);
	doc->body = body;
	doc->type = store_map_str(body, PROTO_F_TYPE);
	t = doc->type ? proto_record_type_find(doc->type, strlen(doc->type)) : NULL;
	doc->status = store_map_str(body, proto_record_filter_field(NULL, PROTO_FILTER_STATUS));
	doc->licence = store_map_str(body, proto_record_filter_field(NULL, PROTO_FILTER_LICENCE));
	doc->sw_licence =
		store_map_str(body, proto_record_filter_field(NULL, PROTO_FILTER_SW_LICENCE));
	/* the territory's and the federation's own records */
	doc->fed = t && t->cls != PROTO_RC_CATALOGUE;
	title = store_search_value(body, t, PROTO_SEARCH_TITLE);
	summary = store_search_value(body, t, PROTO_SEARCH_SUMMARY);
	doc->title = title ? proto_langmap_pick(title, "fr") : NULL;
	doc->summary = summary ? proto_langmap_pick(summary, "fr") : NULL;
	doc->themes = proto_map_get(body, proto_record_filter_field(NULL, PROTO_FILTER_THEMES));

	for (size_t i = 0; i < TEXT_N_; i++) {
		text[i].len = 0;
		if (text[i].p)
			text[i].p[0] = '\0';
	}
	for (int k = 0; k < TEXT_N_ && !rc; k++)
		rc = store_text_column(&text[k], body, t, (proto_search_col)(k + 1));
	return rc;
}

/* The full-text columns of the stored entry raw[0..len), into text. *ret_doc is false (and
 * text empty) for a tombstone. MAILLE_ECORRUPT if raw is not a canonical entry with a map
 * body (it was checked when stored). */
int store__text_of_raw(store_text text[TEXT_N_], const uint8_t *raw, size_t len,
                       bool *ret_doc)
{
	proto_entry e;
	proto_arena arena;
	proto_value *body = NULL;
	store_doc doc;
	int rc;

	for (size_t i = 0; i < TEXT_N_; i++)
		text[i].len = 0;
	*ret_doc = false;
	if (proto_entry_decode(raw, len, &e) != 0)
		return MAILLE_ECORRUPT;
	if (e.kind != PROTO_KIND_DOCUMENT)
		return 0;
	proto_arena_init(&arena, 0);
	rc = proto_value_decode(e.body, e.body_len, &arena, &body);
	if (rc || body->type != PROTO_V_MAP)
		rc = MAILLE_ECORRUPT;
	else
		rc = store__doc_extract(text, body, &doc);
	proto_arena_done(&arena);
	if (!rc)
		*ret_doc = true;
	return rc;
}

int store__text_of_rid(store *st, sqlite3_int64 rid, store_text text[TEXT_N_])
{
	sqlite3_stmt *s = NULL;
	bool is_doc = false;
	int rc = store__stmt(st, STMT_RAW_GET, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const uint8_t *raw = sqlite3_column_blob(s, 0);
		int len = sqlite3_column_bytes(s, 0);
		rc = raw && len > 0 ? store__text_of_raw(text, raw, (size_t)len, &is_doc)
		                    : MAILLE_ECORRUPT;
		if (!rc && !is_doc)
			rc = MAILLE_ECORRUPT;
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store__err(rc);
	}
	sqlite3_reset(s);
	return rc;
}

/* Loads st->fn_text with the texts of the entry raw (a SQL value), unless they are already
 * those of raw: FTS5 asks for the four columns of a row one after the other, and snippet()
 * asks again for the rows maille_has_prefix just read. st->fn_is_doc is false for a
 * tombstone, for NULL and for bytes that do not decode (which store_check reports). */
int store__text_fn_load_raw(store *st, const uint8_t *raw, size_t len)
{
	int rc;

	if (!raw || len == 0) {
		st->fn_valid = false;
		st->fn_is_doc = false;
		return 0;
	}
	if (st->fn_valid && st->fn_raw_len == len && memcmp(st->fn_raw, raw, len) == 0)
		return 0;
	st->fn_valid = false;
	if (len > st->fn_raw_cap) {
		uint8_t *p = realloc(st->fn_raw, len);
		if (!p)
			return MAILLE_ENOMEM;
		st->fn_raw = p;
		st->fn_raw_cap = len;
	}
	rc = store__text_of_raw(st->fn_text, raw, len, &st->fn_is_doc);
	if (rc == MAILLE_ENOMEM)
		return rc;
	if (rc)
		st->fn_is_doc = false;
	memcpy(st->fn_raw, raw, len);
	st->fn_raw_len = len;
	st->fn_valid = true;
	return 0;
}

int store__text_fn_load(store *st, sqlite3_value *v)
{
	return store__text_fn_load_raw(st, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v));
}

/* maille_text(raw, column): the text FTS5 indexed for column ('title', 'summary',
 * 'description', 'keywords' or 'details') of the entry raw, the content of the view entries_text. NULL
 * for a tombstone or for bytes that do not decode. Deterministic and innocuous: it reads
 * nothing but its arguments. */
void store__text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	store *st = sqlite3_user_data(ctx);
	const char *col;
	int k;

	(void)argc;
	col = (const char *)sqlite3_value_text(argv[1]);
	for (k = 0; k < TEXT_N_; k++)
		if (col && strcmp(col, proto_search_columns[k + 1].name) == 0)
			break;
	if (k == TEXT_N_) {
		sqlite3_result_error(ctx, "maille_text: unknown column", -1);
		return;
	}
	if (store__text_fn_load(st, argv[0]) != 0) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (!st->fn_is_doc)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, st->fn_text[k].len ? st->fn_text[k].p : "",
		                    (int)st->fn_text[k].len, SQLITE_TRANSIENT);
}

/* Theme i of doc->themes (a single string counts as a list of one), or NULL past the end. */
const char *store__doc_theme(const store_doc *doc, size_t i)
{
	return proto_record_theme(doc->themes, i);
}

/* Queues the insertion of text as the fts row of rid, or the deletion of rid's row, which
 * was indexed with text. words (NULL: none): text's words cut beforehand, words_len[k] bytes
 * for text k (store_doc_prepare), kept after the texts for the tokenizer
 * (store__fts_pre_words). */
int store__fts_queue(store *st, sqlite3_int64 rid, bool insert, const store_text *text,
                     const char *words, const size_t *words_len)
{
	store_fts_op *op;
	if (st->n_ops == st->cap_ops) {
		store_fts_op *ops = proto_array_grow(st->ops, &st->cap_ops, 256, sizeof *ops);
		if (!ops)
			return MAILLE_ENOMEM;
		st->ops = ops;
	}
	op = &st->ops[st->n_ops];
	op->rid = rid;
	op->insert = insert;
	op->off = st->fts_len;
	op->pre = insert && words;
	{
		size_t need = st->fts_len;
		for (int k = 0; k < TEXT_N_; k++)
			need += text[k].len + 1 + (op->pre ? words_len[k] : 0);
		if (need > st->fts_cap) {
			char *p = proto_array_grow_to(st->fts_buf, &st->fts_cap, need, 65536);
			if (!p)
				return MAILLE_ENOMEM;
			st->fts_buf = p;
		}
		for (int k = 0; k < TEXT_N_; k++) {
			op->len[k] = text[k].len;
			if (op->len[k])
				memcpy(st->fts_buf + st->fts_len, text[k].p, op->len[k]);
			st->fts_buf[st->fts_len + op->len[k]] = '\0';
			st->fts_len += op->len[k] + 1;
		}
		size_t wn = 0;
		for (int k = 0; k < TEXT_N_; k++) {
			op->words_len[k] = op->pre ? words_len[k] : 0;
			wn += op->words_len[k];
		}
		if (wn)
			memcpy(st->fts_buf + st->fts_len, words, wn);
		st->fts_len += wn;
	}
	st->n_ops++;
	return 0;
}

bool store__fts_pre_words(const store *st, const char *text, size_t n, const char **ret,
                          size_t *ret_len)
{
	const store_fts_op *op = st->fts_pre;
	if (!op)
		return false;
	size_t off = op->off, woff = op->off;
	for (int k = 0; k < TEXT_N_; k++)
		woff += op->len[k] + 1;
	/* the text FTS5 hands over is one of the row's columns (a copy: compared, not pointed
	 * to); two equal columns have the same words */
	for (int k = 0; k < TEXT_N_; k++) {
		if (op->len[k] == n && memcmp(st->fts_buf + off, text, n) == 0) {
			*ret = st->fts_buf + woff;
			*ret_len = op->words_len[k];
			return true;
		}
		off += op->len[k] + 1;
		woff += op->words_len[k];
	}
	return false;
}

/* ---- documents prepared apart ---------------------------------------------------------------
 * A word of a prepared text: its token's length (a byte), the token, its folded word's length
 * (a byte), the word, then its start and end in the text (4 bytes each, native order: the
 * list never leaves the process). Tokens and words are at most STORE_ANALYSE_WORD_MAX bytes. */
_Static_assert(STORE_ANALYSE_WORD_MAX <= 255, "a word's length fits a byte");

bool store__pre_word_next(const char *words, size_t len, size_t *off, const char **tok,
                          size_t *tok_len, const char **word, size_t *word_len, size_t *start,
                          size_t *end)
{
	size_t i = *off;
	if (i >= len)
		return false;
	*tok_len = (unsigned char)words[i++];
	*tok = words + i;
	i += *tok_len;
	*word_len = (unsigned char)words[i++];
	*word = words + i;
	i += *word_len;
	uint32_t se[2];
	memcpy(se, words + i, sizeof se);
	i += sizeof se;
	*start = se[0];
	*end = se[1];
	*off = i;
	return true;
}

static int store_pre_word_add(void *ctx, const char *tok, size_t tok_len, const char *word,
                              size_t word_len, size_t start, size_t end)
{
	store_prepared *p = ctx;
	size_t need = p->words_n + 2 + tok_len + word_len + 2 * sizeof(uint32_t);
	if (need > p->words_cap) {
		char *w = proto_array_grow_to(p->words, &p->words_cap, need, 4096);
		if (!w)
			return MAILLE_ENOMEM;
		p->words = w;
	}
	char *o = p->words + p->words_n;
	*o++ = (char)tok_len;
	memcpy(o, tok, tok_len);
	o += tok_len;
	*o++ = (char)word_len;
	memcpy(o, word, word_len);
	o += word_len;
	uint32_t se[2] = { (uint32_t)start, (uint32_t)end };
	memcpy(o, se, sizeof se);
	p->words_n = need;
	return 0;
}

int store_preparer_new(store_preparer **ret)
{
	return store_analyser_new(ret);
}

void store_preparer_free(store_preparer *pr)
{
	store_analyser_free(pr);
}

int store_prepared_new(store_prepared **ret)
{
	store_prepared *p = calloc(1, sizeof *p);
	if (!p)
		return MAILLE_ENOMEM;
	proto_arena_init(&p->arena, 0);
	*ret = p;
	return 0;
}

void store_prepared_free(store_prepared *p)
{
	if (!p)
		return;
	proto_arena_done(&p->arena);
	for (int k = 0; k < TEXT_N_; k++)
		free(p->text[k].p);
	free(p->words);
	free(p);
}

int store_doc_prepare(store_preparer *pr, const proto_entry *e, store_prepared *p)
{
	proto_value *body = NULL;
	p->ok = false;
	proto_arena_done(&p->arena);
	proto_arena_init(&p->arena, 0);
	if (e->kind != PROTO_KIND_DOCUMENT)
		return MAILLE_EPROTO;
	/* what store_entry_put_verified does with a document, then the tokenizer's cut */
	int rc = proto_value_decode(e->body, e->body_len, &p->arena, &body);
	if (!rc && body->type != PROTO_V_MAP)
		rc = MAILLE_EPROTO;
	if (!rc)
		rc = store__doc_extract(p->text, body, &p->doc);
	p->words_n = 0;
	for (int k = 0; k < TEXT_N_ && !rc; k++) {
		size_t before = p->words_n;
		if (p->text[k].len)
			rc = store_analyser_run(pr, p->text[k].p, p->text[k].len, true,
			                        store_pre_word_add, p);
		p->words_len[k] = p->words_n - before;
	}
	if (rc)
		return rc;
	p->doc.text = p->text;
	p->doc.words = p->words;
	p->doc.words_len = p->words_len;
	p->ok = true;
	return 0;
}

/* ---- indexing later (migration 3) ------------------------------------------------------------ */

void store_set_index_later(store *st, bool later)
{
	st->index_later = later;
}

int store_unindexed(store *st, uint64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM entries WHERE unindexed = 1"
	                                     " AND held = 0", -1,
	                            &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = (uint64_t)sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : store__err(rc);
}

int store_index_pending(store *st, size_t max, size_t *ret_done)
{
	*ret_done = 0;
	if (st->in_batch)
		return MAILLE_ESTATE;
	if (max == 0)
		return 0;
	int rc = store_begin(st);
	if (rc)
		return rc;
	/* the rids first: the rows leave the partial index as they are updated, which a cursor
	 * walking that index would not survive */
	sqlite3_stmt *sel = NULL, *upd = NULL;
	sqlite3_int64 *rids = malloc(max * sizeof *rids);
	size_t n = 0;
	int src = rids ? sqlite3_prepare_v2(st->db, "SELECT rid FROM entries WHERE unindexed = 1"
	                                             " AND held = 0 ORDER BY rid LIMIT ?1",
	                                    -1, &sel, NULL)
	               : SQLITE_NOMEM;
	if (src == SQLITE_OK) {
		sqlite3_bind_int64(sel, 1, (sqlite3_int64)max);
		while ((src = sqlite3_step(sel)) == SQLITE_ROW && n < max)
			rids[n++] = sqlite3_column_int64(sel, 0);
		if (src == SQLITE_DONE || src == SQLITE_ROW)
			src = SQLITE_OK;
	}
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(st->db, "UPDATE entries SET unindexed = 0 WHERE rid = ?1", -1,
		                         &upd, NULL);
	rc = src == SQLITE_OK ? 0 : store__err(src);
	for (size_t i = 0; !rc && i < n; i++) {
		/* only documents are ever stored unindexed */
		rc = store__text_of_rid(st, rids[i], st->text);
		if (!rc)
			rc = store__fts_queue(st, rids[i], true, st->text, NULL, NULL);
		if (!rc) {
			sqlite3_bind_int64(upd, 1, rids[i]);
			src = sqlite3_step(upd);
			sqlite3_reset(upd);
			if (src != SQLITE_DONE)
				rc = store__err(src);
		}
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	free(rids);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	rc = store_commit(st);
	if (!rc)
		*ret_done = n;
	return rc;
}
