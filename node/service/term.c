/* node/service/term.c: see term.h. */
#include "term.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "proto/value.h"

/* The longest piece written for one input character: "\r\n" escaped, or a 4-byte UTF-8
 * sequence, plus the NUL of snprintf. */
#define PIECE_MAX 8

/* The code points shown escaped (term.h says why). */
static bool cp_escaped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x2028 && cp <= 0x2029) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* What to write for the character (or the invalid byte) at the start of s[0..len), len > 0:
 * into out, its length returned; *used is the input it stands for. *brk says whether it is a
 * line break ("\n" or "\r\n"), which out then holds escaped. */
static size_t piece(const char *s, size_t len, size_t *used, char out[PIECE_MAX], bool *brk)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp = 0;
	size_t n = proto_utf8_next(p, len, &cp);

	*brk = false;
	if (n == 0) {
		*used = 1;
		return (size_t)snprintf(out, PIECE_MAX, "\\x%02x", p[0]);
	}
	*used = n;
	if (cp == '\r' && len > 1 && p[1] == '\n') {
		*used = 2;
		*brk = true;
		memcpy(out, "\\r\\n", 4);
		return 4;
	}
	if (!cp_escaped(cp)) {
		memcpy(out, s, n);
		return n;
	}
	*brk = cp == '\n';
	if (cp == '\n' || cp == '\r' || cp == '\t') {
		out[0] = '\\';
		out[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		return 2;
	}
	return (size_t)snprintf(out, PIECE_MAX, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
}

const char *node_term_str(const char *s, size_t len, char *buf, size_t cap)
{
	char out[PIECE_MAX];
	size_t used, total = 0, o = 0;
	bool brk;

	if (cap == 0)
		return buf;
	if (!s)
		len = 0;
	for (size_t i = 0; i < len; i += used)
		total += piece(s + i, len - i, &used, out, &brk);
	/* cut: room for the ellipsis (3 bytes) and the NUL, when there is room at all */
	size_t room = total < cap ? total : cap >= 4 ? cap - 4 : cap - 1;
	for (size_t i = 0; i < len; i += used) {
		size_t n = piece(s + i, len - i, &used, out, &brk);
		if (o + n > room)
			break;
		memcpy(buf + o, out, n);
		o += n;
	}
	if (total >= cap && cap >= 4) {
		memcpy(buf + o, "…", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Output gathered in a small buffer: one fwrite per few hundred bytes, not per character. */
typedef struct sink {
	FILE *f;
	size_t n;
	char buf[512];
} sink;

static void sink_put(sink *k, const char *p, size_t n)
{
	if (k->n + n > sizeof k->buf) {
		fwrite(k->buf, 1, k->n, k->f);
		k->n = 0;
	}
	if (n > sizeof k->buf) {
		fwrite(p, 1, n, k->f);
		return;
	}
	memcpy(k->buf + k->n, p, n);
	k->n += n;
}

static void sink_flush(sink *k)
{
	fwrite(k->buf, 1, k->n, k->f);
	k->n = 0;
}

void node_term_put(FILE *f, const char *s, size_t len)
{
	char out[PIECE_MAX];
	size_t used;
	bool brk;
	sink k = { .f = f, .n = 0 };

	for (size_t i = 0; s && i < len; i += used)
		sink_put(&k, out, piece(s + i, len - i, &used, out, &brk));
	sink_flush(&k);
}

void node_term_text(FILE *f, const char *s, size_t len, const char *indent)
{
	char out[PIECE_MAX];
	size_t used;
	bool brk, line_start = false;
	sink k = { .f = f, .n = 0 };

	if (!s)
		return;
	while (len > 0 && s[len - 1] == '\n')
		len -= len > 1 && s[len - 2] == '\r' ? 2 : 1;
	for (size_t i = 0; i < len; i += used) {
		size_t n = piece(s + i, len - i, &used, out, &brk);
		if (brk) {
			sink_put(&k, "\n", 1);
			line_start = true;
			continue;
		}
		if (line_start && indent)
			sink_put(&k, indent, strlen(indent));
		line_start = false;
		sink_put(&k, out, n);
	}
	sink_flush(&k);
}

void node_term_json(FILE *f, const char *json, size_t len)
{
	const unsigned char *p = (const unsigned char *)json;
	size_t i = 0, start = 0;

	while (i < len) {
		uint32_t cp = 0;
		size_t n = proto_utf8_next(p + i, len - i, &cp);
		if (n == 0) {
			i++; /* jansson writes valid UTF-8: a stray byte is left as it was */
			continue;
		}
		/* below U+007F only the indentation's line breaks are raw: JSON escapes the rest */
		if (cp >= 0x7F && cp_escaped(cp)) {
			fwrite(json + start, 1, i - start, f);
			fprintf(f, "\\u%04x", (unsigned)cp);
			start = i + n;
		}
		i += n;
	}
	fwrite(json + start, 1, len - start, f);
}
