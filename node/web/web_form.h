/* node/web/web_form.h: the decoders of what a browser sends to the web catalogue (node/web/web.h):
 * percent-encoding, query strings and application/x-www-form-urlencoded bodies, the Cookie
 * header, and the host names of the Host, Origin and Referer headers. Every byte they read
 * comes from outside, so each one is bounded, refuses what it cannot represent faithfully (a
 * truncated or non-hex escape, invalid UTF-8, control characters) instead of guessing, and is
 * fuzzed (tests/fuzz/fuzz_web_form.c).
 *
 * Pure: no I/O, no clock, no global state; the only allocation is the copy a parsed form owns,
 * never larger than its input. Errors are codes of proto/error.h. */
#ifndef MAILLE_NODE_WEB_FORM_H
#define MAILLE_NODE_WEB_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_FORM_FIELDS_MAX 256u /* key=value pairs of one form or query string */
#define WEB_FORM_KEY_MAX 64u     /* bytes of a decoded key */
#define WEB_COOKIE_MAX 4096u     /* bytes of a Cookie header we look into */
#define WEB_HOST_NAME_MAX 255u   /* bytes of a host name: a DNS name, an IPv4 or [IPv6] literal */

/* Decoding modes. */
enum web_decode_flags {
	WEB_DECODE_PLUS = 1,      /* '+' is a space (forms and query strings, not paths) */
	WEB_DECODE_MULTILINE = 2, /* LF, CR and TAB are allowed (a textarea); CR LF and
	                           * a lone CR become LF */
};

/* Percent-decodes src[0..len) into dst (at least len + 1 bytes; dst == src is allowed),
 * NUL-terminated, and gives the decoded length in *ret_len. Refused: a '%' not followed by
 * two hex digits (MAILLE_EPROTO), a decoded byte below 0x20 or 0x7f (MAILLE_EPROTO; NUL
 * included, so the result is a C string with no hidden end) except LF, CR and TAB with
 * WEB_DECODE_MULTILINE, and a result that is not valid UTF-8 (MAILLE_EUTF8). On failure
 * dst's content is unspecified and *ret_len untouched. */
int web_pct_decode(const char *src, size_t len, int flags, char *dst, size_t *ret_len);

/* One decoded pair; key and val are NUL-terminated and owned by the form. */
typedef struct web_kv {
	const char *key;
	const char *val;
	size_t key_len, val_len;
} web_kv;

typedef struct web_form {
	web_kv *v;
	size_t n;
	char *buf_; /* the decoded copy every key and value points into */
} web_form;

/* Parses "k=v&k2=v2..." (a query string without its '?', or a form body): pairs split on
 * '&' (empty pairs skipped), key and value on the first '=' (a pair without one has the value
 * ""), both percent-decoded with flags | WEB_DECODE_PLUS (keys never multi-line). Errors:
 * MAILLE_ETOOBIG (over WEB_FORM_FIELDS_MAX pairs, or a key over WEB_FORM_KEY_MAX bytes),
 * the decoding errors above, MAILLE_ENOMEM. *ret is set only on success; end it with
 * web_form_done. A zero-length input gives an empty form. */
int web_form_parse(const char *s, size_t len, int flags, web_form *ret);
/* Frees what the form owns; a zeroed or done form is fine. */
void web_form_done(web_form *f);
/* The value of the first pair named key, NULL if none. */
const char *web_form_get(const web_form *f, const char *key);
/* Iterates over every pair named key (a group of checkboxes): start with *i = 0; NULL at
 * the end. */
const char *web_form_next(const web_form *f, const char *key, size_t *i);

/* Percent-encodes s[0..len) for a query string or a path segment: every byte but the
 * unreserved ones (A-Z a-z 0-9 - _ . ~) becomes %XX; with keep_slash, '/' stays (a path).
 * Writes at most cap bytes to ret, NUL-terminated; returns the length it needed (like
 * snprintf), so a result >= cap means ret was cut. */
size_t web_pct_encode(const char *s, size_t len, bool keep_slash, char *ret, size_t cap);

/* The value of the cookie name in a Cookie header ("a=1; b=2", RFC 6265 §5.4), copied to
 * ret (cap bytes, NUL-terminated). A value may be in double quotes (they are removed); its
 * bytes must be cookie-octets (no control character, space, '"', ',', ';' or '\').
 * Errors: MAILLE_ENOTFOUND (no such cookie), MAILLE_EPROTO (that cookie's value is not
 * well-formed), MAILLE_ETOOBIG (header over WEB_COOKIE_MAX, or the value does not fit).
 * Other malformed cookies of the header are skipped: browsers send what other sites on the
 * same host set, and one of them must not lock a person out. ret is untouched on failure. */
int web_cookie_get(const char *header, size_t len, const char *name, char *ret, size_t cap);

/* A host and port as a Host header or an http:// URL names them (RFC 9110 §7.2, RFC 3986
 * §3.2.2). name is lower-case; an IPv6 literal keeps its brackets. port is 0 when none is
 * given. */
typedef struct web_authority {
	char name[WEB_HOST_NAME_MAX + 1];
	unsigned port;
	bool https; /* an https:// URL (web_origin_parse); false for a Host */
} web_authority;

/* Parses s[0..len) as a whole "NAME[:PORT]": NAME is 1 to WEB_HOST_NAME_MAX bytes of
 * letters, digits, '-', '.' and '_' (a DNS name or an IPv4 address), or an IPv6 literal,
 * '[' hex digits, ':' and '.' ']'; PORT is 1 to 5 digits, 1 to 65535. Nothing is
 * normalised but the case (no trailing dot removed, no IPv6 form rewritten): the result is
 * only ever compared with an allow-list, and a name written otherwise is refused there.
 * MAILLE_EPROTO on anything else (user info, a percent-escape, an empty port, spaces);
 * *ret is set only on success. */
int web_authority_parse(const char *s, size_t len, web_authority *ret);
/* The authority of an "http://" or "https://" URL (the scheme in any case; ret->https says
 * which): an Origin header is exactly "SCHEME://NAME[:PORT]"; with url, a Referer, it may go
 * on with a path, query or fragment ('/', '?' or '#' and anything after). Without a port,
 * ret->port is the scheme's (80 or 443: an Origin names one port exactly, unlike a Host).
 * Another scheme, user info, a bad authority: MAILLE_EPROTO, *ret untouched. */
int web_origin_parse(const char *s, size_t len, bool url, web_authority *ret);

#endif
