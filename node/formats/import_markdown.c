/* node/formats/import_markdown.c: Maille's own records, a Markdown file with YAML front matter
 * each (node/service/frontmatter.h), as drafts: the body as written, its `path` if it has one.
 * Validation and publishing are the command's, as for every format. */
#include "import.h"

#include <string.h>

#include "node/service/frontmatter.h"
#include "proto/error.h"

int import_read_markdown(import_set *set, const import_src *src)
{
	fm_error fe;
	memset(&fe, 0, sizeof fe);
	proto_value *body = NULL;
	const char *path = NULL;
	int r = fm_parse(src->buf, src->len, &set->arena, &body, &path, &fe);
	if (r)
		return import_file_fail(set, src, r, fe.line, fe.column, fe.field, "%s%.0s", "%.0s%s",
		                        fe.message_fr[0] ? fe.message_fr : maille_strerror(r),
		                        fe.message[0] ? fe.message : maille_strerror(r));
	import_draft *d = import_draft_new(set, src, "", NULL);
	if (!d)
		return MAILLE_ENOMEM;
	d->body = body; /* its own type, checked by validation like any record's */
	d->path = path;
	return 0;
}
