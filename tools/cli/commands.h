/* tools/cli/commands.h: the `maille` subcommands (their table is in maille.c), one family per
 * file cmd_<family>.c, the file named for the family's first command. */
#ifndef MAILLE_TOOLS_COMMANDS_H
#define MAILLE_TOOLS_COMMANDS_H

#include <stdbool.h>

#include "node/service/nodedir.h"
#include "store/store.h"

/* cmd_init.c: a new node directory (and its territory record) */
int cmd_init(int argc, char **argv);
/* cmd_invite.c: an invitation token, and joining with one (both ends, PROTOCOL.md §4.1) */
int cmd_invite(int argc, char **argv);
int cmd_join(int argc, char **argv);
/* cmd_new.c: a record to fill in, or a complete example, of a record type */
int cmd_new(int argc, char **argv);
/* cmd_publish.c: a record signed and stored, or its tombstone */
int cmd_publish(int argc, char **argv);
int cmd_delete(int argc, char **argv);
/* cmd_query.c: the commands that read the catalogue */
int cmd_list(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_export(int argc, char **argv);
/* cmd_check.c: every signature, id and store invariant verified again */
int cmd_check(int argc, char **argv);
/* cmd_schema.c: the record types and their fields (proto/record.h), or the reference */
int cmd_schema(int argc, char **argv);
/* cmd_territory.c: this territory's record, shown or edited (a new version) */
int cmd_territory(int argc, char **argv);
/* cmd_attachment.c: files stored as blobs for records' attachments, and their collection */
int cmd_attachment(int argc, char **argv);
int cmd_gc(int argc, char **argv);
/* cmd_whoami.c: this node's key, territory and directory */
int cmd_whoami(int argc, char **argv);
/* cmd_key.c: key export (encrypted backup) */
int cmd_key(int argc, char **argv);
/* cmd_key.c: `maille init --restore FILE`: a new node directory from a key backup (same key,
 * name and federation, empty store). passphrase_file NULL: ask on the terminal. Prints what
 * was restored (JSON with json); returns an exit code. */
int key_restore(const char *dir_opt, const char *file, const char *passphrase_file, bool json);
/* cmd_federation.c: federation new|show|export|import */
int cmd_federation(int argc, char **argv);
/* cmd_node.c: the daemon in the foreground */
int cmd_node(int argc, char **argv);
/* cmd_ping.c: handshake, PING, PONG with a node */
int cmd_ping(int argc, char **argv);
/* cmd_sync.c: one-shot sync with a node */
int cmd_sync(int argc, char **argv);
/* cmd_peer.c: peer add|remove; the configured and connected peers */
int cmd_peer(int argc, char **argv);
int cmd_peers(int argc, char **argv);
/* cmd_status.c: the live set and the daemon */
int cmd_status(int argc, char **argv);
/* cmd_member.c: member add|remove; this territory's members */
int cmd_member(int argc, char **argv);
int cmd_members(int argc, char **argv);
/* cmd_trust.c: the trust between territories — an explicit trust on this node or its
 * withdrawal, a vouch published (PROTOCOL.md §4.2) or its tombstone, and the territories known
 * with their trust state */
int cmd_trust(int argc, char **argv);
int cmd_untrust(int argc, char **argv);
int cmd_vouch(int argc, char **argv);
int cmd_unvouch(int argc, char **argv);
int cmd_territories(int argc, char **argv);
/* cmd_coop.c: the cooperation acts (PROTOCOL.md §5) — an interest in a call, a label's award
 * or its revocation, a comment, and a comment hidden on this node only */
int cmd_interest(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_comment(int argc, char **argv);
int cmd_hide(int argc, char **argv);
/* cmd_import.c: records from the formats territories already hold, as drafts or published */
int cmd_import(int argc, char **argv);
/* cmd_export.c: export --format F for the formats of node/formats/export.h (called by
 * cmd_export, cmd_query.c, with the node open and its trust view set up): the records f keeps
 * written into out (NULL: standard output) with base_url (NULL: from web.hosts) for links.
 * The exit code. */
int export_run(node_dir *nd, store_filter *f, const char *format, const char *out,
               const char *base_url, bool json);

#endif
