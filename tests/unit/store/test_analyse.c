/* Unit tests of store/analyse.c, the French analysis of the search index and of queries:
 * folding (case, accents, ligatures, decomposed accents), every elision with ' and ’, the
 * French stems of plurals and of words typed without their accents, whole-word offsets,
 * the cut of over-long words, and bytes that are not UTF-8. */
#include <string.h>

#include "check.h"
#include "store/analyse.h"

static store_analyser *an_;

typedef struct collected {
	char out[1024]; /* the tokens, space-separated */
	char words[1024];
	size_t starts[64], ends[64], n;
} collected;

static void add(char *dst, const char *s, size_t n)
{
	size_t k = strlen(dst);
	if (k && k + 1 < 1024)
		dst[k++] = ' ';
	if (k + n < 1024) {
		memcpy(dst + k, s, n);
		dst[k + n] = '\0';
	}
}

static int collect_cb(void *ctx, const char *tok, size_t tok_len, const char *word,
                      size_t word_len, size_t start, size_t end)
{
	collected *c = ctx;
	add(c->out, tok, tok_len);
	add(c->words, word, word_len);
	if (c->n < 64) {
		c->starts[c->n] = start;
		c->ends[c->n] = end;
		c->n++;
	}
	return 0;
}

static const char *run(const char *text, bool stem, collected *c)
{
	memset(c, 0, sizeof *c);
	CHECK_EQ_INT(store_analyser_run(an_, text, strlen(text), stem, collect_cb, c), 0);
	return c->out;
}

static const char *tokens(const char *text)
{
	static collected c;
	return run(text, true, &c);
}

static const char *folded(const char *text)
{
	static collected c;
	return run(text, false, &c);
}

static void test_fold(void)
{
	CHECK_EQ_STR(folded("Évaluation ÉCOLE Île Noël"), "evaluation ecole ile noel");
	CHECK_EQ_STR(folded("Œuvre cœur Æsop straße"), "oeuvre coeur aesop strasse");
	CHECK_EQ_STR(folded("ça GARÇON Łódź"), "ca garcon lodz");
	/* decomposed accents (NFD) fold like the composed ones */
	CHECK_EQ_STR(folded("e\xcc\x81valuation"), "evaluation");
	CHECK_EQ_STR(folded("saint-étienne, 2024 ; « vélo » — eau…"),
	             "saint etienne 2024 velo eau");
	CHECK_EQ_STR(folded(""), "");
	CHECK_EQ_STR(folded(" ,;« » — "), "");
}

static void test_elisions(void)
{
	static const char *const el[] = {"l", "d", "j", "m", "n", "s", "t", "c",
	                                 "qu", "jusqu", "lorsqu", "puisqu"};
	for (size_t i = 0; i < sizeof el / sizeof el[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "%s'évaluation", el[i]);
		CHECK_EQ_STR(folded(text), "evaluation");
		snprintf(text, sizeof text, "%s\xe2\x80\x99\xc3\xa9valuation", el[i]); /* ’ */
		CHECK_EQ_STR(folded(text), "evaluation");
		snprintf(text, sizeof text, "%c%s'Évaluation", el[i][0] - 32, el[i] + 1);
		CHECK_EQ_STR(folded(text), "evaluation");
	}
	/* not an elision: another word before the apostrophe, or nothing after it */
	CHECK_EQ_STR(folded("aujourd'hui"), "aujourd hui");
	CHECK_EQ_STR(folded("l' d'"), "l d");
	CHECK_EQ_STR(folded("l'"), "l");
	/* the offsets are those of the whole word, after the elision */
	collected c;
	run("de l’évaluation d'impact", true, &c);
	CHECK_EQ_INT(c.n, 3);
	CHECK_EQ_INT(c.starts[1], strlen("de l’"));
	CHECK_EQ_INT(c.ends[1], strlen("de l’évaluation"));
	CHECK_EQ_INT(c.starts[2], strlen("de l’évaluation d'"));
}

static void test_stems(void)
{
	static const char *const pairs[][2] = {
		{"chatbots", "chatbot"},
		{"évaluations", "évaluation"},
		{"quinconcière", "quinconciere"},
		{"Chatbots", "CHATBOT"},
		{"territoires", "territoire"},
		{"données", "donnee"},
		{"l'évaluation", "evaluations"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		char a[1024]; /* tokens() gives up to 1 023 bytes */
		snprintf(a, sizeof a, "%s", tokens(pairs[i][0]));
		CHECK_EQ_STR(a, tokens(pairs[i][1]));
		CHECK(a[0] != '\0');
	}
	/* stemming keeps the unstemmed, folded word beside the token */
	collected c;
	run("Chatbots", true, &c);
	CHECK_EQ_STR(c.words, "chatbots");
	CHECK_EQ_STR(c.out, "chatbot");
}

static void test_long_and_bad(void)
{
	char text[400];
	memset(text, 'a', 300);
	text[300] = '\0';
	collected c;
	run(text, false, &c);
	CHECK_EQ_INT(strlen(c.out), STORE_ANALYSE_WORD_MAX);
	CHECK_EQ_INT(c.ends[0], 300);
	/* a cut never splits a character */
	memset(text, 0, sizeof text);
	for (size_t i = 0; i < 100; i++)
		memcpy(text + 3 * i, "a\xd0\xb6", 3); /* a, Cyrillic zhe */
	run(text, false, &c);
	CHECK(strlen(c.out) <= STORE_ANALYSE_WORD_MAX);
	CHECK((unsigned char)c.out[strlen(c.out) - 1] != 0xd0);
	/* bytes that are not UTF-8 separate words */
	CHECK_EQ_STR(folded("abc\xff" "def\xc3" "ghi\xed\xa0\x80jkl\xc0\xaf" "mno"),
	             "abc def ghi jkl mno");
	CHECK_EQ_STR(folded("\xe2\x80"), "");
}

static int stop_cb(void *ctx, const char *tok, size_t tok_len, const char *word, size_t word_len,
                   size_t start, size_t end)
{
	(void)tok, (void)tok_len, (void)word, (void)word_len, (void)start, (void)end;
	(*(int *)ctx)++;
	return 7;
}

static void test_stop(void)
{
	int calls = 0;
	CHECK_EQ_INT(store_analyser_run(an_, "un deux trois", 13, true, stop_cb, &calls), 7);
	CHECK_EQ_INT(calls, 1);
}

static void setup(void)
{
	CHECK_EQ_INT(store_analyser_new(&an_), 0);
}

static void teardown(void)
{
	store_analyser_free(an_);
}

CHECK_MAIN(setup, test_fold, test_elisions, test_stems, test_long_and_bad, test_stop, teardown)
