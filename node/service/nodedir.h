/* node/service/nodedir.h: the node directory (nodedir.c): key, configuration and store on
 * disk, as every command opens it. Prints nothing: what there is to say (a warning, why an
 * open failed) goes to the caller's node_env.say, and the CLI prints it (tools/cli/nodecli.c).
 * No event loop, no HTTP server. */
#ifndef MAILLE_NODE_NODEDIR_H
#define MAILLE_NODE_NODEDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/entry.h"
#include "store/store.h"

/*   DIR/node.key       Ed25519 seed in hex (mode 0600, never printed)
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
/* The quarantine (PROTOCOL.md §4.6): the bounds of each untrusted territory's entries, and of
 * all untrusted territories' together (keys are free: the per-territory bound alone lets
 * anyone holding the network key fill the disk with many keys). maille.conf's quarantine.*
 * settings override them; the daemon applies them. */
#define NODE_QUOTA_ENTRIES_DEFAULT 50000u
#define NODE_QUOTA_BYTES_DEFAULT (256u * 1024u * 1024u)
#define NODE_QUOTA_TOTAL_ENTRIES_DEFAULT 200000u
#define NODE_QUOTA_TOTAL_BYTES_DEFAULT (UINT64_C(1) << 30)
#define NODE_BLOB_BUDGET_DEFAULT (UINT64_C(2) << 30) /* attachments.budget: 2 GiB */

/* What the functions of this header have to say, and what they need of their caller.
 * say(ctx, level, text): one message of one line (what it quotes comes from files and the
 * user, so the caller sanitises it for a terminal):
 * a warning that changes nothing (an unknown setting, a key file readable by others), or why
 * the call fails. NODE_SAY_STORE is such an error about the store itself (missing, damaged,
 * marked damaged by a check): the caller then says how to get the store back. say NULL: said
 * nowhere. */
enum { NODE_SAY_WARN = 1, NODE_SAY_ERROR = 2, NODE_SAY_STORE = 3 };
typedef struct node_env {
	void (*say)(void *ctx, int level, const char *text);
	void *ctx;
	/* The caller's language: the messages are written in English, and tr(fmt) is the
	 * translation of one of their formats (or of a text of proto/error.h's table), with the
	 * same conversions in the same order; NULL: English. The CLI's is gettext
	 * (tools/cli/nodecli.c), so that no catalogue is needed here. */
	const char *(*tr)(const char *fmt) __attribute__((format_arg(1)));
	uint64_t now_us; /* the clock: which member capability is in force */
	/* web.hosts is the web catalogue's setting (node/web/, which this room does not use):
	 * its rule, and the number of names it allows for the message. NULL: any value. */
	bool (*web_hosts_valid)(const char *value);
	unsigned web_hosts_max;
} node_env;
/* fmt in env's language (env->tr), else fmt itself. */
const char *node_tr(const node_env *env, const char *fmt) __attribute__((format_arg(2)));
/* Says a message through env (printf-like, fmt through node_tr); env or env->say NULL:
 * nothing. */
void node_say(const node_env *env, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "DIR/FILE" into ret; -1 if it does not fit in cap. */
int node_path_join(char *ret, size_t cap, const char *dir, const char *file);
/* Appends the line "key = value\n" to buf (cap bytes, *len of them used, NUL-terminated) and
 * adds its length to *len: the one writer of the "key = value" files of the node directory
 * (maille.conf, federation). A value that would not stay on its line (a line break or any other
 * C0 control character, or DEL) is MAILLE_EINVAL, so that no value can write a setting of its
 * own, whatever the caller checked; MAILLE_ETOOBIG if the line does not fit. buf is unchanged
 * on failure. */
int node_conf_append(char *buf, size_t cap, size_t *len, const char *key, const char *value);
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
	uint64_t blob_budget;    /* attachments.budget: NODE_BLOB_BUDGET_DEFAULT */
	bool member;             /* member = yes: a member node (init --member) */
	char web_hosts[1024];    /* web.hosts: more names of the web catalogue ("" if none) */
	char timezone[64];       /* timezone: the zone of the dates people read
	                          * (DATEFMT_ZONE_DEFAULT; node/service/datefmt.h) */
	/* The territory this node writes for: its own key, or for a member node the territory
	 * of the capability members/<its key> it holds (node_dir_open finds it; PROTOCOL.md
	 * §4.3). has_territory false: a member node with no capability in force yet. */
	uint8_t territory[PROTO_KEY_LEN];
	bool has_territory;
	char member_name[256]; /* a member node's name in its capability */
} node_dir;

/* The directory from --dir, else MAILLE_HOME, else $XDG_DATA_HOME/maille, else
 * ~/.local/share/maille, without a trailing slash. 0, or MAILLE_EINVAL (said). */
int node_dir_resolve(const char *dir_opt, char *ret, size_t cap, const node_env *env);
/* How node_dir_open opens a node:
 *   NODE_OPEN_READ     key, configuration and store;
 *   NODE_OPEN_WRITE    the same for a caller that writes to the store (publish, delete, trust,
 *                      sync, the daemon...): refused, before the store is opened, while
 *                      DIR/store.corrupt is there (MAILLE_ECORRUPT);
 *   NODE_OPEN_NOSTORE  the key and the configuration only: nd->st stays NULL (maille check
 *                      opens the store itself; maille key export needs no store, so it works
 *                      on a node whose store is damaged). */
enum { NODE_OPEN_READ, NODE_OPEN_WRITE, NODE_OPEN_NOSTORE };
/* Opens an existing node; never creates anything. 0, or (said through env) MAILLE_EINVAL (the
 * directory's path, a setting of maille.conf), MAILLE_ENOTNODE (no such directory, or no
 * key), MAILLE_ECORRUPT (an unreadable key, a damaged or marked store), or the store's
 * error. On failure nd holds nothing to close. */
int node_dir_open(node_dir *nd, const char *dir_opt, int mode, const node_env *env);
void node_dir_close(node_dir *nd);
/* DIR/store.corrupt: written with text (what maille check found), or removed (text NULL).
 * 0, or -1 with errno. */
int node_dir_mark_corrupt(const node_dir *nd, const char *text);
/* Creates a node: directory (0700), key (0600), config, store. Refuses an existing node
 * (MAILLE_EEXIST). seed: the 32-byte Ed25519 seed of the key (a restored node), NULL for a new
 * random one. 0, or an error said through env; nothing is left behind but the directory. */
int node_dir_create(node_dir *nd, const char *dir_opt, const char *name, const uint8_t *seed,
                    const node_env *env);

/* The territory's name as the node presents itself (HELLO). */
void territory_name(const node_dir *nd, char *ret, size_t cap);

#endif
