/* store/store_quarantine.c: the quarantine (PROTOCOL.md §4.6): the evictions a put or a change
 * of view or bounds makes, the territories list and search trust and the quarantine's view
 * (store_set_trusted), its bounds (store_set_quota), the evicted ids (store_evicted_take). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* The quarantine (PROTOCOL.md §4.6)
 *
 * The entries of the territories the quarantine's view does not trust have a row in the
 * quarantine table (migration 6). They are kept lowest (timestamp, id) first under two pairs
 * of bounds: each territory's (entries, bytes) and the total of them all. A put takes its
 * place in that order; while a bound is exceeded, the highest quarantined entry (of the
 * territory first, then of all) is evicted, deleted like a superseded version in the put's
 * transaction; when the newcomer itself is the highest one left, it does not fit:
 * MAILLE_EQUOTA, and nothing is written. The same walk enforces the bounds again when the
 * view or the bounds change (store_q_apply). The evictions are chosen before anything is
 * written (store_q_pick), into st->ev. */

/* The newcomer of a put, in the walk's order. */
typedef struct store_qnew {
	uint64_t ts;
	const uint8_t *id;
} store_qnew;

/* The (timestamp, id) order of PROTOCOL.md §1.5: negative, 0 or positive like memcmp. */
static int store_key_cmp(uint64_t ts_a, const uint8_t *id_a, uint64_t ts_b, const uint8_t *id_b)
{
	if (ts_a != ts_b)
		return ts_a < ts_b ? -1 : 1;
	return memcmp(id_a, id_b, PROTO_ID_LEN);
}

static bool store_q_over(uint64_t max_n, uint64_t max_b, uint64_t n, uint64_t bytes)
{
	return (max_n && n > max_n) || (max_b && bytes > max_b);
}

/* Whether the quarantine's view (qview) trusts territory. */
int store__qview_has(store *st, const uint8_t territory[PROTO_KEY_LEN], bool *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_QVIEW_HAS, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store__err(rc);
	*ret = rc == SQLITE_ROW;
	return 0;
}

/* Appends r to st->ev. */
static int store_ev_push(store *st, const store_qrow *r)
{
	if (st->n_ev == st->cap_ev) {
		store_qrow *v = proto_array_grow(st->ev, &st->cap_ev, 16, sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		st->ev = v;
	}
	st->ev[st->n_ev++] = *r;
	return 0;
}

/* Chooses what to evict, highest (timestamp, id) first, until *n entries of *bytes are within
 * max_n and max_b (0: no bound): among the quarantined entries of territory, or of every
 * territory when it is NULL. Each choice goes to st->ev and leaves *n and *bytes. Passed over:
 * skip_rid (the version the put replaces) and, in the walk over every territory, the entries of
 * skip_territory from skip_from up (those its own bound chose already: its highest ones). With
 * nw, the newcomer takes its place in the order; reaching it means it does not fit:
 * MAILLE_EQUOTA. Reads only. */
static int store_q_pick(store *st, const uint8_t *territory, uint64_t max_n, uint64_t max_b,
                        uint64_t *n, uint64_t *bytes, const store_qnew *nw,
                        sqlite3_int64 skip_rid, const uint8_t *skip_territory,
                        const store_qrow *skip_from)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!store_q_over(max_n, max_b, *n, *bytes))
		return 0;
	rc = store__stmt(st, territory ? STMT_Q_TOP_T : STMT_Q_TOP, &s);
	if (rc)
		return rc;
	if (territory)
		sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	while (store_q_over(max_n, max_b, *n, *bytes)) {
		int step = sqlite3_step(s);
		if (step != SQLITE_ROW) {
			/* past the lowest entry: the newcomer is all that is left (without one, the
			 * counts say more than the rows hold) */
			rc = step != SQLITE_DONE ? store__err(step)
			     : nw                ? MAILLE_EQUOTA
			                         : MAILLE_ECORRUPT;
			break;
		}
		store_qrow r;
		const void *id = sqlite3_column_blob(s, 2), *terr = sqlite3_column_blob(s, 3);
		const void *signer = sqlite3_column_blob(s, 7);
		const char *path = (const char *)sqlite3_column_text(s, 8);
		sqlite3_int64 ts = sqlite3_column_int64(s, 1), len = sqlite3_column_int64(s, 4);
		if (!id || sqlite3_column_bytes(s, 2) != PROTO_ID_LEN || !terr ||
		    sqlite3_column_bytes(s, 3) != PROTO_KEY_LEN || !signer ||
		    sqlite3_column_bytes(s, 7) != PROTO_KEY_LEN || !path || ts < 0 || len <= 0) {
			rc = MAILLE_ECORRUPT;
			break;
		}
		memset(&r, 0, sizeof r);
		r.rid = sqlite3_column_int64(s, 0);
		r.ts = (uint64_t)ts;
		memcpy(r.id, id, PROTO_ID_LEN);
		memcpy(r.territory, terr, PROTO_KEY_LEN);
		r.len = len;
		r.indexed = sqlite3_column_int(s, 5) == PROTO_KIND_DOCUMENT &&
		            sqlite3_column_int(s, 6) == 0;
		size_t path_len = (size_t)sqlite3_column_bytes(s, 8);
		r.cap = memcmp(signer, terr, PROTO_KEY_LEN) == 0 && path_len == sizeof r.path - 1 &&
		        memcmp(path, PROTO_MEMBERS_PREFIX, sizeof PROTO_MEMBERS_PREFIX - 1) == 0;
		if (r.cap)
			memcpy(r.path, path, path_len + 1);
		if (nw && store_key_cmp(nw->ts, nw->id, r.ts, r.id) > 0) {
			rc = MAILLE_EQUOTA; /* the newcomer is the highest one left */
			break;
		}
		if (r.rid == skip_rid)
			continue;
		if (skip_territory && memcmp(r.territory, skip_territory, PROTO_KEY_LEN) == 0 &&
		    store_key_cmp(r.ts, r.id, skip_from->ts, skip_from->id) >= 0)
			continue;
		if (*n == 0 || *bytes < (uint64_t)r.len) {
			rc = MAILLE_ECORRUPT; /* the counts say less than the rows hold */
			break;
		}
		rc = store_ev_push(st, &r);
		if (rc)
			break;
		*n -= 1;
		*bytes -= (uint64_t)r.len;
	}
	sqlite3_reset(s);
	return rc;
}

/* What the quarantine does with the put of e (len bytes, id) that plan makes live: nothing
 * for a territory the view trusts; otherwise plan->q, and the entries it evicts in st->ev, or
 * MAILLE_EQUOTA when it does not fit (PROTOCOL.md §4.6). Reads only. */
int store__q_plan(store *st, const proto_entry *e, const uint8_t id[PROTO_ID_LEN],
                  size_t len, store_put_plan *plan)
{
	const uint64_t *qb = st->meta.qb;
	bool trusted = false;
	int rc;

	st->n_ev = 0;
	plan->q = false;
	if (!st->meta.q_on)
		return 0;
	rc = store__qview_has(st, e->territory, &trusted);
	if (rc || trusted)
		return rc;
	plan->q = true;
	plan->old_q = plan->old_rid >= 0; /* the same territory */
	/* the territory's usage and the total once the put is done, before any eviction */
	uint64_t n = 0, bytes = 0;
	rc = store_author_usage(st, e->territory, &n, &bytes);
	if (rc)
		return rc;
	if (plan->old_rid < 0)
		n++;
	uint64_t tn = st->meta.qn + 1, tbytes = st->meta.qbytes + len;
	if (plan->old_rid >= 0 && plan->old_q) {
		if (st->meta.qn == 0 || st->meta.qbytes < (uint64_t)plan->old_len)
			return MAILLE_ECORRUPT;
		tn--;
		tbytes -= (uint64_t)plan->old_len;
	}
	if (bytes + len < (uint64_t)plan->old_len)
		return MAILLE_ECORRUPT;
	bytes = bytes + len - (uint64_t)plan->old_len;
	const store_qnew nw = {e->timestamp, id};
	rc = store_q_pick(st, e->territory, qb[QB_ENTRIES], qb[QB_BYTES], &n, &bytes, &nw,
	                  plan->old_rid, NULL, NULL);
	if (rc)
		return rc;
	const size_t n_own = st->n_ev;
	for (size_t i = 0; i < n_own; i++) {
		if (tn == 0 || tbytes < (uint64_t)st->ev[i].len)
			return MAILLE_ECORRUPT;
		tn--;
		tbytes -= (uint64_t)st->ev[i].len;
	}
	return store_q_pick(st, NULL, qb[QB_TOTAL_ENTRIES], qb[QB_TOTAL_BYTES], &tn, &tbytes, &nw,
	                    plan->old_rid, n_own ? e->territory : NULL,
	                    n_own ? &st->ev[n_own - 1] : NULL);
}

/* ---- the trusted territories of list and search, the quarantine's view ------------------- */

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, PROTO_KEY_LEN);
}

static bool store_is_trusted(const store *st, const uint8_t key[PROTO_KEY_LEN])
{
	return st->n_trusted && bsearch(key, st->trusted, st->n_trusted, PROTO_KEY_LEN, key_cmp);
}

/* maille_trusted(territory): 1 if the blob is one of the handle's trusted keys. A binary
 * search per row: the set is the trust view of one node (tens, hundreds of keys). */
void store__trusted_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	store *st = sqlite3_user_data(ctx);
	const void *k = sqlite3_value_blob(argv[0]);
	bool in = k && sqlite3_value_bytes(argv[0]) == PROTO_KEY_LEN && store_is_trusted(st, k);
	sqlite3_result_int(ctx, in);
}

/* Appends the key k to the list *v of *n keys (room for *cap, grown from first): 0, or
 * MAILLE_ENOMEM with the list as it was. */
static int store_keys_push(uint8_t (**v)[PROTO_KEY_LEN], size_t *n, size_t *cap, size_t first,
                           const uint8_t k[PROTO_KEY_LEN])
{
	if (*n == *cap) {
		uint8_t(*nv)[PROTO_KEY_LEN] = proto_array_grow(*v, cap, first, PROTO_KEY_LEN);
		if (!nv)
			return MAILLE_ENOMEM;
		*v = nv;
	}
	memcpy((*v)[(*n)++], k, PROTO_KEY_LEN);
	return 0;
}

/* The keys of qview, in key order (the primary key's), in a malloc'd array (NULL for none). */
static int store_qview_read(store *st, uint8_t (**ret)[PROTO_KEY_LEN], size_t *ret_n)
{
	sqlite3_stmt *s = NULL;
	uint8_t(*v)[PROTO_KEY_LEN] = NULL;
	size_t n = 0, cap = 0;
	int rc = sqlite3_prepare_v2(st->db, "SELECT key FROM qview ORDER BY key", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const void *k = sqlite3_column_blob(s, 0);
		if (!k || sqlite3_column_bytes(s, 0) != PROTO_KEY_LEN) {
			rc = MAILLE_ECORRUPT;
			break;
		}
		if ((rc = store_keys_push(&v, &n, &cap, 64, k)) != 0)
			break;
	}
	sqlite3_finalize(s);
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store__err(rc) : rc;
	if (rc) {
		free(v);
		return rc;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Whether the file's quarantine (m, qview) is this handle's: set, with its bounds and its
 * trusted keys. */
static int store_q_same(store *st, const store_meta *m, bool *ret_same)
{
	uint8_t(*view)[PROTO_KEY_LEN] = NULL;
	size_t n = 0;
	*ret_same = false;
	if (!m->q_on || memcmp(m->qb, st->quota, sizeof st->quota) != 0)
		return 0;
	int rc = store_qview_read(st, &view, &n);
	if (rc)
		return rc;
	*ret_same = n == st->n_trusted &&
	            (n == 0 || memcmp(view, st->trusted, n * PROTO_KEY_LEN) == 0);
	free(view);
	return 0;
}

/* A territory the view now trusts leaves the quarantine. */
static int store_q_unmark(store *st, const uint8_t key[PROTO_KEY_LEN])
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 n = 0, bytes = 0;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT count(*), coalesce(sum(len), 0) FROM quarantine"
	                            " WHERE territory = ?1",
	                            -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		bytes = sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = store__err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_finalize(s);
	if (rc || n == 0)
		return rc;
	if ((uint64_t)n > st->meta.qn || (uint64_t)bytes > st->meta.qbytes)
		return MAILLE_ECORRUPT;
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM quarantine WHERE territory = ?1", -1, &s,
	                        NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store__err(rc);
	st->meta.qn -= (uint64_t)n;
	st->meta.qbytes -= (uint64_t)bytes;
	st->meta_dirty = true;
	return 0;
}

static int i64_cmp(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;
	return (x > y) - (x < y);
}

/* The territories that hold entries and that the view does not trust, among those it trusted
 * before (old, n_old; every territory when the quarantine starts, was_on false), enter the
 * quarantine. No index leads from a territory to its entries, so one pass over the (path,
 * territory) keys of the entries_path index (no row is read) finds the candidates, whose row
 * is then read. */
static int store_q_mark(store *st, const uint8_t (*old)[PROTO_KEY_LEN], size_t n_old, bool was_on)
{
	sqlite3_stmt *s = NULL, *get = NULL, *upd = NULL;
	uint8_t(*u)[PROTO_KEY_LEN] = NULL;
	sqlite3_int64 *tks = NULL, *rids = NULL;
	size_t n_u = 0, cap_u = 0, n_r = 0, cap_r = 0;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT territory FROM authors WHERE n > 0 ORDER BY territory",
	                            -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *k = sqlite3_column_blob(s, 0);
		if (!k || sqlite3_column_bytes(s, 0) != PROTO_KEY_LEN) {
			rc = MAILLE_ECORRUPT;
			break;
		}
		if (store_is_trusted(st, k) ||
		    (was_on && !(n_old && bsearch(k, old, n_old, PROTO_KEY_LEN, key_cmp))))
			continue;
		if ((rc = store_keys_push(&u, &n_u, &cap_u, 64, k)) != 0)
			break;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store__err(rc) : rc;
	if (rc || n_u == 0)
		goto out;
	tks = malloc(n_u * sizeof *tks);
	if (!tks) {
		rc = MAILLE_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_u; i++) {
		sqlite3_int64 pk;
		store__path_keys(u[i], "", 0, &pk, &tks[i]);
	}
	qsort(tks, n_u, sizeof *tks, i64_cmp);
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT rid, territory_key FROM entries"
	                        " INDEXED BY entries_path",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK) {
		rc = store__err(rc);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 tk = sqlite3_column_int64(s, 1);
		if (!bsearch(&tk, tks, n_u, sizeof *tks, i64_cmp))
			continue;
		if (n_r == cap_r) {
			sqlite3_int64 *nr = proto_array_grow(rids, &cap_r, 256, sizeof *nr);
			if (!nr) {
				rc = MAILLE_ENOMEM;
				break;
			}
			rids = nr;
		}
		rids[n_r++] = sqlite3_column_int64(s, 0);
	}
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store__err(rc) : rc;
	if (rc)
		goto out;
	/* in rid order, the table's: its pages are read once each, in file order */
	if (n_r)
		qsort(rids, n_r, sizeof *rids, i64_cmp);
	if (sqlite3_prepare_v2(st->db, "SELECT territory, length(raw), ts, id FROM entries"
	                               " WHERE rid = ?1",
	                       -1, &get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO quarantine(ts, id, territory, len)"
	                               " VALUES(?1, ?2, ?3, ?4)",
	                       -1, &upd, NULL) != SQLITE_OK) {
		rc = store__err(sqlite3_errcode(st->db));
		goto out;
	}
	for (size_t i = 0; !rc && i < n_r; i++) {
		sqlite3_bind_int64(get, 1, rids[i]);
		rc = sqlite3_step(get);
		if (rc != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store__err(rc);
			sqlite3_reset(get);
			break;
		}
		const uint8_t *k = sqlite3_column_blob(get, 0);
		const uint8_t *id = sqlite3_column_blob(get, 3);
		sqlite3_int64 len = sqlite3_column_int64(get, 1), ts = sqlite3_column_int64(get, 2);
		if (!k || sqlite3_column_bytes(get, 0) != PROTO_KEY_LEN || !id ||
		    sqlite3_column_bytes(get, 3) != PROTO_ID_LEN || len <= 0 || ts < 0) {
			sqlite3_reset(get);
			rc = MAILLE_ECORRUPT;
			break;
		}
		rc = 0;
		if (!bsearch(k, u, n_u, PROTO_KEY_LEN, key_cmp)) {
			sqlite3_reset(get);
			continue; /* another territory whose key starts the same */
		}
		sqlite3_bind_int64(upd, 1, ts);
		sqlite3_bind_blob(upd, 2, id, PROTO_ID_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_blob(upd, 3, k, PROTO_KEY_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 4, len);
		sqlite3_reset(get);
		rc = sqlite3_step(upd);
		sqlite3_reset(upd);
		if (rc != SQLITE_DONE) {
			rc = store__err(rc);
			break;
		}
		rc = 0;
		if (sqlite3_changes(st->db) != 1)
			continue; /* in it already */
		st->meta.qn++;
		st->meta.qbytes += (uint64_t)len;
		st->meta_dirty = true;
	}
out:
	sqlite3_finalize(s);
	sqlite3_finalize(get);
	sqlite3_finalize(upd);
	free(u);
	free(tks);
	free(rids);
	return rc;
}

/* Evicts until every untrusted territory and the total are within the bounds (after a change
 * of the view or of the bounds): each territory over its own bound first, then the total. */
static int store_q_enforce(store *st)
{
	const uint64_t *qb = st->meta.qb;
	uint8_t(*over)[PROTO_KEY_LEN] = NULL;
	size_t n_over = 0, cap = 0;
	int rc = 0;
	if (qb[QB_ENTRIES] || qb[QB_BYTES]) {
		sqlite3_stmt *s = NULL;
		rc = sqlite3_prepare_v2(st->db,
		                        "SELECT territory FROM authors WHERE (?1 > 0 AND n > ?1)"
		                        " OR (?2 > 0 AND bytes > ?2) ORDER BY territory",
		                        -1, &s, NULL);
		if (rc != SQLITE_OK)
			return store__err(rc);
		sqlite3_bind_int64(s, 1, (sqlite3_int64)qb[QB_ENTRIES]);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)qb[QB_BYTES]);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const uint8_t *k = sqlite3_column_blob(s, 0);
			if (!k || sqlite3_column_bytes(s, 0) != PROTO_KEY_LEN) {
				rc = MAILLE_ECORRUPT;
				break;
			}
			if (store_is_trusted(st, k))
				continue; /* trusted: no bound */
			if ((rc = store_keys_push(&over, &n_over, &cap, 16, k)) != 0)
				break;
		}
		sqlite3_finalize(s);
		rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store__err(rc) : rc;
	}
	for (size_t i = 0; !rc && i < n_over; i++) {
		uint64_t n = 0, bytes = 0;
		rc = store_author_usage(st, over[i], &n, &bytes);
		st->n_ev = 0;
		if (!rc)
			rc = store_q_pick(st, over[i], qb[QB_ENTRIES], qb[QB_BYTES], &n, &bytes,
			                  NULL, -1, NULL, NULL);
		if (!rc)
			rc = store__q_evict(st);
	}
	free(over);
	if (!rc) {
		uint64_t n = st->meta.qn, bytes = st->meta.qbytes;
		st->n_ev = 0;
		rc = store_q_pick(st, NULL, qb[QB_TOTAL_ENTRIES], qb[QB_TOTAL_BYTES], &n, &bytes,
		                  NULL, -1, NULL, NULL);
		if (!rc)
			rc = store__q_evict(st);
	}
	return rc;
}

/* Makes the file's quarantine this handle's (its trusted keys, its bounds), inside the
 * caller's transaction (PROTOCOL.md §4.6): the territories it now trusts leave the quarantine,
 * those it no longer trusts enter it, qview and the bounds are written, and the bounds are
 * enforced again. */
static int store_q_apply(store *st)
{
	uint8_t(*old)[PROTO_KEY_LEN] = NULL;
	size_t n_old = 0;
	const bool was_on = st->meta.q_on;
	sqlite3_stmt *s = NULL;
	int rc = was_on ? store_qview_read(st, &old, &n_old) : 0;
	for (size_t i = 0; !rc && was_on && i < st->n_trusted; i++)
		if (!(n_old && bsearch(st->trusted[i], old, n_old, PROTO_KEY_LEN, key_cmp)))
			rc = store_q_unmark(st, st->trusted[i]);
	if (!rc)
		rc = store_q_mark(st, (const uint8_t(*)[PROTO_KEY_LEN])old, n_old, was_on);
	free(old);
	if (!rc)
		rc = store__exec(st->db, "DELETE FROM qview");
	if (!rc && st->n_trusted) {
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO qview(key) VALUES(?1)", -1, &s, NULL);
		rc = rc == SQLITE_OK ? 0 : store__err(rc);
		for (size_t i = 0; !rc && i < st->n_trusted; i++) {
			sqlite3_bind_blob(s, 1, st->trusted[i], PROTO_KEY_LEN, SQLITE_STATIC);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			rc = rc == SQLITE_DONE ? 0 : store__err(rc);
		}
		sqlite3_finalize(s);
	}
	if (rc)
		return rc;
	st->meta.q_on = true;
	memcpy(st->meta.qb, st->quota, sizeof st->meta.qb);
	st->meta_dirty = true;
	return store_q_enforce(st);
}

/* store_q_apply in its own transaction, or in a savepoint of the open batch; nothing at all
 * when the file's quarantine is this handle's already. */
static int store_q_apply_tx(store *st)
{
	store_meta m;
	bool same = false;
	int rc;
	if (st->in_batch) {
		if (!st->batch_err && sqlite3_get_autocommit(st->db))
			st->batch_err = MAILLE_EIO; /* SQLite rolled the batch back */
		if (st->batch_err)
			return st->batch_err;
		rc = store_q_same(st, &st->meta, &same);
		if (rc || same)
			return rc;
		store_mark mark;
		store__mark(st, &mark);
		rc = store__stmt_run(st, STMT_SAVEPOINT);
		if (rc)
			return rc;
		return store__savepoint_end(st, &mark, store_q_apply(st));
	}
	/* Read first, without the write lock: the daemon hands its view over every second or
	 * so, and it has rarely changed. */
	rc = store__meta_read(st, &m);
	if (!rc)
		rc = store_q_same(st, &m, &same);
	if (rc || same)
		return rc;
	rc = store__tx_begin(st);
	if (rc)
		return rc;
	rc = store_q_same(st, &st->meta, &same); /* another process may have written it */
	if (!rc && !same)
		rc = store_q_apply(st);
	if (rc) {
		if (!sqlite3_get_autocommit(st->db))
			store__stmt_run(st, STMT_ROLLBACK);
		store__fts_discard(st);
		st->n_evicted = st->n_evicted_done;
		return rc;
	}
	rc = store__finish(st, false);
	if (rc)
		st->n_evicted = st->n_evicted_done;
	else
		st->n_evicted_done = st->n_evicted;
	return rc;
}

int store_set_trusted(store *st, const uint8_t *keys, size_t n)
{
	uint8_t(*set)[PROTO_KEY_LEN] = NULL;
	size_t m = 0;
	if (n) {
		set = malloc(n * PROTO_KEY_LEN);
		if (!set)
			return MAILLE_ENOMEM;
		memcpy(set, keys, n * PROTO_KEY_LEN);
		qsort(set, n, PROTO_KEY_LEN, key_cmp);
		for (size_t i = 0; i < n; i++) /* distinct: qview's primary key */
			if (m == 0 || memcmp(set[m - 1], set[i], PROTO_KEY_LEN) != 0)
				memmove(set[m++], set[i], PROTO_KEY_LEN);
	}
	free(st->trusted);
	st->trusted = set;
	st->n_trusted = m;
	st->view_set = true;
	return st->quota_set ? store_q_apply_tx(st) : 0;
}

/* ---- the quarantine's bounds (migrations 5, 6) ---------------------------------------------- */

int store_set_quota(store *st, const store_quota *q)
{
	if (!q) {
		st->quota_set = false;
		return 0;
	}
	const uint64_t v[QB_N_] = {q->entries, q->bytes, q->total_entries, q->total_bytes};
	for (int i = 0; i < QB_N_; i++)
		st->quota[i] = v[i] > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v[i];
	st->quota_set = true;
	return st->view_set ? store_q_apply_tx(st) : 0;
}

int store_evicted_take(store *st, uint8_t **ret_ids, size_t *ret_n)
{
	size_t n = st->n_evicted_done;
	*ret_ids = NULL;
	*ret_n = 0;
	if (n == 0)
		return 0;
	uint8_t *ids = malloc(n * PROTO_ID_LEN);
	if (!ids)
		return MAILLE_ENOMEM;
	memcpy(ids, st->evicted, n * PROTO_ID_LEN);
	/* what the open batch evicted so far stays for its commit */
	memmove(st->evicted, st->evicted[n], (st->n_evicted - n) * PROTO_ID_LEN);
	st->n_evicted -= n;
	st->n_evicted_done = 0;
	*ret_ids = ids;
	*ret_n = n;
	return 0;
}
