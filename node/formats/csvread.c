/* node/formats/csvread.c: CSV on libcsv (csvread.h). */
#include "csvread.h"

#include <csv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/error.h"

typedef struct csv_acc {
	proto_arena *a;
	csvr_cell *cells; /* malloc'd while reading; copied into the arena at the end */
	size_t n_cells, cap_cells;
	unsigned *lines;
	size_t n_rows, cap_rows;
	size_t row_cells; /* cells of the row being read */
	size_t n_cols;    /* the header's, once read */
	unsigned line, row_line;
	/* the line the next row begins on: after the last row's end, past blank lines, so that
	 * a row whose first cell is a quote spanning lines (or never closed) is named by its
	 * first line, not by the line where libcsv hands the cell over */
	unsigned next_row_line;
	bool row_open;
	int err;
	csvr_error *e;
} csv_acc;

static void acc_fail(csv_acc *c, int code, unsigned line, const char *fr, const char *en)
{
	if (c->err)
		return;
	c->err = code;
	c->e->line = line;
	snprintf(c->e->fr, sizeof c->e->fr, "%s", fr);
	snprintf(c->e->en, sizeof c->e->en, "%s", en);
}

static void on_field(void *s, size_t len, void *data)
{
	csv_acc *c = data;
	if (c->err)
		return;
	if (!c->row_open) {
		c->row_open = true;
		c->row_line = c->next_row_line;
	}
	if (len > CSVR_CELL_MAX) {
		acc_fail(c, MAILLE_ETOOBIG, c->row_line, "une cellule dépasse 1 Mio",
		         "a cell is over 1 MiB");
		return;
	}
	if (len && memchr(s, '\0', len)) {
		acc_fail(c, MAILLE_EPROTO, c->row_line, "une cellule contient un octet nul",
		         "a cell holds a NUL byte");
		return;
	}
	if (len && !proto_utf8_valid(s, len)) {
		acc_fail(c, MAILLE_EUTF8, c->row_line,
		         "le fichier n'est pas en UTF-8 (enregistrez-le « CSV UTF-8 »)",
		         "the file is not UTF-8 (save it as \"CSV UTF-8\")");
		return;
	}
	if (++c->row_cells > CSVR_COLS_MAX) {
		acc_fail(c, MAILLE_ETOOBIG, c->row_line, "plus de 512 colonnes", "over 512 columns");
		return;
	}
	if (c->n_cells == c->cap_cells) {
		size_t cap = c->cap_cells ? 2 * c->cap_cells : 256;
		csvr_cell *v = realloc(c->cells, cap * sizeof *v);
		if (!v) {
			acc_fail(c, MAILLE_ENOMEM, 0, "mémoire insuffisante", "out of memory");
			return;
		}
		c->cells = v;
		c->cap_cells = cap;
	}
	char *copy = proto_arena_strndup(c->a, s ? s : "", len);
	if (!copy) {
		acc_fail(c, MAILLE_ENOMEM, 0, "mémoire insuffisante", "out of memory");
		return;
	}
	c->cells[c->n_cells++] = (csvr_cell){ copy, len };
}

static void on_row(int term, void *data)
{
	(void)term;
	csv_acc *c = data;
	if (c->err)
		return;
	if (!c->row_open) /* libcsv ends a row it has no field of only at the end of input */
		return;
	if (c->n_rows == 0)
		c->n_cols = c->row_cells;
	else if (c->row_cells != c->n_cols) {
		char fr[200], en[200];
		snprintf(fr, sizeof fr, "la ligne a %zu cellules, l'en-tête %zu colonnes", c->row_cells,
		         c->n_cols);
		snprintf(en, sizeof en, "the row has %zu cells, the header %zu columns", c->row_cells,
		         c->n_cols);
		acc_fail(c, MAILLE_EPROTO, c->row_line, fr, en);
		return;
	}
	if (c->n_rows == c->cap_rows) {
		size_t cap = c->cap_rows ? 2 * c->cap_rows : 64;
		unsigned *v = realloc(c->lines, cap * sizeof *v);
		if (!v) {
			acc_fail(c, MAILLE_ENOMEM, 0, "mémoire insuffisante", "out of memory");
			return;
		}
		c->lines = v;
		c->cap_rows = cap;
	}
	c->lines[c->n_rows++] = c->row_line;
	c->row_cells = 0;
	c->row_open = false;
	c->next_row_line = c->line + 1;
}

/* The delimiter of the first line: the most frequent of ';', ',' and tab outside quotes. */
static char detect(const uint8_t *buf, size_t len)
{
	size_t semi = 0, comma = 0, tab = 0;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (!quoted && (buf[i] == '\n' || buf[i] == '\r'))
			break;
		else if (!quoted) {
			semi += buf[i] == ';';
			comma += buf[i] == ',';
			tab += buf[i] == '\t';
		}
	}
	return tab > semi && tab > comma ? '\t' : semi >= comma && semi ? ';' : ',';
}

int csvr_read(proto_arena *a, const uint8_t *buf, size_t len, char delim, csvr_table *ret,
                   csvr_error *err)
{
	memset(err, 0, sizeof *err);
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf) {
		buf += 3;
		len -= 3;
	}
	if (len >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) || (buf[0] == 0xfe && buf[1] == 0xff))) {
		snprintf(err->fr, sizeof err->fr, "le fichier est en UTF-16 : enregistrez-le « CSV UTF-8 »");
		snprintf(err->en, sizeof err->en, "the file is UTF-16: save it as \"CSV UTF-8\"");
		err->line = 1;
		return MAILLE_EUTF8;
	}
	if (!delim)
		delim = detect(buf, len);
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return MAILLE_ENOMEM;
	csv_set_delim(&p, (unsigned char)delim);
	csv_acc c = { .a = a, .line = 1, .next_row_line = 1, .e = err };
	/* fed a line at a time, so that a row knows the line it starts on */
	size_t i = 0;
	while (i < len && !c.err) {
		/* a line ends at LF, CR LF, or a CR alone (libcsv ends a row there too) */
		size_t n = 0;
		while (i + n < len && buf[i + n] != '\n' && buf[i + n] != '\r')
			n++;
		if (i + n < len)
			n += buf[i + n] == '\r' && i + n + 1 < len && buf[i + n + 1] == '\n' ? 2 : 1;
		bool blank = !c.row_open && c.next_row_line == c.line &&
		             (n == 0 || buf[i] == '\n' || buf[i] == '\r');
		if (csv_parse(&p, buf + i, n, on_field, on_row, &c) != n && !c.err)
			acc_fail(&c, MAILLE_EPROTO, c.row_open ? c.row_line : c.next_row_line,
			         csv_error(&p) == CSV_ETOOBIG ? "une cellule est trop grande"
			                                      : "guillemets mal fermés",
			         csv_error(&p) == CSV_ETOOBIG ? "a cell is too big" : "unbalanced quotes");
		if (blank && !c.row_open)
			c.next_row_line = c.line + 1; /* libcsv skips a blank line between rows */
		i += n;
		c.line++;
	}
	if (!c.err && csv_fini(&p, on_field, on_row, &c) != 0)
		acc_fail(&c, MAILLE_EPROTO, c.row_open ? c.row_line : c.next_row_line,
		         "guillemets ouverts jamais fermés", "a quote opened and never closed");
	csv_free(&p);
	if (!c.err && c.n_rows == 0)
		acc_fail(&c, MAILLE_EPROTO, 1, "le fichier est vide", "the file is empty");
	csvr_cell *cells = NULL;
	unsigned *lines = NULL;
	if (!c.err) {
		cells = proto_arena_alloc(a, c.n_cells * sizeof *cells);
		lines = proto_arena_alloc(a, c.n_rows * sizeof *lines);
		if (!cells || !lines)
			acc_fail(&c, MAILLE_ENOMEM, 0, "mémoire insuffisante", "out of memory");
	}
	if (!c.err) {
		memcpy(cells, c.cells, c.n_cells * sizeof *cells);
		memcpy(lines, c.lines, c.n_rows * sizeof *lines);
		*ret = (csvr_table){ delim, c.n_cols, c.n_rows, cells, lines };
	}
	free(c.cells);
	free(c.lines);
	return c.err;
}
