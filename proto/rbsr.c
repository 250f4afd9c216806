/* proto/rbsr.c: range-based set reconciliation, Negentropy protocol v1 (PROTOCOL.md §3).
 * See rbsr.h.
 *
 * Wire format (PROTOCOL.md §3.3): a message is the version byte 0x61 then ranges, each
 * <upper bound> <mode varint> <payload>; a bound is <timestamp varint> <prefix length varint>
 * <id prefix>, the timestamp coded as 0 for infinity or 1 + the delta from the previous
 * timestamp of the same message. The exact choices of the reference implementation (where a
 * split puts its bounds, when the frame limit cuts a message short, what an answer keeps of a
 * range) are reproduced, since two implementations only interoperate byte for byte if they
 * agree on them. */
#include "rbsr.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

enum { MODE_SKIP = 0, MODE_FINGERPRINT = 1, MODE_IDLIST = 2 };

enum { ST_READY = 0, ST_WAITING, ST_DONE, ST_FAILED };

/* The frame limit is checked with this much slack, as in the reference: a range is cut when
 * the output would exceed limit - FRAME_SLACK, which leaves room for the final
 * "infinity, fingerprint" range and for an IdList's header. */
#define FRAME_SLACK 200u

/* Longest encoded bound: a 10-byte timestamp varint, a 1-byte length and a 32-byte prefix. */
#define BOUND_MAX (RBSR_VARINT_MAX + 1u + RBSR_ID_LEN)
/* What one incoming range can add before the frame check: a pending Skip, then either 16
 * fingerprint ranges or an IdList of fewer than RBSR_IDLIST_BELOW ids. */
#define PENDING_MAX                                                                               \
	(BOUND_MAX + 1u + BOUND_MAX + 1u + 1u + (RBSR_IDLIST_BELOW - 1u) * RBSR_ID_LEN +            \
	 RBSR_BUCKETS * (BOUND_MAX + 1u + RBSR_FP_LEN))

typedef struct bound {
	uint64_t ts;
	uint8_t id[RBSR_ID_LEN]; /* the prefix, zero-padded: it compares as a full id */
	size_t len;              /* bytes of the prefix that are sent */
} bound;

typedef struct wbuf {
	uint8_t *p;
	size_t len, cap;
} wbuf;

/* ---- items, sums, fingerprints ---------------------------------------------------------------- */

int rbsr_item_cmp(const rbsr_item *a, const rbsr_item *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return memcmp(a->id, b->id, RBSR_ID_LEN);
}

static uint64_t load64le(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void store64le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void sum_add_id(rbsr_sum *r, const rbsr_sum *a, const uint8_t id[RBSR_ID_LEN])
{
	uint64_t carry = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t x = load64le(id + 8 * i);
		uint64_t t = a->w[i] + carry;
		uint64_t c1 = t < carry;
		uint64_t u = t + x;
		uint64_t c2 = u < x;
		r->w[i] = u;
		carry = c1 | c2;
	}
}

static void sum_sub(rbsr_sum *r, const rbsr_sum *a, const rbsr_sum *b)
{
	uint64_t borrow = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t x = a->w[i], y = b->w[i];
		uint64_t d = x - y - borrow;
		borrow = (x < y) | ((x == y) & borrow);
		r->w[i] = d;
	}
}

static int set_init_sums(rbsr_set *set, const rbsr_item *items, size_t n)
{
	if (n >= SIZE_MAX / sizeof(rbsr_sum))
		return MAILLE_ENOMEM;
	rbsr_sum *prefix = malloc((n + 1) * sizeof *prefix);
	if (!prefix)
		return MAILLE_ENOMEM;
	memset(&prefix[0], 0, sizeof prefix[0]);
	for (size_t i = 0; i < n; i++)
		sum_add_id(&prefix[i + 1], &prefix[i], items[i].id);
	set->items = items;
	set->n = n;
	set->prefix = prefix;
	set->owned = NULL;
	return 0;
}

int rbsr_set_init(rbsr_set *set, const rbsr_item *items, size_t n)
{
	if (!set || (!items && n))
		return MAILLE_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (items[i].ts == RBSR_TS_INFINITY)
			return MAILLE_EINVAL;
		if (i && rbsr_item_cmp(&items[i - 1], &items[i]) >= 0)
			return MAILLE_EINVAL;
	}
	return set_init_sums(set, items, n);
}

static int item_qsort_cmp(const void *a, const void *b)
{
	return rbsr_item_cmp(a, b);
}

int rbsr_set_build(rbsr_set *set, const rbsr_item *items, size_t n)
{
	if (!set || (!items && n))
		return MAILLE_EINVAL;
	if (n > SIZE_MAX / sizeof(rbsr_item))
		return MAILLE_ENOMEM;
	rbsr_item *copy = malloc(n ? n * sizeof *copy : 1);
	if (!copy)
		return MAILLE_ENOMEM;
	if (n)
		memcpy(copy, items, n * sizeof *copy);
	qsort(copy, n, sizeof *copy, item_qsort_cmp);
	int r = 0;
	for (size_t i = 0; i < n && !r; i++) {
		if (copy[i].ts == RBSR_TS_INFINITY)
			r = MAILLE_EINVAL;
		else if (i && rbsr_item_cmp(&copy[i - 1], &copy[i]) == 0)
			r = MAILLE_EEXIST;
	}
	if (!r)
		r = set_init_sums(set, copy, n);
	if (r) {
		free(copy);
		return r;
	}
	set->owned = copy;
	return 0;
}

void rbsr_set_done(rbsr_set *set)
{
	if (!set)
		return;
	free(set->prefix);
	free(set->owned);
	set->prefix = NULL;
	set->owned = NULL;
	set->items = NULL;
	set->n = 0;
}

size_t rbsr_varint_encode(uint64_t v, uint8_t out[RBSR_VARINT_MAX])
{
	uint8_t tmp[RBSR_VARINT_MAX];
	size_t n = 0;
	do {
		tmp[n++] = (uint8_t)(v & 0x7f);
		v >>= 7;
	} while (v);
	/* Most significant digit first, the high bit on every byte but the last. */
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
	return n;
}

int rbsr_varint_decode(const uint8_t *p, size_t len, uint64_t *ret_v, size_t *ret_used)
{
	uint64_t v = 0;
	for (size_t i = 0; i < len && i < RBSR_VARINT_MAX; i++) {
		if (i == 0 && p[0] == 0x80)
			return MAILLE_ENONCANON; /* a leading zero digit: not the shortest form */
		if (v >> 57)
			return MAILLE_EPROTO; /* one more digit would shift bits out of 64 */
		v = (v << 7) | (p[i] & 0x7f);
		if (!(p[i] & 0x80)) {
			*ret_v = v;
			*ret_used = i + 1;
			return 0;
		}
	}
	return MAILLE_EPROTO; /* truncated, or more digits than a uint64 can need */
}

static void fingerprint_sum(const rbsr_sum *sum, uint64_t count, uint8_t out[RBSR_FP_LEN])
{
	uint8_t buf[RBSR_ID_LEN + RBSR_VARINT_MAX];
	for (int i = 0; i < 4; i++)
		store64le(buf + 8 * i, sum->w[i]);
	size_t n = RBSR_ID_LEN + rbsr_varint_encode(count, buf + RBSR_ID_LEN);
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, buf, n);
	memcpy(out, h, RBSR_FP_LEN);
}

void rbsr_set_fingerprint(const rbsr_set *set, size_t lo, size_t hi, uint8_t out[RBSR_FP_LEN])
{
	/* The prefix sums make this O(1) in the size of the range: it is called for every range
	 * of every message, and ranges near the root cover most of the set. */
	rbsr_sum s;
	sum_sub(&s, &set->prefix[hi], &set->prefix[lo]);
	fingerprint_sum(&s, hi - lo, out);
}

void rbsr_set_fingerprint_all(const rbsr_set *set, uint8_t out[RBSR_FP_LEN])
{
	if (set->prefix) {
		rbsr_set_fingerprint(set, 0, set->n, out);
	} else {
		rbsr_sum zero = {{0, 0, 0, 0}};
		fingerprint_sum(&zero, 0, out);
	}
}

/* ---- encoding ----------------------------------------------------------------------------- */

/* Capacity is checked on every write even though the frame logic keeps every message under
 * the session's limit: an overflow here would be a bug, reported rather than written. */
static int put_bytes(wbuf *w, const void *p, size_t n)
{
	if (n > w->cap - w->len)
		return MAILLE_ETOOBIG;
	memcpy(w->p + w->len, p, n);
	w->len += n;
	return 0;
}

static int put_byte(wbuf *w, uint8_t b)
{
	return put_bytes(w, &b, 1);
}

static int put_varint(wbuf *w, uint64_t v)
{
	uint8_t tmp[RBSR_VARINT_MAX];
	return put_bytes(w, tmp, rbsr_varint_encode(v, tmp));
}

static int put_bound(rbsr_session *s, wbuf *w, const bound *b)
{
	uint64_t coded;
	if (b->ts == RBSR_TS_INFINITY) {
		coded = 0;
		s->last_ts_out = RBSR_TS_INFINITY;
	} else {
		/* Bounds go out in ascending order within a message, so the delta is >= 0. */
		coded = b->ts - s->last_ts_out + 1;
		s->last_ts_out = b->ts;
	}
	int r = put_varint(w, coded);
	if (!r)
		r = put_varint(w, b->len);
	if (!r)
		r = put_bytes(w, b->id, b->len);
	return r;
}

static void bound_infinity(bound *b)
{
	memset(b, 0, sizeof *b);
	b->ts = RBSR_TS_INFINITY;
}

static void bound_of_item(bound *b, const rbsr_item *it)
{
	b->ts = it->ts;
	memcpy(b->id, it->id, RBSR_ID_LEN);
	b->len = RBSR_ID_LEN;
}

/* The shortest bound above prev and at most curr: the timestamp alone when they differ,
 * otherwise the common id prefix and one more byte of curr. */
static void bound_between(bound *b, const rbsr_item *prev, const rbsr_item *curr)
{
	memset(b, 0, sizeof *b);
	b->ts = curr->ts;
	if (curr->ts != prev->ts)
		return;
	size_t shared = 0;
	while (shared < RBSR_ID_LEN && curr->id[shared] == prev->id[shared])
		shared++;
	b->len = shared < RBSR_ID_LEN ? shared + 1 : RBSR_ID_LEN;
	memcpy(b->id, curr->id, b->len);
}

static int bound_cmp(const bound *a, const bound *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return memcmp(a->id, b->id, RBSR_ID_LEN);
}

static bool item_below(const rbsr_item *it, const bound *b)
{
	if (it->ts != b->ts)
		return it->ts < b->ts;
	return memcmp(it->id, b->id, RBSR_ID_LEN) < 0;
}

/* First index in [lo, hi) whose item is not below b, or hi. */
static size_t lower_index(const rbsr_set *set, size_t lo, size_t hi, const bound *b)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (item_below(&set->items[mid], b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Describes items lo..hi-1, the range ending at `upper`: their ids when there are few, else
 * RBSR_BUCKETS fingerprints of nearly equal buckets (the first n % 16 one item larger). */
static int split_range(rbsr_session *s, wbuf *w, size_t lo, size_t hi, const bound *upper)
{
	const rbsr_set *set = s->set;
	size_t n = hi - lo;
	int r;
	if (n < RBSR_IDLIST_BELOW) {
		if ((r = put_bound(s, w, upper)) || (r = put_varint(w, MODE_IDLIST)) ||
		    (r = put_varint(w, n)))
			return r;
		for (size_t i = lo; i < hi; i++)
			if ((r = put_bytes(w, set->items[i].id, RBSR_ID_LEN)))
				return r;
		return 0;
	}
	size_t per = n / RBSR_BUCKETS, extra = n % RBSR_BUCKETS, cur = lo;
	for (size_t i = 0; i < RBSR_BUCKETS; i++) {
		size_t next = cur + per + (i < extra ? 1 : 0);
		uint8_t fp[RBSR_FP_LEN];
		rbsr_set_fingerprint(set, cur, next, fp);
		bound b;
		if (next == hi)
			b = *upper;
		else
			bound_between(&b, &set->items[next - 1], &set->items[next]);
		if ((r = put_bound(s, w, &b)) || (r = put_varint(w, MODE_FINGERPRINT)) ||
		    (r = put_bytes(w, fp, RBSR_FP_LEN)))
			return r;
		cur = next;
	}
	return 0;
}

/* ---- decoding ----------------------------------------------------------------------------- */

typedef struct rbuf {
	const uint8_t *p;
	size_t len, pos;
} rbuf;

static int get_varint(rbuf *rd, uint64_t *ret)
{
	size_t used = 0;
	int r = rbsr_varint_decode(rd->p + rd->pos, rd->len - rd->pos, ret, &used);
	if (!r)
		rd->pos += used;
	return r;
}

static int get_bound(rbsr_session *s, rbuf *rd, bound *b)
{
	uint64_t coded, len;
	int r = get_varint(rd, &coded);
	if (!r)
		r = get_varint(rd, &len);
	if (r)
		return r;
	if (len > RBSR_ID_LEN || len > rd->len - rd->pos)
		return MAILLE_EPROTO;
	/* 0 is infinity; otherwise 1 + the delta, saturating at infinity as the reference does. */
	uint64_t ts = coded == 0 ? RBSR_TS_INFINITY : coded - 1;
	uint64_t sum = ts + s->last_ts_in;
	ts = sum < s->last_ts_in ? RBSR_TS_INFINITY : sum;
	s->last_ts_in = ts;
	memset(b, 0, sizeof *b);
	b->ts = ts;
	b->len = (size_t)len;
	memcpy(b->id, rd->p + rd->pos, b->len);
	rd->pos += b->len;
	return 0;
}

/* ---- sessions ----------------------------------------------------------------------------- */

int rbsr_session_init(rbsr_session *s, const rbsr_set *set, enum rbsr_role role,
                      size_t frame_limit)
{
	if (!s || !set || (role != RBSR_INITIATOR && role != RBSR_RESPONDER))
		return MAILLE_EINVAL;
	if (frame_limit && (frame_limit < RBSR_FRAME_MIN || frame_limit > RBSR_MSG_MAX))
		return MAILLE_EINVAL;
	memset(s, 0, sizeof *s);
	s->set = set;
	s->limit = frame_limit ? frame_limit : RBSR_MSG_MAX;
	s->role = role;
	s->state = ST_READY;
	return 0;
}

void rbsr_session_done(rbsr_session *s)
{
	if (!s)
		return;
	free(s->ids);
	free(s->marks);
	free(s->had);
	s->ids = NULL;
	s->marks = NULL;
	s->had = NULL;
	s->ids_cap = 0;
}

size_t rbsr_session_out_max(const rbsr_session *s)
{
	return s->limit;
}

bool rbsr_session_finished(const rbsr_session *s)
{
	return s->state == ST_DONE;
}

static bool exceeded(const rbsr_session *s, size_t n)
{
	return n > s->limit - FRAME_SLACK;
}

int rbsr_initiate(rbsr_session *s, uint8_t *out, size_t out_cap, size_t *ret_len)
{
	if (!s || !out || !ret_len)
		return MAILLE_EINVAL;
	if (s->role != RBSR_INITIATOR || s->state != ST_READY)
		return MAILLE_ESTATE;
	if (out_cap < s->limit)
		return MAILLE_EINVAL;
	wbuf w = {out, 0, s->limit};
	bound inf;
	bound_infinity(&inf);
	s->last_ts_out = 0;
	int r = put_byte(&w, RBSR_VERSION_V1);
	if (!r)
		r = split_range(s, &w, 0, s->set->n, &inf);
	if (r) {
		s->state = ST_FAILED;
		return r;
	}
	s->state = ST_WAITING;
	*ret_len = w.len;
	return 0;
}

static int idptr_cmp(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, RBSR_ID_LEN);
}

/* Index of id in the sorted, duplicate-free s->ids[0..m), or m. */
static size_t find_id(const rbsr_session *s, size_t m, const uint8_t *id)
{
	size_t lo = 0, hi = m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(s->ids[mid], id, RBSR_ID_LEN);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return m;
}

enum { MARK_OURS = 1, MARK_REPORTED = 2 };

/* Initiator: compares the peer's IdList for a range with our items lo..hi-1. The peer's ids
 * are sorted (by pointer, in the scratch) so that the cost is O((n + m) log m) whatever the
 * sizes; haves come in our item order, needs in the peer's order, an id repeated in the list
 * once. */
static int compare_idlist(rbsr_session *s, const uint8_t *ids, size_t count, size_t lo,
                          size_t hi, rbsr_id_fn have, rbsr_id_fn need, void *ctx)
{
	if (count > s->ids_cap) {
		/* count <= RBSR_IDLIST_MAX, checked by the caller: the scratch stays bounded. */
		const uint8_t **np = realloc(s->ids, count * sizeof *np);
		if (!np)
			return MAILLE_ENOMEM;
		s->ids = np;
		uint8_t *nm = realloc(s->marks, count);
		if (!nm)
			return MAILLE_ENOMEM;
		s->marks = nm;
		s->ids_cap = count;
	}
	for (size_t i = 0; i < count; i++)
		s->ids[i] = ids + i * RBSR_ID_LEN;
	if (count > 1)
		qsort(s->ids, count, sizeof *s->ids, idptr_cmp);
	size_t m = 0;
	for (size_t i = 0; i < count; i++)
		if (m == 0 || memcmp(s->ids[m - 1], s->ids[i], RBSR_ID_LEN) != 0)
			s->ids[m++] = s->ids[i];
	if (m)
		memset(s->marks, 0, m);
	const rbsr_set *set = s->set;
	if (!s->had && hi > lo) {
		/* One bit per item of ours, so that a have is reported once per session: with a
		 * frame limit, the catch-all range that closes a cut message can make the peer
		 * describe again a range settled in an earlier round. */
		s->had = calloc(set->n / 8 + 1, 1);
		if (!s->had)
			return MAILLE_ENOMEM;
	}
	for (size_t j = lo; j < hi; j++) {
		size_t k = find_id(s, m, set->items[j].id);
		if (k < m) {
			s->marks[k] |= MARK_OURS;
		} else if (!(s->had[j / 8] & (1u << (j % 8)))) {
			s->had[j / 8] |= (uint8_t)(1u << (j % 8));
			if (have) {
				int r = have(ctx, set->items[j].id);
				if (r)
					return r;
			}
		}
	}
	for (size_t i = 0; i < count; i++) {
		const uint8_t *id = ids + i * RBSR_ID_LEN;
		size_t k = find_id(s, m, id);
		if (k >= m || (s->marks[k] & (MARK_OURS | MARK_REPORTED)))
			continue;
		s->marks[k] |= MARK_REPORTED;
		if (need) {
			int r = need(ctx, id);
			if (r)
				return r;
		}
	}
	return 0;
}

/* Emits the Skip range that stands for the ranges since the last one we wrote, if any. */
static int flush_skip(rbsr_session *s, wbuf *w, bool *skip, const bound *prev)
{
	if (!*skip)
		return 0;
	*skip = false;
	int r = put_bound(s, w, prev);
	if (!r)
		r = put_varint(w, MODE_SKIP);
	return r;
}

static int reconcile_msg(rbsr_session *s, const uint8_t *in, size_t in_len, rbsr_id_fn have,
                         rbsr_id_fn need, void *ctx, wbuf *out)
{
	const rbsr_set *set = s->set;
	const size_t n = set->n;
	int r;

	s->last_ts_in = s->last_ts_out = 0;
	if ((r = put_byte(out, RBSR_VERSION_V1)))
		return r;
	if (in_len < 1 || in[0] < 0x60 || in[0] > 0x6f)
		return MAILLE_EPROTO;
	if (in[0] != RBSR_VERSION_V1) {
		/* A responder answers with the one version it speaks so that the initiator may
		 * retry in it; an initiator has nothing to fall back to. */
		return s->role == RBSR_INITIATOR ? MAILLE_EVERSION : 0;
	}

	rbuf rd = {in, in_len, 1};
	bound prev;
	memset(&prev, 0, sizeof prev);
	size_t prev_idx = 0, n_ranges = 0;
	bool skip = false;

	while (rd.pos < rd.len) {
		if (++n_ranges > RBSR_RANGES_MAX)
			return MAILLE_ETOOBIG;
		uint8_t pend_buf[PENDING_MAX];
		wbuf pend = {pend_buf, 0, sizeof pend_buf};
		bound cur;
		uint64_t mode;
		if ((r = get_bound(s, &rd, &cur)) || (r = get_varint(&rd, &mode)))
			return r;
		/* Ranges are adjacent and ascending; equal bounds (an empty range) do occur, e.g.
		 * a final "infinity" fingerprint after an IdList that already ended at infinity. */
		if (bound_cmp(&cur, &prev) < 0)
			return MAILLE_EPROTO;

		size_t lower = prev_idx;
		size_t upper = lower_index(set, prev_idx, n, &cur);

		if (mode == MODE_SKIP) {
			skip = true;
		} else if (mode == MODE_FINGERPRINT) {
			if (rd.len - rd.pos < RBSR_FP_LEN)
				return MAILLE_EPROTO;
			uint8_t ours[RBSR_FP_LEN];
			rbsr_set_fingerprint(set, lower, upper, ours);
			if (memcmp(ours, rd.p + rd.pos, RBSR_FP_LEN) != 0) {
				if ((r = flush_skip(s, &pend, &skip, &prev)) ||
				    (r = split_range(s, &pend, lower, upper, &cur)))
					return r;
			} else {
				skip = true;
			}
			rd.pos += RBSR_FP_LEN;
		} else if (mode == MODE_IDLIST) {
			uint64_t count;
			if ((r = get_varint(&rd, &count)))
				return r;
			if (count > (rd.len - rd.pos) / RBSR_ID_LEN)
				return MAILLE_EPROTO;
			if (count > RBSR_IDLIST_MAX)
				return MAILLE_ETOOBIG;
			const uint8_t *ids = rd.p + rd.pos;
			rd.pos += (size_t)count * RBSR_ID_LEN;
			if (s->role == RBSR_INITIATOR) {
				r = compare_idlist(s, ids, (size_t)count, lower, upper, have, need, ctx);
				if (r)
					return r;
				skip = true;
			} else {
				/* Answer with all our ids of the range, or as many as the frame allows:
				 * then the range ends at the first id left out, and the final fingerprint
				 * below covers the rest. The count of ids that fit follows the reference:
				 * an id is added while the output before it is within the slack. */
				size_t avail = upper - lower, k = avail;
				size_t room = s->limit - FRAME_SLACK; /* out->len <= room here */
				size_t fit = (room - out->len) / RBSR_ID_LEN + 1;
				bound end = cur;
				if (fit < k) {
					k = fit;
					bound_of_item(&end, &set->items[lower + k]);
					upper = lower + k;
				}
				if ((r = flush_skip(s, out, &skip, &prev)) || (r = put_bound(s, out, &end)) ||
				    (r = put_varint(out, MODE_IDLIST)) || (r = put_varint(out, k)))
					return r;
				for (size_t i = lower; i < upper; i++)
					if ((r = put_bytes(out, set->items[i].id, RBSR_ID_LEN)))
						return r;
			}
		} else {
			return MAILLE_EPROTO;
		}

		if (exceeded(s, out->len + pend.len)) {
			/* Out of room: drop this range's answer and close the message with the
			 * fingerprint of everything from here to infinity, which the peer will split
			 * in the next round. */
			uint8_t fp[RBSR_FP_LEN];
			bound inf;
			bound_infinity(&inf);
			rbsr_set_fingerprint(set, upper, n, fp);
			if ((r = put_bound(s, out, &inf)) || (r = put_varint(out, MODE_FINGERPRINT)) ||
			    (r = put_bytes(out, fp, RBSR_FP_LEN)))
				return r;
			break;
		}
		if ((r = put_bytes(out, pend.p, pend.len)))
			return r;
		prev_idx = upper;
		prev = cur;
	}
	/* A trailing Skip is implicit: the ranges not described are skipped. */
	return 0;
}

int rbsr_reconcile(rbsr_session *s, const uint8_t *in, size_t in_len, rbsr_id_fn have,
                   rbsr_id_fn need, void *ctx, uint8_t *out, size_t out_cap, size_t *ret_len)
{
	if (!s || (!in && in_len) || !out || !ret_len)
		return MAILLE_EINVAL;
	if (s->state == ST_FAILED || s->state == ST_DONE ||
	    (s->role == RBSR_INITIATOR && s->state != ST_WAITING))
		return MAILLE_ESTATE;
	if (out_cap < s->limit)
		return MAILLE_EINVAL;
	if (in_len > RBSR_MSG_MAX) {
		s->state = ST_FAILED;
		return MAILLE_ETOOBIG;
	}
	wbuf w = {out, 0, s->limit};
	int r = reconcile_msg(s, in, in_len, have, need, ctx, &w);
	if (r) {
		s->state = ST_FAILED;
		return r;
	}
	if (s->role == RBSR_INITIATOR && w.len == 1) {
		/* Only the version byte: every range matched or was settled by an IdList. */
		s->state = ST_DONE;
		*ret_len = 0;
		return 0;
	}
	*ret_len = w.len;
	return 0;
}
