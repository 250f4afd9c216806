/* tools/cli/render_coop.c: what `show` adds about cooperation (PROTOCOL.md §5), from
 * node/service/coop.h: a call's interests, the labels a record holds, its comment thread,
 * who uses a component; and the readable title of an act in list and search.
 *
 * One JSON object is built (show --json prints it as the record's "cooperation"), and the
 * page prints that same object: both outputs say the same thing. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "node/service/coop.h"
#include "node/service/recordtext.h"
#include "node/service/term.h"
#include "proto/record.h"
#include "render.h"

static const char *body_str(const proto_value *body, const char *key)
{
	const proto_value *v = proto_map_get(body, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

static void name_of(store *st, const uint8_t key[PROTO_KEY_LEN], char *ret, size_t cap)
{
	if (store_territory_name(st, key, ret, cap) != 0) {
		char hex[2 * PROTO_KEY_LEN + 1];
		proto_hex(key, PROTO_KEY_LEN, hex);
		snprintf(ret, cap, "%.8s…", hex);
	}
}

/* The title of the record at (territory, path) in the CLI's language (a territory record's
 * name), or false. */
static bool title_of(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                     char *ret, size_t cap)
{
	store_row row;
	if (store_entry_get(st, territory, path, &row))
		return false;
	bool ok = false;
	proto_arena ar;
	proto_arena_init(&ar, 0);
	proto_value *body = NULL;
	if (row.entry.kind == PROTO_KIND_DOCUMENT &&
	    proto_value_decode(row.entry.body, row.entry.body_len, &ar, &body) == 0) {
		const char *t = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE),
		                                   cli_french() ? "fr" : "en");
		if (!t)
			t = body_str(body, PROTO_F_NAME);
		if (t) {
			snprintf(ret, cap, "%s", t);
			ok = true;
		}
	}
	proto_arena_done(&ar);
	store_row_done(&row);
	return ok;
}

/* The record a target names, by its title, a comment by its author, else by its path. */
static void target_title(store *st, const proto_coop_target *t, char *ret, size_t cap)
{
	if (title_of(st, t->territory, t->path, ret, cap))
		return;
	char who[256];
	if (strncmp(t->path, PROTO_T_COMMENT "/", sizeof PROTO_T_COMMENT) == 0) {
		name_of(st, t->territory, who, sizeof who);
		snprintf(ret, cap, _("the comment of %s"), who);
	} else {
		snprintf(ret, cap, "%s", t->path);
	}
}

bool render_act_title(store *st, const store_row *row, const proto_value *body, char *ret,
                      size_t cap)
{
	const char *type = body_str(body, PROTO_F_TYPE);
	proto_coop_target t;
	if (!type || !proto_coop_is_act(type, strlen(type)) || proto_coop_about(body, &t))
		return false;
	char who[256], what[512];
	name_of(st, row->entry.territory, who, sizeof who);
	target_title(st, &t, what, sizeof what);
	if (strcmp(type, PROTO_T_INTEREST) == 0) {
		snprintf(ret, cap, _("Interest of %s in \"%s\""), who, what);
	} else if (strcmp(type, PROTO_T_AWARD) == 0) {
		proto_coop_target l;
		char label[512];
		if (proto_coop_target_read(body, PROTO_F_LABEL, &l))
			return false;
		target_title(st, &l, label, sizeof label);
		snprintf(ret, cap, _("Label \"%s\" awarded by %s to \"%s\""), label, who, what);
	} else {
		snprintf(ret, cap, _("Comment of %s on \"%s\""), who, what);
	}
	return true;
}

/* ---- the JSON object ---------------------------------------------------------------------- */

typedef struct coop_json {
	store *st;
	json_t *arr;
	size_t untrusted;
} coop_json;

/* {territory, territory_name, path, timestamp} of an act or a record. */
static json_t *item_json(store *st, const store_row *row)
{
	json_t *o = json_object();
	char hex[2 * PROTO_KEY_LEN + 1], name[256], ts[40];
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
	name_of(st, row->entry.territory, name, sizeof name);
	render_time(row->entry.timestamp, ts, sizeof ts);
	json_object_set_new(o, "territory", json_string(hex));
	json_object_set_new(o, "territory_name", json_string(name));
	json_object_set_new(o, "path", json_stringn(row->entry.path, row->entry.path_len));
	json_object_set_new(o, "timestamp", json_string(ts));
	return o;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int interest_cb(const coop_item *it, void *ctx)
{
	coop_json *c = ctx;
	if (!it->trusted) {
		c->untrusted++;
		return 0;
	}
	json_t *o = item_json(c->st, it->row);
	json_object_set_new(o, "role", str_or_null(body_str(it->body, PROTO_F_ROLE)));
	json_object_set_new(o, "message", str_or_null(body_str(it->body, PROTO_F_MESSAGE)));
	json_array_append_new(c->arr, o);
	return 0;
}

static int award_cb(const coop_item *it, void *ctx)
{
	coop_json *c = ctx;
	if (!it->trusted) {
		c->untrusted++;
		return 0;
	}
	json_t *o = item_json(c->st, it->row);
	const char *t = proto_langmap_pick(proto_map_get(it->label_body, PROTO_F_TITLE),
	                                   cli_french() ? "fr" : "en");
	json_object_set_new(o, "label_path", json_stringn(it->label->entry.path,
	                                                  it->label->entry.path_len));
	json_object_set_new(o, "label_title", str_or_null(t));
	json_object_set_new(o, "issuer", str_or_null(body_str(it->label_body, PROTO_F_ISSUER)));
	json_object_set_new(o, "awarded", str_or_null(body_str(it->body, PROTO_F_AWARDED)));
	json_object_set_new(o, "until", str_or_null(body_str(it->body, PROTO_F_UNTIL)));
	json_t *cr = json_array();
	const proto_value *cs = proto_map_get(it->body, PROTO_F_CRITERIA);
	for (size_t i = 0; cs && cs->type == PROTO_V_ARRAY && i < cs->u.arr.n; i++)
		if (cs->u.arr.items[i].type == PROTO_V_STR)
			json_array_append_new(cr, json_string(cs->u.arr.items[i].u.str.ptr));
	json_object_set_new(o, "criteria", cr);
	json_object_set_new(o, "older_version", json_boolean(it->older_version));
	json_object_set_new(o, "expired", json_boolean(it->expired));
	json_array_append_new(c->arr, o);
	return 0;
}

static int comment_cb(const coop_item *it, void *ctx)
{
	coop_json *c = ctx;
	/* an untrusted author's comment is folded: counted, never shown (PROTOCOL.md §5.2) */
	if (!it->trusted) {
		c->untrusted++;
		return 0;
	}
	json_t *o = item_json(c->st, it->row);
	json_object_set_new(o, "depth", json_integer(it->depth));
	json_object_set_new(o, "hidden", str_or_null(it->hidden));
	json_object_set_new(o, "text",
	                    it->hidden ? json_null() : str_or_null(body_str(it->body, PROTO_F_TEXT)));
	json_array_append_new(c->arr, o);
	return 0;
}

static int user_cb(const coop_item *it, void *ctx)
{
	coop_json *c = ctx;
	if (!it->trusted)
		return 0;
	json_t *o = item_json(c->st, it->row);
	const char *t = proto_langmap_pick(proto_map_get(it->body, PROTO_F_TITLE),
	                                   cli_french() ? "fr" : "en");
	json_object_set_new(o, "type", str_or_null(body_str(it->body, PROTO_F_TYPE)));
	json_object_set_new(o, "title", str_or_null(t));
	json_array_append_new(c->arr, o);
	return 0;
}

/* arr from one of coop.h's walks (empty when it failed); its count of untrusted items
 * into *ret_untrusted. */
static json_t *walk(int r, coop_json *c, size_t *ret_untrusted)
{
	if (r) {
		json_decref(c->arr);
		c->arr = json_array();
	}
	if (ret_untrusted)
		*ret_untrusted = c->untrusted;
	return c->arr;
}

json_t *render_coop_json(store *st, const store_row *row, const trust_view *tv,
                         const datefmt_zone *zone)
{
	proto_arena ar;
	proto_arena_init(&ar, 0);
	proto_value *body = NULL;
	const char *type = NULL;
	if (proto_value_decode(row->entry.body, row->entry.body_len, &ar, &body) == 0)
		type = body_str(body, PROTO_F_TYPE);
	char path[PROTO_PATH_MAX + 1], today[11];
	snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
	coop_today(cli_now_us(), zone, today);
	const uint8_t *t = row->entry.territory;
	json_t *o = json_object();
	size_t n = 0;
	coop_json c = {st, json_array(), 0};
	if (type && strcmp(type, PROTO_T_CALL) == 0) {
		json_object_set_new(o, "interests", walk(coop_interests(st, t, path, tv,
		                                                            interest_cb, &c), &c, NULL));
		c = (coop_json){st, json_array(), 0};
	}
	json_object_set_new(o, "labels",
	                    walk(coop_awards(st, t, path, tv, today, award_cb, &c), &c, NULL));
	c = (coop_json){st, json_array(), 0};
	json_object_set_new(o, "comments",
	                    walk(coop_comments(st, t, path, tv, comment_cb, &c), &c, &n));
	json_object_set_new(o, "comments_untrusted", json_integer((json_int_t)n));
	if (type && strcmp(type, "component") == 0) {
		c = (coop_json){st, json_array(), 0};
		json_object_set_new(o, "used_by",
		                    walk(coop_users(st, t, path, tv, user_cb, &c), &c, NULL));
	}
	proto_arena_done(&ar);
	return o;
}

/* ---- the page ----------------------------------------------------------------------------- */

static const char *js(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "YYYY-MM-DD" in long form in the CLI's language, into buf. */
static const char *day(const char *ymd, char *buf, size_t cap)
{
	if (!ymd || !datefmt_ymd(ymd, strlen(ymd), !cli_french(), buf, cap))
		snprintf(buf, cap, "%s", ymd ? ymd : "?");
	return buf;
}

static void put(const char *s)
{
	node_term_put(stdout, s, strlen(s));
}

/* A Markdown text, each line after indent. */
static void text(const char *s, const char *indent)
{
	fputs(indent, stdout);
	node_term_text(stdout, s, strlen(s), indent);
	putchar('\n');
}

static void page_interests(const json_t *arr)
{
	printf(_("\nInterests (%zu):\n"), json_array_size(arr));
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it)
	{
		const char *role = js(it, "role");
		const char *rl = role ? recordtext_label(role, !cli_french()) : NULL;
		fputs("  ", stdout);
		put(js(it, "territory_name"));
		fputs(" — ", stdout);
		put(rl ? rl : role ? role : "?");
		putchar('\n');
		if (js(it, "message"))
			text(js(it, "message"), "    ");
	}
}

static void page_labels(const json_t *arr)
{
	if (!json_array_size(arr))
		return;
	printf(_("\nLabels (%zu):\n"), json_array_size(arr));
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it)
	{
		char d1[80], d2[80];
		const char *by = js(it, "issuer") ? js(it, "issuer") : js(it, "territory_name");
		const char *title = js(it, "label_title") ? js(it, "label_title") : js(it, "label_path");
		fputs("  ", stdout);
		if (js(it, "until"))
			printf(_("%s, awarded by %s on %s, valid until %s"), title, by,
			       day(js(it, "awarded"), d1, sizeof d1), day(js(it, "until"), d2, sizeof d2));
		else
			printf(_("%s, awarded by %s on %s"), title, by,
			       day(js(it, "awarded"), d1, sizeof d1));
		if (json_is_true(json_object_get(it, "older_version")))
			fputs(_(" (awarded to an earlier version)"), stdout);
		if (json_is_true(json_object_get(it, "expired")))
			fputs(_(" (expired)"), stdout);
		putchar('\n');
	}
}

static void page_comments(const json_t *arr, json_int_t untrusted)
{
	if (!json_array_size(arr) && !untrusted)
		return;
	printf(_("\nComments (%zu):\n"), json_array_size(arr));
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it)
	{
		char ind[2 + 2 * COOP_THREAD_DEPTH_MAX + 8];
		size_t d = (size_t)json_integer_value(json_object_get(it, "depth"));
		if (d > COOP_THREAD_DEPTH_MAX)
			d = COOP_THREAD_DEPTH_MAX;
		memset(ind, ' ', 2 + 2 * d);
		ind[2 + 2 * d] = '\0';
		fputs(ind, stdout);
		put(js(it, "territory_name"));
		printf(" (%s)\n", js(it, "path"));
		strcat(ind, "  ");
		if (js(it, "hidden")) {
			fputs(ind, stdout);
			fputs(_("hidden by this node: "), stdout);
			put(js(it, "hidden"));
			putchar('\n');
		} else if (js(it, "text")) {
			text(js(it, "text"), ind);
		}
	}
	if (untrusted)
		printf(ngettext("  %lld comment of a territory outside your trust (not shown)\n",
		                "  %lld comments of territories outside your trust (not shown)\n",
		                (unsigned long)untrusted),
		       (long long)untrusted);
}

static void page_users(const json_t *arr)
{
	if (!json_array_size(arr))
		return;
	printf(_("\nUsed by (%zu):\n"), json_array_size(arr));
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it)
	{
		fputs("  ", stdout);
		put(js(it, "territory_name"));
		fputs(" — ", stdout);
		put(js(it, "title") ? js(it, "title") : js(it, "path"));
		printf(" (%s)\n", js(it, "path"));
	}
}

void render_coop_page(const json_t *coop)
{
	const json_t *interests = json_object_get(coop, "interests");
	if (interests)
		page_interests(interests);
	page_labels(json_object_get(coop, "labels"));
	page_comments(json_object_get(coop, "comments"),
	              json_integer_value(json_object_get(coop, "comments_untrusted")));
	const json_t *users = json_object_get(coop, "used_by");
	if (users)
		page_users(users);
}
