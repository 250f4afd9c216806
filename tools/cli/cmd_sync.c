/* tools/cmd_sync.c: sync, peer, peers, status — the commands of synchronisation
 * (PROTOCOL.md §3).
 *
 * None of them talks to a running daemon over a socket: `peer add/remove` write the store's
 * peers table, which the daemon rereads within a quarter of a second (SQLite's data_version);
 * `peers` and `status` read the store and DIR/node.state, the snapshot the daemon rewrites
 * every second. `sync` runs its own one-shot session against the store, beside the daemon if
 * one runs (SQLite serialises the writers; the daemon notices the new entries and pushes
 * them). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "node/log.h"
#include "node/node.h"
#include "proto/error.h"

/* ---- the daemon's state file ------------------------------------------------------------ */

/* DIR/node.state of a daemon that runs, or NULL (no file, a stale one, unreadable). */
static json_t *daemon_state(const node_dir *nd)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", nd->path, NODE_STATE_FILE);
	json_error_t jerr;
	json_t *st = json_load_file(path, 0, &jerr);
	if (!st)
		return NULL;
	json_t *pid = json_object_get(st, "pid");
	/* a daemon that was killed leaves its file: the pid tells */
	if (!json_is_integer(pid) || json_integer_value(pid) <= 0 ||
	    (kill((pid_t)json_integer_value(pid), 0) != 0 && errno == ESRCH)) {
		json_decref(st);
		return NULL;
	}
	return st;
}

/* The string member name of a peer's object in node.state, made safe for a terminal; dflt
 * when absent. Keys are shown by their first 8 hex digits. */
static const char *state_str(const json_t *peer, const char *name, const char *dflt, char *buf,
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

static void fmt_age(uint64_t us, char *buf, size_t cap)
{
	if (!us) {
		snprintf(buf, cap, "never");
		return;
	}
	uint64_t now = cli_now_us() - (uint64_t)cli_clock_skew_us();
	double s = now > us ? (double)(now - us) / 1e6 : 0;
	if (s < 120)
		snprintf(buf, cap, "%.0f s ago", s);
	else if (s < 7200)
		snprintf(buf, cap, "%.0f min ago", s / 60);
	else
		snprintf(buf, cap, "%.1f h ago", s / 3600);
}

/* ---- sync ----------------------------------------------------------------------------------- */

static const char sync_help[] =
	"usage: maille sync HOST:PORT [--timeout SECONDS] [--log-level LEVEL] [--dir DIR] [--json]\n"
	"\n"
	"Syncs this node's catalogue with the node at HOST:PORT, once: connects with this node's\n"
	"key and federation, reconciles the two sets of entries (a few dozen bytes when they are\n"
	"already equal), sends what the peer lacks, fetches, verifies and stores what this node\n"
	"lacks, and waits until the peer has stored what it was sent. Then both hold the union\n"
	"of the two catalogues (maille status shows the same fingerprint on both). Works whether\n"
	"or not this node's daemon runs. On a terminal a progress line shows on standard error.\n"
	"\n"
	"  --timeout SECONDS   give up when the peer is silent this long (default 30); a long\n"
	"                      transfer that keeps moving is never cut\n"
	"  --log-level L       log the session's steps on standard error (debug, info, warn)\n"
	"\n"
	"Entries this node refuses for a reason of its own are counted as refused, and the peer\n"
	"is not blamed: a timestamp more than 10 minutes ahead of its clock, a member's entry its\n"
	"capability does not cover (PROTOCOL.md §4.4), entries of an untrusted territory beyond\n"
	"its quota (quarantine.entries, quarantine.bytes in maille.conf; §4.6).\n"
	"Exit 0 when the sync completed, 1 when it did not (a node of another federation says\n"
	"nothing: \"not a member of this federation (or not a Maille node)\"; a node at its\n"
	"session limits says it is busy: \"nœud occupé\"; a node that closed the connection or\n"
	"went silent: each its own message), 2 on a usage error.\n";

static void sync_progress(const node_sync_result *r, void *ctx)
{
	const char *target = ctx;
	fprintf(stderr, "\rsyncing with %s: received %llu, sent %llu, %.1f MB in, %.1f MB out   ",
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
	node_config cfg = {
		.dir = nd->path,
		.sk = nd->sk,
		.netkey = nc.f.key,
		.name = nc.name,
		.store_path = nd->store_path,
		.clock_skew_us = cli_clock_skew_us(),
		/* a test's daemons time sessions out after 1.5 s: this side must PING as often */
		.ping_interval_ms = env_ms("MAILLE_TEST_PING_INTERVAL_MS"),
		.progress = tty ? sync_progress : NULL,
		.progress_ctx = (void *)target,
		.trust_hops = nd->trust_hops,
		.quota_entries = nd->quota_entries,
		.quota_bytes = nd->quota_bytes,
		.quota_total_entries = nd->quota_total_entries,
		.quota_total_bytes = nd->quota_total_bytes,
	};
	node_sync_result res;
	r = node_sync(&cfg, target, nc.timeout_ms, &res);
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (r) {
		cli_error("sync %s: %s", target, res.error);
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
			printf("already in sync with %s (%.8s) at %s: %llu entries each, nothing moved\n",
			       pname, key, target, (unsigned long long)count);
		else
			printf("synced with %s (%.8s) at %s in %.2f s: %llu received, %llu sent, %llu "
			       "already here, %llu refused; %llu round trip%s, %.1f kB in, %.1f kB out\n",
			       pname, key, target, res.total_ms / 1000.0, (unsigned long long)res.received,
			       (unsigned long long)res.sent, (unsigned long long)res.duplicates,
			       (unsigned long long)res.refused, (unsigned long long)res.rounds,
			       res.rounds == 1 ? "" : "s", (double)res.bytes_received / 1e3,
			       (double)res.bytes_sent / 1e3);
		if (res.indexed)
			printf("%llu record%s indexed for search in %.2f s\n", (unsigned long long)res.indexed,
			       res.indexed == 1 ? "" : "s", res.index_ms / 1000.0);
		if (res.refused)
			printf("%llu entr%s refused: a timestamp more than 10 minutes ahead of this "
			       "node's clock, a member entry its capability does not cover, or an "
			       "untrusted territory over its quota (run with --log-level info to see "
			       "which); what may be accepted later comes again at a later sync\n",
			       (unsigned long long)res.refused, res.refused == 1 ? "y" : "ies");
		ret = EXIT_OK;
	}
out:
	net_cmd_close(&nc);
	return ret;
}

/* ---- peer add | remove ---------------------------------------------------------------------- */

static const char peer_help[] =
	"usage: maille peer add HOST:PORT [--dir DIR]\n"
	"       maille peer remove HOST:PORT [--dir DIR]\n"
	"\n"
	"Configures the peers this node's daemon always keeps a connection to (besides those it\n"
	"discovers from the node entries of the territories it trusts), whether or not it trusts\n"
	"their territories. A running daemon dials an added peer, or hangs up on a removed one,\n"
	"within a second, without a restart. HOST is an IPv4 address, [IPv6 address] or\n"
	"localhost.\n";

int cmd_peer(int argc, char **argv)
{
	cli_args a;
	cli_opt opts[] = {{NULL, false, NULL}};
	int r = cli_parse("peer", argc, argv, opts, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(peer_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos != 2 || (strcmp(a.pos[0], "add") != 0 && strcmp(a.pos[0], "remove") != 0))
		return cli_usage_error("peer", "use 'maille peer add HOST:PORT' or 'maille peer remove "
		                               "HOST:PORT'");
	bool add = strcmp(a.pos[0], "add") == 0;
	struct sockaddr_storage ss;
	if (node_addr_parse(a.pos[1], &ss))
		return cli_usage_error("peer", "'%s' is not HOST:PORT (an IPv4 address, [IPv6 address] "
		                               "or localhost, and a port)",
		                       a.pos[1]);
	char addr[NODE_ADDR_STR_MAX];
	node_addr_format((struct sockaddr *)&ss, addr);
	node_dir nd;
	if (node_dir_open_write(&nd, a.dir))
		return EXIT_FAIL;
	int ret = EXIT_OK;
	r = add ? store_peer_add(nd.st, addr, cli_now_us()) : store_peer_remove(nd.st, addr);
	if (r == MAILLE_EEXIST) {
		cli_error("%s is already a configured peer", addr);
		ret = EXIT_FAIL;
	} else if (r == MAILLE_ENOTFOUND) {
		cli_error("%s is not a configured peer (see 'maille peers')", addr);
		ret = EXIT_FAIL;
	} else if (r) {
		cli_store_error(&nd, r, "cannot %s peer %s: %s", add ? "add" : "remove", addr,
		                maille_strerror(r));
		ret = EXIT_FAIL;
	} else {
		json_t *st = daemon_state(&nd);
		printf("peer %s %s%s\n", addr, add ? "added" : "removed",
		       st ? (add ? "; the daemon dials it now" : "; the daemon hangs up on it now")
		          : " (no daemon runs: it applies when 'maille node' starts)");
		json_decref(st);
	}
	node_dir_close(&nd);
	return ret;
}

/* ---- peers ---------------------------------------------------------------------------------- */

static const char peers_help[] =
	"usage: maille peers [--dir DIR] [--json]\n"
	"\n"
	"The node's peers: the configured ones ('maille peer add'), those discovered from the\n"
	"node entries of trusted territories, and the nodes connected to it, each with its\n"
	"address, key, state (connected, connecting, backoff after failures, given up after 8\n"
	"failures in a row, idle, self), last sync and the entries sent to it and received from\n"
	"it since the daemon started. Without a running daemon, only the configured peers are\n"
	"listed, with the state \"daemon not running\".\n";

typedef struct peers_ctx {
	json_t *arr;
	json_t *state_peers;
} peers_ctx;

static int configured_peer(const char *addr, uint64_t added_us, void *ctx)
{
	peers_ctx *pc = ctx;
	(void)added_us;
	size_t i;
	json_t *p;
	json_array_foreach(pc->state_peers, i, p)
	{
		const char *pa = json_string_value(json_object_get(p, "address"));
		if (pa && strcmp(pa, addr) == 0)
			return 0; /* the daemon's record has more */
	}
	p = json_object();
	json_object_set_new(p, "address", json_string(addr));
	json_object_set_new(p, "key", json_null());
	json_object_set_new(p, "direction", json_string("out"));
	json_object_set_new(p, "state",
	                    json_string(pc->state_peers ? "idle" : "daemon not running"));
	json_object_set_new(p, "configured", json_true());
	json_object_set_new(p, "discovered", json_false());
	json_object_set_new(p, "sent", json_integer(0));
	json_object_set_new(p, "received", json_integer(0));
	json_object_set_new(p, "refused", json_integer(0));
	json_object_set_new(p, "last_sync_us", json_null());
	json_object_set_new(p, "failures", json_integer(0));
	json_array_append_new(pc->arr, p);
	return 0;
}

int cmd_peers(int argc, char **argv)
{
	cli_args a;
	cli_opt opts[] = {{NULL, false, NULL}};
	int r = cli_parse("peers", argc, argv, opts, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(peers_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos)
		return cli_usage_error("peers", "unexpected argument '%s'", a.pos[0]);
	node_dir nd;
	if (node_dir_open(&nd, a.dir))
		return EXIT_FAIL;
	json_t *st = daemon_state(&nd);
	json_t *arr = json_array();
	json_t *sp = st ? json_object_get(st, "peers") : NULL;
	if (json_is_array(sp)) {
		size_t i;
		json_t *p;
		json_array_foreach(sp, i, p) json_array_append(arr, p);
	}
	peers_ctx pc = {arr, json_is_array(sp) ? sp : NULL};
	r = store_peer_list(nd.st, configured_peer, &pc);
	int ret = EXIT_OK;
	if (r) {
		cli_error("cannot read the configured peers: %s", maille_strerror(r));
		json_decref(arr);
		ret = EXIT_FAIL;
	} else if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "daemon", json_boolean(st != NULL));
		json_object_set_new(o, "peers", arr);
		ret = render_json_out(o);
	} else {
		if (!st) {
			fputs("(no daemon runs on ", stdout);
			node_term_put(stdout, nd.path, strlen(nd.path));
			puts(": configured peers only)");
		}
		if (json_array_size(arr) == 0)
			printf("no peers: add one with 'maille peer add HOST:PORT'\n");
		else
			printf("%-22s %-9s %-4s %-18s %-14s %9s %9s\n", "ADDRESS", "KEY", "DIR", "STATE",
			       "LAST SYNC", "SENT", "RECEIVED");
		size_t i;
		json_t *p;
		json_array_foreach(arr, i, p)
		{
			/* node.state is a file, and the daemon learns addresses from the
			 * federation's node entries: every string is shown through the terminal
			 * sanitiser */
			char addr[NODE_TERM_CAP(NODE_ADDR_STR_MAX)], key[NODE_TERM_CAP(8)], dir[24],
			    state[80], age[32];
			fmt_age((uint64_t)json_integer_value(json_object_get(p, "last_sync_us")), age,
			        sizeof age);
			printf("%-22s %-9s %-4s %-18s %-14s %9lld %9lld\n",
			       state_str(p, "address", "?", addr, sizeof addr),
			       state_str(p, "key", "-", key, sizeof key),
			       state_str(p, "direction", "?", dir, sizeof dir),
			       state_str(p, "state", "?", state, sizeof state), age,
			       (long long)json_integer_value(json_object_get(p, "sent")),
			       (long long)json_integer_value(json_object_get(p, "received")));
		}
		json_decref(arr);
	}
	json_decref(st);
	node_dir_close(&nd);
	return ret;
}

/* ---- status --------------------------------------------------------------------------------- */

static const char status_help[] =
	"usage: maille status [--dir DIR] [--json]\n"
	"\n"
	"This node's key and name, its federation, the live set of its catalogue (count of\n"
	"entries, tombstones included, and its fingerprint: two nodes with the same fingerprint\n"
	"hold the same entries), the records received but not yet indexed for search (a bulk\n"
	"sync stores first and indexes right after), and whether its daemon runs: its pid,\n"
	"address, connected peers and last sync.\n";

int cmd_status(int argc, char **argv)
{
	cli_args a;
	cli_opt opts[] = {{NULL, false, NULL}};
	int r = cli_parse("status", argc, argv, opts, &a);
	if (r)
		return r;
	if (a.help) {
		fputs(status_help, stdout);
		return EXIT_OK;
	}
	if (a.n_pos)
		return cli_usage_error("status", "unexpected argument '%s'", a.pos[0]);
	node_dir nd;
	if (node_dir_open(&nd, a.dir))
		return EXIT_FAIL;
	int ret = EXIT_OK;
	uint8_t fp[RBSR_FP_LEN];
	uint64_t count = 0, entries = 0, docs = 0;
	char fphex[2 * RBSR_FP_LEN + 1], key[2 * PROTO_KEY_LEN + 1];
	uint64_t unindexed = 0;
	r = store_fingerprint(nd.st, fp, &count);
	if (!r)
		r = store_count(nd.st, &entries, &docs);
	if (!r)
		r = store_unindexed(nd.st, &unindexed);
	if (r) {
		cli_error("cannot read the store: %s", maille_strerror(r));
		node_dir_close(&nd);
		return EXIT_FAIL;
	}
	proto_hex(fp, RBSR_FP_LEN, fphex);
	proto_hex(nd.pk, PROTO_KEY_LEN, key);
	char name[256];
	territory_name(&nd, name, sizeof name);
	/* the federation is optional here: status works on a node not yet in one */
	federation f = {0};
	char fpath[4200], why[160], nfp[9] = "";
	bool has_fed = federation_path(nd.path, fpath, sizeof fpath) == 0 &&
	               federation_read(fpath, &f, why, sizeof why) == 0;
	if (has_fed)
		node_netkey_fingerprint(f.key, nfp);
	json_t *st = daemon_state(&nd);
	json_int_t connected = st ? json_integer_value(json_object_get(st, "connected")) : 0;
	uint64_t last_sync = st ? (uint64_t)json_integer_value(json_object_get(st, "last_sync_us")) : 0;
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_string(key));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "federation",
		                    has_fed ? json_pack("{s:s, s:s}", "name", f.name, "fingerprint", nfp)
		                            : json_null());
		json_object_set_new(o, "count", json_integer((json_int_t)count));
		json_object_set_new(o, "documents", json_integer((json_int_t)docs));
		json_object_set_new(o, "fingerprint", json_string(fphex));
		json_object_set_new(o, "unindexed", json_integer((json_int_t)unindexed));
		json_t *d = json_object();
		json_object_set_new(d, "running", json_boolean(st != NULL));
		if (st) {
			json_object_set(d, "pid", json_object_get(st, "pid"));
			json_object_set(d, "listen", json_object_get(st, "listen"));
		}
		json_object_set_new(o, "daemon", d);
		json_object_set_new(o, "connected", json_integer(connected));
		json_object_set_new(o, "last_sync_us",
		                    last_sync ? json_integer((json_int_t)last_sync) : json_null());
		ret = render_json_out(o);
	} else {
		char buf[NODE_TERM_CAP(sizeof name)];
		printf("%s\n", node_term_str(name, strlen(name), buf, sizeof buf));
		printf("  key:          %s\n", key);
		if (has_fed)
			printf("  federation:   %s (%s)\n",
			       node_term_str(f.name, strlen(f.name), buf, sizeof buf), nfp);
		else
			printf("  federation:   none ('maille federation new' or 'import')\n");
		printf("  entries:      %llu (%llu documents)\n", (unsigned long long)count,
		       (unsigned long long)docs);
		printf("  fingerprint:  %s\n", fphex);
		if (unindexed)
			printf("  search index: %llu records not indexed yet (the daemon is on it)\n",
			       (unsigned long long)unindexed);
		if (st) {
			char age[32];
			fmt_age(last_sync, age, sizeof age);
			printf("  daemon:       running, pid %lld, listening on %s\n",
			       (long long)json_integer_value(json_object_get(st, "pid")),
			       state_str(st, "listen", "?", buf, sizeof buf));
			printf("  peers:        %lld connected, last sync %s\n", (long long)connected, age);
		} else {
			printf("  daemon:       not running ('maille node' starts it)\n");
		}
	}
	json_decref(st);
	federation_done(&f);
	node_dir_close(&nd);
	return ret;
}
