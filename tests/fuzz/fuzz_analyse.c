/* Fuzz target: the French analysis of the search index and of queries (store/analyse.h),
 * which cuts every text a record brings and every query a person types.
 *
 * The input is any byte string. Properties: no crash, no read outside the input; every word
 * lies inside the input, after the previous one, and is not empty; a token and its folded
 * word are at most STORE_ANALYSE_WORD_MAX bytes of valid UTF-8; the tokens are the same
 * whether or not the words are also stemmed elsewhere (the analysis has no state); the work
 * is linear: no more words than input bytes. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/value.h"
#include "store/analyse.h"

typedef struct seen {
	size_t n, last_end, len;
	unsigned long sum; /* of the tokens' bytes, to compare two runs */
} seen;

static int word_cb(void *ctx, const char *tok, size_t tok_len, const char *word, size_t word_len,
                   size_t start, size_t end)
{
	seen *s = ctx;
	if (start >= end || end > s->len || start < s->last_end)
		abort();
	if (tok_len == 0 || word_len == 0 || word_len > STORE_ANALYSE_WORD_MAX ||
	    tok_len > STORE_ANALYSE_WORD_MAX)
		abort();
	if (!proto_utf8_valid((const uint8_t *)tok, tok_len) ||
	    !proto_utf8_valid((const uint8_t *)word, word_len))
		abort();
	for (size_t i = 0; i < tok_len; i++)
		s->sum = s->sum * 31 + (unsigned char)tok[i];
	s->last_end = end;
	s->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static store_analyser *a;
	if (!a && store_analyser_new(&a) != 0)
		abort();
	for (int stem = 0; stem < 2; stem++) {
		seen s1 = {0, 0, size, 0}, s2 = {0, 0, size, 0};
		if (store_analyser_run(a, (const char *)data, size, stem, word_cb, &s1) != 0)
			abort();
		if (store_analyser_run(a, (const char *)data, size, stem, word_cb, &s2) != 0)
			abort();
		if (s1.n != s2.n || s1.sum != s2.sum || s1.n > size)
			abort();
	}
	return 0;
}
