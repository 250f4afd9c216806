/* Unit tests of store/: the live-set rule in every arrival order, refusals that write nothing,
 * full-text search (diacritics, prefixes, hostile queries, filters; over the bulk load, the
 * ways frequent words and prefixes are searched), listing, lookups, real deletion (the words
 * of a deleted or superseded record are absent from the file's bytes, and the text is stored
 * once) and store_check() against entries altered behind the store's back; arrival order (rid)
 * and the change feed, the kept fingerprint against rbsr's over store_items (after failed puts
 * and rolled-back batches too), migration of a version-1 file, configured peers. Each test
 * works in its own temporary directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "proto/coop.h"
#include "proto/member.h"
#include "proto/error.h"
#include "proto/value.h"
#include "store/store.h"
#include "tests/fixture/entry_fixture.h"
#include "tests/fixture/tmpdir.h"

#define NOW 1760000000000000ull /* µs: late 2025, the "current time" of every test */

typedef fixture_key key;

/* The fields a test body may set; NULL fields are left out. */
typedef struct doc {
	const char *type, *title, *title_en, *summary, *description, *status, *licence;
	const char *sw_licence, *theme, *theme2, *keyword, *name;
	const char *difficulties, *risk; /* a REX's field, a use case's nested risks[].description */
	/* an act's target (PROTOCOL.md §5): body[about] = {territory: about_key, path: about_path} */
	const char *about;
	const fixture_key *about_key;
	const char *about_path;
	const char *related, *related2; /* a call's related records */
} doc;

/* Turns a current store file back into the layout of schema version 1 (migrations 2 to 9
 * undone; the index of migration 8 is left, which this connection, without its tokenizer,
 * cannot drop: migration 8 replaces it), to test the migrations on it. */
#define TO_VERSION_1                                                                               \
	"DROP TABLE links; DROP TABLE hidden;"                                                         \
	"DROP TABLE vocab; DROP INDEX entries_facets; DROP TABLE versions;"                            \
	"DROP TABLE quarantine; DROP TABLE qview;"                                                     \
	"DROP INDEX entries_capref; ALTER TABLE entries DROP COLUMN held;"                             \
	"DROP TABLE authors; DROP TABLE invites;"                                                      \
	"DROP INDEX entries_unindexed; DROP VIEW entries_text;"                                        \
	"ALTER TABLE entries DROP COLUMN unindexed;"                                                   \
	"CREATE VIEW entries_text(rid, title, summary, description, keywords) AS"                      \
	" SELECT rid, maille_text(raw, 'title'), maille_text(raw, 'summary'),"                         \
	" maille_text(raw, 'description'), maille_text(raw, 'keywords')"                              \
	" FROM entries WHERE kind = 0;"                                                                \
	"DROP TABLE meta; DROP TABLE peers; DROP TABLE trusted; PRAGMA user_version = 1"

static int trust_n(store *st); /* explicit trust rows, counted (below) */

static char dir_[FIXTURE_TMPDIR_CAP];
static char path_[128];

/* ---- temporary directory ----------------------------------------------------------------- */

static void tmp_begin(void)
{
	if (proto_init() != 0)
		exit(1);
	fixture_tmpdir_make(dir_, "store");
	snprintf(path_, sizeof path_, "%s/store.sqlite", dir_);
}

static void tmp_end(void)
{
	fixture_tmpdir_remove(dir_);
}

static bool file_exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

/* The whole file, or NULL if it does not exist. */
static uint8_t *file_read(const char *p, size_t *ret_len)
{
	FILE *f = fopen(p, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	if (!f)
		return NULL;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				fclose(f);
				return NULL;
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	*ret_len = len;
	return buf ? buf : malloc(1);
}

static bool bytes_contain(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k && i + k <= n; i++)
		if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* How many times needle occurs in the store file and its WAL (the store must be closed). */
static size_t store_file_count(const char *needle)
{
	static const char *const suffixes[] = {"", "-wal"};
	size_t k = strlen(needle), count = 0;
	for (size_t i = 0; i < 2; i++) {
		char p[160];
		size_t len;
		snprintf(p, sizeof p, "%s%s", path_, suffixes[i]);
		uint8_t *buf = file_read(p, &len);
		if (!buf)
			continue;
		for (size_t j = 0; k && j + k <= len; j++)
			if (buf[j] == (uint8_t)needle[0] && memcmp(buf + j, needle, k) == 0)
				count++;
		free(buf);
	}
	return count;
}

/* Whether word is in the store file or its WAL (the store must be closed). */
static bool store_file_contains(const char *word)
{
	static const char *const suffixes[] = {"", "-wal"};
	bool found = false;
	for (size_t i = 0; i < 2; i++) {
		char p[160];
		size_t len;
		snprintf(p, sizeof p, "%s%s", path_, suffixes[i]);
		uint8_t *buf = file_read(p, &len);
		if (!buf)
			continue;
		if (bytes_contain(buf, len, word))
			found = true;
		free(buf);
	}
	return found;
}

/* ---- entries ----------------------------------------------------------------------------- */

static void kv_str(proto_arena *a, proto_value *m, const char *k, const char *v)
{
	if (!v)
		return;
	proto_value *slot = proto_value_map_put(a, m, k, strlen(k));
	*slot = *proto_value_new_str(a, v, strlen(v));
}

static void kv_lang(proto_arena *a, proto_value *m, const char *k, const char *fr, const char *en)
{
	if (!fr && !en)
		return;
	proto_value *slot = proto_value_map_put(a, m, k, strlen(k));
	slot->type = PROTO_V_MAP;
	if (fr)
		kv_str(a, slot, "fr", fr);
	if (en)
		kv_str(a, slot, "en", en);
}

static void kv_list(proto_arena *a, proto_value *m, const char *k, const char *x, const char *y)
{
	if (!x)
		return;
	proto_value *slot = proto_value_map_put(a, m, k, strlen(k));
	slot->type = PROTO_V_ARRAY;
	*proto_value_array_push(a, slot) = *proto_value_new_str(a, x, strlen(x));
	if (y)
		*proto_value_array_push(a, slot) = *proto_value_new_str(a, y, strlen(y));
}

static uint8_t *body_make(const doc *d, size_t *ret_len)
{
	proto_arena a;
	uint8_t *buf = NULL;
	proto_arena_init(&a, 0);
	proto_value *m = proto_value_new(&a, PROTO_V_MAP);
	kv_str(&a, m, "type", d->type ? d->type : "rex");
	kv_lang(&a, m, "title", d->title, d->title_en);
	kv_lang(&a, m, "summary", d->summary, NULL);
	kv_lang(&a, m, "description", d->description, NULL);
	kv_str(&a, m, "status", d->status);
	kv_str(&a, m, "content_licence", d->licence);
	kv_str(&a, m, "licence", d->sw_licence);
	kv_list(&a, m, "themes", d->theme, d->theme2);
	kv_list(&a, m, "keywords", d->keyword, NULL);
	kv_lang(&a, m, "name", d->name, NULL);
	kv_str(&a, m, "difficulties", d->difficulties);
	if (d->risk) {
		proto_value *risks = proto_value_map_put(&a, m, "risks", strlen("risks"));
		*risks = *proto_value_new(&a, PROTO_V_ARRAY);
		proto_value *risk = proto_value_array_push(&a, risks);
		*risk = *proto_value_new(&a, PROTO_V_MAP);
		kv_str(&a, risk, "name", "Biais");
		kv_str(&a, risk, "description", d->risk);
	}
	if (d->about) {
		char hex[2 * PROTO_KEY_LEN + 1];
		proto_value *t = proto_value_map_put(&a, m, d->about, strlen(d->about));
		t->type = PROTO_V_MAP;
		proto_hex(d->about_key->pk, PROTO_KEY_LEN, hex);
		kv_str(&a, t, "territory", hex);
		kv_str(&a, t, "path", d->about_path);
	}
	kv_list(&a, m, "related", d->related, d->related2);
	if (proto_value_encode(m, PROTO_ENTRY_MAX, &buf, ret_len) != 0) {
		fprintf(stderr, "body_make: encode failed\n");
		exit(1);
	}
	proto_arena_done(&a);
	return buf;
}

/* An entry of territory k signed by signer (k itself when NULL; capref is then NULL). */
static uint8_t *entry_make2(const key *k, const key *signer, const char *capref, const char *path,
                            uint64_t ts, int kind, const doc *d, size_t *ret_len)
{
	uint8_t *body = NULL, *buf = NULL;
	size_t body_len = 0;
	if (kind == PROTO_KIND_DOCUMENT)
		body = body_make(d, &body_len);
	/* a tombstone's body is {} (body NULL) */
	fixture_entry f = {.territory = k->pk, .path = path, .timestamp = ts, .kind = kind,
	                   .body = body, .body_len = body_len, .capref = capref};
	int rc = fixture_entry_sign_key(&f, signer ? signer : k, &buf, ret_len);
	if (rc != 0) {
		fprintf(stderr, "entry_make: %s\n", maille_errname(rc));
		exit(1);
	}
	free(body);
	return buf;
}

static uint8_t *entry_make(const key *k, const char *path, uint64_t ts, int kind, const doc *d,
                           size_t *ret_len)
{
	return entry_make2(k, NULL, NULL, path, ts, kind, d, ret_len);
}

/* Builds and puts one entry; returns the put's code, the result in *ret_result, the id. */
static int put(store *st, const key *k, const char *path, uint64_t ts, int kind, const doc *d,
               int *ret_result, uint8_t ret_id[PROTO_ID_LEN])
{
	size_t len;
	uint8_t *raw = entry_make(k, path, ts, kind, d, &len);
	if (ret_id)
		proto_entry_id(raw, len, ret_id);
	int rc = store_entry_put(st, raw, len, NOW, ret_result);
	free(raw);
	return rc;
}

/* The capability members/<member hex> of territory k (PROTOCOL.md §4.3) stamped ts, covering
 * [from, until) (until 0: no end) under prefix, signed by k. */
static int cap_make(const key *k, const key *member, uint64_t ts, uint64_t from, uint64_t until,
                    const char *prefix, uint8_t **ret, size_t *ret_len)
{
	proto_member_cap c;
	memset(&c, 0, sizeof c);
	memcpy(c.territory, k->pk, PROTO_KEY_LEN);
	memcpy(c.member, member->pk, PROTO_KEY_LEN);
	snprintf(c.name, sizeof c.name, "Camille Martin");
	c.role = PROTO_ROLE_EDITOR;
	snprintf(c.prefix, sizeof c.prefix, "%s", prefix ? prefix : "");
	c.from_us = from;
	c.until_us = until ? until : UINT64_MAX;
	uint8_t *body = NULL;
	size_t body_len = 0;
	char path[80] = "members/";
	proto_hex(member->pk, PROTO_KEY_LEN, path + 8);
	int rc = proto_member_cap_body(&c, &body, &body_len);
	if (rc)
		return rc;
	fixture_entry f = {.path = path, .timestamp = ts, .body = body, .body_len = body_len};
	rc = fixture_entry_sign_key(&f, k, ret, ret_len);
	free(body);
	return rc;
}

/* Puts the capability of cap_make. */
static int cap_put(store *st, const key *k, const key *member, uint64_t ts, uint64_t from,
                   uint64_t until, const char *prefix, uint8_t ret_id[PROTO_ID_LEN])
{
	uint8_t *raw = NULL;
	size_t len = 0;
	int rc = cap_make(k, member, ts, from, until, prefix, &raw, &len);
	if (rc)
		return rc;
	if (ret_id)
		proto_entry_id(raw, len, ret_id);
	rc = store_entry_put(st, raw, len, NOW, NULL);
	free(raw);
	return rc;
}

/* A member's entry at path in k's subspace, signed by member with the right capref. */
static int member_put(store *st, const key *k, const key *member, const char *path,
                      uint64_t ts, int kind, const doc *d, int *ret_result,
                      uint8_t ret_id[PROTO_ID_LEN])
{
	char capref[80] = "members/";
	size_t len;
	proto_hex(member->pk, PROTO_KEY_LEN, capref + 8);
	uint8_t *raw = entry_make2(k, member, capref, path, ts, kind, d, &len);
	if (ret_id)
		proto_entry_id(raw, len, ret_id);
	int rc = store_entry_put(st, raw, len, NOW, ret_result);
	free(raw);
	return rc;
}

/* The store of the temporary directory, opened with flags (or the test program ends). */
static store *store_at(int flags)
{
	store *st = NULL;
	int rc = store_open(path_, flags, &st);
	CHECK_EQ_INT(rc, 0);
	if (rc) {
		fprintf(stderr, "store_open: %s\n", maille_errname(rc));
		exit(1);
	}
	return st;
}

static store *store_create(void)
{
	return store_at(STORE_OPEN_CREATE);
}

static store *store_reopen(void)
{
	return store_at(STORE_OPEN_EXISTING);
}

/* A new temporary directory, a new key in *k and a new store: how most tests begin. */
static store *store_fresh(key *k)
{
	tmp_begin();
	proto_key_generate(k->pk, k->sk);
	return store_create();
}

static void hex_of(const uint8_t id[PROTO_ID_LEN], char ret[2 * PROTO_ID_LEN + 1])
{
	proto_hex(id, PROTO_ID_LEN, ret);
}

/* ---- collecting rows ---------------------------------------------------------------------- */

#define ROWS_MAX 64

typedef struct rows {
	size_t n;
	uint8_t id[ROWS_MAX][PROTO_ID_LEN];
	uint64_t ts[ROWS_MAX];
	uint8_t kind[ROWS_MAX];
	char snippet[ROWS_MAX][256];
	double rank[ROWS_MAX];
	bool newest_first[ROWS_MAX];
	uint64_t rid[ROWS_MAX];
	size_t stop_after; /* 0 = never stop */
} rows;

static int rows_cb(const store_row *r, void *ctx)
{
	rows *rs = ctx;
	if (rs->n < ROWS_MAX) {
		uint8_t id[PROTO_ID_LEN];
		proto_entry_id(r->raw, r->raw_len, id);
		CHECK(memcmp(id, r->id, PROTO_ID_LEN) == 0);
		memcpy(rs->id[rs->n], r->id, PROTO_ID_LEN);
		rs->ts[rs->n] = r->entry.timestamp;
		rs->kind[rs->n] = r->entry.kind;
		snprintf(rs->snippet[rs->n], sizeof rs->snippet[0], "%s", r->snippet ? r->snippet : "");
		rs->rank[rs->n] = r->rank;
		rs->newest_first[rs->n] = r->newest_first;
		rs->rid[rs->n] = r->rid;
	}
	rs->n++;
	if (rs->stop_after && rs->n >= rs->stop_after)
		return 42;
	return 0;
}

static size_t search_n(store *st, const char *q, const store_filter *f)
{
	rows rs = {0};
	int rc = store_search(st, q, f, 0, rows_cb, &rs);
	CHECK_EQ_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  search \"%s\": %s\n", q, maille_errname(rc));
	return rs.n;
}

static size_t list_n(store *st, const store_filter *f)
{
	rows rs = {0};
	CHECK_EQ_INT(store_list(st, f, rows_cb, &rs), 0);
	return rs.n;
}

/* ---- open --------------------------------------------------------------------------------- */

static void test_open_missing(void)
{
	store *st = NULL;
	tmp_begin();
	CHECK_EQ_INT(store_open(path_, STORE_OPEN_EXISTING, &st), MAILLE_ENOTFOUND);
	CHECK(st == NULL);
	CHECK(!file_exists(path_));
	char wal[160];
	snprintf(wal, sizeof wal, "%s-wal", path_);
	CHECK(!file_exists(wal));

	st = store_create();
	store_close(st);
	st = NULL;
	CHECK_EQ_INT(store_open(path_, STORE_OPEN_CREATE, &st), MAILLE_EEXIST);
	CHECK(st == NULL);
	CHECK_EQ_INT(store_open("/nonexistent-dir/x/store.sqlite", STORE_OPEN_CREATE, &st),
	             MAILLE_ENOTFOUND);
	store_close(NULL);
	tmp_end();
}

static void test_open_not_a_store(void)
{
	store *st = NULL;
	uint8_t junk[4096];
	tmp_begin();
	srand(7);
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)rand();
	FILE *f = fopen(path_, "wb");
	fwrite(junk, 1, sizeof junk, f);
	fclose(f);
	CHECK_EQ_INT(store_open(path_, STORE_OPEN_EXISTING, &st), MAILLE_ECORRUPT);
	CHECK(st == NULL);
	/* The file is left as it was. */
	size_t len;
	uint8_t *back = file_read(path_, &len);
	CHECK(back && len == sizeof junk && memcmp(back, junk, len) == 0);
	free(back);

	/* An empty file is not a store either. */
	f = fopen(path_, "wb");
	fclose(f);
	CHECK_EQ_INT(store_open(path_, STORE_OPEN_EXISTING, &st), MAILLE_ECORRUPT);

	/* Another application's SQLite database. */
	unlink(path_);
	sqlite3 *db;
	CHECK_EQ_INT(sqlite3_open(path_, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", 0, 0, 0),
	             SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ_INT(store_open(path_, STORE_OPEN_EXISTING, &st), MAILLE_ECORRUPT);
	unlink(path_);

	/* A store from a newer version. */
	st = store_create();
	store_close(st);
	st = NULL;
	CHECK_EQ_INT(sqlite3_open(path_, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "PRAGMA user_version = 99", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	CHECK_EQ_INT(store_open(path_, STORE_OPEN_EXISTING, &st), MAILLE_EVERSION);
	CHECK(st == NULL);
	tmp_end();
}

static void test_open_pragmas(void)
{
	tmp_begin();
	store *st = store_create();
	store_close(st);
	sqlite3 *db;
	sqlite3_stmt *s;
	CHECK_EQ_INT(sqlite3_open(path_, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_EQ_STR((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &s, NULL), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_EQ_INT(sqlite3_column_int64(s, 0), 0x4D41494C);
	sqlite3_finalize(s);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_EQ_INT(sqlite3_column_int64(s, 0), 9);
	sqlite3_finalize(s);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &s, NULL), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_EQ_INT(sqlite3_column_int64(s, 0), 16384);
	sqlite3_finalize(s);
	/* The index has no content table of its own: its text is read from the entries. */
	CHECK_EQ_INT(sqlite3_prepare_v2(db,
	                                "SELECT count(*) FROM sqlite_schema"
	                                " WHERE name = 'fts_content'",
	                                -1, &s, NULL),
	             SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_EQ_INT(sqlite3_column_int64(s, 0), 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	tmp_end();
}

static void test_reopen_keeps_data(void)
{
	key k;
	uint8_t id[PROTO_ID_LEN];
	store_row row;
	doc d = {.title = "Chatbot RH", .description = "Un an après"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/chatbot-rh", NOW - 100, PROTO_KIND_DOCUMENT, &d, NULL, id), 0);
	store_close(st);
	st = store_reopen();
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/chatbot-rh", &row), 0);
	CHECK(memcmp(row.id, id, PROTO_ID_LEN) == 0);
	CHECK_EQ_INT(row.entry.timestamp, NOW - 100);
	CHECK(row.priv_ != NULL && row.raw == row.priv_);
	store_row_done(&row);
	CHECK(row.priv_ == NULL && row.raw == NULL);
	CHECK_EQ_INT(search_n(st, "apres", NULL), 1);
	store_close(st);
	tmp_end();
}

/* ---- live set ----------------------------------------------------------------------------- */

static void test_live_set_all_orders(void)
{
	static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
	                                {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	static const char *const words[3] = {"premierversion", "deuxiemeversion", "troisiemeversion"};
	key k;
	uint8_t *raw[3], id[3][PROTO_ID_LEN];
	size_t len[3];
	proto_key_generate(k.pk, k.sk);
	for (int v = 0; v < 3; v++) {
		doc d = {.title = "Guide", .description = words[v], .theme = "ia-democratie"};
		raw[v] = entry_make(&k, "methodology/guide", NOW - 1000 + (uint64_t)v * 10,
		                    PROTO_KIND_DOCUMENT, &d, &len[v]);
		proto_entry_id(raw[v], len[v], id[v]);
	}
	for (int p = 0; p < 6; p++) {
		uint8_t best_id[PROTO_ID_LEN];
		uint64_t best_ts = 0;
		tmp_begin();
		store *st = store_create();
		for (int i = 0; i < 3; i++) {
			int v = perms[p][i], result = -1;
			CHECK_EQ_INT(store_entry_put(st, raw[v], len[v], NOW, &result), 0);
			/* Live if newer than everything so far, superseded otherwise. */
			bool newer = i == 0 || (uint64_t)(NOW - 1000 + (uint64_t)v * 10) > best_ts;
			CHECK_EQ_INT(result, newer ? STORE_PUT_LIVE : STORE_PUT_SUPERSEDED);
			if (newer) {
				best_ts = NOW - 1000 + (uint64_t)v * 10;
				memcpy(best_id, id[v], PROTO_ID_LEN);
			}
		}
		store_row row;
		CHECK_EQ_INT(store_entry_get(st, k.pk, "methodology/guide", &row), 0);
		CHECK(memcmp(row.id, id[2], PROTO_ID_LEN) == 0);
		CHECK(memcmp(best_id, id[2], PROTO_ID_LEN) == 0);
		store_row_done(&row);
		for (int v = 0; v < 2; v++) {
			char hex[2 * PROTO_ID_LEN + 1];
			hex_of(id[v], hex);
			CHECK_EQ_INT(store_entry_get_id(st, hex, &row), MAILLE_ENOTFOUND);
			CHECK_EQ_INT(search_n(st, words[v], NULL), 0);
		}
		CHECK_EQ_INT(search_n(st, words[2], NULL), 1);
		uint64_t n_entries = 0, n_docs = 0;
		CHECK_EQ_INT(store_count(st, &n_entries, &n_docs), 0);
		CHECK_EQ_INT(n_entries, 1);
		CHECK_EQ_INT(n_docs, 1);
		store_filter f = {.theme = "ia-democratie"};
		CHECK_EQ_INT(list_n(st, &f), 1);
		uint64_t checked = 0;
		CHECK_EQ_INT(store_check(st, NULL, NULL, &checked), 0);
		CHECK_EQ_INT(checked, 1);
		store_close(st);
		tmp_end();
	}
	for (int v = 0; v < 3; v++)
		free(raw[v]);
}

static void test_equal_timestamps(void)
{
	key k;
	uint8_t *raw[2], id[2][PROTO_ID_LEN];
	size_t len[2];
	proto_key_generate(k.pk, k.sk);
	for (int v = 0; v < 2; v++) {
		doc d = {.title = v ? "Version B" : "Version A"};
		raw[v] = entry_make(&k, "rex/same-time", NOW - 5, PROTO_KIND_DOCUMENT, &d, &len[v]);
		proto_entry_id(raw[v], len[v], id[v]);
	}
	int winner = memcmp(id[0], id[1], PROTO_ID_LEN) > 0 ? 0 : 1;
	for (int order = 0; order < 2; order++) {
		tmp_begin();
		store *st = store_create();
		int first = order, second = 1 - order, r1 = -1, r2 = -1;
		CHECK_EQ_INT(store_entry_put(st, raw[first], len[first], NOW, &r1), 0);
		CHECK_EQ_INT(store_entry_put(st, raw[second], len[second], NOW, &r2), 0);
		CHECK_EQ_INT(r1, STORE_PUT_LIVE);
		CHECK_EQ_INT(r2, second == winner ? STORE_PUT_LIVE : STORE_PUT_SUPERSEDED);
		store_row row;
		CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/same-time", &row), 0);
		CHECK(memcmp(row.id, id[winner], PROTO_ID_LEN) == 0);
		store_row_done(&row);
		CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
		store_close(st);
		tmp_end();
	}
	free(raw[0]);
	free(raw[1]);
}

static void test_tombstone_wins_and_stays(void)
{
	key k;
	uint8_t tomb_id[PROTO_ID_LEN];
	int result = -1;
	doc d = {.title = "Éphémère", .description = "disparaitra"};
	store *st = store_fresh(&k);
	/* The tombstone arrives first, then an older document and the same tombstone again. */
	CHECK_EQ_INT(put(st, &k, "rex/ephemere", NOW - 10, PROTO_KIND_TOMBSTONE, NULL, &result,
	                 tomb_id),
	             0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(put(st, &k, "rex/ephemere", NOW - 20, PROTO_KIND_DOCUMENT, &d, &result, NULL),
	             0);
	CHECK_EQ_INT(result, STORE_PUT_SUPERSEDED);
	CHECK_EQ_INT(put(st, &k, "rex/ephemere", NOW - 10, PROTO_KIND_TOMBSTONE, NULL, &result, NULL),
	             0);
	CHECK_EQ_INT(result, STORE_PUT_DUPLICATE);
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/ephemere", &row), 0);
	CHECK_EQ_INT(row.entry.kind, PROTO_KIND_TOMBSTONE);
	CHECK(memcmp(row.id, tomb_id, PROTO_ID_LEN) == 0);
	store_row_done(&row);
	CHECK_EQ_INT(search_n(st, "disparaitra", NULL), 0);
	CHECK_EQ_INT(list_n(st, NULL), 0);
	store_filter f = {.include_tombstones = true};
	CHECK_EQ_INT(list_n(st, &f), 1);
	uint64_t n_entries = 0, n_docs = 9;
	CHECK_EQ_INT(store_count(st, &n_entries, &n_docs), 0);
	CHECK_EQ_INT(n_entries, 1);
	CHECK_EQ_INT(n_docs, 0);

	/* A newer document after a tombstone is live again (it wins like any entry). */
	CHECK_EQ_INT(put(st, &k, "rex/ephemere", NOW - 1, PROTO_KIND_DOCUMENT, &d, &result, NULL),
	             0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(search_n(st, "disparaitra", NULL), 1);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

static void test_duplicate(void)
{
	key k;
	int result = -1;
	doc d = {.title = "Doublon"};
	size_t len;
	store *st = store_fresh(&k);
	uint8_t *raw = entry_make(&k, "use_case/doublon", NOW - 3, PROTO_KIND_DOCUMENT, &d, &len);
	CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, &result), 0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, &result), 0);
	CHECK_EQ_INT(result, STORE_PUT_DUPLICATE);
	CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, NULL), 0);
	uint64_t n = 0;
	CHECK_EQ_INT(store_count(st, &n, NULL), 0);
	CHECK_EQ_INT(n, 1);
	free(raw);
	store_close(st);
	tmp_end();
}

static void test_refusals_write_nothing(void)
{
	key k, other;
	int result = -1;
	doc d = {.title = "Refus", .description = "motrefuse"};
	size_t len;
	uint64_t n = 99;
	tmp_begin();
	proto_key_generate(k.pk, k.sk);
	proto_key_generate(other.pk, other.sk);
	store *st = store_create();

	/* Too far in the future; just within the skew is fine. */
	CHECK_EQ_INT(put(st, &k, "rex/futur", NOW + PROTO_FUTURE_SKEW_US + 1, PROTO_KIND_DOCUMENT, &d,
	                 &result, NULL),
	             MAILLE_EFUTURE);

	/* A flipped signature byte, a flipped body byte, a truncated entry, trailing bytes. */
	uint8_t *raw = entry_make(&k, "rex/refus", NOW - 1, PROTO_KIND_DOCUMENT, &d, &len);
	raw[len - 1] ^= 0x01;
	CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, &result), MAILLE_EAUTH);
	raw[len - 1] ^= 0x01;
	raw[len / 2] ^= 0x01;
	CHECK(store_entry_put(st, raw, len, NOW, &result) < 0);
	raw[len / 2] ^= 0x01;
	CHECK(store_entry_put(st, raw, len - 1, NOW, &result) < 0);
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, raw, len);
	longer[len] = 0xc0;
	CHECK(store_entry_put(st, longer, len + 1, NOW, &result) < 0);
	free(longer);
	CHECK_EQ_INT(store_count(st, &n, NULL), 0);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(search_n(st, "motrefuse", NULL), 0);

	/* Signed by another key but naming k as signer: the signature does not verify. */
	{
		size_t flen;
		uint8_t *forged = entry_make2(&k, &other, "members/o", "rex/forge", NOW - 1,
		                              PROTO_KIND_DOCUMENT, &d, &flen);
		bool swapped = false;
		for (size_t i = 0; i + PROTO_KEY_LEN <= flen && !swapped; i++) {
			if (memcmp(forged + i, other.pk, PROTO_KEY_LEN) == 0) {
				memcpy(forged + i, k.pk, PROTO_KEY_LEN);
				swapped = true;
			}
		}
		CHECK(swapped);
		CHECK_EQ_INT(store_entry_put(st, forged, flen, NOW, &result), MAILLE_EAUTH);
		free(forged);
	}

	/* The valid one then goes in; the refusals did not disturb anything. */
	CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, &result), 0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(store_count(st, &n, NULL), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	free(raw);
	store_close(st);
	tmp_end();
}

static void test_put_verified_refusals(void)
{
	key k;
	doc d = {.title = "Vérifié"};
	size_t len;
	uint8_t id[PROTO_ID_LEN];
	proto_entry e;
	int result = -1;
	store *st = store_fresh(&k);
	uint8_t *raw = entry_make(&k, "rex/verifie", NOW - 1, PROTO_KIND_DOCUMENT, &d, &len);
	CHECK_EQ_INT(proto_entry_decode(raw, len, &e), 0);
	proto_entry_id(raw, len, id);
	proto_entry bad = e;
	bad.timestamp = (uint64_t)INT64_MAX + 1;
	CHECK_EQ_INT(store_entry_put_verified(st, &bad, raw, len, id, &result), MAILLE_EFUTURE);
	bad = e;
	bad.kind = 7;
	CHECK_EQ_INT(store_entry_put_verified(st, &bad, raw, len, id, &result), MAILLE_EPROTO);
	/* A tombstone whose body is not exactly the empty map. */
	bad = e;
	bad.kind = PROTO_KIND_TOMBSTONE;
	CHECK_EQ_INT(store_entry_put_verified(st, &bad, raw, len, id, &result), MAILLE_EPROTO);
	/* A document whose body is not a map. */
	static const uint8_t not_map[] = {0x91, 0x01};
	bad = e;
	bad.body = not_map;
	bad.body_len = sizeof not_map;
	CHECK_EQ_INT(store_entry_put_verified(st, &bad, raw, len, id, &result), MAILLE_EPROTO);
	uint64_t n = 9;
	CHECK_EQ_INT(store_count(st, &n, NULL), 0);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(store_entry_put_verified(st, &e, raw, len, id, &result), 0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	free(raw);
	store_close(st);
	tmp_end();
}

/* What the two records of test_search_french give a search, however they were put: every
 * text field searched (a REX's difficulties, a use case's nested risks), plurals finding
 * singulars, the highlight on the whole word, never the elided article. */
static void search_french_check(store *st)
{
	CHECK_EQ_INT(search_n(st, "quinconciere", NULL), 1); /* difficulties, typed without accent */
	CHECK_EQ_INT(search_n(st, "évaluations", NULL), 1);  /* a plural finds the singular */
	CHECK_EQ_INT(search_n(st, "chatbots", NULL), 1);
	CHECK_EQ_INT(search_n(st, "patronyme", NULL), 1);    /* a nested risk's description */
	CHECK_EQ_INT(search_n(st, "chatbto", NULL), 0);
	rows rs = {0};
	CHECK_EQ_INT(store_search(st, "d'évaluations", NULL, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 1);
	CHECK(rs.n && strstr(rs.snippet[0], "l'\x02" "évaluation" "\x03") != NULL);
	CHECK(rs.n && strstr(rs.snippet[0], "\x02l\x03") == NULL);
}

/* A put with its document prepared apart (store_doc_prepare, as bulk publishing does on its
 * signing threads) indexes what a plain put indexes: the same words found, the elided article
 * not highlighted, the vocabulary's suggestions; a body the store refuses is refused the same
 * way whether it was prepared or not. */
static void test_put_prepared(void)
{
	key k;
	char sug[STORE_SUGGEST_MAX][STORE_SUGGEST_LEN];
	size_t n = 9, len;
	uint8_t id[PROTO_ID_LEN];
	proto_entry e;
	int result = -1;
	doc rex = {.title = "Assistant municipal", .description = "Un chatbot pour l'accueil.",
	           .difficulties = "La quinconcière des données a freiné l'évaluation."};
	doc uc = {.type = "use_case", .title = "Tri du courrier", .description = "Classement.",
	          .risk = "Erreurs d'orthographe sur les patronymes"};
	store_preparer *pr = NULL;
	store_prepared *p = NULL;
	CHECK_EQ_INT(store_preparer_new(&pr), 0);
	CHECK_EQ_INT(store_prepared_new(&p), 0);
	store *st = store_fresh(&k);
	CHECK_EQ_INT(store_begin(st), 0);
	const doc *docs[2] = {&rex, &uc};
	const char *paths[2] = {"rex/assistant", "use-case/tri"};
	for (int i = 0; i < 2; i++) {
		uint8_t *raw = entry_make(&k, paths[i], NOW - 2 + i, PROTO_KIND_DOCUMENT, docs[i], &len);
		CHECK_EQ_INT(proto_entry_decode(raw, len, &e), 0);
		proto_entry_id(raw, len, id);
		CHECK_EQ_INT(store_doc_prepare(pr, &e, p), 0);
		CHECK_EQ_INT(store_entry_put_prepared(st, &e, raw, len, id, p, &result), 0);
		CHECK_EQ_INT(result, STORE_PUT_LIVE);
		free(raw);
	}
	CHECK_EQ_INT(store_commit(st), 0);
	search_french_check(st);
	CHECK_EQ_INT(store_suggest(st, "accueil quinconsiere", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(n ? sug[0] : NULL, "accueil quinconciere");
	/* an edit through a prepared put: the old words leave the index and the vocabulary */
	rex.description = "Un agent conversationnel pour l'accueil.";
	uint8_t *raw = entry_make(&k, "rex/assistant", NOW, PROTO_KIND_DOCUMENT, &rex, &len);
	CHECK_EQ_INT(proto_entry_decode(raw, len, &e), 0);
	proto_entry_id(raw, len, id);
	CHECK_EQ_INT(store_doc_prepare(pr, &e, p), 0);
	CHECK_EQ_INT(store_entry_put_prepared(st, &e, raw, len, id, p, &result), 0);
	CHECK_EQ_INT(search_n(st, "chatbots", NULL), 0);
	CHECK_EQ_INT(search_n(st, "conversationnels", NULL), 1);
	CHECK_EQ_INT(store_suggest(st, "chatbto", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_INT(n, 0);
	/* a document whose body is not a map: not prepared, refused by the put all the same */
	static const uint8_t not_map[] = {0x91, 0x01};
	proto_entry bad = e;
	bad.body = not_map;
	bad.body_len = sizeof not_map;
	bad.timestamp = NOW + 1;
	CHECK_EQ_INT(store_doc_prepare(pr, &bad, p), MAILLE_EPROTO);
	CHECK_EQ_INT(store_entry_put_prepared(st, &bad, raw, len, id, p, &result), MAILLE_EPROTO);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	free(raw);
	store_prepared_free(p);
	store_preparer_free(pr);
	store_close(st);
	tmp_end();
}

static void test_batch(void)
{
	key k;
	int result = -1;
	uint64_t n = 0;
	store *st = store_fresh(&k);
	CHECK_EQ_INT(store_commit(st), MAILLE_ESTATE);
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(store_begin(st), MAILLE_ESTATE);
	doc d = {.title = "Lot"};
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 3, PROTO_KIND_DOCUMENT, &d, &result, NULL), 0);
	/* A failing put in the middle leaves the batch intact. */
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW + PROTO_FUTURE_SKEW_US * 2, PROTO_KIND_DOCUMENT, &d,
	                 &result, NULL),
	             MAILLE_EFUTURE);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 2, PROTO_KIND_DOCUMENT, &d, &result, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 1, PROTO_KIND_TOMBSTONE, NULL, &result, NULL), 0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(store_count(st, &n, NULL), 0);
	CHECK_EQ_INT(n, 2);

	/* A rolled-back batch leaves nothing. */
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/d", NOW - 2, PROTO_KIND_DOCUMENT, &d, &result, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 1, PROTO_KIND_TOMBSTONE, NULL, &result, NULL), 0);
	store_rollback(st);
	CHECK_EQ_INT(store_count(st, &n, NULL), 0);
	CHECK_EQ_INT(n, 2);
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/c", &row), 0);
	CHECK_EQ_INT(row.entry.kind, PROTO_KIND_DOCUMENT);
	store_row_done(&row);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);

	/* Closing with an open batch rolls it back. */
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/e", NOW - 2, PROTO_KIND_DOCUMENT, &d, &result, NULL), 0);
	store_close(st);
	st = store_reopen();
	CHECK_EQ_INT(store_count(st, &n, NULL), 0);
	CHECK_EQ_INT(n, 2);
	store_close(st);
	tmp_end();
}

/* Versions of one path replacing each other inside one batch, search and check in the middle
 * of it, and a batch whose text outgrows the in-memory queue. */
static void test_batch_edits_within(void)
{
	key k;
	int result = -1;
	char word[32], descr[64];
	store *st = store_fresh(&k);
	CHECK_EQ_INT(store_begin(st), 0);
	for (int v = 0; v < 5; v++) {
		snprintf(descr, sizeof descr, "version%c", '1' + v);
		doc d = {.title = "Edition", .description = descr};
		CHECK_EQ_INT(put(st, &k, "rex/edition", NOW - 100 + (uint64_t)v, PROTO_KIND_DOCUMENT, &d,
		                 &result, NULL),
		             0);
		CHECK_EQ_INT(result, STORE_PUT_LIVE);
		/* Search sees the batch so far. */
		CHECK_EQ_INT(search_n(st, descr, NULL), 1);
		if (v > 0) {
			snprintf(word, sizeof word, "version%c", '1' + v - 1);
			CHECK_EQ_INT(search_n(st, word, NULL), 0);
		}
	}
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/edition", NOW - 1, PROTO_KIND_TOMBSTONE, NULL, &result, NULL),
	             0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(search_n(st, "version5", NULL), 0);
	CHECK_EQ_INT(search_n(st, "edition", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	CHECK(!store_file_contains("version5"));
	tmp_end();

	/* ~6 MiB of text in one batch, with a failing put after the queue was written out. */
	tmp_begin();
	st = store_create();
	size_t big = 120 * 1024;
	char *text = malloc(big + 1);
	for (size_t i = 0; i < big; i++)
		text[i] = (char)(i % 7 == 6 ? ' ' : 'a' + (char)(i % 23) % 26);
	text[big] = '\0';
	CHECK_EQ_INT(store_begin(st), 0);
	for (int i = 0; i < 50; i++) {
		char path[32];
		snprintf(path, sizeof path, "rex/gros-%d", i);
		snprintf(descr, sizeof descr, "marqueur%02d", i);
		doc d = {.title = descr, .description = text};
		CHECK_EQ_INT(put(st, &k, path, NOW - 1000 + (uint64_t)i, PROTO_KIND_DOCUMENT, &d, &result,
		                 NULL),
		             0);
	}
	CHECK_EQ_INT(put(st, &k, "rex/futur", NOW + PROTO_FUTURE_SKEW_US * 2, PROTO_KIND_DOCUMENT,
	                 &(doc){.title = "x"}, &result, NULL),
	             MAILLE_EFUTURE);
	CHECK_EQ_INT(put(st, &k, "rex/gros-0", NOW - 1, PROTO_KIND_TOMBSTONE, NULL, &result, NULL), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	uint64_t n = 0, n_docs = 0;
	CHECK_EQ_INT(store_count(st, &n, &n_docs), 0);
	CHECK_EQ_INT(n, 50);
	CHECK_EQ_INT(n_docs, 49);
	CHECK_EQ_INT(search_n(st, "marqueur00", NULL), 0);
	CHECK_EQ_INT(search_n(st, "marqueur49", NULL), 1);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	free(text);
	store_close(st);
	tmp_end();
}

/* ---- search ------------------------------------------------------------------------------- */

static void test_search_diacritics(void)
{
	key k;
	rows rs = {0};
	doc d = {.title = "Retour d'expérience sur le chatbot",
	         .title_en = "Chatbot lessons",
	         .summary = "Un résumé",
	         .description = "Une longue description où l'on parle de Forêt et d'ŒUVRE.",
	         .keyword = "agents conversationnels"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/chatbot", NOW - 1, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(search_n(st, "expérience", NULL), 1);
	CHECK_EQ_INT(search_n(st, "experience", NULL), 1);
	CHECK_EQ_INT(search_n(st, "EXPÉRIENCE", NULL), 1);
	CHECK_EQ_INT(search_n(st, "expér", NULL), 1);
	CHECK_EQ_INT(search_n(st, "exper", NULL), 1);
	CHECK_EQ_INT(search_n(st, "foret", NULL), 1);
	CHECK_EQ_INT(search_n(st, "lessons", NULL), 1);      /* every language is indexed */
	CHECK_EQ_INT(search_n(st, "conversationnel", NULL), 1); /* keywords, prefix */
	CHECK_EQ_INT(search_n(st, "chatbot expérience", NULL), 1);
	CHECK_EQ_INT(search_n(st, "chatbot absentissime", NULL), 0);
	CHECK_EQ_INT(search_n(st, "« expérience »", NULL), 1); /* lone punctuation is dropped */
	CHECK_EQ_INT(search_n(st, "l’expérience", NULL), 1);   /* the elision is dropped */
	CHECK_EQ_INT(search_n(st, "l'expériences", NULL), 1);  /* a plural finds the singular */
	CHECK_EQ_INT(search_n(st, "d’expérience", NULL), 1);

	CHECK_EQ_INT(store_search(st, "experience", NULL, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 1);
	CHECK(strstr(rs.snippet[0], "\x02" "expérience" "\x03") != NULL);
	CHECK(rs.rank[0] < 0);
	store_close(st);
	tmp_end();
}

/* Every text field is searched: a REX's difficulties, a use case's nested risks; plurals find
 * singulars; a query that finds nothing gets the nearest words of the records. */
static void test_search_french(void)
{
	key k;
	char sug[STORE_SUGGEST_MAX][STORE_SUGGEST_LEN];
	size_t n = 9;
	doc rex = {.title = "Assistant municipal", .description = "Un chatbot pour l'accueil.",
	           .difficulties = "La quinconcière des données a freiné l'évaluation."};
	doc uc = {.type = "use_case", .title = "Tri du courrier", .description = "Classement.",
	          .risk = "Erreurs d'orthographe sur les patronymes"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/assistant", NOW - 2, PROTO_KIND_DOCUMENT, &rex, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "use-case/tri", NOW - 1, PROTO_KIND_DOCUMENT, &uc, NULL, NULL), 0);
	CHECK_EQ_INT(search_n(st, "Quinconcière", NULL), 1);
	search_french_check(st);
	CHECK_EQ_INT(store_suggest(st, "chatbto", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK(n >= 1);
	CHECK_EQ_STR(n ? sug[0] : NULL, "chatbot");
	CHECK_EQ_INT(store_suggest(st, "accueil quinconsiere", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(n ? sug[0] : NULL, "accueil quinconciere");
	CHECK_EQ_INT(store_suggest(st, "zzzzzzzzzz", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_INT(n, 0);
	/* an edit keeps the words its new version still has, and only those */
	rex.description = "Un agent conversationnel pour l'accueil.";
	CHECK_EQ_INT(put(st, &k, "rex/assistant", NOW - 1, PROTO_KIND_DOCUMENT, &rex, NULL, NULL), 0);
	CHECK_EQ_INT(store_suggest(st, "accueil quinconsiere", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_STR(n ? sug[0] : NULL, "accueil quinconciere");
	CHECK_EQ_INT(store_suggest(st, "chatbto", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_INT(n, 0);
	rex.description = "Un chatbot pour l'accueil.";
	CHECK_EQ_INT(put(st, &k, "rex/assistant", NOW, PROTO_KIND_DOCUMENT, &rex, NULL, NULL), 0);
	CHECK_EQ_INT(store_suggest(st, "chatbto", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_STR(n ? sug[0] : NULL, "chatbot");
	/* a removed record's words are no longer suggested, nor in the file */
	CHECK_EQ_INT(put(st, &k, "rex/assistant", NOW + 1, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(store_suggest(st, "chatbto", sug, STORE_SUGGEST_MAX, &n), 0);
	CHECK_EQ_INT(n, 0);
	store_close(st);
	CHECK(!store_file_contains("quinconciere"));
	tmp_end();

	/* a word whose stem other records keep leaves the vocabulary with its last record */
	st = store_fresh(&k);
	doc plural = {.title = "Des robots", .description = "Des chatbots partout."};
	doc singular = {.title = "Un robot", .description = "Le chatbot municipal."};
	CHECK_EQ_INT(put(st, &k, "rex/pluriel", NOW - 3, PROTO_KIND_DOCUMENT, &plural, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/singulier", NOW - 3, PROTO_KIND_DOCUMENT, &singular, NULL, NULL),
	             0);
	CHECK_EQ_INT(put(st, &k, "rex/pluriel", NOW - 2, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(search_n(st, "chatbots", NULL), 1);
	store_close(st);
	CHECK(!store_file_contains("chatbots"));
	tmp_end();
}

static void test_search_hostile_queries(void)
{
	/* FTS5 syntax in what people type is never syntax: each query runs (0 or more rows). */
	static const char *const ok[] = {
		"AND", "OR", "NOT", "NEAR", "NEAR(a b)", "a OR b", "title:chatbot", "-chatbot",
		"^chatbot", "chatbot\"", "\"chatbot", "chatbot \" x", "chat*bot", "chatbot *", "(chatbot",
		"chatbot)", "a AND", "NOT chatbot", "{title}: x", "'chatbot'", "+chatbot",
		"chatbot AND (", "é", "😀 chatbot", "chatbot NEAR/2 x",
	};
	/* A query with no word at all is refused, as the contract says, rather than failing to
	 * parse. */
	static const char *const empty[] = {"", "   ", "\"", "*", "(", "'", "+", "()", "\"\"",
	                                    "* - ^ :", "« »", "— …", "\"\"\""};
	key k;
	doc d = {.title = "chatbot and near or not"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/x", NOW - 1, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		rows rs = {0};
		int rc = store_search(st, ok[i], NULL, 0, rows_cb, &rs);
		if (rc)
			fprintf(stderr, "  query [%s]: %s\n", ok[i], maille_errname(rc));
		CHECK_EQ_INT(rc, 0);
	}
	CHECK_EQ_INT(search_n(st, "NEAR", NULL), 1);
	CHECK_EQ_INT(search_n(st, "and", NULL), 1);
	CHECK_EQ_INT(search_n(st, "\"chatbot", NULL), 1);
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		rows rs = {0};
		CHECK_EQ_INT(store_search(st, empty[i], NULL, 0, rows_cb, &rs), MAILLE_EINVAL);
	}
	rows rs = {0};
	CHECK_EQ_INT(store_search(st, "chat\xff", NULL, 0, rows_cb, &rs), MAILLE_EINVAL);
	/* A very long query (every word must match: none does). */
	size_t qlen = 3000 * 4;
	char *q = malloc(qlen + 1);
	for (size_t i = 0; i < qlen; i++)
		q[i] = i % 4 == 3 ? (i % 8 == 3 ? ' ' : '(') : (char)('a' + i % 4);
	q[qlen] = '\0';
	rs = (rows){0};
	CHECK_EQ_INT(store_search(st, q, NULL, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 0);
	free(q);
	store_close(st);
	tmp_end();
}

static void test_search_filters_and_rank(void)
{
	key k1, k2;
	tmp_begin();
	proto_key_generate(k1.pk, k1.sk);
	proto_key_generate(k2.pk, k2.sk);
	store *st = store_create();
	doc a = {.type = "rex", .title = "Sobriété numérique", .description = "mesure", .status = "pilot",
	         .licence = "etalab-2.0", .theme = "sobriete-numerique", .theme2 = "ia-democratie"};
	doc b = {.type = "use_case", .title = "Mesure", .description = "sobriété ailleurs",
	         .status = "production", .licence = "CC-BY-4.0", .theme = "ia-democratie"};
	doc c = {.type = "component", .title = "Outil", .description = "sobriété", .sw_licence = "MIT",
	         .theme = "logiciel-libre"};
	doc t = {.type = "territory", .name = "Métropole sobriété"};
	CHECK_EQ_INT(put(st, &k1, "rex/a", NOW - 30, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k1, "use_case/b", NOW - 20, PROTO_KIND_DOCUMENT, &b, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k2, "component/c", NOW - 10, PROTO_KIND_DOCUMENT, &c, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k2, "territory", NOW - 5, PROTO_KIND_DOCUMENT, &t, NULL, NULL), 0);

	CHECK_EQ_INT(search_n(st, "sobriete", NULL), 3);
	/* The title weighs most: a's title match ranks first. */
	rows rs = {0};
	uint8_t id_a[PROTO_ID_LEN];
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, k1.pk, "rex/a", &row), 0);
	memcpy(id_a, row.id, PROTO_ID_LEN);
	store_row_done(&row);
	CHECK_EQ_INT(store_search(st, "sobriete", NULL, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 3);
	CHECK(memcmp(rs.id[0], id_a, PROTO_ID_LEN) == 0);
	CHECK(rs.rank[0] <= rs.rank[1] && rs.rank[1] <= rs.rank[2]);

	store_filter f = {.type = "use_case"};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 1);
	f = (store_filter){.theme = "ia-democratie"};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 2);
	f = (store_filter){.status = "pilot"};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 1);
	f = (store_filter){.licence = "CC-BY-4.0"};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 1);
	f = (store_filter){.licence = "MIT"};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 1);
	f = (store_filter){.territory = k2.pk};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 1);
	f = (store_filter){.territory = k2.pk, .include_federation = true};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 2);
	f = (store_filter){.type = "rex", .theme = "ia-democratie", .status = "pilot",
	                   .licence = "etalab-2.0", .territory = k1.pk};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 1);
	f = (store_filter){.type = "rex", .theme = "logiciel-libre"};
	CHECK_EQ_INT(search_n(st, "sobriete", &f), 0);

	/* limit, and stopping early. */
	rows lim = {0};
	CHECK_EQ_INT(store_search(st, "sobriete", NULL, 2, rows_cb, &lim), 0);
	CHECK_EQ_INT(lim.n, 2);
	rows stop = {.stop_after = 1};
	CHECK_EQ_INT(store_search(st, "sobriete", NULL, 0, rows_cb, &stop), 42);
	CHECK_EQ_INT(stop.n, 1);
	rows huge = {0};
	CHECK_EQ_INT(store_search(st, "sobriete", NULL, SIZE_MAX, rows_cb, &huge), 0);
	CHECK_EQ_INT(huge.n, 3);
	store_close(st);
	tmp_end();
}

/* ---- list and lookups --------------------------------------------------------------------- */

static void test_list(void)
{
	key k1, k2, member;
	rows rs = {0};
	uint8_t ids[5][PROTO_ID_LEN];
	tmp_begin();
	proto_key_generate(k1.pk, k1.sk);
	proto_key_generate(k2.pk, k2.sk);
	proto_key_generate(member.pk, member.sk);
	store *st = store_create();
	doc a = {.type = "rex", .title = "A", .status = "pilot", .theme = "donnees"};
	doc b = {.type = "methodology", .title = "B", .status = "design", .licence = "etalab-2.0"};
	doc m = {.type = "member", .title = "Membre"};
	CHECK_EQ_INT(put(st, &k1, "rex/a", NOW - 50, PROTO_KIND_DOCUMENT, &a, NULL, ids[0]), 0);
	CHECK_EQ_INT(put(st, &k2, "methodology/b", NOW - 40, PROTO_KIND_DOCUMENT, &b, NULL, ids[1]), 0);
	CHECK_EQ_INT(put(st, &k1, "members/x", NOW - 30, PROTO_KIND_DOCUMENT, &m, NULL, ids[2]), 0);
	CHECK_EQ_INT(put(st, &k1, "rex/gone", NOW - 20, PROTO_KIND_TOMBSTONE, NULL, NULL, ids[3]), 0);
	/* A member's entry, with its capability reference (the capability is a federation
	 * document: listed only with include_federation). */
	CHECK_EQ_INT(cap_put(st, &k2, &member, NOW - 45, 0, 0, NULL, NULL), 0);
	{
		int result = -1;
		CHECK_EQ_INT(member_put(st, &k2, &member, "rex/par-membre", NOW - 10,
		                        PROTO_KIND_DOCUMENT, &a, &result, ids[4]),
		             0);
		CHECK_EQ_INT(result, STORE_PUT_LIVE);
	}

	CHECK_EQ_INT(store_list(st, NULL, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 3); /* newest first: member's, b, a */
	CHECK(memcmp(rs.id[0], ids[4], PROTO_ID_LEN) == 0);
	CHECK(memcmp(rs.id[1], ids[1], PROTO_ID_LEN) == 0);
	CHECK(memcmp(rs.id[2], ids[0], PROTO_ID_LEN) == 0);

	store_filter f = {.include_tombstones = true, .include_federation = true};
	rows all = {0};
	CHECK_EQ_INT(store_list(st, &f, rows_cb, &all), 0);
	CHECK_EQ_INT(all.n, 6);
	for (size_t i = 1; i < all.n; i++)
		CHECK(all.ts[i - 1] >= all.ts[i]);
	CHECK_EQ_INT(all.kind[1], PROTO_KIND_TOMBSTONE);

	f = (store_filter){.include_tombstones = true};
	CHECK_EQ_INT(list_n(st, &f), 4);
	f = (store_filter){.include_federation = true};
	CHECK_EQ_INT(list_n(st, &f), 5);
	f = (store_filter){.type = "rex"};
	CHECK_EQ_INT(list_n(st, &f), 2);
	f = (store_filter){.status = "design"};
	CHECK_EQ_INT(list_n(st, &f), 1);
	f = (store_filter){.theme = "donnees"};
	CHECK_EQ_INT(list_n(st, &f), 2);
	f = (store_filter){.licence = "etalab-2.0"};
	CHECK_EQ_INT(list_n(st, &f), 1);
	f = (store_filter){.territory = k2.pk};
	CHECK_EQ_INT(list_n(st, &f), 2);
	f = (store_filter){.territory = k2.pk, .type = "rex"};
	CHECK_EQ_INT(list_n(st, &f), 1);

	/* Equal timestamps are ordered by id, descending. */
	rows tie = {0};
	uint8_t t1[PROTO_ID_LEN], t2[PROTO_ID_LEN];
	doc x = {.title = "X"}, y = {.title = "Y"};
	CHECK_EQ_INT(put(st, &k2, "rex/t1", NOW - 1, PROTO_KIND_DOCUMENT, &x, NULL, t1), 0);
	CHECK_EQ_INT(put(st, &k2, "rex/t2", NOW - 1, PROTO_KIND_DOCUMENT, &y, NULL, t2), 0);
	tie.stop_after = 2;
	CHECK_EQ_INT(store_list(st, NULL, rows_cb, &tie), 42);
	CHECK_EQ_INT(tie.n, 2);
	bool t1_first = memcmp(t1, t2, PROTO_ID_LEN) > 0;
	CHECK(memcmp(tie.id[0], t1_first ? t1 : t2, PROTO_ID_LEN) == 0);

	/* The member entry kept its capref. */
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, k2.pk, "rex/par-membre", &row), 0);
	CHECK(row.entry.capref && row.entry.capref_len == 8 + 64 &&
	      memcmp(row.entry.capref, "members/", 8) == 0);
	CHECK(memcmp(row.entry.signer, member.pk, PROTO_KEY_LEN) == 0);
	store_row_done(&row);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

static void test_get_id(void)
{
	key k;
	uint8_t id[PROTO_ID_LEN];
	char hex[2 * PROTO_ID_LEN + 1], buf[80];
	store_row row;
	doc d = {.title = "Identifiant"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/id", NOW - 1, PROTO_KIND_DOCUMENT, &d, NULL, id), 0);
	hex_of(id, hex);

	CHECK_EQ_INT(store_entry_get_id(st, hex, &row), 0);
	CHECK(memcmp(row.id, id, PROTO_ID_LEN) == 0);
	store_row_done(&row);
	for (size_t n = 8; n <= 64; n++) {
		memcpy(buf, hex, n);
		buf[n] = '\0';
		int rc = store_entry_get_id(st, buf, &row);
		CHECK_EQ_INT(rc, 0);
		if (!rc) {
			CHECK(memcmp(row.id, id, PROTO_ID_LEN) == 0);
			store_row_done(&row);
		}
	}
	/* Upper case. */
	for (size_t i = 0; i < 12; i++)
		buf[i] = (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]);
	buf[12] = '\0';
	CHECK_EQ_INT(store_entry_get_id(st, buf, &row), 0);
	store_row_done(&row);

	memcpy(buf, hex, 7);
	buf[7] = '\0';
	CHECK_EQ_INT(store_entry_get_id(st, buf, &row), MAILLE_EINVAL);
	memcpy(buf, hex, 64);
	buf[64] = '0';
	buf[65] = '\0';
	CHECK_EQ_INT(store_entry_get_id(st, buf, &row), MAILLE_EINVAL);
	CHECK_EQ_INT(store_entry_get_id(st, "0123456z", &row), MAILLE_EINVAL);
	/* A prefix that is not this id's. */
	memcpy(buf, hex, 10);
	buf[10] = '\0';
	buf[9] = buf[9] == '0' ? '1' : '0';
	CHECK_EQ_INT(store_entry_get_id(st, buf, &row), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/absent", &row), MAILLE_ENOTFOUND);
	store_close(st);
	tmp_end();
}

/* Two rows whose ids share a prefix cannot be made by signing (2^32 tries), so the second id
 * is rewritten behind the store's back; get_id only reads the id column. */
static void test_get_id_ambiguous(void)
{
	key k;
	uint8_t id1[PROTO_ID_LEN], id2[PROTO_ID_LEN];
	char hex[2 * PROTO_ID_LEN + 1];
	store_row row;
	doc d = {.title = "Ambigu"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/one", NOW - 1, PROTO_KIND_DOCUMENT, &d, NULL, id1), 0);
	CHECK_EQ_INT(put(st, &k, "rex/two", NOW - 2, PROTO_KIND_DOCUMENT, &d, NULL, id2), 0);
	store_close(st);
	uint8_t fake[PROTO_ID_LEN];
	memcpy(fake, id1, PROTO_ID_LEN);
	fake[PROTO_ID_LEN - 1] ^= 0xff;
	sqlite3 *db;
	sqlite3_stmt *s;
	CHECK_EQ_INT(sqlite3_open(path_, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, "UPDATE entries SET id = ?1 WHERE id = ?2", -1, &s, NULL),
	             SQLITE_OK);
	sqlite3_bind_blob(s, 1, fake, PROTO_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, id2, PROTO_ID_LEN, SQLITE_STATIC);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
	st = store_reopen();
	hex_of(id1, hex);
	hex[16] = '\0';
	CHECK_EQ_INT(store_entry_get_id(st, hex, &row), MAILLE_EINVAL);
	hex_of(id1, hex);
	CHECK_EQ_INT(store_entry_get_id(st, hex, &row), 0);
	store_row_done(&row);
	store_close(st);
	tmp_end();
}

typedef struct path_hits {
	size_t n;
	uint8_t territory[4][PROTO_KEY_LEN];
} path_hits;

static int path_cb(const store_row *r, void *ctx)
{
	path_hits *h = ctx;
	if (h->n < 4)
		memcpy(h->territory[h->n], r->entry.territory, PROTO_KEY_LEN);
	h->n++;
	return 0;
}

static void test_find_path_count_name(void)
{
	key k1, k2, k3, member;
	char name[64];
	tmp_begin();
	proto_key_generate(k1.pk, k1.sk);
	proto_key_generate(k2.pk, k2.sk);
	proto_key_generate(k3.pk, k3.sk);
	proto_key_generate(member.pk, member.sk);
	store *st = store_create();
	doc d = {.title = "Même chemin"};
	CHECK_EQ_INT(put(st, &k1, "use_case/commun", NOW - 30, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k2, "use_case/commun", NOW - 20, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k3, "use_case/commun", NOW - 10, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL),
	             0);

	path_hits h = {0};
	CHECK_EQ_INT(store_entry_find_path(st, "use_case/commun", k1.pk, path_cb, &h), 0);
	CHECK_EQ_INT(h.n, 2);
	CHECK(memcmp(h.territory[0], k1.pk, PROTO_KEY_LEN) == 0);
	h = (path_hits){0};
	CHECK_EQ_INT(store_entry_find_path(st, "use_case/commun", k2.pk, path_cb, &h), 0);
	CHECK_EQ_INT(h.n, 2);
	CHECK(memcmp(h.territory[0], k2.pk, PROTO_KEY_LEN) == 0);
	h = (path_hits){0};
	CHECK_EQ_INT(store_entry_find_path(st, "use_case/commun", NULL, path_cb, &h), 0);
	CHECK_EQ_INT(h.n, 2);
	h = (path_hits){0};
	CHECK_EQ_INT(store_entry_find_path(st, "use_case/absent", NULL, path_cb, &h), 0);
	CHECK_EQ_INT(h.n, 0);

	uint64_t n_entries = 0, n_docs = 0;
	CHECK_EQ_INT(store_count(st, &n_entries, &n_docs), 0);
	CHECK_EQ_INT(n_entries, 3);
	CHECK_EQ_INT(n_docs, 2);

	/* Territory names: French preferred, cut on a character boundary, only from the key. */
	CHECK_EQ_INT(store_territory_name(st, k1.pk, name, sizeof name), MAILLE_ENOTFOUND);
	doc t = {.type = "territory", .name = "Métropole de Lyon"};
	CHECK_EQ_INT(put(st, &k1, "territory", NOW - 5, PROTO_KIND_DOCUMENT, &t, NULL, NULL), 0);
	CHECK_EQ_INT(store_territory_name(st, k1.pk, name, sizeof name), 0);
	CHECK_EQ_STR(name, "Métropole de Lyon");
	CHECK_EQ_INT(store_territory_name(st, k1.pk, name, 3), 0);
	CHECK_EQ_STR(name, "M"); /* "Mé" needs 3 bytes + NUL */
	CHECK_EQ_INT(store_territory_name(st, k1.pk, name, 4), 0);
	CHECK_EQ_STR(name, "Mé");
	{
		/* Only the territory key writes its territory record: a member's is refused,
		 * with a capability reference that does not name its signer or one that does. */
		size_t len;
		uint8_t *raw = entry_make2(&k2, &member, "members/m", "territory", NOW - 5,
		                           PROTO_KIND_DOCUMENT, &t, &len);
		CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, NULL), MAILLE_EAUTH);
		free(raw);
		CHECK_EQ_INT(cap_put(st, &k2, &member, NOW - 6, 0, 0, NULL, NULL), 0);
		CHECK_EQ_INT(member_put(st, &k2, &member, "territory", NOW - 5, PROTO_KIND_DOCUMENT,
		                        &t, NULL, NULL),
		             MAILLE_EDENIED);
		CHECK_EQ_INT(store_territory_name(st, k2.pk, name, sizeof name), MAILLE_ENOTFOUND);
	}
	/* A territory record does not show in list/search unless asked for. */
	CHECK_EQ_INT(search_n(st, "lyon", NULL), 0);
	store_filter f = {.include_federation = true};
	CHECK_EQ_INT(search_n(st, "lyon", &f), 1);
	store_close(st);
	tmp_end();
}

/* ---- secure deletion ---------------------------------------------------------------------- */

static void test_secure_delete_control(void)
{
	key k;
	doc d = {.title = "Témoin", .description = "Le mot zorglubmirifique reste ici."};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/temoin", NOW - 10, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	store_close(st);
	/* Without a deletion the word is in the file: the test below can fail. */
	CHECK(store_file_contains("zorglubmirifique"));
	tmp_end();
}

/* The text is stored once, in the signed entry: the index keeps words, not sentences. */
static void test_text_stored_once(void)
{
	key k;
	doc d = {.title = "Unique",
	         .description = "Une phrase qui ne figure qu'une fois dans le fichier."};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/unique", NOW - 10, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(search_n(st, "figure fichier", NULL), 1);
	store_close(st);
	CHECK_EQ_INT(store_file_count("qui ne figure qu'une fois"), 1);
	st = store_reopen();
	rows rs = {0};
	CHECK_EQ_INT(store_search(st, "fichier", NULL, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 1);
	CHECK(strstr(rs.snippet[0], "\x02" "fichier" "\x03") != NULL);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

static void test_secure_delete_tombstone(void)
{
	key k;
	doc d = {.title = "Secret", .description = "Le mot zorglubmirifique doit disparaître.",
	         .keyword = "motcleeffacable"};
	doc other = {.title = "Autre", .description = "Un texte qui reste: persistantissime."};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/autre", NOW - 30, PROTO_KIND_DOCUMENT, &other, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/secret", NOW - 20, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/secret", NOW - 10, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(search_n(st, "zorglubmirifique", NULL), 0);
	store_close(st);
	CHECK(!store_file_contains("zorglubmirifique"));
	CHECK(!store_file_contains("motcleeffacable"));
	CHECK(store_file_contains("persistantissime"));
	st = store_reopen();
	CHECK_EQ_INT(search_n(st, "persistantissime", NULL), 1);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

static void test_secure_delete_edit(void)
{
	key k;
	doc v1 = {.title = "Version", .description = "Ancien texte: zorglubmirifique."};
	doc v2 = {.title = "Version", .description = "Nouveau texte: marsupilamique."};
	store *st = store_fresh(&k);
	/* In a batch this time, so that store_commit() is what optimises. */
	CHECK_EQ_INT(put(st, &k, "rex/version", NOW - 20, PROTO_KIND_DOCUMENT, &v1, NULL, NULL), 0);
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/version", NOW - 10, PROTO_KIND_DOCUMENT, &v2, NULL, NULL), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(search_n(st, "zorglubmirifique", NULL), 0);
	CHECK_EQ_INT(search_n(st, "marsupilamique", NULL), 1);
	store_close(st);
	CHECK(!store_file_contains("zorglubmirifique"));
	CHECK(store_file_contains("marsupilamique"));
	tmp_end();
}

/* ---- check -------------------------------------------------------------------------------- */

typedef struct problems {
	size_t n, n_other;
	uint8_t want[PROTO_ID_LEN];
} problems;

static void problems_cb(const uint8_t *id, const char *path, const char *problem, void *ctx)
{
	problems *p = ctx;
	p->n++;
	if (!id || memcmp(id, p->want, PROTO_ID_LEN) != 0) {
		p->n_other++;
		fprintf(stderr, "  unexpected problem: %s: %s\n", path ? path : "-", problem);
	}
}

/* Builds a store of a few entries and returns the id of "rex/cible". */
static void check_fixture(uint8_t ret_id[PROTO_ID_LEN])
{
	key k;
	doc a = {.title = "Cible", .description = "texte de la cible", .theme = "donnees"};
	doc b = {.title = "Voisin", .description = "texte du voisin"};
	proto_key_generate(k.pk, k.sk);
	store *st = store_create();
	CHECK_EQ_INT(put(st, &k, "rex/voisin", NOW - 30, PROTO_KIND_DOCUMENT, &b, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/cible", NOW - 20, PROTO_KIND_DOCUMENT, &a, NULL, ret_id), 0);
	CHECK_EQ_INT(put(st, &k, "rex/mort", NOW - 10, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	uint64_t checked = 0;
	CHECK_EQ_INT(store_check(st, problems_cb, &(problems){0}, &checked), 0);
	CHECK_EQ_INT(checked, 3);
	store_close(st);
}

/* Runs sql (?1 bound to the target's id, ?2 to blob) on the closed store's file. */
static void tamper(const char *sql, const uint8_t id[PROTO_ID_LEN], const uint8_t *blob, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	CHECK_EQ_INT(sqlite3_open(path_, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_blob(s, 1, id, PROTO_ID_LEN, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(s, 2, blob, (int)n, SQLITE_STATIC);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_DONE);
	CHECK_EQ_INT(sqlite3_changes(db), 1);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* The raw bytes of the target, flipped at offset (from the end when negative), written back. */
static void tamper_raw(const uint8_t id[PROTO_ID_LEN], long offset)
{
	store *st = store_reopen();
	store_row row;
	char hex[2 * PROTO_ID_LEN + 1];
	hex_of(id, hex);
	CHECK_EQ_INT(store_entry_get_id(st, hex, &row), 0);
	uint8_t *raw = malloc(row.raw_len);
	size_t len = row.raw_len;
	memcpy(raw, row.raw, len);
	store_row_done(&row);
	store_close(st);
	size_t at = offset < 0 ? len - (size_t)(-offset) : (size_t)offset;
	raw[at] ^= 0x01;
	tamper("UPDATE entries SET raw = ?2 WHERE id = ?1", id, raw, len);
	free(raw);
}

static void check_expect_target(const uint8_t id[PROTO_ID_LEN])
{
	problems p = {0};
	memcpy(p.want, id, PROTO_ID_LEN);
	store *st = store_reopen();
	uint64_t checked = 0;
	CHECK_EQ_INT(store_check(st, problems_cb, &p, &checked), MAILLE_ECORRUPT);
	CHECK_EQ_INT(checked, 3);
	CHECK(p.n >= 1);
	CHECK_EQ_INT(p.n_other, 0);
	store_close(st);
}

static void test_check_raw_byte(void)
{
	uint8_t id[PROTO_ID_LEN];
	tmp_begin();
	check_fixture(id);
	/* A byte in the middle of the body. */
	tamper_raw(id, 120);
	check_expect_target(id);
	tmp_end();
}

static void test_check_signature_byte(void)
{
	uint8_t id[PROTO_ID_LEN];
	tmp_begin();
	check_fixture(id);
	tamper_raw(id, -1);
	check_expect_target(id);
	tmp_end();
}

static void test_check_path_column(void)
{
	uint8_t id[PROTO_ID_LEN];
	tmp_begin();
	check_fixture(id);
	tamper("UPDATE entries SET path = 'rex/ailleurs' WHERE id = ?1", id, NULL, 0);
	check_expect_target(id);
	tmp_end();
}

static void test_check_missing_fts_row(void)
{
	uint8_t id[PROTO_ID_LEN];
	tmp_begin();
	check_fixture(id);
	/* The index reads its text from the entries (external content), through a function and a
	 * tokenizer this connection does not have: remove the row's sizes, which the index keeps
	 * for every row it holds. */
	tamper("DELETE FROM fts_docsize WHERE id = (SELECT rid FROM entries WHERE id = ?1)", id, NULL,
	       0);
	check_expect_target(id);
	tmp_end();
}

static void test_check_path_keys(void)
{
	uint8_t id[PROTO_ID_LEN];
	tmp_begin();
	check_fixture(id);
	tamper("UPDATE entries SET path_key = path_key + 1 WHERE id = ?1", id, NULL, 0);
	check_expect_target(id);
	tmp_end();
}

/* After batch_failing: the batch's other puts are counted (n entries in all) and the store's
 * check reports the tampered row of id and nothing else. Closes st. */
static void batch_failed_after(store *st, uint64_t n, const uint8_t id[PROTO_ID_LEN])
{
	uint64_t count = 0;
	CHECK_EQ_INT(store_count(st, &count, NULL), 0);
	CHECK_EQ_INT(count, n);
	problems p = {0};
	memcpy(p.want, id, PROTO_ID_LEN);
	CHECK_EQ_INT(store_check(st, problems_cb, &p, NULL), MAILLE_ECORRUPT);
	CHECK(p.n >= 1);
	CHECK_EQ_INT(p.n_other, 0);
	store_close(st);
}

/* The store reopened, and one batch committed in it: d put at path before, raw (whose put must
 * fail as corrupt), d put at path after. */
static store *batch_failing(const key *k, const char *before, const uint8_t *raw, size_t len,
                            const char *after, const doc *d)
{
	int result = -1;
	store *st = store_reopen();
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, k, before, NOW - 5, PROTO_KIND_DOCUMENT, d, &result, NULL), 0);
	CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, &result), MAILLE_ECORRUPT);
	CHECK_EQ_INT(put(st, k, after, NOW - 4, PROTO_KIND_DOCUMENT, d, &result, NULL), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	return st;
}

/* A put of a new (territory, path) that fails (its id already stored elsewhere: a file
 * altered behind the store's back) writes nothing, and the batch goes on. */
static void test_batch_failed_new_put(void)
{
	key k;
	uint8_t id_a[PROTO_ID_LEN], id_b[PROTO_ID_LEN];
	size_t len_b;
	doc a = {.title = "Premier", .description = "premiertexte"};
	doc b = {.title = "Nouveau", .description = "nouveautexte"};
	doc c = {.title = "Autre"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 30, PROTO_KIND_DOCUMENT, &a, NULL, id_a), 0);
	store_close(st);
	uint8_t *raw_b = entry_make(&k, "rex/b", NOW - 10, PROTO_KIND_DOCUMENT, &b, &len_b);
	proto_entry_id(raw_b, len_b, id_b);
	tamper("UPDATE entries SET id = ?2 WHERE id = ?1", id_a, id_b, PROTO_ID_LEN);

	st = batch_failing(&k, "rex/c", raw_b, len_b, "rex/d", &c);
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/b", &row), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/d", &row), 0);
	store_row_done(&row);
	CHECK_EQ_INT(search_n(st, "nouveautexte", NULL), 0);
	CHECK_EQ_INT(search_n(st, "autre", NULL), 2);
	batch_failed_after(st, 3, id_b);
	free(raw_b);
	tmp_end();
}

/* A put that fails half-way (after deleting the version it supersedes) is undone completely,
 * its queued full-text changes included, and the batch goes on. The failure is provoked by a
 * row whose id column was set behind the store's back to the id of the incoming entry. */
static void test_batch_failed_put_undone(void)
{
	key k;
	uint8_t id_v1[PROTO_ID_LEN], id_c[PROTO_ID_LEN], id_v2[PROTO_ID_LEN];
	size_t len_v2;
	doc v1 = {.title = "Original", .description = "premiertexte"};
	doc v2 = {.title = "Remplacant", .description = "secondtexte"};
	doc c = {.title = "Autre"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/p", NOW - 30, PROTO_KIND_DOCUMENT, &v1, NULL, id_v1), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 20, PROTO_KIND_DOCUMENT, &c, NULL, id_c), 0);
	store_close(st);
	uint8_t *raw_v2 = entry_make(&k, "rex/p", NOW - 10, PROTO_KIND_DOCUMENT, &v2, &len_v2);
	proto_entry_id(raw_v2, len_v2, id_v2);
	tamper("UPDATE entries SET id = ?2 WHERE id = ?1", id_c, id_v2, PROTO_ID_LEN);

	st = batch_failing(&k, "rex/d", raw_v2, len_v2, "rex/e", &c);
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/p", &row), 0);
	CHECK(memcmp(row.id, id_v1, PROTO_ID_LEN) == 0);
	store_row_done(&row);
	CHECK_EQ_INT(search_n(st, "premiertexte", NULL), 1);
	CHECK_EQ_INT(search_n(st, "secondtexte", NULL), 0);
	batch_failed_after(st, 4, id_v2);
	free(raw_v2);
	tmp_end();
}

/* ---- arrival order, change feed, fingerprint ---------------------------------------------- */

/* SQL run on the store's file through a connection of its own (the store closed, or open
 * outside a batch). */
static void raw_exec(const char *sql)
{
	sqlite3 *db;
	char *err = NULL;
	CHECK_EQ_INT(sqlite3_open(path_, &db), SQLITE_OK);
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	CHECK_EQ_INT(rc, SQLITE_OK);
	if (rc != SQLITE_OK)
		fprintf(stderr, "  raw_exec: %s\n", err ? err : "?");
	sqlite3_free(err);
	sqlite3_close(db);
}

static uint64_t rid_of(store *st, const key *k, const char *path)
{
	store_row row;
	uint64_t rid = 0;
	CHECK_EQ_INT(store_entry_get(st, k->pk, path, &row), 0);
	rid = row.rid;
	store_row_done(&row);
	return rid;
}

static uint64_t last_rid(store *st)
{
	uint64_t r = UINT64_MAX;
	CHECK_EQ_INT(store_last_rid(st, &r), 0);
	return r;
}

/* store_fingerprint and its count are rbsr's over store_items, whose items are strictly
 * ascending (rbsr_set_init refuses anything else), all stored, as many as store_count says.
 * Returns the number of items. */
static size_t fp_check(store *st)
{
	rbsr_item *items = (rbsr_item *)&items; /* store_items must set it */
	size_t n = 99;
	uint8_t fp[RBSR_FP_LEN], want[RBSR_FP_LEN], want_sorted[RBSR_FP_LEN];
	uint64_t count = 0, entries = 0;
	rbsr_set set = {0}, sorted = {0};

	int rc = store_items(st, &items, &n);
	CHECK_EQ_INT(rc, 0);
	if (rc)
		return 0;
	CHECK(n > 0 || items == NULL);
	CHECK_EQ_INT(rbsr_set_build(&set, items, n), 0);
	CHECK_EQ_INT(rbsr_set_init(&sorted, items, n), 0);
	rbsr_set_fingerprint_all(&set, want);
	rbsr_set_fingerprint_all(&sorted, want_sorted);
	CHECK(memcmp(want, want_sorted, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(store_fingerprint(st, fp, &count), 0);
	CHECK(memcmp(fp, want, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(count, n);
	CHECK_EQ_INT(store_count(st, &entries, NULL), 0);
	CHECK_EQ_INT(entries, n);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ_INT(store_has(st, items[i].id), 0);
	rbsr_set_done(&set);
	rbsr_set_done(&sorted);
	free(items);
	return n;
}

/* The fingerprint now, to compare with a later one. */
static void fp_get(store *st, uint8_t ret[RBSR_FP_LEN])
{
	CHECK_EQ_INT(store_fingerprint(st, ret, NULL), 0);
}

/* Every put that stores a row gives it a rid greater than any before, even when the row it
 * supersedes held the greatest (SQLite's own choice, max(rid) + 1, gave that rid again);
 * puts that store nothing take none; every way of reading rows says the row's rid. */
static void test_rid_monotonic(void)
{
	key k;
	int result = -1;
	uint8_t id_b2[PROTO_ID_LEN];
	char hex[2 * PROTO_ID_LEN + 1];
	doc a = {.title = "Alpha", .description = "motalpha"};
	doc b = {.title = "Beta", .description = "motbeta"};
	doc b2 = {.title = "Beta deux", .description = "motbeta"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(last_rid(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 50, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 40, PROTO_KIND_DOCUMENT, &b, NULL, NULL), 0);
	CHECK_EQ_INT(rid_of(st, &k, "rex/a"), 1);
	CHECK_EQ_INT(rid_of(st, &k, "rex/b"), 2);
	CHECK_EQ_INT(last_rid(st), 2);

	/* rex/b held the greatest rid: its successor gets a new one. */
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 30, PROTO_KIND_DOCUMENT, &b2, &result, id_b2), 0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(rid_of(st, &k, "rex/b"), 3);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 20, PROTO_KIND_TOMBSTONE, NULL, &result, NULL), 0);
	CHECK_EQ_INT(rid_of(st, &k, "rex/b"), 4);
	CHECK_EQ_INT(last_rid(st), 4);

	/* Superseded and duplicate puts store nothing and take no rid. */
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 35, PROTO_KIND_DOCUMENT, &b, &result, NULL), 0);
	CHECK_EQ_INT(result, STORE_PUT_SUPERSEDED);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 20, PROTO_KIND_TOMBSTONE, NULL, &result, NULL), 0);
	CHECK_EQ_INT(result, STORE_PUT_DUPLICATE);
	CHECK_EQ_INT(last_rid(st), 4);

	/* Inside a batch the batch's puts count; a rolled-back batch never happened. */
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 10, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(rid_of(st, &k, "rex/c"), 5);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 9, PROTO_KIND_DOCUMENT, &b, NULL, NULL), 0);
	CHECK_EQ_INT(rid_of(st, &k, "rex/c"), 6);
	CHECK_EQ_INT(last_rid(st), 6);
	store_rollback(st);
	CHECK_EQ_INT(last_rid(st), 4);

	/* The counter is in the file. */
	store_close(st);
	st = store_reopen();
	CHECK_EQ_INT(last_rid(st), 4);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 5, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(rid_of(st, &k, "rex/a"), 5);
	CHECK_EQ_INT(last_rid(st), 5);

	/* Every reader fills rid. */
	rows rs = {0};
	store_filter all = {.include_tombstones = true};
	CHECK_EQ_INT(store_list(st, &all, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 2);
	CHECK_EQ_INT(rs.rid[0], 5); /* rex/a, newest */
	CHECK_EQ_INT(rs.rid[1], 4); /* the tombstone */
	rs = (rows){0};
	CHECK_EQ_INT(store_search(st, "motalpha", NULL, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 1);
	CHECK_EQ_INT(rs.rid[0], 5);
	rs = (rows){0};
	CHECK_EQ_INT(store_search(st, "m", NULL, 0, rows_cb, &rs), 0); /* a lone short prefix */
	CHECK_EQ_INT(rs.n, 1);
	CHECK_EQ_INT(rs.rid[0], 5);
	rs = (rows){0};
	CHECK_EQ_INT(store_entry_find_path(st, "rex/a", NULL, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 1);
	CHECK_EQ_INT(rs.rid[0], 5);
	store_row row;
	hex_of(id_b2, hex);
	CHECK_EQ_INT(store_entry_get_id(st, hex, &row), MAILLE_ENOTFOUND); /* superseded */
	CHECK_EQ_INT(put(st, &k, "rex/d", NOW - 4, PROTO_KIND_DOCUMENT, &b2, NULL, id_b2), 0);
	hex_of(id_b2, hex);
	CHECK_EQ_INT(store_entry_get_id(st, hex, &row), 0);
	CHECK_EQ_INT(row.rid, 6);
	store_row_done(&row);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

typedef struct since_ctx {
	store *st;
	rows rs;
	size_t raw_ok; /* rows whose raw store_raw_get gave back from inside the callback */
} since_ctx;

static int since_cb(const store_row *r, void *ctx)
{
	since_ctx *c = ctx;
	uint8_t *raw = NULL;
	size_t len = 0;
	/* A callback may call the store. */
	if (store_raw_get(c->st, r->id, &raw, &len) == 0 && len == r->raw_len &&
	    memcmp(raw, r->raw, len) == 0)
		c->raw_ok++;
	free(raw);
	return rows_cb(r, &c->rs);
}

/* store_since: the live rows after a rid, in rid order, limited; superseded rows are gone. */
static void test_since(void)
{
	key k;
	doc d = {.title = "Suite"};
	uint8_t id[6][PROTO_ID_LEN];
	char path[32];
	store *st = store_fresh(&k);
	since_ctx c = {.st = st};
	CHECK_EQ_INT(store_since(st, 0, 0, since_cb, &c), 0);
	CHECK_EQ_INT(c.rs.n, 0);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "rex/s%d", i);
		CHECK_EQ_INT(put(st, &k, path, NOW - 100 + (uint64_t)i, PROTO_KIND_DOCUMENT, &d, NULL,
		                 id[i]),
		             0);
	}
	/* rex/s1 (rid 2) is superseded by a tombstone (rid 6). */
	CHECK_EQ_INT(put(st, &k, "rex/s1", NOW - 10, PROTO_KIND_TOMBSTONE, NULL, NULL, id[5]), 0);

	CHECK_EQ_INT(store_since(st, 0, 0, since_cb, &c), 0);
	CHECK_EQ_INT(c.rs.n, 5);
	CHECK_EQ_INT(c.raw_ok, 5);
	static const uint64_t want_rid[5] = {1, 3, 4, 5, 6};
	static const int want_id[5] = {0, 2, 3, 4, 5};
	for (size_t i = 0; i < 5 && i < c.rs.n; i++) {
		CHECK_EQ_INT(c.rs.rid[i], want_rid[i]);
		CHECK(memcmp(c.rs.id[i], id[want_id[i]], PROTO_ID_LEN) == 0);
	}
	/* After a point, limited. */
	c.rs = (rows){0};
	CHECK_EQ_INT(store_since(st, 3, 2, since_cb, &c), 0);
	CHECK_EQ_INT(c.rs.n, 2);
	CHECK_EQ_INT(c.rs.rid[0], 4);
	CHECK_EQ_INT(c.rs.rid[1], 5);
	c.rs = (rows){0};
	CHECK_EQ_INT(store_since(st, 6, 0, since_cb, &c), 0);
	CHECK_EQ_INT(c.rs.n, 0);
	CHECK_EQ_INT(store_since(st, UINT64_MAX, 0, since_cb, &c), 0);
	CHECK_EQ_INT(c.rs.n, 0);
	/* A non-zero return stops the walk and is returned. */
	rows rs = {.stop_after = 2};
	CHECK_EQ_INT(store_since(st, 0, 0, rows_cb, &rs), 42);
	CHECK_EQ_INT(rs.n, 2);
	CHECK_EQ_INT(store_since(st, 0, 0, NULL, NULL), MAILLE_EINVAL);
	store_close(st);
	tmp_end();
}

/* store_has and store_raw_get by id: stored entries (tombstones too), not superseded ones. */
static void test_has_raw_get(void)
{
	key k;
	doc d = {.title = "Par identifiant"};
	uint8_t id_old[PROTO_ID_LEN], id_tomb[PROTO_ID_LEN], unknown[PROTO_ID_LEN];
	size_t len;
	store *st = store_fresh(&k);
	uint8_t *raw_doc = entry_make(&k, "rex/doc", NOW - 10, PROTO_KIND_DOCUMENT, &d, &len);
	uint8_t id_doc[PROTO_ID_LEN];
	proto_entry_id(raw_doc, len, id_doc);
	CHECK_EQ_INT(store_entry_put(st, raw_doc, len, NOW, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/tomb", NOW - 30, PROTO_KIND_DOCUMENT, &d, NULL, id_old), 0);
	CHECK_EQ_INT(put(st, &k, "rex/tomb", NOW - 20, PROTO_KIND_TOMBSTONE, NULL, NULL, id_tomb), 0);
	memset(unknown, 0xab, sizeof unknown);

	CHECK_EQ_INT(store_has(st, id_doc), 0);
	CHECK_EQ_INT(store_has(st, id_tomb), 0);
	CHECK_EQ_INT(store_has(st, id_old), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_has(st, unknown), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_has(st, NULL), MAILLE_EINVAL);

	uint8_t *raw = NULL;
	size_t raw_len = 0;
	CHECK_EQ_INT(store_raw_get(st, id_doc, &raw, &raw_len), 0);
	CHECK(raw && raw_len == len && memcmp(raw, raw_doc, len) == 0);
	free(raw);
	raw = NULL;
	CHECK_EQ_INT(store_raw_get(st, id_tomb, &raw, &raw_len), 0);
	uint8_t check_id[PROTO_ID_LEN];
	if (raw) {
		proto_entry_id(raw, raw_len, check_id);
		CHECK(memcmp(check_id, id_tomb, PROTO_ID_LEN) == 0);
	}
	free(raw);
	raw = NULL;
	CHECK_EQ_INT(store_raw_get(st, id_old, &raw, &raw_len), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_raw_get(st, unknown, &raw, &raw_len), MAILLE_ENOTFOUND);
	CHECK(raw == NULL);
	CHECK_EQ_INT(store_raw_get(st, id_doc, NULL, &raw_len), MAILLE_EINVAL);

	/* Inside a batch, the batch's puts are there. */
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/tomb", NOW - 5, PROTO_KIND_DOCUMENT, &d, NULL, id_old), 0);
	CHECK_EQ_INT(store_has(st, id_old), 0);
	CHECK_EQ_INT(store_has(st, id_tomb), MAILLE_ENOTFOUND);
	store_rollback(st);
	CHECK_EQ_INT(store_has(st, id_old), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_has(st, id_tomb), 0);
	free(raw_doc);
	store_close(st);
	tmp_end();
}

/* The fingerprint kept by the puts is rbsr's over store_items through inserts, edits,
 * tombstones, duplicates and older versions, inside a batch, after a rolled-back batch and a
 * reopen. */
static void test_fingerprint_rbsr(void)
{
	key k, k2;
	uint8_t before[RBSR_FP_LEN], after[RBSR_FP_LEN], empty[RBSR_FP_LEN];
	doc d = {.title = "Empreinte", .description = "somme"};
	doc e = {.title = "Empreinte modifiee"};
	char path[32];
	rbsr_set none = {0};
	tmp_begin();
	proto_key_generate(k.pk, k.sk);
	proto_key_generate(k2.pk, k2.sk);
	store *st = store_create();
	/* The empty set. */
	CHECK_EQ_INT(fp_check(st), 0);
	rbsr_set_fingerprint_all(&none, empty);
	fp_get(st, before);
	CHECK(memcmp(before, empty, RBSR_FP_LEN) == 0);

	/* Inserts, in two territories, with equal timestamps (order by id then). */
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "rex/f%d", i);
		CHECK_EQ_INT(put(st, i % 2 ? &k2 : &k, path, NOW - 1000 + (uint64_t)(i / 3),
		                 PROTO_KIND_DOCUMENT, &d, NULL, NULL),
		             0);
	}
	CHECK_EQ_INT(fp_check(st), 20);
	/* Edits (each supersedes a row, whose id leaves the sum), tombstones, an older version
	 * and a duplicate (nothing changes). */
	CHECK_EQ_INT(put(st, &k, "rex/f0", NOW - 500, PROTO_KIND_DOCUMENT, &e, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k2, "rex/f1", NOW - 500, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/f2", NOW - 400, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/f2", NOW - 300, PROTO_KIND_DOCUMENT, &e, NULL, NULL), 0);
	CHECK_EQ_INT(fp_check(st), 20);
	fp_get(st, before);
	CHECK_EQ_INT(put(st, &k, "rex/f2", NOW - 350, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/f2", NOW - 300, PROTO_KIND_DOCUMENT, &e, NULL, NULL), 0);
	fp_get(st, after);
	CHECK(memcmp(before, after, RBSR_FP_LEN) == 0);

	/* A committed batch, checked inside (it sees its own puts) and after. */
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/f4", NOW - 200, PROTO_KIND_DOCUMENT, &e, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/new1", NOW - 200, PROTO_KIND_DOCUMENT, &e, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/new1", NOW - 100, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(fp_check(st), 21);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0); /* meta written mid-batch */
	CHECK_EQ_INT(put(st, &k, "rex/new2", NOW - 100, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/new2", NOW - 90, PROTO_KIND_DOCUMENT, &e, NULL, NULL), 0);
	CHECK_EQ_INT(fp_check(st), 22);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(fp_check(st), 22);

	/* A rolled-back batch leaves the fingerprint as it was. */
	fp_get(st, before);
	CHECK_EQ_INT(store_begin(st), 0);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "rex/f%d", i);
		CHECK_EQ_INT(put(st, &k2, path, NOW - 50, PROTO_KIND_DOCUMENT, &e, NULL, NULL), 0);
		CHECK_EQ_INT(put(st, &k, path, NOW - 50, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	}
	CHECK_EQ_INT(fp_check(st), 27);
	fp_get(st, after);
	CHECK(memcmp(before, after, RBSR_FP_LEN) != 0);
	store_rollback(st);
	fp_get(st, after);
	CHECK(memcmp(before, after, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(fp_check(st), 22);

	store_close(st);
	st = store_reopen();
	CHECK_EQ_INT(fp_check(st), 22);
	fp_get(st, after);
	CHECK(memcmp(before, after, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(store_fingerprint(st, NULL, NULL), MAILLE_EINVAL);
	store_close(st);
	tmp_end();
}

/* Puts that fail part-way leave the sum, the count and the rid counter as they were, alone
 * or in a batch, with or without a savepoint; a batch whose meta row cannot be written back
 * at commit is rolled back whole. The failures are made by triggers added behind the
 * store's back: on a theme (after the entry's row is written), on meta (written when the
 * transaction ends). */
static void test_fingerprint_failed_puts(void)
{
	key k;
	int result = -1;
	uint8_t before[RBSR_FP_LEN], after[RBSR_FP_LEN];
	doc d = {.title = "Stable", .description = "motstable"};
	doc boom = {.title = "Echec", .description = "motechec", .theme = "boom"};
	doc boom_meta = {.title = "Echec meta", .description = "motechec", .theme = "boommeta"};
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	store_close(st);
	raw_exec("CREATE TRIGGER boom BEFORE INSERT ON themes WHEN NEW.theme = 'boom'"
	         " BEGIN SELECT RAISE(ABORT, 'boom'); END;"
	         "CREATE TRIGGER boom_meta BEFORE UPDATE ON meta"
	         " WHEN EXISTS (SELECT 1 FROM themes WHERE theme = 'boommeta')"
	         " BEGIN SELECT RAISE(ABORT, 'boom'); END;");
	st = store_reopen();
	fp_get(st, before);
	CHECK_EQ_INT(last_rid(st), 2);

	/* Alone: the transaction is rolled back. */
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 40, PROTO_KIND_DOCUMENT, &boom, NULL, NULL),
	             MAILLE_ECORRUPT);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 40, PROTO_KIND_DOCUMENT, &boom_meta, NULL, NULL),
	             MAILLE_ECORRUPT);
	fp_get(st, after);
	CHECK(memcmp(before, after, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(fp_check(st), 2);
	CHECK_EQ_INT(last_rid(st), 2);

	/* In a batch: a new path is undone by deleting its row, an edit by its savepoint; the
	 * batch goes on. */
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 40, PROTO_KIND_DOCUMENT, &boom, NULL, NULL),
	             MAILLE_ECORRUPT);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 40, PROTO_KIND_DOCUMENT, &boom, NULL, NULL),
	             MAILLE_ECORRUPT);
	CHECK_EQ_INT(fp_check(st), 2);
	fp_get(st, after);
	CHECK(memcmp(before, after, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(last_rid(st), 2);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 30, PROTO_KIND_DOCUMENT, &d, &result, NULL), 0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(put(st, &k, "rex/d", NOW - 30, PROTO_KIND_DOCUMENT, &d, &result, NULL), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(fp_check(st), 3);
	CHECK_EQ_INT(rid_of(st, &k, "rex/b"), 3);
	CHECK_EQ_INT(rid_of(st, &k, "rex/d"), 4);
	CHECK_EQ_INT(last_rid(st), 4);
	CHECK_EQ_INT(search_n(st, "motechec", NULL), 0);
	CHECK_EQ_INT(search_n(st, "motstable", NULL), 3);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);

	/* meta cannot be written at commit: nothing of the batch stays. */
	fp_get(st, before);
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/e", NOW - 20, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 20, PROTO_KIND_DOCUMENT, &boom_meta, NULL, NULL),
	             0);
	CHECK_EQ_INT(fp_check(st), 4);
	CHECK_EQ_INT(store_commit(st), MAILLE_ECORRUPT);
	fp_get(st, after);
	CHECK(memcmp(before, after, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(fp_check(st), 3);
	CHECK_EQ_INT(last_rid(st), 4);
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, k.pk, "rex/e", &row), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(search_n(st, "motechec", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

/* Two handles on one file (as two processes): each sees the other's commits at once, in the
 * change feed, the fingerprint and the data version, and the rids of both interleave in
 * commit order. */
static void test_two_writers(void)
{
	key k;
	doc d = {.title = "Partage"};
	uint64_t v0 = 0, v1 = 0, v2 = 0;
	char path[32];
	tmp_begin();
	proto_key_generate(k.pk, k.sk);
	store *a = store_create();
	store *b = store_reopen();
	CHECK_EQ_INT(store_data_version(a, &v0), 0);
	CHECK_EQ_INT(put(b, &k, "rex/b0", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(store_data_version(a, &v1), 0);
	CHECK(v1 != v0);
	/* Its own commits do not change it (SQLite's data_version). */
	CHECK_EQ_INT(put(a, &k, "rex/a0", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(store_data_version(a, &v2), 0);
	CHECK_EQ_INT(v2, v1);
	CHECK_EQ_INT(store_data_version(b, &v2), 0);
	CHECK_EQ_INT(store_data_version(a, NULL), MAILLE_EINVAL);

	for (int i = 1; i < 6; i++) {
		snprintf(path, sizeof path, "rex/%c%d", i % 2 ? 'a' : 'b', i);
		CHECK_EQ_INT(put(i % 2 ? a : b, &k, path, NOW - 40 + (uint64_t)i, PROTO_KIND_DOCUMENT,
		                 &d, NULL, NULL),
		             0);
	}
	/* A batch of b's, and an edit by a of a row b wrote. */
	CHECK_EQ_INT(store_begin(b), 0);
	CHECK_EQ_INT(put(b, &k, "rex/b6", NOW - 20, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(b, &k, "rex/b7", NOW - 20, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(store_commit(b), 0);
	CHECK_EQ_INT(put(a, &k, "rex/b0", NOW - 10, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);

	CHECK_EQ_INT(fp_check(a), 9);
	CHECK_EQ_INT(fp_check(b), 9);
	uint8_t fa[RBSR_FP_LEN], fb[RBSR_FP_LEN];
	fp_get(a, fa);
	fp_get(b, fb);
	CHECK(memcmp(fa, fb, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(last_rid(a), 10);
	CHECK_EQ_INT(last_rid(b), 10);
	rows rs = {0};
	CHECK_EQ_INT(store_since(a, 0, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 9);
	for (size_t i = 1; i < rs.n && i < ROWS_MAX; i++)
		CHECK(rs.rid[i] > rs.rid[i - 1]);
	CHECK_EQ_INT(rs.rid[8], 10);
	CHECK_EQ_INT(rid_of(b, &k, "rex/b7"), 9);
	CHECK_EQ_INT(store_check(a, NULL, NULL, NULL), 0);
	store_close(b);
	store_close(a);
	tmp_end();
}

/* A version-1 file (this version's, without the tables migrations 2 to 4 add) with rows, one
 * of them superseded, opens as the current version: the next rid follows the greatest, the sum and count
 * are those of its rows. An empty one too. */
static void test_migrate_v1(void)
{
	key k;
	doc d = {.title = "Ancien format", .description = "motancien"};
	uint8_t fp_before[RBSR_FP_LEN], fp[RBSR_FP_LEN];
	store *st = store_fresh(&k);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 40, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 40, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(store_peer_add(st, "peer.example:7000", NOW), 0);
	fp_get(st, fp_before);
	store_close(st);
	/* rids 1, 4, 5; the row of the greatest removed too (a tombstone: no text, no theme), so
	 * that the rids left are 1 and 4 and the next must be 5. */
	raw_exec("DELETE FROM entries WHERE rid = 5;" TO_VERSION_1);

	st = store_reopen();
	CHECK_EQ_INT(store_upgraded_from(st), 1);
	/* the index rebuilt by migration 8, with its vocabulary */
	CHECK_EQ_INT(search_n(st, "motancien", NULL), 1);
	CHECK_EQ_INT(search_n(st, "anciens formats", NULL), 1);
	{
		char sug[STORE_SUGGEST_MAX][STORE_SUGGEST_LEN];
		size_t n = 0;
		CHECK_EQ_INT(store_suggest(st, "motancient", sug, STORE_SUGGEST_MAX, &n), 0);
		CHECK_EQ_INT(n, 1);
		CHECK_EQ_STR(n ? sug[0] : NULL, "motancien");
	}
	CHECK_EQ_INT(fp_check(st), 2);
	CHECK_EQ_INT(last_rid(st), 4);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	rows rs = {0};
	CHECK_EQ_INT(store_since(st, 0, 0, rows_cb, &rs), 0);
	CHECK_EQ_INT(rs.n, 2);
	CHECK_EQ_INT(rs.rid[0], 1);
	CHECK_EQ_INT(rs.rid[1], 4);
	/* The same tombstone again (Ed25519 signatures are deterministic): the set of before. */
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 40, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(rid_of(st, &k, "rex/c"), 5);
	fp_get(st, fp);
	CHECK(memcmp(fp, fp_before, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(fp_check(st), 3);
	CHECK_EQ_INT(search_n(st, "motancien", NULL), 1);
	CHECK_EQ_INT(store_peer_list(st, NULL, NULL), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_add(st, "peer.example:7000", NOW), 0);
	/* migration 4: the trusted table is there, and empty */
	CHECK_EQ_INT(store_trust_list(st, NULL, NULL), MAILLE_EINVAL);
	CHECK_EQ_INT(trust_n(st), 0);
	CHECK_EQ_INT(store_trust_add(st, k.pk, NOW), 0);
	CHECK_EQ_INT(trust_n(st), 1);
	/* migration 5: authors counted from the rows that were there (store_check compares),
	 * invitations can be added */
	{
		uint64_t an = 0, ab = 0;
		CHECK_EQ_INT(store_author_usage(st, k.pk, &an, &ab), 0);
		CHECK(an > 0 && ab > an);
		uint8_t h[STORE_INVITE_HASH_LEN] = {7};
		CHECK_EQ_INT(store_invite_add(st, h, NOW, NOW + 1, 1), 0);
	}
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);

	/* The version is the current one now. */
	sqlite3 *db;
	sqlite3_stmt *s;
	CHECK_EQ_INT(sqlite3_open(path_, &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_EQ_INT(sqlite3_column_int64(s, 0), 9);
	sqlite3_finalize(s);
	sqlite3_close(db);
	tmp_end();

	/* Empty. */
	tmp_begin();
	st = store_create();
	store_close(st);
	raw_exec(TO_VERSION_1);
	st = store_reopen();
	CHECK_EQ_INT(fp_check(st), 0);
	CHECK_EQ_INT(last_rid(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 50, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(rid_of(st, &k, "rex/a"), 1);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

typedef struct meta_problems {
	size_t n, meta;
} meta_problems;

static void meta_problems_cb(const uint8_t *id, const char *path, const char *problem, void *ctx)
{
	meta_problems *p = ctx;
	(void)path;
	p->n++;
	if (!id && strncmp(problem, "meta: ", 6) == 0)
		p->meta++;
	else
		fprintf(stderr, "  unexpected problem: %s\n", problem);
}

/* store_check reports a meta row that disagrees with the entries, and nothing else. */
static void test_check_meta(void)
{
	static const char *const alter[] = {
		"UPDATE meta SET n = n + 1",
		"UPDATE meta SET next_rid = 3", /* the greatest rid is 3 */
		"UPDATE meta SET idsum = zeroblob(32)",
		"UPDATE meta SET idsum = x'00'",
		"DELETE FROM meta",
	};
	uint8_t id[PROTO_ID_LEN];
	for (size_t i = 0; i < sizeof alter / sizeof alter[0]; i++) {
		tmp_begin();
		check_fixture(id);
		raw_exec(alter[i]);
		store *st = store_reopen();
		meta_problems p = {0};
		CHECK_EQ_INT(store_check(st, meta_problems_cb, &p, NULL), MAILLE_ECORRUPT);
		CHECK_EQ_INT(p.meta, 1);
		CHECK_EQ_INT(p.n, 1);
		if (i >= 3) {
			/* The fingerprint cannot be given, nor a put stored. */
			uint8_t fp[RBSR_FP_LEN];
			key k;
			doc d = {.title = "x"};
			proto_key_generate(k.pk, k.sk);
			CHECK_EQ_INT(store_fingerprint(st, fp, NULL), MAILLE_ECORRUPT);
			CHECK_EQ_INT(put(st, &k, "rex/x", NOW - 1, PROTO_KIND_DOCUMENT, &d, NULL, NULL),
			             MAILLE_ECORRUPT);
			CHECK_EQ_INT(store_has(st, id), 0);
		}
		store_close(st);
		tmp_end();
	}
}

/* ---- configured peers ------------------------------------------------------------------- */

typedef struct peers {
	size_t n;
	char addr[8][STORE_PEER_ADDR_MAX + 1];
	uint64_t added[8];
	size_t stop_after;
} peers;

static int peers_cb(const char *addr, uint64_t added_us, void *ctx)
{
	peers *p = ctx;
	if (p->n < 8) {
		snprintf(p->addr[p->n], sizeof p->addr[0], "%s", addr);
		p->added[p->n] = added_us;
	}
	p->n++;
	return p->stop_after && p->n >= p->stop_after ? 7 : 0;
}

static void test_peers(void)
{
	char longest[STORE_PEER_ADDR_MAX + 2];
	tmp_begin();
	store *st = store_create();
	peers p = {0};
	CHECK_EQ_INT(store_peer_list(st, peers_cb, &p), 0);
	CHECK_EQ_INT(p.n, 0);
	/* Insertion order, whatever the clock says. */
	CHECK_EQ_INT(store_peer_add(st, "b.example:7000", NOW), 0);
	CHECK_EQ_INT(store_peer_add(st, "a.example:7000", NOW - 10), 0);
	CHECK_EQ_INT(store_peer_add(st, "[2001:db8::1]:7000", NOW - 10), 0);
	CHECK_EQ_INT(store_peer_add(st, "a.example:7000", NOW + 5), MAILLE_EEXIST);
	memset(longest, 'x', sizeof longest);
	longest[STORE_PEER_ADDR_MAX] = '\0';
	CHECK_EQ_INT(store_peer_add(st, longest, NOW), 0);
	longest[STORE_PEER_ADDR_MAX] = 'x';
	longest[STORE_PEER_ADDR_MAX + 1] = '\0';
	CHECK_EQ_INT(store_peer_add(st, longest, NOW), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_add(st, "", NOW), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_add(st, NULL, NOW), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_add(st, "a\n.example:1", NOW), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_add(st, "\xff\xfe:1", NOW), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_add(st, "c.example:1", UINT64_MAX), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_list(st, peers_cb, &p), 0);
	CHECK_EQ_INT(p.n, 4);
	CHECK_EQ_STR(p.addr[0], "b.example:7000");
	CHECK_EQ_STR(p.addr[1], "a.example:7000");
	CHECK_EQ_STR(p.addr[2], "[2001:db8::1]:7000");
	CHECK_EQ_INT(strlen(p.addr[3]), STORE_PEER_ADDR_MAX);
	CHECK_EQ_INT(p.added[0], NOW);
	CHECK_EQ_INT(p.added[1], NOW - 10);

	/* Removing, then adding again: last. */
	CHECK_EQ_INT(store_peer_remove(st, "b.example:7000"), 0);
	CHECK_EQ_INT(store_peer_remove(st, "b.example:7000"), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_peer_remove(st, ""), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_peer_remove(st, NULL), MAILLE_EINVAL);
	CHECK_EQ_INT(store_peer_add(st, "b.example:7000", NOW + 1), 0);
	store_close(st);
	st = store_reopen();
	p = (peers){.stop_after = 2};
	CHECK_EQ_INT(store_peer_list(st, peers_cb, &p), 7);
	CHECK_EQ_INT(p.n, 2);
	p = (peers){0};
	CHECK_EQ_INT(store_peer_list(st, peers_cb, &p), 0);
	CHECK_EQ_INT(p.n, 4);
	CHECK_EQ_STR(p.addr[0], "a.example:7000");
	CHECK_EQ_STR(p.addr[3], "b.example:7000");
	CHECK_EQ_INT(p.added[3], NOW + 1);
	/* Peers are not entries. */
	CHECK_EQ_INT(fp_check(st), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

/* ---- explicit trust ------------------------------------------------------------------------ */

typedef struct trusts {
	size_t n;
	uint8_t key[8][PROTO_KEY_LEN];
	uint64_t added[8];
	size_t stop_after;
} trusts;

static int trusts_cb(const uint8_t k[PROTO_KEY_LEN], uint64_t added_us, void *ctx)
{
	trusts *t = ctx;
	if (t->n < 8) {
		memcpy(t->key[t->n], k, PROTO_KEY_LEN);
		t->added[t->n] = added_us;
	}
	t->n++;
	return t->stop_after && t->n >= t->stop_after ? 9 : 0;
}

static int trust_n(store *st)
{
	trusts t = {0};
	CHECK_EQ_INT(store_trust_list(st, trusts_cb, &t), 0);
	return (int)t.n;
}

/* Add, refuse twice, remove, list in key order whatever the order of adding; survives a
 * reopen; is not an entry (no change to the fingerprint, store_check content). */
static void test_trust(void)
{
	uint8_t a[PROTO_KEY_LEN], b[PROTO_KEY_LEN], c[PROTO_KEY_LEN];
	memset(a, 0x11, sizeof a);
	memset(b, 0x22, sizeof b);
	memset(c, 0x33, sizeof c);
	tmp_begin();
	store *st = store_create();
	CHECK_EQ_INT(trust_n(st), 0);
	CHECK_EQ_INT(store_trust_add(st, c, NOW), 0);
	CHECK_EQ_INT(store_trust_add(st, a, NOW + 1), 0);
	CHECK_EQ_INT(store_trust_add(st, b, NOW + 2), 0);
	CHECK_EQ_INT(store_trust_add(st, a, NOW + 3), MAILLE_EEXIST);
	CHECK_EQ_INT(store_trust_add(st, b, UINT64_MAX), MAILLE_EINVAL);
	CHECK_EQ_INT(store_trust_add(st, NULL, NOW), MAILLE_EINVAL);
	CHECK_EQ_INT(store_trust_add(NULL, a, NOW), MAILLE_EINVAL);
	trusts t = {0};
	CHECK_EQ_INT(store_trust_list(st, trusts_cb, &t), 0);
	CHECK_EQ_INT(t.n, 3);
	CHECK(memcmp(t.key[0], a, PROTO_KEY_LEN) == 0);
	CHECK(memcmp(t.key[1], b, PROTO_KEY_LEN) == 0);
	CHECK(memcmp(t.key[2], c, PROTO_KEY_LEN) == 0);
	CHECK_EQ_INT(t.added[0], NOW + 1); /* the first add's time: the refused one changed nothing */
	CHECK_EQ_INT(t.added[2], NOW);

	CHECK_EQ_INT(store_trust_remove(st, b), 0);
	CHECK_EQ_INT(store_trust_remove(st, b), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_trust_remove(st, NULL), MAILLE_EINVAL);
	CHECK_EQ_INT(trust_n(st), 2);
	store_close(st);

	st = store_reopen();
	t = (trusts){.stop_after = 1};
	CHECK_EQ_INT(store_trust_list(st, trusts_cb, &t), 9);
	CHECK_EQ_INT(t.n, 1);
	CHECK(memcmp(t.key[0], a, PROTO_KEY_LEN) == 0);
	CHECK_EQ_INT(trust_n(st), 2);
	/* trust is not an entry */
	CHECK_EQ_INT(fp_check(st), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

/* ---- bulk --------------------------------------------------------------------------------- */

static double clock_s(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time (user + system) of this process: the machine may be busy with other work, which
 * makes the wall clock a poor measure of the store's own cost. */
static double cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* Bulk insertion through store_entry_put_verified() in batches of 1000 (signature checks are
 * the caller's, off this path). MAILLE_STORE_BULK sets the count (default 20000). */
static void test_bulk_put(void)
{
	static const char *const themes[] = {"ia-democratie", "ia-ressource-limitee",
	                                     "ia-monde-incertain", "transparence-algorithmes"};
	const char *env = getenv("MAILLE_STORE_BULK");
	size_t n = env ? (size_t)strtoul(env, NULL, 10) : 20000;
	key k;
	uint8_t **raws = calloc(n, sizeof *raws);
	size_t *lens = calloc(n, sizeof *lens);
	proto_entry *es = calloc(n, sizeof *es);
	uint8_t(*ids)[PROTO_ID_LEN] = calloc(n, sizeof *ids);
	char path[64], title[96], descr[256];
	tmp_begin();
	proto_key_generate(k.pk, k.sk);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "rex/retour-%zu", i);
		snprintf(title, sizeof title, "Retour d'expérience numéro %zu", i);
		snprintf(descr, sizeof descr,
		         "Description du retour %zu : contexte, objectifs, difficultés, leçons "
		         "apprises et résultats mesurés sur le terrain (%zu agents).",
		         i, i % 97);
		doc d = {.title = title, .summary = "Un résumé court", .description = descr,
		         .status = "production", .licence = "etalab-2.0", .theme = themes[i % 4],
		         .keyword = "bulk"};
		raws[i] = entry_make(&k, path, NOW - 1000000 + i, PROTO_KIND_DOCUMENT, &d, &lens[i]);
		CHECK_EQ_INT(proto_entry_decode(raws[i], lens[i], &es[i]), 0);
		proto_entry_id(raws[i], lens[i], ids[i]);
	}
	store *st = store_create();
	/* Stored first, so the oldest: the only entry where "retour" is followed by
	 * "difficultés". */
	doc old = {.title = "Ancien", .description = "Un retour difficultés rares.", .keyword = "bulk"};
	CHECK_EQ_INT(put(st, &k, "rex/ancien", NOW - 2000000, PROTO_KIND_DOCUMENT, &old, NULL, NULL),
	             0);
	double t0 = now_s(), c0 = cpu_s();
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i += 1000) {
		rc = store_begin(st);
		for (size_t j = i; j < n && j < i + 1000 && !rc; j++)
			rc = store_entry_put_verified(st, &es[j], raws[j], lens[j], ids[j], NULL);
		if (!rc)
			rc = store_commit(st);
	}
	double dt = now_s() - t0, dc = cpu_s() - c0;
	CHECK_EQ_INT(rc, 0);
	fprintf(stderr,
	        "  bulk put: %zu entries in %.3f s wall (%.0f/s), %.3f s CPU (%.0f/s)\n", n, dt,
	        dt > 0 ? (double)n / dt : 0.0, dc, dc > 0 ? (double)n / dc : 0.0);
	uint64_t count = 0;
	CHECK_EQ_INT(store_count(st, &count, NULL), 0);
	CHECK_EQ_INT(count, n + 1);
	{
		/* What a reconciliation reads: every item, and the fingerprint they must give. */
		rbsr_item *items = NULL;
		size_t n_items = 0;
		uint8_t fp[RBSR_FP_LEN], want[RBSR_FP_LEN];
		rbsr_set set = {0};
		t0 = now_s();
		c0 = cpu_s();
		CHECK_EQ_INT(store_items(st, &items, &n_items), 0);
		fprintf(stderr, "  store_items over %zu: %.2f ms wall, %.2f ms CPU\n", n_items,
		        (now_s() - t0) * 1e3, (cpu_s() - c0) * 1e3);
		CHECK_EQ_INT(n_items, n + 1);
		t0 = now_s();
		CHECK_EQ_INT(store_fingerprint(st, fp, &count), 0);
		fprintf(stderr, "  store_fingerprint: %.3f ms\n", (now_s() - t0) * 1e3);
		CHECK_EQ_INT(count, n + 1);
		CHECK_EQ_INT(rbsr_set_init(&set, items, n_items), 0);
		rbsr_set_fingerprint_all(&set, want);
		CHECK(memcmp(fp, want, RBSR_FP_LEN) == 0);
		rbsr_set_done(&set);
		free(items);
	}
	t0 = now_s();
	rows rs = {0};
	char query[48];
	snprintf(query, sizeof query, "numero %zu", n / 2);
	CHECK_EQ_INT(store_search(st, query, NULL, 0, rows_cb, &rs), 0);
	fprintf(stderr, "  search over %zu: %.2f ms\n", n, (now_s() - t0) * 1e3);
	CHECK(n == 0 || rs.n >= 1);
	CHECK(rs.n == 0 || !rs.newest_first[0]);
	if (n > STORE_SEARCH_RANKED_MAX && n <= 99999) {
		/* A word in every entry, alone: the most recently stored first, and the prefix is
		 * tested row by row (its own snippets). */
		char snip[64];
		static const char *const frequent[] = {"bulk", "BULK", "bul", "b"};
		for (size_t i = 0; i < sizeof frequent / sizeof frequent[0]; i++) {
			rs = (rows){0};
			t0 = now_s();
			CHECK_EQ_INT(store_search(st, frequent[i], NULL, 5, rows_cb, &rs), 0);
			fprintf(stderr, "  search \"%s\" over %zu: %.2f ms\n", frequent[i], n,
			        (now_s() - t0) * 1e3);
			CHECK_EQ_INT(rs.n, 5);
			for (size_t j = 0; j < rs.n && j < 5; j++) {
				CHECK(rs.newest_first[j]);
				CHECK_EQ_INT(rs.ts[j], NOW - 1000000 + (n - 1 - j));
				CHECK(rs.rank[j] == 0.0);
			}
		}
		CHECK(strstr(rs.snippet[0], "\x02") != NULL);
		CHECK(strstr(rs.snippet[1], "\x02" "bulk" "\x03") != NULL);
		/* The same through FTS5 (the last word is a phrase, which FTS5 matches itself). */
		rs = (rows){0};
		CHECK_EQ_INT(store_search(st, "bulk d’expérience", NULL, 3, rows_cb, &rs), 0);
		CHECK_EQ_INT(rs.n, 3);
		CHECK(rs.newest_first[0] && rs.newest_first[2]);
		CHECK_EQ_INT(rs.ts[0], NOW - 1000000 + (n - 1));
		CHECK(strstr(rs.snippet[0], "\x02") != NULL);
		/* Filters still apply, in that order. */
		store_filter f = {.theme = themes[1]};
		rs = (rows){0};
		CHECK_EQ_INT(store_search(st, "bulk", &f, 3, rows_cb, &rs), 0);
		CHECK_EQ_INT(rs.n, 3);
		{
			size_t newest = n - 1;
			while (newest % 4 != 1)
				newest--;
			CHECK_EQ_INT(rs.ts[0], NOW - 1000000 + newest);
			CHECK_EQ_INT(rs.ts[1], NOW - 1000000 + newest - 4);
		}
		/* Rare words then a frequent prefix ("difficultés" is in every entry): FTS5 matches
		 * the words, the prefix is tested on their rows; ranked. */
		snprintf(snip, sizeof snip, "numero %zu diff", n / 3);
		rs = (rows){0};
		CHECK_EQ_INT(store_search(st, snip, NULL, 0, rows_cb, &rs), 0);
		CHECK_EQ_INT(rs.n, 1);
		CHECK(!rs.newest_first[0] && rs.rank[0] < 0);
		CHECK_EQ_INT(rs.ts[0], NOW - 1000000 + n / 3);
		snprintf(snip, sizeof snip, "numero %zu difz", n / 3);
		CHECK_EQ_INT(search_n(st, snip, NULL), 0);
		snprintf(snip, sizeof snip, "numero %zu zzz", n / 3);
		CHECK_EQ_INT(search_n(st, snip, NULL), 0);
		/* A rare phrase of frequent words: the entries do not have it, newest first, and
		 * after a while FTS5 takes over from where the walk stopped. */
		static const char *const rare[] = {"retour’difficultés", "retour’diff",
		                                   "bulk retour’difficultés"};
		for (size_t i = 0; i < sizeof rare / sizeof rare[0]; i++) {
			rs = (rows){0};
			t0 = now_s();
			CHECK_EQ_INT(store_search(st, rare[i], NULL, 0, rows_cb, &rs), 0);
			fprintf(stderr, "  search \"%s\" over %zu: %.2f ms\n", rare[i], n,
			        (now_s() - t0) * 1e3);
			CHECK_EQ_INT(rs.n, 1);
			CHECK_EQ_INT(rs.ts[0], NOW - 2000000);
			CHECK(rs.newest_first[0]);
		}
		CHECK(strstr(rs.snippet[0], "\x02" "retour difficultés" "\x03") != NULL);
		CHECK_EQ_INT(search_n(st, "difficultés’retour", NULL), 0);
	}
	store_close(st);
	for (size_t i = 0; i < n; i++)
		free(raws[i]);
	free(raws);
	free(lens);
	free(es);
	free(ids);
	tmp_end();
}

/* ---- indexing later ------------------------------------------------------------------------ */

static uint64_t unindexed(store *st)
{
	uint64_t n = 99;
	CHECK_EQ_INT(store_unindexed(st, &n), 0);
	return n;
}

/* Documents put with store_set_index_later are stored (fingerprint, get, list) but found by
 * search only once store_index_pending indexed them; one superseded or deleted before that
 * leaves nothing behind; the index agrees with its content (store_check) at every step. */
static void test_index_later(void)
{
	key k;
	doc a = {.title = "Premier", .description = "Texte du premier: bananeraie."};
	doc b1 = {.title = "Second", .description = "Ancienne version: zorglubmirifique."};
	doc b2 = {.title = "Second", .description = "Nouvelle version: marsupilamique."};
	doc c = {.title = "Troisième", .description = "Bientôt supprimé: ornithorynque."};
	doc d = {.title = "Quatrième", .description = "Indexé tout de suite: pangolinerie."};
	store *st = store_fresh(&k);
	store_set_index_later(st, true);
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &k, "rex/a", NOW - 50, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 40, PROTO_KIND_DOCUMENT, &b1, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 40, PROTO_KIND_DOCUMENT, &c, NULL, NULL), 0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(unindexed(st), 3);
	CHECK_EQ_INT(search_n(st, "bananeraie", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(fp_check(st), 3);
	/* superseded and deleted before being indexed */
	CHECK_EQ_INT(put(st, &k, "rex/b", NOW - 30, PROTO_KIND_DOCUMENT, &b2, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &k, "rex/c", NOW - 30, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(unindexed(st), 2);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	/* this handle indexes at once again */
	store_set_index_later(st, false);
	CHECK_EQ_INT(put(st, &k, "rex/d", NOW - 20, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	CHECK_EQ_INT(search_n(st, "pangolinerie", NULL), 1);
	CHECK_EQ_INT(unindexed(st), 2);
	size_t done = 0;
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(store_index_pending(st, 10, &done), MAILLE_ESTATE);
	store_rollback(st);
	CHECK_EQ_INT(store_index_pending(st, 1, &done), 0);
	CHECK_EQ_INT(done, 1);
	CHECK_EQ_INT(search_n(st, "bananeraie", NULL), 1); /* the oldest first */
	CHECK_EQ_INT(search_n(st, "marsupilamique", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(store_index_pending(st, 10, &done), 0);
	CHECK_EQ_INT(done, 1);
	CHECK_EQ_INT(store_index_pending(st, 10, &done), 0);
	CHECK_EQ_INT(done, 0);
	CHECK_EQ_INT(unindexed(st), 0);
	CHECK_EQ_INT(search_n(st, "marsupilamique", NULL), 1);
	CHECK_EQ_INT(search_n(st, "zorglubmirifique", NULL), 0);
	CHECK_EQ_INT(search_n(st, "ornithorynque", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(fp_check(st), 4);
	/* an indexed document superseded by one stored for later: its text leaves the index */
	store_set_index_later(st, true);
	CHECK_EQ_INT(put(st, &k, "rex/d", NOW - 10, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(search_n(st, "pangolinerie", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	CHECK(!store_file_contains("zorglubmirifique"));
	CHECK(!store_file_contains("pangolinerie"));
	/* the waiting ones survive a reopen */
	st = store_reopen();
	CHECK_EQ_INT(unindexed(st), 1);
	CHECK_EQ_INT(store_index_pending(st, 10, &done), 0);
	CHECK_EQ_INT(search_n(st, "bananeraie", NULL), 2);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

/* ---- member entries, quotas, invitations (PROTOCOL.md §4.4–4.6) ------------------------ */

static bool has_id(store *st, const uint8_t id[PROTO_ID_LEN])
{
	return store_has(st, id) == 0;
}

static void test_member_hold_release(void)
{
	key terr, member, other;
	uint8_t e1[PROTO_ID_LEN], e2[PROTO_ID_LEN];
	doc a = {.type = "rex", .title = "Retour sur le tri des courriers", .description = "courrier"};
	tmp_begin();
	proto_key_generate(terr.pk, terr.sk);
	proto_key_generate(member.pk, member.sk);
	proto_key_generate(other.pk, other.sk);
	store *st = store_create();
	int result = -1;
	/* Before its capability: stored, in the live set, not shown, not searched. */
	CHECK_EQ_INT(member_put(st, &terr, &member, "rex/tri", NOW - 10, PROTO_KIND_DOCUMENT, &a,
	                        &result, e1),
	             0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK(has_id(st, e1));
	CHECK_EQ_INT(list_n(st, NULL), 0);
	CHECK_EQ_INT(search_n(st, "courrier", NULL), 0);
	CHECK_EQ_INT(fp_check(st), 1);
	uint64_t unindexed = 9;
	CHECK_EQ_INT(store_unindexed(st, &unindexed), 0);
	CHECK_EQ_INT(unindexed, 0); /* held: not waiting for the index either */
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	/* A reference that does not name the signer can never be accepted. */
	{
		size_t len;
		char capref[80] = "members/";
		proto_hex(other.pk, PROTO_KEY_LEN, capref + 8);
		uint8_t *raw = entry_make2(&terr, &member, capref, "rex/x", NOW - 9,
		                           PROTO_KIND_DOCUMENT, &a, &len);
		CHECK_EQ_INT(store_entry_put(st, raw, len, NOW, NULL), MAILLE_EAUTH);
		free(raw);
	}
	/* A member never writes a reserved path, capability or not. */
	CHECK_EQ_INT(member_put(st, &terr, &member, "vouches/abc", NOW - 9, PROTO_KIND_DOCUMENT, &a,
	                        NULL, NULL),
	             MAILLE_EDENIED);
	/* The capability releases it: listed at once, searched once indexed. */
	CHECK_EQ_INT(cap_put(st, &terr, &member, NOW - 100, NOW - 1000, 0, "rex/", NULL), 0);
	CHECK_EQ_INT(list_n(st, NULL), 1);
	CHECK_EQ_INT(store_unindexed(st, &unindexed), 0);
	CHECK_EQ_INT(unindexed, 1);
	size_t done = 0;
	CHECK_EQ_INT(store_index_pending(st, 100, &done), 0);
	CHECK_EQ_INT(done, 1);
	CHECK_EQ_INT(search_n(st, "courrier", NULL), 1);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	/* Outside the prefix, or before the window: refused, nothing written. */
	CHECK_EQ_INT(member_put(st, &terr, &member, "methodology/x", NOW - 9, PROTO_KIND_DOCUMENT,
	                        &a, NULL, NULL),
	             MAILLE_EDENIED);
	CHECK_EQ_INT(member_put(st, &terr, &member, "rex/ancien", NOW - 2000, PROTO_KIND_DOCUMENT,
	                        &a, NULL, NULL),
	             MAILLE_EDENIED);
	CHECK_EQ_INT(member_put(st, &terr, &member, "rex/second", NOW - 5, PROTO_KIND_DOCUMENT, &a,
	                        &result, e2),
	             0);
	CHECK_EQ_INT(fp_check(st), 3); /* capability + two entries */
	/* The window shrinks to end before e2: e2 leaves the live set (and the index), e1 stays;
	 * a later entry is refused. */
	CHECK_EQ_INT(cap_put(st, &terr, &member, NOW - 1, NOW - 1000, NOW - 7, "rex/", NULL), 0);
	CHECK(has_id(st, e1));
	CHECK(!has_id(st, e2));
	CHECK_EQ_INT(fp_check(st), 2);
	CHECK_EQ_INT(member_put(st, &terr, &member, "rex/trois", NOW - 3, PROTO_KIND_DOCUMENT, &a,
	                        NULL, NULL),
	             MAILLE_EDENIED);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	uint64_t n = 0, bytes = 0;
	CHECK_EQ_INT(store_author_usage(st, terr.pk, &n, &bytes), 0);
	CHECK_EQ_INT(n, 2);
	CHECK(bytes > 100);
	/* An older version of the capability changes nothing (it does not become live). */
	CHECK_EQ_INT(cap_put(st, &terr, &member, NOW - 50, NOW - 1000, 0, "rex/", NULL), 0);
	CHECK(has_id(st, e1));
	CHECK_EQ_INT(fp_check(st), 2);
	/* Its tombstone withdraws every entry of the member. */
	{
		char path[80] = "members/";
		proto_hex(member.pk, PROTO_KEY_LEN, path + 8);
		CHECK_EQ_INT(put(st, &terr, path, NOW, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	}
	CHECK(!has_id(st, e1));
	CHECK_EQ_INT(fp_check(st), 1);
	CHECK_EQ_INT(search_n(st, "courrier", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

/* Two stores given the same entries in different orders keep the same set. */
static void test_member_order_independent(void)
{
	key terr, member;
	doc a = {.type = "rex", .title = "Un", .description = "premier"};
	doc b = {.type = "rex", .title = "Deux", .description = "second"};
	uint8_t *raws[4];
	size_t lens[4];
	char capref[80] = "members/";
	tmp_begin();
	proto_key_generate(terr.pk, terr.sk);
	proto_key_generate(member.pk, member.sk);
	proto_hex(member.pk, PROTO_KEY_LEN, capref + 8);
	/* 0: capability without end, 1: its new version ending at NOW - 20, 2 and 3: entries
	 * before and after that end */
	store *tmp = store_create();
	CHECK_EQ_INT(cap_put(tmp, &terr, &member, NOW - 100, NOW - 1000, 0, NULL, NULL), 0);
	CHECK_EQ_INT(cap_put(tmp, &terr, &member, NOW - 90, NOW - 1000, NOW - 20, NULL, NULL), 0);
	store_close(tmp);
	/* the two capability encodings again, to replay them (signed anew: the same content,
	 * so the same bytes) */
	CHECK_EQ_INT(cap_make(&terr, &member, NOW - 100, NOW - 1000, 0, NULL, &raws[0], &lens[0]),
	             0);
	CHECK_EQ_INT(cap_make(&terr, &member, NOW - 90, NOW - 1000, NOW - 20, NULL, &raws[1],
	                      &lens[1]),
	             0);
	raws[2] = entry_make2(&terr, &member, capref, "rex/un", NOW - 30, PROTO_KIND_DOCUMENT, &a,
	                      &lens[2]);
	raws[3] = entry_make2(&terr, &member, capref, "rex/deux", NOW - 10, PROTO_KIND_DOCUMENT, &b,
	                      &lens[3]);
	static const int orders[][4] = {{0, 2, 3, 1}, {1, 3, 2, 0}, {3, 2, 0, 1}, {2, 3, 1, 0},
	                                {0, 1, 2, 3}, {3, 0, 2, 1}};
	uint8_t first_fp[RBSR_FP_LEN];
	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		char name[32];
		snprintf(name, sizeof name, "order%zu.db", o);
		store *st = NULL;
		char path[128];
		snprintf(path, sizeof path, "%s/%s", dir_, name);
		CHECK_EQ_INT(store_open(path, STORE_OPEN_CREATE, &st), 0);
		if (!st)
			continue;
		for (int k = 0; k < 4; k++) {
			int i = orders[o][k];
			int r = store_entry_put(st, raws[i], lens[i], NOW, NULL);
			/* the late entry is refused when the short capability is already here */
			CHECK(r == 0 || (i == 3 && r == MAILLE_EDENIED));
		}
		uint8_t fp[RBSR_FP_LEN];
		uint64_t count = 0;
		CHECK_EQ_INT(store_fingerprint(st, fp, &count), 0);
		CHECK_EQ_INT(count, 2); /* the short capability and rex/un */
		if (o == 0)
			memcpy(first_fp, fp, RBSR_FP_LEN);
		else
			CHECK(memcmp(first_fp, fp, RBSR_FP_LEN) == 0);
		CHECK_EQ_INT(list_n(st, NULL), 1);
		CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
		store_close(st);
	}
	for (int i = 0; i < 4; i++)
		free(raws[i]);
	tmp_end();
}

static void test_quota(void)
{
	key own, stranger;
	doc a = {.type = "rex", .title = "Annonce", .description = "texte assez long pour compter"};
	tmp_begin();
	proto_key_generate(own.pk, own.sk);
	proto_key_generate(stranger.pk, stranger.sk);
	store *st = store_create();
	CHECK_EQ_INT(store_set_trusted(st, own.pk, 1), 0);
	CHECK_EQ_INT(store_set_quota(st, &(store_quota){.entries = 3}), 0);
	char path[32];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "rex/s%d", i);
		CHECK_EQ_INT(put(st, &stranger, path, NOW - 100 + (uint64_t)i, PROTO_KIND_DOCUMENT, &a,
		                 NULL, NULL),
		             0);
	}
	CHECK_EQ_INT(put(st, &stranger, "rex/s3", NOW - 50, PROTO_KIND_DOCUMENT, &a, NULL, NULL),
	             MAILLE_EQUOTA);
	/* a new version of one of its entries does not add an entry */
	CHECK_EQ_INT(put(st, &stranger, "rex/s0", NOW - 40, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	/* the trusted territory has no quota */
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "rex/o%d", i);
		CHECK_EQ_INT(put(st, &own, path, NOW - 100 + (uint64_t)i, PROTO_KIND_DOCUMENT, &a,
		                 NULL, NULL),
		             0);
	}
	uint64_t n = 0, bytes = 0;
	CHECK_EQ_INT(store_author_usage(st, stranger.pk, &n, &bytes), 0);
	CHECK_EQ_INT(n, 3);
	/* in a batch too, each put sees the ones before it */
	/* room for one entry more, not two */
	CHECK_EQ_INT(store_set_quota(st, &(store_quota){.entries = 100,
	                                                .bytes = bytes + bytes / 3 + 1}),
	             0);
	CHECK_EQ_INT(store_begin(st), 0);
	CHECK_EQ_INT(put(st, &stranger, "rex/b1", NOW - 30, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &stranger, "rex/b2", NOW - 29, PROTO_KIND_DOCUMENT, &a, NULL, NULL),
	             MAILLE_EQUOTA);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(store_author_usage(st, stranger.pk, &n, &bytes), 0);
	CHECK_EQ_INT(n, 4);
	/* no quota: anything goes */
	CHECK_EQ_INT(store_set_quota(st, &(store_quota){0}), 0);
	CHECK_EQ_INT(put(st, &stranger, "rex/b2", NOW - 29, PROTO_KIND_DOCUMENT, &a, NULL, NULL), 0);
	CHECK_EQ_INT(store_author_usage(st, own.pk, &n, &bytes), 0);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

/* ---- the quarantine (PROTOCOL.md §4.6) --------------------------------------------------- */

/* One entry of a quarantine test, built once and put into several stores. */
typedef struct qentry {
	uint8_t *raw;
	size_t len;
	uint8_t id[PROTO_ID_LEN];
	uint64_t ts;
	int author; /* index of its territory in the test's keys */
	bool kept;  /* the expected outcome */
} qentry;

static uint64_t q_rand_state;

static uint64_t q_rand(void)
{
	/* xorshift64*: the same sequence on every run, so a failure repeats */
	q_rand_state ^= q_rand_state >> 12;
	q_rand_state ^= q_rand_state << 25;
	q_rand_state ^= q_rand_state >> 27;
	return q_rand_state * 0x2545F4914F6CDD1DULL;
}

static int qentry_cmp(const void *a, const void *b)
{
	const qentry *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return memcmp(x->id, y->id, PROTO_ID_LEN);
}

/* n entries of each of n_keys territories at random timestamps (distinct paths), bodies of
 * random length when sizes (so that bytes bounds cut between entries of unequal sizes). */
static qentry *q_entries(const key *keys, int n_keys, int n, bool sizes, size_t *ret_n)
{
	qentry *v = calloc((size_t)(n_keys * n), sizeof *v);
	size_t k = 0;
	char path[48], text[2100];
	for (int a = 0; a < n_keys; a++) {
		for (int i = 0; i < n; i++, k++) {
			size_t words = sizes ? 1 + q_rand() % 300 : 10;
			text[0] = '\0';
			for (size_t w = 0; w < words; w++)
				strcat(text, "texte ");
			doc d = {.title = "Entrée en quarantaine", .description = text};
			snprintf(path, sizeof path, "rex/q%d-%d", a, i);
			v[k].ts = NOW - 1000000 + q_rand() % 900000;
			v[k].raw =
			    entry_make(&keys[a], path, v[k].ts, PROTO_KIND_DOCUMENT, &d, &v[k].len);
			proto_entry_id(v[k].raw, v[k].len, v[k].id);
			v[k].author = a;
		}
	}
	*ret_n = k;
	return v;
}

static void q_entries_free(qentry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].raw);
	free(v);
}

/* The set the rule of PROTOCOL.md §4.6 keeps once every entry has been offered (again after
 * the last eviction): walking them in (timestamp, id) order, each entry that fits with those
 * kept before it, in its territory's bounds and in the total. Sets v[i].kept. */
static size_t q_expected(qentry *v, size_t n, int n_keys, const store_quota *q)
{
	uint64_t tn[16] = {0}, tb[16] = {0}, an = 0, ab = 0;
	size_t kept = 0;
	qsort(v, n, sizeof *v, qentry_cmp);
	for (size_t i = 0; i < n; i++) {
		int a = v[i].author;
		bool fits = a < n_keys && (!q->entries || tn[a] + 1 <= q->entries) &&
		            (!q->bytes || tb[a] + v[i].len <= q->bytes) &&
		            (!q->total_entries || an + 1 <= q->total_entries) &&
		            (!q->total_bytes || ab + v[i].len <= q->total_bytes);
		v[i].kept = fits;
		if (fits) {
			tn[a]++;
			tb[a] += v[i].len;
			an++;
			ab += v[i].len;
			kept++;
		}
	}
	return kept;
}

/* A store at dir_/name with own trusted and quota q. */
static store *q_store(const char *name, const key *own, const store_quota *q)
{
	char p[160];
	store *st = NULL;
	snprintf(p, sizeof p, "%s/%s", dir_, name);
	CHECK_EQ_INT(store_open(p, STORE_OPEN_CREATE, &st), 0);
	if (!st)
		exit(1);
	CHECK_EQ_INT(store_set_quota(st, q), 0);
	CHECK_EQ_INT(store_set_trusted(st, own->pk, 1), 0);
	return st;
}

/* Puts v in the order of perm (NULL: as it is); every put is stored or refused for the quota.
 * Returns how many puts changed the store. */
static size_t q_put_all(store *st, const qentry *v, size_t n, const size_t *perm)
{
	size_t changed = 0;
	for (size_t i = 0; i < n; i++) {
		const qentry *e = &v[perm ? perm[i] : i];
		int result = -1;
		int rc = store_entry_put(st, e->raw, e->len, NOW, &result);
		CHECK(rc == 0 || rc == MAILLE_EQUOTA);
		if (rc == 0 && result == STORE_PUT_LIVE)
			changed++;
	}
	return changed;
}

/* Whether st holds exactly the entries of v marked kept (and nothing else of theirs). */
static bool q_holds_expected(store *st, const qentry *v, size_t n)
{
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		bool has = store_has(st, v[i].id) == 0;
		if (has != v[i].kept)
			ok = false;
	}
	return ok;
}

static void q_perm(size_t *perm, size_t n, int how)
{
	for (size_t i = 0; i < n; i++)
		perm[i] = how == 1 ? n - 1 - i : i;
	if (how == 2)
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = q_rand() % (i + 1), t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
}

/* Under the entry bounds, two stores (three here) offered the same untrusted entries in
 * different orders keep the same ones, the lowest (timestamp, id) of each territory and then
 * of all, with the same fingerprint; the counts stay exact; offering them all again changes
 * nothing (an evicted entry is refused, not stored again in a loop). */
static void test_quarantine_any_order(void)
{
	enum { KEYS = 6, EACH = 8 };
	key own, keys[KEYS];
	const store_quota q = {.entries = 5, .total_entries = 20};
	tmp_begin();
	q_rand_state = 0x9E3779B97F4A7C15ULL;
	proto_key_generate(own.pk, own.sk);
	for (int i = 0; i < KEYS; i++)
		proto_key_generate(keys[i].pk, keys[i].sk);
	size_t n;
	qentry *v = q_entries(keys, KEYS, EACH, false, &n);
	size_t *perm = malloc(n * sizeof *perm);
	uint8_t fp[3][RBSR_FP_LEN];
	const size_t want = q_expected(v, n, KEYS, &q);
	CHECK_EQ_INT(want, 20);
	for (int o = 0; o < 3; o++) {
		char name[16];
		snprintf(name, sizeof name, "s%d.sqlite", o);
		store *st = q_store(name, &own, &q);
		q_perm(perm, n, o);
		q_put_all(st, v, n, perm);
		CHECK(q_holds_expected(st, v, n));
		CHECK_EQ_INT(fp_check(st), want);
		fp_get(st, fp[o]);
		uint64_t qn = 0, qb = 0, an = 0, ab = 0, sum = 0;
		CHECK_EQ_INT(store_quarantine_usage(st, &qn, &qb), 0);
		CHECK_EQ_INT(qn, want);
		for (int a = 0; a < KEYS; a++) {
			CHECK_EQ_INT(store_author_usage(st, keys[a].pk, &an, &ab), 0);
			CHECK(an <= 5);
			sum += ab;
		}
		CHECK_EQ_INT(qb, sum);
		/* everything once more: nothing moves, nothing is evicted */
		uint8_t *ids = NULL;
		size_t n_ids = 0;
		CHECK_EQ_INT(store_evicted_take(st, &ids, &n_ids), 0);
		free(ids);
		CHECK_EQ_INT(q_put_all(st, v, n, NULL), 0);
		CHECK_EQ_INT(store_evicted_take(st, &ids, &n_ids), 0);
		CHECK_EQ_INT(n_ids, 0);
		free(ids);
		CHECK(q_holds_expected(st, v, n));
		CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
		store_close(st);
	}
	CHECK(memcmp(fp[0], fp[1], RBSR_FP_LEN) == 0);
	CHECK(memcmp(fp[0], fp[2], RBSR_FP_LEN) == 0);
	free(perm);
	q_entries_free(v, n);
	tmp_end();
}

/* Under byte bounds, entries of unequal sizes: whatever the first order, once every entry has
 * been offered again after the last eviction (as a reconciliation does), two stores hold the
 * same set, the one of the rule (store.h, PROTOCOL.md §4.6), and the bounds always hold. */
static void test_quarantine_bytes_reoffered(void)
{
	enum { KEYS = 4, EACH = 12 };
	key own, keys[KEYS];
	tmp_begin();
	q_rand_state = 0xD1B54A32D192ED03ULL;
	proto_key_generate(own.pk, own.sk);
	for (int i = 0; i < KEYS; i++)
		proto_key_generate(keys[i].pk, keys[i].sk);
	size_t n;
	qentry *v = q_entries(keys, KEYS, EACH, true, &n);
	uint64_t all = 0;
	for (size_t i = 0; i < n; i++)
		all += v[i].len;
	const store_quota q = {.entries = 9, .bytes = all / 5, .total_bytes = all / 2};
	size_t *perm = malloc(n * sizeof *perm);
	uint8_t fp[3][RBSR_FP_LEN];
	const size_t want = q_expected(v, n, KEYS, &q);
	CHECK(want > 0 && want < n);
	for (int o = 0; o < 3; o++) {
		char name[16];
		snprintf(name, sizeof name, "b%d.sqlite", o);
		store *st = q_store(name, &own, &q);
		q_perm(perm, n, o);
		q_put_all(st, v, n, perm);
		int rounds = 0;
		while (q_put_all(st, v, n, NULL) > 0 && rounds < 100)
			rounds++;
		CHECK(rounds < 100);
		CHECK(q_holds_expected(st, v, n));
		CHECK_EQ_INT(fp_check(st), want);
		fp_get(st, fp[o]);
		uint64_t qn = 0, qb = 0, an = 0, ab = 0;
		CHECK_EQ_INT(store_quarantine_usage(st, &qn, &qb), 0);
		CHECK(qb <= q.total_bytes);
		for (int a = 0; a < KEYS; a++) {
			CHECK_EQ_INT(store_author_usage(st, keys[a].pk, &an, &ab), 0);
			CHECK(an <= q.entries && ab <= q.bytes);
		}
		CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
		store_close(st);
	}
	CHECK(memcmp(fp[0], fp[1], RBSR_FP_LEN) == 0);
	CHECK(memcmp(fp[0], fp[2], RBSR_FP_LEN) == 0);
	free(perm);
	q_entries_free(v, n);
	tmp_end();
}

/* A full quarantine refuses nothing of a trusted territory and evicts nothing for it; when a
 * territory becomes trusted its entries leave the quarantine, and when the trusted set shrinks
 * the territories it dropped enter it and the bounds hold again at once, the highest entries
 * evicted: the counts stay exact, the evicted ids are reported, the evicted text is gone from
 * the file, and an evicted capability holds its member's entries again. */
static void test_quarantine_trust_changes(void)
{
	enum { EACH = 10 };
	key own, s, x, member;
	const store_quota q = {.entries = 4, .total_entries = 6};
	tmp_begin();
	q_rand_state = 0x94D049BB133111EBULL;
	proto_key_generate(own.pk, own.sk);
	proto_key_generate(s.pk, s.sk);
	proto_key_generate(x.pk, x.sk);
	proto_key_generate(member.pk, member.sk);
	uint8_t both[2 * PROTO_KEY_LEN];
	memcpy(both, own.pk, PROTO_KEY_LEN);
	memcpy(both + PROTO_KEY_LEN, s.pk, PROTO_KEY_LEN);
	store *st = q_store("t.sqlite", &own, &q);
	CHECK_EQ_INT(store_set_trusted(st, both, 2), 0); /* own and s */
	char path[32], word[32];
	/* s, trusted: far past any bound; its capability for member, its highest entry */
	for (int i = 0; i < EACH; i++) {
		snprintf(path, sizeof path, "rex/s%d", i);
		snprintf(word, sizeof word, "motsecret%d", i);
		doc d = {.title = "Territoire S", .description = word};
		uint64_t ts = NOW - 5000 + (uint64_t)i * 100;
		CHECK_EQ_INT(put(st, &s, path, ts, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	}
	CHECK_EQ_INT(cap_put(st, &s, &member, NOW - 1000, NOW - 10000, 0, "", NULL), 0);
	doc md = {.title = "Par un membre", .description = "motdumembre"};
	int result = -1;
	CHECK_EQ_INT(member_put(st, &s, &member, "rex/membre", NOW - 4950, PROTO_KIND_DOCUMENT, &md,
	                        &result, NULL),
	             0);
	CHECK_EQ_INT(search_n(st, "motdumembre", NULL), 1);
	/* x, untrusted: 3 entries, then the quarantine is full of x up to its bound */
	uint8_t x_ids[8][PROTO_ID_LEN];
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof path, "rex/x%d", i);
		doc d = {.title = "Territoire X"};
		uint64_t ts = NOW - 4900 + (uint64_t)i * 100;
		int rc = put(st, &x, path, ts, PROTO_KIND_DOCUMENT, &d, NULL, x_ids[i]);
		CHECK_EQ_INT(rc, i < 4 ? 0 : MAILLE_EQUOTA); /* its own bound: 4 */
	}
	uint64_t qn = 0, qb = 0, n = 0, b = 0;
	CHECK_EQ_INT(store_quarantine_usage(st, &qn, &qb), 0);
	CHECK_EQ_INT(qn, 4);
	/* own entries: never refused, never counted */
	for (int i = 0; i < EACH; i++) {
		snprintf(path, sizeof path, "rex/o%d", i);
		doc d = {.title = "Chez nous"};
		uint64_t ts = NOW - 6000 + (uint64_t)i;
		CHECK_EQ_INT(put(st, &own, path, ts, PROTO_KIND_DOCUMENT, &d, NULL, NULL), 0);
	}
	CHECK_EQ_INT(store_quarantine_usage(st, &qn, &qb), 0);
	CHECK_EQ_INT(qn, 4);
	uint8_t *ids = NULL;
	size_t n_ids = 0;
	CHECK_EQ_INT(store_evicted_take(st, &ids, &n_ids), 0);
	CHECK_EQ_INT(n_ids, 0);
	free(ids);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);

	/* s is no longer trusted: its 12 entries enter the quarantine. Its own bound keeps its
	 * lowest 4: s0 (NOW - 5000), the member's (NOW - 4950), s1, s2 (NOW - 4800); the capability
	 * (NOW - 1000) goes with s3..s9. Then the total, 8 for 6: x3 (NOW - 4600) and x2 (NOW -
	 * 4700), the highest two, go. */
	CHECK_EQ_INT(store_set_trusted(st, own.pk, 1), 0);
	CHECK_EQ_INT(store_quarantine_usage(st, &qn, &qb), 0);
	CHECK_EQ_INT(qn, 6);
	CHECK_EQ_INT(store_author_usage(st, s.pk, &n, &b), 0);
	CHECK_EQ_INT(n, 4);
	uint64_t nx = 0, bx = 0;
	CHECK_EQ_INT(store_author_usage(st, x.pk, &nx, &bx), 0);
	CHECK_EQ_INT(nx, 2);
	CHECK_EQ_INT(b + bx, qb);
	CHECK_EQ_INT(store_has(st, x_ids[1]), 0);
	CHECK_EQ_INT(store_has(st, x_ids[2]), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_evicted_take(st, &ids, &n_ids), 0);
	CHECK_EQ_INT(n_ids, 8 + 2);
	for (size_t i = 0; ids && i < n_ids; i++)
		CHECK_EQ_INT(store_has(st, ids + i * PROTO_ID_LEN), MAILLE_ENOTFOUND);
	free(ids);
	store_row row;
	CHECK_EQ_INT(store_entry_get(st, s.pk, "rex/s0", &row), 0);
	store_row_done(&row);
	/* its capability evicted, the member's entry is held again: stored, not shown */
	CHECK_EQ_INT(store_entry_get(st, s.pk, "rex/membre", &row), 0);
	store_row_done(&row);
	CHECK_EQ_INT(search_n(st, "motdumembre", NULL), 0);
	store_filter all = {.territory = s.pk};
	CHECK_EQ_INT(list_n(st, &all), 3); /* s0, s1, s2: not the held one */
	CHECK_EQ_INT(fp_check(st), EACH + 4 + 2);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	/* evicted, then offered again: refused, without evicting anything */
	CHECK_EQ_INT(cap_put(st, &s, &member, NOW - 1000, NOW - 10000, 0, "", NULL), MAILLE_EQUOTA);
	CHECK_EQ_INT(store_evicted_take(st, &ids, &n_ids), 0);
	CHECK_EQ_INT(n_ids, 0);
	free(ids);

	/* x becomes trusted: out of the quarantine, which has room again */
	memcpy(both + PROTO_KEY_LEN, x.pk, PROTO_KEY_LEN);
	CHECK_EQ_INT(store_set_trusted(st, both, 2), 0);
	CHECK_EQ_INT(store_quarantine_usage(st, &qn, &qb), 0);
	CHECK_EQ_INT(qn, n);
	const doc dx = {.title = "X"};
	CHECK_EQ_INT(put(st, &x, "rex/x4", NOW - 4500, PROTO_KIND_DOCUMENT, &dx, NULL, NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	/* the evicted text left the file with its rows */
	snprintf(path_, sizeof path_, "%s/t.sqlite", dir_);
	CHECK(!store_file_contains("motsecret9"));
	CHECK(store_file_contains("motsecret0"));
	tmp_end();
}

static void q_count_problem(const uint8_t *id, const char *path, const char *problem, void *ctx)
{
	(void)id, (void)path, (void)problem;
	(*(size_t *)ctx)++;
}

/* The quarantine is the file's: a handle that sets no quota (a person's command) puts the
 * same way as the daemon's, and check finds a flag set behind the store's back. */
static void test_quarantine_other_handle(void)
{
	key own, x;
	const store_quota q = {.entries = 2};
	tmp_begin();
	proto_key_generate(own.pk, own.sk);
	proto_key_generate(x.pk, x.sk);
	store *st = store_create();
	CHECK_EQ_INT(store_set_trusted(st, own.pk, 1), 0);
	CHECK_EQ_INT(store_set_quota(st, &q), 0);
	const doc da = {.title = "A"};
	CHECK_EQ_INT(put(st, &x, "rex/a", NOW - 300, PROTO_KIND_DOCUMENT, &da, NULL, NULL), 0);
	store *other = store_reopen();
	CHECK_EQ_INT(put(other, &x, "rex/b", NOW - 200, PROTO_KIND_DOCUMENT, &(doc){.title = "B"},
	                 NULL, NULL),
	             0);
	CHECK_EQ_INT(put(other, &x, "rex/c", NOW - 100, PROTO_KIND_DOCUMENT, &(doc){.title = "C"},
	                 NULL, NULL),
	             MAILLE_EQUOTA);
	CHECK_EQ_INT(put(other, &own, "rex/c", NOW - 100, PROTO_KIND_DOCUMENT, &(doc){.title = "C"},
	                 NULL, NULL),
	             0);
	uint64_t qn = 0, qb = 0;
	CHECK_EQ_INT(store_quarantine_usage(st, &qn, &qb), 0);
	CHECK_EQ_INT(qn, 2);
	CHECK_EQ_INT(store_check(other, NULL, NULL, NULL), 0);
	store_close(other);
	store_close(st);
	raw_exec("DELETE FROM quarantine WHERE id = (SELECT id FROM entries WHERE path = 'rex/a')");
	st = store_reopen();
	size_t n_problems = 0;
	CHECK_EQ_INT(store_check(st, q_count_problem, &n_problems, NULL), MAILLE_ECORRUPT);
	CHECK_EQ_INT(n_problems, 2); /* the flag, and the totals that no longer add up */
	store_close(st);
	tmp_end();
}

static void test_invites(void)
{
	uint8_t h1[STORE_INVITE_HASH_LEN], h2[STORE_INVITE_HASH_LEN], h3[STORE_INVITE_HASH_LEN];
	key a, b;
	int res = -1;
	tmp_begin();
	proto_key_generate(a.pk, a.sk);
	proto_key_generate(b.pk, b.sk);
	memset(h1, 1, sizeof h1);
	memset(h2, 2, sizeof h2);
	memset(h3, 3, sizeof h3);
	store *st = store_create();
	CHECK_EQ_INT(store_invite_add(st, h1, NOW, NOW + 1000, 1), 0);
	CHECK_EQ_INT(store_invite_add(st, h1, NOW, NOW + 1000, 1), MAILLE_EEXIST);
	CHECK_EQ_INT(store_invite_add(st, h2, NOW, NOW + 1000, 2), 0);
	CHECK_EQ_INT(store_invite_add(st, h3, NOW - 2000, NOW - 1000, 1), 0);
	CHECK_EQ_INT(store_invite_add(st, h3, NOW, NOW + 1, 0), MAILLE_EINVAL);
	CHECK_EQ_INT(store_invite_redeem(st, h1, NOW + 1, a.pk, &res), 0);
	CHECK_EQ_INT(res, STORE_INVITE_OK);
	CHECK_EQ_INT(store_invite_redeem(st, h1, NOW + 2, b.pk, &res), 0);
	CHECK_EQ_INT(res, STORE_INVITE_USED);
	CHECK_EQ_INT(store_invite_redeem(st, h2, NOW + 2, a.pk, &res), 0);
	CHECK_EQ_INT(res, STORE_INVITE_OK);
	CHECK_EQ_INT(store_invite_redeem(st, h2, NOW + 3, b.pk, &res), 0);
	CHECK_EQ_INT(res, STORE_INVITE_OK);
	CHECK_EQ_INT(store_invite_redeem(st, h2, NOW + 4, b.pk, &res), 0);
	CHECK_EQ_INT(res, STORE_INVITE_USED);
	CHECK_EQ_INT(store_invite_redeem(st, h3, NOW, a.pk, &res), 0);
	CHECK_EQ_INT(res, STORE_INVITE_EXPIRED);
	uint8_t unknown[STORE_INVITE_HASH_LEN] = {9};
	CHECK_EQ_INT(store_invite_redeem(st, unknown, NOW, a.pk, &res), 0);
	CHECK_EQ_INT(res, STORE_INVITE_UNKNOWN);
	store_close(st);
	tmp_end();
}

/* ---- links and hidden records (PROTOCOL.md §5.3, §5.4) ------------------------------------ */

typedef struct links_seen {
	size_t n;
	char path[PROTO_PATH_MAX + 1]; /* the last row's */
} links_seen;

static int links_seen_cb(const store_row *r, void *ctx)
{
	links_seen *l = ctx;
	l->n++;
	snprintf(l->path, sizeof l->path, "%.*s", (int)r->entry.path_len, r->entry.path);
	return 0;
}

/* How many documents (of type, NULL: any) store_links gives for target. */
static size_t links_n(store *st, const char *target, bool prefix, const char *type,
                      const store_filter *f)
{
	links_seen l = {0};
	CHECK_EQ_INT(store_links(st, target, prefix, type, f, links_seen_cb, &l), 0);
	return l.n;
}

/* "<hex of k>/<path>": how an act names a record. */
static void ref_of(const key *k, const char *path, char ret[PROTO_COOP_REF_MAX + 1])
{
	proto_hex(k->pk, PROTO_KEY_LEN, ret);
	snprintf(ret + 2 * PROTO_KEY_LEN, PROTO_COOP_REF_MAX + 1 - 2 * PROTO_KEY_LEN, "/%s", path);
}

/* A document's links come with it, leave with the version it replaces and with a tombstone;
 * bare references are kept as written, addresses are not links; an act is no catalogue
 * record. */
static void test_links_put_supersede_tombstone(void)
{
	key a, b;
	char c1[PROTO_COOP_REF_MAX + 1], c2[PROTO_COOP_REF_MAX + 1], prefix[PROTO_COOP_REF_MAX + 1];
	store *st = store_fresh(&a);
	proto_key_generate(b.pk, b.sk);
	ref_of(&a, "call/c1", c1);
	ref_of(&a, "call/c2", c2);
	ref_of(&a, "", prefix);
	doc call = {.type = "call", .title = "Mutualiser un assistant de transcription"};
	doc in1 = {.type = "interest", .about = "call", .about_key = &a, .about_path = "call/c1"};
	doc in2 = {.type = "interest", .about = "call", .about_key = &a, .about_path = "call/c2"};
	CHECK_EQ_INT(put(st, &a, "call/c1", NOW - 100, PROTO_KIND_DOCUMENT, &call, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &b, "interest/x", NOW - 90, PROTO_KIND_DOCUMENT, &in1, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, c1, false, NULL, NULL), 1);
	CHECK_EQ_INT(links_n(st, c1, false, "interest", NULL), 1);
	CHECK_EQ_INT(links_n(st, c1, false, "award", NULL), 0);
	CHECK_EQ_INT(links_n(st, c2, false, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, prefix, true, NULL, NULL), 1);
	store_filter fb = {.territory = b.pk}, fa = {.territory = a.pk};
	CHECK_EQ_INT(links_n(st, c1, false, NULL, &fb), 1);
	CHECK_EQ_INT(links_n(st, c1, false, NULL, &fa), 0);
	/* an act is not in the catalogue's lists; asked by type, it is */
	store_filter acts = {.type = "interest", .include_federation = true};
	CHECK_EQ_INT(list_n(st, NULL), 1);
	CHECK_EQ_INT(list_n(st, &acts), 1);
	/* a call of b naming a's records twice, bare and in full, and an address: under the
	 * prefix, the call comes once */
	char comp[PROTO_COOP_REF_MAX + 1];
	ref_of(&a, "component/outil-transcription", comp);
	doc rel = {.type = "call", .title = "Un appel de B", .related = comp,
	           .related2 = "https://exemple.fr/projet"};
	CHECK_EQ_INT(put(st, &b, "call/b", NOW - 80, PROTO_KIND_DOCUMENT, &rel, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, comp, false, "call", NULL), 1);
	CHECK_EQ_INT(links_n(st, "https://exemple.fr/projet", false, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, prefix, true, NULL, NULL), 2);
	doc rel2 = {.type = "call", .title = "Un appel de B", .related = comp,
	            .related2 = "component/outil-transcription"};
	CHECK_EQ_INT(put(st, &b, "call/b", NOW - 79, PROTO_KIND_DOCUMENT, &rel2, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, "component/outil-transcription", false, NULL, NULL), 1);
	CHECK_EQ_INT(links_n(st, "component/", true, NULL, NULL), 1);
	CHECK_EQ_INT(links_n(st, prefix, true, NULL, NULL), 2);
	/* the interest moves to another call: its old link goes with the old version */
	CHECK_EQ_INT(put(st, &b, "interest/x", NOW - 70, PROTO_KIND_DOCUMENT, &in2, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, c1, false, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, c2, false, NULL, NULL), 1);
	/* withdrawn: no link left */
	CHECK_EQ_INT(put(st, &b, "interest/x", NOW - 60, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, c2, false, NULL, NULL), 0);
	CHECK_EQ_INT(links_n(st, prefix, true, "interest", NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	/* a target that cannot be a reference */
	links_seen l = {0};
	char big[PROTO_COOP_REF_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_EQ_INT(store_links(st, "", false, NULL, NULL, links_seen_cb, &l), MAILLE_EINVAL);
	CHECK_EQ_INT(store_links(st, big, false, NULL, NULL, links_seen_cb, &l), MAILLE_EINVAL);
	CHECK_EQ_INT(store_links(st, c1, false, NULL, NULL, NULL, &l), MAILLE_EINVAL);
	store_close(st);
	tmp_end();
}

/* A member's comment held until its capability arrives (§4.4) is not found by its target. */
static void test_links_held_member(void)
{
	key terr, member, other;
	char target[PROTO_COOP_REF_MAX + 1];
	store *st = store_fresh(&terr);
	proto_key_generate(member.pk, member.sk);
	proto_key_generate(other.pk, other.sk);
	ref_of(&other, "component/outil", target);
	doc c = {.type = "comment", .about = "target", .about_key = &other,
	         .about_path = "component/outil"};
	int result = -1;
	CHECK_EQ_INT(member_put(st, &terr, &member, "comment/x/0123456789abcdef", NOW - 10,
	                        PROTO_KIND_DOCUMENT, &c, &result, NULL),
	             0);
	CHECK_EQ_INT(result, STORE_PUT_LIVE);
	CHECK_EQ_INT(links_n(st, target, false, NULL, NULL), 0);
	CHECK_EQ_INT(cap_put(st, &terr, &member, NOW - 20, NOW - 100, 0, "comment/", NULL), 0);
	CHECK_EQ_INT(links_n(st, target, false, "comment", NULL), 1);
	/* the capability withdrawn: the comment leaves the live set, and its link with it */
	{
		char capref[80] = "members/";
		proto_hex(member.pk, PROTO_KEY_LEN, capref + 8);
		CHECK_EQ_INT(put(st, &terr, capref, NOW - 5, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL),
		             0);
	}
	CHECK_EQ_INT(links_n(st, target, false, NULL, NULL), 0);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

/* A schema-8 file gains the links of the documents it holds (and the hidden table). */
static void test_links_migrate_v8(void)
{
	key a, b;
	char c1[PROTO_COOP_REF_MAX + 1];
	store *st = store_fresh(&a);
	proto_key_generate(b.pk, b.sk);
	ref_of(&a, "call/c1", c1);
	doc in = {.type = "interest", .about = "call", .about_key = &a, .about_path = "call/c1"};
	doc call = {.type = "call", .title = "Un appel", .related = "component/outil"};
	CHECK_EQ_INT(put(st, &b, "interest/x", NOW - 90, PROTO_KIND_DOCUMENT, &in, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &b, "interest/y", NOW - 90, PROTO_KIND_DOCUMENT, &in, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &b, "interest/y", NOW - 80, PROTO_KIND_TOMBSTONE, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(put(st, &a, "call/c1", NOW - 90, PROTO_KIND_DOCUMENT, &call, NULL, NULL), 0);
	store_close(st);
	raw_exec("DROP TABLE links; DROP TABLE hidden; PRAGMA user_version = 8");
	st = store_reopen();
	CHECK_EQ_INT(store_upgraded_from(st), 8);
	CHECK_EQ_INT(links_n(st, c1, false, "interest", NULL), 1);
	CHECK_EQ_INT(links_n(st, "component/outil", false, "call", NULL), 1);
	CHECK_EQ_INT(store_hidden(st, b.pk, "interest/x", NULL, 0, NULL), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	/* opened again: nothing to migrate, nothing doubled */
	st = store_reopen();
	CHECK_EQ_INT(store_upgraded_from(st), 0);
	CHECK_EQ_INT(links_n(st, c1, false, NULL, NULL), 1);
	store_close(st);
	tmp_end();
}

/* Hiding is this node's alone: kept across openings, never in the fingerprint. */
static void test_hide(void)
{
	key a;
	char reason[64] = "untouched";
	uint64_t at = 7;
	uint8_t fp[RBSR_FP_LEN], fp2[RBSR_FP_LEN];
	store *st = store_fresh(&a);
	const char *p = "comment/48d599141140d31ecc76bad9093f9d37/0123456789abcdef";
	doc c = {.type = "comment", .about = "target", .about_key = &a,
	         .about_path = "component/outil-transcription"};
	CHECK_EQ_INT(put(st, &a, p, NOW - 10, PROTO_KIND_DOCUMENT, &c, NULL, NULL), 0);
	fp_get(st, fp);
	CHECK_EQ_INT(store_hidden(st, a.pk, p, reason, sizeof reason, &at), MAILLE_ENOTFOUND);
	CHECK_EQ_STR(reason, "untouched");
	CHECK_EQ_INT(at, 7);
	CHECK_EQ_INT(store_unhide(st, a.pk, p), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_hide(st, a.pk, p, "Propos injurieux", NOW), 0);
	CHECK_EQ_INT(store_hidden(st, a.pk, p, reason, sizeof reason, &at), 0);
	CHECK_EQ_STR(reason, "Propos injurieux");
	CHECK_EQ_INT(at, NOW);
	/* hidden again: the new reason replaces the old */
	CHECK_EQ_INT(store_hide(st, a.pk, p, "Données personnelles", NOW + 1), 0);
	CHECK_EQ_INT(store_hidden(st, a.pk, p, reason, 8, NULL), 0);
	CHECK_EQ_STR(reason, "Donnée"); /* cut to the buffer */
	fp_get(st, fp2);
	CHECK(memcmp(fp, fp2, RBSR_FP_LEN) == 0);
	CHECK_EQ_INT(store_hidden(st, a.pk, "comment/autre", NULL, 0, NULL), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_hide(st, a.pk, p, NULL, NOW), MAILLE_EINVAL);
	store_close(st);
	st = store_reopen();
	CHECK_EQ_INT(store_hidden(st, a.pk, p, reason, sizeof reason, &at), 0);
	CHECK_EQ_STR(reason, "Données personnelles");
	CHECK_EQ_INT(at, NOW + 1);
	CHECK_EQ_INT(store_unhide(st, a.pk, p), 0);
	CHECK_EQ_INT(store_unhide(st, a.pk, p), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_hidden(st, a.pk, p, NULL, 0, NULL), MAILLE_ENOTFOUND);
	CHECK_EQ_INT(store_check(st, NULL, NULL, NULL), 0);
	store_close(st);
	tmp_end();
}

CHECK_MAIN(test_open_missing, test_open_not_a_store, test_open_pragmas, test_reopen_keeps_data,
           test_live_set_all_orders, test_equal_timestamps, test_tombstone_wins_and_stays,
           test_duplicate, test_refusals_write_nothing, test_put_verified_refusals, test_put_prepared,
           test_batch,
           test_batch_edits_within, test_batch_failed_put_undone,
           test_search_diacritics, test_search_hostile_queries, test_search_filters_and_rank,
           test_list, test_get_id, test_get_id_ambiguous, test_find_path_count_name,
           test_secure_delete_control, test_text_stored_once, test_secure_delete_tombstone,
           test_secure_delete_edit, test_check_raw_byte, test_check_signature_byte,
           test_check_path_column, test_check_path_keys, test_check_missing_fts_row,
           test_search_french,
           test_batch_failed_new_put, test_rid_monotonic, test_since, test_has_raw_get,
           test_fingerprint_rbsr, test_fingerprint_failed_puts, test_two_writers,
           test_migrate_v1, test_check_meta, test_peers, test_trust, test_index_later,
           test_member_hold_release, test_member_order_independent, test_quota,
           test_quarantine_any_order, test_quarantine_bytes_reoffered,
           test_quarantine_trust_changes, test_quarantine_other_handle, test_invites,
           test_bulk_put, test_links_put_supersede_tombstone, test_links_held_member,
           test_links_migrate_v8, test_hide)
