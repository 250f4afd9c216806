/* node/web/web_coop_text.c: the text of a comment or an interest's message, Markdown limited
 * to what a deliberation needs (PROTOCOL.md §5, the comment's `text`): paragraphs, emphasis
 * (*em*, _em_, **strong**, __strong__), links to http and https addresses only
 * (rel="nofollow ugc": the author is a territory's agent, not this node) and lists ("- ",
 * "* ", "+ ", "1. "). Every other construct (a heading, an image, a code block or span, a
 * quote, a table, raw HTML, an autolink) is shown as the text it is written as: this is not
 * cmark with parts switched off, so there is no construct it could forget to switch off, and
 * every byte of the text goes out through wb_html. */
#include <stdbool.h>
#include <string.h>

#include "web_int.h"

#define TEXT_DEPTH_MAX 4u /* emphasis within emphasis, at most */

static bool md_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (unsigned char)c >= 0x80;
}

/* A link's address: http or https, no space, no quote or angle bracket, no control. */
static bool md_url_ok(const char *s, size_t len)
{
	if (!((len > 7 && strncmp(s, "http://", 7) == 0) ||
	      (len > 8 && strncmp(s, "https://", 8) == 0)))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == '"' || s[i] == '<' ||
		    s[i] == '>' || s[i] == '\\')
			return false;
	return true;
}

static void md_inline(web_buf *b, const char *s, size_t len, unsigned depth);

/* [text](url) at s[0] == '[': its length, or 0 when it is not a link this renderer draws. */
static size_t md_link(web_buf *b, const char *s, size_t len)
{
	size_t close = 0, depth = 0;
	for (size_t i = 1; i < len && !close; i++) {
		if (s[i] == '\\') {
			i++;
		} else if (s[i] == '[') {
			depth++;
		} else if (s[i] == ']') {
			if (depth == 0)
				close = i;
			else
				depth--;
		}
	}
	if (!close || close == 1 || close + 1 >= len || s[close + 1] != '(')
		return 0;
	const char *url = s + close + 2;
	const char *end = memchr(url, ')', len - close - 2);
	if (!end || !md_url_ok(url, (size_t)(end - url)))
		return 0;
	wb_puts(b, "<a rel=\"nofollow ugc noopener noreferrer\" href=\"");
	wb_html(b, url, (size_t)(end - url));
	wb_puts(b, "\">");
	md_inline(b, s + 1, close - 1, TEXT_DEPTH_MAX); /* no emphasis nor link in a link */
	wb_puts(b, "</a>");
	return (size_t)(end - s) + 1;
}

/* Emphasis opened by n (1 or 2) delimiters c at s[0]: its length, or 0 when it is none. */
static size_t md_emphasis(web_buf *b, const char *s, size_t len, size_t n, unsigned depth,
                          bool after_alnum)
{
	char c = s[0];
	if (len < 2 * n + 1 || s[n] == ' ' || s[n] == c || (c == '_' && after_alnum))
		return 0;
	for (size_t i = n + 1; i + n <= len; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] != c || (n == 2 && s[i + 1] != c) || s[i - 1] == ' ')
			continue;
		if (n == 1 && i + 1 < len && s[i + 1] == c) {
			i++; /* a strong closer is not an em closer */
			continue;
		}
		if (c == '_' && i + n < len && md_alnum(s[i + n]))
			continue;
		wb_puts(b, n == 2 ? "<strong>" : "<em>");
		md_inline(b, s + n, i - n, depth + 1);
		wb_puts(b, n == 2 ? "</strong>" : "</em>");
		return i + n;
	}
	return 0;
}

/* One paragraph's or item's text: emphasis, links and backslash escapes; the rest as it is. */
static void md_inline(web_buf *b, const char *s, size_t len, unsigned depth)
{
	size_t i = 0, lit = 0;
	while (i < len) {
		size_t used = 0;
		char c = s[i];
		if (c == '\\' && i + 1 < len && strchr("\\*_[]()!`#<>-+.", s[i + 1])) {
			wb_html(b, s + lit, i - lit);
			wb_html(b, s + i + 1, 1);
			i += 2;
			lit = i;
			continue;
		}
		if (c == '!' && i + 1 < len && s[i + 1] == '[') {
			i += 2; /* an image stays the text it is written as, its link too */
			continue;
		}
		if (depth < TEXT_DEPTH_MAX) {
			wb_html(b, s + lit, i - lit);
			lit = i;
			if (c == '[')
				used = md_link(b, s + i, len - i);
			else if (c == '*' || c == '_')
				used = md_emphasis(b, s + i, len - i,
				                   i + 1 < len && s[i + 1] == c ? 2 : 1, depth,
				                   i > 0 && md_alnum(s[i - 1]));
		}
		if (used) {
			i += used;
			lit = i;
		} else {
			i++;
		}
	}
	wb_html(b, s + lit, len - lit);
}

/* The length of a list marker at the start of line (after up to 3 spaces), 0 if none;
 * *ordered says which kind. */
static size_t md_marker(const char *s, size_t len, bool *ordered)
{
	size_t i = 0;
	while (i < len && i < 3 && s[i] == ' ')
		i++;
	if (i + 1 < len && (s[i] == '-' || s[i] == '*' || s[i] == '+') && s[i + 1] == ' ') {
		*ordered = false;
		return i + 2;
	}
	size_t d = i;
	while (d < len && d - i < 9 && s[d] >= '0' && s[d] <= '9')
		d++;
	if (d > i && d + 1 < len && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ') {
		*ordered = true;
		return d + 2;
	}
	return 0;
}

static bool md_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* The block state: a paragraph or a list being written. */
typedef struct md_block {
	web_buf *b;
	int open;     /* 0 none, 'p' paragraph, 'u' or 'o' list (an item open) */
	bool started; /* the block's text has a line already */
} md_block;

static void md_close(md_block *k)
{
	if (k->open == 'p')
		wb_puts(k->b, "</p>");
	else if (k->open == 'u')
		wb_puts(k->b, "</li></ul>");
	else if (k->open == 'o')
		wb_puts(k->b, "</li></ol>");
	k->open = 0;
}

void web_coop_text(web_buf *b, const char *s, size_t len)
{
	md_block k = { b, 0, false };
	wb_puts(b, "<div class=\"comment-text\">");
	size_t pos = 0;
	while (pos < len) {
		const char *line = s + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl ? 1 : 0);
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (md_blank(line, ll)) {
			md_close(&k);
			continue;
		}
		bool ordered = false;
		size_t m = md_marker(line, ll, &ordered);
		int kind = ordered ? 'o' : 'u';
		if (m && k.open == kind) {
			wb_puts(b, "</li><li>");
		} else if (m) {
			md_close(&k);
			wb_puts(b, ordered ? "<ol><li>" : "<ul><li>");
			k.open = kind;
		} else if (k.open == 0) {
			wb_puts(b, "<p>");
			k.open = 'p';
		} else {
			wb_puts(b, "\n"); /* a line of the same paragraph or item */
		}
		/* leading spaces are not the text's (an indented code block is text here) */
		size_t st = m;
		while (!m && st < ll && st < 4 && line[st] == ' ')
			st++;
		md_inline(b, line + st, ll - st, 0);
	}
	md_close(&k);
	wb_puts(b, "</div>");
}
