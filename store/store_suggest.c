/* store/store_suggest.c: "did you mean": the nearest words of the vocabulary (table vocab,
 * store_tokenize.c) to the words of a query that the index does not hold. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define STORE_SUGGEST_WORDS 16 /* words of a query looked at */
#define STORE_SUGGEST_FREQ_CAP 1000

typedef struct suggest_words {
	char w[STORE_SUGGEST_WORDS][STORE_ANALYSE_WORD_MAX + 1];
	size_t n;
} suggest_words;

static int suggest_word_cb(void *ctx, const char *tok, size_t tok_len, const char *word,
                           size_t word_len, size_t start, size_t end)
{
	suggest_words *q = ctx;
	(void)tok, (void)tok_len, (void)start, (void)end;
	if (q->n == STORE_SUGGEST_WORDS)
		return 1;
	memcpy(q->w[q->n], word, word_len);
	q->w[q->n++][word_len] = '\0';
	return 0;
}

/* The edit distance of a and b (bytes), or max + 1 when it exceeds max. */
static size_t suggest_distance(const char *a, size_t na, const char *b, size_t nb, size_t max)
{
	size_t row[STORE_ANALYSE_WORD_MAX + 1], prev[STORE_ANALYSE_WORD_MAX + 1];
	if ((na > nb ? na - nb : nb - na) > max)
		return max + 1;
	for (size_t j = 0; j <= nb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t lo = row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			if (d < lo)
				lo = d;
		}
		if (lo > max)
			return max + 1;
		memcpy(prev, row, (nb + 1) * sizeof *row);
	}
	return prev[nb];
}

/* How many records have word (up to STORE_SUGGEST_FREQ_CAP + 1), through the index. */
static int suggest_count(store *st, const char *word, int64_t *ret)
{
	char q[STORE_ANALYSE_WORD_MAX + 3];
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_SEARCH_COUNT, &s);
	if (rc)
		return rc;
	snprintf(q, sizeof q, "\"%s\"", word);
	sqlite3_bind_text(s, 1, q, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, STORE_SUGGEST_FREQ_CAP + 1);
	return store__step_int64(s, ret);
}

typedef struct suggest_cand {
	char w[STORE_ANALYSE_WORD_MAX + 1];
	size_t d;
	int64_t n;
} suggest_cand;

/* The nearest words of the vocabulary to word, best first, into c[0..*ret_n). */
static int suggest_nearest(store *st, const char *word, suggest_cand c[STORE_SUGGEST_MAX],
                           size_t *ret_n)
{
	size_t len = strlen(word), max = len <= 4 ? 1 : 2, n = 0;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT word FROM vocab", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		size_t vn = (size_t)sqlite3_column_bytes(s, 0), d;
		int64_t cnt = 0;
		if (!v || vn > STORE_ANALYSE_WORD_MAX)
			continue;
		d = suggest_distance(word, len, v, vn, max);
		if (d == 0 || d > max || (n == STORE_SUGGEST_MAX && d > c[n - 1].d))
			continue;
		/* a word of a record since removed may linger: the index says */
		int crc = suggest_count(st, v, &cnt);
		if (crc) {
			sqlite3_finalize(s);
			return crc;
		}
		if (cnt == 0)
			continue;
		size_t at = n < STORE_SUGGEST_MAX ? n : STORE_SUGGEST_MAX - 1;
		if (n == STORE_SUGGEST_MAX && (d > c[at].d || (d == c[at].d && cnt <= c[at].n)))
			continue;
		while (at > 0 && (c[at - 1].d > d || (c[at - 1].d == d && c[at - 1].n < cnt))) {
			c[at] = c[at - 1];
			at--;
		}
		memcpy(c[at].w, v, vn);
		c[at].w[vn] = '\0';
		c[at].d = d;
		c[at].n = cnt;
		if (n < STORE_SUGGEST_MAX)
			n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store__err(rc);
	*ret_n = n;
	return 0;
}

int store_suggest(store *st, const char *query, char ret[][STORE_SUGGEST_LEN], size_t cap,
                  size_t *ret_n)
{
	suggest_words q = {.n = 0};
	suggest_cand first[STORE_SUGGEST_MAX];
	size_t n_first = 0, first_at = SIZE_MAX, n = 0;
	char best[STORE_SUGGEST_WORDS][STORE_ANALYSE_WORD_MAX + 1];
	int rc;

	if (!st || !query || !ret || !ret_n)
		return MAILLE_EINVAL;
	if (!proto_utf8_valid((const uint8_t *)query, strlen(query)))
		return MAILLE_EINVAL;
	rc = store__fts_sync(st);
	if (!rc)
		rc = store_analyser_run(store__tok_analyser(st), query, strlen(query), false,
		                        suggest_word_cb, &q);
	if (rc == 1)
		rc = 0; /* more words than looked at */
	for (size_t i = 0; !rc && i < q.n; i++) {
		int64_t cnt = 0;
		suggest_cand c[STORE_SUGGEST_MAX];
		size_t nc = 0;
		memcpy(best[i], q.w[i], sizeof best[i]);
		rc = suggest_count(st, q.w[i], &cnt);
		if (rc || cnt > 0)
			continue;
		rc = suggest_nearest(st, q.w[i], c, &nc);
		if (rc || nc == 0)
			continue;
		memcpy(best[i], c[0].w, sizeof best[i]);
		if (first_at == SIZE_MAX) {
			first_at = i;
			memcpy(first, c, nc * sizeof *c);
			n_first = nc;
		}
	}
	if (rc)
		return rc;
	for (size_t k = 0; k < n_first && n < cap; k++) {
		size_t o = 0;
		for (size_t i = 0; i < q.n; i++) {
			const char *w = i == first_at ? first[k].w : best[i];
			int m = snprintf(ret[n] + o, STORE_SUGGEST_LEN - o, "%s%s", i ? " " : "", w);
			if (m < 0 || (size_t)m >= STORE_SUGGEST_LEN - o)
				break;
			o += (size_t)m;
		}
		n++;
	}
	*ret_n = n;
	return 0;
}
