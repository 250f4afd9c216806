/* node/formats/csvread.h: a CSV file (RFC 4180) as a table of cells, on libcsv.
 *
 * UTF-8 only (a byte-order mark is skipped; invalid UTF-8 is a file error naming the line),
 * the delimiter detected from the header line when not given (';', ',' or tab: the most
 * frequent outside quotes), quoted fields with doubled quotes and line breaks inside, blank
 * lines skipped. File errors, each naming its line: unbalanced quotes (libcsv's strict mode),
 * a row with more or fewer cells than the header (ragged rows), more than CSVR_COLS_MAX
 * columns or CSVR_CELL_MAX bytes in a cell. Performs no I/O. */
#ifndef MAILLE_NODE_FORMATS_CSVREAD_H
#define MAILLE_NODE_FORMATS_CSVREAD_H

#include <stddef.h>
#include <stdint.h>

#include "proto/value.h"

#define CSVR_COLS_MAX 512u
#define CSVR_CELL_MAX (1024u * 1024u)

typedef struct csvr_cell {
	const char *s; /* arena-owned, NUL-terminated (a cell holds no NUL: refused) */
	size_t len;
} csvr_cell;

typedef struct csvr_table {
	char delim;
	size_t n_cols;     /* the header's */
	size_t n_rows;     /* the header row included, as row 0 */
	csvr_cell *cells;   /* arena-owned, row-major: cells[row * n_cols + col] */
	unsigned *lines;   /* arena-owned: the line each row starts on, 1-based */
} csvr_table;

typedef struct csvr_error {
	unsigned line; /* 1-based, 0 when unknown */
	char fr[200], en[200];
} csvr_error;

/* Reads buf[0..len) with delimiter delim (0: detect) into *ret. 0, or MAILLE_EPROTO (syntax,
 * ragged rows, an empty file), MAILLE_EUTF8, MAILLE_ETOOBIG, MAILLE_ENOMEM with *err filled;
 * *ret untouched on failure. */
int csvr_read(proto_arena *a, const uint8_t *buf, size_t len, char delim, csvr_table *ret,
                   csvr_error *err);

/* The cell at (row, col), never NULL. */
static inline const csvr_cell *csvr_at(const csvr_table *t, size_t row, size_t col)
{
	return &t->cells[row * t->n_cols + col];
}

#endif
