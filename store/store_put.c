/* store/store_put.c: the catalogue in one SQLite file (see store.h for the contract).
 *
 * Layout (schema version 6, PRAGMA user_version), 16 KiB pages:
 *   entries       one row per live (territory, path): the signed bytes (raw) and the columns
 *                 decoded from them that list, search and reconciliation filter or sort on.
 *                 rid is the row's place in arrival order, taken from meta.next_rid.
 *   meta          one row (k = 0): next_rid, the rid the next put gets (SQLite's own rowid
 *                 choice, max(rid) + 1, would give a superseded row's rid to its successor,
 *                 and store_since readers would miss it); idsum and n, the sum of the ids
 *                 of entries (256-bit little-endian, mod 2^256) and their count, so that the
 *                 whole-set fingerprint (store_fingerprint) costs one row read; the
 *                 quarantine's settings (q_on, its bounds) and its count and bytes.
 *   peers         the configured peers (store_peer_add).
 *   trusted       the territories trusted explicitly (store_trust_add), local to this node.
 *   themes        (rid, theme) for the theme filter.
 *   authors       the entries and bytes each territory has stored (store_author_usage).
 *   quarantine    (ts, id, territory, len) of every entry of a territory the quarantine's view
 *                 does not trust; qview, the keys that view trusts (PROTOCOL.md §4.6).
 *   entries_text  a view: rid and the four full-text columns of every document, computed
 *                 from raw by maille_text(), a function every connection of the store
 *                 registers (store_open).
 *   fts           FTS5 over title, summary, description and keywords, rowid = entries.rid,
 *                 with entries_text as its external content: the text is stored once, in
 *                 raw, instead of a second time in an FTS5 content table (a third of the
 *                 file). snippet() reads it back through the view.
 * A row of entries has an explicit INTEGER PRIMARY KEY (rid) rather than the id as its primary
 * key, because themes and fts refer to it and VACUUM renumbers implicit rowids; the id stays
 * UNIQUE so it is still looked up by index.
 *
 * Invariants kept by every put (PROTOCOL.md §1.5) and re-verified by store_check():
 *   - at most one row per (territory, path), the greatest (timestamp, id) that arrived;
 *   - meta: idsum and n are the sum and the count of the ids of entries, next_rid is greater
 *     than every rid (a write transaction reads the row when it begins, its puts change it
 *     in memory, it is written back before COMMIT: see store_tx_begin);
 *   - a document is indexed exactly once, with the text maille_text() gives for its raw, and
 *     has its themes; a tombstone has neither;
 *   - the columns agree with raw;
 *   - authors counts each territory's rows; the quarantine holds exactly the entries of the
 *     territories qview does not trust (none while meta.q_on is 0), meta counts them, and the
 *     bounds in meta hold (PROTOCOL.md §4.6).
 * An external-content index must be told the text of a row it removes: a put that
 * supersedes a document computes that text from the old raw before deleting the row.
 * Deletion is real: secure_delete zeroes freed b-tree content (raw included, so the text is
 * gone from entries), and a transaction that removed indexed text ends with the FTS5
 * 'optimize' command, which rewrites the index into one segment without the deleted postings
 * (FTS5 otherwise keeps them, and the words as terms, until a merge reaches them).
 *
 * Writes: a batch is one transaction; a put in it that supersedes a version (or evicts one
 * from the quarantine) runs in a savepoint, so a failing put leaves the rest intact (see
 * store_put_tx). The full-text
 * changes of the puts are queued in memory and written when the transaction ends (or when
 * search or check need them), never inside a savepoint: see store_fts_flush for why.
 *
 * Search: see store_search_plan_make. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "proto/error.h"
#include "proto/member.h"
#include "proto/value.h"

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
#define STORE_SEARCH_LIMIT_DEFAULT 20u
/* store_items allocates at most this many items (40 bytes each) from meta's count before it
 * has read them; more rows grow the array as they are read. */
#define STORE_ITEMS_HINT_MAX (1u << 20)
#define STORE_SNIPPET_TOKENS "16"

/* Search (see store_search_plan_make): a last word of more tokens or bytes than these is
 * left to FTS5 (store_phrase). */
#define STORE_PHRASE_TOKENS_MAX 16
#define STORE_PHRASE_MAX 256
/* Rows a search tests its last word on before FTS5 takes over: ~9 µs each at most. */
#define STORE_SCAN_BUDGET 1000

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
	" path_key INTEGER NOT NULL,"      /* store_path_keys() */
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
	 * connection, see store_text_fn), so it is stored once, in raw, and not again in an FTS5
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
};
#define STORE_SCHEMA_VERSION ((int)(sizeof store_migrations / sizeof store_migrations[0]))

/* Statements of the hot paths, prepared once per handle on first use. */
enum store_stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_OPTIMIZE,
	STMT_LIVE_GET,
	STMT_RAW_GET,
	STMT_ENTRY_DEL,
	STMT_FTS_DEL,
	STMT_ENTRY_INS,
	STMT_THEME_INS,
	STMT_FTS_INS,
	STMT_GET_PATH,
	STMT_GET_RANGE,
	STMT_TERRITORY,
	STMT_SEARCH_COUNT,
	STMT_PREFIX_COUNT,
	STMT_META_SET,
	STMT_META_GET,
	STMT_HAS,
	STMT_RAW_BY_ID,
	STMT_ITEMS,
	STMT_DATA_VERSION,
	STMT_PEER_ADD,
	STMT_PEER_DEL,
	STMT_AUTHOR_ADD,
	STMT_AUTHOR_GET,
	STMT_CAP_ROWS,
	STMT_HELD_CLEAR,
	STMT_HELD_SET,
	STMT_QVIEW_HAS,
	STMT_Q_TOP,
	STMT_Q_TOP_T,
	STMT_Q_INS,
	STMT_Q_DEL,
	STMT_N_
};

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
	 * entries when the queued deletion runs (see store_fts_flush). */
	[STMT_FTS_DEL] = "INSERT INTO fts(fts, rowid, title, summary, description, keywords)"
	                 " VALUES('delete', ?1, ?2, ?3, ?4, ?5)",
	/* ?18: the rid, meta's next_rid (st->meta). */
	[STMT_ENTRY_INS] = "INSERT INTO entries(rid, id, territory, path, ts, kind, signer, capref,"
	                   " raw, type, status, licence, sw_licence, title, summary, fed, path_key,"
	                   " territory_key, unindexed, held)"
	                   " VALUES(?18, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	                   " ?15, ?16, ?17, ?19, ?20)",
	[STMT_THEME_INS] = "INSERT OR IGNORE INTO themes(rid, theme) VALUES(?1, ?2)",
	[STMT_FTS_INS] = "INSERT INTO fts(rowid, title, summary, description, keywords)"
	                 " VALUES(?1, ?2, ?3, ?4, ?5)",
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
};

/* The full-text columns, in table order. */
enum { TEXT_TITLE, TEXT_SUMMARY, TEXT_DESCRIPTION, TEXT_KEYWORDS, TEXT_N_ };

typedef struct store_text {
	char *p;
	size_t len, cap;
} store_text;

/* A full-text change waiting for the end of the put or batch (see store_fts_flush). */
typedef struct store_fts_op {
	sqlite3_int64 rid;
	bool insert;             /* otherwise the deletion of what rid was indexed with */
	size_t off;              /* the four texts at fts_buf + off, each NUL-terminated */
	size_t len[TEXT_N_];
} store_fts_op;

/* Pending full-text text past this size is written to the index before the next put, so a
 * huge batch does not hold all its text in memory. */
#define STORE_FTS_PENDING_MAX (4u * 1024u * 1024u)

/* Bytes of meta.idsum: a 256-bit little-endian integer, as rbsr hashes it. */
#define STORE_SUM_LEN RBSR_ID_LEN

/* The bounds of the quarantine (PROTOCOL.md §4.6) in meta's order, 0 = none. */
enum { QB_ENTRIES, QB_BYTES, QB_TOTAL_ENTRIES, QB_TOTAL_BYTES, QB_N_ };

/* The meta row. */
typedef struct store_meta {
	uint8_t sum[STORE_SUM_LEN];
	uint64_t n;
	uint64_t next_rid;
	/* the quarantine: the count and bytes of its entries, whether one is set
	 * (store_set_trusted on a handle with a quota), its bounds */
	uint64_t qn, qbytes;
	bool q_on;
	uint64_t qb[QB_N_];
} store_meta;

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmts[STMT_N_];
	bool in_batch;
	bool batch_deleted_text; /* the open batch removed fts rows: optimise at commit */
	int batch_err;           /* the batch failed past repair: commit returns this */
	/* The meta row during a write transaction: read by store_tx_begin, changed by each put,
	 * written back by store_finish before COMMIT (store_meta_flush), so that a batch of 1000
	 * puts updates the row once. Valid only inside the transaction that read it: another
	 * process may write between two. */
	store_meta meta;
	bool meta_dirty;
	store_text text[TEXT_N_]; /* reused by every put, so indexing does not malloc per entry */
	store_text old_text[TEXT_N_]; /* the text of the version a put supersedes */
	/* maille_text(): the texts of the last raw it was called on (FTS5 asks for the four
	 * columns of a row one after the other). */
	store_text fn_text[TEXT_N_];
	uint8_t *fn_raw;
	size_t fn_raw_len, fn_raw_cap;
	bool fn_valid, fn_is_doc;
	store_fts_op *ops;
	size_t n_ops, cap_ops;
	char *fts_buf;
	size_t fts_len, fts_cap;
	bool index_later; /* store_set_index_later */
	/* store_set_quota: this handle sets the file's quarantine (its view is trusted, its
	 * bounds quota, both written by store_q_apply); view_set once store_set_trusted ran */
	bool quota_set, view_set;
	uint64_t quota[QB_N_];
	uint8_t (*trusted)[PROTO_KEY_LEN]; /* store_set_trusted: sorted, distinct */
	size_t n_trusted;
	/* The entries a put or store_q_apply evicts, chosen before anything is written. */
	struct store_qrow *ev;
	size_t n_ev, cap_ev;
	/* The ids evicted in committed transactions, for store_evicted_take (at most
	 * STORE_EVICTED_MAX); n_evicted_done: those of committed transactions, the rest belong to
	 * the open batch. */
	uint8_t (*evicted)[PROTO_ID_LEN];
	size_t n_evicted, n_evicted_done, cap_evicted;
	/* The index's own tokenizer, used to drop query words that hold no token (see
	 * store_query_build). */
	fts5_tokenizer tok_api;
	Fts5Tokenizer *tok;
};

static void store_text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);
static void store_has_prefix_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);
static void store_trusted_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);
static void store_idsum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv);
static void store_idsum_final(sqlite3_context *ctx);

/* The columns derived from a document's body. Strings borrow the decoded body. */
typedef struct store_doc {
	const char *type, *status, *licence, *sw_licence, *title, *summary;
	const proto_value *themes; /* string or array of strings, or NULL */
	bool fed;
} store_doc;

/* ------------------------------------------------------------------------------------------ */
/* Errors and statements */

/* The one translation of SQLite result codes into maille codes. */
static int store_err(int rc)
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

static int store_stmt(store *st, enum store_stmt_id k, sqlite3_stmt **ret)
{
	if (!st->stmts[k]) {
		int rc = sqlite3_prepare_v3(st->db, store_stmt_sql[k], -1, SQLITE_PREPARE_PERSISTENT,
		                            &st->stmts[k], NULL);
		if (rc != SQLITE_OK)
			return store_err(rc);
	}
	*ret = st->stmts[k];
	return 0;
}

/* Runs a cached statement that returns no row. */
static int store_stmt_run(store *st, enum store_stmt_id k)
{
	sqlite3_stmt *s = NULL;
	int rc = store_stmt(st, k, &s);
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

static int store_exec(sqlite3 *db, const char *sql)
{
	return store_err(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

/* The first column of the first row of a one-value query such as a PRAGMA. */
static int store_query_int(sqlite3 *db, const char *sql, int64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store_err(rc);
	}
	sqlite3_finalize(s);
	return rc;
}

/* The keys under which the (territory, path) index finds an entry: the first 64 bits of
 * BLAKE2b(path) (a hash that nobody can make collide at will, so that no publisher can pile
 * thousands of paths on one key) and the first 64 bits of the territory key, both read as
 * big-endian signed integers. */
static void store_path_keys(const uint8_t territory[PROTO_KEY_LEN], const char *path,
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
static void store_bind_path(sqlite3_stmt *s, const uint8_t territory[PROTO_KEY_LEN],
                            const char *path, size_t path_len)
{
	sqlite3_int64 pk, tk;
	store_path_keys(territory, path, path_len, &pk, &tk);
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, (int)path_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, pk);
	sqlite3_bind_int64(s, 4, tk);
}

static int store_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (!text)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
}

/* ------------------------------------------------------------------------------------------ */
/* The sum of the ids (meta.idsum) */

/* sum += id, mod 2^256, both little-endian. */
static void store_sum_add(uint8_t sum[STORE_SUM_LEN], const uint8_t id[STORE_SUM_LEN])
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
static void store_idsum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t *sum = sqlite3_aggregate_context(ctx, STORE_SUM_LEN); /* zeroed on first use */

	(void)argc;
	if (!sum) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_BLOB &&
	    sqlite3_value_bytes(argv[0]) == STORE_SUM_LEN)
		store_sum_add(sum, sqlite3_value_blob(argv[0]));
}

static void store_idsum_final(sqlite3_context *ctx)
{
	static const uint8_t zero[STORE_SUM_LEN];
	const uint8_t *sum = sqlite3_aggregate_context(ctx, 0); /* NULL when no row was summed */
	sqlite3_result_blob(ctx, sum ? sum : zero, STORE_SUM_LEN, SQLITE_TRANSIENT);
}

/* The meta row as the file has it, in the caller's transaction or as a statement of its
 * own. MAILLE_ECORRUPT if there is none or it is malformed. */
static int store_meta_read(store *st, store_meta *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = store_stmt(st, STMT_META_GET, &s);
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
		rc = store_err(rc);
		if (!rc)
			rc = MAILLE_EIO; /* a step gives no SQLITE_OK: never 0 without the row */
	}
	sqlite3_reset(s);
	return rc;
}

/* Writes st->meta back into the file, if a put changed it since it was read. */
static int store_meta_flush(store *st)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st->meta_dirty)
		return 0;
	rc = store_stmt(st, STMT_META_SET, &s);
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
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) == 1 ? 0 : MAILLE_ECORRUPT; /* the row went away */
	else
		rc = store_err(rc);
	sqlite3_reset(s);
	if (!rc)
		st->meta_dirty = false;
	return rc;
}

/* The meta row as this handle sees it: inside a batch, with the batch's puts. */
static int store_meta_get(store *st, store_meta *ret)
{
	if (st->in_batch && !st->batch_err && !sqlite3_get_autocommit(st->db)) {
		*ret = st->meta;
		return 0;
	}
	return store_meta_read(st, ret);
}

/* BEGIN IMMEDIATE, then the meta row into st->meta: the write lock is held from here to
 * COMMIT, so no other process can change the row meanwhile. */
static int store_tx_begin(store *st)
{
	int rc = store_stmt_run(st, STMT_BEGIN);
	if (rc)
		return rc;
	rc = store_meta_read(st, &st->meta);
	if (rc) {
		store_stmt_run(st, STMT_ROLLBACK);
		return rc;
	}
	st->meta_dirty = false;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Open, migrate, close */

static int store_migrate(store *st)
{
	int64_t version;
	int rc = store_exec(st->db, "BEGIN IMMEDIATE");
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
	for (int64_t v = version; v < STORE_SCHEMA_VERSION; v++) {
		rc = store_exec(st->db, store_migrations[v]);
		if (rc)
			goto fail;
	}
	if (version < STORE_SCHEMA_VERSION) {
		char sql[96];
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		         STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
		rc = store_exec(st->db, sql);
		if (rc)
			goto fail;
	}
	rc = store_exec(st->db, "COMMIT");
	if (rc)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The unicode61 tokenizer with the index's options, through the FTS5 extension API. */
static int store_tokenizer_open(store *st)
{
	static const char *const args[] = {"remove_diacritics", "2"};
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	void *user = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (!api)
		return MAILLE_EIO;
	rc = api->xFindTokenizer(api, "unicode61", &user, &st->tok_api);
	if (rc != SQLITE_OK)
		return store_err(rc);
	rc = st->tok_api.xCreate(user, (const char **)args, 2, &st->tok);
	if (rc != SQLITE_OK) {
		st->tok = NULL;
		return store_err(rc);
	}
	return 0;
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

int store_open(const char *path, int flags, store **ret)
{
	bool created = false;
	int64_t app_id, version;
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
		rc = store_err(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	/* Refuse SQL that could corrupt the file (writable_schema, writes to shadow tables). */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	/* The content of the full-text index (view entries_text). */
	rc = sqlite3_create_function_v2(st->db, "maille_text", 2,
	                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, st,
	                                store_text_fn, NULL, NULL, NULL);
	/* store_search's prefix test, in its own statements only. */
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "maille_has_prefix", 4,
		                                SQLITE_UTF8 | SQLITE_DIRECTONLY,
		                                st, store_has_prefix_fn, NULL, NULL, NULL);
	/* store_filter.trusted_only: whether a territory is in the set of store_set_trusted. */
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "maille_trusted", 1,
		                                SQLITE_UTF8 | SQLITE_DIRECTONLY, st, store_trusted_fn,
		                                NULL, NULL, NULL);
	/* meta.idsum of a version-1 file, summed by migration 2. Our statements only. */
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "maille_idsum", 1,
		                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
		                                NULL, NULL, store_idsum_step, store_idsum_final, NULL);
	if (rc != SQLITE_OK) {
		rc = store_err(rc);
		goto fail;
	}

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
		rc = store_exec(st->db, b);
		if (rc)
			goto fail;
	}
	{
		sqlite3_stmt *s = NULL;
		rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
		if (rc != SQLITE_OK) {
			rc = store_err(rc);
			goto fail;
		}
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(s, 0);
			rc = mode && strcmp(mode, "wal") == 0 ? 0 : MAILLE_EIO;
		} else {
			rc = store_err(rc == SQLITE_DONE ? SQLITE_IOERR : rc);
		}
		sqlite3_finalize(s);
		if (rc)
			goto fail;
	}
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
		rc = store_exec(st->db, sql);
	}
	if (rc)
		goto fail;
	if (version < STORE_SCHEMA_VERSION) {
		rc = store_migrate(st);
		if (rc)
			goto fail;
	}
	rc = store_tokenizer_open(st);
	if (!rc)
		rc = store_exec(st->db, "CREATE VIRTUAL TABLE temp.fts_instances"
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

/* ------------------------------------------------------------------------------------------ */
/* Transactions */

int store_begin(store *st)
{
	if (st->in_batch)
		return MAILLE_ESTATE;
	int rc = store_tx_begin(st);
	if (rc)
		return rc;
	st->in_batch = true;
	st->batch_deleted_text = false;
	st->batch_err = 0;
	st->n_ops = 0;
	st->fts_len = 0;
	return 0;
}

/* Full-text changes are queued by each put and replayed here, outside any savepoint: FTS5
 * writes its pending in-memory index to disk at every SAVEPOINT, so indexing inside the
 * per-put savepoint would write one tiny segment per entry and merge them forever (a bulk
 * load ran several times slower). The ops replay in order, so a row inserted and superseded
 * in the same batch is inserted then deleted, which is correct if wasteful. A deletion carries
 * the text the row was indexed with (an external-content index cannot read it back: the
 * entry's row is already gone). *ret_deleted is set when a deletion was replayed. */
static int store_fts_flush(store *st, bool *ret_deleted)
{
	sqlite3_stmt *ins = NULL, *del = NULL;
	int rc = store_stmt(st, STMT_FTS_INS, &ins);
	if (!rc)
		rc = store_stmt(st, STMT_FTS_DEL, &del);
	if (rc)
		return rc;
	for (size_t i = 0; i < st->n_ops; i++) {
		const store_fts_op *op = &st->ops[i];
		sqlite3_stmt *s = op->insert ? ins : del;
		size_t off = op->off;
		sqlite3_bind_int64(s, 1, op->rid);
		for (int k = 0; k < TEXT_N_; k++) {
			sqlite3_bind_text(s, 2 + k, st->fts_buf + off, (int)op->len[k], SQLITE_STATIC);
			off += op->len[k] + 1;
		}
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store_err(rc);
		if (!op->insert)
			*ret_deleted = true;
	}
	st->n_ops = 0;
	st->fts_len = 0;
	return 0;
}

static void store_fts_discard(store *st)
{
	st->n_ops = 0;
	st->fts_len = 0;
}

/* Writes the pending full-text changes, optimises the index if text was deleted, then
 * commits; rolls back on any failure so the file never keeps a committed deletion whose text
 * is still in the index pages. */
static int store_finish(store *st, bool deleted_text)
{
	int rc = store_meta_flush(st);
	if (!rc)
		rc = store_fts_flush(st, &deleted_text);
	if (!rc && deleted_text)
		rc = store_stmt_run(st, STMT_OPTIMIZE);
	if (!rc)
		rc = store_stmt_run(st, STMT_COMMIT);
	if (rc && !sqlite3_get_autocommit(st->db))
		store_stmt_run(st, STMT_ROLLBACK);
	store_fts_discard(st);
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
			store_stmt_run(st, STMT_ROLLBACK);
		store_fts_discard(st);
		st->n_evicted = st->n_evicted_done;
		return st->batch_err ? st->batch_err : MAILLE_EIO;
	}
	int rc = store_finish(st, st->batch_deleted_text);
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
		store_stmt_run(st, STMT_ROLLBACK);
	store_fts_discard(st);
	st->n_evicted = st->n_evicted_done;
}

/* Inside a batch, makes the full-text index reflect every put so far (for search and check).
 * A failure breaks the batch: its rows and the index could disagree. */
static int store_fts_sync(store *st)
{
	bool deleted = false;
	int rc;
	if (!st->in_batch || st->n_ops == 0 || st->batch_err)
		return 0; /* nothing queued (a broken batch has discarded its queue) */
	rc = store_fts_flush(st, &deleted);
	if (deleted)
		st->batch_deleted_text = true;
	if (rc) {
		st->batch_err = rc;
		if (!sqlite3_get_autocommit(st->db))
			store_stmt_run(st, STMT_ROLLBACK);
		store_fts_discard(st);
		st->n_evicted = st->n_evicted_done;
	}
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Decoded columns and full-text */

static int store_text_add(store_text *t, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	size_t need = t->len + 1 + n + 1;
	if (need > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < need)
			cap *= 2;
		char *p = realloc(t->p, cap);
		if (!p)
			return MAILLE_ENOMEM;
		t->p = p;
		t->cap = cap;
	}
	if (t->len)
		t->p[t->len++] = ' ';
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
	return 0;
}

/* Every string of v (a plain string, every language of a language map, every item of a list),
 * space-separated. Depth is bounded by the decoder (PROTO_VALUE_DEPTH_MAX). */
static int store_text_value(store_text *t, const proto_value *v)
{
	int rc = 0;
	if (!v)
		return 0;
	switch (v->type) {
	case PROTO_V_STR:
		return store_text_add(t, v->u.str.ptr, v->u.str.len);
	case PROTO_V_ARRAY:
		for (size_t i = 0; i < v->u.arr.n && !rc; i++)
			rc = store_text_value(t, &v->u.arr.items[i]);
		return rc;
	case PROTO_V_MAP:
		for (size_t i = 0; i < v->u.map.n && !rc; i++)
			rc = store_text_value(t, &v->u.map.items[i].val);
		return rc;
	default:
		return 0;
	}
}

static const char *store_map_str(const proto_value *map, const char *key)
{
	const proto_value *v = proto_map_get(map, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

static bool store_type_federation(const char *type)
{
	static const char *const fed[] = {"territory", "member", "vouch", "node"};
	if (!type)
		return false;
	for (size_t i = 0; i < sizeof fed / sizeof fed[0]; i++)
		if (strcmp(type, fed[i]) == 0)
			return true;
	return false;
}

/* Fills doc from a document's body (a map) and text with its full-text columns. maille_text()
 * computes the text of the index with this same function, so what a put indexes and what a
 * deletion or a snippet later reads back are the same strings. */
static int store_doc_extract(store_text text[TEXT_N_], const proto_value *body, store_doc *doc)
{
	const proto_value *title, *summary;
	int rc = 0;

	memset(doc, 0, sizeof *doc);
	doc->type = store_map_str(body, "type");
	doc->status = store_map_str(body, "status");
	doc->licence = store_map_str(body, "content_licence");
	doc->sw_licence = store_map_str(body, "licence");
	doc->fed = store_type_federation(doc->type);
	title = proto_map_get(body, "title");
	/* A territory record has a name, not a title: show and index it as one. */
	if (!title && doc->type && strcmp(doc->type, "territory") == 0)
		title = proto_map_get(body, "name");
	summary = proto_map_get(body, "summary");
	doc->title = title ? proto_langmap_pick(title, "fr") : NULL;
	doc->summary = summary ? proto_langmap_pick(summary, "fr") : NULL;
	doc->themes = proto_map_get(body, "themes");

	for (size_t i = 0; i < TEXT_N_; i++) {
		text[i].len = 0;
		if (text[i].p)
			text[i].p[0] = '\0';
	}
	rc = store_text_value(&text[TEXT_TITLE], title);
	if (!rc)
		rc = store_text_value(&text[TEXT_SUMMARY], summary);
	if (!rc)
		rc = store_text_value(&text[TEXT_DESCRIPTION], proto_map_get(body, "description"));
	if (!rc)
		rc = store_text_value(&text[TEXT_KEYWORDS], proto_map_get(body, "keywords"));
	return rc;
}

/* The full-text columns of the stored entry raw[0..len), into text. *ret_doc is false (and
 * text empty) for a tombstone. MAILLE_ECORRUPT if raw is not a canonical entry with a map
 * body (it was checked when stored). */
static int store_text_of_raw(store_text text[TEXT_N_], const uint8_t *raw, size_t len,
                             bool *ret_doc)
{
	proto_entry e;
	proto_arena arena;
	proto_value *body = NULL;
	store_doc doc;
	int rc;

	for (size_t i = 0; i < TEXT_N_; i++)
		text[i].len = 0;
	*ret_doc = false;
	if (proto_entry_decode(raw, len, &e) != 0)
		return MAILLE_ECORRUPT;
	if (e.kind != PROTO_KIND_DOCUMENT)
		return 0;
	proto_arena_init(&arena, 0);
	rc = proto_value_decode(e.body, e.body_len, &arena, &body);
	if (rc || body->type != PROTO_V_MAP)
		rc = MAILLE_ECORRUPT;
	else
		rc = store_doc_extract(text, body, &doc);
	proto_arena_done(&arena);
	if (!rc)
		*ret_doc = true;
	return rc;
}

/* Loads st->fn_text with the texts of the entry raw (a SQL value), unless they are already
 * those of raw: FTS5 asks for the four columns of a row one after the other, and snippet()
 * asks again for the rows maille_has_prefix just read. st->fn_is_doc is false for a
 * tombstone, for NULL and for bytes that do not decode (which store_check reports). */
static int store_text_fn_load_raw(store *st, const uint8_t *raw, size_t len)
{
	int rc;

	if (!raw || len == 0) {
		st->fn_valid = false;
		st->fn_is_doc = false;
		return 0;
	}
	if (st->fn_valid && st->fn_raw_len == len && memcmp(st->fn_raw, raw, len) == 0)
		return 0;
	st->fn_valid = false;
	if (len > st->fn_raw_cap) {
		uint8_t *p = realloc(st->fn_raw, len);
		if (!p)
			return MAILLE_ENOMEM;
		st->fn_raw = p;
		st->fn_raw_cap = len;
	}
	rc = store_text_of_raw(st->fn_text, raw, len, &st->fn_is_doc);
	if (rc == MAILLE_ENOMEM)
		return rc;
	if (rc)
		st->fn_is_doc = false;
	memcpy(st->fn_raw, raw, len);
	st->fn_raw_len = len;
	st->fn_valid = true;
	return 0;
}

static int store_text_fn_load(store *st, sqlite3_value *v)
{
	return store_text_fn_load_raw(st, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v));
}

/* maille_text(raw, column): the text FTS5 indexed for column ('title', 'summary',
 * 'description' or 'keywords') of the entry raw, the content of the view entries_text. NULL
 * for a tombstone or for bytes that do not decode. Deterministic and innocuous: it reads
 * nothing but its arguments. */
static void store_text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	static const char *const names[TEXT_N_] = {"title", "summary", "description", "keywords"};
	store *st = sqlite3_user_data(ctx);
	const char *col;
	int k;

	(void)argc;
	col = (const char *)sqlite3_value_text(argv[1]);
	for (k = 0; k < TEXT_N_; k++)
		if (col && strcmp(col, names[k]) == 0)
			break;
	if (k == TEXT_N_) {
		sqlite3_result_error(ctx, "maille_text: unknown column", -1);
		return;
	}
	if (store_text_fn_load(st, argv[0]) != 0) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (!st->fn_is_doc)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, st->fn_text[k].len ? st->fn_text[k].p : "",
		                    (int)st->fn_text[k].len, SQLITE_TRANSIENT);
}

/* Theme i of doc->themes (a single string counts as a list of one), or NULL past the end. */
static const char *store_doc_theme(const store_doc *doc, size_t i)
{
	const proto_value *t = doc->themes;
	if (!t)
		return NULL;
	if (t->type == PROTO_V_STR)
		return i == 0 ? t->u.str.ptr : NULL;
	if (t->type != PROTO_V_ARRAY)
		return NULL;
	for (size_t k = 0; k < t->u.arr.n; k++) {
		if (t->u.arr.items[k].type != PROTO_V_STR)
			continue;
		if (i-- == 0)
			return t->u.arr.items[k].u.str.ptr;
	}
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Put */

/* Queues the insertion of text as the fts row of rid, or the deletion of rid's row, which
 * was indexed with text. */
static int store_fts_queue(store *st, sqlite3_int64 rid, bool insert, const store_text *text)
{
	store_fts_op *op;
	if (st->n_ops == st->cap_ops) {
		size_t cap = st->cap_ops ? st->cap_ops * 2 : 256;
		store_fts_op *ops = realloc(st->ops, cap * sizeof *ops);
		if (!ops)
			return MAILLE_ENOMEM;
		st->ops = ops;
		st->cap_ops = cap;
	}
	op = &st->ops[st->n_ops];
	op->rid = rid;
	op->insert = insert;
	op->off = st->fts_len;
	{
		size_t need = st->fts_len;
		for (int k = 0; k < TEXT_N_; k++)
			need += text[k].len + 1;
		if (need > st->fts_cap) {
			size_t cap = st->fts_cap ? st->fts_cap : 65536;
			while (cap < need)
				cap *= 2;
			char *p = realloc(st->fts_buf, cap);
			if (!p)
				return MAILLE_ENOMEM;
			st->fts_buf = p;
			st->fts_cap = cap;
		}
		for (int k = 0; k < TEXT_N_; k++) {
			op->len[k] = text[k].len;
			if (op->len[k])
				memcpy(st->fts_buf + st->fts_len, text[k].p, op->len[k]);
			st->fts_buf[st->fts_len + op->len[k]] = '\0';
			st->fts_len += op->len[k] + 1;
		}
	}
	st->n_ops++;
	return 0;
}

/* What a put has to do, decided before it writes anything. */
typedef struct store_put_plan {
	int result;            /* enum store_put_result */
	sqlite3_int64 old_rid; /* STORE_PUT_LIVE: the version it supersedes, or -1 */
	bool old_text;         /* that version is a document: its text leaves the index */
	uint8_t old_id[PROTO_ID_LEN]; /* its id, which leaves meta.idsum */
	int64_t old_len;       /* its size, which leaves the territory's bytes */
	uint64_t old_ts;       /* its timestamp: with old_id, its key in the quarantine */
	bool old_q;            /* it is in the quarantine (its territory's entries all are) */
	bool held;             /* a member's entry whose capability is not here yet */
	bool q;                /* the newcomer goes into the quarantine (st->ev: what it evicts) */
} store_put_plan;

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
static int store_member_check(store *st, const proto_entry *e, bool *ret_held)
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
	int rc = store_stmt(st, STMT_LIVE_GET, &s);
	if (rc)
		return rc;
	store_bind_path(s, e->territory, want, strlen(want));
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		*ret_held = true;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_err(rc);
	}
	sqlite3_int64 cap_rid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	rc = store_stmt(st, STMT_RAW_GET, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, cap_rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const uint8_t *raw = sqlite3_column_blob(s, 0);
		int len = sqlite3_column_bytes(s, 0);
		rc = store_cap_covers(raw, raw && len > 0 ? (size_t)len : 0, e);
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store_err(rc);
	}
	sqlite3_reset(s);
	return rc;
}

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

/* A quarantined entry, as the walk reads it. */
typedef struct store_qrow {
	sqlite3_int64 rid;
	uint64_t ts;
	uint8_t id[PROTO_ID_LEN];
	uint8_t territory[PROTO_KEY_LEN];
	int64_t len;
	bool indexed; /* a document in the full-text index: its text leaves the index */
	bool cap;     /* a capability: its member's entries are held again (store_cap_gone) */
	char path[sizeof PROTO_MEMBERS_PREFIX + 2 * PROTO_KEY_LEN]; /* a capability's path */
} store_qrow;

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
static int store_qview_has(store *st, const uint8_t territory[PROTO_KEY_LEN], bool *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = store_stmt(st, STMT_QVIEW_HAS, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_err(rc);
	*ret = rc == SQLITE_ROW;
	return 0;
}

/* Appends r to st->ev. */
static int store_ev_push(store *st, const store_qrow *r)
{
	if (st->n_ev == st->cap_ev) {
		size_t cap = st->cap_ev ? 2 * st->cap_ev : 16;
		store_qrow *v = realloc(st->ev, cap * sizeof *v);
		if (!v)
			return MAILLE_ENOMEM;
		st->ev = v;
		st->cap_ev = cap;
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
	rc = store_stmt(st, territory ? STMT_Q_TOP_T : STMT_Q_TOP, &s);
	if (rc)
		return rc;
	if (territory)
		sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	while (store_q_over(max_n, max_b, *n, *bytes)) {
		int step = sqlite3_step(s);
		if (step != SQLITE_ROW) {
			/* past the lowest entry: the newcomer is all that is left (without one, the
			 * counts say more than the rows hold) */
			rc = step != SQLITE_DONE ? store_err(step)
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
static int store_q_plan(store *st, const proto_entry *e, const uint8_t id[PROTO_ID_LEN],
                        size_t len, store_put_plan *plan)
{
	const uint64_t *qb = st->meta.qb;
	bool trusted = false;
	int rc;

	st->n_ev = 0;
	plan->q = false;
	if (!st->meta.q_on)
		return 0;
	rc = store_qview_has(st, e->territory, &trusted);
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
	int rc = store_stmt(st, STMT_LIVE_GET, &s);
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
	store_bind_path(s, e->territory, e->path, e->path_len);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store_err(rc);
		rc = store_member_check(st, e, &plan->held);
		return rc ? rc : store_q_plan(st, e, id, len, plan);
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
	rc = store_member_check(st, e, &plan->held);
	if (!rc)
		rc = store_q_plan(st, e, id, len, plan);
	if (!rc && plan->old_text) {
		bool is_doc = false;
		rc = store_stmt(st, STMT_RAW_GET, &s);
		if (rc)
			return rc;
		sqlite3_bind_int64(s, 1, plan->old_rid);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const uint8_t *old_raw = sqlite3_column_blob(s, 0);
			int old_len = sqlite3_column_bytes(s, 0);
			rc = old_raw && old_len > 0
			         ? store_text_of_raw(st->old_text, old_raw, (size_t)old_len, &is_doc)
			         : MAILLE_ECORRUPT;
			if (!rc && !is_doc)
				rc = MAILLE_ECORRUPT; /* the kind column said document */
		} else {
			rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store_err(rc);
		}
		sqlite3_reset(s);
	}
	return rc;
}

/* Adds dn entries and dbytes bytes to what territory has stored (authors, migration 5). */
static int store_author_add(store *st, const uint8_t territory[PROTO_KEY_LEN], int64_t dn,
                            int64_t dbytes)
{
	sqlite3_stmt *s = NULL;
	int rc = store_stmt(st, STMT_AUTHOR_ADD, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, territory, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, dn);
	sqlite3_bind_int64(s, 3, dbytes);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_err(rc);
}

/* Deletes the quarantine's row of the entry (ts, id): MAILLE_ECORRUPT if there is none. */
static int store_q_row_del(store *st, uint64_t ts, const uint8_t id[PROTO_ID_LEN])
{
	sqlite3_stmt *s = NULL;
	int rc = store_stmt(st, STMT_Q_DEL, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)ts);
	sqlite3_bind_blob(s, 2, id, PROTO_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) == 1 ? 0 : MAILLE_ECORRUPT;
	else
		rc = store_err(rc);
	sqlite3_reset(s);
	return rc;
}

/* Deletes the entry rid (ts, id, of territory, len bytes, q: in the quarantine) from the live
 * set, like a superseded version: its themes by cascade, its text from the full-text index
 * when it is indexed (queued, see store_fts_flush), its id from meta's sum and count, its size
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
		bool doc = false;
		rc = store_stmt(st, STMT_RAW_GET, &s);
		if (rc)
			return rc;
		sqlite3_bind_int64(s, 1, rid);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const uint8_t *raw = sqlite3_column_blob(s, 0);
			int raw_len = sqlite3_column_bytes(s, 0);
			rc = raw && raw_len > 0
			         ? store_text_of_raw(st->old_text, raw, (size_t)raw_len, &doc)
			         : MAILLE_ECORRUPT;
		} else {
			rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store_err(rc);
		}
		sqlite3_reset(s);
		if (!rc && !doc)
			rc = MAILLE_ECORRUPT;
		if (!rc)
			rc = store_fts_queue(st, rid, false, st->old_text);
		if (rc)
			return rc;
	}
	rc = store_stmt(st, STMT_ENTRY_DEL, &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) == 1 ? 0 : MAILLE_ECORRUPT;
	else
		rc = store_err(rc);
	sqlite3_reset(s);
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
	int rc = store_stmt(st, STMT_CAP_ROWS, &s);
	if (rc)
		return rc;
	store_path_keys(territory, path, strlen(path), &pk, &tk);
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
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store_err(rc) : rc;
	for (size_t i = 0; !rc && i < n; i++) {
		if (indexed[i]) {
			bool doc = false;
			rc = store_stmt(st, STMT_RAW_GET, &s);
			if (rc)
				break;
			sqlite3_bind_int64(s, 1, rids[i]);
			rc = sqlite3_step(s);
			if (rc == SQLITE_ROW) {
				const uint8_t *raw = sqlite3_column_blob(s, 0);
				int len = sqlite3_column_bytes(s, 0);
				rc = raw && len > 0
				         ? store_text_of_raw(st->old_text, raw, (size_t)len, &doc)
				         : MAILLE_ECORRUPT;
			} else {
				rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store_err(rc);
			}
			sqlite3_reset(s);
			if (!rc && !doc)
				rc = MAILLE_ECORRUPT;
			if (!rc)
				rc = store_fts_queue(st, rids[i], false, st->old_text);
			if (rc)
				break;
		}
		rc = store_stmt(st, STMT_HELD_SET, &s);
		if (rc)
			break;
		sqlite3_bind_int64(s, 1, rids[i]);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_err(sqlite3_errcode(st->db));
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
		size_t cap = st->cap_evicted ? 2 * st->cap_evicted : 64;
		uint8_t(*v)[PROTO_ID_LEN] = realloc(st->evicted, cap * PROTO_ID_LEN);
		if (!v)
			return; /* forgotten: asked for again, and refused again */
		st->evicted = v;
		st->cap_evicted = cap;
	}
	memcpy(st->evicted[st->n_evicted++], id, PROTO_ID_LEN);
}

/* Evicts what store_q_pick chose (st->ev), then holds again the entries of the capabilities
 * among them. In the caller's transaction or savepoint. */
static int store_q_evict(store *st)
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
 * savepoint, and queues the full-text changes (store_fts_flush). doc is NULL for a tombstone.
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
		rc = store_stmt(st, STMT_ENTRY_DEL, &s);
		if (rc)
			return rc;
		sqlite3_bind_int64(s, 1, plan->old_rid);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store_err(rc);
	}

	/* One row, so one statement that either writes it whole or not at all (constraints are
	 * checked before anything is written). */
	rc = store_stmt(st, STMT_ENTRY_INS, &s);
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
	store_bind_text(s, 9, doc ? doc->type : NULL);
	store_bind_text(s, 10, doc ? doc->status : NULL);
	store_bind_text(s, 11, doc ? doc->licence : NULL);
	store_bind_text(s, 12, doc ? doc->sw_licence : NULL);
	store_bind_text(s, 13, doc ? doc->title : NULL);
	store_bind_text(s, 14, doc ? doc->summary : NULL);
	sqlite3_bind_int(s, 15, doc && doc->fed);
	{
		sqlite3_int64 pk, tk;
		store_path_keys(e->territory, e->path, e->path_len, &pk, &tk);
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
		return store_err(rc);
	*ret_rid = rid;

	if (doc) {
		const char *theme;
		rc = store_stmt(st, STMT_THEME_INS, &s);
		if (rc)
			return rc;
		for (size_t i = 0; (theme = store_doc_theme(doc, i)) != NULL; i++) {
			sqlite3_bind_int64(s, 1, rid);
			sqlite3_bind_text(s, 2, theme, -1, SQLITE_STATIC);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			if (rc != SQLITE_DONE)
				return store_err(rc);
		}
	}
	if (plan->old_q) {
		rc = store_q_row_del(st, plan->old_ts, plan->old_id);
		if (rc)
			return rc;
	}
	if (plan->q) {
		rc = store_stmt(st, STMT_Q_INS, &s);
		if (rc)
			return rc;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)e->timestamp);
		sqlite3_bind_blob(s, 2, id, PROTO_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, e->territory, PROTO_KEY_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)len);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store_err(rc);
	}

	/* Every statement succeeded: queue the full-text changes (a caller whose put fails
	 * after this drops what it queued). */
	if (plan->old_text) {
		rc = store_fts_queue(st, plan->old_rid, false, st->old_text);
		if (rc)
			return rc;
	}
	if (doc && !st->index_later && !plan->held) {
		rc = store_fts_queue(st, rid, true, st->text);
		if (rc)
			return rc;
	}
	rc = store_author_add(st, e->territory, plan->old_rid < 0 ? 1 : 0,
	                      (int64_t)len - plan->old_len);
	if (rc)
		return rc;

	/* Then the rid moves past this row, the sum gains its id and loses the old one's, and
	 * the quarantine's totals follow (store_q_plan checked they can). */
	st->meta.next_rid = (uint64_t)rid + 1;
	store_sum_add(st->meta.sum, id);
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
	return store_q_evict(st);
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
	int rc = st->meta.q_on ? store_qview_has(st, cap->territory, &trusted) : 0;
	const bool q = !trusted;
	if (!rc)
		rc = store_stmt(st, STMT_CAP_ROWS, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, cap->path, (int)cap->path_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, cap->territory, PROTO_KEY_LEN, SQLITE_STATIC);
	{
		sqlite3_int64 pk, tk;
		store_path_keys(cap->territory, cap->path, cap->path_len, &pk, &tk);
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
			size_t nc = cap_rows ? 2 * cap_rows : 16;
			store_cap_row *nr = realloc(rows, nc * sizeof *nr);
			if (!nr) {
				rc = MAILLE_ENOMEM;
				break;
			}
			rows = nr;
			cap_rows = nc;
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
		rc = store_err(rc);

	for (size_t i = 0; !rc && i < n; i++) {
		store_cap_row *r = &rows[i];
		if (!r->drop) {
			if (!r->held)
				continue;
			rc = store_stmt(st, STMT_HELD_CLEAR, &s);
			if (rc)
				break;
			sqlite3_bind_int64(s, 1, r->rid);
			rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_err(sqlite3_errcode(st->db));
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
static void store_batch_break(store *st, int rc)
{
	st->batch_err = rc;
	if (!sqlite3_get_autocommit(st->db))
		store_stmt_run(st, STMT_ROLLBACK);
	store_fts_discard(st);
	st->n_evicted = st->n_evicted_done;
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
		size_t n_ops = st->n_ops, fts_len = st->fts_len, n_evicted = st->n_evicted;
		/* What an undone put restores (store_put_write changes st->meta after its own rows,
		 * then the quarantine's evictions: a failure of those, or of the savepoint's
		 * RELEASE, needs it). */
		const store_meta meta = st->meta;
		const bool meta_dirty = st->meta_dirty;
		if (!st->batch_err && sqlite3_get_autocommit(st->db)) {
			/* SQLite rolled the batch back after an error (I/O, disk full). */
			st->batch_err = MAILLE_EIO;
			store_fts_discard(st);
		}
		if (st->batch_err)
			return st->batch_err;
		if (st->fts_len > STORE_FTS_PENDING_MAX) {
			rc = store_fts_sync(st);
			if (rc)
				return rc;
			n_ops = fts_len = 0;
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
				st->n_ops = n_ops;
				st->fts_len = fts_len;
				st->meta = meta;
				st->meta_dirty = meta_dirty;
				if (sqlite3_get_autocommit(st->db)) {
					store_batch_break(st, rc); /* SQLite rolled the transaction back */
				} else if (rid > 0) {
					/* The row exists (its themes go with it by cascade), and its
					 * quarantine row, if it got that far. */
					sqlite3_stmt *s = NULL;
					int undo = store_stmt(st, STMT_ENTRY_DEL, &s);
					if (!undo) {
						sqlite3_bind_int64(s, 1, rid);
						undo = sqlite3_step(s) == SQLITE_DONE ? 0 : MAILLE_EIO;
						sqlite3_reset(s);
					}
					if (!undo && plan.q)
						undo = store_stmt(st, STMT_Q_DEL, &s);
					if (!undo && plan.q) {
						sqlite3_bind_int64(s, 1, (sqlite3_int64)e->timestamp);
						sqlite3_bind_blob(s, 2, id, PROTO_ID_LEN, SQLITE_STATIC);
						undo = sqlite3_step(s) == SQLITE_DONE ? 0 : MAILLE_EIO;
						sqlite3_reset(s);
					}
					if (undo)
						store_batch_break(st, rc);
				}
			}
			*result = STORE_PUT_LIVE;
			return rc;
		}
		rc = store_stmt_run(st, STMT_SAVEPOINT);
		if (rc)
			return rc;
		rc = store_put_write(st, e, raw, len, id, doc, &plan, &rid);
		if (!rc && is_cap)
			rc = store_cap_changed(st, e, raw, len);
		if (!rc)
			rc = store_stmt_run(st, STMT_RELEASE);
		if (rc) {
			st->n_ops = n_ops;
			st->fts_len = fts_len;
			st->meta = meta;
			st->meta_dirty = meta_dirty;
			st->n_evicted = n_evicted;
			if (store_stmt_run(st, STMT_ROLLBACK_TO) != 0 ||
			    store_stmt_run(st, STMT_RELEASE) != 0)
				store_batch_break(st, rc); /* the put could not be undone */
		}
		*result = STORE_PUT_LIVE;
		return rc;
	}

	/* On its own, the put needs no savepoint: any failure rolls the whole transaction back. */
	rc = store_tx_begin(st);
	if (rc)
		return rc;
	rc = store_put_plan_make(st, e, id, len, &plan);
	if (!rc && plan.result == STORE_PUT_LIVE)
		rc = store_put_write(st, e, raw, len, id, doc, &plan, &rid);
	if (!rc && plan.result == STORE_PUT_LIVE && is_cap)
		rc = store_cap_changed(st, e, raw, len);
	if (rc) {
		if (!sqlite3_get_autocommit(st->db))
			store_stmt_run(st, STMT_ROLLBACK);
		store_fts_discard(st);
		st->n_evicted = st->n_evicted_done;
		return rc;
	}
	*result = plan.result;
	if (plan.result != STORE_PUT_LIVE) {
		/* Nothing was written. */
		store_stmt_run(st, STMT_ROLLBACK);
		return 0;
	}
	rc = store_finish(st, false);
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
			rc = store_doc_extract(st->text, body, &doc);
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

/* ------------------------------------------------------------------------------------------ */
/* Rows */

/* Fills row from the current result row of s (id in column 0, raw in column 1, rid in
 * column 2), the entry decoded from raw. With copy, raw is copied into memory the row owns
 * (freed by store_row_done); otherwise it borrows SQLite's buffer, valid until s is stepped.
 * A stored entry that no longer decodes is MAILLE_ECORRUPT (store_check tells which). */
static int store_row_fill(sqlite3_stmt *s, bool copy, store_row *row)
{
	const void *id = sqlite3_column_blob(s, 0);
	int id_len = sqlite3_column_bytes(s, 0);
	const uint8_t *raw = sqlite3_column_blob(s, 1);
	int raw_len = sqlite3_column_bytes(s, 1);
	uint8_t *buf = NULL;

	memset(row, 0, sizeof *row);
	if (!id || id_len != PROTO_ID_LEN || !raw || raw_len <= 0)
		return MAILLE_ECORRUPT;
	if (copy) {
		buf = malloc((size_t)raw_len);
		if (!buf)
			return MAILLE_ENOMEM;
		memcpy(buf, raw, (size_t)raw_len);
		raw = buf;
	}
	if (proto_entry_decode(raw, (size_t)raw_len, &row->entry) != 0) {
		free(buf);
		return MAILLE_ECORRUPT;
	}
	memcpy(row->id, id, PROTO_ID_LEN);
	row->rid = (uint64_t)sqlite3_column_int64(s, 2);
	row->raw = raw;
	row->raw_len = (size_t)raw_len;
	row->priv_ = buf;
	return 0;
}

void store_row_done(store_row *row)
{
	if (!row)
		return;
	free(row->priv_);
	memset(row, 0, sizeof *row);
}

/* Steps s to its single row and copies it into *ret; ENOTFOUND if there is none. */
static int store_get_one(sqlite3_stmt *s, store_row *ret)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = store_row_fill(s, true, ret);
	else
		rc = rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store_err(rc);
	sqlite3_reset(s);
	return rc;
}

int store_entry_get(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                    store_row *ret)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!territory || !path || !ret)
		return MAILLE_EINVAL;
	rc = store_stmt(st, STMT_GET_PATH, &s);
	if (rc)
		return rc;
	store_bind_path(s, territory, path, strlen(path));
	return store_get_one(s, ret);
}

int store_entry_get_id(store *st, const char *hex, store_row *ret)
{
	uint8_t lo[PROTO_ID_LEN], hi[PROTO_ID_LEN];
	sqlite3_stmt *s = NULL;
	size_t n;
	int rc;

	if (!hex || !ret)
		return MAILLE_EINVAL;
	n = strnlen(hex, 2 * PROTO_ID_LEN + 1);
	if (n < 8 || n > 2 * PROTO_ID_LEN)
		return MAILLE_EINVAL;
	/* Every id starting with the prefix lies in [prefix 00.., prefix ff..] (BLOBs compare as
	 * bytes), so the lookup is a range scan of the id index. */
	memset(lo, 0x00, sizeof lo);
	memset(hi, 0xff, sizeof hi);
	for (size_t i = 0; i < n; i++) {
		int v = proto_hexval(hex[i]);
		if (v < 0)
			return MAILLE_EINVAL;
		if (i % 2 == 0) {
			lo[i / 2] = (uint8_t)(v << 4);
			hi[i / 2] = (uint8_t)(v << 4 | 0x0f);
		} else {
			lo[i / 2] |= (uint8_t)v;
			hi[i / 2] = (uint8_t)((hi[i / 2] & 0xf0) | v);
		}
	}
	rc = store_stmt(st, STMT_GET_RANGE, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, lo, PROTO_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, hi, PROTO_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		store_row row;
		rc = store_row_fill(s, true, &row);
		if (!rc) {
			int next = sqlite3_step(s);
			if (next == SQLITE_ROW) {
				store_row_done(&row);
				rc = MAILLE_EINVAL; /* ambiguous prefix */
			} else if (next != SQLITE_DONE) {
				store_row_done(&row);
				rc = store_err(next);
			} else {
				*ret = row;
			}
		}
	} else {
		rc = rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store_err(rc);
	}
	sqlite3_reset(s);
	return rc;
}

/* Runs a freshly prepared statement (id, raw, rid[, rank, snippet]) and calls cb per row,
 * then finalizes it. Fresh statements let a callback call any other store function. */
static char *store_snippet_make(store *st, const uint8_t *raw, size_t len, const char *prefix,
                                size_t prefix_len);

/* A search whose snippets store_snippet_make writes (FTS5 did not run the query). */
typedef struct store_rows_snip {
	store *st;
	const char *phrase;
	size_t len;
} store_rows_snip;

/* *ret_rows (may be NULL) receives the number of rows given to cb. */
static int store_rows_run(sqlite3_stmt *s, bool search, bool newest_first,
                          const store_rows_snip *snip_of, store_row_cb cb, void *ctx,
                          size_t *ret_rows)
{
	size_t n = 0;
	int ret;
	for (;;) {
		store_row row;
		char *own_snip = NULL;
		int rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			ret = 0;
			break;
		}
		if (rc != SQLITE_ROW) {
			ret = store_err(rc);
			break;
		}
		ret = store_row_fill(s, false, &row);
		if (ret)
			break;
		if (search) {
			const char *snip = (const char *)sqlite3_column_text(s, 4);
			if (snip_of) {
				/* Its own copy: the callback may search again. */
				own_snip = store_snippet_make(snip_of->st, row.raw, row.raw_len,
				                              snip_of->phrase, snip_of->len);
				if (!own_snip) {
					ret = MAILLE_ENOMEM;
					break;
				}
				snip = own_snip;
			}
			row.rank = sqlite3_column_double(s, 3);
			row.snippet = snip ? snip : "";
			row.newest_first = newest_first;
		}
		ret = cb(&row, ctx);
		free(own_snip);
		n++;
		if (ret)
			break;
	}
	sqlite3_finalize(s);
	if (ret_rows)
		*ret_rows = n;
	return ret;
}

int store_entry_find_path(store *st, const char *path, const uint8_t *prefer_territory,
                          store_row_cb cb, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!path || !cb)
		return MAILLE_EINVAL;
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT id, raw, rid FROM entries WHERE path_key = ?3 AND path = ?1"
	                        " AND kind = 0 AND held = 0"
	                        " ORDER BY territory IS ?2 DESC, ts DESC, id DESC",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	{
		sqlite3_int64 pk, tk;
		store_path_keys(NULL, path, strlen(path), &pk, &tk);
		sqlite3_bind_int64(s, 3, pk);
	}
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	if (prefer_territory)
		sqlite3_bind_blob(s, 2, prefer_territory, PROTO_KEY_LEN, SQLITE_STATIC);
	return store_rows_run(s, false, false, NULL, cb, ctx, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* List and search */

/* Parameter numbers shared by list and search. */
enum {
	P_MATCH = 1,
	P_TYPE,
	P_THEME,
	P_STATUS,
	P_LICENCE,
	P_TERRITORY,
	P_LIMIT,
	P_PREFIX, /* search: the phrase maille_has_prefix tests */
	P_BOUND,  /* search: the greatest rowid */
	P_SCAN,   /* search: maille_has_prefix's budget */
};

/* The statements of list and search are assembled from fixed pieces (values are always bound
 * parameters), at most ~700 bytes: STORE_SQL_MAX leaves room to spare. */
#define STORE_SQL_MAX 1024

static void store_sql_add(char sql[STORE_SQL_MAX], const char *piece)
{
	size_t n = strlen(sql), k = strlen(piece);
	if (n + k < STORE_SQL_MAX)
		memcpy(sql + n, piece, k + 1);
}

/* Appends the WHERE clauses of f (entries aliased as e). */
static void store_filter_sql(char sql[STORE_SQL_MAX], const store_filter *f, bool list)
{
	if (f->type)
		store_sql_add(sql, " AND e.type = ?2");
	/* A probe of the (rid, theme) key per row, not "rid IN (SELECT ...)", which gathers
	 * every entry of the theme before the first row (130-640 ms at 100k for a list that
	 * stops after a page). */
	if (f->theme)
		store_sql_add(sql, " AND EXISTS (SELECT 1 FROM themes t WHERE t.rid = e.rid"
		                   " AND t.theme = ?3)");
	if (f->status)
		store_sql_add(sql, " AND e.status = ?4");
	if (f->licence)
		store_sql_add(sql, " AND (e.licence = ?5 OR e.sw_licence = ?5)");
	if (f->territory)
		store_sql_add(sql, " AND e.territory = ?6");
	if (f->trusted_only)
		store_sql_add(sql, " AND maille_trusted(e.territory)");
	if (list && !f->include_tombstones)
		store_sql_add(sql, " AND e.kind = 0");
	if (!f->include_federation)
		store_sql_add(sql, " AND e.fed = 0");
	store_sql_add(sql, " AND e.held = 0"); /* stored, not shown (PROTOCOL.md §4.4) */
}

static void store_filter_bind(sqlite3_stmt *s, const store_filter *f)
{
	if (f->type)
		sqlite3_bind_text(s, P_TYPE, f->type, -1, SQLITE_STATIC);
	if (f->theme)
		sqlite3_bind_text(s, P_THEME, f->theme, -1, SQLITE_STATIC);
	if (f->status)
		sqlite3_bind_text(s, P_STATUS, f->status, -1, SQLITE_STATIC);
	if (f->licence)
		sqlite3_bind_text(s, P_LICENCE, f->licence, -1, SQLITE_STATIC);
	if (f->territory)
		sqlite3_bind_blob(s, P_TERRITORY, f->territory, PROTO_KEY_LEN, SQLITE_STATIC);
}

int store_list(store *st, const store_filter *f, store_row_cb cb, void *ctx)
{
	static const store_filter none;
	char sql[STORE_SQL_MAX] = "SELECT e.id, e.raw, e.rid FROM entries e WHERE 1";
	sqlite3_stmt *s = NULL;
	int rc;
	if (!cb)
		return MAILLE_EINVAL;
	if (!f)
		f = &none;
	store_filter_sql(sql, f, true);
	store_sql_add(sql, " ORDER BY e.ts DESC, e.id DESC");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	store_filter_bind(s, f);
	return store_rows_run(s, false, false, NULL, cb, ctx, NULL);
}

static bool store_query_wordbyte(unsigned char c)
{
	/* Bytes of multi-byte UTF-8 sequences count as letters so that accented words survive;
	 * the tokenizer then decides what in them is a token. */
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int store_query_token_cb(void *ctx, int tflags, const char *token, int n, int start, int end)
{
	(void)tflags, (void)token, (void)n, (void)start, (void)end;
	(*(size_t *)ctx)++;
	return SQLITE_OK;
}

/* The last word of a query as maille_has_prefix and store_snippet_make test it: its tokens
 * as the index's tokenizer folds them, which must follow one another in a column, the last
 * one as a prefix (FTS5's "w1 w2"*). Passed around as a blob of the tokens separated by NUL
 * bytes (no token holds one: the text comes from C strings and NUL-free proto strings). */
typedef struct store_phrase {
	const char *tok[STORE_PHRASE_TOKENS_MAX];
	size_t len[STORE_PHRASE_TOKENS_MAX];
	size_t n;
} store_phrase;

static void store_phrase_parse(const char *blob, size_t len, store_phrase *ret)
{
	size_t i = 0;
	ret->n = 0;
	while (i < len && ret->n < STORE_PHRASE_TOKENS_MAX) {
		const char *end = memchr(blob + i, '\0', len - i);
		size_t k = end ? (size_t)(end - (blob + i)) : len - i;
		ret->tok[ret->n] = blob + i;
		ret->len[ret->n++] = k;
		i += k + 1;
	}
}

/* Bit j set: token is token j of the phrase (the last one: starts with it). */
static uint32_t store_phrase_bits(const store_phrase *ph, const char *token, size_t n)
{
	uint32_t bits = 0;
	for (size_t j = 0; j < ph->n; j++) {
		bool last = j + 1 == ph->n;
		if ((last ? n >= ph->len[j] : n == ph->len[j]) && memcmp(token, ph->tok[j], ph->len[j]) == 0)
			bits |= (uint32_t)1 << j;
	}
	return bits;
}

/* A query, as store_query_build made it. */
typedef struct store_query {
	char *match;      /* the FTS5 expression: "w1" AND "w2" AND "last"* */
	size_t len;       /* strlen(match) */
	size_t rest_len;  /* match[0..rest_len) is every word but the last (0: a single word) */
	/* The last word (store_phrase), phrase_len = 0 when it does not fit: FTS5 alone can
	 * then match it. last is its last token, the prefix FTS5 expands. */
	char phrase[STORE_PHRASE_MAX];
	size_t phrase_len;
	const char *last;
	size_t last_len;
} store_query;

typedef struct store_query_tokens {
	size_t n;
	char phrase[STORE_PHRASE_MAX];
	size_t len;       /* bytes used in phrase */
	size_t last_off;  /* where the last token starts */
	bool overflow;    /* too many tokens or bytes */
} store_query_tokens;

static int store_query_word_cb(void *ctx, int tflags, const char *token, int n, int start,
                               int end)
{
	store_query_tokens *t = ctx;
	size_t sep = t->n ? 1 : 0;
	(void)tflags, (void)start, (void)end;
	if (t->n++ >= STORE_PHRASE_TOKENS_MAX || n <= 0 ||
	    t->len + sep + (size_t)n > sizeof t->phrase) {
		t->overflow = true;
		return SQLITE_OK;
	}
	if (sep)
		t->phrase[t->len++] = '\0';
	t->last_off = t->len;
	memcpy(t->phrase + t->len, token, (size_t)n);
	t->len += (size_t)n;
	return SQLITE_OK;
}

/* Turns what a person typed into an FTS5 expression that cannot fail to parse: every run of
 * letters and digits becomes a quoted string ("word"), the last one a prefix ("word"*), all
 * joined by AND. A run in which the index's tokenizer finds no token (« or — between spaces)
 * is dropped: as a phrase it would match nothing and empty the whole AND. */
static int store_query_build(store *st, const char *q, store_query *ret)
{
	size_t len = strlen(q), o = 0, n_words = 0, rest_len = 0;
	store_query_tokens t;
	char *out;

	if (!proto_utf8_valid((const uint8_t *)q, len))
		return MAILLE_EINVAL;
	if (len > (SIZE_MAX - 16) / 4 || len > INT_MAX)
		return MAILLE_ETOOBIG;
	/* Worst case: one-byte words between one-byte separators, each `"w" AND ` (8 bytes for
	 * 2 input bytes), plus the final '*' and NUL. */
	out = malloc(len * 4 + 16);
	if (!out)
		return MAILLE_ENOMEM;
	ret->phrase_len = 0;
	for (size_t i = 0; i < len;) {
		size_t start;
		while (i < len && !store_query_wordbyte((unsigned char)q[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && store_query_wordbyte((unsigned char)q[i]))
			i++;
		t.n = t.len = t.last_off = 0;
		t.overflow = false;
		int rc = st->tok_api.xTokenize(st->tok, &t, FTS5_TOKENIZE_QUERY, q + start,
		                               (int)(i - start), store_query_word_cb);
		if (rc != SQLITE_OK) {
			free(out);
			return store_err(rc);
		}
		if (t.n == 0)
			continue;
		/* The last word so far: its phrase. */
		ret->phrase_len = t.overflow ? 0 : t.len;
		memcpy(ret->phrase, t.phrase, ret->phrase_len);
		ret->last = ret->phrase + t.last_off;
		ret->last_len = t.overflow ? 0 : t.len - t.last_off;
		if (n_words++) {
			rest_len = o;
			memcpy(out + o, " AND ", 5);
			o += 5;
		}
		out[o++] = '"';
		for (size_t k = start; k < i; k++) {
			/* Cannot happen ('"' separates words) but a quoted string doubles its quotes. */
			if (q[k] == '"')
				out[o++] = '"';
			out[o++] = q[k];
		}
		out[o++] = '"';
	}
	if (n_words == 0) {
		free(out);
		return MAILLE_EINVAL;
	}
	out[o++] = '*';
	out[o] = '\0';
	ret->match = out;
	ret->len = o;
	ret->rest_len = rest_len;
	return 0;
}

/* Up to cap + 1: the number of rows the FTS5 expression match[0..len) matches, walked in
 * rowid order (which ranks nothing and stops at cap + 1). */
static int store_search_count(store *st, const char *match, size_t len, int64_t cap,
                              int64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = store_stmt(st, STMT_SEARCH_COUNT, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, match, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cap + 1);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store_err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Whether the words that start with prefix occur more than STORE_SEARCH_RANKED_MAX times in
 * the index: walked one occurrence at a time (fts5vocab), so it stops there (~80 ns an
 * occurrence). */
static int store_prefix_frequent(store *st, const char *prefix, size_t len, bool *ret)
{
	char hi[STORE_PHRASE_MAX + 1];
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc = store_stmt(st, STMT_PREFIX_COUNT, &s);
	if (rc)
		return rc;
	/* Every term that starts with prefix sorts between prefix and prefix + 0xff (a byte that
	 * UTF-8 never uses). */
	memcpy(hi, prefix, len);
	hi[len] = (char)0xff;
	sqlite3_bind_text(s, 1, prefix, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hi, (int)len + 1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)STORE_SEARCH_RANKED_MAX + 1);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store_err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*ret = n > STORE_SEARCH_RANKED_MAX;
	return rc;
}

/* How store_search runs a query. */
typedef enum store_search_way {
	SEARCH_FTS,    /* FTS5 matches the whole query */
	SEARCH_REST,   /* FTS5 matches every word but the last, maille_has_prefix tests the last */
	SEARCH_SCAN,   /* a lone, frequent prefix: the entries newest first, maille_has_prefix */
} store_search_way;

typedef struct store_search_plan {
	store_search_way way;
	bool many; /* more than STORE_SEARCH_RANKED_MAX matches: newest first */
} store_search_plan;

/* Chooses how to run q (see store_search in store.h). Two costs are avoided.
 *
 * Ranking: bm25 costs ~1.2 µs a match, 120 ms for a word in every one of 100k entries. Above
 * STORE_SEARCH_RANKED_MAX matches the query runs newest first instead, which FTS5 can stop
 * after limit rows.
 *
 * Prefixes: FTS5 (3.40) gathers every occurrence of every word that starts with the last
 * word into one list before it walks it, and does it again for each count and for bm25: a
 * short last word such as "de" or "pro" cost 20 to 60 ms each time whatever the other words,
 * so that "kakaka de" (8 matches) took 170 ms.
 *
 * So the occurrences of the prefix are counted first (fts5vocab), up to
 * STORE_SEARCH_RANKED_MAX (0.05 ms for a rare word, 0.8 ms at most). At most that many
 * occurrences: the query matches at most that many entries, FTS5 gathers them cheaply, and
 * the query is ranked with no other count. More: the last word is not given to FTS5 but
 * tested on each candidate row by maille_has_prefix (tokenizing its text: a few microseconds,
 * and since the prefix is frequent most rows pass and the walk stops soon). FTS5 then
 * matches the other words, whose matches are counted (walking them in rowid order, which
 * ranks nothing and stops at STORE_SEARCH_RANKED_MAX + 1: well under a millisecond even for
 * a word in every entry) to choose the order, and whose rank the rows get; a lone such word
 * lists the entries that have it newest first. When the candidates turn out not to have it
 * (a rare phrase of frequent words), store_search hands over to FTS5 after STORE_SCAN_BUDGET
 * of them. A last word too long for store_phrase (16
 * tokens, 256 bytes) is counted the slow way: with its last token exact (a subset: if that
 * is many, so is the query), then as typed. */
static int store_search_plan_make(store *st, const store_query *q, store_search_plan *plan)
{
	const int64_t cap = STORE_SEARCH_RANKED_MAX;
	int64_t n_rest = 0, n = 0;
	bool frequent = true;
	int rc;

	plan->way = SEARCH_FTS;
	plan->many = false;
	if (q->phrase_len > 0) {
		rc = store_prefix_frequent(st, q->last, q->last_len, &frequent);
		if (rc || !frequent)
			return rc;
		if (q->rest_len == 0) {
			plan->way = SEARCH_SCAN;
			plan->many = true;
			return 0;
		}
		rc = store_search_count(st, q->match, q->rest_len, cap, &n_rest);
		plan->way = SEARCH_REST;
		plan->many = n_rest > cap;
		return rc;
	}
	if (q->rest_len > 0) {
		/* The other words match a superset of the query's rows. */
		rc = store_search_count(st, q->match, q->rest_len, cap, &n_rest);
		if (rc || n_rest <= cap)
			return rc;
	}
	rc = store_search_count(st, q->match, q->len - 1, cap, &n); /* the last token exact */
	if (!rc && n <= cap)
		rc = store_search_count(st, q->match, q->len, cap, &n);
	plan->many = n > cap;
	return rc;
}

/* A token's place in the text being cut into a snippet. */
typedef struct store_snip_tok {
	int start, end;
	uint32_t bits;           /* store_phrase_bits */
	unsigned opens, closes;  /* occurrences of the phrase that start, end at this token */
} store_snip_tok;

typedef struct store_snip_ctx {
	store_snip_tok *toks;
	size_t n, cap;
	store_phrase ph;
	bool nomem;
} store_snip_ctx;

static int store_snip_token_cb(void *ctx, int tflags, const char *token, int n, int start,
                               int end)
{
	store_snip_ctx *c = ctx;
	(void)tflags;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		store_snip_tok *t = realloc(c->toks, cap * sizeof *t);
		if (!t) {
			c->nomem = true;
			return SQLITE_NOMEM;
		}
		c->toks = t;
		c->cap = cap;
	}
	c->toks[c->n].start = start;
	c->toks[c->n].end = end;
	c->toks[c->n].bits = store_phrase_bits(&c->ph, token, (size_t)n);
	c->toks[c->n].opens = c->toks[c->n].closes = 0;
	c->n++;
	return SQLITE_OK;
}

/* The snippet of a row that FTS5 did not match (SEARCH_SCAN), in the form of FTS5's
 * snippet(): STORE_SNIPPET_TOKENS tokens of the first column that holds the phrase (a
 * store_phrase blob), from just before its first occurrence, each occurrence (overlapping
 * ones together) between "\x02" and "\x03", "…" where the text was cut. A malloc'd string
 * (empty when no column holds it), NULL when out of memory. */
static char *store_snippet_make(store *st, const uint8_t *raw, size_t len, const char *phrase,
                                size_t phrase_len)
{
	const size_t want = (size_t)atoi(STORE_SNIPPET_TOKENS);
	store_snip_ctx c = {NULL, 0, 0, {{NULL}, {0}, 0}, false};
	store_text out = {NULL, 0, 0};
	int rc = store_text_fn_load_raw(st, raw, len);

	store_phrase_parse(phrase, phrase_len, &c.ph);

	for (int k = 0; !rc && st->fn_is_doc && k < TEXT_N_; k++) {
		const store_text *t = &st->fn_text[k];
		size_t first = 0, w0, w1, need, depth = 0;
		char *o;
		c.n = 0;
		if (t->len == 0 ||
		    st->tok_api.xTokenize(st->tok, &c, FTS5_TOKENIZE_DOCUMENT, t->p, (int)t->len,
		                          store_snip_token_cb) != SQLITE_OK)
			continue;
		/* The occurrences: tokens i..i+n-1 are the phrase's tokens 0..n-1. */
		for (size_t i = 0; i + c.ph.n <= c.n; i++) {
			size_t j = 0;
			while (j < c.ph.n && (c.toks[i + j].bits & (uint32_t)1 << j))
				j++;
			if (j == c.ph.n) {
				c.toks[i].opens++;
				c.toks[i + c.ph.n - 1].closes++;
			}
		}
		while (first < c.n && !c.toks[first].opens)
			first++;
		if (first == c.n)
			continue;
		w0 = first > 2 ? first - 2 : 0;
		w1 = w0 + want < c.n ? w0 + want : c.n;
		/* The text from the window's first token to its last, two markers a token at most,
		 * two ellipses (3 bytes each) and the NUL. */
		need = (size_t)(c.toks[w1 - 1].end - c.toks[w0].start) + 2 * (w1 - w0) + 7;
		out.p = malloc(need);
		if (!out.p)
			break;
		o = out.p;
		if (w0 > 0) {
			memcpy(o, "…", 3);
			o += 3;
		}
		for (size_t i = w0; i < w1; i++) {
			const store_snip_tok *tk = &c.toks[i];
			if (i > w0) { /* what separates it from the previous token, as written */
				memcpy(o, t->p + c.toks[i - 1].end, (size_t)(tk->start - c.toks[i - 1].end));
				o += tk->start - c.toks[i - 1].end;
			}
			if (tk->opens && depth++ == 0)
				*o++ = '\x02';
			depth += tk->opens - (tk->opens ? 1 : 0);
			memcpy(o, t->p + tk->start, (size_t)(tk->end - tk->start));
			o += tk->end - tk->start;
			/* An occurrence cut by the window's end is closed there. */
			if (depth > 0 && (depth <= tk->closes || i + 1 == w1)) {
				*o++ = '\x03';
				depth = 0;
			} else {
				depth -= tk->closes;
			}
		}
		if (w1 < c.n) {
			memcpy(o, "…", 3);
			o += 3;
		}
		*o = '\0';
		break;
	}
	free(c.toks);
	if (!out.p && !c.nomem && rc != MAILLE_ENOMEM)
		out.p = calloc(1, 1);
	return out.p;
}

/* How many rows maille_has_prefix may test for one statement (see store_search). */
typedef struct store_scan {
	size_t budget;      /* 0: no limit */
	bool until_found;   /* the budget holds only until a row has the phrase */
	size_t tested;
	bool over;          /* the budget ran out: the statement failed on purpose */
	sqlite3_int64 rid;  /* the row being tested when it did */
} store_scan;

/* maille_has_prefix(raw, phrase, rid, scan): 1 if the text the index holds for the entry raw
 * (maille_text) has the phrase (a store_phrase blob: its tokens one after the other in a
 * column, the last one as a prefix), else 0. scan is a store_scan pointer bound by
 * store_search; past its budget the function fails, ending the statement. */
typedef struct store_phrase_ctx {
	store_phrase ph;
	uint32_t partial; /* bit j: tokens 0..j of the phrase end at the previous token */
	bool found;
} store_phrase_ctx;

static int store_phrase_token_cb(void *ctx, int tflags, const char *token, int n, int start,
                                 int end)
{
	store_phrase_ctx *p = ctx;
	uint32_t bits = store_phrase_bits(&p->ph, token, (size_t)n);
	(void)tflags, (void)start, (void)end;
	/* Token j extends a match of tokens 0..j-1; token 0 starts one. */
	p->partial = bits & (p->partial << 1 | 1);
	if (p->partial & (uint32_t)1 << (p->ph.n - 1)) {
		p->found = true;
		return SQLITE_DONE; /* stops the tokenizer, which then returns SQLITE_OK */
	}
	return SQLITE_OK;
}

static void store_has_prefix_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	store *st = sqlite3_user_data(ctx);
	store_scan *scan = sqlite3_value_pointer(argv[3], "maille_scan");
	store_phrase_ctx p;
	int rc;

	(void)argc;
	if (scan && scan->budget > 0 && scan->tested++ >= scan->budget) {
		scan->over = true;
		scan->rid = sqlite3_value_int64(argv[2]);
		sqlite3_result_error(ctx, "maille_has_prefix: budget", -1);
		return;
	}
	store_phrase_parse(sqlite3_value_blob(argv[1]), (size_t)sqlite3_value_bytes(argv[1]),
	                   &p.ph);
	p.found = false;
	rc = store_text_fn_load(st, argv[0]);
	if (rc == MAILLE_ENOMEM) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int k = 0; !rc && st->fn_is_doc && p.ph.n > 0 && k < TEXT_N_ && !p.found; k++) {
		const store_text *t = &st->fn_text[k];
		if (t->len == 0)
			continue;
		p.partial = 0; /* a phrase does not run from one column into the next */
		rc = st->tok_api.xTokenize(st->tok, &p, FTS5_TOKENIZE_DOCUMENT, t->p, (int)t->len,
		                           store_phrase_token_cb);
		if (rc != SQLITE_OK && rc != SQLITE_DONE) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
		rc = 0;
	}
	if (p.found && scan && scan->until_found)
		scan->budget = 0;
	sqlite3_result_int(ctx, p.found);
}

/* Runs one way of a search (store_search): prepares its statement and gives its rows to cb.
 * bound >= 0 adds "rowid <= bound" (newest first only). */
static int store_search_run(store *st, const store_query *q, const store_filter *f,
                            store_search_way way, bool many, size_t limit, sqlite3_int64 bound,
                            store_scan *scan, store_row_cb cb, void *ctx, size_t *ret_rows)
{
	/* bm25 weights: title 10, summary 5, description 1, keywords 3 (fts column order). In
	 * newest-first order no row is ranked: bm25 of even one row first counts every match of
	 * every word (its IDF), the very cost that order avoids. */
	static const char ranked[] =
		"SELECT e.id, e.raw, e.rid, fts.rank,"
		" snippet(fts, -1, char(2), char(3), '…', " STORE_SNIPPET_TOKENS ")"
		" FROM fts JOIN entries e ON e.rid = fts.rowid"
		" WHERE fts MATCH ?1 AND fts.rank MATCH 'bm25(10.0, 5.0, 1.0, 3.0)'";
	static const char newest[] =
		"SELECT e.id, e.raw, e.rid, 0.0,"
		" snippet(fts, -1, char(2), char(3), '…', " STORE_SNIPPET_TOKENS ")"
		" FROM fts JOIN entries e ON e.rid = fts.rowid"
		" WHERE fts MATCH ?1";
	/* NOT INDEXED: walking the table backwards is what stops at the limit; with the type
	 * index the planner would test every entry of a type, then sort. */
	static const char scan_sql[] =
		"SELECT e.id, e.raw, e.rid, 0.0, NULL FROM entries e NOT INDEXED WHERE e.kind = 0";
	char sql[STORE_SQL_MAX];
	store_rows_snip snip_of = {st, q->phrase, q->phrase_len};
	sqlite3_stmt *s = NULL;
	int rc;

	*ret_rows = 0;
	snprintf(sql, sizeof sql, "%s", way == SEARCH_SCAN ? scan_sql : many ? newest : ranked);
	store_filter_sql(sql, f, false);
	if (bound >= 0)
		store_sql_add(sql, " AND fts.rowid <= ?9");
	/* Last, so that it runs on the rows the filters kept. */
	if (way != SEARCH_FTS)
		store_sql_add(sql, " AND maille_has_prefix(e.raw, ?8, e.rid, ?10)");
	/* rowid = rid: the order in which this node stored the entries, which FTS5 and the
	 * entries table both walk backwards. In every order rows come out one at a time, so the
	 * filters and the prefix test run only until limit rows passed. */
	store_sql_add(sql, way == SEARCH_SCAN ? " ORDER BY e.rid DESC LIMIT ?7"
	                   : many             ? " ORDER BY fts.rowid DESC LIMIT ?7"
	                                      : " ORDER BY fts.rank LIMIT ?7");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	if (way == SEARCH_FTS)
		sqlite3_bind_text(s, P_MATCH, q->match, (int)q->len, SQLITE_STATIC);
	else if (way == SEARCH_REST)
		sqlite3_bind_text(s, P_MATCH, q->match, (int)q->rest_len, SQLITE_STATIC);
	if (way != SEARCH_FTS) {
		sqlite3_bind_blob(s, P_PREFIX, q->phrase, (int)q->phrase_len, SQLITE_STATIC);
		sqlite3_bind_pointer(s, P_SCAN, scan, "maille_scan", NULL);
	}
	if (bound >= 0)
		sqlite3_bind_int64(s, P_BOUND, bound);
	store_filter_bind(s, f);
	sqlite3_bind_int64(s, P_LIMIT, (sqlite3_int64)limit);
	return store_rows_run(s, true, many, way == SEARCH_SCAN ? &snip_of : NULL, cb, ctx,
	                      ret_rows);
}

int store_search(store *st, const char *query, const store_filter *f, size_t limit,
                 store_row_cb cb, void *ctx)
{
	static const store_filter none;
	store_query q;
	store_search_plan plan;
	store_scan scan = {0};
	size_t n = 0;
	int rc;

	if (!query || !cb)
		return MAILLE_EINVAL;
	if (!f)
		f = &none;
	if (limit == 0)
		limit = STORE_SEARCH_LIMIT_DEFAULT;
	if (limit > MAILLE_SEARCH_LIMIT_MAX)
		limit = MAILLE_SEARCH_LIMIT_MAX;
	rc = store_fts_sync(st);
	if (rc)
		return rc;
	rc = store_query_build(st, query, &q);
	if (rc)
		return rc;
	rc = store_search_plan_make(st, &q, &plan);
	if (!rc && plan.way != SEARCH_FTS) {
		/* Testing the phrase row by row is the cheap way when most rows have it. When they
		 * do not (a frequent prefix in a rare phrase, "l’expérience"; frequent, but not
		 * among these rows), the test stops after STORE_SCAN_BUDGET rows and FTS5 takes
		 * over: newest first, from the row it stopped at on; ranked (only if no row had the
		 * phrase, otherwise the rows of the other words, at most STORE_SEARCH_RANKED_MAX, are
		 * all tested), from the start. */
		scan.budget = STORE_SCAN_BUDGET;
		scan.until_found = !plan.many;
		rc = store_search_run(st, &q, f, plan.way, plan.many, limit, -1, &scan, cb, ctx, &n);
		if (scan.over) {
			plan.way = SEARCH_FTS;
			rc = store_search_run(st, &q, f, SEARCH_FTS, plan.many, limit - n,
			                      plan.many ? scan.rid : -1, NULL, cb, ctx, &n);
		}
	} else if (!rc) {
		rc = store_search_run(st, &q, f, SEARCH_FTS, plan.many, limit, -1, NULL, cb, ctx, &n);
	}
	free(q.match);
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Counts and names */

int store_count(store *st, uint64_t *ret_entries, uint64_t *ret_documents)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT count(*), coalesce(sum(kind = 0), 0) FROM entries", -1,
	                            &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (ret_entries)
			*ret_entries = (uint64_t)sqlite3_column_int64(s, 0);
		if (ret_documents)
			*ret_documents = (uint64_t)sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = store_err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_finalize(s);
	return rc;
}

int store_territory_name(store *st, const uint8_t territory[PROTO_KEY_LEN], char *ret, size_t cap)
{
	proto_arena arena;
	proto_value *body;
	proto_entry e;
	sqlite3_stmt *s = NULL;
	const uint8_t *raw;
	int raw_len, rc;

	if (!territory || !ret || cap == 0)
		return MAILLE_EINVAL;
	rc = store_stmt(st, STMT_TERRITORY, &s);
	if (rc)
		return rc;
	store_bind_path(s, territory, "territory", strlen("territory"));
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store_err(rc);
	}
	raw = sqlite3_column_blob(s, 0);
	raw_len = sqlite3_column_bytes(s, 0);
	if (!raw || raw_len <= 0 || proto_entry_decode(raw, (size_t)raw_len, &e) != 0) {
		sqlite3_reset(s);
		return MAILLE_ECORRUPT;
	}
	/* Only the territory key names its territory: a member cannot rename it. */
	if (memcmp(e.signer, e.territory, PROTO_KEY_LEN) != 0) {
		sqlite3_reset(s);
		return MAILLE_ENOTFOUND;
	}
	proto_arena_init(&arena, 0);
	rc = proto_value_decode(e.body, e.body_len, &arena, &body);
	if (!rc) {
		const proto_value *v = proto_map_get(body, "name");
		const char *name = v ? proto_langmap_pick(v, "fr") : NULL;
		if (name && *name) {
			size_t n = strlen(name);
			if (n >= cap) {
				/* Cut on a character boundary. */
				n = cap - 1;
				while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
					n--;
			}
			memcpy(ret, name, n);
			ret[n] = '\0';
		} else {
			rc = MAILLE_ENOTFOUND;
		}
	} else {
		rc = MAILLE_ECORRUPT;
	}
	proto_arena_done(&arena);
	sqlite3_reset(s);
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Reconciliation and change feed */

int store_fingerprint(store *st, uint8_t ret_fp[RBSR_FP_LEN], uint64_t *ret_count)
{
	uint8_t buf[STORE_SUM_LEN + RBSR_VARINT_MAX], h[crypto_hash_sha256_BYTES];
	store_meta m;
	int rc;

	if (!st || !ret_fp)
		return MAILLE_EINVAL;
	rc = store_meta_get(st, &m);
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
	rc = store_meta_get(st, &m);
	if (rc)
		return rc;
	hint = m.n;
	if (hint > STORE_ITEMS_HINT_MAX)
		hint = STORE_ITEMS_HINT_MAX; /* a damaged count allocates no more than this */
	rc = store_stmt(st, STMT_ITEMS, &s);
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
		rc = store_err(rc);
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
	int rc = store_stmt(st, k, ret);
	if (rc)
		return rc;
	sqlite3_bind_blob(*ret, 1, id, PROTO_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(*ret);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? MAILLE_ENOTFOUND : store_err(rc);
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
	rc = store_meta_get(st, &m);
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
		return store_err(rc);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)after);
	/* A negative LIMIT is none. */
	sqlite3_bind_int64(s, 2, limit == 0 || limit > (size_t)INT64_MAX ? -1 : (sqlite3_int64)limit);
	return store_rows_run(s, false, false, NULL, cb, ctx, NULL);
}

int store_data_version(store *st, uint64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !ret)
		return MAILLE_EINVAL;
	/* A pragma runs when stepped, so the cached statement reads the current value. */
	rc = store_stmt(st, STMT_DATA_VERSION, &s);
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = (uint64_t)sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store_err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_reset(s);
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Configured peers */

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

int store_peer_add(store *st, const char *addr, uint64_t now_us)
{
	sqlite3_stmt *s = NULL;
	size_t n;
	int rc;
	if (!st || !store_peer_addr_ok(addr, &n) || now_us > (uint64_t)INT64_MAX)
		return MAILLE_EINVAL;
	rc = store_stmt(st, STMT_PEER_ADD, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, addr, (int)n, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_us);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) == 1 ? 0 : MAILLE_EEXIST;
	else
		rc = store_err(rc);
	sqlite3_reset(s);
	return rc;
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
	rc = store_stmt(st, STMT_PEER_DEL, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, addr, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) >= 1 ? 0 : MAILLE_ENOTFOUND;
	else
		rc = store_err(rc);
	sqlite3_reset(s);
	return rc;
}

int store_peer_list(store *st, store_peer_cb cb, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !cb)
		return MAILLE_EINVAL;
	/* rowid order is insertion order: SQLite gives a new row a rowid above every existing
	 * one (while the greatest is below 2^63, which 2^63 adds would take). A fresh statement,
	 * so that cb may add or remove peers. */
	rc = sqlite3_prepare_v2(st->db, "SELECT addr, added_us FROM peers ORDER BY rowid", -1, &s,
	                        NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	for (;;) {
		int step = sqlite3_step(s);
		if (step != SQLITE_ROW) {
			rc = step == SQLITE_DONE ? 0 : store_err(step);
			break;
		}
		const char *addr = (const char *)sqlite3_column_text(s, 0);
		sqlite3_int64 added = sqlite3_column_int64(s, 1);
		if (!addr || added < 0) {
			rc = MAILLE_ECORRUPT; /* store_peer_add writes neither */
			break;
		}
		rc = cb(addr, (uint64_t)added, ctx);
		if (rc)
			break;
	}
	sqlite3_finalize(s);
	return rc;
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
		return store_err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_us);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) == 1 ? 0 : MAILLE_EEXIST;
	else
		rc = store_err(rc);
	sqlite3_finalize(s);
	return rc;
}

int store_trust_remove(store *st, const uint8_t key[PROTO_KEY_LEN])
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !key)
		return MAILLE_EINVAL;
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM trusted WHERE key = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(st->db) >= 1 ? 0 : MAILLE_ENOTFOUND;
	else
		rc = store_err(rc);
	sqlite3_finalize(s);
	return rc;
}

int store_trust_list(store *st, store_trust_cb cb, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (!st || !cb)
		return MAILLE_EINVAL;
	/* Key order: the primary key's, and the same on every run (deterministic output). A
	 * fresh statement, so that cb may add or remove keys. */
	rc = sqlite3_prepare_v2(st->db, "SELECT key, added_us FROM trusted ORDER BY key", -1, &s,
	                        NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	for (;;) {
		int step = sqlite3_step(s);
		if (step != SQLITE_ROW) {
			rc = step == SQLITE_DONE ? 0 : store_err(step);
			break;
		}
		const void *key = sqlite3_column_blob(s, 0);
		int key_len = sqlite3_column_bytes(s, 0);
		sqlite3_int64 added = sqlite3_column_int64(s, 1);
		if (!key || key_len != PROTO_KEY_LEN || added < 0) {
			rc = MAILLE_ECORRUPT; /* store_trust_add writes neither */
			break;
		}
		rc = cb(key, (uint64_t)added, ctx);
		if (rc)
			break;
	}
	sqlite3_finalize(s);
	return rc;
}

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
 * SQLite's message is still there). When the file is damaged (store_err: MAILLE_ECORRUPT), the
 * problem is reported, naming what could not be read and in SQLite's words, and the check goes
 * on with its other parts: 0. Another failure (I/O, memory, a lock) stops the check: returned. */
static int store_check_sqlite(store *st, store_check_state *cs, int rc, const char *what)
{
	int err = store_err(rc);
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

	while (store_doc_theme(doc, n))
		n++;
	if (n) {
		want = malloc(n * sizeof *want);
		if (!want)
			return MAILLE_ENOMEM;
		for (size_t i = 0; i < n; i++)
			want[i] = store_doc_theme(doc, i);
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
		                                          store_query_token_cb) != SQLITE_OK)
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
		store_sum_add(cs->sum, id); /* as maille_idsum(): only 32-byte ids */
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
		store_path_keys(e.territory, e.path, e.path_len, &pk, &tk);
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
			rc = store_doc_extract(st->text, body, &doc);
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
		int r = store_member_check(st, &e, &held);
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
	int rc = store_meta_read(st, &m);
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

int store_check(store *st, store_check_cb cb, void *ctx, uint64_t *ret_checked)
{
	store_check_state cs = {.cb = cb, .ctx = ctx};
	sqlite3_stmt *s = NULL, *s_fts = NULL, *s_themes = NULL;
	uint64_t checked = 0;
	int rc;

	rc = store_fts_sync(st);
	/* Inside a batch, the row the check reads must have the batch's puts. */
	if (!rc && st->in_batch && !st->batch_err && !sqlite3_get_autocommit(st->db))
		rc = store_meta_flush(st);
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

	/* One row per (territory, path): the UNIQUE index says so, unless it is what is corrupt,
	 * so count over the table itself. */
	rc = store_check_meta(st, &cs);
	if (!rc)
		rc = store_check_query(st, &cs,
		                       "SELECT min(id), path FROM entries NOT INDEXED"
		                       " GROUP BY territory, path HAVING count(*) > 1",
		                       "several entries for one (territory, path)",
		                       "the (territory, path) of the entries");
	if (!rc)
		rc = store_check_query(st, &cs,
		                       "SELECT NULL, NULL FROM fts_docsize"
		                       " WHERE id NOT IN (SELECT rid FROM entries)",
		                       "full-text row without an entry",
		                       "the full-text index's rows");
	if (!rc)
		rc = store_check_query(st, &cs,
		                       "SELECT NULL, theme FROM themes"
		                       " WHERE rid NOT IN (SELECT rid FROM entries)",
		                       "theme row without an entry", "the themes table");
	if (!rc)
		rc = store_check_query(st, &cs,
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
		rc = store_check_query(st, &cs,
		                       "SELECT id, path FROM entries WHERE held = 1 AND"
		                       " (capref IS NULL OR (kind = 0 AND unindexed = 0))",
		                       "a held entry that is not a member's, or is indexed",
		                       "the held entries");
	if (!rc)
		rc = store_check_members(st, &cs);
	if (!rc)
		rc = store_check_quarantine(st, &cs);
	if (rc)
		goto out;

	{
		sqlite3_stmt *si;
		rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &si, NULL);
		if (rc != SQLITE_OK) {
			rc = store_check_sqlite(st, &cs, rc, "SQLite's integrity check");
			if (rc)
				goto out;
		} else {
			while ((rc = sqlite3_step(si)) == SQLITE_ROW) {
				const char *text = (const char *)sqlite3_column_text(si, 0);
				if (!text || strcmp(text, "ok") == 0)
					continue;
				/* one problem a line, without the "*** in database main ***"
				 * headings */
				for (const char *line = text; *line;) {
					size_t len = strcspn(line, "\n");
					if (len && strncmp(line, "*** ", 4) != 0) {
						char msg[320];
						snprintf(msg, sizeof msg,
						         "SQLite's integrity check: %.*s", (int)len,
						         line);
						store_check_report(&cs, NULL, NULL, msg);
						cs.damaged = true;
					}
					line += len + (line[len] == '\n');
				}
			}
			rc = rc == SQLITE_DONE
			         ? 0
			         : store_check_sqlite(st, &cs, rc, "SQLite's integrity check");
			sqlite3_finalize(si);
			if (rc)
				goto out;
		}
	}
	/* The index's structure, then (rank 1) its postings against the text of every entry.
	 * A disagreement of the second kind is reported only when no entry was found wrong: an
	 * entry whose raw was altered already explains it, and the check cannot say which rows
	 * the index disagrees on. */
	rc = sqlite3_exec(st->db, "INSERT INTO fts(fts) VALUES('integrity-check')", NULL, NULL,
	                  NULL);
	if (rc != SQLITE_OK) {
		if (store_err(rc) != MAILLE_ECORRUPT) {
			rc = store_err(rc);
			goto out;
		}
		store_check_report(&cs, NULL, NULL, "full-text index integrity-check failed");
	} else if (cs.problems == 0) {
		rc = sqlite3_exec(st->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)",
		                  NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			if (store_err(rc) != MAILLE_ECORRUPT) {
				rc = store_err(rc);
				goto out;
			}
			store_check_report(&cs, NULL, NULL,
			                   "full-text index disagrees with the text of the entries");
		}
	}
	rc = cs.problems ? MAILLE_ECORRUPT : 0;

out:
	sqlite3_finalize(s);
	sqlite3_finalize(s_fts);
	sqlite3_finalize(s_themes);
	if (ret_checked)
		*ret_checked = checked;
	return rc;
}

/* ---- indexing later (migration 3) ------------------------------------------------------------ */

void store_set_index_later(store *st, bool later)
{
	st->index_later = later;
}

int store_unindexed(store *st, uint64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM entries WHERE unindexed = 1"
	                                     " AND held = 0", -1,
	                            &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = (uint64_t)sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : store_err(rc);
}

int store_index_pending(store *st, size_t max, size_t *ret_done)
{
	*ret_done = 0;
	if (st->in_batch)
		return MAILLE_ESTATE;
	if (max == 0)
		return 0;
	int rc = store_begin(st);
	if (rc)
		return rc;
	/* the rids first: the rows leave the partial index as they are updated, which a cursor
	 * walking that index would not survive */
	sqlite3_stmt *sel = NULL, *upd = NULL, *raw_s = NULL;
	sqlite3_int64 *rids = malloc(max * sizeof *rids);
	size_t n = 0;
	int src = rids ? sqlite3_prepare_v2(st->db, "SELECT rid FROM entries WHERE unindexed = 1"
	                                             " AND held = 0 ORDER BY rid LIMIT ?1",
	                                    -1, &sel, NULL)
	               : SQLITE_NOMEM;
	if (src == SQLITE_OK) {
		sqlite3_bind_int64(sel, 1, (sqlite3_int64)max);
		while ((src = sqlite3_step(sel)) == SQLITE_ROW && n < max)
			rids[n++] = sqlite3_column_int64(sel, 0);
		if (src == SQLITE_DONE || src == SQLITE_ROW)
			src = SQLITE_OK;
	}
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(st->db, "UPDATE entries SET unindexed = 0 WHERE rid = ?1", -1,
		                         &upd, NULL);
	rc = src == SQLITE_OK ? store_stmt(st, STMT_RAW_GET, &raw_s) : store_err(src);
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_bind_int64(raw_s, 1, rids[i]);
		src = sqlite3_step(raw_s);
		bool is_doc = false;
		if (src == SQLITE_ROW) {
			const uint8_t *raw = sqlite3_column_blob(raw_s, 0);
			int len = sqlite3_column_bytes(raw_s, 0);
			rc = raw && len > 0 ? store_text_of_raw(st->text, raw, (size_t)len, &is_doc)
			                    : MAILLE_ECORRUPT;
			if (!rc && !is_doc)
				rc = MAILLE_ECORRUPT; /* only documents are ever stored unindexed */
		} else {
			rc = src == SQLITE_DONE ? MAILLE_ECORRUPT : store_err(src);
		}
		sqlite3_reset(raw_s);
		if (!rc)
			rc = store_fts_queue(st, rids[i], true, st->text);
		if (!rc) {
			sqlite3_bind_int64(upd, 1, rids[i]);
			src = sqlite3_step(upd);
			sqlite3_reset(upd);
			if (src != SQLITE_DONE)
				rc = store_err(src);
		}
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	free(rids);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	rc = store_commit(st);
	if (!rc)
		*ret_done = n;
	return rc;
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
static void store_trusted_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	store *st = sqlite3_user_data(ctx);
	const void *k = sqlite3_value_blob(argv[0]);
	bool in = k && sqlite3_value_bytes(argv[0]) == PROTO_KEY_LEN && store_is_trusted(st, k);
	sqlite3_result_int(ctx, in);
}

/* The keys of qview, in key order (the primary key's), in a malloc'd array (NULL for none). */
static int store_qview_read(store *st, uint8_t (**ret)[PROTO_KEY_LEN], size_t *ret_n)
{
	sqlite3_stmt *s = NULL;
	uint8_t(*v)[PROTO_KEY_LEN] = NULL;
	size_t n = 0, cap = 0;
	int rc = sqlite3_prepare_v2(st->db, "SELECT key FROM qview ORDER BY key", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const void *k = sqlite3_column_blob(s, 0);
		if (!k || sqlite3_column_bytes(s, 0) != PROTO_KEY_LEN) {
			rc = MAILLE_ECORRUPT;
			break;
		}
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			uint8_t(*nv)[PROTO_KEY_LEN] = realloc(v, nc * PROTO_KEY_LEN);
			if (!nv) {
				rc = MAILLE_ENOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		memcpy(v[n++], k, PROTO_KEY_LEN);
	}
	sqlite3_finalize(s);
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store_err(rc) : rc;
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
		return store_err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		bytes = sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = store_err(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
	}
	sqlite3_finalize(s);
	if (rc || n == 0)
		return rc;
	if ((uint64_t)n > st->meta.qn || (uint64_t)bytes > st->meta.qbytes)
		return MAILLE_ECORRUPT;
	rc = sqlite3_prepare_v2(st->db, "DELETE FROM quarantine WHERE territory = ?1", -1, &s,
	                        NULL);
	if (rc != SQLITE_OK)
		return store_err(rc);
	sqlite3_bind_blob(s, 1, key, PROTO_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_err(rc);
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
		return store_err(rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *k = sqlite3_column_blob(s, 0);
		if (!k || sqlite3_column_bytes(s, 0) != PROTO_KEY_LEN) {
			rc = MAILLE_ECORRUPT;
			break;
		}
		if (store_is_trusted(st, k) ||
		    (was_on && !(n_old && bsearch(k, old, n_old, PROTO_KEY_LEN, key_cmp))))
			continue;
		if (n_u == cap_u) {
			size_t nc = cap_u ? 2 * cap_u : 64;
			uint8_t(*nv)[PROTO_KEY_LEN] = realloc(u, nc * PROTO_KEY_LEN);
			if (!nv) {
				rc = MAILLE_ENOMEM;
				break;
			}
			u = nv;
			cap_u = nc;
		}
		memcpy(u[n_u++], k, PROTO_KEY_LEN);
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store_err(rc) : rc;
	if (rc || n_u == 0)
		goto out;
	tks = malloc(n_u * sizeof *tks);
	if (!tks) {
		rc = MAILLE_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_u; i++) {
		sqlite3_int64 pk;
		store_path_keys(u[i], "", 0, &pk, &tks[i]);
	}
	qsort(tks, n_u, sizeof *tks, i64_cmp);
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT rid, territory_key FROM entries"
	                        " INDEXED BY entries_path",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK) {
		rc = store_err(rc);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 tk = sqlite3_column_int64(s, 1);
		if (!bsearch(&tk, tks, n_u, sizeof *tks, i64_cmp))
			continue;
		if (n_r == cap_r) {
			size_t nc = cap_r ? 2 * cap_r : 256;
			sqlite3_int64 *nr = realloc(rids, nc * sizeof *nr);
			if (!nr) {
				rc = MAILLE_ENOMEM;
				break;
			}
			rids = nr;
			cap_r = nc;
		}
		rids[n_r++] = sqlite3_column_int64(s, 0);
	}
	rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store_err(rc) : rc;
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
		rc = store_err(sqlite3_errcode(st->db));
		goto out;
	}
	for (size_t i = 0; !rc && i < n_r; i++) {
		sqlite3_bind_int64(get, 1, rids[i]);
		rc = sqlite3_step(get);
		if (rc != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? MAILLE_ECORRUPT : store_err(rc);
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
			rc = store_err(rc);
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
			return store_err(rc);
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
			if (n_over == cap) {
				size_t nc = cap ? 2 * cap : 16;
				uint8_t(*nv)[PROTO_KEY_LEN] = realloc(over, nc * PROTO_KEY_LEN);
				if (!nv) {
					rc = MAILLE_ENOMEM;
					break;
				}
				over = nv;
				cap = nc;
			}
			memcpy(over[n_over++], k, PROTO_KEY_LEN);
		}
		sqlite3_finalize(s);
		rc = rc == SQLITE_DONE ? 0 : rc > 0 ? store_err(rc) : rc;
	}
	for (size_t i = 0; !rc && i < n_over; i++) {
		uint64_t n = 0, bytes = 0;
		rc = store_author_usage(st, over[i], &n, &bytes);
		st->n_ev = 0;
		if (!rc)
			rc = store_q_pick(st, over[i], qb[QB_ENTRIES], qb[QB_BYTES], &n, &bytes,
			                  NULL, -1, NULL, NULL);
		if (!rc)
			rc = store_q_evict(st);
	}
	free(over);
	if (!rc) {
		uint64_t n = st->meta.qn, bytes = st->meta.qbytes;
		st->n_ev = 0;
		rc = store_q_pick(st, NULL, qb[QB_TOTAL_ENTRIES], qb[QB_TOTAL_BYTES], &n, &bytes,
		                  NULL, -1, NULL, NULL);
		if (!rc)
			rc = store_q_evict(st);
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
		rc = store_exec(st->db, "DELETE FROM qview");
	if (!rc && st->n_trusted) {
		rc = sqlite3_prepare_v2(st->db, "INSERT INTO qview(key) VALUES(?1)", -1, &s, NULL);
		rc = rc == SQLITE_OK ? 0 : store_err(rc);
		for (size_t i = 0; !rc && i < st->n_trusted; i++) {
			sqlite3_bind_blob(s, 1, st->trusted[i], PROTO_KEY_LEN, SQLITE_STATIC);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			rc = rc == SQLITE_DONE ? 0 : store_err(rc);
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
		const size_t n_ops = st->n_ops, fts_len = st->fts_len, n_evicted = st->n_evicted;
		const store_meta meta = st->meta;
		const bool meta_dirty = st->meta_dirty;
		rc = store_stmt_run(st, STMT_SAVEPOINT);
		if (rc)
			return rc;
		rc = store_q_apply(st);
		if (!rc)
			rc = store_stmt_run(st, STMT_RELEASE);
		if (rc) {
			st->n_ops = n_ops;
			st->fts_len = fts_len;
			st->meta = meta;
			st->meta_dirty = meta_dirty;
			st->n_evicted = n_evicted;
			if (store_stmt_run(st, STMT_ROLLBACK_TO) != 0 ||
			    store_stmt_run(st, STMT_RELEASE) != 0)
				store_batch_break(st, rc);
		}
		return rc;
	}
	/* Read first, without the write lock: the daemon hands its view over every second or
	 * so, and it has rarely changed. */
	rc = store_meta_read(st, &m);
	if (!rc)
		rc = store_q_same(st, &m, &same);
	if (rc || same)
		return rc;
	rc = store_tx_begin(st);
	if (rc)
		return rc;
	rc = store_q_same(st, &st->meta, &same); /* another process may have written it */
	if (!rc && !same)
		rc = store_q_apply(st);
	if (rc) {
		if (!sqlite3_get_autocommit(st->db))
			store_stmt_run(st, STMT_ROLLBACK);
		store_fts_discard(st);
		st->n_evicted = st->n_evicted_done;
		return rc;
	}
	rc = store_finish(st, false);
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

int store_author_usage(store *st, const uint8_t territory[PROTO_KEY_LEN], uint64_t *ret_entries,
                       uint64_t *ret_bytes)
{
	sqlite3_stmt *s = NULL;
	int rc = store_stmt(st, STMT_AUTHOR_GET, &s);
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
		return store_err(rc);
	if (n < 0 || bytes < 0)
		return MAILLE_ECORRUPT;
	*ret_entries = (uint64_t)n;
	*ret_bytes = (uint64_t)bytes;
	return 0;
}

int store_quarantine_usage(store *st, uint64_t *ret_entries, uint64_t *ret_bytes)
{
	store_meta m;
	int rc = store_meta_get(st, &m);
	if (rc)
		return rc;
	*ret_entries = m.qn;
	*ret_bytes = m.qbytes;
	return 0;
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
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, hash, STORE_INVITE_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now_us);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)expires_us);
		sqlite3_bind_int64(s, 4, uses);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_err(rc);
	return sqlite3_changes(st->db) == 1 ? 0 : MAILLE_EEXIST;
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
		return store_err(src);
	}
	rc = store_commit(st);
	if (!rc)
		*ret_result = result;
	return rc;
}
