/* proto/value.c: canonical msgpack values (PROTOCOL.md §1.2).
 *
 * The decoder is a bounded cursor: every length is checked against the bytes left before
 * anything is read or allocated, and a container announcing n items is allocated only once n is
 * known to be at most the bytes left (every item takes at least one byte) and at most the nodes
 * left in PROTO_VALUE_NODES_MAX. msgpack-c's own unpacker is not used on outside bytes: it
 * allocates from announced counts and accepts non-canonical forms. */
#include "value.h"

#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "limits.h"

/* ---- arena ------------------------------------------------------------------------------ */

struct proto_arena_chunk {
	proto_arena_chunk *next;
	size_t cap, used;
	/* data follows, 16-byte aligned */
	_Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK_MIN 4096u

void proto_arena_init(proto_arena *a, size_t budget)
{
	a->head = NULL;
	a->total = 0;
	a->budget = budget;
}

void proto_arena_done(proto_arena *a)
{
	proto_arena_chunk *c = a->head;
	while (c) {
		proto_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

void *proto_arena_alloc(proto_arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + 15u) & ~(size_t)15u;
	if (a->budget && (n > a->budget || a->total > a->budget - n))
		return NULL;
	proto_arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK_MIN ? n : ARENA_CHUNK_MIN;
		if (c && c->cap * 2 > cap && c->cap < 1024u * 1024u)
			cap = c->cap * 2; /* grow chunks geometrically for big trees */
		/* zeroed once here (calloc knows fresh pages are zero already) rather than at each
		 * allocation: a chunk's bytes are handed out once */
		c = calloc(1, sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	a->total += n;
	return p;
}

char *proto_arena_strndup(proto_arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = proto_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* ---- UTF-8 ------------------------------------------------------------------------------ */

size_t proto_utf8_next(const uint8_t *s, size_t len, uint32_t *ret_cp)
{
	if (len == 0)
		return 0;
	uint8_t c = s[0];
	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	size_t n;
	uint32_t cp, min;
	if ((c & 0xe0) == 0xc0)
		n = 2, cp = c & 0x1fu, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 3, cp = c & 0x0fu, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 4, cp = c & 0x07u, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3fu);
	}
	/* overlong forms (C0, C1, E0 80.., F0 80..) fall under min, F5..F7 above U+10FFFF */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return n;
}

bool proto_utf8_valid(const uint8_t *s, size_t len)
{
	uint32_t cp;
	size_t i = 0;
	while (i < len) {
		/* runs of ASCII, most of any text, eight bytes at a time */
		uint64_t w;
		while (len - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0))
			i += 8;
		if (i == len)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = proto_utf8_next(s + i, len - i, &cp);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

size_t proto_utf8_len(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((uint8_t)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int proto_text_check(const char *s, size_t len, bool multiline, uint32_t *ret_cp)
{
	const uint8_t *u = (const uint8_t *)s;
	if (!proto_utf8_valid(u, len))
		return MAILLE_EUTF8;
	for (size_t i = 0; i < len; i++) {
		uint32_t cp = u[i];
		/* in valid UTF-8, 0xC2 is always a lead byte: C2 80..C2 9F are exactly the C1 */
		if (u[i] == 0xc2 && u[i + 1] < 0xa0)
			cp = u[i + 1];
		else if (u[i] >= 0x20 && u[i] != 0x7f)
			continue;
		else if (multiline && (cp == '\n' || cp == '\t'))
			continue;
		if (ret_cp)
			*ret_cp = cp;
		return MAILLE_EINVAL;
	}
	return 0;
}

/* ---- decoding --------------------------------------------------------------------------- */

typedef struct cursor {
	const uint8_t *p, *end;
	size_t nodes; /* values decoded so far */
	proto_arena *arena; /* NULL: check only */
} cursor;

static int cur_take(cursor *c, size_t n, const uint8_t **ret)
{
	if ((size_t)(c->end - c->p) < n)
		return MAILLE_EPROTO; /* truncated */
	*ret = c->p;
	c->p += n;
	return 0;
}

static uint64_t be_read(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Reads a big-endian length of n bytes and checks it is the minimal header for its value:
 * a length that would fit the smaller form `min` (exclusive lower bound) is non-canonical. */
static int cur_len(cursor *c, size_t n, uint64_t min, uint64_t *ret)
{
	const uint8_t *p;
	int r = cur_take(c, n, &p);
	if (r)
		return r;
	uint64_t v = be_read(p, n);
	if (v < min)
		return MAILLE_ENONCANON;
	*ret = v;
	return 0;
}

static size_t cur_left(const cursor *c)
{
	return (size_t)(c->end - c->p);
}

/* Encoded bytes of a string key for ordering (header + bytes), compared as msgpack does. */
static size_t key_header(size_t len, uint8_t hdr[3])
{
	if (len < 32) {
		hdr[0] = (uint8_t)(0xa0 | len);
		return 1;
	}
	if (len < 256) {
		hdr[0] = 0xd9;
		hdr[1] = (uint8_t)len;
		return 2;
	}
	hdr[0] = 0xda;
	hdr[1] = (uint8_t)(len >> 8);
	hdr[2] = (uint8_t)len;
	return 3;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	uint8_t ha[3], hb[3];
	size_t na = key_header(alen, ha), nb = key_header(blen, hb);
	uint8_t ea[3 + PROTO_MAP_KEY_MAX + 1], eb[3 + PROTO_MAP_KEY_MAX + 1];
	/* Keys are bounded by PROTO_MAP_KEY_MAX before they are compared. */
	memcpy(ea, ha, na);
	memcpy(ea + na, a, alen);
	memcpy(eb, hb, nb);
	memcpy(eb + nb, b, blen);
	size_t la = na + alen, lb = nb + blen;
	int r = memcmp(ea, eb, la < lb ? la : lb);
	if (r)
		return r;
	return la < lb ? -1 : la > lb;
}

static int parse_value(cursor *c, unsigned depth, proto_value *out);

static int parse_str(cursor *c, uint64_t len, const char **ret, size_t *ret_len)
{
	if (len > cur_left(c))
		return MAILLE_EPROTO;
	const uint8_t *p = c->p;
	c->p += len;
	if (memchr(p, 0, (size_t)len))
		return MAILLE_EUTF8; /* NUL is valid UTF-8 but never valid text in a record */
	if (!proto_utf8_valid(p, (size_t)len))
		return MAILLE_EUTF8;
	*ret_len = (size_t)len;
	if (c->arena) {
		char *s = proto_arena_strndup(c->arena, (const char *)p, (size_t)len);
		if (!s)
			return MAILLE_ENOMEM;
		*ret = s;
	} else {
		*ret = (const char *)p;
	}
	return 0;
}

static int parse_array(cursor *c, unsigned depth, uint64_t n, proto_value *out)
{
	if (n > cur_left(c) || n > PROTO_VALUE_NODES_MAX - c->nodes)
		return n > cur_left(c) ? MAILLE_EPROTO : MAILLE_ETOOBIG;
	proto_value *items = NULL;
	if (c->arena && n) {
		items = proto_arena_alloc(c->arena, (size_t)n * sizeof *items);
		if (!items)
			return MAILLE_ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++) {
		proto_value tmp;
		int r = parse_value(c, depth + 1, items ? &items[i] : &tmp);
		if (r)
			return r;
	}
	out->type = PROTO_V_ARRAY;
	out->u.arr.items = items;
	out->u.arr.n = out->u.arr.cap = (size_t)n;
	return 0;
}

static int parse_map(cursor *c, unsigned depth, uint64_t n, proto_value *out)
{
	/* each pair takes at least two bytes */
	if (n > cur_left(c) / 2)
		return MAILLE_EPROTO;
	if (n > (PROTO_VALUE_NODES_MAX - c->nodes) / 2)
		return MAILLE_ETOOBIG;
	proto_kv *items = NULL;
	if (c->arena && n) {
		items = proto_arena_alloc(c->arena, (size_t)n * sizeof *items);
		if (!items)
			return MAILLE_ENOMEM;
	}
	const char *prev = NULL;
	size_t prev_len = 0;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *h;
		int r = cur_take(c, 1, &h);
		if (r)
			return r;
		uint64_t klen;
		if ((*h & 0xe0) == 0xa0) {
			klen = *h & 0x1f;
		} else if (*h == 0xd9) {
			r = cur_len(c, 1, 32, &klen);
		} else if (*h == 0xda) {
			r = cur_len(c, 2, 256, &klen);
		} else if (*h == 0xdb) {
			r = cur_len(c, 4, 65536, &klen);
		} else {
			return MAILLE_EPROTO; /* keys are strings */
		}
		if (r)
			return r;
		if (klen > PROTO_MAP_KEY_MAX)
			return MAILLE_ETOOBIG;
		const char *k;
		size_t kl;
		r = parse_str(c, klen, &k, &kl);
		if (r)
			return r;
		if (prev && key_cmp(prev, prev_len, k, kl) >= 0)
			return MAILLE_ENONCANON; /* unsorted or duplicate key */
		prev = k;
		prev_len = kl;
		c->nodes++;
		proto_value tmp;
		r = parse_value(c, depth + 1, items ? &items[i].val : &tmp);
		if (r)
			return r;
		if (items) {
			items[i].key = k;
			items[i].key_len = kl;
		}
	}
	out->type = PROTO_V_MAP;
	out->u.map.items = items;
	out->u.map.n = out->u.map.cap = (size_t)n;
	return 0;
}

/* bin8, bin16, bin32 (tag b, 0xc4-0xc6): the length in the smallest form that holds it,
 * then the bytes, copied into the arena when the cursor has one. */
static int parse_bin(cursor *c, uint8_t b, proto_value *out)
{
	static const uint64_t mins[] = {0, 256, 65536};
	static const size_t sizes[] = {1, 2, 4};
	uint64_t n;
	int r = cur_len(c, sizes[b - 0xc4], mins[b - 0xc4], &n);
	if (r)
		return r;
	if (n > cur_left(c))
		return MAILLE_EPROTO;
	const uint8_t *p = c->p;
	c->p += n;
	out->type = PROTO_V_BIN;
	out->u.bin.len = (size_t)n;
	if (c->arena) {
		uint8_t *copy = proto_arena_alloc(c->arena, (size_t)n);
		if (!copy)
			return MAILLE_ENOMEM;
		if (n)
			memcpy(copy, p, (size_t)n);
		out->u.bin.ptr = copy;
	} else {
		out->u.bin.ptr = p;
	}
	return 0;
}

/* int8, int16, int32, int64 (tag b, 0xd0-0xd3): only for a negative value too small for
 * the next-smaller form. */
static int parse_signed(cursor *c, uint8_t b, proto_value *out)
{
	static const size_t sizes[] = {1, 2, 4, 8};
	/* the smallest value the next-smaller signed form cannot hold */
	static const int64_t lows[] = {-32, INT8_MIN, INT16_MIN, INT32_MIN};
	size_t sz = sizes[b - 0xd0];
	const uint8_t *p;
	int r = cur_take(c, sz, &p);
	if (r)
		return r;
	uint64_t u = be_read(p, sz);
	int64_t v;
	if (sz == 1)
		v = (int8_t)u;
	else if (sz == 2)
		v = (int16_t)u;
	else if (sz == 4)
		v = (int32_t)u;
	else
		memcpy(&v, &u, sizeof v);
	/* non-negative values must use the unsigned forms; negatives the smallest form */
	if (v >= lows[b - 0xd0])
		return MAILLE_ENONCANON;
	out->type = PROTO_V_INT;
	out->u.i = v;
	return 0;
}

static int parse_value(cursor *c, unsigned depth, proto_value *out)
{
	if (depth > PROTO_VALUE_DEPTH_MAX)
		return MAILLE_ETOOBIG;
	if (++c->nodes > PROTO_VALUE_NODES_MAX)
		return MAILLE_ETOOBIG;
	const uint8_t *h, *p;
	int r = cur_take(c, 1, &h);
	if (r)
		return r;
	uint8_t b = *h;
	uint64_t n;
	memset(out, 0, sizeof *out);

	if (b <= 0x7f) {
		out->type = PROTO_V_INT;
		out->u.i = b;
		return 0;
	}
	if (b >= 0xe0) {
		out->type = PROTO_V_INT;
		out->u.i = (int8_t)b;
		return 0;
	}
	if ((b & 0xf0) == 0x80)
		return parse_map(c, depth, b & 0x0f, out);
	if ((b & 0xf0) == 0x90)
		return parse_array(c, depth, b & 0x0f, out);
	if ((b & 0xe0) == 0xa0) {
		out->type = PROTO_V_STR;
		return parse_str(c, b & 0x1f, &out->u.str.ptr, &out->u.str.len);
	}
	switch (b) {
	case 0xc0:
		out->type = PROTO_V_NIL;
		return 0;
	case 0xc2:
	case 0xc3:
		out->type = PROTO_V_BOOL;
		out->u.b = b == 0xc3;
		return 0;
	case 0xc4: /* bin8: any length is minimal, even 0 (there is no fixbin) */
	case 0xc5:
	case 0xc6:
		return parse_bin(c, b, out);
	case 0xca:
		return MAILLE_ENONCANON; /* float32: floats are always float64 */
	case 0xcb: {
		r = cur_take(c, 8, &p);
		if (r)
			return r;
		uint64_t bits = be_read(p, 8);
		double d;
		memcpy(&d, &bits, sizeof d);
		if (isnan(d))
			return MAILLE_ENONCANON; /* NaN has many encodings */
		out->type = PROTO_V_FLOAT;
		out->u.f = d;
		return 0;
	}
	case 0xcc:
	case 0xcd:
	case 0xce:
	case 0xcf: {
		static const uint64_t mins[] = {0x80, 0x100, 0x10000, 0x100000000ull};
		static const size_t sizes[] = {1, 2, 4, 8};
		r = cur_len(c, sizes[b - 0xcc], mins[b - 0xcc], &n);
		if (r)
			return r;
		if (n > (uint64_t)INT64_MAX)
			return MAILLE_ETOOBIG;
		out->type = PROTO_V_INT;
		out->u.i = (int64_t)n;
		return 0;
	}
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3:
		return parse_signed(c, b, out);
	case 0xd9:
	case 0xda:
	case 0xdb: {
		static const uint64_t mins[] = {32, 256, 65536};
		static const size_t sizes[] = {1, 2, 4};
		r = cur_len(c, sizes[b - 0xd9], mins[b - 0xd9], &n);
		if (r)
			return r;
		out->type = PROTO_V_STR;
		return parse_str(c, n, &out->u.str.ptr, &out->u.str.len);
	}
	case 0xdc:
	case 0xdd:
		r = cur_len(c, b == 0xdc ? 2 : 4, b == 0xdc ? 16 : 65536, &n);
		if (r)
			return r;
		return parse_array(c, depth, n, out);
	case 0xde:
	case 0xdf:
		r = cur_len(c, b == 0xde ? 2 : 4, b == 0xde ? 16 : 65536, &n);
		if (r)
			return r;
		return parse_map(c, depth, n, out);
	default:
		return MAILLE_EPROTO; /* 0xc1 (never used) and the ext types */
	}
}

int proto_value_decode(const uint8_t *buf, size_t len, proto_arena *a, proto_value **ret)
{
	proto_value *v = proto_arena_alloc(a, sizeof *v);
	if (!v)
		return MAILLE_ENOMEM;
	cursor c = {.p = buf, .end = buf + len, .nodes = 0, .arena = a};
	int r = parse_value(&c, 0, v);
	if (r)
		return r;
	if (c.p != c.end)
		return MAILLE_EPROTO; /* trailing bytes */
	*ret = v;
	return 0;
}

int proto_value_check(const uint8_t *buf, size_t len)
{
	cursor c = {.p = buf, .end = buf + len, .nodes = 0, .arena = NULL};
	proto_value v;
	int r = parse_value(&c, 0, &v);
	if (r)
		return r;
	return c.p == c.end ? 0 : MAILLE_EPROTO;
}

/* Used by entry.c: checks one value at the cursor and advances past it. */
int proto_value_skip_(const uint8_t **p, const uint8_t *end);
int proto_value_skip_(const uint8_t **p, const uint8_t *end)
{
	cursor c = {.p = *p, .end = end, .nodes = 0, .arena = NULL};
	proto_value v;
	int r = parse_value(&c, 0, &v);
	if (r)
		return r;
	*p = c.p;
	return 0;
}

/* ---- encoding --------------------------------------------------------------------------- */

typedef struct encoder {
	msgpack_packer pk;
	msgpack_sbuffer sb;
	size_t max_len;
} encoder;

static int kv_cmp(const void *a, const void *b)
{
	const proto_kv *x = *(const proto_kv *const *)a, *y = *(const proto_kv *const *)b;
	return key_cmp(x->key, x->key_len, y->key, y->key_len);
}

static int enc_value(encoder *e, const proto_value *v, unsigned depth)
{
	if (depth > PROTO_VALUE_DEPTH_MAX)
		return MAILLE_ETOOBIG;
	if (e->sb.size > e->max_len)
		return MAILLE_ETOOBIG;
	int r = 0;
	switch (v->type) {
	case PROTO_V_NIL:
		r = msgpack_pack_nil(&e->pk);
		break;
	case PROTO_V_BOOL:
		r = v->u.b ? msgpack_pack_true(&e->pk) : msgpack_pack_false(&e->pk);
		break;
	case PROTO_V_INT:
		/* msgpack-c picks the smallest form, and unsigned forms for non-negatives */
		r = msgpack_pack_int64(&e->pk, v->u.i);
		break;
	case PROTO_V_FLOAT:
		if (isnan(v->u.f))
			return MAILLE_EINVAL;
		r = msgpack_pack_double(&e->pk, v->u.f);
		break;
	case PROTO_V_STR:
		if (v->u.str.len > UINT32_MAX || memchr(v->u.str.ptr, 0, v->u.str.len) ||
		    !proto_utf8_valid((const uint8_t *)v->u.str.ptr, v->u.str.len))
			return MAILLE_EUTF8;
		r = msgpack_pack_str(&e->pk, v->u.str.len);
		if (!r)
			r = msgpack_pack_str_body(&e->pk, v->u.str.ptr, v->u.str.len);
		break;
	case PROTO_V_BIN:
		if (v->u.bin.len > UINT32_MAX)
			return MAILLE_ETOOBIG;
		r = msgpack_pack_bin(&e->pk, v->u.bin.len);
		if (!r)
			r = msgpack_pack_bin_body(&e->pk, v->u.bin.ptr, v->u.bin.len);
		break;
	case PROTO_V_ARRAY:
		if (v->u.arr.n > UINT32_MAX)
			return MAILLE_ETOOBIG;
		r = msgpack_pack_array(&e->pk, v->u.arr.n);
		for (size_t i = 0; !r && i < v->u.arr.n; i++) {
			int rr = enc_value(e, &v->u.arr.items[i], depth + 1);
			if (rr)
				return rr;
		}
		break;
	case PROTO_V_MAP: {
		size_t n = v->u.map.n;
		if (n > UINT32_MAX)
			return MAILLE_ETOOBIG;
		const proto_kv **sorted = NULL;
		if (n) {
			sorted = malloc(n * sizeof *sorted);
			if (!sorted)
				return MAILLE_ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			const proto_kv *kv = &v->u.map.items[i];
			if (kv->key_len > PROTO_MAP_KEY_MAX) {
				free(sorted);
				return MAILLE_ETOOBIG;
			}
			sorted[i] = kv;
		}
		if (n > 1)
			qsort(sorted, n, sizeof *sorted, kv_cmp);
		int rr = 0;
		for (size_t i = 1; i < n && !rr; i++)
			if (key_cmp(sorted[i - 1]->key, sorted[i - 1]->key_len, sorted[i]->key,
			            sorted[i]->key_len) == 0)
				rr = MAILLE_EINVAL; /* duplicate key */
		if (!rr)
			r = msgpack_pack_map(&e->pk, n);
		for (size_t i = 0; !rr && !r && i < n; i++) {
			const proto_kv *kv = sorted[i];
			if (memchr(kv->key, 0, kv->key_len) ||
			    !proto_utf8_valid((const uint8_t *)kv->key, kv->key_len)) {
				rr = MAILLE_EUTF8;
				break;
			}
			r = msgpack_pack_str(&e->pk, kv->key_len);
			if (!r)
				r = msgpack_pack_str_body(&e->pk, kv->key, kv->key_len);
			if (!r)
				rr = enc_value(e, &kv->val, depth + 1);
		}
		free(sorted);
		if (rr)
			return rr;
		break;
	}
	default:
		return MAILLE_EINVAL;
	}
	return r ? MAILLE_ENOMEM : 0;
}

int proto_value_encode(const proto_value *v, size_t max_len, uint8_t **ret_buf, size_t *ret_len)
{
	encoder e;
	msgpack_sbuffer_init(&e.sb);
	msgpack_packer_init(&e.pk, &e.sb, msgpack_sbuffer_write);
	e.max_len = max_len;
	int r = enc_value(&e, v, 0);
	if (!r && e.sb.size > max_len)
		r = MAILLE_ETOOBIG;
	if (r) {
		msgpack_sbuffer_destroy(&e.sb);
		return r;
	}
	if (e.sb.size == 0) { /* cannot happen: every value packs at least one byte */
		msgpack_sbuffer_destroy(&e.sb);
		return MAILLE_EINVAL;
	}
	/* copied out at its size: the packer's buffer starts at 8 KiB, and a caller keeping
	 * thousands of bodies (an import) would hold five times their bytes */
	uint8_t *buf = malloc(e.sb.size);
	if (!buf) {
		msgpack_sbuffer_destroy(&e.sb);
		return MAILLE_ENOMEM;
	}
	memcpy(buf, e.sb.data, e.sb.size);
	*ret_len = e.sb.size;
	*ret_buf = buf;
	msgpack_sbuffer_destroy(&e.sb);
	return 0;
}

/* ---- building --------------------------------------------------------------------------- */

proto_value *proto_value_new(proto_arena *a, proto_vtype t)
{
	proto_value *v = proto_arena_alloc(a, sizeof *v);
	if (v)
		v->type = t;
	return v;
}

proto_value *proto_value_new_str(proto_arena *a, const char *s, size_t len)
{
	proto_value *v = proto_value_new(a, PROTO_V_STR);
	if (!v)
		return NULL;
	char *copy = proto_arena_strndup(a, s, len);
	if (!copy)
		return NULL;
	v->u.str.ptr = copy;
	v->u.str.len = len;
	return v;
}

/* A copy in a of old's n elements of elem bytes, in room for twice as many as *cap (first
 * when *cap is 0), *cap set to that; NULL, *cap untouched, when the arena refuses. The old
 * array stays in the arena until the arena is freed whole. */
static void *value_items_grow(proto_arena *a, const void *old, size_t n, size_t *cap,
                              size_t first, size_t elem)
{
	size_t c = *cap ? *cap * 2 : first;
	void *items = c > SIZE_MAX / elem ? NULL : proto_arena_alloc(a, c * elem);
	if (!items)
		return NULL;
	if (n)
		memcpy(items, old, n * elem);
	*cap = c;
	return items;
}

proto_value *proto_value_array_push(proto_arena *a, proto_value *arr)
{
	if (arr->type != PROTO_V_ARRAY)
		return NULL;
	if (arr->u.arr.n == arr->u.arr.cap) {
		proto_value *items = value_items_grow(a, arr->u.arr.items, arr->u.arr.n,
		                                      &arr->u.arr.cap, 4, sizeof *items);
		if (!items)
			return NULL;
		arr->u.arr.items = items;
	}
	proto_value *slot = &arr->u.arr.items[arr->u.arr.n++];
	memset(slot, 0, sizeof *slot);
	slot->type = PROTO_V_NIL;
	return slot;
}

proto_value *proto_value_map_put(proto_arena *a, proto_value *map, const char *key, size_t key_len)
{
	if (map->type != PROTO_V_MAP)
		return NULL;
	for (size_t i = 0; i < map->u.map.n; i++) {
		proto_kv *kv = &map->u.map.items[i];
		if (kv->key_len == key_len && memcmp(kv->key, key, key_len) == 0) {
			memset(&kv->val, 0, sizeof kv->val);
			kv->val.type = PROTO_V_NIL;
			return &kv->val;
		}
	}
	return proto_value_map_append(a, map, key, key_len);
}

proto_value *proto_value_map_append(proto_arena *a, proto_value *map, const char *key,
                                    size_t key_len)
{
	if (map->type != PROTO_V_MAP)
		return NULL;
	if (map->u.map.n == map->u.map.cap) {
		proto_kv *items = value_items_grow(a, map->u.map.items, map->u.map.n,
		                                   &map->u.map.cap, 8, sizeof *items);
		if (!items)
			return NULL;
		map->u.map.items = items;
	}
	char *k = proto_arena_strndup(a, key, key_len);
	if (!k)
		return NULL;
	proto_kv *kv = &map->u.map.items[map->u.map.n++];
	memset(kv, 0, sizeof *kv);
	kv->key = k;
	kv->key_len = key_len;
	kv->val.type = PROTO_V_NIL;
	return &kv->val;
}

void proto_value_map_del(proto_value *map, const char *key)
{
	if (!map || map->type != PROTO_V_MAP)
		return;
	size_t klen = strlen(key);
	for (size_t i = 0; i < map->u.map.n; i++) {
		proto_kv *kv = &map->u.map.items[i];
		if (kv->key_len == klen && memcmp(kv->key, key, klen) == 0) {
			memmove(kv, kv + 1, (map->u.map.n - i - 1) * sizeof *kv);
			map->u.map.n--;
			return;
		}
	}
}

const proto_value *proto_map_get(const proto_value *map, const char *key)
{
	if (!map || map->type != PROTO_V_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < map->u.map.n; i++) {
		const proto_kv *kv = &map->u.map.items[i];
		if (kv->key_len == klen && memcmp(kv->key, key, klen) == 0)
			return &kv->val;
	}
	return NULL;
}

static bool lang_tag(const char *k, size_t len)
{
	size_t i = 0;
	while (i < len && k[i] >= 'a' && k[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return false;
	for (; i < len; i++)
		if (!(k[i] == '-' || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9')))
			return false;
	return true;
}

bool proto_langmap_is(const proto_value *v)
{
	if (!v || v->type != PROTO_V_MAP || v->u.map.n == 0)
		return false;
	for (size_t i = 0; i < v->u.map.n; i++)
		if (v->u.map.items[i].val.type != PROTO_V_STR ||
		    !lang_tag(v->u.map.items[i].key, v->u.map.items[i].key_len))
			return false;
	return true;
}

const char *proto_langmap_pick(const proto_value *v, const char *lang)
{
	if (!v)
		return NULL;
	if (v->type == PROTO_V_STR)
		return v->u.str.ptr;
	if (v->type != PROTO_V_MAP)
		return NULL;
	const char *prefs[] = {lang, "fr", "en"};
	for (size_t k = 0; k < 3; k++) {
		if (!prefs[k])
			continue;
		const proto_value *s = proto_map_get(v, prefs[k]);
		if (s && s->type == PROTO_V_STR)
			return s->u.str.ptr;
	}
	for (size_t i = 0; i < v->u.map.n; i++)
		if (v->u.map.items[i].val.type == PROTO_V_STR)
			return v->u.map.items[i].val.u.str.ptr;
	return NULL;
}
