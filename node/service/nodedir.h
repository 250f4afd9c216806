/* tools/cli/nodedir.h: the node directory (nodedir.c). */
#ifndef MAILLE_TOOLS_NODEDIR_H
#define MAILLE_TOOLS_NODEDIR_H

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

/* The territory's name as the node presents itself (HELLO). */
void territory_name(const node_dir *nd, char *ret, size_t cap);

#endif
