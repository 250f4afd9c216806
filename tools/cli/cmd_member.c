/* tools/cli/cmd_member.c: member add, member remove, members — the capabilities a territory gives
 * to its members' keys (PROTOCOL.md §4.3).
 *
 * A capability is the entry members/<member key> in this territory's subspace, signed by the
 * territory key: add publishes it, remove publishes a new version whose window ends now (the
 * member's earlier entries stay covered, later ones are not), members lists them. The entries
 * replicate like any other; what a node accepts from a member key is decided by the rule of
 * §4.3 (proto_member_covers). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "node/service/term.h"
#include "node/service/trust.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/member.h"
#include "render.h"

static const char member_help[] =
	N_("usage: maille member add KEY --name NAME [--role editor|admin] [--prefix PATH/]\n"
	"                         [--until YYYY-MM-DD] [--dir DIR] [--json]\n"
	"       maille member remove KEY [--dir DIR] [--json]\n"
	"\n"
	"Lets a member of this territory publish in its name from their own node (their own key,\n"
	"KEY: 64 hex digits, what 'maille whoami' prints on their node), by publishing the\n"
	"capability members/<KEY>, signed by this territory's key.\n"
	"\n"
	"  --name NAME        the member as people know them (required)\n"
	"  --role R           editor (default) or admin\n"
	"  --prefix PATH/     only paths under this prefix, e.g. rex/ (default: any path but\n"
	"                     the territory's own: territory, members/, vouches/, node/)\n"
	"  --until DATE       the capability ends at 00:00 UTC that day (default: no end)\n"
	"\n"
	"remove publishes a new version of the capability that ends now: what the member\n"
	"published before stays valid, anything later is refused by every node.\n");

static const char members_help[] =
	N_("usage: maille members [--dir DIR] [--json]\n"
	"\n"
	"The members of this territory: key, name, role, path prefix, the window of their\n"
	"capability and whether it is active now, ended, or not yet started.\n");

/* "YYYY-MM-DD" into microseconds at 00:00 UTC; false if it is not such a date. */
static bool parse_date(const char *s, uint64_t *ret)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	time_t t = timegm(&tm);
	struct tm back;
	/* 2026-02-30 normalises to March: refused */
	if (t < 0 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != m - 1)
		return false;
	*ret = (uint64_t)t * 1000000u;
	return true;
}

static void member_path(const uint8_t key[PROTO_KEY_LEN], char ret[80])
{
	strcpy(ret, PROTO_MEMBERS_PREFIX);
	proto_hex(key, PROTO_KEY_LEN, ret + strlen(PROTO_MEMBERS_PREFIX));
}

/* This territory's live capability for key into *ret: 0, MAILLE_ENOTFOUND, or an error. */
static int member_get(node_dir *nd, const uint8_t key[PROTO_KEY_LEN], proto_member_cap *ret)
{
	char path[80];
	member_path(key, path);
	store_row row;
	int r = store_entry_get(nd->st, nd->pk, path, &row);
	if (r)
		return r;
	r = row.entry.kind == PROTO_KIND_DOCUMENT ? proto_member_cap_decode(&row.entry, ret)
	                                          : MAILLE_ENOTFOUND;
	store_row_done(&row);
	return r;
}

/* The words --json keeps as they are (role, state), in the CLI's language for a person. */
static const char *role_label(const char *role)
{
	return strcmp(role, "admin") == 0 ? _("admin") : _("editor");
}

static const char *state_label(const char *state)
{
	return strcmp(state, "active") == 0   ? _("active")
	       : strcmp(state, "ended") == 0 ? _("ended")
	                                     : _("not yet started");
}

static json_t *cap_json(const proto_member_cap *c, uint64_t now)
{
	char hex[2 * PROTO_KEY_LEN + 1], from[40], until[40];
	proto_hex(c->member, PROTO_KEY_LEN, hex);
	render_time(c->from_us, from, sizeof from);
	if (c->until_us != UINT64_MAX)
		render_time(c->until_us, until, sizeof until);
	json_t *o = json_object();
	json_object_set_new(o, "key", json_string(hex));
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "role", json_string(c->role == PROTO_ROLE_ADMIN ? "admin" : "editor"));
	json_object_set_new(o, "prefix", json_string(c->prefix));
	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "until", c->until_us == UINT64_MAX ? json_null() : json_string(until));
	json_object_set_new(o, "state", json_string(now < c->from_us    ? "not yet started"
	                                            : now < c->until_us ? "active"
	                                                                : "ended"));
	return o;
}

/* Signs c as the capability entry and stores it; prints the result. */
/* added: the capability is a new one (member add), else it ends (member remove). */
static int cap_publish(node_dir *nd, const proto_member_cap *c, bool json, bool added)
{
	uint8_t *body = NULL, id[PROTO_ID_LEN];
	size_t len = 0;
	char path[80];
	member_path(c->member, path);
	int r = proto_member_cap_body(c, &body, &len);
	if (!r)
		r = cli_publish(nd, path, PROTO_KIND_DOCUMENT, body, len, id);
	free(body);
	if (r) {
		cli_store_error(nd, r, _("cannot publish %s: %s"), path, cli_strerror(r));
		return EXIT_FAIL;
	}
	uint64_t now = cli_now_us();
	if (json) {
		json_t *o = cap_json(c, now);
		json_object_set_new(o, "path", json_string(path));
		return render_json_out(o);
	}
	char name[NODE_TERM_CAP(sizeof c->name)], prefix[NODE_TERM_CAP(sizeof c->prefix)];
	printf(added ? _("added %s (%.16s…) as %s%s%s; published %s\n")
	             : _("removed %s (%.16s…) as %s%s%s; published %s\n"),
	       node_term_str(c->name, strlen(c->name), name, sizeof name),
	       path + strlen(PROTO_MEMBERS_PREFIX),
	       c->role == PROTO_ROLE_ADMIN ? _("admin") : _("editor"), c->prefix[0] ? _(" under ") : "",
	       node_term_str(c->prefix, strlen(c->prefix), prefix, sizeof prefix), path);
	return EXIT_OK;
}

int cmd_member(int argc, char **argv)
{
	cli_opt opts[] = {{"name", true, NULL},
	                  {"role", true, NULL},
	                  {"prefix", true, NULL},
	                  {"until", true, NULL},
	                  {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("member", member_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	bool add = a.n_pos >= 1 && strcmp(a.pos[0], "add") == 0;
	if (a.n_pos != 2 || (!add && strcmp(a.pos[0], "remove") != 0))
		return cli_usage_error("member", _("use 'maille member add KEY --name NAME' or 'maille "
		                                   "member remove KEY'"));
	proto_member_cap c;
	memset(&c, 0, sizeof c);
	if ((r = cli_key_parse("member", "member", a.pos[1], c.member)))
		return r;
	const char *name = cli_opt_get(opts, "name"), *role = cli_opt_get(opts, "role"),
	           *prefix = cli_opt_get(opts, "prefix"), *until = cli_opt_get(opts, "until");
	uint64_t now = cli_now_us();
	if (add) {
		if (!name || !*name)
			return cli_usage_error("member", _("--name NAME is required"));
		if (strlen(name) > PROTO_MEMBER_NAME_MAX)
			return cli_usage_error("member", _("--name: at most %u bytes"), PROTO_MEMBER_NAME_MAX);
		snprintf(c.name, sizeof c.name, "%s", name);
		c.role = !role || strcmp(role, "editor") == 0 ? PROTO_ROLE_EDITOR
		         : strcmp(role, "admin") == 0         ? PROTO_ROLE_ADMIN
		                                              : 0;
		if (!c.role)
			return cli_usage_error("member", _("--role is editor or admin"));
		if (prefix && strlen(prefix) >= sizeof c.prefix)
			return cli_usage_error("member", _("--prefix is too long"));
		snprintf(c.prefix, sizeof c.prefix, "%s", prefix ? prefix : "");
		c.from_us = now;
		c.until_us = UINT64_MAX;
		if (until && (!parse_date(until, &c.until_us) || c.until_us <= now))
			return cli_usage_error("member", _("--until wants a date to come, YYYY-MM-DD"));
	} else if (name || role || prefix || until) {
		return cli_usage_error("member", _("remove takes only KEY"));
	}
	node_dir nd;
	if (cli_node_open_write(&nd, a.dir))
		return EXIT_FAIL;
	int ret = EXIT_FAIL;
	proto_member_cap cur;
	r = member_get(&nd, c.member, &cur);
	if (memcmp(c.member, nd.pk, PROTO_KEY_LEN) == 0) {
		ret = cli_usage_error("member", _("that is this territory's own key"));
	} else if (add) {
		memcpy(c.territory, nd.pk, PROTO_KEY_LEN);
		/* the body's own checks (a name without control characters, a valid prefix ending
		 * with '/' and not reserved) */
		uint8_t *probe = NULL;
		size_t plen;
		int br = proto_member_cap_body(&c, &probe, &plen);
		free(probe);
		if (br == MAILLE_EINVAL)
			ret = cli_usage_error("member", _("--prefix is a path ending with '/' (e.g. rex/), "
			                                  "not territory, members/, vouches/ or node/; "
			                                  "--name has no control characters"));
		else if (r == 0 && now < cur.until_us)
			cli_error(_("%s is already a member (%s); remove it first to change its capability"),
			          a.pos[1], cur.name);
		/* the live set keeps one version of a capability: a new window starting now would
		 * leave the entries of the old one uncovered, and one reaching back would cover the
		 * time the key was removed */
		else if (r == 0)
			cli_error(_("%s (%s) was removed; a removed key is not added again: the member "
			            "needs a new key"),
			          a.pos[1], cur.name);
		else if (r != MAILLE_ENOTFOUND)
			cli_error(_("cannot read the capability: %s"), cli_strerror(r));
		else
			ret = cap_publish(&nd, &c, a.json, true);
	} else if (r == MAILLE_ENOTFOUND) {
		cli_error(_("%s is not a member of this territory (see 'maille members')"), a.pos[1]);
	} else if (r) {
		cli_error(_("cannot read the capability: %s"), cli_strerror(r));
	} else if (cur.until_us <= now) {
		cli_error(_("%s (%s) is not a member any more"), a.pos[1], cur.name);
	} else {
		cur.until_us = now > cur.from_us ? now : cur.from_us + 1;
		ret = cap_publish(&nd, &cur, a.json, false);
	}
	node_dir_close(&nd);
	return ret;
}

typedef struct members_ctx {
	json_t *arr;
	uint64_t now;
} members_ctx;

static int member_item(const proto_member_cap *cap, void *ctx)
{
	members_ctx *mc = ctx;
	json_array_append_new(mc->arr, cap_json(cap, mc->now));
	return 0;
}

int cmd_members(int argc, char **argv)
{
	cli_args a;
	node_dir nd;
	int r =
	    cli_start_node("members", members_help, argc, argv, NULL, 0, NODE_OPEN_READ, &a, &nd);
	if (r != CLI_GO)
		return r;
	members_ctx mc = { json_array(), cli_now_us() };
	r = trust_members_list(nd.st, nd.pk, member_item, &mc);
	int ret = EXIT_OK;
	if (r) {
		cli_error(_("members: %s"), cli_strerror(r));
		json_decref(mc.arr);
		ret = EXIT_FAIL;
	} else if (a.json) {
		ret = render_json_out(mc.arr);
	} else {
		if (json_array_size(mc.arr) == 0)
			printf(_("no members: add one with 'maille member add KEY --name NAME'\n"));
		size_t i;
		json_t *m;
		json_array_foreach(mc.arr, i, m)
		{
			const char *until = json_string_value(json_object_get(m, "until"));
			const char *prefix = json_string_value(json_object_get(m, "prefix"));
			const char *name = json_string_value(json_object_get(m, "name"));
			/* a capability's name and prefix: through the terminal sanitiser */
			char sname[NODE_TERM_CAP(PROTO_MEMBER_NAME_MAX)],
			    sprefix[NODE_TERM_CAP(PROTO_PATH_MAX)];
			printf(_("%s  %s  %s, %s%s, from %.10s%s%.10s  (%s)\n"),
			       json_string_value(json_object_get(m, "key")),
			       node_term_str(name, strlen(name), sname, sizeof sname),
			       role_label(json_string_value(json_object_get(m, "role"))),
			       *prefix ? _("under ") : _("any path"),
			       node_term_str(prefix, strlen(prefix), sprefix, sizeof sprefix),
			       json_string_value(json_object_get(m, "from")),
			       until ? _(" until ") : "", until ? until : "",
			       state_label(json_string_value(json_object_get(m, "state"))));
		}
		json_decref(mc.arr);
	}
	node_dir_close(&nd);
	return ret;
}
