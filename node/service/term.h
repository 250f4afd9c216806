/* node/service/term.h: text from records, peers and files made safe for a terminal.
 *
 * Anyone holding the network key can publish, and a peer chooses its HELLO name, so every
 * string that came from a record, a peer, a file or the store is printed through here, by
 * every `maille` command and by the daemon's text log lines: never raw, whatever the schema
 * or the decoder already checked (another node does not run our checks).
 *
 * What is shown escaped, as ASCII text that cannot act on a terminal:
 * - C0 controls and DEL: "\n", "\r", "\t", else "\x1b" (ESC, the start of every sequence that
 *   clears the screen, sets the window title or moves the cursor), "\x07", "\x7f"...;
 * - C1 controls U+0080..U+009F ("\u009b" is a CSI to some terminals): "\u009b";
 * - the format characters that reorder or break a line: the bidi marks, embeddings,
 *   overrides and isolates (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), with
 *   which a name could show "untrusted" backwards or push a marker out of sight, and the line
 *   and paragraph separators U+2028, U+2029: "\u202e";
 * - every byte that is not part of valid UTF-8: "\xff".
 * Everything else, accented letters included, is written as is; a backslash is not doubled,
 * so escaping is idempotent (escaped text escaped again is unchanged) and ordinary text such
 * as "C:\Temp" reads the same.
 *
 * One line (node_term_str, node_term_put): a line break is escaped like any control, so a
 * record can never end the line the tool is writing nor start one of its own.
 * Multi-line text (node_term_text, for the Markdown description and multi-line fields that
 * `maille show` prints): "\n" and "\r\n" stay line breaks, but every line after the first
 * starts with the caller's indent, deeper than the tool's own lines, so no line of a record
 * can pass for one the tool printed (the way `git log` indents a commit message).
 *
 * --json output is not a terminal rendering: its strings keep their exact content.
 * node_term_json only writes the code points above as \u escapes, which JSON decodes back
 * to the same text. */
#ifndef MAILLE_NODE_TERM_H
#define MAILLE_NODE_TERM_H

#include <stddef.h>
#include <stdio.h>

/* A buffer for node_term_str that holds n bytes of input whatever they are (an escape is at
 * most 4 bytes per input byte: "\x1b" for one byte, "\u202e" for three). */
#define NODE_TERM_CAP(n) (4u * (n) + 1u)

/* s[0..len) escaped for one line into buf (cap bytes, NUL-terminated); s NULL is "". What
 * does not fit is cut between two characters and ends with "…" (when cap >= 4). Returns buf. */
const char *node_term_str(const char *s, size_t len, char *buf, size_t cap);

/* s[0..len) escaped for one line, written to f (no length limit). */
void node_term_put(FILE *f, const char *s, size_t len);

/* Multi-line text s[0..len) written to f: line breaks kept, every line after the first
 * preceded by indent (blank lines are left empty), other characters escaped as above;
 * trailing line breaks are dropped (the caller ends the line). */
void node_term_text(FILE *f, const char *s, size_t len, const char *indent);

/* JSON text (valid UTF-8, as jansson writes it) to f, with the C1 controls, DEL and the
 * format characters above written as \u escapes: the same document for a JSON reader, nothing
 * a terminal acts on when it is printed raw. */
void node_term_json(FILE *f, const char *json, size_t len);

#endif
