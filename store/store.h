/* store/store.h: a node's catalogue in one SQLite file (WAL mode), schema version 7 (PRAGMA
 * user_version; store_open migrates an older file, refuses a newer one).
 *
 * Holds the live set of entries (PROTOCOL.md §1.5): for each (territory, path) only the entry
 * with the greatest (timestamp, id) is kept; a superseded version is deleted whatever the order
 * of arrival, and a tombstone wins like any entry and stays so the record cannot come back.
 * The file runs with secure_delete, and the full-text index is optimised after a transaction
 * that deleted indexed text, so a deleted record's words are gone from the file's bytes. That
 * optimisation rewrites the whole index (SQLite 3.40's FTS5 cannot remove a posting in
 * place): ~0.4 s of CPU at 100k entries, whatever the number of deletions in the transaction,
 * so edits and tombstones that arrive together are best put in one batch.
 * Full-text search uses FTS5 with the store's French tokenizer, maille_fr (store/analyse.h:
 * case and accents folded, elisions dropped, French stems: l'expérience = experiences);
 * the indexed text is computed from the stored entries (it is not stored twice), so any other
 * program that reads the file's index needs the store's maille_text() SQL function and that
 * tokenizer.
 *
 * The entries of territories the node does not trust are kept in a quarantine, within bounds
 * (PROTOCOL.md §4.6). The node's own tables never replicate: the configured peers, the
 * territories it trusts explicitly, the hashes of the invitations it handed out.
 *
 * Depends on proto/, SQLite (with FTS5) and libsodium. Never logs, never touches the network.
 * A store handle is used by one thread at a time. SQLite error codes are translated into
 * maille codes here only: callers see maille codes and this header, never SQLite. */
#ifndef MAILLE_STORE_STORE_H
#define MAILLE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/entry.h"
#include "proto/rbsr.h"

typedef struct store store;

enum store_open_flags {
	STORE_OPEN_EXISTING = 0, /* MAILLE_ENOTFOUND if the file does not exist */
	STORE_OPEN_CREATE = 1,   /* create the file (MAILLE_EEXIST if it exists) */
};

/* Opens (or creates) the store at path and migrates its schema to the current version
 * (PRAGMA user_version). A file that is not a Maille store (not SQLite, another application's,
 * shorter than its SQLite header says: store_diagnose tells which), or is from a newer
 * version, gives MAILLE_ECORRUPT / MAILLE_EVERSION and is left untouched. STORE_OPEN_EXISTING
 * never creates a file; STORE_OPEN_CREATE creates it with mode 0600 and removes it again if
 * the set-up fails (MAILLE_ENOTFOUND if its directory does not exist). *ret is set only on
 * success. */
int store_open(const char *path, int flags, store **ret);
/* Why the file at path does not open as a store, as a sentence in ret (at most cap bytes,
 * NUL-terminated, in English): missing, not an SQLite database, another application's, shorter
 * than its header says. Reads the file's first 100 bytes and never writes; not to be called
 * while this process has the file open in a store (closing its own descriptor would drop the
 * locks SQLite holds on it: call it after store_open failed). Returns the code store_open
 * gives for what it saw (MAILLE_ENOTFOUND, MAILLE_ECORRUPT), or 0 when the header is sound
 * (the damage, if any, is further in: store_check finds it). MAILLE_EINVAL. */
int store_diagnose(const char *path, char *ret, size_t cap);
/* Checkpoints the WAL into the main file and closes. NULL is a no-op. */
/* The schema version the file had when this handle opened it, when the handle migrated it
 * (0 otherwise, and for a file it created). From a version below 7 the search index was
 * rebuilt for the French analysis, in the migration's transaction: callers say so. */
int store_upgraded_from(const store *st);

void store_close(store *st);

/* Batched writes: every put between begin and commit is one transaction. Without begin, each
 * put is its own transaction. commit runs the FTS optimise when the batch deleted text.
 * begin/commit give MAILLE_ESTATE when a batch is already / not open. If commit fails, the
 * batch is rolled back. A put inside a batch that fails leaves the batch intact; if SQLite
 * itself fails in a way that cannot be undone (I/O error, disk full), the batch is rolled back
 * and the following puts and commit return the error. Closing with a batch open rolls it back. */
int store_begin(store *st);
int store_commit(store *st);
void store_rollback(store *st);

enum store_put_result {
	STORE_PUT_LIVE = 0,       /* the entry is now the live version of its (territory, path) */
	STORE_PUT_SUPERSEDED = 1, /* an entry with a greater (timestamp, id) is live: dropped */
	STORE_PUT_DUPLICATE = 2,  /* already stored */
};

/* Decodes, verifies (canonical form, signature, id), checks the timestamp against now_us and
 * the body of a document against nothing more than "is a map" (schema is the publisher's
 * business: a peer's entry of a newer schema version must still replicate), then applies the
 * live-set rule. A tombstone's body must be exactly the empty map. On failure nothing is
 * written. *ret_result may be NULL.
 *
 * Member entries (PROTOCOL.md §4.4), signed by another key than their territory's: the
 * capability reference must be members/<signer hex> (MAILLE_EAUTH otherwise, and for a
 * territory's own entry that has one). While the live entry at that path in the territory is
 * missing, the entry is stored "held": in the live set and the fingerprint, never listed,
 * searched, found by path or indexed. When it is a document that covers the entry (window,
 * prefix, not a reserved path) the entry is stored; otherwise (a tombstone, a window or
 * prefix that excludes it) MAILLE_EDENIED. When a new version of a capability becomes live,
 * every entry of that member is decided again: a held one it covers is released (and waits
 * for store_index_pending), one it does not cover leaves the live set, in the same
 * transaction. An entry of a territory the quarantine does not trust (store_set_quota) may
 * evict others in the same transaction, or not fit: MAILLE_EQUOTA. */
int store_entry_put(store *st, const uint8_t *raw, size_t len, uint64_t now_us, int *ret_result);

/* Same, for an entry the caller has already decoded and verified (e.g. on a worker thread):
 * e was decoded from raw[0..len) and id is its id; neither is checked again. The body checks
 * still apply (MAILLE_EPROTO), and a timestamp past INT64_MAX gives MAILLE_EFUTURE. */
int store_entry_put_verified(store *st, const proto_entry *e, const uint8_t *raw, size_t len,
                             const uint8_t id[PROTO_ID_LEN], int *ret_result);

/* What a document's put computes before it writes (its body decoded, the columns and the
 * full-text it is filed under, the words the index's tokenizer cuts from that text) done
 * apart, on any thread, so that a caller storing many documents (node/service/bulk.h) does
 * that work on its signing threads and the store's thread only writes. The words are the
 * tokenizer's own (store/analyse.h): the index and the vocabulary get what a plain put gives
 * them. A preparer is one thread's (its French stemmer is not thread-safe); a prepared
 * document holds one document at a time, and is the caller's to free. MAILLE_ENOMEM. */
typedef struct store_analyser store_preparer; /* store/analyse.h's analyser */
typedef struct store_prepared store_prepared;
int store_preparer_new(store_preparer **ret);
void store_preparer_free(store_preparer *pr);
int store_prepared_new(store_prepared **ret);
void store_prepared_free(store_prepared *p);
/* e's document prepared into p (what p held before is dropped): 0, or the error its put
 * would give a body it refuses (MAILLE_EPROTO: not a document, or not a map), MAILLE_ENOMEM;
 * p is then not prepared, and a put given it does the work itself. */
int store_doc_prepare(store_preparer *pr, const proto_entry *e, store_prepared *p);
/* store_entry_put_verified with the work store_doc_prepare(pr, e, p) did for this same e (p
 * NULL, or not prepared: the put does it). */
int store_entry_put_prepared(store *st, const proto_entry *e, const uint8_t *raw, size_t len,
                             const uint8_t id[PROTO_ID_LEN], const store_prepared *p,
                             int *ret_result);

/* A stored entry as handed to callers. Every pointer is valid only during the callback, or
 * until store_row_done() for rows returned by store_entry_get*(). */
typedef struct store_row {
	uint8_t id[PROTO_ID_LEN];
	const uint8_t *raw; /* the signed encoding */
	size_t raw_len;
	proto_entry entry; /* decoded from raw (borrows it) */
	const char *snippet; /* search only: text with matches between "\x02" and "\x03" */
	double rank;         /* search only: bm25, lower is better */
	void *priv_;         /* store_entry_get*(): the copy of raw the row owns */
	uint64_t rid;        /* the row's place in arrival order: greater for every later put
	                      * (never reused, see store_since) */
	bool newest_first;   /* search only: the query matched too many entries to rank them
	                      * (STORE_SEARCH_RANKED_MAX): rows come most recently stored first
	                      * and rank is 0 */
} store_row;

/* Frees what a row from store_entry_get*() owns and zeroes it. NULL is a no-op. */
void store_row_done(store_row *row);

/* The live entry at (territory, path). MAILLE_ENOTFOUND if none (a tombstone IS returned:
 * check row->entry.kind). */
int store_entry_get(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                    store_row *ret);
/* How many versions of the record at (territory, path) this node has stored (each document
 * that became live there, outside the quarantine; a record here before schema version 7
 * counts as one): *ret, 0 when none. */
int store_versions(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                   uint64_t *ret);
/* The entry with this id, or whose hex id starts with this prefix (>= 8 hex digits; an
 * ambiguous prefix gives MAILLE_EINVAL). */
int store_entry_get_id(store *st, const char *hex_or_prefix, store_row *ret);
/* Live documents (not tombstones) at this path in any territory, preferred territory first.
 * Calls cb for each; stops early if cb returns non-zero (that value is returned). */
typedef int (*store_row_cb)(const store_row *row, void *ctx);
int store_entry_find_path(store *st, const char *path, const uint8_t *prefer_territory,
                          store_row_cb cb, void *ctx);

/* Filters for list and search; NULL fields match everything, a NULL filter too. */
typedef struct store_filter {
	const char *type;
	const char *theme;
	const char *status;
	const char *licence;                  /* content_licence, or licence for components */
	const uint8_t *territory;             /* PROTO_KEY_LEN bytes */
	bool include_tombstones;              /* list only */
	bool trusted_only;                    /* only the territories of store_set_trusted */
	bool include_federation;              /* territory/member/vouch/node documents too (a
	                                         tombstone has no type: never one of them) */
} store_filter;

/* Live, shown documents (held ones are not) whose body names target (store/store_links.c;
 * PROTOCOL.md §5.3): an act's target as "<64 hex key>/<path>", a catalogue reference as
 * written; with prefix, every name that starts with target (e.g. "<hex>/" for every record of
 * a territory). type (NULL: any) keeps documents of that type; of f only territory and
 * trusted_only are used. Oldest first, each document once. */
int store_links(store *st, const char *target, bool prefix, const char *type,
                const store_filter *f, store_row_cb cb, void *ctx);

/* The comments (or any record) this node hides from its pages, locally: never published
 * (PROTOCOL.md §5.4). store_unhide: MAILLE_ENOTFOUND when it was not hidden; store_hidden:
 * 0 and the reason when hidden, MAILLE_ENOTFOUND otherwise. */
int store_hide(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
               const char *reason, uint64_t now_us);
int store_unhide(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path);
int store_hidden(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                 char *ret_reason, size_t cap, uint64_t *ret_at);

/* The territories a filter's trusted_only keeps (n keys of PROTO_KEY_LEN bytes, copied): this
 * handle's view of whom its node trusts (node/service/trust.c computes it). Until it is set, a
 * trusted_only filter keeps nothing. On a handle with a quota (store_set_quota), it is also
 * the quarantine's view, written into the file when it differs from the one there (see
 * store_set_quota): then it can fail like a write (MAILLE_EBUSY, MAILLE_EIO, ...), and the
 * handle keeps the new keys for its filters all the same. MAILLE_ENOMEM. */
int store_set_trusted(store *st, const uint8_t *keys, size_t n);

/* Live documents matching f, newest first. */
int store_list(store *st, const store_filter *f, store_row_cb cb, void *ctx);

/* Above this many matching entries, store_search returns the most recent matches instead of
 * the best ones (see store_search). */
#define STORE_SEARCH_RANKED_MAX 10000

/* Full-text search over every text field the record tables mark as searched (proto/record.h:
 * title, summary, description, keywords, then the type's own fields; every language).
 * query is what a person typed: words (all must match, last one as a prefix), analysed as the
 * index is (store/analyse.h); FTS5 syntax characters are treated as separators, never as operators, so no
 * query can fail to parse. At most limit rows (limit 0 = 20, at most MAILLE_SEARCH_LIMIT_MAX),
 * filtered by f. Inside a batch, the batch's puts are searched too.
 *
 * Order. Ranking costs about a microsecond per match, so ranking a frequent word (one in
 * every entry, a short prefix) would take 150 ms and more at 100k entries. So a query is
 * ranked, best first (bm25, title weighing most), when it cannot match more than
 * STORE_SEARCH_RANKED_MAX entries: its last word occurs at most that many times in the
 * index, or its other words match at most that many entries. Otherwise its matches come
 * most recently stored first (the order in which this node received them, not their
 * timestamps), which lets the search stop after limit rows; the rows say so
 * (row->newest_first, rank 0), so that a caller can tell the user ("showing the most recent
 * matches: add a word to narrow the search").
 *
 * Prefixes. When the last word starts very many words of the index (one to three letters
 * being typed: "d", "de", "pro"), the matches are the same, but the other words find the
 * candidate entries and the last word is tested on each of them, because the index would
 * first gather every occurrence of every such word (60 ms for "de" at 100k entries, whatever
 * the other words). Rows are then ranked by the other words and their snippets show those;
 * such a word alone lists the entries that have it, newest first.
 *
 * Filters apply after the choice: a filter that keeps few of a frequent word's matches makes
 * the walk longer, never wrong. Over 100k generated entries (this machine, 2 cores): a query
 * matching up to 1000 entries in under 7 ms, any other in under 30 ms, unfiltered.
 * MAILLE_EINVAL for a query with no word, or that is not valid UTF-8. */
/* A record a query matches, as store_search_matches gives it: its filter columns. Strings and
 * the key are valid during the callback only. */
typedef struct store_match {
	const char *type, *status, *licence, *sw_licence; /* NULL when the record has none */
	const uint8_t *territory;                          /* PROTO_KEY_LEN bytes */
	const char *themes; /* its themes separated by "\x1f", "" for none */
} store_match;
typedef int (*store_match_cb)(const store_match *m, void *ctx);

/* The records query matches under f (as store_search would find them), in no particular order
 * and unranked (for a result count and facet counts that follow a search): at most cap of them
 * to cb (a non-zero return stops the walk and is returned), *ret_n how many were given and
 * *ret_more whether more match. query NULL: the records f lists (store_list's, for the facet
 * counts of a catalogue page with filters and no words). Errors as store_search's. */
int store_search_matches(store *st, const char *query, const store_filter *f, size_t cap,
                         store_match_cb cb, void *ctx, size_t *ret_n, bool *ret_more);

/* Suggestions for a query that finds nothing: the query with each word the index does not
 * hold replaced by the nearest word the records hold (table vocab: folded, unstemmed; by edit
 * distance, at most 1 for a word of up to 4 letters and 2 otherwise, then by how many records
 * have it), the first such word's STORE_SUGGEST_MAX nearest giving as many suggestions. Each
 * is a NUL-terminated string of at most STORE_SUGGEST_LEN - 1 bytes; *ret_n of them (0: none
 * near enough). MAILLE_EINVAL for a query that is not UTF-8. Reads the whole vocabulary: only
 * for a query without results. */
#define STORE_SUGGEST_MAX 3
#define STORE_SUGGEST_LEN 256
int store_suggest(store *st, const char *query, char ret[][STORE_SUGGEST_LEN], size_t cap,
                  size_t *ret_n);

int store_search(store *st, const char *query, const store_filter *f, size_t limit,
                 store_row_cb cb, void *ctx);

/* Number of live entries (tombstones included) and of live documents. */
int store_count(store *st, uint64_t *ret_entries, uint64_t *ret_documents);

/* Name of a territory from its `territory` record (its `name`, French preferred), written to
 * ret as a NUL-terminated string cut on a character boundary to fit cap. Only a record signed
 * by the territory key itself counts. MAILLE_ENOTFOUND if there is none. */
int store_territory_name(store *st, const uint8_t territory[PROTO_KEY_LEN], char *ret, size_t cap);

/* Re-verifies every stored entry: canonical decoding, signature, id = BLAKE2b(raw), decoded
 * columns agree with raw, one live entry per (territory, path), the full-text index agrees,
 * the kept sum and count of the ids (store_fingerprint) are those of the entries and the
 * next rid is greater than every rid, the usage counts and the quarantine (PROTOCOL.md
 * §4.6); then SQLite's own integrity check. A part SQLite cannot read (a damaged file) is
 * reported, naming it and in SQLite's words, and the other parts still run.
 * cb is called once per problem (id may be NULL for problems not tied to one entry); every
 * MAILLE_ECORRUPT comes with at least one call.
 * Returns 0 if all is well, MAILLE_ECORRUPT if any problem was reported, or another error if
 * the check itself could not run. *ret_checked receives the number of entries examined. */
typedef void (*store_check_cb)(const uint8_t *id, const char *path, const char *problem, void *ctx);
int store_check(store *st, store_check_cb cb, void *ctx, uint64_t *ret_checked);

/* ---- reconciliation and change feed (PROTOCOL.md §3) ------------------------------------ */

/* The whole-set fingerprint of the live set (tombstones included): the first 16 bytes of
 * SHA-256(sum of the ids as 256-bit little-endian integers mod 2^256 || varint(count)), the
 * value rbsr_set_fingerprint_all gives for the same items, and the count. O(1): the sum and
 * the count are kept by every put, in the same transaction. */
int store_fingerprint(store *st, uint8_t ret_fp[RBSR_FP_LEN], uint64_t *ret_count);

/* Every live item (timestamp, id), ascending (rbsr_item_cmp), in a malloc'd array the caller
 * frees (NULL when there is none). */
int store_items(store *st, rbsr_item **ret, size_t *ret_n);

/* Whether an entry with this id is stored: 0 if it is, MAILLE_ENOTFOUND if not. */
int store_has(store *st, const uint8_t id[PROTO_ID_LEN]);

/* The signed bytes of the entry with this id, copied into a malloc'd buffer the caller frees.
 * MAILLE_ENOTFOUND if it is not stored (any more). */
int store_raw_get(store *st, const uint8_t id[PROTO_ID_LEN], uint8_t **ret, size_t *ret_len);

/* Arrival order. Every row gets a rid greater than that of any row ever stored in this file
 * (a rid is never reused, even when the row with the greatest one was superseded).
 * store_last_rid gives the greatest rid given so far (0 for none); store_since calls cb for
 * the live rows whose rid is greater than after, in rid order, at most limit of them (0 = no
 * limit): what arrived since a point, whoever wrote it. */
int store_last_rid(store *st, uint64_t *ret);
int store_since(store *st, uint64_t after, size_t limit, store_row_cb cb, void *ctx);

/* A number that changes when another connection (another process, or another handle of this
 * process) commits a change to the file: SQLite's PRAGMA data_version. */
int store_data_version(store *st, uint64_t *ret);

/* ---- configured peers (maille peer add/remove) -------------------------------------------- */

#define STORE_PEER_ADDR_MAX 64u /* bytes of "host:port" */

/* MAILLE_EEXIST if addr is already configured, MAILLE_EINVAL if longer than
 * STORE_PEER_ADDR_MAX or empty, not UTF-8, or with a control character, or if now_us is
 * past INT64_MAX. */
int store_peer_add(store *st, const char *addr, uint64_t now_us);
/* MAILLE_ENOTFOUND if addr is not configured. */
int store_peer_remove(store *st, const char *addr);
/* In the order they were added. cb's strings are valid during the call only; a non-zero return
 * stops and is returned. */
typedef int (*store_peer_cb)(const char *addr, uint64_t added_us, void *ctx);
int store_peer_list(store *st, store_peer_cb cb, void *ctx);

/* ---- explicit trust (maille trust/untrust) ---------------------------------------------------
 * The territories this node's operator trusts by hand. Local to the node: never an entry,
 * never replicated (vouches are what other nodes see, PROTOCOL.md §4.2). */

/* MAILLE_EEXIST if key is already trusted, MAILLE_EINVAL if now_us is past INT64_MAX. */
int store_trust_add(store *st, const uint8_t key[PROTO_KEY_LEN], uint64_t now_us);
/* MAILLE_ENOTFOUND if key is not trusted. */
int store_trust_remove(store *st, const uint8_t key[PROTO_KEY_LEN]);
/* In key order (memcmp). cb's key is valid during the call only; a non-zero return stops and
 * is returned. */
typedef int (*store_trust_cb)(const uint8_t key[PROTO_KEY_LEN], uint64_t added_us, void *ctx);
int store_trust_list(store *st, store_trust_cb cb, void *ctx);

/* ---- indexing later ------------------------------------------------------------------------
 * A bulk sync stores documents faster when their full-text indexing is left for later: with
 * store_set_index_later(st, true), the documents this handle puts are stored with everything
 * but their index entries (search does not find them yet; everything else sees them), and
 * store_index_pending() indexes them later, oldest first, up to max per call, in its own
 * transaction (MAILLE_ESTATE inside a batch). store_unindexed() counts those waiting. A
 * document superseded before it was indexed leaves nothing in the index. The waiting ones
 * survive a restart. */
void store_set_index_later(store *st, bool later);
int store_index_pending(store *st, size_t max, size_t *ret_done);
int store_unindexed(store *st, uint64_t *ret);

/* ---- the quarantine of untrusted territories (PROTOCOL.md §4.6) ---------------------------
 * The store counts the entries and bytes it holds per territory (kept by every put, like the
 * fingerprint), and those of the quarantine: the entries of the territories the quarantine's
 * view does not trust. The view and the bounds are part of the file, so that every handle of
 * every process puts the same way: the handle that sets a quota (the daemon's, `maille
 * sync`'s) writes them, from its store_set_trusted keys and its bounds, whenever they differ
 * from the file's. Then the territories it now trusts leave the quarantine, those it no
 * longer trusts enter it, and the bounds are enforced again. Each bound is a count of entries
 * or of bytes of encoded entries, 0 = none.
 *
 * The quarantine keeps its lowest (timestamp, id) entries: a put takes its place in that
 * order; while its territory's bound, then the total, is exceeded, the highest quarantined
 * entry is evicted (deleted like a superseded version, in the put's transaction: text, fts,
 * fingerprint and usage counts follow; a member entry whose capability is evicted is held
 * again); when the newcomer is the highest entry left, it does not fit: MAILLE_EQUOTA, and
 * nothing is written. Entries of trusted territories are never refused nor evicted for it. */
typedef struct store_quota {
	uint64_t entries, bytes;             /* of each untrusted territory */
	uint64_t total_entries, total_bytes; /* of all untrusted territories together */
} store_quota;
/* This handle sets the file's quarantine with these bounds (values past INT64_MAX count as
 * INT64_MAX); NULL: it no longer does (the file keeps what it has). Written at once when
 * store_set_trusted has run on this handle, else at its first call; errors as
 * store_set_trusted's. */
int store_set_quota(store *st, const store_quota *q);
/* What territory has stored now (0 and 0 for a territory never seen). */
int store_author_usage(store *st, const uint8_t territory[PROTO_KEY_LEN], uint64_t *ret_entries,
                       uint64_t *ret_bytes);
/* What the quarantine holds now: entries and bytes of all untrusted territories together. */
int store_quarantine_usage(store *st, uint64_t *ret_entries, uint64_t *ret_bytes);
/* The ids this handle evicted for the quarantine in committed transactions since the last
 * call (at most STORE_EVICTED_MAX: beyond, they are not remembered), in a malloc'd array of
 * *ret_n ids the caller frees (NULL for none). A node offered one again refuses it again, so
 * a caller may remember them to skip that work. MAILLE_ENOMEM. */
#define STORE_EVICTED_MAX 65536u
int store_evicted_take(store *st, uint8_t **ret_ids, size_t *ret_n);

/* ---- invitations this node handed out (PROTOCOL.md §4.5) -----------------------------------
 * Only the hash of each secret is kept (proto_invite_secret_hash). */
#define STORE_INVITE_HASH_LEN 32u
enum store_invite_result {
	STORE_INVITE_OK = 0,      /* redeemed now: one use fewer */
	STORE_INVITE_UNKNOWN = 1, /* no invitation has this secret */
	STORE_INVITE_USED = 2,    /* every use was redeemed already */
	STORE_INVITE_EXPIRED = 3,
};
/* MAILLE_EEXIST if the hash is there already; MAILLE_EINVAL for uses 0 or a time past
 * INT64_MAX. */
int store_invite_add(store *st, const uint8_t hash[STORE_INVITE_HASH_LEN], uint64_t now_us,
                     uint64_t expires_us, unsigned uses);
/* Redeems one use of the invitation with this hash for the node whose key is by, in one
 * transaction (two redeemers of the last use: one gets STORE_INVITE_USED). *ret_result is an
 * enum store_invite_result. MAILLE_ESTATE inside a batch. */
int store_invite_redeem(store *st, const uint8_t hash[STORE_INVITE_HASH_LEN], uint64_t now_us,
                        const uint8_t by[PROTO_KEY_LEN], int *ret_result);

#endif
