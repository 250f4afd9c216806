/* store/internal.h: what the files of store/ share, included by them only: struct store, the
 * statements of the hot paths, the meta row, and the store__ functions one file defines and
 * others call (listed below under the file that defines each). The rest of the program sees
 * store.h only.
 *
 * Layout (schema version 7, PRAGMA user_version), 16 KiB pages:
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
 *   versions      (territory, path, n): how many versions of the record this node has stored
 *                 outside the quarantine (store_versions).
 *   entries_text  a view: rid and the five full-text columns of every document, computed
 *                 from raw by maille_text(), a function every connection of the store
 *                 registers (store_open).
 *   vocab         the folded, unstemmed words the index holds, for store_suggest.
 *   entries_facets an index of the filter columns by rid, for a search's counts.
 *   fts           FTS5 over title, summary, description, keywords and details (the type's
 *                 own text fields), tokenizer maille_fr (store_tokenize.c), rowid = entries.rid,
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
 *     in memory, it is written back before COMMIT: see store__tx_begin);
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
 * search or check need them), never inside a savepoint: see store__fts_flush for why.
 *
 * Search: see store_search_plan_make (store_query.c). */
#ifndef MAILLE_STORE_INTERNAL_H
#define MAILLE_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"
#include "analyse.h"
#include "proto/array.h"
#include "proto/error.h"
#include "proto/member.h"
#include "proto/value.h"

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
	STMT_LINK_INS,
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
	STMT_VERSION_ADD,
	STMT_VERSION_GET,
	STMT_VOCAB_INS,
	STMT_VOCAB_DEL,
	STMT_VOCAB_HAS_TOKEN,
	STMT_N_
};

/* The full-text columns, in table order. */
enum { TEXT_TITLE, TEXT_SUMMARY, TEXT_DESCRIPTION, TEXT_KEYWORDS, TEXT_DETAILS, TEXT_N_ };

/* The index's tokenizer (store_tokenize.c), the name its table is created with. */
#define STORE_TOKENIZER "maille_fr"

typedef struct store_text {
	char *p;
	size_t len, cap;
} store_text;

/* A full-text change waiting for the end of the put or batch (see store__fts_flush). */
typedef struct store_fts_op {
	sqlite3_int64 rid;
	bool insert;             /* otherwise the deletion of what rid was indexed with */
	size_t off;              /* the TEXT_N_ texts at fts_buf + off, each NUL-terminated */
	size_t len[TEXT_N_];
	/* an insertion whose words were cut beforehand (store_doc_prepare): after the texts,
	 * each text's words as store__fts_pre_words reads them, words_len[k] bytes for text k */
	bool pre;
	size_t words_len[TEXT_N_];
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
	/* The meta row during a write transaction: read by store__tx_begin, changed by each put,
	 * written back by store__finish before COMMIT (store__meta_flush), so that a batch of 1000
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
	/* The index's tokenizer (store_tokenize.c), an instance of the store's own: queries,
	 * snippets and checks cut text exactly as the index did. */
	fts5_tokenizer tok_api;
	Fts5Tokenizer *tok;
	/* The words the index's tokenizer met, to be added to table vocab (store__vocab_note). */
	struct store_vocab *vocab;
	/* What the index's tokenizer is cutting a document for: its words are learnt only while
	 * the index adds or removes text (not for a check or a snippet). */
	enum { STORE_FTS_IDLE, STORE_FTS_ADDING, STORE_FTS_REMOVING } fts_mode;
	/* the insertion being written when its words were cut beforehand (store__fts_flush) */
	const store_fts_op *fts_pre;
	int upgraded_from; /* store_upgraded_from */
};

/* The columns derived from a document's body. Strings borrow the decoded body. */
typedef struct store_doc {
	const char *type, *status, *licence, *sw_licence, *title, *summary;
	const proto_value *themes; /* string or array of strings, or NULL */
	const proto_value *body;   /* the records it names: store__links_put */
	bool fed;
	/* a prepared document's (store_doc_prepare): its full-text and the words of it, which
	 * the put queues instead of st->text's; NULL otherwise */
	const struct store_text *text;
	const char *words;
	const size_t *words_len;
} store_doc;

/* A document prepared apart (store.h: store_doc_prepare). */
struct store_prepared {
	proto_arena arena;        /* the body, decoded */
	store_doc doc;            /* its columns, borrowing the body; doc.text is text */
	store_text text[TEXT_N_]; /* its full-text columns */
	char *words;              /* text[k]'s words: words_len[k] bytes, one text after another */
	size_t words_len[TEXT_N_], words_n, words_cap;
	bool ok;                  /* prepared (else the put decodes the body itself) */
};


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

/* What a put or a quarantine change inside a batch restores when it is undone, besides its
 * SQL: the full-text changes it queued, the meta row in memory (changed after the rows),
 * the ids it evicted (store__mark, store__savepoint_end). */
typedef struct store_mark {
	size_t n_ops, fts_len, n_evicted;
	store_meta meta;
	bool meta_dirty;
} store_mark;

/* A search whose snippets store_snippet_make writes (FTS5 did not run the query). */
typedef struct store_rows_snip {
	store *st;
	const char *phrase;
	size_t len;
} store_rows_snip;

/* store_open.c */
int store__err(int rc);
int store__stmt(store *st, enum store_stmt_id k, sqlite3_stmt **ret);
int store__stmt_run(store *st, enum store_stmt_id k);
int store__step_one(store *st, sqlite3_stmt *s);
int store__step_int64(sqlite3_stmt *s, int64_t *ret);
int store__exec(sqlite3 *db, const char *sql);
void store__path_keys(const uint8_t territory[PROTO_KEY_LEN], const char *path,
                      size_t path_len, sqlite3_int64 *ret_path_key,
                      sqlite3_int64 *ret_territory_key);
void store__bind_path(sqlite3_stmt *s, const uint8_t territory[PROTO_KEY_LEN],
                      const char *path, size_t path_len);
int store__bind_text(sqlite3_stmt *s, int i, const char *text);

/* store_put.c */
void store__sum_add(uint8_t sum[STORE_SUM_LEN], const uint8_t id[STORE_SUM_LEN]);
void store__idsum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void store__idsum_final(sqlite3_context *ctx);
int store__meta_read(store *st, store_meta *ret);
int store__meta_flush(store *st);
int store__meta_get(store *st, store_meta *ret);
int store__tx_begin(store *st);
int store__finish(store *st, bool deleted_text);
int store__member_check(store *st, const proto_entry *e, bool *ret_held);
int store__q_evict(store *st);
void store__batch_break(store *st, int rc);
void store__mark(const store *st, store_mark *ret);
int store__savepoint_end(store *st, const store_mark *m, int rc);

/* store_quarantine.c */
int store__qview_has(store *st, const uint8_t territory[PROTO_KEY_LEN], bool *ret);
int store__q_plan(store *st, const proto_entry *e, const uint8_t id[PROTO_ID_LEN],
                  size_t len, store_put_plan *plan);
void store__trusted_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* store_links.c */
int store__links_put(store *st, sqlite3_int64 rid, const store_doc *doc);
int store__links_fill(store *st);

/* store_fts.c */
int store__fts_flush(store *st, bool *ret_deleted);
void store__fts_discard(store *st);
int store__fts_sync(store *st);
int store__doc_extract(store_text text[TEXT_N_], const proto_value *body, store_doc *doc);
int store__text_of_raw(store_text text[TEXT_N_], const uint8_t *raw, size_t len,
                       bool *ret_doc);
/* The text a document stored at rid is indexed with, from its raw bytes (the index is told
 * what it removes, external content); MAILLE_ECORRUPT when the row is missing or is not a
 * document (callers ask only for rows their kind column says are documents). */
int store__text_of_rid(store *st, sqlite3_int64 rid, store_text text[TEXT_N_]);
int store__text_fn_load_raw(store *st, const uint8_t *raw, size_t len);
int store__text_fn_load(store *st, sqlite3_value *v);
void store__text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);
const char *store__doc_theme(const store_doc *doc, size_t i);
int store__fts_queue(store *st, sqlite3_int64 rid, bool insert, const store_text *text,
                     const char *words, const size_t *words_len);
/* The words cut beforehand for text[0..n) of the insertion being written (st->fts_pre), as
 * store_analyser_run would cut them: true and *ret, *ret_len (see store_doc_prepare's
 * layout); false when there are none for this text (the tokenizer cuts it then). */
bool store__fts_pre_words(const store *st, const char *text, size_t n, const char **ret,
                          size_t *ret_len);
/* One word of such a list at words[*off..len): false past the end. */
bool store__pre_word_next(const char *words, size_t len, size_t *off, const char **tok,
                          size_t *tok_len, const char **word, size_t *word_len, size_t *start,
                          size_t *end);

/* store_tokenize.c */
int store__tokenizer_open(store *st);
/* The analyser of st's own tokenizer instance. */
store_analyser *store__tok_analyser(store *st);
/* Remembers word[0..n), a folded word the index's tokenizer met in a document; the words not
 * known yet are written to table vocab by store__vocab_flush, in the transaction that
 * indexes them (store__fts_flush, the migration's rebuild). */
int store__vocab_note(store *st, const char *word, size_t n);
/* Remembers word[0..n) (token tok[0..tok_n)), a folded word of a text leaving the index:
 * store__vocab_flush removes it from vocab when no indexed text has its token any more, so
 * that a deleted record's words leave the file (PROTOCOL.md §1.5, real deletion). */
int store__vocab_gone(store *st, const char *word, size_t n, const char *tok, size_t tok_n);
int store__vocab_flush(store *st);
/* After a rollback: the words written since may be gone from the table. */
void store__vocab_forget(store *st);
void store__vocab_free(store *st);

/* store_query.c */
int store__rows_run(sqlite3_stmt *s, bool search, bool newest_first,
                    const store_rows_snip *snip_of, store_row_cb cb, void *ctx,
                    size_t *ret_rows);
int store__query_token_cb(void *ctx, int tflags, const char *token, int n, int start, int end);
void store__has_prefix_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);

#endif
