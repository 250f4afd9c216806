/* store/store_items.c: reconciliation and the change feed: the fingerprint and items of the
 * whole set (RBSR), has and raw by id, the entries since an arrival rank, data_version. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* store_items allocates at most this many items (40 bytes each) from meta's count before it
 * has read them; more rows grow the array as they are read. */
#define STORE_ITEMS_HINT_MAX (1u << 20)

/* ------------------------------------------------------------------------------------------ */
/* Reconciliation and change feed */

int store_fingerprint(store *st, uint8_t ret_fp[RBSR_FP_LEN], uint64_t *ret_count)
{
	uint8_t buf[STORE_SUM_LEN + RBSR_VARINT_MAX], h[crypto_hash_sha256_BYTES];
	store_meta m;
	int rc;

	if (!st || !ret_fp)
		return MAILLE_EINVAL;
	rc = store__meta_get(st, &m);
	if (rc)
		return rc;
	/* As rbsr_set_fingerprint_all: SHA-256(sum || varint(count)), first 16 bytes. */
	memcpy(buf, m.sum, STORE_SUM_LEN);
	crypto_hash_sha256(h, buf, STORE_SUM_LEN + rbsr_varint_encode(m.n, buf + STORE_SUM_LEN));
	memcpy(ret_fp, h, RBSR_FP_LEN);
	if (ret_count)
		*ret_count = m.n;
	return 0;
}

/* Reads the covering (ts, id) index in order, never the table. At 100k entries (a
 * maille-bench store, release build, 2-core VM): 6.3 ms (63 ns an item) once the index's
 * 5.4 MiB are in SQLite's page cache and malloc has had the array's 3.9 MB before; the first
 * call of a process, ~46 ms of CPU, almost all of it first-touch page faults on those two
 * (2400 faults, ~15 µs each on this VM). */
int store_items(store *st, rbsr_item **ret, size_t *ret_n)
{
	rbsr_item *items = NULL;
	size_t n = 0, cap = 0;
	uint64_t hint;
	store_meta m;
	sqlite3_stmt *s = NULL;
	int rc;

	if (!st || !ret || !ret_n)
		return MAILLE_EINVAL;
	/* The count in meta sizes the array in one allocation; it is only a hint (another
	 * process may commit between the two reads), so the array still grows if need be. The
	 * array never holds more than the rows of the file. */
	rc = store__meta_get(st, &m);
	if (rc)
		return rc;
	hint = m.n;
	if (hint > STORE_ITEMS_HINT_MAX)
		hint = STORE_ITEMS_HINT_MAX; /* a damaged count allocates no more than this */
	rc = store__stmt(st, STMT_ITEMS, &s);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 ts = sqlite3_column_int64(s, 0);
		const void *id = sqlite3_column_blob(s, 1);
		if (ts < 0 || !id || sqlite3_column_bytes(s, 1) != PROTO_ID_LEN) {
			rc = MAILLE_ECORRUPT; /* a put stores neither */
			goto fail;
		}
		if (n == cap) {
			size_t want = cap ? cap * 2 : hint > 0 ? (size_t)hint : 64;
			rbsr_item *p;
			if (cap && (cap > SIZE_MAX / 2 / sizeof *items)) {
				rc = MAILLE_ENOMEM;
				goto fail;
			}
			p = realloc(items, want * sizeof *items);
			if (!p) {
				rc = MAILLE_ENOMEM;
				goto fail;
			}
			items = p;
			cap = want;
		}
		items[n].ts = (uint64_t)ts;
		memcpy(items[n].id, id, PROTO_ID_LEN);
		n++;
	}
	if (rc != SQLITE_DONE) {
		rc = store__err(rc);
		goto fail;
	}
	sqlite3_reset(s);
	if (n == 0) {
		free(items);
		items = NULL;
	}
	*ret = items;
	*ret_n = n;
	return 0;
fail:
	sqlite3_reset(s);
	free(items);
	return rc;
}

/* Steps a cached statement whose ?1 is the id; ENOTFOUND without a row. The caller resets. */
static int store_by_id(store *st, enum store_stmt_id k, const uint8_t id[PROTO_ID_LEN],
                       sqlite3_stmt **ret)
{
	int rc = store__stmt(st, k, ret);
	if (rc)
		return rc;
	sqlite3_bind_blob(*ret, 1, id, PROTO_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(*ret);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store__err(rc);
}

int store_has(store *st, const uint8_t id[PROTO_ID_LEN])
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !id)
		return MAILLE_EINVAL;
	rc = store_by_id(st, STMT_HAS, id, &s);
	if (s)
		sqlite3_reset(s);
	return rc;
}

int store_raw_get(store *st, const uint8_t id[PROTO_ID_LEN], uint8_t **ret, size_t *ret_len)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !id || !ret || !ret_len)
		return MAILLE_EINVAL;
	rc = store_by_id(st, STMT_RAW_BY_ID, id, &s);
	if (!rc) {
		const void *raw = sqlite3_column_blob(s, 0);
		int len = sqlite3_column_bytes(s, 0);
		/* A put stores at most PROTO_ENTRY_MAX bytes: the copy is bounded by that. */
		if (!raw || len <= 0 || (size_t)len > PROTO_ENTRY_MAX) {
			rc = MAILLE_ECORRUPT;
		} else {
			uint8_t *copy = malloc((size_t)len);
			if (!copy) {
				rc = MAILLE_ENOMEM;
			} else {
				memcpy(copy, raw, (size_t)len);
				*ret = copy;
				*ret_len = (size_t)len;
			}
		}
	}
	if (s)
		sqlite3_reset(s);
	return rc;
}

int store_last_rid(store *st, uint64_t *ret)
{
	store_meta m;
	int rc;
	if (!st || !ret)
		return MAILLE_EINVAL;
	rc = store__meta_get(st, &m);
	if (!rc)
		*ret = m.next_rid - 1;
	return rc;
}

int store_since(store *st, uint64_t after, size_t limit, store_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !cb)
		return MAILLE_EINVAL;
	if (after >= (uint64_t)INT64_MAX)
		return 0; /* rids are SQLite integers: none is greater */
	/* Walks the rid (primary key) b-tree from after on, so it costs the rows it returns. */
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT id, raw, rid FROM entries WHERE rid > ?1 ORDER BY rid"
	                        " LIMIT ?2",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)after);
	/* A negative LIMIT is none. */
	sqlite3_bind_int64(s, 2, limit == 0 || limit > (size_t)INT64_MAX ? -1 : (sqlite3_int64)limit);
	return store__rows_run(s, false, false, NULL, cb, ctx, NULL);
}

int store_data_version(store *st, uint64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !ret)
		return MAILLE_EINVAL;
	/* A pragma runs when stepped, so the cached statement reads the current value. */
	rc = store__stmt(st, STMT_DATA_VERSION, &s);
	if (rc)
		return rc;
	int64_t v;
	rc = store__step_int64(s, &v);
	if (!rc)
		*ret = (uint64_t)v;
	return rc;
}
