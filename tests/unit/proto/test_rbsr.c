/* Tests of proto/rbsr.c (PROTOCOL.md §3): varints, fingerprints (known answers computed from
 * the specification, and one taken from a reference transcript), malformed messages, and
 * random sets reconciled between two in-memory sessions, with and without a frame limit,
 * until the initiator is done, checking that it found exactly the symmetric difference.
 *
 *   test_proto_rbsr VECTORS_DIR    (tests/vectors/rbsr) */
#include <sodium.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "proto/error.h"
#include "proto/rbsr.h"

static void unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* splitmix64: deterministic sets, reproducible failures. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- varints ------------------------------------------------------------------------------ */

static void test_varint(void)
{
	static const struct {
		uint64_t v;
		const char *hex;
	} known[] = {
		{0, "00"},          {1, "01"},           {127, "7f"},
		{128, "8100"},      {200, "8148"},       {16383, "ff7f"},
		{16384, "818000"},  {UINT64_MAX, "81ffffffffffffffff7f"},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		uint8_t buf[RBSR_VARINT_MAX], want[RBSR_VARINT_MAX];
		size_t n = rbsr_varint_encode(known[i].v, buf);
		CHECK_EQ_INT(n, strlen(known[i].hex) / 2);
		unhex(known[i].hex, want, n);
		CHECK(memcmp(buf, want, n) == 0);
		uint64_t v = 0;
		size_t used = 0;
		CHECK_EQ_INT(rbsr_varint_decode(buf, n, &v, &used), 0);
		CHECK(v == known[i].v);
		CHECK_EQ_INT(used, n);
	}
	rng_state = 1;
	for (int i = 0; i < 10000; i++) {
		uint64_t x = rng() >> (rng() % 64);
		uint8_t buf[RBSR_VARINT_MAX + 1];
		size_t n = rbsr_varint_encode(x, buf);
		buf[n] = 0x55; /* trailing byte: not consumed */
		uint64_t v = 0;
		size_t used = 0;
		CHECK_EQ_INT(rbsr_varint_decode(buf, n + 1, &v, &used), 0);
		CHECK(v == x && used == n);
		/* Any truncation fails cleanly. */
		CHECK_EQ_INT(rbsr_varint_decode(buf, n - 1, &v, &used), MAILLE_EPROTO);
	}
	uint64_t v = 42;
	size_t used = 7;
	const uint8_t nonmin[] = {0x80, 0x01};
	CHECK_EQ_INT(rbsr_varint_decode(nonmin, sizeof nonmin, &v, &used), MAILLE_ENONCANON);
	const uint8_t trunc[] = {0x81};
	CHECK_EQ_INT(rbsr_varint_decode(trunc, sizeof trunc, &v, &used), MAILLE_EPROTO);
	const uint8_t over[] = {0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}; /* 2^64 */
	CHECK_EQ_INT(rbsr_varint_decode(over, sizeof over, &v, &used), MAILLE_EPROTO);
	const uint8_t eleven[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
	CHECK_EQ_INT(rbsr_varint_decode(eleven, sizeof eleven, &v, &used), MAILLE_EPROTO);
	CHECK_EQ_INT(rbsr_varint_decode(NULL, 0, &v, &used), MAILLE_EPROTO);
	CHECK(v == 42 && used == 7); /* outputs untouched on failure */
}

/* ---- fingerprints ------------------------------------------------------------------------- */

static void check_fp(const uint8_t fp[RBSR_FP_LEN], const char *hex)
{
	uint8_t want[RBSR_FP_LEN];
	unhex(hex, want, RBSR_FP_LEN);
	CHECK(memcmp(fp, want, RBSR_FP_LEN) == 0);
}

static void test_fingerprint_known(void)
{
	/* Expected values: SHA-256(sum || varint(count))[0..16) computed independently. */
	uint8_t fp[RBSR_FP_LEN];
	rbsr_set set;
	memset(&set, 0, sizeof set);
	rbsr_set_fingerprint_all(&set, fp); /* a zeroed set is the empty set */
	check_fp(fp, "7f9c9e31ac8256ca2f258583df262dbc");
	CHECK_EQ_INT(rbsr_set_init(&set, NULL, 0), 0);
	rbsr_set_fingerprint_all(&set, fp);
	check_fp(fp, "7f9c9e31ac8256ca2f258583df262dbc");
	rbsr_set_done(&set);

	/* ff..ff + 1 wraps to 0 mod 2^256. */
	rbsr_item wrap[2];
	memset(wrap, 0, sizeof wrap);
	wrap[0].ts = 1;
	memset(wrap[0].id, 0xff, RBSR_ID_LEN);
	wrap[1].ts = 2;
	wrap[1].id[0] = 1;
	CHECK_EQ_INT(rbsr_set_init(&set, wrap, 2), 0);
	rbsr_set_fingerprint_all(&set, fp);
	check_fp(fp, "58cc2f44d3a27866874701fbad573da9");
	rbsr_set_done(&set);

	/* A carry from the first 64-bit limb into the second. */
	memset(wrap[0].id + 8, 0, RBSR_ID_LEN - 8);
	CHECK_EQ_INT(rbsr_set_init(&set, wrap, 2), 0);
	rbsr_set_fingerprint_all(&set, fp);
	check_fp(fp, "fe77277fdc1349df808b365582fa9199");
	rbsr_set_done(&set);

	/* 200 items (a two-byte count) and a sub-range, which comes from a prefix subtraction. */
	rbsr_item many[200];
	for (int i = 0; i < 200; i++) {
		many[i].ts = (uint64_t)i;
		memset(many[i].id, (i * 37 + 11) % 256, RBSR_ID_LEN);
	}
	CHECK_EQ_INT(rbsr_set_init(&set, many, 200), 0);
	rbsr_set_fingerprint_all(&set, fp);
	check_fp(fp, "1c364ec283419df0c932e8507d7c5527");
	rbsr_set_fingerprint(&set, 50, 150, fp);
	check_fp(fp, "38eeae765164ea71003fab1e6dddefd7");
	rbsr_set_done(&set);

	/* The same set given in any order. */
	rbsr_item shuffled[200];
	memcpy(shuffled, many, sizeof many);
	rng_state = 7;
	for (int i = 199; i > 0; i--) {
		int j = (int)(rng() % (uint64_t)(i + 1));
		rbsr_item t = shuffled[i];
		shuffled[i] = shuffled[j];
		shuffled[j] = t;
	}
	CHECK_EQ_INT(rbsr_set_build(&set, shuffled, 200), 0);
	rbsr_set_fingerprint(&set, 50, 150, fp);
	check_fp(fp, "38eeae765164ea71003fab1e6dddefd7");
	rbsr_set_done(&set);
}

/* Reads a vector's item file into a set. */
static int load_items(const char *path, rbsr_set *set)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = 0, cap = 1024;
	rbsr_item *items = malloc(cap * sizeof *items);
	char line[256];
	while (items && fgets(line, sizeof line, f)) {
		unsigned long long ts;
		char hex[65];
		if (sscanf(line, "item,%llu,%64s", &ts, hex) != 2)
			continue;
		if (n == cap) {
			rbsr_item *p = realloc(items, 2 * cap * sizeof *items);
			if (!p)
				break;
			items = p;
			cap *= 2;
		}
		items[n].ts = ts;
		unhex(hex, items[n].id, RBSR_ID_LEN);
		n++;
	}
	fclose(f);
	int r = items ? rbsr_set_build(set, items, n) : -1;
	free(items);
	return r;
}

static void test_fingerprint_vector(void)
{
	/* identical_1k: the client's first message is 16 fingerprint ranges over its 1000 items,
	 * the first bucket holding 63 of them; its fingerprint starts after the bound. */
	if (CHECK_ARGC < 2) {
		CHECK(!"usage: test_proto_rbsr VECTORS_DIR");
		return;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/identical_1k/client.in", CHECK_ARGV[1]);
	rbsr_set set;
	CHECK_EQ_INT(load_items(path, &set), 0);
	CHECK_EQ_INT(set.n, 1000);
	snprintf(path, sizeof path, "%s/identical_1k/transcript", CHECK_ARGV[1]);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f) {
		rbsr_set_done(&set);
		return;
	}
	static char line[1 << 16];
	CHECK(fgets(line, sizeof line, f) != NULL);
	fclose(f);
	CHECK(strncmp(line, "C msg,", 6) == 0);
	size_t hexlen = strcspn(line + 6, "\r\n");
	uint8_t msg[4096];
	CHECK(hexlen / 2 <= sizeof msg);
	unhex(line + 6, msg, hexlen / 2);

	/* 0x61, then the first bound: timestamp varint, prefix length varint, prefix; mode. */
	size_t pos = 1, used = 0;
	uint64_t v = 0, len = 0;
	CHECK_EQ_INT(rbsr_varint_decode(msg + pos, hexlen / 2 - pos, &v, &used), 0);
	pos += used;
	CHECK_EQ_INT(rbsr_varint_decode(msg + pos, hexlen / 2 - pos, &len, &used), 0);
	pos += used + (size_t)len;
	CHECK_EQ_INT(msg[pos], 1); /* Fingerprint mode */
	pos++;
	uint8_t fp[RBSR_FP_LEN];
	rbsr_set_fingerprint(&set, 0, 63, fp);
	CHECK(memcmp(fp, msg + pos, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(v - 1, set.items[63].ts); /* the bound is the 64th item's timestamp */

	/* And our whole first message is the reference's. */
	rbsr_session s;
	CHECK_EQ_INT(rbsr_session_init(&s, &set, RBSR_INITIATOR, 0), 0);
	uint8_t *out = malloc(RBSR_MSG_MAX);
	size_t out_len = 0;
	CHECK_EQ_INT(rbsr_initiate(&s, out, RBSR_MSG_MAX, &out_len), 0);
	CHECK_EQ_INT(out_len, hexlen / 2);
	CHECK(memcmp(out, msg, out_len) == 0);
	free(out);
	rbsr_session_done(&s);
	rbsr_set_done(&set);
}

/* ---- malformed input ---------------------------------------------------------------------- */

/* A responder over a small set, fed one message; returns the code. */
static rbsr_set small_set;
static uint8_t *outbuf;

static int respond(const uint8_t *msg, size_t len, size_t *ret_len)
{
	rbsr_session s;
	size_t dummy = 0;
	int r = rbsr_session_init(&s, &small_set, RBSR_RESPONDER, 0);
	if (!r)
		r = rbsr_reconcile(&s, msg, len, NULL, NULL, NULL, outbuf, RBSR_MSG_MAX,
		                   ret_len ? ret_len : &dummy);
	if (r) {
		/* A failed session stays failed. */
		CHECK_EQ_INT(rbsr_reconcile(&s, (const uint8_t *)"\x61", 1, NULL, NULL, NULL, outbuf,
		                            RBSR_MSG_MAX, &dummy),
		             MAILLE_ESTATE);
	}
	rbsr_session_done(&s);
	return r;
}

static void make_small_set(void)
{
	static rbsr_item items[100];
	for (int i = 0; i < 100; i++) {
		items[i].ts = 1000 + (uint64_t)(i / 3); /* shared timestamps: prefix bounds */
		memset(items[i].id, 0, RBSR_ID_LEN);
		items[i].id[0] = (uint8_t)(i % 3);
		items[i].id[1] = (uint8_t)i;
	}
	CHECK_EQ_INT(rbsr_set_init(&small_set, items, 100), 0);
}

static void test_malformed(void)
{
	outbuf = malloc(RBSR_MSG_MAX);
	make_small_set();
	size_t len = 0;

	CHECK_EQ_INT(respond(NULL, 0, NULL), MAILLE_EPROTO); /* no version byte */
	CHECK_EQ_INT(respond((const uint8_t *)"\x5f", 1, NULL), MAILLE_EPROTO);
	CHECK_EQ_INT(respond((const uint8_t *)"\x70", 1, NULL), MAILLE_EPROTO);
	/* Another version of the family: the responder answers with the one it speaks. */
	CHECK_EQ_INT(respond((const uint8_t *)"\x62\x00\x00\x00", 4, &len), 0);
	CHECK(len == 1 && outbuf[0] == 0x61);
	/* A bare version byte is valid: nothing to reconcile. */
	CHECK_EQ_INT(respond((const uint8_t *)"\x61", 1, &len), 0);
	CHECK(len == 1 && outbuf[0] == 0x61);

	static const struct {
		const char *hex;
		int want;
		const char *why;
	} bad[] = {
		{"6100", MAILLE_EPROTO, "bound truncated after the timestamp"},
		{"610000", MAILLE_EPROTO, "no mode"},
		{"61000001", MAILLE_EPROTO, "fingerprint missing"},
		{"6100000100112233445566778899aabbccddee", MAILLE_EPROTO, "fingerprint of 15 bytes"},
		{"61000003", MAILLE_EPROTO, "unknown mode 3"},
		{"6100008000", MAILLE_ENONCANON, "mode with a leading zero digit"},
		{"61000002", MAILLE_EPROTO, "IdList without a count"},
		{"6100000205" /* then 2 ids */
		 "0000000000000000000000000000000000000000000000000000000000000000"
		 "0000000000000000000000000000000000000000000000000000000000000000",
		 MAILLE_EPROTO, "IdList count larger than the message"},
		{"61000002ffffffffff7f", MAILLE_EPROTO, "IdList count of 2^41"},
		{"610021", MAILLE_EPROTO, "id prefix of 33 bytes"},
		{"610005aabb", MAILLE_EPROTO, "id prefix longer than the message"},
		{"61ffffffffffffffffff7f0000", MAILLE_EPROTO, "timestamp varint of 11 bytes"},
		{"6182808080808080808000000000", MAILLE_EPROTO, "timestamp varint of 2^64"},
		/* (1005, 80..) then (1005, 10..): the second bound is below the first. */
		{"61876e01800001011000", MAILLE_EPROTO, "bounds out of order"},
		/* Infinity, then a finite bound that saturates to infinity: equal, accepted. */
		{"61000000020000", 0, "two infinity bounds"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t msg[256];
		size_t n = strlen(bad[i].hex) / 2;
		unhex(bad[i].hex, msg, n);
		int r = respond(msg, n, NULL);
		if (r != bad[i].want)
			fprintf(stderr, "  case %zu (%s): got %s\n", i, bad[i].why, maille_errname(r));
		CHECK_EQ_INT(r, bad[i].want);
	}

	/* Over the message size limit. */
	uint8_t *big = calloc(1, RBSR_MSG_MAX + 1);
	big[0] = 0x61;
	CHECK_EQ_INT(respond(big, RBSR_MSG_MAX + 1, NULL), MAILLE_ETOOBIG);
	/* Over the range count limit: RBSR_RANGES_MAX + 1 empty Skip ranges of 3 bytes. */
	size_t nr = RBSR_RANGES_MAX + 1;
	for (size_t i = 0; i < nr; i++) {
		big[1 + 3 * i] = 0x01; /* timestamp delta 0 */
		big[2 + 3 * i] = 0x00; /* no id prefix */
		big[3 + 3 * i] = 0x00; /* Skip */
	}
	CHECK_EQ_INT(respond(big, 1 + 3 * nr, NULL), MAILLE_ETOOBIG);
	CHECK_EQ_INT(respond(big, 1 + 3 * (nr - 1), NULL), 0);
	free(big);

	/* An initiator refuses another version, and calls out of order. */
	rbsr_session s;
	size_t out_len = 0;
	CHECK_EQ_INT(rbsr_session_init(&s, &small_set, RBSR_INITIATOR, 0), 0);
	CHECK_EQ_INT(rbsr_reconcile(&s, (const uint8_t *)"\x61", 1, NULL, NULL, NULL, outbuf,
	                            RBSR_MSG_MAX, &out_len),
	             MAILLE_ESTATE);
	CHECK_EQ_INT(rbsr_initiate(&s, outbuf, 100, &out_len), MAILLE_EINVAL); /* too small */
	CHECK_EQ_INT(rbsr_initiate(&s, outbuf, RBSR_MSG_MAX, &out_len), 0);
	CHECK_EQ_INT(rbsr_initiate(&s, outbuf, RBSR_MSG_MAX, &out_len), MAILLE_ESTATE);
	CHECK_EQ_INT(rbsr_reconcile(&s, (const uint8_t *)"\x62", 1, NULL, NULL, NULL, outbuf,
	                            RBSR_MSG_MAX, &out_len),
	             MAILLE_EVERSION);
	rbsr_session_done(&s);
	CHECK_EQ_INT(rbsr_session_init(&s, &small_set, RBSR_RESPONDER, 0), 0);
	CHECK_EQ_INT(rbsr_initiate(&s, outbuf, RBSR_MSG_MAX, &out_len), MAILLE_ESTATE);
	rbsr_session_done(&s);
	CHECK_EQ_INT(rbsr_session_init(&s, &small_set, RBSR_RESPONDER, 100), MAILLE_EINVAL);
	CHECK_EQ_INT(rbsr_session_init(&s, &small_set, RBSR_RESPONDER, RBSR_MSG_MAX + 1),
	             MAILLE_EINVAL);

	/* Sets: order, the reserved timestamp, duplicates. */
	rbsr_item it[2];
	memset(it, 0, sizeof it);
	it[0].ts = 5;
	it[1].ts = 4;
	rbsr_set set;
	CHECK_EQ_INT(rbsr_set_init(&set, it, 2), MAILLE_EINVAL);
	CHECK_EQ_INT(rbsr_set_build(&set, it, 2), 0);
	CHECK(set.items[0].ts == 4);
	rbsr_set_done(&set);
	it[1].ts = 5;
	CHECK_EQ_INT(rbsr_set_build(&set, it, 2), MAILLE_EEXIST);
	it[1].ts = RBSR_TS_INFINITY;
	CHECK_EQ_INT(rbsr_set_build(&set, it, 2), MAILLE_EINVAL);
	CHECK_EQ_INT(rbsr_set_init(&set, it, 2), MAILLE_EINVAL);

	rbsr_set_done(&small_set);
	free(outbuf);
}

/* ---- reconciliation between two sessions -------------------------------------------------- */

typedef struct idlist {
	uint8_t (*ids)[RBSR_ID_LEN];
	size_t n, cap;
} idlist;

static int idlist_add(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	idlist *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		void *p = realloc(l->ids, cap * sizeof *l->ids);
		if (!p)
			return MAILLE_ENOMEM;
		l->ids = p;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], id, RBSR_ID_LEN);
	return 0;
}

typedef struct both {
	idlist have, need;
} both;

static int on_have(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	return idlist_add(&((both *)ctx)->have, id);
}

static int on_need(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	return idlist_add(&((both *)ctx)->need, id);
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, RBSR_ID_LEN);
}

/* True if the two lists hold the same ids. Sorts them. A repeated id in got is dropped and
 * counted in *ret_dups if ret_dups is given, a failure otherwise. */
static bool same_ids(idlist *got, idlist *want, size_t *ret_dups)
{
	if (got->n) /* qsort(NULL, 0, ...) is undefined */
		qsort(got->ids, got->n, RBSR_ID_LEN, id_cmp);
	if (want->n)
		qsort(want->ids, want->n, RBSR_ID_LEN, id_cmp);
	size_t m = 0;
	for (size_t i = 0; i < got->n; i++)
		if (m == 0 || memcmp(got->ids[m - 1], got->ids[i], RBSR_ID_LEN) != 0)
			memmove(got->ids[m++], got->ids[i], RBSR_ID_LEN);
	if (ret_dups)
		*ret_dups = got->n - m;
	else if (m != got->n)
		return false;
	got->n = m;
	return got->n == want->n &&
	       (got->n == 0 || memcmp(got->ids, want->ids, got->n * RBSR_ID_LEN) == 0);
}

typedef struct stats {
	int rounds;
	size_t bytes_up, bytes_down, max_msg;
	double ms;
} stats;

/* Counts a message of n bytes one way (*bytes), held to the sender's frame limit (0: none). */
static void msg_count(stats *st, size_t *bytes, size_t n, size_t limit)
{
	*bytes += n;
	if (n > st->max_msg)
		st->max_msg = n;
	if (limit)
		CHECK(n <= limit);
}

/* Reconciles a (initiator, frame limit la) with b (responder, lb) in memory. */
static int reconcile_pair(const rbsr_set *a, const rbsr_set *b, size_t la, size_t lb, both *res,
                          stats *st)
{
	rbsr_session sa, sb;
	memset(st, 0, sizeof *st);
	CHECK_EQ_INT(rbsr_session_init(&sa, a, RBSR_INITIATOR, la), 0);
	CHECK_EQ_INT(rbsr_session_init(&sb, b, RBSR_RESPONDER, lb), 0);
	uint8_t *m1 = malloc(RBSR_MSG_MAX), *m2 = malloc(RBSR_MSG_MAX);
	size_t n1 = 0, n2 = 0;
	double t0 = cpu_ms();
	int r = rbsr_initiate(&sa, m1, RBSR_MSG_MAX, &n1);
	while (!r && n1) {
		if (st->rounds++ > 5000) {
			r = -1000;
			break;
		}
		msg_count(st, &st->bytes_up, n1, la);
		if ((r = rbsr_reconcile(&sb, m1, n1, NULL, NULL, NULL, m2, RBSR_MSG_MAX, &n2)))
			break;
		msg_count(st, &st->bytes_down, n2, lb);
		r = rbsr_reconcile(&sa, m2, n2, on_have, on_need, res, m1, RBSR_MSG_MAX, &n1);
	}
	st->ms = cpu_ms() - t0;
	if (!r)
		CHECK(rbsr_session_finished(&sa));
	free(m1);
	free(m2);
	rbsr_session_done(&sa);
	rbsr_session_done(&sb);
	return r;
}

static void random_item(rbsr_item *it, uint64_t ts_span)
{
	it->ts = 1700000000 + rng() % ts_span;
	for (int k = 0; k < 4; k++) {
		uint64_t x = rng();
		memcpy(it->id + 8 * k, &x, 8);
	}
}

/* Builds A = common + only_a, B = common + only_b, reconciles, checks. */
static void run_case(size_t n_common, size_t n_only_a, size_t n_only_b, uint64_t ts_span,
                     size_t la, size_t lb, bool verbose)
{
	size_t na = n_common + n_only_a, nb = n_common + n_only_b;
	rbsr_item *ia = malloc((na + 1) * sizeof *ia), *ib = malloc((nb + 1) * sizeof *ib);
	idlist want_have = {0}, want_need = {0};
	for (size_t i = 0; i < n_common; i++) {
		random_item(&ia[i], ts_span);
		ib[i] = ia[i];
	}
	for (size_t i = 0; i < n_only_a; i++) {
		random_item(&ia[n_common + i], ts_span);
		idlist_add(&want_have, ia[n_common + i].id);
	}
	for (size_t i = 0; i < n_only_b; i++) {
		random_item(&ib[n_common + i], ts_span);
		idlist_add(&want_need, ib[n_common + i].id);
	}
	rbsr_set sa, sb;
	double t0 = cpu_ms();
	CHECK_EQ_INT(rbsr_set_build(&sa, ia, na), 0);
	CHECK_EQ_INT(rbsr_set_build(&sb, ib, nb), 0);
	double build_ms = cpu_ms() - t0;
	if (verbose) {
		/* What the store pays: items already in order, only the check and the sums. */
		rbsr_set tmp;
		t0 = cpu_ms();
		CHECK_EQ_INT(rbsr_set_init(&tmp, sa.items, sa.n), 0);
		fprintf(stderr, "  set of %zu sorted items: %.2f ms CPU\n", sa.n, cpu_ms() - t0);
		rbsr_set_done(&tmp);
	}
	both res;
	memset(&res, 0, sizeof res);
	stats st;
	int r = reconcile_pair(&sa, &sb, la, lb, &res, &st);
	CHECK_EQ_INT(r, 0);
	/* Haves are reported once per session; needs may repeat after a cut message. */
	size_t dups = 0;
	bool ok_have = same_ids(&res.have, &want_have, NULL);
	bool ok_need = same_ids(&res.need, &want_need, &dups);
	if (!la && !lb && st.max_msg < RBSR_MSG_MAX - 1024)
		CHECK_EQ_INT(dups, 0); /* no message can have been cut: no repeat */
	CHECK(ok_have);
	CHECK(ok_need);
	if (verbose || !ok_have || !ok_need || r)
		fprintf(stderr,
		        "  %zu common, %zu+%zu different, ts span %llu, limits %zu/%zu: %d rounds, "
		        "%zu B up, %zu B down, largest %zu B, %zu needs repeated, reconcile %.2f ms "
		        "CPU (both sides), two set builds %.2f ms\n",
		        n_common, n_only_a, n_only_b, (unsigned long long)ts_span, la, lb, st.rounds,
		        st.bytes_up, st.bytes_down, st.max_msg, dups, st.ms, build_ms);
	/* Equal sets open with equal whole-set fingerprints. */
	uint8_t fa[RBSR_FP_LEN], fb[RBSR_FP_LEN];
	rbsr_set_fingerprint_all(&sa, fa);
	rbsr_set_fingerprint_all(&sb, fb);
	CHECK((memcmp(fa, fb, RBSR_FP_LEN) == 0) == (n_only_a + n_only_b == 0));
	rbsr_set_done(&sa);
	rbsr_set_done(&sb);
	free(ia);
	free(ib);
	free(res.have.ids);
	free(res.need.ids);
	free(want_have.ids);
	free(want_need.ids);
}

static void test_reconcile_random(void)
{
	static const size_t sizes[] = {0, 1, 2, 31, 32, 33, 100, 1000, 5000};
	static const size_t limits[][2] = {{0, 0}, {4096, 4096}, {0, 4096}, {4096, 0}};
	rng_state = 12345;
	for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
		for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
			size_t n = sizes[si];
			/* No difference, a few, about half, all on one side; timestamps spread out or
			 * crowded (many equal timestamps: bounds carry id prefixes). */
			run_case(n, 0, 0, 1000000, limits[li][0], limits[li][1], false);
			run_case(n, 1 + n / 100, 3, 1000000, limits[li][0], limits[li][1], false);
			run_case(n, n / 2, n / 3, 5, limits[li][0], limits[li][1], false);
			run_case(0, n, 0, 1000, limits[li][0], limits[li][1], false);
			run_case(0, 0, n, 1000, limits[li][0], limits[li][1], false);
		}
	}
	/* Large one-sided differences with a frame limit: many rounds. */
	run_case(1000, 20000, 0, 1000000, 4096, 4096, true);
	run_case(1000, 0, 20000, 1000000, 4096, 4096, true);
	run_case(10000, 3000, 3000, 3, 0, 0, true);
}

/* The set of the one item it and an initiator's session on it that has sent its first message
 * (into the returned buffer of RBSR_MSG_MAX bytes, *n of them). */
static uint8_t *initiate_one(const rbsr_item *it, rbsr_set *set, rbsr_session *s, size_t *n)
{
	CHECK_EQ_INT(rbsr_set_init(set, it, 1), 0);
	CHECK_EQ_INT(rbsr_session_init(s, set, RBSR_INITIATOR, 0), 0);
	uint8_t *out = malloc(RBSR_MSG_MAX);
	CHECK_EQ_INT(rbsr_initiate(s, out, RBSR_MSG_MAX, n), 0);
	return out;
}

/* An answer repeating an id: it is needed once; one we hold is not needed. */
static void test_idlist_duplicates(void)
{
	rbsr_item it;
	memset(&it, 0, sizeof it);
	it.ts = 10;
	memset(it.id, 0xaa, RBSR_ID_LEN);
	rbsr_set set;
	rbsr_session s;
	size_t n = 0;
	uint8_t *out = initiate_one(&it, &set, &s, &n);
	uint8_t msg[1 + 4 + 4 * RBSR_ID_LEN];
	size_t len = 0;
	msg[len++] = 0x61;
	msg[len++] = 0x00; /* infinity */
	msg[len++] = 0x00;
	msg[len++] = 0x02; /* IdList */
	msg[len++] = 0x04;
	static const uint8_t fill[4] = {0x11, 0xaa, 0x22, 0x11};
	for (int i = 0; i < 4; i++) {
		memset(msg + len, fill[i], RBSR_ID_LEN);
		len += RBSR_ID_LEN;
	}
	both res;
	memset(&res, 0, sizeof res);
	CHECK_EQ_INT(rbsr_reconcile(&s, msg, len, on_have, on_need, &res, out, RBSR_MSG_MAX, &n), 0);
	CHECK_EQ_INT(n, 0);
	CHECK(rbsr_session_finished(&s));
	CHECK_EQ_INT(res.have.n, 0);
	CHECK_EQ_INT(res.need.n, 2);
	if (res.need.n == 2)
		CHECK(res.need.ids[0][0] == 0x11 && res.need.ids[1][0] == 0x22); /* peer's order */
	CHECK_EQ_INT(rbsr_reconcile(&s, msg, len, on_have, on_need, &res, out, RBSR_MSG_MAX, &n),
	             MAILLE_ESTATE);
	free(res.need.ids);
	free(res.have.ids);
	free(out);
	rbsr_session_done(&s);
	rbsr_set_done(&set);
}

/* A callback's error stops the reconciliation and is returned. */
static int refuse(void *ctx, const uint8_t id[RBSR_ID_LEN])
{
	(void)ctx;
	(void)id;
	return MAILLE_EBUSY;
}

static void test_callback_error(void)
{
	rbsr_item it;
	memset(&it, 0x33, sizeof it);
	it.ts = 10;
	rbsr_set set;
	rbsr_session s;
	size_t n = 0;
	uint8_t *out = initiate_one(&it, &set, &s, &n);
	static const uint8_t empty_answer[] = {0x61, 0x00, 0x00, 0x02, 0x00};
	CHECK_EQ_INT(rbsr_reconcile(&s, empty_answer, sizeof empty_answer, refuse, NULL, NULL, out,
	                            RBSR_MSG_MAX, &n),
	             MAILLE_EBUSY);
	free(out);
	rbsr_session_done(&s);
	rbsr_set_done(&set);
}

/* The figure the issue asks for: 100k vs 100k items. Printed, not asserted. */
static void test_reconcile_100k(void)
{
	rng_state = 99;
	fprintf(stderr, "  timing (CPU of both sides together, in one process):\n");
	run_case(100000, 0, 0, 100000000, 0, 0, true);
	run_case(99995, 5, 5, 100000000, 0, 0, true);
	run_case(99990, 10, 0, 100000000, 0, 0, true);
	run_case(99500, 500, 500, 100000000, 0, 0, true);
	run_case(99995, 5, 5, 100000000, 65536, 65536, true);
}

CHECK_MAIN_ARGS(test_varint, test_fingerprint_known, test_fingerprint_vector, test_malformed,
                test_idlist_duplicates, test_callback_error, test_reconcile_random,
                test_reconcile_100k)
