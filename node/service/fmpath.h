/* node/service/fmpath.h: the `path` a first publish chose, written into the record's own file,
 * so that the next publish of that file is an edit of the same record even when its title
 * changed (README, "Publishing records").
 *
 * Performs no I/O: the caller reads the file and replaces it (node_file_replace). */
#ifndef MAILLE_NODE_FMPATH_H
#define MAILLE_NODE_FMPATH_H

#include <stddef.h>
#include <stdint.h>

/* The bytes of a front-matter file buf[0..len) with "path: <path>" as the first line of its
 * front matter (after the opening '---' line, with that line's ending, LF or CRLF); every
 * other byte is kept, in order. The result is checked: fm_parse reads from it the same body
 * as from buf, and path as its `path`. path must be a valid entry path (proto_path_valid).
 * *ret (malloc'd, the caller frees it) and *ret_len on success; MAILLE_EINVAL for an invalid
 * path, MAILLE_EPROTO when buf does not parse (fm_parse), already has a `path` or does not give
 * the same body back, MAILLE_ETOOBIG when the result would exceed MAILLE_INPUT_FILE_MAX,
 * MAILLE_ENOMEM. The out-parameters are untouched on failure. */
int fm_path_insert(const uint8_t *buf, size_t len, const char *path, uint8_t **ret,
                   size_t *ret_len);

#endif
