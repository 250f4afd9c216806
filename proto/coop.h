/* proto/coop.h: the cooperation records' rules that are not a field's (PROTOCOL.md §5): the
 * names of acts (an interest, an award, a comment carry in their path a digest of the record
 * they are about), whether an act's path is the one its body gives, the authoring checks the
 * tables cannot say (a comment's size, a label's criterion ids), and the records a body names
 * (the store's links, for "who answered this call", "who uses this component").
 *
 * Performs no I/O; allocates nothing. */
#ifndef MAILLE_PROTO_COOP_H
#define MAILLE_PROTO_COOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "limits.h"
#include "schema.h"
#include "value.h"

#define PROTO_COOP_DIGEST_LEN 16u /* bytes of a target digest: 32 hex digits in a path */
#define PROTO_COOP_HEX (2 * PROTO_COOP_DIGEST_LEN)
#define PROTO_COOP_COMMENT_ID_HEX 16u /* hex digits of a comment's own name (8 random bytes) */
#define PROTO_COOP_MESSAGE_MAX 4096u  /* bytes of an interest's message */
#define PROTO_COOP_COMMENT_MAX 8192u  /* bytes of a comment's text */
#define PROTO_COOP_CRITERION_ID_MAX 32u
#define PROTO_COOP_LINKS_MAX 64u      /* records one body names that are linked; more are not */
/* "<64 hex territory>/<path>": how a link names a record of another territory */
#define PROTO_COOP_REF_MAX (2 * PROTO_KEY_LEN + 1 + PROTO_PATH_MAX)

/* The act types' names (proto/record_coop.c). */
#define PROTO_T_CALL "call"
#define PROTO_T_LABEL "label"
#define PROTO_T_INTEREST "interest"
#define PROTO_T_AWARD "award"
#define PROTO_T_COMMENT "comment"

/* A record named in full in a body: {territory: hex, path[, entry: hex]}. */
typedef struct proto_coop_target {
	uint8_t territory[PROTO_KEY_LEN];
	char path[PROTO_PATH_MAX + 1];
	bool has_entry;
	uint8_t entry[PROTO_ID_LEN];
} proto_coop_target;

/* ret = the 32 lower-case hex digits of BLAKE2b-128("maille/1 target" || territory || path). */
void proto_coop_digest(const uint8_t territory[PROTO_KEY_LEN], const char *path, size_t len,
                       char ret[PROTO_COOP_HEX + 1]);

/* Reads body[field] as a target; MAILLE_EPROTO when it is missing or not one (a key that is
 * not 64 lower-case hex digits, a path that is not a path, an entry that is not 64 hex). */
int proto_coop_target_read(const proto_value *body, const char *field, proto_coop_target *ret);

/* The record a body of an act type is about: an interest's call, an award's or a comment's
 * target. MAILLE_EPROTO when the body is no act or has no valid target. */
int proto_coop_about(const proto_value *body, proto_coop_target *ret);

/* The path of an act (ret: at least PROTO_PATH_MAX + 1 bytes):
 *   interest/<digest(call)>
 *   award/<digest(target)>/<digest(label)>
 *   comment/<digest(target)>/<16 hex of rnd>      (rnd: 8 random bytes; ignored otherwise)
 * MAILLE_EPROTO when the body is no act or lacks its targets. */
int proto_coop_path(const proto_value *body, const uint8_t rnd[8], char *ret, size_t cap);

/* Whether the entry (territory, path) with this body is an act whose path is the one its
 * body gives (a comment's last segment: 16 lower-case hex digits) and, for an award, whose
 * label is in the award's own territory. Nodes count, show and link an act only then
 * (PROTOCOL.md §5.2); any other entry is relayed like any other but ignored. */
bool proto_coop_path_ok(const uint8_t territory[PROTO_KEY_LEN], const char *path, size_t len,
                        const proto_value *body);

/* The authoring checks of the cooperation records beyond the tables, for a body that passed
 * proto_schema_validate: an act's path (path_ok above; path NULL: not checked), an award's
 * label in the publishing territory, a message's and a comment's size, a label's criterion
 * ids (syntax, unique), an award's evidence naming its criteria. Errors are appended to rep
 * (which it does not reset). 0 or MAILLE_ESCHEMA. */
int proto_coop_check(const uint8_t territory[PROTO_KEY_LEN], const char *path,
                     const proto_value *body, proto_schema_report *rep);

/* Calls cb for each record a document's body names, at most PROTO_COOP_LINKS_MAX times, with
 * the reference as written for a catalogue reference that is a path or "<64 lower-case
 * hex>/<path>" (a field of kind REF, a list shown as references, a relation's target; web
 * addresses and words are not records) and as "<64 hex>/<path>" for an act's targets. A
 * non-zero return of cb stops and is returned. */
typedef int (*proto_coop_link_cb)(const char *ref, size_t len, void *ctx);
int proto_coop_links(const proto_value *body, proto_coop_link_cb cb, void *ctx);

/* Whether type (a record type's name) is an act: interest, award or comment. */
bool proto_coop_is_act(const char *type, size_t len);

#endif
