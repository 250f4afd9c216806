/* Fuzz target: the web catalogue's decoders of what a browser sends (node/web/web_form.h):
 * percent-decoding, query strings and form bodies, the Cookie header, and the host names of
 * the Host, Origin and Referer headers.
 *
 * The input's first byte chooses the decoding flags (bits 0-1), the cookie looked for
 * (bit 2) and whether an http:// URL may go on with a path (bit 3); the rest is the text.
 * Properties: no crash, no leak, only the documented codes; what decodes is valid UTF-8 of the
 * announced length with no control character but those the flags allow (and never CR, which the
 * multi-line mode turns into LF); decoding never grows the text; encoding a decoded text
 * (web_pct_encode) and decoding it again gives the same bytes; a parsed form re-encoded as
 * "k=v&..." parses to the same pairs; a cookie value holds only cookie-octets and fits its buffer;
 * a host name is non-empty, lower-case, of the allowed characters (or a bracketed IPv6 literal),
 * its port 0 or 1 to 65535, and written back as "name[:port]" it parses to the same; an authority
 * parses the same bare and behind "http://"; whatever fails leaves the result untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/web/web_form.h"
#include "proto/error.h"
#include "proto/value.h"

static void check_text(const char *s, size_t len, int flags)
{
	if (strlen(s) != len || !proto_utf8_valid((const uint8_t *)s, len))
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r')
			abort();
		if ((c < 0x20 || c == 0x7f) &&
		    !((flags & WEB_DECODE_MULTILINE) && (c == '\n' || c == '\t')))
			abort();
	}
}

/* encode then decode gives s back */
static void check_round_trip(const char *s, size_t len, int flags, bool slash)
{
	size_t need = web_pct_encode(s, len, slash, NULL, 0);
	char *enc = malloc(need + 1), *dec = malloc(need + 1);
	if (!enc || !dec)
		abort();
	if (web_pct_encode(s, len, slash, enc, need + 1) != need || strlen(enc) != need)
		abort();
	size_t dlen;
	if (web_pct_decode(enc, need, flags, dec, &dlen) != 0 || dlen != len || memcmp(dec, s, len))
		abort();
	free(enc);
	free(dec);
}

static void check_authority(int r, const web_authority *a)
{
	if (r != 0) {
		const unsigned char *p = (const unsigned char *)a;
		for (size_t i = 0; i < sizeof *a; i++) /* untouched on failure */
			if (p[i] != 0x5a)
				abort();
		if (r != MAILLE_EPROTO)
			abort();
		return;
	}
	size_t n = strlen(a->name);
	if (n == 0 || n > WEB_HOST_NAME_MAX || a->port > 65535)
		abort();
	bool v6 = a->name[0] == '[';
	if (v6 && (n < 3 || a->name[n - 1] != ']'))
		abort();
	for (size_t i = v6 ? 1 : 0; i < (v6 ? n - 1 : n); i++) {
		char c = a->name[i];
		bool ok = (c >= '0' && c <= '9') || c == '.' ||
		          (v6 ? (c >= 'a' && c <= 'f') || c == ':'
		              : (c >= 'a' && c <= 'z') || c == '-' || c == '_');
		if (!ok)
			abort();
	}
	char again[WEB_HOST_NAME_MAX + 16];
	int len = a->port ? snprintf(again, sizeof again, "%s:%u", a->name, a->port)
	                  : snprintf(again, sizeof again, "%s", a->name);
	web_authority b;
	if (len < 0 || web_authority_parse(again, (size_t)len, &b) != 0 ||
	    strcmp(a->name, b.name) != 0 || a->port != b.port)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int flags = data[0] & 3;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	/* percent-decoding, in a separate buffer and in place */
	char *dst = malloc(len + 1), *inplace = malloc(len + 1);
	if (!dst || !inplace)
		abort();
	memcpy(inplace, text, len);
	size_t dlen = 0, ilen = 0;
	int r = web_pct_decode(text, len, flags, dst, &dlen);
	int r2 = web_pct_decode(inplace, len, flags, inplace, &ilen);
	if (r != r2)
		abort();
	if (r == 0) {
		if (dlen > len || ilen != dlen || memcmp(dst, inplace, dlen) != 0)
			abort();
		check_text(dst, dlen, flags);
		check_round_trip(dst, dlen, flags & ~WEB_DECODE_PLUS, false);
		check_round_trip(dst, dlen, flags | WEB_DECODE_PLUS, true);
	} else if (r != MAILLE_EPROTO && r != MAILLE_EUTF8) {
		abort();
	}
	free(dst);
	free(inplace);

	/* forms and query strings */
	web_form f;
	r = web_form_parse(text, len, flags, &f);
	if (r == 0) {
		if (f.n > WEB_FORM_FIELDS_MAX)
			abort();
		size_t cap = 1;
		for (size_t i = 0; i < f.n; i++) {
			check_text(f.v[i].key, f.v[i].key_len, 0);
			check_text(f.v[i].val, f.v[i].val_len, flags);
			if (f.v[i].key_len > WEB_FORM_KEY_MAX)
				abort();
			cap += 3 * (f.v[i].key_len + f.v[i].val_len) + 2;
		}
		char *enc = malloc(cap);
		if (!enc)
			abort();
		size_t o = 0;
		for (size_t i = 0; i < f.n; i++) {
			if (i)
				enc[o++] = '&';
			o += web_pct_encode(f.v[i].key, f.v[i].key_len, false, enc + o, cap - o);
			enc[o++] = '=';
			o += web_pct_encode(f.v[i].val, f.v[i].val_len, false, enc + o, cap - o);
		}
		web_form g;
		if (web_form_parse(enc, o, flags, &g) != 0 || g.n != f.n)
			abort();
		for (size_t i = 0; i < f.n; i++)
			if (strcmp(f.v[i].key, g.v[i].key) != 0 ||
			    strcmp(f.v[i].val, g.v[i].val) != 0)
				abort();
		if (f.n && web_form_get(&f, f.v[0].key) != f.v[0].val)
			abort();
		web_form_done(&g);
		free(enc);
		web_form_done(&f);
	} else if (r != MAILLE_EPROTO && r != MAILLE_EUTF8 && r != MAILLE_ETOOBIG) {
		abort();
	}

	/* the Cookie header */
	char val[128];
	memset(val, 0x5a, sizeof val);
	r = web_cookie_get(text, len, (data[0] & 4) ? "maille_csrf" : "a", val, sizeof val);
	if (r == 0) {
		size_t n = strlen(val);
		if (n >= sizeof val)
			abort();
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)val[i];
			if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\')
				abort();
		}
	} else if (r == MAILLE_EPROTO || r == MAILLE_ENOTFOUND || r == MAILLE_ETOOBIG) {
		for (size_t i = 0; i < sizeof val; i++) /* untouched on failure */
			if ((unsigned char)val[i] != 0x5a)
				abort();
	} else {
		abort();
	}

	/* the Host header, and the same text as an Origin or Referer */
	web_authority host, origin;
	memset(&host, 0x5a, sizeof host);
	r = web_authority_parse(text, len, &host);
	check_authority(r, &host);
	char *url = malloc(len + 8);
	if (!url)
		abort();
	memcpy(url, "HTTP://", 7);
	memcpy(url + 7, text, len);
	memset(&origin, 0x5a, sizeof origin);
	r2 = web_origin_parse(url, len + 7, false, &origin);
	if (r2 != r || (r == 0 && (strcmp(host.name, origin.name) || (host.port ? host.port : 80u) != origin.port)))
		abort();
	memset(&origin, 0x5a, sizeof origin);
	r = web_origin_parse(text, len, (data[0] & 8) != 0, &origin);
	check_authority(r, &origin);
	free(url);
	return 0;
}
