/* node/service/coop.h: what the pages and the CLI show about cooperation (PROTOCOL.md §5): a
 * call's interests, a record's labels and its comment thread, who uses a component, a
 * territory's calls, interests and labels. It applies the rules of §5.2 that every node
 * applies the same way: an act counts only when its path is the one its body gives
 * (proto_coop_path_ok); an award only from the label's own territory, on a live `label`
 * record, with criteria that are the label's. Trust is the caller's view: every item says
 * whether its author is trusted, the caller decides what to show (pages fold the comments of
 * untrusted authors and show only the labels of trusted issuers).
 *
 * Items and their rows are valid only during the callback. Callbacks may call the store. */
#ifndef MAILLE_NODE_COOP_H
#define MAILLE_NODE_COOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/service/datefmt.h"
#include "node/service/trust.h"
#include "proto/coop.h"
#include "store/store.h"

#define COOP_THREAD_DEPTH_MAX 8u /* replies deeper than this are shown at this depth's level */
#define COOP_THREAD_MAX 1000u    /* comments a thread walks at most */
/* replies deeper than this are not walked: the walk recurses once per level, in a web
 * server's thread too, and a chain of replies costs its author nothing */
#define COOP_THREAD_LEVELS_MAX 64u

typedef struct coop_item {
	const store_row *row;    /* the act (or, for coop_users and coop_calls, the record) */
	const proto_value *body; /* its decoded body */
	bool trusted;            /* its territory is trusted (tv NULL: every territory is) */
	/* comments */
	unsigned depth;     /* 0: answers the record itself; n: answers a comment of depth n-1 */
	const char *hidden; /* the reason this node hides it (store_hide), or NULL */
	/* awards */
	const store_row *label;        /* the live label it awards */
	const proto_value *label_body;
	bool older_version; /* it names another version of the record than the live one */
	bool expired;       /* its `until` is before today */
} coop_item;

/* 0 goes on; anything else stops the walk and is returned. */
typedef int (*coop_cb)(const coop_item *it, void *ctx);

/* The expressions of interest in the call at (territory, path), oldest first. */
int coop_interests(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                   const trust_view *tv, coop_cb cb, void *ctx);

/* The awards the record at (territory, path) holds, oldest first; today is "YYYY-MM-DD" (the
 * node's day) for `expired`. */
int coop_awards(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                const trust_view *tv, const char *today, coop_cb cb, void *ctx);

/* The comment thread of the record (or comment) at (territory, path): depth first, each
 * comment followed by its replies, oldest first at each level, at most COOP_THREAD_MAX. */
int coop_comments(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                  const trust_view *tv, coop_cb cb, void *ctx);

/* How many comments the thread holds in all, and how many of them by untrusted authors. */
int coop_comments_count(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
                        const trust_view *tv, size_t *ret_all, size_t *ret_untrusted);

/* The REX and use cases that name the record at (territory, path) ("Utilisé par"): a
 * reference as "<hex key>/<path>", or the bare path when written in the record's own
 * territory or in a territory that has no record at that path (a bare path names the
 * writer's own record first, PROTOCOL.md §5.3). Oldest first. */
int coop_users(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *path,
               const trust_view *tv, coop_cb cb, void *ctx);

/* A territory's acts: the interests it expressed (type PROTO_T_INTEREST) or the awards it
 * gave (PROTO_T_AWARD), newest first; awards with their label as coop_awards gives them. */
int coop_territory_acts(store *st, const uint8_t territory[PROTO_KEY_LEN], const char *type,
                        const trust_view *tv, const char *today, coop_cb cb, void *ctx);

/* The awards the records of a territory hold, oldest first. */
int coop_awards_received(store *st, const uint8_t territory[PROTO_KEY_LEN],
                         const trust_view *tv, const char *today, coop_cb cb, void *ctx);

/* The calls to cooperate of the whole catalogue (or of territory when not NULL), each once,
 * newest first (pages sort them by deadline). */
int coop_calls(store *st, const uint8_t *territory, const trust_view *tv, coop_cb cb, void *ctx);

/* "<64 hex>/<path>": how links name the record at (territory, path). */
void coop_ref(const uint8_t territory[PROTO_KEY_LEN], const char *path,
              char ret[PROTO_COOP_REF_MAX + 1]);

/* The day of now_us in zone z (NULL: UTC) as "YYYY-MM-DD", for `expired`. */
void coop_today(uint64_t now_us, const datefmt_zone *z, char ret[11]);

#endif
