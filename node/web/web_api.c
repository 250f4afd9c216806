/* node/web/web_api.c: the JSON API, the same data as the pages (README "Web catalogue"):
 *   GET /api/entries?q=&type=&theme=&status=&territory=&licence=&page=&all=1
 *   GET /api/entries/<path>[?territory=<hex>]  (with the record's interests, labels and
 *       comments as its page shows them: trusted authors only, untrusted comments counted)
 *   GET /api/status
 *   GET /api/territories */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/coop.h"
#include "node/service/json.h"
#include "node/service/state.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "web_int.h"

static void api_out(web_req *r, json_t *j)
{
	r->ctype = "application/json";
	if (!j) {
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
		return;
	}
	char *s = json_dumps(j, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (!s) {
		web_error(r, 500, "Mémoire insuffisante.", "Out of memory.");
		return;
	}
	wb_puts(&r->out, s);
	wb_puts(&r->out, "\n");
	free(s);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* An item, as the CLI's --json gives it (id, path, type, title, summary, territory, author,
 * signer, timestamp, status, themes), plus trusted, signer_name, url, snippet; with_body:
 * the body and signature_verified (web_row_verified, which the caller tested). */
static json_t *row_json(web_req *r, const store_row *row, bool with_body, bool verified)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = web_row_body(row, &a);
	json_t *o = json_object();
	char hex[2 * PROTO_ID_LEN + 1], buf[512];
	proto_hex(row->id, PROTO_ID_LEN, hex);
	json_object_set_new(o, "id", json_string(hex));
	json_object_set_new(o, "path", json_stringn(row->entry.path, row->entry.path_len));
	json_object_set_new(
	    o, "kind",
	    json_string(row->entry.kind == PROTO_KIND_TOMBSTONE ? "tombstone" : "document"));
	json_object_set_new(o, "type", str_or_null(web_body_str(body, PROTO_F_TYPE)));
	const char *title = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE), "fr");
	if (!title)
		title = proto_langmap_pick(proto_map_get(body, PROTO_F_NAME), "fr");
	json_object_set_new(o, "title", str_or_null(title));
	json_object_set_new(o, "summary",
	                    str_or_null(proto_langmap_pick(proto_map_get(body, PROTO_F_SUMMARY), "fr")));
	web_territory_name(r->wk->st, row->entry.territory, buf, sizeof buf);
	json_object_set_new(o, "territory", json_string(buf));
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
	json_object_set_new(o, "author", json_string(hex));
	json_object_set_new(
	    o, "trusted",
	    json_boolean(r->wk->tv_ok && trust_find(&r->wk->tv, row->entry.territory)));
	proto_hex(row->entry.signer, PROTO_KEY_LEN, hex);
	json_object_set_new(o, "signer", json_string(hex));
	web_signer_label(r->wk->st, &row->entry, buf, sizeof buf);
	json_object_set_new(o, "signer_name", json_string(buf));
	/* the same RFC 3339 form as the CLI */
	uint64_t us = row->entry.timestamp;
	time_t secs = (time_t)(us / 1000000u);
	struct tm tm;
	if (gmtime_r(&secs, &tm)) {
		char date[32];
		strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, sizeof buf, "%s.%06uZ", date, (unsigned)(us % 1000000u));
		json_object_set_new(o, "timestamp", json_string(buf));
	}
	json_object_set_new(o, "status", str_or_null(web_body_str(body, PROTO_F_STATUS)));
	json_object_set_new(o, "themes", node_themes_json(body));
	web_buf url = { 0 };
	web_entry_href(&url, row->entry.territory, row->entry.path, row->entry.path_len);
	json_object_set_new(o, "url", url.failed ? json_null() : json_string(url.p));
	wb_done(&url);
	if (row->snippet && !web_row_hidden(r, row, web_body_str(body, PROTO_F_TYPE))) {
		/* the match markers become [ ] as in the CLI's text output; in JSON they are data
		 */
		json_object_set_new(o, "snippet", json_string(row->snippet));
	}
	if (with_body) {
		json_object_set_new(o, "body", body ? node_value_json_public(body) : json_object());
		json_object_set_new(o, "signature_verified", json_boolean(verified));
	}
	proto_arena_done(&a);
	return o;
}

typedef struct api_list {
	web_req *r;
	json_t *items;
	web_pager pg;
} api_list;

static int api_row(const store_row *row, void *ctx)
{
	api_list *c = ctx;
	int on = web_pager_row(&c->pg, row);
	if (on > 0)
		json_array_append_new(c->items, row_json(c->r, row, false, false));
	return on < 0;
}

static void api_entries(web_req *r)
{
	web_query wq;
	if (!web_filters(r, &wq))
		return;
	api_list c = { r, json_array(), { 0 } };
	int e = web_pager_run(r, wq.q, &wq.f, wq.page, wq.theme, &c.pg, api_row, &c);
	if (e == MAILLE_EINVAL) {
		json_decref(c.items);
		web_error(r, 400, "Recherche sans mot.", "A query needs a word.");
		return;
	}
	if (e < 0) {
		json_decref(c.items);
		web_error(r, 500, "Lecture du catalogue impossible.", "Cannot read the catalogue.");
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "page", json_integer(wq.page));
	json_object_set_new(o, "per_page", json_integer(WEB_PAGE_SIZE));
	json_object_set_new(o, "has_more", json_boolean(c.pg.more));
	json_object_set_new(o, "items", c.items);
	api_out(r, o);
}

/* ---- a record's cooperation acts (PROTOCOL.md §5), as its page shows them ----------------- */

/* A request and the JSON array its callbacks fill. */
typedef struct api_arr {
	web_req *r;
	json_t *arr;
} api_arr;

static int api_act(const coop_item *it, void *ctx)
{
	api_arr *c = ctx;
	if (!it->trusted) /* what the page shows: trusted authors only */
		return 0;
	json_t *o = row_json(c->r, it->row, !it->hidden, web_row_verified(it->row));
	if (it->label) {
		char lpath[PROTO_PATH_MAX + 1], hex[2 * PROTO_KEY_LEN + 1];
		snprintf(lpath, sizeof lpath, "%.*s", (int)it->label->entry.path_len,
		         it->label->entry.path);
		proto_hex(it->label->entry.territory, PROTO_KEY_LEN, hex);
		json_object_set_new(o, "label_territory", json_string(hex));
		json_object_set_new(o, "label_path", json_string(lpath));
		json_object_set_new(o, "label_title",
		                    str_or_null(proto_langmap_pick(
		                        proto_map_get(it->label_body, PROTO_F_TITLE), "fr")));
		json_object_set_new(o, "older_version", json_boolean(it->older_version));
		json_object_set_new(o, "expired", json_boolean(it->expired));
	}
	const char *type = web_body_str(it->body, PROTO_F_TYPE);
	if (type && strcmp(type, PROTO_T_COMMENT) == 0) {
		json_object_set_new(o, "depth", json_integer(it->depth));
		/* a comment this node hides: its reason, not its text */
		json_object_set_new(o, "hidden", str_or_null(it->hidden));
	}
	json_array_append_new(c->arr, o);
	return json_array_size(c->arr) >= COOP_THREAD_MAX;
}

static void api_coop(web_req *r, const store_row *row, json_t *o)
{
	const trust_view *tv = web_trust(r);
	char path[PROTO_PATH_MAX + 1], today[11];
	snprintf(path, sizeof path, "%.*s", (int)row->entry.path_len, row->entry.path);
	const uint8_t *t = row->entry.territory;
	coop_today(web_now_us(r->w), r->w->zone, today);
	api_arr c = { r, json_array() };
	coop_interests(r->wk->st, t, path, tv, api_act, &c);
	json_object_set_new(o, "interests", c.arr);
	c.arr = json_array();
	coop_awards(r->wk->st, t, path, tv, today, api_act, &c);
	json_object_set_new(o, "labels", c.arr);
	c.arr = json_array();
	coop_comments(r->wk->st, t, path, tv, api_act, &c);
	json_object_set_new(o, "comments", c.arr);
	size_t all = 0, untrusted = 0;
	coop_comments_count(r->wk->st, t, path, tv, &all, &untrusted);
	json_object_set_new(o, "comments_untrusted", json_integer((json_int_t)untrusted));
}

static void api_entry(web_req *r, const char *path)
{
	web_trust(r);
	store_row row;
	if (!web_find_entry_or_error(r, path, &row))
		return;
	if (web_row_verified(&row)) {
		json_t *o = row_json(r, &row, true, true);
		if (o && row.entry.kind == PROTO_KIND_DOCUMENT)
			api_coop(r, &row, o);
		api_out(r, o);
	} else
		web_signature_error(r, &row); /* signature_verified: false, and no body */
	store_row_done(&row);
}

static void api_status(web_req *r)
{
	const trust_view *tv = web_trust(r);
	json_t *o = json_object();
	char hex[2 * PROTO_KEY_LEN + 1], name[256];
	proto_hex(r->w->own, PROTO_KEY_LEN, hex);
	web_territory_name(r->wk->st, r->w->own, name, sizeof name);
	json_object_set_new(o, "key", json_string(hex));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "federation", str_or_null(r->w->cfg.netkey_fp));
	json_object_set_new(o, "federation_name",
	                    r->w->cfg.federation && *r->w->cfg.federation
	                        ? json_string(r->w->cfg.federation)
	                        : json_null());
	uint8_t fp[RBSR_FP_LEN];
	uint64_t count, entries, docs;
	if (store_fingerprint(r->wk->st, fp, &count) == 0 &&
	    store_count(r->wk->st, &entries, &docs) == 0) {
		char fph[2 * RBSR_FP_LEN + 1];
		proto_hex(fp, RBSR_FP_LEN, fph);
		json_object_set_new(o, "count", json_integer((json_int_t)count));
		json_object_set_new(o, "documents", json_integer((json_int_t)docs));
		json_object_set_new(o, "fingerprint", json_string(fph));
	}
	json_object_set_new(o, "trusted_territories", json_integer(tv ? (json_int_t)tv->n : 0));
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", r->w->cfg.dir, NODE_STATE_FILE);
	json_error_t jerr;
	json_t *st = json_load_file(path, 0, &jerr);
	json_t *d = json_object();
	if (json_is_object(st)) {
		static const char *const keys[] = { "pid",          "listen",     "connected",
			                            "last_sync_us", "started_us", "updated_us",
			                            "peers",        NULL };
		for (size_t i = 0; keys[i]; i++) {
			json_t *v = json_object_get(st, keys[i]);
			if (v)
				json_object_set(d, keys[i], v);
		}
	}
	json_decref(st);
	json_object_set_new(o, "daemon", d);
	json_object_set_new(o, "web", json_string(web_url(r->w)));
	api_out(r, o);
}

static int terr_row(const store_row *row, void *ctx)
{
	api_arr *c = ctx;
	if (memcmp(row->entry.signer, row->entry.territory, PROTO_KEY_LEN) != 0)
		return 0;
	json_t *o = json_object();
	char hex[2 * PROTO_KEY_LEN + 1], name[256];
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
	web_territory_name(c->r->wk->st, row->entry.territory, name, sizeof name);
	json_object_set_new(o, "key", json_string(hex));
	json_object_set_new(o, "name", json_string(name));
	const trust_node *tn =
	    c->r->wk->tv_ok ? trust_find(&c->r->wk->tv, row->entry.territory) : NULL;
	json_object_set_new(o, "trust",
	                    json_string(!tn                            ? "untrusted"
	                                : tn->reason == TRUST_OWN      ? "own"
	                                : tn->reason == TRUST_EXPLICIT ? "explicit"
	                                                               : "vouched"));
	if (tn) {
		json_object_set_new(o, "hops", json_integer(tn->hops));
		if (tn->reason == TRUST_VOUCHED) {
			proto_hex(tn->via, PROTO_KEY_LEN, hex);
			json_object_set_new(o, "via", json_string(hex));
		}
	}
	json_array_append_new(c->arr, o);
	return json_array_size(c->arr) >= 10000;
}

static void api_territories(web_req *r)
{
	web_trust(r);
	store_filter f;
	memset(&f, 0, sizeof f);
	f.type = "territory";
	f.include_federation = true;
	api_arr c = { r, json_array() };
	int e = store_list(r->wk->st, &f, terr_row, &c);
	if (e < 0) {
		json_decref(c.arr);
		web_error(r, 500, "Lecture impossible.", "Cannot read the catalogue.");
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "territories", c.arr);
	api_out(r, o);
}

void web_api(web_req *r, const char *rest)
{
	if (strcmp(rest, "entries") == 0)
		api_entries(r);
	else if (strncmp(rest, "entries/", 8) == 0)
		api_entry(r, rest + 8);
	else if (strcmp(rest, "status") == 0)
		api_status(r);
	else if (strcmp(rest, "territories") == 0)
		api_territories(r);
	else
		web_error(r, 404, "Adresse d'API inconnue.", "Unknown API address.");
}
