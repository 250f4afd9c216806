/* node/service/coop.c: see coop.h. */
#include "node/service/coop.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto/error.h"
#include "proto/record.h"

void coop_ref(const uint8_t territory[PROTO_KEY_LEN], const char *path,
              char ret[PROTO_COOP_REF_MAX + 1])
{
	proto_hex(territory, PROTO_KEY_LEN, ret);
	ret[2 * PROTO_KEY_LEN] = '/';
	snprintf(ret + 2 * PROTO_KEY_LEN + 1, PROTO_PATH_MAX + 1, "%s", path);
}

void coop_today(uint64_t now_us, const datefmt_zone *z, char ret[11])
{
	int64_t s = (int64_t)(now_us / 1000000u);
	time_t t;
	struct tm tm;

	if (z)
		s += (int64_t)datefmt_offset_min(z, s) * 60;
	t = (time_t)s;
	if (!gmtime_r(&t, &tm)) {
		snprintf(ret, 11, "1970-01-01");
		return;
	}
	snprintf(ret, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
	         (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

static bool is_trusted(const trust_view *tv, const uint8_t key[PROTO_KEY_LEN])
{
	return !tv || trust_find(tv, key) != NULL;
}

/* The row's body, decoded into a; NULL when it does not decode to a map. */
static const proto_value *row_body(const store_row *row, proto_arena *a)
{
	proto_value *body = NULL;

	if (proto_value_decode(row->entry.body, row->entry.body_len, a, &body) != 0 ||
	    body->type != PROTO_V_MAP)
		return NULL;
	return body;
}

static bool act_ok(const store_row *row, const proto_value *body)
{
	return body && proto_coop_path_ok(row->entry.territory, row->entry.path,
	                                  row->entry.path_len, body);
}

/* ---- Interests ------------------------------------------------------------------------- */

typedef struct walk {
	const trust_view *tv;
	coop_cb cb;
	void *ctx;
	const char *today;
	store *st;
	/* the record the acts are about: an act must name it (a digest names many) */
	const uint8_t *territory;
	const char *path;
	const uint8_t *received; /* awards received: the target's territory */
	unsigned depth;
	unsigned level; /* the walk's own depth (depth stops at the shown limit) */
	size_t n;
	size_t *n_untrusted;
	bool count_only;
	const char *given; /* users: documents that name this were given already */
} walk;

static bool about_is(const proto_value *body, const walk *w)
{
	proto_coop_target t;

	if (!w->territory)
		return true;
	return proto_coop_about(body, &t) == 0 &&
	       memcmp(t.territory, w->territory, PROTO_KEY_LEN) == 0 && strcmp(t.path, w->path) == 0;
}

static int names_cb(const char *ref, size_t len, void *ctx)
{
	const char *want = ctx;
	return strlen(want) == len && memcmp(ref, want, len) == 0;
}

/* The row to the callback, when its body decodes and, for an act, the act counts and is
 * about the walk's record; not when it also names w->given, given already. */
static int item_row(const store_row *row, walk *w, bool act)
{
	proto_arena a;
	const proto_value *body;
	int r = 0;

	proto_arena_init(&a, 0);
	body = row_body(row, &a);
	if (body && (!act || (act_ok(row, body) && about_is(body, w))) &&
	    !(w->given && proto_coop_links(body, names_cb, (void *)w->given) == 1)) {
		coop_item it = { .row = row, .body = body,
			         .trusted = is_trusted(w->tv, row->entry.territory) };
		r = w->cb(&it, w->ctx);
	}
	proto_arena_done(&a);
	return r;
}

static int interest_row(const store_row *row, void *ctx)
{
	return item_row(row, ctx, true);
}

int coop_interests(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                   const trust_view *tv, coop_cb cb, void *ctx)
{
	char ref[PROTO_COOP_REF_MAX + 1];
	walk w = { .tv = tv, .cb = cb, .ctx = ctx, .st = st, .territory = territory, .path = path };

	if (!st || !territory || !path || !cb)
		return MAILLE_EINVAL;
	coop_ref(territory, path, ref);
	return store_links(st, ref, false, PROTO_T_INTEREST, NULL, interest_row, &w);
}

/* ---- Awards ------------------------------------------------------------------------------ */

static bool str_in_list(const proto_value *list, const char *s, size_t len, const char *member)
{
	if (!list || list->type != PROTO_V_ARRAY)
		return false;
	for (size_t i = 0; i < list->u.arr.n; i++) {
		const proto_value *v = &list->u.arr.items[i];
		if (member)
			v = v->type == PROTO_V_MAP ? proto_map_get(v, member) : NULL;
		if (v && v->type == PROTO_V_STR && v->u.str.len == len &&
		    memcmp(v->u.str.ptr, s, len) == 0)
			return true;
	}
	return false;
}

/* Every criterion the award claims is one of the label's. */
static bool criteria_ok(const proto_value *award, const proto_value *label)
{
	const proto_value *claimed = proto_map_get(award, PROTO_F_CRITERIA);
	const proto_value *defined = proto_map_get(label, PROTO_F_CRITERIA);

	if (!claimed || claimed->type != PROTO_V_ARRAY || claimed->u.arr.n == 0)
		return false;
	for (size_t i = 0; i < claimed->u.arr.n; i++) {
		const proto_value *c = &claimed->u.arr.items[i];
		if (c->type != PROTO_V_STR ||
		    !str_in_list(defined, c->u.str.ptr, c->u.str.len, PROTO_F_ID))
			return false;
	}
	return true;
}

static bool type_is(const proto_value *body, const char *type)
{
	const proto_value *t = body ? proto_map_get(body, PROTO_F_TYPE) : NULL;
	return t && t->type == PROTO_V_STR && strcmp(t->u.str.ptr, type) == 0;
}

/* An award row that passes §5.2's rules goes to the callback with its label. */
static int award_row(const store_row *row, void *ctx)
{
	walk *w = ctx;
	proto_arena a;
	const proto_value *body, *label_body, *until;
	proto_coop_target label, target;
	store_row lrow, trow;
	int r = 0;

	proto_arena_init(&a, 0);
	body = row_body(row, &a);
	if (!act_ok(row, body) || !about_is(body, w) ||
	    proto_coop_target_read(body, PROTO_F_LABEL, &label) != 0 ||
	    proto_coop_target_read(body, PROTO_F_TARGET, &target) != 0 || !target.has_entry ||
	    (w->received && memcmp(target.territory, w->received, PROTO_KEY_LEN) != 0)) {
		proto_arena_done(&a);
		return 0;
	}
	if (store_entry_get(w->st, label.territory, label.path, &lrow) != 0) {
		proto_arena_done(&a);
		return 0;
	}
	label_body = lrow.entry.kind == PROTO_KIND_DOCUMENT ? row_body(&lrow, &a) : NULL;
	if (label_body && type_is(label_body, PROTO_T_LABEL) && criteria_ok(body, label_body)) {
		coop_item it = { .row = row, .body = body,
			         .trusted = is_trusted(w->tv, row->entry.territory),
			         .label = &lrow, .label_body = label_body };
		if (store_entry_get(w->st, target.territory, target.path, &trow) == 0) {
			it.older_version = memcmp(trow.id, target.entry, PROTO_ID_LEN) != 0;
			store_row_done(&trow);
		}
		until = proto_map_get(body, PROTO_F_UNTIL);
		it.expired = w->today && until && until->type == PROTO_V_STR &&
		             strcmp(until->u.str.ptr, w->today) < 0;
		r = w->cb(&it, w->ctx);
	}
	store_row_done(&lrow);
	proto_arena_done(&a);
	return r;
}

int coop_awards(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                const trust_view *tv, const char *today, coop_cb cb, void *ctx)
{
	char ref[PROTO_COOP_REF_MAX + 1];
	walk w = { .tv = tv, .cb = cb, .ctx = ctx, .st = st, .today = today,
		   .territory = territory, .path = path };

	if (!st || !territory || !path || !cb)
		return MAILLE_EINVAL;
	coop_ref(territory, path, ref);
	return store_links(st, ref, false, PROTO_T_AWARD, NULL, award_row, &w);
}

int coop_awards_received(store *st, const uint8_t territory[PROTO_KEY_LEN],
                         const trust_view *tv, const char *today, coop_cb cb, void *ctx)
{
	char ref[PROTO_COOP_REF_MAX + 1];
	walk w = { .tv = tv, .cb = cb, .ctx = ctx, .st = st, .today = today };

	if (!st || !territory || !cb)
		return MAILLE_EINVAL;
	proto_hex(territory, PROTO_KEY_LEN, ref);
	ref[2 * PROTO_KEY_LEN] = '/';
	ref[2 * PROTO_KEY_LEN + 1] = '\0';
	/* an award also links its label: keep those whose target is in territory */
	w.received = territory;
	return store_links(st, ref, true, PROTO_T_AWARD, NULL, award_row, &w);
}

/* ---- Comments ---------------------------------------------------------------------------- */

static int comment_level(walk *w, const uint8_t territory[PROTO_KEY_LEN], const char *path);

static int comment_row(const store_row *row, void *ctx)
{
	walk *w = ctx;
	proto_arena a;
	const proto_value *body;
	char reason[256], path[PROTO_PATH_MAX + 1];
	int r = 0;

	if (w->n >= COOP_THREAD_MAX)
		return 1; /* stops the walk; coop_comments returns 0 */
	/* a row's path is its entry's bytes, not a C string: the store and the replies' names
	 * need one */
	snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
	proto_arena_init(&a, 0);
	body = row_body(row, &a);
	if (act_ok(row, body) && about_is(body, w)) {
		coop_item it = { .row = row, .body = body,
			         .trusted = is_trusted(w->tv, row->entry.territory),
			         .depth = w->depth };
		w->n++;
		if (!it.trusted && w->n_untrusted)
			(*w->n_untrusted)++;
		if (store_hidden(w->st, row->entry.territory, path, reason, sizeof reason, NULL) == 0)
			it.hidden = reason;
		if (!w->count_only)
			r = w->cb(&it, w->ctx);
		if (!r && w->level + 1 < COOP_THREAD_LEVELS_MAX) {
			/* its replies, one level down (shown at the deepest level past the limit) */
			walk sub = *w;
			sub.depth = w->depth + 1 < COOP_THREAD_DEPTH_MAX ? w->depth + 1 : w->depth;
			sub.level = w->level + 1;
			r = comment_level(&sub, row->entry.territory, path);
			w->n = sub.n;
		}
	}
	proto_arena_done(&a);
	return r;
}

static int comment_level(walk *w, const uint8_t territory[PROTO_KEY_LEN], const char *path)
{
	char ref[PROTO_COOP_REF_MAX + 1];
	walk lw = *w;
	int r;

	lw.territory = territory;
	lw.path = path;
	coop_ref(territory, path, ref);
	r = store_links(w->st, ref, false, PROTO_T_COMMENT, NULL, comment_row, &lw);
	w->n = lw.n;
	return r;
}

int coop_comments(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                  const trust_view *tv, coop_cb cb, void *ctx)
{
	walk w = { .tv = tv, .cb = cb, .ctx = ctx, .st = st };
	int r;

	if (!st || !territory || !path || !cb)
		return MAILLE_EINVAL;
	r = comment_level(&w, territory, path);
	return r == 1 && w.n >= COOP_THREAD_MAX ? 0 : r;
}

static int count_none(const coop_item *it, void *ctx)
{
	(void)it, (void)ctx;
	return 0;
}

int coop_comments_count(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                        const trust_view *tv, size_t *ret_all, size_t *ret_untrusted)
{
	size_t untrusted = 0;
	walk w = { .tv = tv, .cb = count_none, .st = st, .n_untrusted = &untrusted,
		   .count_only = true };
	int r;

	if (!st || !territory || !path)
		return MAILLE_EINVAL;
	r = comment_level(&w, territory, path);
	if (r == 1 && w.n >= COOP_THREAD_MAX)
		r = 0;
	if (r)
		return r;
	if (ret_all)
		*ret_all = w.n;
	if (ret_untrusted)
		*ret_untrusted = untrusted;
	return 0;
}

/* ---- Users of a record ------------------------------------------------------------------- */

static int user_row(const store_row *row, void *ctx)
{
	walk *w = ctx;

	/* a bare path: the writer's own record at that path comes first (§5.3) */
	if (w->path && memcmp(row->entry.territory, w->territory, PROTO_KEY_LEN) != 0) {
		store_row own;
		if (store_entry_get(w->st, row->entry.territory, w->path, &own) == 0) {
			bool doc = own.entry.kind == PROTO_KIND_DOCUMENT;
			store_row_done(&own);
			if (doc)
				return 0;
		}
	}
	return item_row(row, w, false);
}

static int users_of(walk *w, const char *ref, const char *type)
{
	return store_links(w->st, ref, false, type, NULL, user_row, w);
}

int coop_users(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
               const trust_view *tv, coop_cb cb, void *ctx)
{
	static const char *const types[] = { "rex", "use_case" };
	char ref[PROTO_COOP_REF_MAX + 1];
	walk w = { .tv = tv, .cb = cb, .ctx = ctx, .st = st, .territory = territory };
	int r = 0;

	if (!st || !territory || !path || !cb)
		return MAILLE_EINVAL;
	coop_ref(territory, path, ref);
	for (size_t i = 0; i < 2 && !r; i++) {
		w.path = NULL; /* named in full: always this record */
		w.given = NULL;
		r = users_of(&w, ref, types[i]);
		if (!r) {
			w.path = path;
			w.given = ref; /* a document naming it both ways comes once */
			r = users_of(&w, path, types[i]);
		}
	}
	return r;
}

/* ---- A territory's acts, the calls ------------------------------------------------------- */

static int list_row(const store_row *row, void *ctx)
{
	return item_row(row, ctx, false);
}

int coop_territory_acts(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *type,
                        const trust_view *tv, const char *today, coop_cb cb, void *ctx)
{
	walk w = { .tv = tv, .cb = cb, .ctx = ctx, .st = st, .today = today };
	store_filter f = { .type = type, .territory = territory, .include_federation = true };

	if (!st || !territory || !type || !cb)
		return MAILLE_EINVAL;
	if (strcmp(type, PROTO_T_AWARD) == 0)
		return store_list(st, &f, award_row, &w);
	if (strcmp(type, PROTO_T_INTEREST) == 0)
		return store_list(st, &f, interest_row, &w);
	return MAILLE_EINVAL;
}

int coop_calls(store *st, const uint8_t *territory, const trust_view *tv, coop_cb cb, void *ctx)
{
	walk w = { .tv = tv, .cb = cb, .ctx = ctx, .st = st };
	store_filter f = { .type = PROTO_T_CALL, .territory = territory };

	if (!st || !cb)
		return MAILLE_EINVAL;
	return store_list(st, &f, list_row, &w);
}
