/* tools/cli/cmd_coop.c: interest, label, comment, hide — the cooperation acts of this
 * territory (PROTOCOL.md §5): an expression of interest in a call, a label's award to a
 * version of a record or its revocation, a comment, and a comment hidden on this node only.
 * An act is a record like any other: signed, stored and synced; its path comes from the
 * record it is about (proto_coop_path). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "i18n.h"
#include "node/service/coop.h"
#include "node/service/publish.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/coop.h"
#include "proto/error.h"
#include "proto/record.h"
#include "proto/schema.h"
#include "proto/value.h"
#include "render.h"

#define COOP_EVIDENCE_MAX 16u /* --evidence options of one award */

/* ---- what the acts share ------------------------------------------------------------------ */

/* RECORD on the command line: TERRITORY_KEY/PATH, or PATH for this node's own territory. 0,
 * or a usage error naming cmd (EXIT_USAGE). */
static int coop_record_arg(const char *cmd, const node_dir *nd, const char *arg,
                           uint8_t territory[PROTO_KEY_LEN], char path[PROTO_PATH_MAX + 1])
{
	const char *slash = strchr(arg, '/');
	const char *p = arg;
	memcpy(territory, nd->territory, PROTO_KEY_LEN);
	if (slash && slash - arg == 2 * PROTO_KEY_LEN) {
		char hex[2 * PROTO_KEY_LEN + 1];
		memcpy(hex, arg, 2 * PROTO_KEY_LEN);
		hex[2 * PROTO_KEY_LEN] = '\0';
		if (proto_unhex(hex, territory, PROTO_KEY_LEN) == 0)
			p = slash + 1;
	}
	if (!proto_path_valid(p, strlen(p)))
		return cli_usage_error(cmd, _("\"%s\" is not a record: TERRITORY_KEY/PATH, or PATH "
		                              "for this territory's own"),
		                       arg);
	snprintf(path, PROTO_PATH_MAX + 1, "%s", p);
	return 0;
}

/* A stored record's live version and its decoded body (from ar): 0, MAILLE_ENOTFOUND (none,
 * or deleted) or another error. The row is the caller's to store_row_done. */
static int coop_live(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                     proto_arena *ar, store_row *row, proto_value **ret_body)
{
	int r = store_entry_get(st, territory, path, row);
	if (r)
		return r;
	if (row->entry.kind != PROTO_KIND_DOCUMENT) {
		store_row_done(row);
		return MAILLE_ENOTFOUND;
	}
	r = proto_value_decode(row->entry.body, row->entry.body_len, ar, ret_body);
	if (r)
		store_row_done(row);
	return r;
}

/* The type of a decoded body, "" when it has none. */
static const char *coop_type(const proto_value *body)
{
	const proto_value *t = proto_map_get(body, "type");
	return t && t->type == PROTO_V_STR ? t->u.str.ptr : "";
}

/* A record's title in the CLI's language (a territory record's name), through the terminal
 * sanitiser into buf; the path when it has none. */
static const char *coop_title(const proto_value *body, const char *path, char *buf, size_t cap)
{
	const char *t = proto_langmap_pick(proto_map_get(body, PROTO_F_TITLE),
	                                   cli_french() ? "fr" : "en");
	const proto_value *name = proto_map_get(body, PROTO_F_NAME);
	if (!t && name && name->type == PROTO_V_STR)
		t = name->u.str.ptr;
	if (!t)
		t = path;
	return node_term_str(t, strlen(t), buf, cap);
}

static proto_value *put_str(proto_arena *ar, proto_value *map, const char *key, const char *s)
{
	proto_value *v = proto_value_map_put(ar, map, key, strlen(key));
	if (!v)
		return NULL;
	v->type = PROTO_V_STR;
	v->u.str.ptr = proto_arena_strndup(ar, s, strlen(s));
	v->u.str.len = strlen(s);
	return v->u.str.ptr ? v : NULL;
}

/* body[key] = {territory: hex, path[, entry: hex]}. NULL when out of memory. */
static proto_value *put_target(proto_arena *ar, proto_value *body, const char *key,
                               const uint8_t territory[PROTO_KEY_LEN], const char *path,
                               const uint8_t *entry)
{
	proto_value *t = proto_value_map_put(ar, body, key, strlen(key));
	if (!t)
		return NULL;
	t->type = PROTO_V_MAP;
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(territory, PROTO_KEY_LEN, hex);
	if (!put_str(ar, t, PROTO_F_TERRITORY, hex) || !put_str(ar, t, PROTO_F_PATH, path))
		return NULL;
	if (entry) {
		proto_hex(entry, PROTO_ID_LEN, hex);
		if (!put_str(ar, t, PROTO_F_ENTRY, hex))
			return NULL;
	}
	return t;
}

/* A new act body {type: type}. */
static proto_value *act_new(proto_arena *ar, const char *type)
{
	proto_value *body = proto_value_new(ar, PROTO_V_MAP);
	if (!body || !put_str(ar, body, "type", type))
		return NULL;
	return body;
}

/* Validates (the schema, then proto_coop_check at path), signs and stores an act of this
 * territory. Every error printed, as publish prints a file's (field: message). 0 with ret_id,
 * or EXIT_FAIL. */
static int act_publish(node_dir *nd, proto_value *body, proto_arena *ar, const char *path,
                       uint8_t ret_id[PROTO_ID_LEN])
{
	int ret = EXIT_FAIL;
	proto_schema_report *rep = malloc(sizeof *rep);
	uint8_t *enc = NULL;
	size_t enc_len;
	if (!rep) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	proto_schema_normalize(body, ar);
	int r = proto_schema_validate(body, rep);
	if (r == 0)
		r = proto_coop_check(nd->territory, path, body, rep);
	if (r) {
		bool en = !cli_french();
		for (size_t i = 0; i < rep->n_errors; i++)
			cli_error(_("%s: %s: %s"), path,
			          rep->errors[i].field[0] ? rep->errors[i].field : _("(record)"),
			          proto_schema_text(&rep->errors[i], en));
		cli_error(ngettext("%zu error; nothing was stored", "%zu errors; nothing was stored",
		                   rep->n_errors_total),
		          rep->n_errors_total);
		goto out;
	}
	r = publish_encode_body(body, &enc, &enc_len);
	if (r == 0)
		r = cli_publish(nd, path, PROTO_KIND_DOCUMENT, enc, enc_len, ret_id);
	if (r == MAILLE_EDENIED) {
		cli_error(_("your capability does not cover %s (its prefix, or its window that has "
		            "ended): see maille whoami"),
		          path);
		goto out;
	}
	if (r) {
		cli_store_error(nd, r, _("%s: cannot store the record: %s"), path, cli_strerror(r));
		goto out;
	}
	ret = 0;
out:
	free(enc);
	free(rep);
	return ret;
}

/* Publishes the tombstone of this territory's act at path, which must be live (what: how
 * the message names it). 0 with ret_id, or EXIT_FAIL (printed). */
static int act_withdraw(node_dir *nd, const char *path, const char *what,
                        uint8_t ret_id[PROTO_ID_LEN])
{
	int r;
	if (!cli_record_live(nd, path)) {
		cli_error(_("%s: no %s of this territory to withdraw"), path, what);
		return EXIT_FAIL;
	}
	static const uint8_t empty_map = 0x80;
	r = cli_publish(nd, path, PROTO_KIND_TOMBSTONE, &empty_map, 1, ret_id);
	if (r) {
		cli_store_error(nd, r, _("%s: cannot store the tombstone: %s"), path,
		                cli_strerror(r));
		return EXIT_FAIL;
	}
	return 0;
}

/* What an act command prints once done: msg on stdout (or {"path", "id", "action"} with
 * --json). */
static int act_say(bool json, const char *action, const char *path, const uint8_t id[PROTO_ID_LEN],
                   const char *msg)
{
	char hex[2 * PROTO_ID_LEN + 1];
	proto_hex(id, PROTO_ID_LEN, hex);
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "path", json_string(path));
		json_object_set_new(o, "id", json_string(hex));
		json_object_set_new(o, "action", json_string(action));
		return render_json_out(o);
	}
	printf("%s\n", msg);
	return EXIT_OK;
}

/* What the act commands start with: the node opened for writing, a member allowed to write.
 * CLI_GO, or the exit code. */
static int act_start(const char *cmd, const char *help, int argc, char **argv, cli_opt *opts,
                     cli_args *a, node_dir *nd)
{
	int r = cli_start_node(cmd, help, argc, argv, opts, CLI_POS_MAX, NODE_OPEN_WRITE, a, nd);
	if (r != CLI_GO)
		return r;
	if (cli_member_can_write(nd, cmd)) {
		node_dir_close(nd);
		return EXIT_FAIL;
	}
	return CLI_GO;
}

/* ---- interest ---------------------------------------------------------------------------- */

static const char interest_help[] = N_(
	"usage: maille interest RECORD --role ROLE [--message TEXT] [--contact EMAIL]\n"
	"       maille interest RECORD --withdraw\n"
	"\n"
	"Expresses this territory's interest in a call to cooperate: a signed record that every\n"
	"node of the federation receives and shows on the call's page. RECORD is the call,\n"
	"TERRITORY_KEY/PATH (maille territories gives the keys) or PATH for a call of this\n"
	"territory; it must be in this node's store. One interest per territory and call: doing\n"
	"it again replaces it.\n"
	"\n"
	"  --role ROLE       co_funder, co_developer, tester or observer ('-' for '_' is fine)\n"
	"  --message TEXT    what you say to the call's author (Markdown, 4 KiB at most)\n"
	"  --contact EMAIL   whom to reach (shown with the interest)\n"
	"  --withdraw        withdraw the interest (publishes its tombstone)\n");

/* The interest body for the call at (territory, path). NULL when out of memory. */
static proto_value *interest_body(proto_arena *ar, const uint8_t territory[PROTO_KEY_LEN],
                                  const char *path, const char *role, const char *message,
                                  const char *contact)
{
	proto_value *b = act_new(ar, PROTO_T_INTEREST);
	if (!b || !put_target(ar, b, PROTO_F_CALL, territory, path, NULL))
		return NULL;
	char r[64];
	snprintf(r, sizeof r, "%s", role);
	for (char *c = r; *c; c++)
		if (*c == '-')
			*c = '_';
	if (!put_str(ar, b, PROTO_F_ROLE, r))
		return NULL;
	if (message && !put_str(ar, b, PROTO_F_MESSAGE, message))
		return NULL;
	if (contact) {
		proto_value *cs = proto_value_map_put(ar, b, PROTO_F_CONTACTS, strlen(PROTO_F_CONTACTS));
		if (!cs)
			return NULL;
		cs->type = PROTO_V_ARRAY;
		proto_value *c = proto_value_array_push(ar, cs);
		if (!c)
			return NULL;
		c->type = PROTO_V_MAP;
		proto_value *pub = proto_value_map_put(ar, c, "public", 6);
		if (!put_str(ar, c, "email", contact) || !pub)
			return NULL;
		pub->type = PROTO_V_BOOL;
		pub->u.b = true;
	}
	return b;
}

int cmd_interest(int argc, char **argv)
{
	cli_opt opts[] = {{"role", true, NULL},     {"message", true, NULL},
	                  {"contact", true, NULL},  {"withdraw", false, NULL},
	                  {NULL, false, NULL}};
	cli_args a = {0};
	node_dir nd;
	int r = act_start("interest", interest_help, argc, argv, opts, &a, &nd);
	if (r != CLI_GO)
		return r;
	int ret = EXIT_FAIL;
	proto_arena ar;
	proto_arena_init(&ar, 0);
	store_row row;
	bool have_row = false;
	const char *role = cli_opt_get(opts, "role");
	bool withdraw = cli_opt_get(opts, "withdraw") != NULL;
	uint8_t territory[PROTO_KEY_LEN];
	char path[PROTO_PATH_MAX + 1], apath[PROTO_PATH_MAX + 1], title[NODE_TERM_CAP(512)];
	if (a.n_pos != 1) {
		ret = cli_usage_error("interest", _("RECORD (the call) is required, alone"));
		goto out;
	}
	if (!withdraw && !role) {
		ret = cli_usage_error("interest", _("--role is required: co_funder, co_developer, "
		                                    "tester or observer"));
		goto out;
	}
	if ((ret = coop_record_arg("interest", &nd, a.pos[0], territory, path)) != 0)
		goto out;
	ret = EXIT_FAIL;
	proto_value *call = NULL;
	r = coop_live(nd.st, territory, path, &ar, &row, &call);
	if (r) {
		cli_error(_("%s: no such call in this node's store (maille list --type call)"),
		          a.pos[0]);
		goto out;
	}
	have_row = true;
	if (strcmp(coop_type(call), PROTO_T_CALL) != 0) {
		const char *tl = proto_record_label(coop_type(call), !cli_french());
		cli_error(_("%s: this record is a %s, not a call to cooperate"), a.pos[0],
		          tl ? tl : coop_type(call));
		goto out;
	}
	/* a territory answers the others' calls: its own lists its partners */
	if (!withdraw && sodium_memcmp(territory, nd.territory, PROTO_KEY_LEN) == 0) {
		cli_error(_("%s: this call is your own territory's; interests are the other "
		            "territories' answers to it"),
		          a.pos[0]);
		goto out;
	}
	coop_title(call, path, title, sizeof title);
	proto_value *body = interest_body(&ar, territory, path, withdraw ? "observer" : role,
	                                  cli_opt_get(opts, "message"), cli_opt_get(opts, "contact"));
	if (!body || proto_coop_path(body, NULL, apath, sizeof apath)) {
		cli_error(_("out of memory"));
		goto out;
	}
	uint8_t id[PROTO_ID_LEN];
	char msg[1024];
	if (withdraw) {
		if (act_withdraw(&nd, apath, _("interest"), id))
			goto out;
		snprintf(msg, sizeof msg, _("Interest in \"%s\" withdrawn (%s)."), title, apath);
		ret = act_say(a.json, "withdrawn", apath, id, msg);
		goto out;
	}
	bool edit = cli_record_live(&nd, apath);
	if (act_publish(&nd, body, &ar, apath, id))
		goto out;
	/* the role as people say it: its label, lower case in a sentence ("co-financeur") */
	const char *rv = proto_map_get(body, PROTO_F_ROLE)->u.str.ptr;
	const char *rl = proto_record_label(rv, !cli_french());
	char role_text[64];
	snprintf(role_text, sizeof role_text, "%s", rl ? rl : rv);
	if (role_text[0] >= 'A' && role_text[0] <= 'Z')
		role_text[0] = (char)(role_text[0] - 'A' + 'a');
	snprintf(msg, sizeof msg,
	         edit ? _("Interest in \"%s\" updated, as %s (%s).")
	              : _("Interest in \"%s\" published, as %s (%s)."),
	         title, role_text, apath);
	ret = act_say(a.json, edit ? "updated" : "created", apath, id, msg);
out:
	if (have_row)
		store_row_done(&row);
	proto_arena_done(&ar);
	node_dir_close(&nd);
	return ret;
}

/* ---- label award, label revoke ------------------------------------------------------------ */

static const char label_help[] = N_(
	"usage: maille label award RECORD LABEL --criteria ID,ID [--until DATE]\n"
	"                          [--evidence ID=TEXT]...\n"
	"       maille label revoke RECORD LABEL\n"
	"\n"
	"award: says, in a signed record, that the live version of RECORD meets the criteria of\n"
	"LABEL, a label of this territory (only the label's territory awards it). RECORD is\n"
	"TERRITORY_KEY/PATH (maille territories gives the keys) or PATH for a record of this\n"
	"territory; LABEL is the label's path. The award is dated today; it names the version, so\n"
	"that a later version of the record shows it was awarded to an earlier one. Awarding again\n"
	"replaces the award.\n"
	"revoke: withdraws the award (publishes its tombstone).\n"
	"\n"
	"  --criteria ID,ID     the ids of the label's criteria the record meets\n"
	"  --until DATE         last day of validity, YYYY-MM-DD (default: today plus the\n"
	"                       label's validity_months, when it has one)\n"
	"  --evidence ID=TEXT   what shows that criterion ID is met (repeatable)\n");

/* The path of the award of the label at lpath (this territory's) to the record (territory,
 * path): award/<digest(record)>/<digest(label)>. */
static void award_path(const uint8_t territory[PROTO_KEY_LEN], const char *path,
                       const uint8_t label_territory[PROTO_KEY_LEN], const char *lpath,
                       char ret[PROTO_PATH_MAX + 1])
{
	char d1[PROTO_COOP_HEX + 1], d2[PROTO_COOP_HEX + 1];
	proto_coop_digest(territory, path, strlen(path), d1);
	proto_coop_digest(label_territory, lpath, strlen(lpath), d2);
	snprintf(ret, PROTO_PATH_MAX + 1, "award/%s/%s", d1, d2);
}

/* LABEL on the command line: a label of this territory, into lpath. 0, or EXIT_FAIL (a label
 * of another territory: only its territory awards it) or EXIT_USAGE (printed). */
static int label_arg(const char *cmd, const node_dir *nd, const char *arg,
                     char lpath[PROTO_PATH_MAX + 1])
{
	uint8_t lt[PROTO_KEY_LEN];
	int r = coop_record_arg(cmd, nd, arg, lt, lpath);
	if (r)
		return r;
	if (sodium_memcmp(lt, nd->territory, PROTO_KEY_LEN) != 0) {
		cli_error(_("%s: this label is another territory's: only the label's territory can "
		            "award it (PROTOCOL.md §5.2)"),
		          arg);
		return EXIT_FAIL;
	}
	return 0;
}

/* Whether id is one of the label's criteria. */
static bool label_has_criterion(const proto_value *label, const char *id, size_t len)
{
	const proto_value *cs = proto_map_get(label, PROTO_F_CRITERIA);
	for (size_t i = 0; cs && cs->type == PROTO_V_ARRAY && i < cs->u.arr.n; i++) {
		const proto_value *v = proto_map_get(&cs->u.arr.items[i], PROTO_F_ID);
		if (v && v->type == PROTO_V_STR && v->u.str.len == len &&
		    memcmp(v->u.str.ptr, id, len) == 0)
			return true;
	}
	return false;
}

/* "a, b, c": the label's criterion ids, for an error. */
static void label_criteria_list(const proto_value *label, char *ret, size_t cap)
{
	const proto_value *cs = proto_map_get(label, PROTO_F_CRITERIA);
	size_t n = 0;
	ret[0] = '\0';
	for (size_t i = 0; cs && cs->type == PROTO_V_ARRAY && i < cs->u.arr.n; i++) {
		const proto_value *v = proto_map_get(&cs->u.arr.items[i], PROTO_F_ID);
		if (v && v->type == PROTO_V_STR && n < cap)
			n += (size_t)snprintf(ret + n, cap - n, "%s%s", n ? ", " : "", v->u.str.ptr);
	}
}

/* today ("YYYY-MM-DD") plus months, the day kept or the month's last. */
static void date_add_months(const char *today, long months, char ret[11])
{
	int y = atoi(today), m = atoi(today + 5), d = atoi(today + 8);
	long total = (long)y * 12 + (m - 1) + months;
	y = (int)(total / 12);
	m = (int)(total % 12) + 1;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > last)
		d = last;
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
	snprintf(ret, 11, "%.10s", tmp);
}

/* award.criteria from --criteria "a,b", each checked against the label. 0, or EXIT_FAIL
 * (printed: an unknown criterion, with the label's ids). */
static int award_criteria(proto_arena *ar, proto_value *body, const proto_value *label,
                          const char *list, const char *lpath)
{
	proto_value *cs = proto_value_map_put(ar, body, PROTO_F_CRITERIA, strlen(PROTO_F_CRITERIA));
	if (!cs)
		return EXIT_FAIL;
	cs->type = PROTO_V_ARRAY;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len && !label_has_criterion(label, p, len)) {
			char ids[512];
			label_criteria_list(label, ids, sizeof ids);
			cli_error(_("%.*s: no such criterion in the label %s (its criteria: %s)"),
			          (int)len, p, lpath, ids);
			return EXIT_FAIL;
		}
		if (len) {
			proto_value *v = proto_value_array_push(ar, cs);
			char *s = proto_arena_strndup(ar, p, len);
			if (!v || !s)
				return EXIT_FAIL;
			v->type = PROTO_V_STR;
			v->u.str.ptr = s;
			v->u.str.len = len;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

/* award.evidence from the --evidence ID=TEXT options. 0, or EXIT_USAGE (printed). */
static int award_evidence(proto_arena *ar, proto_value *body, const char *const *ev, size_t n)
{
	if (!n)
		return 0;
	proto_value *es = proto_value_map_put(ar, body, PROTO_F_EVIDENCE, strlen(PROTO_F_EVIDENCE));
	if (!es)
		return EXIT_FAIL;
	es->type = PROTO_V_ARRAY;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(ev[i], '=');
		if (!eq || eq == ev[i])
			return cli_usage_error("label", _("--evidence wants ID=TEXT, not \"%s\""), ev[i]);
		proto_value *e = proto_value_array_push(ar, es);
		if (!e)
			return EXIT_FAIL;
		e->type = PROTO_V_MAP;
		char *id = proto_arena_strndup(ar, ev[i], (size_t)(eq - ev[i]));
		if (!id || !put_str(ar, e, PROTO_F_CRITERION, id) || !put_str(ar, e, PROTO_F_TEXT, eq + 1))
			return EXIT_FAIL;
	}
	return 0;
}

/* The --evidence values of argv (cli_parse keeps only the last of an option). */
static size_t award_evidence_args(int argc, char **argv, const char **ret, size_t max)
{
	size_t n = 0;
	for (int i = 0; i < argc && n < max; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--evidence") == 0 && i + 1 < argc)
			ret[n++] = argv[++i];
		else if (strncmp(argv[i], "--evidence=", 11) == 0)
			ret[n++] = argv[i] + 11;
	}
	return n;
}

typedef struct award_ctx {
	node_dir nd;
	proto_arena ar;
	store_row rec, label;
	bool have_rec, have_label;
	uint8_t territory[PROTO_KEY_LEN];
	char path[PROTO_PATH_MAX + 1], lpath[PROTO_PATH_MAX + 1], apath[PROTO_PATH_MAX + 1];
	char title[NODE_TERM_CAP(512)], ltitle[NODE_TERM_CAP(512)];
	proto_value *rbody, *lbody;
} award_ctx;

/* label award and label revoke: RECORD and LABEL read, the label found live in this
 * territory. 0, or the exit code (printed). */
static int award_targets(const char *cmd, const cli_args *a, award_ctx *c, bool need_record)
{
	if (a->n_pos != 2)
		return cli_usage_error("label", _("%s wants RECORD and LABEL"), cmd);
	int r = coop_record_arg("label", &c->nd, a->pos[0], c->territory, c->path);
	if (r == 0)
		r = label_arg("label", &c->nd, a->pos[1], c->lpath);
	if (r)
		return r;
	if (coop_live(c->nd.st, c->nd.territory, c->lpath, &c->ar, &c->label, &c->lbody) ||
	    (c->have_label = true, strcmp(coop_type(c->lbody), PROTO_T_LABEL) != 0)) {
		cli_error(_("%s: no such label of this territory (maille list --type label)"),
		          a->pos[1]);
		return EXIT_FAIL;
	}
	coop_title(c->lbody, c->lpath, c->ltitle, sizeof c->ltitle);
	award_path(c->territory, c->path, c->nd.territory, c->lpath, c->apath);
	if (!need_record) {
		snprintf(c->title, sizeof c->title, "%s", a->pos[0]);
		return 0;
	}
	if (coop_live(c->nd.st, c->territory, c->path, &c->ar, &c->rec, &c->rbody)) {
		cli_error(_("%s: no such record in this node's store"), a->pos[0]);
		return EXIT_FAIL;
	}
	c->have_rec = true;
	coop_title(c->rbody, c->path, c->title, sizeof c->title);
	return 0;
}

/* The award's body: label, target (the live version), criteria, evidence, dates. 0, or the
 * exit code (printed). */
static int award_body(award_ctx *c, const cli_opt *opts, const char *const *ev, size_t n_ev,
                      proto_value **ret)
{
	proto_value *b = act_new(&c->ar, PROTO_T_AWARD);
	if (!b || !put_target(&c->ar, b, PROTO_F_LABEL, c->nd.territory, c->lpath, NULL) ||
	    !put_target(&c->ar, b, PROTO_F_TARGET, c->territory, c->path, c->rec.id)) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	int r = award_criteria(&c->ar, b, c->lbody, cli_opt_get(opts, "criteria"), c->lpath);
	if (r == 0)
		r = award_evidence(&c->ar, b, ev, n_ev);
	if (r)
		return r;
	char today[11], until[11];
	coop_today(cli_now_us(), datefmt_zone_find(c->nd.timezone), today);
	const char *u = cli_opt_get(opts, "until");
	const proto_value *vm = proto_map_get(c->lbody, PROTO_F_VALIDITY);
	if (!u && vm && vm->type == PROTO_V_INT && vm->u.i > 0 && vm->u.i <= 1200) {
		date_add_months(today, (long)vm->u.i, until);
		u = until;
	}
	if (!put_str(&c->ar, b, PROTO_F_AWARDED, today) ||
	    (u && !put_str(&c->ar, b, PROTO_F_UNTIL, u))) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	*ret = b;
	return 0;
}

/* What label award and revoke start with: the context, the node opened for writing. NULL
 * with *ret the exit code (help printed, a usage error, no memory). */
static award_ctx *award_open(int argc, char **argv, cli_opt *opts, cli_args *a, int *ret)
{
	award_ctx *c = calloc(1, sizeof *c);
	if (!c) {
		cli_error(_("out of memory"));
		*ret = EXIT_FAIL;
		return NULL;
	}
	*ret = act_start("label", label_help, argc, argv, opts, a, &c->nd);
	if (*ret != CLI_GO) {
		free(c);
		return NULL;
	}
	proto_arena_init(&c->ar, 0);
	return c;
}

static void award_close(award_ctx *c)
{
	if (c->have_rec)
		store_row_done(&c->rec);
	if (c->have_label)
		store_row_done(&c->label);
	proto_arena_done(&c->ar);
	node_dir_close(&c->nd);
	free(c);
}

static int label_award(int argc, char **argv)
{
	cli_opt opts[] = {{"criteria", true, NULL}, {"until", true, NULL},
	                  {"evidence", true, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	int ret;
	award_ctx *c = award_open(argc, argv, opts, &a, &ret);
	if (!c)
		return ret;
	const char *ev[COOP_EVIDENCE_MAX];
	size_t n_ev = award_evidence_args(argc, argv, ev, COOP_EVIDENCE_MAX);
	proto_value *body = NULL;
	uint8_t id[PROTO_ID_LEN];
	if (!cli_opt_get(opts, "criteria")) {
		ret = cli_usage_error("label", _("--criteria is required: the ids of the label's "
		                                 "criteria the record meets"));
		goto out;
	}
	if ((ret = award_targets("award", &a, c, true)) || (ret = award_body(c, opts, ev, n_ev, &body)))
		goto out;
	bool edit = cli_record_live(&c->nd, c->apath);
	if ((ret = act_publish(&c->nd, body, &c->ar, c->apath, id)))
		goto out;
	char msg[2048];
	snprintf(msg, sizeof msg,
	         edit ? _("Label \"%s\" awarded again to \"%s\" (this version; %s).")
	              : _("Label \"%s\" awarded to \"%s\" (this version; %s)."),
	         c->ltitle, c->title, c->apath);
	ret = act_say(a.json, edit ? "updated" : "created", c->apath, id, msg);
out:
	award_close(c);
	return ret;
}

static int label_revoke(int argc, char **argv)
{
	cli_args a = {0};
	int ret;
	award_ctx *c = award_open(argc, argv, NULL, &a, &ret);
	if (!c)
		return ret;
	uint8_t id[PROTO_ID_LEN];
	if ((ret = award_targets("revoke", &a, c, false)) == 0 &&
	    (ret = act_withdraw(&c->nd, c->apath, _("award"), id)) == 0) {
		char msg[2048];
		snprintf(msg, sizeof msg, _("Label \"%s\" revoked from %s (%s)."), c->ltitle, c->title,
		         c->apath);
		ret = act_say(a.json, "revoked", c->apath, id, msg);
	}
	award_close(c);
	return ret;
}

int cmd_label(int argc, char **argv)
{
	static const cli_sub subs[] = {{"award", label_award}, {"revoke", label_revoke}};
	static const char *const value_opts[] = {"criteria", "until", "evidence", NULL};
	return cli_dispatch("label", label_help, subs, sizeof subs / sizeof subs[0], value_opts,
	                    "award, revoke", argc, argv);
}

/* ---- comment ------------------------------------------------------------------------------ */

static const char comment_help[] = N_(
	"usage: maille comment RECORD TEXT|-\n"
	"       maille comment --edit PATH TEXT|-\n"
	"       maille comment --withdraw PATH\n"
	"\n"
	"Publishes a comment on RECORD, signed by this territory: every node of the federation\n"
	"receives it and shows it under the record (the nodes that do not trust this territory\n"
	"fold it). RECORD is TERRITORY_KEY/PATH (maille territories gives the keys) or PATH for\n"
	"a record of this territory; when it is a comment, this one is a reply. TEXT is Markdown\n"
	"limited to text, emphasis, links and lists, 8 KiB at most; '-' reads it from standard\n"
	"input.\n"
	"\n"
	"  --edit PATH       replace the text of this territory's comment at PATH\n"
	"  --withdraw PATH   withdraw this territory's comment at PATH (publishes its tombstone)\n");

/* The comment's text: the argument, or standard input for "-" (into buf). NULL (printed)
 * when it cannot be read or is too long. */
static const char *comment_text(const char *arg, char *buf, size_t cap)
{
	if (strcmp(arg, "-") != 0)
		return arg;
	size_t len = 0;
	int r = cli_read_file("-", true, (uint8_t *)buf, cap - 1, &len);
	if (r == MAILLE_ETOOBIG)
		cli_error(_("standard input: a comment is at most %u bytes"), PROTO_COOP_COMMENT_MAX);
	if (r)
		return NULL;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

/* A comment's body answering (territory, path) with text. NULL when out of memory. */
static proto_value *comment_body(proto_arena *ar, const uint8_t territory[PROTO_KEY_LEN],
                                 const char *path, const char *text)
{
	proto_value *b = act_new(ar, PROTO_T_COMMENT);
	if (!b || !put_target(ar, b, PROTO_F_TARGET, territory, path, NULL) ||
	    !put_str(ar, b, PROTO_F_TEXT, text))
		return NULL;
	return b;
}

/* --edit PATH TEXT: the comment's target kept, its text replaced. */
static int comment_edit(node_dir *nd, proto_arena *ar, const char *path, const char *text,
                        uint8_t id[PROTO_ID_LEN])
{
	store_row row;
	proto_value *old = NULL;
	proto_coop_target t;
	if (coop_live(nd->st, nd->territory, path, ar, &row, &old)) {
		cli_error(_("%s: no comment of this territory at this path"), path);
		return EXIT_FAIL;
	}
	store_row_done(&row);
	if (strcmp(coop_type(old), PROTO_T_COMMENT) != 0 ||
	    proto_coop_target_read(old, PROTO_F_TARGET, &t)) {
		cli_error(_("%s: no comment of this territory at this path"), path);
		return EXIT_FAIL;
	}
	proto_value *b = comment_body(ar, t.territory, t.path, text);
	if (!b) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	return act_publish(nd, b, ar, path, id);
}

/* comment RECORD TEXT: a new comment (a reply when RECORD is a comment, *ret_reply; title:
 * then the name of the comment's territory, else the record's title), at a new path. */
static int comment_new(node_dir *nd, proto_arena *ar, const char *arg, const char *text,
                       char apath[PROTO_PATH_MAX + 1], char *title, size_t tcap,
                       bool *ret_reply, uint8_t id[PROTO_ID_LEN])
{
	uint8_t territory[PROTO_KEY_LEN];
	char path[PROTO_PATH_MAX + 1];
	int r = coop_record_arg("comment", nd, arg, territory, path);
	if (r)
		return r;
	store_row row;
	proto_value *rec = NULL;
	if (coop_live(nd->st, territory, path, ar, &row, &rec)) {
		cli_error(_("%s: no such record in this node's store"), arg);
		return EXIT_FAIL;
	}
	store_row_done(&row);
	*ret_reply = strcmp(coop_type(rec), PROTO_T_COMMENT) == 0;
	char name[256];
	if (*ret_reply && store_territory_name(nd->st, territory, name, sizeof name) == 0)
		node_term_str(name, strlen(name), title, tcap); /* a reply: to whom */
	else
		coop_title(rec, path, title, tcap);
	proto_value *b = comment_body(ar, territory, path, text);
	uint8_t rnd[8];
	randombytes_buf(rnd, sizeof rnd);
	if (!b || proto_coop_path(b, rnd, apath, PROTO_PATH_MAX + 1)) {
		cli_error(_("out of memory"));
		return EXIT_FAIL;
	}
	return act_publish(nd, b, ar, apath, id);
}

int cmd_comment(int argc, char **argv)
{
	cli_opt opts[] = {{"edit", true, NULL}, {"withdraw", true, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	node_dir nd;
	int ret = act_start("comment", comment_help, argc, argv, opts, &a, &nd);
	if (ret != CLI_GO)
		return ret;
	proto_arena ar;
	proto_arena_init(&ar, 0);
	char *buf = malloc(PROTO_COOP_COMMENT_MAX + 2);
	const char *edit = cli_opt_get(opts, "edit"), *withdraw = cli_opt_get(opts, "withdraw");
	char apath[PROTO_PATH_MAX + 1], title[NODE_TERM_CAP(512)], msg[1024];
	uint8_t id[PROTO_ID_LEN];
	const char *text = NULL;
	if (!buf) {
		cli_error(_("out of memory"));
		ret = EXIT_FAIL;
	} else if (withdraw && (edit || a.n_pos)) {
		ret = cli_usage_error("comment", _("--withdraw PATH takes nothing else"));
	} else if (withdraw) {
		ret = act_withdraw(&nd, withdraw, _("comment"), id);
		snprintf(msg, sizeof msg, _("Comment %s withdrawn."), withdraw);
		if (!ret)
			ret = act_say(a.json, "withdrawn", withdraw, id, msg);
	} else if (a.n_pos != (edit ? 1u : 2u)) {
		ret = cli_usage_error("comment", "%s",
		                      edit ? _("--edit PATH wants the new TEXT (or - for standard input)")
		                           : _("RECORD and TEXT are required (TEXT - reads standard "
		                               "input)"));
	} else if (!(text = comment_text(a.pos[a.n_pos - 1], buf, PROTO_COOP_COMMENT_MAX + 2))) {
		ret = EXIT_FAIL;
	} else if (edit) {
		ret = comment_edit(&nd, &ar, edit, text, id);
		snprintf(msg, sizeof msg, _("Comment %s updated."), edit);
		if (!ret)
			ret = act_say(a.json, "updated", edit, id, msg);
	} else {
		bool reply = false;
		ret = comment_new(&nd, &ar, a.pos[0], text, apath, title, sizeof title, &reply, id);
		snprintf(msg, sizeof msg,
		         reply ? _("Reply to the comment of %s published (%s).")
		               : _("Comment on \"%s\" published (%s)."),
		         title, apath);
		if (!ret)
			ret = act_say(a.json, "created", apath, id, msg);
	}
	free(buf);
	proto_arena_done(&ar);
	node_dir_close(&nd);
	return ret;
}

/* ---- hide --------------------------------------------------------------------------------- */

static const char hide_help[] = N_(
	"usage: maille hide RECORD --reason TEXT\n"
	"       maille hide --undo RECORD\n"
	"\n"
	"Hides a comment on this node only: its pages and 'maille show' print \"hidden by this\n"
	"node\" and the reason instead of its text. Nothing is published: the other nodes still\n"
	"show it, and the comment is still stored and synced. RECORD is TERRITORY_KEY/PATH (the\n"
	"comment's author and path, as 'maille show' lists them) or PATH for a comment of this\n"
	"territory.\n"
	"\n"
	"  --reason TEXT   why it is hidden (shown in its place)\n"
	"  --undo          show it again\n");

int cmd_hide(int argc, char **argv)
{
	cli_opt opts[] = {{"reason", true, NULL}, {"undo", false, NULL}, {NULL, false, NULL}};
	cli_args a = {0};
	node_dir nd;
	int ret = cli_start_node("hide", hide_help, argc, argv, opts, CLI_POS_MAX, NODE_OPEN_WRITE,
	                         &a, &nd);
	if (ret != CLI_GO)
		return ret;
	const char *reason = cli_opt_get(opts, "reason");
	bool undo = cli_opt_get(opts, "undo") != NULL;
	uint8_t territory[PROTO_KEY_LEN];
	char path[PROTO_PATH_MAX + 1];
	proto_arena ar;
	proto_arena_init(&ar, 0);
	store_row row;
	proto_value *body = NULL;
	if (a.n_pos != 1)
		ret = cli_usage_error("hide", _("RECORD (the comment) is required, alone"));
	else if (!undo && (!reason || !reason[0]))
		ret = cli_usage_error("hide", _("--reason is required: why this node hides it"));
	else if (undo && reason)
		ret = cli_usage_error("hide", _("--undo takes no --reason"));
	else
		ret = coop_record_arg("hide", &nd, a.pos[0], territory, path);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	if (undo) {
		int r = store_unhide(nd.st, territory, path);
		if (r == MAILLE_ENOTFOUND)
			cli_error(_("%s: this node does not hide it"), a.pos[0]);
		else if (r)
			cli_store_error(&nd, r, _("%s: %s"), a.pos[0], cli_strerror(r));
		else
			ret = EXIT_OK;
	} else if (coop_live(nd.st, territory, path, &ar, &row, &body)) {
		cli_error(_("%s: no such comment in this node's store"), a.pos[0]);
	} else {
		store_row_done(&row);
		int r = strcmp(coop_type(body), PROTO_T_COMMENT) != 0
		            ? MAILLE_EINVAL
		            : store_hide(nd.st, territory, path, reason, cli_now_us());
		if (r == MAILLE_EINVAL)
			cli_error(_("%s: only a comment can be hidden; this record is a %s"), a.pos[0],
			          coop_type(body));
		else if (r)
			cli_store_error(&nd, r, _("%s: %s"), a.pos[0], cli_strerror(r));
		else
			ret = EXIT_OK;
	}
	if (ret == EXIT_OK && a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "record", json_string(a.pos[0]));
		json_object_set_new(o, "hidden", json_boolean(!undo));
		ret = render_json_out(o);
	} else if (ret == EXIT_OK) {
		char s[NODE_TERM_CAP(PROTO_COOP_REF_MAX)];
		node_term_str(a.pos[0], strlen(a.pos[0]), s, sizeof s);
		printf(undo ? _("%s is shown again on this node.\n")
		            : _("%s is hidden on this node only (nothing is published; the other "
		                "nodes still show it).\n"),
		       s);
	}
out:
	proto_arena_done(&ar);
	node_dir_close(&nd);
	return ret;
}
