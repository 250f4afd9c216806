/* store/analyse.c: folding, elisions and French stemming of a UTF-8 text (store/analyse.h). */
#include "analyse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "proto/error.h"
#include "proto/value.h"

/* Stems of the words met last, direct-mapped by a hash of the folded word: a text repeats its
 * words, and a snippet cuts the same rows' text again, so most words are stemmed once (the
 * stemmer was a fifth of a search's time). */
#define ANALYSE_CACHE 1024u

typedef struct analyse_cached {
	unsigned char word_len, stem_len; /* word_len 0: empty slot */
	char word[STORE_ANALYSE_WORD_MAX], stem[STORE_ANALYSE_WORD_MAX];
} analyse_cached;

struct store_analyser {
	struct sb_stemmer *stemmer;
	analyse_cached cache[ANALYSE_CACHE];
};

int store_analyser_new(store_analyser **ret)
{
	store_analyser *a = calloc(1, sizeof *a);
	if (!a)
		return MAILLE_ENOMEM;
	a->stemmer = sb_stemmer_new("french", "UTF_8");
	if (!a->stemmer) {
		free(a);
		return MAILLE_ENOMEM;
	}
	*ret = a;
	return 0;
}

void store_analyser_free(store_analyser *a)
{
	if (!a)
		return;
	sb_stemmer_delete(a->stemmer);
	free(a);
}

/* The code point at s[0..len) (len > 0) and its length, or -1 and 1 for a byte that does not
 * start a strict UTF-8 sequence (proto_utf8_next's rules). */
static int32_t analyse_decode(const unsigned char *s, size_t len, size_t *ret_n)
{
	if (s[0] < 0x80) { /* most of a French text */
		*ret_n = 1;
		return s[0];
	}
	uint32_t cp = 0;
	size_t n = proto_utf8_next(s, len, &cp);
	*ret_n = n ? n : 1;
	return n ? (int32_t)cp : -1;
}

enum { CP_SEP, CP_LETTER, CP_MARK, CP_APOS };

/* A coarse classification, enough for French text and harmless for other scripts: the blocks
 * of punctuation, symbols, emoji and private use separate words, combining marks belong to
 * the letter before them, everything else is a letter. */
static int analyse_class(int32_t cp)
{
	if (cp < 0)
		return CP_SEP;
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')
		           ? CP_LETTER
		       : cp == '\'' ? CP_APOS
		                    : CP_SEP;
	if (cp < 0xc0)
		return cp == 0xaa || cp == 0xb5 || cp == 0xba ? CP_LETTER : CP_SEP;
	if (cp == 0xd7 || cp == 0xf7)
		return CP_SEP;
	if (cp < 0x2b0)
		return CP_LETTER;
	if (cp == 0x2bc) /* modifier letter apostrophe, written for ’ by some keyboards */
		return CP_APOS;
	if (cp < 0x300)
		return CP_SEP;
	if (cp < 0x370 || (cp >= 0x1ab0 && cp < 0x1b00) || (cp >= 0x1dc0 && cp < 0x1e00) ||
	    (cp >= 0x20d0 && cp < 0x2100) || (cp >= 0xfe00 && cp < 0xfe10) ||
	    (cp >= 0xfe20 && cp < 0xfe30) || (cp >= 0xe0100 && cp < 0xe01f0))
		return CP_MARK;
	if (cp == 0x2019)
		return CP_APOS;
	if ((cp >= 0x2000 && cp < 0x2c00) || (cp >= 0x2e00 && cp < 0x2e80) ||
	    (cp >= 0x3000 && cp < 0x3040) || (cp >= 0xe000 && cp < 0xf900) ||
	    (cp >= 0xfe10 && cp < 0xfe70) || cp == 0xfeff || (cp >= 0xff00 && cp < 0xff10) ||
	    (cp >= 0xff1a && cp < 0xff21) || (cp >= 0xff3b && cp < 0xff41) ||
	    (cp >= 0xff5b && cp < 0xff66) || (cp >= 0xffe0 && cp < 0x10000) ||
	    (cp >= 0x1f000 && cp < 0x20000) || cp >= 0xe0000)
		return CP_SEP;
	return CP_LETTER;
}

/* The ASCII letters of U+00C0..U+00FF and U+0100..U+017F without their accents, lower case;
 * '*' marks the letters folded to two (æ, þ, ß, ĳ, œ), '-' the two signs of U+00D7, U+00F7. */
static const char analyse_latin1[] = "aaaaaa*ceeeeiiiidnooooo-ouuuuy**aaaaaa*ceeeeiiiidnooooo-ouuuuy*y";
static const char analyse_latin_a[] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll"
	"lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
_Static_assert(sizeof analyse_latin1 == 65 && sizeof analyse_latin_a == 129,
               "one letter for each code point of the two blocks");

/* Appends the folded form of cp (a letter) to out[0..*n), at most cap bytes: false when it
 * does not fit (the word is cut there). */
static bool analyse_fold(int32_t cp, const unsigned char *src, size_t src_n, char *out, size_t *n,
                         size_t cap)
{
	char two[3] = {0};
	const char *add = two;
	size_t k = 1; /* the bytes of add (counted here: this runs once a letter of every text) */
	if (cp < 0x80) {
		two[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
	} else if (cp >= 0xc0 && cp < 0x100) {
		char c = analyse_latin1[cp - 0xc0];
		if (c != '*') {
			two[0] = c;
		} else {
			add = cp == 0xc6 || cp == 0xe6 ? "ae" : cp == 0xdf ? "ss" : "th";
			k = 2;
		}
	} else if (cp >= 0x100 && cp < 0x180) {
		char c = analyse_latin_a[cp - 0x100];
		if (c != '*') {
			two[0] = c;
		} else {
			add = cp < 0x140 ? "ij" : "oe";
			k = 2;
		}
	} else {
		/* Greek and Cyrillic capitals to lower case; other letters as written */
		int32_t lower = cp;
		if ((cp >= 0x391 && cp <= 0x3a9) || (cp >= 0x410 && cp <= 0x42f))
			lower = cp + 0x20;
		else if (cp >= 0x400 && cp < 0x410)
			lower = cp + 0x50;
		if (lower != cp) { /* two bytes, both before and after */
			two[0] = (char)(0xc0 | lower >> 6);
			two[1] = (char)(0x80 | (lower & 0x3f));
			k = 2;
		} else {
			if (*n + src_n > cap)
				return false;
			memcpy(out + *n, src, src_n);
			*n += src_n;
			return true;
		}
	}
	if (*n + k > cap)
		return false;
	memcpy(out + *n, add, k);
	*n += k;
	return true;
}

static bool analyse_elision(const char *w, size_t n)
{
	static const char *const elisions[] = {"l", "d", "j", "m", "n", "s", "t", "c",
	                                       "qu", "jusqu", "lorsqu", "puisqu"};
	for (size_t i = 0; i < sizeof elisions / sizeof elisions[0]; i++)
		if (strlen(elisions[i]) == n && memcmp(w, elisions[i], n) == 0)
			return true;
	return false;
}

/* The stem of word[0..n) (n <= STORE_ANALYSE_WORD_MAX), through the cache. */
static int analyse_stem(store_analyser *a, const char *word, size_t n, const char **ret,
                        size_t *ret_len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)word[i]) * 16777619u;
	analyse_cached *c = &a->cache[h % ANALYSE_CACHE];
	if (c->word_len == n && memcmp(c->word, word, n) == 0) {
		*ret = c->stem;
		*ret_len = c->stem_len;
		return 0;
	}
	const sb_symbol *t = sb_stemmer_stem(a->stemmer, (const sb_symbol *)word, (int)n);
	if (!t)
		return MAILLE_ENOMEM;
	size_t k = (size_t)sb_stemmer_length(a->stemmer);
	/* Snowball never empties nor lengthens a word; a token is never empty all the same */
	if (k == 0 || k > STORE_ANALYSE_WORD_MAX) {
		t = (const sb_symbol *)word;
		k = n;
	}
	memmove(c->stem, t, k);
	memcpy(c->word, word, n);
	c->word_len = (unsigned char)n;
	c->stem_len = (unsigned char)k;
	*ret = c->stem;
	*ret_len = k;
	return 0;
}

int store_analyser_run(store_analyser *a, const char *text, size_t len, bool stem,
                       store_analyse_cb cb, void *ctx)
{
	const unsigned char *s = (const unsigned char *)text;
	char word[STORE_ANALYSE_WORD_MAX];
	size_t i = 0;

	while (i < len) {
		size_t n, start, end, wn = 0;
		bool full = false;
		int32_t cp = analyse_decode(s + i, len - i, &n);
		if (analyse_class(cp) != CP_LETTER) {
			i += n;
			continue;
		}
		start = i;
		for (;;) {
			int k = analyse_class(cp);
			if (k == CP_LETTER) {
				if (!full && !analyse_fold(cp, s + i, n, word, &wn, sizeof word))
					full = true;
			} else if (k != CP_MARK) {
				break;
			}
			i += n;
			if (i == len)
				break;
			cp = analyse_decode(s + i, len - i, &n);
		}
		end = i;
		/* an elided article or pronoun, directly followed by its word */
		if (i < len && analyse_class(cp) == CP_APOS && analyse_elision(word, wn)) {
			size_t n2;
			int32_t next = i + n < len ? analyse_decode(s + i + n, len - i - n, &n2) : -1;
			if (analyse_class(next) == CP_LETTER) {
				i += n;
				continue;
			}
		}
		if (wn == 0)
			continue; /* cannot happen: a letter folds to at least one byte */
		const char *tok = word;
		size_t tok_len = wn;
		if (stem) {
			int rc = analyse_stem(a, word, wn, &tok, &tok_len);
			if (rc)
				return rc;
		}
		int rc = cb(ctx, tok, tok_len, word, wn, start, end);
		if (rc)
			return rc;
	}
	return 0;
}
