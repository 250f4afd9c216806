/* tools/cli/cmd_invite.c: maille invite and maille join (PROTOCOL.md §4.1, §4.5).
 *
 * invite: a one-time secret, whose hash only is kept in the store (invites table), in a token
 * with the federation's network key and the addresses the running daemon listens on.
 * join: decodes the token and hands it to node/service/join.c, which connects to the inviter
 * through the daemon's dialer (node_sync, wired here), redeems the secret inside the encrypted
 * channel (the peer must hold the inviter's key), syncs, and only then writes anything that
 * stays: the federation file, the inviter as a configured peer, its explicit trust and a vouch
 * for it (a territory's node; a member's node vouches for nobody). A refused invitation leaves
 * the node as it was. This file prints what happened. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "netcmd.h"
#include "node/daemon/node.h"
#include "node/service/join.h"
#include "node/service/log.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "proto/invite.h"
#include "proto/sync.h"
#include "render.h"

#define INVITE_EXPIRES_DEFAULT_S (7u * 86400u)
#define INVITE_EXPIRES_MAX_S (90u * 86400u)
#define INVITE_USES_MAX 1000u

static const char invite_help[] =
	N_("usage: maille invite [--expires DURATION] [--uses N] [--address HOST:PORT[,HOST:PORT...]]\n"
	"                     [--dir DIR] [--json]\n"
	"\n"
	"Prints an invitation to the federation: one line, maille-invite:..., to hand to the\n"
	"newcomer over a channel you trust (it holds the federation's network key). The newcomer\n"
	"runs 'maille join TOKEN' on a freshly initialised node; this node then checks\n"
	"the one-time secret, vouches for the newcomer's territory (PROTOCOL.md §4.2) and the\n"
	"newcomer trusts and vouches for this one. This node keeps only a hash of the secret.\n"
	"\n"
	"  --expires DURATION   how long it can be redeemed: 30m, 12h, 7d (default 7d, at most\n"
	"                       90d)\n"
	"  --uses N             how many nodes may redeem it (default 1, at most 1000)\n"
	"  --address LIST       the addresses the newcomer dials (at most 8, comma-separated);\n"
	"                       default: where the running node listens (each interface's\n"
	"                       address when it listens on 0.0.0.0 or [::])\n"
	"  --json               print {\"token\": ..., \"expires\": ..., \"uses\": ...}\n"
	"\n"
	"The node (maille node) must run when the newcomer joins.\n");

static const char join_help[] =
	N_("usage: maille join TOKEN|- [--timeout SECONDS] [--log-level LEVEL] [--dir DIR] [--json]\n"
	"\n"
	"Joins the federation of an invitation (from 'maille invite' on a member's node): stores\n"
	"the federation, connects to the inviter, redeems the invitation inside the encrypted\n"
	"channel, and syncs the whole catalogue. Then the inviter vouches for this territory, and\n"
	"this node trusts the inviter, vouches for it and keeps it as a configured peer. On a\n"
	"member's node (maille init --member) nobody vouches: the territory makes it a member\n"
	"with 'maille member add'. '-' reads the token from standard input.\n"
	"\n"
	"A used, expired or unknown invitation is refused and changes nothing here.\n"
	"\n"
	"  --timeout SECONDS   give up when the inviter is silent this long (default 30)\n"
	"  --log-level L       log the session's steps on standard error (debug, info, warn)\n"
	"\n"
	"Exit 0 when joined, 1 when not (the reason is printed), 2 on a usage error.\n");

/* "30m", "12h", "7d", "3600s", or seconds: 0 on success. */
static int parse_duration(const char *s, uint64_t *ret_s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-' || *s == '+')
		return -1;
	uint64_t mul = 1;
	if (*end) {
		if (end[1])
			return -1;
		mul = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
		if (!mul)
			return -1;
	}
	if (v == 0 || v > INVITE_EXPIRES_MAX_S / mul)
		return -1;
	*ret_s = v * mul;
	return 0;
}

/* The daemon's listen address from DIR/node.addr; 0, or -1 if no daemon runs. */
static int daemon_addr(const node_dir *nd, char ret[NODE_ADDR_STR_MAX])
{
	char p[4200];
	if (node_path_join(p, sizeof p, nd->path, NODE_ADDR_FILE))
		return -1;
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	char line[NODE_ADDR_STR_MAX + 2];
	bool ok = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	size_t n = strcspn(line, "\r\n");
	if (n == 0 || n >= NODE_ADDR_STR_MAX)
		return -1;
	memcpy(ret, line, n);
	ret[n] = '\0';
	return 0;
}

/* The addresses of a daemon bound to the wildcard address: each interface's, loopback last
 * (a newcomer on another machine cannot use it), at most max. */
static size_t wildcard_addrs(bool v6, unsigned port, char out[][PROTO_INVITE_ADDR_MAX + 1],
                             size_t max)
{
	struct ifaddrs *ifa = NULL;
	size_t n = 0;
	if (getifaddrs(&ifa) != 0)
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		for (struct ifaddrs *i = ifa; i && n < max; i = i->ifa_next) {
			if (!i->ifa_addr || !(i->ifa_flags & IFF_UP))
				continue;
			bool loop = (i->ifa_flags & IFF_LOOPBACK) != 0;
			if (loop != (pass == 1))
				continue;
			char host[INET6_ADDRSTRLEN];
			if (i->ifa_addr->sa_family == AF_INET) {
				inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, host,
				          sizeof host);
				snprintf(out[n++], PROTO_INVITE_ADDR_MAX + 1, "%s:%u", host, port);
			} else if (v6 && i->ifa_addr->sa_family == AF_INET6) {
				const struct sockaddr_in6 *s6 = (const void *)i->ifa_addr;
				if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
					continue; /* needs a zone: not dialable from a token */
				inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
				snprintf(out[n++], PROTO_INVITE_ADDR_MAX + 1, "[%s]:%u", host, port);
			}
		}
	}
	freeifaddrs(ifa);
	return n;
}

/* Fills inv->addrs from --address or the running daemon. Prints the error; EXIT_FAIL. */
static int invite_addrs(const node_dir *nd, const char *given, proto_invite *inv)
{
	inv->n_addrs = 0;
	if (given) {
		const char *p = given;
		while (*p) {
			size_t len = strcspn(p, ",");
			if (inv->n_addrs == PROTO_INVITE_ADDRS_MAX)
				return cli_usage_error("invite", _("at most %u addresses"),
				                       PROTO_INVITE_ADDRS_MAX);
			char a[NODE_ADDR_STR_MAX + 1];
			struct sockaddr_storage ss;
			if (len == 0 || len >= sizeof a)
				return cli_usage_error("invite", _("--address: an empty or too long address"));
			memcpy(a, p, len);
			a[len] = '\0';
			if (node_addr_parse(a, &ss) || !proto_invite_addr_valid(a, len))
				return cli_usage_error("invite", _("--address: \"%s\" is not HOST:PORT (an IPv4 "
				                                   "address, [IPv6] or localhost)"),
				                       a);
			snprintf(inv->addrs[inv->n_addrs++], PROTO_INVITE_ADDR_MAX + 1, "%s", a);
			p += len;
			if (*p == ',')
				p++;
		}
		return 0;
	}
	char addr[NODE_ADDR_STR_MAX];
	if (daemon_addr(nd, addr) != 0) {
		cli_error(_("this node is not running: start it (maille node), or say where the "
		            "newcomer reaches it with --address HOST:PORT"));
		return EXIT_FAIL;
	}
	struct sockaddr_storage ss;
	if (node_addr_parse(addr, &ss)) {
		cli_error(_("%s/%s: \"%s\" is not an address"), nd->path, NODE_ADDR_FILE, addr);
		return EXIT_FAIL;
	}
	bool any4 = ss.ss_family == AF_INET &&
	            ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	bool any6 = ss.ss_family == AF_INET6 &&
	            IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
	if (any4 || any6) {
		unsigned port = ntohs(any4 ? ((struct sockaddr_in *)&ss)->sin_port
		                           : ((struct sockaddr_in6 *)&ss)->sin6_port);
		inv->n_addrs = wildcard_addrs(any6, port, inv->addrs, PROTO_INVITE_ADDRS_MAX);
		if (inv->n_addrs == 0) {
			cli_error(_("the node listens on %s and this machine's addresses cannot be "
			            "listed: give --address HOST:PORT"),
			          addr);
			return EXIT_FAIL;
		}
		return 0;
	}
	snprintf(inv->addrs[0], PROTO_INVITE_ADDR_MAX + 1, "%s", addr);
	inv->n_addrs = 1;
	return 0;
}

int cmd_invite(int argc, char **argv)
{
	cli_opt opts[] = {{"expires", true, NULL},
	                  {"uses", true, NULL},
	                  {"address", true, NULL},
	                  {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("invite", invite_help, argc, argv, opts, 0, &a);
	if (r != CLI_GO)
		return r;
	uint64_t expires_s = INVITE_EXPIRES_DEFAULT_S;
	const char *ex = cli_opt_get(opts, "expires");
	if (ex && parse_duration(ex, &expires_s))
		return cli_usage_error("invite", _("--expires: \"%s\" is not a duration such as 30m, "
		                                   "12h or 7d (at most 90d)"),
		                       ex);
	unsigned long uses = 1;
	const char *us = cli_opt_get(opts, "uses");
	if (us) {
		char *end;
		errno = 0;
		uses = strtoul(us, &end, 10);
		if (errno || end == us || *end || *us == '-' || uses == 0 || uses > INVITE_USES_MAX)
			return cli_usage_error("invite", _("--uses must be a number from 1 to %u"),
			                       INVITE_USES_MAX);
	}
	node_dir nd;
	if (cli_node_open_write(&nd, a.dir))
		return EXIT_FAIL;
	int ret = EXIT_FAIL;
	federation f = {0};
	proto_invite *inv = sodium_malloc(sizeof *inv); /* holds the network key and the secret */
	char *token = sodium_malloc(PROTO_INVITE_TOKEN_MAX + 1);
	if (!inv || !token) {
		cli_error(_("out of memory"));
		goto out;
	}
	memset(inv, 0, sizeof *inv);
	if (nd.member) {
		cli_error(_("a member's node does not invite: invitations come from a territory's node "
		            "(the inviter vouches for the newcomer)"));
		goto out;
	}
	if (cli_federation_load(&nd, &f))
		goto out;
	if ((ret = invite_addrs(&nd, cli_opt_get(opts, "address"), inv)) != 0)
		goto out;
	ret = EXIT_FAIL;
	memcpy(inv->netkey, f.key, PROTO_NETKEY_LEN);
	snprintf(inv->federation, sizeof inv->federation, "%s", f.name);
	memcpy(inv->inviter, nd.pk, PROTO_KEY_LEN);
	randombytes_buf(inv->secret, sizeof inv->secret);
	uint64_t now = cli_now_us();
	inv->expires_us = now + expires_s * 1000000u;
	uint8_t hash[PROTO_INVITE_SECRET_LEN];
	proto_invite_secret_hash(inv->secret, hash);
	r = proto_invite_encode(inv, token, PROTO_INVITE_TOKEN_MAX + 1);
	if (!r)
		r = store_invite_add(nd.st, hash, now, inv->expires_us, (unsigned)uses);
	if (r) {
		cli_store_error(&nd, r, _("cannot make the invitation: %s"), cli_strerror(r));
		goto out;
	}
	char when[64];
	render_time(inv->expires_us, when, sizeof when);
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "token", json_string(token));
		json_object_set_new(o, "expires", json_string(when));
		json_object_set_new(o, "uses", json_integer((json_int_t)uses));
		json_t *ad = json_array();
		for (size_t i = 0; i < inv->n_addrs; i++)
			json_array_append_new(ad, json_string(inv->addrs[i]));
		json_object_set_new(o, "addresses", ad);
		ret = render_json_out(o);
	} else {
		printf("%s\n", token);
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, _("Give this line to the newcomer over a channel you trust; they run\n"
			                  "  maille join TOKEN\nValid until %s, %lu use%s; the node must "
			                  "run then (addresses:"),
			        when, uses, uses == 1 ? "" : "s");
			for (size_t i = 0; i < inv->n_addrs; i++)
				fprintf(stderr, " %s", inv->addrs[i]);
			fprintf(stderr, ").\n");
		}
		ret = EXIT_OK;
	}
out:
	sodium_free(inv);
	sodium_free(token);
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}

/* ---- join -------------------------------------------------------------------------------- */

/* The token from the argument, or the first line of standard input for "-" (into secure
 * memory of cap bytes). */
static int read_token(const char *arg, char *buf, size_t cap)
{
	if (strcmp(arg, "-") != 0) {
		if (strlen(arg) >= cap)
			return -1;
		snprintf(buf, cap, "%s", arg);
		return 0;
	}
	if (!fgets(buf, (int)cap, stdin))
		return -1;
	size_t n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && !feof(stdin))
		return -1; /* longer than any token */
	buf[n] = '\0';
	return 0;
}

static const char *redeem_text(int result)
{
	switch (result) {
	case PROTO_REDEEM_UNKNOWN:
		return _("the inviter does not know this invitation (made by another node, or "
		         "mistyped)");
	case PROTO_REDEEM_USED:
		return _("this invitation was already used: ask for a new one");
	case PROTO_REDEEM_EXPIRED:
		return _("this invitation has expired: ask for a new one");
	default:
		return _("the inviter could not process it now: try again later");
	}
}

/* join_sync_fn: the daemon's one-shot sync with the inviter, redeeming the invitation. */
static int join_sync(void *ctx, const node_dir *nd, const proto_invite *inv, const char *addr,
                     join_attempt *ret)
{
	const uint32_t *timeout_ms = ctx;
	char name[256];
	territory_name(nd, name, sizeof name);
	node_config cfg = net_sync_config(nd, inv->netkey, name);
	cfg.redeem_secret = inv->secret;
	cfg.redeem_inviter = inv->inviter;
	cfg.redeem_member = nd->member;
	node_sync_result res;
	int r = node_sync(&cfg, addr, *timeout_ms, &res);
	ret->redeem_result = res.redeem_result;
	ret->not_inviter = res.not_inviter;
	snprintf(ret->error, sizeof ret->error, "%s", res.error);
	snprintf(ret->peer_name, sizeof ret->peer_name, "%s", res.peer_hello.name);
	ret->received = res.received;
	ret->total_ms = res.total_ms;
	return r;
}

/* What went wrong, when join_run did not join. */
static void join_error(const node_dir *nd, const proto_invite *inv, int st, const join_result *jr)
{
	char when[64];
	switch (st) {
	case JOIN_EXPIRED:
		render_time(inv->expires_us, when, sizeof when);
		cli_error(_("this invitation expired on %s: ask for a new one"), when);
		break;
	case JOIN_OWN:
		cli_error(_("this invitation was made by this very node"));
		break;
	case JOIN_FED_READ:
		cli_error(_("%s: cannot read it (%s)"), jr->fed_path, jr->why);
		break;
	case JOIN_FED_OTHER:
		cli_error(
		    _("this node already belongs to the federation \"%s\"; a node belongs to one "
		      "federation (make a new node with maille init --dir DIR)"),
		    jr->federation);
		break;
	case JOIN_STORE:
		cli_store_error(nd, jr->err, _("cannot update the store: %s"),
		                cli_strerror(jr->err));
		break;
	case JOIN_REFUSED:
		cli_error(_("invitation refused: %s"), redeem_text(jr->sync.redeem_result));
		break;
	case JOIN_NOT_INVITER:
		cli_error("%s", jr->sync.error);
		break;
	case JOIN_UNREACHABLE:
		cli_error(_("cannot reach the inviter:"));
		for (size_t i = 0; i < jr->n_errors; i++)
			cli_error_line("%s: %s", inv->addrs[i], jr->errors[i]);
		break;
	case JOIN_FED_WRITE:
		cli_error(_("%s: cannot write the federation: %s"), jr->fed_path,
		          cli_strerror(jr->err));
		break;
	default:
		cli_error(_("out of memory"));
		break;
	}
}

/* Joined: what happened, on stdout (JSON with json), and the steps that failed on stderr. */
static int join_print(const node_dir *nd, const proto_invite *inv, const join_result *jr, bool json)
{
	char ikey[2 * PROTO_KEY_LEN + 1];
	proto_hex(inv->inviter, PROTO_KEY_LEN, ikey);
	if (jr->peer_err)
		cli_warn(_("cannot add %s as a peer: %s (run maille peer add %s)"), jr->address,
		         cli_strerror(jr->peer_err), jr->address);
	if (jr->vouch_err)
		cli_warn(_("cannot vouch for the inviter: %s (run maille vouch %s)"),
		         cli_strerror(jr->vouch_err), ikey);
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "federation", json_string(inv->federation));
		json_object_set_new(o, "inviter", json_string(ikey));
		json_object_set_new(o, "inviter_name", json_peer_str(jr->sync.peer_name));
		json_object_set_new(o, "address", json_string(jr->address));
		json_object_set_new(o, "received", json_integer((json_int_t)jr->sync.received));
		json_object_set_new(o, "vouched", json_boolean(jr->vouched));
		json_object_set_new(o, "member", json_boolean(nd->member));
		json_object_set_new(o, "total_ms", json_real(round_us(jr->sync.total_ms)));
		return render_json_out(o);
	}
	/* the inviter's name (its HELLO) and the federation's (the token) are the inviter's
	 * words: shown through the terminal sanitiser */
	char pname[NODE_TERM_CAP(PROTO_HELLO_NAME_MAX)],
	    fname[NODE_TERM_CAP(sizeof inv->federation)];
	node_term_str(jr->sync.peer_name, strlen(jr->sync.peer_name), pname, sizeof pname);
	node_term_str(inv->federation, strnlen(inv->federation, sizeof inv->federation), fname,
	              sizeof fname);
	printf(_("joined the federation \"%s\" through %s (%.8s) at %s: %llu versions received in "
	         "%.2f s\n"),
	       fname, pname, ikey, jr->address, (unsigned long long)jr->sync.received,
	       jr->sync.total_ms / 1000.0);
	if (nd->member)
		printf(
		    _("this member's node trusts its territory's node; it writes for the territory "
		      "once 'maille member add' has reached it (maille whoami)\n"));
	else
		printf(_("%s vouches for this territory, and this node trusts and vouches for it\n"),
		       pname);
	printf(_("next: run the node (maille node) to stay in sync\n"));
	return EXIT_OK;
}

int cmd_join(int argc, char **argv)
{
	cli_opt opts[] = {{"timeout", true, NULL},
	                  {"log-level", true, NULL},
	                  {"log-format", true, NULL},
	                  {NULL, false, NULL}};
	cli_args a;
	int r = cli_start("join", join_help, argc, argv, opts, CLI_POS_MAX, &a);
	if (r != CLI_GO)
		return r;
	if (a.n_pos != 1)
		return cli_usage_error("join", _("TOKEN (or - to read it from standard input) is required"));
	uint32_t timeout_ms = 30000;
	if ((r = cli_timeout_opt("join", opts, &timeout_ms)) ||
	    (r = parse_log_opts("join", opts, NODE_LOG_ERROR)))
		return r;

	int ret = EXIT_FAIL;
	char *tok = sodium_malloc(PROTO_INVITE_TOKEN_MAX + 2);
	proto_invite *inv = sodium_malloc(sizeof *inv);
	join_result *jr = malloc(sizeof *jr);
	node_dir nd;
	bool nd_open = false;
	if (!tok || !inv || !jr) {
		cli_error(_("out of memory"));
		goto out;
	}
	if (read_token(a.pos[0], tok, PROTO_INVITE_TOKEN_MAX + 2) != 0) {
		ret = cli_usage_error("join", _("no token (or one longer than %u characters)"),
		                      PROTO_INVITE_TOKEN_MAX);
		goto out;
	}
	r = proto_invite_decode(tok, strlen(tok), inv);
	if (r) {
		cli_error(_("this is not a valid invitation (%s): copy the whole maille-invite:... line"),
		          cli_strerror(r));
		goto out;
	}
	if (inv->expires_us <= cli_now_us()) {
		join_error(NULL, inv, JOIN_EXPIRED, NULL);
		goto out;
	}
	if (cli_node_open_write(&nd, a.dir))
		goto out;
	nd_open = true;
	node_env env = cli_node_env(&nd);
	int st = join_run(&nd, inv, &env, join_sync, &timeout_ms, jr);
	if (st == JOIN_OK && jr->sync_failed)
		cli_error(
		    _("the invitation was redeemed but the sync failed: %s; run maille sync %s to "
		      "finish"),
		    jr->sync.error, inv->addrs[0]);
	if (st == JOIN_OK)
		ret = join_print(&nd, inv, jr, a.json);
	else
		join_error(&nd, inv, st, jr);
out:
	if (tok)
		sodium_free(tok);
	if (inv)
		sodium_free(inv);
	free(jr);
	if (nd_open)
		node_dir_close(&nd);
	return ret;
}
