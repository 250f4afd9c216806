/* store/analyse.h: the French analysis of the search index and of queries, on its own (no
 * SQLite: the store's FTS5 tokenizer wraps it, store/store_tokenize.c).
 *
 * A text is cut into words (runs of letters and digits; combining accents belong to their
 * letter), and each word, in this order:
 *   1. is folded: lower case, accents removed (é -> e, œ -> oe, ß -> ss), NFD accents too;
 *   2. is dropped when it is an elision (l', d', j', m', n', s', t', c', qu', jusqu', lorsqu',
 *      puisqu', with ' or ’) directly followed by another word: "l'évaluation" is one word,
 *      evaluation, so that a highlight marks the whole word and never the elided letter;
 *   3. is stemmed by Snowball's French stemmer (libstemmer): chatbots and chatbot, évaluations
 *      and évaluation give the same token.
 * A folded word longer than STORE_ANALYSE_WORD_MAX bytes is cut there (on a character
 * boundary), the same way in the index and in a query. Work is linear in the text's length:
 * any byte sequence is accepted, a byte that is not UTF-8 separates words. */
#ifndef MAILLE_STORE_ANALYSE_H
#define MAILLE_STORE_ANALYSE_H

#include <stdbool.h>
#include <stddef.h>

#define STORE_ANALYSE_WORD_MAX 64

typedef struct store_analyser store_analyser;

/* One word: tok[0..tok_len) the token (folded, stemmed), word[0..word_len) the folded word
 * before stemming, text[start..end) the word as written (without its elision). A non-zero
 * return stops the analysis, which returns it. */
typedef int (*store_analyse_cb)(void *ctx, const char *tok, size_t tok_len, const char *word,
                                size_t word_len, size_t start, size_t end);

/* 0, or MAILLE_ENOMEM. */
int store_analyser_new(store_analyser **ret);
void store_analyser_free(store_analyser *a);

/* Gives every word of text[0..len) to cb, in order: 0, the first non-zero return of cb, or
 * MAILLE_ENOMEM. With stem false, tok is the folded word. */
int store_analyser_run(store_analyser *a, const char *text, size_t len, bool stem,
                       store_analyse_cb cb, void *ctx);

#endif
