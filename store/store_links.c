/* store/store_links.c: which records a document names (PROTOCOL.md §5.3), kept so that a
 * record's interests, awards, comments and users are found by its name; and the comments
 * this node hides. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "proto/coop.h"
#include "proto/error.h"

typedef struct links_put_ctx {
	sqlite3_stmt *s;
	sqlite3_int64 rid;
} links_put_ctx;

static int links_put_one(const char *ref, size_t len, void *ctx)
{
	links_put_ctx *l = ctx;
	int rc;

	sqlite3_bind_text(l->s, 1, ref, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(l->s, 2, l->rid);
	rc = sqlite3_step(l->s);
	sqlite3_reset(l->s);
	return rc == SQLITE_DONE ? 0 : store__err(rc);
}

int store__links_put(store *st, sqlite3_int64 rid, const store_doc *doc)
{
	links_put_ctx l = { NULL, rid };
	int rc;

	if (!doc || !doc->body)
		return 0;
	rc = store__stmt(st, STMT_LINK_INS, &l.s);
	if (rc)
		return rc;
	return proto_coop_links(doc->body, links_put_one, &l);
}

#define LINK_INS_SQL "INSERT OR IGNORE INTO links(target, rid) VALUES(?1, ?2)"

/* The links of the documents stored before schema 9, in the migration's transaction. */
int store__links_fill(store *st)
{
	sqlite3_stmt *s = NULL, *ins = NULL;
	/* the migration runs before the handle's statements are prepared: its own */
	int rc = sqlite3_prepare_v2(st->db, "SELECT rid, raw FROM entries WHERE kind = 0", -1, &s,
	                            NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, LINK_INS_SQL, -1, &ins, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		return store__err(rc);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *raw = sqlite3_column_blob(s, 1);
		int len = sqlite3_column_bytes(s, 1);
		proto_entry e;
		proto_arena arena;
		proto_value *body = NULL;

		if (!raw || len <= 0 || proto_entry_decode(raw, (size_t)len, &e) != 0)
			continue; /* store_check reports such a row */
		proto_arena_init(&arena, 0);
		rc = 0;
		if (proto_value_decode(e.body, e.body_len, &arena, &body) == 0) {
			links_put_ctx l = { ins, sqlite3_column_int64(s, 0) };
			rc = proto_coop_links(body, links_put_one, &l);
		}
		proto_arena_done(&arena);
		if (rc) {
			sqlite3_finalize(s);
			sqlite3_finalize(ins);
			return rc;
		}
	}
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	return rc == SQLITE_DONE ? 0 : store__err(rc);
}

int store_links(store *st, const char *target, bool prefix, const char *type,
                const store_filter *f, store_row_cb cb, void *ctx)
{
	char sql[512], hi[PROTO_COOP_REF_MAX + 2];
	sqlite3_stmt *s = NULL;
	size_t len;
	int rc;

	if (!st || !target || !cb || (len = strlen(target)) == 0 || len > PROTO_COOP_REF_MAX)
		return MAILLE_EINVAL;
	/* IN: a document that names several records under a prefix comes once */
	snprintf(sql, sizeof sql,
	         "SELECT e.id, e.raw, e.rid FROM entries e WHERE e.rid IN"
	         " (SELECT l.rid FROM links l WHERE %s) AND e.kind = 0 AND e.held = 0%s%s%s"
	         " ORDER BY e.ts, e.id",
	         prefix ? "l.target >= ?1 AND l.target < ?2" : "l.target = ?1",
	         type ? " AND e.type = ?3" : "",
	         f && f->trusted_only ? " AND maille_trusted(e.territory)" : "",
	         f && f->territory ? " AND e.territory = ?4" : "");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_text(s, 1, target, (int)len, SQLITE_STATIC);
	if (prefix) {
		/* every string that starts with target sorts before target + 0xff... in BINARY
		 * order: references are ASCII */
		memcpy(hi, target, len);
		hi[len] = '\x7f';
		sqlite3_bind_text(s, 2, hi, (int)len + 1, SQLITE_STATIC);
	}
	if (type)
		sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC);
	if (f && f->territory)
		sqlite3_bind_blob(s, 4, f->territory, PROTO_KEY_LEN, SQLITE_STATIC);
	return store__rows_run(s, false, false, NULL, cb, ctx, NULL);
}

int store_hide(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
               const char *reason, uint64_t now_us)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (!st || !territory || !path || !reason || now_us > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	rc = sqlite3_prepare_v2(st->db,
	                        "INSERT OR REPLACE INTO hidden(territory, path, reason, at)"
	                        " VALUES(?1, ?2, ?3, ?4)",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)now_us);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store__err(rc);
}

int store_unhide(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (!st || !territory || !path)
		return MAILLE_EINVAL;
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM hidden WHERE territory = ?1 AND path = ?2", -1,
	                        &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store__err(rc);
	return sqlite3_changes(st->db) > 0 ? 0 : MAILLE_ENOTFOUND;
}

int store_hidden(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                 char *ret_reason, size_t cap, uint64_t *ret_at)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (!st || !territory || !path)
		return MAILLE_EINVAL;
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT reason, at FROM hidden WHERE territory = ?1 AND path = ?2",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (ret_reason && cap)
			snprintf(ret_reason, cap, "%s", (const char *)sqlite3_column_text(s, 0));
		if (ret_at)
			*ret_at = (uint64_t)sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store__err(rc);
	}
	sqlite3_finalize(s);
	return rc;
}
