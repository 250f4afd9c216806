/* tools/cli/cmd_trust.c: trust, untrust, vouch, unvouch, territories — the trust view's commands.
 *
 * trust/untrust change the store's local `trusted` table (never replicated); vouch/unvouch
 * sign and store the vouch entry of PROTOCOL.md §4.2 (or its tombstone), which the daemon
 * then syncs like any entry; territories shows the view node/service/trust.c computes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "node/service/publish.h"
#include "node/service/term.h"
#include "node/service/trust.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/member.h"
#include "render.h"

/* Hex digits of a key shown in a reason when the territory has no name: enough to tell keys
 * apart by eye, short enough for one line. */
#define KEY_PREFIX_LEN 16

/* A territory's name from its territory record, or NULL. As the record has it (JSON keeps it
 * exact): a terminal gets it through node_term_str. */
static const char *known_name(store *st, const uint8_t key[PROTO_KEY_LEN], char *buf, size_t cap)
{
	if (store_territory_name(st, key, buf, cap) != 0)
		return NULL;
	return buf;
}

/* " (NAME)" for a terminal, or "" without a name, into buf. */
static const char *paren_name(const char *name, char *buf, size_t cap)
{
	char safe[NODE_TERM_CAP(256)];
	if (!name)
		return "";
	snprintf(buf, cap, " (%s)", node_term_str(name, strlen(name), safe, sizeof safe));
	return buf;
}

/* The name, else the first KEY_PREFIX_LEN hex digits of the key. */
static const char *name_or_prefix(store *st, const uint8_t key[PROTO_KEY_LEN], char *buf,
                                  size_t cap)
{
	if (known_name(st, key, buf, cap))
		return buf;
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(key, PROTO_KEY_LEN, hex);
	snprintf(buf, cap, "%.*s…", KEY_PREFIX_LEN, hex);
	return buf;
}

static int key_arg(const char *cmd, const cli_args *a, uint8_t key[PROTO_KEY_LEN])
{
	if (a->n_pos != 1)
		return cli_usage_error(cmd, a->n_pos ? _("one KEY at a time")
		                                     : _("KEY is required (a territory key, 64 hex digits)"));
	return cli_key_parse(cmd, "territory", a->pos[0], key);
}

/* Parses the arguments of trust/untrust/vouch/unvouch and opens the node. Returns 0 with the
 * node open, or the exit code (help printed: EXIT_OK; the node is then not open). None of them
 * takes this node's own key: own_key is the usage error that says why. */
static int key_command(const char *cmd, const char *help, const char *own_key, int argc,
                       char **argv, cli_args *a, uint8_t key[PROTO_KEY_LEN], node_dir *nd,
                       bool *done)
{
	*done = true;
	int r = cli_start(cmd, help, argc, argv, NULL, CLI_POS_MAX, a);
	if (r != CLI_GO)
		return r;
	if ((r = key_arg(cmd, a, key)) != 0)
		return r;
	if (cli_node_open_write(nd, a->dir))
		return EXIT_FAIL;
	if (memcmp(key, nd->pk, PROTO_KEY_LEN) == 0) {
		node_dir_close(nd);
		return cli_usage_error(cmd, "%s", _(own_key));
	}
	*done = false;
	return 0;
}

static int key_json_out(const uint8_t key[PROTO_KEY_LEN], const char *name, const char *field,
                        bool value, const uint8_t *id)
{
	char hex[2 * PROTO_KEY_LEN + 1];
	proto_hex(key, PROTO_KEY_LEN, hex);
	json_t *o = json_object();
	json_object_set_new(o, "key", json_string(hex));
	json_object_set_new(o, "name", name ? json_peer_str(name) : json_null());
	json_object_set_new(o, field, json_boolean(value));
	if (id) {
		char idhex[2 * PROTO_ID_LEN + 1];
		proto_hex(id, PROTO_ID_LEN, idhex);
		char path[PUBLISH_VOUCH_PATH_CAP];
		publish_vouch_path(key, path);
		json_object_set_new(o, "path", json_string(path));
		json_object_set_new(o, "id", json_string(idhex));
	}
	return render_json_out(o);
}

/* ---- trust, untrust, vouch, unvouch ----------------------------------------------------- */

/* What one of the four does to the open node for key (hex: its lower-case hex): 0, with id set
 * when it published an entry and tail the end of the line printed, or EXIT_FAIL (printed). */
typedef int (*key_act_fn)(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], const char *hex,
                          uint8_t id[PROTO_ID_LEN], char *tail, size_t tail_cap);

typedef struct key_cmd {
	const char *cmd, *help, *own_key; /* key_command's */
	key_act_fn act;
	const char *field; /* the JSON member that says the result, and its value */
	bool value;
	bool published;    /* an entry was published: its path and id in the JSON */
	bool warn_unknown; /* warn when no territory record of key is known yet */
	const char *done;  /* the line printed: done, the key, " (NAME)", tail */
} key_cmd;

static int key_run(const key_cmd *kc, int argc, char **argv)
{
	cli_args a = { 0 };
	uint8_t key[PROTO_KEY_LEN], id[PROTO_ID_LEN] = { 0 };
	node_dir nd;
	bool done;
	int r = key_command(kc->cmd, kc->help, kc->own_key, argc, argv, &a, key, &nd, &done);
	if (done)
		return r;
	char name[256], hex[2 * PROTO_KEY_LEN + 1], tail[256] = "";
	const char *nm = known_name(nd.st, key, name, sizeof name);
	proto_hex(key, PROTO_KEY_LEN, hex); /* typed perhaps in capitals: shown in lower case */
	int ret = kc->act(&nd, key, hex, id, tail, sizeof tail);
	if (ret == 0 && kc->warn_unknown && !nm)
		cli_warn(_("no territory record of %s in this store yet: check the key"), hex);
	if (ret == 0 && a.json) {
		ret = key_json_out(key, nm, kc->field, kc->value, kc->published ? id : NULL);
	} else if (ret == 0) {
		char pn[NODE_TERM_CAP(256) + 4];
		printf("%s%s%s%s\n", _(kc->done), hex, paren_name(nm, pn, sizeof pn), tail);
	}
	node_dir_close(&nd);
	return ret;
}

static const char trust_help[] =
	N_("usage: maille trust KEY [--dir DIR] [--json]\n"
	"\n"
	"Trusts the territory KEY (64 hex digits) explicitly, on this node only: the trust is kept\n"
	"in the node's store and never sent to other nodes (to say so to the federation, use\n"
	"'maille vouch'). A territory trusted explicitly is trusted whatever the vouches, one hop\n"
	"from this node, and the territories it vouches for are trusted too, up to trust.hops\n"
	"hops from this node (maille.conf, 1 to 10, default 3; see 'maille territories'). The\n"
	"key need not be known yet.\n"
	"\n"
	"Exit codes: 0 trusted, 1 already trusted (or the store failed), 2 usage error (a\n"
	"malformed key, or this node's own key, which is always trusted).\n");

static int trust_act(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], const char *hex,
                     uint8_t id[PROTO_ID_LEN], char *tail, size_t tail_cap)
{
	int r = store_trust_add(nd->st, key, cli_now_us());
	if (r == MAILLE_EEXIST)
		cli_error(_("%s is already trusted explicitly"), hex);
	else if (r)
		cli_store_error(nd, r, _("cannot record the trust: %s"), cli_strerror(r));
	return r ? EXIT_FAIL : 0;
}

int cmd_trust(int argc, char **argv)
{
	static const key_cmd kc = {
		.cmd = "trust",
		.help = trust_help,
		.own_key = N_("KEY is this node's own key, which is always trusted"),
		.act = trust_act,
		.field = "trusted",
		.value = true,
		.warn_unknown = true,
		.done = N_("trusted "),
	};
	return key_run(&kc, argc, argv);
}

static const char untrust_help[] =
	N_("usage: maille untrust KEY [--dir DIR] [--json]\n"
	"\n"
	"Withdraws the explicit trust of the territory KEY given by 'maille trust'. KEY stays\n"
	"trusted if a trusted territory vouches for it (see 'maille territories'); vouches\n"
	"are withdrawn by their authors ('maille unvouch').\n"
	"\n"
	"Exit codes: 0 withdrawn, 1 KEY was not trusted explicitly (or the store failed), 2 usage\n"
	"error (a malformed key, or this node's own key).\n");

static int untrust_act(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], const char *hex,
                       uint8_t id[PROTO_ID_LEN], char *tail, size_t tail_cap)
{
	int r = store_trust_remove(nd->st, key);
	if (r == MAILLE_ENOTFOUND)
		cli_error(_("%s is not trusted explicitly (see 'maille territories')"), hex);
	else if (r)
		cli_store_error(nd, r, _("cannot withdraw the trust: %s"), cli_strerror(r));
	return r ? EXIT_FAIL : 0;
}

int cmd_untrust(int argc, char **argv)
{
	static const key_cmd kc = {
		.cmd = "untrust",
		.help = untrust_help,
		.own_key = N_("KEY is this node's own key, which is always trusted"),
		.act = untrust_act,
		.field = "trusted",
		.value = false,
		.done = N_("no longer trusted explicitly: "),
	};
	return key_run(&kc, argc, argv);
}

/* Whether this node's live entry at path is an active vouch (as trust.c would count it). */
static bool vouch_live(node_dir *nd, const char *path)
{
	store_row row;
	if (store_entry_get(nd->st, nd->pk, path, &row) != 0)
		return false;
	uint8_t to[PROTO_KEY_LEN];
	bool active = false;
	bool ok = proto_vouch_decode(&row.entry, to, &active) == 0 && active;
	store_row_done(&row);
	return ok;
}

/* vouch (active) and unvouch: the vouch published, or its tombstone. */
static int vouch_set(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], const char *hex, bool active,
                     uint8_t id[PROTO_ID_LEN], char *tail, size_t tail_cap)
{
	char path[PUBLISH_VOUCH_PATH_CAP], idhex[2 * PROTO_ID_LEN + 1];
	publish_vouch_path(key, path);
	if (vouch_live(nd, path) == active) {
		if (active)
			cli_error(_("this territory already vouches for %s"), hex);
		else
			cli_error(_("this territory has no live vouch for %s"), hex);
		return EXIT_FAIL;
	}
	int r = publish_vouch(nd, key, active, cli_now_us(), id);
	if (r) {
		cli_store_error(nd, r, _("%s: cannot store the %s: %s"), path,
		                active ? "vouch" : "tombstone", cli_strerror(r));
		return EXIT_FAIL;
	}
	proto_hex(id, PROTO_ID_LEN, idhex);
	if (active)
		snprintf(tail, tail_cap, " (%s %s)", path, idhex);
	else
		snprintf(tail, tail_cap, _(" (tombstone %s)"), idhex);
	return 0;
}

static int vouch_act(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], const char *hex,
                     uint8_t id[PROTO_ID_LEN], char *tail, size_t tail_cap)
{
	return vouch_set(nd, key, hex, true, id, tail, tail_cap);
}

static int unvouch_act(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], const char *hex,
                       uint8_t id[PROTO_ID_LEN], char *tail, size_t tail_cap)
{
	return vouch_set(nd, key, hex, false, id, tail, tail_cap);
}

static const char vouch_help[] =
	N_("usage: maille vouch KEY [--dir DIR] [--json]\n"
	"\n"
	"Vouches for the territory KEY (64 hex digits): signs with this node's territory key and\n"
	"stores the record vouches/KEY, {\"type\": \"vouch\"} (PROTOCOL.md §4.2), which the node\n"
	"syncs to the federation like any record. Every node that trusts this territory then\n"
	"trusts KEY one hop further (see 'maille territories'). The key need not be known yet.\n"
	"Withdraw it with 'maille unvouch KEY'.\n"
	"\n"
	"Exit codes: 0 vouched, 1 already vouching for KEY (or the store failed), 2 usage error\n"
	"(a malformed key, or this node's own key: a territory cannot vouch for itself).\n");

int cmd_vouch(int argc, char **argv)
{
	static const key_cmd kc = {
		.cmd = "vouch",
		.help = vouch_help,
		.own_key = N_("KEY is this node's own key: a territory cannot vouch for itself"),
		.act = vouch_act,
		.field = "vouched",
		.value = true,
		.published = true,
		.warn_unknown = true,
		.done = N_("vouched for "),
	};
	return key_run(&kc, argc, argv);
}

static const char unvouch_help[] =
	N_("usage: maille unvouch KEY [--dir DIR] [--json]\n"
	"\n"
	"Withdraws this territory's vouch for KEY: signs and stores the tombstone of\n"
	"vouches/KEY, which the node syncs like any record. Nodes stop counting the vouch when\n"
	"the tombstone reaches them.\n"
	"\n"
	"Exit codes: 0 withdrawn, 1 this territory has no live vouch for KEY (or the store\n"
	"failed), 2 usage error (a malformed key, or this node's own key).\n");

int cmd_unvouch(int argc, char **argv)
{
	static const key_cmd kc = {
		.cmd = "unvouch",
		.help = unvouch_help,
		.own_key = N_("KEY is this node's own key: a territory never vouches for itself"),
		.act = unvouch_act,
		.field = "vouched",
		.value = false,
		.published = true,
		.done = N_("withdrew the vouch for "),
	};
	return key_run(&kc, argc, argv);
}

/* ---- territories ------------------------------------------------------------------------- */

typedef struct keyset {
	uint8_t (*v)[PROTO_KEY_LEN];
	size_t n, cap;
} keyset;

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, PROTO_KEY_LEN);
}

/* Sorts and removes duplicates. */
static void keyset_unique(keyset *ks)
{
	size_t n = 0;
	if (ks->n)
		qsort(ks->v, ks->n, sizeof *ks->v, key_cmp);
	for (size_t i = 0; i < ks->n; i++)
		if (n == 0 || memcmp(ks->v[n - 1], ks->v[i], PROTO_KEY_LEN) != 0)
			memmove(ks->v[n++], ks->v[i], PROTO_KEY_LEN);
	ks->n = n;
}

/* Adds key; when full, removes duplicates first, so that the set stays within twice the
 * number of distinct territories rather than growing with the number of entries. */
static int keyset_add(keyset *ks, const uint8_t key[PROTO_KEY_LEN])
{
	if (ks->n == ks->cap) {
		keyset_unique(ks);
		if (ks->n * 2 >= ks->cap) { /* still at least half full (or empty): grow */
			size_t cap = ks->cap ? 2 * ks->cap : 64;
			uint8_t(*v)[PROTO_KEY_LEN] = realloc(ks->v, cap * sizeof *v);
			if (!v)
				return MAILLE_ENOMEM;
			ks->v = v;
			ks->cap = cap;
		}
	}
	memcpy(ks->v[ks->n++], key, PROTO_KEY_LEN);
	return 0;
}

static int collect_territory(const store_row *row, void *ctx)
{
	return keyset_add(ctx, row->entry.territory);
}

typedef struct territory_row {
	uint8_t key[PROTO_KEY_LEN];
	char name[256];
	bool named;
	const trust_node *t; /* NULL: untrusted */
} territory_row;

/* Trusted first, then by name (byte order: the same on every machine; the unnamed after the
 * named), then by key. */
static int territory_row_cmp(const void *a, const void *b)
{
	const territory_row *x = a, *y = b;
	if ((x->t != NULL) != (y->t != NULL))
		return x->t ? -1 : 1;
	if (x->named != y->named)
		return x->named ? -1 : 1;
	int c = strcmp(x->name, y->name);
	return c ? c : memcmp(x->key, y->key, PROTO_KEY_LEN);
}

/* The reason of a row, as territories shows it: in English for --json (human false), in the
 * CLI's language for a person. */
static void reason_str(store *st, const territory_row *t, bool human, char *ret, size_t cap)
{
	if (!t->t) {
		snprintf(ret, cap, "%s", human ? _("untrusted") : "untrusted");
	} else if (t->t->reason == TRUST_OWN) {
		snprintf(ret, cap, "%s", human ? _("own") : "own");
	} else if (t->t->reason == TRUST_EXPLICIT) {
		snprintf(ret, cap, "%s", human ? _("explicit") : "explicit");
	} else {
		char by[256];
		unsigned hops = t->t->hops;
		const char *via = name_or_prefix(st, t->t->via, by, sizeof by);
		if (human)
			snprintf(ret, cap,
			         ngettext("vouched by %s in %u hop", "vouched by %s in %u hops", hops), via,
			         hops);
		else
			snprintf(ret, cap, "vouched by %s in %u hop%s", via, hops, hops == 1 ? "" : "s");
	}
}

static const char territories_help[] =
	N_("usage: maille territories [--dir DIR] [--json]\n"
	"\n"
	"Lists every territory this node knows: those with a territory record or any record in\n"
	"the store, and those it trusts. Each with its name (\"?\" without a territory record),\n"
	"its key, whether this node trusts it, and why:\n"
	"  own                   this node's territory (0 hops)\n"
	"  explicit              trusted with 'maille trust' (1 hop)\n"
	"  vouched by X in N hops  X, a trusted territory, vouches for it ('maille vouch'); N is\n"
	"                        the shortest chain from this node, at most trust.hops hops\n"
	"                        (set in DIR/maille.conf, 1 to 10, default 3)\n"
	"  untrusted             none of these\n"
	"Trusted territories come first, then by name (unnamed last). A withdrawn vouch (its\n"
	"tombstone) does not count. 'maille list' and 'maille search' show the records of the\n"
	"trusted territories only ('maille list --all' the others too, marked [untrusted]).\n"
	"\n"
	"--json: an array of {\"key\", \"name\" (null without a territory record), \"trusted\",\n"
	"\"reason\", \"hops\" (0 own, 1 explicit, N vouched, null untrusted), \"via\" (the\n"
	"voucher's key, or null)}.\n");

int cmd_territories(int argc, char **argv)
{
	cli_args a = {0};
	node_dir nd;
	int r = cli_start_node("territories", territories_help, argc, argv, NULL, 0, NODE_OPEN_READ,
	                       &a, &nd);
	if (r != CLI_GO)
		return r;
	int ret = EXIT_FAIL;
	keyset ks = {0};
	trust_view tv = {0};
	territory_row *rows = NULL;

	r = trust_compute(nd.st, nd.pk, nd.trust_hops, &tv);
	if (r) {
		cli_error(_("cannot compute the trust view: %s"), cli_strerror(r));
		goto out;
	}
	/* Every territory of an entry: one walk over the live set, tombstones and federation
	 * records included (a territory whose records were all deleted is still known). */
	store_filter f = {.include_federation = true, .include_tombstones = true};
	r = store_list(nd.st, &f, collect_territory, &ks);
	for (size_t i = 0; !r && i < tv.n; i++)
		r = keyset_add(&ks, tv.v[i].key);
	if (r) {
		cli_error(_("cannot list the territories: %s"), cli_strerror(r));
		goto out;
	}
	keyset_unique(&ks);
	size_t n = ks.n;
	rows = calloc(n ? n : 1, sizeof *rows);
	if (!rows) {
		cli_error(_("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(rows[i].key, ks.v[i], PROTO_KEY_LEN);
		rows[i].named = known_name(nd.st, rows[i].key, rows[i].name, sizeof rows[i].name);
		if (!rows[i].named)
			snprintf(rows[i].name, sizeof rows[i].name, "?");
		rows[i].t = trust_find(&tv, rows[i].key);
	}
	qsort(rows, n, sizeof *rows, territory_row_cmp);

	char hex[2 * PROTO_KEY_LEN + 1], reason[600];
	if (a.json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			const territory_row *t = &rows[i];
			json_t *o = json_object();
			proto_hex(t->key, PROTO_KEY_LEN, hex);
			json_object_set_new(o, "key", json_string(hex));
			json_object_set_new(o, "name", t->named ? json_peer_str(t->name) : json_null());
			json_object_set_new(o, "trusted", json_boolean(t->t != NULL));
			reason_str(nd.st, t, false, reason, sizeof reason);
			json_object_set_new(o, "reason", json_peer_str(reason));
			json_object_set_new(o, "hops", t->t ? json_integer((json_int_t)t->t->hops)
			                                    : json_null());
			if (t->t && t->t->reason == TRUST_VOUCHED) {
				proto_hex(t->t->via, PROTO_KEY_LEN, hex);
				json_object_set_new(o, "via", json_string(hex));
			} else {
				json_object_set_new(o, "via", json_null());
			}
			json_array_append_new(arr, o);
		}
		ret = render_json_out(arr);
	} else {
		/* the first column as wide as the wider of its two words, in either language */
		size_t width = render_cols(_("trusted")), wu = render_cols(_("untrusted"));
		char pad[64];
		if (wu > width)
			width = wu;
		for (size_t i = 0; i < n; i++) {
			const territory_row *t = &rows[i];
			proto_hex(t->key, PROTO_KEY_LEN, hex);
			reason_str(nd.st, t, true, reason, sizeof reason);
			/* names are chosen by each territory: shown through the sanitiser */
			printf("%s  %s  ",
			       render_pad(t->t ? _("trusted") : _("untrusted"), width, pad, sizeof pad), hex);
			node_term_put(stdout, t->name, strlen(t->name));
			fputs("  (", stdout);
			node_term_put(stdout, reason, strlen(reason));
			fputs(")\n", stdout);
		}
		ret = EXIT_OK;
	}
out:
	free(rows);
	free(ks.v);
	trust_view_done(&tv);
	node_dir_close(&nd);
	return ret;
}
