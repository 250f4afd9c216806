/* tests/unit/proto/test_idset.c: the set of entry ids (proto/idset.h), against
 * a plain list that holds the same ids, through random adds, deletes and clears; with ids
 * chosen to collide (the same 8 first bytes, so the same probe chain, as a hostile peer can
 * choose them), which is what backward-shift deletion must keep findable. */
#include "check.h"
#include "proto/idset.h"

#include <stdint.h>

/* The reference: an unordered array of ids. */
typedef struct ref {
	uint8_t (*v)[PROTO_ID_LEN];
	size_t n;
} ref;

static bool ref_has(const ref *r, const uint8_t *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i], id, PROTO_ID_LEN) == 0)
			return true;
	return false;
}

static void ref_del(ref *r, const uint8_t *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i], id, PROTO_ID_LEN) == 0) {
			memcpy(r->v[i], r->v[--r->n], PROTO_ID_LEN);
			return;
		}
}

/* xorshift: the same sequence every run, so a failure replays */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Id k of a universe of n: with colliding, ids share their first 8 bytes in groups of 64. */
static void make_id(uint64_t k, bool colliding, uint8_t id[PROTO_ID_LEN])
{
	memset(id, 0, PROTO_ID_LEN);
	uint64_t head = colliding ? k / 64 : k * 0x9e3779b97f4a7c15ull;
	memcpy(id, &head, sizeof head);
	memcpy(id + 8, &k, sizeof k);
}

static void run(bool colliding, uint64_t seed, size_t universe, size_t steps)
{
	proto_idset s = {.seed = seed};
	ref r = {calloc(universe, PROTO_ID_LEN), 0};
	CHECK(r.v != NULL);
	if (!r.v)
		return;
	uint64_t st = seed | 1;
	uint8_t id[PROTO_ID_LEN];
	size_t bad = 0;
	for (size_t step = 0; step < steps; step++) {
		make_id(rnd(&st) % universe, colliding, id);
		unsigned op = (unsigned)(rnd(&st) % 100);
		if (op < 55) {
			int added = proto_idset_add(&s, id);
			bad += added != (ref_has(&r, id) ? 0 : 1);
			if (added == 1)
				memcpy(r.v[r.n++], id, PROTO_ID_LEN);
		} else if (op < 95) {
			proto_idset_del(&s, id);
			ref_del(&r, id);
		} else if (op == 99 && step % 7 == 0) {
			proto_idset_clear(&s);
			r.n = 0;
		}
		bad += proto_idset_has(&s, id) != ref_has(&r, id);
		bad += s.n != r.n;
	}
	/* every id of the universe answers as the reference does */
	for (size_t k = 0; k < universe; k++) {
		make_id(k, colliding, id);
		bad += proto_idset_has(&s, id) != ref_has(&r, id);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK(s.cap == 0 || s.n * 2 <= s.cap); /* the load factor stays at most 1/2 */
	proto_idset_done(&s);
	CHECK(s.slot == NULL && s.n == 0 && s.cap == 0);
	free(r.v);
}

static void test_matches_a_plain_list(void)
{
	run(false, 0x5eed0001, 4096, 200000);
}

static void test_colliding_ids_stay_findable_after_deletes(void)
{
	run(true, 0x5eed0002, 2048, 200000);
	run(true, 0, 512, 100000); /* seed 0 too: the hash does not need one to work */
}

static void test_empty_set(void)
{
	proto_idset s = {.seed = 42};
	uint8_t id[PROTO_ID_LEN] = {0};
	CHECK(!proto_idset_has(&s, id));
	proto_idset_del(&s, id); /* nothing to do, no table */
	proto_idset_clear(&s);
	CHECK_EQ_INT(proto_idset_add(&s, id), 1);
	CHECK_EQ_INT(proto_idset_add(&s, id), 0);
	CHECK(proto_idset_has(&s, id));
	proto_idset_del(&s, id);
	CHECK(!proto_idset_has(&s, id));
	CHECK_EQ_INT(s.n, 0);
	proto_idset_done(&s);
}

static void test_clear_frees_a_big_table_and_keeps_the_seed(void)
{
	proto_idset s = {.seed = 7};
	uint8_t id[PROTO_ID_LEN];
	for (uint64_t k = 0; k < 40000; k++) {
		make_id(k, false, id);
		CHECK_EQ_INT(proto_idset_add(&s, id), 1);
	}
	CHECK_EQ_INT(s.n, 40000);
	CHECK(s.cap > 65536);
	proto_idset_clear(&s);
	CHECK(s.slot == NULL && s.cap == 0 && s.n == 0);
	CHECK_EQ_INT(s.seed, 7);
	make_id(3, false, id);
	CHECK(!proto_idset_has(&s, id));
	CHECK_EQ_INT(proto_idset_add(&s, id), 1);
	proto_idset_clear(&s); /* a small table is kept, emptied */
	CHECK(s.cap > 0 && s.n == 0);
	CHECK(!proto_idset_has(&s, id));
	proto_idset_done(&s);
}

CHECK_MAIN(test_empty_set, test_matches_a_plain_list,
           test_colliding_ids_stay_findable_after_deletes,
           test_clear_frees_a_big_table_and_keeps_the_seed)
