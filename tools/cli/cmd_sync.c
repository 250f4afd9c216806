/* tools/cli/cmd_sync.c: maille sync — one sync session with a node (PROTOCOL.md §3).
 *
 * It runs its own one-shot session against the store, beside the daemon if one runs (SQLite
 * serialises the writers; the daemon notices the new entries and pushes them). */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "netcmd.h"
#include "node/daemon/node.h"
#include "node/service/log.h"
#include "node/service/term.h"
#include "nodecli.h"
#include "proto/error.h"
#include "render.h"

static const char sync_help[] =
	N_("usage: maille sync HOST:PORT [--timeout SECONDS] [--log-level LEVEL] [--dir DIR] [--json]\n"
	"\n"
	"Syncs this node's catalogue with the node at HOST:PORT, once: connects with this node's\n"
	"key and federation, reconciles the two sets of versions (a few dozen bytes when they are\n"
	"already equal), sends what the peer lacks, fetches, verifies and stores what this node\n"
	"lacks, and waits until the peer has stored what it was sent. Then both hold the union\n"
	"of the two catalogues (maille status shows the same fingerprint on both). Works whether\n"
	"or not this node runs. On a terminal a progress line shows on standard error.\n"
	"\n"
	"  --timeout SECONDS   give up when the peer is silent this long (default 30); a long\n"
	"                      transfer that keeps moving is never cut\n"
	"  --log-level L       log the session's steps on standard error (debug, info, warn)\n"
	"\n"
	"Versions this node refuses for a reason of its own are counted as refused, and the peer\n"
	"is not blamed: a timestamp more than 10 minutes ahead of its clock, a member's version its\n"
	"capability does not cover (PROTOCOL.md §4.4), versions of an untrusted territory beyond\n"
	"its quota (quarantine.entries, quarantine.bytes in maille.conf; §4.6).\n"
	"Exit 0 when the sync completed, 1 when it did not (a node of another federation says\n"
	"nothing: \"not a member of this federation (or not a Maille node)\"; a node at its\n"
	"session limits says it is busy: \"nœud occupé\"; a node that closed the connection or\n"
	"went silent: each its own message), 2 on a usage error.\n");

static void sync_progress(const node_sync_result *r, void *ctx)
{
	const char *target = ctx;
	fputc('\r', stderr);
	fprintf(stderr, _("syncing with %s: received %llu, sent %llu, %.1f MB in, %.1f MB out   "),
	        target, (unsigned long long)r->received, (unsigned long long)r->sent,
	        (double)r->bytes_received / 1e6, (double)r->bytes_sent / 1e6);
	fflush(stderr);
}

int cmd_sync(int argc, char **argv)
{
	net_cmd nc;
	bool done;
	int r = net_cmd_open_write("sync", sync_help, 30000, argc, argv, &nc, &done);
	if (done)
		return r;
	int ret;
	const char *target = nc.target;
	node_dir *nd = &nc.nd;
	bool tty = isatty(STDERR_FILENO) && !nc.a.json;
	node_config cfg = net_sync_config(nd, nc.f.key, nc.name);
	cfg.progress = tty ? sync_progress : NULL;
	cfg.progress_ctx = (void *)target;
	node_sync_result res;
	r = node_sync(&cfg, target, nc.timeout_ms, &res);
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (r) {
		cli_error(_("sync %s: %s"), target, res.error);
		ret = EXIT_FAIL;
		goto out;
	}
	uint8_t fp[RBSR_FP_LEN];
	uint64_t count = 0;
	char fphex[2 * RBSR_FP_LEN + 1] = "";
	if (store_fingerprint(nd->st, fp, &count) == 0)
		proto_hex(fp, RBSR_FP_LEN, fphex);
	char key[2 * PROTO_KEY_LEN + 1], pname[NODE_TERM_CAP(PROTO_HELLO_NAME_MAX)];
	proto_hex(res.peer_key, PROTO_KEY_LEN, key);
	if (nc.a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "address", json_string(target));
		json_object_set_new(o, "peer_key", json_string(key));
		json_object_set_new(o, "name", json_peer_str(res.peer_hello.name));
		json_object_set_new(o, "equal", json_boolean(res.equal));
		json_object_set_new(o, "received", json_integer((json_int_t)res.received));
		json_object_set_new(o, "sent", json_integer((json_int_t)res.sent));
		json_object_set_new(o, "duplicates", json_integer((json_int_t)res.duplicates));
		json_object_set_new(o, "refused", json_integer((json_int_t)res.refused));
		json_object_set_new(o, "rounds", json_integer((json_int_t)res.rounds));
		json_object_set_new(o, "bytes_sent", json_integer((json_int_t)res.bytes_sent));
		json_object_set_new(o, "bytes_received", json_integer((json_int_t)res.bytes_received));
		json_object_set_new(o, "handshake_ms", json_real(round_us(res.handshake_ms)));
		json_object_set_new(o, "total_ms", json_real(round_us(res.total_ms)));
		json_object_set_new(o, "indexed", json_integer((json_int_t)res.indexed));
		json_object_set_new(o, "index_ms", json_real(round_us(res.index_ms)));
		json_object_set_new(o, "count", json_integer((json_int_t)count));
		json_object_set_new(o, "fingerprint", json_string(fphex));
		ret = render_json_out(o);
	} else {
		node_term_str(res.peer_hello.name, strlen(res.peer_hello.name), pname,
		              sizeof pname);
		if (res.equal)
			printf(_("already in sync with %s (%.8s) at %s: %llu versions each, nothing moved\n"),
			       pname, key, target, (unsigned long long)count);
		else
			printf(_("synced with %s (%.8s) at %s in %.2f s: %llu received, %llu sent, %llu "
			         "already here, %llu refused; %llu round trip%s, %.1f kB in, %.1f kB out\n"),
			       pname, key, target, res.total_ms / 1000.0, (unsigned long long)res.received,
			       (unsigned long long)res.sent, (unsigned long long)res.duplicates,
			       (unsigned long long)res.refused, (unsigned long long)res.rounds,
			       res.rounds == 1 ? "" : "s", (double)res.bytes_received / 1e3,
			       (double)res.bytes_sent / 1e3);
		if (res.indexed)
			printf(ngettext("%llu record indexed for search in %.2f s\n",
			                "%llu records indexed for search in %.2f s\n", res.indexed),
			       (unsigned long long)res.indexed, res.index_ms / 1000.0);
		if (res.refused) {
			printf(ngettext("%llu version refused", "%llu versions refused",
			                (unsigned long)res.refused),
			       (unsigned long long)res.refused);
			printf(_(": a timestamp more than 10 minutes ahead of this node's clock, a "
			         "member's version its capability does not cover, or an untrusted "
			         "territory over its quota (run with --log-level info to see which); "
			         "what may be accepted later comes again at a later sync\n"));
		}
		ret = EXIT_OK;
	}
out:
	net_cmd_close(&nc);
	return ret;
}
