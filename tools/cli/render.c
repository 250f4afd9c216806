/* tools/cli/render.c: records as JSON and as text for people. */
#include "render.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "node/service/json.h"
#include "node/service/recordtext.h"
#include "node/service/term.h"
#include "node/service/trust.h"
#include "proto/error.h"
#include "proto/member.h"
#include "proto/record.h"
#include "proto/value.h"

void render_time(uint64_t us, char *ret, size_t cap)
{
	node_time_utc(us, NODE_TIME_RFC3339, ret, cap);
}

/* The decoded body of a row, or NULL (tombstone or undecodable). */

/* The trust view rows are marked with (render_set_trust); NULL: no mark. */
static const trust_view *render_trust;

void render_set_trust(const trust_view *tv)
{
	render_trust = tv;
}

static bool row_untrusted(const store_row *row)
{
	return render_trust && !trust_find(render_trust, row->entry.territory);
}

static proto_value *row_body(const store_row *row, proto_arena *a)
{
	proto_value *body = NULL;
	if (row->entry.kind != PROTO_KIND_DOCUMENT)
		return NULL;
	if (proto_value_decode(row->entry.body, row->entry.body_len, a, &body))
		return NULL;
	return body;
}

static const char *str_field(const proto_value *body, const char *key)
{
	const proto_value *v = proto_map_get(body, key);
	return v && v->type == PROTO_V_STR ? v->u.str.ptr : NULL;
}

static void territory_label(store *st, const uint8_t key[PROTO_KEY_LEN], char *ret, size_t cap)
{
	if (store_territory_name(st, key, ret, cap) != 0) {
		char hex[65];
		proto_hex(key, PROTO_KEY_LEN, hex);
		snprintf(ret, cap, "%.8s…", hex); /* unknown territory: its key fingerprint */
	}
}

/* The name of the member who signed a row, from the territory's capability for its key
 * (PROTOCOL.md §4.3); false when the territory signed it. */
static bool member_label(store *st, const store_row *row, char *ret, size_t cap)
{
	if (memcmp(row->entry.signer, row->entry.territory, PROTO_KEY_LEN) == 0)
		return false;
	char path[80] = PROTO_MEMBERS_PREFIX;
	proto_hex(row->entry.signer, PROTO_KEY_LEN, path + sizeof PROTO_MEMBERS_PREFIX - 1);
	store_row cr;
	proto_member_cap c;
	bool ok = false;
	if (store_entry_get(st, row->entry.territory, path, &cr) == 0) {
		ok = cr.entry.kind == PROTO_KIND_DOCUMENT && proto_member_cap_decode(&cr.entry, &c) == 0;
		store_row_done(&cr);
	}
	if (ok) {
		snprintf(ret, cap, "%s", c.name);
	} else {
		char hex[65];
		proto_hex(row->entry.signer, PROTO_KEY_LEN, hex);
		snprintf(ret, cap, "membre %.8s…", hex);
	}
	return true;
}

/* "territory name", or "member name (territory name)" for a member's entry. */
static void author_label(store *st, const store_row *row, char *ret, size_t cap)
{
	char terr[256], member[256];
	territory_label(st, row->entry.territory, terr, sizeof terr);
	if (member_label(st, row, member, sizeof member))
		snprintf(ret, cap, "%s (%s)", member, terr);
	else
		snprintf(ret, cap, "%s", terr);
}

/* A snippet on one line: the store's \x02 \x03 match markers turned into [ ], and every run
 * of white space (Markdown has newlines) into one space. */
static void snippet_plain(const char *s, char *ret, size_t cap)
{
	size_t o = 0;
	bool space = false;
	for (; s && *s && o + 1 < cap; s++) {
		char c = *s;
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < cap)
			ret[o++] = ' ';
		space = false;
		ret[o++] = c == '\x02' ? '[' : c == '\x03' ? ']' : c;
	}
	ret[o] = '\0';
}

json_t *render_row_json(store *st, const store_row *row, bool with_body)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = row_body(row, &a);
	json_t *o = json_object();
	char hex[65], buf[512];

	proto_hex(row->id, PROTO_ID_LEN, hex);
	json_object_set_new(o, "id", json_string(hex));
	json_object_set_new(o, "path", json_stringn(row->entry.path, row->entry.path_len));
	json_object_set_new(o, "kind", json_string(row->entry.kind == PROTO_KIND_TOMBSTONE ?
	                                               "tombstone" :
	                                               "document"));
	const char *type = str_field(body, PROTO_F_TYPE);
	json_object_set_new(o, "type", type ? json_string(type) : json_null());
	const char *title = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE), "fr");
	if (!title)
		title = proto_langmap_pick(proto_map_get(body, PROTO_F_NAME), "fr");
	/* an act has no title of its own: what it is about says what it is */
	char act[1024];
	if (!title && body && render_act_title(st, row, body, act, sizeof act))
		title = act;
	json_object_set_new(o, "title", title ? json_string(title) : json_null());
	const char *summary = proto_langmap_pick(proto_map_get(body, PROTO_F_SUMMARY), "fr");
	json_object_set_new(o, "summary", summary ? json_string(summary) : json_null());
	territory_label(st, row->entry.territory, buf, sizeof buf);
	json_object_set_new(o, "territory", json_string(buf));
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
	json_object_set_new(o, "author", json_string(hex));
	/* "member name (territory)" for a member's entry, else the territory's name */
	author_label(st, row, buf, sizeof buf);
	json_object_set_new(o, "author_name", json_string(buf));
	if (member_label(st, row, buf, sizeof buf))
		json_object_set_new(o, "member", json_string(buf));
	else
		json_object_set_new(o, "member", json_null());
	if (render_trust)
		json_object_set_new(o, "trusted", json_boolean(!row_untrusted(row)));
	proto_hex(row->entry.signer, PROTO_KEY_LEN, hex);
	json_object_set_new(o, "signer", json_string(hex));
	render_time(row->entry.timestamp, buf, sizeof buf);
	json_object_set_new(o, "timestamp", json_string(buf));
	const char *status = str_field(body, PROTO_F_STATUS);
	json_object_set_new(o, "status", status ? json_string(status) : json_null());
	json_object_set_new(o, "themes", node_themes_json(body));
	if (row->snippet) {
		json_object_set_new(o, "snippet", json_string(row->snippet));
		json_object_set_new(o, "rank", json_real(row->rank));
	}
	if (with_body)
		json_object_set_new(o, "body", body ? node_value_json(body) : json_object());
	proto_arena_done(&a);
	return o;
}

/* ---- for people: every string from a record or the store goes through node/service/term.h ------
 *
 * list and search print one line per record: the type, path, title and author are escaped for
 * one line (a control character is shown as "\x1b", a line break as "\n"), so a record
 * cannot end its line, start another or hide the [untrusted] mark at the end of it.
 *
 * show prints the record's title, then its summary and description, then its fields, then the
 * tool's own lines last, each indented by exactly two spaces ("  path:", "  territory: ...
 * untrusted", "  signature: verified"). Nothing a record says can produce such a line: its
 * top-level fields start at the margin with a label from the record tables (ours) or their
 * key, nested levels, list items and the continuation lines of multi-line values are indented
 * by RENDER_NEST (four) spaces or more than their label, the summary and the Markdown
 * description are indented by RENDER_NEST spaces like a commit message in `git log`, and a
 * key the tables do not label, made of anything but ASCII letters, digits, '_', '.' and '-',
 * is shown quoted, so that "  territory" cannot pass for the tool's label.
 * Legitimate line breaks of a text stay line breaks; every other control character, DEL,
 * C1 control, bidi override or isolate and invalid UTF-8 is shown escaped. */
#define RENDER_NEST 4

/* Spaces for an indent of n columns (n at most RENDER_INDENT_MAX). */
#define RENDER_INDENT_MAX 64
static const char *spaces(int n)
{
	static const char sp[] = "                                                                ";
	_Static_assert(sizeof sp - 1 == RENDER_INDENT_MAX, "one space per column");
	if (n < 0)
		n = 0;
	if (n > RENDER_INDENT_MAX)
		n = RENDER_INDENT_MAX;
	return sp + RENDER_INDENT_MAX - n;
}

static void put_s(const char *s)
{
	if (s)
		node_term_put(stdout, s, strlen(s));
}

void render_row_line(store *st, const store_row *row)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = row_body(row, &a);
	const char *type = str_field(body, PROTO_F_TYPE);
	const char *title = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE), "fr");
	if (!title)
		title = proto_langmap_pick(proto_map_get(body, PROTO_F_NAME), "fr");
	char act[1024];
	if (!title && body && render_act_title(st, row, body, act, sizeof act))
		title = act;
	char terr[600], tsafe[NODE_TERM_CAP(24)], tpad[128];
	author_label(st, row, terr, sizeof terr);
	/* the type by its label, in a column as wide as the longest ("Composant réutilisable") */
	const char *tl = type ? recordtext_label(type, !cli_french()) : NULL;
	if (!tl)
		tl = type ? node_term_str(type, strlen(type), tsafe, sizeof tsafe) : "?";
	printf("%s %-48.*s ", render_pad(tl, 22, tpad, sizeof tpad), (int)row->entry.path_len,
	       row->entry.path);
	if (title)
		put_s(title);
	else
		fputs(_("(untitled)"), stdout);
	fputs(" — ", stdout);
	put_s(terr);
	puts(row_untrusted(row) ? _(" [untrusted]") : "");
	if (row->snippet) {
		char snip[1024];
		snippet_plain(row->snippet, snip, sizeof snip);
		fputs("             ", stdout);
		put_s(snip);
		putchar('\n');
	}
	proto_arena_done(&a);
}

/* A key as a label: bare when made of ASCII letters, digits, '_', '.' and '-' (every field
 * of the schema, every language tag), else quoted and escaped. */
static void put_key(const char *key)
{
	size_t n = strlen(key);
	if (n &&
	    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n) {
		fputs(key, stdout);
		return;
	}
	putchar('"');
	node_term_put(stdout, key, n);
	putchar('"');
}

/* A string value after its label: multi-line text keeps its line breaks, each following line
 * indented under the label (see above). */
static void put_text(const char *s, size_t len, int indent)
{
	node_term_text(stdout, s, len, spaces(indent + RENDER_NEST));
}

/* Yes or no, in the CLI's language. */
static const char *yes_no(bool b)
{
	return b ? _("yes") : _("no");
}

/* A value with no table entry to say more of it: a list as items, a map as its members
 * (labelled when the tables name them), a text keeping its line breaks. */
static void print_plain(const proto_value *v, int indent, bool en);

/* ": " after a label, in the CLI's language (French puts a space before the colon). */
static void put_colon(bool en)
{
	fputs(en ? ":" : " :", stdout);
}

/* label is a key from the body, or NULL for an item of a list ("-"). */
/* Set when the line already holds a list item's "- " and the first member of its object goes
 * right after it (the rest under it, aligned). */
static bool item_open;

static void put_indent(int indent)
{
	if (item_open)
		item_open = false;
	else
		fputs(spaces(indent), stdout);
}

static void print_key(const char *key, int indent, bool en)
{
	put_indent(indent);
	if (!key) {
		putchar('-');
		return;
	}
	const char *lab = recordtext_label(key, en);
	if (lab)
		fputs(lab, stdout);
	else
		put_key(key);
	put_colon(en);
}

static void print_scalar(const proto_value *v, int indent, bool en)
{
	switch (v->type) {
	case PROTO_V_NIL:
		fputs("—", stdout);
		break;
	case PROTO_V_BOOL:
		fputs(yes_no(v->u.b), stdout);
		break;
	case PROTO_V_INT:
		printf("%lld", (long long)v->u.i);
		break;
	case PROTO_V_FLOAT:
		printf("%g", v->u.f);
		break;
	case PROTO_V_STR:
		put_text(v->u.str.ptr, v->u.str.len, indent);
		break;
	case PROTO_V_BIN:
		printf(_("(%zu bytes)"), v->u.bin.len);
		break;
	case PROTO_V_MAP: { /* a language map */
		const char *t = proto_langmap_pick(v, en ? "en" : "fr");
		if (t)
			put_text(t, strlen(t), indent);
		break;
	}
	default:
		break;
	}
}

/* After "label:" on its line: the rest of that line and the lines below it. */
static void print_plain(const proto_value *v, int indent, bool en)
{
	if (v->type == PROTO_V_ARRAY) {
		putchar('\n');
		for (size_t i = 0; i < v->u.arr.n; i++) {
			print_key(NULL, indent + RENDER_NEST, en);
			print_plain(&v->u.arr.items[i], indent + RENDER_NEST, en);
		}
	} else if (v->type == PROTO_V_MAP && !proto_langmap_is(v)) {
		putchar('\n');
		for (size_t i = 0; i < v->u.map.n; i++) {
			print_key(v->u.map.items[i].key, indent + RENDER_NEST, en);
			print_plain(&v->u.map.items[i].val, indent + RENDER_NEST, en);
		}
	} else {
		putchar(' ');
		print_scalar(v, indent, en);
		putchar('\n');
	}
}

static void print_field(const proto_record_field *f, const char *key, const proto_value *v,
                        int indent, bool en);

/* The members of a nested object, in its table's order (recordtext_members). */
typedef struct members_ctx {
	int indent;
	bool en;
} members_ctx;

static void print_member(const proto_record_field *m, const char *key, const proto_value *v,
                         bool hidden, void *ctx)
{
	members_ctx *c = ctx;
	const char *not_shown = _("not shown");
	const proto_value text = { .type = PROTO_V_STR, .u.str = { not_shown, strlen(not_shown) } };
	print_field(m, key, hidden ? &text : v, c->indent, c->en);
}

static void print_obj(const proto_record_obj *obj, const proto_value *v, int indent, bool en)
{
	char text[RECORDTEXT_CAP];
	if (v->type != PROTO_V_MAP || proto_langmap_is(v) || indent > 6 * RENDER_NEST) {
		print_plain(v, indent, en);
	} else if (recordtext_period(obj, v, en, text, sizeof text)) {
		printf(" %s\n", text); /* a period reads as one phrase */
	} else {
		putchar('\n');
		recordtext_members(obj, v, print_member, &(members_ctx){ indent + RENDER_NEST, en });
	}
}

/* One item of a list field: "- " and its text, a reference as its path. */
static void print_item(const proto_record_field *f, const proto_value *it, int indent, bool en)
{
	char text[RECORDTEXT_CAP];
	print_key(NULL, indent, en);
	if (f->display == PROTO_D_RELATIONS && f->obj && it->type == PROTO_V_MAP) {
		const proto_record_field *m = f->obj->fields;
		const proto_value *rel = proto_map_get(it, m[0].name), *tg = proto_map_get(it, m[1].name);
		if (rel && tg && tg->type == PROTO_V_STR && recordtext_str(&m[0], rel, en, text, sizeof text)) {
			printf(" %s", text);
			put_colon(en);
			putchar(' ');
			node_term_put(stdout, tg->u.str.ptr, tg->u.str.len);
			putchar('\n');
			return;
		}
	}
	if (f->obj && f->kind == PROTO_FK_OBJLIST && it->type == PROTO_V_MAP &&
	    !proto_langmap_is(it) && !recordtext_period(f->obj, it, en, text, sizeof text)) {
		/* "- Name: ..." and the other members under the first */
		putchar(' ');
		item_open = true;
		recordtext_members(f->obj, it, print_member, &(members_ctx){ indent + 2, en });
		if (item_open) /* no member had a value */
			putchar('\n');
		item_open = false;
	} else if (f->obj && f->kind == PROTO_FK_OBJLIST)
		print_obj(f->obj, it, indent, en);
	else if (recordtext_str(f, it, en, text, sizeof text))
		printf(" %s\n", text);
	else if (it->type == PROTO_V_STR && f->display == PROTO_D_REFS) {
		putchar(' ');
		node_term_put(stdout, it->u.str.ptr, it->u.str.len); /* a path: one line */
		putchar('\n');
	} else
		print_plain(it, indent, en);
}

/* A field of the record tables (f NULL: one they do not know) at indent: its label, then
 * its value as a person reads it (node/service/recordtext.h). */
static void print_field(const proto_record_field *f, const char *key, const proto_value *v,
                        int indent, bool en)
{
	const char *lab = f ? (en ? f->label.en : f->label.fr) : NULL;
	if (lab) {
		put_indent(indent);
		fputs(lab, stdout);
		put_colon(en);
	} else {
		print_key(key, indent, en);
	}
	char text[RECORDTEXT_CAP];
	if (!f) {
		print_plain(v, indent, en);
	} else if (v->type == PROTO_V_ARRAY && (f->obj || f->vocab || f->display != PROTO_D_VALUE ||
	                                        f->kind == PROTO_FK_STRLIST)) {
		putchar('\n');
		for (size_t i = 0; i < v->u.arr.n; i++)
			print_item(f, &v->u.arr.items[i], indent + RENDER_NEST, en);
	} else if (f->obj && f->kind == PROTO_FK_OBJ) {
		print_obj(f->obj, v, indent, en);
	} else if (recordtext_str(f, v, en, text, sizeof text) ||
	           recordtext_number(f, v, en, text, sizeof text)) {
		printf(" %s\n", text);
	} else {
		print_plain(v, indent, en);
	}
}

static void print_top_field(const proto_record_field *f, const char *key, const proto_value *v,
                            void *ctx)
{
	print_field(f, key, v, 0, *(const bool *)ctx);
}

/* A text of the record's heading (summary, description), indented like a commit message in
 * `git log`, after a blank line. */
static void print_heading_text(const proto_value *body, const char *key, bool en)
{
	const char *t = proto_langmap_pick(proto_map_get(body, key), en ? "en" : "fr");
	if (!t)
		return;
	printf("\n%s", spaces(RENDER_NEST));
	node_term_text(stdout, t, strlen(t), spaces(RENDER_NEST));
	putchar('\n');
}

/* The tool's own lines, last: where the record comes from and what vouches for its bytes. */
static void print_provenance(store *st, const store_row *row, const char *type,
                             const datefmt_zone *zone, bool en)
{
	char hex[65], buf[256];
	printf(_("  path:      %.*s\n"), (int)row->entry.path_len, row->entry.path);
	const char *tl = type ? recordtext_label(type, en) : NULL;
	fputs(_("  type:      "), stdout);
	if (tl)
		fputs(tl, stdout);
	else
		put_s(type ? type : "?");
	putchar('\n');
	territory_label(st, row->entry.territory, buf, sizeof buf);
	proto_hex(row->entry.territory, PROTO_KEY_LEN, hex);
	fputs(_("  territory: "), stdout);
	put_s(buf);
	printf(" (%s)%s\n", hex,
	       row_untrusted(row) ? _(": untrusted (no chain of vouches from this node)") : "");
	if (member_label(st, row, buf, sizeof buf)) {
		char path[80] = PROTO_MEMBERS_PREFIX;
		store_row cr;
		proto_hex(row->entry.signer, PROTO_KEY_LEN, path + sizeof PROTO_MEMBERS_PREFIX - 1);
		bool cap = store_entry_get(st, row->entry.territory, path, &cr) == 0;
		if (cap)
			store_row_done(&cr);
		fputs(_("  author:    "), stdout);
		put_s(buf);
		printf(_(", member of the territory%s\n"),
		       cap ? ""
		           : _("\n  state:     held: the member's capability has not reached this "
		               "node yet (not listed or searched until it does)"));
	}
	proto_hex(row->entry.signer, PROTO_KEY_LEN, hex);
	printf(_("  signer:    %s\n"), hex);
	char when[DATEFMT_CAP];
	datefmt_time(row->entry.timestamp, zone, en, when, sizeof when);
	printf(_("  date:      %s\n"), when);
	proto_hex(row->id, PROTO_ID_LEN, hex);
	printf(_("  id:        %s\n"), hex);
	printf(_("  signature: verified\n"));
}

void render_row_page(store *st, const store_row *row, const datefmt_zone *zone)
{
	bool en = !cli_french();
	proto_arena a;
	proto_arena_init(&a, 0);
	proto_value *body = row_body(row, &a);
	const char *lang = en ? "en" : "fr";
	const char *title = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE), lang);
	if (!title)
		title = proto_langmap_pick(proto_map_get(body, PROTO_F_NAME), lang);
	if (title)
		put_s(title);
	else
		fputs(_("(untitled)"), stdout);
	putchar('\n');
	/* content first: what the record says, then its fields in the record table's order,
	 * then where it comes from */
	print_heading_text(body, PROTO_F_SUMMARY, en);
	print_heading_text(body, PROTO_F_DESCRIPTION, en);
	const char *type = str_field(body, PROTO_F_TYPE);
	if (body && body->type == PROTO_V_MAP) {
		putchar('\n');
		recordtext_fields(body, type, print_top_field, &en);
	}
	putchar('\n');
	print_provenance(st, row, type, zone, en);
	proto_arena_done(&a);
}

int render_json_out(json_t *j)
{
	if (!j) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	/* JSON escapes control characters below U+0020 itself; node_term_json writes DEL, the C1
	 * controls and the bidi and line-separator characters as \u escapes too, so that the
	 * document printed raw on a terminal cannot act on it, with the same content */
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (!text) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	node_term_json(stdout, text, strlen(text));
	free(text);
	putchar('\n');
	if (ferror(stdout) || fflush(stdout) != 0) {
		cli_error(_("cannot write to standard output"));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int render_json_piece(json_t *j, unsigned indent)
{
	char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : NULL;
	json_decref(j);
	if (!text)
		return MAILLE_ENOMEM;
	for (const char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		node_term_json(stdout, p, len);
		if (!nl)
			break;
		printf("\n%*s", (int)indent, "");
	}
	free(text);
	return 0;
}

/* render.h */
json_t *json_peer_str(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char buf[256];
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof buf; i++)
		buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

/* Milliseconds to the microsecond, so that JSON shows 1.254 and not 1.2547690000000001. */
double round_us(double ms)
{
	return (double)(long long)(ms * 1000.0 + 0.5) / 1000.0;
}

/* render.h */
const char *render_state_str(const json_t *peer, const char *name, const char *dflt, char *buf,
                             size_t cap)
{
	const json_t *v = json_object_get(peer, name);
	if (!json_is_string(v))
		return dflt;
	size_t len = json_string_length(v);
	if (strcmp(name, "key") == 0 && len > 8)
		len = 8;
	return node_term_str(json_string_value(v), len, buf, cap);
}

/* render.h */
void render_age(uint64_t us, char *buf, size_t cap)
{
	if (!us) {
		snprintf(buf, cap, _("never"));
		return;
	}
	uint64_t now = cli_now_us() - (uint64_t)cli_clock_skew_us();
	double s = now > us ? (double)(now - us) / 1e6 : 0;
	if (s < 120)
		snprintf(buf, cap, _("%.0f s ago"), s);
	else if (s < 7200)
		snprintf(buf, cap, _("%.0f min ago"), s / 60);
	else
		snprintf(buf, cap, _("%.1f h ago"), s / 3600);
}

/* render.h */
size_t render_cols(const char *s)
{
	size_t cols = 0;
	for (; *s; s++)
		cols += ((unsigned char)*s & 0xC0) != 0x80;
	return cols;
}

const char *render_pad(const char *s, size_t width, char *buf, size_t cap)
{
	size_t cols = render_cols(s);
	snprintf(buf, cap, "%s%*s", s, cols < width ? (int)(width - cols) : 0, "");
	return buf;
}
