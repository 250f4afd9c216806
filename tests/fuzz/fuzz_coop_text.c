/* Fuzz target: the web catalogue's renderer of a comment's text (node/web/web_coop_text.c), the
 * Markdown limited to paragraphs, emphasis, http(s) links and lists that a comment from any
 * territory of the federation is shown in (PROTOCOL.md §5.4).
 *
 * Properties: no crash, no leak; the HTML is only the renderer's own tags, properly nested
 * (<div class="comment-text">, <p>, <ul>, <ol>, <li>, <em>, <strong>, and <a> whose href is an
 * http or https address that holds no quote or angle bracket), and the text between them holds
 * no '<', '>' or '"' (every byte of the comment escaped). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/web/web_int.h"

#define LINK_OPEN "<a rel=\"nofollow ugc noopener noreferrer\" href=\""

static const char *const tags[] = { "div", "p", "ul", "ol", "li", "em", "strong", "a" };

/* The tag at s ("<name...>" or "</name>"): its index in tags, whether it closes, its length;
 * abort() when it is none of the renderer's. */
static size_t tag_at(const char *s, size_t len, size_t *ret_tag, bool *ret_close)
{
	static const char div_open[] = "<div class=\"comment-text\">";
	if (len >= sizeof div_open - 1 && memcmp(s, div_open, sizeof div_open - 1) == 0) {
		*ret_tag = 0, *ret_close = false;
		return sizeof div_open - 1;
	}
	if (len >= strlen(LINK_OPEN) && memcmp(s, LINK_OPEN, strlen(LINK_OPEN)) == 0) {
		const char *url = s + strlen(LINK_OPEN);
		const char *end = memchr(url, '"', len - strlen(LINK_OPEN));
		if (!end || end + 1 >= s + len || end[1] != '>')
			abort();
		size_t ul = (size_t)(end - url);
		if (!((ul > 7 && memcmp(url, "http://", 7) == 0) ||
		      (ul > 8 && memcmp(url, "https://", 8) == 0)))
			abort();
		for (size_t i = 0; i < ul; i++)
			if (url[i] == '<' || url[i] == '>' || (unsigned char)url[i] <= 0x20)
				abort();
		*ret_tag = 7, *ret_close = false;
		return (size_t)(end - s) + 2;
	}
	for (size_t t = 1; t < sizeof tags / sizeof tags[0]; t++)
		for (int close = 0; close < 2; close++) {
			char want[16];
			int n = snprintf(want, sizeof want, "<%s%s>", close ? "/" : "", tags[t]);
			if (t == 7 && !close)
				continue; /* an <a> always has its attributes */
			if ((size_t)n <= len && memcmp(s, want, (size_t)n) == 0) {
				*ret_tag = t, *ret_close = close;
				return (size_t)n;
			}
		}
	if (len >= 6 && memcmp(s, "</div>", 6) == 0) {
		*ret_tag = 0, *ret_close = true;
		return 6;
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	web_buf b = { 0 };
	size_t stack[64], depth = 0;

	web_coop_text(&b, (const char *)data, size);
	if (b.failed) {
		wb_done(&b);
		return 0;
	}
	for (size_t i = 0; i < b.len;) {
		char c = b.p[i];
		if (c == '>' || c == '"')
			abort(); /* outside a tag: escaped */
		if (c != '<') {
			i++;
			continue;
		}
		size_t tag;
		bool close;
		i += tag_at(b.p + i, b.len - i, &tag, &close);
		if (close) {
			if (depth == 0 || stack[depth - 1] != tag)
				abort();
			depth--;
		} else {
			if (depth == sizeof stack / sizeof stack[0])
				abort();
			stack[depth++] = tag;
		}
	}
	if (depth != 0)
		abort();
	wb_done(&b);
	return 0;
}
