/* store/store_open.c: the schema and its migrations, the statements of the hot paths, the one
 * translation of SQLite's result codes, and opening, diagnosing and closing a store. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/* PRAGMA application_id of a Maille store: 'MAIL'. */
#define STORE_APPLICATION_ID 0x4D41494C

#define STORE_BUSY_TIMEOUT_MS 5000
/* 16 KiB pages: an entries row (~2.3 KB) took a 4 KiB page to itself, wasting 40% of the
 * table, where 7 fit in 16 KiB (the file at 100k entries: 527 MiB with 4 KiB pages and the
 * FTS5 content table, 346 MiB with 8 KiB pages, 318 MiB with 16 KiB; and a bulk load costs
 * less CPU). */
#define STORE_PAGE_SIZE 16384
/* Page cache (KiB). 16 MiB holds the id and path indexes of 100k entries; 32 MiB made no
 * measurable difference to a bulk load, 8 MiB a slightly slower one. With the rest of a
 * store (FTS5's pending terms, statement buffers) it keeps a node far below its 64 MB. No
 * mmap: mapped pages of the file would count in the process's resident memory. */
#define STORE_CACHE_KIB 16384

/* Schema migrations, in order: migration i brings user_version from i to i + 1. Adding a
 * version is appending one string; never edit a migration that has shipped. */
static const char *const store_migrations[] = {
	/* 1: entries, themes, full-text index. */
	"CREATE TABLE entries ("
	" rid INTEGER PRIMARY KEY,"
	" id BLOB NOT NULL UNIQUE,"
	" territory BLOB NOT NULL,"
	" path TEXT NOT NULL,"
	" ts INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" signer BLOB NOT NULL,"
	" capref TEXT,"
	" raw BLOB NOT NULL,"
	" type TEXT,"
	" status TEXT,"
	" licence TEXT,"    /* content_licence */
	" sw_licence TEXT," /* licence (of a component) */
	" title TEXT,"      /* French-preferred */
	" summary TEXT,"    /* French-preferred */
	" fed INTEGER NOT NULL DEFAULT 0," /* 1 for territory/member/vouch/node records */
	" path_key INTEGER NOT NULL,"      /* store__path_keys() */
	" territory_key INTEGER NOT NULL);"
	/* (territory, path) is looked up through 64-bit keys rather than an index of the strings:
	 * such an index is ~110 bytes an entry in random order, so that every batch rewrote
	 * nearly all of its pages (at 100k entries, 40% of all the bytes a bulk load wrote).
	 * Path first: the same index serves store_entry_find_path()'s lookup by path alone. At
	 * most one row per (territory, path) is kept by the put, and checked by store_check. */
	"CREATE INDEX entries_path ON entries(path_key, territory_key);"
	"CREATE INDEX entries_ts ON entries(ts, id);"
	"CREATE INDEX entries_type ON entries(type, ts);"
	"CREATE TABLE themes ("
	" rid INTEGER NOT NULL REFERENCES entries(rid) ON DELETE CASCADE,"
	" theme TEXT NOT NULL,"
	" PRIMARY KEY (rid, theme)) WITHOUT ROWID;"
	"CREATE INDEX themes_theme ON themes(theme, rid);"
	/* The text FTS5 indexes is computed from raw by maille_text() (registered on every
	 * connection, see store__text_fn), so it is stored once, in raw, and not again in an FTS5
	 * content table. */
	"CREATE VIEW entries_text(rid, title, summary, description, keywords) AS"
	" SELECT rid, maille_text(raw, 'title'), maille_text(raw, 'summary'),"
	" maille_text(raw, 'description'), maille_text(raw, 'keywords')"
	" FROM entries WHERE kind = 0;"
	"CREATE VIRTUAL TABLE fts USING fts5(title, summary, description, keywords,"
	" content = 'entries_text', content_rowid = 'rid',"
	" tokenize = 'unicode61 remove_diacritics 2');"
	/* Merge segments 16 at a time rather than 4: each batch writes one, and merging fewer
	 * times cut a bulk load's commits by a third (0.8 s of CPU at 100k entries) with no
	 * measurable cost to search. */
	"INSERT INTO fts(fts, rank) VALUES('automerge', 16);",
	/* 2: arrival order that never goes back, the kept sum of the ids, configured peers.
	 * A version-1 file keeps its rids: the next one is max(rid) + 1, and idsum is summed over
	 * its rows by maille_idsum() (an aggregate every connection registers, like maille_text),
	 * in the migration's transaction. */
	"CREATE TABLE meta ("
	" k INTEGER PRIMARY KEY CHECK (k = 0),"
	" next_rid INTEGER NOT NULL,"
	" idsum BLOB NOT NULL,"
	" n INTEGER NOT NULL);"
	"INSERT INTO meta(k, next_rid, idsum, n)"
	" SELECT 0, coalesce(max(rid), 0) + 1, maille_idsum(id), count(*) FROM entries;"
	"CREATE TABLE peers ("
	" addr TEXT PRIMARY KEY,"
	" added_us INTEGER NOT NULL);",
	/* 3: documents stored now and indexed later (store_set_index_later): a bulk sync stores
	 * entries without paying the full-text index in the same transaction. The index's content
	 * view leaves them out until store_index_pending() indexes them, so that the index and its
	 * content always agree (FTS5 'integrity-check'). */
	"ALTER TABLE entries ADD COLUMN unindexed INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX entries_unindexed ON entries(rid) WHERE unindexed = 1;"
	"DROP VIEW entries_text;"
	"CREATE VIEW entries_text(rid, title, summary, description, keywords) AS"
	" SELECT rid, maille_text(raw, 'title'), maille_text(raw, 'summary'),"
	" maille_text(raw, 'description'), maille_text(raw, 'keywords')"
	" FROM entries WHERE kind = 0 AND unindexed = 0;",
	/* 4: territories this node trusts explicitly (maille trust). Local, never replicated:
	 * another node's trust is its own business; what replicates is vouches (PROTOCOL.md
	 * §4.2). WITHOUT ROWID: the key is the only thing looked up. */
	"CREATE TABLE trusted ("
	" key BLOB PRIMARY KEY CHECK (length(key) = 32),"
	" added_us INTEGER NOT NULL) WITHOUT ROWID;",
	/* 5: member entries, quotas, invitations (PROTOCOL.md §4.4–4.6).
	 * held: a member's entry whose capability has not arrived (stored, in the live set, never
	 * listed, searched or indexed: a held document keeps unindexed = 1 until it is covered).
	 * entries_capref finds a member's entries when its capability changes; it holds member
	 * entries only, a few of the rows. authors: entries and bytes stored per territory, kept
	 * by every put like meta, for the quota of untrusted territories. invites: the hashes of
	 * the secrets this node handed out, never the secrets. */
	"ALTER TABLE entries ADD COLUMN held INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX entries_capref ON entries(capref, territory_key) WHERE capref IS NOT NULL;"
	"CREATE TABLE authors ("
	" territory BLOB PRIMARY KEY,"
	" n INTEGER NOT NULL,"
	" bytes INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO authors(territory, n, bytes)"
	" SELECT territory, count(*), sum(length(raw)) FROM entries GROUP BY territory;"
	"CREATE TABLE invites ("
	" hash BLOB PRIMARY KEY CHECK (length(hash) = 32),"
	" created_us INTEGER NOT NULL,"
	" expires_us INTEGER NOT NULL,"
	" uses_left INTEGER NOT NULL,"
	" redeemed_by BLOB) WITHOUT ROWID;",
	/* 6: the quarantine (PROTOCOL.md §4.6). quarantine: the entries of the territories the
	 * quarantine's view does not trust (at most the total bound), in (timestamp, id) order,
	 * and by territory, so that the highest one, of all or of one territory, is one index step
	 * away. A narrow table of its own rather than a flag on entries: when the view changes,
	 * a territory's entries enter or leave it without rewriting their 2 KB rows (a flag made
	 * that 22 s at 200 000 entries). len: length(raw). qview: the trusted keys of that view
	 * (written by store_set_trusted on the handle that sets the quota), so that every handle
	 * of every process classifies a put the same way. meta: whether a quarantine is set
	 * (q_on), its four bounds (0 = none), and the count and bytes of the quarantine, kept by
	 * every put like idsum. */
	"CREATE TABLE quarantine ("
	" ts INTEGER NOT NULL,"
	" id BLOB NOT NULL,"
	" territory BLOB NOT NULL,"
	" len INTEGER NOT NULL,"
	" PRIMARY KEY (ts, id)) WITHOUT ROWID;"
	"CREATE INDEX quarantine_t ON quarantine(territory, ts, id);"
	"CREATE TABLE qview (key BLOB PRIMARY KEY CHECK (length(key) = 32)) WITHOUT ROWID;"
	"ALTER TABLE meta ADD COLUMN q_on INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE meta ADD COLUMN q_entries INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE meta ADD COLUMN q_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE meta ADD COLUMN q_total_entries INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE meta ADD COLUMN q_total_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE meta ADD COLUMN qn INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE meta ADD COLUMN qbytes INTEGER NOT NULL DEFAULT 0;",
	/* 7: how many versions of each record this node has stored (store_versions), so that
	 * publishing says "updated (version N)". Superseded versions are deleted, so the count
	 * cannot come from entries: a put that makes a document live adds one. A record already
	 * here counts as one version. Quarantined entries are not counted, so an untrusted
	 * territory cannot grow the table beyond the quarantine's bounds. */
	"CREATE TABLE versions ("
	" territory BLOB NOT NULL,"
	" path TEXT NOT NULL,"
	" n INTEGER NOT NULL,"
	" PRIMARY KEY (territory, path)) WITHOUT ROWID;"
	"INSERT INTO versions(territory, path, n)"
	" SELECT territory, path, 1 FROM entries WHERE kind = 0"
	" AND id NOT IN (SELECT id FROM quarantine);",
	/* 8: French search. Every text field of every record type is indexed, the type's own
	 * (a REX's context, difficulties..., nested texts) in a fifth column, details; the
	 * tokenizer is maille_fr (store_tokenize.c: case and accents folded, elisions dropped,
	 * French stems), so the index is built again from the entries, in this migration's
	 * transaction (a crash leaves the version-7 file as it was). vocab: the folded words
	 * the index met, unstemmed, for store_suggest (added to by every indexing, never
	 * removed: a suggestion is checked against the index before it is made). */
	"DROP TABLE fts;"
	"DROP VIEW entries_text;"
	"CREATE VIEW entries_text(rid, title, summary, description, keywords, details) AS"
	" SELECT rid, maille_text(raw, 'title'), maille_text(raw, 'summary'),"
	" maille_text(raw, 'description'), maille_text(raw, 'keywords'),"
	" maille_text(raw, 'details')"
	" FROM entries WHERE kind = 0 AND unindexed = 0;"
	"CREATE VIRTUAL TABLE fts USING fts5(title, summary, description, keywords, details,"
	" content = 'entries_text', content_rowid = 'rid', tokenize = '" STORE_TOKENIZER "');"
	"INSERT INTO fts(fts, rank) VALUES('automerge', 16);"
	"CREATE TABLE vocab (word TEXT PRIMARY KEY) WITHOUT ROWID;"
	/* A search's counts (store_search_matches) read these columns of every match: from this
	 * narrow index (76 bytes a row) rather than the 2 KB rows, a page of it holds hundreds of
	 * matches' (2 to 3 times faster for 1 000 matches at 100k records). */
	"CREATE INDEX entries_facets ON entries(rid, type, status, licence, sw_licence, territory,"
	" fed, held, kind);"
	"INSERT INTO fts(fts) VALUES('rebuild');",
	/* 9: cooperation (PROTOCOL.md §5). links: for each document, the records its body names
	 * (proto_coop_links: an act's targets as "<hex key>/<path>", a catalogue record's
	 * references as written), so that a call's interests, a record's awards and comments
	 * and a component's users are found by the record's name, not by reading every body.
	 * Filled for the documents already here by store_migrate. hidden: the comments this
	 * node's operator hid (never published, PROTOCOL.md §5.4). */
	"CREATE TABLE links ("
	" target TEXT NOT NULL,"
	" rid INTEGER NOT NULL REFERENCES entries(rid) ON DELETE CASCADE,"
	" PRIMARY KEY (target, rid)) WITHOUT ROWID;"
	"CREATE INDEX links_rid ON links(rid);"
	"CREATE TABLE hidden ("
	" territory BLOB NOT NULL,"
	" path TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (territory, path)) WITHOUT ROWID;",
};
/* The first version with the links table, which store_migrate fills from the entries. */
#define STORE_SCHEMA_LINKS 9
#define STORE_SCHEMA_VERSION ((int)(sizeof store_migrations / sizeof store_migrations[0]))

static const char *const store_stmt_sql[STMT_N_] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT store_put",
	[STMT_RELEASE] = "RELEASE store_put",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO store_put",
	[STMT_OPTIMIZE] = "INSERT INTO fts(fts) VALUES('optimize')",
	[STMT_LIVE_GET] = "SELECT rid, id, ts, kind, unindexed, length(raw) FROM entries"
	                  " WHERE path_key = ?3 AND territory_key = ?4"
	                  " AND territory = ?1 AND path = ?2",
	[STMT_RAW_GET] = "SELECT raw FROM entries WHERE rid = ?1",
	[STMT_ENTRY_DEL] = "DELETE FROM entries WHERE rid = ?1",
	/* An external-content index is told what it indexed: the row's text is no longer in
	 * entries when the queued deletion runs (see store__fts_flush). */
	[STMT_FTS_DEL] = "INSERT INTO fts(fts, rowid, title, summary, description, keywords,"
	                 " details) VALUES('delete', ?1, ?2, ?3, ?4, ?5, ?6)",
	/* ?18: the rid, meta's next_rid (st->meta). */
	[STMT_ENTRY_INS] = "INSERT INTO entries(rid, id, territory, path, ts, kind, signer, capref,"
	                   " raw, type, status, licence, sw_licence, title, summary, fed, path_key,"
	                   " territory_key, unindexed, held)"
	                   " VALUES(?18, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	                   " ?15, ?16, ?17, ?19, ?20)",
	[STMT_THEME_INS] = "INSERT OR IGNORE INTO themes(rid, theme) VALUES(?1, ?2)",
	[STMT_LINK_INS] = "INSERT OR IGNORE INTO links(target, rid) VALUES(?1, ?2)", /* and store_links.c */
	[STMT_FTS_INS] = "INSERT INTO fts(rowid, title, summary, description, keywords, details)"
	                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_GET_PATH] = "SELECT id, raw, rid FROM entries WHERE path_key = ?3"
	                  " AND territory_key = ?4 AND territory = ?1 AND path = ?2",
	[STMT_GET_RANGE] = "SELECT id, raw, rid FROM entries WHERE id BETWEEN ?1 AND ?2"
	                   " ORDER BY id LIMIT 2",
	[STMT_TERRITORY] = "SELECT raw FROM entries WHERE path_key = ?3 AND territory_key = ?4"
	                   " AND territory = ?1 AND path = ?2 AND kind = 0",
	/* Walks the matches in rowid order without ranking them, so it stops at ?2. */
	[STMT_SEARCH_COUNT] = "SELECT count(*) FROM (SELECT rowid FROM fts WHERE fts MATCH ?1"
	                      " LIMIT ?2)",
	/* temp.fts_instances: fts5vocab(instance), made by store_open (never in the file). */
	[STMT_PREFIX_COUNT] = "SELECT count(*) FROM (SELECT 1 FROM temp.fts_instances"
	                      " WHERE term >= ?1 AND term <= ?2 LIMIT ?3)",
	[STMT_META_SET] = "UPDATE meta SET next_rid = ?1, idsum = ?2, n = ?3, qn = ?4, qbytes = ?5,"
	                  " q_on = ?6, q_entries = ?7, q_bytes = ?8, q_total_entries = ?9,"
	                  " q_total_bytes = ?10 WHERE k = 0",
	[STMT_META_GET] = "SELECT idsum, n, next_rid, qn, qbytes, q_on, q_entries, q_bytes,"
	                  " q_total_entries, q_total_bytes FROM meta WHERE k = 0",
	[STMT_HAS] = "SELECT 1 FROM entries WHERE id = ?1",
	[STMT_RAW_BY_ID] = "SELECT raw FROM entries WHERE id = ?1",
	/* The (ts, id) index covers the query: the table's 2 KB rows are never read. */
	[STMT_ITEMS] = "SELECT ts, id FROM entries INDEXED BY entries_ts ORDER BY ts, id",
	[STMT_DATA_VERSION] = "PRAGMA data_version",
	/* OR IGNORE: an address already there changes nothing, which store_peer_add reports. */
	[STMT_PEER_ADD] = "INSERT OR IGNORE INTO peers(addr, added_us) VALUES(?1, ?2)",
	[STMT_PEER_DEL] = "DELETE FROM peers WHERE addr = ?1",
	/* ?2, ?3: what the put adds to the territory's entries and bytes (negative when it
	 * removes) */
	[STMT_AUTHOR_ADD] = "INSERT INTO authors(territory, n, bytes) VALUES(?1, ?2, ?3)"
	                    " ON CONFLICT(territory) DO UPDATE SET n = n + ?2, bytes = bytes + ?3",
	[STMT_AUTHOR_GET] = "SELECT n, bytes FROM authors WHERE territory = ?1",
	[STMT_CAP_ROWS] = "SELECT rid, id, raw, held, kind, unindexed, ts FROM entries"
	                  " INDEXED BY entries_capref WHERE capref = ?1 AND territory_key = ?3"
	                  " AND territory = ?2",
	[STMT_HELD_CLEAR] = "UPDATE entries SET held = 0 WHERE rid = ?1",
	/* a member's entry whose capability the quarantine evicted: held again, and a document
	 * leaves the index (store_cap_gone) */
	[STMT_HELD_SET] = "UPDATE entries SET held = 1, unindexed = (kind = 0) WHERE rid = ?1",
	[STMT_QVIEW_HAS] = "SELECT 1 FROM qview WHERE key = ?1",
	/* The quarantined entries from the highest (timestamp, id) down, of all territories or
	 * of one, each with its row (CROSS JOIN: the quarantine's order drives, one lookup of
	 * the id per row read). */
	[STMT_Q_TOP] = "SELECT e.rid, q.ts, q.id, q.territory, q.len, e.kind, e.unindexed,"
	               " e.signer, e.path FROM quarantine q CROSS JOIN entries e ON e.id = q.id"
	               " ORDER BY q.ts DESC, q.id DESC",
	[STMT_Q_TOP_T] = "SELECT e.rid, q.ts, q.id, q.territory, q.len, e.kind, e.unindexed,"
	                 " e.signer, e.path FROM quarantine q INDEXED BY quarantine_t"
	                 " CROSS JOIN entries e ON e.id = q.id WHERE q.territory = ?1"
	                 " ORDER BY q.ts DESC, q.id DESC",
	[STMT_Q_INS] = "INSERT INTO quarantine(ts, id, territory, len) VALUES(?1, ?2, ?3, ?4)",
	[STMT_Q_DEL] = "DELETE FROM quarantine WHERE ts = ?1 AND id = ?2",
	[STMT_VERSION_ADD] = "INSERT INTO versions(territory, path, n) VALUES(?1, ?2, 1)"
	                     " ON CONFLICT(territory, path) DO UPDATE SET n = n + 1",
	[STMT_VERSION_GET] = "SELECT n FROM versions WHERE territory = ?1 AND path = ?2",
	[STMT_VOCAB_INS] = "INSERT OR IGNORE INTO vocab(word) VALUES(?1)",
	[STMT_VOCAB_DEL] = "DELETE FROM vocab WHERE word = ?1",
	/* ?2: STORE_VOCAB_SCAN_MAX + 1 (store_vocab_prune) */
	[STMT_VOCAB_HAS_TOKEN] = "SELECT e.raw FROM fts JOIN entries e ON e.rid = fts.rowid"
	                         " WHERE fts MATCH ?1 LIMIT ?2",
};

/* ------------------------------------------------------------------------------------------ */
/* Errors and statements */

/* The one translation of SQLite result codes into maille codes. */
int store__err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_NOMEM:
		return MAILLE_ENOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	/* We never violate a constraint on a sound file (puts look up before they insert), so a
	 * constraint failure means the file disagrees with itself. */
	case SQLITE_CONSTRAINT:
		return MAILLE_ECORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return MAILLE_EBUSY;
	case SQLITE_TOOBIG:
		return MAILLE_ETOOBIG;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	default:
		return MAILLE_EIO;
	}
}

int store__stmt(store *st, enum store_stmt_id k, sqlite3_stmt **ret)
{
	if (!st->stmts[k]) {
		int rc = sqlite3_prepare_v3(st->db, store_stmt_sql[k], -1, SQLITE_PREPARE_PERSISTENT,
		                            &st->stmts[k], NULL);
		if (rc != SQLITE_OK)
			return store__err(rc);
	}
	*ret = st->stmts[k];
	return 0;
}

/* Runs a cached statement that returns no row. */
int store__stmt_run(store *st, enum store_stmt_id k)
{
	sqlite3_stmt *s = NULL;
	int rc = store__stmt(st, k, &s);
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store__err(rc);
}

/* Runs s, a write of one row, and resets it: MAILLE_ECORRUPT when it changed no row or
 * several (the row was there a moment ago, inside the same transaction). */
int store__step_one(store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) == 1 ? 0 : MAILLE_ECORRUPT;
	else
		rc = store__err(rc);
	sqlite3_reset(s);
	return rc;
}

/* Runs s, a query of one row whose first column is a number, into *ret, and resets it and
 * clears its bindings; no row at all is corruption. *ret is untouched on failure. */
int store__step_int64(sqlite3_stmt *s, int64_t *ret)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store__err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

int store__exec(sqlite3 *db, const char *sql)
{
	return store__err(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

/* The first column of the first row of a one-value query such as a PRAGMA. */
static int store_query_int(sqlite3 *db, const char *sql, int64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store__err(rc);
	}
	sqlite3_finalize(s);
	return rc;
}

/* The keys under which the (territory, path) index finds an entry: the first 64 bits of
 * BLAKE2b(path) (a hash that nobody can make collide at will, so that no publisher can pile
 * thousands of paths on one key) and the first 64 bits of the territory key, both read as
 * big-endian signed integers. */
void store__path_keys(const uint8_t territory[PROTO_KEY_LEN], const char *path,
                      size_t path_len, sqlite3_int64 *ret_path_key,
                      sqlite3_int64 *ret_territory_key)
{
	uint8_t h[8];
	uint64_t pk = 0, tk = 0;
	crypto_generichash(h, sizeof h, (const unsigned char *)path, path_len, NULL, 0);
	for (int i = 0; i < 8; i++) {
		pk = pk << 8 | h[i];
		tk = tk << 8 | (territory ? territory[i] : 0);
	}
	*ret_path_key = (sqlite3_int64)pk;
	*ret_territory_key = (sqlite3_int64)tk;
}

/* Binds ?1 territory, ?2 path, ?3 and ?4 their keys (STMT_LIVE_GET, GET_PATH, TERRITORY). */
void store__bind_path(sqlite3_stmt *s, const uint8_t territory[PROTO_KEY_LEN],
                      const char *path, size_t path_len)
{
	sqlite3_int64 pk, tk;
	store__path_keys(territory, path, path_len, &pk, &tk);
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, (int)path_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, pk);
	sqlite3_bind_int64(s, 4, tk);
}

int store__bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (!text)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
}

/* ------------------------------------------------------------------------------------------ */
/* Open, migrate, close */

static int store_migrate(store *st)
{
	int64_t version = 0; /* set by store_query_int on success; gcc -O3 cannot see it */
	int rc = store__exec(st->db, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	/* Read again inside the write transaction: another process may have migrated meanwhile. */
	rc = store_query_int(st->db, "PRAGMA user_version", &version);
	if (rc)
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		rc = MAILLE_EVERSION;
		goto fail;
	}
	/* the words of an index a migration rebuilds are learnt (store_tokenize.c) */
	st->fts_mode = STORE_FTS_ADDING;
	for (int64_t v = version; v < STORE_SCHEMA_VERSION && !rc; v++)
		rc = store__exec(st->db, store_migrations[v]);
	st->fts_mode = STORE_FTS_IDLE;
	if (rc)
		goto fail;
	/* the words of a rebuilt index (migration 8) */
	rc = store__vocab_flush(st);
	if (rc)
		goto fail;
	if (version > 0 && version < STORE_SCHEMA_LINKS) {
		rc = store__links_fill(st);
		if (rc)
			goto fail;
	}
	if (version < STORE_SCHEMA_VERSION) {
		char sql[96];
		st->upgraded_from = version > 0 ? (int)version : 0;
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		         STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
		rc = store__exec(st->db, sql);
		if (rc)
			goto fail;
	}
	rc = store__exec(st->db, "COMMIT");
	if (rc)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	store__vocab_forget(st);
	return rc;
}

static void store_unlink_all(const char *path)
{
	static const char *const suffixes[] = {"-wal", "-shm"};
	size_t n = strlen(path);
	char *p = malloc(n + 5);
	unlink(path);
	if (!p)
		return;
	for (size_t i = 0; i < 2; i++) {
		memcpy(p, path, n);
		memcpy(p + n, suffixes[i], 5);
		unlink(p);
	}
	free(p);
}

static void store_free(store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < STMT_N_; i++)
		sqlite3_finalize(st->stmts[i]);
	if (st->tok)
		st->tok_api.xDelete(st->tok);
	if (st->db)
		sqlite3_close_v2(st->db);
	for (size_t i = 0; i < TEXT_N_; i++) {
		free(st->text[i].p);
		free(st->old_text[i].p);
		free(st->fn_text[i].p);
	}
	free(st->fn_raw);
	free(st->ops);
	free(st->fts_buf);
	free(st->ev);
	free(st->evicted);
	store__vocab_free(st);
	free(st);
}

/* A big-endian 32-bit field of SQLite's file header. */
static uint32_t store_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SQLite's documented file header (its first 100 bytes) says what a file that does not open
 * is: SQLite itself refuses a file shorter than its header says, or that is not a database,
 * without saying which. The size is compared only when no write-ahead log holds pages (then
 * the file's header may be behind the log's). The file is read with a descriptor of its own,
 * whose close would drop the POSIX locks SQLite holds on it in this process: store.h says not
 * to call this while a handle of the process has the file open. */
int store_diagnose(const char *path, char *ret, size_t cap)
{
	uint8_t h[100];
	struct stat sb, wb;
	ssize_t n;
	int fd;

	if (!path || !ret || cap == 0)
		return MAILLE_EINVAL;
	if (stat(path, &sb) != 0) {
		snprintf(ret, cap, "the file does not exist");
		return errno == ENOENT || errno == ENOTDIR ? MAILLE_ENOTFOUND : MAILLE_EIO;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(ret, cap, "not a regular file");
		return MAILLE_ECORRUPT;
	}
	if (sb.st_size == 0) {
		snprintf(ret, cap, "the file is empty: not a Maille store");
		return MAILLE_ECORRUPT;
	}
	size_t plen = strlen(path);
	char *wal = malloc(plen + 5);
	bool has_wal = true; /* unknown: say less rather than wrong */
	if (wal) {
		memcpy(wal, path, plen);
		memcpy(wal + plen, "-wal", 5);
		has_wal = stat(wal, &wb) == 0 && wb.st_size > 0;
		free(wal);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(ret, cap, "cannot be read: %s", strerror(errno));
		return MAILLE_EIO;
	}
	n = pread(fd, h, sizeof h, 0);
	close(fd);
	if (n < 0) {
		snprintf(ret, cap, "cannot be read: %s", strerror(errno));
		return MAILLE_EIO;
	}
	if ((size_t)n < 16 || memcmp(h, "SQLite format 3", 16) != 0) {
		snprintf(ret, cap, "not an SQLite database (it does not start with its header)");
		return MAILLE_ECORRUPT;
	}
	if (has_wal) {
		snprintf(ret, cap, "its header is sound: the damage is further in");
		return 0;
	}
	if ((size_t)n < sizeof h) {
		snprintf(ret, cap, "truncated: %zd bytes, less than SQLite's 100-byte header", n);
		return MAILLE_ECORRUPT;
	}
	uint32_t psize = (uint32_t)h[16] << 8 | h[17];
	if (psize == 1)
		psize = 65536;
	const uint32_t pages = store_be32(h + 28);
	if (psize < 512 || (psize & (psize - 1)) != 0) {
		snprintf(ret, cap, "its SQLite header is damaged (page size %u)", psize);
		return MAILLE_ECORRUPT;
	}
	if (store_be32(h + 68) != STORE_APPLICATION_ID) {
		snprintf(ret, cap, "an SQLite database of another application, not a Maille store");
		return MAILLE_ECORRUPT;
	}
	/* the page count is valid when the change counter equals "version-valid-for" */
	if (store_be32(h + 24) == store_be32(h + 92) && pages > 0 &&
	    (uint64_t)pages * psize > (uint64_t)sb.st_size) {
		snprintf(ret, cap,
		         "truncated: its header counts %u pages of %u bytes (%llu bytes), the file "
		         "has %llu",
		         pages, psize, (unsigned long long)pages * psize,
		         (unsigned long long)sb.st_size);
		return MAILLE_ECORRUPT;
	}
	if ((uint64_t)sb.st_size % psize != 0) {
		snprintf(ret, cap, "truncated: %llu bytes, not a whole number of %u-byte pages",
		         (unsigned long long)sb.st_size, psize);
		return MAILLE_ECORRUPT;
	}
	snprintf(ret, cap, "its header is sound: the damage is further in");
	return 0;
}

/* The SQL functions of a store's connection. */
static int store_functions_add(store *st)
{
	int rc;
	/* The content of the full-text index (view entries_text). */
	rc = sqlite3_create_function_v2(st->db, "maille_text", 2,
	                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, st,
	                                store__text_fn, NULL, NULL, NULL);
	/* store_search's prefix test, in its own statements only. */
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "maille_has_prefix", 4,
		                                SQLITE_UTF8 | SQLITE_DIRECTONLY,
		                                st, store__has_prefix_fn, NULL, NULL, NULL);
	/* store_filter.trusted_only: whether a territory is in the set of store_set_trusted. */
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "maille_trusted", 1,
		                                SQLITE_UTF8 | SQLITE_DIRECTONLY, st,
		                                store__trusted_fn, NULL, NULL, NULL);
	/* meta.idsum of a version-1 file, summed by migration 2. Our statements only. */
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "maille_idsum", 1,
		                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
		                                NULL, NULL, store__idsum_step, store__idsum_final,
		                                NULL);
	return rc != SQLITE_OK ? store__err(rc) : 0;
}

/* Puts the file in WAL mode: 0, or MAILLE_EIO when SQLite keeps another journal mode. */
static int store_wal_on(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store__err(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(s, 0);
		rc = mode && strcmp(mode, "wal") == 0 ? 0 : MAILLE_EIO;
	} else {
		rc = store__err(rc == SQLITE_DONE ? SQLITE_IOERR : rc);
	}
	sqlite3_finalize(s);
	return rc;
}

int store_open(const char *path, int flags, store **ret)
{
	bool created = false;
	int64_t app_id = 0, version = 0; /* set by store_query_int; gcc -O3 cannot see it */
	store *st;
	int rc;

	if (!path || !ret || (flags != STORE_OPEN_EXISTING && flags != STORE_OPEN_CREATE))
		return MAILLE_EINVAL;
	/* Verification needs libsodium initialised; proto_init() may be called any number of
	 * times. */
	rc = proto_init();
	if (rc)
		return rc;
	if (flags == STORE_OPEN_CREATE) {
		/* O_EXCL makes "already exists" race-free; an empty file is an empty database. */
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return errno == EEXIST ? MAILLE_EEXIST : errno == ENOENT ? MAILLE_ENOTFOUND
			                                                         : MAILLE_EIO;
		close(fd);
		created = true;
	} else {
		/* SQLite would create a missing file even without SQLITE_OPEN_CREATE in some VFS
		 * paths; checking first keeps "never create" true whatever the VFS does. */
		struct stat sb;
		if (stat(path, &sb) != 0)
			return errno == ENOENT || errno == ENOTDIR ? MAILLE_ENOTFOUND : MAILLE_EIO;
	}

	st = calloc(1, sizeof *st);
	if (!st) {
		rc = MAILLE_ENOMEM;
		goto fail;
	}
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = store__err(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	/* Refuse SQL that could corrupt the file (writable_schema, writes to shadow tables). */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	rc = store_functions_add(st);
	if (rc)
		goto fail;

	/* Identify the file before writing anything to it: a file that is not ours is left as it
	 * was (reading the header of a non-database fails with SQLITE_NOTADB). */
	rc = store_query_int(st->db, "PRAGMA application_id", &app_id);
	if (!rc)
		rc = store_query_int(st->db, "PRAGMA user_version", &version);
	if (rc)
		goto fail;
	if (created) {
		if (app_id != 0 || version != 0) {
			rc = MAILLE_ECORRUPT;
			goto fail;
		}
	} else {
		if (app_id != STORE_APPLICATION_ID || version < 1) {
			rc = MAILLE_ECORRUPT;
			goto fail;
		}
		if (version > STORE_SCHEMA_VERSION) {
			rc = MAILLE_EVERSION;
			goto fail;
		}
	}

	if (created) {
		/* Before anything is written, and before WAL mode, in which it can no longer change. */
		char b[64];
		snprintf(b, sizeof b, "PRAGMA page_size = %d", STORE_PAGE_SIZE);
		rc = store__exec(st->db, b);
		if (rc)
			goto fail;
	}
	rc = store_wal_on(st->db);
	if (rc)
		goto fail;
	/* temp_store in memory: the sub-journal of a put's savepoint would otherwise be a temp
	 * file written page by page (tens of write calls per put). Cache: STORE_CACHE_KIB. */
	{
		char sql[256];
		snprintf(sql, sizeof sql,
		         "PRAGMA secure_delete = ON;"
		         "PRAGMA synchronous = NORMAL;"
		         "PRAGMA temp_store = MEMORY;"
		         "PRAGMA cache_size = -%d;"
		         "PRAGMA mmap_size = 0;"
		         "PRAGMA foreign_keys = ON;"
		         "PRAGMA trusted_schema = OFF",
		         STORE_CACHE_KIB);
		rc = store__exec(st->db, sql);
	}
	if (rc)
		goto fail;
	/* before the migrations: the last one rebuilds the index with it */
	rc = store__tokenizer_open(st);
	if (rc)
		goto fail;
	if (version < STORE_SCHEMA_VERSION) {
		rc = store_migrate(st);
		if (rc)
			goto fail;
	}
	rc = store__exec(st->db, "CREATE VIRTUAL TABLE temp.fts_instances"
		                        " USING fts5vocab(main, fts, instance)");
	if (rc)
		goto fail;
	*ret = st;
	return 0;

fail:
	store_free(st);
	if (created)
		store_unlink_all(path);
	return rc;
}

int store_upgraded_from(const store *st)
{
	return st ? st->upgraded_from : 0;
}

void store_close(store *st)
{
	if (!st)
		return;
	free(st->trusted);
	if (st->in_batch)
		store_rollback(st);
	for (size_t i = 0; i < STMT_N_; i++) {
		sqlite3_finalize(st->stmts[i]);
		st->stmts[i] = NULL;
	}
	/* Move every page into the main file and empty the WAL, so no earlier page image (with
	 * text deleted since) is left in it. */
	sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	store_free(st);
}
