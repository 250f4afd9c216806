/* tools/cli/examples.h: the complete, fictional records `maille new TYPE --example` prints, one
 * per record type published from files. Each is a sample of tools/samples/ compiled in at build
 * time (tools/cli/embed_examples.py, listed in tools/meson.build), so the demo publishes the
 * same text and the suite checks that each one publishes as it is. */
#ifndef MAILLE_TOOLS_EXAMPLES_H
#define MAILLE_TOOLS_EXAMPLES_H

#include <stddef.h>

typedef struct cli_example {
	const char *type; /* NULL ends the table */
	const char *file; /* the sample's file name in tools/samples/ */
	const char *const *lines; /* the whole file, line by line (line feeds kept), NULL-ended */
} cli_example;

extern const cli_example cli_examples[];

#endif
