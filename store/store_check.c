/* store/store_check.c: store_check, which re-verifies every invariant listed in internal.h,
 * and SQLite's own integrity check, naming each problem. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Check */

typedef struct store_check_state {
	store_check_cb cb;
	void *ctx;
	uint64_t problems;
	/* meta as the rows say it should be: the sum and count of the id column, the greatest
	 * rid; ids_unsure when a row's id is not BLAKE2b(raw) (or cannot be compared), which
	 * would explain a sum that disagrees. */
	uint8_t sum[STORE_SUM_LEN];
	uint64_t n;
	sqlite3_int64 max_rid;
	bool ids_unsure;
	bool scan_done;      /* every row was read: meta can be compared with the sums */
	bool damaged;        /* SQLite could not read part of the file */
} store_check_state;

static void store_check_report(store_check_state *cs, const uint8_t *id, const char *path,
                               const char *problem)
{
	cs->problems++;
	if (cs->cb)
		cs->cb(id, path, problem, cs->ctx);
}

/* A statement of the check failed with rc (a SQLite code; call before resetting it, so that
 * SQLite's message is still there). When the file is damaged (store__err: MAILLE_ECORRUPT), the
 * problem is reported, naming what could not be read and in SQLite's words, and the check goes
 * on with its other parts: 0. Another failure (I/O, memory, a lock) stops the check: returned. */
static int store_check_sqlite(store *st, store_check_state *cs, int rc, const char *what)
{
	int err = store__err(rc);
	char msg[384];
	if (err != MAILLE_ECORRUPT)
		return err ? err : MAILLE_EIO;
	snprintf(msg, sizeof msg, "the file is damaged: %s could not be read (SQLite: %s)", what,
	         sqlite3_errmsg(st->db));
	store_check_report(cs, NULL, NULL, msg);
	cs->damaged = true;
	return 0;
}

static bool store_col_str_eq(sqlite3_stmt *s, int c, const char *want)
{
	const char *have = (const char *)sqlite3_column_text(s, c);
	if (!want)
		return sqlite3_column_type(s, c) == SQLITE_NULL;
	return have && strcmp(have, want) == 0;
}

static bool store_col_blob_eq(sqlite3_stmt *s, int c, const void *want, size_t n)
{
	const void *have = sqlite3_column_blob(s, c);
	return have && (size_t)sqlite3_column_bytes(s, c) == n && memcmp(have, want, n) == 0;
}

static int store_check_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The themes rows of rid are exactly the distinct themes of doc. */
static int store_check_themes(store *st, store_check_state *cs, sqlite3_stmt *s_themes,
                              sqlite3_int64 rid, const store_doc *doc, bool *ret_ok)
{
	const char **want = NULL;
	size_t n = 0, k = 0;
	bool ok = true;
	int rc;

	while (store__doc_theme(doc, n))
		n++;
	if (n) {
		want = malloc(n * sizeof *want);
		if (!want)
			return MAILLE_ENOMEM;
		for (size_t i = 0; i < n; i++)
			want[i] = store__doc_theme(doc, i);
		qsort(want, n, sizeof *want, store_check_strcmp);
		/* Distinct, as INSERT OR IGNORE stored them. */
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (m == 0 || strcmp(want[m - 1], want[i]) != 0)
				want[m++] = want[i];
		n = m;
	}
	sqlite3_bind_int64(s_themes, 1, rid);
	while ((rc = sqlite3_step(s_themes)) == SQLITE_ROW) {
		const char *have = (const char *)sqlite3_column_text(s_themes, 0);
		if (k >= n || !have || strcmp(have, want[k]) != 0)
			ok = false;
		k++;
	}
	free(want);
	if (rc != SQLITE_DONE) {
		rc = store_check_sqlite(st, cs, rc, "the themes table");
		sqlite3_reset(s_themes);
		return rc ? rc : MAILLE_ECORRUPT; /* reported: the scan stops */
	}
	sqlite3_reset(s_themes);
	*ret_ok = ok && k == n;
	return 0;
}

/* A varint of FTS5's shadow tables (SQLite's format: big-endian groups of 7 bits, the 9th
 * byte whole). Returns the bytes read, 0 if p[0..n) ends first. */
static size_t store_varint(const uint8_t *p, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 9; i++) {
		if (i == 8) {
			*ret = v << 8 | p[i];
			return 9;
		}
		v = v << 7 | (p[i] & 0x7f);
		if (!(p[i] & 0x80)) {
			*ret = v;
			return i + 1;
		}
	}
	return 0;
}

/* The index's per-document sizes (fts_docsize.sz: the token count of each column) are those
 * of text: a row indexed with other text, or half-deleted, shows here. */
static bool store_check_fts_sizes(store *st, const uint8_t *sz, size_t n, const store_text *text)
{
	size_t off = 0;
	for (int k = 0; k < TEXT_N_; k++) {
		size_t tokens = 0;
		uint64_t have;
		size_t used = store_varint(sz + off, n - off, &have);
		if (!used)
			return false;
		off += used;
		if (text[k].len && st->tok_api.xTokenize(st->tok, &tokens, FTS5_TOKENIZE_DOCUMENT,
		                                          text[k].p, (int)text[k].len,
		                                          store__query_token_cb) != SQLITE_OK)
			return false;
		if (have != tokens)
			return false;
	}
	return off == n;
}

/* Checks one row of the main scan (columns as in store_check). Returns an error only when the
 * check itself cannot go on. */
static int store_check_row(store *st, store_check_state *cs, sqlite3_stmt *s,
                           sqlite3_stmt *s_fts, sqlite3_stmt *s_themes)
{
	sqlite3_int64 rid = sqlite3_column_int64(s, 0);
	const uint8_t *idp = sqlite3_column_blob(s, 1);
	const uint8_t *id = idp && sqlite3_column_bytes(s, 1) == PROTO_ID_LEN ? idp : NULL;
	const char *path = (const char *)sqlite3_column_text(s, 3);
	const uint8_t *raw = sqlite3_column_blob(s, 8);
	int raw_len = sqlite3_column_bytes(s, 8);
	uint8_t hash[PROTO_ID_LEN];
	char msg[128];
	proto_entry e;
	proto_arena arena;
	proto_value *body = NULL;
	store_doc doc;
	bool have_doc = false;
	int n_fts = 0, rc;

	/* The pointers into s's row stay valid while s is not stepped; the queries below run on
	 * other statements, which leave it alone. */
	cs->n++;
	if (rid > cs->max_rid)
		cs->max_rid = rid;
	if (id)
		store__sum_add(cs->sum, id); /* as maille_idsum(): only 32-byte ids */
	if (!id) {
		cs->ids_unsure = true;
		store_check_report(cs, NULL, path, "id column is not 32 bytes");
	}
	if (!raw || raw_len <= 0) {
		cs->ids_unsure = true;
		store_check_report(cs, id, path, "raw column is empty");
		return 0;
	}
	rc = proto_entry_decode(raw, (size_t)raw_len, &e);
	if (rc) {
		cs->ids_unsure = true;
		snprintf(msg, sizeof msg, "raw does not decode as a canonical entry (%s)",
		         maille_errname(rc));
		store_check_report(cs, id, path, msg);
		return 0;
	}
	if (proto_entry_verify(&e, raw, (size_t)raw_len) != 0)
		store_check_report(cs, id, path, "signature does not verify");
	proto_entry_id(raw, (size_t)raw_len, hash);
	if (id && memcmp(hash, id, PROTO_ID_LEN) != 0) {
		cs->ids_unsure = true;
		store_check_report(cs, id, path, "id is not the BLAKE2b-256 of raw");
	}
	if (!store_col_blob_eq(s, 2, e.territory, PROTO_KEY_LEN))
		store_check_report(cs, id, path, "territory column disagrees with raw");
	if (!path || (size_t)sqlite3_column_bytes(s, 3) != e.path_len ||
	    memcmp(path, e.path, e.path_len) != 0)
		store_check_report(cs, id, path, "path column disagrees with raw");
	if ((uint64_t)sqlite3_column_int64(s, 4) != e.timestamp ||
	    sqlite3_column_type(s, 4) != SQLITE_INTEGER)
		store_check_report(cs, id, path, "ts column disagrees with raw");
	if (sqlite3_column_int64(s, 5) != e.kind || sqlite3_column_type(s, 5) != SQLITE_INTEGER)
		store_check_report(cs, id, path, "kind column disagrees with raw");
	if (!store_col_blob_eq(s, 6, e.signer, PROTO_KEY_LEN))
		store_check_report(cs, id, path, "signer column disagrees with raw");
	if (e.capref ? !store_col_blob_eq(s, 7, e.capref, e.capref_len)
	             : sqlite3_column_type(s, 7) != SQLITE_NULL)
		store_check_report(cs, id, path, "capref column disagrees with raw");
	{
		sqlite3_int64 pk, tk;
		store__path_keys(e.territory, e.path, e.path_len, &pk, &tk);
		if (sqlite3_column_int64(s, 16) != pk || sqlite3_column_int64(s, 17) != tk ||
		    sqlite3_column_type(s, 16) != SQLITE_INTEGER ||
		    sqlite3_column_type(s, 17) != SQLITE_INTEGER)
			store_check_report(cs, id, path, "path keys disagree with raw");
	}

	proto_arena_init(&arena, 0);
	if (e.kind == PROTO_KIND_TOMBSTONE) {
		if (e.body_len != 1 || e.body[0] != 0x80)
			store_check_report(cs, id, path, "tombstone body is not the empty map");
	} else if (e.kind == PROTO_KIND_DOCUMENT) {
		rc = proto_value_decode(e.body, e.body_len, &arena, &body);
		if (rc || body->type != PROTO_V_MAP) {
			store_check_report(cs, id, path, "document body is not a map");
		} else {
			rc = store__doc_extract(st->text, body, &doc);
			if (rc)
				goto out;
			have_doc = true;
		}
	} else {
		store_check_report(cs, id, path, "unknown kind");
	}

	if (have_doc) {
		bool ok = false;
		if (!store_col_str_eq(s, 9, doc.type) || !store_col_str_eq(s, 10, doc.status) ||
		    !store_col_str_eq(s, 11, doc.licence) || !store_col_str_eq(s, 12, doc.sw_licence) ||
		    !store_col_str_eq(s, 13, doc.title) || !store_col_str_eq(s, 14, doc.summary) ||
		    sqlite3_column_int64(s, 15) != (doc.fed ? 1 : 0))
			store_check_report(cs, id, path, "decoded columns disagree with the body");
		rc = store_check_themes(st, cs, s_themes, rid, &doc, &ok);
		if (rc)
			goto out;
		if (!ok)
			store_check_report(cs, id, path, "themes disagree with the body");
	}

	/* The index's own record of rid (its content is entries itself, so only the index can
	 * disagree with the body). */
	sqlite3_bind_int64(s_fts, 1, rid);
	while ((rc = sqlite3_step(s_fts)) == SQLITE_ROW) {
		const uint8_t *sz = sqlite3_column_blob(s_fts, 0);
		n_fts++;
		if (have_doc && !store_check_fts_sizes(st, sz, (size_t)sqlite3_column_bytes(s_fts, 0),
		                                       st->text))
			store_check_report(cs, id, path, "full-text index disagrees with the body");
	}
	if (rc != SQLITE_DONE) {
		rc = store_check_sqlite(st, cs, rc, "the full-text index's sizes (fts_docsize)");
		sqlite3_reset(s_fts);
		if (!rc)
			rc = MAILLE_ECORRUPT; /* reported: the scan stops */
		goto out;
	}
	sqlite3_reset(s_fts);
	rc = 0;
	if (e.kind == PROTO_KIND_TOMBSTONE && n_fts != 0)
		store_check_report(cs, id, path, "tombstone has a full-text row");
	/* a document stored for later indexing (store_set_index_later) has none yet */
	bool unindexed = sqlite3_column_int(s, 18) != 0;
	if (unindexed && e.kind != PROTO_KIND_DOCUMENT)
		store_check_report(cs, id, path, "a tombstone is marked as waiting for its indexing");
	if (e.kind == PROTO_KIND_DOCUMENT && n_fts != (unindexed ? 0 : 1))
		store_check_report(cs, id, path,
		                   unindexed ? "document waiting for its indexing has a full-text row"
		                             : "document does not have exactly one full-text row");
out:
	proto_arena_done(&arena);
	return rc;
}

/* Runs a query whose every row is a problem: (id or NULL, path or NULL, count or NULL). what
 * names what it reads, should the file be too damaged for it (store_check_sqlite). */
static int store_check_query(store *st, store_check_state *cs, const char *sql, const char *problem,
                             const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_check_sqlite(st, cs, rc, what);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *id = sqlite3_column_blob(s, 0);
		if (id && sqlite3_column_bytes(s, 0) != PROTO_ID_LEN)
			id = NULL;
		store_check_report(cs, id, (const char *)sqlite3_column_text(s, 1), problem);
	}
	rc = rc == SQLITE_DONE ? 0 : store_check_sqlite(st, cs, rc, what);
	sqlite3_finalize(s);
	return rc;
}

/* meta against what the scan of the rows found (cs). */
static int store_check_meta(store *st, store_check_state *cs)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT next_rid, idsum, n FROM meta", -1, &s, NULL);
	int rows = 0;
	if (rc != SQLITE_OK)
		return store_check_sqlite(st, cs, rc, "the meta row");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const void *sum = sqlite3_column_blob(s, 1);
		rows++;
		if (!cs->scan_done)
			continue; /* the sums of a partial scan say nothing */
		if (sqlite3_column_type(s, 0) != SQLITE_INTEGER ||
		    sqlite3_column_int64(s, 0) <= cs->max_rid || sqlite3_column_int64(s, 0) < 1)
			store_check_report(cs, NULL, NULL,
			                   "meta: next_rid is not greater than every rid");
		if (sqlite3_column_type(s, 2) != SQLITE_INTEGER ||
		    (uint64_t)sqlite3_column_int64(s, 2) != cs->n || sqlite3_column_int64(s, 2) < 0)
			store_check_report(cs, NULL, NULL, "meta: the count disagrees with the entries");
		if (!sum || sqlite3_column_bytes(s, 1) != STORE_SUM_LEN)
			store_check_report(cs, NULL, NULL, "meta: idsum is not 32 bytes");
		/* An id column already found wrong explains a wrong sum: not reported twice. */
		else if (memcmp(sum, cs->sum, STORE_SUM_LEN) != 0 && !cs->ids_unsure)
			store_check_report(cs, NULL, NULL,
			                   "meta: idsum is not the sum of the ids of the entries");
	}
	if (rc != SQLITE_DONE) {
		rc = store_check_sqlite(st, cs, rc, "the meta row");
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	if (rows != 1)
		store_check_report(cs, NULL, NULL, "meta: not exactly one row");
	return 0;
}

/* Every member entry is where the capability its node has says (PROTOCOL.md §4.4): covered
 * and shown, or held while there is no capability; never uncovered. */
static int store_check_members(store *st, store_check_state *cs)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT id, path, raw, held FROM entries WHERE capref IS NOT NULL"
	                            " ORDER BY rid",
	                            -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_check_sqlite(st, cs, rc, "the member entries");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *id = sqlite3_column_blob(s, 0);
		const char *path = (const char *)sqlite3_column_text(s, 1);
		const uint8_t *raw = sqlite3_column_blob(s, 2);
		int len = sqlite3_column_bytes(s, 2);
		proto_entry e;
		bool held = false;
		if (sqlite3_column_bytes(s, 0) != PROTO_ID_LEN)
			id = NULL;
		if (!raw || len <= 0 || proto_entry_decode(raw, (size_t)len, &e) != 0)
			continue; /* store_check_row reported it */
		int r = store__member_check(st, &e, &held);
		if (r == MAILLE_EDENIED || r == MAILLE_EAUTH)
			store_check_report(cs, id, path, "member entry not covered by its capability");
		else if (r == MAILLE_ECORRUPT) {
			store_check_report(cs, id, path,
			                   "the file is damaged: the capability of this member "
			                   "entry could not be read");
			cs->damaged = true;
		} else if (r) {
			rc = r;
			break;
		} else if (held != (sqlite3_column_int(s, 3) != 0)) {
			store_check_report(cs, id, path,
			                   held ? "member entry shown without its capability"
			                        : "member entry held although its capability covers it");
		}
	}
	if (rc > 0)
		rc = rc == SQLITE_DONE ? 0 : store_check_sqlite(st, cs, rc, "the member entries");
	sqlite3_finalize(s);
	return rc;
}

/* The quarantine (PROTOCOL.md §4.6): it holds exactly the entries of the territories its view
 * does not trust (nothing without a quarantine), as they are (timestamp, territory, size),
 * meta counts it, and every bound holds. */
static int store_check_quarantine(store *st, store_check_state *cs)
{
	store_meta m;
	int rc = store__meta_read(st, &m);
	if (rc == MAILLE_ECORRUPT)
		return 0; /* store_check_meta reported it */
	if (rc)
		return rc;
	if (!cs->scan_done)
		return 0; /* every row would be read again, through the damage */
	rc = store_check_query(st, cs,
	                       m.q_on ? "SELECT id, path FROM entries WHERE"
	                                " (territory NOT IN (SELECT key FROM qview)) IS NOT"
	                                " (id IN (SELECT id FROM quarantine))"
	                              : "SELECT id, path FROM entries"
	                                " WHERE id IN (SELECT id FROM quarantine)",
	                       "in the quarantine although trusted, or out of it although not",
	                       "the quarantine");
	if (!rc)
		rc = store_check_query(st, cs,
		                       "SELECT q.id, NULL FROM quarantine q LEFT JOIN entries e"
		                       " ON e.id = q.id WHERE e.id IS NULL OR e.ts IS NOT q.ts"
		                       " OR e.territory IS NOT q.territory"
		                       " OR length(e.raw) IS NOT q.len",
		                       "quarantine row disagrees with its entry (or has none)",
		                       "the quarantine");
	if (rc)
		return rc;
	sqlite3_stmt *s = NULL;
	rc = sqlite3_prepare_v2(st->db, "SELECT count(*), coalesce(sum(len), 0) FROM quarantine",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_check_sqlite(st, cs, rc, "the quarantine");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && ((uint64_t)sqlite3_column_int64(s, 0) != m.qn ||
	                         (uint64_t)sqlite3_column_int64(s, 1) != m.qbytes))
		store_check_report(cs, NULL, NULL,
		                   "meta: the quarantine's count or size disagrees with its rows");
	rc = rc == SQLITE_ROW ? 0 : store_check_sqlite(st, cs, rc, "the quarantine");
	sqlite3_finalize(s);
	if (rc || !m.q_on)
		return rc;
	if ((m.qb[QB_TOTAL_ENTRIES] && m.qn > m.qb[QB_TOTAL_ENTRIES]) ||
	    (m.qb[QB_TOTAL_BYTES] && m.qbytes > m.qb[QB_TOTAL_BYTES]))
		store_check_report(cs, NULL, NULL, "quarantine: the total is over its bound");
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT count(*) FROM authors WHERE territory NOT IN"
	                        " (SELECT key FROM qview) AND ((?1 > 0 AND n > ?1)"
	                        " OR (?2 > 0 AND bytes > ?2))",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_check_sqlite(st, cs, rc, "the usage counts (authors)");
	sqlite3_bind_int64(s, 1, (sqlite3_int64)m.qb[QB_ENTRIES]);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)m.qb[QB_BYTES]);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0)
		store_check_report(cs, NULL, NULL,
		                   "quarantine: an untrusted territory is over its bound");
	rc = rc == SQLITE_ROW ? 0 : store_check_sqlite(st, cs, rc, "the usage counts (authors)");
	sqlite3_finalize(s);
	return rc;
}

/* The tables against each other: meta, one row per (territory, path), the full-text and
 * themes rows of existing entries, authors, the held entries, members, the quarantine. */
static int store_check_tables(store *st, store_check_state *cs)
{
	int rc;

	/* One row per (territory, path): the UNIQUE index says so, unless it is what is corrupt,
	 * so count over the table itself. */
	rc = store_check_meta(st, cs);
	if (!rc)
		rc = store_check_query(st, cs,
		                       "SELECT min(id), path FROM entries NOT INDEXED"
		                       " GROUP BY territory, path HAVING count(*) > 1",
		                       "several entries for one (territory, path)",
		                       "the (territory, path) of the entries");
	if (!rc)
		rc = store_check_query(st, cs,
		                       "SELECT NULL, NULL FROM fts_docsize"
		                       " WHERE id NOT IN (SELECT rid FROM entries)",
		                       "full-text row without an entry",
		                       "the full-text index's rows");
	if (!rc)
		rc = store_check_query(st, cs,
		                       "SELECT NULL, theme FROM themes"
		                       " WHERE rid NOT IN (SELECT rid FROM entries)",
		                       "theme row without an entry", "the themes table");
	if (!rc)
		rc = store_check_query(st, cs,
		                       "SELECT NULL, NULL FROM (SELECT territory, count(*) AS n,"
		                       " sum(length(raw)) AS b FROM entries GROUP BY territory) e"
		                       " LEFT JOIN authors a USING (territory)"
		                       " WHERE a.n IS NOT e.n OR a.bytes IS NOT e.b"
		                       " UNION ALL SELECT NULL, NULL FROM authors WHERE n != 0"
		                       " AND territory NOT IN (SELECT territory FROM entries)",
		                       "authors: a territory's count or size disagrees with its "
		                       "entries",
		                       "the usage counts (authors)");
	if (!rc)
		rc = store_check_query(st, cs,
		                       "SELECT id, path FROM entries WHERE held = 1 AND"
		                       " (capref IS NULL OR (kind = 0 AND unindexed = 0))",
		                       "a held entry that is not a member's, or is indexed",
		                       "the held entries");
	if (!rc)
		rc = store_check_members(st, cs);
	if (!rc)
		rc = store_check_quarantine(st, cs);
	return rc;
}

/* SQLite's own integrity check, one problem a line. */
static int store_check_integrity(store *st, store_check_state *cs)
{
	sqlite3_stmt *si;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &si, NULL);
	if (rc != SQLITE_OK)
		return store_check_sqlite(st, cs, rc, "SQLite's integrity check");
	while ((rc = sqlite3_step(si)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(si, 0);
		if (!text || strcmp(text, "ok") == 0)
			continue;
		/* one problem a line, without the "*** in database main ***" headings */
		for (const char *line = text; *line;) {
			size_t len = strcspn(line, "\n");
			if (len && strncmp(line, "*** ", 4) != 0) {
				char msg[320];
				snprintf(msg, sizeof msg, "SQLite's integrity check: %.*s", (int)len,
				         line);
				store_check_report(cs, NULL, NULL, msg);
				cs->damaged = true;
			}
			line += len + (line[len] == '\n');
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_check_sqlite(st, cs, rc, "SQLite's integrity check");
	sqlite3_finalize(si);
	return rc;
}

/* The index's structure, then (rank 1) its postings against the text of every entry.
 * A disagreement of the second kind is reported only when no entry was found wrong: an
 * entry whose raw was altered already explains it, and the check cannot say which rows
 * the index disagrees on. */
static int store_check_fts(store *st, store_check_state *cs)
{
	int rc = sqlite3_exec(st->db, "INSERT INTO fts(fts) VALUES('integrity-check')", NULL, NULL,
	                      NULL);
	if (rc != SQLITE_OK) {
		if (store__err(rc) != MAILLE_ECORRUPT)
			return store__err(rc);
		store_check_report(cs, NULL, NULL, "full-text index integrity-check failed");
	} else if (cs->problems == 0) {
		rc = sqlite3_exec(st->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)",
		                  NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			if (store__err(rc) != MAILLE_ECORRUPT)
				return store__err(rc);
			store_check_report(cs, NULL, NULL,
			                   "full-text index disagrees with the text of the entries");
		}
	}
	return 0;
}

int store_check(store *st, store_check_cb cb, void *ctx, uint64_t *ret_checked)
{
	store_check_state cs = {.cb = cb, .ctx = ctx};
	sqlite3_stmt *s = NULL, *s_fts = NULL, *s_themes = NULL;
	uint64_t checked = 0;
	int rc;

	rc = store__fts_sync(st);
	/* Inside a batch, the row the check reads must have the batch's puts. */
	if (!rc && st->in_batch && !st->batch_err && !sqlite3_get_autocommit(st->db))
		rc = store__meta_flush(st);
	if (rc)
		goto out;
	/* Every part runs whatever the parts before it found: a damaged file is reported part
	 * by part (store_check_sqlite), then by SQLite's own integrity check, which names the
	 * pages. */
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT rid, id, territory, path, ts, kind, signer, capref, raw,"
	                        " type, status, licence, sw_licence, title, summary, fed,"
	                        " path_key, territory_key, unindexed FROM entries ORDER BY rid",
	                        -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT sz FROM fts_docsize WHERE id = ?1", -1, &s_fts,
		                        NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT theme FROM themes WHERE rid = ?1 ORDER BY theme",
		                        -1, &s_themes, NULL);
	if (rc != SQLITE_OK) {
		rc = store_check_sqlite(st, &cs, rc, "the schema");
		if (rc)
			goto out;
	} else {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			checked++;
			rc = store_check_row(st, &cs, s, s_fts, s_themes);
			if (rc)
				break;
		}
		if (rc == SQLITE_DONE) {
			cs.scan_done = true;
			rc = 0;
		} else if (rc == MAILLE_ECORRUPT && cs.damaged) {
			rc = 0; /* reported: the rows after it are left to the integrity check */
		} else if (rc > 0) {
			char what[96];
			snprintf(what, sizeof what, "the entries after the first %llu",
			         (unsigned long long)checked);
			rc = store_check_sqlite(st, &cs, rc, what);
		}
		if (rc)
			goto out;
	}

	rc = store_check_tables(st, &cs);
	if (rc)
		goto out;

	rc = store_check_integrity(st, &cs);
	if (rc)
		goto out;
	rc = store_check_fts(st, &cs);
	if (rc)
		goto out;
	rc = cs.problems ? MAILLE_ECORRUPT : 0;

out:
	sqlite3_finalize(s);
	sqlite3_finalize(s_fts);
	sqlite3_finalize(s_themes);
	if (ret_checked)
		*ret_checked = checked;
	return rc;
}
