/* store/store_local.c: the node's own tables, never replicated: configured peers, explicit
 * trust, invitations; and the usage of each territory and of the quarantine. */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Configured peers */

/* Runs a prepared one-row write: 0 when it changed a row, none when it changed nothing (a
 * key already there for an INSERT OR IGNORE, MAILLE_EEXIST; nothing to delete,
 * MAILLE_ENOTFOUND). The statement is reset, or finalized when fresh (a rare command's own
 * statement rather than one more cached one). */
static int step_write(store *st, sqlite3_stmt *s, bool fresh, int none)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) >= 1 ? 0 : none;
	else
		rc = store__err(rc);
	if (fresh)
		sqlite3_finalize(s);
	else
		sqlite3_reset(s);
	return rc;
}

/* An address as stored: 1..STORE_PEER_ADDR_MAX bytes of UTF-8 without control characters
 * (it is printed one a line by `maille peer list`). *ret_len receives its length. */
static bool store_peer_addr_ok(const char *addr, size_t *ret_len)
{
	size_t n;
	if (!addr)
		return false;
	n = strnlen(addr, STORE_PEER_ADDR_MAX + 1);
	if (n == 0 || n > STORE_PEER_ADDR_MAX || !proto_utf8_valid((const uint8_t *)addr, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)addr[i] < 0x20 || addr[i] == 0x7f)
			return false;
	*ret_len = n;
	return true;
}

/* Whom a list of the node's own tables calls: peer for the rows of peers (addr, added_us),
 * trust for those of trusted (key, added_us); the other NULL. */
typedef struct local_list {
	store_peer_cb peer;
	store_trust_cb trust;
	void *ctx;
} local_list;

/* Runs sql, a fresh statement (so that the callback may add or remove rows) of (key,
 * added_us) rows, and hands each row to l's callback until it returns non-zero. */
static int local_list_run(store *st, const char *sql, const local_list *l)
{
	sqlite3_stmt *s = NULL;
	if (!st || !(l->peer || l->trust))
		return MAILLE_EINVAL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	for (;;) {
		int step = sqlite3_step(s);
		if (step != SQLITE_ROW) {
			rc = step == SQLITE_DONE ? 0 : store__err(step);
			break;
		}
		const void *key = l->peer ? (const void *)sqlite3_column_text(s, 0)
		                          : sqlite3_column_blob(s, 0);
		int key_len = sqlite3_column_bytes(s, 0);
		sqlite3_int64 added = sqlite3_column_int64(s, 1);
		if (!key || added < 0 || (l->trust && key_len != PROTO_KEY_LEN)) {
			rc = MAILLE_ECORRUPT; /* store_peer_add and store_trust_add write neither */
			break;
		}
		rc = l->peer ? l->peer(key, (uint64_t)added, l->ctx)
		             : l->trust(key, (uint64_t)added, l->ctx);
		if (rc)
			break;
	}
	sqlite3_finalize(s);
	return rc;
}

int store_peer_add(store *st, const char *addr, uint64_t now_us)
{
	sqlite3_stmt *s = NULL;
	size_t n;
	int rc;
	if (!st || !store_peer_addr_ok(addr, &n) || now_us > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	rc = store__stmt(st, STMT_PEER_ADD, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, addr, (int)n, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_us);
	return step_write(st, s, false, MAILLE_EEXIST);
}

int store_peer_remove(store *st, const char *addr)
{
	sqlite3_stmt *s = NULL;
	size_t n;
	int rc;
	if (!st || !addr)
		return MAILLE_EINVAL;
	/* An address that could not have been added is not there either. */
	if (!store_peer_addr_ok(addr, &n))
		return MAILLE_ENOTFOUND;
	rc = store__stmt(st, STMT_PEER_DEL, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, addr, (int)n, SQLITE_STATIC);
	return step_write(st, s, false, MAILLE_ENOTFOUND);
}

int store_peer_list(store *st, store_peer_cb cb, void *ctx)
{
	/* rowid order is insertion order: SQLite gives a new row a rowid above every existing
	 * one (while the greatest is below 2^63, which 2^63 adds would take). */
	return local_list_run(st, "SELECT addr, added_us FROM peers ORDER BY rowid",
	                      &(local_list){.peer = cb, .ctx = ctx});
}

/* ------------------------------------------------------------------------------------------ */
/* Explicit trust */

int store_trust_add(store *st, const uint8_t key[PROTO_KEY_LEN], uint64_t now_us)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !key || now_us > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	/* Rare (a person's command): a fresh statement rather than one more cached one. OR
	 * IGNORE: a key already there changes nothing, which is reported as MAILLE_EEXIST. */
	rc = sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO trusted(key, added_us) VALUES(?1, ?2)",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_us);
	return step_write(st, s, true, MAILLE_EEXIST);
}

int store_trust_remove(store *st, const uint8_t key[PROTO_KEY_LEN])
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !key)
		return MAILLE_EINVAL;
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM trusted WHERE key = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	return step_write(st, s, true, MAILLE_ENOTFOUND);
}

int store_trust_list(store *st, store_trust_cb cb, void *ctx)
{
	/* Key order: the primary key's, and the same on every run (deterministic output). */
	return local_list_run(st, "SELECT key, added_us FROM trusted ORDER BY key",
	                      &(local_list){.trust = cb, .ctx = ctx});
}

int store_author_usage(store *st, const uint8_t territory[PROTO_KEY_LEN], uint64_t *ret_entries,
                       uint64_t *ret_bytes)
{
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, STMT_AUTHOR_GET, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	int64_t n = 0, bytes = 0;
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		bytes = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store__err(rc);
	if (n < 0 || bytes < 0)
		return MAILLE_ECORRUPT;
	*ret_entries = (uint64_t)n;
	*ret_bytes = (uint64_t)bytes;
	return 0;
}

int store_quarantine_usage(store *st, uint64_t *ret_entries, uint64_t *ret_bytes)
{
	store_meta m;
	int rc = store__meta_get(st, &m);
	if (rc)
		return rc;
	*ret_entries = m.qn;
	*ret_bytes = m.qbytes;
	return 0;
}

/* ---- invitations (migration 5) ------------------------------------------------------------ */

int store_invite_add(store *st, const uint8_t hash[STORE_INVITE_HASH_LEN], uint64_t now_us,
                     uint64_t expires_us, unsigned uses)
{
	if (now_us > (uint64_t)INT64_MAX || expires_us > (uint64_t)INT64_MAX || uses == 0)
		return MAILLE_EINVAL;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db,
	                            "INSERT OR IGNORE INTO invites(hash, created_us, expires_us,"
	                            " uses_left) VALUES(?1, ?2, ?3, ?4)",
	                            -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, hash, STORE_INVITE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_us);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)expires_us);
	sqlite3_bind_int64(s, 4, uses);
	return step_write(st, s, true, MAILLE_EEXIST);
}

int store_invite_redeem(store *st, const uint8_t hash[STORE_INVITE_HASH_LEN], uint64_t now_us,
                        const uint8_t by[PROTO_KEY_LEN], int *ret_result)
{
	if (st->in_batch)
		return MAILLE_ESTATE;
	sqlite3_stmt *sel = NULL, *upd = NULL;
	int result = STORE_INVITE_UNKNOWN;
	int rc = store_begin(st);
	if (rc)
		return rc;
	int src = sqlite3_prepare_v2(st->db,
	                             "SELECT expires_us, uses_left FROM invites WHERE hash = ?1", -1,
	                             &sel, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_blob(sel, 1, hash, STORE_INVITE_HASH_LEN, SQLITE_STATIC);
		src = sqlite3_step(sel);
		if (src == SQLITE_ROW) {
			int64_t exp = sqlite3_column_int64(sel, 0), left = sqlite3_column_int64(sel, 1);
			result = left <= 0                      ? STORE_INVITE_USED
			         : (uint64_t)exp <= now_us      ? STORE_INVITE_EXPIRED
			                                        : STORE_INVITE_OK;
			src = SQLITE_OK;
		} else if (src == SQLITE_DONE) {
			src = SQLITE_OK;
		}
	}
	if (src == SQLITE_OK && result == STORE_INVITE_OK) {
		src = sqlite3_prepare_v2(st->db,
		                         "UPDATE invites SET uses_left = uses_left - 1, redeemed_by = ?2"
		                         " WHERE hash = ?1",
		                         -1, &upd, NULL);
		if (src == SQLITE_OK) {
			sqlite3_bind_blob(upd, 1, hash, STORE_INVITE_HASH_LEN, SQLITE_STATIC);
			sqlite3_bind_blob(upd, 2, by, PROTO_KEY_LEN, SQLITE_STATIC);
			src = sqlite3_step(upd);
			src = src == SQLITE_DONE ? SQLITE_OK : src;
		}
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	if (src != SQLITE_OK) {
		store_rollback(st);
		return store__err(src);
	}
	rc = store_commit(st);
	if (!rc)
		*ret_result = result;
	return rc;
}
