/* proto/sync.c: the session messages of synchronisation (PROTOCOL.md §3.5). See sync.h.
 *
 * The decoder is a small cursor of its own rather than proto_value_decode(): that one copies
 * every bin into an arena and builds a tree, which would mean an allocation and a second copy
 * of up to a megabyte of entries per message, where these messages have a fixed shape and
 * their bins only need to be borrowed. The cursor reads exactly the headers each shape allows
 * and applies the canonical rules of §1.2 to each (shortest int, bin and array headers,
 * non-negative ints in the unsigned forms, no trailing bytes), so that anything it accepts is
 * also accepted by proto_value_check() and re-encodes to the same bytes. Every length is
 * checked against the bytes left before it is used. */
#include "sync.h"

#include <string.h>

#include "error.h"

/* ---- sizes and writers ---------------------------------------------------------------------- */

/* Bytes of the shortest msgpack header of a bin of len bytes (bin8 has no fix form). */
static size_t bin_hdr_size(size_t len)
{
	return len < 256u ? 2u : len < 65536u ? 3u : 5u;
}

size_t proto_sync_entry_size(size_t raw_len)
{
	/* saturates: a caller summing sizes must see "too big", never a wrapped small number */
	return raw_len > SIZE_MAX - 5u ? SIZE_MAX : bin_hdr_size(raw_len) + raw_len;
}

size_t proto_sync_entries_size(const size_t *lens, size_t n)
{
	size_t total = PROTO_ENTRIES_OVERHEAD;
	for (size_t i = 0; i < n; i++) {
		size_t s = proto_sync_entry_size(lens[i]);
		if (s > SIZE_MAX - total)
			return SIZE_MAX;
		total += s;
	}
	return total;
}

static size_t uint_size(uint64_t v)
{
	if (v < 128u)
		return 1;
	return v <= UINT8_MAX ? 2u : v <= UINT16_MAX ? 3u : v <= UINT32_MAX ? 5u : 9u;
}

static size_t array_hdr_size(size_t n)
{
	return n < 16u ? 1u : n <= UINT16_MAX ? 3u : 5u;
}

static uint8_t *put_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8u * (n - 1u - i)));
	return p + n;
}

/* Shortest form of a non-negative int (§1.2 rule 1). */
static uint8_t *put_uint(uint8_t *p, uint64_t v)
{
	if (v < 128u) {
		*p = (uint8_t)v;
		return p + 1;
	}
	if (v <= UINT8_MAX) {
		*p = 0xcc;
		return put_be(p + 1, v, 1);
	}
	if (v <= UINT16_MAX) {
		*p = 0xcd;
		return put_be(p + 1, v, 2);
	}
	if (v <= UINT32_MAX) {
		*p = 0xce;
		return put_be(p + 1, v, 4);
	}
	*p = 0xcf;
	return put_be(p + 1, v, 8);
}

static uint8_t *put_array_hdr(uint8_t *p, size_t n)
{
	if (n < 16u) {
		*p = (uint8_t)(0x90u | n);
		return p + 1;
	}
	if (n <= UINT16_MAX) {
		*p = 0xdc;
		return put_be(p + 1, n, 2);
	}
	*p = 0xdd;
	return put_be(p + 1, n, 4);
}

static uint8_t *put_bin(uint8_t *p, const uint8_t *data, size_t len)
{
	if (len < 256u) {
		*p = 0xc4;
		p = put_be(p + 1, len, 1);
	} else if (len < 65536u) {
		*p = 0xc5;
		p = put_be(p + 1, len, 2);
	} else {
		*p = 0xc6;
		p = put_be(p + 1, len, 4);
	}
	if (len)
		memcpy(p, data, len);
	return p + len;
}

/* ---- cursor ---------------------------------------------------------------------------------- */

typedef struct rd {
	const uint8_t *p, *end;
} rd;

static size_t rd_left(const rd *c)
{
	return (size_t)(c->end - c->p);
}

/* Reads an n-byte big-endian number; MAILLE_EPROTO if truncated. */
static int rd_be(rd *c, size_t n, uint64_t *ret)
{
	if (rd_left(c) < n)
		return MAILLE_EPROTO;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | c->p[i];
	c->p += n;
	*ret = v;
	return 0;
}

/* A length or value in a header of n bytes that must not fit the smaller form: `min` is the
 * smallest value that needs this one. */
static int rd_min(rd *c, size_t n, uint64_t min, uint64_t *ret)
{
	int r = rd_be(c, n, ret);
	if (r)
		return r;
	return *ret < min ? MAILLE_ENONCANON : 0;
}

static int rd_hdr(rd *c, uint8_t *ret)
{
	if (rd_left(c) < 1)
		return MAILLE_EPROTO;
	*ret = *c->p++;
	return 0;
}

/* A non-negative int, at most INT64_MAX (§1.2: integers lie in the int64 range). A negative
 * int is malformed here (EPROTO); a non-negative one in a signed form is ENONCANON, as is any
 * form longer than needed. */
static int rd_uint(rd *c, uint64_t *ret)
{
	uint8_t b;
	int r = rd_hdr(c, &b);
	if (r)
		return r;
	if (b <= 0x7f) {
		*ret = b;
		return 0;
	}
	if (b >= 0xcc && b <= 0xcf) {
		static const size_t sizes[] = {1, 2, 4, 8};
		static const uint64_t mins[] = {0x80, 0x100, 0x10000, 0x100000000ull};
		r = rd_min(c, sizes[b - 0xcc], mins[b - 0xcc], ret);
		if (!r && *ret > (uint64_t)INT64_MAX)
			r = MAILLE_ETOOBIG;
		return r;
	}
	if (b >= 0xd0 && b <= 0xd3) {
		static const size_t sizes[] = {1, 2, 4, 8};
		size_t n = sizes[b - 0xd0];
		uint64_t u;
		r = rd_be(c, n, &u);
		if (r)
			return r;
		/* the sign bit of the n-byte value */
		return (u >> (8u * n - 1u)) & 1u ? MAILLE_EPROTO : MAILLE_ENONCANON;
	}
	return MAILLE_EPROTO; /* negative fixint, or not an int */
}

static int rd_array(rd *c, uint64_t *ret)
{
	uint8_t b;
	int r = rd_hdr(c, &b);
	if (r)
		return r;
	if ((b & 0xf0) == 0x90) {
		*ret = b & 0x0fu;
		return 0;
	}
	if (b == 0xdc)
		return rd_min(c, 2, 16, ret);
	if (b == 0xdd)
		return rd_min(c, 4, 65536, ret);
	return MAILLE_EPROTO;
}

/* A bin whose bytes are all present; *ret_p points into the input. */
static int rd_bin(rd *c, const uint8_t **ret_p, size_t *ret_len)
{
	uint8_t b;
	int r = rd_hdr(c, &b);
	if (r)
		return r;
	uint64_t n;
	if (b == 0xc4)
		r = rd_be(c, 1, &n); /* bin8 is minimal for every length below 256, 0 included */
	else if (b == 0xc5)
		r = rd_min(c, 2, 256, &n);
	else if (b == 0xc6)
		r = rd_min(c, 4, 65536, &n);
	else
		r = MAILLE_EPROTO;
	if (r)
		return r;
	if (n > rd_left(c))
		return MAILLE_EPROTO; /* truncated */
	*ret_p = c->p;
	*ret_len = (size_t)n;
	c->p += n;
	return 0;
}

/* ---- decoding -------------------------------------------------------------------------------- */

static int decode_body(rd *c, uint64_t n_elems, proto_sync_msg *m)
{
	uint64_t u;
	int r;
	switch (m->type) {
	case PROTO_SESS_RECON:
		if (n_elems != 3)
			return MAILLE_EPROTO;
		r = rd_uint(c, &u);
		if (r)
			return r;
		if (u > PROTO_RECON_CLOSE)
			return MAILLE_EPROTO; /* unknown kind */
		m->recon_kind = (uint32_t)u;
		r = rd_bin(c, &m->data, &m->data_len);
		if (r)
			return r;
		if (m->data_len > RBSR_MSG_MAX)
			return MAILLE_ETOOBIG;
		/* CLOSE carries nothing; every other kind carries a Negentropy message */
		if ((m->recon_kind == PROTO_RECON_CLOSE) != (m->data_len == 0))
			return MAILLE_EPROTO;
		return 0;
	case PROTO_SESS_WANT: {
		if (n_elems != 2)
			return MAILLE_EPROTO;
		size_t len;
		r = rd_bin(c, &m->ids, &len);
		if (r)
			return r;
		if (len == 0 || len % RBSR_ID_LEN != 0)
			return MAILLE_EPROTO;
		if (len / RBSR_ID_LEN > PROTO_WANT_IDS_MAX)
			return MAILLE_ETOOBIG;
		m->n_ids = len / RBSR_ID_LEN;
		return 0;
	}
	case PROTO_SESS_ENTRIES:
		if (n_elems != 2)
			return MAILLE_EPROTO;
		r = rd_array(c, &u);
		if (r)
			return r;
		if (u == 0)
			return MAILLE_EPROTO;
		if (u > PROTO_ENTRIES_MAX)
			return MAILLE_ETOOBIG;
		m->entries_at = c->p;
		/* every element consumes at least 2 bytes, so this loop is bounded by the input */
		for (uint64_t i = 0; i < u; i++) {
			const uint8_t *raw;
			size_t len;
			r = rd_bin(c, &raw, &len);
			if (r)
				return r;
			if (len == 0)
				return MAILLE_EPROTO;
			if (len > PROTO_ENTRY_MAX)
				return MAILLE_ETOOBIG;
		}
		m->entries_end = c->p;
		m->n_entries = (size_t)u;
		return 0;
	case PROTO_SESS_MARK:
	case PROTO_SESS_MARK_ACK:
		if (n_elems != 2)
			return MAILLE_EPROTO;
		return rd_uint(c, &m->mark);
	case PROTO_SESS_REDEEM: {
		if (n_elems != 3)
			return MAILLE_EPROTO;
		size_t len;
		r = rd_bin(c, &m->secret, &len);
		if (r)
			return r;
		if (len != PROTO_REDEEM_SECRET_LEN)
			return MAILLE_EPROTO;
		return rd_uint(c, &m->flags);
	}
	case PROTO_SESS_REDEEMED:
		if (n_elems != 2)
			return MAILLE_EPROTO;
		return rd_uint(c, &m->result);
	default:
		return MAILLE_EINVAL;
	}
}

int proto_sync_decode(const uint8_t *msg, size_t len, proto_sync_msg *ret)
{
	if (len == 0)
		return MAILLE_EPROTO; /* also keeps msg + len off a possible NULL */
	if (len > PROTO_SESSION_MSG_MAX)
		return MAILLE_ETOOBIG;
	rd c = {msg, msg + len};
	proto_sync_msg m;
	memset(&m, 0, sizeof m);
	uint64_t n_elems, type;
	int r = rd_array(&c, &n_elems);
	if (r)
		return r;
	if (n_elems == 0)
		return MAILLE_EPROTO;
	r = rd_uint(&c, &type);
	if (r)
		return r;
	if (type < PROTO_SESS_RECON || type > PROTO_SESS_REDEEMED)
		return MAILLE_EINVAL; /* PING, PONG, BYE or a newer peer's type: not ours */
	m.type = (uint32_t)type;
	r = decode_body(&c, n_elems, &m);
	if (r)
		return r;
	if (c.p != c.end)
		return MAILLE_EPROTO; /* trailing bytes */
	*ret = m;
	return 0;
}

bool proto_sync_entries_next(const proto_sync_msg *m, const uint8_t **it, const uint8_t **ret_raw,
                             size_t *ret_len)
{
	if (m->type != PROTO_SESS_ENTRIES || !m->entries_at || !m->entries_end)
		return false;
	const uint8_t *p = *it ? *it : m->entries_at;
	if (p < m->entries_at || p >= m->entries_end)
		return false;
	/* proto_sync_decode has checked every header; re-checking the bounds costs nothing and
	 * keeps a message filled by hand from walking off its end */
	rd c = {p, m->entries_end};
	const uint8_t *raw;
	size_t len;
	if (rd_bin(&c, &raw, &len) != 0)
		return false;
	*ret_raw = raw;
	*ret_len = len;
	*it = c.p;
	return true;
}

/* ---- encoding -------------------------------------------------------------------------------- */

int proto_sync_encode_recon(uint32_t kind, const uint8_t *data, size_t len, uint8_t *out,
                            size_t cap, size_t *ret_len)
{
	if (kind > PROTO_RECON_CLOSE || len > RBSR_MSG_MAX || (len && !data) ||
	    (kind == PROTO_RECON_CLOSE) != (len == 0))
		return MAILLE_EINVAL;
	size_t size = 1 + uint_size(PROTO_SESS_RECON) + uint_size(kind) + bin_hdr_size(len) + len;
	if (size > cap)
		return MAILLE_ETOOBIG;
	uint8_t *p = put_array_hdr(out, 3);
	p = put_uint(p, PROTO_SESS_RECON);
	p = put_uint(p, kind);
	p = put_bin(p, data, len);
	*ret_len = (size_t)(p - out);
	return 0;
}

int proto_sync_encode_want(const uint8_t *ids, size_t n_ids, uint8_t *out, size_t cap,
                           size_t *ret_len)
{
	if (n_ids == 0 || n_ids > PROTO_WANT_IDS_MAX || !ids)
		return MAILLE_EINVAL;
	size_t len = n_ids * RBSR_ID_LEN;
	size_t size = 1 + uint_size(PROTO_SESS_WANT) + bin_hdr_size(len) + len;
	if (size > cap)
		return MAILLE_ETOOBIG;
	uint8_t *p = put_array_hdr(out, 2);
	p = put_uint(p, PROTO_SESS_WANT);
	p = put_bin(p, ids, len);
	*ret_len = (size_t)(p - out);
	return 0;
}

int proto_sync_encode_entries(const uint8_t *const *raws, const size_t *lens, size_t n,
                              uint8_t *out, size_t cap, size_t *ret_len)
{
	if (n == 0 || n > PROTO_ENTRIES_MAX)
		return MAILLE_EINVAL;
	size_t size = 1 + uint_size(PROTO_SESS_ENTRIES) + array_hdr_size(n);
	for (size_t i = 0; i < n; i++) {
		if (lens[i] == 0 || lens[i] > PROTO_ENTRY_MAX || !raws[i])
			return MAILLE_EINVAL;
		/* bounded: n <= PROTO_ENTRIES_MAX entries of at most PROTO_ENTRY_MAX bytes */
		size += proto_sync_entry_size(lens[i]);
	}
	if (size > PROTO_SESSION_MSG_MAX)
		return MAILLE_EINVAL;
	if (size > cap)
		return MAILLE_ETOOBIG;
	uint8_t *p = put_array_hdr(out, 2);
	p = put_uint(p, PROTO_SESS_ENTRIES);
	p = put_array_hdr(p, n);
	for (size_t i = 0; i < n; i++)
		p = put_bin(p, raws[i], lens[i]);
	*ret_len = (size_t)(p - out);
	return 0;
}

int proto_sync_encode_mark(uint32_t type, uint64_t n, uint8_t *out, size_t cap, size_t *ret_len)
{
	if ((type != PROTO_SESS_MARK && type != PROTO_SESS_MARK_ACK) || n > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	size_t size = 1 + uint_size(type) + uint_size(n);
	if (size > cap)
		return MAILLE_ETOOBIG;
	uint8_t *p = put_array_hdr(out, 2);
	p = put_uint(p, type);
	p = put_uint(p, n);
	*ret_len = (size_t)(p - out);
	return 0;
}

int proto_sync_encode_redeem(const uint8_t secret[PROTO_REDEEM_SECRET_LEN], uint64_t flags,
                             uint8_t *out, size_t cap, size_t *ret_len)
{
	if (flags > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	size_t size = 1 + uint_size(PROTO_SESS_REDEEM) + 2 + PROTO_REDEEM_SECRET_LEN + uint_size(flags);
	if (size > cap)
		return MAILLE_ETOOBIG;
	uint8_t *p = put_array_hdr(out, 3);
	p = put_uint(p, PROTO_SESS_REDEEM);
	p = put_bin(p, secret, PROTO_REDEEM_SECRET_LEN);
	p = put_uint(p, flags);
	*ret_len = (size_t)(p - out);
	return 0;
}

int proto_sync_encode_redeemed(uint64_t result, uint8_t *out, size_t cap, size_t *ret_len)
{
	if (result > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	size_t size = 1 + uint_size(PROTO_SESS_REDEEMED) + uint_size(result);
	if (size > cap)
		return MAILLE_ETOOBIG;
	uint8_t *p = put_array_hdr(out, 2);
	p = put_uint(p, PROTO_SESS_REDEEMED);
	p = put_uint(p, result);
	*ret_len = (size_t)(p - out);
	return 0;
}
