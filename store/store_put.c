/* store/store_put.c: the meta row (the sum and count of the ids), transactions, and the put:
 * the live-set rule (PROTOCOL.md §1.5), member entries held until their capability and what
 * a capability's change does to them (§4.4), the quarantine's evictions within the put
 * (§4.6). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* The sum of the ids (meta.idsum) */

/* sum += id, mod 2^256, both little-endian. */
void store__sum_add(uint8_t sum[STORE_SUM_LEN], const uint8_t id[STORE_SUM_LEN])
{
	unsigned carry = 0;
	for (size_t i = 0; i < STORE_SUM_LEN; i++) {
		carry += (unsigned)sum[i] + id[i];
		sum[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/* sum -= id, mod 2^256. */
static void store_sum_sub(uint8_t sum[STORE_SUM_LEN], const uint8_t id[STORE_SUM_LEN])
{
	unsigned borrow = 0;
	for (size_t i = 0; i < STORE_SUM_LEN; i++) {
		unsigned d = (unsigned)sum[i] - id[i] - borrow;
		sum[i] = (uint8_t)d;
		borrow = (d >> 8) & 1; /* the subtraction wrapped below 0 */
	}
}

/* maille_idsum(id), an aggregate: the sum of the ids (32 zero bytes over no row), for
 * migration 2. An id that is not 32 bytes is left out rather than failing the migration, so
 * that the file still opens and store_check can report that row (it sums the same way). */
void store__idsum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t *sum = sqlite3_aggregate_context(ctx, STORE_SUM_LEN); /* zeroed on first use */

	(void)argc;
	if (!sum) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_BLOB &&
	    sqlite3_value_bytes(argv[0]) == STORE_SUM_LEN)
		store__sum_add(sum, sqlite3_value_blob(argv[0]));
}

void store__idsum_final(sqlite3_context *ctx)
{
	static const uint8_t zero[STORE_SUM_LEN];
	const uint8_t *sum = sqlite3_aggregate_context(ctx, 0); /* NULL when no row was summed */
	sqlite3_result_blob(ctx, sum ? sum : zero, STORE_SUM_LEN, SQLITE_TRANSIENT);
}

/* The meta row as the file has it, in the caller's transaction or as a statement of its
 * own. MAILLE_ECORRUPT if there is none or it is malformed. */
int store__meta_read(store *st, store_meta *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_META_GET, &s);
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *sum = sqlite3_column_blob(s, 0);
		sqlite3_int64 n = sqlite3_column_int64(s, 1), next = sqlite3_column_int64(s, 2);
		sqlite3_int64 qn = sqlite3_column_int64(s, 3), qbytes = sqlite3_column_int64(s, 4);
		bool bad = !sum || sqlite3_column_bytes(s, 0) != STORE_SUM_LEN || n < 0 ||
		           next < 1 || qn < 0 || qbytes < 0;
		for (int i = 0; i < QB_N_; i++)
			bad = bad || sqlite3_column_int64(s, 6 + i) < 0;
		if (bad) {
			rc = MAILLE_ECORRUPT;
		} else {
			memcpy(ret->sum, sum, STORE_SUM_LEN);
			ret->n = (uint64_t)n;
			ret->next_rid = (uint64_t)next;
			ret->qn = (uint64_t)qn;
			ret->qbytes = (uint64_t)qbytes;
			ret->q_on = sqlite3_column_int64(s, 5) != 0;
			for (int i = 0; i < QB_N_; i++)
				ret->qb[i] = (uint64_t)sqlite3_column_int64(s, 6 + i);
			rc = 0;
		}
	} else if (rc == SQLITE_DONE) {
		rc = MAILLE_ECORRUPT; /* no meta row */
	} else {
		rc = store__err(rc);
		if (!rc)
			rc = MAILLE_EIO; /* a step gives no SQLITE_OK: never 0 without the row */
	}
	sqlite3_reset(s);
	return rc;
}

/* Writes st->meta back into the file, if a put changed it since it was read. */
int store__meta_flush(store *st)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st->meta_dirty)
		return 0;
	rc = store__stmt(st, STMT_META_SET, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->meta.next_rid);
	sqlite3_bind_blob(s, 2, st->meta.sum, STORE_SUM_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)st->meta.n);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)st->meta.qn);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)st->meta.qbytes);
	sqlite3_bind_int(s, 6, st->meta.q_on);
	for (int i = 0; i < QB_N_; i++)
		sqlite3_bind_int64(s, 7 + i, (sqlite3_int64)st->meta.qb[i]);
	rc = store__step_one(st, s); /* MAILLE_ECORRUPT: the row went away */
	if (!rc)
		st->meta_dirty = false;
	return rc;
}

/* The meta row as this handle sees it: inside a batch, with the batch's puts. */
int store__meta_get(store *st, store_meta *ret)
{
	if (st->in_batch && !st->batch_err && !sqlite3_get_autocommit(st->db)) {
		*ret = st->meta;
		return 0;
	}
	return store__meta_read(st, ret);
}

/* BEGIN IMMEDIATE, then the meta row into st->meta: the write lock is held from here to
 * COMMIT, so no other process can change the row meanwhile. */
int store__tx_begin(store *st)
{
	int rc = store__stmt_run(st, STMT_BEGIN);
	if (rc)
		return rc;
	rc = store__meta_read(st, &st->meta);
	if (rc) {
		store__stmt_run(st, STMT_ROLLBACK);
		return rc;
	}
	st->meta_dirty = false;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Transactions */

int store_begin(store *st)
{
	if (st->in_batch)
		return MAILLE_ESTATE;
	int rc = store__tx_begin(st);
	if (rc)
		return rc;
	st->in_batch = true;
	st->batch_deleted_text = false;
	st->batch_err = 0;
	st->n_ops = 0;
	st->fts_len = 0;
	return 0;
}

/* Writes the pending full-text changes, optimises the index if text was deleted, then
 * commits; rolls back on any failure so the file never keeps a committed deletion whose text
 * is still in the index pages. */
int store__finish(store *st, bool deleted_text)
{
	int rc = store__meta_flush(st);
	if (!rc)
		rc = store__fts_flush(st, &deleted_text);
	if (!rc && deleted_text)
		rc = store__stmt_run(st, STMT_OPTIMIZE);
	if (!rc)
		rc = store__stmt_run(st, STMT_COMMIT);
	if (rc && !sqlite3_get_autocommit(st->db))
		store__stmt_run(st, STMT_ROLLBACK);
	if (rc)
		store__vocab_forget(st);
	store__fts_discard(st);
	return rc;
}

int store_commit(store *st)
{
	if (!st->in_batch)
		return MAILLE_ESTATE;
	st->in_batch = false;
	if (st->batch_err || sqlite3_get_autocommit(st->db)) {
		/* Already rolled back, by us or by SQLite (I/O error, disk full). */
		if (!sqlite3_get_autocommit(st->db))
			store__stmt_run(st, STMT_ROLLBACK);
		store__fts_discard(st);
		store__vocab_forget(st);
		st->n_evicted = st->n_evicted_done;
		return st->batch_err ? st->batch_err : MAILLE_EIO;
	}
	int rc = store__finish(st, st->batch_deleted_text);
	if (rc)
		st->n_evicted = st->n_evicted_done; /* rolled back: nothing was evicted */
	else
		st->n_evicted_done = st->n_evicted;
	return rc;
}

void store_rollback(store *st)
{
	if (!st->in_batch)
		return;
	st->in_batch = false;
	if (!sqlite3_get_autocommit(st->db))
		store__stmt_run(st, STMT_ROLLBACK);
	store__fts_discard(st);
	store__vocab_forget(st);
	st->n_evicted = st->n_evicted_done;
}

/* ------------------------------------------------------------------------------------------ */
/* Put */

/* Whether e is a capability (PROTOCOL.md §4.3): members/<hex> written by the territory. */
static bool store_is_cap(const proto_entry *e)
{
	return memcmp(e->signer, e->territory, PROTO_KEY_LEN) == 0 &&
	       e->path_len == sizeof PROTO_MEMBERS_PREFIX - 1 + 2 * PROTO_KEY_LEN &&
	       memcmp(e->path, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1) == 0;
}

/* Whether the capability document raw (NULL: none, or a tombstone) covers the member entry me:
 * 0, or MAILLE_EDENIED. */
static int store_cap_covers(const uint8_t *cap_raw, size_t cap_len, const proto_entry *me)
{
	proto_entry ce;
	proto_member_cap cap;
	if (!cap_raw || proto_entry_decode(cap_raw, cap_len, &ce) != 0 ||
	    ce.kind != PROTO_KIND_DOCUMENT || proto_member_cap_decode(&ce, &cap) != 0 ||
	    proto_member_covers(&cap, me) != 0)
		return MAILLE_EDENIED;
	return 0;
}

/* The rule of PROTOCOL.md §4.4 for an entry not signed by its territory: its capability
 * reference must name its signer (MAILLE_EAUTH otherwise: no node could ever accept it), and
 * the live capability at that path decides: none yet → held; a document that covers it →
 * stored; a tombstone, or a document that does not cover it → MAILLE_EDENIED. */
int store__member_check(store *st, const proto_entry *e, bool *ret_held)
{
	*ret_held = false;
	if (memcmp(e->signer, e->territory, PROTO_KEY_LEN) == 0)
		return e->capref ? MAILLE_EAUTH : 0;
	char want[sizeof PROTO_MEMBERS_PREFIX + 2 * PROTO_KEY_LEN];
	memcpy(want, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1);
	proto_hex(e->signer, PROTO_KEY_LEN, want + sizeof PROTO_MEMBERS_PREFIX - 1);
	if (!e->capref || e->capref_len != strlen(want) || memcmp(e->capref, want, e->capref_len))
		return MAILLE_EAUTH;
	if (proto_path_reserved(e->path, e->path_len))
		return MAILLE_EDENIED; /* whatever the capability says */

	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_LIVE_GET, &s);
	if (rc)
		return rc;
	store__bind_path(s, e->territory, want, strlen(want));
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		*ret_held = true;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store__err(rc);
	}
	sqlite3_int64 cap_rid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	rc = store__stmt(st, STMT_RAW_GET, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, cap_rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const uint8_t *raw = sqlite3_column_blob(s, 0);
		int len = sqlite3_column_bytes(s, 0);
		rc = store_cap_covers(raw, raw && len > 0 ? (size_t)len : 0, e);
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store__err(rc);
	}
	sqlite3_reset(s);
	return rc;
}

/* Applies the live-set rule, the member rule and the quarantine (reads only). When the newcomer
 * supersedes a document, the text that document was indexed with is computed from its raw
 * into st->old_text: the index has to be told what it removes (external content). */
static int store_put_plan_make(store *st, const proto_entry *e, const uint8_t id[PROTO_ID_LEN],
                               size_t len, store_put_plan *plan)
{
	sqlite3_stmt *s = NULL;
	uint8_t old_id[PROTO_ID_LEN];
	uint64_t old_ts;
	const void *p;
	int rc = store__stmt(st, STMT_LIVE_GET, &s);
	if (rc)
		return rc;
	plan->result = STORE_PUT_LIVE;
	plan->old_rid = -1;
	plan->old_text = false;
	plan->old_len = 0;
	plan->old_q = false;
	plan->held = false;
	plan->q = false;
	st->n_ev = 0;
	store__bind_path(s, e->territory, e->path, e->path_len);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store__err(rc);
		rc = store__member_check(st, e, &plan->held);
		return rc ? rc : store__q_plan(st, e, id, len, plan);
	}
	p = sqlite3_column_blob(s, 1);
	old_ts = (uint64_t)sqlite3_column_int64(s, 2);
	plan->old_rid = sqlite3_column_int64(s, 0);
	plan->old_len = sqlite3_column_int64(s, 5);
	plan->old_ts = old_ts;
	/* a document stored for later indexing is not in the index: nothing to remove */
	plan->old_text = sqlite3_column_int(s, 3) == PROTO_KIND_DOCUMENT &&
	                 sqlite3_column_int(s, 4) == 0;
	if (!p || sqlite3_column_bytes(s, 1) != PROTO_ID_LEN) {
		sqlite3_reset(s);
		return MAILLE_ECORRUPT;
	}
	memcpy(old_id, p, PROTO_ID_LEN);
	memcpy(plan->old_id, old_id, PROTO_ID_LEN);
	sqlite3_reset(s);
	if (memcmp(old_id, id, PROTO_ID_LEN) == 0) {
		plan->result = STORE_PUT_DUPLICATE;
		return 0;
	}
	if (!proto_entry_newer(e->timestamp, id, old_ts, old_id)) {
		plan->result = STORE_PUT_SUPERSEDED;
		return 0;
	}
	rc = store__member_check(st, e, &plan->held);
	if (!rc)
		rc = store__q_plan(st, e, id, len, plan);
	if (!rc && plan->old_text)
		rc = store__text_of_rid(st, plan->old_rid, st->old_text);
	return rc;
}

/* Adds dn entries and dbytes bytes to what territory has stored (authors, migration 5). */
static int store_author_add(store *st, const uint8_t territory[PROTO_KEY_LEN], int64_t dn,
                            int64_t dbytes)
{
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_AUTHOR_ADD, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, dn);
	sqlite3_bind_int64(s, 3, dbytes);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store__err(rc);
}

/* Deletes the quarantine's row of the entry (ts, id): MAILLE_ECORRUPT if there is none. */
static int store_q_row_del(store *st, uint64_t ts, const uint8_t id[PROTO_ID_LEN])
{
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_Q_DEL, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)ts);
	sqlite3_bind_blob(s, 2, id, PROTO_ID_LEN, SQLITE_STATIC);
	rc = store__step_one(st, s);
	return rc;
}

/* Deletes the entry rid (ts, id, of territory, len bytes, q: in the quarantine) from the live
 * set, like a superseded version: its themes by cascade, its text from the full-text index
 * when it is indexed (queued, see store__fts_flush), its id from meta's sum and count, its size
 * from its territory's usage, and from the quarantine. In the caller's transaction. */
static int store_row_drop(store *st, sqlite3_int64 rid, uint64_t ts,
                          const uint8_t id[PROTO_ID_LEN], const uint8_t territory[PROTO_KEY_LEN],
                          int64_t len, bool indexed, bool q)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (q && (st->meta.qn == 0 || st->meta.qbytes < (uint64_t)len))
		return MAILLE_ECORRUPT;
	if (q && (rc = store_q_row_del(st, ts, id)) != 0)
		return rc;
	if (indexed) {
		/* the index is told what it removes (external content) */
		rc = store__text_of_rid(st, rid, st->old_text);
		if (!rc)
			rc = store__fts_queue(st, rid, false, st->old_text, NULL, NULL);
		if (rc)
			return rc;
	}
	rc = store__stmt(st, STMT_ENTRY_DEL, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	rc = store__step_one(st, s);
	if (!rc)
		rc = store_author_add(st, territory, -1, -len);
	if (rc)
		return rc;
	store_sum_sub(st->meta.sum, id);
	st->meta.n--;
	if (q) {
		st->meta.qn--;
		st->meta.qbytes -= (uint64_t)len;
	}
	st->meta_dirty = true;
	return 0;
}

/* The capability at path in territory left the live set by eviction: its member's entries are
 * held again, as before it arrived (PROTOCOL.md §4.4), and a document among them leaves the
 * full-text index until the capability comes back (store_cap_changed releases it). */
static int store_cap_gone(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path)
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 *rids = NULL;
	bool *indexed = NULL;
	size_t n = 0, cap = 0;
	sqlite3_int64 pk, tk;
	int rc = store__stmt(st, STMT_CAP_ROWS, &s);
	if (rc)
		return rc;
	store__path_keys(territory, path, strlen(path), &pk, &tk);
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, tk);
	/* decide first, change after: the statement walks the index the changes touch */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_int(s, 3) != 0)
			continue; /* held already */
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			sqlite3_int64 *nr = realloc(rids, nc * sizeof *nr);
			bool *ni = nr ? realloc(indexed, nc * sizeof *ni) : NULL;
			if (nr)
				rids = nr;
			if (!ni) {
				rc = MAILLE_ENOMEM;
				break;
			}
			indexed = ni;
			cap = nc;
		}
		rids[n] = sqlite3_column_int64(s, 0);
		indexed[n] = sqlite3_column_int(s, 4) == PROTO_KIND_DOCUMENT &&
		             sqlite3_column_int(s, 5) == 0;
		n++;
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store__err(rc) : rc;
	for (size_t i = 0; !rc && i < n; i++) {
		if (indexed[i]) {
			rc = store__text_of_rid(st, rids[i], st->old_text);
			if (!rc)
				rc = store__fts_queue(st, rids[i], false, st->old_text, NULL, NULL);
			if (rc)
				break;
		}
		rc = store__stmt(st, STMT_HELD_SET, &s);
		if (rc)
			break;
		sqlite3_bind_int64(s, 1, rids[i]);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store__err(sqlite3_errcode(st->db));
		sqlite3_reset(s);
	}
	free(rids);
	free(indexed);
	return rc;
}

/* Appends id to the ids evicted (store_evicted_take); past STORE_EVICTED_MAX they are not
 * kept (their caller asks for them again, and they are refused again). */
static void store_evicted_add(store *st, const uint8_t id[PROTO_ID_LEN])
{
	if (st->n_evicted == st->cap_evicted) {
		if (st->cap_evicted >= STORE_EVICTED_MAX)
			return;
		uint8_t(*v)[PROTO_ID_LEN] = proto_array_grow(st->evicted, &st->cap_evicted, 64,
		                                             PROTO_ID_LEN);
		if (!v)
			return; /* forgotten: asked for again, and refused again */
		st->evicted = v;
	}
	memcpy(st->evicted[st->n_evicted++], id, PROTO_ID_LEN);
}

/* Evicts what store_q_pick chose (st->ev), then holds again the entries of the capabilities
 * among them. In the caller's transaction or savepoint. */
int store__q_evict(store *st)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < st->n_ev; i++) {
		const store_qrow *r = &st->ev[i];
		rc = store_row_drop(st, r->rid, r->ts, r->id, r->territory, r->len, r->indexed,
		                    true);
	}
	for (size_t i = 0; !rc && i < st->n_ev; i++)
		if (st->ev[i].cap)
			rc = store_cap_gone(st, st->ev[i].territory, st->ev[i].path);
	for (size_t i = 0; !rc && i < st->n_ev; i++)
		store_evicted_add(st, st->ev[i].id);
	st->n_ev = 0;
	return rc;
}

/* Writes what plan decided (a STORE_PUT_LIVE plan) inside the caller's transaction or
 * savepoint, and queues the full-text changes (store__fts_flush). doc is NULL for a tombstone.
 * *ret_rid is set as soon as the new row exists, so that a caller can undo a put that failed
 * after that point. st->meta changes only once every step has succeeded (a caller that
 * undoes a put after that restores it: store_put_tx). */
static int store_put_write(store *st, const proto_entry *e, const uint8_t *raw, size_t len,
                           const uint8_t id[PROTO_ID_LEN], const store_doc *doc,
                           const store_put_plan *plan, sqlite3_int64 *ret_rid)
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 rid = (sqlite3_int64)st->meta.next_rid;
	int rc;

	/* A rid past INT64_MAX cannot be stored: only a damaged meta row comes near it. */
	if (st->meta.next_rid >= (uint64_t)INT64_MAX)
		return MAILLE_ECORRUPT;
	if (plan->old_rid >= 0) {
		/* The old version goes with its themes (cascade). */
		rc = store__stmt(st, STMT_ENTRY_DEL, &s);
		if (rc)
			return rc;
		sqlite3_bind_int64(s, 1, plan->old_rid);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store__err(rc);
	}

	/* One row, so one statement that either writes it whole or not at all (constraints are
	 * checked before anything is written). */
	rc = store__stmt(st, STMT_ENTRY_INS, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, id, PROTO_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, e->territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, e->path, (int)e->path_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)e->timestamp);
	sqlite3_bind_int(s, 5, e->kind);
	sqlite3_bind_blob(s, 6, e->signer, PROTO_KEY_LEN, SQLITE_STATIC);
	if (e->capref)
		sqlite3_bind_text(s, 7, e->capref, (int)e->capref_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 7);
	sqlite3_bind_blob(s, 8, raw, (int)len, SQLITE_STATIC);
	store__bind_text(s, 9, doc ? doc->type : NULL);
	store__bind_text(s, 10, doc ? doc->status : NULL);
	store__bind_text(s, 11, doc ? doc->licence : NULL);
	store__bind_text(s, 12, doc ? doc->sw_licence : NULL);
	store__bind_text(s, 13, doc ? doc->title : NULL);
	store__bind_text(s, 14, doc ? doc->summary : NULL);
	sqlite3_bind_int(s, 15, doc && doc->fed);
	{
		sqlite3_int64 pk, tk;
		store__path_keys(e->territory, e->path, e->path_len, &pk, &tk);
		sqlite3_bind_int64(s, 16, pk);
		sqlite3_bind_int64(s, 17, tk);
	}
	sqlite3_bind_int64(s, 18, rid);
	/* a held document is indexed once its capability covers it (store_cap_changed) */
	sqlite3_bind_int(s, 19, doc && (st->index_later || plan->held));
	sqlite3_bind_int(s, 20, plan->held);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store__err(rc);
	*ret_rid = rid;

	if (doc) {
		const char *theme;
		rc = store__stmt(st, STMT_THEME_INS, &s);
		if (rc)
			return rc;
		for (size_t i = 0; (theme = store__doc_theme(doc, i)) != NULL; i++) {
			sqlite3_bind_int64(s, 1, rid);
			sqlite3_bind_text(s, 2, theme, -1, SQLITE_STATIC);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			if (rc != SQLITE_DONE)
				return store__err(rc);
		}
		rc = store__links_put(st, rid, doc);
		if (rc)
			return rc;
	}
	if (doc && !plan->q) {
		rc = store__stmt(st, STMT_VERSION_ADD, &s);
		if (rc)
			return rc;
		sqlite3_bind_blob(s, 1, e->territory, PROTO_KEY_LEN, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, e->path, (int)e->path_len, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store__err(rc);
	}
	if (plan->old_q) {
		rc = store_q_row_del(st, plan->old_ts, plan->old_id);
		if (rc)
			return rc;
	}
	if (plan->q) {
		rc = store__stmt(st, STMT_Q_INS, &s);
		if (rc)
			return rc;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)e->timestamp);
		sqlite3_bind_blob(s, 2, id, PROTO_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, e->territory, PROTO_KEY_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)len);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store__err(rc);
	}

	/* Every statement succeeded: queue the full-text changes (a caller whose put fails
	 * after this drops what it queued). */
	if (plan->old_text) {
		rc = store__fts_queue(st, plan->old_rid, false, st->old_text, NULL, NULL);
		if (rc)
			return rc;
	}
	if (doc && !st->index_later && !plan->held) {
		rc = doc->text ? store__fts_queue(st, rid, true, doc->text, doc->words, doc->words_len)
		               : store__fts_queue(st, rid, true, st->text, NULL, NULL);
		if (rc)
			return rc;
	}
	rc = store_author_add(st, e->territory, plan->old_rid < 0 ? 1 : 0,
	                      (int64_t)len - plan->old_len);
	if (rc)
		return rc;

	/* Then the rid moves past this row, the sum gains its id and loses the old one's, and
	 * the quarantine's totals follow (store__q_plan checked they can). */
	st->meta.next_rid = (uint64_t)rid + 1;
	store__sum_add(st->meta.sum, id);
	if (plan->old_rid >= 0)
		store_sum_sub(st->meta.sum, plan->old_id);
	else
		st->meta.n++;
	if (plan->old_rid >= 0 && plan->old_q) {
		st->meta.qn--;
		st->meta.qbytes -= (uint64_t)plan->old_len;
	}
	if (plan->q) {
		st->meta.qn++;
		st->meta.qbytes += len;
	}
	st->meta_dirty = true;
	/* Last, what the quarantine evicts to make room (a caller whose put fails after this
	 * restores st->meta). */
	return store__q_evict(st);
}

/* A member's entry, as store_cap_changed decides on it. */
typedef struct store_cap_row {
	sqlite3_int64 rid;
	uint8_t id[PROTO_ID_LEN];
	int64_t len;
	uint64_t ts;
	bool held, indexed, drop;
} store_cap_row;

/* The capability cap (just made live, a document or a tombstone) decides again on every
 * entry of its member (PROTOCOL.md §4.4): a held entry it covers is released (and indexed
 * later, like a bulk sync's: store_index_pending), an entry it does not cover leaves the live
 * set. So every node that has the same capability keeps the same entries, whatever the order
 * in which they came. Runs inside the put's transaction (or savepoint). */
static int store_cap_changed(store *st, const proto_entry *cap, const uint8_t *cap_raw,
                             size_t cap_len)
{
	sqlite3_stmt *s = NULL;
	store_cap_row *rows = NULL;
	size_t n = 0, cap_rows = 0;
	const bool is_doc = cap->kind == PROTO_KIND_DOCUMENT;
	bool trusted = true; /* by the quarantine's view: the member's entries are in it if not */
	int rc = st->meta.q_on ? store__qview_has(st, cap->territory, &trusted) : 0;
	const bool q = !trusted;
	if (!rc)
		rc = store__stmt(st, STMT_CAP_ROWS, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, cap->path, (int)cap->path_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, cap->territory, PROTO_KEY_LEN, SQLITE_STATIC);
	{
		sqlite3_int64 pk, tk;
		store__path_keys(cap->territory, cap->path, cap->path_len, &pk, &tk);
		sqlite3_bind_int64(s, 3, tk);
	}
	/* decide first, change after: the statement walks the index the changes touch */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *raw = sqlite3_column_blob(s, 2);
		int len = sqlite3_column_bytes(s, 2);
		const void *idp = sqlite3_column_blob(s, 1);
		proto_entry me;
		if (!raw || len <= 0 || !idp || sqlite3_column_bytes(s, 1) != PROTO_ID_LEN ||
		    proto_entry_decode(raw, (size_t)len, &me) != 0) {
			rc = MAILLE_ECORRUPT;
			break;
		}
		if (n == cap_rows) {
			store_cap_row *nr = proto_array_grow(rows, &cap_rows, 16, sizeof *nr);
			if (!nr) {
				rc = MAILLE_ENOMEM;
				break;
			}
			rows = nr;
		}
		store_cap_row *r = &rows[n++];
		r->rid = sqlite3_column_int64(s, 0);
		memcpy(r->id, idp, PROTO_ID_LEN);
		r->len = len;
		r->held = sqlite3_column_int(s, 3) != 0;
		r->indexed = sqlite3_column_int(s, 4) == PROTO_KIND_DOCUMENT &&
		             sqlite3_column_int(s, 5) == 0;
		r->ts = (uint64_t)sqlite3_column_int64(s, 6);
		r->drop = store_cap_covers(is_doc ? cap_raw : NULL, cap_len, &me) != 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = store__err(rc);

	for (size_t i = 0; !rc && i < n; i++) {
		store_cap_row *r = &rows[i];
		if (!r->drop) {
			if (!r->held)
				continue;
			rc = store__stmt(st, STMT_HELD_CLEAR, &s);
			if (rc)
				break;
			sqlite3_bind_int64(s, 1, r->rid);
			rc = sqlite3_step(s) == SQLITE_DONE ? 0
			                                     : store__err(sqlite3_errcode(st->db));
			sqlite3_reset(s);
			continue;
		}
		rc = store_row_drop(st, r->rid, r->ts, r->id, cap->territory, r->len, r->indexed,
		                    q);
	}
	free(rows);
	return rc;
}

/* The batch cannot be trusted any more (a put could not be undone, or SQLite rolled the
 * transaction back itself): roll it back; the following puts and commit return rc. */
void store__batch_break(store *st, int rc)
{
	st->batch_err = rc;
	if (!sqlite3_get_autocommit(st->db))
		store__stmt_run(st, STMT_ROLLBACK);
	store__fts_discard(st);
	st->n_evicted = st->n_evicted_done;
}

void store__mark(const store *st, store_mark *ret)
{
	ret->n_ops = st->n_ops;
	ret->fts_len = st->fts_len;
	ret->n_evicted = st->n_evicted;
	ret->meta = st->meta;
	ret->meta_dirty = st->meta_dirty;
}

/* Ends the savepoint opened after store__mark(st, m) with the outcome rc of the work done in
 * it: RELEASE when rc is 0; otherwise, or when RELEASE fails, the work undone (the savepoint
 * rolled back, st restored to m), or the batch broken when even that fails. Returns rc, or
 * RELEASE's error. */
int store__savepoint_end(store *st, const store_mark *m, int rc)
{
	if (!rc)
		rc = store__stmt_run(st, STMT_RELEASE);
	if (rc) {
		st->n_ops = m->n_ops;
		st->fts_len = m->fts_len;
		st->meta = m->meta;
		st->meta_dirty = m->meta_dirty;
		st->n_evicted = m->n_evicted;
		if (store__stmt_run(st, STMT_ROLLBACK_TO) != 0 ||
		    store__stmt_run(st, STMT_RELEASE) != 0)
			store__batch_break(st, rc); /* the work could not be undone */
	}
	return rc;
}

/* One put as its own transaction, or inside the open batch, so that a failing put leaves
 * nothing behind and the rest of the batch intact. In a batch, a put that supersedes a
 * version runs in a savepoint (it deletes before it inserts). A new (territory, path), the
 * bulk of any load, runs without one: a savepoint makes SQLite copy every page the put
 * touches into its sub-journal (16 KiB each: ~20 µs a put, more than the put's SQL itself),
 * and such a put is undone by deleting the row it inserted (its single INSERT either writes
 * the row whole or nothing). */
static int store_put_tx(store *st, const proto_entry *e, const uint8_t *raw, size_t len,
                        const uint8_t id[PROTO_ID_LEN], const store_doc *doc, int *result)
{
	store_put_plan plan = {.result = STORE_PUT_LIVE, .old_rid = -1};
	sqlite3_int64 rid = 0;
	const bool is_cap = store_is_cap(e);
	int rc;

	if (st->in_batch) {
		/* What an undone put restores (store_put_write changes st->meta after its own rows,
		 * then the quarantine's evictions: a failure of those, or of the savepoint's
		 * RELEASE, needs it). */
		store_mark m;
		store__mark(st, &m);
		if (!st->batch_err && sqlite3_get_autocommit(st->db)) {
			/* SQLite rolled the batch back after an error (I/O, disk full). */
			st->batch_err = MAILLE_EIO;
			store__fts_discard(st);
		}
		if (st->batch_err)
			return st->batch_err;
		if (st->fts_len > STORE_FTS_PENDING_MAX) {
			rc = store__fts_sync(st);
			if (rc)
				return rc;
			m.n_ops = m.fts_len = 0;
		}
		rc = store_put_plan_make(st, e, id, len, &plan);
		if (rc || plan.result != STORE_PUT_LIVE) {
			*result = plan.result;
			return rc;
		}
		/* a capability may remove other entries, an eviction removes some: they need the
		 * savepoint */
		if (plan.old_rid < 0 && !is_cap && st->n_ev == 0) {
			rc = store_put_write(st, e, raw, len, id, doc, &plan, &rid);
			if (rc) {
				st->n_ops = m.n_ops;
				st->fts_len = m.fts_len;
				st->meta = m.meta;
				st->meta_dirty = m.meta_dirty;
				if (sqlite3_get_autocommit(st->db)) {
					/* SQLite rolled the transaction back */
					store__batch_break(st, rc);
				} else if (rid > 0) {
					/* The row exists (its themes go with it by cascade), and its
					 * quarantine row, if it got that far. */
					sqlite3_stmt *s = NULL;
					int undo = store__stmt(st, STMT_ENTRY_DEL, &s);
					if (!undo) {
						sqlite3_bind_int64(s, 1, rid);
						undo = sqlite3_step(s) == SQLITE_DONE ? 0 : MAILLE_EIO;
						sqlite3_reset(s);
					}
					if (!undo && plan.q)
						undo = store__stmt(st, STMT_Q_DEL, &s);
					if (!undo && plan.q) {
						sqlite3_bind_int64(s, 1, (sqlite3_int64)e->timestamp);
						sqlite3_bind_blob(s, 2, id, PROTO_ID_LEN, SQLITE_STATIC);
						undo = sqlite3_step(s) == SQLITE_DONE ? 0 : MAILLE_EIO;
						sqlite3_reset(s);
					}
					if (undo)
						store__batch_break(st, rc);
				}
			}
			*result = STORE_PUT_LIVE;
			return rc;
		}
		rc = store__stmt_run(st, STMT_SAVEPOINT);
		if (rc)
			return rc;
		rc = store_put_write(st, e, raw, len, id, doc, &plan, &rid);
		if (!rc && is_cap)
			rc = store_cap_changed(st, e, raw, len);
		*result = STORE_PUT_LIVE;
		return store__savepoint_end(st, &m, rc);
	}

	/* On its own, the put needs no savepoint: any failure rolls the whole transaction back. */
	rc = store__tx_begin(st);
	if (rc)
		return rc;
	rc = store_put_plan_make(st, e, id, len, &plan);
	if (!rc && plan.result == STORE_PUT_LIVE)
		rc = store_put_write(st, e, raw, len, id, doc, &plan, &rid);
	if (!rc && plan.result == STORE_PUT_LIVE && is_cap)
		rc = store_cap_changed(st, e, raw, len);
	if (rc) {
		if (!sqlite3_get_autocommit(st->db))
			store__stmt_run(st, STMT_ROLLBACK);
		store__fts_discard(st);
		st->n_evicted = st->n_evicted_done;
		return rc;
	}
	*result = plan.result;
	if (plan.result != STORE_PUT_LIVE) {
		/* Nothing was written. */
		store__stmt_run(st, STMT_ROLLBACK);
		return 0;
	}
	rc = store__finish(st, false);
	if (rc)
		st->n_evicted = st->n_evicted_done;
	else
		st->n_evicted_done = st->n_evicted;
	return rc;
}

int store_entry_put_verified(store *st, const proto_entry *e, const uint8_t *raw, size_t len,
                             const uint8_t id[PROTO_ID_LEN], int *ret_result)
{
	proto_arena arena;
	proto_value *body = NULL;
	store_doc doc;
	int result = STORE_PUT_LIVE;
	int rc;

	if (len > PROTO_ENTRY_MAX)
		return MAILLE_ETOOBIG;
	/* SQLite integers are signed: a timestamp past INT64_MAX (year 294247) would sort before
	 * every other. proto_entry_check_time() refuses it long before; keep the order sound for
	 * callers that did not ask. */
	if (e->timestamp > (uint64_t)INT64_MAX)
		return MAILLE_EFUTURE;
	if (e->kind == PROTO_KIND_TOMBSTONE) {
		/* A tombstone carries no text, so deleting a record leaves none of it behind. */
		if (e->body_len != 1 || e->body[0] != 0x80)
			return MAILLE_EPROTO;
		rc = store_put_tx(st, e, raw, len, id, NULL, &result);
	} else if (e->kind == PROTO_KIND_DOCUMENT) {
		/* Only "is a map": the schema is the publisher's business (see store.h). */
		proto_arena_init(&arena, 0);
		rc = proto_value_decode(e->body, e->body_len, &arena, &body);
		if (!rc && body->type != PROTO_V_MAP)
			rc = MAILLE_EPROTO;
		if (!rc)
			rc = store__doc_extract(st->text, body, &doc);
		if (!rc)
			rc = store_put_tx(st, e, raw, len, id, &doc, &result);
		proto_arena_done(&arena);
	} else {
		return MAILLE_EPROTO;
	}
	if (!rc && ret_result)
		*ret_result = result;
	return rc;
}

int store_entry_put_prepared(store *st, const proto_entry *e, const uint8_t *raw, size_t len,
                             const uint8_t id[PROTO_ID_LEN], const store_prepared *p,
                             int *ret_result)
{
	int result = STORE_PUT_LIVE;
	/* store_entry_put_verified's checks, then its put with the document p holds */
	if (!p || !p->ok || e->kind != PROTO_KIND_DOCUMENT || len > PROTO_ENTRY_MAX ||
	    e->timestamp > (uint64_t)INT64_MAX)
		return store_entry_put_verified(st, e, raw, len, id, ret_result);
	int rc = store_put_tx(st, e, raw, len, id, &p->doc, &result);
	if (!rc && ret_result)
		*ret_result = result;
	return rc;
}

int store_entry_put(store *st, const uint8_t *raw, size_t len, uint64_t now_us, int *ret_result)
{
	uint8_t id[PROTO_ID_LEN];
	proto_entry e;
	int rc = proto_entry_decode(raw, len, &e);
	if (rc)
		return rc;
	rc = proto_entry_verify(&e, raw, len);
	if (rc)
		return rc;
	proto_entry_id(raw, len, id);
	rc = proto_entry_check_time(&e, now_us);
	if (rc)
		return rc;
	return store_entry_put_verified(st, &e, raw, len, id, ret_result);
}
