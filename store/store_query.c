/* store/store_query.c: reading the catalogue: rows, get by path or id, list, search (the
 * query, its plan, snippets), counts and territory names. */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/record.h"

#define STORE_SEARCH_LIMIT_DEFAULT 20u
#define STORE_SNIPPET_TOKENS "16"

/* Search (see store_search_plan_make): a last word of more tokens or bytes than these is
 * left to FTS5 (store_phrase). */
#define STORE_PHRASE_TOKENS_MAX 16
#define STORE_PHRASE_MAX 256
/* Rows a search tests its last word on before FTS5 takes over: ~9 µs each at most. */
#define STORE_SCAN_BUDGET 1000

/* ------------------------------------------------------------------------------------------ */
/* Rows */

/* Fills row from the current result row of s (id in column 0, raw in column 1, rid in
 * column 2), the entry decoded from raw. With copy, raw is copied into memory the row owns
 * (freed by store_row_done); otherwise it borrows SQLite's buffer, valid until s is stepped.
 * A stored entry that no longer decodes is MAILLE_ECORRUPT (store_check tells which). */
static int store_row_fill(sqlite3_stmt *s, bool copy, store_row *row)
{
	const void *id = sqlite3_column_blob(s, 0);
	int id_len = sqlite3_column_bytes(s, 0);
	const uint8_t *raw = sqlite3_column_blob(s, 1);
	int raw_len = sqlite3_column_bytes(s, 1);
	uint8_t *buf = NULL;

	memset(row, 0, sizeof *row);
	if (!id || id_len != PROTO_ID_LEN || !raw || raw_len <= 0)
		return MAILLE_ECORRUPT;
	if (copy) {
		buf = malloc((size_t)raw_len);
		if (!buf)
			return MAILLE_ENOMEM;
		memcpy(buf, raw, (size_t)raw_len);
		raw = buf;
	}
	if (proto_entry_decode(raw, (size_t)raw_len, &row->entry) != 0) {
		free(buf);
		return MAILLE_ECORRUPT;
	}
	memcpy(row->id, id, PROTO_ID_LEN);
	row->rid = (uint64_t)sqlite3_column_int64(s, 2);
	row->raw = raw;
	row->raw_len = (size_t)raw_len;
	row->priv_ = buf;
	return 0;
}

void store_row_done(store_row *row)
{
	if (!row)
		return;
	free(row->priv_);
	memset(row, 0, sizeof *row);
}

/* Steps s to its single row and copies it into *ret; ENOTFOUND if there is none. */
static int store_get_one(sqlite3_stmt *s, store_row *ret)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = store_row_fill(s, true, ret);
	else
		rc = rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store__err(rc);
	sqlite3_reset(s);
	return rc;
}

int store_entry_get(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                    store_row *ret)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!territory || !path || !ret)
		return MAILLE_EINVAL;
	rc = store__stmt(st, STMT_GET_PATH, &s);
	if (rc)
		return rc;
	store__bind_path(s, territory, path, strlen(path));
	return store_get_one(s, ret);
}

int store_versions(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                   uint64_t *ret)
{
	sqlite3_stmt *s = NULL;
	if (!territory || !path || !ret)
		return MAILLE_EINVAL;
	int rc = store__stmt(st, STMT_VERSION_GET, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	uint64_t n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store__err(rc);
	*ret = n;
	return 0;
}

int store_entry_get_id(store *st, const char *hex, store_row *ret)
{
	uint8_t lo[PROTO_ID_LEN], hi[PROTO_ID_LEN];
	sqlite3_stmt *s = NULL;
	size_t n;
	int rc;

	if (!hex || !ret)
		return MAILLE_EINVAL;
	n = strnlen(hex, 2 * PROTO_ID_LEN + 1);
	if (n < 8 || n > 2 * PROTO_ID_LEN)
		return MAILLE_EINVAL;
	/* Every id starting with the prefix lies in [prefix 00.., prefix ff..] (BLOBs compare as
	 * bytes), so the lookup is a range scan of the id index. */
	memset(lo, 0x00, sizeof lo);
	memset(hi, 0xff, sizeof hi);
	for (size_t i = 0; i < n; i++) {
		int v = proto_hexval(hex[i]);
		if (v < 0)
			return MAILLE_EINVAL;
		if (i % 2 == 0) {
			lo[i / 2] = (uint8_t)(v << 4);
			hi[i / 2] = (uint8_t)(v << 4 | 0x0f);
		} else {
			lo[i / 2] |= (uint8_t)v;
			hi[i / 2] = (uint8_t)((hi[i / 2] & 0xf0) | v);
		}
	}
	rc = store__stmt(st, STMT_GET_RANGE, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, lo, PROTO_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, hi, PROTO_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		store_row row;
		rc = store_row_fill(s, true, &row);
		if (!rc) {
			int next = sqlite3_step(s);
			if (next == SQLITE_ROW) {
				store_row_done(&row);
				rc = MAILLE_EINVAL; /* ambiguous prefix */
			} else if (next != SQLITE_DONE) {
				store_row_done(&row);
				rc = store__err(next);
			} else {
				*ret = row;
			}
		}
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store__err(rc);
	}
	sqlite3_reset(s);
	return rc;
}

/* Runs a freshly prepared statement (id, raw, rid[, rank, snippet]) and calls cb per row,
 * then finalizes it. Fresh statements let a callback call any other store function. */
static char *store_snippet_make(store *st, const uint8_t *raw, size_t len, const char *prefix,
                                size_t prefix_len);

/* *ret_rows (may be NULL) receives the number of rows given to cb. */
int store__rows_run(sqlite3_stmt *s, bool search, bool newest_first,
                    const store_rows_snip *snip_of, store_row_cb cb, void *ctx,
                    size_t *ret_rows)
{
	size_t n = 0;
	int ret;
	for (;;) {
		store_row row;
		char *own_snip = NULL;
		int rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			ret = 0;
			break;
		}
		if (rc != SQLITE_ROW) {
			ret = store__err(rc);
			break;
		}
		ret = store_row_fill(s, false, &row);
		if (ret)
			break;
		if (search) {
			const char *snip = (const char *)sqlite3_column_text(s, 4);
			if (snip_of) {
				/* Its own copy: the callback may search again. */
				own_snip = store_snippet_make(snip_of->st, row.raw, row.raw_len,
				                              snip_of->phrase, snip_of->len);
				if (!own_snip) {
					ret = MAILLE_ENOMEM;
					break;
				}
				snip = own_snip;
			}
			row.rank = sqlite3_column_double(s, 3);
			row.snippet = snip ? snip : "";
			row.newest_first = newest_first;
		}
		ret = cb(&row, ctx);
		free(own_snip);
		n++;
		if (ret)
			break;
	}
	sqlite3_finalize(s);
	if (ret_rows)
		*ret_rows = n;
	return ret;
}

int store_entry_find_path(store *st, const char *path, const uint8_t *prefer_territory,
                          store_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!path || !cb)
		return MAILLE_EINVAL;
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT id, raw, rid FROM entries WHERE path_key = ?3 AND path = ?1"
	                        " AND kind = 0 AND held = 0"
	                        " ORDER BY territory IS ?2 DESC, ts DESC, id DESC",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	{
		sqlite3_int64 pk, tk;
		store__path_keys(NULL, path, strlen(path), &pk, &tk);
		sqlite3_bind_int64(s, 3, pk);
	}
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	if (prefer_territory)
		sqlite3_bind_blob(s, 2, prefer_territory, PROTO_KEY_LEN, SQLITE_STATIC);
	return store__rows_run(s, false, false, NULL, cb, ctx, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* List and search */

/* Parameter numbers shared by list and search. */
enum {
	P_MATCH = 1,
	P_TYPE,
	P_THEME,
	P_STATUS,
	P_LICENCE,
	P_TERRITORY,
	P_LIMIT,
	P_PREFIX, /* search: the phrase maille_has_prefix tests */
	P_BOUND,  /* search: the greatest rowid */
	P_SCAN,   /* search: maille_has_prefix's budget */
};

/* The statements of list and search are assembled from fixed pieces (values are always bound
 * parameters), at most ~700 bytes: STORE_SQL_MAX leaves room to spare. */
#define STORE_SQL_MAX 1024

static void store_sql_add(char sql[STORE_SQL_MAX], const char *piece)
{
	size_t n = strlen(sql), k = strlen(piece);
	if (n + k < STORE_SQL_MAX)
		memcpy(sql + n, piece, k + 1);
}

/* Appends the WHERE clauses of f (entries aliased as e). */
static void store_filter_sql(char sql[STORE_SQL_MAX], const store_filter *f, bool list)
{
	if (f->type)
		store_sql_add(sql, " AND e.type = ?2");
	/* A probe of the (rid, theme) key per row, not "rid IN (SELECT ...)", which gathers
	 * every entry of the theme before the first row (130-640 ms at 100k for a list that
	 * stops after a page). */
	if (f->theme)
		store_sql_add(sql, " AND EXISTS (SELECT 1 FROM themes t WHERE t.rid = e.rid"
		                   " AND t.theme = ?3)");
	if (f->status)
		store_sql_add(sql, " AND e.status = ?4");
	if (f->licence)
		store_sql_add(sql, " AND (e.licence = ?5 OR e.sw_licence = ?5)");
	if (f->territory)
		store_sql_add(sql, " AND e.territory = ?6");
	if (f->trusted_only)
		store_sql_add(sql, " AND maille_trusted(e.territory)");
	if (list && !f->include_tombstones)
		store_sql_add(sql, " AND e.kind = 0");
	if (!f->include_federation)
		store_sql_add(sql, " AND e.fed = 0");
	store_sql_add(sql, " AND e.held = 0"); /* stored, not shown (PROTOCOL.md §4.4) */
}

static void store_filter_bind(sqlite3_stmt *s, const store_filter *f)
{
	if (f->type)
		sqlite3_bind_text(s, P_TYPE, f->type, -1, SQLITE_STATIC);
	if (f->theme)
		sqlite3_bind_text(s, P_THEME, f->theme, -1, SQLITE_STATIC);
	if (f->status)
		sqlite3_bind_text(s, P_STATUS, f->status, -1, SQLITE_STATIC);
	if (f->licence)
		sqlite3_bind_text(s, P_LICENCE, f->licence, -1, SQLITE_STATIC);
	if (f->territory)
		sqlite3_bind_blob(s, P_TERRITORY, f->territory, PROTO_KEY_LEN, SQLITE_STATIC);
}

int store_list(store *st, const store_filter *f, store_row_cb cb, void *ctx)
{
	static const store_filter none;
	char sql[STORE_SQL_MAX] = "SELECT e.id, e.raw, e.rid FROM entries e WHERE 1";
	sqlite3_stmt *s = NULL;
	int rc;
	if (!cb)
		return MAILLE_EINVAL;
	if (!f)
		f = &none;
	store_filter_sql(sql, f, true);
	store_sql_add(sql, " ORDER BY e.ts DESC, e.id DESC");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	store_filter_bind(s, f);
	return store__rows_run(s, false, false, NULL, cb, ctx, NULL);
}

static bool store_query_wordbyte(unsigned char c)
{
	/* Bytes of multi-byte UTF-8 sequences count as letters so that accented words survive,
	 * and the apostrophe so that an elision stays with its word (l'évaluation, one word for
	 * store/analyse.c); the tokenizer then decides what in them is a token. */
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '\'';
}

int store__query_token_cb(void *ctx, int tflags, const char *token, int n, int start, int end)
{
	(void)tflags, (void)token, (void)n, (void)start, (void)end;
	(*(size_t *)ctx)++;
	return SQLITE_OK;
}

/* The last word of a query as maille_has_prefix and store_snippet_make test it: its tokens
 * as the index's tokenizer folds them, which must follow one another in a column, the last
 * one as a prefix (FTS5's "w1 w2"*). Passed around as a blob of the tokens separated by NUL
 * bytes (no token holds one: the text comes from C strings and NUL-free proto strings). */
typedef struct store_phrase {
	const char *tok[STORE_PHRASE_TOKENS_MAX];
	size_t len[STORE_PHRASE_TOKENS_MAX];
	size_t n;
} store_phrase;

static void store_phrase_parse(const char *blob, size_t len, store_phrase *ret)
{
	size_t i = 0;
	ret->n = 0;
	while (i < len && ret->n < STORE_PHRASE_TOKENS_MAX) {
		const char *end = memchr(blob + i, '\0', len - i);
		size_t k = end ? (size_t)(end - (blob + i)) : len - i;
		ret->tok[ret->n] = blob + i;
		ret->len[ret->n++] = k;
		i += k + 1;
	}
}

/* Bit j set: token is token j of the phrase (the last one: starts with it). */
static uint32_t store_phrase_bits(const store_phrase *ph, const char *token, size_t n)
{
	uint32_t bits = 0;
	for (size_t j = 0; j < ph->n; j++) {
		bool last = j + 1 == ph->n;
		if ((last ? n >= ph->len[j] : n == ph->len[j]) && memcmp(token, ph->tok[j], ph->len[j]) == 0)
			bits |= (uint32_t)1 << j;
	}
	return bits;
}

/* A query, as store_query_build made it. */
typedef struct store_query {
	char *match;      /* the FTS5 expression: "w1" AND "w2" AND "last"* */
	size_t len;       /* strlen(match) */
	size_t rest_len;  /* match[0..rest_len) is every word but the last (0: a single word) */
	/* The last word (store_phrase), phrase_len = 0 when it does not fit: FTS5 alone can
	 * then match it. last is its last token, the prefix FTS5 expands. */
	char phrase[STORE_PHRASE_MAX];
	size_t phrase_len;
	const char *last;
	size_t last_len;
} store_query;

typedef struct store_query_tokens {
	size_t n;
	char phrase[STORE_PHRASE_MAX];
	size_t len;       /* bytes used in phrase */
	size_t last_off;  /* where the last token starts */
	bool overflow;    /* too many tokens or bytes */
} store_query_tokens;

static int store_query_word_cb(void *ctx, int tflags, const char *token, int n, int start,
                               int end)
{
	store_query_tokens *t = ctx;
	size_t sep = t->n ? 1 : 0;
	(void)tflags, (void)start, (void)end;
	if (t->n++ >= STORE_PHRASE_TOKENS_MAX || n <= 0 ||
	    t->len + sep + (size_t)n > sizeof t->phrase) {
		t->overflow = true;
		return SQLITE_OK;
	}
	if (sep)
		t->phrase[t->len++] = '\0';
	t->last_off = t->len;
	memcpy(t->phrase + t->len, token, (size_t)n);
	t->len += (size_t)n;
	return SQLITE_OK;
}

/* Turns what a person typed into an FTS5 expression that cannot fail to parse: every run of
 * letters and digits becomes a quoted string ("word"), the last one a prefix ("word"*), all
 * joined by AND. A run in which the index's tokenizer finds no token (« or — between spaces)
 * is dropped: as a phrase it would match nothing and empty the whole AND. */
static int store_query_build(store *st, const char *q, store_query *ret)
{
	size_t len = strlen(q), o = 0, n_words = 0, rest_len = 0;
	store_query_tokens t;
	char *out;

	if (!proto_utf8_valid((const uint8_t *)q, len))
		return MAILLE_EINVAL;
	if (len > (SIZE_MAX - 16) / 4 || len > INT_MAX)
		return MAILLE_ETOOBIG;
	/* Worst case: one-byte words between one-byte separators, each `"w" AND ` (8 bytes for
	 * 2 input bytes), plus the final '*' and NUL. */
	out = malloc(len * 4 + 16);
	if (!out)
		return MAILLE_ENOMEM;
	ret->phrase_len = 0;
	for (size_t i = 0; i < len;) {
		size_t start;
		while (i < len && !store_query_wordbyte((unsigned char)q[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && store_query_wordbyte((unsigned char)q[i]))
			i++;
		t.n = t.len = t.last_off = 0;
		t.overflow = false;
		int rc = st->tok_api.xTokenize(st->tok, &t, FTS5_TOKENIZE_QUERY, q + start,
		                               (int)(i - start), store_query_word_cb);
		if (rc != SQLITE_OK) {
			free(out);
			return store__err(rc);
		}
		if (t.n == 0)
			continue;
		/* The last word so far: its phrase. */
		ret->phrase_len = t.overflow ? 0 : t.len;
		memcpy(ret->phrase, t.phrase, ret->phrase_len);
		ret->last = ret->phrase + t.last_off;
		ret->last_len = t.overflow ? 0 : t.len - t.last_off;
		if (n_words++) {
			rest_len = o;
			memcpy(out + o, " AND ", 5);
			o += 5;
		}
		out[o++] = '"';
		for (size_t k = start; k < i; k++) {
			/* Cannot happen ('"' separates words) but a quoted string doubles its quotes. */
			if (q[k] == '"')
				out[o++] = '"';
			out[o++] = q[k];
		}
		out[o++] = '"';
	}
	if (n_words == 0) {
		free(out);
		return MAILLE_EINVAL;
	}
	out[o++] = '*';
	out[o] = '\0';
	ret->match = out;
	ret->len = o;
	ret->rest_len = rest_len;
	return 0;
}

/* Up to cap + 1: the number of rows the FTS5 expression match[0..len) matches, walked in
 * rowid order (which ranks nothing and stops at cap + 1). */
static int store_search_count(store *st, const char *match, size_t len, int64_t cap,
                              int64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_SEARCH_COUNT, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, match, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cap + 1);
	return store__step_int64(s, ret);
}

/* Whether the words that start with prefix occur more than STORE_SEARCH_RANKED_MAX times in
 * the index: walked one occurrence at a time (fts5vocab), so it stops there (~80 ns an
 * occurrence). */
static int store_prefix_frequent(store *st, const char *prefix, size_t len, bool *ret)
{
	char hi[STORE_PHRASE_MAX + 1];
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc = store__stmt(st, STMT_PREFIX_COUNT, &s);
	if (rc)
		return rc;
	/* Every term that starts with prefix sorts between prefix and prefix + 0xff (a byte that
	 * UTF-8 never uses). */
	memcpy(hi, prefix, len);
	hi[len] = (char)0xff;
	sqlite3_bind_text(s, 1, prefix, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hi, (int)len + 1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)STORE_SEARCH_RANKED_MAX + 1);
	rc = store__step_int64(s, &n);
	*ret = n > STORE_SEARCH_RANKED_MAX;
	return rc;
}

/* How store_search runs a query. */
typedef enum store_search_way {
	SEARCH_FTS,    /* FTS5 matches the whole query */
	SEARCH_REST,   /* FTS5 matches every word but the last, maille_has_prefix tests the last */
	SEARCH_SCAN,   /* a lone, frequent prefix: the entries newest first, maille_has_prefix */
} store_search_way;

typedef struct store_search_plan {
	store_search_way way;
	bool many; /* more than STORE_SEARCH_RANKED_MAX matches: newest first */
} store_search_plan;

/* Chooses how to run q (see store_search in store.h). Two costs are avoided.
 *
 * Ranking: bm25 costs ~1.2 µs a match, 120 ms for a word in every one of 100k entries. Above
 * STORE_SEARCH_RANKED_MAX matches the query runs newest first instead, which FTS5 can stop
 * after limit rows.
 *
 * Prefixes: FTS5 (3.40) gathers every occurrence of every word that starts with the last
 * word into one list before it walks it, and does it again for each count and for bm25: a
 * short last word such as "de" or "pro" cost 20 to 60 ms each time whatever the other words,
 * so that "kakaka de" (8 matches) took 170 ms.
 *
 * So the occurrences of the prefix are counted first (fts5vocab), up to
 * STORE_SEARCH_RANKED_MAX (0.05 ms for a rare word, 0.8 ms at most). At most that many
 * occurrences: the query matches at most that many entries, FTS5 gathers them cheaply, and
 * the query is ranked with no other count. More: the last word is not given to FTS5 but
 * tested on each candidate row by maille_has_prefix (tokenizing its text: a few microseconds,
 * and since the prefix is frequent most rows pass and the walk stops soon). FTS5 then
 * matches the other words, whose matches are counted (walking them in rowid order, which
 * ranks nothing and stops at STORE_SEARCH_RANKED_MAX + 1: well under a millisecond even for
 * a word in every entry) to choose the order, and whose rank the rows get; a lone such word
 * lists the entries that have it newest first. When the candidates turn out not to have it
 * (a rare phrase of frequent words), store_search hands over to FTS5 after STORE_SCAN_BUDGET
 * of them. A last word too long for store_phrase (16
 * tokens, 256 bytes) is counted the slow way: with its last token exact (a subset: if that
 * is many, so is the query), then as typed. */
static int store_search_plan_make(store *st, const store_query *q, store_search_plan *plan)
{
	const int64_t cap = STORE_SEARCH_RANKED_MAX;
	int64_t n_rest = 0, n = 0;
	bool frequent = true;
	int rc;

	plan->way = SEARCH_FTS;
	plan->many = false;
	if (q->phrase_len > 0) {
		rc = store_prefix_frequent(st, q->last, q->last_len, &frequent);
		if (rc || !frequent)
			return rc;
		if (q->rest_len == 0) {
			plan->way = SEARCH_SCAN;
			plan->many = true;
			return 0;
		}
		rc = store_search_count(st, q->match, q->rest_len, cap, &n_rest);
		plan->way = SEARCH_REST;
		plan->many = n_rest > cap;
		return rc;
	}
	if (q->rest_len > 0) {
		/* The other words match a superset of the query's rows. */
		rc = store_search_count(st, q->match, q->rest_len, cap, &n_rest);
		if (rc || n_rest <= cap)
			return rc;
	}
	rc = store_search_count(st, q->match, q->len - 1, cap, &n); /* the last token exact */
	if (!rc && n <= cap)
		rc = store_search_count(st, q->match, q->len, cap, &n);
	plan->many = n > cap;
	return rc;
}

/* A token's place in the text being cut into a snippet. */
typedef struct store_snip_tok {
	int start, end;
	uint32_t bits;           /* store_phrase_bits */
	unsigned opens, closes;  /* occurrences of the phrase that start, end at this token */
} store_snip_tok;

typedef struct store_snip_ctx {
	store_snip_tok *toks;
	size_t n, cap;
	store_phrase ph;
	bool nomem;
} store_snip_ctx;

static int store_snip_token_cb(void *ctx, int tflags, const char *token, int n, int start,
                               int end)
{
	store_snip_ctx *c = ctx;
	(void)tflags;
	if (c->n == c->cap) {
		store_snip_tok *t = proto_array_grow(c->toks, &c->cap, 64, sizeof *t);
		if (!t) {
			c->nomem = true;
			return SQLITE_NOMEM;
		}
		c->toks = t;
	}
	c->toks[c->n].start = start;
	c->toks[c->n].end = end;
	c->toks[c->n].bits = store_phrase_bits(&c->ph, token, (size_t)n);
	c->toks[c->n].opens = c->toks[c->n].closes = 0;
	c->n++;
	return SQLITE_OK;
}

/* The snippet of a row that FTS5 did not match (SEARCH_SCAN), in the form of FTS5's
 * snippet(): STORE_SNIPPET_TOKENS tokens of the first column that holds the phrase (a
 * store_phrase blob), from just before its first occurrence, each occurrence (overlapping
 * ones together) between "\x02" and "\x03", "…" where the text was cut. A malloc'd string
 * (empty when no column holds it), NULL when out of memory. */
static char *store_snippet_make(store *st, const uint8_t *raw, size_t len, const char *phrase,
                                size_t phrase_len)
{
	const size_t want = (size_t)atoi(STORE_SNIPPET_TOKENS);
	store_snip_ctx c = {NULL, 0, 0, {{NULL}, {0}, 0}, false};
	store_text out = {NULL, 0, 0};
	int rc = store__text_fn_load_raw(st, raw, len);

	store_phrase_parse(phrase, phrase_len, &c.ph);

	for (int k = 0; !rc && st->fn_is_doc && k < TEXT_N_; k++) {
		const store_text *t = &st->fn_text[k];
		size_t first = 0, w0, w1, need, depth = 0;
		char *o;
		c.n = 0;
		if (t->len == 0 ||
		    st->tok_api.xTokenize(st->tok, &c, FTS5_TOKENIZE_DOCUMENT, t->p, (int)t->len,
		                          store_snip_token_cb) != SQLITE_OK)
			continue;
		/* The occurrences: tokens i..i+n-1 are the phrase's tokens 0..n-1. */
		for (size_t i = 0; i + c.ph.n <= c.n; i++) {
			size_t j = 0;
			while (j < c.ph.n && (c.toks[i + j].bits & (uint32_t)1 << j))
				j++;
			if (j == c.ph.n) {
				c.toks[i].opens++;
				c.toks[i + c.ph.n - 1].closes++;
			}
		}
		while (first < c.n && !c.toks[first].opens)
			first++;
		if (first == c.n)
			continue;
		w0 = first > 2 ? first - 2 : 0;
		w1 = w0 + want < c.n ? w0 + want : c.n;
		/* The text from the window's first token to its last, two markers a token at most,
		 * two ellipses (3 bytes each) and the NUL. */
		need = (size_t)(c.toks[w1 - 1].end - c.toks[w0].start) + 2 * (w1 - w0) + 7;
		out.p = malloc(need);
		if (!out.p)
			break;
		o = out.p;
		if (w0 > 0) {
			memcpy(o, "…", 3);
			o += 3;
		}
		for (size_t i = w0; i < w1; i++) {
			const store_snip_tok *tk = &c.toks[i];
			if (i > w0) { /* what separates it from the previous token, as written */
				memcpy(o, t->p + c.toks[i - 1].end, (size_t)(tk->start - c.toks[i - 1].end));
				o += tk->start - c.toks[i - 1].end;
			}
			if (tk->opens && depth++ == 0)
				*o++ = '\x02';
			depth += tk->opens - (tk->opens ? 1 : 0);
			memcpy(o, t->p + tk->start, (size_t)(tk->end - tk->start));
			o += tk->end - tk->start;
			/* An occurrence cut by the window's end is closed there. */
			if (depth > 0 && (depth <= tk->closes || i + 1 == w1)) {
				*o++ = '\x03';
				depth = 0;
			} else {
				depth -= tk->closes;
			}
		}
		if (w1 < c.n) {
			memcpy(o, "…", 3);
			o += 3;
		}
		*o = '\0';
		break;
	}
	free(c.toks);
	if (!out.p && !c.nomem && rc != MAILLE_ENOMEM)
		out.p = calloc(1, 1);
	return out.p;
}

/* How many rows maille_has_prefix may test for one statement (see store_search). */
typedef struct store_scan {
	size_t budget;      /* 0: no limit */
	bool until_found;   /* the budget holds only until a row has the phrase */
	size_t tested;
	bool over;          /* the budget ran out: the statement failed on purpose */
	sqlite3_int64 rid;  /* the row being tested when it did */
} store_scan;

/* maille_has_prefix(raw, phrase, rid, scan): 1 if the text the index holds for the entry raw
 * (maille_text) has the phrase (a store_phrase blob: its tokens one after the other in a
 * column, the last one as a prefix), else 0. scan is a store_scan pointer bound by
 * store_search; past its budget the function fails, ending the statement. */
typedef struct store_phrase_ctx {
	store_phrase ph;
	uint32_t partial; /* bit j: tokens 0..j of the phrase end at the previous token */
	bool found;
} store_phrase_ctx;

static int store_phrase_token_cb(void *ctx, int tflags, const char *token, int n, int start,
                                 int end)
{
	store_phrase_ctx *p = ctx;
	uint32_t bits = store_phrase_bits(&p->ph, token, (size_t)n);
	(void)tflags, (void)start, (void)end;
	/* Token j extends a match of tokens 0..j-1; token 0 starts one. */
	p->partial = bits & (p->partial << 1 | 1);
	if (p->partial & (uint32_t)1 << (p->ph.n - 1)) {
		p->found = true;
		return SQLITE_DONE; /* stops the tokenizer, which then returns SQLITE_OK */
	}
	return SQLITE_OK;
}

void store__has_prefix_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	store *st = sqlite3_user_data(ctx);
	store_scan *scan = sqlite3_value_pointer(argv[3], "maille_scan");
	store_phrase_ctx p;
	int rc;

	(void)argc;
	if (scan && scan->budget > 0 && scan->tested++ >= scan->budget) {
		scan->over = true;
		scan->rid = sqlite3_value_int64(argv[2]);
		sqlite3_result_error(ctx, "maille_has_prefix: budget", -1);
		return;
	}
	store_phrase_parse(sqlite3_value_blob(argv[1]), (size_t)sqlite3_value_bytes(argv[1]),
	                   &p.ph);
	p.found = false;
	rc = store__text_fn_load(st, argv[0]);
	if (rc == MAILLE_ENOMEM) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int k = 0; !rc && st->fn_is_doc && p.ph.n > 0 && k < TEXT_N_ && !p.found; k++) {
		const store_text *t = &st->fn_text[k];
		if (t->len == 0)
			continue;
		p.partial = 0; /* a phrase does not run from one column into the next */
		rc = st->tok_api.xTokenize(st->tok, &p, FTS5_TOKENIZE_DOCUMENT, t->p, (int)t->len,
		                           store_phrase_token_cb);
		if (rc != SQLITE_OK && rc != SQLITE_DONE) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
		rc = 0;
	}
	if (p.found && scan && scan->until_found)
		scan->budget = 0;
	sqlite3_result_int(ctx, p.found);
}

/* Runs one way of a search (store_search): prepares its statement and gives its rows to cb.
 * bound >= 0 adds "rowid <= bound" (newest first only). */
static int store_search_run(store *st, const store_query *q, const store_filter *f,
                            store_search_way way, bool many, size_t limit, sqlite3_int64 bound,
                            store_scan *scan, store_row_cb cb, void *ctx, size_t *ret_rows)
{
	/* bm25 weights: the record tables' (proto/record.h, proto_search_columns: title 10,
	 * summary 5, description 1, keywords 3, details 1), in the fts column order. In newest-first order no
	 * row is ranked: bm25 of even one row first counts every match of every word (its IDF),
	 * the very cost that order avoids. */
	static const char ranked[] =
		"SELECT e.id, e.raw, e.rid, fts.rank,"
		" snippet(fts, -1, char(2), char(3), '…', " STORE_SNIPPET_TOKENS ")"
		" FROM fts JOIN entries e ON e.rid = fts.rowid"
		" WHERE fts MATCH ?1 AND fts.rank MATCH 'bm25(%.1f, %.1f, %.1f, %.1f, %.1f)'";
	static const char newest[] =
		"SELECT e.id, e.raw, e.rid, 0.0,"
		" snippet(fts, -1, char(2), char(3), '…', " STORE_SNIPPET_TOKENS ")"
		" FROM fts JOIN entries e ON e.rid = fts.rowid"
		" WHERE fts MATCH ?1";
	/* NOT INDEXED: walking the table backwards is what stops at the limit; with the type
	 * index the planner would test every entry of a type, then sort. */
	static const char scan_sql[] =
		"SELECT e.id, e.raw, e.rid, 0.0, NULL FROM entries e NOT INDEXED WHERE e.kind = 0";
	char sql[STORE_SQL_MAX];
	store_rows_snip snip_of = {st, q->phrase, q->phrase_len};
	sqlite3_stmt *s = NULL;
	int rc;

	*ret_rows = 0;
	if (way == SEARCH_SCAN || many)
		snprintf(sql, sizeof sql, "%s", way == SEARCH_SCAN ? scan_sql : newest);
	else
		snprintf(sql, sizeof sql, ranked, proto_search_columns[PROTO_SEARCH_TITLE].weight,
		         proto_search_columns[PROTO_SEARCH_SUMMARY].weight,
		         proto_search_columns[PROTO_SEARCH_DESCRIPTION].weight,
		         proto_search_columns[PROTO_SEARCH_KEYWORDS].weight,
		         proto_search_columns[PROTO_SEARCH_DETAILS].weight);
	store_filter_sql(sql, f, false);
	if (bound >= 0)
		store_sql_add(sql, " AND fts.rowid <= ?9");
	/* Last, so that it runs on the rows the filters kept. */
	if (way != SEARCH_FTS)
		store_sql_add(sql, " AND maille_has_prefix(e.raw, ?8, e.rid, ?10)");
	/* rowid = rid: the order in which this node stored the entries, which FTS5 and the
	 * entries table both walk backwards. In every order rows come out one at a time, so the
	 * filters and the prefix test run only until limit rows passed. */
	store_sql_add(sql, way == SEARCH_SCAN ? " ORDER BY e.rid DESC LIMIT ?7"
	                   : many             ? " ORDER BY fts.rowid DESC LIMIT ?7"
	                                      : " ORDER BY fts.rank LIMIT ?7");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	if (way == SEARCH_FTS)
		sqlite3_bind_text(s, P_MATCH, q->match, (int)q->len, SQLITE_STATIC);
	else if (way == SEARCH_REST)
		sqlite3_bind_text(s, P_MATCH, q->match, (int)q->rest_len, SQLITE_STATIC);
	if (way != SEARCH_FTS) {
		sqlite3_bind_blob(s, P_PREFIX, q->phrase, (int)q->phrase_len, SQLITE_STATIC);
		sqlite3_bind_pointer(s, P_SCAN, scan, "maille_scan", NULL);
	}
	if (bound >= 0)
		sqlite3_bind_int64(s, P_BOUND, bound);
	store_filter_bind(s, f);
	sqlite3_bind_int64(s, P_LIMIT, (sqlite3_int64)limit);
	return store__rows_run(s, true, many, way == SEARCH_SCAN ? &snip_of : NULL, cb, ctx,
	                       ret_rows);
}

int store_search(store *st, const char *query, const store_filter *f, size_t limit,
                 store_row_cb cb, void *ctx)
{
	static const store_filter none;
	store_query q;
	store_search_plan plan;
	store_scan scan = {0};
	size_t n = 0;
	int rc;

	if (!query || !cb)
		return MAILLE_EINVAL;
	if (!f)
		f = &none;
	if (limit == 0)
		limit = STORE_SEARCH_LIMIT_DEFAULT;
	if (limit > MAILLE_SEARCH_LIMIT_MAX)
		limit = MAILLE_SEARCH_LIMIT_MAX;
	rc = store__fts_sync(st);
	if (rc)
		return rc;
	rc = store_query_build(st, query, &q);
	if (rc)
		return rc;
	rc = store_search_plan_make(st, &q, &plan);
	if (!rc && plan.way != SEARCH_FTS) {
		/* Testing the phrase row by row is the cheap way when most rows have it. When they
		 * do not (a frequent prefix in a rare phrase, "l’expérience"; frequent, but not
		 * among these rows), the test stops after STORE_SCAN_BUDGET rows and FTS5 takes
		 * over: newest first, from the row it stopped at on; ranked (only if no row had the
		 * phrase, otherwise the rows of the other words, at most STORE_SEARCH_RANKED_MAX, are
		 * all tested), from the start. */
		scan.budget = STORE_SCAN_BUDGET;
		scan.until_found = !plan.many;
		rc = store_search_run(st, &q, f, plan.way, plan.many, limit, -1, &scan, cb, ctx, &n);
		if (scan.over) {
			plan.way = SEARCH_FTS;
			rc = store_search_run(st, &q, f, SEARCH_FTS, plan.many, limit - n,
			                      plan.many ? scan.rid : -1, NULL, cb, ctx, &n);
		}
	} else if (!rc) {
		rc = store_search_run(st, &q, f, SEARCH_FTS, plan.many, limit, -1, NULL, cb, ctx, &n);
	}
	free(q.match);
	return rc;
}

int store_search_matches(store *st, const char *query, const store_filter *f, size_t cap,
                         store_match_cb cb, void *ctx, size_t *ret_n, bool *ret_more)
{
	static const store_filter none;
	char sql[STORE_SQL_MAX] =
		"SELECT e.type, e.status, e.licence, e.sw_licence, e.territory,"
		" (SELECT group_concat(t.theme, char(31)) FROM themes t WHERE t.rid = e.rid)";
	sqlite3_stmt *s = NULL;
	store_query q = { 0 };
	size_t n = 0;
	int rc;

	if (!cb || !ret_n || !ret_more)
		return MAILLE_EINVAL;
	if (!f)
		f = &none;
	if (query) {
		rc = store__fts_sync(st);
		if (!rc)
			rc = store_query_build(st, query, &q);
		if (rc)
			return rc;
		store_sql_add(sql, " FROM fts JOIN entries e INDEXED BY entries_facets"
		                   " ON e.rid = fts.rowid WHERE fts MATCH ?1");
	} else {
		/* the catalogue's filters without words: what store_list would list, read from
		 * the narrow index of the filter columns */
		store_sql_add(sql, " FROM entries e INDEXED BY entries_facets WHERE 1");
	}
	store_filter_sql(sql, f, !query);
	store_sql_add(sql, " LIMIT ?7");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		free(q.match);
		return store__err(rc);
	}
	if (query)
		sqlite3_bind_text(s, P_MATCH, q.match, (int)q.len, SQLITE_STATIC);
	store_filter_bind(s, f);
	sqlite3_bind_int64(s, P_LIMIT, (sqlite3_int64)cap + 1);
	*ret_more = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_match m;
		if (n == cap) {
			*ret_more = true;
			rc = SQLITE_DONE;
			break;
		}
		m.type = (const char *)sqlite3_column_text(s, 0);
		m.status = (const char *)sqlite3_column_text(s, 1);
		m.licence = (const char *)sqlite3_column_text(s, 2);
		m.sw_licence = (const char *)sqlite3_column_text(s, 3);
		m.territory = sqlite3_column_blob(s, 4);
		m.themes = (const char *)sqlite3_column_text(s, 5);
		if (!m.themes)
			m.themes = "";
		if (!m.territory || sqlite3_column_bytes(s, 4) != PROTO_KEY_LEN) {
			rc = SQLITE_CORRUPT;
			break;
		}
		n++;
		int r = cb(&m, ctx);
		if (r) {
			sqlite3_finalize(s);
			free(q.match);
			*ret_n = n;
			return r;
		}
	}
	sqlite3_finalize(s);
	free(q.match);
	*ret_n = n;
	return rc == SQLITE_DONE ? 0 : store__err(rc);
}

/* ------------------------------------------------------------------------------------------ */
/* Counts and names */

int store_count(store *st, uint64_t *ret_entries, uint64_t *ret_documents)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT count(*), coalesce(sum(kind = 0), 0) FROM entries", -1,
	                            &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (ret_entries)
			*ret_entries = (uint64_t)sqlite3_column_int64(s, 0);
		if (ret_documents)
			*ret_documents = (uint64_t)sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = store__err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_finalize(s);
	return rc;
}

int store_territory_name(store *st, const uint8_t territory[PROTO_KEY_LEN], char *ret, size_t cap)
{
	proto_arena arena;
	proto_value *body;
	proto_entry e;
	sqlite3_stmt *s = NULL;
	const uint8_t *raw;
	int raw_len, rc;

	if (!territory || !ret || cap == 0)
		return MAILLE_EINVAL;
	rc = store__stmt(st, STMT_TERRITORY, &s);
	if (rc)
		return rc;
	store__bind_path(s, territory, "territory", strlen("territory"));
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store__err(rc);
	}
	raw = sqlite3_column_blob(s, 0);
	raw_len = sqlite3_column_bytes(s, 0);
	if (!raw || raw_len <= 0 || proto_entry_decode(raw, (size_t)raw_len, &e) != 0) {
		sqlite3_reset(s);
		return MAILLE_ECORRUPT;
	}
	/* Only the territory key names its territory: a member cannot rename it. */
	if (memcmp(e.signer, e.territory, PROTO_KEY_LEN) != 0) {
		sqlite3_reset(s);
		return MAILLE_ENOTFOUND;
	}
	proto_arena_init(&arena, 0);
	rc = proto_value_decode(e.body, e.body_len, &arena, &body);
	if (!rc) {
		const proto_value *v = proto_map_get(body, PROTO_F_NAME);
		const char *name = v ? proto_langmap_pick(v, "fr") : NULL;
		if (name && *name) {
			size_t n = strlen(name);
			if (n >= cap) {
				/* Cut on a character boundary. */
				n = cap - 1;
				while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
					n--;
			}
			memcpy(ret, name, n);
			ret[n] = '\0';
		} else {
			rc = MAILLE_ENOTFOUND;
		}
	} else {
		rc = MAILLE_ECORRUPT;
	}
	proto_arena_done(&arena);
	sqlite3_reset(s);
	return rc;
}
