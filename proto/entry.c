/* proto/entry.c: signed entries (PROTOCOL.md §1). */
#include "entry.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "value.h"

int proto_value_skip_(const uint8_t **p, const uint8_t *end); /* value.c */

#define ENTRY_FIELDS 9
#define ENTRY_ARRAY_HEADER (0x90 | ENTRY_FIELDS)

bool proto_path_valid(const char *path, size_t len)
{
	if (len == 0 || len > PROTO_PATH_MAX)
		return false;
	size_t segments = 0, seg_len = 0;
	bool seg_dots = true; /* segment made only of '.' so far */
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? path[i] : '/';
		if (c == '/') {
			if (seg_len == 0)
				return false; /* empty segment: leading, trailing or doubled '/' */
			if (seg_dots && seg_len <= 2)
				return false; /* "." and ".." */
			if (++segments > PROTO_PATH_SEGMENTS_MAX)
				return false;
			seg_len = 0;
			seg_dots = true;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		          c == '~' || c == '-';
		if (!ok)
			return false;
		if (c != '.')
			seg_dots = false;
		seg_len++;
	}
	return true;
}

bool proto_entry_newer(uint64_t ts_a, const uint8_t id_a[PROTO_ID_LEN], uint64_t ts_b,
                       const uint8_t id_b[PROTO_ID_LEN])
{
	if (ts_a != ts_b)
		return ts_a > ts_b;
	return memcmp(id_a, id_b, PROTO_ID_LEN) > 0;
}

void proto_entry_id(const uint8_t *buf, size_t len, uint8_t ret_id[PROTO_ID_LEN])
{
	crypto_generichash(ret_id, PROTO_ID_LEN, buf, len, NULL, 0);
}

int proto_entry_check_time(const proto_entry *e, uint64_t now_us)
{
	if (e->timestamp > now_us && e->timestamp - now_us > PROTO_FUTURE_SKEW_US)
		return MAILLE_EFUTURE;
	return 0;
}

/* ---- decoding --------------------------------------------------------------------------- */

typedef struct rd {
	const uint8_t *p, *end;
} rd;

static int rd_byte(rd *r, uint8_t *ret)
{
	if (r->p >= r->end)
		return MAILLE_EPROTO;
	*ret = *r->p++;
	return 0;
}

/* A bin of exactly n bytes (n < 256, so bin8 is the only canonical form). */
static int rd_bin_fixed(rd *r, uint8_t *out, size_t n)
{
	uint8_t h, l;
	int e = rd_byte(r, &h);
	if (!e)
		e = rd_byte(r, &l);
	if (e)
		return e;
	if (h == 0xc5 || h == 0xc6)
		return MAILLE_ENONCANON;
	if (h != 0xc4 || l != n || (size_t)(r->end - r->p) < n)
		return MAILLE_EPROTO;
	memcpy(out, r->p, n);
	r->p += n;
	return 0;
}

/* A big-endian number of sz bytes (sz <= 8), the body of a msgpack uint or length. */
static int rd_be(rd *r, size_t sz, uint64_t *ret)
{
	if ((size_t)(r->end - r->p) < sz)
		return MAILLE_EPROTO;
	uint64_t v = 0;
	for (size_t i = 0; i < sz; i++)
		v = (v << 8) | r->p[i];
	r->p += sz;
	*ret = v;
	return 0;
}

/* A canonical unsigned integer <= INT64_MAX. */
static int rd_uint(rd *r, uint64_t *ret)
{
	uint8_t h;
	int e = rd_byte(r, &h);
	if (e)
		return e;
	if (h <= 0x7f) {
		*ret = h;
		return 0;
	}
	static const uint64_t mins[] = {0x80, 0x100, 0x10000, 0x100000000ull};
	static const size_t sizes[] = {1, 2, 4, 8};
	if (h < 0xcc || h > 0xcf)
		return (h >= 0xd0 && h <= 0xd3) ? MAILLE_ENONCANON : MAILLE_EPROTO;
	uint64_t v;
	if ((e = rd_be(r, sizes[h - 0xcc], &v)))
		return e;
	if (v < mins[h - 0xcc])
		return MAILLE_ENONCANON;
	if (v > (uint64_t)INT64_MAX)
		return MAILLE_ETOOBIG;
	*ret = v;
	return 0;
}

/* A canonical string of at most max bytes; borrowed from the buffer. */
static int rd_str(rd *r, size_t max, const char **ret, size_t *ret_len)
{
	uint8_t h;
	int e = rd_byte(r, &h);
	if (e)
		return e;
	size_t len;
	if ((h & 0xe0) == 0xa0) {
		len = h & 0x1f;
	} else if (h == 0xd9) {
		uint8_t l;
		if ((e = rd_byte(r, &l)))
			return e;
		if (l < 32)
			return MAILLE_ENONCANON;
		len = l;
	} else if (h == 0xda || h == 0xdb) {
		uint64_t v;
		if ((e = rd_be(r, h == 0xda ? 2 : 4, &v)))
			return e;
		if (v < (h == 0xda ? 256u : 65536u))
			return MAILLE_ENONCANON;
		if (v > max)
			return MAILLE_ETOOBIG;
		len = (size_t)v;
	} else {
		return MAILLE_EPROTO;
	}
	if (len > max)
		return MAILLE_ETOOBIG;
	if ((size_t)(r->end - r->p) < len)
		return MAILLE_EPROTO;
	if (!proto_utf8_valid(r->p, len))
		return MAILLE_EUTF8;
	*ret = (const char *)r->p;
	*ret_len = len;
	r->p += len;
	return 0;
}

/* Decodes the fields before the signature; *ret_sig_at is where the signature element starts. */
static int decode_signed_part(rd *r, proto_entry *e, const uint8_t **ret_sig_at)
{
	uint8_t h;
	int err = rd_byte(r, &h);
	if (err)
		return err;
	if (h == 0xdc || h == 0xdd)
		return MAILLE_ENONCANON; /* array16/32 for 9 items */
	if (h != ENTRY_ARRAY_HEADER)
		return MAILLE_EPROTO;

	uint64_t version;
	if ((err = rd_uint(r, &version)))
		return err;
	if (version != PROTO_ENTRY_VERSION)
		return MAILLE_EVERSION;
	if ((err = rd_bin_fixed(r, e->territory, PROTO_KEY_LEN)))
		return err;
	if ((err = rd_str(r, PROTO_PATH_MAX, &e->path, &e->path_len)))
		return err;
	if (!proto_path_valid(e->path, e->path_len))
		return MAILLE_EPROTO;
	if ((err = rd_uint(r, &e->timestamp)))
		return err;
	uint64_t kind;
	if ((err = rd_uint(r, &kind)))
		return err;
	if (kind != PROTO_KIND_DOCUMENT && kind != PROTO_KIND_TOMBSTONE)
		return MAILLE_EPROTO;
	e->kind = (uint8_t)kind;

	const uint8_t *body = r->p;
	if (body >= r->end)
		return MAILLE_EPROTO;
	/* the body is a map: fixmap, map16 or map32 */
	if ((*body & 0xf0) != 0x80 && *body != 0xde && *body != 0xdf)
		return MAILLE_EPROTO;
	if ((err = proto_value_skip_(&r->p, r->end)))
		return err;
	e->body = body;
	e->body_len = (size_t)(r->p - body);
	if (e->kind == PROTO_KIND_TOMBSTONE && !(e->body_len == 1 && body[0] == 0x80))
		return MAILLE_EPROTO; /* a tombstone carries nothing */

	if ((err = rd_bin_fixed(r, e->signer, PROTO_KEY_LEN)))
		return err;
	if (r->p >= r->end)
		return MAILLE_EPROTO;
	if (*r->p == 0xc0) {
		r->p++;
		e->capref = NULL;
		e->capref_len = 0;
	} else {
		if ((err = rd_str(r, PROTO_CAPREF_MAX, &e->capref, &e->capref_len)))
			return err;
		if (!proto_path_valid(e->capref, e->capref_len))
			return MAILLE_EPROTO;
	}
	*ret_sig_at = r->p;
	return 0;
}

int proto_entry_decode(const uint8_t *buf, size_t len, proto_entry *ret)
{
	if (len > PROTO_ENTRY_MAX)
		return MAILLE_ETOOBIG;
	rd r = {.p = buf, .end = buf + len};
	proto_entry e;
	memset(&e, 0, sizeof e);
	const uint8_t *sig_at;
	int err = decode_signed_part(&r, &e, &sig_at);
	if (err)
		return err;
	if ((err = rd_bin_fixed(&r, e.sig, PROTO_SIG_LEN)))
		return err;
	if (r.p != r.end)
		return MAILLE_EPROTO; /* trailing bytes */
	*ret = e;
	return 0;
}

int proto_entry_verify(const proto_entry *e, const uint8_t *buf, size_t len)
{
	/* The signed message is every byte before the signature element: 2 header bytes and
	 * 64 signature bytes end the encoding. */
	if (len < 2 + PROTO_SIG_LEN)
		return MAILLE_EPROTO;
	size_t signed_len = len - 2 - PROTO_SIG_LEN;
	if (crypto_sign_verify_detached(e->sig, buf, signed_len, e->signer) != 0)
		return MAILLE_EAUTH;
	return 0;
}

/* ---- encoding --------------------------------------------------------------------------- */

typedef struct wr {
	uint8_t *buf;
	size_t len, cap;
} wr;

static void wr_bytes(wr *w, const void *p, size_t n)
{
	/* capacity is computed up front; an overflow here is a programmer error */
	if (w->len + n > w->cap)
		abort();
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void wr_byte(wr *w, uint8_t b)
{
	wr_bytes(w, &b, 1);
}

static void wr_uint(wr *w, uint64_t v)
{
	uint8_t tmp[9];
	size_t n;
	if (v <= 0x7f) {
		tmp[0] = (uint8_t)v;
		n = 1;
	} else if (v <= 0xff) {
		tmp[0] = 0xcc;
		n = 2;
	} else if (v <= 0xffff) {
		tmp[0] = 0xcd;
		n = 3;
	} else if (v <= 0xffffffffull) {
		tmp[0] = 0xce;
		n = 5;
	} else {
		tmp[0] = 0xcf;
		n = 9;
	}
	for (size_t i = 1; i < n; i++)
		tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	wr_bytes(w, tmp, n);
}

static void wr_str(wr *w, const char *s, size_t len)
{
	/* paths are at most PROTO_PATH_MAX (256) bytes: fixstr, str8 or str16 */
	if (len < 32) {
		wr_byte(w, (uint8_t)(0xa0 | len));
	} else if (len < 256) {
		wr_byte(w, 0xd9);
		wr_byte(w, (uint8_t)len);
	} else {
		wr_byte(w, 0xda);
		wr_byte(w, (uint8_t)(len >> 8));
		wr_byte(w, (uint8_t)len);
	}
	wr_bytes(w, s, len);
}

static void wr_bin(wr *w, const uint8_t *p, size_t len)
{
	wr_byte(w, 0xc4);
	wr_byte(w, (uint8_t)len);
	wr_bytes(w, p, len);
}

int proto_entry_encode(const proto_entry *e, const uint8_t sk[PROTO_SECRET_KEY_LEN],
                       uint8_t **ret_buf, size_t *ret_len)
{
	if (!e->path || !proto_path_valid(e->path, e->path_len))
		return MAILLE_EINVAL;
	if (e->capref && !proto_path_valid(e->capref, e->capref_len))
		return MAILLE_EINVAL;
	if (e->kind != PROTO_KIND_DOCUMENT && e->kind != PROTO_KIND_TOMBSTONE)
		return MAILLE_EINVAL;
	if (e->timestamp > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	if (!e->body || e->body_len == 0)
		return MAILLE_EINVAL;
	if ((e->body[0] & 0xf0) != 0x80 && e->body[0] != 0xde && e->body[0] != 0xdf)
		return MAILLE_EINVAL;
	if (e->kind == PROTO_KIND_TOMBSTONE && !(e->body_len == 1 && e->body[0] == 0x80))
		return MAILLE_EINVAL;
	if (e->body_len > PROTO_ENTRY_MAX)
		return MAILLE_ETOOBIG;
	int err = proto_value_check(e->body, e->body_len);
	if (err)
		return err;
	/* the signer must hold sk: a mismatch would produce an entry nobody can verify */
	if (memcmp(sk + 32, e->signer, PROTO_KEY_LEN) != 0)
		return MAILLE_EINVAL;

	size_t cap = 1 + 1 + (2 + PROTO_KEY_LEN) + (3 + e->path_len) + 9 + 1 + e->body_len +
	             (2 + PROTO_KEY_LEN) + (3 + e->capref_len) + (2 + PROTO_SIG_LEN);
	wr w = {.buf = malloc(cap), .len = 0, .cap = cap};
	if (!w.buf)
		return MAILLE_ENOMEM;
	wr_byte(&w, ENTRY_ARRAY_HEADER);
	wr_uint(&w, PROTO_ENTRY_VERSION);
	wr_bin(&w, e->territory, PROTO_KEY_LEN);
	wr_str(&w, e->path, e->path_len);
	wr_uint(&w, e->timestamp);
	wr_uint(&w, e->kind);
	wr_bytes(&w, e->body, e->body_len);
	wr_bin(&w, e->signer, PROTO_KEY_LEN);
	if (e->capref)
		wr_str(&w, e->capref, e->capref_len);
	else
		wr_byte(&w, 0xc0);
	uint8_t sig[PROTO_SIG_LEN];
	crypto_sign_detached(sig, NULL, w.buf, w.len, sk);
	wr_bin(&w, sig, PROTO_SIG_LEN);
	if (w.len > PROTO_ENTRY_MAX) {
		free(w.buf);
		return MAILLE_ETOOBIG;
	}
	*ret_buf = w.buf;
	*ret_len = w.len;
	return 0;
}

int proto_init(void)
{
	return sodium_init() < 0 ? MAILLE_ENOMEM : 0;
}

/* ---- keys and hex ----------------------------------------------------------------------- */

void proto_key_generate(uint8_t ret_pk[PROTO_KEY_LEN], uint8_t ret_sk[PROTO_SECRET_KEY_LEN])
{
	crypto_sign_keypair(ret_pk, ret_sk);
}

void proto_hex(const uint8_t *bin, size_t len, char *ret_hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		ret_hex[2 * i] = digits[bin[i] >> 4];
		ret_hex[2 * i + 1] = digits[bin[i] & 15];
	}
	ret_hex[2 * len] = '\0';
}

int proto_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int proto_unhex(const char *hex, uint8_t *ret_bin, size_t len)
{
	if (strlen(hex) != 2 * len)
		return MAILLE_EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = proto_hexval(hex[2 * i]), lo = proto_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return MAILLE_EINVAL;
		ret_bin[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
