/* Fuzz target: a record file's validation, as maille publish does it: fm_parse_lines
 * (node/service/frontmatter.h), proto_schema_normalize, proto_schema_validate
 * (proto/schema.h), the line of each error (fm_lines_find), and the suggestion of a name
 * (proto_schema_nearest).
 *
 * Properties: whatever the bytes, nothing crashes, leaks or over-reads; a refused file gets
 * messages; a report holds at most PROTO_SCHEMA_ERR_MAX errors and counts them all, each with a
 * field and a French and an English text that are valid UTF-8 without a control character
 * (they are printed on terminals and pages) and a line inside the file; validation is
 * deterministic and the same without a report; a suggested name is one of the candidates. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/service/frontmatter.h"
#include "proto/error.h"
#include "proto/schema.h"
#include "proto/value.h"

static void check_issue(const proto_schema_issue *is, const fm_lines *lines, unsigned n_lines)
{
	fuzz_check_text(is->field, sizeof is->field, false);
	fuzz_check_text(is->fr, sizeof is->fr, true);
	fuzz_check_text(is->en, sizeof is->en, true);
	unsigned line = fm_lines_find(lines, is->field);
	if (line < 1 || line > n_lines)
		abort();
}

static void check_nearest(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "title", "summary", "lessons_learned", "themes",
		                             "territories", "extensions", NULL };
	const char *got = proto_schema_nearest((const char *)data, size < 100 ? size : 100, names);
	bool found = got == NULL;
	for (size_t i = 0; names[i] && !found; i++)
		found = got == names[i];
	if (!found)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static proto_schema_report rep, again;
	unsigned n_lines = 1;
	for (size_t i = 0; i < size; i++)
		n_lines += data[i] == '\n';
	check_nearest(data, size);

	proto_arena a;
	proto_value *body = NULL;
	fm_lines lines;
	fm_error err;
	const char *path = NULL;
	proto_arena_init(&a, 0);
	int r = fm_parse_lines(data, size, &a, &body, &path, &lines, &err);
	if (r != 0) {
		if (err.message[0] == '\0')
			abort();
		proto_arena_done(&a);
		return 0;
	}
	for (size_t i = 0; i < lines.n; i++)
		if (lines.v[i].line < 1 || lines.v[i].line > n_lines || lines.v[i].parent > i)
			abort();
	r = proto_schema_normalize(body, &a);
	if (r != 0 && r != MAILLE_ENOMEM)
		abort();
	r = proto_schema_validate(body, &rep);
	if (r != 0 && r != MAILLE_ESCHEMA)
		abort();
	if ((r == MAILLE_ESCHEMA) != (rep.n_errors > 0) || rep.n_errors > PROTO_SCHEMA_ERR_MAX ||
	    rep.n_errors > rep.n_errors_total ||
	    (rep.n_errors_total > rep.n_errors && rep.n_errors != PROTO_SCHEMA_ERR_MAX) ||
	    rep.n_warnings > PROTO_SCHEMA_WARN_MAX || rep.n_warnings > rep.n_warnings_total)
		abort();
	for (size_t i = 0; i < rep.n_errors; i++)
		check_issue(&rep.errors[i], &lines, n_lines);
	for (size_t i = 0; i < rep.n_warnings; i++)
		check_issue(&rep.warnings[i], &lines, n_lines);
	if (proto_schema_validate(body, &again) != r || memcmp(&rep, &again, sizeof rep) != 0 ||
	    proto_schema_validate(body, NULL) != r)
		abort();
	fm_lines_done(&lines);
	proto_arena_done(&a);
	return 0;
}
