/* tools/cli.h: what the `maille` subcommands share.
 *
 * One table of subcommands (maille.c), one file per group of subcommands (cmd_*.c). Every
 * command returns its exit code: 0 ok, 1 failure, 2 usage. Data goes to stdout (one JSON
 * document with --json), human messages and errors to stderr. */
#ifndef MAILLE_TOOLS_CLI_H
#define MAILLE_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "node/term.h"
#include "node/trust.h"
#include "proto/entry.h"
#include "proto/member.h"
#include "proto/value.h"
#include "store/store.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* ---- argument parsing ---------------------------------------------------------------------
 * Options may come before or after positional arguments; "--opt value" and "--opt=value";
 * "--" ends the options. The global options --dir, --json and --help are accepted by every
 * command wherever they appear. */
typedef struct cli_opt {
	const char *name;  /* without the leading "--" */
	bool has_arg;
	const char *value; /* set by cli_parse: the argument, or "" for a flag that was given */
} cli_opt;

#define CLI_POS_MAX 16

typedef struct cli_args {
	const char *dir; /* --dir */
	bool json, help;
	const char *pos[CLI_POS_MAX];
	size_t n_pos;
} cli_args;

/* Global options given before the subcommand (maille --dir D list); cli_parse starts from them. */
extern cli_args cli_global;

/* Returns 0, or prints a usage error naming the command and returns EXIT_USAGE. */
int cli_parse(const char *cmd, int argc, char **argv, cli_opt *opts, cli_args *ret);
/* The value of option name in opts (NULL if absent). */
const char *cli_opt_get(const cli_opt *opts, const char *name);

/* Commands with subcommands (federation, key): the subcommand is the first argument that is
 * neither an option nor the value of --dir or of one of value_opts (NULL-terminated, may be
 * NULL), so that options may come before it (maille federation --dir D show); it runs with
 * the other arguments in their order. Without one: help (exit 0 with --help, else 2). An
 * unknown one: a usage error naming the known ones (known, e.g. "new, show"). */
typedef struct cli_sub {
	const char *name;
	int (*run)(int argc, char **argv);
} cli_sub;
int cli_dispatch(const char *cmd, const char *help, const cli_sub *subs, size_t n_subs,
                 const char *const *value_opts, const char *known, int argc, char **argv);

/* Error and warning output, on stderr, prefixed "maille: error: " / "maille: warning: ", on
 * one line: what the message quotes is shown through the terminal sanitiser (node/term.h),
 * line breaks included. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One more line of the message just printed, indented by two spaces, sanitised the same way. */
void cli_error_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "maille: error: FILE, line N: ..." on stderr; returns 1. */
int cli_error_conf(const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints a usage error ("maille CMD: ...; see 'maille CMD --help'") and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A name given on the command line (init --name, federation new --name): it goes into a file
 * of the node directory and into records, so it is one line of text, proto_text_check's rule
 * for a one-line text (valid UTF-8, no C0, DEL or C1 control character), of 1 to max bytes.
 * 0, or a usage error naming cmd, opt and what is wrong, French first, and EXIT_USAGE. */
int cli_name_check(const char *cmd, const char *opt, const char *name, size_t max);

/* ---- the node directory (tools/nodedir.c) ------------------------------------------------
 *   DIR/node.key       Ed25519 seed in hex (mode 0600, never printed)
 *   DIR/maille.conf    "key = value" lines
 *   DIR/store.sqlite   the store (store/)
 *   DIR/store.corrupt  left by a `maille check` that found problems (what it found), removed
 *                      by one that finds none: while it is there, no command writes to the
 *                      store and the daemon does not start */
#define NODE_KEY_FILE "node.key"
#define NODE_CONF_FILE "maille.conf"
#define NODE_STORE_FILE "store.sqlite"
/* Bytes of a node's name (init --name): a territory's name is at most PROTO_TITLE_MAX
 * characters in its record, a member's label at most PROTO_MEMBER_NAME_MAX bytes; in bytes, a
 * name fits node_dir.name and a key backup (KEYBACKUP_NAME_MAX). */
#define NODE_NAME_MAX 200u
#define NODE_CORRUPT_FILE "store.corrupt"
/* "DIR/FILE" into ret; -1 if it does not fit in cap. */
int cli_path_join(char *ret, size_t cap, const char *dir, const char *file);
/* Appends the line "key = value\n" to buf (cap bytes, *len of them used, NUL-terminated) and
 * adds its length to *len: the one writer of the "key = value" files of the node directory
 * (maille.conf, federation). A value that would not stay on its line (a line break or any other
 * C0 control character, or DEL) is MAILLE_EINVAL, so that no value can write a setting of its
 * own, whatever the caller checked; MAILLE_ETOOBIG if the line does not fit. buf is unchanged
 * on failure. */
int cli_conf_append(char *buf, size_t cap, size_t *len, const char *key, const char *value);
typedef struct node_dir {
	char path[4096];
	uint8_t pk[PROTO_KEY_LEN];
	uint8_t *sk; /* sodium_malloc'd PROTO_SECRET_KEY_LEN bytes, NULL until loaded */
	char name[256];
	char store_path[4200]; /* DIR/store.sqlite */
	store *st;
	/* maille.conf settings (defaults when absent) */
	unsigned trust_hops;     /* trust.hops: TRUST_HOPS_DEFAULT */
	uint64_t quota_entries;  /* quarantine.entries: NODE_QUOTA_ENTRIES_DEFAULT */
	uint64_t quota_bytes;    /* quarantine.bytes: NODE_QUOTA_BYTES_DEFAULT */
	/* quarantine.total_entries, quarantine.total_bytes: NODE_QUOTA_TOTAL_*_DEFAULT */
	uint64_t quota_total_entries, quota_total_bytes;
	bool member;             /* member = yes: a member node (init --member) */
	char web_hosts[1024];    /* web.hosts: more names of the web catalogue ("" if none) */
	/* The territory this node writes for: its own key, or for a member node the territory
	 * of the capability members/<its key> it holds (node_dir_open finds it; PROTOCOL.md
	 * §4.3). has_territory false: a member node with no capability in force yet. */
	uint8_t territory[PROTO_KEY_LEN];
	bool has_territory;
	char member_name[256]; /* a member node's name in its capability */
} node_dir;

/* The directory from --dir, else MAILLE_HOME, else $XDG_DATA_HOME/maille, else
 * ~/.local/share/maille. Returns 0 or EXIT_FAIL (printed). */
int node_dir_resolve(const char *dir_opt, char *ret, size_t cap);
/* Opens an existing node (key, config, store). Prints a clear error and returns EXIT_FAIL if
 * the directory does not exist or is not a node, or if its store does not open (a damaged one
 * with what to do about it: cli_store_error); never creates anything. */
int node_dir_open(node_dir *nd, const char *dir_opt);
/* The same for a command that writes to the store (publish, delete, trust, sync, the
 * daemon...): refuses, before the store is opened, while DIR/store.corrupt is there. */
int node_dir_open_write(node_dir *nd, const char *dir_opt);
/* The key and the configuration only: nd->st stays NULL (maille check opens the store itself;
 * maille key export needs no store, so it works on a node whose store is damaged). */
int node_dir_open_nostore(node_dir *nd, const char *dir_opt);
void node_dir_close(node_dir *nd);
/* DIR/store.corrupt: written with text (what maille check found), or removed (text NULL).
 * 0, or -1 with errno. */
int node_dir_mark_corrupt(const node_dir *nd, const char *text);
/* What to do about a damaged store (on stderr): the README's ways back, a backup of the node
 * directory, or the key backup and the federation's copy of the catalogue. */
void cli_store_advice(const char *dir);
/* "maille: error: " and the message, then, when rc is MAILLE_ECORRUPT (SQLite found the file
 * damaged), that nothing was written and what to do. For the store errors of commands. */
void cli_store_error(const node_dir *nd, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Creates a node: directory (0700), key (0600), config, store. Refuses an existing node.
 * seed: the 32-byte Ed25519 seed of the key (a restored node), NULL for a new random one. */
int node_dir_create(node_dir *nd, const char *dir_opt, const char *name, const uint8_t *seed);

/* ---- the federation (tools/federation.c) -------------------------------------------------
 *   DIR/federation    "name = NAME" and "key = <64 hex>" lines, mode 0600: the federation's
 *                     network key, the psk of the handshake (PROTOCOL.md §2). Whoever holds
 *                     it is a member; it is never printed or logged (show a fingerprint). */
#define FEDERATION_FILE "federation"
#define FEDERATION_NAME_MAX 128u  /* bytes of a federation's name */
#define FEDERATION_FILE_MAX 4096u /* bytes of a federation file */

typedef struct federation {
	char name[FEDERATION_NAME_MAX + 1];
	uint8_t *key; /* sodium_malloc'd PROTO_NETKEY_LEN bytes; NULL when not loaded */
} federation;

/* 1 to FEDERATION_NAME_MAX bytes of UTF-8 without C0 control characters, DEL or edge blanks
 * (what the file and an invitation hold; a new name also passes cli_name_check). */
bool federation_name_valid(const char *name);
/* DIR/federation into ret. MAILLE_EINVAL if it does not fit. */
int federation_path(const char *dir, char *ret, size_t cap);
/* A new federation with a fresh random key. MAILLE_EINVAL (name), MAILLE_ENOMEM. */
int federation_generate(const char *name, federation *ret);
/* Reads and validates a federation file into *ret (written only on success; the caller ends
 * it with federation_done). Warns if the file is readable by others. Errors: MAILLE_ENOTFOUND
 * (no such file), MAILLE_EPROTO (not a federation file), MAILLE_EIO, MAILLE_ENOMEM; a short
 * reason goes to why (why_cap bytes). */
int federation_read(const char *path, federation *ret, char *why, size_t why_cap);
/* Writes f to path, created with mode 0600; never overwrites (MAILLE_EEXIST). MAILLE_EIO;
 * MAILLE_EINVAL for a name that cannot be one line of the file (cli_conf_append). */
int federation_write(const char *path, const federation *f);
/* Wipes and frees the key. Safe on a zeroed or already done struct. */
void federation_done(federation *f);

/* Microseconds since the epoch, plus the test clock's skew (cli_clock_skew_us). */
uint64_t cli_now_us(void);
/* MAILLE_TEST_CLOCK_SKEW_S (seconds, may be negative): a test's injected clock, added to the
 * time entries are stamped with and checked against (never to the handshake's clock, which
 * must stay the machine's). 0 when unset. */
int64_t cli_clock_skew_us(void);

/* ---- rendering (tools/render.c) ---------------------------------------------------------- */
/* A body as JSON: maps → objects, bin → hex strings. NULL on allocation failure. */
/* "2026-01-01T00:00:00.000000Z" into ret (at least 32 bytes). */
void render_time(uint64_t us, char *ret, size_t cap);
/* The JSON item of list/search/show: id, path, type, title, summary, territory, author,
 * signer, timestamp, status, themes (+ body when with_body, + snippet when snippet). */
json_t *render_row_json(store *st, const store_row *row, bool with_body);
/* One human line for list/search. */
void render_row_line(store *st, const store_row *row);
/* The human page of show. */
void render_row_page(store *st, const store_row *row);
/* Dumps j to stdout (indented, UTF-8) followed by a newline, and releases it. */
int render_json_out(json_t *j);

/* ---- the trust view: node/trust.h computes it --------------------------------------------- */
/* list, search, show: computes this node's view into *tv and gives it to the store (for
 * store_filter.trusted_only) and to the rendering (marks). Prints the error; EXIT_FAIL. */
int trust_setup(node_dir *nd, trust_view *tv);
/* Rows rendered from now on are marked trusted or not by tv (NULL: no mark). */
void render_set_trust(const trust_view *tv);

/* ---- signing this node's entries (tools/cmd_publish.c) ---------------------------------- */
/* The timestamp of a new version at (territory, path): now, or just after the live version if
 * the clock is behind it, so that an edit always wins the live-set order (PROTOCOL.md §1.5). */
uint64_t next_timestamp(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path);
/* Signs body (canonical bytes) at path as this node's territory and stores it. */
int sign_and_put(node_dir *nd, const char *path, int kind, const uint8_t *body, size_t body_len,
                 uint8_t ret_id[PROTO_ID_LEN]);
/* publish, delete: a member node without a capability in force cannot write (printed;
 * EXIT_FAIL), nor can a member node write the paths only a territory writes. */
int member_can_write(const node_dir *nd, const char *cmd);

/* ---- commands ----------------------------------------------------------------------------- */
int cmd_init(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_federation(int argc, char **argv); /* cmd_node.c: federation new|show|export|import */
int cmd_node(int argc, char **argv);       /* cmd_node.c: the daemon in the foreground */
int cmd_ping(int argc, char **argv);       /* cmd_node.c: handshake, PING, PONG with a node */
int cmd_sync(int argc, char **argv);       /* cmd_sync.c: one-shot sync with a node */
int cmd_peer(int argc, char **argv);       /* cmd_sync.c: peer add|remove */
int cmd_peers(int argc, char **argv);      /* cmd_sync.c: configured and connected peers */
int cmd_status(int argc, char **argv);     /* cmd_sync.c: the live set and the daemon */
int cmd_key(int argc, char **argv);        /* cmd_key.c: key export (encrypted backup) */
int cmd_trust(int argc, char **argv);
int cmd_member(int argc, char **argv);     /* cmd_member.c: member add|remove */
int cmd_members(int argc, char **argv);    /* cmd_member.c: this territory's members */
int cmd_invite(int argc, char **argv);     /* cmd_invite.c: an invitation token */
int cmd_join(int argc, char **argv);       /* cmd_invite.c: join with a token, sync */
int cmd_untrust(int argc, char **argv);     /* cmd_trust.c: withdraw an explicit trust */
int cmd_vouch(int argc, char **argv);       /* cmd_trust.c: publish a vouch (§4.2) */
int cmd_unvouch(int argc, char **argv);     /* cmd_trust.c: publish its tombstone */
int cmd_territories(int argc, char **argv); /* cmd_trust.c: known territories, trust state */
/* cmd_key.c: `maille init --restore FILE`: a new node directory from a key backup (same key,
 * name and federation, empty store). passphrase_file NULL: ask on the terminal. Prints what
 * was restored (JSON with json); returns an exit code. */
int key_restore(const char *dir_opt, const char *file, const char *passphrase_file, bool json);

/* ---- shared by the network commands (cmd_node.c) ------------------------------------------ */
/* Loads this node's federation; prints the error and returns EXIT_FAIL on failure. */
int load_own_federation(const node_dir *nd, federation *ret);
/* The territory's name as the node presents itself (HELLO). */
void territory_name(const node_dir *nd, char *ret, size_t cap);
/* --log-format and --log-level into node_log_setup (dflt: the level without the option). */
int parse_log_opts(const char *cmd, const cli_opt *opts, int dflt);
/* A test-only millisecond setting from the environment, 0 when unset (warns when used). */
uint32_t env_ms(const char *name);
/* A key given on the command line (64 hex digits) into key; EXIT_USAGE (printed) otherwise,
 * naming it a "<what> key". */
int cli_key_parse(const char *cmd, const char *what, const char *s, uint8_t key[PROTO_KEY_LEN]);
/* What ping and sync start with: --timeout (default timeout_ms) and --log-level parsed, one
 * HOST:PORT, the node, its federation and its name opened. *done false: go on, then
 * net_cmd_close; *done true: return the code (help printed: EXIT_OK; errors printed). */
typedef struct net_cmd {
	cli_args a;
	const char *target;
	uint32_t timeout_ms;
	node_dir nd;
	federation f;
	char name[256];
} net_cmd;
int net_cmd_open(const char *cmd, const char *help, uint32_t timeout_ms, int argc, char **argv,
                 net_cmd *ret, bool *done);
/* The same for a command that writes to the store (sync): node_dir_open_write. */
int net_cmd_open_write(const char *cmd, const char *help, uint32_t timeout_ms, int argc,
                       char **argv, net_cmd *ret, bool *done);
void net_cmd_close(net_cmd *nc);
/* --timeout SECONDS into *ret_ms (left alone without the option); EXIT_USAGE if invalid. */
int cli_timeout_opt(const char *cmd, const cli_opt *opts, uint32_t *ret_ms);
/* A peer-controlled string for JSON: as is, or with '?' for the bytes of invalid UTF-8, which
 * jansson refuses (a terminal gets node_term_str, node/term.h). */
json_t *json_peer_str(const char *s);
/* Milliseconds rounded to the microsecond. */
double round_us(double ms);

#endif
