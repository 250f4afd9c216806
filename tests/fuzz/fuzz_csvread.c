/* Fuzz target: the CSV reader of the importers (node/formats/csvread.h, on libcsv).
 *
 * Properties: never a crash, a leak or an over-read; a refusal leaves the table untouched and
 * says why in clean French and English; an accepted table has a header row, every row as many
 * cells as the header, each cell valid UTF-8 without NUL, its rows' lines increasing. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/formats/csvread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proto_arena a;
	proto_arena_init(&a, 0);
	csvr_table t;
	memset(&t, 0xa5, sizeof t);
	csvr_table before = t;
	csvr_error err;
	int r = csvr_read(&a, data, size, 0, &t, &err);
	if (r) {
		if (memcmp(&t, &before, sizeof t) != 0)
			abort();
		fuzz_check_text(err.fr, sizeof err.fr, true);
		fuzz_check_text(err.en, sizeof err.en, true);
	} else {
		if (t.n_rows == 0 || t.n_cols == 0 || t.n_cols > CSVR_COLS_MAX)
			abort();
		for (size_t i = 0; i < t.n_rows; i++) {
			if (i && t.lines[i] <= t.lines[i - 1])
				abort();
			for (size_t j = 0; j < t.n_cols; j++) {
				const csvr_cell *c = csvr_at(&t, i, j);
				if (strlen(c->s) != c->len ||
				    !proto_utf8_valid((const uint8_t *)c->s, c->len))
					abort();
			}
		}
	}
	proto_arena_done(&a);
	return 0;
}
