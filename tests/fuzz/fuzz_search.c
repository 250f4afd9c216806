/* Fuzz target: a search query as a person types it, through the store (store/store.h): the
 * query's words, the index's tokenizer (store/store_tokenize.c), the FTS5 expression built
 * from them, the plan, snippets, the result count and the suggestions.
 *
 * The input is any byte string, cut at its first NUL (a query is a C string). Properties: no
 * crash; store_search, store_search_matches and store_suggest return 0, or MAILLE_EINVAL for
 * a query that is not UTF-8 or has no word, or MAILLE_ETOOBIG (never an SQLite error: FTS5's
 * syntax never sees the bytes as typed); each returns at most what it was asked for. The
 * store is made once, in a temporary directory removed at exit, with a few French records. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/error.h"
#include "proto/value.h"
#include "store/store.h"
#include "tests/fixture/entry_fixture.h"
#include "tests/fixture/tmpdir.h"

static char dir_[FIXTURE_TMPDIR_CAP];
static store *st_;

static void done(void)
{
	store_close(st_);
	fixture_tmpdir_remove(dir_);
}

static void put(const fixture_key *k, const char *path, const char *title, const char *text)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *m = proto_value_new(&a, PROTO_V_MAP);
	static const char *const keys[] = {"type", "title", "summary", "description", "difficulties"};
	const char *vals[] = {"rex", title, "Un retour d'expérience.", text,
	                      "L'évaluation des chatbots a pris du retard."};
	for (size_t i = 0; i < 5; i++)
		*proto_value_map_put(&a, m, keys[i], strlen(keys[i])) =
			*proto_value_new_str(&a, vals[i], strlen(vals[i]));
	uint8_t *body = NULL, *raw = NULL;
	size_t body_len = 0, len = 0;
	if (proto_value_encode(m, 1 << 20, &body, &body_len) != 0)
		abort();
	fixture_entry f = {.path = path, .timestamp = 1760000000000000ull, .body = body,
	                   .body_len = body_len};
	if (fixture_entry_sign_key(&f, k, &raw, &len) != 0 ||
	    store_entry_put(st_, raw, len, 1760000000000000ull, NULL) != 0)
		abort();
	free(raw);
	free(body);
	proto_arena_done(&a);
}

static void setup(void)
{
	char p[FIXTURE_TMPDIR_CAP + 16];
	fixture_key k;
	fixture_tmpdir_make(dir_, "fuzz-search");
	snprintf(p, sizeof p, "%s/s.sqlite", dir_);
	if (store_open(p, STORE_OPEN_CREATE, &st_) != 0)
		abort();
	atexit(done);
	fixture_key_seed(&k, 7);
	put(&k, "rex/chatbot", "Chatbot RH : un an d'expérience", "Quinconcière et « données ».");
	put(&k, "rex/tri", "Tri des déchets", "Jusqu'à l'évaluation, lorsqu'il pleut.");
	put(&k, "rex/eau", "Fuites d'eau", "Capteurs sur le réseau d’eau potable.");
}

static int count_row(const store_row *row, void *ctx)
{
	(void)row;
	(*(size_t *)ctx)++;
	return 0;
}

static int count_match(const store_match *m, void *ctx)
{
	(void)m;
	(*(size_t *)ctx)++;
	return 0;
}

static bool allowed(int rc)
{
	return rc == 0 || rc == MAILLE_EINVAL || rc == MAILLE_ETOOBIG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st_)
		setup();
	char *q = malloc(size + 1);
	if (!q)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	size_t n = 0, given = 0;
	bool more = false;
	if (!allowed(store_search(st_, q, NULL, 5, count_row, &n)) || n > 5)
		abort();
	if (!allowed(store_search_matches(st_, q, NULL, 2, count_match, &given, &n, &more)) ||
	    given > 2 || n != given)
		abort();
	char sug[STORE_SUGGEST_MAX][STORE_SUGGEST_LEN];
	if (!allowed(store_suggest(st_, q, sug, STORE_SUGGEST_MAX, &n)) || n > STORE_SUGGEST_MAX)
		abort();
	for (size_t i = 0; i < n && n <= STORE_SUGGEST_MAX; i++)
		if (strnlen(sug[i], STORE_SUGGEST_LEN) == STORE_SUGGEST_LEN)
			abort();
	free(q);
	return 0;
}
