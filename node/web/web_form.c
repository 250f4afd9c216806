/* node/web/web_form.c: percent-decoding, forms, query strings, cookies, host names (see
 * web_form.h). */
#include "web_form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/entry.h"
#include "proto/error.h"
#include "proto/value.h"

int web_pct_decode(const char *src, size_t len, int flags, char *dst, size_t *ret_len)
{
	size_t o = 0;
	bool prev_cr = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c == '%') {
			if (len - i < 3)
				return MAILLE_EPROTO;
			int hi = proto_hexval(src[i + 1]), lo = proto_hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return MAILLE_EPROTO;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && (flags & WEB_DECODE_PLUS)) {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f) {
			bool ok =
			    (flags & WEB_DECODE_MULTILINE) && (c == '\n' || c == '\r' || c == '\t');
			if (!ok)
				return MAILLE_EPROTO;
		}
		/* CR LF (what a browser sends for a textarea's line break) becomes LF, and so does
		 * a lone CR: the result holds no CR at all, so decoding is idempotent */
		bool cr = c == '\r';
		if (c == '\n' && prev_cr) {
			prev_cr = false;
			continue;
		}
		prev_cr = cr;
		if (cr)
			c = '\n';
		/* o <= i always: writing in place never overtakes the reading */
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	if (!proto_utf8_valid((const uint8_t *)dst, o))
		return MAILLE_EUTF8;
	*ret_len = o;
	return 0;
}

void web_form_done(web_form *f)
{
	if (!f)
		return;
	free(f->v);
	free(f->buf_);
	memset(f, 0, sizeof *f);
}

int web_form_parse(const char *s, size_t len, int flags, web_form *ret)
{
	web_form f;
	memset(&f, 0, sizeof f);
	/* count the pairs first: the array is sized once, from the input itself */
	size_t pairs = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end > i)
			pairs++;
		i = end + 1;
	}
	if (pairs > WEB_FORM_FIELDS_MAX)
		return MAILLE_ETOOBIG;
	/* each pair decodes to at most its own bytes plus two NULs */
	f.buf_ = malloc(len + 2 * pairs + 1);
	f.v = calloc(pairs ? pairs : 1, sizeof *f.v);
	if (!f.buf_ || !f.v) {
		web_form_done(&f);
		return MAILLE_ENOMEM;
	}
	size_t o = 0;
	int r = 0;
	for (size_t i = 0; i < len && !r;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
			const char *vs = eq ? eq + 1 : s + end;
			size_t vlen = (size_t)(s + end - vs);
			web_kv *kv = &f.v[f.n];
			char *k = f.buf_ + o;
			size_t kl;
			r = web_pct_decode(
			    s + i, klen, (flags & ~WEB_DECODE_MULTILINE) | WEB_DECODE_PLUS, k, &kl);
			if (!r && kl > WEB_FORM_KEY_MAX)
				r = MAILLE_ETOOBIG;
			if (r)
				break;
			o += kl + 1;
			char *v = f.buf_ + o;
			size_t vl;
			r = web_pct_decode(vs, vlen, flags | WEB_DECODE_PLUS, v, &vl);
			if (r)
				break;
			o += vl + 1;
			kv->key = k;
			kv->key_len = kl;
			kv->val = v;
			kv->val_len = vl;
			f.n++;
		}
		i = end + 1;
	}
	if (r) {
		web_form_done(&f);
		return r;
	}
	*ret = f;
	return 0;
}

const char *web_form_get(const web_form *f, const char *key)
{
	size_t i = 0;
	return web_form_next(f, key, &i);
}

const char *web_form_next(const web_form *f, const char *key, size_t *i)
{
	for (; f && *i < f->n; (*i)++) {
		if (strcmp(f->v[*i].key, key) == 0)
			return f->v[(*i)++].val;
	}
	return NULL;
}

size_t web_pct_encode(const char *s, size_t len, bool keep_slash, char *ret, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		             (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		             c == '~' || (keep_slash && c == '/');
		if (plain) {
			if (o + 1 < cap)
				ret[o] = (char)c;
			o++;
		} else {
			if (o + 3 < cap) {
				ret[o] = '%';
				ret[o + 1] = hex[c >> 4];
				ret[o + 2] = hex[c & 15];
			}
			o += 3;
		}
	}
	if (cap)
		ret[o < cap ? o : cap - 1] = '\0';
	return o;
}

/* RFC 6265 cookie-octet */
static bool cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	       (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

int web_cookie_get(const char *header, size_t len, const char *name, char *ret, size_t cap)
{
	if (len > WEB_COOKIE_MAX)
		return MAILLE_ETOOBIG;
	size_t nlen = strlen(name);
	size_t i = 0;
	while (i < len) {
		const char *semi = memchr(header + i, ';', len - i);
		size_t end = semi ? (size_t)(semi - header) : len;
		size_t a = i, b = end;
		while (a < b && (header[a] == ' ' || header[a] == '\t'))
			a++;
		while (b > a && (header[b - 1] == ' ' || header[b - 1] == '\t'))
			b--;
		const char *eq = memchr(header + a, '=', b - a);
		if (eq && (size_t)(eq - (header + a)) == nlen &&
		    memcmp(header + a, name, nlen) == 0) {
			const char *v = eq + 1;
			size_t vlen = (size_t)(header + b - v);
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			for (size_t k = 0; k < vlen; k++)
				if (!cookie_octet((unsigned char)v[k]))
					return MAILLE_EPROTO;
			if (vlen + 1 > cap)
				return MAILLE_ETOOBIG;
			memcpy(ret, v, vlen);
			ret[vlen] = '\0';
			return 0;
		}
		i = end + 1;
	}
	return MAILLE_ENOTFOUND;
}

static bool host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

static bool ipv6_char(unsigned char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '.';
}

int web_authority_parse(const char *s, size_t len, web_authority *ret)
{
	size_t n = 0; /* bytes of the name */
	if (len && s[0] == '[') {
		while (n + 1 < len && ipv6_char((unsigned char)s[n + 1]))
			n++;
		if (n == 0 || n + 1 >= len || s[n + 1] != ']')
			return MAILLE_EPROTO;
		n += 2; /* the brackets */
	} else {
		while (n < len && host_char((unsigned char)s[n]))
			n++;
		if (n == 0)
			return MAILLE_EPROTO;
	}
	if (n > WEB_HOST_NAME_MAX)
		return MAILLE_EPROTO;
	unsigned port = 0;
	if (n < len) {
		size_t digits = len - n - 1;
		if (s[n] != ':' || digits == 0 || digits > 5)
			return MAILLE_EPROTO;
		for (size_t i = n + 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return MAILLE_EPROTO;
			port = port * 10 + (unsigned)(s[i] - '0');
		}
		if (port == 0 || port > 65535)
			return MAILLE_EPROTO;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		ret->name[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	ret->name[n] = '\0';
	ret->port = port;
	ret->https = false;
	return 0;
}

int web_origin_parse(const char *s, size_t len, bool url, web_authority *ret)
{
	static const char *const schemes[] = {"http://", "https://"};
	static const unsigned ports[] = {80, 443};
	for (size_t k = 0; k < 2; k++) {
		const char *scheme = schemes[k];
		size_t sl = strlen(scheme), i = 0;
		for (; i < sl && i < len; i++) {
			char c = s[i];
			if ((c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c) != scheme[i])
				break;
		}
		if (i < sl)
			continue;
		size_t end = sl;
		while (end < len && s[end] != '/' && s[end] != '?' && s[end] != '#')
			end++;
		if (end < len && !url)
			return MAILLE_EPROTO;
		web_authority a;
		int r = web_authority_parse(s + sl, end - sl, &a);
		if (r)
			return r;
		if (!a.port)
			a.port = ports[k];
		a.https = k == 1;
		*ret = a;
		return 0;
	}
	return MAILLE_EPROTO;
}
