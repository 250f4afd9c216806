/* store/store_tokenize.c: the index's tokenizer, maille_fr: store/analyse.c's French analysis
 * as an FTS5 tokenizer, registered on every connection of a store (store_open) before the
 * index is touched; and the vocabulary of the indexed words (table vocab), the folded words
 * before stemming that store_suggest proposes for a query that finds nothing. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Known words are remembered by a 64-bit hash, in a table of at most this many slots (2 MiB;
 * three quarters full, it is forgotten at once and learnt again): a word already in the table
 * costs no statement. 100 000 generated records hold 14 000 words. */
#define STORE_VOCAB_SET_MAX (1u << 18)
/* A word leaving the index whose stem some records still have stays in the vocabulary when
 * one of them has the word itself; up to this many records are read to know, more are taken
 * to have it (a frequent stem). */
#define STORE_VOCAB_SCAN_MAX 8

typedef struct store_tok {
	store_analyser *an;
	store *st; /* records the words of the documents it tokenizes (NULL: does not) */
} store_tok;

/* A set of 64-bit word hashes: open addressing, 0 = empty. */
typedef struct store_hset {
	uint64_t *slot;
	size_t cap, n;
} store_hset;

struct store_vocab {
	store_hset known; /* words known to be in the table */
	/* this flush's: the words of the texts added (still indexed whatever leaves), and those
	 * of the texts removed already listed in gone */
	store_hset added, gone_seen;
	char *pending; /* new words, each NUL-terminated */
	size_t len, pending_cap;
	char *gone; /* words leaving the index: word NUL token NUL, ... */
	size_t gone_len, gone_cap;
};

static int store_tok_create(void *user, const char **args, int n, Fts5Tokenizer **ret)
{
	store_tok *t;
	(void)args;
	if (n != 0)
		return SQLITE_ERROR; /* maille_fr takes no option */
	t = calloc(1, sizeof *t);
	if (!t || store_analyser_new(&t->an) != 0) {
		free(t);
		return SQLITE_NOMEM;
	}
	t->st = user;
	*ret = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void store_tok_delete(Fts5Tokenizer *p)
{
	store_tok *t = (store_tok *)p;
	if (!t)
		return;
	store_analyser_free(t->an);
	free(t);
}

typedef struct store_tok_ctx {
	void *ctx;
	int (*x)(void *, int, const char *, int, int, int);
	store *st;
	int rc;
} store_tok_ctx;

static int store_tok_word(void *ctx, const char *tok, size_t tok_len, const char *word,
                          size_t word_len, size_t start, size_t end)
{
	store_tok_ctx *c = ctx;
	if (c->st && c->st->fts_mode != STORE_FTS_IDLE &&
	    (c->st->fts_mode == STORE_FTS_REMOVING
	         ? store__vocab_gone(c->st, word, word_len, tok, tok_len)
	         : store__vocab_note(c->st, word, word_len)) != 0) {
		c->rc = SQLITE_NOMEM;
		return 1;
	}
	c->rc = c->x(c->ctx, 0, tok, (int)tok_len, (int)start, (int)end);
	return c->rc != SQLITE_OK;
}

static int store_tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int n,
                              int (*x)(void *, int, const char *, int, int, int))
{
	store_tok *t = (store_tok *)p;
	/* the words of what is indexed (FTS5_TOKENIZE_DOCUMENT alone: not snippets) */
	store_tok_ctx c = {ctx, x, flags == FTS5_TOKENIZE_DOCUMENT ? t->st : NULL, SQLITE_OK};
	if (n <= 0 || !text)
		return SQLITE_OK;
	const char *words;
	size_t words_len;
	if (c.st && c.st->fts_mode == STORE_FTS_ADDING &&
	    store__fts_pre_words(c.st, text, (size_t)n, &words, &words_len)) {
		/* cut beforehand by this same analysis (store_doc_prepare): replayed */
		const char *tok, *word;
		size_t off = 0, tok_len, word_len, start, end;
		while (store__pre_word_next(words, words_len, &off, &tok, &tok_len, &word, &word_len,
		                            &start, &end))
			if (store_tok_word(&c, tok, tok_len, word, word_len, start, end))
				break;
		return c.rc == SQLITE_DONE ? SQLITE_OK : c.rc;
	}
	int rc = store_analyser_run(t->an, text, (size_t)n, true, store_tok_word, &c);
	if (rc == MAILLE_ENOMEM)
		return SQLITE_NOMEM;
	/* SQLITE_DONE from x stops the tokenizer, which then succeeds (as unicode61 does) */
	return c.rc == SQLITE_DONE ? SQLITE_OK : c.rc;
}

static fts5_tokenizer store_tok_api = {store_tok_create, store_tok_delete, store_tok_tokenize};

store_analyser *store__tok_analyser(store *st)
{
	return ((store_tok *)st->tok)->an;
}

int store__tokenizer_open(store *st)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (!api)
		return MAILLE_EIO;
	/* the index's own: it records the words it indexes in st's vocabulary */
	rc = api->xCreateTokenizer(api, STORE_TOKENIZER, st, &store_tok_api, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	/* the store's own instance (queries, snippets, checks): it records nothing */
	st->tok_api = store_tok_api;
	rc = store_tok_create(NULL, NULL, 0, &st->tok);
	if (rc != SQLITE_OK) {
		st->tok = NULL;
		return store__err(rc);
	}
	return 0;
}

/* ---- vocabulary --------------------------------------------------------------------------- */

static uint64_t store_vocab_hash(const char *w, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

static bool store_hset_has(const store_hset *s, uint64_t h)
{
	if (!s->cap)
		return false;
	for (size_t i = (size_t)h & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return true;
	return false;
}

static void store_hset_clear(store_hset *s)
{
	if (s->slot)
		memset(s->slot, 0, s->cap * sizeof *s->slot);
	s->n = 0;
}

/* Adds h: *ret_added whether it was new. At max slots and three quarters full, the set is
 * emptied first (what it forgets is learnt again). MAILLE_ENOMEM. */
static int store_hset_add(store_hset *s, uint64_t h, size_t max, bool *ret_added)
{
	if ((s->n + 1) * 4 > s->cap * 3) {
		if (s->cap >= max) {
			store_hset_clear(s);
		} else {
			size_t cap = s->cap ? s->cap * 2 : 4096;
			uint64_t *slot = calloc(cap, sizeof *slot), *old = s->slot;
			size_t old_cap = s->cap;
			if (!slot)
				return MAILLE_ENOMEM;
			s->slot = slot;
			s->cap = cap;
			s->n = 0;
			for (size_t i = 0; i < old_cap; i++)
				if (old[i]) {
					bool added;
					store_hset_add(s, old[i], max, &added);
				}
			free(old);
		}
	}
	size_t i = (size_t)h & (s->cap - 1);
	while (s->slot[i]) {
		if (s->slot[i] == h) {
			*ret_added = false;
			return 0;
		}
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = h;
	s->n++;
	*ret_added = true;
	return 0;
}

static struct store_vocab *store_vocab_get(store *st)
{
	if (!st->vocab)
		st->vocab = calloc(1, sizeof *st->vocab);
	return st->vocab;
}

int store__vocab_note(store *st, const char *word, size_t n)
{
	struct store_vocab *v = store_vocab_get(st);
	uint64_t h = store_vocab_hash(word, n);
	bool added;
	if (!v || store_hset_add(&v->added, h, SIZE_MAX, &added) != 0 ||
	    store_hset_add(&v->known, h, STORE_VOCAB_SET_MAX, &added) != 0)
		return MAILLE_ENOMEM;
	if (!added)
		return 0;
	if (v->len + n + 1 > v->pending_cap) {
		char *p = proto_array_grow_to(v->pending, &v->pending_cap, v->len + n + 1, 65536);
		if (!p)
			return MAILLE_ENOMEM;
		v->pending = p;
	}
	memcpy(v->pending + v->len, word, n);
	v->pending[v->len + n] = '\0';
	v->len += n + 1;
	return 0;
}

int store__vocab_gone(store *st, const char *word, size_t n, const char *tok, size_t tok_n)
{
	struct store_vocab *v = store_vocab_get(st);
	bool added;
	if (!v || store_hset_add(&v->gone_seen, store_vocab_hash(word, n), SIZE_MAX, &added) != 0)
		return MAILLE_ENOMEM;
	if (!added)
		return 0; /* listed already */
	if (v->gone_len + n + tok_n + 2 > v->gone_cap) {
		char *p = proto_array_grow_to(v->gone, &v->gone_cap, v->gone_len + n + tok_n + 2, 4096);
		if (!p)
			return MAILLE_ENOMEM;
		v->gone = p;
	}
	memcpy(v->gone + v->gone_len, word, n);
	v->gone[v->gone_len + n] = '\0';
	memcpy(v->gone + v->gone_len + n + 1, tok, tok_n);
	v->gone[v->gone_len + n + 1 + tok_n] = '\0';
	v->gone_len += n + tok_n + 2;
	return 0;
}

static int store_vocab_word_cb(void *ctx, const char *tok, size_t tok_len, const char *word,
                               size_t word_len, size_t start, size_t end)
{
	const char *want = ctx;
	(void)tok, (void)tok_len, (void)start, (void)end;
	return strlen(want) == word_len && memcmp(want, word, word_len) == 0;
}

/* Whether the stored entry raw[0..len) has word (folded, unstemmed) in its indexed text. */
static int store_vocab_raw_has(store *st, const void *raw, size_t len, const char *word,
                               bool *ret)
{
	int rc = store__text_fn_load_raw(st, raw, len);
	*ret = false;
	for (int k = 0; !rc && st->fn_is_doc && k < TEXT_N_ && !*ret; k++) {
		rc = store_analyser_run(store__tok_analyser(st), st->fn_text[k].p ? st->fn_text[k].p : "",
		                        st->fn_text[k].len, false, store_vocab_word_cb, (void *)word);
		if (rc == 1) {
			*ret = true;
			rc = 0;
		}
	}
	return rc;
}

/* Removes from vocab the words that left the index and that no indexed text has now (their
 * stem absent, or the few records with their stem without the word itself). */
static int store_vocab_prune(store *st)
{
	struct store_vocab *v = st->vocab;
	sqlite3_stmt *has = NULL, *del = NULL;
	int rc = store__stmt(st, STMT_VOCAB_HAS_TOKEN, &has);
	if (!rc)
		rc = store__stmt(st, STMT_VOCAB_DEL, &del);
	for (size_t off = 0; !rc && off < v->gone_len;) {
		const char *word = v->gone + off, *tok = word + strlen(word) + 1;
		char q[STORE_ANALYSE_WORD_MAX + 3];
		off = (size_t)(tok - v->gone) + strlen(tok) + 1;
		/* a text this flush added has it (an edit keeps most of its words) */
		if (store_hset_has(&v->added, store_vocab_hash(word, strlen(word))))
			continue;
		/* the word as a query (a folded word holds no '"'), which the index's own tokenizer
		 * turns into its token: FTS5 matches what the open transaction indexed so far */
		snprintf(q, sizeof q, "\"%s\"", word);
		sqlite3_bind_text(has, 1, q, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(has, 2, STORE_VOCAB_SCAN_MAX + 1);
		int src, rows = 0;
		bool kept = false;
		while (!kept && (src = sqlite3_step(has)) == SQLITE_ROW) {
			if (++rows > STORE_VOCAB_SCAN_MAX) {
				kept = true;
				break;
			}
			rc = store_vocab_raw_has(st, sqlite3_column_blob(has, 0),
			                         (size_t)sqlite3_column_bytes(has, 0), word, &kept);
			if (rc)
				break;
		}
		sqlite3_reset(has);
		if (rc)
			break;
		if (kept)
			continue;
		if (src != SQLITE_DONE && src != SQLITE_ROW) {
			rc = store__err(src);
			break;
		}
		sqlite3_bind_text(del, 1, word, -1, SQLITE_STATIC);
		src = sqlite3_step(del);
		sqlite3_reset(del);
		if (src != SQLITE_DONE)
			rc = store__err(src);
		else if (sqlite3_changes(st->db) > 0)
			store_hset_clear(&v->known); /* it may come back: learn the words again */
	}
	v->gone_len = 0;
	return rc;
}

/* The end of a flush: its own sets emptied (freed when a rebuild made them large). */
static void store_vocab_flush_done(struct store_vocab *v)
{
	store_hset *sets[2] = {&v->added, &v->gone_seen};
	for (size_t i = 0; i < 2; i++) {
		if (sets[i]->cap > 65536) {
			free(sets[i]->slot);
			memset(sets[i], 0, sizeof *sets[i]);
		} else {
			store_hset_clear(sets[i]);
		}
	}
}

int store__vocab_flush(store *st)
{
	struct store_vocab *v = st->vocab;
	sqlite3_stmt *s = NULL;
	int rc;
	if (!v)
		return 0;
	if (v->gone_len) {
		rc = store_vocab_prune(st);
		if (rc) {
			store__vocab_forget(st);
			return rc;
		}
	}
	store_vocab_flush_done(v);
	if (v->len == 0)
		return 0;
	rc = store__stmt(st, STMT_VOCAB_INS, &s);
	for (size_t off = 0; !rc && off < v->len;) {
		size_t n = strlen(v->pending + off);
		sqlite3_bind_text(s, 1, v->pending + off, (int)n, SQLITE_STATIC);
		int src = sqlite3_step(s);
		sqlite3_reset(s);
		if (src != SQLITE_DONE)
			rc = store__err(src);
		off += n + 1;
	}
	if (rc)
		store__vocab_forget(st);
	v->len = 0;
	return rc;
}

void store__vocab_forget(store *st)
{
	struct store_vocab *v = st->vocab;
	if (!v)
		return;
	store_hset_clear(&v->known);
	store_vocab_flush_done(v);
	v->len = 0;
	v->gone_len = 0;
}

void store__vocab_free(store *st)
{
	if (!st->vocab)
		return;
	free(st->vocab->known.slot);
	free(st->vocab->added.slot);
	free(st->vocab->gone_seen.slot);
	free(st->vocab->pending);
	free(st->vocab->gone);
	free(st->vocab);
	st->vocab = NULL;
}
