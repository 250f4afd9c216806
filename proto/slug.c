/* proto/slug.c: the path segment a record's title gives (proto_slugify, proto/schema.h).
 *
 * Performs no I/O, allocates nothing. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "schema.h"
#include "value.h"

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

/* ---- Slugs ------------------------------------------------------------------------------- */

#define SLUG_MAX 80u

/* ASCII folding of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), lower
 * case. NULL marks the two symbols of the block (× ÷), which separate words. */
/* clang-format off */
static const char *const latin_fold[0x180 - 0xC0] = {
	/* U+00C0 À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00D0 Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß */
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	/* U+00E0 à á â ã ä å æ ç è é ê ë ì í î ï */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ */
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď */
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	/* U+0110 Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ */
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	/* U+0120 Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į */
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	/* U+0130 İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ */
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	/* U+0140 ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ */
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* U+0150 Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş */
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	/* U+0160 Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů */
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	/* U+0170 Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ */
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};
/* clang-format on */

/* What a code point becomes in a slug: letters and digits as ASCII (in *ret, NUL-terminated),
 * "" for marks that belong to the previous letter (combining accents of decomposed text, the
 * soft hyphen), NULL for everything else, which separates words. */
static const char *slug_fold(uint32_t cp, char ret[2])
{
	if (cp < 0x80) {
		char ch = (char)cp;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!is_lower(ch) && !is_digit(ch))
			return NULL;
		ret[0] = ch;
		ret[1] = '\0';
		return ret;
	}
	if (cp >= 0xC0 && cp < 0x180)
		return latin_fold[cp - 0xC0];
	if (cp == 0xAD || (cp >= 0x300 && cp <= 0x36F))
		return "";
	return NULL;
}

size_t proto_slugify(const char *title, size_t len, char *ret, size_t cap)
{
	char buf[SLUG_MAX + 2];
	size_t n = 0, limit, i = 0;
	bool sep = false;

	if (!ret || cap == 0)
		return 0;
	ret[0] = '\0';
	if (!title)
		return 0;
	limit = cap - 1 < SLUG_MAX ? cap - 1 : SLUG_MAX;
	if (limit == 0)
		return 0;

	/* Collects up to limit + 1 characters: one more than fits tells whether the last word
	 * was cut. A '-' is only written before a character, so none trails. */
	while (i < len && n <= limit) {
		uint32_t cp = 0xFFFD;
		size_t step = proto_utf8_next((const uint8_t *)title + i, len - i, &cp);
		char one[2];
		const char *fold;

		if (step == 0) {
			step = 1; /* an invalid byte separates, like any non-letter */
			cp = 0xFFFD;
		}
		i += step;
		fold = slug_fold(cp, one);
		if (!fold) {
			sep = true;
			continue;
		}
		for (; *fold && n <= limit; fold++) {
			if (sep && n > 0) {
				buf[n++] = '-';
				if (n > limit)
					break;
			}
			sep = false;
			buf[n++] = *fold;
		}
	}

	if (n > limit) {
		if (buf[limit] == '-') {
			n = limit; /* the cut falls between two words */
		} else {
			size_t cut = limit;
			while (cut > 0 && buf[cut - 1] != '-')
				cut--;
			/* Cut after the last whole word; a single word longer than the limit is
			 * cut where it must be. */
			n = cut > 1 ? cut - 1 : limit;
		}
	}
	while (n > 0 && buf[n - 1] == '-')
		n--;
	memcpy(ret, buf, n);
	ret[n] = '\0';
	return n;
}
