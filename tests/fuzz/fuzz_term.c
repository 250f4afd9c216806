/* Fuzz target: the terminal sanitiser (node/service/term.h), which reads the bytes records,
 * peers and files give to every `maille` command.
 *
 * The input is any byte string. Properties: no crash, no read outside the input; what
 * node_term_str writes is NUL-terminated within its buffer, valid UTF-8, on one line, without
 * a code point a terminal acts on; it is what node_term_put writes when the buffer is large
 * enough, and escaping it again changes nothing; node_term_text keeps line breaks only, each
 * following non-empty line starting with the indent; node_term_json writes none of the
 * C1 controls, DEL or bidi characters raw. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/service/term.h"
#include "proto/value.h"

/* Whether s[0..len) is valid UTF-8 without a code point the sanitiser escapes (a line break
 * allowed when breaks). */
static bool clean(const char *s, size_t len, bool breaks)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!proto_utf8_valid(p, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 && !(breaks && p[i] == '\n'))
			return false;
		if (p[i] == 0x7f)
			return false;
		/* C1: C2 80..C2 9F; U+061C: D8 9C; U+200E/F, U+2028..U+202E: E2 80 8E/8F/A8..AE;
		 * U+2066..U+2069: E2 81 A6..A9 */
		if (p[i] == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return false;
		if (p[i] == 0xD8 && i + 1 < len && p[i + 1] == 0x9C)
			return false;
		if (p[i] == 0xE2 && i + 2 < len && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0x8E || p[i + 2] == 0x8F || (p[i + 2] >= 0xA8 && p[i + 2] <= 0xAE)))
			return false;
		if (p[i] == 0xE2 && i + 2 < len && p[i + 1] == 0x81 && p[i + 2] >= 0xA6 &&
		    p[i + 2] <= 0xA9)
			return false;
	}
	return true;
}

/* What f wrote, through open_memstream. */
typedef struct mem {
	FILE *f;
	char *buf;
	size_t len;
} mem;

static void mem_open(mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		abort();
}

static void mem_close(mem *m)
{
	if (fclose(m->f) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t cap = NODE_TERM_CAP(size);
	char *big = malloc(cap), *again = malloc(cap), small[16];
	if (!big || !again)
		abort();

	node_term_str(s, size, big, cap);
	size_t n = strlen(big);
	if (n >= cap || !clean(big, n, false))
		abort();
	/* idempotent: the escaped text is its own escape */
	node_term_str(big, n, again, cap);
	if (strcmp(big, again) != 0)
		abort();
	/* a short buffer: a prefix of the whole, cut between two characters, then "…" */
	for (size_t c = 1; c <= sizeof small; c += 5) {
		node_term_str(s, size, small, c);
		size_t k = strlen(small);
		if (k >= c || !clean(small, k, false))
			abort();
		if (k != n) {
			size_t keep = k >= 3 && memcmp(small + k - 3, "…", 3) == 0 ? k - 3 : k;
			if (memcmp(small, big, keep) != 0)
				abort();
		}
	}

	mem m;
	mem_open(&m);
	node_term_put(m.f, s, size);
	mem_close(&m);
	if (m.len != n || memcmp(m.buf, big, n) != 0)
		abort();
	free(m.buf);

	mem_open(&m);
	node_term_text(m.f, s, size, "    ");
	mem_close(&m);
	if (!clean(m.buf, m.len, true))
		abort();
	for (size_t i = 0; i < m.len; i++)
		if (m.buf[i] == '\n' && i + 1 < m.len && m.buf[i + 1] != '\n' &&
		    strncmp(m.buf + i + 1, "    ", 4) != 0)
			abort();
	free(m.buf);

	mem_open(&m);
	node_term_json(m.f, s, size);
	mem_close(&m);
	/* the control characters JSON itself escapes are left to it: only the others here */
	for (size_t i = 0; i < m.len; i++)
		if ((unsigned char)m.buf[i] < 0x20)
			m.buf[i] = ' ';
	if (proto_utf8_valid(data, size) && !clean(m.buf, m.len, false))
		abort();
	free(m.buf);

	free(big);
	free(again);
	return 0;
}
